from typing import Any

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiezuoqu.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.backends.signals import connection_created

        from . import selectors  # noqa: F401  (registers the AuditEvent policy)
        from .guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="xiezuoqu.audit.guard")
        setting_changed.connect(_forget_key, dispatch_uid="xiezuoqu.audit.key")


def _forget_key(*, setting: str, **kwargs: Any) -> None:
    """Tests (and nothing else) change the key at run time: drop the cached one."""
    if setting == "XIEZUOQU":
        from .chain import audit_key

        audit_key.cache_clear()
