"""Scoped reads of clearings and 诬告陷害 flags: whoever sees the clue sees them (recusals included)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to

from .models import Clearing, FalseAccusationFlag


def clearings_visible_to(actor: Actor) -> QuerySet[Clearing]:
    return Clearing.objects.filter(clue__in=clues_visible_to(actor))


def can_view_clearing(actor: Actor, clearing: Clearing) -> bool:
    return can_view_clue(actor, clearing.clue)


def flags_visible_to(actor: Actor) -> QuerySet[FalseAccusationFlag]:
    return FalseAccusationFlag.objects.filter(clue__in=clues_visible_to(actor))


def can_view_flag(actor: Actor, flag: FalseAccusationFlag) -> bool:
    return can_view_clue(actor, flag.clue)


CLEARINGS = register(Policy(Clearing, "澄清正名", clearings_visible_to, can_view_clearing, case_content=True))
FLAGS = register(Policy(FalseAccusationFlag, "疑似诬告陷害标注", flags_visible_to, can_view_flag, case_content=True))


def get_clearing_for(actor: Actor, clearing_id: Any) -> Clearing:
    return CLEARINGS.get_for(
        actor, clearing_id, queryset=clearings_visible_to(actor).select_related("clue", "subject", "commission")
    )


def clearing_list(actor: Actor, *, limit: int = 200) -> list[Clearing]:
    return list(
        clearings_visible_to(actor)
        .select_related("clue", "subject", "approval")
        .order_by("-proposed_at", "-id")[:limit]
    )


def flag_list(actor: Actor, *, limit: int = 200) -> list[FalseAccusationFlag]:
    return list(flags_visible_to(actor).select_related("clue").order_by("-flagged_at", "-id")[:limit])
