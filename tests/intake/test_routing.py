"""Acceptance and routing (受理归口): each decision with its ground, its record and its deadline in
working days; the lower level's 5 WD; 重复件 linked, not handled twice; 分办 to a handling unit."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import make_commission, make_unit
from tests.intake.conftest import REAL_NAME, demo_actor, register, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake import rules, services
from xiezuoqu.intake.models import NotAcceptGround
from xiezuoqu.intake.selectors import reports_visible_to
from xiezuoqu.intake.workflow import State
from xiezuoqu.org.models import Commission, Unit
from xiezuoqu.workdays.selectors import add_working_days

pytestmark = pytest.mark.django_db


def petition():
    return demo_actor("xinfang")


def test_accept_and_assign_in_one_step_records_both_decisions(demo):
    report = register()
    township = unit_named("宝山镇纪委")
    services.accept_report(actor=petition(), report_id=report.pk, reason="属本机关管辖", handling_unit_id=township.pk)
    report.refresh_from_db()
    assert report.state == State.ASSIGNED
    assert report.accepted_on == timezone.localdate()
    assert report.handling_unit == township
    assert list(report.decisions.values_list("kind", flat=True)) == ["accept", "assign"]
    assert AuditEvent.objects.filter(action="report.accepted", target_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(action="report.assigned", target_id=str(report.pk)).exists()
    # The handling township now sees it; its zone's leader too (the report had no zone: 信访室).
    assert reports_visible_to(demo_actor("xzshuji")).filter(pk=report.pk).exists()
    assert report.zone is not None and report.zone.name == "第一协作区"


@pytest.mark.parametrize("ground", NotAcceptGround.values)
def test_not_accepting_needs_one_of_the_three_grounds_and_a_reason(demo, ground):
    report = register()
    with pytest.raises(ValidationFailed):
        services.not_accept_report(actor=petition(), report_id=report.pk, ground="", reason="理由")
    with pytest.raises(ValidationFailed):
        services.not_accept_report(actor=petition(), report_id=report.pk, ground=ground, reason="")
    services.not_accept_report(actor=petition(), report_id=report.pk, ground=ground, reason="依规不予受理")
    report.refresh_from_db()
    assert report.state == State.NOT_ACCEPTED
    assert report.decisions.get().ground == ground


def test_forwarding_up_has_5_working_days_from_receipt_and_closes_when_the_sending_is_recorded(demo):
    report = register()
    services.forward_report_up(actor=petition(), report_id=report.pk, reason="反映对象属市委管理干部")
    report.refresh_from_db()
    assert report.state == State.FORWARDED_UP
    decision = report.decisions.get(kind="forward_up")
    due = add_working_days(report.received_on, 5).date
    assert decision.due_on == due and decision.target_agency == "上一级纪检监察机关"
    deadline = deadline_for(report, rules.FORWARD_UP.kind)
    assert (deadline.state, deadline.start_date, deadline.due_date) == ("open", report.received_on, due)
    with pytest.raises(RuleViolation, match="报送"):
        services.archive_report(actor=petition(), report_id=report.pk)
    services.record_forward_sent(
        actor=petition(), report_id=report.pk, sent_via="机要交换", document_no="凤纪函〔2026〕5号"
    )
    assert deadline_for(report, rules.FORWARD_UP.kind).state == "met"
    services.archive_report(actor=petition(), report_id=report.pk)
    report.refresh_from_db()
    assert report.state == State.ARCHIVED


def test_forwarding_up_to_a_parent_commission_on_the_platform_hands_it_over_in_the_system(demo):
    parent = make_commission(name="丹东市纪委监委", short_name="丹纪")
    parent_office = make_unit(parent, Unit.Kind.PETITION_OFFICE, name="丹东市纪委监委信访室")
    Commission.objects.filter(is_demo=True).update(parent=parent)
    report = register(is_real_name=True, identity=REAL_NAME)
    services.forward_report_up(actor=petition(), report_id=report.pk, reason="属上级管辖")
    decision = services.record_forward_sent(actor=petition(), report_id=report.pk, sent_via="")
    copy = decision.forwarded_report
    assert copy is not None and copy.commission == parent and copy.ledger_unit == parent_office
    assert copy.state == State.RECEIVED and copy.forwarded_from == report
    assert copy.identity.opened()["name"] == REAL_NAME.name  # re-sealed for the new report
    assert copy.identity.name_sealed != report.identity.name_sealed
    assert [a.name for a in copy.accused.all()] == [a.name for a in report.accused.all()]
    # The county's petition office does not see the parent's copy.
    assert not reports_visible_to(petition()).filter(pk=copy.pk).exists()


def test_forwarding_down_gives_the_lower_unit_5_working_days_to_accept_or_reforward(demo):
    report = register()
    township = unit_named("凤凰城街道纪工委")
    services.forward_report_down(actor=petition(), report_id=report.pk, unit_id=township.pk, reason="属乡镇管辖")
    report.refresh_from_db()
    assert report.state == State.FORWARDED_DOWN and report.routing_unit == township
    deadline = deadline_for(report, rules.FORWARD_DOWN.kind)
    today = timezone.localdate()
    assert deadline.responsible_unit == township
    assert deadline.due_date == add_working_days(today, 5).date
    # The lower unit sees and decides it; another township does not.
    lower = demo_actor("xzdengji")
    assert reports_visible_to(lower).filter(pk=report.pk).exists()
    assert not reports_visible_to(demo_actor("xzshuji2")).filter(pk=report.pk).exists()
    with pytest.raises(NotFound):
        services.accept_report(actor=demo_actor("xzshuji2"), report_id=report.pk)
    services.accept_report(actor=lower, report_id=report.pk, handling_unit_id=township.pk)
    report.refresh_from_db()
    assert report.state == State.ASSIGNED and report.handling_unit == township
    assert deadline_for(report, rules.FORWARD_DOWN.kind).state == "met"


def test_a_lower_unit_may_reforward_and_the_timer_starts_again_for_the_next_unit(demo):
    report = register()
    first, second = unit_named("凤凰城街道纪工委"), unit_named("宝山镇纪委")
    services.forward_report_down(actor=petition(), report_id=report.pk, unit_id=first.pk, reason="属乡镇管辖")
    services.forward_report_down(
        actor=demo_actor("xzdengji"), report_id=report.pk, unit_id=second.pk, reason="问题发生在宝山镇"
    )
    report.refresh_from_db()
    assert report.routing_unit == second
    deadline = deadline_for(report, rules.FORWARD_DOWN.kind)
    assert deadline.state == "open" and deadline.responsible_unit == second
    assert report.decisions.filter(kind="forward_down").count() == 2


def test_a_lower_unit_cannot_assign_to_another_unit(demo):
    report = register()
    township = unit_named("凤凰城街道纪工委")
    services.forward_report_down(actor=petition(), report_id=report.pk, unit_id=township.pk, reason="属乡镇管辖")
    with pytest.raises(NotPermitted):
        services.accept_report(
            actor=demo_actor("xzdengji"), report_id=report.pk, handling_unit_id=unit_named("宝山镇纪委").pk
        )


def test_transfer_records_the_receiving_agency_and_reason(demo):
    report = register()
    with pytest.raises(ValidationFailed):
        services.transfer_report(actor=petition(), report_id=report.pk, agency="", reason="x")
    services.transfer_report(actor=petition(), report_id=report.pk, agency="凤城市人民法院", reason="属民事纠纷")
    report.refresh_from_db()
    assert report.state == State.TRANSFERRED
    assert report.decisions.get().target_agency == "凤城市人民法院"


def test_a_repeat_is_linked_to_the_earlier_report_stored_and_not_handled_twice(demo):
    original = register()
    services.accept_report(actor=petition(), report_id=original.pk)
    repeat = register()
    services.mark_repeat(actor=petition(), report_id=repeat.pk, original_id=original.pk)
    repeat.refresh_from_db()
    assert repeat.state == State.REPEAT and repeat.repeat_of == original
    assert repeat.decisions.get().repeat_of == original
    with pytest.raises(InvalidTransition):
        services.accept_report(actor=petition(), report_id=repeat.pk)
    # A repeat of the repeat points at the original, never at a chain.
    third = register()
    services.mark_repeat(actor=petition(), report_id=third.pk, original_id=repeat.pk)
    third.refresh_from_db()
    assert third.repeat_of == original
    fresh = register()
    with pytest.raises(RuleViolation):
        services.mark_repeat(actor=petition(), report_id=fresh.pk, original_id=fresh.pk)


def test_only_routers_decide_a_township_secretary_of_another_unit_gets_not_found_or_refused(demo):
    report = register("xzdengji")
    with pytest.raises(NotPermitted):
        services.accept_report(actor=demo_actor("jianchashi1"), report_id=report.pk)  # sees it (zone), may not decide
    with pytest.raises(NotFound):
        services.accept_report(actor=demo_actor("jianchashi2"), report_id=report.pk)  # other zone: out of scope


def test_conclusion_starts_the_15_working_day_result_feedback_and_the_quarterly_report(demo):
    report = register(is_real_name=True, identity=REAL_NAME)
    township = unit_named("宝山镇纪委")
    services.accept_report(actor=petition(), report_id=report.pk, handling_unit_id=township.pk)
    with pytest.raises(NotPermitted):
        services.conclude_report(actor=demo_actor("jianchashi1"), report_id=report.pk, result="查实")
    services.conclude_report(
        actor=demo_actor("xzshuji"), report_id=report.pk, result="经核实，问题属实，已给予党内警告处分。"
    )
    report.refresh_from_db()
    assert report.state == State.CONCLUDED and report.concluded_on == timezone.localdate()
    deadline = deadline_for(report, rules.RESULT_FEEDBACK.kind)
    assert deadline.due_date == add_working_days(report.concluded_on, 15).date
    assert deadline.responsible_unit == township
    from xiezuoqu.intake.models import QuarterlyResultReport

    quarterly = QuarterlyResultReport.objects.get(handling_unit=township)
    assert deadline_for(quarterly, rules.QUARTERLY_RESULT.kind).state == "open"


def test_a_real_name_report_is_archived_only_after_notice_and_feedback(demo):
    report = register(is_real_name=True, identity=REAL_NAME)
    township = unit_named("宝山镇纪委")
    services.accept_report(actor=petition(), report_id=report.pk, handling_unit_id=township.pk)
    services.conclude_report(actor=demo_actor("xzshuji"), report_id=report.pk, result="问题不属实，予以了结。")
    with pytest.raises(RuleViolation, match="反馈"):
        services.archive_report(actor=petition(), report_id=report.pk)
    with pytest.raises(InvalidTransition):
        services.give_feedback(actor=petition(), report_id=register().pk, text="x", method="phone")
    services.give_feedback(actor=petition(), report_id=report.pk, text="经核查，反映问题不属实。", method="phone")
    assert deadline_for(report, rules.RESULT_FEEDBACK.kind).state == "met"
    with pytest.raises(RuleViolation, match="受理情况"):
        services.archive_report(actor=petition(), report_id=report.pk)
    services.record_acceptance_notice(actor=petition(), report_id=report.pk, text="已受理。", method="phone")
    assert deadline_for(report, rules.ACCEPTANCE_NOTICE.kind).state == "met"
    services.archive_report(actor=petition(), report_id=report.pk)
    report.refresh_from_db()
    assert report.state == State.ARCHIVED and report.archived_at is not None


def test_the_acceptance_notice_waits_for_a_decision_and_anonymous_reporters_cannot_be_told(demo):
    report = register(is_real_name=True, identity=REAL_NAME)
    with pytest.raises(InvalidTransition):
        services.record_acceptance_notice(actor=petition(), report_id=report.pk, text="x", method="phone")
    anonymous = register()
    services.accept_report(actor=petition(), report_id=anonymous.pk)
    with pytest.raises(RuleViolation):
        services.record_acceptance_notice(actor=petition(), report_id=anonymous.pk, text="x", method="phone")


def test_an_objection_is_recorded_with_a_deadline_answered_and_blocks_archiving_until_then(demo):
    report = register(is_real_name=True, identity=REAL_NAME)
    services.not_accept_report(
        actor=petition(), report_id=report.pk, ground=NotAcceptGround.OTHER_REMEDY, reason="属民事纠纷"
    )
    services.record_acceptance_notice(actor=petition(), report_id=report.pk, text="不予受理。", method="letter")
    objection = services.record_objection(actor=petition(), report_id=report.pk, text="举报人来电表示不服。")
    deadline = deadline_for(objection, rules.OBJECTION_ANSWER.kind)
    assert deadline.state == "open" and deadline.due_date == add_working_days(deadline.start_date, 15).date
    with pytest.raises(RuleViolation, match="异议"):
        services.archive_report(actor=petition(), report_id=report.pk)
    services.answer_objection(actor=petition(), message_id=objection.pk, text="依规答复。", method="phone")
    assert deadline_for(objection, rules.OBJECTION_ANSWER.kind).state == "met"
    with pytest.raises(InvalidTransition):
        services.answer_objection(actor=petition(), message_id=objection.pk, text="再答复", method="phone")
    services.archive_report(actor=petition(), report_id=report.pk)


def test_reassignment_needs_a_reason(demo):
    report = register()
    services.accept_report(actor=petition(), report_id=report.pk, handling_unit_id=unit_named("宝山镇纪委").pk)
    with pytest.raises(ValidationFailed):
        services.assign_report(actor=petition(), report_id=report.pk, unit_id=unit_named("东汤镇纪委").pk)
    services.assign_report(
        actor=petition(), report_id=report.pk, unit_id=unit_named("东汤镇纪委").pk, reason="交叉办理"
    )
    report.refresh_from_db()
    assert report.handling_unit == unit_named("东汤镇纪委")
