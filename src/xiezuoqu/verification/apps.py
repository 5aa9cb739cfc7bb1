from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "xiezuoqu.verification"
    verbose_name = "初步核实"

    def ready(self) -> None:
        from xiezuoqu.deadlines.services import register_deadline_kind

        from . import rules, selectors, services  # noqa: F401  (policies and approval hooks register on import)

        register_deadline_kind(rules.PERIOD_KIND, rules.PERIOD_LABEL, warn_days=5, rule=rules.PERIOD_RULE)
        register_deadline_kind(
            rules.STALL_KIND, rules.STALL_LABEL, rule=rules.STALL_RULE, not_extendable=rules.STALL_RESTARTS
        )
