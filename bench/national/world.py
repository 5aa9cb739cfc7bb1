"""What the national loader writes: the org tree of the nation and one year of work of each county.

The shapes (per county commission, one year, DESIGN §3's national figures divided by 2,800 counties):
1,250 reports, 715 clues, 286 cases. Every row is what the services would have written:

- numbers: the default ledger formats of ``intake.services`` (``{commission}信〔{year}〕{seq}号`` for the
  petition office, ``{commission}{unit}信…`` for a township), ``clues.services.CLUE_PATTERN`` and
  ``cases.services.CASE_PATTERN``, drawn per (unit, year) / (commission, year) without gaps, and the
  counters (``LedgerCounter``, ``ClueCounter``, ``CaseCounter``) left at the last number used, so that
  the next registration through the service continues the sequence;
- states: each matter walks its state table (``next_state`` of intake, clues and cases, called for
  every move, so an illegal move fails the load), one audit event per move with the service's action
  name, changes and detail;
- deadlines: the services' kinds and periods (实名举报受理告知 15 WD, 线索处置 1 month, 协作区初审
  1 month), due dates counted by ``deadlines.services.compute_due`` on the project's calendar, met when
  the duty was done (on time or late) or still open, each with its ``deadline.opened`` /
  ``deadline.met`` / ``deadline.met_late`` event;
- scope keys: commission, ledger/routing/handling unit and zone of each report, the handling unit and
  zone of each clue, the zone of each case and each deadline.

Not written (so the pages that show them show nothing for loaded matters): routing decisions,
sign-offs, verification/team/meeting/filing rows, notifications and the duplicate index (its
fingerprints and LSH buckets, ~20 rows a document, would triple the load; bench_dedup.py measures the
lookup at 1 M documents).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZONES = 4


@dataclass(frozen=True)
class Scale:
    provinces: int
    cities: int
    counties: int
    reports: int = 1_250  # per county and year
    clues: int = 715
    cases: int = 286


SCALES = {
    "county": Scale(1, 1, 1),
    "province": Scale(1, 10, 90),
    "national": Scale(31, 330, 2_800),
}


def scaled(name: str, fraction: float) -> Scale:
    base = SCALES[name]
    if fraction >= 1:
        return base
    counties = max(1, round(base.counties * fraction))
    cities = max(1, min(counties, round(base.cities * fraction)))
    provinces = max(1, min(cities, round(base.provinces * fraction)))
    return Scale(provinces, cities, counties, base.reports, base.clues, base.cases)


def at(day: date, minute: int) -> datetime:
    """A moment of working hours on ``day`` (Beijing time), aware."""
    return datetime.combine(day, clock(8 + minute // 60 % 9, minute % 60), tzinfo=SHANGHAI)


# --- the org tree ------------------------------------------------------------------------------------------


@dataclass
class County:
    commission_id: int
    short_name: str
    name: str
    leadership: int
    petition: int
    case_office: int
    offices: list[int]
    zones: list[int]
    townships: list[list[int]]  # per zone
    township_names: dict[int, str]
    registrar: tuple[int, str]  # (user id, username) of the petition office's registrar
    secretaries: dict[int, tuple[int, str]]  # township -> its secretary (also its registrar)


@dataclass
class Tree:
    commissions: list[int] = field(default_factory=list)  # every commission (province, city, county)
    counties: list[County] = field(default_factory=list)


def build_tree(tables: Callable[[Any], Any], scale: Scale, start: date, rng: random.Random) -> tuple[Tree, dict]:
    """The org rows of every commission: its tables filled (COPY happens in the caller), the ids kept."""
    from xiezuoqu.accounts.models import RoleAssignment, User
    from xiezuoqu.accounts.roles import Role
    from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone, ZoneMembership

    commission_t, unit_t, staff_t = tables(Commission), tables(Unit), tables(StaffMember)
    zone_t, member_t, user_t, role_t = tables(Zone), tables(ZoneMembership), tables(User), tables(RoleAssignment)
    tree = Tree()
    counts: dict[str, int] = defaultdict(int)

    def units_of(commission_id: int, with_townships: int) -> tuple[list[int], list[int]]:
        fixed = [
            (Unit.Kind.LEADERSHIP, "委领导班子"),
            (Unit.Kind.PETITION_OFFICE, "信访室"),
            (Unit.Kind.CASE_MANAGEMENT_OFFICE, "案件监督管理室"),
            (Unit.Kind.TRIAL_OFFICE, "案件审理室"),
        ]
        ids = [
            unit_t.add(commission_id=commission_id, kind=kind, name=name, short_name="", sort_order=i)
            for i, (kind, name) in enumerate(fixed)
        ]
        ids += [
            unit_t.add(
                commission_id=commission_id,
                kind=Unit.Kind.INSPECTION_OFFICE,
                name=f"第{z + 1}纪检监察室",
                short_name=f"{z + 1}室",
                sort_order=5 + z,
            )
            for z in range(ZONES)
        ]
        townships = [
            unit_t.add(
                commission_id=commission_id,
                kind=Unit.Kind.TOWNSHIP_COMMITTEE,
                township_type=Unit.TownshipType.TOWN,
                name=f"第{t + 1}镇纪委",
                short_name=f"{t + 1}镇",
                sort_order=20 + t,
            )
            for t in range(with_townships)
        ]
        return ids, townships

    def user(commission_id: int, username: str, staff_id: int | None, display: str) -> int:
        return user_t.add(
            password="!national-bench-unusable",
            is_superuser=False,
            username=username,
            first_name="",
            last_name="",
            email="",
            is_staff=False,
            is_active=True,
            date_joined=at(start, 0),
            commission_id=commission_id,
            staff_id=staff_id,
            display_name=display,
        )

    def staff(commission_id: int, unit: int, name: str, position: str, experience: int = 2) -> int:
        return staff_t.add(
            commission_id=commission_id, name=name, home_unit_id=unit, position=position, experience=experience
        )

    def commission(name: str, short: str, level: str, parent: int | None, code: str) -> int:
        cid = commission_t.add(name=name, short_name=short, division_code=code, level=level, parent_id=parent)
        tree.commissions.append(cid)
        return cid

    cities_of = _spread(scale.cities, scale.provinces)
    counties_of = _spread(scale.counties, scale.cities)
    city_index = county_index = 0
    for p in range(scale.provinces):
        province = commission(f"基准第{p + 1}省纪委监委", f"基{p + 1}省", "province", None, f"{11 + p:02d}0000")
        units_of(province, 0)
        for _ in range(cities_of[p]):
            city_index += 1
            city = commission(
                f"基准第{p + 1}省第{city_index}市纪委监委", f"基{city_index}市", "city", province, f"{city_index:06d}"
            )
            units_of(city, 0)
            for _ in range(counties_of[city_index - 1]):
                county_index += 1
                short = f"基{county_index}县"
                name = f"基准第{county_index}县纪委监委"
                cid = commission(name, short, "county", city, f"{county_index:06d}")
                fixed, townships = units_of(cid, rng.randint(12, 16))
                leadership, petition, case_office, _trial, *offices = fixed
                leaders = [staff(cid, leadership, f"组长{z + 1}", "纪委常委", 4) for z in range(ZONES)]
                manager = staff(cid, case_office, "案管干部", "干部")
                clerk = staff(cid, petition, "登记员", "干部")
                for o in offices:
                    for i in range(3):
                        staff(cid, o, f"室干部{i + 1}", "干部", 3)
                per_zone: list[list[int]] = [[] for _ in range(ZONES)]
                for t, township in enumerate(townships):
                    per_zone[t % ZONES].append(township)
                zones = []
                for z in range(ZONES):
                    zone = zone_t.add(
                        commission_id=cid,
                        number=z + 1,
                        name=f"第{z + 1}协作区",
                        leader_id=leaders[z],
                        inspection_office_id=offices[z],
                        note="",
                    )
                    zones.append(zone)
                    for unit in [offices[z], *per_zone[z]]:
                        member_t.add(zone_id=zone, unit_id=unit, start_date=date(start.year - 1, 1, 1))
                secretaries = {}
                for t, township in enumerate(townships):
                    secretary = staff(cid, township, f"镇{t + 1}纪委书记", "乡镇纪委书记", 3)
                    staff(cid, township, f"镇{t + 1}干部", "干部")
                    username = f"n{cid}_t{t + 1}"
                    uid = user(cid, username, secretary, f"{name}第{t + 1}镇纪委书记")
                    role_t.add(user_id=uid, role=Role.TOWNSHIP_SECRETARY, unit_id=township, granted_at=at(start, 0))
                    role_t.add(user_id=uid, role=Role.REGISTRAR, unit_id=township, granted_at=at(start, 0))
                    secretaries[township] = (uid, username)
                registrar = user(cid, f"n{cid}_dengji", clerk, f"{name}信访登记员")
                role_t.add(user_id=registrar, role=Role.REGISTRAR, unit_id=petition, granted_at=at(start, 0))
                uid = user(cid, f"n{cid}_anguan", manager, f"{name}案管干部")
                role_t.add(user_id=uid, role=Role.CASE_MANAGER, unit_id=case_office, granted_at=at(start, 0))
                for z in range(ZONES):
                    uid = user(cid, f"n{cid}_zuzhang{z + 1}", leaders[z], f"{name}第{z + 1}协作区组长")
                    role_t.add(user_id=uid, role=Role.ZONE_LEADER, unit_id=leadership, granted_at=at(start, 0))
                tree.counties.append(
                    County(
                        commission_id=cid,
                        short_name=short,
                        name=name,
                        leadership=leadership,
                        petition=petition,
                        case_office=case_office,
                        offices=offices,
                        zones=zones,
                        townships=per_zone,
                        township_names={u: f"{t + 1}镇" for t, u in enumerate(townships)},
                        registrar=(registrar, f"n{cid}_dengji"),
                        secretaries=secretaries,
                    )
                )
    for label, table in (
        ("纪委监委", commission_t),
        ("单位", unit_t),
        ("干部", staff_t),
        ("协作区", zone_t),
        ("协作区成员单位", member_t),
        ("账号", user_t),
        ("角色授予", role_t),
    ):
        counts[label] = len(table)
    return tree, counts


def _spread(total: int, over: int) -> list[int]:
    base, extra = divmod(total, over)
    return [base + (1 if i < extra else 0) for i in range(over)]


# --- one county's year ----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def due(start: date, value: int, unit: str) -> tuple[date, bool, str]:
    """The due date as ``open_deadline`` computes it: (date, provisional, warning text)."""
    from xiezuoqu.deadlines.services import _warning_text, compute_due

    result = compute_due(start, value, unit)
    return result.date, bool(result.warnings), _warning_text(result)


# The models a county's year writes with their own ids (the loader draws them in blocks per batch).
LOADED_MODELS = (
    "intake.report",
    "intake.ledgercounter",
    "clues.clue",
    "clues.subject",
    "clues.cluesubject",
    "clues.cluecounter",
    "cases.case",
    "cases.casecounter",
    "deadlines.deadline",
    "audit.auditevent",
)
REPORT_FATES = (("accept", 80), ("not_accept", 8), ("transfer", 5), ("repeat", 4), ("waiting", 3))
CLUE_FATES = (("talk", 40), ("hold", 12), ("close", 18), ("verify", 30))
CATEGORIES = ("farm_subsidy", "collective_assets", "integrity", "masses", "work", "eight_rules", "formalism")
CHANNELS = ("letter", "visit", "phone", "online")
GROUNDS = ("other_remedy", "other_agency", "no_substance")


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class Year:
    """Generates one county's year into the tables, with its audit events on the chain."""

    def __init__(self, tables: Callable[[Any], Any], chain: Any, scale: Scale, year: int, today: date) -> None:
        from django.contrib.contenttypes.models import ContentType

        from xiezuoqu.cases import rules as case_rules
        from xiezuoqu.cases.models import Case, CaseCounter
        from xiezuoqu.clues import rules as clue_rules
        from xiezuoqu.clues.models import Clue, ClueCounter, ClueSubject, Subject
        from xiezuoqu.deadlines.kinds import kind_for
        from xiezuoqu.deadlines.models import Deadline
        from xiezuoqu.intake import rules as intake_rules
        from xiezuoqu.intake.models import LedgerCounter, Report, ReporterIdentity

        self.tables, self.chain, self.scale, self.year, self.today = tables, chain, scale, year, today
        self.report_t, self.identity_t, self.ledger_t = tables(Report), tables(ReporterIdentity), tables(LedgerCounter)
        self.clue_t, self.subject_t, self.link_t = tables(Clue), tables(Subject), tables(ClueSubject)
        self.clue_counter_t, self.case_t, self.case_counter_t = tables(ClueCounter), tables(Case), tables(CaseCounter)
        self.deadline_t = tables(Deadline)
        self.ct = {m._meta.label_lower: ContentType.objects.get_for_model(m).pk for m in (Report, Clue, Case)}
        self.rules = {
            "acceptance": (
                intake_rules.ACCEPTANCE_NOTICE.kind,
                intake_rules.ACCEPTANCE_NOTICE.label,
                15,
                "working_days",
            ),
            "disposal": (clue_rules.DISPOSAL.kind, clue_rules.DISPOSAL.label, 1, "months"),
            "first_review": (case_rules.FIRST_REVIEW.kind, case_rules.FIRST_REVIEW.label, 1, "months"),
        }
        self.rule_text = {key: kind_for(kind).rule for key, (kind, *_rest) in self.rules.items()}
        from xiezuoqu.deadlines.models import PeriodUnit

        self.period_label = dict(PeriodUnit.choices)
        self.identity_fields: dict[str, str] = {}

    # --- helpers ---
    def _days(self) -> list[date]:
        first = date(self.year, 1, 1)
        last = min(self.today, date(self.year, 12, 31))
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def _deadline(
        self,
        county: County,
        key: str,
        target_model: str,
        target_id: int,
        target_label: str,
        label: str,
        start: date,
        unit: int,
        zone: int | None,
        actor: tuple[int, str, str],
        done_on: date | None,
        minute: int,
    ) -> None:
        """open_deadline (and close_deadline when the duty was done), with their audit events."""
        kind, _label, value, period_unit = self.rules[key]
        due_date, provisional, warning = due(start, value, period_unit)
        opened_at = at(start, minute)
        state, met_on, closed_at, overdue = "open", None, None, None
        if done_on is not None and done_on <= self.today:
            state = "met" if done_on <= due_date else "met_late"
            met_on, closed_at = done_on, at(done_on, minute + 30)
        if due_date < self.today and (state == "met_late" or state == "open"):
            overdue = due_date + timedelta(days=1)
        app, model = target_model.split(".")
        deadline_id = self.deadline_t.add(
            commission_id=county.commission_id,
            target_type_id=self.ct[target_model],
            target_id=target_id,
            target_label=target_label[:200],
            kind=kind,
            label=label,
            start_date=start,
            period_value=value,
            period_unit=period_unit,
            original_due_date=due_date,
            due_date=due_date,
            state=state,
            met_on=met_on,
            responsible_unit_id=unit,
            zone_id=zone,
            due_provisional=provisional,
            warning_text=warning,
            overdue_since=overdue,
            created_by_id=actor[0],
            created_at=opened_at,
            closed_at=closed_at,
        )
        deadline_label = f"{label}（{target_label}）"
        self._event(
            county,
            actor,
            opened_at,
            "deadline.opened",
            "deadlines.deadline",
            deadline_id,
            deadline_label,
            {"state": [None, "open"], "due_date": [None, due_date.isoformat()]},
            {
                "kind": kind,
                "rule": self.rule_text[key],
                "start": start.isoformat(),
                "period": f"{value} {self.period_label[period_unit]}",
                "subject": f"{app}.{model}:{target_id}",
                "calendar_warning": warning,
                "due_provisional": provisional,
            },
        )
        if met_on is not None and closed_at is not None:
            self._event(
                county,
                actor,
                closed_at,
                f"deadline.{state}",
                "deadlines.deadline",
                deadline_id,
                deadline_label,
                {"state": ["open", state], "met_on": [None, met_on.isoformat()]},
                {"due_date": due_date.isoformat()},
            )

    def _event(
        self,
        county: County,
        actor: tuple[int, str, str],
        when: datetime,
        action: str,
        target_type: str,
        target_id: int,
        label: str,
        changes: dict[str, Any],
        detail: dict[str, Any],
    ) -> None:
        self.chain.event(
            when=when,
            commission_id=county.commission_id,
            actor_id=actor[0],
            actor_name=actor[1],
            role=actor[2],
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=label,
            changes=changes,
            detail=detail,
        )

    # --- the year of one county ---
    def county(self, county: County, rng: random.Random) -> None:
        days = self._days()
        share = len(days) / (366 if self.year % 4 == 0 else 365)
        reports = sorted(rng.choice(days) for _ in range(round(self.scale.reports * share)))
        clues = sorted(rng.choice(days) for _ in range(round(self.scale.clues * share)))
        ledger: dict[int, int] = defaultdict(int)
        earlier: list[tuple[int, int]] = []  # (report id, zone) of accepted reports, for repeats
        for i, day in enumerate(reports):
            self._report(county, rng, day, i, ledger, earlier)
        for unit, last in ledger.items():
            self.ledger_t.add(unit_id=unit, year=self.year, last=last)
        clue_ledger: dict[int, int] = defaultdict(int)
        case_seq = [0]
        verify_quota = self.scale.cases
        fates = ["case"] * min(len(clues), round(self.scale.cases * share))
        fates += [pick(rng, CLUE_FATES) for _ in range(len(clues) - len(fates))]
        rng.shuffle(fates)
        del verify_quota
        for i, (day, fate) in enumerate(zip(clues, fates, strict=True)):
            self._clue(county, rng, day, i, fate, clue_ledger, case_seq)
        for unit, last in clue_ledger.items():
            self.clue_counter_t.add(unit_id=unit, year=self.year, last=last)
        if case_seq[0]:
            self.case_counter_t.add(commission_id=county.commission_id, year=self.year, last=case_seq[0])

    def _report(
        self,
        county: County,
        rng: random.Random,
        day: date,
        i: int,
        ledger: dict[int, int],
        earlier: list[tuple[int, int]],
    ) -> None:
        from xiezuoqu.intake.workflow import next_state

        z = rng.randrange(ZONES)
        township = rng.choice(county.townships[z])
        if rng.random() < 0.55:
            unit, actor_user = county.petition, county.registrar
            number_of = f"{county.short_name}信〔{self.year}〕{{seq}}号"
            unit_zone = None
        else:
            unit = township
            actor_user = county.secretaries[township]
            number_of = f"{county.short_name}{county.township_names[township]}信〔{self.year}〕{{seq}}号"
            unit_zone = county.zones[z]
        registrar = (actor_user[0], actor_user[1], "township_secretary" if unit != county.petition else "registrar")
        ledger[unit] += 1
        seq = ledger[unit]
        number = number_of.format(seq=seq)
        zone = unit_zone or county.zones[z]  # the registering unit's zone, else the zone of the township concerned
        registered_at = at(day, i % 480)
        real_name = rng.random() < 0.2
        channel, category = rng.choice(CHANNELS), rng.choice(CATEGORIES)
        state = next_state(None, "register")
        fate = pick(rng, REPORT_FATES)
        routed_on = day + timedelta(days=rng.randint(1, 6))
        if routed_on > self.today:
            fate = "waiting"
        report_id = self.ids_report()
        events: list[tuple[datetime, str, dict[str, Any], dict[str, Any]]] = []
        events.append(
            (
                registered_at,
                "report.registered",
                {"state": [None, state], "ledger_number": [None, number]},
                {
                    "unit": unit,
                    "channel": channel,
                    "category": category,
                    "real_name": real_name,
                    "accused": 1,
                    "zone": zone,
                },
            )
        )
        handling, accepted_on, concluded_on, repeat_of, archived_at = None, None, None, None, None
        result = ""
        if fate == "accept":
            new = next_state(state, "accept")
            events.append(
                (
                    at(routed_on, i % 480),
                    "report.accepted",
                    {"state": [state, new], "accepted_on": [None, routed_on.isoformat()]},
                    {"reason": "属于本机关受理范围"},
                )
            )
            state, accepted_on = new, routed_on
            handling = township
            assigned_on = routed_on
            new = next_state(state, "assign")
            events.append(
                (
                    at(assigned_on, i % 480 + 5),
                    "report.assigned",
                    {"state": [state, new], "handling_unit": [None, handling]},
                    {"unit": handling, "reason": "分办承办单位"},
                )
            )
            state = new
            concluded = assigned_on + timedelta(days=rng.randint(20, 90))
            if concluded <= self.today:
                new = next_state(state, "conclude")
                result = "经核查，反映问题部分属实，已督促整改。"
                events.append(
                    (
                        at(concluded, i % 480),
                        "report.concluded",
                        {"state": [state, new], "concluded_on": [None, concluded.isoformat()], "result": ["", result]},
                        {},
                    )
                )
                state, concluded_on = new, concluded
                archive_day = concluded + timedelta(days=rng.randint(5, 30))
                if not real_name and archive_day <= self.today and rng.random() < 0.6:
                    new = next_state(state, "archive")
                    archived_at = at(archive_day, i % 480)
                    events.append((archived_at, "report.archived", {"state": [state, new]}, {}))
                    state = new
            earlier.append((report_id, zone))
        elif fate == "not_accept":
            new = next_state(state, "not_accept")
            ground = rng.choice(GROUNDS)
            events.append(
                (
                    at(routed_on, i % 480),
                    "report.not_accepted",
                    {"state": [state, new]},
                    {"ground": ground, "reason": "不予受理"},
                )
            )
            state = new
        elif fate == "transfer":
            new = next_state(state, "transfer")
            events.append(
                (
                    at(routed_on, i % 480),
                    "report.transferred",
                    {"state": [state, new]},
                    {"agency": "县人民法院", "reason": "属于其他机关职责范围"},
                )
            )
            state = new
        elif fate == "repeat" and earlier:
            original, _zone = rng.choice(earlier)
            new = next_state(state, "mark_repeat")
            events.append(
                (
                    at(routed_on, i % 480),
                    "report.marked_repeat",
                    {"state": [state, new], "repeat_of": [None, original]},
                    {"original": original, "reason": "重复检举控告"},
                )
            )
            state, repeat_of = new, original
        self.report_t.add(
            id=report_id,
            commission_id=county.commission_id,
            ledger_unit_id=unit,
            ledger_year=self.year,
            ledger_seq=seq,
            ledger_number=number,
            channel=channel,
            received_on=day,
            registered_at=registered_at,
            registered_by_id=registrar[0],
            state=state,
            summary="反映村干部在集体资产处置中优亲厚友",
            content="反映某村干部在集体资产处置中优亲厚友、侵占集体收益，请求查处。",
            category=category,
            township_id=township,
            routing_unit_id=unit,
            handling_unit_id=handling,
            zone_id=zone,
            repeat_of_id=repeat_of,
            is_real_name=real_name,
            receipt_prefix="",
            receipt_digest="",
            accepted_on=accepted_on,
            concluded_on=concluded_on,
            result=result,
            archived_at=archived_at,
            created_at=registered_at,
        )
        if real_name:
            self._identity(report_id, registered_at)
        for when, action, changes, detail in events:
            self._event(county, registrar, when, action, "intake.report", report_id, number, changes, detail)
            if action == "report.registered" and real_name:
                # _after_registration: the real-name timer, met by the acceptance notice (or when routed).
                done = routed_on if fate != "waiting" else None
                self._deadline(
                    county,
                    "acceptance",
                    "intake.report",
                    report_id,
                    number,
                    f"{self.rules['acceptance'][1]}（{number}）",
                    day,
                    unit,
                    zone,
                    registrar,
                    done,
                    i % 480,
                )

    def ids_report(self) -> int:
        return self.report_t.ids.take(self.report_t.name)

    def _identity(self, report_id: int, when: datetime) -> None:
        from xiezuoqu.crypto import seal

        context = f"report:{report_id}".encode()
        values = {"name": "张某某", "phone": "13800000000", "id_number": "", "address": "某镇某村", "work_unit": ""}
        self.identity_t.add(
            report_id=report_id,
            created_at=when,
            id_index="",
            name_index="",
            **{f"{f}_sealed": seal(v, purpose=f"reporter.{f}", context=context) for f, v in values.items()},
        )

    def _clue(
        self,
        county: County,
        rng: random.Random,
        day: date,
        i: int,
        fate: str,
        ledger: dict[int, int],
        case_seq: list[int],
    ) -> None:
        from xiezuoqu.cases.workflow import next_state as case_next
        from xiezuoqu.clues.workflow import next_state

        z = rng.randrange(ZONES)
        unit = rng.choice(county.townships[z])
        zone = county.zones[z]
        uid, username = county.secretaries[unit]
        actor = (uid, username, "township_secretary")
        ledger[unit] += 1
        seq = ledger[unit]
        number = f"{county.short_name}{county.township_names[unit]}线〔{self.year}〕{seq}号"
        opened_at = at(day, i % 480)
        subject = self.subject_t.add(
            commission_id=county.commission_id,
            name=f"王某{seq}",
            name_index=f"n{county.commission_id}-{unit}-{seq}",
            unit_text="某村村民委员会",
            position="村委会主任",
            rank="village",
            is_village_cadre=True,
            township_id=unit,
            id_number_sealed="",
            id_index="",
            created_by_id=uid,
            created_at=opened_at,
        )
        state = next_state(None, "open")
        clue_id = self.clue_t.ids.take(self.clue_t.name)
        events: list[tuple[datetime, str, dict[str, Any], dict[str, Any]]] = [
            (
                opened_at,
                "clue.opened",
                {"state": [None, state], "ledger_number": [None, number]},
                {"unit": unit, "source": "reports", "reports": []},
            )
        ]
        steps = [("start_analysis", 2), ("propose", 6), ("approve", 4)]
        method = {
            "talk": "talk_or_letter",
            "hold": "hold",
            "close": "close",
            "verify": "preliminary_verification",
            "case": "preliminary_verification",
        }[fate]
        follow = {"talk": "start_talk", "hold": "hold", "close": "close", "verify": "verify", "case": "verify"}[fate]
        steps.append((follow, 1))
        moment = day
        changed_at = opened_at
        disposal_method, disposed_on, review_on, approved_on = "", None, None, None
        for action, gap in steps:
            moment = moment + timedelta(days=rng.randint(1, gap))
            if moment > self.today:
                break
            fields: dict[str, Any] = {}
            if action == "approve":
                disposal_method, disposed_on, approved_on = method, moment, moment
                fields = {"disposal_method": ["", method], "disposed_on": [None, moment.isoformat()]}
            if action == "hold":
                review_on = moment + timedelta(days=180)
                fields = {"review_on": [None, review_on.isoformat()]}
            new = next_state(state, action)
            changed_at = at(moment, i % 480)
            events.append((changed_at, f"clue.{action}", {"state": [state, new], **fields}, {"note": ""}))
            state = new
        case: tuple[int, str, date] | None = None
        if fate == "case" and state == "preliminary_verification":
            filed = moment + timedelta(days=rng.randint(20, 60))
            if filed <= self.today:
                new = next_state(state, "file_case")
                changed_at = at(filed, i % 480)
                events.append((changed_at, "clue.file_case", {"state": [state, new]}, {"note": ""}))
                state = new
                case_seq[0] += 1
                case_number = f"{county.short_name}立〔{filed.year}〕{case_seq[0]}号"
                case = (case_seq[0], case_number, filed)
        self.clue_t.add(
            id=clue_id,
            commission_id=county.commission_id,
            handling_unit_id=unit,
            zone_id=zone,
            ledger_year=self.year,
            ledger_seq=seq,
            ledger_number=number,
            source="reports",
            source_note="",
            category=rng.choice(CATEGORIES),
            summary="反映村干部侵占集体资产",
            content="反映某村干部在集体资产处置中侵占集体收益。",
            received_on=day,
            township_id=unit,
            state=state,
            state_changed_at=changed_at,
            disposal_method=disposal_method,
            disposed_on=disposed_on,
            review_on=review_on,
            outcome="",
            registered_by_id=uid,
            created_at=opened_at,
        )
        self.link_t.add(clue_id=clue_id, subject_id=subject, added_by_id=uid, added_at=opened_at)
        for when, action, changes, detail in events:
            self._event(county, actor, when, action, "clues.clue", clue_id, number, changes, detail)
            if action == "clue.opened":
                self._deadline(
                    county,
                    "disposal",
                    "clues.clue",
                    clue_id,
                    number,
                    f"{number} 处置",
                    day,
                    unit,
                    zone,
                    actor,
                    approved_on,
                    i % 480,
                )
        if case is not None:
            self._case(county, rng, actor, clue_id, subject, unit, zone, case, i, case_next)

    def _case(
        self,
        county: County,
        rng: random.Random,
        actor: tuple[int, str, str],
        clue_id: int,
        subject: int,
        unit: int,
        zone: int,
        case: tuple[int, str, date],
        i: int,
        next_state: Callable[[str | None, str], str],
    ) -> None:
        seq, number, filed = case
        case_id = self.case_t.ids.take(self.case_t.name)
        state = next_state(None, "file")
        events: list[tuple[datetime, str, dict[str, Any], dict[str, Any]]] = [
            (
                at(filed, i % 480),
                "case.filed",
                {"state": [None, state], "case_number": [None, number]},
                {"clue": clue_id, "subject": subject},
            )
        ]
        changed_at = at(filed, i % 480)
        moment = filed
        review_start: date | None = None
        review_done: date | None = None
        for action, gap in (
            ("start_investigation", 3),
            ("hand_over", 120),
            ("open_first_review", 5),
            ("conclude_first_review", 40),
        ):
            moment = moment + timedelta(days=rng.randint(1, gap))
            if moment > self.today:
                break
            new = next_state(state, action)
            changed_at = at(moment, i % 480)
            events.append((changed_at, f"case.{action}", {"state": [state, new]}, {}))
            state = new
            if action == "open_first_review":
                review_start = moment
            if action == "conclude_first_review":
                review_done = moment
        self.case_t.add(
            id=case_id,
            commission_id=county.commission_id,
            zone_id=zone,
            clue_id=clue_id,
            subject_id=subject,
            filing_id=None,
            case_year=filed.year,
            case_seq=seq,
            case_number=number,
            filed_on=filed,
            competent_body_kind="party_committee",
            competent_body_id=unit,
            competent_body_name=f"{county.township_names[unit]}党委",
            filing_reference="协作区决议",
            state=state,
            state_changed_at=changed_at,
            opened_by_id=actor[0],
            created_at=at(filed, i % 480),
        )
        for when, action, changes, detail in events:
            self._event(county, actor, when, action, "cases.case", case_id, number, changes, detail)
            if action == "case.open_first_review" and review_start is not None:
                label = f"{number} {self.rules['first_review'][1]}"
                self._deadline(
                    county,
                    "first_review",
                    "cases.case",
                    case_id,
                    number,
                    label,
                    review_start,
                    unit,
                    zone,
                    actor,
                    review_done,
                    i % 480,
                )
