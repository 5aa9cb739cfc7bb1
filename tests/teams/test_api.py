"""The teams API: the same scope and services as the pages; errors as problem JSON; 404 outside scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.clues.conftest import api_token
from tests.teams.conftest import verifying_clue
from xiezuoqu.accounts.models import User
from xiezuoqu.org.models import StaffMember

pytestmark = pytest.mark.django_db


def _call(username: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = api_token(User.objects.get(username=username))
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is None:
        return client.get("/api/v1/teams" + path, **auth)
    return client.post("/api/v1/teams" + path, body, content_type="application/json", **auth)


def test_propose_confirm_edit_and_dissolve_through_the_api(demo) -> None:
    clue = verifying_clue()
    created = _call("zuzhang1", f"/clues/{clue.pk}/propose/", {"mode": "cross", "size": 3})
    assert created.status_code == 201, created.content
    team = created.json()
    assert team["state"] == "proposed" and len(team["members"]) == 3
    assert team["solver_summary"]["objective"] > 0 and team["solver_summary"]["exclusions"]
    assert not any(m["signed_declaration"] for m in team["members"])
    assert _call("xzshuji2", f"/{team['id']}/").status_code == 404
    assert _call("xzshuji", f"/{team['id']}/confirm/", {}).status_code == 403
    confirmed = _call("zuzhang1", f"/{team['id']}/confirm/", {})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    member = next(m for m in team["members"] if m["role"] == "member")
    left = _call("zuzhang1", f"/{team['id']}/leave/", {"staff_id": member["staff_id"], "reason": "借调"})
    assert left.status_code == 200
    assert next(m for m in left.json()["members"] if m["staff_id"] == member["staff_id"])["left_on"]
    refused = _call("zuzhang1", f"/{team['id']}/edit/", {"reason": "", "remove": [member["staff_id"]]})
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    gone = _call("zuzhang1", f"/{team['id']}/dissolve/", {"reason": "并案"})
    assert gone.json()["state"] == "dissolved"
    assert [t["state"] for t in _call("zuzhang1", f"/clues/{clue.pk}/").json()] == ["dissolved"]


def test_handling_requests_and_workload_through_the_api(demo) -> None:
    clue = verifying_clue()
    asked = _call(
        "xzshuji",
        f"/clues/{clue.pk}/handling-requests/",
        {"mode": "joint", "grounds": ["complex"], "reason": "情况复杂"},
    )
    assert asked.status_code == 201, asked.content
    decided = _call("zuzhang1", f"/handling-requests/{asked.json()['id']}/decide/", {"grant": True})
    assert decided.json()["state"] == "granted"
    assert _call("zuzhang1", f"/clues/{clue.pk}/handling-requests/").json()[0]["decided_mode"] == "joint"
    rows = _call("zuzhang1", f"/workload/?zone={clue.zone_id}").json()
    assert rows and all(r["capacity"] > 0 for r in rows)
    township = set(
        StaffMember.objects.filter(home_unit__name="宝山镇纪委", is_active=True).values_list("pk", flat=True)
    )
    assert township <= {r["staff_id"] for r in rows}
    assert _call("xitong", "/workload/").status_code == 404


def test_batch_through_the_api(demo) -> None:
    clues = [verifying_clue(), verifying_clue(township="白旗镇纪委")]
    made = _call("jianchashi1", f"/zones/{clues[0].zone_id}/batch/", {"clue_ids": [c.pk for c in clues], "size": 2})
    assert made.status_code == 201, made.content
    assert [t["clue_id"] for t in made.json()] == [c.pk for c in clues]
    wrong = _call("jianchashi1", f"/zones/{clues[0].zone_id}/batch/", {"clue_ids": [], "size": 2})
    assert wrong.status_code == 422
