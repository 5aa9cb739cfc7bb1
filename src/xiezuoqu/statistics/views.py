"""Pages of 统计: the cockpit, the drill-down list behind any figure, and the .xlsx 统计报表."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xiezuoqu.access.actor import actor_for
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
        units.append(
            {"unit": unit, "ledger": sent, "lines": [] if sent else ledger.unit_month_lines(actor, unit, first, today)}
        )
    return {
        "month": first,
        "month_value": f"{first:%Y-%m}",
        "months": [(f"{m:%Y-%m}", f"{m:%Y年%m月}") for m in ledger.recent_months(today)],
        "as_of": ledger.as_of(first, today),
        "units": units,
        "pull": ledger.zone_pull(actor, first, today),
    }


@login_required
def ledger_index(request: HttpRequest) -> HttpResponse:
    return render(request, "statistics/ledger.html", _ledger_page(request))


@login_required
def ledger_submit(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.views.decorators.http import require_POST

    from xiezuoqu.errors import DomainError
    from xiezuoqu.web.forms import show_error

    from . import ledger, services

    @require_POST
    def handle(request: HttpRequest) -> HttpResponse:
        actor = actor_for(request.user)
        month_text = request.POST.get("month", "")
        try:
            first = ledger.month_of(month_text, timezone.localdate())
            sent = services.submit_month(
                actor=actor,
                unit_id=request.POST.get("unit", ""),
                month=first,
                note=request.POST.get("note", ""),
                request=request,
            )
            messages.success(request, f"已报送{sent}（{sent.row_count} 条，超期 {sent.red}、临期 {sent.yellow}）。")
            return redirect("statistics:ledger_detail", ledger_id=sent.pk)
        except DomainError as exc:
            show_error(request, exc)
        return redirect(f"{reverse('statistics:ledger')}?month={month_text[:7]}")

    return handle(request)


@login_required
def ledger_detail(request: HttpRequest, ledger_id: int) -> HttpResponse:
    from . import ledger

    actor = actor_for(request.user)
    found = ledger.get_ledger_for(actor, ledger_id)
    rows = list(ledger.ledger_rows_visible_to(actor).filter(ledger=found).order_by("position"))
    return render(request, "statistics/ledger_detail.html", {"ledger": found, "rows": rows})


@login_required
def ledger_export(request: HttpRequest, ledger_id: int) -> HttpResponse:
    from . import ledger, services

    actor = actor_for(request.user)
    found = ledger.get_ledger_for(actor, ledger_id)
    content = services.export_ledger(actor, found, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="yuedu-taizhang-{found.unit_id}-{found.month:%Y%m}.xlsx"'
    return response
