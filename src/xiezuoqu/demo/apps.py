from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xiezuoqu.demo"
    verbose_name = "演示数据"
