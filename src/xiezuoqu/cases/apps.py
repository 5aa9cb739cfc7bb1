from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xiezuoqu.cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies and agenda kinds register on import)
