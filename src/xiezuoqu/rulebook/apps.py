from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def _sync_after_migrate(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """A fresh or migrated database holds the national rows of the code table (``national.py``)."""
    if using != DEFAULT_DB_ALIAS:
        return
    from .services import sync_national_rules

    sync_national_rules()


class RulebookConfig(AppConfig):
    name = "xiezuoqu.rulebook"
    verbose_name = "规则库"

    def ready(self) -> None:
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="rulebook.sync_national_rules")
