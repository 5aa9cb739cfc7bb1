"""总结会: the zone's figures for a period, computed from the record — never typed.

A 总结会 studies an agenda item of kind ``period_summary`` (阶段工作总结) that carries a period. Its
page and minutes show what the zone did in that period (DESIGN §7 "the zone's own performance"):

- 受理登记: reports registered by the zone's member units (and its lead office);
- 问题线索: clues received, clues disposed and by which of the four methods;
- 初步核实: verifications begun (plan approved) and concluded;
- 立案: filing proposals submitted to the zone and agreed by it, cases filed, 成案率
  (cases filed ÷ clues disposed, GLOSSARY);
- 审结: people decided (approved 处理决定) by the 四种形态, and the cases they belong to;
- 交叉、联合办案: teams confirmed by handling mode and the share of cross and joint handling;
- 以干代训: trainee seats on the zone's teams and the cadres who held them;
- 时限: deadlines of the zone that went overdue in the period, and how many are still open.

``zone_figures`` runs one aggregate query per group of figures (ten in all, whatever the size of the
data: no loop over rows; a test pins the count). When the item is decided the figures are frozen
into ``Resolution.figures`` (the agenda kind's ``on_resolution``), so the minutes never change when
later data arrive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from .agenda import register_agenda_kind

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor
    from xiezuoqu.org.models import Zone

    from .models import AgendaItem, Resolution

SUMMARY_AGENDA_KIND = "period_summary"
DISPOSAL_METHODS = ("talk_or_letter", "preliminary_verification", "hold", "close")
FORMS = ("1", "2", "3", "4")
MODES = ("self", "cross", "joint", "elevated")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str = ""

    @property
    def text(self) -> str:
        span = f"{_day(self.start)}至{_day(self.end)}"
        return f"{self.label}（{span}）" if self.label else span

    def datetimes(self) -> tuple[datetime, datetime]:
        """The period as [start, end + 1 day) in local time, for DateTimeField filters."""
        start = timezone.make_aware(datetime.combine(self.start, time.min))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
        return start, end


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _quarter(year: int, q: int) -> tuple[date, date]:
    first = date(year, 3 * q - 2, 1)
    after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, after - timedelta(days=1)


def period_presets(today: date) -> list[tuple[str, Period]]:
    """The periods a 总结会 usually looks back on, as of ``today``: this and last quarter, this and
    last half-year, this and last year."""
    q = (today.month - 1) // 3 + 1
    last_q_year, last_q = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
    half = 1 if today.month <= 6 else 2
    halves = {
        1: (date(today.year, 1, 1), date(today.year, 6, 30)),
        2: (date(today.year, 7, 1), date(today.year, 12, 31)),
    }
    last_half = (
        (date(today.year, 1, 1), date(today.year, 6, 30))
        if half == 2
        else (
            date(today.year - 1, 7, 1),
            date(today.year - 1, 12, 31),
        )
    )
    half_name = {1: "上半年", 2: "下半年"}
    return [
        ("quarter", Period(*_quarter(today.year, q), label=f"{today.year}年第{'一二三四'[q - 1]}季度")),
        (
            "last_quarter",
            Period(*_quarter(last_q_year, last_q), label=f"{last_q_year}年第{'一二三四'[last_q - 1]}季度"),
        ),
        ("half", Period(*halves[half], label=f"{today.year}年{half_name[half]}")),
        (
            "last_half",
            Period(*last_half, label=f"{last_half[0].year}年{half_name[1 if last_half[0].month == 1 else 2]}"),
        ),
        ("year", Period(date(today.year, 1, 1), date(today.year, 12, 31), label=f"{today.year}年度")),
        ("last_year", Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), label=f"{today.year - 1}年度")),
    ]


def preset_period(key: str, today: date | None = None) -> Period | None:
    return dict(period_presets(today or timezone.localdate())).get(key)


def period_label(start: date, end: date) -> str:
    """A preset's name when the period is one (“2026年第三季度”), else the dates."""
    for _key, period in period_presets(end):
        if (period.start, period.end) == (start, end):
            return period.label
    for _key, period in period_presets(start):
        if (period.start, period.end) == (start, end):
            return period.label
    return ""


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


@dataclass(frozen=True)
class ZoneFigures:
    """The zone's figures for one period (what ``Resolution.figures`` stores, as JSON)."""

    start: str
    end: str
    computed_at: str
    reports_registered: int = 0
    reports_of_zone: int = 0
    clues_received: int = 0
    clues_disposed: int = 0
    disposed_by_method: dict[str, int] = field(default_factory=dict)
    verifications_begun: int = 0
    verifications_concluded: int = 0
    proposals_submitted: int = 0
    proposals_agreed: int = 0
    cases_filed: int = 0
    people_decided: int = 0
    cases_decided: int = 0
    decisions_by_form: dict[str, int] = field(default_factory=dict)
    teams_confirmed: int = 0
    teams_by_mode: dict[str, int] = field(default_factory=dict)
    trainee_seats: int = 0
    trainees: int = 0
    deadlines_overdue: int = 0
    deadlines_overdue_open: int = 0

    @property
    def filing_rate(self) -> str:
        """成案率: cases filed ÷ clues disposed in the period."""
        return _share(self.cases_filed, self.clues_disposed)

    @property
    def cross_joint_share(self) -> str:
        """Share of the teams confirmed in the period that handle across townships or jointly."""
        return _share(self.teams_by_mode.get("cross", 0) + self.teams_by_mode.get("joint", 0), self.teams_confirmed)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ZoneFigures:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def rows(self) -> list[tuple[str, str]]:
        """(指标, 数值) for the page and the minutes, in the order a 总结会 reads them."""
        from xiezuoqu.clues.models import DisposalMethod
        from xiezuoqu.teams.models import HandlingMode

        methods = dict(DisposalMethod.choices)
        modes = dict(HandlingMode.choices)
        by_method = "，".join(f"{methods[m]} {self.disposed_by_method.get(m, 0)} 件" for m in DISPOSAL_METHODS)
        by_form = "，".join(f"第{'一二三四'[int(f) - 1]}种形态 {self.decisions_by_form.get(f, 0)} 人" for f in FORMS)
        other = self.decisions_by_form.get("none", 0)
        by_mode = "，".join(f"{modes[m]} {self.teams_by_mode.get(m, 0)} 个" for m in MODES)
        return [
            (
                "检举控告件",
                f"{self.reports_of_zone} 件归本协作区办理，其中成员单位自行受理登记 {self.reports_registered} 件",
            ),
            ("收到问题线索", f"{self.clues_received} 件"),
            ("处置问题线索", f"{self.clues_disposed} 件：{by_method}"),
            ("初步核实", f"启动 {self.verifications_begun} 件，办结 {self.verifications_concluded} 件"),
            ("立案审查呈批", f"报协作区研究 {self.proposals_submitted} 件，协作区同意 {self.proposals_agreed} 件"),
            ("立案", f"{self.cases_filed} 件"),
            ("成案率", f"{self.filing_rate}（立案 {self.cases_filed} 件 ÷ 处置线索 {self.clues_disposed} 件）"),
            (
                "作出处理决定",
                f"{self.people_decided} 人（{self.cases_decided} 件案件）：{by_form}"
                + (f"，不属于四种形态 {other} 人" if other else ""),
            ),
            (
                "组建办案组",
                f"{self.teams_confirmed} 个：{by_mode}；交叉、联合办理占 {self.cross_joint_share}",
            ),
            ("以干代训", f"{self.trainee_seats} 人次（{self.trainees} 名乡镇干部）"),
            ("超期时限", f"{self.deadlines_overdue} 项，其中尚未办结 {self.deadlines_overdue_open} 项"),
        ]


def zone_figures(zone: Zone, start: date, end: date) -> ZoneFigures:
    """The zone's figures for [start, end] — one aggregate query per group, ten in all."""
    from xiezuoqu.cases.models import Case, PersonDecision
    from xiezuoqu.clues.models import Clue, ClueDisposal
    from xiezuoqu.deadlines.models import Deadline
    from xiezuoqu.filing.models import FilingProposal
    from xiezuoqu.intake.models import Report
    from xiezuoqu.org.models import ZoneMembership
    from xiezuoqu.teams.models import Team, TeamMember
    from xiezuoqu.verification.models import Verification

    period = Period(start, end)
    since, until = period.datetimes()
    days = (start, end)

    # Units that belonged to the zone at any time in the period (a township that moved counts for the
    # zone it was in when it registered: the report's zone is fixed at registration).
    members = ZoneMembership.objects.filter(zone=zone, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    registering = Q(ledger_unit_id__in=members.values("unit_id"))
    if zone.inspection_office_id is not None:
        registering |= Q(ledger_unit_id=zone.inspection_office_id)
    # Most reports reach a zone through the petition office (受理归口): count those too, apart.
    reports = Report.objects.filter(zone=zone, registered_at__gte=since, registered_at__lt=until).aggregate(
        of_zone=Count("pk"), registered=Count("pk", filter=registering)
    )

    clues_received = Clue.objects.filter(zone=zone, received_on__range=days).count()

    method_counts = {f"method_{m}": Count("clue", distinct=True, filter=Q(method=m)) for m in DISPOSAL_METHODS}
    disposals = ClueDisposal.objects.filter(
        clue__zone=zone, state="approved", decided_at__gte=since, decided_at__lt=until
    ).aggregate(total=Count("clue", distinct=True), **method_counts)

    # Only rows begun or concluded in the period can count: say so in the WHERE clause, so the zone's
    # older verifications are not all read (bench_summary, province scale on PostgreSQL).
    in_period = Q(started_on__range=days) | Q(concluded_on__range=days)
    verifications = Verification.objects.filter(in_period, clue__zone=zone).aggregate(
        begun=Count("pk", filter=Q(started_on__range=days)),
        concluded=Count("pk", filter=Q(concluded_on__range=days)),
    )

    proposals = FilingProposal.objects.filter(zone=zone).aggregate(
        submitted=Count("pk", filter=Q(submitted_at__gte=since, submitted_at__lt=until)),
        agreed=Count(
            "pk",
            filter=Q(zone_decided_at__gte=since, zone_decided_at__lt=until, zone_resolution__outcome="agree"),
        ),
    )

    cases_filed = Case.objects.filter(zone=zone, filed_on__range=days).count()

    form_counts = {f"form_{f}": Count("pk", filter=Q(form=int(f))) for f in FORMS}
    decisions = PersonDecision.objects.filter(case__zone=zone, state="approved", decided_on__range=days).aggregate(
        people=Count("pk"),
        cases=Count("case", distinct=True),
        none=Count("pk", filter=Q(form__isnull=True)),
        **form_counts,
    )

    # (aliased: "self" is a mode and also aggregate()'s own first parameter)
    mode_counts = {f"mode_{m}": Count("pk", filter=Q(mode=m)) for m in MODES}
    teams = Team.objects.filter(clue__zone=zone, confirmed_at__gte=since, confirmed_at__lt=until).aggregate(
        total=Count("pk"), **mode_counts
    )

    # A trainee seat counts in the period the cadre joined a confirmed team (the team's confirmation
    # when the joining day was not recorded).
    seats = TeamMember.objects.filter(
        Q(joined_on__range=days)
        | Q(joined_on__isnull=True, team__confirmed_at__gte=since, team__confirmed_at__lt=until),
        role="trainee",
        team__clue__zone=zone,
        team__confirmed_at__isnull=False,
    ).aggregate(seats=Count("pk"), people=Count("staff", distinct=True))

    overdue = Deadline.objects.filter(zone=zone, overdue_since__range=days).aggregate(
        total=Count("pk"), still_open=Count("pk", filter=Q(state="open"))
    )

    return ZoneFigures(
        start=start.isoformat(),
        end=end.isoformat(),
        computed_at=timezone.now().isoformat(timespec="seconds"),
        reports_registered=reports["registered"],
        reports_of_zone=reports["of_zone"],
        clues_received=clues_received,
        clues_disposed=disposals["total"],
        disposed_by_method={m: disposals[f"method_{m}"] for m in DISPOSAL_METHODS},
        verifications_begun=verifications["begun"],
        verifications_concluded=verifications["concluded"],
        proposals_submitted=proposals["submitted"],
        proposals_agreed=proposals["agreed"],
        cases_filed=cases_filed,
        people_decided=decisions["people"],
        cases_decided=decisions["cases"],
        decisions_by_form={**{f: decisions[f"form_{f}"] for f in FORMS}, "none": decisions["none"]},
        teams_confirmed=teams["total"],
        teams_by_mode={m: teams[f"mode_{m}"] for m in MODES},
        trainee_seats=seats["seats"],
        trainees=seats["people"],
        deadlines_overdue=overdue["total"],
        deadlines_overdue_open=overdue["still_open"],
    )


def figures_for_item(item: AgendaItem) -> ZoneFigures | None:
    """A period-summary item's figures: frozen in its resolution once decided, else computed now."""
    if item.kind != SUMMARY_AGENDA_KIND or item.period_start is None or item.period_end is None:
        return None
    resolution = getattr(item, "resolution", None) if item.state == "decided" else None
    if resolution is not None and resolution.figures:
        return ZoneFigures.from_json(resolution.figures)
    return zone_figures(item.meeting.zone, item.period_start, item.period_end)


def _freeze(item: AgendaItem, resolution: Resolution, actor: Actor) -> None:
    """Runs in the deciding transaction: the figures the meeting studied become part of the record."""
    if item.period_start is None or item.period_end is None:
        return
    from xiezuoqu.org.models import Zone

    zone = Zone.objects.get(pk=resolution.zone_id)
    resolution.figures = zone_figures(zone, item.period_start, item.period_end).as_json()
    resolution.save(update_fields=["figures"])


SUMMARY = register_agenda_kind(
    SUMMARY_AGENDA_KIND,
    "阶段工作总结",
    on_resolution=_freeze,
    needs_period=True,
)
