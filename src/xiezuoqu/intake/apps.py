from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "xiezuoqu.intake"
    verbose_name = "信访举报"

    def ready(self) -> None:
        from xiezuoqu.deadlines.services import on_due_date_recomputed, register_deadline_kind

        from . import rules, selectors, services  # noqa: F401  (policies and approval hooks register on import)

        for period in rules.PERIODS:
            register_deadline_kind(period.kind, period.label, warn_days=period.warn_days, rule=period.rule)
        for kind in services.DECISION_COPIES:
            on_due_date_recomputed(kind)(services.decision_due_recomputed)
