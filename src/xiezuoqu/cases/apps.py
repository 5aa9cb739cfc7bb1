from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xiezuoqu.cases"
