"""统计 figures: one GROUP BY query per figure family, over the rows the viewer may see.

Every family is read through the scope funnel of its rows (``reports_visible_to``,
``clues_visible_to``, ``cases_visible_to``, ``deadlines_visible_to``, ``teams_visible_to``) within the
viewer's own commission, grouped by (zone, unit[, key]) for the whole period in one query. The
commission's, a zone's and a township's figures are sums over those groups, so the page never runs a
query per zone, township or cell, and the drill-down list (``drill_queryset``) is the same queryset
with the group's filter: its count is the figure. Definitions and the date each count uses:
docs/decisions/0022-statistics.md, and ``DEFINITIONS`` below (shown on the page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.meetings.summary import DISPOSAL_METHODS, FORMS, MODES, Period, period_label, period_presets
from xiezuoqu.org.models import Unit, Zone

from .rules import may_see_statistics

PV = "preliminary_verification"
FINDING_COUNTS = ("n", "ordered", "closed", "overdue", "transferred")
FINDING_LABELS = {
    "n": "发现问题",
    "ordered": "交办整改",
    "closed": "已销号",
    "overdue": "整改超期",
    "transferred": "移交问题线索",
}
DEADLINE_STATUSES = ("met", "met_late", "open_overdue", "open_pending")
STATUS_LABELS = {
    "met": "按期办结",
    "met_late": "超期办结",
    "open_overdue": "未办结已超期",
    "open_pending": "未办结未到期",
}

# (figure, 名称, 定义) — printed on the page under the figures, and in the decision record.
DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "reports",
        "受理登记检举控告",
        "本期登记（登记时间）的检举控告件，按来源渠道分列；乡镇按登记单位，协作区按件的协作区",
    ),
    (
        "disposals",
        "处置问题线索",
        "本期经批准（审批完成时间）按谈话函询、初步核实、暂存待查、予以了结四类方式处置的线索（件，同一线索同一方式只计一次）；乡镇按承办单位",
    ),
    (
        "filing_rate",
        "成案率",
        "本期立案数（立案日期在本期）÷ 本期经批准以初步核实方式处置的线索数（审批完成时间在本期）；分母为 0 时不计算",
    ),
    (
        "conversion",
        "初核转立案率",
        "本期经批准初步核实的线索中，截至统计时已立案的线索数 ÷ 本期经批准初步核实的线索数",
    ),
    (
        "deadlines",
        "按期率、超期率",
        "到期日在本期的时限（已撤销的除外），按时限类别：按期率 = 按期办结 ÷ 全部；"
        "超期率 = (超期办结 + 未办结已超期) ÷ 全部；"
        "未办结的以统计当日判断是否超期；乡镇按责任单位",
    ),
    (
        "forms",
        "四种形态占比",
        "本期经批准（决定日期）的处理决定（人次）中各种形态所占比例；不属于四种形态的单列，不计入分母",
    ),
    (
        "teams",
        "交叉、联合办理占比",
        "本期确定（确定时间）的办案组中交叉办理、联合办理的各自占比及合计占比；乡镇按线索承办单位",
    ),
    (
        "training",
        "以干代训人次",
        "已确定的办案组中以干代训学员的席位数（人次：一人参加两个办案组计两次），按学员加入办案组的日期"
        "（未记载的按办案组确定时间）计入本期；乡镇按线索承办单位",
    ),
    (
        "findings",
        "专项检查发现问题及整改销号率",
        "本期发现（发现日期在本期）的专项检查问题：已销号、整改超期（整改中且已过整改期限）、移交问题线索的个数；"
        "整改销号率 = 已销号 ÷ 交办整改的问题数；乡镇按被检查单位",
    ),
    (
        "spending",
        "办案经费支出、案均经费",
        "本期支付（支付时间在本期）的办案经费申请金额合计（含冲正）；案均经费 = 支出合计 ÷ 本期立案数；"
        "经费按协作区预算列支，乡镇不单列",
    ),
)


# --- the period ---------------------------------------------------------------------------------------


def _month(value: str, name: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed(f"{name}应为“年-月”，如 2026-03。", field_errors={name: ["格式应为 YYYY-MM"]}) from None


def _year(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise ValidationFailed("年度应为 2000 至 2100 之间的四位数字。", field_errors={"year": ["年度无效"]})
    return int(value)


def _month_end(first: date) -> date:
    after = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return after - timedelta(days=1)


def parse_period(params: Any, today: date | None = None) -> tuple[str, Period]:
    """The period of a request: a preset (``period=quarter``), a year (``year=2026``, with
    ``quarter=1..4``), or a month range (``from=2026-01&to=2026-06``); this year by default.
    Bad input raises ValidationFailed with a message the user can act on."""
    today = today or timezone.localdate()
    presets = dict(period_presets(today))
    preset = (params.get("period") or "").strip()
    year, quarter = (params.get("year") or "").strip(), (params.get("quarter") or "").strip()
    first, last = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if first or last:
        if not (first and last):
            raise ValidationFailed("按月份区间统计时，起止月份都要填写。")
        start, end = _month(first, "起始月份"), _month_end(_month(last, "截止月份"))
        if end < start:
            raise ValidationFailed("截止月份不能早于起始月份。")
        if (end.year - start.year) * 12 + end.month - start.month >= 36:
            raise ValidationFailed("月份区间最长 36 个月。")
        if not 2000 <= start.year <= 2100 or not 2000 <= end.year <= 2100:
            raise ValidationFailed("月份应在 2000 至 2100 年之间。")
        return "range", Period(start, end, period_label(start, end))
    if year:
        y = _year(year)
        if quarter:
            if quarter not in ("1", "2", "3", "4"):
                raise ValidationFailed("季度应为 1、2、3 或 4。", field_errors={"quarter": ["季度无效"]})
            q = int(quarter)
            start = date(y, 3 * q - 2, 1)
            end = _month_end(date(y, 3 * q, 1))
            return "quarter_of_year", Period(start, end, f"{y}年第{'一二三四'[q - 1]}季度")
        return "year_of", Period(date(y, 1, 1), date(y, 12, 31), f"{y}年度")
    if quarter:
        raise ValidationFailed("按季度统计时请同时选择年度。")
    if preset:
        if preset not in presets:
            raise ValidationFailed("没有这个统计期间，请从列表中选择。", field_errors={"period": ["期间无效"]})
        return preset, presets[preset]
    return "year", presets["year"]


# --- who sees which figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    kind: str  # commission | zone | township
    id: int | None
    name: str
    zone_id: int | None = None  # a township's zone today

    @property
    def query(self) -> dict[str, str]:
        return {} if self.kind == "commission" else {self.kind: str(self.id)}


@dataclass(frozen=True)
class Reach:
    """The levels whose figures the viewer may see: the commission (its commission-wide roles), the
    zones they lead, deputise or work in as inspection-office staff (all zones for commission-wide
    roles), the townships of those zones, and a township secretary's own township."""

    commission: Level | None
    zones: list[Level]
    townships: list[Level]

    @property
    def empty(self) -> bool:
        return self.commission is None and not self.zones and not self.townships

    def default(self) -> Level:
        if self.commission is not None:
            return self.commission
        return (self.zones or self.townships)[0]

    def find(self, kind: str, level_id: int | None) -> Level:
        for level in self.zones if kind == "zone" else self.townships:
            if level.id == level_id:
                return level
        raise NotFound("未找到该协作区或乡镇，或您无权查看其统计。")


def reach_of(actor: Actor) -> Reach:
    from xiezuoqu.intake.selectors import zone_reader_zone_ids
    from xiezuoqu.org.models import Commission
    from xiezuoqu.org.selectors import memberships_on

    if not may_see_statistics(actor):
        raise NotFound("统计仅供委领导、案管等全委人员，协作区组长、副组长、纪检监察室干部和乡镇纪委书记查看。")
    commission_id = actor.commission_id
    zones_qs = Zone.objects.filter(commission_id=commission_id).order_by("number")
    commission = None
    if actor.is_commission_wide:
        name = Commission.objects.filter(pk=commission_id).values_list("name", flat=True).first() or "本委"
        commission = Level("commission", None, str(name))
    else:
        zones_qs = zones_qs.filter(pk__in=zone_reader_zone_ids(actor))
    zones = [Level("zone", z.pk, z.name) for z in zones_qs]
    # Each township with the zone it is in today (one query: the membership as a subquery).
    zone_now = memberships_on().filter(unit_id=OuterRef("pk")).order_by("-start_date").values("zone_id")[:1]
    units = (
        Unit.objects.filter(commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE)
        .annotate(zone_now=Subquery(zone_now))
        .order_by("sort_order", "id")
        .values_list("pk", "name", "zone_now")
    )
    visible_zone_ids = {z.id for z in zones}
    own = set(actor.units_for_role(Role.TOWNSHIP_SECRETARY))
    townships = [
        Level("township", pk, name, zone_id)
        for pk, name, zone_id in units
        if commission is not None or zone_id in visible_zone_ids or pk in own
    ]
    reach = Reach(commission, zones, townships)
    if reach.empty:  # a secretary's role anchored at a unit that is no township committee
        raise NotFound("您没有可查看统计的协作区或乡镇。")
    return reach


def level_from(reach: Reach, params: Any) -> Level:
    from xiezuoqu.web.forms import parse_id

    for kind in ("township", "zone"):
        raw = params.get(kind)
        if raw:
            level_id = parse_id(raw)
            if level_id is None:
                raise ValidationFailed("协作区或乡镇的编号无效。", field_errors={kind: ["编号无效"]})
            return reach.find(kind, level_id)
    return reach.default()


# --- the families: one scoped queryset each, and the paths of its zone and unit ---------------------------


@dataclass(frozen=True)
class Family:
    key: str
    zone: str
    unit: str


FAMILIES = {
    "reports": Family("reports", "zone_id", "ledger_unit_id"),
    "disposals": Family("disposals", "clue__zone_id", "clue__handling_unit_id"),
    "cases": Family("cases", "zone_id", "clue__handling_unit_id"),
    "deadlines": Family("deadlines", "zone_id", "responsible_unit_id"),
    "decisions": Family("decisions", "case__zone_id", "case__clue__handling_unit_id"),
    "teams": Family("teams", "clue__zone_id", "clue__handling_unit_id"),
    "training": Family("training", "team__clue__zone_id", "team__clue__handling_unit_id"),
    "findings": Family("findings", "zone_id", "inspected_unit_id"),
    # Funds are budgeted per zone: a township has no figure of its own ("" = no unit path).
    "spending": Family("spending", "line__budget__zone_id", ""),
}


def _scoped(actor: Actor, family: str) -> QuerySet[Any]:
    """The rows of a family the actor may see, in the actor's own commission."""
    from xiezuoqu.cases.models import PersonDecision
    from xiezuoqu.cases.selectors import cases_visible_to
    from xiezuoqu.clues.models import ClueDisposal
    from xiezuoqu.clues.selectors import clues_visible_to
    from xiezuoqu.deadlines.selectors import deadlines_visible_to
    from xiezuoqu.funds.selectors import claims_visible_to
    from xiezuoqu.inspections.selectors import findings_visible_to
    from xiezuoqu.intake.selectors import staff_reports
    from xiezuoqu.teams.selectors import teams_visible_to

    commission = actor.commission_id
    if family == "reports":
        return staff_reports(actor).filter(commission_id=commission)
    if family == "disposals":
        return ClueDisposal.objects.filter(clue__in=clues_visible_to(actor), clue__commission_id=commission)
    if family == "cases":
        return cases_visible_to(actor).filter(commission_id=commission)
    if family == "deadlines":
        return deadlines_visible_to(actor).filter(commission_id=commission)
    if family == "decisions":
        return PersonDecision.objects.filter(case__in=cases_visible_to(actor), case__commission_id=commission)
    if family == "training":
        from xiezuoqu.teams.models import TeamMember

        teams = teams_visible_to(actor).filter(clue__commission_id=commission, confirmed_at__isnull=False)
        return TeamMember.objects.filter(team__in=teams, role="trainee")
    if family == "findings":
        return findings_visible_to(actor).filter(campaign__commission_id=commission)
    if family == "spending":
        return claims_visible_to(actor).filter(line__budget__commission_id=commission)
    return teams_visible_to(actor).filter(clue__commission_id=commission)


def _in_period(family: str, period: Period) -> Q:
    since, until = period.datetimes()
    days = (period.start, period.end)
    return {
        "reports": Q(registered_at__gte=since, registered_at__lt=until),
        "disposals": Q(state="approved", decided_at__gte=since, decided_at__lt=until),
        "cases": Q(filed_on__range=days),
        "deadlines": Q(due_date__range=days) & ~Q(state="cancelled"),
        "decisions": Q(state="approved", decided_on__range=days),
        "teams": Q(confirmed_at__gte=since, confirmed_at__lt=until),
        # A trainee seat counts when the cadre joined the confirmed team (its confirmation when the day
        # was not recorded) — as the 总结会 counts it.
        "training": Q(joined_on__range=days)
        | Q(joined_on__isnull=True, team__confirmed_at__gte=since, team__confirmed_at__lt=until),
        "findings": Q(found_on__range=days),
        "spending": Q(state="paid", paid_at__gte=since, paid_at__lt=until),
    }[family]


def _has_case() -> Exists:
    from xiezuoqu.cases.models import Case

    return Exists(Case.objects.filter(clue_id=OuterRef("clue_id")))


def family_rows(actor: Actor, period: Period, today: date) -> dict[str, list[dict[str, Any]]]:
    """Every family's (zone, unit[, key]) groups for the period: nine queries, whatever the data."""
    rows: dict[str, list[dict[str, Any]]] = {}
    f = FAMILIES

    def grouped(family: str, *keys: str) -> QuerySet[Any]:
        fam = f[family]
        return (
            _scoped(actor, family)
            .filter(_in_period(family, period))
            .values(*keys, z=_ref(fam.zone), u=_ref(fam.unit) if fam.unit else Value(None, IntegerField()))
            .order_by()
        )

    rows["reports"] = list(grouped("reports", "channel").annotate(n=Count("pk")))
    method_counts = {f"m_{m}": Count("clue", distinct=True, filter=Q(method=m)) for m in DISPOSAL_METHODS}
    rows["disposals"] = list(
        grouped("disposals").annotate(
            **method_counts,
            total=Count("clue", distinct=True),
            converted=Count("clue", distinct=True, filter=Q(method=PV) & Q(_has_case())),
        )
    )
    rows["cases"] = list(grouped("cases").annotate(n=Count("pk")))
    rows["deadlines"] = list(
        grouped("deadlines", "kind").annotate(
            met=Count("pk", filter=Q(state="met")),
            met_late=Count("pk", filter=Q(state="met_late")),
            open_overdue=Count("pk", filter=Q(state="open", due_date__lt=today)),
            open_pending=Count("pk", filter=Q(state="open", due_date__gte=today)),
        )
    )
    rows["decisions"] = list(grouped("decisions", "form").annotate(n=Count("pk")))
    rows["teams"] = list(grouped("teams", "mode").annotate(n=Count("pk")))
    rows["training"] = list(grouped("training").annotate(n=Count("pk")))
    rows["findings"] = list(
        grouped("findings").annotate(
            n=Count("pk"),
            closed=Count("pk", filter=Q(state="closed")),
            ordered=Count("pk", filter=Q(rectification__isnull=False)),
            overdue=Count("pk", filter=Q(state="rectifying", rectification__due_date__lt=today)),
            transferred=Count("pk", filter=Q(clue__isnull=False)),
        )
    )
    rows["spending"] = list(grouped("spending").annotate(n=Count("pk"), amount=Sum("amount")))
    return rows


def _ref(path: str) -> Any:
    from django.db.models import F

    return F(path)


def _matches(row: dict[str, Any], level: Level) -> bool:
    if level.kind == "commission":
        return True
    if level.kind == "zone":
        return bool(row["z"] == level.id)
    return bool(row["u"] == level.id)


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@dataclass
class Figures:
    """One level's figures for the period."""

    level: Level
    reports: dict[str, int] = field(default_factory=dict)
    disposals: dict[str, int] = field(default_factory=dict)
    disposed: int = 0  # distinct clues (a clue disposed twice in the period, two ways, counts once)
    converted: int = 0
    cases: int = 0
    deadlines: dict[str, dict[str, int]] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    trainee_seats: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    paid_claims: int = 0
    spent: Decimal = Decimal("0.00")

    @property
    def reports_total(self) -> int:
        return sum(self.reports.values())

    @property
    def disposals_total(self) -> int:
        return self.disposed

    @property
    def verified(self) -> int:
        return self.disposals.get(PV, 0)

    @property
    def filing_rate(self) -> float | None:
        """成案率: cases filed in the period ÷ clues disposed by 初步核实 in the period."""
        return _rate(self.cases, self.verified)

    @property
    def conversion_rate(self) -> float | None:
        """初核转立案率: of the period's 初核 clues, the share with a case filed by now."""
        return _rate(self.converted, self.verified)

    @property
    def decided_in_forms(self) -> int:
        return sum(self.decisions.get(form, 0) for form in FORMS)

    def form_share(self, form: str) -> float | None:
        return _rate(self.decisions.get(form, 0), self.decided_in_forms)

    @property
    def teams_total(self) -> int:
        return sum(self.teams.values())

    def mode_share(self, *modes: str) -> float | None:
        return _rate(sum(self.teams.get(m, 0) for m in modes), self.teams_total)

    @property
    def rectified_rate(self) -> float | None:
        """整改销号率: findings signed off ÷ findings given to rectification (of the period's findings)."""
        return _rate(self.findings.get("closed", 0), self.findings.get("ordered", 0))

    @property
    def spent_per_case(self) -> Decimal | None:
        """案均经费: funds paid in the period ÷ cases filed in the period."""
        if not self.cases:
            return None
        return (self.spent / self.cases).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def deadline_totals(self, counts: dict[str, int]) -> dict[str, Any]:
        total = sum(counts.get(s, 0) for s in DEADLINE_STATUSES)
        return {
            **{s: counts.get(s, 0) for s in DEADLINE_STATUSES},
            "total": total,
            "on_time": _rate(counts.get("met", 0), total),
            "overdue": _rate(counts.get("met_late", 0) + counts.get("open_overdue", 0), total),
        }

    @property
    def deadline_all(self) -> dict[str, Any]:
        summed: dict[str, int] = defaultdict(int)
        for counts in self.deadlines.values():
            for status, n in counts.items():
                summed[status] += n
        return self.deadline_totals(summed)


def figures_for(rows: dict[str, list[dict[str, Any]]], level: Level) -> Figures:
    """A level's figures: sums over the family groups (no query)."""
    fig = Figures(level)
    reports: dict[str, int] = defaultdict(int)
    for row in rows["reports"]:
        if _matches(row, level):
            reports[row["channel"]] += row["n"]
    fig.reports = dict(reports)
    disposals: dict[str, int] = defaultdict(int)
    for row in rows["disposals"]:
        if _matches(row, level):
            for m in DISPOSAL_METHODS:
                disposals[m] += row[f"m_{m}"]
            fig.disposed += row["total"]
            fig.converted += row["converted"]
    fig.disposals = {m: disposals[m] for m in DISPOSAL_METHODS}
    fig.cases = sum(row["n"] for row in rows["cases"] if _matches(row, level))
    deadlines: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows["deadlines"]:
        if _matches(row, level):
            for status in DEADLINE_STATUSES:
                deadlines[row["kind"]][status] += row[status]
    fig.deadlines = {kind: dict(counts) for kind, counts in sorted(deadlines.items())}
    decisions: dict[str, int] = defaultdict(int)
    for row in rows["decisions"]:
        if _matches(row, level):
            decisions[str(row["form"]) if row["form"] else "none"] += row["n"]
    fig.decisions = {form: decisions[form] for form in (*FORMS, "none")}
    teams: dict[str, int] = defaultdict(int)
    for row in rows["teams"]:
        if _matches(row, level):
            teams[row["mode"]] += row["n"]
    fig.trainee_seats = sum(row["n"] for row in rows.get("training", []) if _matches(row, level))
    fig.teams = {m: teams[m] for m in MODES}
    findings: dict[str, int] = defaultdict(int)
    for row in rows.get("findings", []):
        if _matches(row, level):
            for key in FINDING_COUNTS:
                findings[key] += row[key]
    fig.findings = {key: findings[key] for key in FINDING_COUNTS}
    for row in rows.get("spending", []):
        if _matches(row, level):
            fig.paid_claims += row["n"]
            fig.spent += row["amount"] or Decimal("0.00")
    return fig


@dataclass
class Cockpit:
    """What the page shows: the chosen level's figures and, below a commission or a zone, the
    figures of each zone or township in it — all from the same six queries."""

    period_key: str
    period: Period
    reach: Reach
    level: Level
    figures: Figures
    parts: list[Figures]


def cockpit(actor: Actor, params: Any, today: date | None = None) -> Cockpit:
    today = today or timezone.localdate()
    reach = reach_of(actor)
    level = level_from(reach, params)
    key, period = parse_period(params, today)
    rows = family_rows(actor, period, today)
    if level.kind == "commission":
        parts = [figures_for(rows, z) for z in reach.zones]
    elif level.kind == "zone":
        parts = [figures_for(rows, t) for t in reach.townships if t.zone_id == level.id]
    else:
        parts = []
    return Cockpit(key, period, reach, level, figures_for(rows, level), parts)


# --- the zone × month 成案率 table, with the same months of the year before ---------------------------------


@dataclass
class MonthRow:
    level: Level
    cases: list[int]  # 12 months of the year
    verified: list[int]
    last_cases: list[int]  # the same months of the year before
    last_verified: list[int]

    @staticmethod
    def _rates(cases: list[int], verified: list[int]) -> list[float | None]:
        return [_rate(c, v) for c, v in zip(cases, verified, strict=True)]

    @property
    def rates(self) -> list[float | None]:
        return self._rates(self.cases, self.verified)

    @property
    def last_rates(self) -> list[float | None]:
        return self._rates(self.last_cases, self.last_verified)

    @property
    def year_rate(self) -> float | None:
        return _rate(sum(self.cases), sum(self.verified))

    @property
    def last_year_rate(self) -> float | None:
        return _rate(sum(self.last_cases), sum(self.last_verified))

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [
            {"month": m + 1, "cases": c, "verified": v, "rate": r, "last_cases": lc, "last_verified": lv, "last": lr}
            for m, (c, v, r, lc, lv, lr) in enumerate(
                zip(
                    self.cases,
                    self.verified,
                    self.rates,
                    self.last_cases,
                    self.last_verified,
                    self.last_rates,
                    strict=True,
                )
            )
        ]


def monthly_rows(actor: Actor, year: int) -> list[dict[str, Any]]:
    """Cases filed and 初核 clues by (zone, unit, year, month) for ``year`` and the year before: two
    GROUP BY queries (their SQL is what bench_statistics times raw)."""
    return [row for qs in monthly_querysets(actor, year) for row in qs]


def monthly_querysets(actor: Actor, year: int) -> list[QuerySet[Any]]:
    period = Period(date(year - 1, 1, 1), date(year, 12, 31))
    cases = (
        _scoped(actor, "cases")
        .filter(_in_period("cases", period))
        .values(
            z=_ref("zone_id"),
            u=_ref("clue__handling_unit_id"),
            y=ExtractYear("filed_on"),
            m=ExtractMonth("filed_on"),
        )
        .order_by()
        .annotate(cases=Count("pk"))
    )
    verified = (
        _scoped(actor, "disposals")
        .filter(_in_period("disposals", period), method=PV)
        .values(
            z=_ref("clue__zone_id"),
            u=_ref("clue__handling_unit_id"),
            y=ExtractYear("decided_at"),
            m=ExtractMonth("decided_at"),
        )
        .order_by()
        .annotate(verified=Count("clue", distinct=True))
    )
    return [cases, verified]


def month_table(rows: Iterable[dict[str, Any]], levels: list[Level], year: int) -> list[MonthRow]:
    rows = list(rows)
    table = []
    for level in levels:
        cells = {k: [0] * 12 for k in ("cases", "verified", "last_cases", "last_verified")}
        for row in rows:
            if not _matches(row, level):
                continue
            prefix = "" if row["y"] == year else "last_"
            for key in ("cases", "verified"):
                if key in row:
                    cells[prefix + key][row["m"] - 1] += row[key]
        table.append(MonthRow(level, **cells))
    return table


def table_levels(cp: Cockpit) -> list[Level]:
    """The rows of the month table: the level, then the zones or townships below it."""
    return [cp.level, *(part.level for part in cp.parts)]


def table_year(params: Any, period: Period) -> int:
    raw = (params.get("table_year") or "").strip()
    return _year(raw) if raw else period.end.year


# --- drill-down: the matters behind a figure -------------------------------------------------------------


DRILLS = {
    "reports": "检举控告件",
    "disposals": "问题线索",
    "conversion": "问题线索",
    "cases": "案件",
    "deadlines": "时限",
    "decisions": "处理决定",
    "teams": "办案组",
    "training": "以干代训席位",
    "findings": "专项检查发现问题",
    "spending": "办案经费支出",
}


@dataclass(frozen=True)
class Drill:
    figure: str
    key: str
    status: str
    title: str
    queryset: QuerySet[Any]


def _level_q(family: str, level: Level) -> Q:
    fam = FAMILIES[family]
    if level.kind == "zone":
        return Q(**{fam.zone: level.id})
    if level.kind == "township":
        return Q(**{fam.unit: level.id})
    return Q()


def drill(actor: Actor, params: Any, today: date | None = None) -> Drill:
    """The matters behind one figure, through the same scope, period and group as the figure."""
    from xiezuoqu.clues.models import ClueDisposal, DisposalMethod
    from xiezuoqu.clues.selectors import clues_visible_to
    from xiezuoqu.intake.models import Channel
    from xiezuoqu.teams.models import HandlingMode

    today = today or timezone.localdate()
    reach = reach_of(actor)
    level = level_from(reach, params)
    _key, period = parse_period(params, today)
    figure = (params.get("figure") or "").strip()
    key = (params.get("key") or "").strip()
    status = (params.get("status") or "").strip()
    if figure not in DRILLS:
        raise ValidationFailed("没有这项统计指标。", field_errors={"figure": ["指标无效"]})
    name = f"{level.name} · {period.text}"
    if figure in ("disposals", "conversion"):
        if figure == "conversion":
            key = PV
        if key and key not in DISPOSAL_METHODS:
            raise ValidationFailed("处置方式无效。", field_errors={"key": ["处置方式无效"]})
        disposals = ClueDisposal.objects.filter(_in_period("disposals", period), clue_id=OuterRef("pk"))
        if key:
            disposals = disposals.filter(method=key)
        qs = clues_visible_to(actor).filter(Exists(disposals), commission_id=actor.commission_id)
        if level.kind == "zone":  # the clue's zone and handling unit, as in the disposal family
            qs = qs.filter(zone_id=level.id)
        elif level.kind == "township":
            qs = qs.filter(handling_unit_id=level.id)
        if figure == "conversion":
            from xiezuoqu.cases.models import Case

            qs = qs.filter(Exists(Case.objects.filter(clue_id=OuterRef("pk"))))
            title = f"初核转立案的线索（{name}）"
        else:
            label = dict(DisposalMethod.choices).get(key, "四类方式")
            title = f"{label}处置的线索（{name}）"
        return Drill(figure, key, "", title, qs.select_related("zone", "handling_unit").order_by("-id"))
    if figure == "training":
        seats = _scoped(actor, "training").filter(_in_period("training", period), _level_q("training", level))
        title = f"以干代训学员席位（{name}）"
        return Drill(figure, "", "", title, seats.select_related("team__clue", "staff", "mentor").order_by("-id"))
    if figure == "spending" and level.kind == "township":
        raise ValidationFailed("办案经费按协作区预算列支，乡镇不单列。", field_errors={"figure": ["乡镇不单列经费"]})
    base = _scoped(actor, figure).filter(_in_period(figure, period), _level_q(figure, level))
    if figure == "findings":
        states = {
            "ordered": Q(rectification__isnull=False),
            "closed": Q(state="closed"),
            "overdue": Q(state="rectifying", rectification__due_date__lt=today),
            "transferred": Q(clue__isnull=False),
        }
        if key and key not in states:
            raise ValidationFailed("问题状态无效。", field_errors={"key": ["状态无效"]})
        qs = base.filter(states[key]) if key else base
        label = FINDING_LABELS[key] if key else "发现问题"
        title = f"专项检查{label}（{name}）"
        return Drill(figure, key, "", title, qs.select_related("campaign", "inspected_unit", "zone").order_by("-id"))
    if figure == "spending":
        title = f"已支付的办案经费申请（{name}）"
        return Drill(figure, "", "", title, base.select_related("line__kind", "line__budget__zone").order_by("-id"))
    if figure == "reports":
        if key and key not in Channel.values:
            raise ValidationFailed("来源渠道无效。", field_errors={"key": ["来源渠道无效"]})
        qs = base.filter(channel=key) if key else base
        label = dict(Channel.choices).get(key, "")
        title = f"受理登记的检举控告件{('（' + label + '）') if label else ''}（{name}）"
        return Drill(figure, key, "", title, qs.select_related("zone", "ledger_unit").order_by("-id"))
    if figure == "cases":
        return Drill(figure, "", "", f"立案（{name}）", base.select_related("zone", "subject").order_by("-id"))
    if figure == "deadlines":
        if key:
            base = base.filter(kind=key)
        states = {
            "met": Q(state="met"),
            "met_late": Q(state="met_late"),
            "open_overdue": Q(state="open", due_date__lt=today),
            "open_pending": Q(state="open", due_date__gte=today),
            "overdue": Q(state="met_late") | Q(state="open", due_date__lt=today),
        }
        if status:
            if status not in states:
                raise ValidationFailed("时限状态无效。", field_errors={"status": ["状态无效"]})
            base = base.filter(states[status])
        from xiezuoqu.deadlines.kinds import kind_label

        label = kind_label(key) if key else "全部时限"
        extra = STATUS_LABELS.get(status, "超期（超期办结及未办结已超期）" if status == "overdue" else "")
        title = f"{label}{('：' + extra) if extra else ''}（{name}）"
        rows = base.select_related("zone", "responsible_unit").order_by("due_date", "id")
        return Drill(figure, key, status, title, rows)
    if figure == "decisions":
        if key and key not in (*FORMS, "none"):
            raise ValidationFailed("四种形态应为 1 至 4。", field_errors={"key": ["形态无效"]})
        qs = base.filter(form__isnull=True) if key == "none" else base.filter(form=int(key)) if key else base
        label = f"第{'一二三四'[int(key) - 1]}种形态" if key in FORMS else ("不属于四种形态" if key == "none" else "")
        title = f"处理决定{('（' + label + '）') if label else ''}（{name}）"
        return Drill(figure, key, "", title, qs.select_related("case", "subject").order_by("-id"))
    # teams
    modes = [m for m in key.split(",") if m] if key else []
    if any(m not in HandlingMode.values for m in modes):
        raise ValidationFailed("办理方式无效。", field_errors={"key": ["办理方式无效"]})
    qs = base.filter(mode__in=modes) if modes else base
    labels = "、".join(str(dict(HandlingMode.choices)[m]) for m in modes)
    title = f"办案组{('（' + labels + '）') if labels else ''}（{name}）"
    return Drill(figure, key, "", title, qs.select_related("clue", "lead_unit").order_by("-id"))
