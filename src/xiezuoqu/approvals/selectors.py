"""Scoped reads of approvals, and the one rule that says who may decide a step.

Who may decide a step (``may_decide_step``, and its queryset twin ``decidable_steps_q``, which looks
up the step rows' ``approver_key`` with the keys the actor holds): an actor holding the step's role
whose place matches the step's unit rule —
- requester_unit / fixed_unit: the step's unit is the actor's home unit or a unit of their roles;
- requester_zone: the step's zone is a zone the actor leads (role 协作区组长) or works in (other roles);
- commission: the actor belongs to the request's commission.
Administrators never decide (三员分立), and nobody decides their own request (the services say so).

Who sees a request (``requests_visible_to`` / ``can_view_request``): its requester; anyone who may
decide one of its steps that has been reached (current or earlier); anyone who decided it; the
commission head, commission leaders and the case-management office of the commission (and of the
commissions below it). Administrators see nothing: approvals carry case matters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import STAFF_ROLES, Role
from xiezuoqu.org.models import StaffMember, Zone, ZoneDeputy

from .matters import UnitRule
from .models import ApprovalChain, ApprovalDecision, ApprovalRequest, ApprovalRequestStep, ApprovalStep
from .workflow import LIVE_STATES, State, StepState

key_for = ApprovalRequestStep.key_for

# Roles that may approve a step: people who work matters (never administrators or supervisors).
APPROVER_ROLES = frozenset(STAFF_ROLES)
# Roles that see every request of their commission.
OVERSIGHT_ROLES = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER})
# Who may (re)configure chains.
# The commission decides its chains (its head); the system administrator only reads them.
CHAIN_CONFIGURERS = frozenset({Role.COMMISSION_HEAD})
CHAIN_READERS = frozenset(STAFF_ROLES | {Role.SYSTEM_ADMIN})
UNIT_BOUND_RULES = (UnitRule.REQUESTER_UNIT, UnitRule.FIXED_UNIT)
NOTHING = Q(pk__in=[])


def actor_unit_ids(actor: Actor) -> frozenset[int]:
    """The units an actor sits in: their home unit and the units their roles are anchored at."""
    units = set(actor.role_unit_ids)
    if actor.home_unit_id is not None:
        units.add(actor.home_unit_id)
    return frozenset(units)


def _is_approver(actor: Actor) -> bool:
    return actor.user_id is not None and not actor.is_admin and bool(actor.roles & APPROVER_ROLES)


# --- who may decide a step -------------------------------------------------------------------------


def matches_step(
    actor: Actor, *, role: str, unit_rule: str, unit_id: int | None, zone_id: int | None, commission_id: int | None
) -> bool:
    """Does the actor hold the step's role, sitting where the step's rule asks? (No self check here.)"""
    if not _is_approver(actor) or role not in actor.roles:
        return False
    if unit_rule in UNIT_BOUND_RULES:
        return unit_id is not None and unit_id in actor.units_for_role(role)
    if unit_rule == UnitRule.REQUESTER_ZONE:
        zones = actor.zones_for_role(role)
        return zone_id is not None and zone_id in zones
    if unit_rule == UnitRule.COMMISSION:
        return commission_id is not None and commission_id == actor.commission_id
    return False


def may_decide_step(actor: Actor, step: ApprovalRequestStep) -> bool:
    return matches_step(
        actor,
        role=step.role,
        unit_rule=step.unit_rule,
        unit_id=step.unit_id,
        zone_id=step.zone_id,
        commission_id=step.commission_id,
    )


def approver_keys(actor: Actor) -> list[str]:
    """The ``approver_key`` values of the steps this actor may decide (see ``matches_step``)."""
    if not _is_approver(actor):
        return []
    keys: list[str] = []
    for role in sorted(actor.roles & APPROVER_ROLES):
        zones = actor.zones_for_role(role)
        units = sorted(actor.units_for_role(role))
        keys += [key_for(role, UnitRule.FIXED_UNIT, unit_id=u, zone_id=None, commission_id=None) for u in units]
        keys += [
            key_for(role, UnitRule.REQUESTER_ZONE, unit_id=None, zone_id=z, commission_id=None) for z in sorted(zones)
        ]
        if actor.commission_id is not None:
            keys.append(
                key_for(role, UnitRule.COMMISSION, unit_id=None, zone_id=None, commission_id=actor.commission_id)
            )
    return keys


def decidable_steps_q(actor: Actor, prefix: str = "") -> Q:
    """The twin of ``matches_step`` as a filter on ``ApprovalRequestStep`` (``prefix`` for a join)."""
    keys = approver_keys(actor)
    return Q(**{f"{prefix}approver_key__in": keys}) if keys else NOTHING


# --- visibility ------------------------------------------------------------------------------------


def requests_visible_to(actor: Actor) -> QuerySet[ApprovalRequest]:
    if actor.user_id is None or actor.is_admin:
        return ApprovalRequest.objects.none()
    oversight = sorted(actor.commission_ids) if actor.roles & OVERSIGHT_ROLES else []
    # One id list from indexed lookups (own requests, reached steps I may decide, decided by me), so the
    # cost follows the actor's own rows and not the size of the table.
    ids = ApprovalRequest.objects.filter(requester_id=actor.user_id).order_by().values("pk")
    mine: list[QuerySet[Any, Any]] = [
        ApprovalDecision.objects.filter(decided_by_id=actor.user_id).order_by().values("request_id")
    ]
    # Commission-wide step keys add nothing for oversight roles, who see those commissions already.
    keys = [k for k in approver_keys(actor) if not any(k.endswith(f"@c:{c}") for c in oversight)]
    if keys:
        reached = ApprovalRequestStep.objects.filter(approver_key__in=keys, reached=True)
        mine.append(reached.order_by().values("request_id"))
    rule = Q(pk__in=ids.union(*mine))
    if oversight:
        rule |= Q(commission_id__in=oversight)
    return ApprovalRequest.objects.filter(rule)


def can_view_request(actor: Actor, approval: ApprovalRequest) -> bool:
    if actor.user_id is None or actor.is_admin:
        return False
    if approval.requester_id == actor.user_id:
        return True
    if actor.roles & OVERSIGHT_ROLES and approval.commission_id in actor.commission_ids:
        return True
    if any(step.reached and may_decide_step(actor, step) for step in approval.step_rows.all()):
        return True
    return approval.decisions.filter(decided_by_id=actor.user_id).exists()


def decisions_visible_to(actor: Actor) -> QuerySet[ApprovalDecision]:
    return ApprovalDecision.objects.filter(request__in=requests_visible_to(actor))


def can_view_decision(actor: Actor, decision: ApprovalDecision) -> bool:
    return can_view_request(actor, decision.request)


def chains_visible_to(actor: Actor) -> QuerySet[ApprovalChain]:
    if not actor.roles & CHAIN_READERS:
        return ApprovalChain.objects.none()
    return ApprovalChain.objects.filter(commission_id__in=sorted(actor.commission_ids))


def can_view_chain(actor: Actor, chain: ApprovalChain) -> bool:
    return bool(actor.roles & CHAIN_READERS) and chain.commission_id in actor.commission_ids


def chain_steps_visible_to(actor: Actor) -> QuerySet[ApprovalStep]:
    return ApprovalStep.objects.filter(chain__in=chains_visible_to(actor))


def can_view_chain_step(actor: Actor, step: ApprovalStep) -> bool:
    return can_view_chain(actor, step.chain)


# Approvals carry case matters (reasons, targets): reading one is recorded.
REQUESTS = register(
    Policy(ApprovalRequest, "审批申请", requests_visible_to, can_view_request, sensitive=True, case_content=True)
)
DECISIONS = register(
    Policy(ApprovalDecision, "审批意见", decisions_visible_to, can_view_decision, sensitive=True, case_content=True)
)
CHAINS = register(Policy(ApprovalChain, "审批链", chains_visible_to, can_view_chain))
CHAIN_STEPS = register(Policy(ApprovalStep, "审批环节", chain_steps_visible_to, can_view_chain_step))


# --- work lists ------------------------------------------------------------------------------------


def _decided_this_round(actor: Actor) -> Exists:
    return Exists(
        ApprovalDecision.objects.filter(request_id=OuterRef("pk"), round=OuterRef("round"), decided_by_id=actor.user_id)
    )


def requests_to_decide(actor: Actor) -> QuerySet[ApprovalRequest]:
    """待我审批: pending requests with an open step the actor may decide, not their own, and not one
    they already decided a step of in this round (one person, one step)."""
    if not _is_approver(actor):
        return ApprovalRequest.objects.none()
    open_steps = ApprovalRequestStep.objects.filter(decidable_steps_q(actor), state=StepState.OPEN)
    return (
        ApprovalRequest.objects.filter(pk__in=open_steps.order_by().values("request_id"), state=State.PENDING)
        .exclude(requester_id=actor.user_id)
        .exclude(_decided_this_round(actor))
    )


def may_decide_now(actor: Actor, approval: ApprovalRequest) -> list[int]:
    """The predicate twin of ``requests_to_decide``: the step indexes the actor may decide now."""
    if approval.state != State.PENDING or approval.requester_id == actor.user_id or not _is_approver(actor):
        return []
    if approval.decisions.filter(round=approval.round, decided_by_id=actor.user_id).exists():
        return []
    return [s.index for s in approval.step_rows.all() if s.state == StepState.OPEN and may_decide_step(actor, s)]


def requests_submitted_by(actor: Actor) -> QuerySet[ApprovalRequest]:
    if actor.user_id is None or actor.is_admin:
        return ApprovalRequest.objects.none()
    return ApprovalRequest.objects.filter(requester_id=actor.user_id)


def requests_decided_by(actor: Actor) -> QuerySet[ApprovalRequest]:
    """经我审批的."""
    if actor.user_id is None or actor.is_admin:
        return ApprovalRequest.objects.none()
    return ApprovalRequest.objects.filter(
        Exists(ApprovalDecision.objects.filter(request_id=OuterRef("pk"), decided_by_id=actor.user_id))
    )


def request_list(qs: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    """What a list row shows, in a fixed number of queries."""
    return qs.select_related("requester", "requester_unit", "zone").order_by("-id")


def request_detail_for(actor: Actor, approval_id: object) -> ApprovalRequest:
    """The funnel for one request with what its page shows (NotFound when missing or out of scope)."""
    qs = requests_visible_to(actor).select_related("requester", "requester_unit", "zone", "chain", "target_type")
    approval = REQUESTS.get_for(actor, approval_id, queryset=qs)
    return approval


def decisions_of(approval: ApprovalRequest) -> list[ApprovalDecision]:
    """The decisions of a request the caller has already fetched through the funnel, every round."""
    return list(approval.decisions.select_related("decided_by").order_by("round", "decided_at", "id"))


def step_rows_of(approval: ApprovalRequest) -> list[ApprovalRequestStep]:
    return list(approval.step_rows.select_related("unit", "zone").order_by("index"))


def live_request_for(*, matter_type: str, target: object) -> ApprovalRequest | None:
    """For other apps' services (not for views): the pending or returned request about an object."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import models

    assert isinstance(target, models.Model)
    return (
        ApprovalRequest.objects.filter(
            matter_type=matter_type,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            state__in=LIVE_STATES,
        )
        .order_by("-id")
        .first()
    )


def active_chain(commission_id: int | None, matter_type: str) -> ApprovalChain | None:
    if commission_id is None:
        return None
    return (
        ApprovalChain.objects.filter(commission_id=commission_id, matter_type=matter_type, is_active=True)
        .prefetch_related("steps")
        .first()
    )


def active_chains_for(actor: Actor) -> list[ApprovalChain]:
    """The chains in use in the actor's own commission, with their steps (2 queries)."""
    return list(
        chains_visible_to(actor)
        .filter(commission_id=actor.commission_id, is_active=True)
        .prefetch_related("steps__fixed_unit")
        .order_by("matter_type")
    )


def chain_history_for(actor: Actor, matter_type: str) -> list[ApprovalChain]:
    return list(
        chains_visible_to(actor)
        .filter(commission_id=actor.commission_id, matter_type=matter_type)
        .select_related("created_by")
        .order_by("-version")
    )


def may_configure_chains(actor: Actor) -> bool:
    return actor.commission_id is not None and bool(actor.roles & CHAIN_CONFIGURERS)


# --- who could decide (for submission checks and for showing approvers) ----------------------------


def eligible_decider_ids(
    step: ApprovalRequestStep, *, exclude_user_id: int | None = None, limit: int = 20
) -> list[int]:
    """Users who may decide ``step`` today, found by the same predicate as everything else.

    Candidates are narrowed with the role records, then each is checked with ``matches_step`` on
    their actor, so this can never disagree with the decision rights themselves.
    """
    candidates = User.objects.filter(is_active=True, commission_id=step.commission_id)
    if step.role == Role.ZONE_LEADER:
        led = Zone.objects.filter(commission_id=step.commission_id, leader__isnull=False)
        if step.unit_rule == UnitRule.REQUESTER_ZONE:
            led = led.filter(pk=step.zone_id)
        candidates = candidates.filter(staff_id__in=led.values("leader_id"))
    elif step.role == Role.ZONE_DEPUTY:
        deputies = ZoneDeputy.objects.filter(zone__commission_id=step.commission_id, end_date__isnull=True)
        candidates = candidates.filter(staff_id__in=deputies.values("staff_id"))
    else:
        candidates = candidates.filter(role_assignments__role=step.role)
    if step.unit_rule in UNIT_BOUND_RULES and step.role not in (Role.ZONE_LEADER, Role.ZONE_DEPUTY):
        at_unit = Q(role_assignments__unit_id=step.unit_id) | Q(
            staff_id__in=StaffMember.objects.filter(home_unit_id=step.unit_id).values("pk")
        )
        candidates = candidates.filter(at_unit)
    if exclude_user_id is not None:
        candidates = candidates.exclude(pk=exclude_user_id)
    found: list[int] = []
    for user in candidates.select_related("staff").distinct().order_by("pk").iterator():
        if may_decide_step(build_actor(user), step):
            found.append(user.pk)
            if len(found) >= limit:
                break
    return found
