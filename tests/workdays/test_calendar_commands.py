"""The console: ``calendar_status`` shows what is covered and warns about this year and next;
``calendar_import`` enters a year from a text file as a recorded system action."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.workdays.models import CalendarDay, CalendarYear

from .conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_status_names_the_package_range_and_warns_about_next_year():
    output = run("calendar_status")
    assert "内置数据（chinesecalendar 1.11.0）：2004—2026 年" in output
    assert "管理员录入：无" in output
    assert "2026 年：已覆盖（内置数据）" in output
    assert "2027 年：2027 年的节假日安排尚未录入，按周末推算，结果可能不准确；请系统管理员录入该年安排。" in output


def test_status_check_fails_while_next_year_is_missing():
    with pytest.raises(CommandError, match="缺少 2027 年的节假日安排") as failed:
        run("calendar_status", "--check")
    assert failed.value.returncode == 1


def test_import_enters_the_year_as_a_system_action_and_status_then_passes(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    output = run("calendar_import", str(path), "--year", "2027", "--source", SOURCE, "--published-on", "2026-11-20")
    assert "2027 年节假日安排已导入：放假 17 天，调休上班 2 天。" in output
    row = CalendarYear.objects.get(year=2027)
    assert row.entered_by is None and row.source == SOURCE
    assert CalendarDay.objects.filter(date__year=2027).count() == 19
    event = AuditEvent.objects.get(action="calendar.year_entered")
    assert event.actor_id is None and event.actor_name == "" and event.detail["system"] is True

    status = run("calendar_status", "--check")
    assert "管理员录入：2027 年，19 天" in status and "系统导入" in status
    assert "2027 年：已覆盖（管理员录入）" in status


def test_import_reports_line_numbered_errors_and_changes_nothing(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-01 休 元旦\n2027-13-01 休 错误\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        run("calendar_import", str(path), "--year", "2027", "--source", SOURCE, "--published-on", "2026-11-20")
    assert "第 2 行：日期“2027-13-01”不存在。" in str(failed.value)
    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.filter(action="calendar.year_entered").exists()


def test_import_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        run(
            "calendar_import",
            str(tmp_path / "none.txt"),
            "--year",
            "2027",
            "--source",
            SOURCE,
            "--published-on",
            "2026-11-20",
        )
