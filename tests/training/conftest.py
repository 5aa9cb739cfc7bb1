"""Helpers for the training-record tests: a confirmed team of zone 1 with a trainee seated beside their
一帮二 mentor (jianchashi1, who mentors 宝山's xzganbu and a cadre of 白旗), through the teams services."""

from __future__ import annotations

from tests.intake.conftest import demo_actor
from tests.teams.conftest import verifying_clue
from xiezuoqu.accounts.models import User
from xiezuoqu.org.models import MentoringPair, StaffMember
from xiezuoqu.teams import services as teams
from xiezuoqu.teams.models import MemberRole, Team, TeamMember

MENTOR = "jianchashi1"
LEADER = "zuzhang1"


def mentor_staff() -> StaffMember:
    staff = User.objects.get(username=MENTOR).staff
    assert staff is not None
    return staff


def baiqi_trainee() -> StaffMember:
    """The mentor's mentee of 白旗 (the other one is xzganbu of 宝山)."""
    pair = MentoringPair.objects.get(mentor=mentor_staff(), end_date__isnull=True)
    own = User.objects.get(username="xzganbu").staff_id
    return pair.mentee_two if pair.mentee_one_id == own else pair.mentee_one


def confirmed_team() -> Team:
    leader = demo_actor(LEADER)
    clue = verifying_clue()
    team = teams.propose_team(actor=leader, clue_id=clue.pk, mode="joint", size=2)
    return teams.confirm_team(actor=leader, team_id=team.pk)


def trainee_seat(trainee: StaffMember | None = None, *, close: bool = True) -> TeamMember:
    """A trainee seat on a confirmed team beside the mentor; closed (the trainee left) unless told."""
    leader = demo_actor(LEADER)
    team = confirmed_team()
    mentor = mentor_staff()
    trainee = trainee or baiqi_trainee()
    on_team = set(team.members.filter(left_on__isnull=True).values_list("staff_id", flat=True))
    add = [] if mentor.pk in on_team else [teams.MemberInput(mentor.pk, MemberRole.MEMBER)]
    add.append(teams.MemberInput(trainee.pk, MemberRole.TRAINEE, mentor.pk))
    teams.edit_team(actor=leader, team_id=team.pk, reason="以干代训，一帮二带教", add=add)
    if close:
        teams.remove_member(actor=leader, team_id=team.pk, staff_id=trainee.pk, reason="事项阶段性工作结束")
    return TeamMember.objects.get(team=team, staff=trainee)
