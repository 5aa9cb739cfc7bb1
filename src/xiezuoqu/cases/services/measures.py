"""审查调查: its start, the measures (立案后措施 included), the time-limited ones (管护, 责令候查,
强制到案, 冻结: extensions, renewals, release) and 留置 (报批, the higher commission's decision,
extension, end)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import (
    CASE_DETENTION,
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
)
from xiezuoqu.cases.selectors import (
    on_investigation_team,
)
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.deadlines.models import Deadline, DeadlineState
from xiezuoqu.deadlines.services import cancel_deadline, close_deadline, deadline_for, open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from xiezuoqu.org.models import StaffMember
from xiezuoqu.recusal.services import check_declarations_signed
from xiezuoqu.rulebook.selectors import rule_for
from xiezuoqu.teams.models import Purpose
from xiezuoqu.teams.selectors import active_member_staff_ids, active_team
from xiezuoqu.verification import limits as measure_limits
from xiezuoqu.verification import rules as measure_rules
from xiezuoqu.verification.limits import MeasureLimit, TermState
from xiezuoqu.verification.models import Measure, MeasureExtension
from xiezuoqu.verification.services import MeasureInput, aware, clean_measure

from ._common import (
    _check,
    _check_investigator,
    _day,
    _decider,
    _lock,
    _lock_row,
    _move,
    _pk,
    _required,
    _text,
)

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
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, Action.RECORD_MEASURE)
        officers, fields = clean_measure(data, filed=True, commission=case.commission_id)
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
    limit = measure_limits.measure_limit(
        measure.kind, on=measure_limits.start_day(measure.starts_at), commission=measure.commission_id
    )
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
    limit = measure_limits.measure_limit(
        measure.kind, on=measure_limits.start_day(measure.starts_at), commission=measure.commission_id
    )
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
