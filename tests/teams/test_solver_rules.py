"""The solver's proposals never break a hard rule, whatever the zone (property-based, pure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xiezuoqu.teams import solver
from xiezuoqu.teams.solver import Candidate, Matter

TOWNSHIPS = [101, 102, 103, 104]
SKILLS = ["finance", "rural", "interview", "law"]


@st.composite
def zones(
    draw: st.DrawFn, max_staff: int = 14, max_matters: int = 6
) -> tuple[list[Candidate], list[Matter], dict[int, int]]:
    n = draw(st.integers(1, max_staff))
    candidates = []
    for i in range(1, n + 1):
        township = draw(st.sampled_from([None, *TOWNSHIPS]))
        capacity = draw(st.integers(1, 4))
        candidates.append(
            Candidate(
                id=i,
                name=f"干部{i}",
                unit_id=township or 900 + draw(st.integers(0, 2)),
                township_id=township,
                is_office=township is None and draw(st.booleans()),
                experience=draw(st.integers(1, 4)),
                capacity=capacity,
                load=draw(st.integers(0, capacity)),
                skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
            )
        )
    ids = [c.id for c in candidates]
    mentors: dict[int, int] = {}
    for c in candidates:
        if c.township_id is not None and draw(st.booleans()):
            mentor = draw(st.sampled_from(ids))
            if mentor != c.id:
                mentors[c.id] = mentor
    matters = []
    for m in range(1, draw(st.integers(1, max_matters)) + 1):
        blocked_ids = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
        pool = draw(st.one_of(st.none(), st.sets(st.sampled_from(ids), min_size=1)))
        matters.append(
            Matter(
                id=1000 + m,
                size=draw(st.integers(1, 4)),
                trainee_seats=draw(st.integers(0, 2)),
                mode=draw(st.sampled_from(["cross", "cross", "joint", "elevated", "self"])),
                townships=frozenset(draw(st.sets(st.sampled_from(TOWNSHIPS), max_size=2))),
                skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
                blocked={i: ("系被反映人近亲属：申报的配偶系被反映人",) for i in blocked_ids},
                pool=frozenset(pool) if pool is not None else None,
            )
        )
    return candidates, matters, mentors


@settings(max_examples=150, deadline=None)
@given(zones())
def test_proposals_keep_every_hard_rule(zone: tuple[list[Candidate], list[Matter], dict[int, int]]) -> None:
    """Cross rule, conflicts, pool, capacity, one eligible lead, nobody twice, trainees beside their mentor."""
    candidates, matters, mentors = zone
    by_id = {c.id: c for c in candidates}
    solution = solver.solve(candidates, matters, mentors=mentors)
    seats = {c.id: c.load for c in candidates}
    for matter in matters:
        p = solution.proposals[matter.id]
        people = p.core_ids + [t for t, _ in p.trainees]
        assert len(people) == len(set(people)), "nobody sits twice on a team"
        assert len(p.core_ids) <= matter.size and len(p.trainees) <= matter.trainee_seats
        for staff_id in people:
            c = by_id[staff_id]
            if matter.mode != "self":
                assert c.township_id not in matter.townships, "cross rule"
            assert staff_id not in matter.blocked, "conflict"
            assert matter.pool is None or staff_id in matter.pool
            seats[staff_id] += 1
        if p.lead_id is not None:
            assert by_id[p.lead_id].lead_eligible
        else:
            assert not any(by_id[i].lead_eligible for i in p.member_ids)
        for trainee, mentor in p.trainees:
            assert by_id[trainee].township_id is not None
            assert mentors[trainee] == mentor and mentor in p.core_ids
        problems = solver.check_team(
            matter, by_id, lead_id=p.lead_id, member_ids=p.member_ids, trainees=p.trainees, mentors=mentors
        )
        assert problems == ([] if p.lead_id is not None else ["须确定一名组长。"]), "the edit check agrees"
    for c in candidates:
        assert seats[c.id] <= max(c.capacity, c.load), "capacity"
        assert solution.load_after.get(c.id, c.load) == seats[c.id]


def test_exclusions_say_why_in_chinese() -> None:
    """Each excluded candidate carries its reasons: the cross rule, the conflict, the full workload."""
    candidates = [
        Candidate(1, "甲", 101, township_id=101, experience=4),
        Candidate(2, "乙", 900, is_office=True, experience=3),
        Candidate(3, "丙", 900, is_office=True, capacity=3, load=3),
        Candidate(4, "丁", 102, township_id=102, experience=2),
        Candidate(5, "戊", 103, township_id=103, experience=3),
    ]
    matter = Matter(
        1, size=2, townships=frozenset({101}), blocked={4: ("系被反映人近亲属：申报的配偶张某某系被反映人",)}
    )
    proposal = solver.solve(candidates, [matter]).proposals[1]
    assert proposal.exclusions == {
        1: ["与被反映人同一乡镇（交叉办理规则）"],
        3: ["已达承办上限 3 件"],
        4: ["系被反映人近亲属：申报的配偶张某某系被反映人"],
    }
    assert proposal.lead_id == 2 and proposal.member_ids == [5]
    assert proposal.shortfall == []


def test_self_handling_lifts_only_the_cross_rule() -> None:
    """自办: the township's own cadres may work it; a conflict still keeps one off."""
    candidates = [Candidate(1, "甲", 101, township_id=101, experience=4), Candidate(2, "乙", 101, township_id=101)]
    matter = Matter(1, size=2, mode="self", townships=frozenset({101}), blocked={2: ("系本案证人",)})
    proposal = solver.solve(candidates, [matter]).proposals[1]
    assert proposal.lead_id == 1 and proposal.member_ids == []
    assert proposal.exclusions == {2: ["系本案证人"]}
    assert "可用人员不足：需 2 人，只能安排 1 人" in proposal.shortfall


def test_no_eligible_lead_is_reported_not_invented() -> None:
    candidates = [Candidate(1, "甲", 101, township_id=101, experience=2), Candidate(2, "乙", 102, township_id=102)]
    proposal = solver.solve(candidates, [Matter(1, size=2)]).proposals[1]
    assert proposal.lead_id is None
    assert proposal.shortfall[0].startswith("没有符合条件的组长人选")


def test_trainee_sits_beside_their_mentor() -> None:
    """以干代训: a township cadre joins only the team their mentor is on (一帮二)."""
    candidates = [
        Candidate(1, "带教", 900, is_office=True, experience=4),
        Candidate(2, "组员", 102, township_id=102, experience=3),
        Candidate(3, "学员一", 103, township_id=103, experience=1),
        Candidate(4, "学员二", 104, township_id=104, experience=1),
        Candidate(5, "他人学员", 104, township_id=104, experience=1),
    ]
    mentors = {3: 1, 4: 1, 5: 99}
    proposal = solver.solve(candidates, [Matter(1, size=2, trainee_seats=2)], mentors=mentors).proposals[1]
    assert 1 in proposal.core_ids
    assert proposal.trainees == [(3, 1), (4, 1)]
