"""Reads of teams. ``active_team`` and ``active_member_staff_ids`` are what other apps ask of a team
(verification: who must sign the report; recusal: who must declare; clues: who may see the matter)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Purpose, Team, TeamMember, TeamState


def active_team(clue_id: int, purpose: str = Purpose.VERIFICATION) -> Team | None:
    """The confirmed team of a clue for a purpose, or None."""
    return Team.objects.filter(clue_id=clue_id, purpose=purpose, state=TeamState.CONFIRMED).first()


def active_members(clue_id: int, purpose: str = Purpose.VERIFICATION) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(
        team__clue_id=clue_id, team__purpose=purpose, team__state=TeamState.CONFIRMED, left_on__isnull=True
    ).select_related("staff")


def active_member_staff_ids(clue_id: int, purpose: str | None = None) -> set[int]:
    """Staff on a confirmed team of the clue (any purpose unless one is given), still on it."""
    qs = TeamMember.objects.filter(team__clue_id=clue_id, team__state=TeamState.CONFIRMED, left_on__isnull=True)
    if purpose is not None:
        qs = qs.filter(team__purpose=purpose)
    return set(qs.values_list("staff_id", flat=True))


def clue_ids_on_team_of(staff_id: int) -> QuerySet[TeamMember]:
    """Clue ids (as a subquery) whose confirmed team the staff member is on now."""
    return TeamMember.objects.filter(  # type: ignore[return-value]
        staff_id=staff_id, team__state=TeamState.CONFIRMED, left_on__isnull=True
    ).values("team__clue_id")
