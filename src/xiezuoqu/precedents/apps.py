from django.apps import AppConfig


class PrecedentsConfig(AppConfig):
    name = "xiezuoqu.precedents"
    label = "precedents"
    verbose_name = "类案参考"

    def ready(self) -> None:
        # The cases app's own hook on case.sanction first (it approves the decision), then ours (it dates
        # the case's facts by the decision): hooks run in the order they were registered.
        from xiezuoqu.cases import services as _cases  # noqa: F401

        from . import services  # noqa: F401
