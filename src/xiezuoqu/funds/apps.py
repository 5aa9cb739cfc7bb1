from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "xiezuoqu.funds"
    label = "funds"
    verbose_name = "办案经费与车辆"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies, matter types and approval hooks register on import)

        # Eagerly, so that a kind another app registers adds to the built-in ones instead of hiding them.
        selectors.register_builtin_matters()
