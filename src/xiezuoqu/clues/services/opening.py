"""登记线索: a clue opened into the handling unit's ledger (numbered under the unit's counter lock, its
1-month disposal timer started, put into the duplicate index), and further accepted reports joining it (并入)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues import rules
from xiezuoqu.clues.models import Clue, ClueCounter, ClueReport, Source
from xiezuoqu.clues.selectors import may_open_at
from xiezuoqu.clues.services._common import _check_worker, _lock, _move, _place, _required, _sign, _text
from xiezuoqu.clues.workflow import Action, next_state
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.models import Category, Report
from xiezuoqu.intake.selectors import can_view_report
from xiezuoqu.intake.services import format_number, zone_of_unit
from xiezuoqu.intake.workflow import State as ReportState
from xiezuoqu.keys import as_key
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Unit

CLUE_PATTERN = "{commission}{unit}线〔{year}〕{seq}号"


# Reports a clue may be opened from or join: accepted (受理) and, once assigned, assigned to the clue's unit.
JOINABLE_REPORT_STATES = frozenset({ReportState.ACCEPTED, ReportState.ASSIGNED})


@dataclass(frozen=True)
class ClueInput:
    handling_unit_id: int
    source: str
    category: str
    summary: str
    received_on: date | None = None
    content: str = ""
    source_note: str = ""
    township_id: int | None = None
    village_id: int | None = None
    report_ids: Sequence[int] = field(default_factory=tuple)


def _next_number(unit: Unit, year: int) -> tuple[int, str]:
    """Draw the next sequence of ``unit``'s clue ledger in ``year`` (see xiezuoqu.numbering). The
    unique constraint on (handling unit, year, seq) is the backstop."""
    seq = next_in_sequence(ClueCounter, unit=unit, year=year)
    return seq, format_number(CLUE_PATTERN, commission=unit.commission, unit=unit, year=year, seq=seq)


def _joinable_reports(actor: Actor, clue_unit: Unit, report_ids: Sequence[Any]) -> list[Report]:
    ids = sorted({k for r in report_ids if (k := as_key(r)) is not None})
    reports = list(Report.objects.select_for_update().filter(pk__in=ids).order_by("id"))
    if len(reports) != len(ids):
        raise NotFound("所选检举控告件不存在或无权查看。")
    taken = dict(ClueReport.objects.filter(report_id__in=ids).values_list("report_id", "clue__ledger_number"))
    for report in reports:
        if not can_view_report(actor, report) or report.commission_id != clue_unit.commission_id:
            raise NotFound("所选检举控告件不存在或无权查看。")
        if report.pk in taken:
            raise RuleViolation(f"{report} 已并入线索 {taken[report.pk]}，不能重复办理。")
        if report.state not in JOINABLE_REPORT_STATES:
            raise RuleViolation(f"{report} 当前为“{report.get_state_display()}”，只有已受理的检举控告件可以形成线索。")
        if report.handling_unit_id not in (None, clue_unit.pk):
            raise RuleViolation(f"{report} 已分办{report.handling_unit}承办，不能并入其他单位的线索。")
    return reports


def _link_reports(actor: Actor, clue: Clue, reports: list[Report]) -> None:
    assert actor.user_id is not None
    ClueReport.objects.bulk_create([ClueReport(clue=clue, report=r, added_by_id=actor.user_id) for r in reports])


def open_clue(*, actor: Actor, data: ClueInput, request: HttpRequest | None = None) -> Clue:
    """登记线索: into the handling unit's ledger, from accepted reports (several may join one clue) or
    from another source; numbered under the unit's counter lock; the 1-month disposal timer starts."""
    if actor.commission_id is None:
        raise NotPermitted("只有本纪委监委的干部可以登记线索。")
    if data.source not in Source.values:
        raise ValidationFailed("请选择线索来源。", field_errors={"source": ["请选择。"]})
    if data.category not in Category.values:
        raise ValidationFailed("请选择问题类别。", field_errors={"category": ["请选择。"]})
    summary = _required(data.summary, "summary", "主要问题摘要")[:200]
    if data.source == Source.REPORTS and not data.report_ids:
        raise ValidationFailed(
            "来源为检举控告的线索，请选择至少一件已受理的检举控告件。", field_errors={"report_ids": ["请选择。"]}
        )
    if data.source != Source.REPORTS and data.report_ids:
        raise ValidationFailed("只有来源为检举控告的线索可以关联检举控告件。", field_errors={"source": ["请改选。"]})
    if data.source != Source.REPORTS and not data.received_on:
        raise ValidationFailed("请填写收到日期。", field_errors={"received_on": ["请填写。"]})
    with transaction.atomic():
        unit = (
            Unit.objects.filter(pk=data.handling_unit_id, commission_id=actor.commission_id)
            .select_related("commission")
            .first()
        )
        if unit is None:
            raise ValidationFailed("所选承办单位不存在。", field_errors={"handling_unit": ["请重新选择。"]})
        zone = zone_of_unit(unit)
        if not may_open_at(actor, unit, zone.pk if zone else None):
            raise NotPermitted(f"您不能在“{unit.name}”的线索台账中登记线索。")
        reports = _joinable_reports(actor, unit, data.report_ids)
        received_on = data.received_on or min(r.received_on for r in reports)
        if received_on > timezone.localdate():
            raise ValidationFailed("收到日期不能晚于今天。", field_errors={"received_on": ["不能晚于今天。"]})
        township, village = _place(unit.commission_id, data.township_id, data.village_id)
        if township is None and reports:
            township, village = reports[0].township, reports[0].village
        seq, number = _next_number(unit, received_on.year)
        assert actor.user_id is not None
        clue = Clue.objects.create(
            commission_id=unit.commission_id,
            handling_unit=unit,
            zone=zone,
            ledger_year=received_on.year,
            ledger_seq=seq,
            ledger_number=number,
            source=data.source,
            source_note=_text(data.source_note)[:200],
            category=data.category,
            summary=summary,
            content=_text(data.content),
            received_on=received_on,
            township=township,
            village=village,
            state=next_state(None, Action.OPEN),
            state_changed_at=timezone.now(),
            registered_by_id=actor.user_id,
        )
        _link_reports(actor, clue, reports)
        record_event(
            actor=actor,
            action="clue.opened",
            target=clue,
            changes={"state": [None, clue.state], "ledger_number": [None, number]},
            detail={"unit": unit.pk, "source": data.source, "reports": [r.pk for r in reports]},
            request=request,
        )
        _sign(clue, actor, Action.OPEN, "")
        index_clue(clue)
        open_deadline(
            actor=actor,
            target=clue,
            kind=rules.DISPOSAL.kind,
            label=f"{number} 处置",
            start=received_on,
            months=rules.DISPOSAL.months,
            responsible_unit=unit,
            zone=zone,
            request=request,
        )
    return clue


def index_clue(clue: Clue) -> None:
    """Put the clue into the duplicate index, so registrars see it beside similar new reports."""
    from xiezuoqu.dedup.services import index_document
    from xiezuoqu.intake.models import ReportAccused

    names = list(
        ReportAccused.objects.filter(report__in=clue.report_links.values("report_id"))
        .exclude(name__in=["", "不详"])
        .values_list("name", flat=True)
    )
    index_document(
        kind="clue",
        object_id=clue.pk,
        commission_id=clue.commission_id,
        text=f"{clue.summary}\n{clue.content}",
        accused_names=names,
    )


def join_reports(*, actor: Actor, clue_id: Any, report_ids: Sequence[Any], request: HttpRequest | None = None) -> Clue:
    """并入: further accepted reports about the same matter join an open clue (not handled twice)."""
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.JOIN_REPORTS)
        next_state(clue.state, Action.JOIN_REPORTS)
        if not report_ids:
            raise ValidationFailed("请选择要并入的检举控告件。", field_errors={"report_ids": ["请选择。"]})
        unit = Unit.objects.select_related("commission").get(pk=clue.handling_unit_id)
        reports = _joinable_reports(actor, unit, report_ids)
        _link_reports(actor, clue, reports)
        _move(actor, clue, Action.JOIN_REPORTS, request, note="并入 " + "、".join(str(r) for r in reports))
        index_clue(clue)  # the joined reports' accused now match the clue too
    return clue
