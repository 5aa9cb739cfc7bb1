"""Every write of recusal (回避) and of the intervention register (干预登记).

Rules (监督执纪工作规则 第五十条、第五十一条; 监察法 第六十七条; DESIGN §3 "Recusal"):
- a worker who is a close relative of the subject or of the reporter, was a witness, has a personal or
  family interest, or has another tie that may affect fairness must withdraw; the subject or the
  reporter may demand it;
- the commission head decides for staff, the higher commission for the head;
- an exception to a conflict found in the data needs the head's approval and a reason, and stays on
  record (approval matter ``recusal.override``);
- every enquiry or plea about a matter is registered.

A recusal takes the person off the matter's teams and out of every scope at once (the clue and report
policies subtract active recusals on each request).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import RECUSAL_OVERRIDE, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue, may_work, zone_worker
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import StaffMember
from xiezuoqu.teams.models import TeamMember, TeamState

from .conflicts import conflicts_for
from .models import (
    ConflictOverride,
    DemandBy,
    DemandState,
    Ground,
    Intervention,
    InterventionChannel,
    InterventionKind,
    OverrideState,
    Recusal,
    RecusalDeclaration,
    RecusalDemand,
    RecusalSource,
)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    return text


def _choice(value: str, choices: Any, field_name: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(f"请选择{label}。", field_errors={field_name: [f"请选择{label}。"]})
    return value


def _clue(actor: Actor, clue_id: Any, *, lock: bool = False) -> Clue:
    """The clue through its view predicate (404 when out of reach, recused included)."""
    try:
        qs = Clue.objects.select_for_update() if lock else Clue.objects.all()
        clue = qs.filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _staff(clue: Clue, staff_id: Any) -> StaffMember:
    try:
        staff = StaffMember.objects.filter(pk=int(staff_id), commission_id=clue.commission_id).first()
    except (TypeError, ValueError):
        staff = None
    if staff is None:
        raise ValidationFailed("所选人员不存在或不属于本纪委监委。", field_errors={"staff": ["请重新选择人员。"]})
    return staff


def is_commission_head_for(actor: Actor, clue: Clue, staff: StaffMember | None = None) -> bool:
    """The head decides for staff; for the head themself, the head of the higher commission does."""
    if not actor.has(Role.COMMISSION_HEAD) or actor.is_admin:
        return False
    target_is_head = staff is not None and _is_head_of(staff, clue.commission_id)
    if target_is_head:
        parent = clue.commission.parent_id
        return parent is not None and actor.commission_id == parent
    return actor.commission_id == clue.commission_id


def _is_head_of(staff: StaffMember, commission_id: int) -> bool:
    from xiezuoqu.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(
        user__staff=staff, role=Role.COMMISSION_HEAD, user__commission_id=commission_id, user__is_active=True
    ).exists()


def _leave_teams(clue: Clue, staff: StaffMember, today: date) -> int:
    """A recused person is off the matter's live teams from today (rows kept, marked 回避)."""
    return TeamMember.objects.filter(
        team__clue=clue,
        team__state__in=[TeamState.PROPOSED, TeamState.CONFIRMED],
        staff=staff,
        left_on__isnull=True,
    ).update(left_on=today, leave_reason="回避")


def _recuse(
    *,
    actor: Actor,
    clue: Clue,
    staff: StaffMember,
    ground: str,
    source: str,
    detail: str,
    request: HttpRequest | None,
) -> Recusal:
    assert actor.user_id is not None
    if Recusal.objects.filter(clue=clue, staff=staff, is_active=True).exists():
        raise RuleViolation(f"{staff.name}已在本线索回避，无需重复决定。")
    recusal = Recusal.objects.create(
        clue=clue, staff=staff, ground=ground, source=source, detail=detail, decided_by_id=actor.user_id
    )
    left = _leave_teams(clue, staff, timezone.localdate())
    record_event(
        actor=actor,
        action="recusal.recorded",
        target=recusal,
        changes={"staff": [None, staff.pk], "ground": [None, ground], "source": [None, source]},
        detail={"clue": clue.ledger_number, "left_teams": left},
        request=request,
    )
    return recusal


# --- self-withdrawal, demands and decisions ----------------------------------------------------------------


def withdraw_self(
    *, actor: Actor, clue_id: Any, ground: str, detail: str, request: HttpRequest | None = None
) -> Recusal:
    """自行回避: a worker who finds a tie withdraws at once; nobody needs to approve stepping back."""
    ground = _choice(ground, Ground, "ground", "回避事由")
    detail = _required(detail, "detail", "情况说明")
    if actor.staff_id is None:
        raise NotPermitted("只有本系统干部可以申请回避。")
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        staff = StaffMember.objects.get(pk=actor.staff_id)
        recusal = _recuse(
            actor=actor,
            clue=clue,
            staff=staff,
            ground=ground,
            source=RecusalSource.SELF,
            detail=detail,
            request=request,
        )
        RecusalDemand.objects.filter(clue=clue, staff=staff, state=DemandState.PENDING).update(
            state=DemandState.GRANTED,
            decided_by_id=actor.user_id,
            decided_at=timezone.now(),
            decision_reason="本人已自行回避",
        )
    return recusal


@dataclass
class DemandInput:
    staff_id: Any
    demanded_by: str
    ground: str
    statement: str
    received_on: date | None = None


def record_demand(
    *, actor: Actor, clue_id: Any, data: DemandInput, request: HttpRequest | None = None
) -> RecusalDemand:
    """登记回避申请: the subject, the reporter, a colleague or the person asks that someone withdraw."""
    demanded_by = _choice(data.demanded_by, DemandBy, "demanded_by", "申请人")
    ground = _choice(data.ground, Ground, "ground", "回避事由")
    statement = _required(data.statement, "statement", "申请理由")
    received_on = data.received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationFailed("收到日期不能晚于今天。", field_errors={"received_on": ["请填写实际收到日期。"]})
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        if not (may_work(actor, clue) or actor.has(Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER)):
            raise NotPermitted(
                "只有承办单位、协作区组长或纪检监察室干部、委领导和案管室可以登记回避申请。",
                audit_action="recusal.demand_recorded",
                target_type="clues.clue",
                target_id=str(clue.pk),
            )
        staff = _staff(clue, data.staff_id)
        if Recusal.objects.filter(clue=clue, staff=staff, is_active=True).exists():
            raise RuleViolation(f"{staff.name}已在本线索回避。")
        if RecusalDemand.objects.filter(clue=clue, staff=staff, state=DemandState.PENDING).exists():
            raise RuleViolation(f"对{staff.name}的回避申请尚待决定，请勿重复登记。")
        assert actor.user_id is not None
        demand = RecusalDemand.objects.create(
            clue=clue,
            staff=staff,
            demanded_by=demanded_by,
            ground=ground,
            statement=statement,
            received_on=received_on,
            recorded_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="recusal.demand_recorded",
            target=demand,
            changes={"staff": [None, staff.pk], "ground": [None, ground], "demanded_by": [None, demanded_by]},
            detail={"clue": clue.ledger_number},
            request=request,
        )
    return demand


def decide_demand(
    *, actor: Actor, demand_id: Any, grant: bool, reason: str, request: HttpRequest | None = None
) -> RecusalDemand:
    """The commission head decides (the higher commission's head when the demand is about the head)."""
    reason = _required(reason, "reason", "决定理由")
    with transaction.atomic():
        try:
            demand = RecusalDemand.objects.select_for_update().filter(pk=int(demand_id)).first()
        except (TypeError, ValueError):
            demand = None
        if demand is None:
            raise NotFound(target_type="recusal.recusaldemand", target_id=str(demand_id))
        clue = Clue.objects.select_related("commission").get(pk=demand.clue_id)
        staff = demand.staff
        if not can_view_clue(actor, clue) and not is_commission_head_for(actor, clue, staff):
            raise NotFound(target_type="recusal.recusaldemand", target_id=str(demand_id))
        if not is_commission_head_for(actor, clue, staff):
            who = "上一级纪委监委主要负责人" if _is_head_of(staff, clue.commission_id) else "纪委书记"
            raise NotPermitted(
                f"回避申请由{who}决定。",
                audit_action="recusal.demand_decided",
                target_type="recusal.recusaldemand",
                target_id=str(demand.pk),
            )
        if demand.state != DemandState.PENDING:
            raise InvalidTransition(f"该回避申请已{demand.get_state_display()}，不能再次决定。")
        assert actor.user_id is not None
        before = demand.state
        demand.state = DemandState.GRANTED if grant else DemandState.REFUSED
        demand.decided_by_id = actor.user_id
        demand.decided_at = timezone.now()
        demand.decision_reason = reason
        demand.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        record_event(
            actor=actor,
            action="recusal.demand_decided",
            target=demand,
            changes={"state": [before, demand.state]},
            detail={"reason": reason},
            request=request,
        )
        if grant:
            _recuse(
                actor=actor,
                clue=clue,
                staff=staff,
                ground=demand.ground,
                source=RecusalSource.DEMAND,
                detail=f"{demand.get_demanded_by_display()}申请：{demand.statement}",
                request=request,
            )
    return demand


def recuse_by_decision(
    *, actor: Actor, clue_id: Any, staff_id: Any, ground: str, detail: str, request: HttpRequest | None = None
) -> Recusal:
    """组织决定回避: the commission head orders someone off a matter without a demand."""
    ground = _choice(ground, Ground, "ground", "回避事由")
    detail = _required(detail, "detail", "情况说明")
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        staff = _staff(clue, staff_id)
        if not is_commission_head_for(actor, clue, staff):
            raise NotPermitted(
                "回避由纪委书记决定；纪委书记本人的回避由上一级纪委监委决定。",
                audit_action="recusal.recorded",
                target_type="clues.clue",
                target_id=str(clue.pk),
            )
        return _recuse(
            actor=actor,
            clue=clue,
            staff=staff,
            ground=ground,
            source=RecusalSource.DECISION,
            detail=detail,
            request=request,
        )


def lift_recusal(*, actor: Actor, recusal_id: Any, reason: str, request: HttpRequest | None = None) -> Recusal:
    """撤销回避: only the deciding level, with a reason; the record stays, marked lifted."""
    reason = _required(reason, "reason", "撤销理由")
    with transaction.atomic():
        try:
            recusal = Recusal.objects.select_for_update().filter(pk=int(recusal_id)).first()
        except (TypeError, ValueError):
            recusal = None
        if recusal is None:
            raise NotFound(target_type="recusal.recusal", target_id=str(recusal_id))
        clue = Clue.objects.select_related("commission").get(pk=recusal.clue_id)
        if not is_commission_head_for(actor, clue, recusal.staff):
            if not can_view_clue(actor, clue):
                raise NotFound(target_type="recusal.recusal", target_id=str(recusal_id))
            raise NotPermitted(
                "撤销回避须由纪委书记决定。",
                audit_action="recusal.lifted",
                target_type="recusal.recusal",
                target_id=str(recusal.pk),
            )
        if not recusal.is_active:
            raise InvalidTransition("该回避已撤销。")
        assert actor.user_id is not None
        recusal.is_active = False
        recusal.lifted_by_id = actor.user_id
        recusal.lifted_at = timezone.now()
        recusal.lift_reason = reason
        recusal.save(update_fields=["is_active", "lifted_by", "lifted_at", "lift_reason"])
        record_event(
            actor=actor,
            action="recusal.lifted",
            target=recusal,
            changes={"is_active": [True, False]},
            detail={"reason": reason},
            request=request,
        )
    return recusal


# --- 回避声明 ---------------------------------------------------------------------------------------------


def sign_declaration(
    *,
    actor: Actor,
    clue_id: Any,
    no_conflict: bool,
    disclosure: str = "",
    ground: str = Ground.OTHER,
    request: HttpRequest | None = None,
) -> RecusalDeclaration:
    """回避声明: the member signs as themself. A disclosed tie becomes a demand (by 本人) for the head."""
    disclosure = _text(disclosure)
    if not no_conflict and not disclosure:
        raise ValidationFailed(
            "如存在应当回避的情形，请说明具体关系。", field_errors={"disclosure": ["请说明需回避的关系。"]}
        )
    if actor.staff_id is None:
        raise NotPermitted("只有本系统干部可以签署回避声明。")
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        staff = StaffMember.objects.get(pk=actor.staff_id)
        return _declare(actor, clue, staff, no_conflict, disclosure, ground, on_paper=False, request=request)


def record_paper_declaration(
    *,
    actor: Actor,
    clue_id: Any,
    staff_id: Any,
    no_conflict: bool,
    disclosure: str = "",
    ground: str = Ground.OTHER,
    request: HttpRequest | None = None,
) -> RecusalDeclaration:
    """A member signed the 回避声明 on paper: the zone's leadership or the handling unit records it (the
    paper stays in the file). A disclosed tie becomes a demand for the head, as when signed online."""
    disclosure = _text(disclosure)
    if not no_conflict and not disclosure:
        raise ValidationFailed(
            "如存在应当回避的情形，请说明具体关系。", field_errors={"disclosure": ["请说明需回避的关系。"]}
        )
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        if not (zone_worker(actor, clue.zone_id) or may_work(actor, clue)):
            raise NotPermitted(
                "只有承办单位或协作区组长、副组长、纪检监察室干部可以登记纸质回避声明。",
                audit_action="recusal.declaration_signed",
                target_type="clues.clue",
                target_id=str(clue.pk),
            )
        staff = _staff(clue, staff_id)
        return _declare(actor, clue, staff, no_conflict, disclosure, ground, on_paper=True, request=request)


def _declare(
    actor: Actor,
    clue: Clue,
    staff: StaffMember,
    no_conflict: bool,
    disclosure: str,
    ground: str,
    *,
    on_paper: bool,
    request: HttpRequest | None,
) -> RecusalDeclaration:
    on_team = TeamMember.objects.filter(
        team__clue=clue,
        team__state__in=[TeamState.PROPOSED, TeamState.CONFIRMED],
        staff=staff,
        left_on__isnull=True,
    ).exists()
    if not on_team:
        raise RuleViolation("只有本线索办案组（拟组建或已确定）的成员需要签署回避声明。")
    if RecusalDeclaration.objects.filter(clue=clue, staff=staff).exists():
        raise RuleViolation(f"{staff.name}已签署本线索的回避声明。")
    assert actor.user_id is not None
    declaration = RecusalDeclaration.objects.create(
        clue=clue,
        staff=staff,
        no_conflict=no_conflict,
        disclosure="" if no_conflict else disclosure,
        on_paper=on_paper,
        signed_by_id=actor.user_id,
    )
    record_event(
        actor=actor,
        action="recusal.declaration_signed",
        target=declaration,
        changes={"no_conflict": [None, no_conflict]},
        detail={"staff": staff.pk, "on_paper": on_paper},
        request=request,
    )
    if not no_conflict and not RecusalDemand.objects.filter(clue=clue, staff=staff, state=DemandState.PENDING).exists():
        demand = RecusalDemand.objects.create(
            clue=clue,
            staff=staff,
            demanded_by=DemandBy.SELF,
            ground=_choice(ground, Ground, "ground", "回避事由"),
            statement=f"回避声明中说明：{disclosure}",
            received_on=timezone.localdate(),
            recorded_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="recusal.demand_recorded",
            target=demand,
            changes={"staff": [None, staff.pk], "ground": [None, demand.ground]},
            detail={"clue": clue.ledger_number, "from": "declaration"},
            request=request,
        )
    return declaration


def check_declarations_signed(clue_id: int, staff_ids: Iterable[int], *, step: str) -> None:
    """Each team member signs the 回避声明 on joining: a team does not start its work (``step``) before."""
    from .selectors import unsigned_member_ids

    missing = unsigned_member_ids(clue_id, staff_ids)
    if missing:
        names = "、".join(StaffMember.objects.filter(pk__in=missing).order_by("pk").values_list("name", flat=True))
        raise RuleViolation(f"办案组成员{names}尚未签署回避声明，签署（或登记纸质声明）后才能{step}。")


# --- overrides (回避冲突例外) ------------------------------------------------------------------------------


def request_override(
    *, actor: Actor, clue_id: Any, staff_id: Any, ground: str, reason: str, request: HttpRequest | None = None
) -> ConflictOverride:
    """Ask the commission head to let a person work the matter despite a conflict found in the data."""
    ground = _choice(ground, Ground, "ground", "冲突事由")
    reason = _required(reason, "reason", "不予回避的理由")
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        if not (zone_worker(actor, clue.zone_id) or may_work(actor, clue)):
            raise NotPermitted(
                "只有承办单位或协作区组长、副组长、纪检监察室干部可以申请回避冲突例外。",
                audit_action="recusal.override_requested",
                target_type="clues.clue",
                target_id=str(clue.pk),
            )
        staff = _staff(clue, staff_id)
        if Recusal.objects.filter(clue=clue, staff=staff, is_active=True).exists():
            raise RuleViolation(f"{staff.name}已决定回避；如需恢复，应由纪委书记撤销回避决定。")
        found = [c for c in conflicts_for(clue, [staff.pk]).get(staff.pk, []) if c.ground == ground]
        if not found:
            raise RuleViolation(f"系统未发现{staff.name}与本线索存在“{Ground(ground).label}”的冲突，无需申请例外。")
        if any(c.overridden for c in found):
            raise RuleViolation("该冲突已批准例外。")
        if ConflictOverride.objects.filter(clue=clue, staff=staff, ground=ground, state=OverrideState.PENDING).exists():
            raise RuleViolation("该冲突的例外申请正在审批中。")
        approval = submit_request(
            actor=actor,
            matter_type=RECUSAL_OVERRIDE.slug,
            title=f"{clue.ledger_number} {staff.name} 回避冲突例外",
            reason=f"冲突：{'；'.join(c.detail for c in found)}。理由：{reason}",
            target=clue,
            unit=clue.handling_unit,
            zone=clue.zone,
            request=request,
        )
        assert actor.user_id is not None
        override = ConflictOverride.objects.create(
            clue=clue, staff=staff, ground=ground, reason=reason, approval=approval, requested_by_id=actor.user_id
        )
        record_event(
            actor=actor,
            action="recusal.override_requested",
            target=override,
            changes={"staff": [None, staff.pk], "ground": [None, ground]},
            detail={"reason": reason, "conflicts": [c.detail for c in found]},
            request=request,
        )
    return override


@on_final_decision(RECUSAL_OVERRIDE.slug)
def _override_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction; a returned request waits to be changed and resubmitted."""
    override = ConflictOverride.objects.select_for_update().filter(approval=approval).first()
    if override is None or outcome == ApprovalState.RETURNED:
        return
    before = override.state
    states: dict[str, str] = {
        ApprovalState.APPROVED: OverrideState.APPROVED,
        ApprovalState.WITHDRAWN: OverrideState.WITHDRAWN,
    }
    override.state = states.get(outcome, OverrideState.REJECTED)
    override.decided_at = timezone.now()
    override.save(update_fields=["state", "decided_at"])
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    decider = build_actor(decision.decided_by) if decision is not None else build_actor(approval.requester)
    record_event(
        actor=decider,
        action="recusal.override_decided",
        target=override,
        changes={"state": [before, override.state]},
        detail={"approval": approval.pk},
    )


# --- 干预登记 ---------------------------------------------------------------------------------------------


@dataclass
class InterventionInput:
    kind: str
    channel: str
    occurred_at: datetime | None
    intervener_name: str
    content: str
    intervener_unit: str = ""
    response: str = ""
    received_by_id: Any = None


def record_intervention(
    *, actor: Actor, clue_id: Any, data: InterventionInput, request: HttpRequest | None = None
) -> Intervention:
    """Register an enquiry or plea about a matter (打听案情、过问案件、说情干预) — every one, by whoever it reached."""
    kind = _choice(data.kind, InterventionKind, "kind", "干预类型")
    channel = _choice(data.channel, InterventionChannel, "channel", "干预方式")
    name = _required(data.intervener_name, "intervener_name", "干预人姓名")
    content = _required(data.content, "content", "具体内容")
    if data.occurred_at is None:
        raise ValidationFailed("请填写发生时间。", field_errors={"occurred_at": ["请填写发生时间。"]})
    if data.occurred_at > timezone.now():
        raise ValidationFailed("发生时间不能晚于现在。", field_errors={"occurred_at": ["请填写实际发生时间。"]})
    if actor.staff_id is None:
        raise NotPermitted("只有本系统干部可以登记干预情况。")
    with transaction.atomic():
        clue = _clue(actor, clue_id, lock=True)
        received_by = _staff(clue, data.received_by_id) if data.received_by_id else None
        assert actor.user_id is not None
        intervention = Intervention.objects.create(
            clue=clue,
            kind=kind,
            channel=channel,
            occurred_at=data.occurred_at,
            intervener_name=name,
            intervener_unit=_text(data.intervener_unit),
            content=content,
            response=_text(data.response),
            received_by_id=received_by.pk if received_by else actor.staff_id,
            recorded_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="intervention.recorded",
            target=intervention,
            changes={"kind": [None, kind], "channel": [None, channel]},
            detail={"clue": clue.ledger_number},
            request=request,
        )
    return intervention
