"""交叉互检 solver, property-based: random zones, staff and conflicts — every proposal keeps every rule."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.inspections.test_assignment import properties, zone
from xiezuoqu.inspections.assignment import Infeasible, InspectorIn, Options, UnitIn, propose

zones_strategy = st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    sizes=zones_strategy,
    per_unit=st.integers(min_value=0, max_value=4),
    pool=st.integers(min_value=0, max_value=4),
    conflict_rate=st.floats(min_value=0, max_value=0.6),
    forbid=st.booleans(),
    cross=st.booleans(),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_every_proposal_keeps_every_rule_and_every_impossible_input_is_explained(
    sizes, per_unit, pool, conflict_rate, forbid, cross, seed
):
    rng = random.Random(seed)
    units: list[UnitIn] = []
    people: list[InspectorIn] = []
    next_id = 1
    for z, n in enumerate(sizes, start=1):
        us, ps = zone(z, n, per_unit=per_unit, first=next_id)
        next_id += n
        units += us
        people += [
            InspectorIn(p.id, p.name, p.unit_id, p.zone_id, load=rng.randint(0, 5), can_lead=rng.random() > 0.2)
            for p in ps
        ]
        people += [InspectorIn(50_000 + z * 10 + k, f"库{z}-{k}", 40_000 + z, z, pool=True) for k in range(pool)]
    conflicts = {(p.id, u.id): "亲属" for p in people for u in units if rng.random() < conflict_rate}
    options = Options(forbid_two_cycles=forbid, cross_zone=cross)
    result = propose(units, people, conflicts, options)
    if isinstance(result, Infeasible):
        assert result.message and result.remedy and result.rule
    else:
        properties(result, units, people, conflicts, options)
