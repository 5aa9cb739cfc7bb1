"""Measures (核查措施): a post-filing measure before filing is refused with a clear message; a measure
needs at least two officers, all on the team; the rows form the 措施使用台账 that 案管 reviews."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation
from xiezuoqu.verification import services
from xiezuoqu.verification.rules import POST_FILING, PRE_FILING, MeasureKind, check_measure_allowed

from .conftest import LEAD, MEMBER, approved, demo_actor, drafted, evidence, login, measure_input, measured, staff_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(POST_FILING))
def test_a_post_filing_measure_before_filing_is_refused_with_a_clear_message(kind):
    with pytest.raises(RuleViolation) as caught:
        check_measure_allowed(kind, filed=False)
    assert caught.value.message.startswith("立案前不得采取讯问")
    assert MeasureKind(kind).label in caught.value.message
    check_measure_allowed(kind, filed=True)  # the case app may, after filing


@pytest.mark.parametrize("kind", sorted(PRE_FILING))
def test_the_pre_filing_measures_are_allowed_before_filing(kind):
    check_measure_allowed(kind, filed=False)


def test_recording_interrogation_on_a_verification_is_refused_and_nothing_is_written(demo):
    verification = approved()
    with pytest.raises(RuleViolation) as caught:
        measured(verification, kind=MeasureKind.INTERROGATION)
    assert "立案前不得采取讯问、留置" in caught.value.message
    assert "讯问" in caught.value.field_errors["kind"][0]
    assert not verification.measures.exists()


def test_a_measure_with_one_officer_is_refused(demo):
    verification = approved()
    with pytest.raises(RuleViolation) as caught:
        measured(verification, officer_ids=[staff_id(LEAD)])
    assert "至少 2 名" in caught.value.message
    assert not verification.measures.exists()


def test_every_officer_must_be_on_the_team(demo):
    verification = approved()
    with pytest.raises(RuleViolation) as caught:
        measured(verification, officer_ids=[staff_id(LEAD), staff_id("xzshuji")])
    assert "不是本线索核查组的现任成员" in caught.value.message


def test_no_measure_before_the_plan_is_approved(demo):
    verification = drafted()
    with pytest.raises(InvalidTransition) as caught:
        measured(verification)
    assert "初核方案起草中" in caught.value.message


def test_a_measure_is_recorded_with_the_plan_approval_and_moves_the_verification_on(demo):
    verification = approved()
    measure = measured(verification)
    verification.refresh_from_db()
    assert verification.state == "in_progress"
    assert set(measure.officers.values_list("pk", flat=True)) == {staff_id(LEAD), staff_id(MEMBER)}
    assert measure.approval_reference.startswith("初核方案（审批第")
    assert measure.approved_by is not None and measure.approved_by.username == "fenguan"
    assert measure.state == "recorded"


def test_a_measure_cannot_be_recorded_before_it_happens(demo):
    verification = approved()
    later = timezone.now() + timedelta(hours=2)
    with pytest.raises(Exception) as caught:
        measured(verification, starts_at=later, ends_at=later + timedelta(hours=1))
    assert "不能晚于现在" in str(caught.value)


def test_case_management_reviews_a_measure_once_its_record_is_uploaded(demo):
    verification = approved()
    measure = measured(verification)
    with pytest.raises(NotPermitted):
        services.review_measure(actor=demo_actor("zuzhang1"), measure_id=measure.pk)
    with pytest.raises(RuleViolation) as caught:
        services.review_measure(actor=demo_actor("anguan"), measure_id=measure.pk)
    assert "措施文书" in caught.value.message
    record = evidence(verification, kind="transcript", title="谈话笔录", source_measure_id=measure.pk, as_record=True)
    measure.refresh_from_db()
    assert measure.record_document_id == record.pk
    reviewed = services.review_measure(actor=demo_actor("anguan"), measure_id=measure.pk, note="手续齐全")
    assert reviewed.state == "reviewed"
    with pytest.raises(InvalidTransition):
        services.review_measure(actor=demo_actor("anguan"), measure_id=measure.pk)


def test_the_measure_ledger_page_is_for_case_management_with_bounded_queries(
    demo, client, django_assert_max_num_queries
):
    verification = approved()
    for hours in (5, 7, 9):
        start = timezone.now() - timedelta(hours=hours)
        measured(verification, starts_at=start, ends_at=start + timedelta(hours=1))
    login(client, "anguan")
    with django_assert_max_num_queries(20):
        response = client.get("/verification/measures/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("双山子村会计 李某某") == 3
    assert "审核" in body
    login(client, "xzshuji2")
    assert client.get("/verification/measures/").status_code == 404


def test_the_measure_ledger_exports_to_excel(demo, client):
    verification = approved()
    measured(verification)
    login(client, "anguan")
    response = client.get("/verification/measures/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["D3"].value == "谈话"
    assert sheet["B3"].value == verification.clue.ledger_number


def test_the_measure_form_page_refuses_a_post_filing_measure_with_the_message(demo, client):
    verification = approved()
    login(client, LEAD)
    now = timezone.localtime()
    response = client.post(
        f"/verification/{verification.pk}/measures/new/",
        {
            "kind": "detention",
            "officers": [staff_id(LEAD), staff_id(MEMBER)],
            "person_or_record": "李某某",
            "starts_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "谈话室",
        },
    )
    assert response.status_code == 200
    assert "立案前不得采取" in response.content.decode()
    assert not verification.measures.exists()


def test_an_outsider_cannot_record_a_measure(demo):
    verification = approved()
    with pytest.raises(NotFound):
        services.record_measure(actor=demo_actor("xzshuji2"), verification_id=verification.pk, data=measure_input())
