from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xiezuoqu.web"
    verbose_name = "页面"
