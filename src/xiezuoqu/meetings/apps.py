from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "xiezuoqu.meetings"
    verbose_name = "会议"

    def ready(self) -> None:
        from xiezuoqu.deadlines.services import on_due_date_recomputed, register_deadline_kind

        # Policies, agenda kinds (incl. 总结会's 阶段工作总结) register on import.
        from . import selectors, services, summary  # noqa: F401

        register_deadline_kind(
            services.FOLLOW_UP_DEADLINE_KIND,
            services.FOLLOW_UP_DEADLINE_LABEL,
            rule=services.FOLLOW_UP_RULE,
            # The date is the meeting's: a later meeting sets a new one, not the generic 延期.
            not_extendable="交办事项的办结时限由会议确定；确需调整的，请提交协作区会议重新交办。",
        )
        on_due_date_recomputed(services.FOLLOW_UP_DEADLINE_KIND)(services.follow_up_due_recomputed)
