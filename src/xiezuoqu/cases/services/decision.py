"""处理决定 per person (checked with ``sanctions.rules``, approved through "case.sanction"), 宣布 and 执行."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.approvals.matters import (
    CASE_SANCTION,
    on_final_decision,
)
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases import rules
from xiezuoqu.cases.models import (
    Announcement,
    BodyKind,
    Case,
    DecisionBody,
    DecisionState,
    Execution,
    PersonDecision,
    ReviewOutcome,
    Stage,
    TrialReview,
)
from xiezuoqu.cases.selectors import (
    may_handle,
    may_trial,
)
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.clues.models import Subject
from xiezuoqu.deadlines.services import close_deadline, open_deadline
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.intake.services import conclude_reports_of_clue
from xiezuoqu.rulebook.selectors import sanction_terms
from xiezuoqu.sanctions import rules as sanctions
from xiezuoqu.sanctions.services import open_terms_for_decision

from ._common import (
    _check,
    _day,
    _decider,
    _lock,
    _move,
    _refuse_archived,
    _required,
)

# --- decisions (处理决定) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    codes: Sequence[str]
    body: str
    grounds: str
    complex_case: bool = False
    months: int | None = None


def evaluate(case: Case, subject: Subject, data: DecisionInput, start: date) -> tuple[int | None, list[dict[str, Any]]]:
    """Check a decision against ``sanctions.rules`` and return its 形态 and periods from ``start``.

    Raises RuleViolation with the rule's message: a body beyond its authority, a village cadre given a
    government sanction beyond 记大过, a party sanction on a non-member, a wrong period.
    """
    codes = list(dict.fromkeys(c for c in data.codes if c))
    try:
        if not codes:
            raise sanctions.RuleBroken("处理结果至少包括一项处理方式。")
        measures = [sanctions.measure(c) for c in codes]
        if "case_withdrawn" in codes and len(codes) > 1:
            raise sanctions.RuleBroken("撤销案件不能与其他处理方式同时作出。")
        if data.body not in DecisionBody.values:
            raise sanctions.RuleBroken("请选择决定机关。")
        body = sanctions.Body(data.body)
        if case.competent_body_kind != BodyKind.PARTY_COMMITTEE and body is not sanctions.Body.COUNTY:
            raise sanctions.RuleBroken(
                f"本案由{case.competent_body_name}立案，不是乡镇案件，乡镇（街道）纪委、党委无权作出处理决定。"
            )
        sanctions.check_for_person(
            codes, is_village_cadre=subject.is_village_cadre, is_party_member=subject.is_party_member
        )
        for m in measures:
            if m.kind is sanctions.Kind.PARTY:
                sanctions.check_authority(m.code, body, complex_case=data.complex_case)
            elif data.complex_case and body is not sanctions.Body.COUNTY:
                raise sanctions.RuleBroken(
                    f"复杂案件须由{sanctions.BODY_LABELS[sanctions.Body.COUNTY]}批准，"
                    f"{sanctions.BODY_LABELS[body]}无权决定。"
                )
        form = sanctions.form_of(codes)
        government = [m.code for m in measures if m.kind is sanctions.Kind.GOVERNMENT]
        periods: list[dict[str, Any]] = []
        heaviest_gov = None
        # The sanction periods of the law in force on the decision's date (规则库).
        statutory = sanction_terms(on=start)
        if len(government) > 1:
            heaviest, months = sanctions.combined_government_period(government, data.months, statutory=statutory)
            heaviest_gov = heaviest.code
            end = sanctions.plus_months(start, months) if months else None
            periods.append(
                {
                    "code": heaviest.code,
                    "label": f"{heaviest.label}（合并执行）",
                    "months": months,
                    "start": start.isoformat(),
                    "end": end.isoformat() if end else None,
                }
            )
        for m in measures:
            if m.months is None and m.code != "party_expulsion":
                continue
            if heaviest_gov is not None and m.kind is sanctions.Kind.GOVERNMENT:
                continue
            months_arg = data.months if m.months_options else None
            period = sanctions.period_of(m.code, start, months=months_arg, statutory=statutory)
            label = "开除党籍（五年内不得重新入党）" if m.code == "party_expulsion" else m.label
            periods.append(
                {
                    "code": m.code,
                    "label": label,
                    "months": period.months,
                    "start": start.isoformat(),
                    "end": period.end.isoformat() if period.end else None,
                }
            )
    except sanctions.RuleBroken as exc:
        raise RuleViolation(str(exc), field_errors={"codes": [str(exc)]}) from None
    return (int(form) if form is not None else None), periods


def propose_decision(
    *, actor: Actor, case_id: Any, data: DecisionInput, request: HttpRequest | None = None
) -> PersonDecision:
    """报批处理决定: after the final stage's opinion, the trial office proposes the outcome for the person;
    the rules are checked now (authority, village cadre, periods) and the "case.sanction" chain decides."""
    grounds = _required(data.grounds, "grounds", "事实和依据")
    if data.months is not None and not 1 <= data.months <= sanctions.MAX_COMBINED_MONTHS:
        raise ValidationFailed(
            f"期限应为 1 至 {sanctions.MAX_COMBINED_MONTHS} 个月（留党察看 12 或 24 个月）。",
            field_errors={"months": ["期限有误。"]},
        )
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(
            may_trial(actor, case), "处理决定由案件审理室报批：只有审理室干部可以提出。", Action.PROPOSE_DECISION, case
        )
        next_state(case.state, Action.PROPOSE_DECISION)
        last = TrialReview.objects.filter(case=case).order_by("-id").first()
        if last is None or last.stage == Stage.FIRST or last.outcome != ReviewOutcome.AGREED:
            raise RuleViolation("请先由审理人员提出审理意见，再报批处理决定。")
        live = PersonDecision.objects.filter(case=case, subject=case.subject, state=DecisionState.PROPOSED).first()
        if live is not None:
            raise RuleViolation(f"该案件已有报批中的处理决定（审批第 {live.approval_id} 号），请待审批结果。")
        form, _periods = evaluate(case, case.subject, data, timezone.localdate())
        codes = list(dict.fromkeys(c for c in data.codes if c))
        labels = "、".join(sanctions.MEASURES[c].label for c in codes)
        # The period chosen is kept only where a sanction takes one (留党察看, or 政务处分 executed together).
        government = [c for c in codes if sanctions.MEASURES[c].kind is sanctions.Kind.GOVERNMENT]
        takes_months = any(sanctions.MEASURES[c].months_options for c in codes) or len(government) > 1
        approval = submit_request(
            actor=actor,
            matter_type=CASE_SANCTION.slug,
            title=f"{case.case_number} {case.subject.name}：{labels}"[:200],
            reason=f"{grounds}\n\n（决定机关：{DecisionBody(data.body).label}；"
            f"{'复杂案件；' if data.complex_case else ''}{sanctions.Form(form).label if form else '撤销案件'}）",
            target=case,
            request=request,
        )
        assert actor.user_id is not None
        decision = PersonDecision.objects.create(
            case=case,
            subject=case.subject,
            codes=codes,
            body=data.body,
            complex_case=data.complex_case,
            months=data.months if takes_months else None,
            form=form,
            grounds=grounds,
            approval=approval,
            proposed_by_id=actor.user_id,
        )
        _move(
            actor,
            case,
            Action.PROPOSE_DECISION,
            request,
            detail={"decision": decision.pk, "codes": codes, "body": data.body, "form": form},
        )
    return decision


@on_final_decision(CASE_SANCTION.slug)
def _decision_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Approved: the decision takes effect today — periods computed, the case decided (or, for 撤销案件,
    closed), the 1-month announcement timer opened. Rejected or withdrawn: the proposal lapses."""
    decision = PersonDecision.objects.select_for_update().filter(approval_id=approval.pk).first()
    if decision is None or outcome == ApprovalState.RETURNED or decision.state != DecisionState.PROPOSED:
        return
    decider = _decider(approval, outcome)
    case = Case.objects.select_for_update().select_related("subject").get(pk=decision.case_id)
    if outcome != ApprovalState.APPROVED:
        decision.state = DecisionState.REJECTED
        decision.save(update_fields=["state"])
        record_event(
            actor=decider,
            action="case.decision_rejected",
            target=case,
            detail={"decision": decision.pk, "approval_request": approval.pk, "outcome": outcome},
            commission_id=approval.commission_id,
        )
        return
    _refuse_archived(case)
    today = timezone.localdate()
    data = DecisionInput(decision.codes, decision.body, decision.grounds, decision.complex_case, decision.months)
    form, periods = evaluate(case, decision.subject, data, today)
    decision.state, decision.decided_on, decision.form, decision.periods = DecisionState.APPROVED, today, form, periods
    decision.save(update_fields=["state", "decided_on", "form", "periods"])
    withdrawn = decision.codes == ["case_withdrawn"]
    _move(
        decider,
        case,
        Action.WITHDRAW if withdrawn else Action.DECIDE,
        detail={"decision": decision.pk, "codes": decision.codes, "form": form, "periods": periods},
    )
    open_terms_for_decision(actor=decider, decision=decision)  # 处分期间 and their 处分期满 deadlines
    if not withdrawn:
        open_deadline(
            actor=None,
            target=case,
            kind=rules.ANNOUNCEMENT.kind,
            label=rules.ANNOUNCEMENT.label,
            start=today,
            months=rules.ANNOUNCEMENT.months,
            zone=case.zone,
        )
    else:
        # 撤销案件 ends the matter: the reports joined to it are concluded (closing the reporter's loop).
        conclude_reports_of_clue(actor=decider, clue_id=case.clue_id, result=plain_outcome(withdrawn=True))


def plain_outcome(*, withdrawn: bool) -> str:
    """The result a reporter is told, in plain words: what was found and that it was dealt with, never
    who decided what about whom (the reporter's and the subject's protection alike)."""
    if withdrawn:
        return "经立案审查调查，您反映的问题证据不足或者不属实，已依规依纪依法撤销案件。"
    return "经立案审查调查，您反映的问题经查属实，纪检监察机关已依规依纪依法对有关人员作出处理。"


# --- announcement, execution ------------------------------------------------------------------------


def announce_decision(
    *,
    actor: Actor,
    case_id: Any,
    announced_on: date | None,
    place: str,
    attendees: str,
    request: HttpRequest | None = None,
) -> Announcement:
    """宣布处理决定 (within 1 month of the decision: its timer closes, on time or late)."""
    place = _required(place, "place", "宣布地点", 200)
    attendees = _required(attendees, "attendees", "参加人员", 300)
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(may_handle(actor, case), "只有承办单位或案件监督管理室可以登记宣布情况。", Action.ANNOUNCE, case)
        next_state(case.state, Action.ANNOUNCE)
        decision = PersonDecision.objects.filter(case=case, state=DecisionState.APPROVED).order_by("-id").first()
        decided_on = decision.decided_on if decision else None
        day = _day(announced_on, "announced_on", "宣布日期", not_before=decided_on)
        assert actor.user_id is not None
        announcement = Announcement.objects.create(
            case=case, announced_on=day, place=place, attendees=attendees, recorded_by_id=actor.user_id
        )
        deadline = close_deadline(actor=actor, target=case, kind=rules.ANNOUNCEMENT.kind, met_on=day, request=request)
        _move(
            actor,
            case,
            Action.ANNOUNCE,
            request,
            detail={"announced_on": day, "deadline": deadline.state if deadline else None},
        )
        # The decision is out: the reports joined to the matter are concluded, and a real-name or public
        # reporter's 15-WD result feedback begins (检举控告规则).
        conclude_reports_of_clue(
            actor=actor, clue_id=case.clue_id, result=plain_outcome(withdrawn=False), request=request
        )
    return announcement


def record_execution(
    *,
    actor: Actor,
    case_id: Any,
    executed_on: date | None,
    executing_unit: str,
    details: str,
    request: HttpRequest | None = None,
) -> Execution:
    """执行: what was done to carry the decision out."""
    executing_unit = _required(executing_unit, "executing_unit", "执行单位", 100)
    details = _required(details, "details", "执行情况")
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(may_handle(actor, case), "只有承办单位或案件监督管理室可以登记执行情况。", Action.EXECUTE, case)
        next_state(case.state, Action.EXECUTE)
        announced = Announcement.objects.filter(case=case).values_list("announced_on", flat=True).first()
        day = _day(executed_on, "executed_on", "执行日期", not_before=announced)
        assert actor.user_id is not None
        execution = Execution.objects.create(
            case=case, executed_on=day, executing_unit=executing_unit, details=details, recorded_by_id=actor.user_id
        )
        _move(actor, case, Action.EXECUTE, request, detail={"executed_on": day})
    return execution
