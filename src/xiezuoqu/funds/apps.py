from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "xiezuoqu.funds"
    label = "funds"
    verbose_name = "办案经费与车辆"
