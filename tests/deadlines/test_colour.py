"""The colour of an open deadline: red overdue, yellow ≤ 3 WD or ≤ 20 % left (and on the due day),
blue otherwise — counted in official working days (DESIGN §4)."""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.deadlines.urgency import Colour, urgency
from xiezuoqu.workdays.calendar import WorkCalendar

CALENDAR = WorkCalendar.from_package(entered_years=[], entered_days=[])
D = date
RED, YELLOW, BLUE = Colour.RED, Colour.YELLOW, Colour.BLUE

# (why, today, start, due, warn_days, colour, remaining working days, due today)
TABLE = [
    ("overdue by 4 WD", D(2026, 11, 26), D(2026, 11, 2), D(2026, 11, 20), 3, RED, -4, False),
    ("overdue by one day", D(2026, 11, 26), D(2026, 11, 2), D(2026, 11, 25), 3, RED, -1, False),
    ("overdue over a weekend: red, 0 WD counted", D(2026, 11, 28), D(2026, 11, 2), D(2026, 11, 27), 3, RED, 0, False),
    ("due today", D(2026, 11, 26), D(2026, 11, 2), D(2026, 11, 26), 3, YELLOW, 0, True),
    ("1 WD left", D(2026, 11, 26), D(2026, 11, 2), D(2026, 11, 27), 3, YELLOW, 1, False),
    ("3 WD left: the threshold itself", D(2026, 11, 26), D(2026, 11, 2), D(2026, 12, 1), 3, YELLOW, 3, False),
    ("4 WD left of a 13 WD period", D(2026, 11, 26), D(2026, 11, 13), D(2026, 12, 2), 3, BLUE, 4, False),
    ("4 WD left of a 20 WD period: 20 % rule", D(2026, 11, 26), D(2026, 11, 4), D(2026, 12, 2), 3, YELLOW, 4, False),
    ("8 WD left of 40: exactly 20 %", D(2026, 11, 26), D(2026, 10, 13), D(2026, 12, 8), 3, YELLOW, 8, False),
    ("9 WD left of 41: above 20 %", D(2026, 11, 26), D(2026, 10, 13), D(2026, 12, 9), 3, BLUE, 9, False),
    ("kind with warn_days 0: 1 WD left of 31", D(2026, 11, 26), D(2026, 10, 15), D(2026, 11, 27), 0, YELLOW, 1, False),
    ("kind with warn_days 5: 5 WD left", D(2026, 11, 26), D(2026, 11, 2), D(2026, 12, 3), 5, YELLOW, 5, False),
    ("upcoming", D(2026, 11, 26), D(2026, 11, 20), D(2026, 12, 31), 3, BLUE, 25, False),
    # The National Day holiday (10-01 to 10-07) does not count: 2026-09-30 → 10-09 is 2 WD (10-08, 10-09).
    ("holidays are not working days", D(2026, 9, 30), D(2026, 9, 1), D(2026, 10, 9), 3, YELLOW, 2, False),
    ("not started yet", D(2026, 11, 26), D(2026, 12, 1), D(2026, 12, 22), 3, BLUE, 18, False),
]


@pytest.mark.parametrize(
    ("why", "today", "start", "due", "warn_days", "colour", "remaining", "due_today"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_colour_table(why, today, start, due, warn_days, colour, remaining, due_today):
    """Each row of the table states one case of the rule."""
    found = urgency(today=today, start=start, due=due, calendar=CALENDAR, warn_days=warn_days)
    assert (found.colour, found.remaining, found.due_today) == (colour, remaining, due_today), why


def test_texts_say_what_the_colour_means():
    """Red says by how much, the due day says 今日到期, the others how much is left."""

    def text(today, due):
        return urgency(today=today, start=D(2026, 11, 2), due=due, calendar=CALENDAR).text

    assert text(D(2026, 11, 26), D(2026, 11, 20)) == "超期 4 个工作日"
    assert text(D(2026, 11, 28), D(2026, 11, 27)) == "已超期"
    assert text(D(2026, 11, 26), D(2026, 11, 26)) == "今日到期"
    assert text(D(2026, 11, 26), D(2026, 12, 1)) == "剩余 3 个工作日"
    assert Colour.RED.rank < Colour.YELLOW.rank < Colour.BLUE.rank
