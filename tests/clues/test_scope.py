"""Who sees a clue: the handling unit, its zone's leadership and office, the commission's leadership and
案管 — nobody else (not another township, not the petition or trial office, not the administrators,
not the subject themself). Scope and predicate agree for every demo login, and pages and the API
answer 404 outside the scope."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clues.conftest import DONGTANG, api_token, demo_actor, login, open_other, with_subject
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Clue, ClueSignoff, Subject
from xiezuoqu.clues.selectors import clues_visible_to
from xiezuoqu.demo.data import DEMO_LOGINS

pytestmark = pytest.mark.django_db

SEES_BAOSHAN = {"xzshuji", "xzganbu", "zuzhang1", "fuzuzhang1", "jianchashi1", "shuji", "fenguan", "anguan"}


def _visible(username: str) -> set[int]:
    return set(clues_visible_to(demo_actor(username)).values_list("pk", flat=True))


def test_a_baoshan_clue_is_seen_by_its_unit_its_zone_and_the_commission_readers_only(demo):
    clue = open_other()
    seers = {username for username, _, _ in DEMO_LOGINS if clue.pk in _visible(username)}
    assert seers >= SEES_BAOSHAN
    for outsider in (
        "xzshuji2",
        "xzshuji3",
        "jianchashi2",
        "xinfang",
        "dengji",
        "shenli",
        "xitong",
        "anquan",
        "shenji",
        "jianduyuan",
    ):
        assert outsider not in seers, outsider


def test_scope_and_predicate_agree_for_every_clue_policy_and_demo_login(demo):
    with_subject(open_other())
    with_subject(open_other(username="xzshuji2", unit=DONGTANG), username="xzshuji2", name="钱某某")
    clue_models = {m for m in POLICIES if m._meta.app_label == "clues"}
    assert {Clue, Subject, ClueSignoff} <= clue_models
    for username, _, _ in DEMO_LOGINS:
        actor = demo_actor(username)
        for model in clue_models:
            policy = POLICIES[model]
            scoped = set(policy.scope(actor).values_list("pk", flat=True))
            predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
            assert scoped == predicate, f"{username} × {model.__name__}"


def test_a_subject_who_is_a_staff_member_never_sees_their_own_clue(demo):
    clue = with_subject(open_other(username="zuzhang1"), username="zuzhang1")
    subject = Subject.objects.get(clue_links__clue=clue)
    subject.staff_id = demo.user("xzganbu").staff_id
    subject.save(update_fields=["staff"])
    assert clue.pk not in _visible("xzganbu")
    assert clue.pk in _visible("xzshuji")


def test_pages_and_api_answer_404_outside_the_scope_and_every_view_is_audited_and_signed(demo):
    clue = open_other()
    outsider = login(Client(), "xzshuji2")
    assert outsider.get(f"/clues/{clue.pk}/").status_code == 404
    assert outsider.post(f"/clues/{clue.pk}/act/", {"action": "start_analysis"}).status_code == 404
    token = api_token(User.objects.get(username="xzshuji2"))
    assert Client().get(f"/api/v1/clues/{clue.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    admin = login(Client(), "xitong")
    assert admin.get(f"/clues/{clue.pk}/").status_code == 404
    insider = login(Client(), "zuzhang1")
    page = insider.get(f"/clues/{clue.pk}/")
    assert page.status_code == 200 and clue.ledger_number in page.content.decode()
    assert AuditEvent.objects.filter(action="clue.viewed", target_id=str(clue.pk), outcome="allowed").exists()
    assert ClueSignoff.objects.filter(clue=clue, action="viewed", user__username="zuzhang1").exists()
    token = api_token(User.objects.get(username="anguan"))
    body = Client().get("/api/v1/clues/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert clue.pk in [item["id"] for item in body["items"]]
    token = api_token(User.objects.get(username="xzshuji3"))
    body = Client().get("/api/v1/clues/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert clue.pk not in [item["id"] for item in body["items"]]
