"""The verification report (初核报告): confirmed by every active team member, as themselves, before it
goes up the chain "verification.report"; its approval carries out the recommendation on the clue
(了结 / 谈话提醒 / 移送 close it, 暂存待查 holds it, 拟立案 leaves it for the filing app)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiezuoqu.approvals.services import decide
from xiezuoqu.clues.models import Clue
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.teams.models import TeamMember
from xiezuoqu.verification import services
from xiezuoqu.verification.rules import PERIOD_KIND
from xiezuoqu.verification.selectors import filing_recommended, report_for_filing

from .conftest import (
    LEAD,
    MEMBER,
    TEAM,
    TRAINEE,
    approve_all,
    approved,
    concluded,
    confirm_all,
    demo_actor,
    measured,
    reported,
    staff_id,
)

pytestmark = pytest.mark.django_db


def _in_progress():
    verification = approved()
    measured(verification)
    return verification


def test_the_report_goes_up_only_when_every_team_member_has_confirmed_it(demo):
    verification = _in_progress()
    reported(verification)
    services.confirm_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    services.confirm_report(actor=demo_actor(MEMBER), verification_id=verification.pk)
    with pytest.raises(RuleViolation) as caught:
        services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert "尚未确认：" + demo.user(TRAINEE).staff.name in caught.value.message  # type: ignore[union-attr]
    verification.refresh_from_db()
    assert verification.state == "report_drafted"
    services.confirm_report(actor=demo_actor(TRAINEE), verification_id=verification.pk)
    verification.refresh_from_db()
    assert verification.state == "report_confirmed"
    report = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert report.approval is not None and report.approval.matter_type == "verification.report"
    assert "3 人已全部签字确认" in report.approval.reason


def test_each_member_confirms_once_and_only_as_themselves(demo):
    verification = _in_progress()
    reported(verification)
    with pytest.raises(NotPermitted):
        services.confirm_report(actor=demo_actor("zuzhang1"), verification_id=verification.pk)
    services.confirm_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    with pytest.raises(RuleViolation):
        services.confirm_report(actor=demo_actor(LEAD), verification_id=verification.pk)


def test_changing_the_report_voids_the_confirmations(demo):
    verification = _in_progress()
    reported(verification)
    confirm_all(verification)
    verification.refresh_from_db()
    assert verification.state == "report_confirmed"
    report = reported(verification, facts="补充核实后的事实")
    verification.refresh_from_db()
    assert verification.state == "report_drafted"
    assert not report.confirmations.exists()


def test_a_member_who_joins_after_the_signatures_must_confirm_too(demo):
    verification = _in_progress()
    reported(verification)
    confirm_all(verification)
    TeamMember.objects.create(team=verification.team, staff_id=staff_id("xzshuji"), role="member")
    with pytest.raises(RuleViolation) as caught:
        services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert "尚未确认" in caught.value.message


def test_a_member_who_left_need_not_confirm(demo):
    verification = _in_progress()
    reported(verification)
    TeamMember.objects.filter(team=verification.team, staff_id=staff_id(TRAINEE)).update(left_on=timezone.localdate())
    confirm_all(verification, (LEAD, MEMBER))
    verification.refresh_from_db()
    assert verification.state == "report_confirmed"


def test_a_hold_needs_a_review_date(demo):
    verification = _in_progress()
    with pytest.raises(ValidationFailed):
        reported(verification, recommendation="hold")


@pytest.mark.parametrize(
    ("recommendation", "clue_state", "outcome"),
    [
        ("close", "closed", "初核后予以了结"),
        ("reminder", "closed", "初核后谈话提醒"),
        ("transfer", "closed", "初核后移送有关党组织"),
    ],
)
def test_an_approved_closing_report_closes_the_clue(demo, recommendation, clue_state, outcome):
    verification = concluded(recommendation)
    assert verification.state == "concluded"
    clue = Clue.objects.get(pk=verification.clue_id)
    assert clue.state == clue_state and clue.outcome == outcome
    deadline = deadline_for(verification, PERIOD_KIND)
    assert deadline is not None and deadline.state == "met"
    assert filing_recommended(clue.pk) is None


def test_an_approved_hold_holds_the_clue_with_its_review_date(demo):
    review_on = timezone.localdate() + timedelta(days=90)
    verification = concluded("hold", review_on=review_on)
    clue = Clue.objects.get(pk=verification.clue_id)
    assert clue.state == "held" and clue.review_on == review_on


def test_a_filing_recommendation_leaves_the_clue_for_the_filing_app(demo):
    verification = concluded("file")
    clue = Clue.objects.get(pk=verification.clue_id)
    assert clue.state == "preliminary_verification"
    assert filing_recommended(clue.pk) == verification
    basis = report_for_filing(clue.pk)
    assert basis is not None
    assert basis.recommendation == "拟立案" and "冒领补贴" in basis.facts
    assert {row.name for row in basis.team} == {
        demo.user(u).staff.name
        for u in TEAM  # type: ignore[union-attr]
    }
    assert basis.measures_summary == [("谈话", 1)]
    assert [row.number for row in basis.evidence] == [1] and len(basis.evidence[0].sha256) == 64


def test_a_returned_report_goes_back_and_needs_new_signatures(demo):
    verification = _in_progress()
    reported(verification)
    confirm_all(verification)
    report = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    decide(actor=demo_actor("zuzhang1"), approval_id=report.approval_id, decision="return", comment="事实不清")
    verification.refresh_from_db()
    assert verification.state == "report_drafted"
    assert not report.confirmations.exists()
    reported(verification, facts="补充后的事实")
    confirm_all(verification)
    again = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert again.approval_id == report.approval_id
    approve_all(report.approval_id)
    verification.refresh_from_db()
    assert verification.state == "concluded"


def test_when_the_last_unsigned_member_leaves_the_report_can_go_up(demo):
    verification = _in_progress()
    reported(verification)
    confirm_all(verification, (LEAD, MEMBER))
    TeamMember.objects.filter(team=verification.team, staff_id=staff_id(TRAINEE)).update(left_on=timezone.localdate())
    report = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    verification.refresh_from_db()
    assert verification.state == "report_submitted" and report.approval_id is not None
