from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "xiezuoqu.inspections"
    label = "inspections"
    verbose_name = "专项检查"

    def ready(self) -> None:
        from xiezuoqu.deadlines.services import register_deadline_kind

        from . import rules, selectors, services  # noqa: F401  (policies and approval hooks register on import)

        register_deadline_kind(rules.RECTIFICATION_KIND, rules.RECTIFICATION_LABEL, rule=rules.RECTIFICATION_RULE)
