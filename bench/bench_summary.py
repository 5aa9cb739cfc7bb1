#!/usr/bin/env python
"""Benchmark two read paths at scale: the 总结会 figures of a zone for a year and the 处分期满台账.

    .venv/bin/python bench/bench_summary.py                            # county scale, throwaway SQLite
    .venv/bin/python bench/bench_summary.py --scale province --samples 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_summary.py \\
        --scale province --wipe

Scales (per commission and year; every commission has 20 townships in 4 zones, each zone led by an
inspection office, so a zone holds a county's share whatever the scale):
- ``county``: 1 commission, ~500 reports, 200 clues, 60 cases a year, two years (2024 and 2025);
- ``province``: 100 such commissions (~50 k reports, 20 k clues, 6 k cases a year, two years);
- ``national``: 2,800 commissions, one year of 3.5 M reports, 2 M clues, 0.8 M cases (DESIGN §5b's
  "one national year"): ~30 M rows in all, which bulk_create writes at ~6,500 rows/s on SQLite and on
  PostgreSQL alike (2-core machine) — about 80 minutes of loading, not a routine run.

Every row is bulk-inserted straight into the tables (no services, no audit rows), month by month and
commission after commission within a month, so that a zone's rows are spread over the table as they
would be in production. A clue's life is drawn once and written as far as it got by "today"
(2026-03-16): disposal (谈话函询 / 初步核实 / 暂存待查 / 予以了结, some sent back first), 初核 with its
team (a trainee seat each), 立案审查呈批 studied at the zone's monthly 立案研究会 (agenda item and
numbered resolution), the case with its investigation team, the approved 处理决定 in one of the four
forms, and the sanction terms it opens. Reports, clues and cases carry deadlines, some of them overdue.

Timed:
1. ``meetings.summary.zone_figures`` for one zone (of the middle commission) and the year 2025 —
   the ten aggregate queries, each query's own p50, and the EXPLAIN (QUERY PLAN) of the slowest; then
   a zone × month table for the commission's year (4 zones × 12 months = 48 calls), the shape of
   DESIGN §5b's "statistics (成案率 by zone × month, a year) ≤ 200 ms";
2. the 处分期满台账's first keyset page (``sanctions.selectors.term_ledger``, 50 rows, as the page
   calls it) for 案管 and for the zone's leader, with some of the page's filters, next to the raw SQL
   of the same query, and the plan of the unfiltered page of each.
A database given by DATABASE_URL must hold no reports (or pass --wipe: it flushes the whole database,
so never point it at a database that matters).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from calendar import monthrange
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from _env import setup_django

YEAR = 2025  # the timed period: the last full year before TODAY
TODAY = date(2026, 3, 16)
TOWNSHIPS = 20
ZONES = 4


@dataclass(frozen=True)
class Scale:
    commissions: int
    reports: int  # per commission and year
    clues: int
    cases: int
    years: int  # years of data, ending with YEAR


SCALES = {
    "county": Scale(1, 500, 200, 60, 2),
    "province": Scale(100, 500, 200, 60, 2),
    "national": Scale(2_800, 1_250, 715, 286, 1),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="county", help="data size (default county)")
    parser.add_argument("--commissions", type=int, help="override the scale's number of commissions")
    parser.add_argument("--years", type=int, help="override the scale's years of data (ending with 2025)")
    parser.add_argument("--samples", type=int, default=30, help="timed runs per call (default 30)")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading (planner statistics)")
    parser.add_argument("--wipe", action="store_true", help="flush DATABASE_URL first (never on real data)")
    return parser.parse_args()


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def at(day: date, minute: int = 0) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, clock(9 + minute // 60 % 8, minute % 60)))


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


# --- the organisation ---------------------------------------------------------------------------------------


@dataclass
class County:
    """One commission's ids: what the row generator needs, no model instances."""

    index: int
    commission_id: int
    leadership_id: int
    petition_id: int
    case_office_id: int
    offices: list[int]  # the inspection office leading zone z
    zones: list[int]
    townships: list[list[int]]  # per zone
    leaders: list[int]  # staff leading zone z
    pool: list[list[int]]  # per zone: its office's 3 staff, then its townships' cadres (team members)
    cadres: dict[int, list[int]]  # township -> its cadres
    case_manager: int
    chain_id: int


def build_org(commissions: int) -> tuple[list[County], Any]:
    """Commissions in bulk: leadership, petition, case-management and trial offices, 4 inspection
    offices, 20 township committees in 4 zones (5 townships and the office each), ~60 staff."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.approvals.models import ApprovalChain
    from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone, ZoneMembership

    rows = Commission.objects.bulk_create(
        [Commission(name=f"基准第{c + 1}县纪委监委", short_name=f"基{c + 1}") for c in range(commissions)],
        batch_size=1_000,
    )
    loader = User(username="bench_loader", commission=rows[0])
    loader.set_unusable_password()
    loader.save()
    fixed = [
        (Unit.Kind.LEADERSHIP, "委领导班子"),
        (Unit.Kind.PETITION_OFFICE, "信访室"),
        (Unit.Kind.CASE_MANAGEMENT_OFFICE, "案件监督管理室"),
        (Unit.Kind.TRIAL_OFFICE, "案件审理室"),
    ]
    units: list[Unit] = []
    for commission in rows:
        units += [
            Unit(commission=commission, kind=kind, name=name, sort_order=i) for i, (kind, name) in enumerate(fixed)
        ]
        units += [
            Unit(commission=commission, kind=Unit.Kind.INSPECTION_OFFICE, name=f"第{z + 1}纪检监察室", sort_order=5)
            for z in range(ZONES)
        ]
        units += [
            Unit(
                commission=commission,
                kind=Unit.Kind.TOWNSHIP_COMMITTEE,
                township_type=Unit.TownshipType.TOWN,
                name=f"第{t + 1}镇纪委",
                sort_order=10 + t,
            )
            for t in range(TOWNSHIPS)
        ]
    Unit.objects.bulk_create(units, batch_size=2_000)
    per = len(fixed) + ZONES + TOWNSHIPS
    staff: list[StaffMember] = []
    for c, commission in enumerate(rows):
        own = units[c * per : (c + 1) * per]
        leadership, case_office, offices, townships = own[0], own[2], own[4:8], own[8:]
        staff += [
            StaffMember(commission=commission, name=f"组长{z + 1}", home_unit=leadership, position="纪委常委")
            for z in range(ZONES)
        ]
        staff.append(StaffMember(commission=commission, name="案管干部", home_unit=case_office, position="干部"))
        staff += [
            StaffMember(commission=commission, name=f"室{z + 1}干部{i + 1}", home_unit=o, position="干部", experience=3)
            for z, o in enumerate(offices)
            for i in range(3)
        ]
        staff += [
            StaffMember(commission=commission, name=f"镇{t + 1}干部{i + 1}", home_unit=u, position="干部")
            for t, u in enumerate(townships)
            for i in range(2)
        ]
    StaffMember.objects.bulk_create(staff, batch_size=2_000)
    staff_per = ZONES + 1 + ZONES * 3 + TOWNSHIPS * 2
    zones = Zone.objects.bulk_create(
        [
            Zone(
                commission=commission,
                number=z + 1,
                name=f"第{z + 1}协作区",
                leader=staff[c * staff_per + z],
                inspection_office=units[c * per + 4 + z],
            )
            for c, commission in enumerate(rows)
            for z in range(ZONES)
        ],
        batch_size=2_000,
    )
    memberships = []
    for c in range(len(rows)):
        for z in range(ZONES):
            zone = zones[c * ZONES + z]
            memberships.append(ZoneMembership(zone=zone, unit=units[c * per + 4 + z], start_date=date(2023, 1, 1)))
            memberships += [
                ZoneMembership(zone=zone, unit=units[c * per + 8 + t], start_date=date(2023, 1, 1))
                for t in range(z, TOWNSHIPS, ZONES)
            ]
    ZoneMembership.objects.bulk_create(memberships, batch_size=2_000)
    chains = ApprovalChain.objects.bulk_create(
        [ApprovalChain(commission=c, matter_type="case.sanction", name="处理决定审批") for c in rows],
        batch_size=1_000,
    )
    world = []
    for c, commission in enumerate(rows):
        own = units[c * per : (c + 1) * per]
        people = staff[c * staff_per : (c + 1) * staff_per]
        office_staff = people[ZONES + 1 : ZONES + 1 + ZONES * 3]
        township_staff = people[ZONES + 1 + ZONES * 3 :]
        cadres = {own[8 + t].pk: [s.pk for s in township_staff[2 * t : 2 * t + 2]] for t in range(TOWNSHIPS)}
        townships = [[own[8 + t].pk for t in range(z, TOWNSHIPS, ZONES)] for z in range(ZONES)]
        world.append(
            County(
                index=c,
                commission_id=commission.pk,
                leadership_id=own[0].pk,
                petition_id=own[1].pk,
                case_office_id=own[2].pk,
                offices=[u.pk for u in own[4:8]],
                zones=[z.pk for z in zones[c * ZONES : (c + 1) * ZONES]],
                townships=townships,
                leaders=[s.pk for s in people[:ZONES]],
                pool=[
                    [s.pk for s in office_staff[3 * z : 3 * z + 3]] + [p for t in townships[z] for p in cadres[t]]
                    for z in range(ZONES)
                ],
                cadres=cadres,
                case_manager=people[ZONES].pk,
                chain_id=chains[c].pk,
            )
        )
    return world, loader


# --- the rows ----------------------------------------------------------------------------------------------

# (codes, four-forms form) of an approved decision, drawn by form; the terms follow from the codes.
DECISIONS: dict[int | None, list[list[str]]] = {
    1: [["talk_reminder"], ["criticism"], ["admonition"]],
    2: [
        ["party_warning"],
        ["party_serious_warning"],
        ["gov_warning"],
        ["gov_demerit"],
        ["party_warning", "gov_demerit"],
    ],
    3: [["party_removal"], ["party_probation"], ["gov_demotion"], ["party_probation", "gov_dismissal_from_post"]],
    4: [["party_expulsion", "gov_expulsion", "to_procuratorate"]],
    None: [["case_withdrawn"]],
}
FORM_WEIGHTS = {1: 25, 2: 45, 3: 20, 4: 5, None: 5}
# code -> (months, follow-up kind, label); 开除党籍 opens the 5-year bar, which demands nothing.
TERM_CODES = {
    "party_warning": (12, "party_lapse", "党内警告"),
    "party_serious_warning": (18, "party_lapse", "党内严重警告"),
    "party_removal": (24, "party_lapse", "撤销党内职务"),
    "party_probation": (12, "probation", "留党察看"),
    "party_expulsion": (60, "none", "开除党籍"),
    "gov_warning": (6, "government", "警告"),
    "gov_demerit": (12, "government", "记过"),
    "gov_demotion": (24, "government", "降级"),
    "gov_dismissal_from_post": (24, "government", "撤职"),
}
MODES = (("self", 40), ("cross", 30), ("joint", 25), ("elevated", 5))
OTHER_FATES = (("talk_or_letter", 55), ("hold", 13), ("close", 27), ("pending", 5))
CLUE_STATE = {
    "talk_or_letter": "talk_or_letter",
    "hold": "held",
    "close": "closed",
    "pending": "disposal_proposed",
    "prelim": "preliminary_verification",
    "proposal_no": "preliminary_verification",
    "case": "preliminary_verification",
}


def pick(rng: random.Random, weighted: Any) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Expected:
    """What the generator wrote for the timed zone in YEAR, to check the figures against."""

    reports_of_zone: int = 0
    clues_received: int = 0
    cases_filed: int = 0
    deadlines_overdue: int = 0


@dataclass
class Batch:
    """The rows of one (month, commissions) chunk, by model, in insertion order."""

    rows: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    targets: list[tuple[Any, Any]] = field(default_factory=list)  # (deadline, its target)

    def add(self, key: str, obj: Any) -> Any:
        self.rows[key].append(obj)
        return obj


class Generator:
    def __init__(self, world: list[County], loader: Any, scale: Scale, timed_zone: int) -> None:
        from django.contrib.contenttypes.models import ContentType

        from xiezuoqu.cases.models import Case
        from xiezuoqu.clues.models import Clue
        from xiezuoqu.intake.models import Report

        self.world, self.loader, self.scale, self.timed_zone = world, loader, scale, timed_zone
        self.rng = random.Random(20260316)
        self.ledger: dict[tuple[int, int], int] = defaultdict(int)  # (unit, year) -> last report seq
        self.clue_ledger: dict[tuple[int, int], int] = defaultdict(int)
        self.case_seq: dict[tuple[int, int], int] = defaultdict(int)
        self.resolution_seq: dict[tuple[int, int], int] = defaultdict(int)
        self.meetings: dict[tuple[int, int, int], Any] = {}
        self.item_order: dict[tuple[int, int, int], int] = defaultdict(int)
        self.types = {m: ContentType.objects.get_for_model(m) for m in (Report, Clue, Case)}
        self.expected = Expected()
        self.counts: dict[str, int] = defaultdict(int)

    # --- one chunk ---
    def month(self, year: int, month: int, counties: list[County]) -> Batch:
        batch = Batch()
        days = monthrange(year, month)[1]
        for county in counties:
            for i in range(self._share(self.scale.reports, month)):
                self._report(batch, county, date(year, month, self.rng.randint(1, days)), i)
            clues = self._share(self.scale.clues, month)
            cases = min(clues, self._share(self.scale.cases, month))
            fates = ["case"] * cases + ["proposal_no"] * round(cases * 0.12)
            fates += ["prelim"] * max(0, round(clues * 0.40) - len(fates))
            fates = fates[:clues]
            fates += [pick(self.rng, OTHER_FATES) for _ in range(clues - len(fates))]
            self.rng.shuffle(fates)
            for fate in fates:
                self._clue(batch, county, date(year, month, self.rng.randint(1, days)), fate)
        return batch

    def _share(self, per_year: int, month: int) -> int:
        return per_year // 12 + (1 if month <= per_year % 12 else 0)

    def _deadline(
        self, batch: Batch, county: County, zone: int, unit: int, model: Any, target: Any, kind: str, start: date
    ) -> None:
        """A deadline on ``target``: most met in time, some late (overdue for a while), a few still open."""
        from xiezuoqu.deadlines.models import Deadline

        rng = self.rng
        due = start + timedelta(days=rng.choice((21, 30, 60, 90)))
        roll = rng.random()
        state, met_on, overdue_since = "met", start + timedelta(days=rng.randint(1, (due - start).days)), None
        if roll > 0.90:  # met late or still open, overdue from the day after the due date
            overdue_since = due + timedelta(days=1)
            state, met_on = ("met_late", due + timedelta(days=rng.randint(1, 40))) if roll < 0.97 else ("open", None)
        if met_on is not None and met_on > TODAY:
            state, met_on = "open", None
        if overdue_since is not None and overdue_since > TODAY:
            overdue_since = None
        deadline = batch.add(
            "deadline",
            Deadline(
                commission_id=county.commission_id,
                target_type=self.types[model],
                target_id=0,  # the target's id once it is inserted (Batch.targets)
                target_label=kind,
                kind=kind,
                label="基准时限",
                start_date=start,
                period_value=(due - start).days,
                period_unit="days",
                original_due_date=due,
                due_date=due,
                state=state,
                met_on=met_on,
                responsible_unit_id=unit,
                zone_id=zone,
                overdue_since=overdue_since,
            ),
        )
        batch.targets.append((deadline, target))
        if zone == self.timed_zone and overdue_since is not None and overdue_since.year == YEAR:
            self.expected.deadlines_overdue += 1

    def _report(self, batch: Batch, county: County, day: date, i: int) -> None:
        from xiezuoqu.intake.models import Report

        rng = self.rng
        z = rng.randrange(ZONES)
        roll = rng.random()
        # Most reports reach the zone through the petition office; the rest are registered by a member
        # township or the zone's office.
        if roll < 0.55:
            unit = county.petition_id
        elif roll < 0.9:
            unit = rng.choice(county.townships[z])
        else:
            unit = county.offices[z]
        self.ledger[unit, day.year] += 1
        seq = self.ledger[unit, day.year]
        handling = rng.choice(county.townships[z])
        report = batch.add(
            "report",
            Report(
                commission_id=county.commission_id,
                ledger_unit_id=unit,
                ledger_year=day.year,
                ledger_seq=seq,
                ledger_number=f"基{county.index + 1}信〔{day.year}〕{unit}-{seq}号",
                channel=rng.choice(("letter", "visit", "phone", "online")),
                received_on=day,
                registered_at=at(day, i),
                registered_by=self.loader,
                state="assigned",
                summary="反映村干部侵占集体资产",
                content="反映某村干部在集体资产处置中优亲厚友、侵占集体收益。",
                category=rng.choice(("farm_subsidy", "collective_assets", "integrity", "masses")),
                handling_unit_id=handling,
                zone_id=county.zones[z],
            ),
        )
        self._deadline(batch, county, county.zones[z], handling, Report, report, "bench.report_acceptance", day)
        if county.zones[z] == self.timed_zone and day.year == YEAR:
            self.expected.reports_of_zone += 1

    def _clue(self, batch: Batch, county: County, received: date, fate: str) -> None:
        from xiezuoqu.clues.models import Clue, ClueDisposal, ClueSubject, Subject

        rng = self.rng
        z = rng.randrange(ZONES)
        zone = county.zones[z]
        unit = rng.choice(county.townships[z]) if rng.random() < 0.85 else county.offices[z]
        self.clue_ledger[unit, received.year] += 1
        seq = self.clue_ledger[unit, received.year]
        decided = received + timedelta(days=rng.randint(5, 30))
        if decided > TODAY:
            fate = "pending"
        method = "preliminary_verification" if fate in ("prelim", "proposal_no", "case") else fate
        approved = fate != "pending"
        clue = batch.add(
            "clue",
            Clue(
                commission_id=county.commission_id,
                handling_unit_id=unit,
                zone_id=zone,
                ledger_year=received.year,
                ledger_seq=seq,
                ledger_number=f"基{county.index + 1}线〔{received.year}〕{unit}-{seq}号",
                source=rng.choice(("reports", "reports", "inspection", "inspection_tour", "audit")),
                category=rng.choice(("farm_subsidy", "collective_assets", "integrity", "masses")),
                summary="反映村干部侵占集体资产",
                received_on=received,
                state=CLUE_STATE[fate],
                state_changed_at=at(decided if approved else received),
                disposal_method=method if approved else "",
                disposed_on=decided if approved else None,
                review_on=decided + timedelta(days=180) if fate == "hold" else None,
                registered_by=self.loader,
            ),
        )
        if zone == self.timed_zone and received.year == YEAR:
            self.expected.clues_received += 1
        subject = batch.add(
            "subject",
            Subject(
                commission_id=county.commission_id,
                name="被反映人",
                name_index=f"bench{county.index}-{unit}-{received.year}-{seq}",
                unit_text="某村村民委员会",
                position="村委会主任",
                rank="village",
                is_village_cadre=True,
                created_by=self.loader,
            ),
        )
        batch.add("clue_subject", ClueSubject(clue=clue, subject=subject, added_by=self.loader))
        self._deadline(batch, county, zone, unit, Clue, clue, "bench.clue_disposal", received)
        if rng.random() < 0.08 and approved:  # sent back once before the approved proposal
            batch.add(
                "disposal",
                ClueDisposal(
                    clue=clue,
                    method="close",
                    reason="拟予以了结",
                    state="sent_back",
                    proposed_by=self.loader,
                    decided_at=at(decided - timedelta(days=3)),
                ),
            )
        pending = fate == "pending"
        batch.add(
            "disposal",
            ClueDisposal(
                clue=clue,
                method="talk_or_letter" if pending else method,
                reason="经集体研判",
                review_on=decided + timedelta(days=180) if fate == "hold" else None,
                state="pending" if pending else "approved",
                proposed_by=self.loader,
                decided_at=None if pending else at(decided),
            ),
        )
        if fate in ("prelim", "proposal_no", "case"):
            self._verification(batch, county, z, unit, clue, subject, decided, fate)

    def _team(self, batch: Batch, county: County, z: int, unit: int, clue: Any, purpose: str, day: date) -> None:
        from xiezuoqu.teams.models import Team, TeamMember

        rng = self.rng
        mode = pick(rng, MODES)
        others = [t for t in county.townships[z] if t != unit] or county.townships[z]
        lead_unit = {"self": unit, "cross": rng.choice(others)}.get(mode, county.offices[z])
        team = batch.add(
            "team",
            Team(
                clue=clue,
                purpose=purpose,
                mode=mode,
                lead_unit_id=lead_unit,
                state="confirmed",
                proposed_by=self.loader,
                confirmed_by=self.loader,
                confirmed_at=at(day),
            ),
        )
        lead, member = rng.sample(county.pool[z], 2)
        # 以干代训: a township cadre of the zone (the pool's township part) learns on the team.
        trainee = rng.choice([s for s in county.pool[z][3:] if s not in (lead, member)])
        for staff, role in ((lead, "lead"), (member, "member"), (trainee, "trainee")):
            joined = None if role == "trainee" and rng.random() < 0.2 else day
            batch.add("member", TeamMember(team=team, staff_id=staff, role=role, joined_on=joined))

    def _verification(
        self, batch: Batch, county: County, z: int, unit: int, clue: Any, subject: Any, decided: date, fate: str
    ) -> None:
        from xiezuoqu.verification.models import Verification

        rng = self.rng
        started = decided + timedelta(days=rng.randint(3, 10))
        if started > TODAY:
            return
        concluded: date | None = started + timedelta(days=rng.randint(30, 90))
        if concluded is not None and (concluded > TODAY or (fate == "prelim" and rng.random() < 0.3)):
            concluded = None
        batch.add(
            "verification",
            Verification(
                commission_id=county.commission_id,
                clue=clue,
                state="concluded" if concluded else "in_progress",
                state_changed_at=at(concluded or started),
                started_on=started,
                concluded_on=concluded,
                last_progress_at=at(concluded or started),
                created_by=self.loader,
            ),
        )
        self._team(batch, county, z, unit, clue, "verification", started)
        if concluded is not None and fate in ("proposal_no", "case"):
            self._proposal(batch, county, z, unit, clue, subject, concluded, fate)

    def _resolution(self, batch: Batch, county: County, z: int, day: date, outcome: str) -> Any:
        """The item and resolution of the zone's 立案研究会 of that month (one meeting a month)."""
        from xiezuoqu.meetings.models import AgendaItem, Meeting, Resolution

        zone = county.zones[z]
        key = (zone, day.year, day.month)
        meeting = self.meetings.get(key)
        if meeting is None:
            meeting = self.meetings[key] = batch.add(
                "meeting",
                Meeting(
                    commission_id=county.commission_id,
                    zone_id=zone,
                    kind="filing",
                    title=f"{day.year}年{day.month}月立案研究会",
                    scheduled_at=at(day),
                    place="协作区会议室",
                    chair_id=county.leaders[z],
                    state="held",
                    held_at=at(day),
                    created_by=self.loader,
                ),
            )
        self.item_order[key] += 1
        item = batch.add(
            "item",
            AgendaItem(
                meeting=meeting,
                order=self.item_order[key],
                kind="filing",
                title="立案审查呈批",
                state="decided",
                added_by=self.loader,
            ),
        )
        self.resolution_seq[zone, day.year] += 1
        seq = self.resolution_seq[zone, day.year]
        agree = outcome == "agree"
        return batch.add(
            "resolution",
            Resolution(
                item=item,
                zone_id=zone,
                year=day.year,
                seq=seq,
                number=f"基{county.index + 1}第{z + 1}协作区决〔{day.year}〕{seq}号",
                outcome=outcome,
                votes_for=3 if agree else 0,
                votes_against=0 if agree else 3,
                voting_members=3,
                present_voters=3,
                text="同意立案" if agree else "不同意立案",
                decided_by=self.loader,
            ),
        )

    def _proposal(
        self, batch: Batch, county: County, z: int, unit: int, clue: Any, subject: Any, concluded: date, fate: str
    ) -> None:
        from xiezuoqu.filing.models import FilingProposal

        rng = self.rng
        submitted = concluded + timedelta(days=rng.randint(3, 10))
        if submitted > TODAY:
            return
        zone_decided = submitted + timedelta(days=rng.randint(2, 14))
        filed = zone_decided + timedelta(days=rng.randint(2, 10))
        outcome = "agree" if fate == "case" else ("disagree" if rng.random() < 0.5 else "")
        if zone_decided > TODAY:
            outcome = ""
        state = {"agree": "body_filed" if filed <= TODAY else "zone_agreed", "disagree": "zone_disagreed"}.get(
            outcome, "submitted_to_zone"
        )
        resolution = self._resolution(batch, county, z, zone_decided, outcome) if outcome else None
        body_filed = state == "body_filed"
        proposal = batch.add(
            "proposal",
            FilingProposal(
                commission_id=county.commission_id,
                zone_id=county.zones[z],
                clue=clue,
                subject=subject,
                state=state,
                state_changed_at=at(filed if body_filed else zone_decided if outcome else submitted),
                body_kind="party_committee",
                body_unit_id=unit,
                body_name="乡镇党委",
                facts="违纪违法事实",
                basis="立案依据",
                proposal="建议立案审查调查",
                drafted_by=self.loader,
                submitted_at=at(submitted),
                zone_resolution=resolution,
                zone_decided_at=at(zone_decided) if outcome else None,
                body_decision="file" if body_filed else "",
                body_reason="经研究决定立案" if body_filed else "",
                body_decided_by=self.loader if body_filed else None,
                body_decided_at=at(filed) if body_filed else None,
            ),
        )
        if body_filed:
            self._case(batch, county, z, unit, clue, subject, proposal, filed)

    def _case(
        self, batch: Batch, county: County, z: int, unit: int, clue: Any, subject: Any, proposal: Any, filed: date
    ) -> None:
        from xiezuoqu.approvals.models import ApprovalRequest
        from xiezuoqu.cases.models import Case, PersonDecision

        rng = self.rng
        self.case_seq[county.commission_id, filed.year] += 1
        seq = self.case_seq[county.commission_id, filed.year]
        decided = filed + timedelta(days=rng.randint(45, 200))
        has_decision = decided <= TODAY
        case = batch.add(
            "case",
            Case(
                commission_id=county.commission_id,
                zone_id=county.zones[z],
                clue=clue,
                subject=subject,
                filing=proposal,
                case_year=filed.year,
                case_seq=seq,
                case_number=f"基{county.index + 1}案〔{filed.year}〕{seq}号",
                filed_on=filed,
                competent_body_kind="party_committee",
                competent_body_id=unit,
                competent_body_name="乡镇党委",
                filing_reference="协作区决议",
                state=("announced" if decided < TODAY - timedelta(days=30) else "decided")
                if has_decision
                else "investigating",
                state_changed_at=at(decided if has_decision else filed),
                opened_by=self.loader,
            ),
        )
        if county.zones[z] == self.timed_zone and filed.year == YEAR:
            self.expected.cases_filed += 1
        self._deadline(batch, county, county.zones[z], unit, Case, case, "bench.case_investigation", filed)
        confirmed = filed + timedelta(days=rng.randint(1, 3))
        if confirmed <= TODAY:
            self._team(batch, county, z, unit, clue, "investigation", confirmed)
        if not has_decision:
            return
        form = pick(rng, FORM_WEIGHTS.items())
        codes = rng.choice(DECISIONS[form])
        approval = batch.add(
            "approval",
            ApprovalRequest(
                commission_id=county.commission_id,
                matter_type="case.sanction",
                chain_id=county.chain_id,
                chain_version=1,
                chain_name="处理决定审批",
                mode="sequential",
                requester=self.loader,
                requester_unit_id=unit,
                zone_id=county.zones[z],
                title="处理决定报批",
                reason="审理终结，报批处理决定",
                state="approved",
                submitted_at=at(decided - timedelta(days=5)),
                decided_at=at(decided),
            ),
        )
        decision = batch.add(
            "decision",
            PersonDecision(
                case=case,
                subject=subject,
                codes=codes,
                body="township_committee",
                form=form,
                grounds="事实和依据",
                approval=approval,
                state="approved",
                decided_on=decided,
                proposed_by=self.loader,
            ),
        )
        for code in codes:
            if code in TERM_CODES:
                self._term(batch, county, case, decision, subject, code, decided)

    def _term(
        self, batch: Batch, county: County, case: Any, decision: Any, subject: Any, code: str, start: date
    ) -> None:
        from xiezuoqu.sanctions.models import SanctionTerm

        rng = self.rng
        months, kind, label = TERM_CODES[code]
        if code == "party_probation" and rng.random() < 0.3:
            months = 24
        end = add_months(start, months) - timedelta(days=1)
        due = None if kind == "none" else end
        state, closed = "running", None
        if rng.random() < 0.03:  # an appeal revoked or changed the decision
            state, closed = rng.choice(("cancelled", "superseded")), min(TODAY, start + timedelta(days=40))
        elif due is not None and due < TODAY and rng.random() < 0.8:  # followed up; the rest are overdue
            state, closed = "ended", min(TODAY, due + timedelta(days=rng.randint(0, 20)))
        batch.add(
            "term",
            SanctionTerm(
                commission_id=county.commission_id,
                case=case,
                decision=decision,
                subject=subject,
                code=code,
                label=label,
                months=months,
                start=start,
                end=end,
                follow_up_kind=kind,
                due_on=due,
                state=state,
                closed_on=closed,
            ),
        )


# Insertion order: every row after the rows it points at.
ORDER = (
    ("report", "intake.Report"),
    ("subject", "clues.Subject"),
    ("clue", "clues.Clue"),
    ("clue_subject", "clues.ClueSubject"),
    ("disposal", "clues.ClueDisposal"),
    ("verification", "verification.Verification"),
    ("team", "teams.Team"),
    ("member", "teams.TeamMember"),
    ("meeting", "meetings.Meeting"),
    ("item", "meetings.AgendaItem"),
    ("resolution", "meetings.Resolution"),
    ("proposal", "filing.FilingProposal"),
    ("case", "cases.Case"),
    ("approval", "approvals.ApprovalRequest"),
    ("decision", "cases.PersonDecision"),
    ("term", "sanctions.SanctionTerm"),
    ("deadline", "deadlines.Deadline"),
)


def load(world: list[County], loader: Any, scale: Scale, timed_zone: int) -> tuple[Generator, float]:
    from django.apps import apps
    from django.db import transaction

    generator = Generator(world, loader, scale, timed_zone)
    per_commission_month = (scale.reports * 2 + scale.clues * 12) // 12 + 1
    chunk = max(1, 40_000 // per_commission_month)
    started = time.perf_counter()
    total = 0
    for year in range(YEAR - scale.years + 1, YEAR + 1):
        for month in range(1, 13):
            for first in range(0, len(world), chunk):
                batch = generator.month(year, month, world[first : first + chunk])
                with transaction.atomic():
                    for key, label in ORDER:
                        if key == "deadline":
                            for deadline, target in batch.targets:
                                deadline.target_id = target.pk
                        rows = batch.rows.get(key, [])
                        if rows:
                            apps.get_model(label).objects.bulk_create(rows, batch_size=1_000)
                            generator.counts[label] += len(rows)
                            total += len(rows)
            if month % 3 == 0:
                print(f"  至 {year}-{month:02d}：{total:,} 行，{time.perf_counter() - started:.0f} s", flush=True)
    return generator, time.perf_counter() - started


def analyze() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:  # PostgreSQL: also the visibility map, for index-only scans
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


# --- timing -----------------------------------------------------------------------------------------------


def timed(samples: int, fn: Callable[[], Any]) -> list[float]:
    fn()  # warm caches (content types, the statement cache)
    result = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        result.append((time.perf_counter() - t0) * 1000)
    return result


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def report(label: str, ms: list[float], queries: int, raw: list[float] | None = None, width: int = 30) -> None:
    line = (
        f"{label:<{width}} p50 {percentile(ms, 50):8.2f} ms  p95 {percentile(ms, 95):8.2f} ms  "
        f"max {max(ms):8.2f} ms  {queries:3d} 次查询"
    )
    if raw:
        ratio = percentile(ms, 50) / max(percentile(raw, 50), 1e-6)
        line += f"   原始 SQL p50 {percentile(raw, 50):7.2f} ms（{ratio:.1f}×）"
    print(line, flush=True)


class QueryClock:
    """An execute wrapper: each statement of a call, its SQL, parameters and time."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[str, Any, float]]] = []

    def start_call(self) -> None:
        self.calls.append([])

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.calls:
                self.calls[-1].append((sql, params, (time.perf_counter() - t0) * 1000))


def table_of(sql: str) -> str:
    """The table of the statement's own FROM (not of a subquery in its select list)."""
    depth = 0
    for i, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", i):
            return sql[i + 6 :].split()[0].strip('"')
    return "?"


def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = cursor.fetchall()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def print_plan(title: str, sql: str, params: Any) -> None:
    head, tail = sql, ""
    depth = 0
    for i, char in enumerate(sql):  # the select list shortened, the FROM and WHERE in full
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", i):
            head, tail = sql[:i], sql[i:]
            break
    shown = (head if len(head) <= 200 else head[:200] + " …") + tail
    print(f"\n{title}\n  SQL：{shown}\n  参数：{params!r}", flush=True)
    for line in explain(sql, params):
        print(f"  │ {line}", flush=True)


# --- 1. the 总结会 figures -----------------------------------------------------------------------------------


def bench_summary(generator: Generator, county: County, samples: int) -> None:
    from django.db import connection

    from xiezuoqu.meetings.summary import zone_figures
    from xiezuoqu.org.models import Zone

    zone = Zone.objects.get(pk=generator.timed_zone)
    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    print(f"\n— 1. 总结会阶段数据 zone_figures（{zone.name}，{YEAR} 年全年）—", flush=True)
    figures = zone_figures(zone, start, end)
    expected = generator.expected
    got = Expected(figures.reports_of_zone, figures.clues_received, figures.cases_filed, figures.deadlines_overdue)
    print(
        f"结果：检举控告件 {figures.reports_of_zone}（成员单位登记 {figures.reports_registered}），"
        f"线索 {figures.clues_received}，处置 {figures.clues_disposed} {figures.disposed_by_method}，"
        f"初核 启动 {figures.verifications_begun} / 办结 {figures.verifications_concluded}，"
        f"呈批 {figures.proposals_submitted} / 同意 {figures.proposals_agreed}，立案 {figures.cases_filed}，"
        f"成案率 {figures.filing_rate}，处理 {figures.people_decided} 人 {figures.decisions_by_form}，"
        f"办案组 {figures.teams_confirmed} {figures.teams_by_mode}，以干代训 {figures.trainee_seats} 人次 / "
        f"{figures.trainees} 人，超期时限 {figures.deadlines_overdue}（未办结 {figures.deadlines_overdue_open}）",
        flush=True,
    )
    if got != expected:
        sys.exit(f"与写入的数据不符：应为 {expected}，实为 {got}")
    print("核对：件数、线索数、立案数、超期时限数与写入的数据一致。", flush=True)

    clock = QueryClock()

    def call() -> None:
        clock.start_call()
        zone_figures(zone, start, end)

    queries = count_queries(call)
    clock.calls.clear()
    with connection.execute_wrapper(clock):
        ms = timed(samples, call)
    report("一个协作区一年（10 组指标）", ms, queries)
    calls = [c for c in clock.calls[1:] if len(c) == queries]  # the warm-up call is not counted
    per_query = [(percentile([c[i][2] for c in calls], 50), max(c[i][2] for c in calls), i) for i in range(queries)]
    print("  各查询 p50 / max：", flush=True)
    for p50, worst, i in per_query:
        sql = calls[0][i][0]
        print(f"    {i + 1:2d}. {table_of(sql):<28} {p50:7.2f} ms  {worst:7.2f} ms", flush=True)
    slowest = max(per_query)[2]
    sql, params, _ = calls[0][slowest]
    print_plan(f"最慢的查询（第 {slowest + 1} 条，{table_of(sql)}）的执行计划：", sql, params)

    # The statistics page's shape: every zone of the commission by month, for the year.
    months = [(date(YEAR, m, 1), date(YEAR, m, monthrange(YEAR, m)[1])) for m in range(1, 13)]
    zones = list(Zone.objects.filter(commission_id=county.commission_id).order_by("number"))

    def table() -> None:
        for z in zones:
            for first, last in months:
                zone_figures(z, first, last)

    queries = count_queries(table)
    report(f"{len(zones)} 个协作区 × 12 个月（{len(zones) * 12} 次）", timed(max(3, samples // 5), table), queries)


# --- 2. the 处分期满台账 ------------------------------------------------------------------------------------


def make_actor(username: str, county: County, staff_id: int, role: str, unit_id: int) -> Any:
    from xiezuoqu.access.actor import build_actor
    from xiezuoqu.accounts.models import RoleAssignment, User

    user = User(username=username, commission_id=county.commission_id, staff_id=staff_id)
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(user=user, role=role, unit_id=unit_id)
    return build_actor(user)


def bench_ledger(generator: Generator, county: County, samples: int) -> None:
    from django.db import connection

    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.sanctions.selectors import (
        PAGE_SIZE,
        ROW_RELATED,
        LedgerFilters,
        ledger_queryset,
        parse_cursor,
        term_ledger,
        terms_visible_to,
    )

    z = county.zones.index(generator.timed_zone)
    manager = make_actor("b_case_manager", county, county.case_manager, Role.CASE_MANAGER, county.case_office_id)
    leader = make_actor("b_zone_leader", county, county.leaders[z], Role.ZONE_LEADER, county.leadership_id)
    assert leader.led_zone_ids == frozenset({generator.timed_zone}), leader
    print("\n— 2. 处分期满台账 第 1 页（50 条，keyset）—", flush=True)
    print(
        f"可见处分期间：案管 {terms_visible_to(manager).count():,} 条，"
        f"协作区组长 {terms_visible_to(leader).count():,} 条（全库 {generator.counts['sanctions.SanctionTerm']:,} 条）",
        flush=True,
    )
    cases = [
        ("案管 全部", manager, LedgerFilters()),
        ("案管 期满未办理", manager, LedgerFilters(bucket="overdue")),
        ("案管 30日内期满", manager, LedgerFilters(bucket="due")),
        ("案管 按协作区筛选", manager, LedgerFilters(zone=generator.timed_zone)),
        ("协作区组长 全部", leader, LedgerFilters()),
        ("协作区组长 执行中", leader, LedgerFilters(bucket="running")),
    ]
    for label, actor, filters in cases:
        rows, cursor = term_ledger(actor, filters, today=TODAY)
        ms = timed(samples, lambda a=actor, f=filters: term_ledger(a, f, today=TODAY))
        queries = count_queries(lambda a=actor, f=filters: term_ledger(a, f, today=TODAY))
        qs = ledger_queryset(actor, filters, TODAY).select_related(*ROW_RELATED)[: PAGE_SIZE + 1]
        sql, params = qs.query.sql_with_params()

        def raw(sql: str = sql, params: Any = params) -> None:
            with connection.cursor() as c:
                c.execute(sql, params)
                c.fetchall()

        report(f"{label}（{len(rows)} 行）", ms, queries, timed(samples, raw), width=26)
        if cursor is not None and label == "案管 全部":
            after = parse_cursor(cursor)

            def second(a: Any = actor, f: LedgerFilters = filters, after: Any = after) -> Any:
                return term_ledger(a, f, after=after, today=TODAY)

            report("案管 全部 第 2 页", timed(samples, second), count_queries(second), width=26)
    for title, actor in (("案管", manager), ("协作区组长", leader)):
        qs = ledger_queryset(actor, LedgerFilters(), TODAY).select_related(*ROW_RELATED)[: PAGE_SIZE + 1]
        sql, params = qs.query.sql_with_params()
        print_plan(f"{title} 全部 第 1 页的执行计划：", sql, params)


def main() -> None:
    args = parse_args()
    base = SCALES[args.scale]
    scale = Scale(args.commissions or base.commissions, base.reports, base.clues, base.cases, args.years or base.years)
    setup_django("summary", wipe=args.wipe)
    from django.db import connection

    from xiezuoqu.intake.models import Report

    if Report.objects.exists():
        sys.exit("该数据库已有检举控告件；基准测试只在空库上运行（或加 --wipe 清空整个数据库）。")
    print(
        f"数据库：{connection.vendor} {connection.settings_dict.get('NAME')}；规模 {args.scale}："
        f"{scale.commissions} 个纪委监委 × 4 个协作区，每委每年 {scale.reports} 件检举控告、"
        f"{scale.clues} 件线索、约 {scale.cases} 件立案，{scale.years} 年（至 {YEAR} 年）",
        flush=True,
    )
    t0 = time.perf_counter()
    world, loader = build_org(scale.commissions)
    print(f"组织机构：{time.perf_counter() - t0:.1f} s", flush=True)
    county = world[len(world) // 2]
    generator, elapsed = load(world, loader, scale, timed_zone=county.zones[0])
    total = sum(generator.counts.values())
    print(f"写入 {total:,} 行，{elapsed:.1f} s，{total / elapsed:,.0f} 行/秒：", flush=True)
    for _key, label in ORDER:
        print(f"  {label:<28} {generator.counts[label]:>12,}", flush=True)
    if not args.no_analyze:
        print(f"ANALYZE{'（及 VACUUM）' if connection.vendor == 'postgresql' else ''}：{analyze():.1f} s", flush=True)
    bench_summary(generator, county, args.samples)
    bench_ledger(generator, county, args.samples)


if __name__ == "__main__":
    main()
