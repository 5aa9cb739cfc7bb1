"""Every write of the approvals app: submit, decide, withdraw, resubmit, configure a chain.

Each function is one transaction: lock the request row, check the actor and the state table, write,
record the audit event, and — when a round ends — run the hooks other apps registered for the
matter type, in the same transaction (``matters.on_final_decision``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import ZONE_WIDE_ROLES, Role
from xiezuoqu.audit.services import diff, record_event, snapshot
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Commission, Unit, Zone
from xiezuoqu.org.selectors import memberships_on

from .matters import DEFAULT_CHAINS, MATTER_TYPES, StepSpec, UnitRule, matter_label, run_final_hooks
from .models import ApprovalChain, ApprovalDecision, ApprovalRequest, ApprovalRequestStep, ApprovalStep
from .selectors import (
    APPROVER_ROLES,
    active_chain,
    actor_unit_ids,
    can_view_request,
    eligible_decider_ids,
    may_configure_chains,
    may_decide_step,
)
from .workflow import (
    Action,
    Decision,
    Mode,
    State,
    StepState,
    apply_decision,
    closing_states,
    next_state,
    opening_states,
)

MAX_STEPS = 10
ROLE_LABELS = dict(Role.choices)
RULE_LABELS = dict(UnitRule.choices)
STEP_STATE_LABELS = dict(StepState.choices)

EVENT_FOR_ACTION: dict[str, str] = {
    Action.APPROVE_STEP: "approval.step_approved",
    Action.APPROVE: "approval.approved",
    Action.RETURN: "approval.returned",
    Action.REJECT: "approval.rejected",
}


# --- helpers ---------------------------------------------------------------------------------------


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


def _check_content(title: str, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写申请标题。"]
    elif len(title) > 200:
        errors["title"] = ["标题不能超过 200 字。"]
    if not reason:
        errors["reason"] = ["请填写申请理由。"]
    if errors:
        raise ValidationFailed("申请内容不完整，请补充后再提交。", field_errors=errors)


def _lock_visible(actor: Actor, approval_id: Any) -> ApprovalRequest:
    """Lock the request row, then apply the view predicate (the scope's twin): 404 when out of reach."""
    try:
        approval = ApprovalRequest.objects.select_for_update().filter(pk=int(approval_id)).first()
    except (TypeError, ValueError):
        approval = None
    if approval is None or not can_view_request(actor, approval):
        raise NotFound(
            audit_action="approvalrequest.viewed", target_type="approvals.approvalrequest", target_id=str(approval_id)
        )
    return approval


def _resolve_unit(actor: Actor, unit: Unit | int | None) -> Unit:
    if unit is None:
        own = actor.home_unit_id
        if own is None and len(actor.role_unit_ids) == 1:
            own = next(iter(actor.role_unit_ids))
        if own is None:
            raise RuleViolation("无法确定申请单位：您的账号没有关联所在单位，请联系系统管理员。")
        return Unit.objects.get(pk=own)
    found = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit).first()
    if found is None or found.commission_id != actor.commission_id:
        raise ValidationFailed(
            "申请单位不存在或不属于本纪委监委。", field_errors={"unit": ["请选择本纪委监委的单位。"]}
        )
    if found.pk not in actor_unit_ids(actor) and not actor.reaches_unit(found.pk, found.commission_id):
        raise RuleViolation(f"您不能以“{found.name}”的名义提出申请：该单位不在您的工作范围内。")
    return found


def _resolve_zone(unit: Unit, zone: Zone | int | None) -> Zone | None:
    if zone is not None:
        found = zone if isinstance(zone, Zone) else Zone.objects.filter(pk=zone).first()
        if found is None or found.commission_id != unit.commission_id:
            raise ValidationFailed(
                "协作区不存在或不属于本纪委监委。", field_errors={"zone": ["请选择本纪委监委的协作区。"]}
            )
        return found
    membership = memberships_on().filter(unit_id=unit.pk).select_related("zone").first()
    if membership is not None:
        return membership.zone
    # A lead inspection office is not a member unit, but its zone is plain.
    led = list(Zone.objects.filter(inspection_office_id=unit.pk)[:2])
    return led[0] if len(led) == 1 else None


def _place_of(step: ApprovalRequestStep | StepSpec, unit_name: str = "") -> str:
    rule = step.unit_rule
    if rule == UnitRule.REQUESTER_ZONE:
        return "申请单位所在协作区"
    if rule == UnitRule.COMMISSION:
        return "本纪委监委"
    return unit_name or RULE_LABELS.get(rule, rule)


# --- submit ----------------------------------------------------------------------------------------


def submit_request(
    *,
    actor: Actor,
    matter_type: str,
    title: str,
    reason: str,
    target: models.Model | None = None,
    unit: Unit | int | None = None,
    zone: Zone | int | None = None,
    request: HttpRequest | None = None,
) -> ApprovalRequest:
    """申请: put a matter to the commission's active chain for its type, frozen as it is now.

    ``unit`` is the unit the request is made for (default: the requester's own unit); ``zone``
    overrides the zone found from that unit's membership. Refused when no chain is configured, when
    the object already has a live request of this type, or when a step has nobody who could decide it.
    """
    title, reason = _clean_text(title), _clean_text(reason)
    _check_content(title, reason)
    if matter_type not in MATTER_TYPES:
        raise ValidationFailed(
            f"未知的审批事项类型“{matter_type}”。", field_errors={"matter_type": ["未知的事项类型。"]}
        )
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker or actor.commission_id is None:
        raise NotPermitted("只有本纪委监委的干部可以提出审批申请。")
    label = matter_label(matter_type)
    with transaction.atomic():
        chain = active_chain(actor.commission_id, matter_type)
        if chain is None:
            raise RuleViolation(
                f"本纪委监委尚未配置“{label}”的审批链，无法提交。请联系纪委书记或系统管理员在“审批链配置”中配置后再提交。"
            )
        chain_steps = list(chain.steps.select_related("fixed_unit").order_by("order"))
        requester_unit = _resolve_unit(actor, unit)
        resolved_zone = _resolve_zone(requester_unit, zone)
        target_type = target_id = None
        target_label = ""
        if target is not None:
            target_commission = getattr(target, "commission_id", actor.commission_id)
            if target_commission != actor.commission_id:
                raise RuleViolation("只能就本纪委监委的事项提出审批申请。")
            target_type = ContentType.objects.get_for_model(target)
            target_id = target.pk
            target_label = str(target)[:200]
            live = (
                ApprovalRequest.objects.select_for_update()
                .filter(
                    target_type=target_type,
                    target_id=target_id,
                    matter_type=matter_type,
                    state__in=[
                        State.PENDING,
                        State.RETURNED,
                    ],
                )
                .first()
            )
            if live is not None:
                raise RuleViolation(
                    f"该事项已有一件“{live.get_state_display()}”的{label}申请（第 {live.pk} 号），"
                    "请等待审批结果，或撤回后再重新提交。"
                )
        rows: list[ApprovalRequestStep] = []
        frozen: list[dict[str, Any]] = []
        states = opening_states(chain.mode, len(chain_steps))
        for index, step in enumerate(chain_steps):
            unit_id: int | None = None
            zone_id: int | None = None
            if step.unit_rule == UnitRule.REQUESTER_UNIT:
                unit_id = requester_unit.pk
            elif step.unit_rule == UnitRule.FIXED_UNIT:
                unit_id = step.fixed_unit_id
            elif step.unit_rule == UnitRule.REQUESTER_ZONE:
                if resolved_zone is None:
                    raise RuleViolation(
                        f"审批环节“{step.label}”须由申请单位所在协作区审批，但“{requester_unit.name}”目前不属于任何"
                        "协作区。请以协作区成员单位的名义提交，或指定协作区。"
                    )
                zone_id = resolved_zone.pk
            rows.append(
                ApprovalRequestStep(
                    index=index,
                    label=step.label,
                    role=step.role,
                    unit_rule=step.unit_rule,
                    unit_id=unit_id,
                    zone_id=zone_id,
                    commission_id=actor.commission_id,
                    state=states[index],
                    reached=states[index] == StepState.OPEN,
                    approver_key=ApprovalRequestStep.key_for(
                        step.role,
                        step.unit_rule,
                        unit_id=unit_id,
                        zone_id=zone_id,
                        commission_id=actor.commission_id,
                    ),
                )
            )
            frozen.append(
                {
                    "index": index,
                    "label": step.label,
                    "role": step.role,
                    "role_label": str(ROLE_LABELS.get(step.role, step.role)),
                    "unit_rule": step.unit_rule,
                    "fixed_unit_id": step.fixed_unit_id,
                    "fixed_unit_name": step.fixed_unit.name if step.fixed_unit else "",
                }
            )
        for row in rows:
            # A step nobody (but the requester) could decide would leave the request stuck forever.
            if not eligible_decider_ids(row, exclude_user_id=actor.user_id, limit=1):
                place = _place_of(row, requester_unit.name if row.unit_rule == UnitRule.REQUESTER_UNIT else "")
                if row.unit_rule == UnitRule.FIXED_UNIT:
                    place = str(frozen[row.index]["fixed_unit_name"])
                raise RuleViolation(
                    f"审批环节“{row.label}”目前没有除您以外可以审批的人员（须由{place}的"
                    f"{ROLE_LABELS.get(row.role, row.role)}审批）。请先配备人员或调整审批链后再提交。"
                )
        now = timezone.now()
        try:
            with transaction.atomic():
                approval = ApprovalRequest.objects.create(
                    commission_id=actor.commission_id,
                    matter_type=matter_type,
                    chain=chain,
                    chain_version=chain.version,
                    chain_name=chain.name,
                    mode=chain.mode,
                    steps=frozen,
                    target_type=target_type,
                    target_id=target_id,
                    target_label=target_label,
                    requester_id=actor.user_id,
                    requester_unit=requester_unit,
                    zone=resolved_zone,
                    title=title,
                    reason=reason,
                    state=next_state(None, Action.SUBMIT),
                    current_step=0,
                    round=1,
                    submitted_at=now,
                )
        except IntegrityError:
            # Another request for the same object was submitted at the same moment and won.
            raise RuleViolation(f"该事项已有一件审批中的{label}申请，请刷新后查看。") from None
        for row in rows:
            row.request = approval
        ApprovalRequestStep.objects.bulk_create(rows)
        record_event(
            actor=actor,
            action="approval.submitted",
            target=approval,
            detail={
                "matter_type": matter_type,
                "chain": chain.pk,
                "chain_version": chain.version,
                "mode": chain.mode,
                "steps": [step["label"] for step in frozen],
                "target": f"{target_type.app_label}.{target_type.model}:{target_id}" if target_type else "",
                "requester_unit": requester_unit.pk,
                "zone": resolved_zone.pk if resolved_zone else None,
            },
            request=request,
        )
    return approval


# --- decide ----------------------------------------------------------------------------------------


def decide(
    *,
    actor: Actor,
    approval_id: Any,
    decision: str,
    comment: str = "",
    step_index: int | None = None,
    round: int | None = None,
    request: HttpRequest | None = None,
) -> ApprovalRequest:
    """审批: approve, return (with reasons) or reject one step.

    ``step_index`` and ``round`` are what the approver saw on the page; if the request has moved on
    since (someone else decided, the requester resubmitted), the decision is refused, not misapplied.
    Without ``step_index`` the first open step the actor may decide is taken.
    """
    comment = _clean_text(comment)
    if decision not in Decision.values:
        raise ValidationFailed(
            "审批意见只能是同意、退回修改或不同意。", field_errors={"decision": ["请选择同意、退回修改或不同意。"]}
        )
    if decision != Decision.APPROVE and not comment:
        raise ValidationFailed("退回修改或不同意时，须填写理由。", field_errors={"comment": ["请填写理由。"]})
    with transaction.atomic():
        approval = _lock_visible(actor, approval_id)
        if approval.requester_id == actor.user_id:
            raise RuleViolation(
                "不能审批本人提出的申请。",
                audit_action="approval.decide",
                target_type="approvals.approvalrequest",
                target_id=str(approval.pk),
            )
        next_state(approval.state, Action.APPROVE_STEP)  # only a pending request is decided
        if round is not None and round != approval.round:
            raise InvalidTransition("该申请已退回并重新提交，内容可能已修改，请刷新后按最新内容审批。")
        rows = list(approval.step_rows.order_by("index"))
        step = _step_to_decide(actor, approval, rows, step_index)
        if approval.decisions.filter(round=approval.round, decided_by_id=actor.user_id).exists():
            raise RuleViolation("您已审批过本申请的其他环节；同一申请的不同环节须由不同人员审批。")
        outcome = apply_decision(approval.mode, tuple(r.state for r in rows), step.index, decision)
        new_state = next_state(approval.state, outcome.action)
        now = timezone.now()
        ApprovalDecision.objects.create(
            request=approval,
            round=approval.round,
            step_index=step.index,
            decided_by_id=actor.user_id,
            role=step.role,
            decision=decision,
            comment=comment,
            decided_at=now,
        )
        for row, state in zip(rows, outcome.step_states, strict=True):
            if row.state != state:
                row.state = state
                row.reached = row.reached or state == StepState.OPEN
                row.save(update_fields=["state", "reached"])
        before = snapshot(approval, ["state", "current_step", "decided_at"])
        approval.state = new_state
        approval.current_step = outcome.current_step
        if new_state != State.PENDING:
            approval.decided_at = now
        approval.save(update_fields=["state", "current_step", "decided_at"])
        detail = {
            "round": approval.round,
            "step_index": step.index,
            "step": step.label,
            "decision": decision,
            "comment": comment,
        }
        changes = diff(before, approval)
        if outcome.action == Action.APPROVE:
            # The last step's approval is both a step approval and the request's approval.
            record_event(actor=actor, action="approval.step_approved", target=approval, detail=detail, request=request)
        record_event(
            actor=actor,
            action=EVENT_FOR_ACTION[outcome.action],
            target=approval,
            changes=changes,
            detail=detail,
            request=request,
        )
        if new_state in (State.APPROVED, State.REJECTED, State.RETURNED):
            run_final_hooks(approval, new_state)
    return approval


def _step_to_decide(
    actor: Actor, approval: ApprovalRequest, rows: list[ApprovalRequestStep], step_index: int | None
) -> ApprovalRequestStep:
    mine = [row for row in rows if may_decide_step(actor, row)]
    if step_index is None:
        open_mine = [row for row in mine if row.state == StepState.OPEN]
        if open_mine:
            return open_mine[0]
        if not mine:
            raise NotPermitted("您不是本申请任何审批环节的审批人。")
        current = ", ".join(f"“{r.label}”" for r in rows if r.state == StepState.OPEN)
        raise InvalidTransition(f"尚未轮到您审批，或您的环节已经处理。当前待审批环节：{current}。")
    if not 0 <= step_index < len(rows):
        raise ValidationFailed("审批环节不存在。", field_errors={"step_index": ["审批环节不存在。"]})
    step = rows[step_index]
    if step not in mine:
        raise NotPermitted(f"您不是“{step.label}”环节的审批人。")
    if step.state == StepState.WAITING:
        current = ", ".join(f"“{r.label}”" for r in rows if r.state == StepState.OPEN)
        raise InvalidTransition(f"尚未轮到“{step.label}”环节审批，当前待审批环节：{current}。")
    if step.state != StepState.OPEN:
        raise InvalidTransition(
            f"“{step.label}”环节已处理（{STEP_STATE_LABELS.get(step.state, step.state)}），请刷新后查看。"
        )
    return step


# --- withdraw and resubmit -------------------------------------------------------------------------


def withdraw_request(
    *, actor: Actor, approval_id: Any, reason: str = "", request: HttpRequest | None = None
) -> ApprovalRequest:
    """撤回: the requester takes back a pending or returned request; undecided steps stay undecided."""
    with transaction.atomic():
        approval = _lock_visible(actor, approval_id)
        if approval.requester_id != actor.user_id:
            raise NotPermitted("只有申请人本人可以撤回申请。")
        new_state = next_state(approval.state, Action.WITHDRAW)
        rows = list(approval.step_rows.order_by("index"))
        for row, state in zip(rows, closing_states(tuple(r.state for r in rows)), strict=True):
            if row.state != state:
                row.state = state
                row.save(update_fields=["state"])
        before = snapshot(approval, ["state", "decided_at"])
        approval.state = new_state
        approval.decided_at = timezone.now()
        approval.save(update_fields=["state", "decided_at"])
        record_event(
            actor=actor,
            action="approval.withdrawn",
            target=approval,
            changes=diff(before, approval),
            detail={"round": approval.round, "reason": _clean_text(reason)},
            request=request,
        )
        run_final_hooks(approval, new_state)
    return approval


def resubmit_request(
    *,
    actor: Actor,
    approval_id: Any,
    title: str | None = None,
    reason: str | None = None,
    request: HttpRequest | None = None,
) -> ApprovalRequest:
    """修改后重新提交: a returned request starts a new round on the same (frozen) chain.

    The earlier rounds' decisions are kept; each step is decided afresh.
    """
    with transaction.atomic():
        approval = _lock_visible(actor, approval_id)
        if approval.requester_id != actor.user_id:
            raise NotPermitted("只有申请人本人可以重新提交申请。")
        new_state = next_state(approval.state, Action.RESUBMIT)
        new_title = approval.title if title is None else _clean_text(title)
        new_reason = approval.reason if reason is None else _clean_text(reason)
        _check_content(new_title, new_reason)
        rows = list(approval.step_rows.order_by("index"))
        for row, state in zip(rows, opening_states(approval.mode, len(rows)), strict=True):
            row.state = state
            row.reached = row.reached or state == StepState.OPEN
            row.save(update_fields=["state", "reached"])
        before = snapshot(approval, ["state", "round", "current_step", "decided_at", "title", "reason"])
        approval.state = new_state
        approval.round += 1
        approval.current_step = 0
        approval.decided_at = None
        approval.resubmitted_at = timezone.now()
        approval.title = new_title
        approval.reason = new_reason
        approval.save(
            update_fields=["state", "round", "current_step", "decided_at", "resubmitted_at", "title", "reason"]
        )
        record_event(
            actor=actor,
            action="approval.resubmitted",
            target=approval,
            changes=diff(before, approval),
            detail={"round": approval.round},
            request=request,
        )
    return approval


# --- chains ----------------------------------------------------------------------------------------


def _step_spec(raw: StepSpec | Mapping[str, Any]) -> StepSpec:
    if isinstance(raw, StepSpec):
        return raw
    fixed = raw.get("fixed_unit", raw.get("fixed_unit_id"))
    if isinstance(fixed, Unit):
        fixed = fixed.pk
    if fixed in ("", None):
        fixed = None
    else:
        try:
            fixed = int(fixed)
        except (TypeError, ValueError):
            fixed = -1
    return StepSpec(
        role=str(raw.get("role") or ""),
        unit_rule=str(raw.get("unit_rule") or ""),
        label=_clean_text(raw.get("label")),
        fixed_unit_id=fixed,
    )


def _validate_chain(
    commission_id: int, matter_type: str, name: str, mode: str, specs: list[StepSpec]
) -> list[StepSpec]:
    errors: dict[str, list[str]] = {}
    if matter_type not in MATTER_TYPES:
        errors["matter_type"] = [f"未知的审批事项类型“{matter_type}”。"]
    if not name:
        errors["name"] = ["请填写审批链名称。"]
    elif len(name) > 60:
        errors["name"] = ["名称不能超过 60 字。"]
    if mode not in Mode.values:
        errors["mode"] = ["请选择依次审批或同时审批。"]
    if not specs:
        errors["steps"] = ["至少需要一个审批环节。"]
    elif len(specs) > MAX_STEPS:
        errors["steps"] = [f"审批环节不能超过 {MAX_STEPS} 个。"]
    fixed_ids = {s.fixed_unit_id for s in specs if s.fixed_unit_id is not None}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=fixed_ids, commission_id=commission_id)}
    cleaned: list[StepSpec] = []
    for number, spec in enumerate(specs, start=1):
        problems: list[str] = []
        if spec.role not in APPROVER_ROLES:
            problems.append(f"第 {number} 个环节：请选择审批角色（管理员和村级监督员不能审批）。")
        if spec.unit_rule not in UnitRule.values:
            problems.append(f"第 {number} 个环节：请选择审批人所在。")
        elif spec.unit_rule == UnitRule.FIXED_UNIT:
            if spec.fixed_unit_id not in units:
                problems.append(f"第 {number} 个环节：请选择本纪委监委的指定单位。")
        elif spec.fixed_unit_id is not None:
            problems.append(f"第 {number} 个环节：只有“指定单位”才需选择单位。")
        if spec.unit_rule == UnitRule.REQUESTER_ZONE and spec.role and spec.role not in ZONE_WIDE_ROLES:
            problems.append(
                f"第 {number} 个环节：“{ROLE_LABELS.get(spec.role, spec.role)}”不在协作区任职，"
                "不能设为“申请单位所在协作区”审批。"
            )
        label = spec.label or f"{ROLE_LABELS.get(spec.role, '')}审批"
        if len(label) > 40:
            problems.append(f"第 {number} 个环节：环节名称不能超过 40 字。")
        if problems:
            errors.setdefault("steps", []).extend(problems)
        cleaned.append(StepSpec(spec.role, spec.unit_rule, label, spec.fixed_unit_id))
    matter = MATTER_TYPES.get(matter_type)
    if matter is not None and matter.required_role and all(s.role != matter.required_role for s in specs):
        errors.setdefault("steps", []).append(
            f"“{matter.label}”须经{ROLE_LABELS.get(matter.required_role, matter.required_role)}审批，请保留该审批环节。"
        )
    if errors:
        raise ValidationFailed("审批链配置有误，请按提示修改。", field_errors=errors)
    return cleaned


def _create_chain(
    *, commission_id: int, matter_type: str, name: str, mode: str, specs: list[StepSpec], created_by: int | None
) -> tuple[ApprovalChain, ApprovalChain | None]:
    """Deactivate the active version (locked) and create the next one. Call inside a transaction."""
    old = (
        ApprovalChain.objects.select_for_update()
        .filter(commission_id=commission_id, matter_type=matter_type, is_active=True)
        .first()
    )
    if old is not None:
        old.is_active = False
        old.save(update_fields=["is_active"])
    latest = ApprovalChain.objects.filter(commission_id=commission_id, matter_type=matter_type).aggregate(
        top=Max("version")
    )["top"]
    try:
        with transaction.atomic():
            chain = ApprovalChain.objects.create(
                commission_id=commission_id,
                matter_type=matter_type,
                name=name,
                mode=mode,
                is_active=True,
                version=(latest or 0) + 1,
                created_by_id=created_by,
            )
    except IntegrityError:
        raise InvalidTransition("该审批链刚被他人同时修改，请刷新页面后重试。") from None
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            chain=chain,
            order=order,
            role=spec.role,
            unit_rule=spec.unit_rule,
            fixed_unit_id=spec.fixed_unit_id,
            label=spec.label,
        )
        for order, spec in enumerate(specs, start=1)
    )
    return chain, old


def _chain_detail(chain: ApprovalChain, specs: Iterable[StepSpec], *, default: bool = False) -> dict[str, Any]:
    return {
        "matter_type": chain.matter_type,
        "name": chain.name,
        "mode": chain.mode,
        "version": chain.version,
        "default": default,
        "steps": [
            {"role": s.role, "unit_rule": s.unit_rule, "fixed_unit": s.fixed_unit_id, "label": s.label} for s in specs
        ],
    }


def configure_chain(
    *,
    actor: Actor,
    matter_type: str,
    name: str,
    mode: str,
    steps: Iterable[StepSpec | Mapping[str, Any]],
    request: HttpRequest | None = None,
) -> ApprovalChain:
    """配置审批链: a new version becomes active; the old one is kept (running requests use their own copy)."""
    if not may_configure_chains(actor):
        raise NotPermitted("只有纪委书记或系统管理员可以配置审批链。")
    assert actor.commission_id is not None
    specs = _validate_chain(actor.commission_id, matter_type, _clean_text(name), mode, [_step_spec(s) for s in steps])
    with transaction.atomic():
        chain, old = _create_chain(
            commission_id=actor.commission_id,
            matter_type=matter_type,
            name=_clean_text(name),
            mode=mode,
            specs=specs,
            created_by=actor.user_id,
        )
        record_event(
            actor=actor,
            action="approval_chain.configured",
            target=chain,
            changes={"version": [old.version if old else None, chain.version]},
            detail=_chain_detail(chain, specs),
            request=request,
        )
    return chain


def ensure_default_chains(
    *, commission: Commission, actor: Actor | None = None, request: HttpRequest | None = None
) -> list[ApprovalChain]:
    """Give a commission the default chain of every known matter type that has no active chain.

    Idempotent: matter types already configured are left as they are. Returns the chains created.
    """
    created: list[ApprovalChain] = []
    for matter_type, spec in DEFAULT_CHAINS.items():
        with transaction.atomic():
            exists = (
                ApprovalChain.objects.select_for_update()
                .filter(commission_id=commission.pk, matter_type=matter_type, is_active=True)
                .exists()
            )
            if exists:
                continue
            chain, _ = _create_chain(
                commission_id=commission.pk,
                matter_type=matter_type,
                name=spec.name,
                mode=spec.mode,
                specs=list(spec.steps),
                created_by=actor.user_id if actor else None,
            )
            record_event(
                actor=actor,
                action="approval_chain.configured",
                target=chain,
                changes={"version": [None, chain.version]},
                detail=_chain_detail(chain, spec.steps, default=True),
                request=request,
                commission_id=commission.pk,
            )
            created.append(chain)
    return created


def install_default_chains(*, actor: Actor, request: HttpRequest | None = None) -> list[ApprovalChain]:
    """The page's "use the defaults" button: the default chains for every unconfigured matter type."""
    if not may_configure_chains(actor):
        raise NotPermitted("只有纪委书记或系统管理员可以配置审批链。")
    commission = Commission.objects.get(pk=actor.commission_id)
    return ensure_default_chains(commission=commission, actor=actor, request=request)
