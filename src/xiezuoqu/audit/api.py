"""The audit log over the API: events (filtered, keyset by ``seq``), one event, chain verification.

For the security auditor only; every other caller gets 404, as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from xiezuoqu.access.actor import actor_for

from .models import AuditEvent
from .selectors import API_LIMIT, EventFilters, check_row, event_page, get_event_for, require_auditor
from .services import record_event
from .verify import verify_chain

router = Router(tags=["audit"])


class EventOut(Schema):
    seq: int
    occurred_at: datetime
    commission_id: int | None
    actor_id: int | None
    actor_name: str
    role: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    outcome: str
    client_address: str


class EventDetailOut(EventOut):
    changes: dict[str, Any]
    detail: dict[str, Any]
    algorithm: str
    prev_mac: str
    mac: str
    mac_valid: bool
    link_valid: bool | None


class EventPageOut(Schema):
    items: list[EventOut]
    # Pass as ``before_seq`` for the next (older) page; null on the last page.
    next_before_seq: int | None


class ProblemOut(Schema):
    kind: str
    seq: int | None
    message: str


class ChainVerifyOut(Schema):
    ok: bool
    rows_checked: int
    seconds: float
    rows_per_second: float
    first_seq: int | None
    last_seq: int | None
    head_seq: int | None
    problem: ProblemOut | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


@router.get("/events", response=EventPageOut, summary="审计记录（新的在前）")
def list_events(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    actor: str = "",
    action: str = Query("", description="动作前缀，如 account."),
    target_type: str = "",
    target_id: str = "",
    outcome: Literal["", "allowed", "refused"] = "",
    since: datetime | None = None,
    until: datetime | None = None,
    before_seq: int | None = None,
    limit: int = Query(50, ge=1, le=API_LIMIT),
):
    who = actor_for(request.user)
    require_auditor(who, action="audit.viewed")
    filters = EventFilters(
        actor=actor.strip(),
        action=action.strip(),
        target_type=target_type.strip(),
        target_id=target_id.strip(),
        outcome=outcome,
        since=_aware(since),
        until=_aware(until),
    )
    page = event_page(who, filters, before=before_seq, limit=limit)
    record_event(
        actor=who,
        action="audit.viewed",
        detail={"filters": filters.as_detail(), "before": before_seq, "rows": len(page.events), "via": "api"},
        request=request,
    )
    return {"items": page.events, "next_before_seq": page.older_than}


@router.get("/events/{seq}", response=EventDetailOut, summary="一条审计记录及其完整性")
def get_event(request: HttpRequest, seq: int):  # type: ignore[no-untyped-def]
    who = actor_for(request.user)
    event: AuditEvent = get_event_for(who, seq)
    check = check_row(who, event)
    record_event(
        actor=who,
        action="auditevent.viewed",
        target=event,
        target_id=str(event.seq),
        detail={"via": "api"},
        request=request,
    )
    return {
        **{field: getattr(event, field) for field in EventDetailOut.model_fields if hasattr(event, field)},
        "mac_valid": check.mac_valid,
        "link_valid": check.link_valid,
    }


@router.get("/verify", response=ChainVerifyOut, summary="校验整条审计链")
def verify(request: HttpRequest):  # type: ignore[no-untyped-def]
    who = actor_for(request.user)
    require_auditor(who, action="audit.verified")
    result = verify_chain()
    problem = result.problem
    problem_out = {"kind": problem.kind, "seq": problem.seq, "message": problem.message} if problem else None
    record_event(
        actor=who,
        action="audit.verified",
        detail={"intact": result.ok, "rows_checked": result.rows_checked, "problem": problem_out, "via": "api"},
        request=request,
    )
    return {
        "ok": result.ok,
        "rows_checked": result.rows_checked,
        "seconds": result.seconds,
        "rows_per_second": result.rows_per_second,
        "first_seq": result.first_seq,
        "last_seq": result.last_seq,
        "head_seq": result.head_seq,
        "problem": problem_out,
    }
