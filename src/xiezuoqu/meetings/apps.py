from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "xiezuoqu.meetings"
    verbose_name = "会议"

    def ready(self) -> None:
        from . import selectors, services  # noqa: F401  (policies and agenda kinds register on import)
