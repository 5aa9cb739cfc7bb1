"""Every write of handling modes and teams: ask for a mode, decide it, propose a team (one clue or a
batch), confirm, edit, dissolve, and a member leaving.

Each is one transaction: lock the clue row (then the team row), check the actor against the scope and
the role rule (``selectors.may_propose`` / ``leads_zone``), check the state table (``workflow``) and
the rules (only clues in 初步核实 get a verification team; every member re-checked against conflicts,
the cross rule and capacity at confirmation and after every edit), write with ``update_fields`` and
record the audit event. The solver (``solver.solve``) is pure; this module feeds it from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue, ClueSubject
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.models import Category
from xiezuoqu.intake.selectors import HANDLER_ROLES, holds_role_at
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import MentoringPair, StaffMember, Unit, Zone
from xiezuoqu.recusal.conflicts import Conflict, conflicts_for_batch

from . import solver
from .models import (
    HandlingMode,
    HandlingRequest,
    JointGround,
    MemberRole,
    Purpose,
    RequestState,
    Team,
    TeamMember,
    TeamState,
)
from .selectors import leads_zone, may_propose, seat_counts, zone_unit_ids
from .workflow import RequestAction, TeamAction, next_request_state, next_team_state

MAX_TEAM_SIZE = 9
MAX_TRAINEE_SEATS = 2  # 一帮二: one mentor, two mentees
MAX_BATCH = 200

# What a clue's problem area asks of the team (专长).
SKILLS_FOR: dict[str, frozenset[str]] = {
    Category.POVERTY: frozenset({StaffMember.Skill.FINANCE, StaffMember.Skill.RURAL}),
    Category.COLLECTIVE_ASSETS: frozenset({StaffMember.Skill.FINANCE, StaffMember.Skill.RURAL}),
    Category.FARM_SUBSIDY: frozenset({StaffMember.Skill.FINANCE, StaffMember.Skill.RURAL}),
    Category.INTEGRITY: frozenset({StaffMember.Skill.FINANCE, StaffMember.Skill.INTERVIEW}),
    Category.EIGHT_RULES: frozenset({StaffMember.Skill.FINANCE}),
}
DEFAULT_SKILLS = frozenset({StaffMember.Skill.INTERVIEW})


@dataclass(frozen=True)
class MemberInput:
    staff_id: int
    role: str = MemberRole.MEMBER
    mentor_id: int | None = None


# --- helpers ---------------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _lock_clue(actor: Actor, clue_id: Any) -> Clue:
    try:
        clue = Clue.objects.select_for_update(of=("self",)).select_related("zone").filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _lock_team(actor: Actor, team_id: Any) -> tuple[Team, Clue]:
    try:
        clue_id = Team.objects.filter(pk=int(team_id)).values_list("clue_id", flat=True).first()
    except (TypeError, ValueError):
        clue_id = None
    if clue_id is None:
        raise NotFound(audit_action="team.viewed", target_type="teams.team", target_id=str(team_id))
    try:
        clue = _lock_clue(actor, clue_id)
    except NotFound:
        raise NotFound(audit_action="team.viewed", target_type="teams.team", target_id=str(team_id)) from None
    team = Team.objects.select_for_update().get(pk=int(team_id))
    return team, clue


def _refuse(message: str, action: str, target: Clue | Team) -> NotPermitted:
    return NotPermitted(message, audit_action=action, target_type=target._meta.label_lower, target_id=str(target.pk))


def _check_leader(actor: Actor, clue: Clue, action: str) -> None:
    if not leads_zone(actor, clue.zone_id):
        raise _refuse("只有该线索所在协作区的组长、副组长可以确定或调整办案组。", action, clue)


def _check_proposer(actor: Actor, clue: Clue) -> None:
    if not may_propose(actor, clue.zone_id):
        raise _refuse("只有所在协作区的组长、副组长和纪检监察室干部可以提出组队方案。", "team.proposed", clue)


def _check_verifying(clue: Clue, purpose: str) -> None:
    if purpose == Purpose.VERIFICATION and clue.state != ClueState.PRELIMINARY_VERIFICATION:
        raise RuleViolation("只有处于“初步核实”阶段的线索可以组建初核组。")
    if purpose == Purpose.INVESTIGATION and clue.state != ClueState.FILED:
        raise RuleViolation("只有已立案的线索可以组建审查调查组。")


def _mode(mode: str) -> str:
    if mode not in HandlingMode.values:
        raise ValidationFailed("请选择办理方式。", field_errors={"mode": ["请选择办理方式。"]})
    return mode


def granted_mode(clue_id: int) -> str | None:
    """The mode the zone leader last granted for the clue, if any."""
    row = (
        HandlingRequest.objects.filter(clue_id=clue_id, state=RequestState.GRANTED)
        .order_by("-decided_at", "-id")
        .values_list("decided_mode", flat=True)
        .first()
    )
    return row or None


def _check_mode_allowed(actor: Actor, clue: Clue, mode: str) -> None:
    """交叉办理 is the zone's norm; 自办, 联合 and 提级 need the zone leader's decision on a request —
    the leader (who decides those requests) may choose them directly."""
    if mode == HandlingMode.CROSS or clue.zone_id in actor.led_zone_ids:
        return
    if granted_mode(clue.pk) != mode:
        label = HandlingMode(mode).label
        raise RuleViolation(f"以“{label}”方式办理须先提出办理方式申请并经协作区组长同意。")


# --- turning the database into the solver's rows -------------------------------------------------------------


def mentor_of_today(staff_ids: Iterable[int] | None = None) -> dict[int, int]:
    """mentee id → mentor id of the 一帮二 pairs in force today."""
    today = timezone.localdate()
    qs = MentoringPair.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)
    if staff_ids is not None:
        ids = list(staff_ids)
        qs = qs.filter(Q(mentor_id__in=ids) | Q(mentee_one_id__in=ids) | Q(mentee_two_id__in=ids))
    pairs = qs.values_list("mentor_id", "mentee_one_id", "mentee_two_id")
    return solver.mentor_map((mentor, (one, two)) for mentor, one, two in pairs)


def pool_staff(clue: Clue, mode: str) -> list[StaffMember]:
    """Whom a team of ``clue`` in ``mode`` draws on.

    自办: the handling unit's own cadres. 交叉办理: the cadres of the zone's township committees (the
    cross rule keeps the subject's own township out). 联合办理: the whole zone — its inspection
    office, dispatched groups and township committees. 提级办理: the commission's inspection offices.
    """
    qs = StaffMember.objects.filter(is_active=True, commission_id=clue.commission_id).select_related("home_unit")
    zone: Zone | None = clue.zone
    if mode == HandlingMode.SELF:
        qs = qs.filter(home_unit_id=clue.handling_unit_id)
    elif mode == HandlingMode.ELEVATED:
        qs = qs.filter(home_unit__kind=Unit.Kind.INSPECTION_OFFICE)
    elif zone is None:
        qs = qs.none()
    elif mode == HandlingMode.CROSS:
        qs = qs.filter(home_unit_id__in=zone_unit_ids(zone), home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE)
    else:
        qs = qs.filter(home_unit_id__in=zone_unit_ids(zone))
    return list(qs.order_by("home_unit__sort_order", "pk"))


def trainee_turns(staff_ids: Iterable[int]) -> dict[int, int]:
    """以干代训 turns this year per staff member: trainee seats on teams that were confirmed (the training
    record counts the same seats)."""
    year = timezone.localdate().year
    seats = TeamMember.objects.filter(
        staff_id__in=list(staff_ids), role=MemberRole.TRAINEE, team__confirmed_at__isnull=False
    ).filter(Q(joined_on__year=year) | Q(joined_on__isnull=True, team__confirmed_at__year=year))
    return dict(seats.values("staff_id").annotate(n=Count("id")).values_list("staff_id", "n"))


def candidate_of(member: StaffMember, load: int, turns: int = 0) -> solver.Candidate:
    unit = member.home_unit
    return solver.Candidate(
        id=member.pk,
        name=member.name,
        unit_id=unit.pk,
        township_id=unit.pk if unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE else None,
        is_office=unit.kind == Unit.Kind.INSPECTION_OFFICE,
        experience=int(member.experience),
        capacity=int(member.capacity),
        load=load,
        skills=frozenset(member.skills or ()),
        turns=turns,
    )


def subject_townships(clue_ids: Iterable[int]) -> dict[int, set[int]]:
    """The cross rule's townships per clue: the clue's own township and its subjects' townships."""
    ids = list(clue_ids)
    found: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, township in Clue.objects.filter(pk__in=ids, township__isnull=False).values_list("pk", "township_id"):
        found[pk].add(township)
    rows = ClueSubject.objects.filter(clue_id__in=ids, subject__township__isnull=False).values_list(
        "clue_id", "subject__township_id"
    )
    for pk, township in rows:
        found[pk].add(township)
    return found


def conflict_reason(conflict: Conflict) -> str:
    if conflict.cross_rule:
        return solver.CROSS_REASON
    return f"{conflict.ground_label}：{conflict.detail}"


def blocked_reasons(conflicts: dict[int, list[Conflict]], mode: str) -> dict[int, tuple[str, ...]]:
    out: dict[int, tuple[str, ...]] = {}
    for staff_id, items in conflicts.items():
        reasons = tuple(dict.fromkeys(conflict_reason(c) for c in items if c.blocks(mode)))
        if reasons:
            out[staff_id] = reasons
    return out


def matter_of(
    clue: Clue,
    *,
    mode: str,
    size: int,
    trainee_seats: int,
    townships: set[int],
    conflicts: dict[int, list[Conflict]],
    pool: Iterable[int],
) -> solver.Matter:
    return solver.Matter(
        id=clue.pk,
        size=size,
        trainee_seats=trainee_seats,
        mode=mode,
        townships=frozenset(townships),
        skills=SKILLS_FOR.get(clue.category, DEFAULT_SKILLS),
        blocked=blocked_reasons(conflicts, mode),
        pool=frozenset(pool),
    )


def _sizes(size: int, trainee_seats: int) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    if not 2 <= size <= MAX_TEAM_SIZE:
        errors["size"] = [f"办案组人数应为 2 至 {MAX_TEAM_SIZE} 人（含组长）。"]
    if not 0 <= trainee_seats <= MAX_TRAINEE_SEATS:
        errors["trainee_seats"] = [f"以干代训席位应为 0 至 {MAX_TRAINEE_SEATS} 个（一帮二）。"]
    if errors:
        raise ValidationFailed("请检查组队参数。", field_errors=errors)
    return size, trainee_seats


def _summary(
    solution: solver.Solution,
    proposal: solver.Proposal,
    staff: dict[int, StaffMember],
    mode: str,
    size: int,
    *,
    pool: list[int],
    loads: dict[int, int],
    turns: dict[int, int] | None = None,
) -> dict[str, Any]:
    exclusions = [
        {
            "staff_id": staff_id,
            "name": staff[staff_id].name if staff_id in staff else str(staff_id),
            "unit": staff[staff_id].home_unit.name if staff_id in staff else "",
            "reasons": reasons,
        }
        for staff_id, reasons in sorted(proposal.exclusions.items())
    ]
    # Those who could have served but were not chosen, with the load the objective weighed.
    turns = turns or {}
    taken = {*proposal.core_ids, *(t for t, _ in proposal.trainees)}
    available = [
        {
            "staff_id": pk,
            "name": staff[pk].name,
            "unit": staff[pk].home_unit.name,
            "load": loads.get(pk, 0),
            "capacity": staff[pk].capacity,
            "training_turns": turns.get(pk, 0),
        }
        for pk in pool
        if pk not in taken and pk not in proposal.exclusions
    ]
    return {
        "mode": mode,
        "size": size,
        "objective": solution.objective,
        "trainee_objective": solution.trainee_objective,
        "team_cost": proposal.cost,
        "batch_size": len(solution.proposals),
        "seconds": round(solution.seconds, 4),
        "exclusions": exclusions,
        "available": available,
        "shortfall": proposal.shortfall,
    }


def _save_proposal(
    actor: Actor,
    clue: Clue,
    purpose: str,
    mode: str,
    proposal: solver.Proposal,
    summary: dict[str, Any],
    staff: dict[int, StaffMember],
    request: HttpRequest | None,
) -> Team:
    next_team_state(None, TeamAction.PROPOSE)
    for old in Team.objects.select_for_update().filter(clue=clue, purpose=purpose, state=TeamState.PROPOSED):
        old.state = next_team_state(old.state, TeamAction.REPLACE_PROPOSAL)
        old.ended_at = timezone.now()
        old.save(update_fields=["state", "ended_at"])
        record_event(actor=actor, action="team.proposal_replaced", target=old, request=request)
    lead_unit_id = _lead_unit_id(clue, mode, staff.get(proposal.lead_id) if proposal.lead_id else None)
    assert actor.user_id is not None
    team = Team.objects.create(
        clue=clue,
        purpose=purpose,
        mode=mode,
        lead_unit_id=lead_unit_id,
        solver_summary=summary,
        proposed_by_id=actor.user_id,
    )
    rows = []
    if proposal.lead_id is not None:
        rows.append(TeamMember(team=team, staff_id=proposal.lead_id, role=MemberRole.LEAD))
    rows += [TeamMember(team=team, staff_id=pk, role=MemberRole.MEMBER) for pk in proposal.member_ids]
    rows += [
        TeamMember(team=team, staff_id=pk, role=MemberRole.TRAINEE, mentor_id=mentor)
        for pk, mentor in proposal.trainees
    ]
    TeamMember.objects.bulk_create(rows)
    record_event(
        actor=actor,
        action="team.proposed",
        target=team,
        changes={"state": [None, TeamState.PROPOSED]},
        detail={
            "mode": mode,
            "lead": proposal.lead_id,
            "members": proposal.member_ids,
            "trainees": proposal.trainees,
            "objective": summary["objective"],
            "excluded": len(summary["exclusions"]),
        },
        request=request,
    )
    return team


def _lead_unit_id(clue: Clue, mode: str, lead: StaffMember | None) -> int:
    """承办主体: the township itself (自办), the lead's township (交叉), the zone's office (联合), the
    lead's office (提级)."""
    if mode == HandlingMode.SELF:
        return clue.handling_unit_id
    if mode == HandlingMode.JOINT and clue.zone is not None and clue.zone.inspection_office_id is not None:
        return clue.zone.inspection_office_id
    if lead is not None:
        return lead.home_unit_id
    return clue.handling_unit_id


# --- handling modes -----------------------------------------------------------------------------------------------


def request_handling_mode(
    *,
    actor: Actor,
    clue_id: Any,
    mode: str,
    grounds: Sequence[str],
    reason: str,
    request: HttpRequest | None = None,
) -> HandlingRequest:
    """A township (the handling unit) or the zone's inspection office asks for another handling mode;
    联合办理 (and 提级) on the seed's five grounds."""
    _mode(mode)
    grounds = list(dict.fromkeys(grounds))
    text = _text(reason)
    errors: dict[str, list[str]] = {}
    if any(g not in JointGround.values for g in grounds):
        errors["grounds"] = ["申请理由类别无效。"]
    elif mode in (HandlingMode.JOINT, HandlingMode.ELEVATED) and not grounds:
        errors["grounds"] = ["请至少选择一项理由（问题严重、情况复杂、自办压力大、需要回避、上级交办）。"]
    if not text:
        errors["reason"] = ["请填写具体理由。"]
    if errors:
        raise ValidationFailed("请检查申请内容。", field_errors=errors)
    with transaction.atomic():
        clue = _lock_clue(actor, clue_id)
        if holds_role_at(actor, clue.handling_unit_id, HANDLER_ROLES):
            unit_id = clue.handling_unit_id
        elif (
            clue.zone is not None
            and clue.zone_id in actor.zones_for_role(Role.INSPECTION_STAFF)
            and clue.zone.inspection_office_id is not None
        ):
            unit_id = clue.zone.inspection_office_id
        else:
            raise _refuse("只有承办乡镇纪委或协作区纪检监察室可以申请办理方式。", "handling_request.submitted", clue)
        if clue.state != ClueState.PRELIMINARY_VERIFICATION:
            raise RuleViolation("只有转入“初步核实”的线索可以申请办理方式。")
        if HandlingRequest.objects.filter(clue=clue, state=RequestState.PENDING).exists():
            raise RuleViolation("该线索已有待组长决定的办理方式申请，请等待决定或先撤回。")
        assert actor.user_id is not None
        row = HandlingRequest.objects.create(
            clue=clue,
            requested_mode=mode,
            grounds=grounds,
            reason=text,
            requesting_unit_id=unit_id,
            requested_by_id=actor.user_id,
            state=next_request_state(None, RequestAction.SUBMIT),
        )
        record_event(
            actor=actor,
            action="handling_request.submitted",
            target=row,
            changes={"state": [None, row.state]},
            detail={"mode": mode, "grounds": grounds},
            request=request,
        )
    return row


def decide_handling_request(
    *,
    actor: Actor,
    request_id: Any,
    grant: bool,
    note: str = "",
    mode: str | None = None,
    request: HttpRequest | None = None,
) -> HandlingRequest:
    """The zone leader of the clue's zone grants (possibly another mode) or refuses the request."""
    text = _text(note)
    if not grant and not text:
        raise ValidationFailed("不同意时请写明意见。", field_errors={"note": ["请填写决定意见。"]})
    try:
        clue_id = HandlingRequest.objects.filter(pk=int(request_id)).values_list("clue_id", flat=True).first()
    except (TypeError, ValueError):
        clue_id = None
    if clue_id is None:
        raise NotFound()
    with transaction.atomic():
        clue = _lock_clue(actor, clue_id)
        row = HandlingRequest.objects.select_for_update().get(pk=int(request_id))
        if clue.zone_id is None or clue.zone_id not in actor.led_zone_ids:
            raise _refuse("办理方式由该线索所在协作区组长决定。", "handling_request.decided", clue)
        before = row.state
        row.state = next_request_state(before, RequestAction.GRANT if grant else RequestAction.REFUSE)
        row.decided_mode = _mode(mode or row.requested_mode) if grant else ""
        assert actor.user_id is not None
        row.decided_by_id = actor.user_id
        row.decided_at = timezone.now()
        row.decision_note = text
        row.save(update_fields=["state", "decided_mode", "decided_by", "decided_at", "decision_note"])
        record_event(
            actor=actor,
            action="handling_request.granted" if grant else "handling_request.refused",
            target=row,
            changes={"state": [before, row.state], "decided_mode": ["", row.decided_mode]},
            detail={"note": text},
            request=request,
        )
    return row


def withdraw_handling_request(*, actor: Actor, request_id: Any, request: HttpRequest | None = None) -> HandlingRequest:
    """The requester withdraws a pending request."""
    row = HandlingRequest.objects.filter(pk=as_key(request_id) if as_key(request_id) is not None else -1).first()
    if row is None:
        raise NotFound()
    with transaction.atomic():
        _lock_clue(actor, row.clue_id)
        row = HandlingRequest.objects.select_for_update().get(pk=row.pk)
        if row.requested_by_id != actor.user_id:
            raise NotPermitted("只有申请人可以撤回申请。")
        before = row.state
        row.state = next_request_state(before, RequestAction.WITHDRAW)
        row.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="handling_request.withdrawn",
            target=row,
            changes={"state": [before, row.state]},
            request=request,
        )
    return row


# --- proposing ----------------------------------------------------------------------------------------------------


@dataclass
class _Solved:
    solution: solver.Solution
    staff: dict[int, StaffMember]
    pools: dict[int, list[int]]
    loads: dict[int, int]
    turns: dict[int, int] = field(default_factory=dict)

    def summary(self, clue: Clue, mode: str, size: int) -> dict[str, Any]:
        return _summary(
            self.solution,
            self.solution.proposals[clue.pk],
            self.staff,
            mode,
            size,
            pool=self.pools[clue.pk],
            loads=self.loads,
            turns=self.turns,
        )


def _solve_for(clues: list[Clue], mode: str, size: int, trainee_seats: int) -> _Solved:
    pools = {clue.pk: pool_staff(clue, mode) for clue in clues}
    staff = {m.pk: m for members in pools.values() for m in members}
    loads = seat_counts(staff)
    turns = trainee_turns(staff) if trainee_seats else {}
    candidates = [candidate_of(m, loads.get(pk, 0), turns.get(pk, 0)) for pk, m in staff.items()]
    conflicts = conflicts_for_batch([c.pk for c in clues], list(staff))
    townships = subject_townships(c.pk for c in clues)
    matters = [
        matter_of(
            clue,
            mode=mode,
            size=size,
            trainee_seats=trainee_seats,
            townships=townships[clue.pk],
            conflicts=conflicts.get(clue.pk, {}),
            pool=[m.pk for m in pools[clue.pk]],
        )
        for clue in clues
    ]
    solution = solver.solve(candidates, matters, mentors=mentor_of_today(staff))
    return _Solved(solution, staff, {pk: [m.pk for m in members] for pk, members in pools.items()}, loads, turns)


def propose_team(
    *,
    actor: Actor,
    clue_id: Any,
    mode: str = HandlingMode.CROSS,
    size: int = 3,
    trainee_seats: int = 0,
    purpose: str = Purpose.VERIFICATION,
    request: HttpRequest | None = None,
) -> Team:
    """Run the solver for one clue and store its proposal (state 拟组建), with the objective and the
    reason each excluded candidate was left out. An earlier proposal of the same purpose is replaced."""
    _mode(mode)
    size, trainee_seats = _sizes(size, trainee_seats)
    if purpose not in Purpose.values:
        raise ValidationFailed("用途无效。", field_errors={"purpose": ["用途无效。"]})
    with transaction.atomic():
        clue = _lock_clue(actor, clue_id)
        _check_proposer(actor, clue)
        _check_verifying(clue, purpose)
        _check_mode_allowed(actor, clue, mode)
        solved = _solve_for([clue], mode, size, trainee_seats)
        proposal = solved.solution.proposals[clue.pk]
        summary = solved.summary(clue, mode, size)
        return _save_proposal(actor, clue, purpose, mode, proposal, summary, solved.staff, request)


def propose_batch(
    *,
    actor: Actor,
    zone_id: Any,
    clue_ids: Sequence[Any],
    mode: str = HandlingMode.CROSS,
    size: int = 3,
    trainee_seats: int = 0,
    request: HttpRequest | None = None,
) -> list[Team]:
    """Teams for a batch of the zone's clues at once: one solve, so the workload is shared out across
    the whole batch. Every clue must be the zone's, in 初步核实, and without a confirmed team."""
    _mode(mode)
    size, trainee_seats = _sizes(size, trainee_seats)
    try:
        ids = sorted({int(pk) for pk in clue_ids})
        zone_pk = int(zone_id)
    except (TypeError, ValueError):
        raise ValidationFailed("请选择线索。", field_errors={"clue_ids": ["线索编号无效。"]}) from None
    if not ids:
        raise ValidationFailed("请至少选择一条线索。", field_errors={"clue_ids": ["请至少选择一条线索。"]})
    if len(ids) > MAX_BATCH:
        raise ValidationFailed(f"一次最多为 {MAX_BATCH} 条线索组队。", field_errors={"clue_ids": ["线索过多。"]})
    with transaction.atomic():
        clues = [_lock_clue(actor, pk) for pk in ids]
        for clue in clues:
            if clue.zone_id != zone_pk:
                raise RuleViolation(f"线索 {clue.ledger_number} 不属于本协作区。")
            _check_proposer(actor, clue)
            _check_verifying(clue, Purpose.VERIFICATION)
            _check_mode_allowed(actor, clue, mode)
            if Team.objects.filter(clue=clue, purpose=Purpose.VERIFICATION, state=TeamState.CONFIRMED).exists():
                raise RuleViolation(f"线索 {clue.ledger_number} 已有确定的初核组。")
        solved = _solve_for(clues, mode, size, trainee_seats)
        solution = solved.solution
        teams = []
        for clue in clues:
            proposal = solution.proposals[clue.pk]
            summary = solved.summary(clue, mode, size)
            teams.append(
                _save_proposal(actor, clue, Purpose.VERIFICATION, mode, proposal, summary, solved.staff, request)
            )
        record_event(
            actor=actor,
            action="team.batch_proposed",
            target_type="org.zone",
            target_id=str(zone_pk),
            detail={"clues": ids, "objective": solution.objective, "seconds": round(solution.seconds, 4)},
            request=request,
        )
    return teams


# --- checking a team against the rules ---------------------------------------------------------------------------


def team_problems(team: Team, *, members: list[TeamMember] | None = None) -> list[str]:
    """Every hard rule the team's active members break today (conflicts, cross rule, capacity, lead,
    mentoring), as sentences for the page; empty when the team is sound."""
    active = members if members is not None else list(team.members.filter(left_on__isnull=True))
    ids = [m.staff_id for m in active]
    staff = {s.pk: s for s in StaffMember.objects.filter(pk__in=ids).select_related("home_unit")}
    problems = [f"{s.name}：已不在岗。" for s in staff.values() if not s.is_active]
    own = {m.staff_id: 1 for m in active} if team.state == TeamState.CONFIRMED else {}
    superseded = Team.objects.filter(clue_id=team.clue_id, purpose=team.purpose, state=TeamState.CONFIRMED).exclude(
        pk=team.pk
    )
    loads = seat_counts(ids, exclude_team_ids=list(superseded.values_list("pk", flat=True)))
    candidates = {pk: candidate_of(s, loads.get(pk, 0)) for pk, s in staff.items()}
    conflicts = conflicts_for_batch([team.clue_id], ids).get(team.clue_id, {})
    matter = solver.Matter(
        id=team.clue_id,
        size=len(active),
        mode=team.mode,
        townships=frozenset(subject_townships([team.clue_id])[team.clue_id]),
        blocked=blocked_reasons(conflicts, team.mode),
    )
    lead = [m.staff_id for m in active if m.role == MemberRole.LEAD]
    problems += solver.check_team(
        matter,
        candidates,
        lead_id=lead[0] if lead else None,
        member_ids=[m.staff_id for m in active if m.role == MemberRole.MEMBER],
        trainees=[(m.staff_id, m.mentor_id or 0) for m in active if m.role == MemberRole.TRAINEE],
        mentors=mentor_of_today(ids),
        extra_load=own,
    )
    if len(lead) > 1:
        problems.append("组长只能有一名。")
    return problems


def _check_sound(team: Team) -> None:
    """Re-check the team under row locks on its members' staff records (in id order, so two teams never
    deadlock): two teams confirmed at once cannot both take a person's last free seat."""
    ids = list(team.members.filter(left_on__isnull=True).values_list("staff_id", flat=True))
    list(StaffMember.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    problems = team_problems(team)
    if problems:
        raise RuleViolation("办案组不符合组队规则：" + "；".join(problems))


# --- confirming, editing, dissolving -----------------------------------------------------------------------------


def confirm_team(*, actor: Actor, team_id: Any, request: HttpRequest | None = None) -> Team:
    """The zone leader or a deputy confirms a proposal: every member is checked again (conflicts, the
    cross rule, capacity, the lead, mentoring) with today's data; a confirmed team of the same purpose
    is superseded (its members leave it today)."""
    with transaction.atomic():
        team, clue = _lock_team(actor, team_id)
        _check_leader(actor, clue, "team.confirmed")
        before = team.state
        after = next_team_state(before, TeamAction.CONFIRM)
        _check_verifying(clue, team.purpose)
        _check_sound(team)
        today = timezone.localdate()
        for old in Team.objects.select_for_update().filter(clue=clue, purpose=team.purpose, state=TeamState.CONFIRMED):
            old.state = next_team_state(old.state, TeamAction.SUPERSEDE)
            old.ended_at = timezone.now()
            old.save(update_fields=["state", "ended_at"])
            old.members.filter(left_on__isnull=True).update(left_on=today, leave_reason="重新组建")
            record_event(
                actor=actor,
                action="team.superseded",
                target=old,
                changes={"state": [TeamState.CONFIRMED, old.state]},
                detail={"by": team.pk},
                request=request,
            )
        team.state = after
        assert actor.user_id is not None
        team.confirmed_by_id = actor.user_id
        team.confirmed_at = timezone.now()
        team.save(update_fields=["state", "confirmed_by", "confirmed_at"])
        team.members.filter(left_on__isnull=True).update(joined_on=today)
        record_event(
            actor=actor,
            action="team.confirmed",
            target=team,
            changes={"state": [before, after]},
            detail={"members": list(team.members.filter(left_on__isnull=True).values_list("staff_id", "role"))},
            request=request,
        )
    return team


def edit_team(
    *,
    actor: Actor,
    team_id: Any,
    reason: str,
    add: Sequence[MemberInput] = (),
    remove: Sequence[int] = (),
    lead_id: int | None = None,
    request: HttpRequest | None = None,
) -> Team:
    """Add, remove or replace members, or change the lead, with a reason; the edited team is checked
    again against every rule and the edit is refused as a whole if it breaks one."""
    text = _text(reason)
    if not text:
        raise ValidationFailed("请填写调整理由。", field_errors={"reason": ["请填写调整理由。"]})
    if not add and not remove and lead_id is None:
        raise ValidationFailed("请说明要增加、移出的人员或新的组长。")
    for item in add:
        if item.role not in MemberRole.values:
            raise ValidationFailed("组内角色无效。", field_errors={"role": ["组内角色无效。"]})
    # An added lead joins as a member and is then made the lead (one active lead at a time).
    added_leads = {item.staff_id for item in add if item.role == MemberRole.LEAD}
    if len(added_leads | ({lead_id} if lead_id is not None else set())) > 1:
        raise ValidationFailed("只能指定一名组长。", field_errors={"lead_id": ["只能指定一名组长。"]})
    if added_leads:
        lead_id = next(iter(added_leads))
        add = [MemberInput(i.staff_id, MemberRole.MEMBER, None) if i.role == MemberRole.LEAD else i for i in add]
    with transaction.atomic():
        team, clue = _lock_team(actor, team_id)
        _check_leader(actor, clue, "team.edited")
        next_team_state(team.state, TeamAction.EDIT)
        today = timezone.localdate()
        confirmed = team.state == TeamState.CONFIRMED
        rows = {m.staff_id: m for m in team.members.select_for_update()}
        changed: dict[str, Any] = {"added": [], "removed": [], "lead": None}
        for staff_id in remove:
            row = rows.get(int(staff_id))
            if row is None or row.left_on is not None:
                raise RuleViolation("要移出的人员不在本组。")
            row.left_on = today
            row.leave_reason = text[:200]
            row.save(update_fields=["left_on", "leave_reason"])
            changed["removed"].append(row.staff_id)
        if lead_id is not None:
            for row in rows.values():
                if row.role == MemberRole.LEAD and row.left_on is None and row.staff_id != lead_id:
                    row.role = MemberRole.MEMBER
                    row.save(update_fields=["role"])
            changed["lead"] = lead_id
        for item in add:
            if not StaffMember.objects.filter(pk=item.staff_id, commission_id=clue.commission_id).exists():
                raise ValidationFailed("所选人员不存在。", field_errors={"staff_id": ["所选人员不存在。"]})
            row = rows.get(item.staff_id)
            if row is not None and row.left_on is None:
                raise RuleViolation("该人员已在本组。")
            mentor = item.mentor_id if item.role == MemberRole.TRAINEE else None
            if row is None:
                row = TeamMember(team=team, staff_id=item.staff_id)
                rows[item.staff_id] = row
            previous_mentor = row.mentor_id if row.pk else None
            row.role, row.mentor_id, row.left_on, row.leave_reason = item.role, mentor, None, ""
            row.joined_on = today if confirmed else None
            row.save()
            changed["added"].append(item.staff_id)
            if mentor is not None or previous_mentor is not None:  # 一帮二 pairing on the team (training record)
                changed.setdefault("mentor", {})[str(item.staff_id)] = [previous_mentor, mentor]
        if lead_id is not None:
            row = rows.get(lead_id)
            if row is None or row.left_on is not None:
                raise RuleViolation("新组长须为本组成员。")
            row.role, row.mentor_id = MemberRole.LEAD, None
            row.save(update_fields=["role", "mentor"])
            # 承办主体 follows the lead (交叉: the lead's township; 提级: the lead's office).
            lead_unit_id = _lead_unit_id(clue, team.mode, StaffMember.objects.get(pk=lead_id))
            if lead_unit_id != team.lead_unit_id:
                changed["lead_unit"] = [team.lead_unit_id, lead_unit_id]
                team.lead_unit_id = lead_unit_id
                team.save(update_fields=["lead_unit"])
        _check_sound(team)
        record_event(
            actor=actor, action="team.edited", target=team, changes=changed, detail={"reason": text}, request=request
        )
    return team


def dissolve_team(*, actor: Actor, team_id: Any, reason: str, request: HttpRequest | None = None) -> Team:
    """Dissolve a proposal or a confirmed team; members leave it today (rows stay on record)."""
    text = _text(reason)
    if not text:
        raise ValidationFailed("请填写解散理由。", field_errors={"reason": ["请填写解散理由。"]})
    with transaction.atomic():
        team, clue = _lock_team(actor, team_id)
        _check_leader(actor, clue, "team.dissolved")
        before = team.state
        team.state = next_team_state(before, TeamAction.DISSOLVE)
        team.ended_at = timezone.now()
        team.save(update_fields=["state", "ended_at"])
        team.members.filter(left_on__isnull=True).update(left_on=timezone.localdate(), leave_reason=text[:200])
        record_event(
            actor=actor,
            action="team.dissolved",
            target=team,
            changes={"state": [before, team.state]},
            detail={"reason": text},
            request=request,
        )
    return team


def remove_member(
    *,
    actor: Actor,
    team_id: Any,
    staff_id: int,
    reason: str,
    left_on: date | None = None,
    request: HttpRequest | None = None,
) -> TeamMember:
    """A member leaves a confirmed team (left_on, reason); the lead is changed by an edit first."""
    text = _text(reason)
    if not text:
        raise ValidationFailed("请填写退出原因。", field_errors={"reason": ["请填写退出原因。"]})
    day = left_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed("退出日期不能晚于今天。", field_errors={"left_on": ["不能晚于今天。"]})
    with transaction.atomic():
        team, clue = _lock_team(actor, team_id)
        _check_leader(actor, clue, "team.member_removed")
        next_team_state(team.state, TeamAction.EDIT)
        row = team.members.select_for_update().filter(staff_id=staff_id, left_on__isnull=True).first()
        if row is None:
            raise RuleViolation("该人员不在本组。")
        if row.role == MemberRole.LEAD:
            raise RuleViolation("组长不能直接退出，请先调整组长。")
        if row.joined_on and day < row.joined_on:
            raise ValidationFailed("退出日期不能早于加入日期。", field_errors={"left_on": ["不能早于加入日期。"]})
        row.left_on = day
        row.leave_reason = text[:200]
        row.save(update_fields=["left_on", "leave_reason"])
        dangling = team.members.filter(left_on__isnull=True, role=MemberRole.TRAINEE, mentor_id=staff_id)
        if dangling.exists():
            raise RuleViolation("该人员是本组以干代训学员的带教人，请先调整学员。")
        record_event(
            actor=actor,
            action="team.member_removed",
            target=team,
            changes={"left_on": [None, day]},
            detail={"staff": staff_id, "reason": text},
            request=request,
        )
    return row
