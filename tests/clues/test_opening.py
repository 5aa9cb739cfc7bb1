"""Opening a clue: from accepted reports (several join one clue) or another source, numbered in the
handling unit's ledger, with the 1-month disposal timer; subjects confirmed against the registry."""

from __future__ import annotations

import pytest

from tests.clues.conftest import (
    BAOSHAN,
    DONGTANG,
    accepted_report,
    demo_actor,
    open_from_reports,
    open_other,
    register,
    unit_named,
    with_subject,
)
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues import rules, services
from xiezuoqu.clues.models import AccusedLink, ClueReport, ClueSignoff, Subject
from xiezuoqu.clues.workflow import State
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.workdays.selectors import add_months

pytestmark = pytest.mark.django_db


def test_several_accepted_reports_open_one_clue_numbered_in_the_handling_units_ledger(demo):
    first, second = accepted_report(), accepted_report()
    clue = open_from_reports(first, second)
    assert clue.state == State.REGISTERED
    assert clue.handling_unit == unit_named(BAOSHAN)
    assert clue.ledger_number == f"凤纪宝山线〔{clue.received_on.year}〕1号"
    assert set(ClueReport.objects.filter(clue=clue).values_list("report_id", flat=True)) == {first.pk, second.pk}
    assert clue.received_on == min(first.received_on, second.received_on)
    assert clue.zone is not None
    assert AuditEvent.objects.filter(action="clue.opened", target_id=str(clue.pk)).exists()
    assert ClueSignoff.objects.filter(clue=clue, action="open").exists()
    assert open_other().ledger_seq == 2


def test_the_disposal_deadline_runs_one_month_from_receipt(demo):
    clue = open_other()
    deadline = deadline_for(clue, rules.DISPOSAL.kind)
    assert deadline is not None and deadline.state == "open"
    assert deadline.due_date == add_months(clue.received_on, 1).date


def test_a_report_joins_one_clue_only_and_must_be_accepted(demo):
    report = accepted_report()
    clue = open_from_reports(report)
    with pytest.raises(RuleViolation, match="已并入线索"):
        open_from_reports(report)
    with pytest.raises(RuleViolation, match="已受理"):
        open_from_reports(register(), username="anguan")
    with pytest.raises(NotFound):  # a report the township cannot see is as good as missing
        open_from_reports(register())
    later = accepted_report()
    services.join_reports(actor=demo_actor("xzshuji"), clue_id=clue.pk, report_ids=[later.pk])
    assert ClueReport.objects.filter(clue=clue).count() == 2


def test_a_report_assigned_to_another_unit_cannot_join_and_outsiders_cannot_open(demo):
    report = accepted_report(DONGTANG)
    with pytest.raises(RuleViolation, match="不能并入其他单位"):
        open_from_reports(report, username="anguan")
    with pytest.raises(NotPermitted):
        open_other(username="xzshuji2", unit=BAOSHAN)
    with pytest.raises(NotPermitted):
        open_other(username="xinfang")


def test_other_sources_need_a_receipt_date_and_no_reports(demo):
    with pytest.raises(ValidationFailed):
        services.open_clue(
            actor=demo_actor("xzshuji"),
            data=services.ClueInput(
                handling_unit_id=unit_named(BAOSHAN).pk, source="audit", category="other", summary="审计移交"
            ),
        )
    clue = open_other(username="zuzhang1")
    assert clue.source == "inspection"


def test_subjects_are_matched_by_name_and_unit_and_linked_when_the_user_confirms(demo):
    from xiezuoqu.clues.selectors import accused_rows

    first = accepted_report()
    clue = open_from_reports(first)
    actor = demo_actor("xzshuji")
    rows = accused_rows(actor, clue)
    assert rows and rows[0].subject is None and rows[0].candidates == []
    subject = services.add_subject(
        actor=actor,
        clue_id=clue.pk,
        data=services.SubjectInput(
            name=rows[0].accused.name, unit_text=rows[0].accused.unit_text, id_number="21068219700101001X"
        ),
        accused_ids=[rows[0].accused.pk],
    )
    assert AccusedLink.objects.get(accused=rows[0].accused).subject == subject
    assert subject.id_number_sealed and "21068219700101001X" not in subject.id_number_sealed
    assert subject.opened_id_number() == "21068219700101001X"
    # A later report about the same person in another clue: the registry offers the subject.
    other = open_from_reports(accepted_report())
    again = accused_rows(actor, other)
    assert [s.pk for s in again[0].candidates] == [subject.pk]
    services.add_subject(actor=actor, clue_id=other.pk, subject_id=subject.pk, accused_ids=[again[0].accused.pk])
    assert Subject.objects.count() == 1
    with pytest.raises(RuleViolation, match="身份证号码"):
        with_subject(other, name="另一人", id_number="21068219700101001X")


def test_linking_a_subject_of_another_commission_is_refused(demo):
    clue = open_other()
    with pytest.raises(NotFound):
        services.add_subject(actor=demo_actor("xzshuji"), clue_id=clue.pk, subject_id=999999)
