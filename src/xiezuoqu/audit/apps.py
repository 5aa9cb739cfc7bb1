from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiezuoqu.audit"
    verbose_name = "审计"
