"""A county year of casework in all four zones (演示数据), carried through the real services.

``casework.py`` follows one matter of 宝山镇 from end to end; this module gives the demo county the volume
DESIGN §6 asks for — dozens of cases, most of them about village cadres, in 扶贫, 集体“三资” and 惠农
above all. It takes accepted demo reports of every zone that no clue holds yet, opens clues from them
and carries each, with the login that holds each step, to a different point of its life cycle:

- cases (``cases`` of them, 36 by default) in the townships whose 纪委书记 has a demo login (the township
  party committee files a village cadre's case and its secretary records that decision): disposed to
  初步核实 after the zone's study, verified by a team of demo logins (联合 on the township's request and
  the leader's decision, 交叉 by neighbouring townships' secretaries), 拟立案 approved, the 立案审查呈批报告
  agreed at the zone's 立案研究会, filed; then investigated by a team the solver proposes (自办, 交叉 or
  联合, 以干代训 seats on some), and left under investigation, in the zone's 初审, in the trial office's
  复审 or 审理, with a decision awaiting the commission head, decided and awaiting announcement,
  announced, executed, archived, appealed, or withdrawn — with outcomes of all four forms, each one the
  rules allow for that person (a village committee's cadre gets at most 记大过 as a government sanction;
  a township body decides only what its powers cover, the county the rest);
- verifications under way, one plan awaiting approval, and verifications that ended 予以了结 (with
  澄清正名), 谈话提醒 or 暂存待查;
- 谈话函询 by talk and by letter, 予以了结 (one with 澄清正名), 暂存待查, a disposal awaiting approval;
- each zone's 线索研判会 and 立案研究会 (votes recorded through ``casework.vote_agreed``), a monthly 例会
  rule for zones 2–4, and registered enquiries about two matters (干预登记).

Nothing is written to a model directly: every step is a service call, audited as in real use; approvals
are decided by the login holding each step (``casework.approve_all``). Deterministic — reports in ledger
order, a seeded choice of positions, the solver exact — and run once, in one transaction: the load
records ``demo.caseload_loaded``, and a later load that finds it does nothing. The default size takes
about 20 seconds on SQLite (2 cores); ``cases`` makes it smaller for tests.
"""

from __future__ import annotations

import random
import re
import time as clock
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases import services as cases
from xiezuoqu.cases.models import AppealKind, Case
from xiezuoqu.cases.selectors import investigators_of
from xiezuoqu.clearing import services as clearing
from xiezuoqu.clues import services as clues
from xiezuoqu.clues.models import (
    Clue,
    ClueReport,
    DisposalMethod,
    InquiryMode,
    InquiryOutcome,
    Rank,
    Subject,
    SupervisionCategory,
)
from xiezuoqu.filing import services as filing
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.intake.models import Category, Report, ReportAccused
from xiezuoqu.intake.workflow import State as ReportState
from xiezuoqu.meetings import services as meetings
from xiezuoqu.meetings.selectors import voting_member_ids
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village, Zone, ZoneDeputy
from xiezuoqu.recusal import services as recusal
from xiezuoqu.recusal.conflicts import Conflict, conflicted_staff_ids, conflicts_for
from xiezuoqu.recusal.selectors import unsigned_member_ids
from xiezuoqu.sanctions.rules import MEASURES
from xiezuoqu.teams import services as teams
from xiezuoqu.teams import solver
from xiezuoqu.teams.models import HandlingMode, JointGround, MemberRole, Purpose
from xiezuoqu.teams.selectors import active_member_staff_ids, seat_counts
from xiezuoqu.verification import services as verification
from xiezuoqu.verification.limits import add_period
from xiezuoqu.verification.models import Recommendation

from .casework import Topic, actor_of, approve_all, forget_actors, hold_zone_meeting
from .clock import Story, Timeline, ago_within, moment, story_clock, together, workday_on_or_after, workdays_after
from .data import COMMISSION_NAME
from .reports import TOWN_POSITIONS, VILLAGE_ROLES

LOADED = "demo.caseload_loaded"
DEFAULT_CASES = 36
SEED = 2027
# 立案研究会: the zone studies the filing proposals of a few matters at a time (its verification teams, made
# of the logins, then take on the next ones).
BATCH = 3
SELF, CROSS, JOINT = HandlingMode.SELF, HandlingMode.CROSS, HandlingMode.JOINT
FOCUS = frozenset({Category.POVERTY, Category.COLLECTIVE_ASSETS, Category.FARM_SUBSIDY})
AMOUNT = re.compile(r"约(\d+)元")


class Stage(StrEnum):
    """Where a demo case is left."""

    FILED = "filed"  # 已立案，审查调查组尚未确定
    INVESTIGATING = "investigating"
    FIRST_REVIEW = "first_review"  # 乡镇自办：协作区初审中
    SECOND_REVIEW = "second_review"  # 乡镇自办：审理室复审中
    TRIAL = "trial"  # 交叉、联合办理：审理室审理中
    PROPOSED = "proposed"  # 处理决定报批中，待纪委书记审批
    DECIDED = "decided"  # 已批准，待宣布
    ANNOUNCED = "announced"
    EXECUTED = "executed"
    ARCHIVED = "archived"
    APPEALED = "appealed"  # 已执行，申诉（复审）办理中
    WITHDRAWN = "withdrawn"  # 撤销案件，已归档


# How far each stage goes, so that the matters still holding a team come last in a zone.
DEPTH = {s: i for i, s in enumerate(reversed(list(Stage)))}
# The working days from opening a batch's clues to a case reaching each stage (the story below: study,
# disposal, 初步核实, 立案研究会, filing; then investigation, 初审, 审理, the decision and what follows).
TO_FILING = 46
STAGE_WORKDAYS = {
    Stage.FILED: TO_FILING,
    Stage.INVESTIGATING: TO_FILING + 11,
    Stage.FIRST_REVIEW: TO_FILING + 64,
    Stage.SECOND_REVIEW: TO_FILING + 77,
    Stage.TRIAL: TO_FILING + 77,
    Stage.PROPOSED: TO_FILING + 97,
    Stage.DECIDED: TO_FILING + 99,
    Stage.WITHDRAWN: TO_FILING + 112,
    Stage.ANNOUNCED: TO_FILING + 104,
    Stage.EXECUTED: TO_FILING + 111,
    Stage.ARCHIVED: TO_FILING + 126,
    Stage.APPEALED: TO_FILING + 121,
}
DECIDED_STAGES = frozenset(
    {Stage.DECIDED, Stage.ANNOUNCED, Stage.EXECUTED, Stage.ARCHIVED, Stage.APPEALED, Stage.WITHDRAWN}
)


class Person(StrEnum):
    """Who the case is about — what the outcome must fit."""

    SECRETARY = "secretary"  # 村党支部书记 (or 书记、主任“一肩挑”): a party post to lose
    VILLAGE = "village"  # any village cadre, a party member
    VILLAGE_NON_PARTY = "village_non_party"  # a village committee's cadre who is not a party member
    TOWN = "town"  # a township cadre (乡科级 or below)


PERSON_ROLES: dict[Person, frozenset[str]] = {
    Person.SECRETARY: frozenset({"党支部书记", "村委会主任"}),
    Person.VILLAGE: frozenset(VILLAGE_ROLES),
    Person.VILLAGE_NON_PARTY: frozenset({"村委会主任", "村会计", "村报账员", "村民小组长"}),
    Person.TOWN: frozenset({""}),
}


@dataclass(frozen=True)
class CaseScript:
    """One demo case: where it stops, how it is investigated, whom it concerns and how it ends."""

    stage: Stage
    mode: str
    person: Person = Person.VILLAGE
    codes: tuple[str, ...] = ()
    body: str = ""
    complex_case: bool = False
    months: int | None = None


TC, TPC, COUNTY = "township_committee", "township_party_committee", "county"

# The county year's cases. The first eight reach every kind of stage, so a small caseload shows them all.
# Outcomes: 四种形态 1 (免予处分，批评教育 / 诫勉), 2 (警告、严重警告, 政务警告至记大过, 调整职务),
# 3 (撤销党内职务、留党察看, 降级、撤职), 4 (开除党籍 and 移送检察机关). The decision body is the lowest one
# whose powers cover the party sanction (乡案县审); a government sanction is the supervisory organ's, the
# county 监委's.
CASE_SCRIPTS: tuple[CaseScript, ...] = (
    CaseScript(Stage.INVESTIGATING, CROSS),
    CaseScript(Stage.FIRST_REVIEW, SELF),
    CaseScript(Stage.SECOND_REVIEW, SELF),
    CaseScript(Stage.TRIAL, JOINT),
    CaseScript(Stage.DECIDED, SELF, Person.SECRETARY, ("party_removal",), TPC),
    CaseScript(Stage.EXECUTED, CROSS, Person.VILLAGE, ("party_warning", "gov_warning"), COUNTY),
    CaseScript(Stage.ARCHIVED, SELF, Person.VILLAGE, ("party_serious_warning",), TC),
    CaseScript(Stage.APPEALED, JOINT, Person.SECRETARY, ("party_probation",), TPC, months=12),
    CaseScript(Stage.INVESTIGATING, JOINT),
    CaseScript(Stage.FILED, CROSS),
    CaseScript(Stage.ARCHIVED, CROSS, Person.VILLAGE_NON_PARTY, ("gov_demerit",), COUNTY),
    CaseScript(Stage.EXECUTED, SELF, Person.VILLAGE, ("party_warning",), TC),
    CaseScript(Stage.DECIDED, CROSS, Person.TOWN, ("party_serious_warning", "gov_demotion"), COUNTY),
    CaseScript(Stage.ANNOUNCED, SELF, Person.VILLAGE, ("criticism",), TC),
    CaseScript(Stage.TRIAL, CROSS, Person.TOWN),
    CaseScript(Stage.INVESTIGATING, SELF),
    CaseScript(
        Stage.ARCHIVED, JOINT, Person.SECRETARY, ("party_expulsion", "to_procuratorate"), COUNTY, complex_case=True
    ),
    CaseScript(Stage.FIRST_REVIEW, SELF),
    CaseScript(Stage.PROPOSED, CROSS, Person.VILLAGE, ("party_serious_warning",), TC),
    CaseScript(Stage.EXECUTED, JOINT, Person.TOWN, ("party_removal", "gov_dismissal_from_post"), COUNTY),
    CaseScript(Stage.ARCHIVED, SELF, Person.VILLAGE_NON_PARTY, ("gov_major_demerit",), COUNTY),
    CaseScript(Stage.SECOND_REVIEW, SELF),
    CaseScript(Stage.WITHDRAWN, CROSS, Person.VILLAGE, ("case_withdrawn",), TPC),
    CaseScript(Stage.DECIDED, JOINT, Person.VILLAGE, ("party_warning", "gov_demerit"), COUNTY),
    CaseScript(Stage.EXECUTED, CROSS, Person.VILLAGE, ("party_serious_warning",), TC),
    CaseScript(Stage.INVESTIGATING, CROSS),
    CaseScript(Stage.ARCHIVED, SELF, Person.VILLAGE, ("party_warning",), TC),
    CaseScript(Stage.ANNOUNCED, JOINT, Person.SECRETARY, ("party_probation", "gov_major_demerit"), COUNTY, months=24),
    CaseScript(Stage.TRIAL, JOINT),
    CaseScript(Stage.EXECUTED, SELF, Person.VILLAGE, ("admonition",), TC),
    CaseScript(Stage.FILED, JOINT),
    CaseScript(Stage.ARCHIVED, CROSS, Person.TOWN, ("party_warning", "reassignment"), TPC),
    CaseScript(Stage.INVESTIGATING, SELF),
    CaseScript(Stage.EXECUTED, CROSS, Person.VILLAGE_NON_PARTY, ("gov_warning",), COUNTY),
    CaseScript(Stage.FIRST_REVIEW, SELF),
    CaseScript(Stage.ARCHIVED, JOINT, Person.VILLAGE, ("party_serious_warning", "gov_major_demerit"), COUNTY),
)


class Fate(StrEnum):
    """What becomes of a clue that does not (yet) become a case."""

    VERIFYING = "verifying"  # 初核方案已批准，核查中
    VERIFIED_CLEARED = "verified_cleared"  # 初核后予以了结，澄清正名已实施
    TALK_REMINDER = "talk_reminder"  # 谈话后谈话提醒
    LETTER_ANSWERED = "letter_answered"  # 函询回复后采纳说明了结
    CLOSED_CLEARED = "closed_cleared"  # 予以了结，澄清正名已实施
    PLAN_SUBMITTED = "plan_submitted"  # 初核方案待协作区组长审批
    VERIFIED_REMINDER = "verified_reminder"  # 初核后谈话提醒
    TALK_CRITICISM = "talk_criticism"
    HELD = "held"  # 暂存待查
    VERIFIED_CLEARING = "verified_clearing"  # 初核后予以了结，澄清正名待纪委书记审批
    LETTER_SENT = "letter_sent"  # 函询待回复
    VERIFIED_HOLD = "verified_hold"  # 初核后暂存待查
    TALK_CLEARED = "talk_cleared"  # 谈话后采纳说明了结，出具澄清说明
    CLOSED = "closed"
    DISPOSAL_PROPOSED = "disposal_proposed"  # 处置意见待审批


OTHER_FATES: tuple[Fate, ...] = (
    Fate.VERIFYING,
    Fate.VERIFIED_CLEARED,
    Fate.TALK_REMINDER,
    Fate.LETTER_ANSWERED,
    Fate.CLOSED_CLEARED,
    Fate.PLAN_SUBMITTED,
    Fate.VERIFIED_REMINDER,
    Fate.VERIFYING,
    Fate.TALK_CRITICISM,
    Fate.HELD,
    Fate.VERIFIED_CLEARING,
    Fate.LETTER_SENT,
    Fate.VERIFIED_CLEARED,
    Fate.VERIFIED_HOLD,
    Fate.TALK_CLEARED,
    Fate.VERIFYING,
    Fate.CLOSED,
    Fate.DISPOSAL_PROPOSED,
    Fate.TALK_REMINDER,
)
VERIFIED_FATES = {
    Fate.VERIFIED_CLEARED: Recommendation.CLOSE,
    Fate.VERIFIED_CLEARING: Recommendation.CLOSE,
    Fate.VERIFIED_REMINDER: Recommendation.REMINDER,
    Fate.VERIFIED_HOLD: Recommendation.HOLD,
}
TALKS = {
    Fate.TALK_REMINDER: InquiryOutcome.REMINDER,
    Fate.TALK_CRITICISM: InquiryOutcome.CRITICISM,
    Fate.TALK_CLEARED: InquiryOutcome.ACCEPT_CLOSE,
}
# Started last: a team still at work keeps its seats.
LAST_FATES = frozenset({Fate.VERIFYING, Fate.PLAN_SUBMITTED})
# The working days each other fate takes from the clue's opening, and how far back its start may lie
# (calendar days before the latest start): a plan awaits approval for days, a verification may run late.
FATE_WORKDAYS: dict[Fate, tuple[int, int]] = {
    Fate.VERIFYING: (23, 80),
    Fate.PLAN_SUBMITTED: (10, 14),
    Fate.DISPOSAL_PROPOSED: (6, 20),
    Fate.LETTER_SENT: (10, 30),
    Fate.HELD: (8, 200),
    Fate.CLOSED: (8, 250),
}


@dataclass
class CaseloadSummary:
    loaded: bool = False  # False: it had run before (or there were no reports to take), nothing was done
    cases: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    verifications: int = 0
    inquiries: int = 0
    closures: int = 0
    clearings: int = 0
    meetings: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        labels = {
            Stage.FILED: "待组建审查调查组",
            Stage.INVESTIGATING: "审查调查中",
            Stage.FIRST_REVIEW: "协作区初审",
            Stage.SECOND_REVIEW: "审理室复审",
            Stage.TRIAL: "审理室审理",
            Stage.PROPOSED: "处理决定待批",
            Stage.DECIDED: "待宣布",
            Stage.ANNOUNCED: "已宣布",
            Stage.EXECUTED: "已执行",
            Stage.ARCHIVED: "已归档",
            Stage.APPEALED: "申诉中",
            Stage.WITHDRAWN: "撤销案件",
        }
        stages = "、".join(f"{labels[s]} {self.stages[s]}" for s in Stage if self.stages[s])
        return (
            f"演示办案（四个协作区）：立案 {self.cases} 件（{stages}），初步核实 {self.verifications} 件，"
            f"谈话函询 {self.inquiries} 件，予以了结 {self.closures} 件，澄清正名 {self.clearings} 件，"
            f"协作区会议 {self.meetings} 次；用时 {self.seconds:.1f} 秒。"
        )


# --- who acts for a zone ----------------------------------------------------------------------------------


@dataclass
class Desk:
    """A zone and the demo logins that act for it."""

    zone: Zone
    leader: str
    deputy: str
    office: str
    # township committee id → the login of its 纪委书记
    secretaries: dict[int, str]
    townships: list[Unit]
    voters: list[int]  # the zone's voting members (组长、副组长)

    @property
    def place(self) -> str:
        return f"{self.zone.name}会议室"

    def handler(self, clue: Clue) -> str:
        """Who works a clue of a township: its secretary's login, else the zone's inspection office."""
        return self.secretaries.get(clue.handling_unit_id, self.office)

    def team_logins(self) -> list[str]:
        """Logins that may sit on a verification team, office first (a verification team's members each
        confirm its report as themselves)."""
        return [self.deputy, self.office, *self.secretaries.values()]


def _desks(commission: Commission) -> list[Desk]:
    zones = list(Zone.objects.filter(commission=commission).select_related("inspection_office").order_by("number"))
    grants: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for username, role, unit_id in RoleAssignment.objects.filter(
        user__commission=commission, user__is_demo=True
    ).values_list("user__username", "role", "unit_id"):
        grants[username].append((role, unit_id))
    staff_of = dict(
        User.objects.filter(commission=commission, is_demo=True, staff__isnull=False).values_list(
            "username", "staff_id"
        )
    )
    desks = []
    for zone in zones:
        deputies = set(ZoneDeputy.objects.filter(zone=zone, end_date__isnull=True).values_list("staff_id", flat=True))
        townships = list(
            Unit.objects.filter(
                kind=Unit.Kind.TOWNSHIP_COMMITTEE,
                zone_memberships__zone=zone,
                zone_memberships__end_date__isnull=True,
            ).order_by("sort_order")
        )
        ids = {t.pk for t in townships}

        def holders(role: str, units: set[int] | None = None) -> list[str]:
            return sorted(
                u for u, g in grants.items() if any(r == role and (units is None or unit in units) for r, unit in g)
            )

        assert zone.inspection_office_id is not None
        leader = next(u for u in holders(Role.ZONE_LEADER) if staff_of.get(u) == zone.leader_id)
        office = [u for u in holders(Role.INSPECTION_STAFF, {zone.inspection_office_id}) if u in staff_of]
        deputy = next(u for u in office if staff_of[u] in deputies)
        cadre = next(u for u in office if staff_of[u] not in deputies)
        secretaries: dict[int, str] = {}
        for username in holders(Role.TOWNSHIP_SECRETARY, ids):
            unit = next(unit for r, unit in grants[username] if r == Role.TOWNSHIP_SECRETARY and unit in ids)
            assert unit is not None
            secretaries[unit] = username
        desks.append(Desk(zone, leader, deputy, cadre, secretaries, townships, voting_member_ids(zone)))
    return desks


# --- the reports a clue is opened from --------------------------------------------------------------------


@dataclass
class Matter:
    """Accepted reports about one person that no clue holds yet (a repeat report joins the first)."""

    reports: list[Report]
    accused: list[ReportAccused]
    township: Unit
    village: Village | None
    role: str  # the village role the reports name; "" for a township cadre
    category: str

    @property
    def name(self) -> str:
        return self.accused[0].name

    @property
    def ready_on(self) -> date:
        """The day the last of its reports was accepted (a clue is opened from it only later)."""
        return max(r.accepted_on or r.received_on for r in self.reports)


def _matters(commission: Commission) -> dict[int, list[Matter]]:
    """township committee id → its matters, oldest report first."""
    reports = (
        Report.objects.filter(commission=commission, state=ReportState.ASSIGNED, township__isnull=False)
        .exclude(pk__in=ClueReport.objects.values("report_id"))
        .select_related("township", "village")
        .prefetch_related("accused")
        .order_by("received_on", "pk")
    )
    grouped: dict[tuple[int, str], Matter] = {}
    for report in reports:
        accused = list(report.accused.all())
        if not accused or report.handling_unit_id != report.township_id:
            continue
        person = accused[0]
        role = next((r for r in (*VILLAGE_ROLES, *TOWN_POSITIONS) if f"{r}{person.name}" in report.summary), "")
        if role in TOWN_POSITIONS:
            role = ""
        assert report.township is not None
        key = (report.township.pk, person.name)
        found = grouped.get(key)
        if found is not None:
            found.reports.append(report)
            found.accused.append(person)
            continue
        grouped[key] = Matter([report], [person], report.township, report.village, role, report.category)
    by_township: dict[int, list[Matter]] = defaultdict(list)
    for matter in grouped.values():
        by_township[matter.township.pk].append(matter)
    return by_township


def _town(committee: Unit) -> str:
    """宝山镇 for 宝山镇纪委, 凤山街道 for 凤山街道纪工委."""
    return committee.name.removesuffix("纪工委").removesuffix("纪委")


def _people(script: CaseScript) -> list[Person]:
    """Whom the script's case may concern: the person it names, else — when no such person is reported in
    the zone's townships — any village cadre the outcome still fits (撤销党内职务 needs a party post, a
    government sanction beyond 记大过 a cadre who is not a village committee's)."""
    people = [script.person]
    town_only = {"gov_demotion", "gov_dismissal_from_post", "gov_expulsion", "reassignment"}
    if (
        script.person is not Person.VILLAGE
        and "party_removal" not in script.codes
        and not town_only & set(script.codes)
    ):
        people.append(Person.VILLAGE)
    return people


def _fits(matter: Matter, person: Person) -> bool:
    if person is Person.TOWN:
        return matter.role == "" and matter.category not in FOCUS
    return matter.role in PERSON_ROLES[person] and (matter.category in FOCUS or matter.category == Category.MASSES)


# --- the loader ------------------------------------------------------------------------------------------


def load_demo_caseload(*, cases: int = DEFAULT_CASES, seed: int = SEED) -> CaseloadSummary:
    """Carry demo reports of every zone to cases and other ends (nothing when it has run already)."""
    started = clock.perf_counter()
    forget_actors()
    commission = Commission.objects.get(name=COMMISSION_NAME, is_demo=True)
    if AuditEvent.objects.filter(action=LOADED, commission_id=commission.pk).exists():
        return CaseloadSummary()
    with transaction.atomic():
        loader = _Caseload(commission, random.Random(seed))
        if not loader.matters:
            return CaseloadSummary()
        loader.run(cases)
        summary = loader.summary
        summary.loaded = True
        summary.seconds = clock.perf_counter() - started
        record_event(
            actor=None,
            action=LOADED,
            target=commission,
            commission_id=commission.pk,
            detail={
                "cases": summary.cases,
                "stages": dict(summary.stages),
                "verifications": summary.verifications,
                "inquiries": summary.inquiries,
                "closures": summary.closures,
                "clearings": summary.clearings,
                "meetings": summary.meetings,
                "note": "演示数据",
            },
        )
    return summary


def plan(cases: int) -> tuple[list[CaseScript], list[Fate]]:
    """The case scripts (the list repeated past its length) and the other clues' fates, in proportion."""
    scripts = [CASE_SCRIPTS[i % len(CASE_SCRIPTS)] for i in range(max(cases, 0))]
    others = max(4, round(len(OTHER_FATES) * len(scripts) / len(CASE_SCRIPTS)))
    fates = [OTHER_FATES[i % len(OTHER_FATES)] for i in range(others)]
    return scripts, fates


class _Caseload:
    def __init__(self, commission: Commission, rng: random.Random) -> None:
        self.commission = commission
        self.rng = rng
        self.desks = _desks(commission)
        self.matters = _matters(commission)
        self.summary = CaseloadSummary()
        self.today = timezone.localdate()
        self.timeline: Timeline | None = None
        # zone id → its case batches that have not opened their clues yet (the cases pick their matters first)
        self.unopened: Counter[int] = Counter()
        self.pleas = 0
        self.freezes = 0
        self.ties: dict[int, dict[int, list[Conflict]]] = {}

    # --- the year ---------------------------------------------------------------------------------------

    def run(self, cases: int) -> None:
        """Every batch of cases and every other clue is a story of its own over the year, from a start
        that leaves it the working time its end needs; the timeline runs all their steps in date order."""
        scripts, fates = plan(cases)
        per_zone: dict[int, list[CaseScript]] = defaultdict(list)
        for i, script in enumerate(scripts):
            per_zone[i % len(self.desks)].append(script)
        fates_per_zone: dict[int, list[Fate]] = defaultdict(list)
        for i, fate in enumerate(fates):
            fates_per_zone[i % len(self.desks)].append(fate)
        with story_clock() as clock:
            self.timeline = timeline = Timeline(clock)
            for z, desk in enumerate(self.desks):
                if desk.zone.number != 1:  # zone 1's rule comes with casework.py
                    timeline.add(self._schedule(desk))
                ordered = sorted(per_zone[z], key=lambda s: -DEPTH[s.stage])
                for n in range(0, len(ordered), BATCH):
                    batch = ordered[n : n + BATCH]
                    start = self._start(max(STAGE_WORKDAYS[script.stage] for script in batch), 110)
                    self.unopened[desk.zone.pk] += 1
                    timeline.add(self._batch(desk, batch, study=n == 0, start=start))
                zone_fates = fates_per_zone[z]
                for fate in [f for f in zone_fates if f not in LAST_FATES] + [f for f in zone_fates if f in LAST_FATES]:
                    workdays, spread = FATE_WORKDAYS.get(fate, (40, 200))
                    timeline.add(self._other(desk, fate, start=self._start(workdays, spread)))
            timeline.run()
            self.timeline = None

    def _start(self, workdays: int, spread: int) -> datetime:
        """A start that leaves ``workdays`` working days before today, up to ``spread`` days earlier (never
        before mid-January)."""
        latest = self.today - timedelta(days=round(workdays * 1.45) + 5)
        earliest = max(date(self.today.year, 1, 12), latest - timedelta(days=spread))
        latest = max(latest, earliest)
        day = earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))
        return moment(workday_on_or_after(day), 9, self.rng.randint(0, 50))

    def _after(self, workdays: int, hour: int = 10) -> datetime:
        """``workdays`` working days after the story's present day, at ``hour``."""
        return moment(workdays_after(timezone.localdate(), workdays), hour, self.rng.randint(0, 50))

    def _schedule(self, desk: Desk) -> Story:
        """The zone's monthly 例会 rule, set at the start of the year."""
        yield moment(workday_on_or_after(date(self.today.year, 1, 5)), 9)
        meetings.set_regular_schedule(
            actor=actor_of(desk.leader),
            zone_id=desk.zone.pk,
            kind="regular",
            week=1 + desk.zone.number % 2,
            weekday=desk.zone.number - 1,
            at=time(9, 0),
            place=desk.place,
        )

    # --- picking and opening matters ----------------------------------------------------------------------

    def _take(self, townships: Sequence[int], accept: Callable[[Matter], bool]) -> Matter | None:
        """The first matter that fits, of those accepted before the story's day: one accepted in the last
        two weeks if there is one (the clue's 1-month disposal timer runs from the report's receipt), else
        in the last five months, else an older one."""
        today = timezone.localdate()
        for window in (14, 150, None):
            for township in townships:
                queue = self.matters.get(township, [])
                for i, matter in enumerate(queue):
                    if matter.ready_on >= today or (window is not None and (today - matter.ready_on).days > window):
                        continue
                    if accept(matter):
                        return queue.pop(i)
        return None

    def _has(self, townships: Sequence[int], person: Person) -> bool:
        today = timezone.localdate()
        return any(_fits(m, person) for t in townships for m in self.matters.get(t, []) if m.ready_on < today)

    def _case_townships(self, desk: Desk, turn: int, *, self_handled: bool) -> list[int]:
        """The townships with a secretary's login (the filing decision needs one), in turn; for a case the
        township handles itself (自办), only those with a cadre who may lead its team."""
        ids = [t.pk for t in desk.townships if t.pk in desk.secretaries]
        if self_handled:
            leads = set(
                StaffMember.objects.filter(
                    home_unit_id__in=ids, is_active=True, experience__gte=StaffMember.Experience.SKILLED
                ).values_list("home_unit_id", flat=True)
            )
            ids = [pk for pk in ids if pk in leads]
        shift = turn % len(ids) if ids else 0
        return ids[shift:] + ids[:shift]

    def _any_townships(self, desk: Desk, turn: int) -> list[int]:
        """Every township of the zone, those without a login first (the zone's office works them)."""
        ids = [t.pk for t in desk.townships if t.pk not in desk.secretaries]
        ids += [t.pk for t in desk.townships if t.pk in desk.secretaries]
        shift = turn % len(ids)
        return ids[shift:] + ids[:shift]

    def _open(self, desk: Desk, matter: Matter, person: Person) -> tuple[Clue, Subject]:
        """登记线索 from the reports, 确认被反映人 with what the township knows of the person."""
        handler = actor_of(desk.secretaries.get(matter.township.pk, desk.office))
        first = matter.reports[0]
        clue = clues.open_clue(
            actor=handler,
            data=clues.ClueInput(
                handling_unit_id=matter.township.pk,
                source="reports",
                category=matter.category,
                summary=first.summary,
                content=first.content,
                report_ids=[r.pk for r in matter.reports],
                township_id=matter.township.pk,
                village_id=matter.village.pk if matter.village else None,
            ),
        )
        subject = clues.add_subject(
            actor=handler,
            clue_id=clue.pk,
            data=self._subject_input(matter, person),
            accused_ids=[a.pk for a in matter.accused],
        )
        return clue, subject

    def _subject_input(self, matter: Matter, person: Person) -> clues.SubjectInput:
        village = matter.village
        if person is Person.TOWN or not matter.role:
            position = self.rng.choice(TOWN_POSITIONS)
            town = _town(matter.township)
            office = "办事处" if town.endswith("街道") else "人民政府"
            return clues.SubjectInput(
                name=matter.name,
                unit_text=f"{town}{office}",
                position=position,
                rank=Rank.SECTION if position.startswith("副") else Rank.CLERK,
                supervision_category=SupervisionCategory.CIVIL_SERVANT,
                township_id=matter.township.pk,
            )
        community = village is not None and village.name.endswith("社区")
        position = matter.role if matter.role.startswith("村") else f"村{matter.role}"
        if person is Person.SECRETARY and matter.role == "村委会主任":
            position = "村党支部书记、村委会主任"  # 书记、主任“一肩挑”
        if community:
            position = position.replace("村委会", "居委会").replace("村民小组", "居民小组").replace("村", "社区")
        committee = "居民委员会" if community else "村民委员会"
        unit = f"{village.name if village else ''}{'党支部' if position.endswith('党支部书记') else committee}"
        return clues.SubjectInput(
            name=matter.name,
            unit_text=unit,
            position=position,
            rank=Rank.VILLAGE,
            is_party_member=person is not Person.VILLAGE_NON_PARTY,
            supervision_category=SupervisionCategory.GRASSROOTS,
            is_village_cadre=True,
            township_id=matter.township.pk,
            village_id=village.pk if village else None,
        )

    def _ties(self, desk: Desk, clue: Clue) -> dict[int, list[Conflict]]:
        """The conflicts of the zone's logins and voting members with the clue (found once per clue)."""
        found = self.ties.get(clue.pk)
        if found is None:
            staff = {actor_of(u).staff_id for u in desk.team_logins()} | set(desk.voters)
            found = self.ties[clue.pk] = conflicts_for(clue, [s for s in staff if s is not None])
        return found

    def _fit_for_case(self, desk: Desk, clue: Clue) -> bool:
        """The township's secretary may decide the filing, the zone meeting can reach a quorum on it, and
        a verification team of logins can be formed."""
        ties = self._ties(desk, clue)
        out = {s for s, items in ties.items() if any(c.blocks(SELF) for c in items)}
        if actor_of(desk.secretaries[clue.handling_unit_id]).staff_id in out:
            return False
        if 2 * len(set(desk.voters) - out) <= len(desk.voters):
            return False
        return bool(self._verifiers(desk, clue, CROSS) or self._verifiers(desk, clue, JOINT))

    # --- the zone's study and the disposal ------------------------------------------------------------------

    def _study(self, desk: Desk, clue_list: Sequence[Clue]) -> None:
        """线索研判会: the zone studies the clues together (the agreed resolution is their analysis)."""
        hold_zone_meeting(
            zone=desk.zone,
            kind="analysis",
            topics=[
                Topic(
                    "clue_study",
                    "反映问题具体，具有可查性，同意按程序提出初步核实的处置意见。",
                    clue_id=clue.pk,
                )
                for clue in clue_list
            ],
            leader=desk.leader,
            recorder=desk.deputy,
            place=desk.place,
            minutes=f"集体研判问题线索 {len(clue_list)} 条，均同意提出初步核实的处置意见。",
            hours_ago=3,
        )
        self.summary.meetings += 1

    def _analyse(self, desk: Desk, clue: Clue) -> None:
        handler = actor_of(desk.handler(clue))
        leader = actor_of(desk.leader)
        clues.record_analysis(
            actor=handler,
            clue_id=clue.pk,
            held_on=timezone.localdate(),
            doubts="反映的资金、资产去向是否属实；有关台账、公示和审批手续是否完备。",
            direction="调取村集体账目和补贴发放明细，核对银行流水，与相关农户和经手人员谈话了解情况。",
            difficulties="部分知情群众外出务工，需电话联系或择期谈话。",
            participant_ids=[s for s in (handler.staff_id, leader.staff_id) if s is not None],
        )

    def _dispose(self, desk: Desk, clue: Clue, method: str, reason: str, *, approve: bool = True, **kw: Any) -> None:
        disposal = clues.propose_disposal(
            actor=actor_of(desk.handler(clue)), clue_id=clue.pk, method=method, reason=reason, **kw
        )
        if approve:
            approve_all(disposal.approval_id)

    # --- verification (初步核实) ----------------------------------------------------------------------------

    def _verifiers(self, desk: Desk, clue: Clue, mode: str) -> list[int]:
        """Two logins free to verify the clue in ``mode`` (lead first), by the rules the team is checked
        against: the mode's pool, the cross rule, conflicts, capacity, a lead who may lead; else []."""
        pool = teams.pool_staff(clue, mode)
        order = {actor_of(u).staff_id: i for i, u in enumerate(desk.team_logins())}
        members = sorted((s for s in pool if s.pk in order), key=lambda s: order[s.pk])
        if len(members) < 2:
            return []
        loads = seat_counts([s.pk for s in members])
        ties = self._ties(desk, clue)
        conflicts = {s.pk: ties[s.pk] for s in members if s.pk in ties}
        matter = teams.matter_of(
            clue,
            mode=mode,
            size=2,
            trainee_seats=0,
            townships=teams.subject_townships([clue.pk])[clue.pk],
            conflicts=conflicts,
            pool=[s.pk for s in pool],
        )
        free = [
            candidate
            for candidate in (teams.candidate_of(s, loads.get(s.pk, 0)) for s in members)
            if not solver.exclusion_reasons(candidate, matter)
        ]
        lead = next((c for c in free if c.lead_eligible), None)
        if lead is None:
            return []
        other = next((c for c in free if c.id != lead.id), None)
        return [lead.id, other.id] if other is not None else []

    def _verification_team(self, desk: Desk, clue: Clue, mode: str) -> list[Any] | None:
        """The solver proposes; the zone leader puts two logins on the team (checked again), confirms it;
        both sign the 回避声明. 联合办理 follows the township's request and the leader's decision."""
        chosen = self._verifiers(desk, clue, mode)
        if not chosen and mode == CROSS:
            mode, chosen = JOINT, self._verifiers(desk, clue, JOINT)
        if not chosen:
            return None
        leader = actor_of(desk.leader)
        proposer = actor_of(desk.office)
        if mode == JOINT:
            asked = teams.request_handling_mode(
                actor=actor_of(desk.handler(clue)),
                clue_id=clue.pk,
                mode=JOINT,
                grounds=[JointGround.COMPLEX, JointGround.PRESSURE],
                reason="涉及资金往来多、知情人分散，承办单位力量不足，申请协作区联合办理。",
            )
            teams.decide_handling_request(actor=leader, request_id=asked.pk, grant=True, note="同意联合办理。")
        team = teams.propose_team(actor=proposer, clue_id=clue.pk, mode=mode, size=2)
        proposed = {m.staff_id: m.role for m in team.members.filter(left_on__isnull=True)}
        if set(proposed) != set(chosen) or proposed.get(chosen[0]) != MemberRole.LEAD:
            team = teams.edit_team(
                actor=leader,
                team_id=team.pk,
                reason="演示：核查组由有演示账号的干部组成，以便用演示账号走完初步核实全流程。",
                add=[teams.MemberInput(staff_id=s) for s in chosen if s not in proposed],
                remove=[s for s in proposed if s not in chosen],
                lead_id=chosen[0],
            )
        teams.confirm_team(actor=leader, team_id=team.pk)
        users = {u.staff_id: u.username for u in User.objects.filter(staff_id__in=chosen)}
        members = [actor_of(users[s]) for s in chosen]
        for member in members:
            recusal.sign_declaration(actor=member, clue_id=clue.pk, no_conflict=True)
        return members

    def _verify(
        self,
        desk: Desk,
        clue: Clue,
        *,
        mode: str,
        recommendation: str = "",
        plan_only: bool = False,
        measures_only: bool = False,
        facts: str = "",
    ) -> Generator[datetime, None, list[Any] | None]:
        """初步核实 from the plan to the approved report (or only as far as asked), each step on its day."""
        yield self._after(3, 9)
        members = self._verification_team(desk, clue, mode)
        while members is None and timezone.localdate() < self.today:
            # No two logins are free yet: the clue waits for a team until another verification ends.
            yield self._after(5, 9)
            members = self._verification_team(desk, clue, mode)
        if members is None:
            return None
        today = timezone.localdate()
        lead = members[0]
        place = f"{clue.township}谈话室" if clue.township else "协作区谈话室"
        v = verification.draft_plan(
            actor=lead,
            clue_id=clue.pk,
            data=verification.PlanInput(
                scope=f"{clue.village or clue.township}：{clue.summary}的问题",
                points="1. 反映的事实是否存在；2. 涉及资金、资产的实际去向；3. 有关审批、公示手续是否完备。",
                planned_measures=["talk", "retrieval", "query"],
                starts_on=today,
                ends_on=today + timedelta(days=45),
            ),
        )
        verification.submit_plan(actor=lead, verification_id=v.pk)
        self.summary.verifications += 1
        if plan_only:
            return members
        yield self._after(2, 16)
        v.refresh_from_db()
        assert v.plan.approval_id is not None
        approve_all(v.plan.approval_id)
        yield self._after(8, 15)
        now = timezone.now()
        officers = [m.staff_id for m in members]
        village = clue.village.name if clue.village else "有关村（社区）"
        verification.record_measure(
            actor=lead,
            verification_id=v.pk,
            data=verification.MeasureInput(
                kind="retrieval",
                officer_ids=officers,
                person_or_record=f"{village}集体账目、补贴（资金）发放明细",
                starts_at=now - timedelta(hours=6),
                ends_at=now - timedelta(hours=5),
                place=f"{_town(clue.township)}农村经营管理站" if clue.township else "农村经营管理站",
            ),
        )
        yield self._after(5, 16)
        now = timezone.now()
        measure = verification.record_measure(
            actor=lead,
            verification_id=v.pk,
            data=verification.MeasureInput(
                kind="talk",
                officer_ids=officers,
                person_or_record=f"{village}经手人员及相关农户",
                starts_at=now - timedelta(hours=4),
                ends_at=now - timedelta(hours=3),
                place=place,
            ),
        )
        if measures_only:
            return members
        yield self._after(10, 10)
        if recommendation == Recommendation.FILE and clue.pk % 2 == 0:
            verification.add_evidence(
                actor=lead,
                verification_id=v.pk,
                data=verification.EvidenceInput(
                    title="谈话笔录（摘录）",
                    kind="transcript",
                    file_name="谈话笔录.txt",
                    data=f"{clue.ledger_number} 谈话笔录（摘录）\n{facts}\n".encode(),
                    source_measure_id=measure.pk,
                ),
            )
        verification.draft_report(
            actor=lead,
            verification_id=v.pk,
            data=verification.ReportInput(
                facts=facts,
                basis="调取的账目、发放明细和谈话笔录；《中国共产党纪律处分条例》《中华人民共和国公职人员政务处分法》有关规定。",
                recommendation=recommendation,
                review_on=timezone.localdate() + timedelta(days=120) if recommendation == Recommendation.HOLD else None,
            ),
        )
        for member in members:
            verification.confirm_report(actor=member, verification_id=v.pk)
        report = verification.submit_report(actor=lead, verification_id=v.pk)
        yield self._after(3, 15)
        approve_all(report.approval_id)
        return members

    # --- cases ------------------------------------------------------------------------------------------

    def _batch(self, desk: Desk, scripts: Sequence[CaseScript], *, study: bool, start: datetime) -> Story:
        """A few matters of the zone from the reports to 立案, studied together at one 立案研究会, then
        each case carried to its stage as a story of its own."""
        yield start
        opened: list[tuple[CaseScript, Clue, Subject]] = []
        waiting: list[CaseScript] = []
        for script in scripts:
            found = self._case_clue(desk, script, turn=self.summary.cases + len(opened))
            if found is not None:
                opened.append((script, *found))
            else:
                waiting.append(script)
        self.unopened[desk.zone.pk] -= 1
        if waiting and timezone.localdate() < self.today:
            # No accepted report fits them yet: the zone takes those matters up when reports come in,
            # while the clues opened now go on.
            assert self.timeline is not None
            self.unopened[desk.zone.pk] += 1
            # The zone's study goes with them when none of this batch's clues could open now.
            self.timeline.add(self._batch(desk, waiting, study=study and not opened, start=self._after(10, 9)))
        if not opened:
            return
        yield self._after(3, 9)
        if study:
            self._study(desk, [clue for _, clue, _ in opened])
        else:
            for _, clue, _ in opened:
                self._analyse(desk, clue)
        done = yield from together([self._to_filing(desk, *found) for found in opened])
        proposals = [found for found in done if found is not None]
        if not proposals:
            return
        yield self._after(3, 9)
        hold_zone_meeting(
            zone=desk.zone,
            kind="filing",
            topics=[
                Topic(filing.FILING_AGENDA_KIND, "同意报有权机关立案审查调查。", target=proposal)
                for _, _, proposal in proposals
            ],
            leader=desk.leader,
            recorder=desk.deputy,
            place=desk.place,
            minutes=f"研究立案审查呈批事项 {len(proposals)} 项，均同意报有权机关决定。",
        )
        self.summary.meetings += 1
        yield self._after(2, 15)
        for script, clue, proposal in proposals:
            filing.decide_as_body(
                actor=actor_of(desk.secretaries[clue.handling_unit_id]),
                proposal_id=proposal.pk,
                decision="file",
                reason=f"经{proposal.body_name}研究，同意立案审查调查。",
            )
            case = Case.objects.get(filing=proposal)
            self.summary.cases += 1
            assert self.timeline is not None
            self.timeline.add(self._case_story(desk, case, script))

    def _to_filing(
        self, desk: Desk, script: CaseScript, clue: Clue, subject: Subject
    ) -> Generator[datetime, None, tuple[CaseScript, Clue, FilingProposal] | None]:
        """One clue of a batch: disposed to 初步核实, verified, its filing proposal submitted."""
        yield self._after(2, 10)
        self._dispose(
            desk, clue, DisposalMethod.PRELIMINARY_VERIFICATION, "反映问题具体，具有可查性，经集体研判拟初步核实。"
        )
        verify_mode = script.mode if script.mode != SELF else (JOINT if clue.pk % 2 else CROSS)
        members = yield from self._verify(
            desk, clue, mode=verify_mode, recommendation=Recommendation.FILE, facts=self._facts(clue)
        )
        if members is None:
            # No two logins are free after all (the batch's earlier teams took the seats): the clue
            # waits in 初步核实 for a team, as a real one would.
            return None
        yield self._after(3, 10)
        proposal = filing.draft_filing(
            actor=members[0],
            clue_id=clue.pk,
            subject_id=subject.pk,
            data=filing.ProposalInput(proposal="建议对其立案审查调查。"),
        )
        filing.submit_filing(actor=members[0], proposal_id=proposal.pk)
        return script, clue, proposal

    def _case_story(self, desk: Desk, case: Case, script: CaseScript) -> Story:
        stage = yield from self._carry(desk, case, script)
        self.summary.stages[stage] += 1

    def _case_clue(self, desk: Desk, script: CaseScript, *, turn: int) -> tuple[Clue, Subject] | None:
        """A matter of a township with a secretary's login that fits the script; a matter that turns out
        unfit for a case here (the deciding secretary must withdraw, no team is free) is held after study."""
        townships = self._case_townships(desk, turn, self_handled=script.mode == SELF)
        people = _people(script)
        for _ in range(4):
            person = next((p for p in people if self._has(townships, p)), None)
            if person is None:
                return None
            matter = self._take(townships, partial(_fits, person=person))
            assert matter is not None
            clue, subject = self._open(desk, matter, person)
            if self._fit_for_case(desk, clue):
                return clue, subject
            self._analyse(desk, clue)
            self._dispose(
                desk,
                clue,
                DisposalMethod.HOLD,
                "承办力量需回避或暂不具备条件，待协调后核查，暂存待查。",
                review_on=timezone.localdate() + timedelta(days=60),
            )
        return None

    def _facts(self, clue: Clue) -> str:
        amount = AMOUNT.search(clue.content)
        money = f"，涉及金额{amount.group(1)}元" if amount else ""
        return f"经核实，{clue.summary}的问题基本属实{money}，符合立案条件。"

    def _case_handler(self, desk: Desk, case: Case, mode: str) -> Any:
        """自办: the township's secretary; 交叉、联合: the zone's inspection office."""
        return actor_of(desk.secretaries[case.clue.handling_unit_id] if mode == SELF else desk.office)

    def _carry(self, desk: Desk, case: Case, script: CaseScript) -> Generator[datetime, None, Stage]:
        """Carry a filed case to the script's stage; returns the stage reached (a township that cannot staff
        its own team after all has the case handled jointly: it goes to the trial office, not to 初审)."""
        if script.stage == Stage.FILED:
            return script.stage
        yield self._after(3, 9)
        mode = self._investigation_team(desk, case, script.mode)
        stage = script.stage
        if mode != SELF and stage in (Stage.FIRST_REVIEW, Stage.SECOND_REVIEW):
            stage = Stage.TRIAL
        handler = self._case_handler(desk, case, mode)
        cases.start_investigation(actor=handler, case_id=case.pk)
        yield self._after(8, 16)
        officers = sorted(active_member_staff_ids(case.clue_id, Purpose.INVESTIGATION))[:2]
        now = timezone.now()
        township = case.clue.township
        cases.record_case_measure(
            actor=handler,
            case_id=case.pk,
            data=verification.MeasureInput(
                kind="interrogation",
                officer_ids=officers,
                person_or_record=f"被审查调查人{case.subject.name}",
                starts_at=ago_within(case.filed_on, timedelta(hours=2)),
                ends_at=ago_within(case.filed_on, timedelta(hours=1)),
                place=f"{township}谈话室" if township else "协作区谈话室",
                approval_reference=f"{case.competent_body_name}批准",
            ),
        )
        if stage == Stage.INVESTIGATING:
            # The money at issue is frozen while the investigation runs: a time-limited measure in force
            # (冻结 6 months, renewable), so the case page and the work queue show its term.
            self.freezes += 1
            frozen_at = ago_within(case.filed_on, timedelta(minutes=50))
            cases.record_case_measure(
                actor=handler,
                case_id=case.pk,
                data=verification.MeasureInput(
                    kind="freeze",
                    officer_ids=officers,
                    person_or_record=f"{case.subject.name}名下银行账户（涉案资金）",
                    starts_at=frozen_at,
                    ends_at=add_period(frozen_at, 6, "months"),
                    place="凤城农村商业银行",
                    approval_reference=f"冻结决定书（凤纪冻〔{now.year}〕{self.freezes}号）",
                ),
            )
            if self.pleas < 2:
                self._plea(handler, case)
            return stage
        yield self._after(self.rng.randint(40, 52), 10)
        facts = self._facts(case.clue).removeprefix("经核实，").replace("，符合立案条件。", "。")
        cases.write_report(
            actor=handler,
            case_id=case.pk,
            data=cases.ReportInput(
                facts=facts,
                evidence_summary="账目凭证、银行流水、证人证言、本人陈述。",
                proposal=self._proposal_text(script),
                attitude="能够如实说明问题，认错态度较好。",
            ),
        )
        yield self._after(2, 15)
        cases.hand_over(actor=handler, case_id=case.pk)
        trial, trial2 = actor_of("shenli"), actor_of("shenli2")
        opinion = "事实清楚，证据确凿，定性准确，处理恰当，手续完备。"
        if mode == SELF:
            leader = actor_of(desk.leader)
            yield self._after(3, 9)
            cases.open_trial_review(actor=leader, case_id=case.pk, reviewer_ids=self._first_reviewers(desk, case))
            if stage == Stage.FIRST_REVIEW:
                return stage
            yield self._after(10, 16)
            cases.conclude_review(actor=leader, case_id=case.pk, opinion=opinion)
        reviewers = [trial.staff_id, trial2.staff_id]
        yield self._after(3, 9)
        cases.open_trial_review(actor=trial, case_id=case.pk, reviewer_ids=reviewers)
        if stage in (Stage.SECOND_REVIEW, Stage.TRIAL):
            return stage
        yield self._after(15, 16)
        cases.conclude_review(actor=trial, case_id=case.pk, opinion=opinion)
        yield self._after(2, 10)
        decision = cases.propose_decision(
            actor=trial,
            case_id=case.pk,
            data=cases.DecisionInput(
                codes=list(script.codes),
                body=script.body,
                grounds=f"{facts}{'本人认错悔错，已全部退缴违纪款。' if 'case_withdrawn' not in script.codes else ''}",
                complex_case=script.complex_case,
                months=script.months,
            ),
        )
        yield self._after(5 if stage != Stage.PROPOSED else 1, 15)
        approve_all(decision.approval_id, stop_before=Role.COMMISSION_HEAD if stage == Stage.PROPOSED else "")
        if stage in (Stage.PROPOSED, Stage.DECIDED):
            return stage
        if stage == Stage.WITHDRAWN:
            yield self._after(13, 10)
            cases.archive_case(actor=actor_of("anguan"), case_id=case.pk)
            return stage
        yield self._after(5, 9)
        cases.announce_decision(
            actor=handler,
            case_id=case.pk,
            announced_on=timezone.localdate(),
            place=f"{case.competent_body_name}会议室",
            attendees="本人、所在党支部委员、承办人员",
        )
        if stage == Stage.ANNOUNCED:
            return stage
        yield self._after(7, 11)
        cases.record_execution(
            actor=handler,
            case_id=case.pk,
            executed_on=timezone.localdate(),
            executing_unit=case.competent_body_name,
            details="处理决定已送达本人并存入本人档案；违纪款项已退缴。",
        )
        if stage == Stage.ARCHIVED:
            yield self._after(15, 10)
            cases.archive_case(actor=actor_of("anguan"), case_id=case.pk)
        elif stage == Stage.APPEALED:
            yield self._after(10, 10)
            cases.file_appeal(
                actor=trial,
                case_id=case.pk,
                kind=AppealKind.REVIEW,
                received_on=timezone.localdate(),
                grounds="本人对认定的违纪金额有异议，称部分款项已用于村集体公益支出，申请复审。",
            )
        return stage

    def _proposal_text(self, script: CaseScript) -> str:
        if script.codes == ("case_withdrawn",):
            return "现有证据不足以认定其违纪违法，建议撤销案件。"
        if not script.codes:
            return "建议依规依纪依法给予相应处理。"
        return f"建议给予{'、'.join(MEASURES[c].label for c in script.codes)}。"

    def _investigation_team(self, desk: Desk, case: Case, mode: str) -> str:
        """The zone leader has the solver propose the investigation team (以干代训 seats on a joint team)
        and confirms it; members with a login sign the 回避声明, the others' paper forms are recorded."""
        leader = actor_of(desk.leader)
        attempts = [(mode, 2 if mode == SELF else 3), (JOINT, 3), (JOINT, 2)]
        for try_mode, size in attempts:
            team = teams.propose_team(
                actor=leader,
                clue_id=case.clue_id,
                mode=try_mode,
                size=size,
                trainee_seats=1 if try_mode == JOINT and size == 3 else 0,
                purpose=Purpose.INVESTIGATION,
            )
            members = list(team.members.filter(left_on__isnull=True).values_list("staff_id", "role"))
            if len(members) >= 2 and any(role == MemberRole.LEAD for _, role in members):
                break
        else:
            raise RuntimeError(f"演示数据：{case} 无法组建审查调查组。")
        teams.confirm_team(actor=leader, team_id=team.pk)
        logins = dict(
            User.objects.filter(staff_id__in=[s for s, _ in members], is_demo=True).values_list("staff_id", "username")
        )
        unsigned = unsigned_member_ids(case.clue_id, [s for s, _ in members])
        for staff_id, _ in members:
            if staff_id not in unsigned:
                continue  # signed for this clue already, on its verification team
            if staff_id in logins:
                recusal.sign_declaration(actor=actor_of(logins[staff_id]), clue_id=case.clue_id, no_conflict=True)
            else:
                recusal.record_paper_declaration(
                    actor=leader, clue_id=case.clue_id, staff_id=staff_id, no_conflict=True
                )
        return try_mode

    def _first_reviewers(self, desk: Desk, case: Case) -> list[int]:
        """协作区初审: the zone leader and a deputy (or else a cadre of the zone's office) who took no part in
        the verification or the investigation and has no tie to the matter (查审分离)."""
        leader = actor_of(desk.leader).staff_id
        assert leader is not None
        taken = investigators_of(case) | {leader}
        deputies = list(
            ZoneDeputy.objects.filter(zone=desk.zone, end_date__isnull=True)
            .order_by("pk")
            .values_list("staff_id", flat=True)
        )
        office = list(
            StaffMember.objects.filter(home_unit_id=desk.zone.inspection_office_id, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        candidates = [s for s in dict.fromkeys(deputies + office) if s not in taken]
        tied = conflicted_staff_ids(case.clue, candidates)
        second = next(s for s in candidates if s not in tied)
        return [leader, second]

    def _plea(self, handler: Any, case: Case) -> None:
        recusal.record_intervention(
            actor=handler,
            clue_id=case.clue_id,
            data=recusal.InterventionInput(
                kind="plea" if self.pleas else "enquiry",
                channel="phone",
                occurred_at=timezone.now() - timedelta(days=1),
                intervener_name="王某某" if self.pleas else "李某某",
                intervener_unit="被审查调查人的亲属" if self.pleas else "某村原村干部",
                content="来电为被审查调查人说情，希望“从轻处理”。"
                if self.pleas
                else "来电打听案件进展，询问会给予什么处分。",
                response="当即拒绝，告知不能过问案件，并按规定登记报告。",
            ),
        )
        self.pleas += 1

    # --- the other clues --------------------------------------------------------------------------------------

    def _other(self, desk: Desk, fate: Fate, *, start: datetime) -> Story:
        yield start
        while True:
            turn = self.summary.inquiries + self.summary.closures + self.summary.verifications
            townships = self._any_townships(desk, turn)
            if self.unopened[desk.zone.pk]:
                # The zone's cases still to open take the matters of the townships with a login first.
                townships = [t for t in townships if t not in desk.secretaries]
            matter = self._take(townships, lambda m: m.category in FOCUS and m.role in VILLAGE_ROLES) or self._take(
                townships, lambda m: bool(m.role)
            )
            if matter is not None:
                break
            if timezone.localdate() >= self.today:
                return
            yield self._after(10, 9)  # no accepted report fits yet
        clue, subject = self._open(desk, matter, Person.VILLAGE)
        yield self._after(3, 15)
        self._analyse(desk, clue)
        handler = actor_of(desk.handler(clue))
        yield self._after(2, 10)
        if fate in VERIFIED_FATES or fate in LAST_FATES:
            self._dispose(desk, clue, DisposalMethod.PRELIMINARY_VERIFICATION, "反映问题具体，经集体研判拟初步核实。")
            recommendation = VERIFIED_FATES.get(fate, "")
            done = yield from self._verify(
                desk,
                clue,
                mode=CROSS if clue.pk % 2 else JOINT,
                recommendation=recommendation,
                plan_only=fate == Fate.PLAN_SUBMITTED,
                measures_only=fate == Fate.VERIFYING,
                facts=self._cleared_facts(clue) if recommendation == Recommendation.CLOSE else self._minor_facts(clue),
            )
            if done is None:
                return
            if recommendation == Recommendation.CLOSE:
                self.summary.closures += 1
                yield from self._clear(desk, clue, subject, done=fate == Fate.VERIFIED_CLEARED)
            return
        if fate in TALKS or fate in (Fate.LETTER_ANSWERED, Fate.LETTER_SENT):
            self._dispose(desk, clue, DisposalMethod.TALK_OR_LETTER, "反映问题较为笼统，属一般性问题，拟谈话函询。")
            letter = fate in (Fate.LETTER_ANSWERED, Fate.LETTER_SENT)
            yield self._after(3, 10)
            clues.start_inquiry(
                actor=handler,
                clue_id=clue.pk,
                mode=InquiryMode.LETTER if letter else InquiryMode.TALK,
                started_on=timezone.localdate(),
                officers="、".join(
                    StaffMember.objects.filter(pk__in=[handler.staff_id, actor_of(desk.leader).staff_id]).values_list(
                        "name", flat=True
                    )
                ),
            )
            self.summary.inquiries += 1
            if fate == Fate.LETTER_SENT:
                return
            yield self._after(10 if letter else 3, 15)
            if letter:
                clues.record_reply(
                    actor=handler,
                    clue_id=clue.pk,
                    replied_on=timezone.localdate(),
                    summary="本人书面说明：有关款项均按村民代表会议决议使用，账目已公示，附有关凭证。",
                    countersigned=True,
                )
            outcome = TALKS.get(fate, InquiryOutcome.ACCEPT_CLOSE)
            clues.conclude_inquiry(
                actor=handler,
                clue_id=clue.pk,
                outcome=outcome,
                note="说明情况属实，予以采纳。"
                if outcome == InquiryOutcome.ACCEPT_CLOSE
                else "存在履职不规范问题，已当面指出并要求整改。",
                clearing_letter=outcome == InquiryOutcome.ACCEPT_CLOSE and fate == Fate.TALK_CLEARED,
            )
            return
        if fate == Fate.HELD:
            self._dispose(
                desk,
                clue,
                DisposalMethod.HOLD,
                "反映问题涉及的账目正在审计，暂不具备核查条件，暂存待查。",
                review_on=timezone.localdate() + timedelta(days=90),
            )
            return
        if fate == Fate.DISPOSAL_PROPOSED:
            self._dispose(
                desk, clue, DisposalMethod.PRELIMINARY_VERIFICATION, "反映问题具体，经研判拟初步核实。", approve=False
            )
            return
        cleared = fate == Fate.CLOSED_CLEARED
        self._dispose(
            desk, clue, DisposalMethod.CLOSE, "经初步了解，反映问题与事实明显不符，予以了结。", propose_clearing=cleared
        )
        self.summary.closures += 1
        if cleared:
            yield from self._clear(desk, clue, subject, done=True)

    def _minor_facts(self, clue: Clue) -> str:
        return f"经核实，{clue.summary}的问题部分属实，情节轻微，未造成损失，已整改。"

    def _cleared_facts(self, clue: Clue) -> str:
        return f"经核实，{clue.summary}的问题与事实不符：有关款项均按规定发放、入账，并经公示，反映问题失实。"

    def _clear(self, desk: Desk, clue: Clue, subject: Subject, *, done: bool) -> Story:
        """澄清正名: proposed by the handling side, approved up to the commission head (or left with the
        head), and carried out by letter or before the village's party members."""
        yield self._after(3, 10)
        handler = actor_of(desk.handler(clue))
        letter = clue.pk % 2 == 0
        village = clue.village.name if clue.village else "所在村（社区）"
        proposed = clearing.propose_clearing(
            actor=handler,
            clue_id=clue.pk,
            data=clearing.ClearingInput(
                subject_id=subject.pk,
                method="letter" if letter else "party_organisation",
                finding="untrue",
                facts=self._cleared_facts(clue).removeprefix("经核实，"),
                audience="" if letter else f"{village}党支部全体党员",
            ),
        )
        approve_all(proposed.approval_id, stop_before="" if done else Role.COMMISSION_HEAD)
        self.summary.clearings += 1
        if done:
            yield self._after(5, 15)
            clearing.record_clearing_done(
                actor=handler,
                clearing_id=proposed.pk,
                done_on=timezone.localdate(),
                note="已当面送达澄清函。" if letter else f"已在{village}党员大会上通报澄清。",
            )
