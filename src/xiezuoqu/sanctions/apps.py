from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "xiezuoqu.sanctions"
    verbose_name = "处分期间与期满办理"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (the scope policies register on import)

        services.register_kinds()
