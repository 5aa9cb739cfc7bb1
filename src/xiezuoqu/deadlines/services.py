"""Every write of the deadline mechanism: open, close, cancel, extend, sweep, issue 督办单.

Other apps use the first three and never touch ``Deadline`` rows themselves::

    from xiezuoqu.deadlines.services import open_deadline, close_deadline, deadline_for

    open_deadline(actor=actor, target=report, kind="report.acceptance_notice", label="实名举报受理告知",
                  start=report.received_on, working_days=15, responsible_unit=report.handling_unit)
    ...
    close_deadline(actor=actor, target=report, kind="report.acceptance_notice")

Periods are counted by ``xiezuoqu.workdays`` under 民法典 第200–204条 (DESIGN §3 "Counting periods"):
the start day is not counted; N working days count working days only; N months end on the same-numbered
day (the month's last day if it has none); a period ending on a rest day ends on the next working day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import DEADLINE_EXTENSION, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.numbering import locked_counter
from xiezuoqu.org.models import Commission, Unit, Zone
from xiezuoqu.org.selectors import memberships_on
from xiezuoqu.rulebook.national import national_default, rows_of
from xiezuoqu.rulebook.selectors import InForce, has_rule, rule_for
from xiezuoqu.workdays.calendar import DeadlineResult
from xiezuoqu.workdays.selectors import work_calendar
from xiezuoqu.workdays.services import on_calendar_changed

from .kinds import DeadlineKind, kind_for, register_deadline_kind
from .models import (
    Deadline,
    DeadlineExtension,
    DeadlineState,
    ExtensionState,
    PeriodUnit,
    SlipCounter,
    SlipState,
    SupervisionSlip,
)
from .selectors import get_deadline_for, get_slip_for

__all__ = [
    "answer_slip",
    "cancel_deadline",
    "close_deadline",
    "deadline_for",
    "download_slip",
    "on_due_date_recomputed",
    "open_deadline",
    "recompute_provisional_deadlines",
    "register_deadline_kind",
    "request_extension",
    "restart_deadline",
    "sweep_deadlines",
]

MAX_WORKING_DAYS = 400
MAX_MONTHS = 60
MAX_DAYS = 1830


# --- helpers ---------------------------------------------------------------------------------------


def _check_writer(actor: Actor | None) -> None:
    """``None`` is the system (a public submission, the sweep); otherwise a staff worker of a commission.

    The three administrators never touch case matters (三员分立).
    """
    if actor is None:
        return
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker:
        raise NotPermitted("只有办案干部可以设定或办结办理时限。")


def _period(working_days: int | None, months: int | None, days: int | None = None) -> tuple[int, str]:
    if [working_days, months, days].count(None) != 2:
        raise ValidationFailed(
            "请给出期限：工作日数、月数或日数，三者取其一。",
            field_errors={"period": ["工作日数、月数与日数须且只须填写一项。"]},
        )
    if days is not None:
        if not 1 <= days <= MAX_DAYS:
            raise ValidationFailed(f"日数须在 1 至 {MAX_DAYS} 之间。", field_errors={"days": ["超出范围。"]})
        return days, PeriodUnit.DAYS
    if working_days is not None:
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise ValidationFailed(
                f"工作日数须在 1 至 {MAX_WORKING_DAYS} 之间。", field_errors={"working_days": ["超出范围。"]}
            )
        return working_days, PeriodUnit.WORKING_DAYS
    assert months is not None
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed(f"月数须在 1 至 {MAX_MONTHS} 之间。", field_errors={"months": ["超出范围。"]})
    return months, PeriodUnit.MONTHS


def compute_due(start: date, value: int, unit: str, *, roll_forward: bool = True) -> DeadlineResult:
    """The due date of a period of ``value`` ``unit`` from ``start`` (start day not counted; 民法典 第201、203条).

    ``roll_forward=False`` (days only): the period ends on its own day even when that is a rest day
    or a holiday — a measure that holds a person or property runs out on its day (刑事诉讼法 第一百零五条:
    在押期间应当至期满之日为止，不得因节假日而延长).
    """
    calendar = work_calendar()
    if unit == PeriodUnit.WORKING_DAYS:
        return calendar.add_working_days(start, value)
    if unit == PeriodUnit.DAYS:
        if not roll_forward:
            return DeadlineResult(start + timedelta(days=value))
        return calendar.roll_forward(start + timedelta(days=value))
    return calendar.add_months(start, value)


def _warning_text(result: DeadlineResult) -> str:
    return "；".join(dict.fromkeys(w.message for w in result.warnings))[:300]


def zone_of_unit(unit: Unit | None) -> Zone | None:
    """The zone a unit belongs to today; a lead inspection office belongs to the zone it leads."""
    if unit is None:
        return None
    membership = memberships_on().filter(unit_id=unit.pk).select_related("zone").first()
    if membership is not None:
        return membership.zone
    led = list(Zone.objects.filter(inspection_office_id=unit.pk)[:2])
    return led[0] if len(led) == 1 else None


def _period_by_rule(kind: str, value: int, unit: str, start: date, commission_id: int) -> tuple[int, InForce | None]:
    """规则库: a kind that is a rule of the rule book (``report.acceptance_notice``, ``clue.disposal`` …)
    runs for the rule in force on its start day for its commission — the local stricter value, or the
    row of the law of that day — when the caller asked for the national default period in the rule's
    unit. A period the caller chose (an extension, a plan's own days, a configured figure) stands. A
    start day no row of the rule covers is refused (``NoRuleInForce``)."""
    if not has_rule(kind) or rows_of(kind)[-1].unit != unit or value != national_default(kind):
        return value, None
    answer = rule_for(kind, on=start, commission=commission_id)
    return int(answer.value), answer


def _commission_of(actor: Actor | None, target: models.Model, responsible_unit: Unit | None, zone: Zone | None) -> int:
    commission_id = getattr(target, "commission_id", None)
    for source in (responsible_unit, zone):
        if source is None:
            continue
        if commission_id is None:
            commission_id = source.commission_id
        elif source.commission_id != commission_id:
            raise RuleViolation("责任单位、协作区与事项须属于同一纪委监委。")
    if commission_id is None and actor is not None:
        commission_id = actor.commission_id
    if commission_id is None:
        raise ValidationFailed("无法确定时限所属的纪委监委：请指定责任单位。")
    if actor is not None and commission_id not in actor.commission_ids:
        raise RuleViolation("只能为本纪委监委（及下级）的事项设定时限。")
    return int(commission_id)


def _target_key(target: models.Model) -> tuple[ContentType, int]:
    if target.pk is None:
        raise ValidationFailed("事项尚未保存，不能设定时限。")
    return ContentType.objects.get_for_model(target), int(target.pk)


def _open_qs(target: models.Model, kind: str) -> models.QuerySet[Deadline]:
    content_type, object_id = _target_key(target)
    return Deadline.objects.filter(target_type=content_type, target_id=object_id, kind=kind, state=DeadlineState.OPEN)


# --- open, close, cancel ---------------------------------------------------------------------------


def open_deadline(
    *,
    actor: Actor | None,
    target: models.Model,
    kind: str,
    label: str,
    start: date,
    working_days: int | None = None,
    months: int | None = None,
    responsible_unit: Unit | None = None,
    zone: Zone | None = None,
    request: HttpRequest | None = None,
    days: int | None = None,
    roll_forward: bool = True,
) -> Deadline:
    """Start a timer on ``target``: due ``working_days`` WD, ``months`` months or ``days`` days after ``start``.

    One open deadline per (target, kind): opening again while one is open is refused (close or
    cancel it first). When the calendar lacks a year the count touched, the deadline is still set
    (weekends assumed) and carries the calendar's warning so that every page shows it.
    ``roll_forward=False`` keeps a period of days from moving past a rest day (see ``compute_due``).
    """
    _check_writer(actor)
    registered: DeadlineKind = kind_for(kind)
    label = (label or "").strip() or registered.label
    if len(label) > 200:
        raise ValidationFailed("时限事项名称不能超过 200 字。", field_errors={"label": ["过长。"]})
    value, unit = _period(working_days, months, days)
    if zone is None:
        zone = zone_of_unit(responsible_unit)
    commission_id = _commission_of(actor, target, responsible_unit, zone)
    value, by_rule = _period_by_rule(kind, value, unit, start, commission_id)
    content_type, object_id = _target_key(target)
    result = compute_due(start, value, unit, roll_forward=roll_forward)
    with transaction.atomic():
        existing = _open_qs(target, kind).select_for_update().first()
        if existing is not None:
            raise RuleViolation(
                f"“{existing.label}”已有未办结的时限（到期日 {existing.due_date:%Y-%m-%d}），"
                "不能重复设定；如需调整，请申请延期或先办结。"
            )
        deadline = Deadline(
            commission_id=commission_id,
            target_type=content_type,
            target_id=object_id,
            target_label=str(target)[:200],
            kind=kind,
            label=label,
            start_date=start,
            period_value=value,
            period_unit=unit,
            original_due_date=result.date,
            due_date=result.date,
            responsible_unit=responsible_unit,
            zone=zone,
            due_provisional=bool(result.warnings),
            warning_text=_warning_text(result),
            created_by_id=actor.user_id if actor else None,
        )
        try:
            with transaction.atomic():
                deadline.save()
        except IntegrityError:
            # Another transaction opened the same (target, kind) between our check and our insert.
            raise RuleViolation(f"“{label}”已有未办结的时限，不能重复设定。") from None
        record_event(
            actor=actor,
            action="deadline.opened",
            target=deadline,
            changes={"state": [None, deadline.state], "due_date": [None, deadline.due_date]},
            detail={
                "kind": kind,
                "rule": registered.rule,
                "rulebook": {"key": kind, "citation": by_rule.citation, "local": by_rule.local} if by_rule else None,
                "start": start,
                "period": deadline.period_text,
                "subject": f"{content_type.app_label}.{content_type.model}:{object_id}",
                "calendar_warning": deadline.warning_text,
                "due_provisional": deadline.due_provisional,
            },
            request=request,
        )
    return deadline


def close_deadline(
    *,
    actor: Actor | None,
    target: models.Model,
    kind: str,
    met_on: date | None = None,
    request: HttpRequest | None = None,
) -> Deadline | None:
    """The duty is done on ``met_on`` (today by default): met on time, or late. ``None`` if none is open."""
    _check_writer(actor)
    day = met_on or timezone.localdate()
    with transaction.atomic():
        deadline = _open_qs(target, kind).select_for_update().first()
        if deadline is None:
            return None
        if day < deadline.start_date:
            raise ValidationFailed(
                f"办结日 {day:%Y-%m-%d} 早于起算日 {deadline.start_date:%Y-%m-%d}。",
                field_errors={"met_on": ["办结日不能早于起算日。"]},
            )
        old_state = deadline.state
        deadline.state = DeadlineState.MET if day <= deadline.due_date else DeadlineState.MET_LATE
        deadline.met_on = day
        deadline.closed_at = timezone.now()
        deadline.save(update_fields=["state", "met_on", "closed_at"])
        record_event(
            actor=actor,
            action="deadline.met" if deadline.state == DeadlineState.MET else "deadline.met_late",
            target=deadline,
            changes={"state": [old_state, deadline.state], "met_on": [None, day]},
            detail={"kind": kind, "due_date": deadline.due_date},
            request=request,
        )
    return deadline


def cancel_deadline(
    *,
    actor: Actor | None,
    target: models.Model,
    kind: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Deadline | None:
    """The duty fell away (the report was forwarded, the clue merged ...): stop the timer with a reason."""
    _check_writer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请说明撤销时限的理由。", field_errors={"reason": ["请填写理由。"]})
    with transaction.atomic():
        deadline = _open_qs(target, kind).select_for_update().first()
        if deadline is None:
            return None
        deadline.state = DeadlineState.CANCELLED
        deadline.closed_at = timezone.now()
        deadline.save(update_fields=["state", "closed_at"])
        record_event(
            actor=actor,
            action="deadline.cancelled",
            target=deadline,
            changes={"state": [DeadlineState.OPEN, DeadlineState.CANCELLED]},
            detail={"kind": kind, "reason": reason},
            request=request,
        )
    return deadline


def restart_deadline(
    *,
    actor: Actor | None,
    target: models.Model,
    kind: str,
    start: date,
    reason: str,
    request: HttpRequest | None = None,
) -> Deadline | None:
    """The period counts anew from ``start`` (a stall warning after new progress): same row, new due date.

    Only for kinds the generic 延期 cannot move (their period restarts instead of being extended), so
    no approved extension is lost. A restart on the deadline's own start day changes nothing and is
    not recorded; the overdue mark is cleared, and a 督办单 issued for the former due date stays on
    record. ``None`` if none is open.
    """
    _check_writer(actor)
    if not kind_for(kind).not_extendable:
        raise RuleViolation("该类时限可以申请延期，不能重新起算。")
    with transaction.atomic():
        deadline = _open_qs(target, kind).select_for_update().first()
        if deadline is None or deadline.start_date == start:
            return deadline
        result = compute_due(start, deadline.period_value, deadline.period_unit)
        before = {
            "start_date": deadline.start_date,
            "due_date": deadline.due_date,
            "overdue_since": deadline.overdue_since,
            "due_provisional": deadline.due_provisional,
        }
        deadline.start_date = start
        deadline.original_due_date = deadline.due_date = result.date
        deadline.overdue_since = None
        deadline.due_provisional = bool(result.warnings)
        deadline.warning_text = _warning_text(result)
        deadline.save(
            update_fields=[
                "start_date",
                "original_due_date",
                "due_date",
                "overdue_since",
                "due_provisional",
                "warning_text",
            ]
        )
        record_event(
            actor=actor,
            action="deadline.restarted",
            target=deadline,
            changes={k: [old, getattr(deadline, k)] for k, old in before.items() if old != getattr(deadline, k)},
            detail={"kind": kind, "reason": reason, "period": deadline.period_text},
            request=request,
        )
    return deadline


def deadline_for(target: models.Model, kind: str) -> Deadline | None:
    """The open deadline of this kind on ``target``, else the most recent closed one, else ``None``.

    An unscoped read for the owning app's services and selectors (which have already checked the
    actor may see ``target``); pages list deadlines through ``selectors``.
    """
    content_type, object_id = _target_key(target)
    rows = Deadline.objects.filter(target_type=content_type, target_id=object_id, kind=kind)
    return rows.filter(state=DeadlineState.OPEN).first() or rows.order_by("-id").first()


# --- extensions (延期) ------------------------------------------------------------------------------


def request_extension(
    *,
    actor: Actor,
    deadline_id: Any,
    reason: str,
    working_days: int | None = None,
    months: int | None = None,
    request: HttpRequest | None = None,
) -> DeadlineExtension:
    """申请延期: put "move the due date by N working days / N months" to the "deadline.extension" chain.

    The approval is requested in the name of the deadline's responsible unit (its zone's leader
    approves under the default chain); when the chain approves, the hook below moves the due date
    from the current due date, in the unit asked for, in the deciding transaction.
    """
    _check_writer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请说明延期理由。", field_errors={"reason": ["请填写延期理由。"]})
    amount, unit = _period(working_days, months)
    with transaction.atomic():
        deadline = get_deadline_for(actor, deadline_id)
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.state != DeadlineState.OPEN:
            raise InvalidTransition(f"该时限已{deadline.get_state_display()}，不能申请延期。")
        fixed = kind_for(deadline.kind).not_extendable
        if fixed:
            raise RuleViolation(f"“{deadline.label}”不能通过时限延期调整：{fixed}")
        pending = DeadlineExtension.objects.filter(deadline=deadline, state=ExtensionState.PENDING).first()
        if pending is not None:
            raise RuleViolation(
                f"该时限已有一件审批中的延期申请（审批第 {pending.approval_request_id} 号），请等待审批结果。"
            )
        amount_text = f"{amount} {PeriodUnit(unit).label}"
        approval = submit_request(
            actor=actor,
            matter_type=DEADLINE_EXTENSION.slug,
            title=f"{deadline.label}延期 {amount_text}"[:200],
            reason=(
                f"{reason}\n\n（事项：{deadline.target_label}；现到期日：{deadline.due_date:%Y-%m-%d}；"
                f"申请延长 {amount_text}）"
            ),
            target=deadline,
            unit=deadline.responsible_unit,
            zone=deadline.zone,
            request=request,
        )
        assert actor.user_id is not None
        extension = DeadlineExtension.objects.create(
            deadline=deadline,
            commission_id=deadline.commission_id,
            requested_by_id=actor.user_id,
            amount=amount,
            unit=unit,
            reason=reason,
            approval_request=approval,
        )
        record_event(
            actor=actor,
            action="deadline.extension_requested",
            target=deadline,
            detail={
                "extension": extension.pk,
                "approval_request": approval.pk,
                "amount": amount_text,
                "reason": reason,
            },
            request=request,
        )
    return extension


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    """Who ended the round: the requester for a withdrawal, else the author of the last decision."""
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None


@on_final_decision(DEADLINE_EXTENSION.slug)
def _extension_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction that ended the round (approval row locked).

    Approved: the due date moves from the *current* due date by the amount asked for (working days
    or months, counted like the original period); the extension row records old and new due dates.
    Rejected or withdrawn: the due date stays. Returned: the request may be resubmitted, so the
    extension stays pending.
    """
    extension = DeadlineExtension.objects.select_for_update().filter(approval_request_id=approval.pk).first()
    if extension is None or outcome == ApprovalState.RETURNED:
        return
    if extension.state != ExtensionState.PENDING:
        return
    deadline = Deadline.objects.select_for_update().get(pk=extension.deadline_id)
    decider = _decider(approval, outcome)
    now = timezone.now()
    if outcome != ApprovalState.APPROVED:
        extension.state = ExtensionState.REJECTED if outcome == ApprovalState.REJECTED else ExtensionState.WITHDRAWN
        extension.decided_at = now
        extension.save(update_fields=["state", "decided_at"])
        record_event(
            actor=decider,
            action=f"deadline.extension_{extension.state}",
            target=deadline,
            detail={"extension": extension.pk, "approval_request": approval.pk},
            commission_id=deadline.commission_id,
        )
        return
    if deadline.state != DeadlineState.OPEN:
        raise RuleViolation(
            f"该时限已{deadline.get_state_display()}，无需延期；请选择“不同意”，或由申请人撤回延期申请。"
        )
    result = compute_due(deadline.due_date, extension.amount, extension.unit)
    old_due = deadline.due_date
    before = {
        "due_date": old_due,
        "extended_days": deadline.extended_days,
        "extension_count": deadline.extension_count,
        "overdue_since": deadline.overdue_since,
    }
    deadline.due_date = result.date
    deadline.extended_days += (result.date - old_due).days
    deadline.extension_count += 1
    if result.date >= timezone.localdate():
        deadline.overdue_since = None
    fields = ["due_date", "extended_days", "extension_count", "overdue_since"]
    if result.warnings:
        deadline.due_provisional = True
        deadline.warning_text = "；".join(
            dict.fromkeys([*filter(None, [deadline.warning_text]), _warning_text(result)])
        )[:300]
        fields += ["due_provisional", "warning_text"]
    deadline.save(update_fields=fields)
    extension.state = ExtensionState.APPROVED
    extension.old_due = old_due
    extension.new_due = result.date
    extension.calendar_warning = bool(result.warnings)
    extension.decided_at = now
    extension.save(update_fields=["state", "old_due", "new_due", "calendar_warning", "decided_at"])
    after = {name: getattr(deadline, name) for name in before}
    record_event(
        actor=decider,
        action="deadline.extended",
        target=deadline,
        changes={name: [before[name], after[name]] for name in before if before[name] != after[name]},
        detail={
            "extension": extension.pk,
            "approval_request": approval.pk,
            "amount": f"{extension.amount} {extension.get_unit_display()}",
            "requested_by": extension.requested_by_id,
        },
        commission_id=deadline.commission_id,
    )


# --- provisional due dates (日历待确认) ---------------------------------------------------------------

RECOMPUTE_BATCH = 500
# kind → callbacks ``(deadline, old_due)`` run when a recomputation moved that kind's due date: the
# owning app keeps its copy of the date (a term's 期满日, a task's 办结时限) equal to its timer's.
DueRecomputedHook = Callable[[Deadline, date], None]
DUE_RECOMPUTED_HOOKS: dict[str, list[DueRecomputedHook]] = {}


def on_due_date_recomputed(kind: str) -> Callable[[DueRecomputedHook], DueRecomputedHook]:
    """Register ``callback(deadline, old_due)``; it runs in the recomputing transaction (row locked)."""

    def register(callback: DueRecomputedHook) -> DueRecomputedHook:
        hooks = DUE_RECOMPUTED_HOOKS.setdefault(kind, [])
        if callback not in hooks:
            hooks.append(callback)
        return callback

    return register


def _touches(years: Iterable[int]) -> Q:
    """Deadlines whose count may have touched one of ``years``: the span start..due overlaps it."""
    found = Q(pk__in=[])
    for year in sorted(set(years)):
        found |= Q(start_date__lte=date(year, 12, 31), due_date__gte=date(year, 1, 1))
    return found


def _recount(deadline: Deadline, extensions: list[DeadlineExtension]) -> tuple[DeadlineResult, list[DeadlineResult]]:
    """The original period and each approved extension counted again on today's calendar, in order."""
    # A provisional deadline never has ``roll_forward=False``: that count uses no calendar, so no guess.
    original = compute_due(deadline.start_date, deadline.period_value, deadline.period_unit)
    steps, current = [], original.date
    for extension in extensions:
        step = compute_due(current, extension.amount, extension.unit)
        steps.append(step)
        current = step.date
    return original, steps


def _recompute_batch(actor: Actor | None, commission_id: int, ids: list[int], request: HttpRequest | None) -> int:
    """Recount one batch of one commission's provisional open deadlines; one audit event for the batch."""
    today = timezone.localdate()
    locked = list(
        Deadline.objects.select_for_update()
        .filter(pk__in=ids, state=DeadlineState.OPEN, due_provisional=True)
        .order_by("id")
    )
    approved: dict[int, list[DeadlineExtension]] = defaultdict(list)
    for extension in (
        DeadlineExtension.objects.select_for_update()
        .filter(deadline__in=locked, state=ExtensionState.APPROVED)
        .order_by("decided_at", "id")
    ):
        approved[extension.deadline_id].append(extension)
    changed: list[Deadline] = []
    changed_extensions: list[DeadlineExtension] = []
    moved: list[tuple[Deadline, date]] = []
    changes: dict[str, list[Any]] = {}
    for deadline in locked:
        extensions = approved.get(deadline.pk, [])
        original, steps = _recount(deadline, extensions)
        final = steps[-1] if steps else original
        warnings = [*original.warnings, *(w for step in steps for w in step.warnings)]
        provisional = bool(warnings)
        text = "；".join(dict.fromkeys(w.message for w in warnings))[:300]
        current = original.date
        for extension, step in zip(extensions, steps, strict=True):
            if (extension.old_due, extension.new_due, extension.calendar_warning) != (
                current,
                step.date,
                bool(step.warnings),
            ):
                extension.old_due, extension.new_due = current, step.date
                extension.calendar_warning = bool(step.warnings)
                changed_extensions.append(extension)
            current = step.date
        before = (deadline.original_due_date, deadline.due_date, deadline.due_provisional, deadline.warning_text)
        if before == (original.date, final.date, provisional, text):
            continue
        old_due = deadline.due_date
        for name, old, new in (
            ("original_due_date", before[0], original.date),
            ("due_date", before[1], final.date),
            ("due_provisional", before[2], provisional),
        ):
            if old != new:
                changes[f"{deadline.pk}.{name}"] = [old, new]
        deadline.original_due_date, deadline.due_date = original.date, final.date
        deadline.due_provisional, deadline.warning_text = provisional, text
        deadline.extended_days = (final.date - original.date).days if extensions else 0
        if deadline.overdue_since is not None and final.date >= today:
            deadline.overdue_since = None
        changed.append(deadline)
        if old_due != final.date:
            moved.append((deadline, old_due))
    if changed_extensions:
        DeadlineExtension.objects.bulk_update(changed_extensions, ["old_due", "new_due", "calendar_warning"])
    if not changed:
        return 0
    Deadline.objects.bulk_update(
        changed,
        ["original_due_date", "due_date", "due_provisional", "warning_text", "extended_days", "overdue_since"],
    )
    for deadline, old_due in moved:
        for callback in DUE_RECOMPUTED_HOOKS.get(deadline.kind, []):
            callback(deadline, old_due)
    pks = [d.pk for d in changed]
    record_event(
        actor=actor,
        action="deadline.recomputed",
        target_type=Deadline._meta.label_lower,
        target_id=f"{pks[0]}-{pks[-1]}" if len(pks) > 1 else str(pks[0]),
        target_label=f"{len(pks)} 件时限按新录入的节假日安排重新计算",
        changes=changes,
        detail={
            "deadlines": pks,
            "still_provisional": [d.pk for d in changed if d.due_provisional],
            "system": actor is None,
        },
        commission_id=commission_id,
        request=request,
    )
    return len(changed)


def recompute_provisional_deadlines(
    *, actor: Actor | None, years: Iterable[int] | None = None, request: HttpRequest | None = None
) -> int:
    """Count every open provisional deadline (those touching ``years``; all when ``None``) again.

    Called inside each calendar write (``on_calendar_changed`` below), so the new schedule and the
    corrected due dates commit together: a deadline whose years are now all known gets its true date
    and loses the provisional mark; one still touching a missing year gets the better guess and
    keeps it. The approved extensions are counted again from the corrected date, in the order they
    were approved. Returns the number of deadlines that changed.
    """
    rows = Deadline.objects.filter(state=DeadlineState.OPEN, due_provisional=True)
    if years is not None:
        rows = rows.filter(_touches(years))
    by_commission: dict[int, list[int]] = defaultdict(list)
    for commission_id, deadline_id in rows.order_by("commission_id", "id").values_list("commission_id", "id"):
        by_commission[commission_id].append(deadline_id)
    count = 0
    with transaction.atomic():
        for commission_id, ids in by_commission.items():
            for start in range(0, len(ids), RECOMPUTE_BATCH):
                count += _recompute_batch(actor, commission_id, ids[start : start + RECOMPUTE_BATCH], request)
    return count


@on_calendar_changed
def _calendar_changed(*, years: frozenset[int], actor: Actor | None, request: HttpRequest | None) -> None:
    recompute_provisional_deadlines(actor=actor, years=years, request=request)


# --- the daily sweep and 督办单 ---------------------------------------------------------------------

SLIP_BATCH = 500


@dataclass
class SweepResult:
    today: date
    newly_overdue: int = 0
    slips: list[int] = field(default_factory=list)
    by_commission: dict[int, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.today:%Y-%m-%d}：新增超期 {self.newly_overdue} 件，生成督办单 {len(self.slips)} 份"


def slip_number(commission: Commission, year: int, sequence: int) -> str:
    """凤纪督〔2026〕7号: the commission's short name + 督, the year, the sequence."""
    return f"{commission.short_name}督〔{year}〕{sequence}号"


def _slipped_for_current_due() -> Exists:
    """A 督办单 exists for the deadline's current due date (uses the (deadline, due_date) unique index)."""
    return Exists(SupervisionSlip.objects.filter(deadline_id=OuterRef("pk"), due_date=OuterRef("due_date")))


def _mark_overdue(today: date) -> int:
    """Stamp ``overdue_since`` (the day after the due date) on open deadlines that have just run out."""
    marked = 0
    dues = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_date__lt=today, overdue_since__isnull=True)
        .values_list("due_date", flat=True)
        .distinct()
    )
    for due in sorted(set(dues)):
        with transaction.atomic():
            marked += Deadline.objects.filter(
                state=DeadlineState.OPEN, due_date=due, overdue_since__isnull=True
            ).update(overdue_since=due + timedelta(days=1))
    return marked


def _issue_slips(commission_id: int, deadline_ids: list[int], today: date, result: SweepResult) -> None:
    """Issue one 督办单 per deadline (not yet slipped for its current due date), numbered in order.

    The counter row is locked first, then the candidates are re-read: a second sweep racing this
    one waits on the lock and then finds the slips this one made, so numbers never repeat and no
    deadline gets two slips for the same due date (the unique constraints back both).
    """
    with transaction.atomic():
        counter = locked_counter(SlipCounter, commission_id=commission_id, year=today.year)
        candidates = list(
            Deadline.objects.filter(pk__in=deadline_ids, state=DeadlineState.OPEN, due_date__lt=today)
            .filter(~_slipped_for_current_due())
            .select_related("zone")
            .order_by("due_date", "id")
        )
        if not candidates:
            return
        commission = Commission.objects.get(pk=commission_id)
        slips = []
        for deadline in candidates:
            counter.last += 1
            slips.append(
                SupervisionSlip(
                    deadline=deadline,
                    commission_id=commission_id,
                    zone=deadline.zone,
                    zone_leader_id=deadline.zone.leader_id if deadline.zone else None,
                    year=today.year,
                    sequence=counter.last,
                    number=slip_number(commission, today.year, counter.last),
                    due_date=deadline.due_date,
                    issued_on=today,
                )
            )
        counter.save(update_fields=["last"])
        created = SupervisionSlip.objects.bulk_create(slips)
        ids = [slip.pk for slip in created if slip.pk is not None]
        if len(ids) != len(created):  # backends that do not return ids from bulk inserts
            ids = list(
                SupervisionSlip.objects.filter(
                    commission_id=commission_id, year=today.year, sequence__gt=counter.last - len(slips)
                ).values_list("pk", flat=True)
            )
        record_event(
            actor=None,
            action="supervision_slip.issued",
            target_type=SupervisionSlip._meta.label_lower,
            target_id=f"{ids[0]}-{ids[-1]}" if len(ids) > 1 else str(ids[0]),
            target_label=f"{slips[0].number} 至 {slips[-1].number}" if len(slips) > 1 else slips[0].number,
            detail={
                "sweep_day": today,
                "count": len(slips),
                "slips": ids,
                "deadlines": [d.pk for d in candidates],
            },
            commission_id=commission_id,
        )
        result.slips.extend(ids)
        result.by_commission[commission_id] = result.by_commission.get(commission_id, 0) + len(ids)


def sweep_deadlines(today: date | None = None) -> SweepResult:
    """The daily sweep: mark newly overdue deadlines and issue a 督办单 for each one that has none.

    Idempotent: a second run on the same day finds every overdue deadline already marked and slipped
    for its current due date, and creates nothing. Safe to run concurrently (see ``_issue_slips``).
    """
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    result.newly_overdue = _mark_overdue(today)
    # Overdue open deadlines without a slip for their current due date, by commission, in batches.
    pending = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_date__lt=today)
        .filter(~_slipped_for_current_due())
        .order_by("commission_id", "due_date", "id")
        .values_list("commission_id", "id")
    )
    by_commission: dict[int, list[int]] = defaultdict(list)
    for commission_id, deadline_id in pending.iterator(chunk_size=5000):
        by_commission[commission_id].append(deadline_id)
    for commission_id, ids in by_commission.items():
        for start in range(0, len(ids), SLIP_BATCH):
            _issue_slips(commission_id, ids[start : start + SLIP_BATCH], today, result)
    return result


def answer_slip(*, actor: Actor, slip_id: Any, answer: str, request: HttpRequest | None = None) -> SupervisionSlip:
    """办理情况回复: the zone leader (or 案管, commission leadership) records how the slip was answered."""
    _check_writer(actor)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed("请填写办理情况。", field_errors={"answer": ["请填写办理情况。"]})
    with transaction.atomic():
        slip = get_slip_for(actor, slip_id)
        slip = SupervisionSlip.objects.select_for_update().get(pk=slip.pk)
        if slip.state != SlipState.OPEN:
            raise InvalidTransition(f"督办单 {slip.number} 已{slip.get_state_display()}，不能重复回复。")
        slip.state = SlipState.ANSWERED
        slip.answer = answer
        slip.answered_at = timezone.now()
        slip.save(update_fields=["state", "answer", "answered_at"])
        record_event(
            actor=actor,
            action="supervision_slip.answered",
            target=slip,
            changes={"state": [SlipState.OPEN, SlipState.ANSWERED]},
            detail={"answer": answer},
            request=request,
        )
    return slip


def download_slip(*, actor: Actor, slip_id: Any, request: HttpRequest | None = None) -> tuple[str, bytes]:
    """The 督办单 as .docx for the zone leader, commission leadership or 案管; the download is audited."""
    from .documents import slip_docx, slip_filename

    slip = get_slip_for(actor, slip_id)
    content = slip_docx(slip, calendar=work_calendar())
    with transaction.atomic():
        record_event(
            actor=actor,
            action="supervision_slip.downloaded",
            target=slip,
            detail={"number": slip.number, "deadline": slip.deadline_id},
            request=request,
        )
    return slip_filename(slip), content
