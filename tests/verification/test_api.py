"""The verification API runs the same services as the pages: plan, measures (the same refusals, as
problem JSON), evidence upload and download, report, confirmations, the measure ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiezuoqu.verification.models import Verification

from .conftest import LEAD, MEMBER, PDF, TEAM, api_token, confirmed_team, staff_id, verifying_clue

pytestmark = pytest.mark.django_db


def _auth(demo, username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token(demo.user(username))}"}


def _post(client, demo, username: str, path: str, body: dict | None = None):
    return client.post(
        "/api/v1/verification" + path, body or {}, content_type="application/json", **_auth(demo, username)
    )


def test_a_verification_runs_through_the_api(demo, client):
    from .conftest import approve_all

    clue = verifying_clue()
    confirmed_team(clue)
    today = timezone.localdate()
    created = _post(
        client,
        demo,
        LEAD,
        f"/clues/{clue.pk}/plan",
        {
            "scope": "惠农补贴发放",
            "points": "名册与实际是否一致",
            "planned_measures": ["talk", "retrieval"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    vid = created.json()["id"]
    submitted = _post(client, demo, LEAD, f"/{vid}/plan/submit")
    assert submitted.json()["state"] == "plan_submitted"
    approve_all(submitted.json()["plan"]["approval_id"])

    now = timezone.now()
    measure = {
        "kind": "interrogation",
        "officer_ids": [staff_id(LEAD), staff_id(MEMBER)],
        "person_or_record": "李某某",
        "starts_at": (now - timedelta(hours=2)).isoformat(),
        "ends_at": (now - timedelta(hours=1)).isoformat(),
        "place": "谈话室",
    }
    refused = _post(client, demo, LEAD, f"/{vid}/measures", measure)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("立案前不得采取讯问")
    one = _post(client, demo, LEAD, f"/{vid}/measures", {**measure, "kind": "talk", "officer_ids": [staff_id(LEAD)]})
    assert one.status_code == 422 and "至少 2 名" in one.json()["detail"]
    ok = _post(client, demo, LEAD, f"/{vid}/measures", {**measure, "kind": "talk"})
    assert ok.status_code == 201 and ok.json()["kind_label"] == "谈话"

    upload = client.post(
        f"/api/v1/verification/{vid}/evidence",
        {"title": "名册", "kind": "document", "file": SimpleUploadedFile("名册.pdf", PDF)},
        **_auth(demo, LEAD),
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["content_type"] == "application/pdf"
    listing = client.get(f"/api/v1/verification/clues/{clue.pk}/evidence", **_auth(demo, LEAD)).json()
    assert [row["number"] for row in listing] == [1]

    drafted = _post(client, demo, LEAD, f"/{vid}/report", {"facts": "事实", "basis": "依据", "recommendation": "close"})
    assert drafted.json()["state"] == "report_drafted"
    early = _post(client, demo, LEAD, f"/{vid}/report/submit")
    assert early.status_code == 422 and "尚未确认" in early.json()["detail"]
    for username in TEAM:
        assert _post(client, demo, username, f"/{vid}/report/confirm").status_code == 200
    final = _post(client, demo, LEAD, f"/{vid}/report/submit")
    assert final.json()["state"] == "report_submitted"
    approve_all(final.json()["report"]["approval_id"])
    assert Verification.objects.get(pk=vid).state == "concluded"

    ledger = client.get("/api/v1/verification/measures", **_auth(demo, "anguan"))
    assert [row["kind"] for row in ledger.json()["items"]] == ["talk"]
    assert client.get("/api/v1/verification/measures", **_auth(demo, LEAD)).status_code == 404
