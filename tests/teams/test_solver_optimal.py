"""The solver is optimal for its objective: checked against brute force on small instances, and the
pricing path (column generation, used on large batches) gives the same optimum as the direct solve."""

from __future__ import annotations

import itertools
import random

import pytest

from xiezuoqu.teams import solver
from xiezuoqu.teams.solver import Candidate, Matter


def random_instance(
    seed: int, n_staff: int = 6, n_matters: int = 3
) -> tuple[list[Candidate], list[Matter], dict[int, int]]:
    rng = random.Random(seed)
    candidates = []
    for i in range(1, n_staff + 1):
        township = rng.choice([None, 101, 102, 103])
        capacity = rng.randint(1, 3)
        candidates.append(
            Candidate(
                id=i,
                name=f"干部{i}",
                unit_id=township or 900,
                township_id=township,
                is_office=township is None and rng.random() < 0.5,
                experience=rng.randint(1, 4),
                capacity=capacity,
                load=rng.randint(0, capacity - 1) if rng.random() < 0.8 else capacity,
                skills=frozenset(rng.sample(["finance", "rural", "interview"], rng.randint(0, 2))),
            )
        )
    mentors = {}
    for c in candidates:
        if c.township_id is not None and rng.random() < 0.4:
            mentor = rng.randint(1, n_staff)
            if mentor != c.id:
                mentors[c.id] = mentor
    matters = [
        Matter(
            id=100 + m,
            size=rng.randint(1, 3),
            trainee_seats=rng.choice([0, 0, 1]),
            mode=rng.choice(["cross", "joint", "self"]),
            townships=frozenset(rng.sample([101, 102, 103], rng.randint(0, 1))),
            skills=frozenset(rng.sample(["finance", "rural", "interview"], rng.randint(0, 2))),
            blocked={rng.randint(1, n_staff): ("系本案证人",)} if rng.random() < 0.5 else {},
        )
        for m in range(n_matters)
    ]
    return candidates, matters, mentors


def brute_force(candidates: list[Candidate], matters: list[Matter], mentors: dict[int, int]) -> int:
    """The least stage-1 cost over every choice of teams (any subset up to the size), with the same
    penalties for an empty seat and a missing lead as the solver."""
    by_id = {c.id: c for c in candidates}
    options: list[list[tuple[tuple[int, ...], int]]] = []
    for matter in matters:
        allowed = [c for c in candidates if not solver.exclusion_reasons(c, matter)]
        trainable = {c.id for c in allowed if c.is_township_cadre}
        choices = []
        for k in range(matter.size + 1):
            for team in itertools.combinations(allowed, k):
                has_lead = any(c.lead_eligible for c in team)
                if not has_lead and k > matter.size - 1:
                    continue
                cost = sum(
                    solver.pair_cost(
                        c,
                        matter,
                        mentor_bonus=matter.trainee_seats > 0 and any(mentors.get(t) == c.id for t in trainable),
                    )
                    for c in team
                )
                cost += (0 if has_lead else solver.LEAD_SHORTFALL) + solver.SEAT_SHORTFALL * (
                    matter.size - k - (0 if has_lead else 1)
                )
                choices.append((tuple(c.id for c in team), cost))
        options.append(choices)
    best = None
    for combo in itertools.product(*options):
        extra: dict[int, int] = {}
        for team, _ in combo:
            for pk in team:
                extra[pk] = extra.get(pk, 0) + 1
        if any(by_id[pk].load + n > by_id[pk].capacity for pk, n in extra.items()):
            continue
        total = sum(cost for _, cost in combo)
        for pk, n in extra.items():
            c = by_id[pk]
            total += solver.load_cost(c.load + n, c.capacity) - solver.load_cost(c.load, c.capacity)
        best = total if best is None else min(best, total)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_brute_force(seed: int) -> None:
    candidates, matters, mentors = random_instance(seed)
    solution = solver.solve(candidates, matters, mentors=mentors)
    assert solution.objective == brute_force(candidates, matters, mentors)


def test_reported_objective_is_the_cost_of_the_teams() -> None:
    """The objective is what the chosen teams cost (seat costs + workload), not an estimate."""
    candidates, matters, mentors = random_instance(7, n_staff=8, n_matters=3)
    solution = solver.solve(candidates, matters, mentors=mentors)
    by_id = {c.id: c for c in candidates}
    penalties = 0
    for m in matters:
        p = solution.proposals[m.id]
        penalties += solver.SEAT_SHORTFALL * (m.size - len(p.core_ids) - (1 if p.lead_id is None else 0))
        penalties += solver.LEAD_SHORTFALL if p.lead_id is None else 0
    core_load: dict[int, int] = {}
    for p in solution.proposals.values():
        for pk in p.core_ids:
            core_load[pk] = core_load.get(pk, 0) + 1
    workload = sum(
        solver.load_cost(by_id[pk].load + n, by_id[pk].capacity) - solver.load_cost(by_id[pk].load, by_id[pk].capacity)
        for pk, n in core_load.items()
    )
    assert solution.objective == solution.team_cost + workload + penalties


def test_workload_is_spread_when_costs_tie() -> None:
    """Convex workload: four equal one-person matters go to four people, not one person four times."""
    candidates = [Candidate(i, f"干部{i}", 900, is_office=True, experience=4, capacity=4) for i in range(1, 5)]
    matters = [Matter(100 + m, size=1) for m in range(4)]
    solution = solver.solve(candidates, matters)
    leads = sorted(p.lead_id for p in solution.proposals.values() if p.lead_id is not None)
    assert leads == [1, 2, 3, 4]


@pytest.mark.parametrize("seed", range(3))
def test_pricing_gives_the_direct_optimum(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large batches are solved by pricing out arcs (column generation); its optimum is the same."""
    rng = random.Random(seed)
    candidates = [
        Candidate(
            i,
            f"干部{i}",
            900 + i % 7,
            township_id=(100 + i % 7) if i % 3 else None,
            is_office=i % 3 == 0,
            experience=rng.randint(1, 4),
            capacity=rng.randint(1, 4),
            load=rng.randint(0, 1),
            skills=frozenset(rng.sample(["finance", "rural", "interview"], 1)),
        )
        for i in range(1, 61)
    ]
    matters = [
        Matter(
            1000 + m,
            size=rng.randint(2, 4),
            townships=frozenset({100 + rng.randint(0, 6)}),
            skills=frozenset({"finance"}),
            blocked={rng.randint(1, 60): ("系本案证人",)},
        )
        for m in range(30)
    ]
    direct = solver.solve(candidates, matters)
    monkeypatch.setattr(solver, "DIRECT_LIMIT", 10)
    monkeypatch.setattr(solver, "ARCS_PER_SEAT", 1)
    priced = solver.solve(candidates, matters)
    assert priced.rounds >= 1
    assert priced.objective == direct.objective


def brute_force_trainees(
    candidates: list[Candidate], matters: list[Matter], mentors: dict[int, int], solution: solver.Solution
) -> int:
    """The least stage-2 cost given the stage-1 teams: every choice of mentees beside their mentor."""
    by_id = {c.id: c for c in candidates}
    after_core = {c.id: c.load for c in candidates}
    for p in solution.proposals.values():
        for pk in p.core_ids:
            after_core[pk] += 1
    options = []
    for matter in matters:
        core = set(solution.proposals[matter.id].core_ids)
        fit = [
            c
            for c in candidates
            if c.is_township_cadre
            and c.id not in core
            and mentors.get(c.id) in core
            and not solver.exclusion_reasons(c, matter)
        ]
        options.append(
            [
                (tuple(c.id for c in chosen), sum(solver.trainee_cost(c) for c in chosen), len(chosen))
                for k in range(matter.trainee_seats + 1)
                for chosen in itertools.combinations(fit, k)
            ]
        )
    best = None
    for combo in itertools.product(*options):
        extra: dict[int, int] = {}
        for chosen, _, _ in combo:
            for pk in chosen:
                extra[pk] = extra.get(pk, 0) + 1
        if any(after_core[pk] + n > by_id[pk].capacity for pk, n in extra.items()):
            continue
        total = sum(cost for _, cost, _ in combo)
        total += sum(solver.SEAT_SHORTFALL * (m.trainee_seats - n) for m, (_, _, n) in zip(matters, combo, strict=True))
        for pk, n in extra.items():
            c = by_id[pk]
            total += solver.load_cost(after_core[pk] + n, c.capacity) - solver.load_cost(after_core[pk], c.capacity)
        best = total if best is None else min(best, total)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(40))
def test_trainee_stage_matches_brute_force(seed: int) -> None:
    """以干代训 seats are placed optimally on the teams stage 1 chose."""
    candidates, matters, mentors = random_instance(1000 + seed, n_staff=7, n_matters=2)
    matters = [Matter(**{**m.__dict__, "trainee_seats": 2}) for m in matters]
    for c in candidates:
        if c.township_id is not None and c.id not in mentors:
            mentors[c.id] = 1 + (c.id % 3)
    mentors = {k: v for k, v in mentors.items() if k != v}
    solution = solver.solve(candidates, matters, mentors=mentors)
    assert solution.trainee_objective == brute_force_trainees(candidates, matters, mentors, solution)
