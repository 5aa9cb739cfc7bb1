"""Every write of intake: receive, register, route (受理归口), handle, tell the reporter, archive.

Each transition is one function and one transaction: lock the report row, check the actor against the
scope and the role rule (``selectors.may_*``), check the state table (``workflow.next_state``) and the
rule, write with ``update_fields``, record the audit event, open or close the deadline the rule sets
(``xiezuoqu.deadlines``). Nothing else assigns ``Report.state``.

For the public reporting site (built on these models by a later helper): ``submit_public_report``
returns the report and its 16-digit receipt code (shown once, stored as an argon2 hash),
``find_report_by_receipt`` finds it again, ``record_reporter_message`` takes the reporter's answer,
material or objection.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import connections, router, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import REPORTER_IDENTITY_REQUEST, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import deferred_events, diff, record_event, snapshot
from xiezuoqu.crypto import blind_index
from xiezuoqu.deadlines.services import close_deadline, deadline_for, open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone, ZoneMembership
from xiezuoqu.org.selectors import memberships_on
from xiezuoqu.workdays.selectors import add_working_days

from . import head, rules
from .models import (
    FROM_REPORTER,
    Category,
    Channel,
    IdentityGrant,
    LedgerCounter,
    LedgerFormat,
    MessageKind,
    NotAcceptGround,
    NoticeMethod,
    Notification,
    QuarterlyResultReport,
    Report,
    ReportAccused,
    ReporterIdentity,
    ReportMessage,
    RoutingDecision,
)
from .selectors import (
    HANDLER_ROLES,
    UNIT_ROUTER_ROLES,
    can_view_report,
    is_petition_office,
    is_registrar_of,
    may_archive,
    may_contact_reporter,
    may_handle,
    may_route,
    petition_office_units,
    quarter_bounds,
    registrar_units,
    units_without_registrar,
)
from .workflow import ACTION_LABELS, DECIDED_STATES, TRANSITIONS, Action, State, next_state

# --- inputs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccusedInput:
    name: str
    unit_text: str = ""
    position: str = ""
    township_id: int | None = None
    village_id: int | None = None


@dataclass(frozen=True)
class IdentityInput:
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    work_unit: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "phone": self.phone,
            "id_number": self.id_number,
            "address": self.address,
            "work_unit": self.work_unit,
        }


@dataclass(frozen=True)
class ReportInput:
    """What a registrar (or the public form) states about a report."""

    channel: str
    received_on: date
    summary: str
    content: str
    category: str
    township_id: int | None = None
    village_id: int | None = None
    is_real_name: bool = False
    identity: IdentityInput | None = None
    accused: Sequence[AccusedInput] = field(default_factory=tuple)
    concerns_head: bool = False
    # The registrar's tick: "checked, the report does not concern the commission's head" — required
    # when an accused may be the head but cannot be told for certain (``head.head_doubts``).
    not_head_confirmed: bool = False


MAX_ACCUSED = 20
ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")
PHONE = re.compile(r"^[\d\-+ ()]{5,20}$")
EARLIEST_RECEIPT = date(2000, 1, 1)
PLACEHOLDERS = frozenset({"commission", "unit", "year", "seq"})
PETITION_OFFICE_PATTERN = "{commission}信〔{year}〕{seq}号"
UNIT_PATTERN = "{commission}{unit}信〔{year}〕{seq}号"


def _text(value: str | None) -> str:
    return (value or "").strip()


# --- validation ------------------------------------------------------------------------------------------


@dataclass
class _Cleaned:
    channel: str
    received_on: date
    summary: str
    content: str
    category: str
    township: Unit | None
    village: Village | None
    is_real_name: bool
    identity: dict[str, str]
    accused: list[tuple[AccusedInput, Unit | None, Village | None]]
    concerns_head: bool


def _place(commission_id: int, township_id: int | None, village_id: int | None, errors: dict[str, list[str]], key: str):  # type: ignore[no-untyped-def]
    township = village = None
    if village_id:
        village = Village.objects.select_related("township").filter(pk=village_id).first()
        if village is None or village.township.commission_id != commission_id:
            errors.setdefault(f"{key}village", []).append("请选择本纪委监委辖区内的村（社区）。")
            village = None
    if (
        township_id
        and village is not None
        and str(village.township_id) == str(township_id)
        and village.township.kind == Unit.Kind.TOWNSHIP_COMMITTEE
    ):
        township = village.township  # read with the village
    elif township_id:
        township = Unit.objects.filter(
            pk=township_id, commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).first()
        if township is None:
            errors.setdefault(f"{key}township", []).append("请选择本纪委监委辖区内的乡镇（街道）。")
    if village is not None:
        if township is not None and village.township_id != township.pk:
            errors.setdefault(f"{key}village", []).append("所选村（社区）不属于所选乡镇（街道）。")
        elif township is None:
            township = village.township
    return township, village


def _clean(commission_id: int, data: ReportInput, *, staff_channels: bool = True) -> _Cleaned:
    errors: dict[str, list[str]] = {}
    if data.channel not in Channel.values:
        errors["channel"] = ["请选择来源渠道。"]
    summary, content = _text(data.summary), _text(data.content)
    if not summary:
        errors["summary"] = ["请填写主要内容摘要。"]
    elif len(summary) > 200:
        errors["summary"] = ["摘要不能超过 200 字。"]
    if not content:
        errors["content"] = ["请填写反映的具体内容。"]
    elif len(content) > 20000:
        errors["content"] = ["内容不能超过 20000 字，较长的材料请作为附件另行提交。"]
    if data.category not in Category.values:
        errors["category"] = ["请选择问题类别。"]
    today = timezone.localdate()
    if data.received_on is None or data.received_on > today:
        errors["received_on"] = ["收件日期不能晚于今天。"]
    elif data.received_on < EARLIEST_RECEIPT:
        errors["received_on"] = ["收件日期有误。"]
    township, village = _place(commission_id, data.township_id, data.village_id, errors, "")
    identity: dict[str, str] = {}
    if data.is_real_name:
        raw = (data.identity or IdentityInput()).as_dict()
        identity = {k: _text(v) for k, v in raw.items()}
        identity["id_number"] = identity["id_number"].upper().replace(" ", "")
        # 实名: a name or a work unit, and a real contact (检举控告工作规则).
        if not (identity["name"] or identity["work_unit"]):
            errors["identity_name"] = ["实名举报须填写举报人姓名或工作单位。"]
        if not (identity["phone"] or identity["address"]):
            errors["identity_phone"] = ["实名举报须填写真实的联系电话或通讯地址。"]
        if identity["id_number"] and not ID_NUMBER.match(identity["id_number"]):
            errors["identity_id_number"] = ["身份证号码应为 18 位（末位可为 X）或 15 位数字。"]
        if identity["phone"] and not PHONE.match(identity["phone"]):
            errors["identity_phone"] = ["联系电话格式有误。"]
        for key, limit in (("name", 30), ("work_unit", 100), ("address", 200)):
            if len(identity[key]) > limit:
                errors[f"identity_{key}"] = [f"不能超过 {limit} 字。"]
    accused: list[tuple[AccusedInput, Unit | None, Village | None]] = []
    rows = [a for a in data.accused if _text(a.name) or _text(a.unit_text) or _text(a.position)]
    if len(rows) > MAX_ACCUSED:
        errors["accused"] = [f"被反映人不能超过 {MAX_ACCUSED} 人。"]
    for index, row in enumerate(rows[:MAX_ACCUSED]):
        if not _text(row.name):
            errors.setdefault("accused", []).append(f"第 {index + 1} 名被反映人：请填写姓名（不详的写“不详”）。")
            continue
        if len(_text(row.name)) > 30 or len(_text(row.unit_text)) > 100 or len(_text(row.position)) > 60:
            errors.setdefault("accused", []).append(f"第 {index + 1} 名被反映人：姓名、单位或职务过长。")
            continue
        a_township, a_village = _place(commission_id, row.township_id, row.village_id, errors, f"accused_{index}_")
        accused.append((row, a_township, a_village))
    if errors:
        raise ValidationFailed("登记信息不完整或有误，请按提示修改。", field_errors=errors)
    return _Cleaned(
        channel=data.channel,
        received_on=data.received_on,
        summary=summary,
        content=content,
        category=data.category,
        township=township,
        village=village,
        is_real_name=data.is_real_name,
        identity=identity,
        accused=accused,
        concerns_head=data.concerns_head,
    )


# --- ledger numbers --------------------------------------------------------------------------------------


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


# --- helpers ---------------------------------------------------------------------------------------------


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


def _names_unit_of(staff: StaffMember, unit_text: str, position: str) -> bool:
    """Whether a report's unit text (or, for the leadership, the position) names a staff member's unit:
    its name or short name; for the commission's leadership any usual spelling of the commission itself
    (凤城市纪委监委, 市纪委, 凤城市监委, 市纪委书记 — ``head.names_leadership``)."""
    unit = staff.home_unit
    if unit.kind == Unit.Kind.LEADERSHIP:
        commission = staff.commission
        if head.names_leadership(unit_text, position, commission.name, commission.short_name):
            return True
    return bool(unit_text) and any(n in unit_text for n in (unit.name, unit.short_name) if n and len(n) >= 2)


def _match_staff(commission_id: int, people: list[tuple[str, str, str]]) -> list[StaffMember | None]:
    """The staff member each accused (name, unit text, position) is, when name and unit both match
    exactly one person (never a guess). One query for all of them."""
    names = {name for name, unit_text, position in people if unit_text or position}
    if not names:
        return [None] * len(people)
    candidates: dict[str, list[StaffMember]] = {}
    for staff in StaffMember.objects.filter(commission_id=commission_id, name__in=names, is_active=True).select_related(
        "home_unit", "commission"
    ):
        candidates.setdefault(staff.name, []).append(staff)
    matches: list[StaffMember | None] = []
    for name, unit_text, position in people:
        found = [s for s in candidates.get(name, []) if _names_unit_of(s, unit_text, position)]
        matches.append(found[0] if len(found) == 1 else None)
    return matches


HEAD_CHECK_TICK = "已核实，不涉及本级纪委监委主要负责人"


def _check_head_doubts(
    commission: Commission, people: Iterable[tuple[str, str, str]], *, concerns_head: bool, confirmed: bool
) -> bool:
    """直接报送上一级 depends on recognising the head: when an accused may be the head and cannot be told
    for certain, the registrar must say which (never decided silently). Returns whether a doubt was
    raised and settled by the registrar's tick (kept on the registration's audit record)."""
    if concerns_head:
        return False
    people = list(people)
    if not people:
        return False
    doubts = head.head_doubts(
        people, names=head.head_names(commission.pk), commission_name=commission.name, short_name=commission.short_name
    )
    if doubts and not confirmed:
        message = "；".join(doubts) + (
            "。请核实：是本级主要负责人的，勾选“反映本级纪委监委主要负责人”（依规直接报送上一级）；"
            f"不是的，勾选“{HEAD_CHECK_TICK}”。"
        )
        raise ValidationFailed(
            "请核实被反映人是否为本级纪委监委主要负责人。", field_errors={"concerns_head": [message]}
        )
    return bool(doubts)


def _head_staff_ids(commission_id: int) -> set[int]:
    return set(head.head_users(commission_id).values_list("staff_id", flat=True))


def _write_accused(
    report: Report, rows: Iterable[tuple[AccusedInput, Unit | None, Village | None]]
) -> list[ReportAccused]:
    rows = list(rows)
    people = [(_text(row.name), _text(row.unit_text), _text(row.position)) for row, _, _ in rows]
    staff = _match_staff(report.commission_id, people)
    created = [
        ReportAccused(
            report=report,
            name=name,
            unit_text=unit_text,
            position=_text(row.position),
            township=township,
            village=village,
            name_index=blind_index(name, purpose="accused.name") if name != "不详" else "",
            staff=match,
            order=order,
        )
        for order, ((row, township, village), (name, unit_text, _), match) in enumerate(
            zip(rows, people, staff, strict=True)
        )
    ]
    ReportAccused.objects.bulk_create(created)
    return created


def _write_identity(report: Report, values: dict[str, str]) -> ReporterIdentity:
    identity = ReporterIdentity(report=report)
    identity.seal_fields(values)
    identity.id_index = blind_index(values.get("id_number", ""), purpose="reporter.id_number")
    identity.name_index = blind_index(values.get("name", ""), purpose="reporter.name")
    identity.save()
    return identity


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


def _close_if_open(actor: Actor | None, target: Any, kind: str, request: HttpRequest | None) -> None:
    deadline = deadline_for(target, kind)
    if deadline is not None and deadline.state == "open":
        close_deadline(actor=actor, target=target, kind=kind, request=request)


def _users_with_roles_at(unit_ids: Iterable[int], roles: Iterable[str]) -> set[int]:
    unit_ids = list(unit_ids)
    if not unit_ids:
        return set()
    by_assignment = RoleAssignment.objects.filter(role__in=list(roles), unit_id__in=unit_ids, user__is_active=True)
    by_home = RoleAssignment.objects.filter(
        role__in=list(roles), unit__isnull=True, user__is_active=True, user__staff__home_unit_id__in=unit_ids
    )
    return set(by_assignment.values_list("user_id", flat=True)) | set(by_home.values_list("user_id", flat=True))


def _petition_office_ids(commission_id: int) -> list[int]:
    return list(
        Unit.objects.filter(commission_id=commission_id, kind=Unit.Kind.PETITION_OFFICE).values_list("pk", flat=True)
    )


def _notify(
    report: Report,
    user_ids: Iterable[int],
    text: str,
    *,
    exclude: Iterable[int | None] = (),
    accused_staff: Iterable[int] | None = None,
) -> int:
    """Bell items for the people who keep or work the ledger the report is in; never the accused."""
    skip = {u for u in exclude if u is not None}
    if accused_staff is None:
        accused_staff = report.accused.exclude(staff__isnull=True).values_list("staff_id", flat=True)
    staff_ids = set(accused_staff)
    if report.concerns_head:
        staff_ids |= _head_staff_ids(report.commission_id)
    if staff_ids:
        skip |= set(User.objects.filter(staff_id__in=staff_ids).values_list("pk", flat=True))
    rows = [Notification(recipient_id=uid, report=report, text=text[:200]) for uid in sorted(set(user_ids) - skip)]
    Notification.objects.bulk_create(rows)
    return len(rows)


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


def _registrars_for(unit: Unit) -> set[int]:
    users = _users_with_roles_at([unit.pk], [Role.REGISTRAR])
    if users:
        return users
    return _users_with_roles_at(_petition_office_ids(unit.commission_id), [Role.REGISTRAR])


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


# --- receive (public, village supervisor) ----------------------------------------------------------------


def _new_receipt() -> tuple[str, str, str]:
    code = f"{secrets.randbelow(10**16):016d}"
    return code, code[:6], make_password(code)


def submit_public_report(
    *,
    commission: Commission,
    content: str,
    category: str,
    summary: str = "",
    township_id: int | None = None,
    village_id: int | None = None,
    accused: Sequence[AccusedInput] = (),
    is_real_name: bool = False,
    identity: IdentityInput | None = None,
    request: HttpRequest | None = None,
) -> tuple[Report, str]:
    """网络举报: the public site's submission. Lands with the commission's 信访室 as *received*.

    Returns the report and its 16-digit receipt code — shown to the reporter once, stored only as an
    argon2 hash (plus its first six digits, which are not secret and index the lookup).
    """
    content = _text(content)
    data = ReportInput(
        channel=Channel.ONLINE,
        received_on=timezone.localdate(),
        summary=_text(summary) or content[:60],
        content=content,
        category=category,
        township_id=township_id,
        village_id=village_id,
        is_real_name=is_real_name,
        identity=identity,
        accused=accused,
    )
    cleaned = _clean(commission.pk, data)
    office = Unit.objects.filter(commission=commission, kind=Unit.Kind.PETITION_OFFICE, is_active=True).first()
    if office is None:
        raise RuleViolation("该纪委监委尚未设立信访室，暂不能受理网络举报。")
    code, prefix, digest = _new_receipt()
    with deferred_events():
        report = Report.objects.create(
            commission=commission,
            ledger_unit=office,
            channel=cleaned.channel,
            received_on=cleaned.received_on,
            state=next_state(None, Action.RECEIVE),
            summary=cleaned.summary[:200],
            content=cleaned.content,
            category=cleaned.category,
            township=cleaned.township,
            village=cleaned.village,
            is_real_name=cleaned.is_real_name,
            source_public=True,
            receipt_prefix=prefix,
            receipt_digest=digest,
        )
        _write_accused(report, cleaned.accused)
        if cleaned.is_real_name:
            _write_identity(report, cleaned.identity)
        _event(None, "received", report, None, request, channel=report.channel, real_name=report.is_real_name)
        _notify(report, _registrars_for(office), f"网络举报待登记（收件 {report.received_on:%Y-%m-%d}）")
    return report, code


RECEIPT_DIGITS = re.compile(r"\D+")


def find_report_by_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to, or ``None``. Costs one argon2 check per candidate with the
    same six-digit prefix (one on average), and one even when there is none, so timing tells nothing."""
    digits = RECEIPT_DIGITS.sub("", code or "")
    if len(digits) != 16:
        make_password(digits or "0")
        return None
    candidates = list(
        Report.objects.filter(receipt_prefix=digits[:6]).exclude(receipt_digest="").only("pk", "receipt_digest")[:20]
    )
    if not candidates:
        make_password(digits)
        return None
    for candidate in candidates:
        if check_password(digits, candidate.receipt_digest):
            return Report.objects.get(pk=candidate.pk)
    return None


def record_reporter_message(
    *, report: Report, kind: str, text: str, reply_to: ReportMessage | None = None, request: HttpRequest | None = None
) -> ReportMessage:
    """The reporter (on the public site, after the receipt matched) answers, adds material or objects."""
    text = _text(text)
    if kind not in FROM_REPORTER:
        raise ValidationFailed("举报人只能答复、补充材料或提出异议。")
    if not text:
        raise ValidationFailed("请填写内容。", field_errors={"text": ["请填写内容。"]})
    if len(text) > 5000:
        raise ValidationFailed("内容不能超过 5000 字。", field_errors={"text": ["过长。"]})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if kind == MessageKind.OBJECTION and locked.state not in (
            State.NOT_ACCEPTED,
            State.CONCLUDED,
            State.FEEDBACK_GIVEN,
            State.ARCHIVED,
            State.TRANSFERRED,
            State.REPEAT,
        ):
            raise RuleViolation("尚未作出处理结果，暂不能提出异议；如有新情况，请补充材料。")
        if reply_to is not None and (reply_to.report_id != locked.pk or reply_to.kind != MessageKind.QUESTION):
            raise ValidationFailed("只能答复工作人员向您提出的问题。")
        message = ReportMessage.objects.create(report=locked, kind=kind, text=text, reply_to=reply_to)
        record_event(
            actor=None,
            action="report.reporter_message",
            target=locked,
            detail={"kind": kind, "message": message.pk},
            request=request,
        )
        if kind == MessageKind.OBJECTION:
            _open_objection_deadline(None, locked, message, request)
    return message


def submit_village_report(
    *,
    actor: Actor,
    content: str,
    category: str,
    summary: str = "",
    accused: Sequence[AccusedInput] = (),
    request: HttpRequest | None = None,
) -> Report:
    """村级监督员: an observation from the supervisor's village, received at the township's ledger and
    waiting for its registrar (the petition office's registrar when the township has none)."""
    from xiezuoqu.org.models import VillageSupervisor

    if actor.village_supervisor_id is None or actor.user_id is None:
        raise NotPermitted("只有村级正风肃纪监督员可以通过此页面提交。")
    supervisor = VillageSupervisor.objects.select_related("village", "village__township").get(
        pk=actor.village_supervisor_id
    )
    today = timezone.localdate()
    if supervisor.end_date is not None and supervisor.end_date < today:
        raise RuleViolation("您的监督员聘任已结束，不能再提交。")
    township = supervisor.village.township
    content = _text(content)
    data = ReportInput(
        channel=Channel.VILLAGE_SUPERVISOR,
        received_on=today,
        summary=_text(summary) or content[:60],
        content=content,
        category=category,
        township_id=township.pk,
        village_id=supervisor.village_id,
        accused=[
            AccusedInput(a.name, a.unit_text, a.position, township.pk, a.village_id or supervisor.village_id)
            for a in accused
        ],
    )
    cleaned = _clean(township.commission_id, data)
    with deferred_events():
        report = Report.objects.create(
            commission_id=township.commission_id,
            ledger_unit=township,
            channel=cleaned.channel,
            received_on=cleaned.received_on,
            state=next_state(None, Action.RECEIVE),
            summary=cleaned.summary[:200],
            content=cleaned.content,
            category=cleaned.category,
            township=cleaned.township,
            village=cleaned.village,
            submitted_by_id=actor.user_id,
        )
        _write_accused(report, cleaned.accused)
        _event(actor, "received", report, None, request, channel=report.channel, village=supervisor.village_id)
        _notify(
            report,
            _registrars_for(township),
            f"村级监督员反映待登记（{supervisor.village.name}，{today:%Y-%m-%d}）",
            exclude=[actor.user_id],
        )
    return report


# --- register --------------------------------------------------------------------------------------------


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


# --- routing (受理归口) ------------------------------------------------------------------------------------


def _check_router(actor: Actor, report: Report, action: str) -> None:
    next_state(report.state, action)
    if not may_route(actor, report):
        where = report.routing_unit.name if report.routing_unit_id and report.routing_unit else "受理单位"
        raise _refuse(f"只有信访室或{where}的登记员、纪委书记可以作出“{ACTION_LABELS[action]}”决定。", report, action)


def _reason(reason: str | None, *, required: bool = True, label: str = "理由") -> str:
    text = _text(reason)
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={"reason": [f"请填写{label}。"]})
    if len(text) > 2000:
        raise ValidationFailed(f"{label}不能超过 2000 字。", field_errors={"reason": ["过长。"]})
    return text


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


# --- handling, the reporter, archive ----------------------------------------------------------------------


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


def _reachable(report: Report) -> bool:
    """Whether there is a reporter to tell: a real-name one, or a public one holding a receipt."""
    return report.is_real_name or bool(report.receipt_digest)


def _method(method: str) -> str:
    if method not in NoticeMethod.values:
        raise ValidationFailed("请选择告知方式。", field_errors={"method": ["请选择告知方式。"]})
    return method


def _message(report: Report, actor: Actor, kind: str, text: str, method: str = "", **kw: Any) -> ReportMessage:
    return ReportMessage.objects.create(
        report=report, kind=kind, text=text, method=method, author_id=actor.user_id, **kw
    )


def record_acceptance_notice(
    *, actor: Actor, report_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """受理情况告知: the reporter is told whether the report was accepted (real-name: within 15 WD)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能代表受理单位告知举报人。", report, "acceptance_notice")
        if not _reachable(report):
            raise RuleViolation("匿名举报无法告知举报人。")
        if report.state not in DECIDED_STATES and report.state != State.FORWARDED_DOWN:
            raise InvalidTransition(f"该件当前状态为“{report.get_state_display()}”，尚未作出受理决定，不能告知。")
        body = _reason(text, label="告知内容")
        message = _message(report, actor, MessageKind.ACCEPTANCE_NOTICE, body, _method(method))
        record_event(
            actor=actor,
            action="report.acceptance_notice",
            target=report,
            detail={"message": message.pk, "method": method},
            request=request,
        )
        _close_if_open(actor, report, rules.ACCEPTANCE_NOTICE.kind, request)
    return message


def give_feedback(
    *, actor: Actor, report_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """反馈: the reporter is told the result (real-name: within 15 WD after conclusion)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        next_state(report.state, Action.GIVE_FEEDBACK)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能代表承办单位向举报人反馈。", report, "feedback")
        if not _reachable(report):
            raise RuleViolation("匿名举报无法反馈，办结后可直接归档。")
        body = _reason(text, label="反馈内容")
        message = _message(report, actor, MessageKind.FEEDBACK, body, _method(method))
        before = _move(report, Action.GIVE_FEEDBACK)
        _event(actor, "feedback_given", report, before, request, message=message.pk, method=method)
        _close_if_open(actor, report, rules.RESULT_FEEDBACK.kind, request)
    return message


def ask_reporter(*, actor: Actor, report_id: Any, text: str, request: HttpRequest | None = None) -> ReportMessage:
    """向举报人询问: a question the reporter reads with the receipt (or is asked by phone)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能向该件举报人询问。", report, "question")
        if not _reachable(report):
            raise RuleViolation("匿名举报且无回执码，无法向举报人询问。")
        if report.state == State.ARCHIVED:
            raise InvalidTransition("该件已归档。")
        message = _message(report, actor, MessageKind.QUESTION, _reason(text, label="询问内容"))
        record_event(
            actor=actor, action="report.question_asked", target=report, detail={"message": message.pk}, request=request
        )
    return message


def _open_objection_deadline(
    actor: Actor | None, report: Report, message: ReportMessage, request: HttpRequest | None
) -> None:
    open_deadline(
        actor=actor,
        target=message,
        kind=rules.OBJECTION_ANSWER.kind,
        label=f"{rules.OBJECTION_ANSWER.label}（{report}）",
        start=message.created_at.date() if isinstance(message.created_at, datetime) else timezone.localdate(),
        working_days=rules.OBJECTION_ANSWER.working_days,
        responsible_unit=report.handling_unit or report.routing_unit or report.ledger_unit,
        request=request,
    )


def record_objection(*, actor: Actor, report_id: Any, text: str, request: HttpRequest | None = None) -> ReportMessage:
    """异议登记: an objection the reporter raised by letter, visit or phone is recorded and must be answered."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能登记该件的异议。", report, "objection")
        if report.state == State.RECEIVED:
            raise InvalidTransition("该件尚未登记。")
        message = _message(report, actor, MessageKind.OBJECTION, _reason(text, label="异议内容"))
        record_event(
            actor=actor,
            action="report.objection_recorded",
            target=report,
            detail={"message": message.pk},
            request=request,
        )
        _open_objection_deadline(actor, report, message, request)
    return message


def answer_objection(
    *, actor: Actor, message_id: Any, text: str, method: str, request: HttpRequest | None = None
) -> ReportMessage:
    """异议答复: the answer to a recorded objection closes its timer."""
    with transaction.atomic():
        objection = ReportMessage.objects.filter(pk=as_key(message_id) or 0).first()
        if objection is None:
            raise NotFound()
        report = _lock(actor, objection.report_id)
        if objection.kind != MessageKind.OBJECTION:
            raise ValidationFailed("只能答复举报人的异议。")
        if objection.replies.filter(kind=MessageKind.OBJECTION_ANSWER).exists():
            raise InvalidTransition("该异议已答复。")
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能答复该件的异议。", report, "objection_answer")
        answer = _message(
            report,
            actor,
            MessageKind.OBJECTION_ANSWER,
            _reason(text, label="答复内容"),
            _method(method),
            reply_to=objection,
        )
        record_event(
            actor=actor,
            action="report.objection_answered",
            target=report,
            detail={"objection": objection.pk, "message": answer.pk, "method": method},
            request=request,
        )
        _close_if_open(actor, objection, rules.OBJECTION_ANSWER.kind, request)
    return answer


def record_reporter_answer(
    *, actor: Actor, question_id: Any, text: str, request: HttpRequest | None = None
) -> ReportMessage:
    """The reporter answered a question by phone or in person: staff write the answer down."""
    with transaction.atomic():
        question = ReportMessage.objects.filter(pk=as_key(question_id) or 0).first()
        if question is None:
            raise NotFound()
        report = _lock(actor, question.report_id)
        if question.kind != MessageKind.QUESTION:
            raise ValidationFailed("只能记录对询问的答复。")
        if not may_contact_reporter(actor, report):
            raise _refuse("您不能记录该件举报人的答复。", report, "answer")
        answer = _message(report, actor, MessageKind.ANSWER, _reason(text, label="答复内容"), reply_to=question)
        record_event(
            actor=actor, action="report.answer_recorded", target=report, detail={"message": answer.pk}, request=request
        )
    return answer


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


# --- quarterly result report -------------------------------------------------------------------------------


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


# --- reporter identity ---------------------------------------------------------------------------------------


def request_identity(
    *, actor: Actor, report_id: Any, reason: str, request: HttpRequest | None = None
) -> ApprovalRequest:
    """查阅举报人身份申请: a handler states why; the commission head decides (approvals)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not report.is_real_name:
            raise RuleViolation("该件为匿名举报，没有举报人身份信息。")
        if is_petition_office(actor):
            raise RuleViolation("信访室可直接查阅举报人身份，无需申请。")
        if report.concerns_head:
            raise RuleViolation("该件反映本级主要负责人，已报送上级，不能在本级申请查阅举报人身份。")
        text = _reason(reason, label="申请理由")
        approval = submit_request(
            actor=actor,
            matter_type=REPORTER_IDENTITY_REQUEST.slug,
            title=f"申请查阅{report}举报人身份",
            reason=text,
            target=report,
            request=request,
        )
        record_event(
            actor=actor,
            action="reporter_identity.requested",
            target=report,
            detail={"approval": approval.pk},
            request=request,
        )
    return approval


@on_final_decision(REPORTER_IDENTITY_REQUEST.slug)
def _identity_request_decided(approval: ApprovalRequest, outcome: str) -> None:
    """On the head's approval, the requester may see the identity for ``IDENTITY_GRANT_DAYS`` days."""
    if outcome != ApprovalState.APPROVED or approval.target_id is None:
        return
    report = Report.objects.filter(pk=approval.target_id).first()
    if report is None:
        return
    now = timezone.now()
    grant = IdentityGrant.objects.create(
        report=report,
        user_id=approval.requester_id,
        approval=approval,
        granted_at=now,
        expires_at=now + timedelta(days=rules.IDENTITY_GRANT_DAYS),
    )
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    decider = build_actor(decision.decided_by) if decision is not None else None
    record_event(
        actor=decider,
        action="reporter_identity.granted",
        target=report,
        detail={
            "grant": grant.pk,
            "user": approval.requester_id,
            "approval": approval.pk,
            "expires_at": grant.expires_at,
        },
    )


# --- notifications -------------------------------------------------------------------------------------------


def mark_notifications_read(*, actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own bell items read (all of them when ``ids`` is None)."""
    if actor.user_id is None:
        return 0
    qs = Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- duplicates ---------------------------------------------------------------------------------------------


def _index_text(summary: str, content: str) -> str:
    return f"{summary}\n{content}"


def prepare_index(summary: str, content: str) -> None:
    """Compute the text's fingerprint before the transaction (it is cached for ``index_report``)."""
    from xiezuoqu.dedup.services import fingerprint

    fingerprint(_index_text(summary, content))


def index_report(report: Report, names: Iterable[str] | None = None) -> None:
    """Put a registered report into the duplicate index (text and the accused's names)."""
    from xiezuoqu.dedup.services import index_document

    if names is None:
        names = report.accused.values_list("name", flat=True)
    index_document(
        kind="report",
        object_id=report.pk,
        commission_id=report.commission_id,
        text=_index_text(report.summary, report.content),
        accused_names=tuple(n for n in names if n and n != "不详"),
    )


def decide_duplicate(
    *,
    actor: Actor,
    report_id: Any,
    other_id: Any,
    decision: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Report:
    """The registrar confirms or rejects a candidate; confirming one on a report still waiting for
    受理归口 makes it a 重复件 of the earlier report (``mark_repeat``)."""
    from xiezuoqu.dedup.services import decide_link

    with transaction.atomic():
        report = _lock(actor, report_id)
        if not (may_route(actor, report) or is_registrar_of(actor, report.ledger_unit_id)):
            raise _refuse("只有登记员或受理单位可以确认重复件。", report, "duplicate")
        other = Report.objects.filter(pk=as_key(other_id) or 0).first()
        if other is None or not can_view_report(actor, other) or other.pk == report.pk:
            raise NotFound()
        decide_link(
            actor=actor,
            kind="report",
            object_id=report.pk,
            other_kind="report",
            other_id=other.pk,
            decision=decision,
            note=note,
            request=request,
        )
        if decision == "confirmed" and report.state in (State.REGISTERED, State.FORWARDED_DOWN):
            mark_repeat(
                actor=actor,
                report_id=report.pk,
                original_id=other.pk,
                reason=_text(note) or f"经查重确认与 {other} 反映问题相同。",
                request=request,
            )
            report.refresh_from_db()
    return report


__all__ = [
    "AccusedInput",
    "IdentityInput",
    "ReportInput",
    "accept_report",
    "answer_objection",
    "archive_report",
    "ask_reporter",
    "assign_report",
    "conclude_report",
    "conclude_reports_of_clue",
    "decide_duplicate",
    "find_report_by_receipt",
    "forward_report_down",
    "forward_report_to_lower_commission",
    "forward_report_up",
    "give_feedback",
    "lower_commissions",
    "mark_notifications_read",
    "mark_repeat",
    "not_accept_report",
    "record_acceptance_notice",
    "record_forward_sent",
    "record_objection",
    "record_reporter_answer",
    "record_reporter_message",
    "register_received_report",
    "register_report",
    "request_identity",
    "set_ledger_format",
    "submit_public_report",
    "submit_quarterly_report",
    "submit_village_report",
    "transfer_report",
]
