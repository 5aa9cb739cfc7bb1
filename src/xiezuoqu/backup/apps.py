from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "xiezuoqu.backup"
    verbose_name = "备份与恢复"
