from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "xiezuoqu.approvals"
    verbose_name = "审批"
