"""The team solver (组队): who works which clue, as a min-cost flow solved exactly.

Pure: no Django. The services turn the database into ``Candidate`` and ``Matter`` rows (with the
conflicts of ``xiezuoqu.recusal.conflicts`` already reduced to the ones that block in the mode) and
store what comes back.

The model, for a batch of matters (clues) drawn from one pool of candidates (staff):

Hard rules
- 交叉办理规则: nobody from the subject's township works the matter, unless the township handles it
  itself (自办);
- no blocking conflict (kin, same unit, former posting, witness, a decided recusal ... — unless a
  commission head approved an override: the caller leaves those out);
- a person's seats (current load + new seats) never exceed their capacity;
- each team has one lead who is from the inspection office or at least 熟练 (SKILLED);
- nobody sits twice on one team;
- 以干代训 seats go only to township cadres whose mentor (一帮二) is on the same team.

Objective (integers, minimised; the solver is exact for it)
- workload: the k-th seat a person carries costs ``marginal_cost(k, capacity)`` = ⌊100·k²/capacity⌋,
  increasing in k, so the optimum spreads the work and fills nobody before it must (convex cost);
- skills: 15 per skill the matter asks for that the person lacks;
- experience: 10 per level below 骨干 (EXPERT) for a lead-eligible person, 25 + 10 per level below
  for the others — experienced people are preferred, leads above all;
- mentoring: a mentor whose mentee could train on the matter is 40 cheaper on a matter with
  trainee seats (so that 以干代训 can happen);
- an empty seat costs ``SEAT_SHORTFALL`` and a missing lead ``LEAD_SHORTFALL``: larger than any
  team, so seats stay empty only when nobody may fill them.

The flow network, per matter m: every lead-eligible candidate c has one arc c → E_m and every other
candidate one arc c → T_m (capacity 1: nobody twice on a team); E_m keeps one unit (the lead seat)
and passes the rest on to T_m, which takes size − 1. Each candidate draws its units from the source
over ``capacity − load`` parallel arcs with the increasing marginal costs. The constraint matrix is
a network matrix (totally unimodular), so the linear programme solved by HiGHS (scipy) has an
integral optimum: the proposal is optimal, not a heuristic's guess. The lead is then the most
senior lead-eligible person among the chosen (office first, then experience).

Trainee seats are a second, equally exact stage on the teams the first stage chose: the mentees of
the team's members, under the same hard rules and the same convex workload cost (lexicographic: the
core teams first, then the training placements); a trainee costs 10 per experience level and 5 per
以干代训 turn already had this year, so the less experienced and those with fewer turns train first.

Size: a batch of up to ``DIRECT_LIMIT`` candidate arcs is solved in one linear programme (a province's
1,000 clues over 2,000 cadres drawing on their own zones: ≈ 20–85 k arcs, under a second). Larger
ones (every clue drawing on every cadre) are solved by pricing: a restricted problem, then every arc
left out is priced with its duals and the negative ones enter, until none does — still exact, slower
(see bench/bench_teams.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csc_array

SKILLED = 3  # StaffMember.Experience.SKILLED
EXPERT = 4  # StaffMember.Experience.EXPERT

SKILL_MISS = 15
LEAD_EXPERIENCE_STEP = 10
NON_LEAD_BASE = 25
MENTOR_BONUS = 40
TRAINEE_EXPERIENCE_STEP = 10
TRAINEE_TURN_STEP = 5  # per 以干代训 turn already had this year: those with fewer turns train first
SEAT_SHORTFALL = 100_000
LEAD_SHORTFALL = 1_000_000

SELF_MODE = "self"
LP_METHOD = "highs-ds"  # dual simplex: a basic (vertex) optimum, integral on a network
LP_OPTIONS: dict[str, object] = {"presolve": False}  # presolve costs more than it saves on these networks
CROSS_REASON = "与被反映人同一乡镇（交叉办理规则）"
OUTSIDE_POOL_REASON = "不在本协作区人员库"


@dataclass(frozen=True)
class Candidate:
    """A staff member the zone may draw on."""

    id: int
    name: str
    unit_id: int
    township_id: int | None = None  # the township committee a township cadre belongs to
    is_office: bool = False  # inspection-office staff (纪检监察室)
    experience: int = 2  # StaffMember.Experience
    capacity: int = 3
    load: int = 0  # seats on active teams now
    skills: frozenset[str] = frozenset()
    turns: int = 0  # 以干代训 turns this year (trainee seats on confirmed teams)

    @property
    def lead_eligible(self) -> bool:
        return self.is_office or self.experience >= SKILLED

    @property
    def is_township_cadre(self) -> bool:
        return self.township_id is not None


@dataclass(frozen=True)
class Matter:
    """A clue needing a team."""

    id: int
    size: int = 3  # lead + members (trainees come on top)
    trainee_seats: int = 0
    mode: str = "cross"
    townships: frozenset[int] = frozenset()  # the subjects' townships (交叉办理规则)
    skills: frozenset[str] = frozenset()
    # staff id → why they may not work this matter (conflicts that block in this mode).
    blocked: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    pool: frozenset[int] | None = None  # candidate ids this matter may draw on (None: all)


@dataclass
class Proposal:
    matter_id: int
    lead_id: int | None
    member_ids: list[int]
    trainees: list[tuple[int, int]]  # (trainee id, mentor id)
    cost: int
    exclusions: dict[int, list[str]]
    shortfall: list[str]

    @property
    def core_ids(self) -> list[int]:
        return ([self.lead_id] if self.lead_id is not None else []) + self.member_ids


@dataclass
class Solution:
    proposals: dict[int, Proposal]
    objective: int  # stage 1 cost including shortfall penalties
    trainee_objective: int  # stage 2 cost including shortfall penalties
    load_after: dict[int, int]
    seconds: float
    variables: int = 0  # candidate → matter arcs considered
    rounds: int = 1  # restricted problems solved in stage 1 (pricing rounds)

    @property
    def team_cost(self) -> int:
        return sum(p.cost for p in self.proposals.values())


# --- costs (shared with the brute-force check in the tests) ----------------------------------------------


def marginal_cost(seat: int, capacity: int) -> int:
    """The cost of a person's ``seat``-th concurrent seat: increasing in ``seat`` (convex total)."""
    return (100 * seat * seat) // max(1, capacity)


def load_cost(load: int, capacity: int) -> int:
    """Total workload cost of carrying ``load`` seats."""
    return sum(marginal_cost(k, capacity) for k in range(1, load + 1))


def pair_cost(candidate: Candidate, matter: Matter, *, mentor_bonus: bool = False) -> int:
    cost = SKILL_MISS * len(matter.skills - candidate.skills)
    if candidate.lead_eligible:
        cost += LEAD_EXPERIENCE_STEP * (EXPERT - candidate.experience)
    else:
        cost += NON_LEAD_BASE + LEAD_EXPERIENCE_STEP * (EXPERT - candidate.experience)
    if mentor_bonus:
        cost -= MENTOR_BONUS
    return cost


def trainee_cost(candidate: Candidate) -> int:
    """Less experienced cadres, and those with fewer turns this year, are trained first (以干代训)."""
    return TRAINEE_EXPERIENCE_STEP * candidate.experience + TRAINEE_TURN_STEP * candidate.turns


# --- the hard rules, with reasons ---------------------------------------------------------------------------


def exclusion_reasons(candidate: Candidate, matter: Matter) -> list[str]:
    """Why ``candidate`` may not work ``matter`` at all (empty: they may)."""
    reasons: list[str] = []
    if matter.pool is not None and candidate.id not in matter.pool:
        reasons.append(OUTSIDE_POOL_REASON)
    if matter.mode != SELF_MODE and candidate.township_id is not None and candidate.township_id in matter.townships:
        reasons.append(CROSS_REASON)
    for reason in matter.blocked.get(candidate.id, ()):
        if reason not in reasons:
            reasons.append(reason)
    if candidate.load >= candidate.capacity:
        reasons.append(f"已达承办上限 {candidate.capacity} 件")
    return reasons


def mentor_map(pairs: Iterable[tuple[int, Sequence[int]]]) -> dict[int, int]:
    """mentee id → mentor id from (mentor, mentees) pairs."""
    return {mentee: mentor for mentor, mentees in pairs for mentee in mentees}


# --- the flow ----------------------------------------------------------------------------------------------


@dataclass
class _Arcs:
    """Candidate → matter arcs as parallel arrays (candidate index, matter index, cost, lead-eligible)."""

    cand: np.ndarray
    matter: np.ndarray
    cost: np.ndarray
    lead: np.ndarray

    @classmethod
    def join(cls, parts: list[_Arcs]) -> _Arcs:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty.copy(), empty.copy(), np.zeros(0, dtype=bool))
        return cls(
            np.concatenate([p.cand for p in parts]),
            np.concatenate([p.matter for p in parts]),
            np.concatenate([p.cost for p in parts]),
            np.concatenate([p.lead for p in parts]),
        )

    def take(self, which: np.ndarray) -> _Arcs:
        return _Arcs(self.cand[which], self.matter[which], self.cost[which], self.lead[which])

    def __len__(self) -> int:
        return len(self.cand)


@dataclass
class _Flow:
    chosen: np.ndarray  # mask over the arcs given
    objective: int
    cand_dual: np.ndarray  # per candidate (all of them; the largest valid value)
    row_dual: np.ndarray  # per matter: [E_m duals, T_m duals]


def _slot_costs(loads: np.ndarray, capacities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The source → candidate arcs: owner index and cost of each free seat, in seat order."""
    remaining = np.maximum(capacities - loads, 0)
    owner = np.repeat(np.arange(len(loads)), remaining)
    offsets = np.arange(len(owner)) - np.repeat(np.cumsum(remaining) - remaining, remaining)
    seat = loads[owner] + offsets + 1
    return owner, (100 * seat * seat) // np.maximum(capacities[owner], 1)


def _min_cost_flow(
    n_matters: int,
    arcs: _Arcs,
    loads: np.ndarray,
    capacities: np.ndarray,
    lead_need: np.ndarray,
    seats: np.ndarray,
) -> _Flow:
    """Solve the network LP on the given arcs: the chosen arcs, the objective, and the duals."""
    n_c = len(loads)
    n_arcs = len(arcs)
    # Rows: candidates [0, n_c), E_m [n_c, n_c + M), T_m [n_c + M, n_c + 2M).
    e_row = n_c
    t_row = n_c + n_matters
    n_rows = n_c + 2 * n_matters
    slot_owner, slot_cost = _slot_costs(loads, capacities)
    n_slots = len(slot_owner)
    m_idx = np.arange(n_matters)
    # Columns: arcs | slots | z (E→T) | u (lead shortfall) | v (seat shortfall)
    rows = np.concatenate(
        [
            arcs.cand,
            np.where(arcs.lead, e_row + arcs.matter, t_row + arcs.matter),
            slot_owner,
            e_row + m_idx,
            t_row + m_idx,
            e_row + m_idx,
            t_row + m_idx,
        ]
    )
    arc_cols = np.arange(n_arcs)
    z0 = n_arcs + n_slots
    cols = np.concatenate(
        [
            arc_cols,
            arc_cols,
            n_arcs + np.arange(n_slots),
            z0 + m_idx,
            z0 + m_idx,
            z0 + n_matters + m_idx,
            z0 + 2 * n_matters + m_idx,
        ]
    )
    vals = np.concatenate(
        [
            -np.ones(n_arcs),
            np.ones(n_arcs),
            np.ones(n_slots),
            -np.ones(n_matters),
            np.ones(n_matters),
            np.ones(n_matters),
            np.ones(n_matters),
        ]
    )
    n_cols = z0 + 3 * n_matters
    matrix = csc_array((vals, (rows, cols)), shape=(n_rows, n_cols))
    rhs = np.concatenate([np.zeros(n_c), lead_need, seats - lead_need]).astype(float)
    cost = np.concatenate(
        [
            arcs.cost.astype(float),
            slot_cost.astype(float),
            np.zeros(n_matters),
            np.full(n_matters, float(LEAD_SHORTFALL)),
            np.full(n_matters, float(SEAT_SHORTFALL)),
        ]
    )
    upper = np.concatenate(
        [np.ones(n_arcs), np.ones(n_slots), np.full(n_matters, np.inf), lead_need.astype(float), seats.astype(float)]
    )
    bounds = np.stack([np.zeros(n_cols), upper], axis=1)
    result = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=bounds, method=LP_METHOD, options=LP_OPTIONS)
    if result.status != 0 or result.x is None:  # pragma: no cover - always feasible (shortfall columns)
        raise RuntimeError(f"组队求解失败：{result.message}")
    x = np.rint(result.x)
    # A network LP's basic optimum is integral; check rather than trust.
    if np.max(np.abs(result.x - x), initial=0.0) > 1e-6:  # pragma: no cover
        raise RuntimeError("组队求解得到非整数解")
    duals = np.asarray(result.eqlin.marginals, dtype=float)
    row_dual = duals[n_c:]
    # A candidate's dual is only pinned down by its own columns: take the largest value that keeps
    # them dual feasible and complementary (matter duals fixed). The largest makes the pricing of
    # the arcs left out strictest-but-valid, so the optimality check adds as few arcs as it can.
    chosen = x[:n_arcs] > 0.5
    hi = np.full(n_c, np.inf)
    slot_x = x[n_arcs : n_arcs + n_slots] > 0.5
    free = ~slot_x
    np.minimum.at(hi, slot_owner[free], slot_cost[free].astype(float))
    picked_rows = np.where(arcs.lead, e_row + arcs.matter, t_row + arcs.matter)[chosen]
    np.minimum.at(hi, arcs.cand[chosen], duals[picked_rows] - arcs.cost[chosen])
    cand_dual = np.where(np.isfinite(hi), hi, duals[:n_c])
    return _Flow(chosen, round(float(cost @ x)), cand_dual, row_dual)


# How many arcs per matter the first restricted problem keeps (per seat), before pricing the rest.
ARCS_PER_SEAT = 6
DIRECT_LIMIT = 250_000


def _optimal_flow(
    n_matters: int,
    arcs: _Arcs,
    loads: np.ndarray,
    capacities: np.ndarray,
    lead_need: np.ndarray,
    seats: np.ndarray,
) -> tuple[np.ndarray, int, int]:
    """The optimum over all arcs: directly when small, else by pricing (column generation).

    A restricted problem keeps each matter's cheapest arcs; its duals price every arc left out
    (reduced cost = cost + dual(candidate) − dual(matter row)). When no arc prices below zero the
    restricted optimum is optimal for the whole network (LP optimality); otherwise the arcs that do
    are added and the problem is solved again. Returns the mask over ``arcs``, the objective and the
    number of rounds.
    """
    if len(arcs) <= DIRECT_LIMIT:
        flow = _min_cost_flow(n_matters, arcs, loads, capacities, lead_need, seats)
        return flow.chosen, flow.objective, 1
    # A first restricted problem that does not crowd onto the same few people: a greedy pass seats
    # each matter in turn at the current marginal costs; its arcs, and each matter's cheapest arcs
    # priced at the loads the greedy pass ended with, start the pricing.
    greedy_loads = loads.copy()
    active = np.zeros(len(arcs), dtype=bool)
    order = np.argsort(arcs.matter, kind="stable")
    bounds_ = np.searchsorted(arcs.matter[order], np.arange(n_matters + 1))
    for m in range(n_matters):
        seg = order[bounds_[m] : bounds_[m + 1]]
        if not len(seg) or seats[m] <= 0:
            continue
        who = arcs.cand[seg]
        room = greedy_loads[who] < capacities[who]
        seg, who = seg[room], who[room]
        price = arcs.cost[seg] + (100 * (greedy_loads[who] + 1) ** 2) // np.maximum(capacities[who], 1)
        pick = np.argsort(price, kind="stable")[: seats[m]]
        if lead_need[m] and not arcs.lead[seg[pick]].any():
            leads = np.flatnonzero(arcs.lead[seg])
            if len(leads):
                pick = np.append(pick[: max(0, seats[m] - 1)], leads[np.argmin(price[leads])])
        active[seg[pick]] = True
        greedy_loads[who[pick]] += 1
    seat_after = np.minimum(np.maximum(greedy_loads, loads + 1), np.maximum(capacities, 1))
    guess = (100 * seat_after * seat_after) // np.maximum(capacities, 1)
    per_matter = (seats + 1) * ARCS_PER_SEAT
    active |= _cheapest_per_matter(arcs.cost + guess[arcs.cand], arcs.matter, n_matters, per_matter)
    lead_rank = np.where(arcs.lead, arcs.cost + guess[arcs.cand], np.inf)
    active |= _cheapest_per_matter(lead_rank, arcs.matter, n_matters, np.full(n_matters, ARCS_PER_SEAT)) & arcs.lead
    rows = np.where(arcs.lead, arcs.matter, n_matters + arcs.matter)
    rounds = 0
    while True:
        rounds += 1
        which = np.flatnonzero(active)
        flow = _min_cost_flow(n_matters, arcs.take(which), loads, capacities, lead_need, seats)
        reduced = arcs.cost + flow.cand_dual[arcs.cand] - flow.row_dual[rows]
        entering = (~active) & (reduced < -1e-7)
        if not entering.any():
            chosen = np.zeros(len(arcs), dtype=bool)
            chosen[which[flow.chosen]] = True
            return chosen, flow.objective, rounds
        # Partial pricing: the most negative few per matter enter; the next round prices again.
        rank = np.where(entering, reduced, np.inf)
        active |= _cheapest_per_matter(rank, arcs.matter, n_matters, per_matter) & entering


def _cheapest_per_matter(rank: np.ndarray, matter: np.ndarray, n_matters: int, keep: np.ndarray) -> np.ndarray:
    """A mask of each matter's ``keep[m]`` arcs of lowest ``rank``."""
    order = np.lexsort((rank, matter))
    sorted_matter = matter[order]
    starts = np.searchsorted(sorted_matter, np.arange(n_matters))
    position = np.arange(len(order)) - starts[sorted_matter]
    mask = np.zeros(len(matter), dtype=bool)
    mask[order[position < keep[sorted_matter]]] = True
    return mask & np.isfinite(rank)


# --- the solver ---------------------------------------------------------------------------------------------


def solve(
    candidates: Sequence[Candidate],
    matters: Sequence[Matter],
    *,
    mentors: Mapping[int, int] | None = None,
) -> Solution:
    """Propose one team per matter, jointly (shared workload), optimally for the objective above."""
    started = time.perf_counter()
    mentors = mentors or {}
    n = len(candidates)
    n_m = len(matters)
    index = {c.id: i for i, c in enumerate(candidates)}
    loads = np.asarray([c.load for c in candidates], dtype=np.int64)
    capacities = np.asarray([c.capacity for c in candidates], dtype=np.int64)
    town = np.asarray([c.township_id if c.township_id is not None else -1 for c in candidates], dtype=np.int64)
    is_town = town >= 0
    lead = np.asarray([c.lead_eligible for c in candidates], dtype=bool)
    experience = np.asarray([c.experience for c in candidates], dtype=np.int64)
    turns = np.asarray([c.turns for c in candidates], dtype=np.int64)
    base = np.where(lead, 0, NON_LEAD_BASE) + LEAD_EXPERIENCE_STEP * (EXPERT - experience)
    skill_bit: dict[str, int] = {}
    for skill in sorted({s for c in candidates for s in c.skills} | {s for m in matters for s in m.skills}):
        skill_bit[skill] = len(skill_bit)
    if len(skill_bit) > 62:  # pragma: no cover - the product has seven skills
        raise ValueError("专长种类过多")

    def mask_of(skills: Iterable[str]) -> int:
        return sum(1 << skill_bit[s] for s in skills)

    cand_skills = np.asarray([mask_of(c.skills) for c in candidates], dtype=np.int64)
    free = loads < capacities
    mentor_of = np.full(n, -1, dtype=np.int64)
    for mentee, mentor in mentors.items():
        if mentee in index and mentor in index:
            mentor_of[index[mentee]] = index[mentor]
    mentee_idx = np.flatnonzero(mentor_of >= 0)
    everyone = np.arange(n)

    exclusions: list[dict[int, list[str]]] = []
    allowed: list[np.ndarray] = []
    parts: list[_Arcs] = []
    for m, matter in enumerate(matters):
        pool = everyone if matter.pool is None else np.asarray(sorted(index[i] for i in matter.pool if i in index))
        ok = free[pool].copy()
        if matter.mode != SELF_MODE and matter.townships:
            ok &= ~np.isin(town[pool], np.fromiter(matter.townships, dtype=np.int64))
        if matter.blocked:
            blocked = np.fromiter((index[i] for i in matter.blocked if i in index), dtype=np.int64)
            ok &= ~np.isin(pool, blocked)
        excluded: dict[int, list[str]] = {}
        for i in pool[~ok]:
            reasons = exclusion_reasons(candidates[i], matter)
            if reasons:
                excluded[candidates[i].id] = reasons
        exclusions.append(excluded)
        idx = pool[ok]
        allowed.append(idx)
        missing = mask_of(matter.skills) & ~cand_skills[idx]
        cost = base[idx] + SKILL_MISS * np.bitwise_count(missing).astype(np.int64)
        if matter.trainee_seats > 0 and len(mentee_idx):
            may = np.zeros(n, dtype=bool)
            may[idx] = True
            trainable = mentee_idx[may[mentee_idx] & is_town[mentee_idx]]
            bonus = np.zeros(n, dtype=bool)
            bonus[mentor_of[trainable]] = True
            cost = cost - MENTOR_BONUS * bonus[idx]
        parts.append(_Arcs(idx, np.full(len(idx), m, dtype=np.int64), cost, lead[idx]))
    arcs = _Arcs.join(parts)

    # Stage 1: the core teams.
    lead_need = np.asarray([1 if mt.size >= 1 else 0 for mt in matters], dtype=np.int64)
    seats = np.asarray([max(mt.size, 0) for mt in matters], dtype=np.int64)
    chosen, objective, rounds = _optimal_flow(n_m, arcs, loads, capacities, lead_need, seats)
    picked = arcs.take(chosen)
    teams: list[list[int]] = [[] for _ in matters]
    team_cost = [0] * n_m
    for i, m, c in zip(picked.cand.tolist(), picked.matter.tolist(), picked.cost.tolist(), strict=True):
        teams[m].append(i)
        team_cost[m] += c
    new_loads = loads + np.bincount(picked.cand, minlength=n)

    # Stage 2: 以干代训 seats beside a mentor on the team.
    parts2: list[_Arcs] = []
    for m, matter in enumerate(matters):
        if matter.trainee_seats <= 0 or not len(allowed[m]):
            continue
        on_team = np.zeros(n, dtype=bool)
        on_team[teams[m]] = True
        idx = allowed[m]
        mentor = mentor_of[idx]
        fit = is_town[idx] & ~on_team[idx] & (mentor >= 0) & on_team[np.maximum(mentor, 0)]
        idx = idx[fit]
        parts2.append(
            _Arcs(
                idx,
                np.full(len(idx), m, dtype=np.int64),
                TRAINEE_EXPERIENCE_STEP * experience[idx] + TRAINEE_TURN_STEP * turns[idx],
                np.zeros(len(idx), dtype=bool),
            )
        )
    arcs2 = _Arcs.join(parts2)
    trainee_seats = np.asarray([max(mt.trainee_seats, 0) for mt in matters], dtype=np.int64)
    chosen2, trainee_objective, _ = _optimal_flow(
        n_m, arcs2, new_loads, capacities, np.zeros(n_m, dtype=np.int64), trainee_seats
    )
    picked2 = arcs2.take(chosen2)
    trainees: list[list[int]] = [[] for _ in matters]
    for i, m in zip(picked2.cand.tolist(), picked2.matter.tolist(), strict=True):
        trainees[m].append(i)
    new_loads = new_loads + np.bincount(picked2.cand, minlength=n)

    proposals: dict[int, Proposal] = {}
    for m, matter in enumerate(matters):
        members = [candidates[i] for i in teams[m]]
        eligible = [c for c in members if c.lead_eligible]
        chief = min(eligible, key=lambda c: (not c.is_office, -c.experience, c.load, c.id)) if eligible else None
        shortfall: list[str] = []
        if matter.size >= 1 and chief is None:
            shortfall.append("没有符合条件的组长人选（须为纪检监察室干部或业务水平熟练以上）")
        if len(members) < matter.size:
            shortfall.append(f"可用人员不足：需 {matter.size} 人，只能安排 {len(members)} 人")
        if len(trainees[m]) < matter.trainee_seats:
            shortfall.append(
                f"以干代训席位 {matter.trainee_seats} 个，只能安排 {len(trainees[m])} 个"
                "（须为乡镇纪委干部，且其带教人在本组）"
            )
        proposals[matter.id] = Proposal(
            matter_id=matter.id,
            lead_id=chief.id if chief else None,
            member_ids=sorted(c.id for c in members if chief is None or c.id != chief.id),
            trainees=sorted((candidates[i].id, mentors[candidates[i].id]) for i in trainees[m]),
            cost=team_cost[m],
            exclusions=exclusions[m],
            shortfall=shortfall,
        )
    changed = np.flatnonzero(new_loads != loads)
    load_after = {candidates[i].id: int(new_loads[i]) for i in changed.tolist()}
    return Solution(
        proposals=proposals,
        objective=objective,
        trainee_objective=trainee_objective,
        load_after=load_after,
        seconds=time.perf_counter() - started,
        variables=len(arcs) + len(arcs2),
        rounds=rounds,
    )


def check_team(
    matter: Matter,
    candidates: Mapping[int, Candidate],
    *,
    lead_id: int | None,
    member_ids: Iterable[int],
    trainees: Iterable[tuple[int, int]] = (),
    mentors: Mapping[int, int] | None = None,
    extra_load: Mapping[int, int] | None = None,
) -> list[str]:
    """Every hard rule a team (as edited by a person) breaks, as sentences; empty when it is sound.

    ``extra_load``: seats the check should not count against capacity (this team's own, when the
    loads already include them).
    """
    mentors = mentors or {}
    extra_load = extra_load or {}
    problems: list[str] = []
    members = list(member_ids)
    trainee_list = list(trainees)
    everyone = ([lead_id] if lead_id is not None else []) + members + [t for t, _ in trainee_list]
    if len(set(everyone)) != len(everyone):
        problems.append("同一人不能在组内担任两个席位。")
    if lead_id is None:
        problems.append("须确定一名组长。")
    for staff_id in dict.fromkeys(everyone):
        cand = candidates.get(staff_id)
        if cand is None:
            problems.append(f"人员 {staff_id} 不在可选人员范围内。")
            continue
        free = replace(cand, load=cand.load - extra_load.get(staff_id, 0))
        for reason in exclusion_reasons(free, matter):
            problems.append(f"{cand.name}：{reason}")
    if lead_id is not None and lead_id in candidates and not candidates[lead_id].lead_eligible:
        problems.append(f"{candidates[lead_id].name}：组长须为纪检监察室干部或业务水平熟练以上。")
    core = {lead_id, *members}
    for trainee_id, mentor_id in trainee_list:
        cand = candidates.get(trainee_id)
        name = cand.name if cand else str(trainee_id)
        if cand is not None and not cand.is_township_cadre:
            problems.append(f"{name}：以干代训席位只安排乡镇纪委干部。")
        if mentors.get(trainee_id) != mentor_id:
            problems.append(f"{name}：所填带教人不是其一帮二带教人。")
        elif mentor_id not in core:
            problems.append(f"{name}：其带教人不在本组，不能以干代训。")
    return problems
