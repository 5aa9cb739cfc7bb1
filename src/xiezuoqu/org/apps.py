from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xiezuoqu.org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (registers the scope policies)
