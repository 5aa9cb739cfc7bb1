"""The text format for entering a year: one line per day or run of days, every error named by line."""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.errors import ValidationFailed
from xiezuoqu.workdays.calendar import EnteredDay, WorkCalendar
from xiezuoqu.workdays.schedule import format_schedule, parse_schedule

from .conftest import SCHEDULE_2027


def errors_of(text: str, year: int | None = 2027) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        parse_schedule(text, year=year)
    assert refused.value.message.startswith("节假日安排有")
    return refused.value.field_errors["text"]


def test_days_ranges_comments_and_blank_lines_are_read():
    days = parse_schedule(SCHEDULE_2027, year=2027)
    assert days[0] == EnteredDay(date(2027, 1, 1), "holiday", "元旦")
    assert EnteredDay(date(2027, 2, 20), "workday", "春节调休") in days
    assert len(days) == 19


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2027-01-01 休 元旦", [EnteredDay(date(2027, 1, 1), "holiday", "元旦")]),
        ("2027/1/1 放假 元旦", [EnteredDay(date(2027, 1, 1), "holiday", "元旦")]),
        ("2027.01.01 休息", [EnteredDay(date(2027, 1, 1), "holiday", "")]),
        ("2027-02-20 上班 春节调休", [EnteredDay(date(2027, 2, 20), "workday", "春节调休")]),
        (
            "2027-01-01 至 2027-01-02 休 元旦 假期",
            [
                EnteredDay(date(2027, 1, 1), "holiday", "元旦 假期"),
                EnteredDay(date(2027, 1, 2), "holiday", "元旦 假期"),
            ],
        ),
        ("\u30002027-01-02～2027-01-02\u3000休\u3000元旦", [EnteredDay(date(2027, 1, 2), "holiday", "元旦")]),
    ],
)
def test_accepted_spellings(line, expected):
    assert parse_schedule(line) == expected


def test_every_error_is_reported_with_its_line_number():
    text = "\n".join(
        [
            "2027-01-01 休 元旦",  # 1
            "2027-02-30 休 春节",  # 2: no such date
            "2027-02-06 歇 春节",  # 3: unknown kind
            "元旦 2027-01-01 休",  # 4: wrong order
            "2027-02-10~2027-02-06 休 春节",  # 5: backwards range
            "2027-01-01~2027-03-01 休 寒假",  # 6: too long
        ]
    )
    assert errors_of(text) == [
        "第 2 行：日期“2027-02-30”不存在。",
        "第 3 行：类型“歇”无法识别，请写“休”（放假）或“班”（调休上班）。",
        "第 4 行：格式应为“2027-01-01 休 元旦”或“2027-02-06~2027-02-14 休 春节”。",
        "第 5 行：结束日期早于开始日期。",
        "第 6 行：一段连续日期不能超过 31 天，请核对。",
    ]


def test_the_year_checks_name_lines_too():
    text = "2027-01-01 休 元旦\n\n2028-01-01 休 元旦\n2027-01-01 休 元旦\n2027-02-10 班 调休\n"
    assert errors_of(text) == [
        "第 3 行：2028-01-01 不在 2027 年内。",
        "第 4 行：2027-01-01 与第 1 行重复。",
        "第 5 行：2027-02-10 是星期三，本来就是工作日，无需标为调休上班日；请核对日期。",
    ]


def test_an_empty_text_is_refused():
    assert errors_of("# 只有注释\n\n") == ["至少要录入一天：每年都有法定节假日，请按国务院通知逐条录入。"]
    assert errors_of("", year=None) == ["没有可录入的日期：请每行写一条，如“2027-01-01 休 元旦”。"]


def test_formatting_collapses_runs_and_reads_back_to_the_same_days():
    days = parse_schedule(SCHEDULE_2027, year=2027)
    text = format_schedule(days)
    assert text.splitlines()[:2] == ["2027-01-01~2027-01-03 休 元旦", "2027-02-06~2027-02-12 休 春节"]
    assert parse_schedule(text, year=2027) == days


def test_the_package_schedule_of_2026_round_trips_through_the_text_format():
    schedule = WorkCalendar.from_package().schedule(2026)
    text = format_schedule(schedule)
    assert "2026-10-01~2026-10-07 休 国庆节" in text.splitlines()
    assert "2026-10-10 班 国庆节调休" in text.splitlines()
    assert parse_schedule(text, year=2026) == schedule
