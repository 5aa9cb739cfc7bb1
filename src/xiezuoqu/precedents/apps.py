from django.apps import AppConfig


class PrecedentsConfig(AppConfig):
    name = "xiezuoqu.precedents"
    label = "precedents"
    verbose_name = "类案参考"
