"""The rules a case is held to: the deciding body's authority, the village-cadre limit, 查审分离, the
approvals that returns need, post-filing measures and 留置 with its higher-level approval and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cases.conftest import (
    approve_return,
    filed_case,
    first_reviewed,
    investigating,
    measure_input,
    reported,
    second_reviewed,
    staff_of,
    trial_reviewers,
    zone_reviewers,
)
from tests.intake.conftest import demo_actor
from xiezuoqu.approvals.services import decide
from xiezuoqu.cases import services
from xiezuoqu.cases.models import DetentionState, PersonDecision, ReturnState, ReviewOutcome, TrialReview
from xiezuoqu.cases.workflow import State
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.sanctions.rules import plus_months
from xiezuoqu.verification.models import Measure

pytestmark = pytest.mark.django_db


def _propose(case, codes, body="township_committee", **kw):  # type: ignore[no-untyped-def]
    return services.propose_decision(
        actor=demo_actor("shenli"),
        case_id=case.pk,
        data=services.DecisionInput(codes=codes, body=body, grounds="冒领补贴。", **kw),
    )


def test_a_decision_beyond_the_deciding_bodys_authority_is_refused(demo):
    case = second_reviewed()
    with pytest.raises(RuleViolation, match="留党察看须由乡镇（街道）党委批准，乡镇（街道）纪委无权决定"):
        _propose(case, ["party_probation"], months=12)
    with pytest.raises(RuleViolation, match="开除党籍须由县级纪委监委批准"):
        _propose(case, ["party_expulsion"], body="township_party_committee")
    with pytest.raises(RuleViolation, match="复杂案件须由县级纪委监委批准"):
        _propose(case, ["party_warning"], complex_case=True)
    assert not PersonDecision.objects.filter(case=case).exists()
    decision = _propose(case, ["party_probation"], body="township_party_committee", months=24)
    assert decision.form == 3


def test_a_government_sanction_beyond_major_demerit_on_a_village_cadre_is_refused(demo):
    case = second_reviewed()
    assert case.subject.is_village_cadre
    with pytest.raises(RuleViolation, match="对村（社区）干部，监察机关只能给予警告、记过、记大过，不能给予降级"):
        _propose(case, ["gov_demotion"], body="county")
    decision = _propose(case, ["gov_major_demerit"], body="county")
    assert decision.form == 2


def test_approved_periods_produce_end_dates(demo):
    from tests.cases.conftest import approve_decision

    case = second_reviewed()
    decision = _propose(case, ["party_serious_warning", "gov_demerit"], body="county")
    approve_decision(decision)
    decision.refresh_from_db()
    today = timezone.localdate()
    ends = {p["code"]: p["end"] for p in decision.periods}
    assert ends == {
        "party_serious_warning": plus_months(today, 18).isoformat(),
        "gov_demerit": plus_months(today, 12).isoformat(),
    }


def test_a_case_not_filed_by_a_township_is_decided_by_the_county_only(demo):
    case = second_reviewed()
    case.competent_body_kind = "commission"
    case.save(update_fields=["competent_body_kind"])
    with pytest.raises(RuleViolation, match="无权作出处理决定"):
        _propose(case, ["party_warning"])


def test_who_investigated_may_not_review(demo):
    """查审分离: a team member, a measure's officer, and the report's author are all refused."""
    case = reported()
    for reviewers in ([staff_of("xzshuji").pk, staff_of("zuzhang1").pk], [staff_of("xzganbu").pk, *zone_reviewers()]):
        with pytest.raises(RuleViolation, match="不能担任审理人员（查审分离）"):
            services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=reviewers)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATION_REPORTED
    assert not TrialReview.objects.filter(case=case).exists()


def test_a_measure_officer_from_the_verification_stage_may_not_review(demo):
    """Someone who took a measure on the clue (even before filing) investigated it."""
    case = reported()
    from xiezuoqu.verification.models import Measure

    m = Measure.objects.filter(case_id=case.pk).first()
    assert m is not None
    m.officers.add(staff_of("jianchashi1"))
    with pytest.raises(RuleViolation, match="查审分离"):
        services.open_trial_review(
            actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=[staff_of("jianchashi1").pk, *zone_reviewers()]
        )


def test_only_the_stages_own_reviewers_conclude_it(demo):
    case = reported()
    services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    with pytest.raises(NotPermitted):
        services.conclude_review(actor=demo_actor("jianchashi1"), case_id=case.pk, opinion="同意")


def test_second_review_is_opened_by_the_trial_office_only(demo):
    case = first_reviewed()
    with pytest.raises(NotPermitted):
        services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=trial_reviewers())


def test_return_for_reinvestigation_needs_the_commission_head(demo):
    case = first_reviewed()
    services.open_trial_review(actor=demo_actor("shenli"), case_id=case.pk, reviewer_ids=trial_reviewers())
    trial_return = services.request_return(
        actor=demo_actor("shenli"), case_id=case.pk, kind="reinvestigate", reason="主要事实不清。"
    )
    review = TrialReview.objects.get(case=case, outcome="")
    with pytest.raises(NotPermitted):
        decide(actor=demo_actor("fenguan"), approval_id=trial_return.approval_id, decision="approve", comment="同意")
    approve_return(trial_return, "shuji")
    trial_return.refresh_from_db()
    review.refresh_from_db()
    case.refresh_from_db()
    assert trial_return.state == ReturnState.APPROVED
    assert (case.state, review.outcome) == (State.INVESTIGATING, ReviewOutcome.RETURNED)
    assert deadline_for(review, "case.trial").state == DeadlineState.CANCELLED  # type: ignore[union-attr]
    # Back from investigation, the case is handed over and reviewed again from the start.
    services.hand_over(actor=demo_actor("xzshuji"), case_id=case.pk)
    services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    case.refresh_from_db()
    assert case.state == State.FIRST_REVIEW


def test_return_for_supplementary_evidence_is_approved_by_the_leader_in_charge(demo):
    case = reported()
    services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    trial_return = services.request_return(
        actor=demo_actor("zuzhang1"), case_id=case.pk, kind="supplement", reason="缺少书证。"
    )
    approve_return(trial_return, "fenguan")
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


def test_post_filing_measures_are_allowed_in_a_case_but_need_team_officers_and_an_approval(demo):
    case = investigating()
    with pytest.raises(RuleViolation, match="不是本案审查调查组的现任成员"):
        services.record_case_measure(
            actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input(officers=("xzshuji", "zuzhang1"))
        )
    with pytest.raises(Exception, match="审批依据"):
        services.record_case_measure(
            actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input(approval_reference="")
        )
    with pytest.raises(RuleViolation, match="上一级纪委监委批准"):
        services.record_case_measure(actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input(kind="detention"))
    measure = services.record_case_measure(
        actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input(kind="search")
    )
    assert measure.case_id == case.pk
    yesterday = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    with pytest.raises(RuleViolation, match="不能早于立案日期") as refused:
        services.record_case_measure(
            actor=demo_actor("xzshuji"),
            case_id=case.pk,
            data=measure_input(kind="search", starts_at=yesterday, ends_at=yesterday + timedelta(hours=1)),
        )
    assert refused.value.field_errors == {"starts_at": ["早于立案日期。"]}
    assert Measure.objects.filter(case_id=case.pk).count() == 1  # the refused one left nothing behind


def test_detention_is_reviewed_here_decided_above_and_runs_three_months_extendable_once(demo):
    case = investigating()
    detention = services.request_detention(
        actor=demo_actor("xzshuji"), case_id=case.pk, reason="涉嫌职务违法，可能逃跑。", place="市留置场所"
    )
    decide(actor=demo_actor("shuji"), approval_id=detention.approval_id, decision="approve", comment="同意报上一级")
    detention.refresh_from_db()
    assert detention.state == DetentionState.FORWARDED
    today = timezone.localdate()
    services.record_higher_decision(
        actor=demo_actor("xzshuji"),
        detention_id=detention.pk,
        approved=True,
        reference="上级纪委监委批准留置决定书〔2026〕3号",
        decided_on=today,
        starts_on=today,
    )
    deadline = deadline_for(detention, "case.detention")
    assert deadline is not None and deadline.state == DeadlineState.OPEN
    assert 0 <= (deadline.due_date - plus_months(today, 3)).days <= 3
    measure = services.record_case_measure(
        actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input(kind="detention")
    )
    assert "〔2026〕3号" in measure.approval_reference
    services.extend_detention(
        actor=demo_actor("xzshuji"), detention_id=detention.pk, reference="延长留置批复〔2026〕1号"
    )
    extended = deadline_for(detention, "case.detention")
    assert extended is not None and 0 <= (extended.due_date - plus_months(today, 6)).days <= 3
    with pytest.raises(RuleViolation, match="只能延长一次"):
        services.extend_detention(actor=demo_actor("xzshuji"), detention_id=detention.pk, reference="再次延长")
    services.end_detention(actor=demo_actor("xzshuji"), detention_id=detention.pk, ended_on=today)
    assert deadline_for(detention, "case.detention").state == DeadlineState.MET  # type: ignore[union-attr]


def test_a_refused_detention_opens_no_period(demo):
    case = investigating()
    detention = services.request_detention(actor=demo_actor("xzshuji"), case_id=case.pk, reason="理由", place="场所")
    decide(actor=demo_actor("shuji"), approval_id=detention.approval_id, decision="approve", comment="同意报上一级")
    services.record_higher_decision(
        actor=demo_actor("xzshuji"),
        detention_id=detention.pk,
        approved=False,
        reference="不予批准",
        decided_on=timezone.localdate(),
    )
    detention.refresh_from_db()
    assert detention.state == DetentionState.REFUSED
    assert deadline_for(detention, "case.detention") is None


def test_appeal_periods_are_one_month_for_review_and_two_for_recheck(demo):
    from tests.cases.conftest import decided

    case = decided()
    today = timezone.localdate()
    services.announce_decision(
        actor=demo_actor("xzshuji"), case_id=case.pk, announced_on=today, place="会议室", attendees="全体"
    )
    review = services.file_appeal(
        actor=demo_actor("shenli"), case_id=case.pk, kind="review", received_on=today, grounds="不服"
    )
    due = deadline_for(review, "case.appeal_review")
    assert due is not None and 0 <= (due.due_date - plus_months(today, 1)).days <= 3
    services.decide_appeal(
        actor=demo_actor("shenli"), appeal_id=review.pk, result="upheld", result_text="维持", decided_on=today
    )
    recheck = services.file_appeal(
        actor=demo_actor("shenli"), case_id=case.pk, kind="recheck", received_on=today, grounds="不服复审"
    )
    due = deadline_for(recheck, "case.appeal_recheck")
    assert due is not None and 0 <= (due.due_date - plus_months(today, 2)).days <= 3
    assert deadline_for(review, "case.appeal_review").state == DeadlineState.MET  # type: ignore[union-attr]


def test_a_trial_can_be_extended_through_the_deadline_extension(demo):
    from xiezuoqu.deadlines.services import request_extension

    case = reported()
    review = services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    deadline = deadline_for(review, "case.first_review")
    assert deadline is not None
    old_due = deadline.due_date
    extension = request_extension(actor=demo_actor("fuzuzhang1"), deadline_id=deadline.pk, reason="案情复杂", months=1)
    decide(actor=demo_actor("zuzhang1"), approval_id=extension.approval_request_id, decision="approve", comment="同意")
    deadline.refresh_from_db()
    assert deadline.due_date > old_due + timedelta(days=27)


def test_the_trial_office_sees_a_case_only_from_hand_over(demo):
    from xiezuoqu.cases.selectors import cases_visible_to

    case = filed_case()
    assert not cases_visible_to(demo_actor("shenli")).filter(pk=case.pk).exists()
    case = reported(case)
    assert cases_visible_to(demo_actor("shenli")).filter(pk=case.pk).exists()
    assert not cases_visible_to(demo_actor("xzshuji2")).filter(pk=case.pk).exists()


def test_evidence_collected_in_the_investigation_joins_the_clues_locker(demo, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.intake.conftest import login
    from xiezuoqu.verification.models import EvidenceItem

    case = investigating()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    measure = services.record_case_measure(actor=demo_actor("xzshuji"), case_id=case.pk, data=measure_input())
    login(client, "xzganbu").post(
        f"/cases/{case.pk}/act/",
        {
            "action": "add_evidence",
            "title": "讯问笔录",
            "kind": "transcript",
            "source_measure": measure.pk,
            "as_record": "on",
            "file": SimpleUploadedFile("bilu.pdf", pdf, content_type="application/pdf"),
        },
    )
    item = EvidenceItem.objects.get(clue=case.clue, case_id=case.pk)
    measure.refresh_from_db()
    assert (item.number, measure.record_document_id) == (1, item.pk)
    from xiezuoqu.verification.services import read_evidence

    assert read_evidence(item.storage_name, item.sha256, item.sm3) == pdf
    with pytest.raises(RuleViolation, match="无需重复上传"):
        services.add_case_evidence(
            actor=demo_actor("xzshuji"),
            case_id=case.pk,
            data=services.EvidenceInput(title="重复", kind="document", file_name="a.pdf", data=pdf),
        )


def test_case_evidence_is_checked_like_verification_evidence_and_only_from_the_cases_measures(demo, monkeypatch):
    from xiezuoqu.verification import evidence as locker
    from xiezuoqu.verification.models import EvidenceItem

    case = investigating()
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    actor = demo_actor("xzshuji")
    monkeypatch.setattr(locker, "MAX_EVIDENCE_SIZE", 16)
    with pytest.raises(ValidationFailed, match="超过"):
        services.add_case_evidence(
            actor=actor,
            case_id=case.pk,
            data=services.EvidenceInput(title="笔录", kind="document", file_name="a.pdf", data=pdf),
        )
    monkeypatch.undo()
    foreign_id = (Measure.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1  # none of the case's
    with pytest.raises(ValidationFailed, match="不是本案的措施") as caught:
        services.add_case_evidence(
            actor=actor,
            case_id=case.pk,
            data=services.EvidenceInput(
                title="笔录", kind="document", file_name="a.pdf", data=pdf, source_measure_id=foreign_id
            ),
        )
    assert caught.value.field_errors == {"source_measure": ["请重新选择。"]}
    assert not EvidenceItem.objects.filter(case_id=case.pk).exists()


def test_a_reviewer_who_withdrew_from_the_matter_is_refused(demo):
    from xiezuoqu.accounts.models import User
    from xiezuoqu.recusal.models import Recusal

    case = reported()
    Recusal.objects.create(
        clue=case.clue,
        staff=staff_of("zuzhang1"),
        ground="same_township",
        source="self",
        decided_by=User.objects.get(username="shuji"),
    )
    with pytest.raises(RuleViolation, match="回避"):
        services.open_trial_review(
            actor=demo_actor("fuzuzhang1"),
            case_id=case.pk,
            reviewer_ids=[staff_of("zuzhang1").pk, staff_of("fuzuzhang1").pk, staff_of("jianchashi1").pk],
        )


def test_a_recheck_follows_a_decided_review(demo):
    from tests.cases.conftest import decided

    case = decided()
    today = timezone.localdate()
    services.announce_decision(
        actor=demo_actor("xzshuji"), case_id=case.pk, announced_on=today, place="会议室", attendees="全体"
    )
    with pytest.raises(RuleViolation, match="复核须在复审决定作出后"):
        services.file_appeal(
            actor=demo_actor("shenli"), case_id=case.pk, kind="recheck", received_on=today, grounds="不服"
        )


def test_the_fourth_form_and_a_non_member(demo):
    case = second_reviewed()
    case.subject.is_party_member = False
    case.subject.save(update_fields=["is_party_member"])
    with pytest.raises(RuleViolation, match="不是中共党员"):
        _propose(case, ["party_warning"], body="county")
    decision = _propose(case, ["gov_major_demerit", "to_procuratorate"], body="county")
    assert decision.form == 4


def test_a_period_out_of_range_is_refused_and_one_no_sanction_takes_is_not_kept(demo):
    """-5 or 70,000 months is a clear refusal, not a database error; a period given with a sanction of
    fixed length (党内警告) is not stored as if it meant something."""
    case = second_reviewed()
    for months in (-5, 0, 70000):
        with pytest.raises(ValidationFailed, match="期限应为 1 至 48 个月"):
            _propose(case, ["party_warning"], months=months)
    assert not PersonDecision.objects.filter(case=case).exists()
    assert _propose(case, ["party_warning"], months=12).months is None
