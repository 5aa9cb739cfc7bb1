from __future__ import annotations

from dataclasses import dataclass

import pytest

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User


@dataclass
class DemoCounty:
    """The demo county (凤城市) loaded into the test database, with quick access to its logins."""

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def actor(self, username: str) -> Actor:
        return build_actor(self.user(username))


@pytest.fixture(scope="session")
def _demo_committed(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo county once per session, committed, before the per-test transactions.

    pytest-django runs transactional tests (which flush the database) after the others, and the
    ``demo`` fixture reloads inside the test if a flush removed it, so every test sees the county.
    """
    from xiezuoqu.demo.services import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(_demo_committed, db) -> DemoCounty:  # type: ignore[no-untyped-def]
    from xiezuoqu.demo.services import load_demo
    from xiezuoqu.org.models import Commission

    if not Commission.objects.filter(is_demo=True).exists():
        load_demo()
    return DemoCounty()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
