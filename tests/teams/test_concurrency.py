"""Two teams confirmed at the same moment cannot both take a person's last free seat (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.teams.conftest import demo_actor, verifying_clue
from xiezuoqu.errors import RuleViolation
from xiezuoqu.org.models import StaffMember
from xiezuoqu.teams import selectors, services
from xiezuoqu.teams.models import MemberRole, Team, TeamMember, TeamState


@pytest.mark.django_db(transaction=True)
def test_two_racing_confirmations_cannot_both_take_the_last_seat(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every write anyway")
    clues = [verifying_clue(), verifying_clue(township="白旗镇纪委")]
    teams = [services.propose_team(actor=demo_actor("zuzhang1"), clue_id=c.pk, size=2) for c in clues]
    # One cadre (not of either clue's township) on both proposals, with exactly one free seat.
    person = (
        StaffMember.objects.filter(home_unit__name="草河街道纪工委", is_active=True).order_by("pk").first()
        or StaffMember.objects.filter(home_unit__kind="inspection_office", is_active=True).order_by("pk").first()
    )
    assert person is not None
    for team in teams:
        TeamMember.objects.filter(team=team, staff=person).delete()
        TeamMember.objects.create(team=team, staff=person, role=MemberRole.MEMBER)
    StaffMember.objects.filter(pk=person.pk).update(capacity=selectors.seat_counts([person.pk]).get(person.pk, 0) + 1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm(team: Team) -> None:
        try:
            barrier.wait()
            services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
            outcomes.append("confirmed")
        except RuleViolation:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(t,)) for t in teams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["confirmed", "refused"]
    assert Team.objects.filter(pk__in=[t.pk for t in teams], state=TeamState.CONFIRMED).count() == 1
