"""Ledger numbers (台账编号): the formats, their check, the next number of a unit's ledger."""

from __future__ import annotations

import re
import string
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connections, router, transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound, NotPermitted, ValidationFailed
from xiezuoqu.intake.models import LedgerCounter, LedgerFormat
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Commission, Unit, Zone, ZoneMembership

from ._common import _text

PLACEHOLDERS = frozenset({"commission", "unit", "year", "seq"})


PETITION_OFFICE_PATTERN = "{commission}信〔{year}〕{seq}号"


UNIT_PATTERN = "{commission}{unit}信〔{year}〕{seq}号"


def default_pattern(unit: Unit) -> str:
    """The petition office keeps the commission's own ledger (凤纪信〔2026〕37号); other units add their
    short name (凤纪宝山信〔2026〕3号)."""
    return PETITION_OFFICE_PATTERN if unit.kind == Unit.Kind.PETITION_OFFICE else UNIT_PATTERN


def pattern_for(unit: Unit) -> str:
    row = LedgerFormat.objects.filter(unit=unit).values_list("pattern", flat=True).first()
    return row or default_pattern(unit)


def _pattern_fields(pattern: str) -> list[tuple[str, str]]:
    try:
        return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise ValidationFailed(
            "编号格式有误：花括号须成对出现。", field_errors={"pattern": ["花括号须成对出现。"]}
        ) from exc


def check_pattern(pattern: str) -> str:
    pattern = _text(pattern)
    fields = _pattern_fields(pattern)
    names = {name for name, _ in fields}
    problems: list[str] = []
    if not pattern:
        problems.append("请填写编号格式。")
    if len(pattern) > 80:
        problems.append("编号格式不能超过 80 字。")
    unknown = names - PLACEHOLDERS
    if unknown:
        problems.append("只能使用 {commission}、{unit}、{year}、{seq} 四个占位符。")
    if "year" not in names or "seq" not in names:
        problems.append("编号格式须包含 {year}（年度）和 {seq}（序号）。")
    for name, spec in fields:
        # Only the sequence may be padded, e.g. {seq:03d} → 007.
        if spec and (name != "seq" or not re.fullmatch(r"0[1-9]d", spec)):
            problems.append("只有序号可以指定位数，写法如 {seq:03d}。")
    if problems:
        raise ValidationFailed("编号格式有误，请按提示修改。", field_errors={"pattern": problems})
    return pattern


def format_number(pattern: str, *, commission: Commission, unit: Unit, year: int, seq: int) -> str:
    values = {
        "commission": commission.short_name or commission.name,
        "unit": unit.short_name or unit.name,
        "year": year,
        "seq": seq,
    }
    return pattern.format_map(values)


def _next_number(unit: Unit, year: int) -> tuple[int, str]:
    """Draw the next sequence of ``unit`` in ``year`` (see xiezuoqu.numbering; call in a transaction).
    The unique constraint on (ledger_unit, year, seq) is the backstop."""
    seq = next_in_sequence(LedgerCounter, unit=unit, year=year)
    commission = unit.commission  # selected with the unit
    return seq, format_number(pattern_for(unit), commission=commission, unit=unit, year=year, seq=seq)


def set_ledger_format(*, actor: Actor, unit_id: Any, pattern: str, request: HttpRequest | None = None) -> LedgerFormat:
    """台账编号格式: the system administrator or the petition office sets a unit's format.

    Refused when the format would give the same numbers as another unit's (numbers must stay unique
    across the commission, not only within the unit).
    """
    if not (actor.has(Role.SYSTEM_ADMIN, Role.PETITION_STAFF)) or actor.commission_id is None:
        raise NotPermitted("只有系统管理员或信访室可以设置台账编号格式。")
    pattern = check_pattern(pattern)
    unit = Unit.objects.filter(pk=unit_id, commission_id=actor.commission_id).select_related("commission").first()
    if unit is None:
        raise NotFound()
    commission = unit.commission
    sample = format_number(pattern, commission=commission, unit=unit, year=2026, seq=1)
    others = Unit.objects.filter(commission_id=commission.pk).exclude(pk=unit.pk)
    custom = dict(LedgerFormat.objects.filter(unit__in=others).values_list("unit_id", "pattern"))
    for other in others:
        other_pattern = custom.get(other.pk) or default_pattern(other)
        if format_number(other_pattern, commission=commission, unit=other, year=2026, seq=1) == sample:
            raise ValidationFailed(
                f"该格式与“{other.name}”的编号相同（如 {sample}），两个单位的台账编号会重复。请在格式中加入单位简称。",
                field_errors={"pattern": ["与其他单位的编号重复。"]},
            )
    with transaction.atomic():
        row = LedgerFormat.objects.select_for_update().filter(unit=unit).first()
        old = row.pattern if row else default_pattern(unit)
        if row is None:
            row = LedgerFormat.objects.create(unit=unit, pattern=pattern, updated_by_id=actor.user_id)
        else:
            row.pattern = pattern
            row.updated_by_id = actor.user_id
            row.save(update_fields=["pattern", "updated_by", "updated_at"])
        record_event(
            actor=actor,
            action="ledger_format.set",
            target=row,
            changes={"pattern": [old, pattern]},
            detail={"unit": unit.pk, "sample": sample},
            request=request,
            commission_id=commission.pk,
        )
    return row


@lru_cache(maxsize=8)
def _ledger_context_sql(alias: str) -> str:
    """One statement for ``zone_of_unit`` and ``pattern_for`` together. Plain SQL, built once: the ORM's
    building of the same subqueries cost more than the three statements it replaces
    (bench/bench_intake.py)."""
    quote = connections[alias].ops.quote_name
    zone = quote(Zone._meta.db_table)
    membership = quote(ZoneMembership._meta.db_table)
    ledger_format = quote(LedgerFormat._meta.db_table)
    columns = ", ".join(f"z.{quote(f.column)}" for f in Zone._meta.concrete_fields)
    # memberships_on(day): started by the day, not ended before it; the first by zone like ``.first()``.
    member = (
        f"(SELECT m.{quote('zone_id')} FROM {membership} m WHERE m.{quote('unit_id')} = %s "
        f"AND m.{quote('start_date')} <= %s AND (m.{quote('end_date')} IS NULL OR m.{quote('end_date')} >= %s) "
        f"ORDER BY m.{quote('zone_id')} LIMIT 1)"
    )
    # A lead inspection office belongs to the zone it leads, when it leads exactly one.
    led = (
        f"(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(l.{quote('id')}) END FROM {zone} l "
        f"WHERE l.{quote('inspection_office_id')} = %s)"
    )
    pattern = (
        f"(SELECT f.{quote('pattern')} FROM {ledger_format} f WHERE f.{quote('unit_id')} = %s "
        f"ORDER BY f.{quote('id')} LIMIT 1)"
    )
    return (
        f"SELECT {pattern}, {columns} FROM (SELECT 1 AS one) o "
        f"LEFT JOIN {zone} z ON z.{quote('id')} = COALESCE({member}, {led})"
    )


def _ledger_context(unit: Unit, on: date) -> tuple[Zone | None, str]:
    """``zone_of_unit(unit, on)`` and ``pattern_for(unit)`` in one statement: registration's reads of
    its unit, done before its transaction."""
    alias = router.db_for_read(Zone)
    connection = connections[alias]
    day = connection.ops.adapt_datefield_value(on)
    with connection.cursor() as cursor:
        cursor.execute(_ledger_context_sql(alias), [unit.pk, unit.pk, day, day, unit.pk])
        row = cursor.fetchone()
    pattern, values = row[0], row[1:]
    zone = None
    if values[0] is not None:
        zone = Zone.from_db(alias, [f.attname for f in Zone._meta.concrete_fields], values)
    return zone, pattern or default_pattern(unit)
