#!/usr/bin/env python
"""Benchmark the team solver (组队): solve times for a county batch and a province-sized batch.

    .venv/bin/python bench/bench_teams.py                   # county and province batches, 3 runs each
    .venv/bin/python bench/bench_teams.py --runs 5 --seed 7
    .venv/bin/python bench/bench_teams.py --stress          # also: every clue may draw on every cadre

Target (DESIGN §5b): 1,000 clues × 2,000 staff in ≤ 2 s, optimal for its objective.

Pure solver, no database: the services feed it the same rows from the database (see
xiezuoqu.teams.services). The generated organisation follows the demo county's proportions: each zone
has an inspection office, a dispatched group and five township committees; about 30 % of cadres
are office or group staff, the rest township cadres; experience 新任 … 骨干, capacity 2–5 concurrent
matters, a current load below capacity, two skills each; 一帮二 pairs in every zone; each clue is
about one township of its zone (the cross rule), has one or two declared conflicts, asks for 2–4
people and sometimes a 以干代训 seat.

- county: 30 clues × 105 staff in 4 zones (each clue draws on its zone: 交叉/联合办理);
- county, one pool: the same, but every clue may draw on the whole county (提级、全市统筹);
- province: 1,000 clues × 2,000 staff in 80 zones of 25 (the province's zones solved in one batch);
- with ``--stress``: 1,000 clues × 2,000 staff in one pool (every clue × every cadre, 1.7 M arcs).

Each run checks the proposals against the hard rules (cross rule, conflicts, capacity, lead, trainee
beside mentor) outside the timing and prints the objective, the arcs the solver priced and the
workload spread.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xiezuoqu.teams import solver  # noqa: E402
from xiezuoqu.teams.solver import Candidate, Matter  # noqa: E402

SKILLS = ("interview", "finance", "law", "rural", "construction", "digital", "evidence")
TOWNSHIPS_PER_ZONE = 5


def organisation(
    rng: random.Random, n_staff: int, n_zones: int
) -> tuple[list[Candidate], dict[int, list[int]], dict[int, list[int]], dict[int, int]]:
    """Staff spread over zones; returns candidates, zone → staff ids, zone → township ids, mentee → mentor."""
    candidates: list[Candidate] = []
    members: dict[int, list[int]] = {z: [] for z in range(n_zones)}
    townships = {z: [10_000 + z * 100 + t for t in range(TOWNSHIPS_PER_ZONE)] for z in range(n_zones)}
    for i in range(1, n_staff + 1):
        zone = (i - 1) % n_zones
        kind = rng.random()
        township = None if kind < 0.3 else rng.choice(townships[zone])
        office = kind < 0.15
        unit = township if township is not None else 20_000 + zone * 2 + (0 if office else 1)
        capacity = rng.randint(2, 5)
        candidates.append(
            Candidate(
                id=i,
                name=f"干部{i}",
                unit_id=unit,
                township_id=township,
                is_office=office,
                experience=rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 1))[0],
                capacity=capacity,
                load=rng.randint(0, capacity - 1),
                skills=frozenset(rng.sample(SKILLS, 2)),
            )
        )
        members[zone].append(i)
    mentors: dict[int, int] = {}
    by_id = {c.id: c for c in candidates}
    for ids in members.values():
        seniors = [i for i in ids if by_id[i].experience >= 3]
        juniors = [i for i in ids if by_id[i].township_id is not None and by_id[i].experience <= 2]
        rng.shuffle(juniors)
        for mentor in seniors[:2]:
            for _ in range(2):
                if juniors:
                    mentors[juniors.pop()] = mentor
    return candidates, members, townships, mentors


def batch(
    rng: random.Random,
    n_clues: int,
    members: dict[int, list[int]],
    townships: dict[int, list[int]],
    *,
    one_pool: bool,
) -> list[Matter]:
    zones = list(members)
    matters = []
    for j in range(n_clues):
        zone = zones[j % len(zones)]
        pool = members[zone]
        blocked = {rng.choice(pool): ("系被反映人近亲属：申报的配偶系被反映人",) for _ in range(rng.randint(1, 2))}
        matters.append(
            Matter(
                id=j + 1,
                size=rng.choice((2, 3, 3, 4)),
                trainee_seats=rng.choice((0, 0, 0, 1)),
                mode=rng.choice(("cross", "cross", "joint")),
                townships=frozenset({rng.choice(townships[zone])}),
                skills=frozenset(rng.sample(SKILLS, rng.randint(1, 2))),
                blocked=blocked,
                pool=None if one_pool else frozenset(pool),
            )
        )
    return matters


def check(candidates: list[Candidate], matters: list[Matter], mentors: dict[int, int], result: solver.Solution) -> int:
    """Hard-rule violations in the proposals (expected: 0)."""
    by_id = {c.id: c for c in candidates}
    seats = {c.id: c.load for c in candidates}
    broken = 0
    for matter in matters:
        p = result.proposals[matter.id]
        people = p.core_ids + [t for t, _ in p.trainees]
        broken += len(people) != len(set(people))
        for pk in people:
            c = by_id[pk]
            seats[pk] += 1
            broken += matter.mode != "self" and c.township_id in matter.townships
            broken += pk in matter.blocked
            broken += matter.pool is not None and pk not in matter.pool
        broken += p.lead_id is not None and not by_id[p.lead_id].lead_eligible
        broken += sum(mentors.get(t) != m or m not in p.core_ids for t, m in p.trainees)
    broken += sum(seats[c.id] > c.capacity for c in candidates)
    return broken


def run(label: str, n_clues: int, n_staff: int, n_zones: int, args: argparse.Namespace, *, one_pool: bool) -> None:
    times = []
    for r in range(args.runs):
        rng = random.Random(args.seed + r)
        candidates, members, townships, mentors = organisation(rng, n_staff, n_zones)
        matters = batch(rng, n_clues, members, townships, one_pool=one_pool)
        t0 = time.perf_counter()
        result = solver.solve(candidates, matters, mentors=mentors)
        times.append(time.perf_counter() - t0)
        if r == 0:
            broken = check(candidates, matters, mentors, result)
            seats = sum(m.size for m in matters)
            filled = sum(len(p.core_ids) for p in result.proposals.values())
            trainees = sum(len(p.trainees) for p in result.proposals.values())
            wanted = sum(m.trainee_seats for m in matters)
            used = [
                result.load_after.get(c.id, c.load) / c.capacity
                for c in candidates
                if result.load_after.get(c.id, c.load) > c.load
            ]
            spread = statistics.pstdev(used) if len(used) > 1 else 0.0
            first = (
                f"  席位 {filled:,}/{seats:,}  以干代训 {trainees}/{wanted}  目标值 {result.objective:,}"
                f"  候选弧 {result.variables:,}  定价轮次 {result.rounds}  违规 {broken}"
                f"  承办者负荷率标准差 {spread:.2f}"
            )
    print(
        f"{label:<22} {n_clues:>5,} 条线索 × {n_staff:>5,} 名干部  "
        f"中位 {statistics.median(times):6.2f} 秒  最慢 {max(times):6.2f} 秒（{args.runs} 次）\n{first}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--stress", action="store_true", help="also one pool of 2,000 for 1,000 clues")
    args = parser.parse_args()
    import numpy
    import scipy

    print(
        f"组队求解基准  Python {platform.python_version()}  SciPy {scipy.__version__}  NumPy {numpy.__version__}"
        f"  CPU {os.cpu_count()} 核（目标：1,000 × 2,000 ≤ 2 秒）"
    )
    run("县级一批（分协作区）", 30, 105, 4, args, one_pool=False)
    run("县级一批（全县统筹）", 30, 105, 4, args, one_pool=True)
    run("省级一批（80 个协作区）", 1_000, 2_000, 80, args, one_pool=False)
    run("省级一批（20 个协作区）", 1_000, 2_000, 20, args, one_pool=False)
    if args.stress:
        run("省级一批（单一人员库）", 1_000, 2_000, 1, args, one_pool=True)


if __name__ == "__main__":
    main()
