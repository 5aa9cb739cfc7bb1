"""The township flow through the pages (one POST per step) and through the API; problem JSON on a
refused step; the decision notice downloads as .docx; the case page stays within its query budget."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.conftest import (
    OPINION,
    approve_decision,
    earlier_today,
    filed_case,
    investigation_team,
    second_reviewed,
    second_trial_user,
    staff_of,
    trial_reviewers,
    zone_reviewers,
)
from tests.intake.conftest import api_token, login
from xiezuoqu.accounts.models import User
from xiezuoqu.cases.models import PersonDecision
from xiezuoqu.cases.workflow import State

pytestmark = pytest.mark.django_db


def _act(username: str, case_id: int, **data: Any) -> Any:
    client = login(Client(), username)
    response = client.post(f"/cases/{case_id}/act/", data, follow=True)
    assert response.status_code == 200
    return response


def _state(case_id: int) -> str:
    from xiezuoqu.cases.models import Case

    return Case.objects.values_list("state", flat=True).get(pk=case_id)


def test_a_township_case_goes_through_the_pages(demo):
    case = filed_case()
    investigation_team(case)
    _act("xzshuji", case.pk, action="start_investigation")
    assert _state(case.pk) == State.INVESTIGATING

    _act(
        "xzshuji",
        case.pk,
        action="record_measure",
        kind="interrogation",
        officers=[staff_of("xzshuji").pk, staff_of("xzganbu").pk],
        person_or_record="赵某某",
        starts_at=earlier_today(hours=2).strftime("%Y-%m-%dT%H:%M"),
        ends_at=earlier_today(hours=1).strftime("%Y-%m-%dT%H:%M"),
        place="谈话室",
        approval_reference="镇纪委书记批准",
    )
    _act("xzshuji", case.pk, action="write_report", facts="事实", evidence_summary="证据", proposal="党内警告")
    _act("xzshuji", case.pk, action="hand_over")
    assert _state(case.pk) == State.INVESTIGATION_REPORTED
    refused = _act("zuzhang1", case.pk, action="open_review", reviewers=[staff_of("xzganbu").pk, *zone_reviewers()])
    assert "查审分离" in refused.content.decode()
    assert _state(case.pk) == State.INVESTIGATION_REPORTED
    _act("zuzhang1", case.pk, action="open_review", reviewers=zone_reviewers())
    _act("zuzhang1", case.pk, action="conclude_review", opinion=OPINION)
    assert _state(case.pk) == State.SECOND_REVIEW
    _act("shenli", case.pk, action="open_review", reviewers=trial_reviewers())
    _act("shenli", case.pk, action="conclude_review", opinion=OPINION)
    refused = _act(
        "shenli", case.pk, action="propose_decision", codes=["gov_dismissal_from_post"], body="county", grounds="事实"
    )
    assert "村（社区）干部" in refused.content.decode()
    _act(
        "shenli", case.pk, action="propose_decision", codes=["party_warning"], body="township_committee", grounds="事实"
    )
    approve_decision(PersonDecision.objects.get(case_id=case.pk, state="proposed"))
    assert _state(case.pk) == State.DECIDED
    today = timezone.localdate().isoformat()
    _act("xzshuji", case.pk, action="announce", announced_on=today, place="会议室", attendees="全体党员")
    _act("xzshuji", case.pk, action="execute", executed_on=today, executing_unit="宝山镇党委", details="已归档案")
    page = _act("anguan", case.pk, action="archive")
    assert _state(case.pk) == State.ARCHIVED
    text = page.content.decode()
    assert "案件已归档，只读" in text and "协作区初审受理" in text and "宣布处理决定" in text


def test_unknown_or_out_of_scope_steps_are_refused_without_an_error_page(demo):
    case = filed_case()
    response = _act("xzshuji", case.pk, action="nonsense")
    assert "未知的操作" in response.content.decode()
    client = login(Client(), "xzshuji2")
    assert client.post(f"/cases/{case.pk}/act/", {"action": "start_investigation"}).status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def _api(username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = api_token(User.objects.get(username=username))
    call = getattr(Client(), method)
    return call(
        "/api/v1/cases" + path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_township_case_goes_through_the_api(demo):
    case = filed_case()
    investigation_team(case)
    assert _api("xzshuji", "post", f"/{case.pk}/investigation").json()["state"] == State.INVESTIGATING

    response = _api(
        "xzshuji",
        "post",
        f"/{case.pk}/measures",
        {
            "kind": "search",
            "officer_ids": [staff_of("xzshuji").pk, staff_of("xzganbu").pk],
            "person_or_record": "赵某某住所",
            "starts_at": earlier_today(hours=2).isoformat(),
            "ends_at": earlier_today(hours=1).isoformat(),
            "place": "赵某某住所",
            "approval_reference": "搜查证〔2026〕1号",
        },
    )
    assert response.status_code == 201, response.content
    assert (
        _api(
            "xzshuji", "put", f"/{case.pk}/report", {"facts": "事实", "evidence_summary": "证据", "proposal": "意见"}
        ).status_code
        == 200
    )
    assert _api("xzshuji", "post", f"/{case.pk}/hand-over").json()["state"] == State.INVESTIGATION_REPORTED
    assert _api("shenli", "post", f"/{case.pk}/reviews", {"reviewer_ids": trial_reviewers()}).status_code == 403
    assert _api("zuzhang1", "post", f"/{case.pk}/reviews", {"reviewer_ids": zone_reviewers()}).status_code == 201
    assert _api("zuzhang1", "post", f"/{case.pk}/opinion", {"opinion": OPINION}).json()["state"] == State.SECOND_REVIEW
    assert _api("shenli", "post", f"/{case.pk}/reviews", {"reviewer_ids": trial_reviewers()}).status_code == 201
    assert _api("shenli", "post", f"/{case.pk}/opinion", {"opinion": OPINION}).status_code == 200
    refused = _api(
        "shenli",
        "post",
        f"/{case.pk}/decisions",
        {"codes": ["party_expulsion"], "body": "township_committee", "grounds": "事实"},
    )
    assert refused.status_code == 422 and "县级纪委监委" in refused.json()["detail"]
    response = _api(
        "shenli",
        "post",
        f"/{case.pk}/decisions",
        {"codes": ["party_warning"], "body": "township_committee", "grounds": "事实"},
    )
    assert response.status_code == 201
    approve_decision(PersonDecision.objects.get(pk=response.json()["id"]))
    today = timezone.localdate().isoformat()
    assert (
        _api(
            "xzshuji",
            "post",
            f"/{case.pk}/announcement",
            {"announced_on": today, "place": "会议室", "attendees": "全体"},
        ).json()["state"]
        == State.ANNOUNCED
    )
    assert (
        _api(
            "xzshuji",
            "post",
            f"/{case.pk}/execution",
            {"executed_on": today, "executing_unit": "党委", "details": "已执行"},
        ).json()["state"]
        == State.EXECUTED
    )
    assert _api("anguan", "post", f"/{case.pk}/archive").json()["state"] == State.ARCHIVED
    refused = _api("xzshuji", "put", f"/{case.pk}/report", {"facts": "改", "evidence_summary": "改", "proposal": "改"})
    assert refused.status_code == 422 and "案件已归档，只读" in refused.json()["detail"]
    folder = _api("shenli", "get", f"/{case.pk}/file").json()
    assert folder["decisions"][0]["form"] == 2 and folder["decisions"][0]["periods"][0]["months"] == 12
    assert folder["timeline"][0]["label"] == "立案"


def test_the_decision_notice_downloads_as_docx(demo):
    from docx import Document

    case = second_reviewed()
    second_trial_user()
    client = login(Client(), "shenli")
    client.post(
        f"/cases/{case.pk}/act/",
        {
            "action": "propose_decision",
            "codes": ["party_warning"],
            "body": "township_committee",
            "grounds": "冒领补贴1.2万元。",
        },
    )
    decision = PersonDecision.objects.get(case=case)
    assert client.get(f"/cases/decisions/{decision.pk}/notice.docx").status_code == 404  # not yet approved
    approve_decision(decision)
    response = client.get(f"/cases/decisions/{decision.pk}/notice.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "关于给予赵某某党内警告处分的决定" in text and "处分决定书" in text and "第二种形态" in text
    # The deciding body by its name, as a notice names it (not "乡镇（街道）纪委").
    assert "经宝山镇纪委研究决定" in text and "乡镇（街道）" not in text
    assert login(Client(), "xzshuji2").get(f"/cases/decisions/{decision.pk}/notice.docx").status_code == 404


def test_the_case_page_reads_in_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    case = second_reviewed()
    client = login(Client(), "shenli")
    with django_assert_max_num_queries(40):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get("/cases/").status_code == 200


def test_detention_and_evidence_through_page_and_api(demo):
    from tests.cases.conftest import investigating
    from xiezuoqu.approvals.services import decide
    from xiezuoqu.cases.models import Detention
    from xiezuoqu.verification.models import EvidenceItem

    case = investigating()
    _act("xzshuji", case.pk, action="request_detention", reason="涉嫌职务违法，可能逃跑。", place="市留置场所")
    detention = Detention.objects.get(case=case)
    decide(actor=demo_actor_of("shuji"), approval_id=detention.approval_id, decision="approve", comment="同意报上一级")
    page = login(Client(), "xzshuji").get(f"/cases/{case.pk}/").content.decode()
    assert "已报上一级纪委监委" in page and "登记上一级的决定" in page
    today = timezone.localdate().isoformat()
    response = _api(
        "xzshuji",
        "post",
        f"/detentions/{detention.pk}/higher-decision",
        {"approved": True, "reference": "批复〔2026〕3号", "decided_on": today, "starts_on": today},
    )
    assert response.status_code == 200, response.content
    page = login(Client(), "xzshuji").get(f"/cases/{case.pk}/").content.decode()
    assert "上一级已批准，留置中" in page and "解除留置" in page and "办理时限" in page
    token = api_token(User.objects.get(username="xzganbu"))
    response = Client().post(
        f"/api/v1/cases/{case.pk}/evidence",
        {"title": "书证", "kind": "document", "file": io.BytesIO(b"%PDF-1.4\n%%EOF\n")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    assert EvidenceItem.objects.filter(case_id=case.pk).count() == 1


def demo_actor_of(username: str) -> Any:
    from tests.intake.conftest import demo_actor

    return demo_actor(username)
