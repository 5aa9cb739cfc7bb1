from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "xiezuoqu.inspections"
    label = "inspections"
    verbose_name = "专项检查"
