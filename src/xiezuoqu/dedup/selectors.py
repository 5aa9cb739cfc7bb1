"""Reading the duplicate decisions of a document.

The caller shows a report or clue it has fetched through that object's own policy; these reads add
the commission floor (the actor's commissions) and keep the three administrators out (三员分立).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import DuplicateLink

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor


def links_for(*, actor: Actor, kind: str, object_id: int, decision: str | None = None) -> QuerySet[DuplicateLink]:
    """Decisions on pairs that involve ``(kind, object_id)``, in either direction, newest first."""
    if actor.is_admin:
        return DuplicateLink.objects.none()
    reach = set(actor.commission_ids) | ({actor.commission_id} if actor.commission_id else set())
    links = DuplicateLink.objects.filter(
        Q(kind=kind, object_id=object_id) | Q(other_kind=kind, other_id=object_id), commission_id__in=reach
    )
    if decision is not None:
        links = links.filter(decision=decision)
    return links.order_by("-decided_at", "-pk")


def confirmed_originals(*, actor: Actor, kind: str, object_id: int) -> list[tuple[str, int]]:
    """The documents this one was confirmed to repeat (重复件 → the earlier report or clue)."""
    return [
        (other_kind, other_id)
        for other_kind, other_id in links_for(actor=actor, kind=kind, object_id=object_id)
        .filter(kind=kind, object_id=object_id, decision=DuplicateLink.Decision.CONFIRMED)
        .values_list("other_kind", "other_id")
    ]
