from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "xiezuoqu.statistics"
    label = "statistics"
    verbose_name = "统计"
