"""Archive (归档) and the quarterly result report (季度报送) of a handling unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import deadline_for, open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import MessageKind, QuarterlyResultReport, Report
from xiezuoqu.intake.selectors import HANDLER_ROLES, may_archive, quarter_bounds
from xiezuoqu.intake.workflow import Action, State, next_state
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import Unit

from ._common import _close_if_open, _event, _lock, _move, _refuse, _text


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _ensure_quarterly(actor: Actor | None, report: Report, request: HttpRequest | None) -> None:
    """A concluded real-name report puts its handling unit's quarterly result report on the clock."""
    assert report.concluded_on is not None and report.handling_unit is not None
    year, quarter = report.concluded_on.year, _quarter_of(report.concluded_on)
    row, created = QuarterlyResultReport.objects.get_or_create(
        handling_unit=report.handling_unit,
        year=year,
        quarter=quarter,
        defaults={"commission_id": report.commission_id},
    )
    if created:
        _, end = quarter_bounds(year, quarter)
        open_deadline(
            actor=actor,
            target=row,
            kind=rules.QUARTERLY_RESULT.kind,
            label=f"{report.handling_unit.name}{year}年第{quarter}季度{rules.QUARTERLY_RESULT.label}",
            start=end,
            working_days=rules.QUARTERLY_RESULT.working_days,
            responsible_unit=report.handling_unit,
            request=request,
        )


def archive_report(*, actor: Actor, report_id: Any, request: HttpRequest | None = None) -> Report:
    """归档: only when every duty to the reporter is done and a forwarded report has left."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        next_state(report.state, Action.ARCHIVE)
        if not may_archive(actor, report):
            raise _refuse("只有信访室或登记单位可以归档。", report, "archive")
        problems = []
        if report.state == State.CONCLUDED and report.is_real_name:
            problems.append("实名举报须先向举报人反馈办理结果")
        notice = deadline_for(report, rules.ACCEPTANCE_NOTICE.kind)
        if notice is not None and notice.state == "open":
            problems.append("尚未告知实名举报人受理情况")
        if (
            report.state == State.FORWARDED_UP
            and report.decisions.filter(kind=Action.FORWARD_UP, sent_on__isnull=True).exists()
        ):
            problems.append("尚未登记报送上级的情况")
        open_objections = report.messages.filter(kind=MessageKind.OBJECTION).exclude(
            replies__kind=MessageKind.OBJECTION_ANSWER
        )
        if open_objections.exists():
            problems.append("举报人的异议尚未答复")
        if problems:
            raise RuleViolation("暂不能归档：" + "；".join(problems) + "。")
        before = _move(report, Action.ARCHIVE, archived_at=timezone.now())
        _event(actor, "archived", report, before, request)
    return report


def submit_quarterly_report(
    *, actor: Actor, unit_id: Any, year: int, quarter: int, note: str = "", request: HttpRequest | None = None
) -> QuarterlyResultReport:
    """季度报送: the handling unit reports its concluded real-name reports of a quarter to the 信访室."""
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2999:
        raise ValidationFailed("请选择年度和季度。", field_errors={"quarter": ["请选择季度。"]})
    start, end = quarter_bounds(year, quarter)
    if timezone.localdate() <= end:
        raise RuleViolation(f"{year}年第{quarter}季度尚未结束，结束后再报送。")
    unit = Unit.objects.filter(pk=as_key(unit_id) or 0, commission_id=actor.commission_id).first()
    if unit is None:
        raise NotFound()
    works_there = any(r in actor.roles and unit.pk in actor.units_for_role(r) for r in HANDLER_ROLES)
    if not (actor.is_staff_worker and works_there):
        raise NotPermitted("只有承办单位的干部可以报送本单位的季度办理结果。")
    with transaction.atomic():
        row, _ = QuarterlyResultReport.objects.select_for_update().get_or_create(
            handling_unit=unit, year=year, quarter=quarter, defaults={"commission_id": unit.commission_id}
        )
        if row.submitted_at is not None:
            raise InvalidTransition(f"该季度已于 {timezone.localtime(row.submitted_at):%Y-%m-%d} 报送。")
        count = Report.objects.filter(
            handling_unit=unit, is_real_name=True, concluded_on__gte=start, concluded_on__lte=end
        ).count()
        row.submitted_at, row.submitted_by_id = timezone.now(), actor.user_id
        row.report_count, row.note = count, _text(note)[:2000]
        row.save(update_fields=["submitted_at", "submitted_by", "report_count", "note"])
        record_event(
            actor=actor,
            action="report.quarterly_submitted",
            target=row,
            detail={"unit": unit.pk, "year": year, "quarter": quarter, "count": count},
            request=request,
            commission_id=unit.commission_id,
        )
        _close_if_open(actor, row, rules.QUARTERLY_RESULT.kind, request)
    return row
