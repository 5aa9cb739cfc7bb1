"""Loading the demo county (凤城市纪委监委) — idempotent, in one transaction, in bulk.

``load_demo`` runs at every ``make run`` and once per test session, so it must be fast and must change
nothing when the county is already there. Every row is looked up by its natural key (commission name;
unit name in the commission; village name in its township; staff name in their unit; zone number;
username ...) and only the missing rows are inserted, with one ``bulk_create`` per table.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.approvals.services import ensure_default_chains
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation
from xiezuoqu.org.models import (
    Commission,
    DeclaredRelationship,
    MentoringPair,
    StaffMember,
    Unit,
    Village,
    VillageSupervisor,
    Zone,
    ZoneDeputy,
    ZoneMembership,
)

from . import data
from .data import StaffRef
from .people import SEED, NameGenerator, staff_attributes

M = TypeVar("M", bound=models.Model)


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class DemoSummary:
    """What a load did: the demo commission and the rows it created, per table (0 on a repeat run)."""

    commission_id: int
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def load_demo(*, stdout: Writer | None = None) -> DemoSummary:
    """Create whatever part of the demo county is missing; a second run creates nothing."""
    started = time.perf_counter()
    with transaction.atomic():
        loader = _DemoLoader()
        loader.load()
        created = {label: n for label, n in loader.created.items() if n}
        if created:
            record_event(
                actor=None,
                action="demo.loaded",
                target=loader.commission,
                commission_id=loader.commission.pk,
                detail={"created": created, "note": "演示数据"},
            )
    summary = DemoSummary(commission_id=loader.commission.pk, created=created, seconds=time.perf_counter() - started)
    if stdout is not None:
        if created:
            parts = "、".join(f"{label} {n}" for label, n in created.items())
            stdout.write(f"演示数据已加载（{data.COMMISSION_NAME}）：新建 {parts}；用时 {summary.seconds:.2f} 秒。\n")
        else:
            stdout.write(f"演示数据已齐全（{data.COMMISSION_NAME}），未作更改；用时 {summary.seconds:.2f} 秒。\n")
    return summary


class _DemoLoader:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.names = NameGenerator(random.Random(SEED))
        self.commission: Commission
        self.units: dict[str, Unit] = {}
        self.villages: dict[tuple[str, str], Village] = {}
        self.staff: dict[StaffRef, StaffMember] = {}
        self.zones: dict[int, Zone] = {}

    def load(self) -> None:
        self.commission = self._commission()
        self._units()
        self._villages()
        self._staff()
        self._zones()
        self._relationships()
        self._mentoring_pairs()
        login_supervisor = self._village_supervisors()
        self._users(login_supervisor)
        # The commission's approval chains (监督执纪工作规则) start from the defaults.
        self.created["审批链"] += len(ensure_default_chains(commission=self.commission))

    # --- helpers ------------------------------------------------------------------------------------

    def _ensure(
        self,
        label: str,
        existing: Iterable[M],
        wanted: list[M],
        key: Callable[[M], Hashable],
    ) -> dict[Any, M]:
        """Insert the ``wanted`` rows whose natural key is not among ``existing``; return all by key."""
        by_key = {key(row): row for row in existing}
        missing = [row for row in wanted if key(row) not in by_key]
        if missing:
            # SQLite ≥ 3.35 and PostgreSQL return the new primary keys, which later steps point at.
            type(missing[0])._default_manager.bulk_create(missing)
            by_key.update((key(row), row) for row in missing)
            self.created[label] += len(missing)
        return by_key

    # --- the organisation -----------------------------------------------------------------------------

    def _commission(self) -> Commission:
        found = Commission.objects.select_for_update().filter(name=data.COMMISSION_NAME).first()
        if found is not None:
            if not found.is_demo:
                raise RuleViolation(
                    f"已存在名为“{data.COMMISSION_NAME}”的正式（非演示）纪委监委，不能在其中加载演示数据。"
                )
            return found
        self.created["纪委监委"] += 1
        return Commission.objects.create(
            name=data.COMMISSION_NAME,
            short_name=data.COMMISSION_SHORT_NAME,
            division_code=data.COMMISSION_DIVISION_CODE,
            # 凤城 is a county-level city (县级市).
            level=Commission.Level.COUNTY,
            is_demo=True,
        )

    def _unit(self, name: str, kind: str, order: int, **kw: Any) -> Unit:
        return Unit(commission=self.commission, name=name, kind=kind, sort_order=order, is_demo=True, **kw)

    def _units(self) -> None:
        existing = list(Unit.objects.filter(commission=self.commission))
        # Parents first: offices, dispatched groups and party committees have no parent.
        top = [self._unit(o.name, o.kind, 10 + i, short_name=o.short_name) for i, o in enumerate(data.OFFICES)]
        top += [
            self._unit(g.name, Unit.Kind.DISPATCHED_GROUP, 100 + i, short_name=g.short_name)
            for i, g in enumerate(data.DISPATCHED_GROUPS)
        ]
        top += [
            self._unit(
                t.party_committee_name,
                Unit.Kind.PARTY_COMMITTEE,
                400 + i,
                short_name=t.party_committee_short_name,
                township_type=t.township_type,
            )
            for i, t in enumerate(data.TOWNSHIPS)
        ]
        units = self._ensure("单位", existing, top, key=lambda u: u.name)
        children = [
            self._unit(department, Unit.Kind.DEPARTMENT, 200 + 10 * i + j, parent=units[g.name])
            for i, g in enumerate(data.DISPATCHED_GROUPS)
            for j, department in enumerate(g.departments)
        ]
        children += [
            self._unit(
                t.committee_name,
                Unit.Kind.TOWNSHIP_COMMITTEE,
                300 + i,
                short_name=t.short_name,
                township_type=t.township_type,
                parent=units[t.party_committee_name],
            )
            for i, t in enumerate(data.TOWNSHIPS)
        ]
        self.units = self._ensure("单位", units.values(), children, key=lambda u: u.name)

    def _villages(self) -> None:
        existing = Village.objects.filter(township__commission=self.commission)
        wanted = [
            Village(
                township=self.units[t.committee_name],
                name=name,
                kind=Village.Kind.COMMUNITY if data.village_kind_is_community(name) else Village.Kind.VILLAGE,
                is_demo=True,
            )
            for t in data.TOWNSHIPS
            for name in t.villages
        ]
        by_key = self._ensure("村（社区）", existing, wanted, key=lambda v: (v.township_id, v.name))
        committee_short = {self.units[t.committee_name].pk: t.short_name for t in data.TOWNSHIPS}
        self.villages = {
            (committee_short[township_id], name): village
            for (township_id, name), village in by_key.items()
            if township_id in committee_short
        }

    def _staff(self) -> None:
        # Declared hometowns are also the person's recorded hometown.
        declared_home = {
            r.staff: r.related_unit for r in data.RELATIONSHIPS if r.kind == DeclaredRelationship.Kind.HOMETOWN
        }
        # 一帮二 mentors are experienced cadres by definition.
        mentors = {p.mentor for p in data.MENTORING_PAIRS}
        rng = self.names.rng
        township_committees = [self.units[t.committee_name] for t in data.TOWNSHIPS]
        rosters: list[tuple[str, str, tuple[str, ...]]] = [(o.name, o.kind, o.staff) for o in data.OFFICES]
        rosters += [(g.name, Unit.Kind.DISPATCHED_GROUP, g.staff) for g in data.DISPATCHED_GROUPS]
        rosters += [(t.committee_name, Unit.Kind.TOWNSHIP_COMMITTEE, t.staff) for t in data.TOWNSHIPS]
        wanted: list[StaffMember] = []
        refs: list[StaffRef] = []
        for unit_name, kind, positions in rosters:
            unit = self.units[unit_name]
            for slot, position in enumerate(positions):
                person = staff_attributes(self.names, unit_name=unit_name, unit_kind=kind, position=position)
                # Township cadres are mostly natives of their township (the 熟人社会 the zones answer);
                # others come from anywhere in the city or from elsewhere.
                draw = rng.random()
                if kind == Unit.Kind.TOWNSHIP_COMMITTEE and draw < 0.6:
                    hometown: Unit | None = unit
                elif draw < 0.8:
                    hometown = rng.choice(township_committees)
                else:
                    hometown = None
                if (unit_name, slot) in declared_home:
                    hometown = self.units[declared_home[(unit_name, slot)]]
                wanted.append(
                    StaffMember(
                        commission=self.commission,
                        name=person.name,
                        gender=person.gender,
                        birth_year=person.birth_year,
                        home_unit=unit,
                        position=position,
                        experience=(
                            max(person.experience, StaffMember.Experience.SKILLED)
                            if (unit_name, slot) in mentors
                            else person.experience
                        ),
                        skills=person.skills,
                        capacity=person.capacity,
                        hometown=hometown,
                        is_demo=True,
                    )
                )
                refs.append((unit_name, slot))
        by_key = self._ensure(
            "干部",
            StaffMember.objects.filter(commission=self.commission),
            wanted,
            key=lambda s: (s.home_unit_id, s.name),
        )
        self.staff = {ref: by_key[(row.home_unit_id, row.name)] for ref, row in zip(refs, wanted, strict=True)}

    def _zones(self) -> None:
        wanted = [
            Zone(
                commission=self.commission,
                number=z.number,
                name=z.name,
                leader=self.staff[z.leader],
                inspection_office=self.units[z.inspection_office],
                note=data.ZONE_NOTE,
                is_demo=True,
            )
            for z in data.ZONES
        ]
        self.zones = self._ensure(
            "协作区", Zone.objects.filter(commission=self.commission), wanted, key=lambda z: z.number
        )
        memberships = [
            ZoneMembership(
                zone=self.zones[z.number],
                unit=self.units[unit_name],
                start_date=data.CURRENT_MEMBERSHIP_START.get(township, data.ZONES_FOUNDED),
            )
            for z in data.ZONES
            for township, unit_name in [
                ("", z.inspection_office),
                *(("", g) for g in z.dispatched_groups),
                *((t, data.committee(t)) for t in z.townships),
            ]
        ]
        memberships += [
            ZoneMembership(
                zone=self.zones[move.from_zone],
                unit=self.units[data.committee(move.township)],
                start_date=move.start_date,
                end_date=move.end_date,
            )
            for move in data.ZONE_MOVES
        ]
        self._ensure(
            "协作区成员单位",
            ZoneMembership.objects.filter(zone__commission=self.commission),
            memberships,
            key=lambda m: (m.zone_id, m.unit_id, m.start_date),
        )
        deputies = [
            ZoneDeputy(zone=self.zones[z.number], staff=self.staff[ref], start_date=data.ZONES_FOUNDED)
            for z in data.ZONES
            for ref in z.deputies
        ]
        self._ensure(
            "协作区副组长",
            ZoneDeputy.objects.filter(zone__commission=self.commission),
            deputies,
            key=lambda d: (d.zone_id, d.staff_id, d.start_date),
        )

    # --- people's ties ----------------------------------------------------------------------------------

    def _relationships(self) -> None:
        blood = {
            DeclaredRelationship.Kinship.PARENT,
            DeclaredRelationship.Kinship.CHILD,
            DeclaredRelationship.Kinship.SIBLING,
        }
        wanted = []
        for spec in data.RELATIONSHIPS:
            staff = self.staff[spec.staff]
            person_name = ""
            if spec.kinship is not None or spec.named_person:
                gender = self.names.gender(0.6)
                if spec.kinship == DeclaredRelationship.Kinship.SPOUSE:
                    gender = "F" if staff.gender == StaffMember.Gender.MALE else "M"
                gender = spec.person_gender or gender
                surname = staff.name[0] if spec.kinship in blood else None
                person_name = self.names.name(gender, surname=surname)
            wanted.append(
                DeclaredRelationship(
                    staff=staff,
                    kind=spec.kind,
                    kinship=spec.kinship or "",
                    person_name=person_name,
                    person_unit=spec.person_unit,
                    related_unit=self.units[spec.related_unit] if spec.related_unit else None,
                    related_village=self.villages[spec.related_village] if spec.related_village else None,
                    start_date=spec.start_date,
                    end_date=spec.end_date,
                    declared_on=spec.declared_on,
                    note=spec.note,
                    is_demo=True,
                )
            )
        self._ensure(
            "利害关系申报",
            DeclaredRelationship.objects.filter(staff__commission=self.commission),
            wanted,
            key=lambda r: (
                r.staff_id,
                r.kind,
                r.person_name,
                r.related_unit_id,
                r.related_village_id,
                r.start_date,
            ),
        )

    def _mentoring_pairs(self) -> None:
        wanted = [
            MentoringPair(
                commission=self.commission,
                mentor=self.staff[p.mentor],
                mentee_one=self.staff[p.mentees[0]],
                mentee_two=self.staff[p.mentees[1]],
                start_date=p.start_date,
                end_date=p.end_date,
                is_demo=True,
            )
            for p in data.MENTORING_PAIRS
        ]
        self._ensure(
            "一帮二结对",
            MentoringPair.objects.filter(commission=self.commission),
            wanted,
            key=lambda p: (p.mentor_id, p.mentee_one_id, p.mentee_two_id, p.start_date),
        )

    def _village_supervisors(self) -> VillageSupervisor:
        """One supervisor per township plus the listed extra villages; returns the one with a login."""
        rng = self.names.rng
        places: list[tuple[str, str]] = []
        for t in data.TOWNSHIPS:
            if t.short_name == data.SUPERVISOR_LOGIN_VILLAGE[0]:
                places.append(data.SUPERVISOR_LOGIN_VILLAGE)
                continue
            taken = {v for s, v in data.EXTRA_SUPERVISED_VILLAGES if s == t.short_name}
            places.append((t.short_name, rng.choice([v for v in t.villages if v not in taken])))
        places += data.EXTRA_SUPERVISED_VILLAGES
        wanted = [
            VillageSupervisor(
                village=self.villages[place],
                # Village supervisors are mostly older villagers: retired cadres, teachers, party members.
                name=self.names.name(self.names.gender(0.7)),
                start_date=data.SUPERVISORS_APPOINTED[i % len(data.SUPERVISORS_APPOINTED)],
                is_demo=True,
            )
            for i, place in enumerate(places)
        ]
        by_key = self._ensure(
            "村级监督员",
            VillageSupervisor.objects.filter(village__township__commission=self.commission),
            wanted,
            key=lambda s: (s.village_id, s.name),
        )
        login = wanted[places.index(data.SUPERVISOR_LOGIN_VILLAGE)]
        return by_key[(login.village_id, login.name)]

    # --- logins ------------------------------------------------------------------------------------------

    def _users(self, login_supervisor: VillageSupervisor) -> None:
        specs = data.DEMO_USERS
        existing = list(User.objects.filter(username__in=[s.username for s in specs]))
        known = {u.username for u in existing}
        missing = [s for s in specs if s.username not in known]
        wanted = []
        if missing:
            # The demo accounts share one published password, so it is hashed once (Argon2 is slow on
            # purpose) and the same encoded hash is given to every demo user.
            encoded = make_password(data.DEMO_PASSWORD)
            for spec in missing:
                staff = self.staff[spec.staff] if spec.staff else None
                supervisor = login_supervisor if spec.is_village_supervisor else None
                wanted.append(
                    User(
                        username=spec.username,
                        password=encoded,
                        commission=self.commission,
                        staff=staff,
                        village_supervisor=supervisor,
                        display_name=staff.name if staff else supervisor.name if supervisor else spec.username,
                        is_demo=True,
                    )
                )
        users = self._ensure("账号", existing, wanted, key=lambda u: u.username)
        assignments = []
        for spec in specs:
            user = users[spec.username]
            # Never touch an account of the same name that is not a demo account.
            if not user.is_demo:
                continue
            unit_name = spec.role_unit or (spec.staff[0] if spec.staff else None)
            unit = self.units[unit_name] if unit_name else None
            assignments += [RoleAssignment(user=user, role=role, unit=unit) for role in spec.roles]
        self._ensure(
            "角色授予",
            RoleAssignment.objects.filter(user__in=[u for u in users.values() if u.is_demo]),
            assignments,
            key=lambda a: (a.user_id, a.role, a.unit_id),
        )
