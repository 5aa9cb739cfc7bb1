"""Routing (受理归口): who may route, and forwarding a report up, down to a lower unit or to a lower
commission, with the copies the other commission receives and the timers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import close_deadline, deadline_for, open_deadline
from xiezuoqu.errors import InvalidTransition, RuleViolation, ValidationFailed
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import Report, ReportAccused, ReporterIdentity, RoutingDecision
from xiezuoqu.intake.selectors import UNIT_ROUTER_ROLES, may_route
from xiezuoqu.intake.workflow import ACTION_LABELS, Action, State, next_state
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import Commission, Unit

from ._common import _close_if_open, _decision, _due, _event, _lock, _move, _reason, _refuse, _text, zone_of_unit
from .inputs import _write_identity
from .notifications import _notify, _registrars_for, _users_with_roles_at

# Which decisions copy the due date of which timer, and how the timer's report is the decision's:
# the report itself (报送上级, 转下级办理) or, for 转下级纪委监委, the copy the lower commission received.
DECISION_COPIES = {
    rules.FORWARD_UP.kind: ((Action.FORWARD_UP, "report_id"),),
    rules.FORWARD_DOWN.kind: ((Action.FORWARD_DOWN, "report_id"), (Action.FORWARD_LOWER, "forwarded_report_id")),
}


def decision_due_recomputed(deadline: Any, old_due: date) -> None:
    """The year's calendar was entered and the report's timer recounted: the decision's copy follows."""
    for action, link in DECISION_COPIES.get(deadline.kind, ()):
        RoutingDecision.objects.filter(**{link: deadline.target_id}, kind=action, due_on=old_due).update(
            due_on=deadline.due_date, due_provisional=deadline.due_provisional
        )


def _check_router(actor: Actor, report: Report, action: str) -> None:
    next_state(report.state, action)
    if not may_route(actor, report):
        where = report.routing_unit.name if report.routing_unit_id and report.routing_unit else "受理单位"
        raise _refuse(f"只有信访室或{where}的登记员、纪委书记可以作出“{ACTION_LABELS[action]}”决定。", report, action)


def _settle_forward_down(actor: Actor, report: Report, request: HttpRequest | None) -> None:
    """The lower level decided on a report sent down to it — within the commission, or a copy the
    higher commission sent to this one's ledger: its 5 WD timer is met."""
    if report.state == State.FORWARDED_DOWN or (report.state == State.REGISTERED and report.forwarded_from_id):
        _close_if_open(actor, report, rules.FORWARD_DOWN.kind, request)


def _assignable_unit(actor: Actor, report: Report, unit_id: Any, *, label: str) -> Unit:
    unit = (
        Unit.objects.filter(pk=unit_id, commission_id=report.commission_id, is_active=True)
        .exclude(kind__in=[Unit.Kind.LEADERSHIP, Unit.Kind.PARTY_COMMITTEE, Unit.Kind.DEPARTMENT])
        .first()
        if as_key(unit_id) is not None
        else None
    )
    if unit is None:
        raise ValidationFailed(f"请选择本纪委监委的{label}。", field_errors={"unit": [f"请选择{label}。"]})
    return unit


def _set_zone_if_missing(report: Report, unit: Unit) -> dict[str, Any]:
    if report.zone_id is None:
        zone = zone_of_unit(unit)
        if zone is not None:
            return {"zone": zone}
    return {}


def _forward_up(
    actor: Actor, report: Report, *, reason: str, rule: str, target_agency: str, request: HttpRequest | None
) -> RoutingDecision:
    commission = Commission.objects.select_related("parent").get(pk=report.commission_id)
    parent = commission.parent
    agency = _text(target_agency)
    if parent is None and not agency:
        agency = "上一级纪检监察机关"
    decision = _decision(
        report,
        actor,
        Action.FORWARD_UP,
        reason=reason,
        rule=rule,
        target_commission=parent,
        target_agency=agency if parent is None else "",
        **_due(report.received_on, rules.FORWARD_UP.working_days),
    )
    before = _move(report, Action.FORWARD_UP)
    _event(
        actor,
        "forwarded_up",
        report,
        before,
        request,
        reason=reason,
        rule=rule,
        target=parent.name if parent else agency,
        in_system=parent is not None,
    )
    open_deadline(
        actor=actor,
        target=report,
        kind=rules.FORWARD_UP.kind,
        label=f"{rules.FORWARD_UP.label}（{report}）",
        start=report.received_on,
        working_days=rules.FORWARD_UP.working_days,
        responsible_unit=report.routing_unit or report.ledger_unit,
        request=request,
    )
    return decision


def forward_report_up(
    *, actor: Actor, report_id: Any, reason: str, target_agency: str = "", request: HttpRequest | None = None
) -> Report:
    """报送上级: the matter belongs to the higher level; it goes to the head and up within 5 WD of receipt."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.FORWARD_UP)
        text = _reason(reason)
        _settle_forward_down(actor, report, request)
        _forward_up(
            actor, report, reason=text, rule=rules.FORWARD_UP.rule, target_agency=target_agency, request=request
        )
    return report


def record_forward_sent(
    *,
    actor: Actor,
    report_id: Any,
    sent_via: str,
    document_no: str = "",
    sent_on: date | None = None,
    request: HttpRequest | None = None,
) -> RoutingDecision:
    """The report left for the higher level: in the system (the parent commission receives a copy,
    identity re-sealed for it) or by letter (a recorded export with its document number)."""
    sent_on = sent_on or timezone.localdate()
    via = _text(sent_via)
    with transaction.atomic():
        report = _lock(actor, report_id)
        if report.state != State.FORWARDED_UP:
            raise InvalidTransition(f"该件当前状态为“{report.get_state_display()}”，不是报送上级件。")
        if not may_route(actor, report):
            raise _refuse("只有信访室或受理单位可以登记报送情况。", report, "forward_sent")
        decision = report.decisions.filter(kind=Action.FORWARD_UP).order_by("-id").first()
        assert decision is not None
        if decision.sent_on is not None:
            raise InvalidTransition(f"该件已于 {decision.sent_on:%Y-%m-%d} 报送，不能重复报送。")
        if sent_on > timezone.localdate() or sent_on < report.received_on:
            raise ValidationFailed("报送日期须在收件日期与今天之间。", field_errors={"sent_on": ["日期有误。"]})
        copy = None
        if decision.target_commission_id is not None:
            copy = _copy_to_commission(report, decision.target_commission_id)
            via = via or "系统内报送"
        elif not via:
            raise ValidationFailed(
                "请填写报送方式（如机要交换、书面报送）。", field_errors={"sent_via": ["请填写报送方式。"]}
            )
        decision.sent_on, decision.sent_via = sent_on, via[:40]
        decision.document_no = _text(document_no)[:60]
        decision.forwarded_report = copy
        decision.save(update_fields=["sent_on", "sent_via", "document_no", "forwarded_report"])
        record_event(
            actor=actor,
            action="report.forward_sent",
            target=report,
            detail={
                "sent_on": sent_on,
                "via": decision.sent_via,
                "document_no": decision.document_no,
                "copy": copy.pk if copy else None,
            },
            request=request,
        )
        deadline = deadline_for(report, rules.FORWARD_UP.kind)
        if deadline is not None and deadline.state == "open":
            close_deadline(actor=actor, target=report, kind=rules.FORWARD_UP.kind, met_on=sent_on, request=request)
    return decision


def _copy_to_commission(report: Report, commission_id: int, *, office: Unit | None = None, note: str = "") -> Report:
    """The report as received by another commission's petition office: a new *received* report there
    pointing back at this one, its accused copied, the reporter's identity opened and sealed again
    for the copy (each sealed value is bound to its report). Recorded as that commission's event."""
    if office is None:
        office = Unit.objects.filter(
            commission_id=commission_id, kind=Unit.Kind.PETITION_OFFICE, is_active=True
        ).first()
    if office is None:
        raise RuleViolation("上级纪委监委在本平台未设信访室，请改为书面报送并登记文号。")
    copy = Report.objects.create(
        commission_id=commission_id,
        ledger_unit=office,
        channel=report.channel,
        received_on=timezone.localdate(),
        state=next_state(None, Action.RECEIVE),
        summary=report.summary,
        content=report.content,
        category=report.category,
        township=report.township,
        village=report.village,
        is_real_name=report.is_real_name,
        forwarded_from=report,
    )
    ReportAccused.objects.bulk_create(
        ReportAccused(
            report=copy,
            name=a.name,
            unit_text=a.unit_text,
            position=a.position,
            township=a.township,
            village=a.village,
            name_index=a.name_index,
            staff=a.staff,
            order=a.order,
        )
        for a in report.accused.all()
    )
    identity = ReporterIdentity.objects.filter(report=report).first()
    if identity is not None:
        _write_identity(copy, identity.opened())
    record_event(
        actor=None,
        action="report.received",
        target=copy,
        detail={"forwarded_from": report.pk, "from_commission": report.commission_id},
    )
    _notify(copy, _registrars_for(office), note or f"下级纪委监委报送件待登记（{report}）")
    return copy


def forward_report_down(
    *, actor: Actor, report_id: Any, unit_id: Any, reason: str, request: HttpRequest | None = None
) -> Report:
    """转下级办理: the lower unit accepts or re-forwards within 5 WD."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.FORWARD_DOWN)
        text = _reason(reason)
        unit = _assignable_unit(actor, report, unit_id, label="下级单位")
        if unit.kind not in (Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.DISPATCHED_GROUP):
            raise ValidationFailed(
                "只能转乡镇（街道）纪委或派驻纪检监察组办理。", field_errors={"unit": ["请选择下级单位。"]}
            )
        if unit.pk in (report.routing_unit_id, report.ledger_unit_id):
            raise RuleViolation("不能转给本单位。")
        _settle_forward_down(actor, report, request)
        today = timezone.localdate()
        _decision(
            report,
            actor,
            Action.FORWARD_DOWN,
            reason=text,
            rule=rules.FORWARD_DOWN.rule,
            target_unit=unit,
            **_due(today, rules.FORWARD_DOWN.working_days),
        )
        before = _move(report, Action.FORWARD_DOWN, routing_unit=unit, **_set_zone_if_missing(report, unit))
        _event(actor, "forwarded_down", report, before, request, unit=unit.pk, reason=text)
        open_deadline(
            actor=actor,
            target=report,
            kind=rules.FORWARD_DOWN.kind,
            label=f"{rules.FORWARD_DOWN.label}（{report}）",
            start=today,
            working_days=rules.FORWARD_DOWN.working_days,
            responsible_unit=unit,
            request=request,
        )
        _notify(
            report,
            _users_with_roles_at([unit.pk], UNIT_ROUTER_ROLES),
            f"{report} 已转本单位办理，请于5个工作日内受理或再转办",
            exclude=[actor.user_id],
        )
    return report


def lower_commissions(report: Report) -> list[Commission]:
    """The commissions directly below the report's own (Commission.parent): the in-system targets of
    转下级纪委监委. Only those with an active petition office can receive."""
    return list(Commission.objects.filter(parent_id=report.commission_id).order_by("name"))


def forward_report_to_lower_commission(
    *,
    actor: Actor,
    report_id: Any,
    reason: str,
    commission_id: Any = None,
    agency: str = "",
    sent_via: str = "",
    document_no: str = "",
    request: HttpRequest | None = None,
) -> Report:
    """转下级纪委监委办理: the matter belongs to a lower commission (a county's, below a city's).

    On the platform (``commission_id``: a commission whose parent is the report's): in the same
    transaction its petition office receives a copy — accused and, for a real-name report, the
    reporter's identity re-sealed for the copy — with a 5 WD timer to accept or re-forward it there
    (``rules.FORWARD_DOWN``, closed by its first routing decision). Not on the platform (``agency``):
    a recorded letter with its way and document number (the 转办函 from ``exports``). Either way the
    report leaves this ledger as *forwarded_lower*, the mirror of ``record_forward_sent`` for the
    higher level.
    """
    text = _reason(reason)
    agency, via, number = _text(agency), _text(sent_via), _text(document_no)
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.FORWARD_LOWER)
        today = timezone.localdate()
        target: Commission | None = None
        if commission_id not in (None, ""):
            target = (
                Commission.objects.filter(pk=commission_id, parent_id=report.commission_id).first()
                if as_key(commission_id) is not None
                else None
            )
            if target is None:
                raise ValidationFailed(
                    "请选择本纪委监委的下一级纪委监委。", field_errors={"commission": ["请选择下级纪委监委。"]}
                )
        elif not agency:
            raise ValidationFailed(
                "请选择下级纪委监委；不在本平台的，请填写机关名称。",
                field_errors={"commission": ["请选择下级纪委监委或填写机关名称。"]},
            )
        elif len(agency) > 100:
            raise ValidationFailed("机关名称过长。", field_errors={"agency": ["过长。"]})
        elif not via:
            raise ValidationFailed(
                "不在本平台的下级机关，请填写转送方式（如机要交换、书面转送）。",
                field_errors={"sent_via": ["请填写转送方式。"]},
            )
        _settle_forward_down(actor, report, request)
        decision = _decision(
            report,
            actor,
            Action.FORWARD_LOWER,
            reason=text,
            rule=rules.FORWARD_LOWER,
            target_commission=target,
            target_agency="" if target is not None else agency,
            **(_due(today, rules.FORWARD_DOWN.working_days) if target is not None else {}),
        )
        copy = _copy_to_lower(report, target, actor) if target is not None else None
        decision.sent_on = today
        decision.sent_via = "系统内转办" if target is not None else via[:40]
        decision.document_no = number[:60]
        decision.forwarded_report = copy
        decision.save(update_fields=["sent_on", "sent_via", "document_no", "forwarded_report"])
        before = _move(report, Action.FORWARD_LOWER)
        _event(
            actor,
            "forwarded_lower",
            report,
            before,
            request,
            reason=text,
            target=target.name if target is not None else agency,
            in_system=target is not None,
            copy=copy.pk if copy is not None else None,
            via=decision.sent_via,
            document_no=decision.document_no,
        )
    return report


def _copy_to_lower(report: Report, commission: Commission, actor: Actor) -> Report:
    """The lower commission's petition office receives the report (as ``_copy_to_commission`` does for
    the parent) and its 5 WD timer to accept or re-forward starts today."""
    office = (
        Unit.objects.filter(commission_id=commission.pk, kind=Unit.Kind.PETITION_OFFICE, is_active=True)
        .order_by("pk")
        .first()
    )
    if office is None:
        raise RuleViolation(f"{commission.name}在本平台未设信访室，请改为书面转送并登记文号。")
    copy = _copy_to_commission(report, commission.pk, office=office, note=f"上级纪委监委转办件待登记（{report}）")
    open_deadline(
        actor=None,
        target=copy,
        kind=rules.FORWARD_DOWN.kind,
        label=f"{rules.FORWARD_DOWN.label}（{commission.short_name or commission.name}收{report}）",
        start=timezone.localdate(),
        working_days=rules.FORWARD_DOWN.working_days,
        responsible_unit=office,
        zone=None,
    )
    return copy
