"""Time limits of the investigation measures that restrict a person's liberty or property for a period.

One table (``DEFAULT_LIMITS``: kind → limit, unit, the special figure, the extension rule, what the
measure may be changed into), with the rule text and its source, as defaults an administrator can
change (setting ``XIEZUOQU["MEASURE_LIMITS"]``, read by ``measure_limit``). The figure itself is the
rule book's (规则库, ADR 0031): ``measure_limit(kind, on=start day, commission=…)`` asks
``rulebook.selectors.rule_for("measure.<kind>", …)``, so a measure runs under the row in force on the
day it started and a commission's stricter local value reaches the measures started from its day; a
figure the setting chose stands (as a period a caller chose does for ``deadlines``):

- 管护 (custody_care): at most 7 days; in special circumstances extended once by 1 to 3 days —
  监察法（2024年修正，2025年6月1日起施行）: the commission decides 留置 or release within the period,
  and the person is taken to the 留置场所 within 24 hours. The platform requires the approval of the
  commission head (纪委书记、监委主任) for the extension, recorded with its reference.
- 责令候查 (ordered_wait): at most 12 months — 监察法（2024年修正）. No extension.
- 强制到案 (compelled_appearance): at most 12 hours; 24 hours where 管护 or 留置 then has to be taken —
  监察法实施条例. Hour-scale: validated when recorded, no deadline (it ends before any daily sweep).
- 冻结 (freeze): 6 months; renewed before it runs out, each renewal at most 6 months — 监察法实施条例.

留置 is not in the table: its 3 months (extendable once by 3 with the higher commission's approval)
run on the cases app's ``Detention`` and ``cases.rules.DETENTION``.

Counting. A limit runs from the moment the measure starts, to the hour: N hours, N × 24 hours, or N
months to the same day and time (that month's last day if it has none, 民法典 第201条). It does not
roll past a rest day or holiday: a period that holds a person (or frozen property) ends on its own
day — the stricter reading, as for periods in custody (刑事诉讼法 第一百零五条: 在押期间应当至期满之日
为止，不得因节假日而延长). ``ends_at`` of a measure is its planned end and may not lie beyond the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.rulebook.national import national_default
from xiezuoqu.workdays.calendar import add_calendar_months

from .rules import MeasureKind


class LimitUnit(models.TextChoices):
    HOURS = "hours", "小时"
    DAYS = "days", "日"
    MONTHS = "months", "个月"


class TermState(models.TextChoices):
    """Where a time-limited measure stands; other measures keep the empty value."""

    IN_FORCE = "in_force", "执行中"
    COMPLETED = "completed", "已执行完毕"
    RELEASED = "released", "已解除"
    CONVERTED = "converted", "已变更"


@dataclass(frozen=True)
class Extension:
    """How a limit may be prolonged: ``times`` times (None: no cap on the number), each by
    ``min_amount``–``max_amount`` ``unit``, counted from the current planned end."""

    label: str
    min_amount: int
    max_amount: int
    unit: str
    times: int | None
    rule: str
    # The commission head (纪委书记、监委主任) approves, and the platform records who and the reference.
    head_approval: bool = False


@dataclass(frozen=True)
class MeasureLimit:
    kind: str
    value: int
    unit: str
    rule: str
    # 强制到案: the longer figure where 管护 or 留置 then has to be taken (with the condition's wording).
    special_value: int | None = None
    special_label: str = ""
    extension: Extension | None = None
    converts_to: tuple[str, ...] = ()
    # Open a "措施期限" deadline while the measure is in force (not for an hour-scale limit).
    deadline: bool = True
    # The day the value was read for from the rule book (None: the table's default, the open-ended row),
    # the row's citation and whether it is the commission's stricter local value.
    on: date | None = None
    citation: str = ""
    local: bool = False

    @property
    def label(self) -> str:
        return str(MeasureKind(self.kind).label)

    @property
    def unit_label(self) -> str:
        return str(LimitUnit(self.unit).label)

    @property
    def convert_choices(self) -> list[tuple[str, str]]:
        return [(k, str(MeasureKind(k).label)) for k in self.converts_to]

    @property
    def basis(self) -> str:
        """The rule text, and the rule book's row the figure was read from when it was read by date."""
        return f"{self.rule}；规则库：{self.citation}" if self.citation else self.rule

    @property
    def text(self) -> str:
        """The limit in words: "7日；可以延长1至3日（仅一次）", "6个月；可以续冻，每次不超过6个月"."""
        base = f"{self.value}{LimitUnit(self.unit).label}"
        if self.special_value is not None:
            base += f"（{self.special_label}的，{self.special_value}{LimitUnit(self.unit).label}）"
        ext = self.extension
        if ext is not None:
            unit = LimitUnit(ext.unit).label
            if ext.times == 1:
                amount = (
                    f"{ext.min_amount}至{ext.max_amount}" if ext.min_amount < ext.max_amount else str(ext.max_amount)
                )
                base += f"；可以{ext.label}{amount}{unit}（仅一次）"
            else:
                base += f"；可以{ext.label}，每次不超过{ext.max_amount}{unit}"
                base += f"（至多{ext.times}次）" if ext.times else ""
        return base


K = MeasureKind
CUSTODY_RULE = (
    "监察法（2024年修正，2025年6月1日起施行）：采取管护措施后，应当立即将被管护人员送留置场所，至迟不得超过二十四小时；"
    "监察机关应当在七日以内依法作出留置或者解除管护的决定，特殊情况下可以延长一日至三日"
)
ORDERED_WAIT_RULE = "监察法（2024年修正，2025年6月1日起施行）：责令候查最长不得超过十二个月"
COMPELLED_RULE = "监察法实施条例：强制到案持续的时间不得超过十二小时；需要采取管护或者留置措施的，不得超过二十四小时"
FREEZE_RULE = (
    "监察法实施条例：冻结财产的期限为六个月；需要延长期限的，应当在期满前办理续冻手续，每次续冻期限不得超过六个月"
)
COUNTING_RULE = (
    "期限自措施开始之时起算，按小时、日（二十四小时）、月（至对应日的同一时刻）计算，"
    "不因节假日顺延（参照刑事诉讼法第一百零五条：在押期间应当至期满之日为止，不得因节假日而延长）"
)

DEFAULT_LIMITS: dict[str, MeasureLimit] = {
    K.CUSTODY_CARE: MeasureLimit(
        K.CUSTODY_CARE,
        national_default("measure.custody_care"),
        LimitUnit.DAYS,
        CUSTODY_RULE,
        extension=Extension(
            "延长",
            1,
            3,
            LimitUnit.DAYS,
            times=1,
            rule="管护特殊情况下可以延长一日至三日（须经纪委书记、监委主任批准，登记批准人和审批文书编号）",
            head_approval=True,
        ),
        converts_to=(K.DETENTION, K.ORDERED_WAIT),
    ),
    K.ORDERED_WAIT: MeasureLimit(
        K.ORDERED_WAIT,
        national_default("measure.ordered_wait"),
        LimitUnit.MONTHS,
        ORDERED_WAIT_RULE,
        converts_to=(K.CUSTODY_CARE, K.DETENTION),
    ),
    K.COMPELLED_APPEARANCE: MeasureLimit(
        K.COMPELLED_APPEARANCE,
        national_default("measure.compelled_appearance"),
        LimitUnit.HOURS,
        COMPELLED_RULE,
        special_value=24,
        special_label="需要采取管护或者留置措施",
        converts_to=(K.CUSTODY_CARE, K.DETENTION, K.ORDERED_WAIT),
        deadline=False,
    ),
    K.FREEZE: MeasureLimit(
        K.FREEZE,
        national_default("measure.freeze"),
        LimitUnit.MONTHS,
        FREEZE_RULE,
        extension=Extension(
            "续冻",
            1,
            6,
            LimitUnit.MONTHS,
            times=None,
            rule="冻结期满前可以续冻，每次续冻期限不得超过六个月（登记续冻审批文书编号）",
        ),
    ),
}


def _override(limit: MeasureLimit, changes: dict[str, Any]) -> MeasureLimit:
    """A commission's setting replaces figures of the default (unknown keys are refused loudly)."""
    known = {f.name for f in fields(MeasureLimit)} - {"kind"}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"XIEZUOQU['MEASURE_LIMITS']['{limit.kind}']: unknown keys {sorted(unknown)}")
    values = dict(changes)
    if isinstance(values.get("extension"), dict):
        if limit.extension is None:
            raise ValueError(f"XIEZUOQU['MEASURE_LIMITS']['{limit.kind}']: the default has no extension to change")
        values["extension"] = replace(limit.extension, **values["extension"])
    if "converts_to" in values:
        values["converts_to"] = tuple(values["converts_to"])
    return replace(limit, **values)


def _configured() -> dict[str, dict[str, Any]]:
    return getattr(settings, "XIEZUOQU", {}).get("MEASURE_LIMITS", {}) or {}


def measure_limits() -> dict[str, MeasureLimit]:
    """The limits by the table: the defaults above, with the figures of ``XIEZUOQU["MEASURE_LIMITS"]``."""
    configured = _configured()
    return {kind: _override(limit, configured.get(kind, {})) for kind, limit in DEFAULT_LIMITS.items()}


def rule_key(kind: str) -> str:
    """The rule book's key of a measure kind's limit: "measure.custody_care"."""
    return f"measure.{kind}"


def measure_limit(kind: str, *, on: date | None = None, commission: Any = None) -> MeasureLimit | None:
    """The limit of a measure kind, or None for a measure without one.

    With ``on`` (the measure's start day) the figure is the rule book's for that day and ``commission``
    (an id or a Commission; None: the national row): ``rule_for`` — a commission's stricter local value
    in force that day, else the national row covering it; a day no row covers raises ``NoRuleInForce``.
    A figure chosen in ``XIEZUOQU["MEASURE_LIMITS"]`` stands. Without ``on``: the table's figure.
    """
    limit = measure_limits().get(kind)
    if limit is None or on is None or "value" in _configured().get(kind, {}):
        return limit
    # Imported here: this module loads with verification.models, before the apps' models are ready.
    from xiezuoqu.rulebook.selectors import rule_for

    answer = rule_for(rule_key(kind), on=on, commission=commission)
    return replace(limit, value=int(answer.value), on=on, citation=answer.citation, local=answer.local)


def start_day(starts_at: datetime) -> date:
    """The day a measure started, in the commission's local time (the day its rule is read for)."""
    return timezone.localtime(starts_at).date()


# --- counting -----------------------------------------------------------------------------------------


def add_period(moment: datetime, value: int, unit: str) -> datetime:
    """``moment`` plus ``value`` ``unit`` to the hour (months: the same day and time, or the month's
    last day); never rolled past a holiday (see the module's docstring)."""
    if unit == LimitUnit.HOURS:
        return moment + timedelta(hours=value)
    if unit == LimitUnit.DAYS:
        return moment + timedelta(days=value)
    local = timezone.localtime(moment)
    day = add_calendar_months(local.date(), value)
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def latest_end(limit: MeasureLimit, starts_at: datetime, *, special: bool = False) -> datetime:
    """The latest planned end the limit allows (before any extension). A limit not yet read by date
    (``measure_limit(kind)``) is read for ``starts_at``'s day from the national rows first."""
    if limit.on is None:
        limit = measure_limit(limit.kind, on=start_day(starts_at)) or limit
    value = limit.special_value if special and limit.special_value is not None else limit.value
    return add_period(starts_at, value, limit.unit)


def _moment(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def check_planned_end(
    kind: str, starts_at: datetime, ends_at: datetime, *, special: bool = False, commission: Any = None
) -> None:
    """Refuse a planned end beyond the kind's limit on its start day for ``commission`` (a measure
    without a limit passes); the refusal cites the rule book's row."""
    limit = measure_limit(kind, on=start_day(starts_at), commission=commission)
    if limit is None:
        return
    if special and limit.special_value is None:
        raise ValidationFailed(
            f"“{limit.special_label or '需要采取管护或者留置措施'}”的较长期限只适用于强制到案，{limit.label}不适用。",
            field_errors={"followed_by_custody": ["不适用于该措施。"]},
        )
    latest = latest_end(limit, starts_at, special=special)
    if ends_at > latest:
        value = limit.special_value if special and limit.special_value is not None else limit.value
        hint = (
            f"需要采取管护或者留置措施的，请勾选该项（最长 {limit.special_value}{LimitUnit(limit.unit).label}）。"
            if limit.special_value is not None and not special
            else ""
        )
        raise RuleViolation(
            f"{limit.label}的期限不得超过{value}{LimitUnit(limit.unit).label}（{limit.basis}）：自开始时间"
            f" {_moment(starts_at)} 起，计划结束时间最迟为 {_moment(latest)}，现填写为 {_moment(ends_at)}。{hint}",
            field_errors={"ends_at": [f"最迟 {_moment(latest)}。"]},
        )


# --- where a measure stands, for the pages ------------------------------------------------------------


class Shade(StrEnum):
    """The page colours of DESIGN §4 (blue, yellow, red) plus the closed states."""

    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"
    GREEN = "green"
    GREY = "grey"


@dataclass(frozen=True)
class Term:
    """A time-limited measure as the case page and the ledger show it. ``limit`` is the one of the
    measure's start day, read from the rule book when shown (``table`` is the kind's table entry)."""

    table: MeasureLimit
    starts_at: datetime
    commission: Any
    state: str
    state_label: str
    planned_end: datetime
    shade: Shade
    remaining_text: str
    may_extend: bool
    may_release: bool

    @property
    def overdue(self) -> bool:
        return self.shade is Shade.RED

    @cached_property
    def limit(self) -> MeasureLimit:
        """The rule book's answer for the start day and the commission (its local value; None: the
        national row). A page of many measures reads the book's revision once per request
        (``rulebook.selectors.RulebookPerRequest``), so the terms cost no query each."""
        if self.table.on is not None:
            return self.table
        day = start_day(self.starts_at)
        # Imported here: this module loads with verification.models, before the apps' models are ready.
        from xiezuoqu.rulebook.selectors import NoRuleInForce

        try:
            return measure_limit(self.table.kind, on=day, commission=self.commission) or self.table
        except NoRuleInForce:
            return self.table


def duration_text(delta: timedelta) -> str:
    """ "3天5小时", "5小时20分" — days and hours, minutes only under a day."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分"


def term_of(
    kind: str,
    *,
    state: str,
    starts_at: datetime,
    ends_at: datetime,
    extension_count: int,
    now: datetime | None = None,
    commission: Any = None,
) -> Term | None:
    """The term of a measure, or None when its kind has no limit (or it predates the tracking).

    In force: red once its planned end has passed (neither released nor extended — DESIGN §4 "red
    (overdue)"), yellow when no more than a fifth of its planned time, or a day, is left, blue otherwise.
    """
    limit = measure_limit(kind)
    if limit is None or not state:
        return None
    now = now or timezone.now()
    label = str(TermState(state).label)
    if state != TermState.IN_FORCE:
        shade = Shade.GREEN if state in (TermState.RELEASED, TermState.COMPLETED) else Shade.GREY
        return Term(limit, starts_at, commission, state, label, ends_at, shade, "", False, False)
    left = ends_at - now
    ext = limit.extension
    extendable = ext is not None and (ext.times is None or extension_count < ext.times)
    if left.total_seconds() < 0:
        overdue = f"已超期{duration_text(-left)}"
        return Term(limit, starts_at, commission, state, "已到期未解除", ends_at, Shade.RED, overdue, False, True)
    whole = ends_at - starts_at
    shade = Shade.YELLOW if left * 5 <= whole or left <= timedelta(days=1) else Shade.BLUE
    left_text = f"剩余{duration_text(left)}"
    return Term(limit, starts_at, commission, state, label, ends_at, shade, left_text, extendable, True)
