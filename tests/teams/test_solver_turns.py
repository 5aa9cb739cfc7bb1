"""Team formation uses the training record: of a mentor's mentees, the one with fewer 以干代训 turns this
year takes the trainee seat (the objective says so, and stays the exact optimum)."""

from __future__ import annotations

import pytest

from tests.intake.conftest import demo_actor
from tests.teams.conftest import verifying_clue
from tests.training.conftest import LEADER, baiqi_trainee, mentor_staff, trainee_seat
from xiezuoqu.teams import services, solver
from xiezuoqu.teams.solver import Candidate, Matter


def _mentor_and_mentees(turns_one: int, turns_two: int) -> list[Candidate]:
    return [
        Candidate(1, "带教", 900, is_office=True, experience=4),
        Candidate(2, "组员", 102, township_id=102, experience=3),
        Candidate(3, "学员一", 103, township_id=103, experience=1, turns=turns_one),
        Candidate(4, "学员二", 104, township_id=104, experience=1, turns=turns_two),
    ]


@pytest.mark.parametrize(("one", "two", "expected"), [(2, 0, 4), (0, 2, 3), (1, 1, 3)])
def test_the_mentee_with_fewer_turns_trains_first(one: int, two: int, expected: int) -> None:
    candidates = _mentor_and_mentees(one, two)
    solution = solver.solve(candidates, [Matter(1, size=2, trainee_seats=1)], mentors={3: 1, 4: 1})
    assert solution.proposals[1].trainees == [(expected, 1)]
    chosen = next(c for c in candidates if c.id == expected)
    assert solution.trainee_objective == solver.trainee_cost(chosen) + solver.marginal_cost(1, chosen.capacity)


def test_turns_weigh_less_than_experience() -> None:
    candidates = _mentor_and_mentees(3, 0)
    candidates[3] = Candidate(4, "学员二", 104, township_id=104, experience=3, turns=0)
    solution = solver.solve(candidates, [Matter(1, size=2, trainee_seats=1)], mentors={3: 1, 4: 1})
    assert solution.proposals[1].trainees == [(3, 1)]  # 10 + 15 < 30


@pytest.mark.django_db
def test_the_turns_of_the_year_are_read_from_the_confirmed_teams_and_shown(demo):
    trainee = baiqi_trainee()
    assert services.trainee_turns([trainee.pk]) == {}
    trainee_seat()
    assert services.trainee_turns([trainee.pk, mentor_staff().pk]) == {trainee.pk: 1}
    clue = verifying_clue()
    team = services.propose_team(actor=demo_actor(LEADER), clue_id=clue.pk, mode="joint", size=3, trainee_seats=1)
    available = {row["staff_id"]: row for row in team.solver_summary["available"]}
    if trainee.pk in available:
        assert available[trainee.pk]["training_turns"] == 1
