"""The approvals API: same scope and services as the pages, problem JSON for refusals."""

from __future__ import annotations

import pytest

from tests.approvals.conftest import ZONE_THEN_COMMISSION, actor_of, api_token, configure, submit
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import DEFAULT_CHAINS
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.audit.models import AuditEvent

BASE = "/api/v1/approvals"


@pytest.fixture
def disposal(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    return submit(world)


def _get(client, user, path, **params):
    return client.get(BASE + path, params, HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")


def _post(client, user, path, body):
    return client.post(
        BASE + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token(user)}"
    )


def test_the_list_is_the_scope(client, world, disposal):
    body = _get(client, world.zone_leader1, "/requests").json()
    assert [r["id"] for r in body["items"]] == [disposal.pk] and body["next_cursor"] is None
    item = body["items"][0]
    assert item["state"] == "pending" and item["state_label"] == "审批中"
    assert item["matter_label"] == "问题线索处置" and item["current_step_label"] == "协作区组长审批"
    assert _get(client, world.zone_leader2, "/requests").json()["items"] == []
    assert _get(client, world.system_admin, "/requests").json()["items"] == []


def test_the_list_filters(client, world, disposal):
    other = submit(world, user=world.office_staff1, title="另一件")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=other.pk, decision="reject", comment="不同意")
    ids = lambda user, **p: [r["id"] for r in _get(client, user, "/requests", **p).json()["items"]]  # noqa: E731
    assert ids(world.zone_leader1) == [other.pk, disposal.pk]
    assert ids(world.zone_leader1, to_decide="true") == [disposal.pk]
    assert ids(world.zone_leader1, state="rejected") == [other.pk]
    assert ids(world.requester, mine="true") == [disposal.pk]
    assert ids(world.head, limit=1) == [other.pk]
    cursor = _get(client, world.head, "/requests", limit=1).json()["next_cursor"]
    assert ids(world.head, limit=1, cursor=cursor) == [disposal.pk]
    response = _get(client, world.head, "/requests", state="bogus")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_the_detail_has_steps_decisions_and_my_rights(client, world, disposal):
    response = _get(client, world.zone_leader1, f"/requests/{disposal.pk}")
    body = response.json()
    assert response.status_code == 200
    assert [s["state"] for s in body["steps"]] == ["open", "waiting"]
    assert body["steps"][0]["zone_id"] == world.zone1.pk and body["may_decide_steps"] == [0]
    assert body["reason"] == disposal.reason and body["decisions"] == []
    assert AuditEvent.objects.filter(action="approval.viewed", target_id=str(disposal.pk)).exists()
    assert _get(client, world.requester, f"/requests/{disposal.pk}").json()["may_decide_steps"] == []


@pytest.mark.parametrize("who", ["zone_leader2", "secretary2", "system_admin", "audit_admin", "outsider_leader"])
def test_outsiders_get_404_for_reads_and_decisions(client, world, disposal, who):
    user = getattr(world, who)
    response = _get(client, user, f"/requests/{disposal.pk}")
    assert response.status_code == 404 and response.json()["status"] == 404
    response = _post(client, user, f"/requests/{disposal.pk}/decisions", {"decision": "approve"})
    assert response.status_code == 404
    disposal.refresh_from_db()
    assert disposal.state == State.PENDING


def test_deciding_through_the_api(client, world, disposal):
    response = _post(
        client, world.zone_leader1, f"/requests/{disposal.pk}/decisions", {"decision": "approve", "comment": "同意"}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["current_step"] == 1 and [s["state"] for s in body["steps"]] == ["approved", "open"]
    assert body["decisions"][0]["decided_by_id"] == world.zone_leader1.pk and body["decisions"][0]["comment"] == "同意"
    response = _post(
        client, world.leader_a, f"/requests/{disposal.pk}/decisions", {"decision": "reject", "comment": "证据不足"}
    )
    assert response.json()["state"] == State.REJECTED


@pytest.mark.parametrize(
    ("who", "body", "status", "text"),
    [
        ("zone_leader1", {"decision": "return"}, 422, "须填写理由"),
        ("zone_leader1", {"decision": "approve", "step_index": 1}, 403, "不是"),
        ("leader_a", {"decision": "approve"}, 409, "尚未轮到"),
        ("case_manager", {"decision": "approve"}, 403, "不是本申请任何审批环节的审批人"),
        ("requester", {"decision": "approve"}, 422, "不能审批本人提出的申请"),
        ("zone_leader1", {"decision": "approve", "round": 2}, 409, "重新提交"),
    ],
)
def test_refusals_are_problem_json_in_chinese(client, world, disposal, who, body, status, text):
    response = _post(client, getattr(world, who), f"/requests/{disposal.pk}/decisions", body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert text in response.json()["detail"]
    assert not disposal.decisions.exists()


def test_a_decision_without_a_decision_field_is_a_validation_problem(client, world, disposal):
    response = _post(client, world.zone_leader1, f"/requests/{disposal.pk}/decisions", {"comment": "x"})
    assert response.status_code == 422


def test_the_chains_of_my_commission(client, world):
    services.ensure_default_chains(commission=world.commission)
    body = _get(client, world.requester, "/chains").json()
    assert len(body) == len(DEFAULT_CHAINS)
    disposal = next(c for c in body if c["matter_type"] == "clue.disposal")
    assert disposal["mode"] == "sequential" and disposal["version"] == 1
    assert [s["role"] for s in disposal["steps"]] == ["zone_leader", "commission_leader"]
    assert disposal["steps"][0]["unit_rule_label"] == "申请单位所在协作区"
    assert _get(client, world.audit_admin, "/chains").json() == []
    assert _get(client, world.outsider_leader, "/chains").json() == []


def test_the_api_needs_authentication(client, world, disposal):
    assert client.get(BASE + "/requests").status_code == 401


def test_decision_constant_names_match_the_api(world):
    assert set(Decision.values) == {"approve", "return", "reject"}
