"""From the database to the pure assignment solver (``assignment.py``) and back.

The solver knows nothing of Django: it takes the units in scope, the inspectors (each unit's cadres and
the zone pool — the lead inspection office and the dispatched groups of each zone — with their current
workload), the conflicts ``(inspector, inspected unit) → reason`` and the campaign's options. This module
builds those inputs:

- the workload is the teams' working seats (``teams.selectors.seat_counts``: confirmed teams of matters
  under verification or investigation) plus the seats on other inspections under way;
- the conflicts come from the recusal app's facts (``recusal.conflicts``): an inspected unit is reduced to
  the keys a matter of that unit would have (the unit, its township, its villages) and every inspector's
  entries (own unit and township, hometown, declared kin, former colleagues, former postings, villages)
  are matched against them by the same ``ConflictIndex``; a former posting that ended more than the
  campaign's ``conflict_years`` ago no longer counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from xiezuoqu.org.models import DeclaredRelationship, StaffMember, Unit, Village, ZoneMembership
from xiezuoqu.recusal.conflicts import (
    ConflictIndex,
    Entry,
    Key,
    MatterFacts,
    StaffFacts,
    _township_committees,
    _township_of,
    load_staff_facts,
)
from xiezuoqu.recusal.models import Ground
from xiezuoqu.teams.selectors import seat_counts

from . import assignment as solver
from .models import Assignment, Campaign, CampaignState

# The solver's rule names, in Chinese for refusals and the campaign page.
RULE_LABELS = {
    "self_inspection": "不得检查本单位",
    "two_cycle": "不得两单位互查",
    "coverage": "每个单位须被检查一次",
    "inspected_once": "每个单位须被检查一次",
    "share": "每个单位检查的单位数不超过其份额",
    "conflict": "回避：与被检查单位有利害关系的干部不得参加检查组",
    "team_size": "检查组人数",
    "team_min": "检查组人数",
    "team_max": "检查组人数",
    "leader": "检查组须有组长",
    "cross_zone": "不得跨协作区检查",
    "inspector_unit": "检查组成员须来自检查单位或协作区干部库",
    "double_booking": "同一干部不得同时参加两个检查组",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(str(rule), str(rule))


@dataclass(frozen=True)
class Inputs:
    units: list[Any]
    inspectors: list[Any]
    conflicts: dict[tuple[int, int], str]
    options: Any
    # inspected unit → its zone (for storing the assignments)
    zone_of: dict[int, int]


def _pool_units(campaign: Campaign) -> dict[int, int]:
    """The zone pool's units (lead inspection office, dispatched groups and other non-township members) →
    their zone."""
    pool: dict[int, int] = {}
    for zone in campaign.zones.all():
        if zone.inspection_office_id is not None:
            pool[zone.inspection_office_id] = zone.pk
    members = ZoneMembership.objects.filter(zone__in=campaign.zones.all(), end_date__isnull=True).exclude(
        unit__kind__in=[Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.PARTY_COMMITTEE]
    )
    for unit_id, zone_id in members.values_list("unit_id", "zone_id"):
        pool.setdefault(unit_id, zone_id)
    return pool


def _may_lead(member: StaffMember) -> bool:
    position = member.position or ""
    return member.experience >= StaffMember.Experience.SKILLED or any(
        word in position for word in ("书记", "主任", "组长", "部长")
    )


def _stale_posting_keys(staff_ids: list[int], years: int, today: date) -> dict[int, set[Key]]:
    """Per staff member, the keys of former postings that ended more than ``years`` ago and are not also
    the keys of a more recent one."""
    cutoff = date(today.year - years, today.month, min(today.day, 28))
    rels = DeclaredRelationship.objects.filter(
        staff_id__in=staff_ids, kind=DeclaredRelationship.Kind.FORMER_POSTING, related_unit__isnull=False
    ).select_related("related_unit")
    rels_list = list(rels)
    children = _township_committees({r.related_unit.commission_id for r in rels_list if r.related_unit})
    stale: dict[int, set[Key]] = defaultdict(set)
    fresh: dict[int, set[Key]] = defaultdict(set)
    for rel in rels_list:
        unit = rel.related_unit
        assert unit is not None
        keys: set[Key] = {("unit", unit.pk)}
        township = _township_of(unit, children)
        if township is not None:
            keys.add(("township", township))
        target = stale if rel.end_date is not None and rel.end_date < cutoff else fresh
        target[rel.staff_id] |= keys
    return {staff_id: keys - fresh.get(staff_id, set()) for staff_id, keys in stale.items()}


def _recent_facts(facts: Iterable[StaffFacts], stale: dict[int, set[Key]]) -> list[StaffFacts]:
    kept = []
    for item in facts:
        old = stale.get(item.staff_id)
        if not old:
            kept.append(item)
            continue
        entries: tuple[Entry, ...] = tuple(
            e for e in item.entries if not (e.ground == Ground.FORMER_POSTING and e.key in old)
        )
        kept.append(StaffFacts(item.staff_id, item.name, item.unit_id, item.township_id, entries))
    return kept


def unit_facts(units: list[Unit]) -> dict[int, MatterFacts]:
    """What a matter of each unit would touch: the unit, its township (and party committee), its villages."""
    children = _township_committees({u.commission_id for u in units})
    villages: dict[int, list[Village]] = defaultdict(list)
    for village in Village.objects.filter(township__in=units):
        villages[village.township_id].append(village)
    result = {}
    for unit in units:
        keys: set[Key] = {("unit", unit.pk)}
        labels: dict[Key, str] = {("unit", unit.pk): f"被检查单位{unit.name}"}
        township = _township_of(unit, children)
        if township is not None:
            keys.add(("township", township))
            labels[("township", township)] = f"被检查单位{unit.name}所在乡镇"
        if unit.parent_id is not None:
            keys.add(("unit", unit.parent_id))
        for village in villages.get(unit.pk, []):
            keys.add(("village", village.pk))
            labels[("village", village.pk)] = f"{unit.name}所辖{village.name}"
        result[unit.pk] = MatterFacts(clue_id=unit.pk, keys=frozenset(keys), labels=labels)
    return result


def inspection_seats(staff_ids: Iterable[int], *, exclude_campaign_id: int | None = None) -> dict[int, int]:
    qs = Assignment.objects.filter(campaign__state=CampaignState.UNDER_WAY)
    if exclude_campaign_id is not None:
        qs = qs.exclude(campaign_id=exclude_campaign_id)
    rows = (
        StaffMember.objects.filter(pk__in=list(staff_ids))
        .annotate(n=Count("inspection_assignments", filter=Q(inspection_assignments__in=qs)))
        .values_list("pk", "n")
    )
    return {pk: n for pk, n in rows if n}


def build_inputs(campaign: Campaign, *, today: date | None = None) -> Inputs:
    today = today or timezone.localdate()
    sol = solver
    scope = list(campaign.units.select_related("unit").order_by("zone__number", "unit__sort_order", "unit_id"))
    zone_of = {cu.unit_id: cu.zone_id for cu in scope}
    pool = _pool_units(campaign)
    staff = list(
        StaffMember.objects.filter(
            commission_id=campaign.commission_id, is_active=True, home_unit_id__in=[*zone_of, *pool]
        ).order_by("home_unit_id", "id")
    )
    staff_ids = [s.pk for s in staff]
    load = seat_counts(staff_ids)
    for pk, n in inspection_seats(staff_ids, exclude_campaign_id=campaign.pk).items():
        load[pk] = load.get(pk, 0) + n
    units = [sol.UnitIn(id=cu.unit_id, name=cu.unit.name, zone_id=cu.zone_id, share=cu.share) for cu in scope]
    inspectors = [
        sol.InspectorIn(
            id=s.pk,
            name=s.name,
            unit_id=s.home_unit_id,
            zone_id=zone_of.get(s.home_unit_id, pool.get(s.home_unit_id)),
            pool=s.home_unit_id in pool and s.home_unit_id not in zone_of,
            load=load.get(s.pk, 0),
            can_lead=_may_lead(s),
        )
        for s in staff
    ]
    index = ConflictIndex(
        _recent_facts(load_staff_facts(staff_ids), _stale_posting_keys(staff_ids, campaign.conflict_years, today))
    )
    names = {s.pk: s.name for s in staff}
    conflicts: dict[tuple[int, int], str] = {}
    for unit_id, facts in unit_facts([cu.unit for cu in scope]).items():
        for staff_id, found in index.conflicts(facts).items():
            first = found[0]
            conflicts[(staff_id, unit_id)] = f"{names.get(staff_id, '')}：{first.ground_label}（{first.detail}）"
    options = sol.Options(
        forbid_two_cycles=campaign.forbid_two_cycles,
        cross_zone=campaign.cross_zone,
        team_min=campaign.team_min,
        team_max=campaign.team_max,
    )
    return Inputs(units=units, inspectors=inspectors, conflicts=conflicts, options=options, zone_of=zone_of)


def stored_row(assignment: Assignment) -> Any:
    """A stored assignment as the solver's ``Assignment`` (for ``check`` after an adjustment)."""
    members = tuple(sorted(m.pk for m in assignment.members.all() if m.pk != assignment.leader_id))
    return solver.Assignment(
        inspecting_unit_id=assignment.inspecting_unit_id,
        inspected_unit_id=assignment.inspected_unit_id,
        leader_id=assignment.leader_id,
        member_ids=members,
        reason=assignment.reason,
    )
