"""The approvals API: the same scope and the same services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import ValidationFailed

from . import services
from .matters import UnitRule
from .models import ApprovalChain, ApprovalRequest
from .selectors import (
    active_chains_for,
    decisions_of,
    may_decide_now,
    request_detail_for,
    request_list,
    requests_to_decide,
    requests_visible_to,
    step_rows_of,
)
from .workflow import State

router = Router(tags=["approvals"])

MAX_LIMIT = 100


class ApprovalStepOut(Schema):
    index: int
    label: str
    role: str
    role_label: str
    unit_rule: str
    unit_id: int | None
    unit_name: str
    zone_id: int | None
    zone_name: str
    state: str
    state_label: str


class ApprovalDecisionOut(Schema):
    id: int
    round: int
    step_index: int
    decided_by_id: int
    decided_by_name: str
    role: str
    decision: str
    decision_label: str
    comment: str
    decided_at: datetime


class ApprovalRequestOut(Schema):
    id: int
    matter_type: str
    matter_label: str
    title: str
    state: str
    state_label: str
    mode: str
    round: int
    current_step: int
    current_step_label: str
    requester_id: int
    requester_name: str
    requester_unit_id: int
    requester_unit_name: str
    zone_id: int | None
    target_type: str | None
    target_id: int | None
    target_label: str
    submitted_at: datetime
    decided_at: datetime | None


class RequestDetailOut(ApprovalRequestOut):
    reason: str
    chain_id: int
    chain_name: str
    chain_version: int
    steps: list[ApprovalStepOut]
    decisions: list[ApprovalDecisionOut]
    may_decide_steps: list[int] = Field(description="本人当前可以审批的环节序号")


class RequestPage(Schema):
    items: list[ApprovalRequestOut]
    next_cursor: int | None = Field(None, description="下一页传入 cursor；为空表示没有更多")


class RequestFilters(Schema):
    state: str | None = Field(None, description="pending / approved / returned / rejected / withdrawn")
    mine: bool = Field(False, description="只看本人提交的")
    to_decide: bool = Field(False, description="只看等待本人审批的")
    cursor: int | None = Field(None, description="上一页返回的 next_cursor")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class ApprovalDecisionIn(Schema):
    decision: str = Field(description="approve（同意）/ return（退回修改）/ reject（不同意）")
    comment: str = Field("", description="审批意见；退回修改或不同意时必填")
    step_index: int | None = Field(None, description="审批的环节序号；不填则取本人可审批的第一个环节")
    round: int | None = Field(None, description="所见申请的轮次；申请已重新提交时拒绝")


class ChainStepOut(Schema):
    order: int
    role: str
    role_label: str
    unit_rule: str
    unit_rule_label: str
    fixed_unit_id: int | None
    fixed_unit_name: str
    label: str


class ChainOut(Schema):
    id: int
    matter_type: str
    matter_label: str
    name: str
    mode: str
    version: int
    steps: list[ChainStepOut]


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _request_out(approval: ApprovalRequest) -> dict[str, Any]:
    target_type = approval.target_type
    return {
        "id": approval.pk,
        "matter_type": approval.matter_type,
        "matter_label": approval.matter_label,
        "title": approval.title,
        "state": approval.state,
        "state_label": approval.get_state_display(),
        "mode": approval.mode,
        "round": approval.round,
        "current_step": approval.current_step,
        "current_step_label": approval.current_step_label,
        "requester_id": approval.requester_id,
        "requester_name": str(approval.requester),
        "requester_unit_id": approval.requester_unit_id,
        "requester_unit_name": approval.requester_unit.name,
        "zone_id": approval.zone_id,
        "target_type": f"{target_type.app_label}.{target_type.model}" if target_type else None,
        "target_id": approval.target_id,
        "target_label": approval.target_label,
        "submitted_at": approval.submitted_at,
        "decided_at": approval.decided_at,
    }


def _detail_out(actor: Actor, approval: ApprovalRequest) -> dict[str, Any]:
    body = _request_out(approval)
    body.update(
        {
            "reason": approval.reason,
            "chain_id": approval.chain_id,
            "chain_name": approval.chain_name,
            "chain_version": approval.chain_version,
            "steps": [
                {
                    "index": s.index,
                    "label": s.label,
                    "role": s.role,
                    "role_label": s.get_role_display(),
                    "unit_rule": s.unit_rule,
                    "unit_id": s.unit_id,
                    "unit_name": s.unit.name if s.unit else "",
                    "zone_id": s.zone_id,
                    "zone_name": s.zone.name if s.zone else "",
                    "state": s.state,
                    "state_label": s.get_state_display(),
                }
                for s in step_rows_of(approval)
            ],
            "decisions": [
                {
                    "id": d.pk,
                    "round": d.round,
                    "step_index": d.step_index,
                    "decided_by_id": d.decided_by_id,
                    "decided_by_name": str(d.decided_by),
                    "role": d.role,
                    "decision": d.decision,
                    "decision_label": d.get_decision_display(),
                    "comment": d.comment,
                    "decided_at": d.decided_at,
                }
                for d in decisions_of(approval)
            ],
            "may_decide_steps": may_decide_now(actor, approval),
        }
    )
    return body


@router.get("/requests", response=RequestPage, summary="审批申请列表")
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> dict[str, Any]:
    """The requests the caller may see, newest first, keyset-paginated by id."""
    actor = _actor(request)
    qs = requests_visible_to(actor)
    if filters.to_decide:
        qs = qs & requests_to_decide(actor)
    if filters.mine:
        qs = qs.filter(requester_id=actor.user_id)
    if filters.state:
        if filters.state not in State.values:
            raise ValidationFailed("状态取值无效。", field_errors={"state": [f"可选：{'、'.join(State.values)}"]})
        qs = qs.filter(state=filters.state)
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(request_list(qs).select_related("target_type")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [_request_out(r) for r in rows], "next_cursor": rows[-1].pk if more else None}


@router.get("/requests/{approval_id}", response=RequestDetailOut, summary="审批申请详情")
def get_request(request: HttpRequest, approval_id: int) -> dict[str, Any]:
    actor = _actor(request)
    approval = request_detail_for(actor, approval_id)
    with transaction.atomic():
        record_event(actor=actor, action="approval.viewed", target=approval, request=request)
    return _detail_out(actor, approval)


@router.post("/requests/{approval_id}/decisions", response=RequestDetailOut, summary="提交审批意见")
def post_decision(request: HttpRequest, approval_id: int, payload: ApprovalDecisionIn) -> dict[str, Any]:
    actor = _actor(request)
    services.decide(
        actor=actor,
        approval_id=approval_id,
        decision=payload.decision,
        comment=payload.comment,
        step_index=payload.step_index,
        round=payload.round,
        request=request,
    )
    return _detail_out(actor, request_detail_for(actor, approval_id))


@router.get("/chains", response=list[ChainOut], summary="本纪委监委在用的审批链")
def list_chains(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    rules = dict(UnitRule.choices)
    chains: list[ApprovalChain] = active_chains_for(actor)
    return [
        {
            "id": chain.pk,
            "matter_type": chain.matter_type,
            "matter_label": chain.matter_label,
            "name": chain.name,
            "mode": chain.mode,
            "version": chain.version,
            "steps": [
                {
                    "order": step.order,
                    "role": step.role,
                    "role_label": step.get_role_display(),
                    "unit_rule": step.unit_rule,
                    "unit_rule_label": str(rules.get(step.unit_rule, step.unit_rule)),
                    "fixed_unit_id": step.fixed_unit_id,
                    "fixed_unit_name": step.fixed_unit.name if step.fixed_unit else "",
                    "label": step.label,
                }
                for step in chain.steps.all()
            ],
        }
        for chain in chains
    ]
