from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "xiezuoqu.dedup"
    verbose_name = "重复件识别"
