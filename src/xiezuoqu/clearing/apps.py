from django.apps import AppConfig


class ClearingConfig(AppConfig):
    name = "xiezuoqu.clearing"
    verbose_name = "澄清正名与诬告陷害"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies and approval hooks register on import)
