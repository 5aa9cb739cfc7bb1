"""Disposal: 受理, 不予受理, 转其他机关, 重复件, 分办, and 办结 (by the handling unit or with the clue's matter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import NotAcceptGround, Report
from xiezuoqu.intake.selectors import can_view_report, is_petition_office, may_handle
from xiezuoqu.intake.workflow import TRANSITIONS, Action, State, next_state

from ._common import _decision, _event, _lock, _move, _reason, _refuse, _text
from .archive import _ensure_quarterly
from .notifications import _notify, _users_with_roles_at
from .routing import _assignable_unit, _check_router, _set_zone_if_missing, _settle_forward_down


def accept_report(
    *,
    actor: Actor,
    report_id: Any,
    reason: str = "",
    handling_unit_id: Any = None,
    request: HttpRequest | None = None,
) -> Report:
    """受理 (and, with a handling unit, 分办 in the same step)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.ACCEPT)
        text = _reason(reason, required=False)
        _settle_forward_down(actor, report, request)
        _decision(report, actor, Action.ACCEPT, reason=text or "属于本机关受理范围。", rule=rules.ACCEPT)
        before = _move(report, Action.ACCEPT, accepted_on=timezone.localdate())
        _event(actor, "accepted", report, before, request, reason=text)
        if handling_unit_id not in (None, ""):
            _assign(actor, report, handling_unit_id, reason=text, request=request)
    return report


def not_accept_report(
    *, actor: Actor, report_id: Any, ground: str, reason: str, request: HttpRequest | None = None
) -> Report:
    """不予受理 on one of the three grounds, with a reason."""
    if ground not in NotAcceptGround.values:
        raise ValidationFailed(
            "请选择不予受理的情形（三种之一）。", field_errors={"ground": ["请选择不予受理的情形。"]}
        )
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.NOT_ACCEPT)
        text = _reason(reason)
        _settle_forward_down(actor, report, request)
        _decision(report, actor, Action.NOT_ACCEPT, reason=text, rule=rules.NOT_ACCEPT, ground=ground)
        before = _move(report, Action.NOT_ACCEPT)
        _event(actor, "not_accepted", report, before, request, ground=ground, reason=text)
    return report


def transfer_report(
    *, actor: Actor, report_id: Any, agency: str, reason: str, request: HttpRequest | None = None
) -> Report:
    """转其他机关: outside the commission's remit; the receiving agency and the reason are on record."""
    agency = _text(agency)
    if not agency:
        raise ValidationFailed("请填写接收机关。", field_errors={"agency": ["请填写接收机关。"]})
    if len(agency) > 100:
        raise ValidationFailed("接收机关名称过长。", field_errors={"agency": ["过长。"]})
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.TRANSFER)
        text = _reason(reason)
        _settle_forward_down(actor, report, request)
        _decision(report, actor, Action.TRANSFER, reason=text, rule=rules.TRANSFER, target_agency=agency)
        before = _move(report, Action.TRANSFER)
        _event(actor, "transferred", report, before, request, agency=agency, reason=text)
    return report


def mark_repeat(
    *, actor: Actor, report_id: Any, original_id: Any, reason: str = "", request: HttpRequest | None = None
) -> Report:
    """重复件: registered and stored, linked to the earlier report, not handled twice."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.MARK_REPEAT)
        try:
            original = Report.objects.filter(pk=int(original_id)).first()
        except (TypeError, ValueError):
            original = None
        if original is None or not can_view_report(actor, original):
            raise ValidationFailed(
                "请选择您可以查看的原件。", field_errors={"original": ["原件不存在或不在您的查看范围内。"]}
            )
        if original.repeat_of_id is not None:
            original = Report.objects.get(pk=original.repeat_of_id)
        if original.pk == report.pk:
            raise RuleViolation("不能把一件作为自己的重复件。")
        if original.commission_id != report.commission_id or original.state == State.RECEIVED:
            raise RuleViolation("原件须是本纪委监委已登记的件。")
        text = _reason(reason, required=False) or f"与 {original} 反映问题相同。"
        _settle_forward_down(actor, report, request)
        _decision(report, actor, Action.MARK_REPEAT, reason=text, rule=rules.REPEAT, repeat_of=original)
        before = _move(report, Action.MARK_REPEAT, repeat_of=original)
        _event(actor, "marked_repeat", report, before, request, original=original.pk, reason=text)
    return report


def _assign(actor: Actor, report: Report, unit_id: Any, *, reason: str, request: HttpRequest | None) -> None:
    unit = _assignable_unit(actor, report, unit_id, label="承办单位")
    if not is_petition_office(actor) and unit.pk != report.routing_unit_id:
        raise _refuse("由受理单位自行承办；分办给其他单位请由信访室办理。", report, "assign")
    if report.state == State.ASSIGNED:
        if unit.pk == report.handling_unit_id:
            raise RuleViolation("该件已由该单位承办。")
        if not reason:
            raise ValidationFailed("改派承办单位须说明理由。", field_errors={"reason": ["请填写理由。"]})
    _decision(report, actor, Action.ASSIGN, reason=reason or "分办承办。", rule=rules.ASSIGN, target_unit=unit)
    before = _move(report, Action.ASSIGN, handling_unit=unit, **_set_zone_if_missing(report, unit))
    _event(actor, "assigned", report, before, request, unit=unit.pk, reason=reason)
    _notify(
        report,
        _users_with_roles_at([unit.pk], [Role.TOWNSHIP_SECRETARY, Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF]),
        f"{report} 已分办本单位承办",
        exclude=[actor.user_id],
    )


def assign_report(
    *, actor: Actor, report_id: Any, unit_id: Any, reason: str = "", request: HttpRequest | None = None
) -> Report:
    """分办: an accepted report goes to a handling unit (改派 with a reason)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        _check_router(actor, report, Action.ASSIGN)
        _assign(actor, report, unit_id, reason=_reason(reason, required=False), request=request)
    return report


def conclude_report(
    *,
    actor: Actor,
    report_id: Any,
    result: str,
    concluded_on: date | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """办结: the handling unit records the result (a real-name reporter is told within 15 WD)."""
    day = concluded_on or timezone.localdate()
    with transaction.atomic():
        report = _lock(actor, report_id)
        next_state(report.state, Action.CONCLUDE)
        if not may_handle(actor, report):
            raise _refuse("只有承办单位（或所在协作区组长、副组长）可以办结。", report, "conclude")
        text = _reason(result, label="处理结果")
        if day > timezone.localdate() or (report.accepted_on and day < report.accepted_on):
            raise ValidationFailed("办结日期须在受理日期与今天之间。", field_errors={"concluded_on": ["日期有误。"]})
        _conclude(actor, report, text, day, request)
    return report


def _conclude(actor: Actor | None, report: Report, text: str, day: date, request: HttpRequest | None) -> None:
    """The conclusion itself, on a locked report whose move the caller has checked."""
    _decision(report, actor, Action.CONCLUDE, reason=text)
    before = _move(report, Action.CONCLUDE, concluded_on=day, result=text)
    _event(actor, "concluded", report, before, request)
    if report.is_real_name or report.source_public:
        open_deadline(
            actor=actor,
            target=report,
            kind=rules.RESULT_FEEDBACK.kind,
            label=f"{rules.RESULT_FEEDBACK.label}（{report}）",
            start=day,
            working_days=rules.RESULT_FEEDBACK.working_days,
            responsible_unit=report.handling_unit,
            request=request,
        )
    if report.is_real_name:
        _ensure_quarterly(actor, report, request)


def conclude_reports_of_clue(
    *, actor: Actor | None, clue_id: int, result: str, request: HttpRequest | None = None
) -> list[Report]:
    """办结 the reports joined to a clue when its matter ends (the case's decision announced, or the case
    withdrawn), inside the caller's transaction. The case flow has checked the actor's authority over
    the matter; each report is concluded as its handling unit would, and a real-name or public reporter's
    15-WD result-feedback duty opens (检举控告规则). Reports already concluded are left as they are."""
    from xiezuoqu.clues.models import ClueReport

    text = _reason(result, label="处理结果")
    ids = list(ClueReport.objects.filter(clue_id=clue_id).values_list("report_id", flat=True))
    concludable = [before for (before, action) in TRANSITIONS if action == Action.CONCLUDE]
    reports = list(Report.objects.select_for_update().filter(pk__in=ids, state__in=concludable).order_by("id"))
    day = timezone.localdate()
    for report in reports:
        _conclude(actor, report, text, day, request)
    return reports
