"""Pages of 统计: the cockpit, the drill-down list behind any figure, and the .xlsx 统计报表."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.meetings.summary import period_presets

from . import exports, figures, present

DRILL_ROWS = 500


def _page(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(request.user)
    today = timezone.localdate()
    cp = figures.cockpit(actor, request.GET, today)
    year = figures.table_year(request.GET, cp.period)
    table = figures.month_table(figures.monthly_rows(actor, year), figures.table_levels(cp), year)
    return {
        "cp": cp,
        "main": present.sections(cp.figures, cp.period),
        "parts": [present.sections(part, cp.period) for part in cp.parts],
        "part_kind": "协作区" if cp.level.kind == "commission" else "乡镇（街道）纪委",
        "year": year,
        "month_rows": present.month_rows(table, year),
        "chart": present.chart_data(cp, table, year),
        "presets": period_presets(today),
        "definitions": figures.DEFINITIONS,
        "period_query": present.period_query(cp.period),
        "years": list(range(today.year, today.year - 6, -1)),
        "table": table,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = _page(request)
    from urllib.parse import urlencode

    query = {**context["cp"].level.query, **context["period_query"], "table_year": str(context["year"])}
    context["export_query"] = urlencode(query)
    return render(request, "statistics/index.html", context)


@login_required
def drill(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    found = figures.drill(actor, request.GET)
    count = found.queryset.count()
    rows = list(found.queryset[:DRILL_ROWS])
    return render(
        request,
        "statistics/drill.html",
        {"drill": found, "count": count, "rows": rows, "shown": len(rows), "limit": DRILL_ROWS},
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    context = _page(request)
    content = exports.export_statistics(actor, context, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tongji-baobiao-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# --- 月度台账报送 (the monthly ledger pull) ----------------------------------------------------------------


def _ledger_page(request: HttpRequest) -> dict[str, Any]:
    from xiezuoqu.errors import NotFound

    from . import ledger

    actor = actor_for(request.user)
    if not ledger.may_open_ledgers(actor):
        raise NotFound()
    today = timezone.localdate()
    first = ledger.month_of(request.GET.get("month"), today)
    units = []
    for unit in ledger.submitting_units(actor):
        sent = ledger.ledgers_visible_to(actor).filter(unit=unit, month=first).first()
        lines = [] if sent else ledger.unit_month_lines(actor, unit, first, today)
        counts = {mark or "none": sum(1 for line in lines if line.mark == mark) for mark in ledger.MARK_ORDER}
        units.append({"unit": unit, "ledger": sent, "lines": lines, "counts": counts})
    pull = [
        (zone, rows, sum(1 for row in rows if row.ledger is not None))
        for zone, rows in ledger.zone_pull(actor, first, today)
    ]
    return {
        "month": first,
        "month_value": f"{first:%Y-%m}",
        "months": [(f"{m:%Y-%m}", f"{m:%Y年%m月}") for m in ledger.recent_months(today)],
        "as_of": ledger.as_of(first, today),
        "in_progress": ledger.month_end(first) > today,
        "units": units,
        "pull": pull,
    }


@login_required
def ledger_index(request: HttpRequest) -> HttpResponse:
    return render(request, "statistics/ledger.html", _ledger_page(request))


@login_required
@require_POST
def ledger_submit(request: HttpRequest) -> HttpResponse:
    """Submit one unit's month. A unit one does not submit for is 404, like any object out of reach; a
    bad, future or already submitted month is a Chinese message on the ledger page."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse

    from xiezuoqu.errors import DomainError, NotFound, NotPermitted
    from xiezuoqu.web.forms import show_error

    from . import ledger, services

    actor = actor_for(request.user)
    month_text = request.POST.get("month", "")[:7]
    try:
        first = ledger.month_of(month_text, timezone.localdate())
        sent = services.submit_month(
            actor=actor,
            unit_id=request.POST.get("unit", ""),
            month=first,
            note=request.POST.get("note", ""),
            request=request,
        )
    except (NotFound, NotPermitted):
        raise  # a unit one does not submit for: 404 like any object out of reach, nothing written
    except DomainError as exc:
        show_error(request, exc)
        back = month_text if ledger.is_month_text(month_text) else ""
        return redirect(f"{reverse('statistics:ledger')}?month={back}" if back else reverse("statistics:ledger"))
    messages.success(
        request,
        f"已报送{sent}：共 {sent.row_count} 条（超期 {sent.red}、临期预警 {sent.yellow}、正常 {sent.blue}、"
        f"无在办时限 {sent.unmarked}）。",
    )
    return redirect("statistics:ledger_detail", ledger_id=sent.pk)


@login_required
def ledger_detail(request: HttpRequest, ledger_id: int) -> HttpResponse:
    from . import ledger

    actor = actor_for(request.user)
    found = ledger.get_ledger_for(actor, ledger_id)
    rows = list(ledger.ledger_rows_visible_to(actor).filter(ledger=found).order_by("position"))
    record_view(actor=actor, target=found, request=request)
    context = {"ledger": found, "rows": rows, "hidden": found.row_count - len(rows)}
    return render(request, "statistics/ledger_detail.html", context)


@login_required
def ledger_export(request: HttpRequest, ledger_id: int) -> HttpResponse:
    from . import ledger, services

    actor = actor_for(request.user)
    found = ledger.get_ledger_for(actor, ledger_id)
    content = services.export_ledger(actor, ledger=found, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="yuedu-taizhang-{found.unit_id}-{found.month:%Y%m}.xlsx"'
    return response
