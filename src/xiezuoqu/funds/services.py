"""Every write of the funds app: budgets, adjustments, claims, receipts, vehicles, bookings, trips.

Each function is one transaction, checks the actor, refuses with a Chinese ``DomainError`` and records
the audit event. Money is ``Decimal`` with two places. Two writes that compete for the same thing are
serialised on a row lock: claims on their budget line (``select_for_update``; on SQLite the write
transaction), bookings on the vehicle and the driver (and on PostgreSQL the exclusion constraints of
migration 0002), trips on the vehicle.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import ensure_default_chains, submit_request, withdraw_request
from xiezuoqu.approvals.workflow import LIVE_STATES
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Commission, StaffMember, Zone
from xiezuoqu.public.files import RefusedFile, clean_name, sm3_hex, sniff

from . import selectors
from .matters import ADJUSTMENT, CLAIM_TYPES, claim_matter_type
from .models import (
    AdjustmentKind,
    AdjustmentState,
    Booking,
    BookingState,
    BudgetAdjustment,
    BudgetLine,
    Claim,
    FundsPolicy,
    LineKind,
    Receipt,
    Trip,
    Vehicle,
    VehicleStatus,
    ZoneBudget,
)
from .workflow import ClaimAction, ClaimState, next_state

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_RECEIPT_SIZE = 10 * 1024 * 1024
# The longest booking: it bounds the overlap check's index range (selectors.overlapping).
MAX_BOOKING = timedelta(days=7)
DEFAULT_LINE_KINDS = (
    ("subsidy", "办案补助", False),
    ("transport", "交通", True),
    ("travel", "差旅", False),
    ("other", "其他", False),
)


# --- helpers -------------------------------------------------------------------------------------


def money(value: Any, field: str = "amount", label: str = "金额", *, positive: bool = True) -> Decimal:
    """A yuan amount with two places, from a form, JSON or code value; never a float's binary noise."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            f"{label}应为数字（元，最多两位小数）。", field_errors={field: ["请填写金额。"]}
        ) from None
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed(f"{label}最多保留两位小数。", field_errors={field: ["最多两位小数。"]})
    amount = amount.quantize(CENT)
    if (positive and amount <= 0) or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(f"{label}应大于零且不超过上限。", field_errors={field: ["金额不在允许范围内。"]})
    return amount


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def _required(value: str | None, field: str, label: str, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field: [f"请填写{label}。"]})
    if len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field: ["内容过长。"]})
    return text


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _staff_only(actor: Actor) -> None:
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker or actor.commission_id is None:
        raise NotPermitted("只有本纪委监委的干部可以办理办案经费和车辆事项。")


def _overseer_only(actor: Actor, commission_id: int | None, action: str) -> None:
    if not selectors.is_overseer(actor, commission_id):
        raise NotPermitted(
            "只有案件监督管理室或委领导可以办理此事项。", audit_action=action, target_type="funds", target_id=""
        )


def _fleet_only(actor: Actor, commission_id: int | None, action: str) -> None:
    if not selectors.is_fleet_manager(actor, commission_id):
        raise NotPermitted(
            "车辆由案件监督管理室管理；只有案管室干部可以办理此事项。",
            audit_action=action,
            target_type="funds",
            target_id="",
        )


# --- setup ---------------------------------------------------------------------------------------


def ensure_funds_setup(commission: Commission, *, actor: Actor | None = None) -> None:
    """Give a commission the default budget lines, approval levels and chains (idempotent)."""
    with transaction.atomic():
        for order, (code, name, transport) in enumerate(DEFAULT_LINE_KINDS):
            LineKind.objects.get_or_create(
                commission=commission, code=code, defaults={"name": name, "is_transport": transport, "order": order}
            )
        FundsPolicy.objects.get_or_create(commission=commission)
    ensure_default_chains(commission=commission, actor=actor)


def set_policy(*, actor: Actor, zone_limit: Any, leader_limit: Any, request: HttpRequest | None = None) -> FundsPolicy:
    """Configure the amounts at which a claim needs a higher approval level."""
    _overseer_only(actor, actor.commission_id, "funds_policy.changed")
    low = money(zone_limit, "zone_limit", "协作区组长审批限额")
    high = money(leader_limit, "leader_limit", "分管委领导审批限额")
    if high < low:
        raise ValidationFailed(
            "分管委领导审批限额不能低于协作区组长审批限额。", field_errors={"leader_limit": ["限额顺序不对。"]}
        )
    with transaction.atomic():
        policy, _ = FundsPolicy.objects.select_for_update().get_or_create(commission_id=actor.commission_id)
        before = [str(policy.zone_limit), str(policy.leader_limit)]
        policy.zone_limit, policy.leader_limit = low, high
        policy.save(update_fields=["zone_limit", "leader_limit"])
        record_event(
            actor=actor,
            action="funds_policy.changed",
            target=policy,
            changes={"zone_limit": [before[0], str(low)], "leader_limit": [before[1], str(high)]},
            request=request,
        )
    return policy


# --- budgets -------------------------------------------------------------------------------------


def set_budget(
    *,
    actor: Actor,
    zone_id: Any,
    year: int,
    amounts: dict[int, Any],
    note: str = "",
    request: HttpRequest | None = None,
) -> ZoneBudget:
    """下达预算: a zone's yearly budget from the city allocation, one amount per configured line."""
    _staff_only(actor)
    _overseer_only(actor, actor.commission_id, "zone_budget.created")
    if not 2000 <= _int(year) <= 2100:
        raise ValidationFailed("请填写预算年度。", field_errors={"year": ["请填写年度。"]})
    kinds = selectors.line_kinds(actor.commission_id or 0)
    if not kinds:
        raise RuleViolation("本纪委监委尚未配置经费科目。")
    values = {kind.pk: money(amounts.get(kind.pk, "0"), f"line_{kind.pk}", kind.name, positive=False) for kind in kinds}
    with transaction.atomic():
        zone = Zone.objects.filter(pk=_int(zone_id), commission_id=actor.commission_id).first()
        if zone is None:
            raise ValidationFailed("请选择本纪委监委的协作区。", field_errors={"zone": ["请选择协作区。"]})
        if ZoneBudget.objects.filter(zone=zone, year=year).exists():
            raise RuleViolation(f"{zone.name}{year}年度预算已经下达；如需变更，请提出预算调整（追加或调减）。")
        assert actor.user_id is not None
        try:
            with transaction.atomic():
                budget = ZoneBudget.objects.create(
                    commission_id=zone.commission_id,
                    zone=zone,
                    year=year,
                    note=note.strip()[:200],
                    created_by_id=actor.user_id,
                )
        except IntegrityError:
            raise RuleViolation(f"{zone.name}{year}年度预算已经下达。") from None
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(budget=budget, kind=kind, amount=values[kind.pk], initial_amount=values[kind.pk])
                for kind in kinds
            ]
        )
        record_event(
            actor=actor,
            action="zone_budget.created",
            target=budget,
            detail={"lines": {kind.name: str(values[kind.pk]) for kind in kinds}},
            request=request,
        )
    return budget


def request_adjustment(
    *, actor: Actor, line_id: Any, kind: str, amount: Any, reason: str, request: HttpRequest | None = None
) -> BudgetAdjustment:
    """追加/调减: goes through the ``funds.adjustment`` chain; applied on approval (history kept)."""
    _staff_only(actor)
    if kind not in AdjustmentKind.values:
        raise ValidationFailed("请选择追加或调减。", field_errors={"kind": ["请选择调整方式。"]})
    value = money(amount)
    reason = _required(reason, "reason", "调整理由")
    with transaction.atomic():
        line = (
            BudgetLine.objects.select_for_update()
            .select_related("budget__zone", "kind")
            .filter(pk=_int(line_id))
            .first()
        )
        if line is None or not selectors.can_view_line(actor, line):
            raise NotFound(target_type="funds.budgetline", target_id=str(line_id))
        budget = line.budget
        if not (selectors.is_overseer(actor, budget.commission_id) or budget.zone_id in actor.led_zone_ids):
            raise NotPermitted("预算调整由案件监督管理室、委领导或本协作区组长提出。")
        if kind == AdjustmentKind.DECREASE:
            spent, committed = selectors.line_totals(line.pk)
            free = line.amount - spent - committed
            if value > free:
                raise RuleViolation(
                    f"“{line.kind.name}”科目可调减的余额只有 {yuan(free)}（预算 {yuan(line.amount)}，"
                    f"已支出 {yuan(spent)}，已占用 {yuan(committed)}），不能调减 {yuan(value)}。"
                )
        assert actor.user_id is not None
        adjustment = BudgetAdjustment.objects.create(
            commission_id=budget.commission_id,
            line=line,
            kind=kind,
            amount=value,
            reason=reason,
            requested_by_id=actor.user_id,
        )
        approval = submit_request(
            actor=actor,
            matter_type=ADJUSTMENT.slug,
            title=f"{budget.zone.name}{budget.year}年度“{line.kind.name}”{AdjustmentKind(kind).label}{yuan(value)}",
            reason=reason,
            target=adjustment,
            zone=budget.zone,
            request=request,
        )
        adjustment.approval = approval
        adjustment.save(update_fields=["approval"])
        record_event(
            actor=actor,
            action="budget_adjustment.requested",
            target=adjustment,
            changes={"state": [None, adjustment.state]},
            detail={"line": line.pk, "kind": kind, "amount": str(value), "approval": approval.pk},
            request=request,
        )
    return adjustment


def _decider(approval: ApprovalRequest) -> Actor:
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by if decision is not None else approval.requester)


@on_final_decision(ADJUSTMENT.slug)
def _adjustment_decided(approval: ApprovalRequest, outcome: str) -> None:
    adjustment = BudgetAdjustment.objects.select_for_update().filter(approval=approval).first()
    if adjustment is None or outcome == ApprovalState.RETURNED or adjustment.state != AdjustmentState.PENDING:
        return
    before = adjustment.state
    fields = ["state", "decided_at"]
    if outcome == ApprovalState.APPROVED:
        line = BudgetLine.objects.select_for_update().select_related("kind").get(pk=adjustment.line_id)
        new_amount = line.amount + adjustment.signed_amount
        spent, committed = selectors.line_totals(line.pk)
        if new_amount < spent + committed:
            raise RuleViolation(
                f"“{line.kind.name}”科目已支出 {yuan(spent)}、已占用 {yuan(committed)}，"
                f"调减后预算 {yuan(new_amount)} 不足，不能批准该调减。"
            )
        adjustment.amount_before, adjustment.amount_after = line.amount, new_amount
        line.amount = new_amount
        line.save(update_fields=["amount"])
        adjustment.state = AdjustmentState.APPROVED
        fields += ["amount_before", "amount_after"]
    elif outcome == ApprovalState.WITHDRAWN:
        adjustment.state = AdjustmentState.WITHDRAWN
    else:
        adjustment.state = AdjustmentState.REJECTED
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=fields)
    record_event(
        actor=_decider(approval),
        action="budget_adjustment.decided",
        target=adjustment,
        changes={
            "state": [before, adjustment.state],
            "line_amount": [str(adjustment.amount_before or ""), str(adjustment.amount_after or "")],
        },
        detail={"approval": approval.pk},
    )


# --- claims --------------------------------------------------------------------------------------


@dataclass
class ClaimInput:
    line_id: Any
    matter_kind: str
    matter_id: Any
    amount: Any
    purpose: str
    people: str = ""


def _check_matter(actor: Actor, kind: str, matter_id: Any, zone_id: int | None) -> tuple[Any, str]:
    spec = selectors.matter_spec(kind)
    matter = selectors.matter_for(actor, kind, matter_id)
    if spec is None or matter is None:
        raise ValidationFailed(
            "请选择您可以查看的问题线索、初步核实、案件或专项检查。", field_errors={"matter_id": ["未找到该事项。"]}
        )
    if spec.commission_id(matter) != actor.commission_id:
        raise RuleViolation("只能为本纪委监委的事项申请经费或用车。")
    matter_zone = spec.zone_id(matter)
    if zone_id is not None and matter_zone is not None and matter_zone != zone_id:
        raise RuleViolation("该事项不属于这个协作区，不能在该协作区的经费中列支。")
    return matter, f"{spec.label} {matter}"[:200]


def _may_claim_on(actor: Actor, line: BudgetLine) -> bool:
    budget = line.budget
    if budget.commission_id != actor.commission_id:
        return False
    return selectors.is_overseer(actor) or budget.zone_id in selectors.actor_zone_ids(actor)


def create_claim(
    *, actor: Actor, data: ClaimInput, trip: Trip | None = None, request: HttpRequest | None = None
) -> Claim:
    """填写经费申请 (draft): the matter it serves, the line, the amount, the purpose, the people."""
    _staff_only(actor)
    amount = money(data.amount)
    purpose = _required(data.purpose, "purpose", "用途")
    people = (data.people or "").strip()[:300]
    with transaction.atomic():
        line = BudgetLine.objects.select_related("budget__zone", "kind").filter(pk=_int(data.line_id)).first()
        if line is None or not _may_claim_on(actor, line):
            raise ValidationFailed("请选择您所在协作区的预算科目。", field_errors={"line_id": ["请选择预算科目。"]})
        _, label = _check_matter(actor, data.matter_kind, data.matter_id, line.budget.zone_id)
        assert actor.user_id is not None
        claim = Claim.objects.create(
            commission_id=line.budget.commission_id,
            zone_id=line.budget.zone_id,
            line=line,
            matter_kind=data.matter_kind,
            matter_id=_int(data.matter_id),
            matter_label=label,
            amount=amount,
            purpose=purpose,
            people=people,
            state=next_state(None, ClaimAction.CREATE),
            claimant_id=actor.user_id,
            trip=trip,
        )
        record_event(
            actor=actor,
            action="claim.created",
            target=claim,
            changes={"state": [None, claim.state], "amount": [None, str(amount)]},
            detail={"line": line.pk, "matter": f"{data.matter_kind}:{claim.matter_id}"},
            request=request,
        )
    return claim


def _lock_claim(actor: Actor, claim_id: Any, *, line_first: bool = False) -> Claim:
    """Lock the claim's budget line (the row every claim of the line competes for), then the claim."""
    found = Claim.objects.filter(pk=_int(claim_id)).values_list("line_id", flat=True).first()
    if found is None:
        raise NotFound(target_type="funds.claim", target_id=str(claim_id))
    if line_first:
        BudgetLine.objects.select_for_update().filter(pk=found).first()
    claim = (
        Claim.objects.select_for_update()
        .select_related("line__kind", "line__budget__zone")
        .filter(pk=_int(claim_id))
        .first()
    )
    if claim is None or not selectors.can_view_claim(actor, claim):
        raise NotFound(audit_action="claim.viewed", target_type="funds.claim", target_id=str(claim_id))
    return claim


def _read_only(claim: Claim) -> None:
    if claim.state == ClaimState.PAID:
        raise InvalidTransition("该经费申请已支付，只读；如需更正，请由案件监督管理室作冲销分录。")


def submit_claim(*, actor: Actor, claim_id: Any, request: HttpRequest | None = None) -> Claim:
    """提交审批: refused when the line's remaining amount is short (naming the line and the remaining)."""
    _staff_only(actor)
    with transaction.atomic():
        claim = _lock_claim(actor, claim_id, line_first=True)
        _read_only(claim)
        if claim.claimant_id != actor.user_id:
            raise NotPermitted("只有经办人本人可以提交该经费申请。")
        new_state = next_state(claim.state, ClaimAction.SUBMIT)
        line = claim.line
        spent, committed = selectors.line_totals(line.pk)
        remaining = line.amount - spent - committed
        if claim.amount > remaining:
            raise RuleViolation(
                f"“{line.budget.zone.name}{line.budget.year}年度 {line.kind.name}”科目余额只有 {yuan(remaining)}，"
                f"本次申请 {yuan(claim.amount)} 超出预算。请先申请追加预算并经批准后再提交。",
                audit_action="claim.submitted",
                target_type="funds.claim",
                target_id=str(claim.pk),
            )
        if claim.approval_id and claim.approval and claim.approval.state in LIVE_STATES:
            withdraw_request(actor=actor, approval_id=claim.approval_id, reason="修改后重新提交", request=request)
        policy = selectors.policy_of(claim.commission_id)
        matter_type = claim_matter_type(claim.amount, policy.zone_limit, policy.leader_limit)
        approval = submit_request(
            actor=actor,
            matter_type=matter_type,
            title=f"{line.budget.zone.name} {line.kind.name} {yuan(claim.amount)}：{claim.matter_label}"[:200],
            reason=claim.purpose,
            target=claim,
            zone=line.budget.zone,
            request=request,
        )
        before = claim.state
        claim.state, claim.approval, claim.submitted_at = new_state, approval, timezone.now()
        claim.save(update_fields=["state", "approval", "submitted_at"])
        record_event(
            actor=actor,
            action="claim.submitted",
            target=claim,
            changes={"state": [before, claim.state]},
            detail={"approval": approval.pk, "matter_type": matter_type, "remaining_before": str(remaining)},
            request=request,
        )
    return claim


def _claim_decided(approval: ApprovalRequest, outcome: str) -> None:
    claim = Claim.objects.select_for_update().filter(approval=approval).first()
    if claim is None or claim.state != ClaimState.SUBMITTED:
        return
    actions: dict[str, str] = {
        ApprovalState.APPROVED: ClaimAction.APPROVE,
        ApprovalState.REJECTED: ClaimAction.REJECT,
        ApprovalState.WITHDRAWN: ClaimAction.WITHDRAW,
        ApprovalState.RETURNED: ClaimAction.RETURN,
    }
    action = actions[outcome]
    before = claim.state
    claim.state = next_state(claim.state, action)
    claim.decided_at = timezone.now() if outcome != ApprovalState.RETURNED else None
    claim.save(update_fields=["state", "decided_at"])
    record_event(
        actor=_decider(approval),
        action="claim.decided",
        target=claim,
        changes={"state": [before, claim.state]},
        detail={"approval": approval.pk, "outcome": outcome},
    )


for _slug in CLAIM_TYPES:
    on_final_decision(_slug)(_claim_decided)


def withdraw_claim(*, actor: Actor, claim_id: Any, request: HttpRequest | None = None) -> Claim:
    _staff_only(actor)
    with transaction.atomic():
        claim = _lock_claim(actor, claim_id, line_first=True)
        _read_only(claim)
        if claim.claimant_id != actor.user_id:
            raise NotPermitted("只有经办人本人可以撤回该经费申请。")
        if claim.state == ClaimState.SUBMITTED and claim.approval_id:
            withdraw_request(actor=actor, approval_id=claim.approval_id, reason="经办人撤回经费申请", request=request)
            claim.refresh_from_db()
            return claim
        before = claim.state
        claim.state = next_state(claim.state, ClaimAction.WITHDRAW)
        claim.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="claim.withdrawn",
            target=claim,
            changes={"state": [before, claim.state]},
            request=request,
        )
    return claim


def pay_claim(*, actor: Actor, claim_id: Any, request: HttpRequest | None = None) -> Claim:
    """登记支付 (案管): an approved claim is paid and becomes read-only."""
    _staff_only(actor)
    with transaction.atomic():
        claim = _lock_claim(actor, claim_id, line_first=True)
        _fleet_only(actor, claim.commission_id, "claim.paid")
        _read_only(claim)
        before = claim.state
        claim.state = next_state(claim.state, ClaimAction.PAY)
        claim.paid_at, claim.paid_by_id = timezone.now(), actor.user_id
        claim.save(update_fields=["state", "paid_at", "paid_by"])
        record_event(
            actor=actor, action="claim.paid", target=claim, changes={"state": [before, claim.state]}, request=request
        )
    return claim


def reverse_claim(*, actor: Actor, claim_id: Any, reason: str, request: HttpRequest | None = None) -> Claim:
    """冲销更正: a paid claim is never edited; a reversing entry of the opposite amount corrects it."""
    _staff_only(actor)
    reason = _required(reason, "reason", "冲销理由")
    with transaction.atomic():
        claim = _lock_claim(actor, claim_id, line_first=True)
        _fleet_only(actor, claim.commission_id, "claim.reversed")
        if claim.state != ClaimState.PAID or claim.reverses_id is not None:
            raise InvalidTransition("只有已支付的经费申请可以冲销；冲销分录本身不能再冲销。")
        if Claim.objects.filter(reverses=claim).exists():
            raise RuleViolation("该经费申请已经冲销过。")
        assert actor.user_id is not None
        now = timezone.now()
        try:
            with transaction.atomic():
                reversal = Claim.objects.create(
                    commission_id=claim.commission_id,
                    zone_id=claim.zone_id,
                    line_id=claim.line_id,
                    matter_kind=claim.matter_kind,
                    matter_id=claim.matter_id,
                    matter_label=claim.matter_label,
                    amount=-claim.amount,
                    purpose=f"冲销第{claim.pk}号：{reason}",
                    people=claim.people,
                    state=next_state(None, ClaimAction.REVERSE),
                    claimant_id=actor.user_id,
                    reverses=claim,
                    submitted_at=now,
                    decided_at=now,
                    paid_at=now,
                    paid_by_id=actor.user_id,
                )
        except IntegrityError:
            raise RuleViolation("该经费申请已经冲销过。") from None
        record_event(
            actor=actor,
            action="claim.reversed",
            target=reversal,
            changes={"amount": [None, str(reversal.amount)]},
            detail={"reverses": claim.pk, "reason": reason},
            request=request,
        )
    return reversal


def add_receipt(
    *, actor: Actor, claim_id: Any, file_name: str, data: bytes, request: HttpRequest | None = None
) -> Receipt:
    """票据: checked like every upload (content sniffed), hashed (SHA-256, SM3), sealed and stored."""
    from xiezuoqu.verification.services import store_evidence

    _staff_only(actor)
    name = clean_name(file_name)
    if not data:
        raise ValidationFailed("请选择票据文件。", field_errors={"file": ["请选择文件。"]})
    if len(data) > MAX_RECEIPT_SIZE:
        raise ValidationFailed(f"文件“{name}”超过 10 MB。", field_errors={"file": ["文件过大。"]})
    try:
        kind = sniff(name, data)
    except RefusedFile as exc:
        raise ValidationFailed(exc.message, field_errors={"file": [exc.message]}) from None
    sha256 = hashlib.sha256(data).hexdigest()
    sm3 = sm3_hex(data)
    with transaction.atomic():
        claim = _lock_claim(actor, claim_id)
        _read_only(claim)
        if claim.claimant_id != actor.user_id or claim.state != ClaimState.DRAFT:
            raise NotPermitted("票据由经办人在提交审批前上传。")
        if Receipt.objects.filter(claim=claim, sha256=sha256).exists():
            raise RuleViolation(f"票据“{name}”已经上传过。")
        storage_name = store_evidence(data, sha256, sm3)
        assert actor.user_id is not None
        receipt = Receipt.objects.create(
            claim=claim,
            file_name=name[:120],
            content_type=kind.content_type,
            size=len(data),
            sha256=sha256,
            sm3=sm3,
            storage_name=storage_name,
            uploaded_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="receipt.added",
            target=receipt,
            detail={"claim": claim.pk, "sha256": sha256, "sm3": sm3, "size": len(data)},
            request=request,
            commission_id=claim.commission_id,
        )
    return receipt


def read_receipt(*, actor: Actor, receipt_id: Any, request: HttpRequest | None = None) -> tuple[Receipt, bytes]:
    """Open a receipt (verified against its hashes); the read is recorded."""
    from xiezuoqu.verification.services import read_evidence

    receipt = selectors.get_receipt_for(actor, receipt_id)
    content = read_evidence(receipt.storage_name, receipt.sha256, receipt.sm3)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="receipt.viewed",
            target=receipt,
            request=request,
            commission_id=receipt.claim.commission_id,
        )
    return receipt, content


# --- vehicles, bookings, trips -------------------------------------------------------------------


@dataclass
class VehicleInput:
    plate: str
    seats: Any
    zone_id: Any = None
    model_name: str = ""
    odometer_km: Any = 0


def add_vehicle(*, actor: Actor, data: VehicleInput, request: HttpRequest | None = None) -> Vehicle:
    _staff_only(actor)
    _fleet_only(actor, actor.commission_id, "vehicle.added")
    plate = _required(data.plate, "plate", "车牌号", 12).upper()
    seats = _int(data.seats)
    if not 1 <= seats <= 60:
        raise ValidationFailed("座位数应在 1 到 60 之间。", field_errors={"seats": ["请填写座位数。"]})
    odometer = _int(data.odometer_km)
    if odometer < 0:
        raise ValidationFailed("里程不能为负数。", field_errors={"odometer_km": ["请填写里程。"]})
    with transaction.atomic():
        zone = None
        if data.zone_id not in (None, "", 0, "0"):
            zone = Zone.objects.filter(pk=_int(data.zone_id), commission_id=actor.commission_id).first()
            if zone is None:
                raise ValidationFailed("请选择本纪委监委的协作区。", field_errors={"zone_id": ["请选择协作区。"]})
        if Vehicle.objects.filter(commission_id=actor.commission_id, plate=plate).exists():
            raise RuleViolation(f"车牌号 {plate} 已在车辆库中。")
        vehicle = Vehicle.objects.create(
            commission_id=actor.commission_id,
            plate=plate,
            seats=seats,
            zone=zone,
            model_name=(data.model_name or "").strip()[:40],
            odometer_km=odometer,
        )
        record_event(actor=actor, action="vehicle.added", target=vehicle, detail={"seats": seats}, request=request)
    return vehicle


def set_vehicle_status(*, actor: Actor, vehicle_id: Any, status: str, request: HttpRequest | None = None) -> Vehicle:
    _staff_only(actor)
    if status not in VehicleStatus.values:
        raise ValidationFailed("请选择车辆状态。", field_errors={"status": ["请选择状态。"]})
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().filter(pk=_int(vehicle_id)).first()
        if vehicle is None or not selectors.can_view_vehicle(actor, vehicle):
            raise NotFound(target_type="funds.vehicle", target_id=str(vehicle_id))
        _fleet_only(actor, vehicle.commission_id, "vehicle.status_changed")
        before = vehicle.status
        vehicle.status = status
        vehicle.save(update_fields=["status"])
        record_event(
            actor=actor,
            action="vehicle.status_changed",
            target=vehicle,
            changes={"status": [before, status]},
            request=request,
        )
    return vehicle


@dataclass
class BookingInput:
    vehicle_id: Any
    driver_id: Any
    matter_kind: str
    matter_id: Any
    starts_at: datetime
    ends_at: datetime
    destination: str
    passengers: str = ""
    confidential: bool = False


def _fmt(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M")


def book_vehicle(*, actor: Actor, data: BookingInput, request: HttpRequest | None = None) -> Booking:
    """预约用车: refused when the vehicle or the driver is already booked for an overlapping time."""
    _staff_only(actor)
    destination = _required(data.destination, "destination", "目的地", 100)
    start, end = data.starts_at, data.ends_at
    if start is None or end is None or timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed("请填写用车起止时间。", field_errors={"starts_at": ["请填写时间。"]})
    if end <= start:
        raise ValidationFailed("结束时间应晚于开始时间。", field_errors={"ends_at": ["结束时间应晚于开始时间。"]})
    if end - start > MAX_BOOKING:
        raise ValidationFailed("一次预约最长 7 天；更长的用车请分段预约。", field_errors={"ends_at": ["时间过长。"]})
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().filter(pk=_int(data.vehicle_id)).first()
        if vehicle is None or not selectors.can_view_vehicle(actor, vehicle):
            raise ValidationFailed("请选择车辆库中的车辆。", field_errors={"vehicle_id": ["请选择车辆。"]})
        if vehicle.status != VehicleStatus.AVAILABLE:
            raise RuleViolation(f"车辆 {vehicle.plate} 当前为“{vehicle.get_status_display()}”，不能预约。")
        driver = (
            StaffMember.objects.select_for_update()
            .filter(pk=_int(data.driver_id), commission_id=actor.commission_id)
            .first()
        )
        if driver is None:
            raise ValidationFailed("请选择本纪委监委的驾驶员。", field_errors={"driver_id": ["请选择驾驶员。"]})
        matter, label = _check_matter(actor, data.matter_kind, data.matter_id, None)
        spec = selectors.matter_spec(data.matter_kind)
        assert spec is not None
        clash = selectors.overlapping(Booking.objects.filter(vehicle=vehicle), start, end, MAX_BOOKING).first()
        if clash is not None:
            raise RuleViolation(
                f"车辆 {vehicle.plate} 在 {_fmt(clash.starts_at)} 至 {_fmt(clash.ends_at)} 已有预约，与所选时间重叠。"
            )
        clash = selectors.overlapping(Booking.objects.filter(driver=driver), start, end, MAX_BOOKING).first()
        if clash is not None:
            raise RuleViolation(
                f"驾驶员{driver.name}在 {_fmt(clash.starts_at)} 至 {_fmt(clash.ends_at)} 已有出车任务，与所选时间重叠。"
            )
        assert actor.user_id is not None
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    commission_id=actor.commission_id,
                    vehicle=vehicle,
                    driver=driver,
                    matter_kind=data.matter_kind,
                    matter_id=matter.pk,
                    matter_label=label,
                    zone_id=spec.zone_id(matter) or vehicle.zone_id,
                    starts_at=start,
                    ends_at=end,
                    destination=destination,
                    passengers=(data.passengers or "").strip()[:300],
                    confidential=bool(data.confidential),
                    booked_by_id=actor.user_id,
                )
        except IntegrityError:
            # The database's exclusion constraint (PostgreSQL): another booking won the same time.
            raise RuleViolation(f"车辆 {vehicle.plate} 或驾驶员{driver.name}在所选时间已有预约。") from None
        record_event(
            actor=actor,
            action="booking.created",
            target=booking,
            detail={"vehicle": vehicle.plate, "driver": driver.pk, "confidential": booking.confidential},
            request=request,
        )
    return booking


def _lock_booking(actor: Actor, booking_id: Any) -> Booking:
    booking = (
        Booking.objects.select_for_update().select_related("vehicle", "driver").filter(pk=_int(booking_id)).first()
    )
    if booking is None or not selectors.can_view_booking(actor, booking):
        raise NotFound(target_type="funds.booking", target_id=str(booking_id))
    return booking


def _may_handle_booking(actor: Actor, booking: Booking) -> bool:
    return (
        booking.booked_by_id == actor.user_id
        or (actor.staff_id is not None and booking.driver_id == actor.staff_id)
        or selectors.is_fleet_manager(actor, booking.commission_id)
    )


def cancel_booking(*, actor: Actor, booking_id: Any, request: HttpRequest | None = None) -> Booking:
    _staff_only(actor)
    with transaction.atomic():
        booking = _lock_booking(actor, booking_id)
        if not _may_handle_booking(actor, booking):
            raise NotPermitted("只有预约人或案件监督管理室可以取消预约。")
        if booking.state != BookingState.BOOKED:
            raise InvalidTransition(f"该预约当前为“{booking.get_state_display()}”，不能取消。")
        booking.state = BookingState.CANCELLED
        booking.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="booking.cancelled",
            target=booking,
            changes={"state": [BookingState.BOOKED, BookingState.CANCELLED]},
            request=request,
        )
    return booking


def record_trip(
    *,
    actor: Actor,
    booking_id: Any,
    odometer_start: Any,
    odometer_end: Any,
    cost: Any = "0",
    note: str = "",
    request: HttpRequest | None = None,
) -> Trip:
    """出车登记: odometer readings only go up per vehicle (the vehicle row is locked)."""
    _staff_only(actor)
    start, end = _int(odometer_start), _int(odometer_end)
    value = money(cost, "cost", "费用", positive=False)
    with transaction.atomic():
        vehicle_id = Booking.objects.filter(pk=_int(booking_id)).values_list("vehicle_id", flat=True).first()
        if vehicle_id is None:
            raise NotFound(target_type="funds.booking", target_id=str(booking_id))
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle_id)
        booking = _lock_booking(actor, booking_id)
        if not _may_handle_booking(actor, booking):
            raise NotPermitted("出车记录由预约人、驾驶员或案件监督管理室登记。")
        if booking.state != BookingState.BOOKED:
            raise InvalidTransition(f"该预约当前为“{booking.get_state_display()}”，不能登记出车。")
        if start < vehicle.odometer_km:
            raise RuleViolation(
                f"车辆 {vehicle.plate} 已登记的里程为 {vehicle.odometer_km} 公里，出车里程 {start} 公里不能小于它。",
                field_errors={"odometer_start": ["里程读数不能倒退。"]},
            )
        if end < start:
            raise RuleViolation(
                f"收车里程 {end} 公里不能小于出车里程 {start} 公里。",
                field_errors={"odometer_end": ["里程读数不能倒退。"]},
            )
        assert actor.user_id is not None
        trip = Trip.objects.create(
            booking=booking,
            vehicle=vehicle,
            odometer_start=start,
            odometer_end=end,
            cost=value,
            note=(note or "").strip()[:200],
            recorded_by_id=actor.user_id,
        )
        before = vehicle.odometer_km
        vehicle.odometer_km = end
        vehicle.save(update_fields=["odometer_km"])
        booking.state = BookingState.DONE
        booking.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="trip.recorded",
            target=trip,
            changes={"odometer_km": [before, end]},
            detail={"booking": booking.pk, "cost": str(value)},
            request=request,
            commission_id=vehicle.commission_id,
        )
    return trip


def claim_trip(*, actor: Actor, trip_id: Any, purpose: str = "", request: HttpRequest | None = None) -> Claim:
    """A trip's cost claimed against the 交通 line of the booking's zone and year (a draft claim)."""
    _staff_only(actor)
    trip = Trip.objects.select_related("booking", "vehicle").filter(pk=_int(trip_id)).first()
    if trip is None or not selectors.can_view_trip(actor, trip):
        raise NotFound(target_type="funds.trip", target_id=str(trip_id))
    booking = trip.booking
    if not _may_handle_booking(actor, booking):
        raise NotPermitted("出车费用由预约人、驾驶员或案件监督管理室申请。")
    if trip.cost <= 0:
        raise RuleViolation("该次出车没有登记费用，无需申请。")
    if Claim.objects.filter(trip=trip).exclude(state__in=[ClaimState.REJECTED, ClaimState.WITHDRAWN]).exists():
        raise RuleViolation("该次出车的费用已经申请过。")
    zone_id = booking.zone_id or trip.vehicle.zone_id
    year = timezone.localtime(booking.starts_at).year
    line = BudgetLine.objects.filter(
        budget__zone_id=zone_id, budget__year=year, kind__is_transport=True, budget__commission_id=booking.commission_id
    ).first()
    if line is None:
        raise RuleViolation(f"该协作区{year}年度没有“交通”科目的预算，不能申请出车费用。")
    text = purpose.strip() or f"车辆 {trip.vehicle.plate} 出车 {trip.distance_km} 公里（{booking.destination}）"
    return create_claim(
        actor=actor,
        data=ClaimInput(
            line_id=line.pk,
            matter_kind=booking.matter_kind,
            matter_id=booking.matter_id,
            amount=trip.cost,
            purpose=text,
            people=booking.passengers,
        ),
        trip=trip,
        request=request,
    )
