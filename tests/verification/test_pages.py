"""The pages, end to end as a team: plan form, verification page, measure form, upload form, report
form, confirmations and submission, the evidence page with its custody record, the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiezuoqu.verification.models import Verification

from .conftest import (
    LEAD,
    MEMBER,
    TEAM,
    approve_all,
    confirmed_team,
    evidence,
    login,
    measured,
    staff_id,
    verifying_clue,
)

pytestmark = pytest.mark.django_db


def test_a_team_works_a_verification_through_the_pages(demo, client):
    clue = verifying_clue()
    confirmed_team(clue)
    login(client, LEAD)
    assert "待起草初核方案的线索" in client.get("/verification/").content.decode()
    assert client.get(f"/verification/clue/{clue.pk}/plan/").status_code == 200
    today = timezone.localdate()
    response = client.post(
        f"/verification/clue/{clue.pk}/plan/",
        {
            "scope": "惠农补贴",
            "points": "名册",
            "planned_measures": ["talk", "records_review"],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
        },
    )
    verification = Verification.objects.get(clue=clue)
    assert response.status_code == 302 and response["Location"] == f"/verification/{verification.pk}/"
    page = client.get(f"/verification/{verification.pk}/").content.decode()
    assert "报批初核方案" in page and "查阅" in page
    client.post(f"/verification/{verification.pk}/act/", {"action": "submit_plan"})
    verification.refresh_from_db()
    assert verification.state == "plan_submitted"
    approve_all(verification.plan.approval_id)

    assert client.get(f"/verification/{verification.pk}/measures/new/").status_code == 200
    now = timezone.localtime()
    response = client.post(
        f"/verification/{verification.pk}/measures/new/",
        {
            "kind": "talk",
            "officers": [staff_id(LEAD), staff_id(MEMBER)],
            "person_or_record": "会计 李某某",
            "starts_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "谈话室",
        },
    )
    assert response.status_code == 302
    assert client.get(f"/verification/{verification.pk}/evidence/new/").status_code == 200
    item = evidence(verification)
    detail = client.get(f"/verification/evidence/{item.pk}/").content.decode()
    assert item.sm3 in detail and "查看" in detail

    assert client.get(f"/verification/{verification.pk}/report/").status_code == 200
    response = client.post(
        f"/verification/{verification.pk}/report/",
        {"facts": "经核实属实", "basis": "证据1", "recommendation": "close"},
    )
    assert response.status_code == 302
    for username in TEAM:
        login(client, username)
        assert "本人签字确认" in client.get(f"/verification/{verification.pk}/").content.decode()
        client.post(f"/verification/{verification.pk}/act/", {"action": "confirm_report"})
    login(client, LEAD)
    client.post(f"/verification/{verification.pk}/act/", {"action": "submit_report"})
    verification.refresh_from_db()
    assert verification.state == "report_submitted"


def test_submitting_a_report_without_all_signatures_shows_why(demo, client):
    from .conftest import approved, reported

    verification = approved()
    measured(verification)
    reported(verification)
    login(client, LEAD)
    client.post(f"/verification/{verification.pk}/act/", {"action": "confirm_report"})
    page = client.post(f"/verification/{verification.pk}/act/", {"action": "submit_report"}, follow=True)
    assert "须经核查组全体成员签字确认后才能报批" in page.content.decode()
