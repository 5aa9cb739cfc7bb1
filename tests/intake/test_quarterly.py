"""承办部门每季度向信访室报送实名举报办理结果: a page and an export per quarter and handling unit,
a tracked deadline per unit and quarter, closed when the unit submits."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tests.intake.conftest import REAL_NAME, demo_actor, login, register, unit_named
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import NotPermitted, RuleViolation
from xiezuoqu.intake import rules, services
from xiezuoqu.intake.models import QuarterlyResultReport
from xiezuoqu.workdays.selectors import add_working_days

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


@pytest.fixture
def concluded(demo):
    """Two real-name reports concluded by 宝山 in the third quarter, one anonymous one."""
    township = unit_named("宝山镇纪委")
    made = []
    with at(date(2026, 8, 10)):
        for real in (True, True, False):
            kw = {"is_real_name": True, "identity": REAL_NAME} if real else {}
            report = register(**kw)
            services.accept_report(actor=demo_actor("xinfang"), report_id=report.pk, handling_unit_id=township.pk)
            services.conclude_report(actor=demo_actor("xzshuji"), report_id=report.pk, result="已办结。")
            made.append(report)
    return made


def test_the_quarters_result_report_is_due_10_working_days_after_the_quarter(concluded):
    row = QuarterlyResultReport.objects.get(handling_unit=unit_named("宝山镇纪委"), year=2026, quarter=3)
    deadline = deadline_for(row, rules.QUARTERLY_RESULT.kind)
    assert deadline.start_date == date(2026, 9, 30)
    assert deadline.due_date == add_working_days(date(2026, 9, 30), 10).date


def test_the_page_lists_the_concluded_real_name_reports_per_handling_unit(concluded, client):
    login(client, "xinfang")
    page = client.get("/intake/quarterly/?year=2026&quarter=3").content.decode()
    assert "宝山镇纪委（2 件）" in page
    assert concluded[0].ledger_number in page and concluded[2].ledger_number not in page
    rows = list(
        load_workbook(
            BytesIO(client.get("/intake/quarterly/export.xlsx?year=2026&quarter=3").content)
        ).active.iter_rows(values_only=True)
    )
    assert {row[0] for row in rows[2:]} == {concluded[0].ledger_number, concluded[1].ledger_number}


def test_the_handling_unit_submits_after_the_quarter_and_the_deadline_is_met(concluded, client):
    township = unit_named("宝山镇纪委")
    with at(date(2026, 9, 20)), pytest.raises(RuleViolation, match="尚未结束"):
        services.submit_quarterly_report(actor=demo_actor("xzshuji"), unit_id=township.pk, year=2026, quarter=3)
    with at(date(2026, 10, 12)):
        with pytest.raises(NotPermitted):
            services.submit_quarterly_report(actor=demo_actor("xzdengji"), unit_id=township.pk, year=2026, quarter=3)
        login(client, "xzshuji")
        response = client.post(
            "/intake/quarterly/", {"unit": township.pk, "year": 2026, "quarter": 3, "note": "本季度办结实名举报2件"}
        )
        assert response.status_code == 302
    row = QuarterlyResultReport.objects.get(handling_unit=township, year=2026, quarter=3)
    assert row.report_count == 2 and row.submitted_by.username == "xzshuji"
    assert deadline_for(row, rules.QUARTERLY_RESULT.kind).state == "met"
