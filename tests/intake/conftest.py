"""Helpers for the intake tests: the demo county's logins, a registration with sensible defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.intake import services
from xiezuoqu.intake.models import Category, Channel, Report
from xiezuoqu.org.models import Unit, Village


def actor_of(user: User) -> Actor:
    """A fresh actor (never the per-request cache), so role changes in a test are seen."""
    return build_actor(User.objects.select_related("staff").get(pk=user.pk))


def demo_actor(username: str) -> Actor:
    return actor_of(User.objects.get(username=username))


def unit_named(name: str) -> Unit:
    return Unit.objects.get(name=name, commission__is_demo=True)


def village_named(township: str, name: str) -> Village:
    return Village.objects.get(township__name=township, name=name)


def report_input(**kw: Any) -> services.ReportInput:
    defaults: dict[str, Any] = {
        "channel": Channel.LETTER,
        "received_on": timezone.localdate(),
        "summary": "反映某村党支部书记虚报冒领惠农补贴",
        "content": "2026年春耕期间，该村党支部书记以其亲属名义虚报耕地面积，冒领耕地地力保护补贴约一万二千元。",
        "category": Category.FARM_SUBSIDY,
        "accused": [services.AccusedInput("王某某", "双山子村党支部", "书记")],
    }
    defaults.update(kw)
    return services.ReportInput(**defaults)


REAL_NAME = services.IdentityInput(
    name="李举报", phone="13900001111", id_number="21068219800101123X", address="宝山镇双山子村三组", work_unit=""
)


def register(username: str = "dengji", **kw: Any) -> Report:
    return services.register_report(actor=demo_actor(username), data=report_input(**kw))


def login(client: Client, username: str) -> Client:
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def today() -> date:
    return timezone.localdate()


def api_token(user: User) -> str:
    from datetime import timedelta

    from xiezuoqu.accounts.models import ApiToken

    raw = f"xzq-intake-token-{user.pk}-0123456789abcdef"
    ApiToken.objects.get_or_create(
        digest=ApiToken.digest_of(raw),
        defaults={"user": user, "name": "测试", "prefix": raw[:8], "expires_at": timezone.now() + timedelta(days=1)},
    )
    return raw


def api_get(client: Client, username: str, path: str, params: dict[str, Any] | None = None) -> Any:
    user = User.objects.get(username=username)
    return client.get("/api/v1/intake" + path, params or {}, HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")


def api_post(client: Client, username: str, path: str, body: dict[str, Any]) -> Any:
    user = User.objects.get(username=username)
    return client.post(
        "/api/v1/intake" + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token(user)}"
    )
