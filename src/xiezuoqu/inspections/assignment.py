"""交叉互检: who inspects whom, and with which team — a pure, deterministic solver (no database).

The units of one zone (or of the whole campaign when it crosses zones) are ordered by (zone, id) and
paired by a rotation: unit *i* inspects unit *i + k* (mod *n*). Every step *k* in 1…n−1 gives a
permutation without fixed points — nobody inspects itself and every unit is inspected exactly once —
and it has a 2-cycle exactly when 2k ≡ 0 (mod n). Units whose share is 0 inspect nobody: they are
inspected by the rotation's units with share left, round-robin. The steps are tried in order, and the
first whose every pairing can be staffed wins; a team is drawn from the inspecting unit's cadres and its
zone's pool, never from the inspected unit, never a conflicted cadre, nobody twice, lowest current load
first (then id), the leader the least loaded who may lead. When no step works the answer is an
``Infeasible`` that names the constraint, the units, and what would make it possible — never an
exception. ``check`` names every rule a manual adjustment breaks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitIn:
    id: int
    name: str
    zone_id: int
    share: int = 1  # how many units it may inspect at most


@dataclass(frozen=True)
class InspectorIn:
    id: int
    name: str
    unit_id: int
    zone_id: int | None
    pool: bool = False  # in the zone pool: may join any team of the zone's units
    load: int = 0  # open work already on them
    can_lead: bool = True


@dataclass(frozen=True)
class Options:
    forbid_two_cycles: bool = True
    cross_zone: bool = False
    team_min: int = 2
    team_max: int = 3


@dataclass(frozen=True)
class Assignment:
    inspecting_unit_id: int
    inspected_unit_id: int
    leader_id: int
    member_ids: tuple[int, ...]  # without the leader
    reason: str


@dataclass(frozen=True)
class Proposal:
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True)
class Infeasible:
    rule: str
    message: str
    remedy: str


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str


Conflicts = Mapping[tuple[int, int], str]


def _groups(units: Sequence[UnitIn], options: Options) -> list[list[UnitIn]]:
    ordered = sorted(units, key=lambda u: (u.zone_id, u.id))
    if options.cross_zone:
        return [ordered] if ordered else []
    by_zone: dict[int, list[UnitIn]] = defaultdict(list)
    for unit in ordered:
        by_zone[unit.zone_id].append(unit)
    return [by_zone[z] for z in sorted(by_zone)]


def _pairings(group: list[UnitIn], step: int) -> list[tuple[UnitIn, UnitIn]] | None:
    """The rotation by ``step`` over the units that inspect, then the share-0 units round-robin."""
    active = [u for u in group if u.share > 0]
    passive = [u for u in group if u.share <= 0]
    n = len(active)
    pairs = [(active[i], active[(i + step) % n]) for i in range(n)]
    if len(passive) > sum(u.share - 1 for u in active):
        return None
    # Round-robin over the units with share left: one extra each before anyone takes a second.
    rounds: list[UnitIn] = []
    left = {u.id: u.share - 1 for u in active}
    while len(rounds) < len(passive):
        for unit in active:
            if left[unit.id] > 0 and len(rounds) < len(passive):
                rounds.append(unit)
                left[unit.id] -= 1
    pairs.extend(zip(rounds, passive, strict=True))
    return pairs


def _group_problem(group: list[UnitIn], options: Options) -> Infeasible | None:
    active = [u for u in group if u.share > 0]
    names = "、".join(u.name for u in group)
    where = "本次检查" if options.cross_zone else "该协作区"
    if len(active) < 2:
        return Infeasible(
            "zone_too_small",
            f"{where}只有{len(active)}个可承担检查的单位（{names}），无法交叉互检（不得检查本单位）。",
            "请允许跨协作区检查，或为该协作区增加参检单位、调整各单位的检查份额。",
        )
    if len(active) == 2 and options.forbid_two_cycles:
        return Infeasible(
            "two_cycle",
            f"{where}只有2个可承担检查的单位（{names}），必然两单位互查。",
            "协作区只有2个单位，无法避免互检：请允许互检，或跨协作区检查。",
        )
    passive = len(group) - len(active)
    spare = sum(u.share - 1 for u in active)
    if passive > spare:
        return Infeasible(
            "share",
            f"{where}有{passive}个单位不承担检查，但其他单位的剩余检查份额只有{spare}个（{names}）。",
            "请提高部分单位的检查份额，或允许跨协作区检查。",
        )
    return None


class _Staffing:
    def __init__(self, inspectors: Sequence[InspectorIn], conflicts: Conflicts, options: Options) -> None:
        self.options = options
        self.conflicts = conflicts
        self.by_unit: dict[int, list[InspectorIn]] = defaultdict(list)
        self.pool: dict[int | None, list[InspectorIn]] = defaultdict(list)
        for person in sorted(inspectors, key=lambda p: (p.load, p.id)):
            (self.pool[person.zone_id] if person.pool else self.by_unit[person.unit_id]).append(person)

    def candidates(self, inspecting: UnitIn, inspected: UnitIn, used: set[int]) -> list[InspectorIn]:
        found = [*self.by_unit.get(inspecting.id, []), *self.pool.get(inspecting.zone_id, [])]
        found.sort(key=lambda p: (p.load, p.id))
        return [
            p
            for p in found
            if p.id not in used and p.unit_id != inspected.id and (p.id, inspected.id) not in self.conflicts
        ]

    def team(self, inspecting: UnitIn, inspected: UnitIn, used: set[int]) -> list[InspectorIn] | None:
        pool = self.candidates(inspecting, inspected, used)
        leaders = [p for p in pool if p.can_lead]
        if len(pool) < self.options.team_min or not leaders:
            return None
        leader = leaders[0]
        rest = [p for p in pool if p.id != leader.id][: self.options.team_min - 1]
        return [leader, *rest]


def _reason(
    inspecting: UnitIn, inspected: UnitIn, team: list[InspectorIn], avoided: list[str], options: Options
) -> str:
    rules = ["不查本单位"]
    if options.forbid_two_cycles:
        rules.append("不互查")
    if inspecting.zone_id != inspected.zone_id:
        rules.append("跨协作区")
    leader, *members = team
    text = f"{inspecting.name}检查{inspected.name}：{'、'.join(rules)}；组长{leader.name}（在办{leader.load}项）"
    if members:
        text += "；组员" + "、".join(f"{m.name}（在办{m.load}项）" for m in members)
    text += "；按在办事项由少到多选派"
    if avoided:
        text += "；回避：" + "；".join(avoided[:3]) + ("等" if len(avoided) > 3 else "")
    return text + "。"


def propose(
    units: Sequence[UnitIn],
    inspectors: Sequence[InspectorIn],
    conflicts: Conflicts,
    options: Options = Options(),
) -> Proposal | Infeasible:
    if not units:
        return Infeasible("coverage", "检查范围内没有单位。", "请先选定参检单位。")
    if options.team_min < 1 or options.team_max < options.team_min:
        return Infeasible("team_size", "检查组人数设置有误。", "检查组最少人数须不少于1，且不大于最多人数。")
    staffing = _Staffing(inspectors, conflicts, options)
    chosen: list[Assignment] = []
    used: set[int] = set()
    for group in _groups(units, options):
        problem = _group_problem(group, options)
        if problem is not None:
            return problem
        n = sum(1 for u in group if u.share > 0)
        worst: tuple[UnitIn, UnitIn] | None = None
        for step in range(1, n):
            if options.forbid_two_cycles and (2 * step) % n == 0:
                continue
            pairs = _pairings(group, step)
            if pairs is None:
                continue
            taken = set(used)
            rows: list[Assignment] = []
            # The pairings with the fewest cadres to choose from are staffed first.
            order = sorted(pairs, key=lambda pair: (len(staffing.candidates(pair[0], pair[1], taken)), pair[1].id))
            for inspecting, inspected in order:
                team = staffing.team(inspecting, inspected, taken)
                if team is None:
                    worst = worst or (inspecting, inspected)
                    break
                taken.update(p.id for p in team)
                avoided = [
                    conflicts[(p.id, inspected.id)]
                    for p in [*staffing.by_unit.get(inspecting.id, []), *staffing.pool.get(inspecting.zone_id, [])]
                    if (p.id, inspected.id) in conflicts
                ]
                rows.append(
                    Assignment(
                        inspecting_unit_id=inspecting.id,
                        inspected_unit_id=inspected.id,
                        leader_id=team[0].id,
                        member_ids=tuple(p.id for p in team[1:]),
                        reason=_reason(inspecting, inspected, team, avoided, options),
                    )
                )
            else:
                chosen.extend(sorted(rows, key=lambda a: a.inspected_unit_id))
                used = taken
                break
        else:
            inspecting, inspected = worst or (group[0], group[-1])
            free = staffing.candidates(inspecting, inspected, set())
            return Infeasible(
                "team_size",
                f"无法为检查{inspected.name}的检查组配齐{options.team_min}名无利害关系、可任组长的干部"
                f"（{inspecting.name}等单位可派{len(free)}人）。",
                f"请为{inspecting.name}增加可参检干部或将干部加入协作区人员库，或允许跨协作区检查。",
            )
    return Proposal(tuple(chosen))


def check(
    assignments: Sequence[Assignment],
    units: Sequence[UnitIn],
    inspectors: Sequence[InspectorIn],
    conflicts: Conflicts,
    options: Options = Options(),
) -> list[Violation]:
    """Every rule the assignments break, each named in Chinese; an empty list when they are valid."""
    unit = {u.id: u for u in units}
    person = {p.id: p for p in inspectors}
    out: list[Violation] = []

    def name(unit_id: int) -> str:
        return unit[unit_id].name if unit_id in unit else f"单位{unit_id}"

    inspected_count: dict[int, int] = defaultdict(int)
    inspecting_count: dict[int, int] = defaultdict(int)
    pairs = {(a.inspecting_unit_id, a.inspected_unit_id) for a in assignments}
    seats: dict[int, int] = defaultdict(int)
    for a in assignments:
        inspected_count[a.inspected_unit_id] += 1
        inspecting_count[a.inspecting_unit_id] += 1
        if a.inspecting_unit_id == a.inspected_unit_id:
            out.append(Violation("self_inspection", f"{name(a.inspected_unit_id)}不得检查本单位。"))
        mutual = (a.inspected_unit_id, a.inspecting_unit_id) in pairs
        if options.forbid_two_cycles and mutual and a.inspecting_unit_id < a.inspected_unit_id:
            out.append(
                Violation(
                    "two_cycle",
                    f"{name(a.inspecting_unit_id)}与{name(a.inspected_unit_id)}不得互查。",
                )
            )
        if (
            not options.cross_zone
            and a.inspecting_unit_id in unit
            and a.inspected_unit_id in unit
            and unit[a.inspecting_unit_id].zone_id != unit[a.inspected_unit_id].zone_id
        ):
            out.append(
                Violation("cross_zone", f"{name(a.inspecting_unit_id)}不得跨协作区检查{name(a.inspected_unit_id)}。")
            )
        team = [a.leader_id, *[m for m in a.member_ids if m != a.leader_id]]
        if not options.team_min <= len(team) <= options.team_max:
            out.append(
                Violation(
                    "team_size",
                    f"检查{name(a.inspected_unit_id)}的检查组为{len(team)}人，须为{options.team_min}至{options.team_max}人。",
                )
            )
        leader = person.get(a.leader_id)
        if leader is None or not leader.can_lead:
            out.append(Violation("leader", f"检查{name(a.inspected_unit_id)}的检查组须有可任组长的干部任组长。"))
        zone = unit[a.inspecting_unit_id].zone_id if a.inspecting_unit_id in unit else None
        for pid in team:
            seats[pid] += 1
            p = person.get(pid)
            who = p.name if p else f"干部{pid}"
            if p is None or p.unit_id == a.inspected_unit_id:
                out.append(
                    Violation("inspector_unit", f"{who}是被检查单位{name(a.inspected_unit_id)}的干部，不得参加检查。")
                )
            elif not (p.unit_id == a.inspecting_unit_id or (p.pool and p.zone_id == zone)):
                out.append(
                    Violation("inspector_unit", f"{who}既不属于{name(a.inspecting_unit_id)}，也不在协作区干部库。")
                )
            if (pid, a.inspected_unit_id) in conflicts:
                out.append(
                    Violation(
                        "conflict", f"{who}须回避{name(a.inspected_unit_id)}：{conflicts[(pid, a.inspected_unit_id)]}"
                    )
                )
    for u in sorted(units, key=lambda u: u.id):
        if inspected_count[u.id] != 1:
            out.append(Violation("coverage", f"{u.name}被检查{inspected_count[u.id]}次，须恰好1次。"))
        if inspecting_count[u.id] > max(u.share, 0):
            out.append(Violation("share", f"{u.name}检查{inspecting_count[u.id]}个单位，超过其份额{u.share}。"))
    for pid, n in sorted(seats.items()):
        if n > 1:
            who = person[pid].name if pid in person else f"干部{pid}"
            out.append(Violation("double_booking", f"{who}同时参加了{n}个检查组。"))
    return out
