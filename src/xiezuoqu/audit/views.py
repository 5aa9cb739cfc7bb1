"""The audit log's pages, for the security auditor only (everyone else: the funnel's 404)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuoqu.access.actor import actor_for

from .forms import EventFilterForm
from .selectors import (
    EventFilters,
    EventPage,
    check_row,
    commission_name,
    event_page,
    get_event_for,
    require_auditor,
)
from .services import record_event
from .verify import verify_chain


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_auditor(actor, action="audit.viewed")
    form = EventFilterForm(request.GET)
    page = EventPage([], older_than=None, newer_than=None)
    filters = EventFilters()
    if form.is_valid():
        filters = form.filters()
        before, after = form.cleaned_data.get("before"), form.cleaned_data.get("after")
        page = event_page(actor, filters, before=before, after=after)
        # One record per page viewed, naming the filters: what the auditor looked for is on record too.
        record_event(
            actor=actor,
            action="audit.viewed",
            detail={"filters": filters.as_detail(), "before": before, "after": after, "rows": len(page.events)},
            request=request,
        )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "filters": filters, "query": query.urlencode()},
    )


@login_required
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    actor = actor_for(request.user)
    event = get_event_for(actor, seq)
    check = check_row(actor, event)
    record_event(actor=actor, action="auditevent.viewed", target=event, target_id=str(event.seq), request=request)
    context = {
        "event": event,
        "check": check,
        "commission": commission_name(event.commission_id),
        "changes": _change_rows(event.changes),
        "detail": [(key, _shown(value)) for key, value in sorted(event.detail.items())],
    }
    return render(request, "audit/detail.html", context)


def _shown(value: Any) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _change_rows(changes: Any) -> list[tuple[str, str, str]]:
    """``{field: [old, new]}`` as table rows; any other shape shows as the new value."""
    if not isinstance(changes, dict):
        return [("", "", _shown(changes))]
    rows = []
    for name, value in sorted(changes.items()):
        if isinstance(value, list) and len(value) == 2:
            rows.append((name, _shown(value[0]), _shown(value[1])))
        else:
            rows.append((name, "", _shown(value)))
    return rows


@login_required
def chain_verify(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_auditor(actor, action="audit.verified")
    result = verify_chain()
    problem = result.problem
    record_event(
        actor=actor,
        action="audit.verified",
        outcome="allowed",
        detail={
            "intact": result.ok,
            "rows_checked": result.rows_checked,
            "seconds": round(result.seconds, 3),
            "problem": {"kind": problem.kind, "seq": problem.seq, "message": problem.message} if problem else None,
        },
        request=request,
    )
    return render(request, "audit/verify.html", {"result": result})
