from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "xiezuoqu.intake"
    verbose_name = "信访举报"
