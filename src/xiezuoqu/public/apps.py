from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "xiezuoqu.public"
    label = "public"
    verbose_name = "网络举报"

    def ready(self) -> None:
        from . import checks, selectors  # noqa: F401  (the system check and the attachment policy register on import)
