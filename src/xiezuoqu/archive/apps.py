from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "xiezuoqu.archive"
    verbose_name = "归档"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (the policy registers on import)
