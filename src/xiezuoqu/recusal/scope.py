"""The subtraction every scope policy of a matter applies (DESIGN §5: "a scoped query ... minus recusals").

``recused_clue_ids(actor)`` is the one rule: a staff member with an active recusal on a clue loses the
clue and everything hanging from it (reports joined to it, its team, verification, filing, case) on
every page, API call, export and search, at once — the policies read it on every request.
"""

from __future__ import annotations

from django.db.models import QuerySet

from xiezuoqu.access.actor import Actor

from .models import Recusal


def recused_clue_ids(actor: Actor) -> QuerySet[Recusal]:
    """Clue ids (as a subquery) the actor has withdrawn from."""
    if actor.staff_id is None:
        return Recusal.objects.none().values("clue_id")  # type: ignore[return-value]
    return Recusal.objects.filter(staff_id=actor.staff_id, is_active=True).values("clue_id")  # type: ignore[return-value]


def is_recused(actor: Actor, clue_id: int | None) -> bool:
    if actor.staff_id is None or clue_id is None:
        return False
    return Recusal.objects.filter(staff_id=actor.staff_id, clue_id=clue_id, is_active=True).exists()
