"""The 交叉互检 solver: concrete zones, the explanations of impossible inputs, manual adjustments."""

from __future__ import annotations

import random

from xiezuoqu.inspections.assignment import (
    Assignment,
    Infeasible,
    InspectorIn,
    Options,
    Proposal,
    UnitIn,
    check,
    propose,
)


def zone(zone_id: int, n: int, *, per_unit: int = 3, first: int = 1) -> tuple[list[UnitIn], list[InspectorIn]]:
    units = [UnitIn(id=first + i, name=f"{zone_id}区{i + 1}镇", zone_id=zone_id) for i in range(n)]
    people = [
        InspectorIn(id=u.id * 100 + k, name=f"干部{u.id}-{k}", unit_id=u.id, zone_id=zone_id, load=k)
        for u in units
        for k in range(per_unit)
    ]
    return units, people


def properties(result: Proposal, units, people, conflicts, options) -> None:
    rows = result.assignments
    assert check(rows, units, people, conflicts, options) == []
    assert sorted(a.inspected_unit_id for a in rows) == sorted(u.id for u in units)  # each exactly once
    pairs = {(a.inspecting_unit_id, a.inspected_unit_id) for a in rows}
    assert all(a != b for a, b in pairs)
    if options.forbid_two_cycles:
        assert all((b, a) not in pairs for a, b in pairs)
    unit_of = {p.id: p.unit_id for p in people}
    seats = [pid for a in rows for pid in (a.leader_id, *a.member_ids)]
    assert len(seats) == len(set(seats))
    for a in rows:
        team = (a.leader_id, *a.member_ids)
        assert len(team) >= options.team_min
        assert all((pid, a.inspected_unit_id) not in conflicts for pid in team)
        assert all(unit_of[pid] != a.inspected_unit_id for pid in team)
        assert a.reason


def test_three_and_more_units_inspect_in_a_cycle_without_self_or_mutual_inspection():
    for n in (3, 4, 7):
        units, people = zone(1, n)
        result = propose(units, people, {})
        assert isinstance(result, Proposal), n
        properties(result, units, people, {}, Options())


def test_two_units_cannot_avoid_inspecting_each_other_and_the_answer_says_what_would_help():
    units, people = zone(1, 2)
    result = propose(units, people, {})
    assert isinstance(result, Infeasible) and result.rule == "two_cycle"
    assert "允许互检" in result.remedy and "跨协作区" in result.remedy
    allowed = propose(units, people, {}, Options(forbid_two_cycles=False))
    assert isinstance(allowed, Proposal)
    assert {(a.inspecting_unit_id, a.inspected_unit_id) for a in allowed.assignments} == {(1, 2), (2, 1)}


def test_a_zone_of_one_unit_needs_another_zone():
    units, people = zone(1, 1)
    result = propose(units, people, {})
    assert isinstance(result, Infeasible) and result.rule == "zone_too_small" and "跨协作区" in result.remedy
    more, more_people = zone(2, 2, first=10)
    crossed = propose([*units, *more], [*people, *more_people], {}, Options(cross_zone=True))
    assert isinstance(crossed, Proposal)
    properties(crossed, [*units, *more], [*people, *more_people], {}, Options(cross_zone=True))
    assert any(a.inspecting_unit_id >= 10 and a.inspected_unit_id == 1 for a in crossed.assignments)


def test_a_conflicted_cadre_never_sits_on_the_team_and_the_reason_names_the_recusal():
    units, people = zone(1, 3)
    # The least loaded cadre of every unit is tied to the unit it would inspect.
    conflicts = {(u.id * 100, v.id): "籍贯：本乡" for u in units for v in units if u.id != v.id}
    result = propose(units, people, conflicts)
    assert isinstance(result, Proposal)
    properties(result, units, people, conflicts, Options())
    assert all("回避" in a.reason for a in result.assignments)


def test_too_few_free_cadres_is_explained_not_raised():
    units, people = zone(1, 3, per_unit=1)
    result = propose(units, people, {})
    assert isinstance(result, Infeasible) and result.rule == "team_size"
    assert "增加可参检干部" in result.remedy


def test_the_zone_pool_fills_teams_the_units_cannot():
    units, people = zone(1, 3, per_unit=1)
    pool = [InspectorIn(id=900 + k, name=f"监察室{k}", unit_id=99, zone_id=1, pool=True) for k in range(3)]
    result = propose(units, [*people, *pool], {})
    assert isinstance(result, Proposal)
    properties(result, units, [*people, *pool], {}, Options())


def test_the_same_input_in_any_order_gives_the_same_proposal():
    units, people = zone(1, 6)
    first = propose(units, people, {})
    shuffled_units, shuffled_people = list(units), list(people)
    random.Random(7).shuffle(shuffled_units)
    random.Random(8).shuffle(shuffled_people)
    assert propose(shuffled_units, shuffled_people, {}) == first


def test_check_names_every_rule_a_manual_adjustment_breaks():
    units, people = zone(1, 3)
    conflicts = {(101, 3): "曾在该乡镇任职"}
    bad = [
        Assignment(1, 1, 100, (101,), ""),  # itself
        Assignment(2, 3, 101, (300,), ""),  # a cadre of the inspected unit; conflicted 101 is from unit 1
        Assignment(3, 2, 300, (), ""),  # a team of one; 300 on two teams; 2 and 3 inspect each other
    ]
    rules = {v.rule for v in check(bad, units, people, conflicts)}
    assert {
        "self_inspection",
        "inspector_unit",
        "conflict",
        "team_size",
        "double_booking",
        "two_cycle",
    } <= rules
    messages = " ".join(v.message for v in check(bad, units, people, conflicts))
    assert "不得检查本单位" in messages and "须回避" in messages
    missing = {v.rule for v in check(bad[:2], units, people, conflicts)}
    assert "coverage" in missing  # unit 2 is inspected by nobody
