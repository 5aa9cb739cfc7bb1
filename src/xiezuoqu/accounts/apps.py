from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiezuoqu.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import selectors  # noqa: F401  (registers the scope policies)
