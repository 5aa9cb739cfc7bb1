"""A term's 办理期限 counted into a year whose holiday schedule is not entered is marked 日历待确认 on the
ledger, in the API and in the .xlsx export, and follows its timer when that year is entered."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tests.intake.conftest import login
from tests.sanctions.conftest import decided_with, term_of
from tests.sanctions.test_pages_and_api import _api
from xiezuoqu.workdays.schedule import parse_schedule
from xiezuoqu.workdays.services import enter_calendar_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(demo):  # type: ignore[no-untyped-def]
    """记过 decided Thursday 2026-11-26: 12 months, ends (and is due) Friday 2027-11-26 — a 2027 date."""
    with time_machine.travel("2026-11-26 10:00 +0800", tick=False):
        case = decided_with("gov_demerit")
        yield term_of(case, "gov_demerit")


def _export_row(case_number: str) -> tuple[object, ...]:
    response = login(Client(), "zuzhang1").get("/sanctions/export.xlsx", {"kind": "government"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == case_number)


def test_the_ledger_api_and_export_mark_the_term_due_date_provisional_until_the_year_is_entered(term):
    assert term.due_on == date(2027, 11, 26)
    number = term.case.case_number
    assert _export_row(number)[8] == "约 2027-11-26（日历待确认）"
    assert _api("zuzhang1", "get", f"/terms/{term.pk}").json()["due_provisional"] is True
    ledger = login(Client(), "zuzhang1").get("/sanctions/").content.decode()
    assert "约 2027-11-26" in ledger and "日历待确认" in ledger

    # The (made-up) 2027 schedule makes 2027-11-26 a holiday: the timer and the term move to Monday.
    enter_calendar_year(
        actor=None,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 11, 20),
        days=parse_schedule("2027-01-01~2027-01-03 休 元旦\n2027-11-26 休 测试假日", year=2027),
    )
    term.refresh_from_db()
    assert term.due_on == date(2027, 11, 29)
    row = _export_row(number)
    assert row[8] is not None and row[8].date() == date(2027, 11, 29)  # type: ignore[attr-defined]
    answer = _api("zuzhang1", "get", f"/terms/{term.pk}").json()
    assert (answer["due_on"], answer["due_provisional"]) == ("2027-11-29", False)
