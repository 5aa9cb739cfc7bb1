"""Shared steps of every intake write: cleaning text, the zone of a unit, locking and refusing a report,
the decision row and its due date, the audit event, the state move.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import diff, record_event, snapshot
from xiezuoqu.deadlines.services import close_deadline, deadline_for
from xiezuoqu.errors import NotFound, NotPermitted, ValidationFailed
from xiezuoqu.intake.models import Report, RoutingDecision
from xiezuoqu.intake.selectors import can_view_report
from xiezuoqu.intake.workflow import next_state
from xiezuoqu.org.models import Unit, Zone
from xiezuoqu.org.selectors import memberships_on
from xiezuoqu.workdays.selectors import add_working_days


def _text(value: str | None) -> str:
    return (value or "").strip()


def zone_of_unit(unit: Unit | None, on: date | None = None) -> Zone | None:
    """The zone a unit belongs to on a date; a lead inspection office belongs to the zone it leads."""
    if unit is None:
        return None
    membership = memberships_on(on).filter(unit_id=unit.pk).select_related("zone").first()
    if membership is not None:
        return membership.zone
    led = list(Zone.objects.filter(inspection_office_id=unit.pk)[:2])
    return led[0] if len(led) == 1 else None


def zone_concerned(township: Unit | None, unit: Unit, on: date, unit_zone: Zone | None) -> Zone | None:
    """流程1 (受理归口): a registered report goes at once to the 纪检监察室 of the zone *concerned* — the zone
    of the township the report is about, when it names one; else the registering unit's (``unit_zone``)."""
    if township is not None and township.pk != unit.pk:
        return zone_of_unit(township, on) or unit_zone
    return unit_zone


def _lock(actor: Actor, report_id: Any) -> Report:
    """Lock the report row, then apply the view predicate (the scope's twin): 404 when out of reach."""
    try:
        report = Report.objects.select_for_update().filter(pk=int(report_id)).first()
    except (TypeError, ValueError):
        report = None
    if report is None or not actor.is_staff_worker or not can_view_report(actor, report):
        raise NotFound(audit_action="report.viewed", target_type="intake.report", target_id=str(report_id))
    return report


def _refuse(message: str, report: Report, action: str) -> NotPermitted:
    return NotPermitted(message, audit_action=f"report.{action}", target_type="intake.report", target_id=str(report.pk))


def _decision(
    report: Report, actor: Actor | None, kind: str, *, reason: str, rule: str = "", **kw: Any
) -> RoutingDecision:
    now = timezone.now()
    return RoutingDecision.objects.create(
        report=report,
        kind=kind,
        reason=reason,
        rule=rule,
        decided_by_id=actor.user_id if actor else report.registered_by_id,
        decided_at=now,
        decided_on=timezone.localdate(),
        **kw,
    )


def _due(start: date, working_days: int) -> dict[str, Any]:
    """A decision's 办理时限 and whether it is provisional (counted into a year without calendar data)."""
    result = add_working_days(start, working_days)
    return {"due_on": result.date, "due_provisional": not result.certain}


def _close_if_open(actor: Actor | None, target: Any, kind: str, request: HttpRequest | None) -> None:
    deadline = deadline_for(target, kind)
    if deadline is not None and deadline.state == "open":
        close_deadline(actor=actor, target=target, kind=kind, request=request)


def _event(
    actor: Actor | None,
    action: str,
    report: Report,
    before: dict[str, Any] | None,
    request: HttpRequest | None,
    **detail: Any,
) -> None:
    record_event(
        actor=actor,
        action=f"report.{action}",
        target=report,
        changes=diff(before, report) if before is not None else {},
        detail=detail,
        request=request,
    )


STATE_FIELDS = ["state", "routing_unit", "handling_unit", "zone", "repeat_of", "accepted_on", "concluded_on", "result"]


def _move(report: Report, action: str, **fields: Any) -> dict[str, Any]:
    """Apply a transition of the state table to the locked row; returns the snapshot taken before."""
    before = snapshot(report, [*STATE_FIELDS, "archived_at"])
    report.state = next_state(report.state, action)
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["state", *fields.keys()])
    return before


def _reason(reason: str | None, *, required: bool = True, label: str = "理由") -> str:
    text = _text(reason)
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={"reason": [f"请填写{label}。"]})
    if len(text) > 2000:
        raise ValidationFailed(f"{label}不能超过 2000 字。", field_errors={"reason": ["过长。"]})
    return text
