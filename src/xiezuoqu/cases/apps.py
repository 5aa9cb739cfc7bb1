from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xiezuoqu.cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from xiezuoqu.deadlines.services import register_deadline_kind

        from . import rules, selectors, services  # noqa: F401  (policies and approval hooks register on import)

        for period in rules.PERIODS:
            register_deadline_kind(
                period.kind,
                period.label,
                warn_days=period.warn_days,
                rule=period.rule,
                not_extendable=period.not_extendable,
            )
        register_deadline_kind(
            rules.MEASURE_LIMIT_KIND,
            rules.MEASURE_LIMIT_LABEL,
            rule=rules.MEASURE_LIMIT_RULE,
            not_extendable=rules.MEASURE_LIMIT_FIXED,
        )
