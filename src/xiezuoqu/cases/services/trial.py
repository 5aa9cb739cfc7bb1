"""The investigation report and the hand-over, then 审理 (初审 / 复审 / 审理, 查审分离) and its returns
to the investigation (approved through "trial.reinvestigation" / "trial.supplement")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.approvals.matters import (
    TRIAL_REINVESTIGATION,
    TRIAL_SUPPLEMENT,
    on_final_decision,
)
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases import rules
from xiezuoqu.cases.models import (
    Case,
    Detention,
    DetentionState,
    InvestigationReport,
    ReturnKind,
    ReturnState,
    ReviewOutcome,
    Stage,
    TrialReturn,
    TrialReview,
)
from xiezuoqu.cases.selectors import (
    investigators_of,
    is_township_self_handled,
    may_first_review,
    may_trial,
    open_review,
)
from xiezuoqu.cases.workflow import Action, State, next_state
from xiezuoqu.deadlines.services import cancel_deadline, close_deadline, open_deadline
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import StaffMember
from xiezuoqu.recusal.models import Recusal

from ._common import (
    _check,
    _check_investigator,
    _decider,
    _ids,
    _lock,
    _move,
    _required,
    _text,
)

STAGE_KIND = {Stage.FIRST: rules.FIRST_REVIEW, Stage.SECOND: rules.TRIAL, Stage.SINGLE: rules.TRIAL}
RETURN_MATTER = {ReturnKind.REINVESTIGATE: TRIAL_REINVESTIGATION, ReturnKind.SUPPLEMENT: TRIAL_SUPPLEMENT}


@dataclass(frozen=True)
class ReportInput:
    facts: str
    evidence_summary: str
    proposal: str
    attitude: str = ""


def write_report(
    *, actor: Actor, case_id: Any, data: ReportInput, request: HttpRequest | None = None
) -> InvestigationReport:
    """审查调查报告: drafted (and redrafted) by the team while the case is under investigation."""
    fields = {
        "facts": _required(data.facts, "facts", "违纪违法事实"),
        "evidence_summary": _required(data.evidence_summary, "evidence_summary", "证据情况"),
        "proposal": _required(data.proposal, "proposal", "处理意见"),
        "attitude": _text(data.attitude),
    }
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.WRITE_REPORT)
        next_state(case.state, Action.WRITE_REPORT)
        assert actor.user_id is not None
        report, created = InvestigationReport.objects.get_or_create(
            case=case, defaults={**fields, "drafted_by_id": actor.user_id}
        )
        if not created:
            for name, value in fields.items():
                setattr(report, name, value)
            report.drafted_by_id = actor.user_id
            report.handed_over_at = None
            report.save(update_fields=[*fields, "drafted_by", "handed_over_at", "updated_at"])
        _move(actor, case, Action.WRITE_REPORT, request, detail={"report": report.pk, "created": created})
    return report


def hand_over(*, actor: Actor, case_id: Any, request: HttpRequest | None = None) -> Case:
    """移送审理: the investigation report goes with the case to trial."""
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.HAND_OVER)
        next_state(case.state, Action.HAND_OVER)
        report = InvestigationReport.objects.select_for_update().filter(case=case).first()
        if report is None:
            raise RuleViolation("请先撰写审查调查报告，再移送审理。")
        live = Detention.objects.filter(case=case, state__in=[DetentionState.PENDING, DetentionState.FORWARDED])
        if live.exists():
            raise RuleViolation("该案件的留置报批尚未办结，请待本级和上一级作出决定后再移送审理。")
        report.handed_over_at = timezone.now()
        report.save(update_fields=["handed_over_at"])
        route = "初审（协作区）" if is_township_self_handled(case) else "审理（案件审理室）"
        _move(actor, case, Action.HAND_OVER, request, detail={"report": report.pk, "route": route})
    return case


# --- trial (审理) -----------------------------------------------------------------------------------


def check_separation(case: Case, reviewer_ids: set[int]) -> None:
    """查审分离: nobody who was on a team of the clue, recorded or took one of its measures, or wrote
    the investigation report may review the case."""
    recused = set(
        Recusal.objects.filter(clue_id=case.clue_id, staff_id__in=reviewer_ids, is_active=True).values_list(
            "staff_id", flat=True
        )
    )
    if recused:
        names = "、".join(StaffMember.objects.filter(pk__in=recused).order_by("pk").values_list("name", flat=True))
        raise RuleViolation(f"{names}已就本案回避，不能担任审理人员。", field_errors={"reviewers": ["已回避。"]})
    clash = reviewer_ids & investigators_of(case)
    if clash:
        names = "、".join(StaffMember.objects.filter(pk__in=clash).order_by("pk").values_list("name", flat=True))
        raise RuleViolation(
            f"{names}参与过本案线索的核查或审查调查，不能担任审理人员（查审分离）。请另选审理人员。",
            field_errors={"reviewers": ["审查调查人员不得参与审理。"]},
        )


def open_trial_review(
    *, actor: Actor, case_id: Any, reviewer_ids: Sequence[Any], request: HttpRequest | None = None
) -> TrialReview:
    """受理审理: township self-handled cases go to the zone's 初审, then to the trial office's 复审; other
    cases to the trial office. At least two reviewers, none of whom investigated the case (查审分离);
    the stage runs 1 month (extendable through the deadline's extension)."""
    reviewers = _ids(reviewer_ids)
    with transaction.atomic():
        case = _lock(actor, case_id)
        if case.state == State.INVESTIGATION_REPORTED and is_township_self_handled(case):
            action, stage = Action.OPEN_FIRST_REVIEW, Stage.FIRST
            _check(
                may_first_review(actor, case),
                "乡镇自办案件由所在协作区初审：只有协作区组长、副组长或纪检监察室干部可以受理初审。",
                action,
                case,
            )
        elif case.state == State.INVESTIGATION_REPORTED:
            action, stage = Action.OPEN_TRIAL, Stage.SINGLE
            _check(may_trial(actor, case), "只有案件审理室干部可以受理审理。", action, case)
        else:
            action, stage = Action.OPEN_SECOND_REVIEW, Stage.SECOND
            next_state(case.state, action)
            _check(may_trial(actor, case), "复审由案件审理室办理：只有审理室干部可以确定复审人员。", action, case)
            if TrialReview.objects.filter(case=case, stage=Stage.SECOND, outcome="").exists():
                raise InvalidTransition("该案件的复审已经受理。")
        next_state(case.state, action)
        if len(reviewers) < rules.MIN_REVIEWERS:
            raise ValidationFailed(
                f"审理须由至少 {rules.MIN_REVIEWERS} 名审理人员进行，请选择审理人员。",
                field_errors={"reviewers": [f"至少选择 {rules.MIN_REVIEWERS} 人。"]},
            )
        found = set(
            StaffMember.objects.filter(pk__in=reviewers, commission_id=case.commission_id, is_active=True).values_list(
                "pk", flat=True
            )
        )
        if found != reviewers:
            raise ValidationFailed("所选审理人员不存在或不在岗。", field_errors={"reviewers": ["请重新选择。"]})
        check_separation(case, reviewers)
        assert actor.user_id is not None
        today = timezone.localdate()
        review = TrialReview.objects.create(case=case, stage=stage, opened_by_id=actor.user_id, opened_on=today)
        review.reviewers.set(sorted(reviewers))
        period = STAGE_KIND[Stage(stage)]
        open_deadline(
            actor=actor,
            target=review,
            kind=period.kind,
            label=Stage(stage).label,
            start=today,
            months=period.months,
            zone=case.zone,
            request=request,
        )
        _move(
            actor, case, action, request, detail={"review": review.pk, "stage": stage, "reviewers": sorted(reviewers)}
        )
    return review


def _current_review(case: Case, actor: Actor, action: str) -> TrialReview:
    review = open_review(case)
    if review is None:
        raise InvalidTransition("该案件目前没有正在进行的审理。")
    if actor.staff_id is None or not review.reviewers.filter(pk=actor.staff_id).exists():
        raise NotPermitted(
            "只有本阶段的审理人员可以提出审理意见或退回。",
            audit_action=f"case.{action}",
            target_type="cases.case",
            target_id=str(case.pk),
        )
    return review


def conclude_review(*, actor: Actor, case_id: Any, opinion: str, request: HttpRequest | None = None) -> TrialReview:
    """提出审理意见: the stage ends (its 1-month timer closes); after the zone's 初审 the case goes to 复审."""
    opinion = _required(opinion, "opinion", "审理意见")
    with transaction.atomic():
        case = _lock(actor, case_id)
        review = _current_review(case, actor, Action.CONCLUDE_REVIEW)
        action = Action.CONCLUDE_FIRST_REVIEW if review.stage == Stage.FIRST else Action.CONCLUDE_REVIEW
        next_state(case.state, action)
        if TrialReturn.objects.filter(case=case, state=ReturnState.PENDING).exists():
            raise RuleViolation("该案件有审批中的退回申请，请待审批结果后再提出审理意见。")
        today = timezone.localdate()
        review.outcome, review.opinion = ReviewOutcome.AGREED, opinion
        review.concluded_by_id, review.concluded_on = actor.user_id, today
        review.save(update_fields=["outcome", "opinion", "concluded_by", "concluded_on"])
        close_deadline(
            actor=actor, target=review, kind=STAGE_KIND[Stage(review.stage)].kind, met_on=today, request=request
        )
        _move(actor, case, action, request, detail={"review": review.pk, "stage": review.stage})
    return review


def request_return(
    *, actor: Actor, case_id: Any, kind: str, reason: str, request: HttpRequest | None = None
) -> TrialReturn:
    """退回: 重新调查 needs the principal leader (纪委书记), 补充证据 the leader in charge (分管委领导)."""
    if kind not in ReturnKind.values:
        raise ValidationFailed("请选择退回方式。", field_errors={"kind": ["请选择。"]})
    reason = _required(reason, "reason", "退回理由")
    with transaction.atomic():
        case = _lock(actor, case_id)
        review = _current_review(case, actor, Action.RETURN_TO_INVESTIGATION)
        next_state(case.state, Action.RETURN_TO_INVESTIGATION)
        if TrialReturn.objects.filter(case=case, state=ReturnState.PENDING).exists():
            raise RuleViolation("该案件已有审批中的退回申请。")
        label = ReturnKind(kind).label
        approval = submit_request(
            actor=actor,
            matter_type=RETURN_MATTER[ReturnKind(kind)].slug,
            title=f"{case.case_number} {label}"[:200],
            reason=reason,
            target=case,
            request=request,
        )
        assert actor.user_id is not None
        trial_return = TrialReturn.objects.create(
            case=case, review=review, kind=kind, reason=reason, approval=approval, requested_by_id=actor.user_id
        )
        record_event(
            actor=actor,
            action="case.return_requested",
            target=case,
            detail={"return": trial_return.pk, "kind": kind, "approval_request": approval.pk},
            request=request,
        )
    return trial_return


def _return_decided(approval: ApprovalRequest, outcome: str) -> None:
    trial_return = TrialReturn.objects.select_for_update().filter(approval_id=approval.pk).first()
    if trial_return is None or outcome == ApprovalState.RETURNED or trial_return.state != ReturnState.PENDING:
        return
    decider = _decider(approval, outcome)
    trial_return.decided_at = timezone.now()
    if outcome != ApprovalState.APPROVED:
        trial_return.state = ReturnState.REJECTED
        trial_return.save(update_fields=["state", "decided_at"])
        record_event(
            actor=decider,
            action="case.return_rejected",
            target=trial_return.case,
            detail={"return": trial_return.pk, "approval_request": approval.pk, "outcome": outcome},
            commission_id=approval.commission_id,
        )
        return
    case = Case.objects.select_for_update().get(pk=trial_return.case_id)
    review = TrialReview.objects.select_for_update().get(pk=trial_return.review_id)
    trial_return.state = ReturnState.APPROVED
    trial_return.save(update_fields=["state", "decided_at"])
    review.outcome = ReviewOutcome.RETURNED
    review.opinion = f"{trial_return.get_kind_display()}：{trial_return.reason}"
    review.concluded_on = timezone.localdate()
    review.concluded_by_id = trial_return.requested_by_id
    review.save(update_fields=["outcome", "opinion", "concluded_on", "concluded_by"])
    cancel_deadline(
        actor=None,
        target=review,
        kind=STAGE_KIND[Stage(review.stage)].kind,
        reason=f"审理退回审查调查（{trial_return.get_kind_display()}）",
    )
    InvestigationReport.objects.filter(case=case).update(handed_over_at=None)
    _move(decider, case, Action.RETURN_TO_INVESTIGATION, detail={"return": trial_return.pk, "kind": trial_return.kind})


on_final_decision(TRIAL_REINVESTIGATION.slug)(_return_decided)
on_final_decision(TRIAL_SUPPLEMENT.slug)(_return_decided)
