from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xiezuoqu.org"
    verbose_name = "组织机构"
