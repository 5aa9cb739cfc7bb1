"""The audit log's pages and API: the security auditor's alone (三员分立), everyone else gets 404.

Lists filter by actor, action, object, outcome and time, page by keyset on seq (no COUNT over the
log), in a bounded number of queries; every look at the log is itself recorded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commission, make_user
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import record_event

from .conftest import append, sql, tampering

pytestmark = pytest.mark.django_db

OUTSIDERS = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.COMMISSION_HEAD, Role.CASE_MANAGER, Role.TOWNSHIP_STAFF]


def body(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def auditor_client(client, auditor):  # type: ignore[no-untyped-def]
    client.force_login(auditor)
    return client


# --- who may look ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_but_the_auditor_gets_404_on_every_page_and_endpoint(client, commission, clerk_actor, role):
    event = append(clerk_actor, 1)[0]
    client.force_login(make_user(role, commission=commission))
    urls = [
        reverse("audit:list"),
        reverse("audit:detail", args=[event.seq]),
        reverse("audit:verify"),
        "/api/v1/audit/events",
        f"/api/v1/audit/events/{event.seq}",
        "/api/v1/audit/verify",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_a_refused_look_at_the_log_is_itself_recorded(client, commission, clerk_actor):
    event = append(clerk_actor, 1)[0]
    admin = make_user(Role.SYSTEM_ADMIN, commission=commission, username="xitong-test")
    client.force_login(admin)
    client.get(reverse("audit:detail", args=[event.seq]), REMOTE_ADDR="10.9.9.9")
    client.get("/api/v1/audit/events")
    refusals = list(AuditEvent.objects.filter(actor_id=admin.pk, outcome="refused").order_by("seq"))
    assert [(r.action, r.target_id) for r in refusals] == [("auditevent.viewed", str(event.seq)), ("audit.viewed", "")]
    assert refusals[0].client_address == "10.9.9.9"
    assert refusals[0].detail["path"] == reverse("audit:detail", args=[event.seq])


def test_the_auditor_sees_its_commission_and_system_events_not_another_commissions(auditor_client, clerk_actor):
    mine = append(clerk_actor, 1, action="mine.done")[0]
    system = record_event(actor=None, action="account.login_failed", detail={"username": "nobody"})
    other_commission = make_commission()
    other = record_event(actor=None, action="theirs.done", commission_id=other_commission.pk)
    page = body(auditor_client.get(reverse("audit:list")))
    assert "mine.done" in page and "account.login_failed" in page and "theirs.done" not in page
    assert auditor_client.get(reverse("audit:detail", args=[other.seq])).status_code == 404
    assert auditor_client.get(reverse("audit:detail", args=[system.seq])).status_code == 200
    assert auditor_client.get(f"/api/v1/audit/events/{mine.seq}").status_code == 200
    assert auditor_client.get(f"/api/v1/audit/events/{other.seq}").status_code == 404


# --- the list ------------------------------------------------------------------------------------


def test_filters_by_actor_action_object_outcome_and_time(auditor_client, clerk_actor, auditor_actor):
    append(clerk_actor, 2, action="zone.member_added")
    append(auditor_actor, 1, action="zone.member_left")
    refused = record_event(
        actor=clerk_actor, action="clue.view", target_type="clues.clue", target_id="77", outcome="refused"
    )
    url = reverse("audit:list")

    def actions(**params: str) -> list[str]:
        response = auditor_client.get(url, params)
        return [e.action for e in response.context["page"].events if not e.action.startswith("audit.")]

    assert set(actions(actor="clerk")) == {"zone.member_added", "clue.view"}
    assert set(actions(actor=str(clerk_actor.user_id))) == {"zone.member_added", "clue.view"}
    assert actions(action="zone.member_l") == ["zone.member_left"]
    assert actions(target_type="clues.clue", target_id="77") == ["clue.view"]
    assert actions(outcome="refused") == ["clue.view"]
    soon = (timezone.localtime() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert actions(since=soon) == []
    assert refused.seq in [e.seq for e in auditor_client.get(url, {"until": soon}).context["page"].events]


def test_invalid_filters_show_an_error_and_no_rows(auditor_client, clerk_actor):
    append(clerk_actor, 1)
    response = auditor_client.get(reverse("audit:list"), {"since": "2026-12-01T00:00", "until": "2026-01-01T00:00"})
    assert "截止时间应晚于起始时间" in body(response)
    assert response.context["page"].events == []


def test_keyset_pages_of_fifty_go_older_and_newer(auditor_client, clerk_actor):
    events = append(clerk_actor, 120, action="paging.step")
    url = reverse("audit:list")
    first = auditor_client.get(url, {"action": "paging."}).context["page"]
    assert [e.seq for e in first.events] == [e.seq for e in events[::-1][:50]]
    assert first.newer_than is None and first.older_than == events[70].seq
    second = auditor_client.get(url, {"action": "paging.", "before": first.older_than}).context["page"]
    assert [e.seq for e in second.events] == [e.seq for e in events[::-1][50:100]]
    assert second.newer_than == events[69].seq
    third = auditor_client.get(url, {"action": "paging.", "before": second.older_than}).context["page"]
    assert len(third.events) == 20 and third.older_than is None
    back = auditor_client.get(url, {"action": "paging.", "after": third.newer_than}).context["page"]
    assert [e.seq for e in back.events] == [e.seq for e in second.events]
    html = body(auditor_client.get(url, {"action": "paging.", "before": first.older_than}))
    assert "更早" in html and "更新" in html and "action=paging." in html


@pytest.mark.parametrize(
    "params", [{}, {"action": "test."}, {"actor": "clerk"}, {"target_type": "test.thing", "target_id": "1"}]
)
def test_the_list_takes_the_same_few_queries_for_any_size_and_never_counts(auditor_client, clerk_actor, params):
    url = reverse("audit:list")
    append(clerk_actor, 3)
    auditor_client.get(url)  # warm the session

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            body(auditor_client.get(url, params))
        return [q["sql"] for q in captured.captured_queries]

    small = queries()
    append(clerk_actor, 80)
    large = queries()
    assert len(small) == len(large) <= 12
    assert not any("COUNT(" in sql.upper() for sql in large)


def test_each_list_view_is_recorded_once_with_its_filters(auditor_client, auditor, clerk_actor):
    append(clerk_actor, 2)
    auditor_client.get(reverse("audit:list"), {"action": "test.", "outcome": "allowed"})
    views = AuditEvent.objects.filter(actor_id=auditor.pk, action="audit.viewed")
    assert views.count() == 1
    assert views.get().detail["filters"] == {"action": "test.", "outcome": "allowed"}


# --- one event ----------------------------------------------------------------------------------


def test_the_detail_shows_old_and_new_values_the_macs_and_that_the_row_verifies(auditor_client, clerk_actor):
    event = record_event(actor=clerk_actor, action="zone.renamed", changes={"name": ["第一协作区", "第一大协作区"]})
    page = body(auditor_client.get(reverse("audit:detail", args=[event.seq])))
    assert "第一协作区" in page and "第一大协作区" in page
    assert event.mac in page and event.prev_mac in page
    assert "校验一致" in page and "不一致" not in page
    response = auditor_client.get(f"/api/v1/audit/events/{event.seq}")
    data = response.json()
    assert data["changes"] == {"name": ["第一协作区", "第一大协作区"]}
    assert data["mac_valid"] is True and data["link_valid"] is True


def test_the_detail_flags_a_tampered_row(auditor_client, clerk_actor):
    event = append(clerk_actor, 1)[0]
    with tampering():
        sql("UPDATE audit_auditevent SET changes = %s WHERE seq = %s", ['{"state":["draft","x"]}', event.seq])
    page = body(auditor_client.get(reverse("audit:detail", args=[event.seq])))
    assert "不一致：本条内容被篡改" in page
    assert auditor_client.get(f"/api/v1/audit/events/{event.seq}").json()["mac_valid"] is False


def test_viewing_an_event_is_recorded(auditor_client, auditor, clerk_actor):
    event = append(clerk_actor, 1)[0]
    auditor_client.get(reverse("audit:detail", args=[event.seq]))
    view = AuditEvent.objects.get(actor_id=auditor.pk, action="auditevent.viewed")
    assert (view.target_type, view.target_id) == ("audit.auditevent", str(event.seq))


# --- verification --------------------------------------------------------------------------------


def test_the_verify_page_reports_an_intact_chain_and_then_names_the_broken_row(auditor_client, clerk_actor):
    events = append(clerk_actor, 5)
    assert "审计链未被改动" in body(auditor_client.get(reverse("audit:verify")))
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    page = body(auditor_client.get(reverse("audit:verify")))
    assert f"seq={events[1].seq} 之后缺失记录" in page
    data = auditor_client.get("/api/v1/audit/verify").json()
    assert data["ok"] is False and data["problem"]["kind"] == "removed" and data["problem"]["seq"] == events[1].seq


# --- the API list --------------------------------------------------------------------------------


def test_the_api_lists_newest_first_by_keyset_with_a_bounded_limit(auditor_client, clerk_actor):
    events = append(clerk_actor, 30, action="api.step")
    first = auditor_client.get("/api/v1/audit/events", {"action": "api.", "limit": 20}).json()
    assert [item["seq"] for item in first["items"]] == [e.seq for e in events[::-1][:20]]
    rest = auditor_client.get(
        "/api/v1/audit/events", {"action": "api.", "limit": 20, "before_seq": first["next_before_seq"]}
    ).json()
    assert [item["seq"] for item in rest["items"]] == [e.seq for e in events[::-1][20:]]
    assert rest["next_before_seq"] is None
    assert auditor_client.get("/api/v1/audit/events", {"limit": 201}).status_code == 422
    assert auditor_client.get("/api/v1/audit/events", {"outcome": "maybe"}).status_code == 422
    refused = auditor_client.get("/api/v1/audit/events", {"outcome": "refused", "actor": "clerk"}).json()
    assert refused["items"] == []
