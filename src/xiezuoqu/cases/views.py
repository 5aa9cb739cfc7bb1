"""Pages of cases: the 立案台账 (ledger) and a case's page. Thin: scope through the selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound

from .selectors import case_ledger, view_case


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    before = request.GET.get("before", "")
    rows, next_before = case_ledger(actor, before=int(before) if before.isdigit() else None)
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="case.ledger_viewed",
                target_type="cases.case",
                detail={"cases": [c.pk for c in rows]},
                request=request,
            )
    return render(request, "cases/ledger.html", {"rows": rows, "next_before": next_before})


@login_required
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    with transaction.atomic():
        case = view_case(actor, case_id, request=request)
    return render(request, "cases/detail.html", {"case": case})
