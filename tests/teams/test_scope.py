"""Handling requests, teams and members are seen exactly by whoever sees their clue (scope and
predicate agree for every demo login), never by the three administrators."""

from __future__ import annotations

import pytest

from tests.teams.conftest import demo_actor, verifying_clue
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.clues.selectors import clues_visible_to
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.errors import NotFound
from xiezuoqu.teams import selectors, services
from xiezuoqu.teams.models import HandlingMode, HandlingRequest, Team, TeamMember

pytestmark = pytest.mark.django_db


def _some_teams() -> Team:
    clue = verifying_clue()
    services.request_handling_mode(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.JOINT, grounds=["serious"], reason="严重"
    )
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, size=3)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    return team


def test_scope_and_predicate_agree_for_every_login(demo) -> None:
    _some_teams()
    for username, _, _ in DEMO_LOGINS:
        actor = demo.actor(username)
        clues = set(clues_visible_to(actor).values_list("pk", flat=True))
        for model in (HandlingRequest, Team, TeamMember):
            policy = POLICIES[model]
            scoped = set(policy.scope(actor).values_list("pk", flat=True))
            predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
            assert scoped == predicate, f"{username} × {model.__name__}"
        teams = set(selectors.teams_visible_to(actor).values_list("clue_id", flat=True))
        assert teams <= clues


def test_funnel_gives_404_outside_the_scope(demo) -> None:
    team = _some_teams()
    assert selectors.get_team_for(demo_actor("zuzhang1"), team.pk) == team
    for username in ("xzshuji2", "xitong", "anquan", "shenji", "jianduyuan"):
        with pytest.raises(NotFound):
            selectors.get_team_for(demo_actor(username), team.pk)
    for admin in ("xitong", "anquan", "shenji"):
        assert not selectors.teams_visible_to(demo_actor(admin)).exists()
        assert not selectors.handling_requests_visible_to(demo_actor(admin)).exists()
