"""Scoped reads of filing proposals.

A proposal is seen by whoever sees its clue (``clues_visible_to``: the team, the handling unit, the
zone, the commission's readers, minus recusals and the subject's own matters) and, once the zone has
agreed, by the authorised users of its competent body (the township 纪委 secretary for the party
committee, the dispatched group's leaders) — who decide it — unless they are its subject or withdrawn
from its clue.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_view
from xiezuoqu.cases.models import BodyKind
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to
from xiezuoqu.intake.selectors import holds_role_at

from .models import FilingProposal
from .workflow import State

# Positions in a dispatched group whose holders record the group's filing decision (组长、副组长).
DISPATCHED_GROUP_SIGNERS = frozenset({"组长", "副组长"})
# The commission's own decision is recorded by its head or the leader in charge.
COMMISSION_DECIDERS = (Role.COMMISSION_HEAD, Role.COMMISSION_LEADER)
BODY_STATES = frozenset({State.ZONE_AGREED, State.BODY_FILED, State.BODY_DECLINED})


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


def _position(actor: Actor) -> str:
    from xiezuoqu.org.models import StaffMember

    if actor.staff_id is None:
        return ""
    return StaffMember.objects.filter(pk=actor.staff_id).values_list("position", flat=True).first() or ""


def decider_unit_ids(actor: Actor) -> frozenset[int]:
    """Units for which this actor records a competent body's decision."""
    units = set(actor.units_for_role(Role.TOWNSHIP_SECRETARY)) if actor.has(Role.TOWNSHIP_SECRETARY) else set()
    if actor.has(Role.DISPATCHED_STAFF) and _position(actor) in DISPATCHED_GROUP_SIGNERS:
        units |= actor.units_for_role(Role.DISPATCHED_STAFF)
    return frozenset(units)


def _withdrawn_clue_ids(actor: Actor) -> QuerySet[Any]:
    from xiezuoqu.recusal.models import Recusal

    return Recusal.objects.filter(staff_id=actor.staff_id, is_active=True).values("clue_id")


def proposals_visible_to(actor: Actor) -> QuerySet[FilingProposal]:
    qs = FilingProposal.objects.all()
    if _excluded(actor):
        return qs.none()
    rule = Q(clue__in=clues_visible_to(actor))
    deciding = decider_unit_ids(actor)
    if deciding:
        body = Q(decider_unit_id__in=deciding, state__in=sorted(BODY_STATES), commission_id__in=actor.commission_ids)
        if actor.staff_id is not None:
            body &= ~Q(subject__staff_id=actor.staff_id) & ~Q(clue_id__in=_withdrawn_clue_ids(actor))
        rule |= body
    return qs.filter(rule)


def can_view_proposal(actor: Actor, proposal: FilingProposal) -> bool:
    if _excluded(actor):
        return False
    if can_view_clue(actor, proposal.clue):
        return True
    if proposal.decider_unit_id not in decider_unit_ids(actor) or proposal.state not in BODY_STATES:
        return False
    if proposal.commission_id not in actor.commission_ids:
        return False
    if actor.staff_id is not None:
        if proposal.subject.staff_id == actor.staff_id:
            return False
        if _withdrawn_clue_ids(actor).filter(clue_id=proposal.clue_id).exists():
            return False
    return True


PROPOSALS = register(
    Policy(FilingProposal, "立案审查呈批", proposals_visible_to, can_view_proposal, sensitive=True, case_content=True)
)


def get_proposal_for(actor: Actor, proposal_id: Any) -> FilingProposal:
    queryset = proposals_visible_to(actor).select_related(
        "clue", "subject", "zone", "commission", "body_unit", "zone_resolution"
    )
    return PROPOSALS.get_for(actor, proposal_id, queryset=queryset)


def view_proposal(actor: Actor, proposal_id: Any, *, request: HttpRequest | None = None) -> FilingProposal:
    proposal = get_proposal_for(actor, proposal_id)
    record_view(actor=actor, target=proposal, request=request)
    return proposal


def may_decide_as_body(actor: Actor, proposal: FilingProposal) -> bool:
    """The competent body's authorised user: for a township party committee, the secretary of the
    township's 纪委 (which files with its party committee); for a dispatched group, its 组长 or 副组长;
    for the commission, its head or the leader in charge."""
    if _excluded(actor) or proposal.commission_id != actor.commission_id:
        return False
    if proposal.body_kind == BodyKind.COMMISSION:
        return actor.has(*COMMISSION_DECIDERS)
    if proposal.body_kind == BodyKind.PARTY_COMMITTEE:
        return holds_role_at(actor, proposal.decider_unit_id, [Role.TOWNSHIP_SECRETARY])
    return (
        holds_role_at(actor, proposal.decider_unit_id, [Role.DISPATCHED_STAFF])
        and _position(actor) in DISPATCHED_GROUP_SIGNERS
    )


def proposal_list(
    actor: Actor, *, state: str = "", before: int | None = None, limit: int = 50
) -> tuple[list[FilingProposal], int | None]:
    qs = proposals_visible_to(actor)
    if state:
        qs = qs.filter(state=state)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.select_related("clue", "subject", "zone", "zone_resolution").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)
