from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xiezuoqu.access"
    verbose_name = "访问范围"
