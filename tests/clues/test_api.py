"""The clue API: the same scope and services as the pages — open, subjects, analysis, disposal, the
谈话函询 through to its conclusion; errors as problem JSON; 404 outside the scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.clues.conftest import BAOSHAN, api_token, approve_all, unit_named
from xiezuoqu.accounts.models import User

pytestmark = pytest.mark.django_db


def _post(username: str, path: str, body: dict[str, Any]) -> Any:
    token = api_token(User.objects.get(username=username))
    return Client().post(
        "/api/v1/clues" + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_clue_is_opened_disposed_and_its_talk_concluded_through_the_api(demo):
    today = timezone.localdate().isoformat()
    response = _post(
        "xzshuji",
        "/",
        {
            "handling_unit_id": unit_named(BAOSHAN).pk,
            "source": "inspection",
            "category": "eight_rules",
            "summary": "监督检查发现公款吃喝",
            "received_on": today,
        },
    )
    assert response.status_code == 201, response.content
    clue_id = response.json()["id"]
    assert _post("xzshuji2", f"/{clue_id}/analysis", {}).status_code == 404
    assert _post("xzshuji", f"/{clue_id}/subjects", {"name": "孙某某", "unit_text": "宝山镇政府"}).status_code == 201
    staff = [demo.user("xzshuji").staff_id]
    body = {"held_on": today, "doubts": "报销凭证", "direction": "谈话函询", "participant_ids": staff}
    assert _post("xzshuji", f"/{clue_id}/analyses", body).status_code == 201
    refused = _post("xzshuji", f"/{clue_id}/disposal", {"method": "hold", "reason": "待查"})
    assert refused.status_code == 422 and "复查日期" in refused.json()["detail"]
    proposed = _post("xzshuji", f"/{clue_id}/disposal", {"method": "talk_or_letter", "reason": "倾向性问题"})
    assert proposed.status_code == 201
    approve_all(proposed.json()["approval"])
    assert _post("xzshuji", f"/{clue_id}/inquiries", {"mode": "letter", "started_on": today}).json()["state"] == (
        "talk_or_letter"
    )
    reply = {"replied_on": today, "summary": "已说明", "countersigned": True}
    assert _post("xzshuji", f"/{clue_id}/inquiries/reply", reply).status_code == 200
    done = _post("xzshuji", f"/{clue_id}/inquiries/conclusion", {"outcome": "criticism", "note": "批评教育"})
    assert done.json()["state"] == "closed"
