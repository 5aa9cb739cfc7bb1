"""The whole flow from clue to 立案 through the JSON API: the clue is opened and disposed to 初步核实,
the team drafts and submits the filing request, the zone meeting decides it, the competent body
files; the case is readable by those who see the clue, a 404 for others; errors are problem JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.clues.conftest import BAOSHAN, api_token, unit_named
from tests.filing.conftest import BASIS, FACTS, PROPOSAL, zone_one
from xiezuoqu.accounts.models import User
from xiezuoqu.meetings.selectors import voting_member_ids

pytestmark = pytest.mark.django_db


def _call(method: str, username: str, path: str, body: Any = None) -> Any:
    token = api_token(User.objects.get(username=username))
    client = Client()
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get("/api/v1" + path, **kwargs)
    return getattr(client, method)("/api/v1" + path, body or {}, content_type="application/json", **kwargs)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_from_clue_to_case_through_the_api(demo):
    clue = _ok(
        _call(
            "post",
            "xzshuji",
            "/clues/",
            {
                "handling_unit_id": unit_named(BAOSHAN).pk,
                "source": "inspection",
                "category": "collective_assets",
                "summary": "专项检查发现村集体资金收支不入账",
                "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
            },
        ),
        201,
    )
    subject = _ok(
        _call(
            "post",
            "xzshuji",
            f"/clues/{clue['id']}/subjects",
            {"name": "钱某某", "unit_text": "双山子村", "position": "村委会主任"},
        ),
        201,
    )
    _ok(_call("post", "xzshuji", f"/clues/{clue['id']}/analysis"))
    disposal = _ok(
        _call(
            "post",
            "xzshuji",
            f"/clues/{clue['id']}/disposal",
            {"method": "preliminary_verification", "reason": "经集体研判，问题具体可查"},
        ),
        201,
    )
    for approver in ("zuzhang1", "fenguan"):
        _ok(
            _call(
                "post",
                approver,
                f"/approvals/requests/{disposal['approval']}/decisions",
                {"decision": "approve", "comment": "同意"},
            )
        )
    assert _ok(_call("get", "xzshuji", f"/clues/{clue['id']}"))["state"] == "preliminary_verification"

    proposal = _ok(
        _call(
            "post",
            "xzshuji",
            "/filing/",
            {"clue_id": clue["id"], "subject_id": subject["id"], "facts": FACTS, "basis": BASIS, "proposal": PROPOSAL},
        ),
        201,
    )
    assert proposal["state"] == "drafted"
    assert proposal["body_kind"] == "commission"  # no township recorded for the subject
    assert _ok(_call("post", "xzshuji", f"/filing/{proposal['id']}/submit"))["state"] == "submitted_to_zone"

    meeting = _ok(
        _call(
            "post",
            "zuzhang1",
            "/meetings/",
            {
                "zone_id": zone_one().pk,
                "kind": "filing",
                "scheduled_at": timezone.now().isoformat(),
                "place": "第一协作区会议室",
            },
        ),
        201,
    )
    item = _ok(
        _call("post", "zuzhang1", f"/meetings/{meeting['id']}/items", {"kind": "filing", "target_id": proposal["id"]}),
        201,
    )
    assert item["clue_id"] == clue["id"]
    voters = voting_member_ids(zone_one())
    _ok(
        _call(
            "post",
            "fuzuzhang1",
            f"/meetings/{meeting['id']}/attendance",
            [{"staff_id": s, "presence": "present"} for s in voters],
        )
    )
    assert _ok(_call("post", "zuzhang1", f"/meetings/{meeting['id']}/hold"))["state"] == "held"
    decided = _ok(
        _call(
            "post",
            "fuzuzhang1",
            f"/meetings/items/{item['id']}/decision",
            {"ballots": {str(s): "for" for s in voters}, "text": "同意报市纪委监委立案。"},
        ),
        201,
    )
    assert decided["resolution"]["number"].startswith("凤纪一协〔")
    zone_view = _ok(_call("get", "xzshuji", f"/filing/{proposal['id']}"))
    assert zone_view["state"] == "zone_agreed" and zone_view["zone_resolution"] == decided["resolution"]["number"]

    refused = _call("post", "xzshuji", f"/filing/{proposal['id']}/decision", {"decision": "file", "reason": "同意"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    filed = _ok(
        _call(
            "post",
            "shuji",
            f"/filing/{proposal['id']}/decision",
            {"decision": "file", "reason": "事实清楚，同意立案。"},
        )
    )
    assert filed["state"] == "body_filed" and filed["case_number"].startswith("凤纪立〔")

    case = _ok(_call("get", "xzshuji", f"/cases/{filed['case_id']}"))
    assert case["clue_id"] == clue["id"] and case["state"] == "filed"
    assert _call("get", "xzshuji2", f"/cases/{filed['case_id']}").status_code == 404
    assert _call("get", "xitong", f"/cases/{filed['case_id']}").status_code == 404
    ledger = _ok(_call("get", "anguan", "/cases/"))
    assert [c["case_number"] for c in ledger["items"]] == [filed["case_number"]]
    assert _ok(_call("get", "xzshuji", f"/clues/{clue['id']}"))["state"] == "filed"
    detail = _ok(_call("get", "zuzhang1", f"/meetings/{meeting['id']}"))
    assert detail["items"][0]["state"] == "decided"


def test_bad_input_is_a_problem_not_a_server_error(demo):
    assert (
        _call(
            "post",
            "zuzhang1",
            "/meetings/",
            {"zone_id": zone_one().pk, "kind": "nonsense", "scheduled_at": timezone.now().isoformat(), "place": "x"},
        ).status_code
        == 422
    )
    assert _call("post", "xzshuji", "/filing/", {"clue_id": 999999, "subject_id": 1}).status_code == 404
    assert (
        _call("post", "zuzhang1", "/meetings/items/999999/decision", {"outcome": "agree", "text": "x"}).status_code
        == 404
    )
    assert _call("get", "xitong", "/meetings/").status_code == 404


def test_the_calendar_and_the_rules_through_the_api(demo):
    rule = _ok(
        _call(
            "post",
            "zuzhang1",
            "/meetings/schedules",
            {"zone_id": zone_one().pk, "kind": "regular", "week": 1, "weekday": 1, "at": "09:00", "place": "会议室"},
        )
    )
    assert rule["weekday"] == 1
    assert [r["id"] for r in _ok(_call("get", "fuzuzhang1", "/meetings/schedules"))] == [rule["id"]]
    assert _call("post", "fuzuzhang1", "/meetings/schedules", {**rule, "zone_id": zone_one().pk}).status_code == 403
    when = timezone.localtime()
    meeting = _ok(
        _call(
            "post",
            "zuzhang1",
            "/meetings/",
            {"zone_id": zone_one().pk, "kind": "regular", "scheduled_at": when.isoformat(), "place": "会议室"},
        ),
        201,
    )
    month = _ok(_call("get", "zuzhang1", f"/meetings/?month={when:%Y-%m}"))
    assert [m["id"] for m in month] == [meeting["id"]]
    assert _ok(_call("get", "jianchashi2", f"/meetings/?month={when:%Y-%m}")) == []
    cancelled = _ok(_call("post", "zuzhang1", f"/meetings/{meeting['id']}/cancel", {"reason": "改期"}))
    assert cancelled["state"] == "cancelled"
