"""Reads of recusals: the scope policies of the recusal records, and the pages' and API's queries.

The subtraction every other policy applies lives in ``scope.py`` (imported by the clue and report
selectors, which this module builds on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to
from xiezuoqu.org.models import StaffMember, Zone
from xiezuoqu.org.selectors import current_member_unit_ids

from .models import ConflictOverride, DemandState, Intervention, Recusal, RecusalDeclaration, RecusalDemand
from .scope import is_recused, recused_clue_ids

__all__ = ["is_recused", "recused_clue_ids", "unsigned_member_ids"]

M = TypeVar("M", bound=models.Model)


def unsigned_member_ids(clue_id: int, staff_ids: Iterable[int]) -> set[int]:
    """Of these team members, who has not yet signed the matter's 回避声明."""
    ids = set(staff_ids)
    signed = set(
        RecusalDeclaration.objects.filter(clue_id=clue_id, staff_id__in=ids).values_list("staff_id", flat=True)
    )
    return ids - signed


# --- scope policies: everything here hangs from a clue, and is seen by whoever sees the clue ----------------


def _through_clue(model: type[M]) -> Callable[[Actor], QuerySet[M]]:
    def scope(actor: Actor) -> QuerySet[M]:
        return model._default_manager.filter(clue__in=clues_visible_to(actor))

    return scope


def _clue_predicate(actor: Actor, obj: Any) -> bool:
    return can_view_clue(actor, obj.clue)


RECUSALS = register(Policy(Recusal, "回避", _through_clue(Recusal), _clue_predicate, case_content=True))
DEMANDS = register(Policy(RecusalDemand, "回避申请", _through_clue(RecusalDemand), _clue_predicate, case_content=True))
DECLARATIONS = register(
    Policy(RecusalDeclaration, "回避声明", _through_clue(RecusalDeclaration), _clue_predicate, case_content=True)
)
OVERRIDES = register(
    Policy(ConflictOverride, "回避冲突例外", _through_clue(ConflictOverride), _clue_predicate, case_content=True)
)
# Who asked about a case, and how, is itself sensitive: every reading is on record.
INTERVENTIONS = register(
    Policy(Intervention, "干预登记", _through_clue(Intervention), _clue_predicate, sensitive=True, case_content=True)
)


def pending_demands_for_head(actor: Actor) -> QuerySet[RecusalDemand]:
    """The demands this commission head decides: the commission's, and those about the head of a commission below."""
    if not actor.has(Role.COMMISSION_HEAD) or actor.is_admin or actor.commission_id is None:
        return RecusalDemand.objects.none()
    return (
        DEMANDS.scope(actor)
        .filter(state=DemandState.PENDING, clue__commission_id__in=actor.commission_ids)
        .select_related("clue", "staff")
        .order_by("received_on", "id")
    )


@dataclass
class MatterRecusal:
    """Everything about recusal on one matter, for its page and its API."""

    clue: Clue
    recusals: list[Recusal]
    demands: list[RecusalDemand]
    declarations: list[RecusalDeclaration]
    overrides: list[ConflictOverride]
    interventions: list[Intervention]


def matter_recusal(actor: Actor, clue: Clue, *, request: HttpRequest | None = None) -> MatterRecusal:
    """The recusal page of a clue the actor can see; reading the intervention register is recorded."""
    interventions = list(INTERVENTIONS.scope(actor).filter(clue=clue).select_related("received_by", "recorded_by"))
    if interventions:
        record_event(
            actor=actor,
            action="intervention.viewed",
            target=clue,
            detail={"count": len(interventions)},
            request=request,
        )
    return MatterRecusal(
        clue=clue,
        recusals=list(RECUSALS.scope(actor).filter(clue=clue).select_related("staff", "decided_by", "lifted_by")),
        demands=list(DEMANDS.scope(actor).filter(clue=clue).select_related("staff", "decided_by", "recorded_by")),
        declarations=list(DECLARATIONS.scope(actor).filter(clue=clue).select_related("staff")),
        overrides=list(OVERRIDES.scope(actor).filter(clue=clue).select_related("staff", "approval")),
        interventions=interventions,
    )


def interventions_register(actor: Actor) -> QuerySet[Intervention]:
    """干预登记台账 over every matter the actor can see."""
    return INTERVENTIONS.scope(actor).select_related("clue", "received_by").order_by("-occurred_at", "-id")


def pool_for(clue: Clue) -> list[StaffMember]:
    """The zone's pool for a matter: active staff of the zone's member units and of its inspection office."""
    units: set[int] = set()
    if clue.zone_id is not None:
        units = current_member_unit_ids([clue.zone_id])
        office = Zone.objects.filter(pk=clue.zone_id).values_list("inspection_office_id", flat=True).first()
        if office:
            units.add(office)
    units.add(clue.handling_unit_id)
    return list(
        StaffMember.objects.filter(home_unit_id__in=units, is_active=True)
        .select_related("home_unit")
        .order_by("home_unit__sort_order", "id")
    )
