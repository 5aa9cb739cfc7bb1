from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "xiezuoqu.workdays"
    verbose_name = "工作日历"
