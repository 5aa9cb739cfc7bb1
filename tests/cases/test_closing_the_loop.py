"""Closing the loop: when a case's decision is announced, the reports joined to its clue are concluded
in plain words, the reporter's 15-WD feedback duty opens, and an anonymous reporter holding a receipt
reads the outcome on the public status page — nothing about who decided what about whom."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from tests.cases.conftest import decided
from tests.clues.conftest import BAOSHAN, approve_all
from tests.filing.conftest import zone_agreed
from tests.intake.conftest import demo_actor, unit_named
from tests.public.conftest import latest_report, lookup, receipt_of, submit, village
from xiezuoqu.cases import services
from xiezuoqu.cases.models import Case
from xiezuoqu.clues import services as clues
from xiezuoqu.clues.models import DisposalMethod, Source
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.filing import services as filing
from xiezuoqu.intake import rules as intake_rules
from xiezuoqu.intake import services as intake
from xiezuoqu.org.models import Village


def _publicly_reported_case(reporter: Client):
    """An anonymous public report about a 宝山 village cadre, accepted, turned into a clue, verified,
    agreed by the zone and filed by the township party committee."""
    other_village = Village.objects.filter(township=unit_named(BAOSHAN)).exclude(pk=village().pk).first()
    assert other_village is not None
    response = submit(reporter, **{"accused-0-village": str(other_village.pk)})
    code = receipt_of(response)
    report = latest_report()
    intake.register_received_report(actor=demo_actor("dengji"), report_id=report.pk)
    intake.accept_report(actor=demo_actor("xinfang"), report_id=report.pk, handling_unit_id=unit_named(BAOSHAN).pk)
    secretary = demo_actor("xzshuji")
    clue = clues.open_clue(
        actor=secretary,
        data=clues.ClueInput(
            handling_unit_id=unit_named(BAOSHAN).pk,
            source=Source.REPORTS,
            category=report.category,
            summary="反映村干部冒领惠农补贴",
            report_ids=[report.pk],
        ),
    )
    clues.add_subject(
        actor=secretary,
        clue_id=clue.pk,
        data=clues.SubjectInput(name="王某某", township_id=unit_named(BAOSHAN).pk, is_village_cadre=True),
    )
    clues.start_analysis(actor=secretary, clue_id=clue.pk)
    disposal = clues.propose_disposal(
        actor=secretary, clue_id=clue.pk, method=DisposalMethod.PRELIMINARY_VERIFICATION, reason="经集体研判"
    )
    assert disposal.approval_id is not None
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    proposal = zone_agreed(clue)
    filing.decide_as_body(actor=secretary, proposal_id=proposal.pk, decision="file", reason="同意立案")
    return Case.objects.get(filing=proposal), report, code


def test_the_announced_decision_concludes_the_report_and_the_receipt_page_tells_the_outcome(demo):
    reporter = Client()
    case, report, code = _publicly_reported_case(reporter)
    case = decided(case)
    report.refresh_from_db()
    assert report.state == "assigned"  # not before the decision is announced
    services.announce_decision(
        actor=demo_actor("xzshuji"),
        case_id=case.pk,
        announced_on=timezone.localdate(),
        place="宝山镇纪委",
        attendees="本人",
    )
    report.refresh_from_db()
    assert report.state == "concluded"
    assert report.result == services.plain_outcome(withdrawn=False)
    feedback_duty = deadline_for(report, intake_rules.RESULT_FEEDBACK.kind)
    assert feedback_duty is not None and feedback_duty.state == "open"

    lookup(reporter, code)
    page = reporter.get("/report/status/").content.decode()
    assert "已办理完毕" in page

    intake.give_feedback(actor=demo_actor("xzshuji"), report_id=report.pk, text=report.result, method="platform")
    lookup(reporter, code)
    page = reporter.get("/report/status/").content.decode()
    assert "经查属实" in page and "作出处理" in page
    # Nothing protected: not the sanction, not the case number, not who investigated or reviewed it.
    for secret in ("警告", case.case_number, "关海波", "审理", demo.user("shenli").staff.name):
        assert secret not in page, secret
    feedback_duty.refresh_from_db()
    assert feedback_duty.state == "met"
