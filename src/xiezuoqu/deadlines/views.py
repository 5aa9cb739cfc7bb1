"""Pages: 我的待办时限 (the work queue), 超期督办 (the overdue list), a deadline's page, 督办单 download."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.refusals import record_refusal
from xiezuoqu.errors import DomainError, NotFound

from . import services
from .kinds import DEADLINE_KINDS
from .models import PeriodUnit
from .selectors import (
    deadline_detail_for,
    extensions_of,
    may_see_overdue_list,
    overdue_filter_choices,
    overdue_list,
    slips_visible_to,
    work_queue,
)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """我的待办时限: the open deadlines of my work units, red first, then by due date (50 a page)."""
    actor = actor_for(request.user)
    page = work_queue(actor, after=request.GET.get("after"))
    return render(request, "deadlines/queue.html", {"page": page, "show_overdue_link": may_see_overdue_list(actor)})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """超期督办: overdue deadlines of my zones (or the commission), filterable, 50 a page."""
    actor = actor_for(request.user)
    zone_id = _int_or_none(request.GET.get("zone"))
    kind = request.GET.get("kind") or None
    unit_id = _int_or_none(request.GET.get("unit"))
    page = overdue_list(actor, zone_id=zone_id, kind=kind, unit_id=unit_id, after=request.GET.get("after"))
    query = {k: v for k, v in {"zone": zone_id, "kind": kind, "unit": unit_id}.items() if v}
    return render(
        request,
        "deadlines/overdue.html",
        {
            "page": page,
            "choices": overdue_filter_choices(actor),
            "filters": page.filters,
            "next_query": urlencode({**query, "after": page.next_cursor}) if page.next_cursor else "",
        },
    )


@login_required
def detail(request: HttpRequest, deadline_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    row = deadline_detail_for(actor, deadline_id)
    return render(
        request,
        "deadlines/detail.html",
        {
            "row": row,
            "deadline": row.deadline,
            "extensions": extensions_of(actor, row.deadline),
            "units": [(u.value, u.label) for u in (PeriodUnit.WORKING_DAYS, PeriodUnit.MONTHS)],
            "slips": list(slips_visible_to(actor).filter(deadline=row.deadline).order_by("id")),
            "not_extendable": DEADLINE_KINDS[row.deadline.kind].not_extendable
            if row.deadline.kind in DEADLINE_KINDS
            else "",
        },
    )


@login_required
@require_POST
def slip_answer(request: HttpRequest, slip_id: int) -> HttpResponse:
    """办理情况回复 to a 督办单, from the deadline's page."""
    actor = actor_for(request.user)
    slip = services.get_slip_for(actor, slip_id)
    try:
        services.answer_slip(actor=actor, slip_id=slip.pk, answer=request.POST.get("answer", ""), request=request)
    except NotFound:
        raise
    except DomainError as exc:
        record_refusal(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"督办单 {slip.number} 的办理情况已记录。")
    return redirect("deadlines:detail", deadline_id=slip.deadline_id)


@login_required
@require_POST
def request_extension(request: HttpRequest, deadline_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    amount = _int_or_none(request.POST.get("amount"))
    unit = request.POST.get("unit", PeriodUnit.WORKING_DAYS)
    try:
        extension = services.request_extension(
            actor=actor,
            deadline_id=deadline_id,
            reason=request.POST.get("reason", ""),
            working_days=amount if unit == PeriodUnit.WORKING_DAYS else None,
            months=amount if unit == PeriodUnit.MONTHS else None,
            request=request,
        )
    except NotFound:
        raise
    except DomainError as exc:
        record_refusal(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"延期申请已提交审批（审批第 {extension.approval_request_id} 号）。")
    return redirect("deadlines:detail", deadline_id=deadline_id)


@login_required
def slip_download(request: HttpRequest, slip_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    filename, content = services.download_slip(actor=actor, slip_id=slip_id, request=request)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
