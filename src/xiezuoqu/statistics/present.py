"""The cockpit's figures as the page, the chart and the .xlsx show them: label, number, rate, and the
link to the list of the matters behind each number (the drill-down, same scope and period)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.urls import reverse

from xiezuoqu.meetings.summary import DISPOSAL_METHODS, FORMS, MODES, Period

from .figures import (
    DEADLINE_STATUSES,
    FINDING_COUNTS,
    FINDING_LABELS,
    PV,
    STATUS_LABELS,
    Cockpit,
    Figures,
    Level,
    MonthRow,
    rate_text,
)


def period_query(period: Period) -> dict[str, str]:
    """Every period the page offers is whole months: the drill link carries it as a month range."""
    return {"from": f"{period.start:%Y-%m}", "to": f"{period.end:%Y-%m}"}


def drill_url(level: Level, period: Period, figure: str, key: str = "", status: str = "", base: str = "") -> str:
    """The list behind a figure. Built by hand (ids, months and ASCII keys; the key quoted): the month
    table makes four links a cell, and ``reverse`` + ``urlencode`` per link was most of its time."""
    parts = [f"{kind}={value}" for kind, value in level.query.items()]
    parts += [f"from={period.start:%Y-%m}", f"to={period.end:%Y-%m}", f"figure={figure}"]
    if key:
        parts.append(f"key={quote(key, safe='')}")
    if status:
        parts.append(f"status={quote(status, safe='')}")
    return f"{base or reverse('statistics:drill')}?{'&'.join(parts)}"


def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    from xiezuoqu.clues.models import DisposalMethod
    from xiezuoqu.intake.models import Channel
    from xiezuoqu.teams.models import HandlingMode

    return (
        {k: str(v) for k, v in Channel.choices},
        {k: str(v) for k, v in DisposalMethod.choices},
        {k: str(v) for k, v in HandlingMode.choices},
    )


def form_label(form: str) -> str:
    return f"第{'一二三四'[int(form) - 1]}种形态" if form in FORMS else "不属于四种形态"


def sections(fig: Figures, period: Period) -> dict[str, Any]:
    """The figures of one level, grouped as the page shows them, each number with its drill link."""
    from xiezuoqu.deadlines.kinds import kind_label

    channels, methods, modes = _labels()
    level = fig.level

    base = reverse("statistics:drill")

    def url(figure: str, key: str = "", status: str = "") -> str:
        return drill_url(level, period, figure, key, status, base=base)

    reports = [
        {"label": channels[c], "n": fig.reports.get(c, 0), "url": url("reports", c)}
        for c in channels
        if fig.reports.get(c, 0)
    ]
    disposals = [
        {"label": methods[m], "n": fig.disposals.get(m, 0), "url": url("disposals", m)} for m in DISPOSAL_METHODS
    ]
    deadlines = []
    for kind, counts in fig.deadlines.items():
        totals = fig.deadline_totals(counts)
        deadlines.append(
            {
                "label": kind_label(kind),
                "kind": kind,
                "total": totals["total"],
                "url": url("deadlines", kind),
                "statuses": [
                    {"label": STATUS_LABELS[s], "n": totals[s], "url": url("deadlines", kind, s)}
                    for s in DEADLINE_STATUSES
                ],
                "on_time": rate_text(totals["on_time"]),
                "overdue": rate_text(totals["overdue"]),
                "overdue_url": url("deadlines", kind, "overdue"),
            }
        )
    all_deadlines = fig.deadline_all
    forms = [
        {
            "label": form_label(f),
            "n": fig.decisions.get(f, 0),
            "share": rate_text(fig.form_share(f)) if f != "none" else "",
            "url": url("decisions", f),
        }
        for f in (*FORMS, "none")
    ]
    teams = [
        {"label": modes[m], "n": fig.teams.get(m, 0), "share": rate_text(fig.mode_share(m)), "url": url("teams", m)}
        for m in MODES
    ]
    return {
        "level": level,
        "reports_total": {"n": fig.reports_total, "url": url("reports")},
        "reports": reports,
        "disposals_total": {"n": fig.disposals_total, "url": url("disposals")},
        "disposals": disposals,
        "verified": {"n": fig.verified, "url": url("disposals", PV)},
        "cases": {"n": fig.cases, "url": url("cases")},
        "converted": {"n": fig.converted, "url": url("conversion")},
        "filing_rate": rate_text(fig.filing_rate),
        "conversion_rate": rate_text(fig.conversion_rate),
        "deadlines": deadlines,
        "deadlines_total": {
            "n": all_deadlines["total"],
            "url": url("deadlines"),
            "on_time": rate_text(all_deadlines["on_time"]),
            "overdue": rate_text(all_deadlines["overdue"]),
            "overdue_n": all_deadlines["met_late"] + all_deadlines["open_overdue"],
            "overdue_url": url("deadlines", "", "overdue"),
        },
        "forms": forms,
        "decisions_total": {"n": sum(fig.decisions.values()), "url": url("decisions")},
        "teams": teams,
        "teams_total": {"n": fig.teams_total, "url": url("teams")},
        "cross_share": rate_text(fig.mode_share("cross")),
        "joint_share": rate_text(fig.mode_share("joint")),
        "cross_joint_share": rate_text(fig.mode_share("cross", "joint")),
        "cross_joint_url": url("teams", "cross,joint"),
        "training": {"n": fig.trainee_seats, "url": url("training")},
        "findings": [
            {
                "key": k,
                "label": FINDING_LABELS[k],
                "n": fig.findings.get(k, 0),
                "url": url("findings", "" if k == "n" else k),
            }
            for k in FINDING_COUNTS
        ],
        "rectified_rate": rate_text(fig.rectified_rate),
        # Funds are budgeted per zone: a township shows no spending of its own.
        "spending": None
        if level.kind == "township"
        else {
            "n": fig.paid_claims,
            "amount": f"{fig.spent:,.2f}",
            "per_case": "—" if fig.spent_per_case is None else f"{fig.spent_per_case:,.2f}",
            "url": url("spending"),
        },
    }


def month_rows(table: list[MonthRow], year: int) -> list[dict[str, Any]]:
    from datetime import date

    base = reverse("statistics:drill")
    rows = []
    for row in table:
        cells = []
        for cell in row.cells:
            month = date(year, cell["month"], 1)
            last = date(year - 1, cell["month"], 1)
            month_period = Period(month, _end(month))
            last_period = Period(last, _end(last))
            cells.append(
                {
                    **cell,
                    "rate_text": rate_text(cell["rate"]),
                    "last_text": rate_text(cell["last"]),
                    "cases_url": drill_url(row.level, month_period, "cases", base=base),
                    "verified_url": drill_url(row.level, month_period, "disposals", PV, base=base),
                    "last_cases_url": drill_url(row.level, last_period, "cases", base=base),
                    "last_verified_url": drill_url(row.level, last_period, "disposals", PV, base=base),
                }
            )
        rows.append(
            {
                "level": row.level,
                "cells": cells,
                "year_rate": rate_text(row.year_rate),
                "last_year_rate": rate_text(row.last_year_rate),
                "cases": sum(row.cases),
                "verified": sum(row.verified),
                "last_cases": sum(row.last_cases),
                "last_verified": sum(row.last_verified),
            }
        )
    return rows


def _end(first: Any) -> Any:
    from .figures import _month_end

    return _month_end(first)


def chart_data(cp: Cockpit, table: list[MonthRow], year: int) -> dict[str, Any]:
    """What cockpit.js draws (passed in a json_script tag: the CSP allows no inline script)."""
    _channels, methods, modes = _labels()
    fig = cp.figures
    head = table[0] if table else None
    return {
        "months": [f"{m}月" for m in range(1, 13)],
        "year": year,
        "rates": head.rates if head else [],
        "last_rates": head.last_rates if head else [],
        "disposals": [{"name": methods[m], "value": fig.disposals.get(m, 0)} for m in DISPOSAL_METHODS],
        "forms": [{"name": form_label(f), "value": fig.decisions.get(f, 0)} for f in FORMS],
        "modes": [{"name": modes[m], "value": fig.teams.get(m, 0)} for m in MODES],
        "parts": [
            {"name": p.level.name, "rate": p.filing_rate, "cases": p.cases, "verified": p.verified} for p in cp.parts
        ],
    }
