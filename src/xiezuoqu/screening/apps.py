from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "xiezuoqu.screening"
    label = "screening"
    verbose_name = "大数据监督"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (the scope policies register on import)
