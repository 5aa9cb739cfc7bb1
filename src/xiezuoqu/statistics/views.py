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
