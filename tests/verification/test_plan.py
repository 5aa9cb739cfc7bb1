"""The verification plan (初核方案): drafted for a clue in 初步核实, submitted with the confirmed team up
the chain "verification.plan", approved (the 2-month period starts), or returned and resubmitted."""

from __future__ import annotations

import pytest
from django.test import override_settings

from xiezuoqu.approvals.services import decide
from xiezuoqu.clues.models import ClueSubject, Subject
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.verification import services
from xiezuoqu.verification.rules import PERIOD_KIND, MeasureKind
from xiezuoqu.workdays.selectors import add_months

from .conftest import LEAD, approve_all, confirmed_team, demo_actor, drafted, plan_input, verifying_clue

pytestmark = pytest.mark.django_db


def test_a_plan_cannot_plan_a_post_filing_measure(demo):
    clue = verifying_clue()
    with pytest.raises(RuleViolation) as caught:
        services.draft_plan(
            actor=demo_actor(LEAD),
            clue_id=clue.pk,
            data=plan_input(planned_measures=[MeasureKind.TALK, MeasureKind.DETENTION]),
        )
    assert "立案前不得采取" in caught.value.message and "留置" in caught.value.message


def test_a_plan_needs_its_content_and_a_schedule_in_order(demo):
    clue = verifying_clue()
    with pytest.raises(ValidationFailed) as caught:
        services.draft_plan(actor=demo_actor(LEAD), clue_id=clue.pk, data=plan_input(scope=" "))
    assert "scope" in caught.value.field_errors
    plan = plan_input()
    with pytest.raises(ValidationFailed):
        services.draft_plan(
            actor=demo_actor(LEAD), clue_id=clue.pk, data=plan_input(starts_on=plan.ends_on, ends_on=plan.starts_on)
        )


def test_only_a_clue_in_preliminary_verification_gets_a_plan(demo):
    from tests.clues.conftest import open_other

    clue = open_other()
    with pytest.raises(RuleViolation) as caught:
        services.draft_plan(actor=demo_actor("xzshuji"), clue_id=clue.pk, data=plan_input())
    assert "不处于初步核实阶段" in caught.value.message


def test_a_plan_is_not_submitted_without_a_confirmed_team(demo):
    verification = drafted()
    with pytest.raises(RuleViolation) as caught:
        services.submit_plan(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert "尚未确定核查组" in caught.value.message


@override_settings(XIEZUOQU_VERIFICATION_MONTHS=3)
def test_an_approved_plan_opens_the_configured_period_and_allows_measures(demo):
    clue = verifying_clue()
    confirmed_team(clue)
    verification = drafted(clue)
    services.submit_plan(actor=demo_actor(LEAD), verification_id=verification.pk)
    verification.refresh_from_db()
    assert verification.state == "plan_submitted"
    assert verification.team is not None
    approval = verification.plan.approval
    assert approval is not None and approval.matter_type == "verification.plan"
    assert "核查组" in approval.reason
    approve_all(approval.pk)
    verification.refresh_from_db()
    assert verification.state == "plan_approved"
    deadline = deadline_for(verification, PERIOD_KIND)
    assert deadline is not None and deadline.state == "open"
    assert deadline.due_date == add_months(verification.started_on, 3).date


def test_a_returned_plan_goes_back_to_drafting_and_is_resubmitted_on_the_same_request(demo):
    clue = verifying_clue()
    confirmed_team(clue)
    verification = drafted(clue)
    services.submit_plan(actor=demo_actor(LEAD), verification_id=verification.pk)
    verification.refresh_from_db()
    approval_id = verification.plan.approval_id
    decide(actor=demo_actor("zuzhang1"), approval_id=approval_id, decision="return", comment="请补充核实要点")
    verification.refresh_from_db()
    assert verification.state == "plan_drafted"
    services.draft_plan(actor=demo_actor(LEAD), clue_id=clue.pk, data=plan_input(points="补充后的核实要点"))
    services.submit_plan(actor=demo_actor(LEAD), verification_id=verification.pk)
    verification.refresh_from_db()
    assert verification.state == "plan_submitted"
    assert verification.plan.approval_id == approval_id
    assert verification.plan.approval.round == 2
    approve_all(approval_id)
    verification.refresh_from_db()
    assert verification.state == "plan_approved"


def test_a_rejected_plan_goes_back_to_drafting(demo):
    clue = verifying_clue()
    confirmed_team(clue)
    verification = drafted(clue)
    services.submit_plan(actor=demo_actor(LEAD), verification_id=verification.pk)
    verification.refresh_from_db()
    decide(actor=demo_actor("zuzhang1"), approval_id=verification.plan.approval_id, decision="reject", comment="不同意")
    verification.refresh_from_db()
    assert verification.state == "plan_drafted"


def test_a_plan_about_a_township_party_secretary_carries_the_approval_note(demo):
    clue = verifying_clue()
    subject = Subject.objects.create(
        commission_id=clue.commission_id,
        name="孙某某",
        unit_text="宝山镇党委",
        position="党委书记",
        rank="section",
        created_by=demo.user("xzshuji"),
    )
    ClueSubject.objects.create(clue=clue, subject=subject, added_by=demo.user("xzshuji"))
    verification = drafted(clue)
    assert "同级党委书记" in verification.plan.approval_note


def test_one_live_verification_per_clue_edits_the_draft(demo):
    clue = verifying_clue()
    first = drafted(clue)
    second = services.draft_plan(actor=demo_actor(LEAD), clue_id=clue.pk, data=plan_input(scope="调整后的范围"))
    assert first.pk == second.pk
    second.plan.refresh_from_db()
    assert second.plan.scope == "调整后的范围"


def test_the_database_backs_one_live_verification_per_clue(demo):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from xiezuoqu.verification.models import Verification

    first = drafted()
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.create(
            commission_id=first.commission_id,
            clue=first.clue,
            round=2,
            state="plan_drafted",
            state_changed_at=timezone.now(),
            last_progress_at=timezone.now(),
            created_by=demo.user(LEAD),
        )
