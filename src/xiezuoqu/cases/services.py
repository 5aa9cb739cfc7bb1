"""Writes of cases: 立案 (``open_case``, called by the filing app), then the life cycle of workflow.py —
审查调查 (team, measures, 留置, report, hand-over), 审理 (初审 / 复审 / 审理, 查审分离, returns),
处理决定 (per person, checked with ``sanctions.rules``, approved through "case.sanction"), 宣布, 执行,
申诉 (复审 / 复核) and 归档.

Each transition is one function and one transaction: lock the case row (the view predicate applied
after the lock), refuse an archived case (read-only), check the actor, the state table and the rules,
write with ``update_fields``, record the audit event. Nothing else assigns ``Case.state``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import (
    CASE_DETENTION,
    CASE_SANCTION,
    TRIAL_REINVESTIGATION,
    TRIAL_SUPPLEMENT,
    on_final_decision,
)
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.deadlines.models import Deadline, DeadlineState
from xiezuoqu.deadlines.services import cancel_deadline, close_deadline, deadline_for, open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.services import conclude_reports_of_clue
from xiezuoqu.keys import as_key
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Commission, StaffMember, Unit
from xiezuoqu.recusal.models import Recusal
from xiezuoqu.recusal.services import check_declarations_signed
from xiezuoqu.rulebook.selectors import rule_for, sanction_terms
from xiezuoqu.sanctions import rules as sanctions
from xiezuoqu.sanctions.services import apply_appeal, open_terms_for_decision
from xiezuoqu.teams.models import Purpose
from xiezuoqu.teams.selectors import active_member_staff_ids, active_team
from xiezuoqu.verification import limits as measure_limits
from xiezuoqu.verification import rules as measure_rules
from xiezuoqu.verification.evidence import MAX_EVIDENCE_SIZE as MAX_EVIDENCE_SIZE  # read by the pages and API
from xiezuoqu.verification.evidence import EvidenceInput as EvidenceInput
from xiezuoqu.verification.evidence import Locker, check_evidence, enter_evidence
from xiezuoqu.verification.limits import MeasureLimit, TermState
from xiezuoqu.verification.models import EvidenceItem, Measure, MeasureExtension
from xiezuoqu.verification.services import MeasureInput, aware, clean_measure

from . import rules
from .models import (
    Announcement,
    Appeal,
    AppealKind,
    AppealResult,
    BodyKind,
    Case,
    CaseCounter,
    DecisionBody,
    DecisionState,
    Detention,
    DetentionState,
    Execution,
    InvestigationReport,
    PersonDecision,
    ReturnKind,
    ReturnState,
    ReviewOutcome,
    Stage,
    TrialReturn,
    TrialReview,
)
from .selectors import (
    can_view_case,
    investigators_of,
    is_township_self_handled,
    may_first_review,
    may_handle,
    may_investigate,
    may_trial,
    on_investigation_team,
    open_review,
)
from .workflow import Action, State, next_state

CASE_PATTERN = "{commission}立〔{year}〕{seq}号"
STAGE_KIND = {Stage.FIRST: rules.FIRST_REVIEW, Stage.SECOND: rules.TRIAL, Stage.SINGLE: rules.TRIAL}
APPEAL_PERIOD = {AppealKind.REVIEW: rules.APPEAL_REVIEW, AppealKind.RECHECK: rules.APPEAL_RECHECK}
RETURN_MATTER = {ReturnKind.REINVESTIGATE: TRIAL_REINVESTIGATION, ReturnKind.SUPPLEMENT: TRIAL_SUPPLEMENT}


def case_number(commission: Commission, year: int, seq: int) -> str:
    return CASE_PATTERN.format(commission=commission.short_name or commission.name, year=year, seq=seq)


def open_case(
    *,
    actor: Actor,
    clue: Clue,
    subject: Subject,
    filing: object | None,
    filed_on: date,
    body_kind: str,
    body_unit: Unit | None,
    body_name: str,
    reference: str,
    request: HttpRequest | None = None,
) -> Case:
    """立案: open the case record, numbered in the commission's yearly series (inside the caller's
    transaction: the caller has checked the competent body's authority and locked its rows)."""
    commission = Commission.objects.get(pk=clue.commission_id)
    seq = next_in_sequence(CaseCounter, commission=commission, year=filed_on.year)
    assert actor.user_id is not None
    case = Case.objects.create(
        commission=commission,
        zone_id=clue.zone_id,
        clue=clue,
        subject=subject,
        filing=filing,
        case_year=filed_on.year,
        case_seq=seq,
        case_number=case_number(commission, filed_on.year, seq),
        filed_on=filed_on,
        competent_body_kind=body_kind,
        competent_body=body_unit,
        competent_body_name=body_name[:100],
        filing_reference=reference[:200],
        state=next_state(None, Action.FILE),
        state_changed_at=timezone.now(),
        opened_by_id=actor.user_id,
    )
    record_event(
        actor=actor,
        action="case.filed",
        target=case,
        changes={"state": [None, case.state], "case_number": [None, case.case_number]},
        detail={"clue": clue.pk, "subject": subject.pk, "body": body_name, "reference": reference},
        request=request,
    )
    return case


# --- helpers ---------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str, limit: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    if limit is not None and len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: ["过长。"]})
    return text


def _day(value: date | None, field_name: str, label: str, *, not_before: date | None = None) -> date:
    if value is None:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: ["请填写日期。"]})
    if value > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天。", field_errors={field_name: ["晚于今天。"]})
    if not_before is not None and value < not_before:
        raise ValidationFailed(
            f"{label}不能早于 {not_before:%Y-%m-%d}。", field_errors={field_name: [f"不能早于 {not_before:%Y-%m-%d}。"]}
        )
    return value


def _ids(values: Sequence[Any]) -> set[int]:
    return {k for v in values if (k := as_key(v)) is not None}


def _pk(value: Any) -> int | None:
    return as_key(value)


def _refuse_archived(case: Case) -> None:
    if case.state == State.ARCHIVED:
        raise RuleViolation(rules.READ_ONLY)


def _lock(actor: Actor, case_id: Any) -> Case:
    """Lock the case row, then apply the view predicate: 404 when out of reach; refused when archived."""
    pk = _pk(case_id)
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("clue", "subject").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if case is None or not can_view_case(actor, case):
        raise NotFound(audit_action="case.viewed", target_type="cases.case", target_id=str(case_id))
    _refuse_archived(case)
    return case


def _lock_row(model: Any, row_id: Any, actor: Actor, label: str) -> Any:
    pk = _pk(row_id)
    row = model.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise NotFound(audit_action=f"case.{label}_viewed", target_type=model._meta.label_lower, target_id=str(row_id))
    _lock(actor, row.case_id)  # the case first: scope and read-only
    return row


def _move(
    actor: Actor | None,
    case: Case,
    action: str,
    request: HttpRequest | None = None,
    *,
    detail: dict[str, Any] | None = None,
) -> None:
    """Apply one transition of the table and record it."""
    before = case.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {}
    if after != before:
        changes["state"] = [before, after]
        case.state = after
        case.state_changed_at = timezone.now()
        case.save(update_fields=["state", "state_changed_at"])
    record_event(actor=actor, action=f"case.{action}", target=case, changes=changes, detail=detail, request=request)


def _check(allowed: bool, message: str, action: str, case: Case) -> None:
    if not allowed:
        raise NotPermitted(message, audit_action=f"case.{action}", target_type="cases.case", target_id=str(case.pk))


def _check_investigator(actor: Actor, case: Case, action: str) -> None:
    _check(
        may_investigate(actor, case),
        "只有审查调查组成员，或承办单位、所在协作区的办案人员可以办理审查调查。",
        action,
        case,
    )


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None


# --- investigation (审查调查) ------------------------------------------------------------------------


def start_investigation(*, actor: Actor, case_id: Any, request: HttpRequest | None = None) -> Case:
    """开始审查调查: the case's investigation team (a confirmed team of its clue) has at least two members."""
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.START_INVESTIGATION)
        next_state(case.state, Action.START_INVESTIGATION)
        team = active_team(case.clue_id, Purpose.INVESTIGATION)
        if team is None:
            raise RuleViolation("该案件尚未确定审查调查组。请先由协作区组长确定审查调查组，再开始审查调查。")
        member_ids = active_member_staff_ids(case.clue_id, Purpose.INVESTIGATION)
        members = len(member_ids)
        if members < measure_rules.MIN_OFFICERS:
            raise RuleViolation(f"审查调查组目前只有 {members} 名成员；审查调查须至少二人进行，请先补充组员。")
        check_declarations_signed(case.clue_id, member_ids, step="开始审查调查")
        _move(actor, case, Action.START_INVESTIGATION, request, detail={"team": team.pk, "mode": team.mode})
    return case


def record_case_measure(
    *, actor: Actor, case_id: Any, data: MeasureInput, request: HttpRequest | None = None
) -> Measure:
    """登记审查调查措施: any measure (立案后措施 included), by at least two members of the investigation
    team, with the approval it needs recorded (审批依据); 留置 only under a detention the higher
    commission approved. The row joins the clue's 措施使用台账 with the case's id."""
    officers, fields = clean_measure(data, filed=True)
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.RECORD_MEASURE)
        next_state(case.state, Action.RECORD_MEASURE)
        outside = officers - active_member_staff_ids(case.clue_id, Purpose.INVESTIGATION)
        if outside:
            names = "、".join(StaffMember.objects.filter(pk__in=outside).values_list("name", flat=True)) or "所选人员"
            raise RuleViolation(
                f"{names}不是本案审查调查组的现任成员，不能作为措施承办人员。",
                field_errors={"officers": ["须为审查调查组成员。"]},
            )
        started_on = timezone.localtime(fields["starts_at"]).date()
        if started_on < case.filed_on:
            raise RuleViolation(
                f"审查调查措施须在立案后采取：本案于{case.filed_on:%Y年%m月%d日}立案，"
                f"措施开始时间（{started_on:%Y年%m月%d日}）不能早于立案日期。立案前的措施请在初步核实中登记。",
                field_errors={"starts_at": ["早于立案日期。"]},
            )
        reference = _text(data.approval_reference)[:200]
        if data.kind == measure_rules.MeasureKind.DETENTION:
            detention = Detention.objects.filter(case=case, state=DetentionState.APPROVED).first()
            if detention is None:
                raise RuleViolation(
                    "留置须经上一级纪委监委批准：请先报批留置，并登记上一级的批准决定后再登记留置措施。",
                    field_errors={"kind": ["尚无上一级批准的留置。"]},
                )
            reference = f"上一级纪委监委批准：{detention.higher_reference}"[:200]
        if not reference:
            raise ValidationFailed(
                "请填写该措施的审批依据（批准人及文书编号）。", field_errors={"approval_reference": ["请填写。"]}
            )
        assert actor.user_id is not None
        measure = Measure.objects.create(
            commission_id=case.commission_id,
            clue_id=case.clue_id,
            case_id=case.pk,
            approval_reference=reference,
            recorded_by_id=actor.user_id,
            **fields,
        )
        measure.officers.set(sorted(officers))
        deadline = _open_measure_deadline(actor, case, measure, request)
        record_event(
            actor=actor,
            action="case.measure_recorded",
            target=measure,
            changes={"state": [None, measure.state]}
            | ({"term_state": [None, measure.term_state]} if measure.term_state else {}),
            detail={
                "case": case.pk,
                "kind": measure.kind,
                "officers": sorted(officers),
                "approval_reference": reference,
                "planned_end": measure.ends_at if measure.term_state else None,
                "deadline_due": deadline.due_date if deadline else None,
            },
            request=request,
        )
    return measure


# --- time-limited measures (管护, 责令候查, 强制到案, 冻结: the table in verification.limits) ------------


def _open_measure_deadline(
    actor: Actor, case: Case, measure: Measure, request: HttpRequest | None, *, start: date | None = None
) -> Deadline | None:
    """A measure in force gets a "措施期限" deadline due on its planned end's day, never moved past a
    holiday (limits.py), so the usual lists warn before it runs out and show it red when it has.
    None for an hour-scale limit (强制到案) and for a measure that ends the day it starts: either is
    over before a daily sweep could warn, and the case page shows its hours left."""
    limit = measure_limits.measure_limit(measure.kind)
    if limit is None or not limit.deadline or measure.term_state != TermState.IN_FORCE:
        return None
    start = start or timezone.localtime(measure.starts_at).date()
    days = (timezone.localtime(measure.ends_at).date() - start).days
    if days < 1:
        return None
    team = active_team(case.clue_id, Purpose.INVESTIGATION)
    return open_deadline(
        actor=actor,
        target=measure,
        kind=rules.MEASURE_LIMIT_KIND,
        label=f"{limit.label}期限",
        start=start,
        days=days,
        responsible_unit=team.lead_unit if team else None,
        zone=case.zone,
        request=request,
        roll_forward=False,
    )


def _lock_limited_measure(
    actor: Actor, case_id: Any, measure_id: Any, action: str
) -> tuple[Measure, Case, MeasureLimit]:
    """Lock the case (scope; read-only when archived), then its time-limited measure; only the case's
    investigation team works its measures' terms."""
    case = _lock(actor, case_id)
    pk = _pk(measure_id)
    measure = Measure.objects.select_for_update().filter(pk=pk, case_id=case.pk).first() if pk is not None else None
    if measure is None:
        raise NotFound(
            audit_action="case.measure_viewed", target_type="verification.measure", target_id=str(measure_id)
        )
    _check(
        on_investigation_team(actor, case),
        "只有本案审查调查组的现任成员可以办理措施的延长、续冻、解除或变更。",
        action,
        case,
    )
    limit = measure_limits.measure_limit(measure.kind)
    if limit is None:
        raise RuleViolation(f"“{measure.get_kind_display()}”没有期限规定，无需办理延长、续冻、解除或变更。")
    return measure, case, limit


def _moment(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _head_approver(approver_id: Any, case: Case, actor: Actor) -> User:
    """The commission head (纪委书记、监委主任) of the case's commission who approved, not the recorder."""
    pk = _pk(approver_id)
    approver = (
        User.objects.filter(
            pk=pk, commission_id=case.commission_id, is_active=True, role_assignments__role=Role.COMMISSION_HEAD
        ).first()
        if pk is not None
        else None
    )
    if approver is None:
        raise RuleViolation(
            "管护特殊情况下的延长须经纪委书记、监委主任批准：请选择批准延长的本级纪委书记（监委主任）。",
            field_errors={"approver_id": ["请选择批准人。"]},
        )
    if approver.pk == actor.user_id:
        raise RuleViolation("批准人不能是登记人本人。", field_errors={"approver_id": ["请选择批准人。"]})
    return approver


def _prolong(
    *,
    actor: Actor,
    case_id: Any,
    measure_id: Any,
    amount: int | None,
    reference: str,
    reason: str,
    approver_id: Any,
    renewal: bool,
    request: HttpRequest | None,
) -> Measure:
    """延长 or 续冻 by the measure's extension rule: while in force and before its planned end, within
    the number of times and the amount the table allows, with the reference (and the head's approval
    where the rule needs it); the deadline moves to the new end."""
    action = "freeze_renewed" if renewal else "measure_extended"
    reference = _required(reference, "reference", "审批文书编号", 200)
    with transaction.atomic():
        measure, case, limit = _lock_limited_measure(actor, case_id, measure_id, action)
        label = limit.label
        if renewal and measure.kind != measure_rules.MeasureKind.FREEZE:
            raise RuleViolation(f"续冻只适用于冻结；{label}请办理延长。")
        if not renewal and measure.kind == measure_rules.MeasureKind.FREEZE:
            raise RuleViolation("冻结期满前需要继续冻结的，请办理续冻（每次不超过6个月）。")
        ext = limit.extension
        if ext is None:
            raise RuleViolation(f"{label}不能延长（{limit.rule}）。期满前请依法解除或者变更。")
        if measure.term_state != TermState.IN_FORCE:
            raise InvalidTransition(f"该{label}当前为“{measure.get_term_state_display()}”，不能{ext.label}。")
        now = timezone.now()
        if measure.ends_at <= now:
            raise RuleViolation(
                f"该{label}已于 {_moment(measure.ends_at)} 期满，不能再{ext.label}（{ext.label}须在期满前办理）；"
                "请立即解除或者变更。"
            )
        if ext.times is not None and measure.extension_count >= ext.times:
            times = "一次" if ext.times == 1 else f"{ext.times}次"
            raise RuleViolation(f"{label}只能{ext.label}{times}（{ext.rule}），该{label}已经{ext.label}过。")
        unit = measure_limits.LimitUnit(ext.unit).label
        if amount is None:
            raise ValidationFailed(f"请填写{ext.label}的期限（{unit}）。", field_errors={"amount": ["请填写。"]})
        if not ext.min_amount <= amount <= ext.max_amount:
            raise RuleViolation(
                f"{label}每次{ext.label}{ext.min_amount}至{ext.max_amount}{unit}（{ext.rule}），"
                f"不能{ext.label} {amount}{unit}。",
                field_errors={"amount": [f"{ext.min_amount}至{ext.max_amount}{unit}。"]},
            )
        approver = _head_approver(approver_id, case, actor) if ext.head_approval else None
        reason = _text(reason)
        if ext.head_approval and not reason:
            raise ValidationFailed(
                f"请说明需要{ext.label}{label}的特殊情况。", field_errors={"reason": ["请说明特殊情况。"]}
            )
        new_end = measure_limits.add_period(measure.ends_at, amount, ext.unit)
        if ext.times is not None:
            cap = measure_limits.add_period(
                measure_limits.latest_end(limit, measure.starts_at, special=measure.followed_by_custody),
                ext.max_amount * ext.times,
                ext.unit,
            )
            if new_end > cap:
                raise RuleViolation(
                    f"{label}{ext.label}后最迟至 {_moment(cap)}（{limit.text}），{ext.label} {amount}{unit} 将至"
                    f" {_moment(new_end)}，超出期限。",
                    field_errors={"amount": ["超出期限。"]},
                )
        old_end, old_count = measure.ends_at, measure.extension_count
        measure.ends_at, measure.extension_count = new_end, old_count + 1
        measure.save(update_fields=["ends_at", "extension_count"])
        assert actor.user_id is not None
        extension = MeasureExtension.objects.create(
            measure=measure,
            amount=amount,
            unit=ext.unit,
            old_ends_at=old_end,
            new_ends_at=new_end,
            reference=reference,
            approved_by=approver,
            reason=reason,
            recorded_by_id=actor.user_id,
        )
        cancel_deadline(
            actor=actor,
            target=measure,
            kind=rules.MEASURE_LIMIT_KIND,
            reason=f"{label}{ext.label} {amount}{unit}（{reference}）",
            request=request,
        )
        deadline = _open_measure_deadline(actor, case, measure, request, start=timezone.localdate())
        record_event(
            actor=actor,
            action=f"case.{action}",
            target=measure,
            changes={"ends_at": [old_end, new_end], "extension_count": [old_count, measure.extension_count]},
            detail={
                "case": case.pk,
                "extension": extension.pk,
                "amount": f"{amount}{unit}",
                "reference": reference,
                "approved_by": approver.pk if approver else None,
                "reason": reason,
                "deadline_due": deadline.due_date if deadline else None,
            },
            request=request,
        )
    return measure


def extend_measure(
    *,
    actor: Actor,
    case_id: Any,
    measure_id: Any,
    days: int | None,
    reference: str,
    reason: str,
    approver_id: Any,
    request: HttpRequest | None = None,
) -> Measure:
    """延长管护: once, by 1 to 3 days, before the 7 days run out, in special circumstances approved by
    the commission head (监察法 2024年修正). The platform records that approval — the head chosen from
    the commission's heads, and the approval's reference — rather than routing it through an approval
    chain: the decision is taken on paper within hours while the person is held, and the record, like
    the higher commission's 留置 decision, states a decision taken outside the platform."""
    return _prolong(
        actor=actor,
        case_id=case_id,
        measure_id=measure_id,
        amount=days,
        reference=reference,
        reason=reason,
        approver_id=approver_id,
        renewal=False,
        request=request,
    )


def renew_freeze(
    *,
    actor: Actor,
    case_id: Any,
    measure_id: Any,
    months: int | None,
    reference: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Measure:
    """续冻: before the freeze runs out, by at most 6 months each time, with the renewal's reference
    (监察法实施条例); as often as the investigation needs it."""
    return _prolong(
        actor=actor,
        case_id=case_id,
        measure_id=measure_id,
        amount=months,
        reference=reference,
        reason=reason,
        approver_id=None,
        renewal=True,
        request=request,
    )


def release_measure(
    *,
    actor: Actor,
    case_id: Any,
    measure_id: Any,
    released_at: datetime | None,
    reason: str,
    converted_to: str = "",
    request: HttpRequest | None = None,
) -> Measure:
    """解除, or 变更 into another measure (管护 → 留置 or 责令候查 ...), at any time while in force: the
    moment and the reason on record, the 措施期限 deadline closed (met, or met late after the planned
    end). 变更为留置 needs the detention the higher commission approved; the new measure itself is
    recorded as a measure of its own."""
    reason = _required(reason, "reason", "解除（变更）理由")
    converted_to = _text(converted_to)
    with transaction.atomic():
        measure, case, limit = _lock_limited_measure(actor, case_id, measure_id, "measure_released")
        label = limit.label
        if measure.term_state != TermState.IN_FORCE:
            raise InvalidTransition(f"该{label}当前为“{measure.get_term_state_display()}”，不能再解除或变更。")
        released_at = aware(released_at)
        if released_at is None:
            raise ValidationFailed("请填写解除（变更）时间。", field_errors={"released_at": ["请填写。"]})
        if released_at > timezone.now():
            raise ValidationFailed("解除（变更）时间不能晚于现在。", field_errors={"released_at": ["晚于现在。"]})
        if released_at < measure.starts_at:
            raise ValidationFailed(
                f"解除（变更）时间不能早于{label}开始时间 {_moment(measure.starts_at)}。",
                field_errors={"released_at": ["早于开始时间。"]},
            )
        if converted_to:
            if converted_to not in limit.converts_to:
                allowed = "、".join(measure_rules.MeasureKind(k).label for k in limit.converts_to) or "（不适用变更）"
                raise RuleViolation(
                    f"{label}不能变更为“{dict(measure_rules.MeasureKind.choices).get(converted_to, converted_to)}”；"
                    f"可以变更为：{allowed}。",
                    field_errors={"converted_to": ["请重新选择。"]},
                )
            if (
                converted_to == measure_rules.MeasureKind.DETENTION
                and not Detention.objects.filter(case=case, state=DetentionState.APPROVED).exists()
            ):
                raise RuleViolation(
                    "变更为留置须经上一级纪委监委批准：请先报批留置并登记上一级的批准决定，再登记变更。",
                    field_errors={"converted_to": ["尚无上一级批准的留置。"]},
                )
        new_state = TermState.CONVERTED if converted_to else TermState.RELEASED
        measure.term_state, measure.released_at, measure.release_reason = new_state, released_at, reason
        measure.converted_to, measure.released_by_id = converted_to, actor.user_id
        measure.save(update_fields=["term_state", "released_at", "release_reason", "converted_to", "released_by"])
        day = timezone.localtime(released_at).date()
        open_deadline_row = deadline_for(measure, rules.MEASURE_LIMIT_KIND)
        deadline = None
        if open_deadline_row is not None and open_deadline_row.state == DeadlineState.OPEN:
            deadline = close_deadline(
                actor=actor,
                target=measure,
                kind=rules.MEASURE_LIMIT_KIND,
                met_on=max(day, open_deadline_row.start_date),
                request=request,
            )
        record_event(
            actor=actor,
            action="case.measure_converted" if converted_to else "case.measure_released",
            target=measure,
            changes={"term_state": [TermState.IN_FORCE, new_state], "released_at": [None, released_at]}
            | ({"converted_to": ["", converted_to]} if converted_to else {}),
            detail={
                "case": case.pk,
                "reason": reason,
                "planned_end": measure.ends_at,
                "late": released_at > measure.ends_at,
                "deadline": deadline.state if deadline else None,
            },
            request=request,
        )
    return measure


def add_case_evidence(
    *, actor: Actor, case_id: Any, data: EvidenceInput, request: HttpRequest | None = None
) -> EvidenceItem:
    """证据入库 during 审查调查: the clue's evidence locker carries over, so the item is numbered in the
    same inventory, checked, hashed (SHA-256, SM3), sealed (SM4-GCM) and stored the same way, and
    carries the case's id; it may be the record (笔录) of one of the case's measures."""
    checked = check_evidence(data)
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, "add_evidence")
        next_state(case.state, Action.RECORD_MEASURE)  # while under investigation
        locker = Locker(
            commission_id=case.commission_id,
            clue_id=case.clue_id,
            measures=Measure.objects.filter(case_id=case.pk),
            foreign_measure="所选来源措施不是本案的措施。",
            record_attached="case.measure_record_attached",
            link={"case_id": case.pk},
            detail={"case": case.pk},
        )
        return enter_evidence(actor=actor, checked=checked, locker=locker, request=request)


def request_detention(
    *, actor: Actor, case_id: Any, reason: str, place: str, request: HttpRequest | None = None
) -> Detention:
    """留置报批: the commission head reviews, then it goes to the higher commission, which decides."""
    reason = _required(reason, "reason", "留置理由")
    place = _required(place, "place", "留置场所", 200)
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.REQUEST_DETENTION)
        next_state(case.state, Action.REQUEST_DETENTION)
        live = Detention.objects.filter(
            case=case, state__in=[DetentionState.PENDING, DetentionState.FORWARDED, DetentionState.APPROVED]
        ).first()
        if live is not None:
            raise RuleViolation(f"该案件已有一项留置（{live.get_state_display()}），不能重复报批。")
        approval = submit_request(
            actor=actor,
            matter_type=CASE_DETENTION.slug,
            title=f"{case.case_number} {case.subject.name} 留置报批"[:200],
            reason=f"{reason}\n\n（留置场所：{place}。本级审核后报上一级纪委监委批准。）",
            target=case,
            request=request,
        )
        assert actor.user_id is not None
        detention = Detention.objects.create(
            case=case, reason=reason, place=place, approval=approval, requested_by_id=actor.user_id
        )
        _move(actor, case, Action.REQUEST_DETENTION, request, detail={"detention": detention.pk})
    return detention


@on_final_decision(CASE_DETENTION.slug)
def _detention_reviewed(approval: ApprovalRequest, outcome: str) -> None:
    """The commission head's review ended: approved → forwarded to the higher commission (which decides)."""
    detention = Detention.objects.select_for_update().filter(approval_id=approval.pk).first()
    if detention is None or outcome == ApprovalState.RETURNED or detention.state != DetentionState.PENDING:
        return
    before = detention.state
    detention.state = DetentionState.FORWARDED if outcome == ApprovalState.APPROVED else DetentionState.REJECTED
    detention.save(update_fields=["state"])
    record_event(
        actor=_decider(approval, outcome),
        action=f"case.detention_{detention.state}",
        target=detention,
        changes={"state": [before, detention.state]},
        detail={"approval_request": approval.pk, "case": detention.case_id},
        commission_id=approval.commission_id,
    )


def record_higher_decision(
    *,
    actor: Actor,
    detention_id: Any,
    approved: bool,
    reference: str,
    decided_on: date | None,
    starts_on: date | None = None,
    request: HttpRequest | None = None,
) -> Detention:
    """登记上一级纪委监委的决定: approved opens the 3-month period from the day detention starts."""
    reference = _required(reference, "reference", "上一级批准（不批准）文号", 200)
    with transaction.atomic():
        detention = _lock_row(Detention, detention_id, actor, "detention")
        case = detention.case
        _check_investigator(actor, case, "detention_decided")
        if detention.state != DetentionState.FORWARDED:
            raise InvalidTransition(f"该留置当前为“{detention.get_state_display()}”，不能登记上一级的决定。")
        decided = _day(decided_on, "decided_on", "上一级决定日期", not_before=detention.requested_at.date())
        before = detention.state
        detention.higher_reference, detention.higher_decided_on = reference, decided
        fields = ["state", "higher_reference", "higher_decided_on"]
        if approved:
            detention.starts_on = _day(starts_on, "starts_on", "留置开始日期", not_before=decided)
            detention.state = DetentionState.APPROVED
            fields.append("starts_on")
        else:
            detention.state = DetentionState.REFUSED
        detention.save(update_fields=fields)
        if approved:
            assert detention.starts_on is not None
            open_deadline(
                actor=actor,
                target=detention,
                kind=rules.DETENTION.kind,
                label="留置",
                start=detention.starts_on,
                months=rules.DETENTION.months,
                zone=case.zone,
                request=request,
            )
        record_event(
            actor=actor,
            action=f"case.detention_{detention.state}",
            target=detention,
            changes={"state": [before, detention.state]},
            detail={"case": case.pk, "reference": reference, "decided_on": decided, "starts_on": detention.starts_on},
            request=request,
        )
    return detention


def extend_detention(
    *, actor: Actor, detention_id: Any, reference: str, request: HttpRequest | None = None
) -> Detention:
    """延长留置: once, by at most 3 months, on the higher commission's approval (recorded by its reference)."""
    reference = _required(reference, "reference", "上一级批准延长的文号", 200)
    with transaction.atomic():
        detention = _lock_row(Detention, detention_id, actor, "detention")
        case = detention.case
        _check_investigator(actor, case, "detention_extended")
        if detention.state != DetentionState.APPROVED:
            raise InvalidTransition(f"该留置当前为“{detention.get_state_display()}”，不能延长。")
        assert detention.starts_on is not None
        # The law in force on the day the detention started (规则库: 监察法 2018 第四十三条 / 2024 第四十八条).
        period = rule_for(rules.DETENTION.kind, on=detention.starts_on)
        extension = rule_for("case.detention_extension", on=detention.starts_on)
        if detention.extended:
            raise RuleViolation(f"留置只能延长一次（{extension.source}{extension.article}），该留置已经延长过。")
        cancel_deadline(
            actor=actor,
            target=detention,
            kind=rules.DETENTION.kind,
            reason=f"上一级纪委监委批准延长留置（{reference}）",
            request=request,
        )
        deadline = open_deadline(
            actor=actor,
            target=detention,
            kind=rules.DETENTION.kind,
            label="留置（已延长）",
            start=detention.starts_on,
            months=int(period.value) + int(extension.value),
            zone=case.zone,
            request=request,
        )
        detention.extended, detention.extension_reference = True, reference
        detention.save(update_fields=["extended", "extension_reference"])
        record_event(
            actor=actor,
            action="case.detention_extended",
            target=detention,
            changes={"extended": [False, True]},
            detail={
                "case": case.pk,
                "reference": reference,
                "due_date": deadline.due_date,
                "rule": extension.citation,
            },
            request=request,
        )
    return detention


def end_detention(
    *, actor: Actor, detention_id: Any, ended_on: date | None, request: HttpRequest | None = None
) -> Detention:
    """解除留置: the period's timer closes (met, or late if past its end)."""
    with transaction.atomic():
        detention = _lock_row(Detention, detention_id, actor, "detention")
        case = detention.case
        _check_investigator(actor, case, "detention_ended")
        if detention.state != DetentionState.APPROVED:
            raise InvalidTransition(f"该留置当前为“{detention.get_state_display()}”，不能解除。")
        day = _day(ended_on, "ended_on", "解除日期", not_before=detention.starts_on)
        detention.state, detention.ended_on = DetentionState.ENDED, day
        detention.save(update_fields=["state", "ended_on"])
        close_deadline(actor=actor, target=detention, kind=rules.DETENTION.kind, met_on=day, request=request)
        record_event(
            actor=actor,
            action="case.detention_ended",
            target=detention,
            changes={"state": [DetentionState.APPROVED, DetentionState.ENDED]},
            detail={"case": case.pk, "ended_on": day},
            request=request,
        )
    return detention


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


# --- announcement, execution, appeals, archive ---------------------------------------------------------


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


def file_appeal(
    *,
    actor: Actor,
    case_id: Any,
    kind: str,
    received_on: date | None,
    grounds: str,
    request: HttpRequest | None = None,
) -> Appeal:
    """受理申诉: 复审 decided within 1 month, 复核 (by the higher level) within 2 months of receipt."""
    if kind not in AppealKind.values:
        raise ValidationFailed("请选择复审或复核。", field_errors={"kind": ["请选择。"]})
    grounds = _required(grounds, "grounds", "申诉理由")
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(
            may_trial(actor, case) or may_handle(actor, case),
            "只有案件审理室、承办单位或案管可以受理申诉。",
            Action.APPEAL,
            case,
        )
        next_state(case.state, Action.APPEAL)
        if Appeal.objects.filter(case=case, result="").exists():
            raise RuleViolation("该案件已有未办结的申诉，请办结后再受理。")
        if (
            kind == AppealKind.RECHECK
            and not Appeal.objects.filter(case=case, kind=AppealKind.REVIEW).exclude(result="").exists()
        ):
            raise RuleViolation("复核须在复审决定作出后申请：请先受理并办结复审。")
        decided_on = (
            PersonDecision.objects.filter(case=case, state=DecisionState.APPROVED)
            .order_by("-id")
            .values_list("decided_on", flat=True)
            .first()
        )
        day = _day(received_on, "received_on", "受理日期", not_before=decided_on)
        assert actor.user_id is not None
        appeal = Appeal.objects.create(
            case=case, kind=kind, received_on=day, grounds=grounds, recorded_by_id=actor.user_id
        )
        period = APPEAL_PERIOD[AppealKind(kind)]
        open_deadline(
            actor=actor,
            target=appeal,
            kind=period.kind,
            label=period.label,
            start=day,
            months=period.months,
            zone=case.zone,
            request=request,
        )
        _move(actor, case, Action.APPEAL, request, detail={"appeal": appeal.pk, "kind": kind})
    return appeal


def decide_appeal(
    *,
    actor: Actor,
    appeal_id: Any,
    result: str,
    result_text: str,
    decided_on: date | None,
    request: HttpRequest | None = None,
) -> Appeal:
    """复审决定 (the trial office) or 复核决定 (the higher level's, recorded by the trial office)."""
    if result not in AppealResult.values:
        raise ValidationFailed("请选择复审（复核）结果。", field_errors={"result": ["请选择。"]})
    result_text = _required(result_text, "result_text", "复审（复核）意见")
    with transaction.atomic():
        appeal = _lock_row(Appeal, appeal_id, actor, "appeal")
        case = appeal.case
        _check(may_trial(actor, case), "复审、复核决定由案件审理室登记。", "appeal_decided", case)
        if appeal.result:
            raise InvalidTransition("该申诉已经办结。")
        day = _day(decided_on, "decided_on", "决定日期", not_before=appeal.received_on)
        appeal.result, appeal.result_text, appeal.decided_on, appeal.decided_by_id = (
            result,
            result_text,
            day,
            actor.user_id,
        )
        appeal.save(update_fields=["result", "result_text", "decided_on", "decided_by"])
        apply_appeal(actor=actor, appeal=appeal, request=request)  # 撤销 / 变更 end the running 处分期间
        deadline = close_deadline(
            actor=actor, target=appeal, kind=APPEAL_PERIOD[AppealKind(appeal.kind)].kind, met_on=day, request=request
        )
        record_event(
            actor=actor,
            action="case.appeal_decided",
            target=case,
            changes={"result": ["", result]},
            detail={"appeal": appeal.pk, "kind": appeal.kind, "deadline": deadline.state if deadline else None},
            request=request,
        )
    return appeal


def archive_case(*, actor: Actor, case_id: Any, request: HttpRequest | None = None) -> Case:
    """归档: from 已执行 or 已撤销案件, with no appeal or detention still open; read-only afterwards."""
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(
            may_handle(actor, case) or actor.has(Role.CASE_MANAGER),
            "只有案件监督管理室或承办单位可以归档。",
            Action.ARCHIVE,
            case,
        )
        next_state(case.state, Action.ARCHIVE)
        if Appeal.objects.filter(case=case, result="").exists():
            raise RuleViolation("该案件有未办结的申诉，办结后才能归档。")
        if Detention.objects.filter(case=case, state=DetentionState.APPROVED).exists():
            raise RuleViolation("该案件的留置尚未解除，解除后才能归档。")
        in_force = [
            m.get_kind_display() for m in Measure.objects.filter(case_id=case.pk, term_state=TermState.IN_FORCE)
        ]
        if in_force:
            raise RuleViolation(f"该案件的{'、'.join(dict.fromkeys(in_force))}措施尚未解除或变更，办结后才能归档。")
        open_deadline_kinds = [
            p.label
            for p in (rules.ANNOUNCEMENT,)
            if (d := deadline_for(case, p.kind)) is not None and d.state == DeadlineState.OPEN
        ]
        if open_deadline_kinds:
            raise RuleViolation(f"该案件的“{'、'.join(open_deadline_kinds)}”时限尚未办结，不能归档。")
        _move(actor, case, Action.ARCHIVE, request)
    return case
