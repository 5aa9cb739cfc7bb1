from django.apps import AppConfig


class RecusalConfig(AppConfig):
    name = "xiezuoqu.recusal"
    verbose_name = "回避与干预登记"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies and approval hooks register on import)
