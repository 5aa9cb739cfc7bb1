from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "xiezuoqu.filing"
    verbose_name = "立案"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies and agenda kinds register on import)
