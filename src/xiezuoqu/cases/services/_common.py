"""Helpers every stage of a case uses: input cleaning, the case lock (view predicate after the lock,
read-only once archived), the transition and its audit event, the actor checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases import rules
from xiezuoqu.cases.models import (
    Case,
)
from xiezuoqu.cases.selectors import (
    can_view_case,
    may_investigate,
)
from xiezuoqu.cases.workflow import State, next_state
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str, limit: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    if limit is not None and len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: ["过长。"]})
    return text


def _day(value: date | None, field_name: str, label: str, *, not_before: date | None = None) -> date:
    if value is None:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: ["请填写日期。"]})
    if value > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天。", field_errors={field_name: ["晚于今天。"]})
    if not_before is not None and value < not_before:
        raise ValidationFailed(
            f"{label}不能早于 {not_before:%Y-%m-%d}。", field_errors={field_name: [f"不能早于 {not_before:%Y-%m-%d}。"]}
        )
    return value


def _ids(values: Sequence[Any]) -> set[int]:
    return {k for v in values if (k := as_key(v)) is not None}


def _pk(value: Any) -> int | None:
    return as_key(value)


def _refuse_archived(case: Case) -> None:
    if case.state == State.ARCHIVED:
        raise RuleViolation(rules.READ_ONLY)


def _lock(actor: Actor, case_id: Any) -> Case:
    """Lock the case row, then apply the view predicate: 404 when out of reach; refused when archived."""
    pk = _pk(case_id)
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("clue", "subject").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if case is None or not can_view_case(actor, case):
        raise NotFound(audit_action="case.viewed", target_type="cases.case", target_id=str(case_id))
    _refuse_archived(case)
    return case


def _lock_row(model: Any, row_id: Any, actor: Actor, label: str) -> Any:
    pk = _pk(row_id)
    row = model.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise NotFound(audit_action=f"case.{label}_viewed", target_type=model._meta.label_lower, target_id=str(row_id))
    _lock(actor, row.case_id)  # the case first: scope and read-only
    return row


def _move(
    actor: Actor | None,
    case: Case,
    action: str,
    request: HttpRequest | None = None,
    *,
    detail: dict[str, Any] | None = None,
) -> None:
    """Apply one transition of the table and record it."""
    before = case.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {}
    if after != before:
        changes["state"] = [before, after]
        case.state = after
        case.state_changed_at = timezone.now()
        case.save(update_fields=["state", "state_changed_at"])
    record_event(actor=actor, action=f"case.{action}", target=case, changes=changes, detail=detail, request=request)


def _check(allowed: bool, message: str, action: str, case: Case) -> None:
    if not allowed:
        raise NotPermitted(message, audit_action=f"case.{action}", target_type="cases.case", target_id=str(case.pk))


def _check_investigator(actor: Actor, case: Case, action: str) -> None:
    _check(
        may_investigate(actor, case),
        "只有审查调查组成员，或承办单位、所在协作区的办案人员可以办理审查调查。",
        action,
        case,
    )


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None
