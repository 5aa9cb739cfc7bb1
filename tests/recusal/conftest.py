"""Helpers for the recusal tests: a 宝山镇 clue about a village cadre, reported by a real-name reporter."""

from __future__ import annotations

from datetime import date

from tests.clues.conftest import BAOSHAN, open_from_reports, with_subject
from tests.intake.conftest import REAL_NAME, demo_actor, register, unit_named
from xiezuoqu.clues.models import Clue
from xiezuoqu.intake import services as intake
from xiezuoqu.org.models import DeclaredRelationship, StaffMember
from xiezuoqu.teams.models import HandlingMode, MemberRole, Team, TeamMember, TeamState

SUBJECT = "赵德胜"


def staff_of(username: str) -> StaffMember:
    actor = demo_actor(username)
    assert actor.staff_id is not None
    return StaffMember.objects.get(pk=actor.staff_id)


def baoshan_clue() -> Clue:
    """An accepted real-name report (李举报) about 赵德胜 of 宝山镇, opened as a clue by 宝山镇纪委."""
    report = register(is_real_name=True, identity=REAL_NAME)
    intake.accept_report(
        actor=demo_actor("xinfang"), report_id=report.pk, reason="属本机关管辖", handling_unit_id=unit_named(BAOSHAN).pk
    )
    report.refresh_from_db()
    clue = open_from_reports(report)
    return with_subject(clue, name=SUBJECT, township_id=unit_named(BAOSHAN).pk)


def declare(staff: StaffMember, kind: str, **kw: object) -> DeclaredRelationship:
    return DeclaredRelationship.objects.create(staff=staff, kind=kind, declared_on=date(2026, 1, 5), **kw)


def team_of(clue: Clue, *usernames: str, state: str = TeamState.CONFIRMED) -> Team:
    """A team on the clue (made directly: team formation has its own tests)."""
    lead = demo_actor("zuzhang1")
    assert lead.user_id is not None
    team = Team.objects.create(
        clue=clue, mode=HandlingMode.CROSS, lead_unit=unit_named(BAOSHAN), state=state, proposed_by_id=lead.user_id
    )
    for i, username in enumerate(usernames):
        TeamMember.objects.create(
            team=team, staff=staff_of(username), role=MemberRole.LEAD if i == 0 else MemberRole.MEMBER
        )
    return team
