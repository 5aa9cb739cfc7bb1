from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "xiezuoqu.archive"
    verbose_name = "归档"
