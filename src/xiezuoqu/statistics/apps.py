from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "xiezuoqu.statistics"
    label = "statistics"
    verbose_name = "统计"

    def ready(self) -> None:
        from . import ledger  # noqa: F401  (registers the scope policies of the monthly ledgers)
