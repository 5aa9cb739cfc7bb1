"""The statistics API: the cockpit's figures and the month table as JSON — the same levels, scope,
period parameters and definitions as the page; bad parameters are problem JSON (RFC 9457), a level
out of reach is 404 like any object."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from xiezuoqu.access.actor import actor_for

from . import figures

router = Router(tags=["statistics"])


def _figures(fig: figures.Figures) -> dict[str, Any]:
    return {
        "level": {"kind": fig.level.kind, "id": fig.level.id, "name": fig.level.name},
        "reports_by_channel": fig.reports,
        "reports": fig.reports_total,
        "clues_disposed": fig.disposals_total,
        "disposed_by_method": fig.disposals,
        "cases_filed": fig.cases,
        "filing_rate": fig.filing_rate,
        "verified_converted": fig.converted,
        "conversion_rate": fig.conversion_rate,
        "deadlines_by_kind": {kind: fig.deadline_totals(counts) for kind, counts in fig.deadlines.items()},
        "deadlines": fig.deadline_all,
        "decisions_by_form": fig.decisions,
        "form_shares": {form: fig.form_share(form) for form in ("1", "2", "3", "4")},
        "teams_by_mode": fig.teams,
        "cross_share": fig.mode_share("cross"),
        "joint_share": fig.mode_share("joint"),
        "cross_joint_share": fig.mode_share("cross", "joint"),
    }


@router.get("/figures", response=dict[str, Any])
def get_figures(request: HttpRequest) -> dict[str, Any]:
    """A level's figures (``zone`` or ``township``; the commission or one's own level by default) over
    a period (``period`` preset, ``year`` [+ ``quarter``], or ``from``/``to`` months), with the zones or
    townships below it. Rates are percentages with one decimal, null when the denominator is 0."""
    cp = figures.cockpit(actor_for(request.user), request.GET, timezone.localdate())
    return {
        "start": cp.period.start.isoformat(),
        "end": cp.period.end.isoformat(),
        "label": cp.period.label,
        "figures": _figures(cp.figures),
        "parts": [_figures(part) for part in cp.parts],
        "definitions": {key: text for key, _name, text in figures.DEFINITIONS},
    }


@router.get("/months", response=dict[str, Any])
def get_months(request: HttpRequest) -> dict[str, Any]:
    """The 成案率 month table of ``table_year`` (default: the period's year) for the level and the zones
    or townships below it, with the same months of the year before."""
    actor = actor_for(request.user)
    cp = figures.cockpit(actor, request.GET, timezone.localdate())
    year = figures.table_year(request.GET, cp.period)
    table = figures.month_table(figures.monthly_rows(actor, year), figures.table_levels(cp), year)
    return {
        "year": year,
        "rows": [
            {
                "level": {"kind": row.level.kind, "id": row.level.id, "name": row.level.name},
                "cases": row.cases,
                "verified": row.verified,
                "rates": row.rates,
                "last_year": {"cases": row.last_cases, "verified": row.last_verified, "rates": row.last_rates},
                "year_rate": row.year_rate,
                "last_year_rate": row.last_year_rate,
            }
            for row in table
        ],
    }
