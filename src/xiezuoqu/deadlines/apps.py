from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xiezuoqu.deadlines"
    verbose_name = "时限与预警"
