from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xiezuoqu.deadlines"
    verbose_name = "时限与预警"

    def ready(self) -> None:
        from . import (
            selectors,  # noqa: F401  (registers the scope policies)
            services,  # noqa: F401  (registers the "deadline.extension" decision hook)
        )
