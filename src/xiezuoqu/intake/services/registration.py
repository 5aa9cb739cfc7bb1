"""Registration (登记): a report enters a unit's ledger with the next number and is reported to the petition
office and the zone concerned.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connections, router
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import deferred_events, diff, record_event, snapshot
from xiezuoqu.deadlines.services import open_deadline
from xiezuoqu.errors import NotPermitted, ValidationFailed
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import Category, LedgerCounter, Report, ReportAccused
from xiezuoqu.intake.selectors import is_registrar_of, petition_office_units, registrar_units, units_without_registrar
from xiezuoqu.intake.workflow import Action, State, next_state
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import StaffMember, Unit, Zone

from ._common import _lock, _refuse, _text, zone_concerned, zone_of_unit
from .index import index_report, prepare_index
from .inputs import HEAD_CHECK_TICK, ReportInput, _check_head_doubts, _clean, _place, _write_accused, _write_identity
from .notifications import _head_staff_ids, _notify
from .numbers import _ledger_context, _next_number, format_number
from .routing import _forward_up


def registration_recipients(report: Report) -> set[int]:
    """受理归口: a registered report is reported at once to the city 信访室 and the zone's 纪检监察室
    (and its leader). One query, whatever the size of the commission."""
    return _registration_recipients_orm(report.commission_id, report.zone)


@lru_cache(maxsize=8)
def _recipients_sql(alias: str) -> str:
    """``_registration_recipients`` as one plain statement, built once (the ORM spent ≈ 1.5 ms of CPU
    building the joins for every registration). A test holds it equal to the ORM form."""
    quote = connections[alias].ops.quote_name
    ra, user = quote(RoleAssignment._meta.db_table), quote(User._meta.db_table)
    unit, staff = quote(Unit._meta.db_table), quote(StaffMember._meta.db_table)
    return (
        f"SELECT DISTINCT ra.{quote('user_id')} FROM {ra} ra "
        f"JOIN {user} u ON u.{quote('id')} = ra.{quote('user_id')} "
        f"LEFT JOIN {unit} n ON n.{quote('id')} = ra.{quote('unit_id')} "
        f"LEFT JOIN {staff} s ON s.{quote('id')} = u.{quote('staff_id')} "
        f"WHERE u.{quote('is_active')} AND ("
        f"(ra.{quote('role')} = %s AND u.{quote('commission_id')} = %s) "
        f"OR (ra.{quote('role')} IN (%s, %s) AND n.{quote('commission_id')} = %s AND n.{quote('kind')} = %s) "
        f"OR (ra.{quote('role')} = %s AND ra.{quote('unit_id')} = %s) "
        f"OR (ra.{quote('role')} = %s AND ra.{quote('unit_id')} IS NULL AND s.{quote('home_unit_id')} = %s) "
        f"OR (ra.{quote('role')} = %s AND u.{quote('staff_id')} = %s))"
    )


def _registration_recipients(commission_id: int, zone: Zone | None) -> set[int]:
    """``registration_recipients`` for a report of ``commission_id`` in ``zone`` (one plain statement)."""
    office = zone.inspection_office_id if zone is not None else None
    leader = zone.leader_id if zone is not None else None
    alias = router.db_for_read(RoleAssignment)
    params = [
        Role.PETITION_STAFF,
        commission_id,
        Role.REGISTRAR,
        Role.PETITION_STAFF,
        commission_id,
        Unit.Kind.PETITION_OFFICE,
        Role.INSPECTION_STAFF,
        office,  # NULL matches nothing: no zone, or a zone without a lead office
        Role.INSPECTION_STAFF,
        office,
        Role.ZONE_LEADER,
        leader,
    ]
    with connections[alias].cursor() as cursor:
        cursor.execute(_recipients_sql(alias), [str(p) if isinstance(p, str) else p for p in params])
        return {row[0] for row in cursor.fetchall()}


def _registration_recipients_orm(commission_id: int, zone: Zone | None) -> set[int]:
    """The rule as the ORM states it (the reference ``_registration_recipients`` is tested against)."""
    rule = Q(role=Role.PETITION_STAFF, user__commission_id=commission_id) | Q(
        role__in=[Role.REGISTRAR, Role.PETITION_STAFF],
        unit__commission_id=commission_id,
        unit__kind=Unit.Kind.PETITION_OFFICE,
    )
    if zone is not None:
        if zone.inspection_office_id is not None:
            office = zone.inspection_office_id
            rule |= Q(role=Role.INSPECTION_STAFF, unit_id=office) | Q(
                role=Role.INSPECTION_STAFF, unit__isnull=True, user__staff__home_unit_id=office
            )
        if zone.leader_id is not None:
            rule |= Q(role=Role.ZONE_LEADER, user__staff_id=zone.leader_id)
    return set(RoleAssignment.objects.filter(rule, user__is_active=True).values_list("user_id", flat=True).distinct())


def _registering_unit(actor: Actor, unit_id: Any) -> Unit:
    units = list(registrar_units(actor))
    if not units:
        raise NotPermitted("只有单位指定的信访登记员可以登记检举控告件。")
    if unit_id in (None, ""):
        if len(units) > 1:
            raise ValidationFailed(
                "您是多个单位的登记员，请选择登记单位。", field_errors={"unit": ["请选择登记单位。"]}
            )
        return units[0]
    for unit in units:
        if str(unit.pk) == str(unit_id):
            return unit
    raise NotPermitted("您不是该单位的信访登记员，不能登记到该单位的台账。")


def _after_registration(
    actor: Actor,
    report: Report,
    accused: list[ReportAccused],
    request: HttpRequest | None,
    *,
    recipients: set[int] | None = None,
    indexed: bool = False,
) -> None:
    """What every registration does next: the real-name timer, straight-up for the head, the
    notifications, the duplicate index (unless the caller indexed already)."""
    if report.is_real_name:
        open_deadline(
            actor=actor,
            target=report,
            kind=rules.ACCEPTANCE_NOTICE.kind,
            label=f"{rules.ACCEPTANCE_NOTICE.label}（{report}）",
            start=report.received_on,
            working_days=rules.ACCEPTANCE_NOTICE.working_days,
            responsible_unit=report.ledger_unit,
            zone=report.zone,
            request=request,
        )
    accused_staff = {a.staff_id for a in accused if a.staff_id is not None}
    if accused_staff and not report.concerns_head and accused_staff & _head_staff_ids(report.commission_id):
        report.concerns_head = True
        report.save(update_fields=["concerns_head"])
    _notify(
        report,
        registration_recipients(report) if recipients is None else recipients,
        f"{report.ledger_unit.name}登记新件 {report}（{report.get_channel_display()}）",
        exclude=[actor.user_id],
        accused_staff=accused_staff,
    )
    if report.concerns_head:
        _forward_up(
            actor,
            report,
            reason="反映本级纪委监委主要负责人，依规直接报送上一级纪检监察机关。",
            rule=rules.HEAD_STRAIGHT_UP,
            target_agency="",
            request=request,
        )
    if not indexed:
        index_report(report, [a.name for a in accused])


def register_report(
    *, actor: Actor, data: ReportInput, unit_id: Any = None, request: HttpRequest | None = None
) -> Report:
    """登记: a report from any channel enters the registrar's unit's ledger with the next number.

    Ordered for throughput (DESIGN §5b; docs/decisions/0013-registration-throughput.md): the reads
    (unit, places, zone, ledger format, recipients) and the text's fingerprint come before the
    transaction; in it the rows that need no number are written first, the report row standing as
    *received* without a number; the unit's ledger counter is taken only then, and the audit events
    are appended together at the very end (``deferred_events``). So the two locks every registration
    takes — the unit's counter and the chain head — are held for the last few statements only.
    """
    unit = _registering_unit(actor, unit_id)
    cleaned = _clean(unit.commission_id, data)
    head_checked = _check_head_doubts(
        unit.commission,
        ((_text(a.name), _text(a.unit_text), _text(a.position)) for a, _, _ in cleaned.accused),
        concerns_head=cleaned.concerns_head,
        confirmed=data.not_head_confirmed,
    )
    today = timezone.localdate()
    unit_zone, pattern = _ledger_context(unit, today)
    zone = zone_concerned(cleaned.township, unit, today, unit_zone)
    recipients = _registration_recipients(unit.commission_id, zone)
    prepare_index(cleaned.summary, cleaned.content)
    with deferred_events():
        report = Report.objects.create(
            commission_id=unit.commission_id,
            ledger_unit=unit,
            channel=cleaned.channel,
            received_on=cleaned.received_on,
            registered_at=timezone.now(),
            registered_by_id=actor.user_id,
            state=State.RECEIVED,  # until the number is drawn below, in this same transaction
            summary=cleaned.summary,
            content=cleaned.content,
            category=cleaned.category,
            township=cleaned.township,
            village=cleaned.village,
            routing_unit=unit,
            zone=zone,
            is_real_name=cleaned.is_real_name,
            concerns_head=cleaned.concerns_head,
        )
        accused = _write_accused(report, cleaned.accused)
        if cleaned.is_real_name:
            _write_identity(report, cleaned.identity)
        index_report(report, [a.name for a in accused])
        # From here on the unit's counter row is locked until the commit.
        seq = next_in_sequence(LedgerCounter, unit=unit, year=today.year)
        number = format_number(pattern, commission=unit.commission, unit=unit, year=today.year, seq=seq)
        report.state = next_state(None, Action.REGISTER)
        report.ledger_year, report.ledger_seq, report.ledger_number = today.year, seq, number
        report.save(update_fields=["state", "ledger_year", "ledger_seq", "ledger_number"])
        record_event(
            actor=actor,
            action="report.registered",
            target=report,
            changes={"state": [None, report.state], "ledger_number": [None, number]},
            detail={
                "unit": unit.pk,
                "channel": report.channel,
                "category": report.category,
                "real_name": report.is_real_name,
                "accused": len(cleaned.accused),
                "zone": report.zone_id,
                **({"head_checked": HEAD_CHECK_TICK} if head_checked else {}),
            },
            request=request,
        )
        _after_registration(actor, report, accused, request, recipients=recipients, indexed=True)
    return report


def register_received_report(
    *,
    actor: Actor,
    report_id: Any,
    summary: str | None = None,
    category: str | None = None,
    township_id: int | None = None,
    village_id: int | None = None,
    concerns_head: bool = False,
    not_head_confirmed: bool = False,
    request: HttpRequest | None = None,
) -> Report:
    """登记 a report received from the public site or a village supervisor: the registrar of the unit it
    was received at (or the petition office's registrar, when that unit has none) gives it a number."""
    with deferred_events():
        report = _lock(actor, report_id)
        if report.state != State.RECEIVED:
            next_state(report.state, Action.REGISTER)
        unit: Unit | None = None
        if is_registrar_of(actor, report.ledger_unit_id):
            unit = report.ledger_unit
        elif (
            petition_office_units(actor)
            and units_without_registrar(report.commission_id).filter(pk=report.ledger_unit_id).exists()
        ):
            unit = Unit.objects.get(pk=min(petition_office_units(actor)))
        if unit is None:
            raise _refuse("只有收件单位的信访登记员可以登记该件。", report, "register")
        errors: dict[str, list[str]] = {}
        new_summary = _text(summary) if summary is not None else report.summary
        if not new_summary or len(new_summary) > 200:
            errors["summary"] = ["请填写 200 字以内的主要内容摘要。"]
        new_category = category if category is not None else report.category
        if new_category not in Category.values:
            errors["category"] = ["请选择问题类别。"]
        township, village = _place(
            report.commission_id,
            township_id if township_id is not None else report.township_id,
            village_id if village_id is not None else report.village_id,
            errors,
            "",
        )
        if errors:
            raise ValidationFailed("登记信息不完整或有误，请按提示修改。", field_errors=errors)
        head_checked = _check_head_doubts(
            report.commission,
            report.accused.values_list("name", "unit_text", "position"),
            concerns_head=report.concerns_head or concerns_head,
            confirmed=not_head_confirmed,
        )
        today = timezone.localdate()
        seq, number = _next_number(unit, today.year)
        before = snapshot(report, ["state", "ledger_unit", "ledger_number", "summary", "category"])
        report.state = next_state(report.state, Action.REGISTER)
        report.ledger_unit = unit
        report.ledger_year, report.ledger_seq, report.ledger_number = today.year, seq, number
        report.registered_at, report.registered_by_id = timezone.now(), actor.user_id
        report.summary, report.category = new_summary, new_category
        report.township, report.village = township, village
        report.routing_unit = unit
        report.zone = zone_concerned(township, unit, today, zone_of_unit(unit, today))
        report.concerns_head = report.concerns_head or concerns_head
        report.save(
            update_fields=[
                "state",
                "ledger_unit",
                "ledger_year",
                "ledger_seq",
                "ledger_number",
                "registered_at",
                "registered_by",
                "summary",
                "category",
                "township",
                "village",
                "routing_unit",
                "zone",
                "concerns_head",
            ]
        )
        record_event(
            actor=actor,
            action="report.registered",
            target=report,
            changes=diff(before, report),
            detail={
                "unit": unit.pk,
                "channel": report.channel,
                "real_name": report.is_real_name,
                "received": True,
                **({"head_checked": HEAD_CHECK_TICK} if head_checked else {}),
            },
            request=request,
        )
        _after_registration(actor, report, list(report.accused.all()), request)
    return report
