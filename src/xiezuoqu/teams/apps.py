from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "xiezuoqu.teams"
    verbose_name = "办理方式与组队"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (policies register on import)
