"""The colour of an open deadline: one pure function, the rule of DESIGN §4 and issue 3.

DESIGN §4 "Every deadline produces warnings: blue (upcoming), yellow (≤ 20 % of the time left or
≤ 3 WD), red (overdue)". Stated precisely, with ``today`` the day we look from:

- red     — today > due: overdue (by the working days after the due date up to today);
- yellow  — due today, or remaining working days ≤ warn_days (3 by default, per kind), or remaining
            ≤ 20 % of the whole period, where both are counted in working days on the official
            calendar: remaining = working days after today up to and including the due date, period
            = working days after the start up to and including the (possibly extended) due date;
- blue    — otherwise (upcoming).

Working days, not calendar days, for months-based periods too: a period that spans the Spring Festival
should not turn yellow while nobody is at work. Nothing here touches the database: pass the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xiezuoqu.workdays.calendar import WorkCalendar

from .kinds import DEFAULT_WARN_DAYS

# DESIGN §4: yellow when no more than a fifth of the period is left.
WARN_SHARE_NUMERATOR, WARN_SHARE_DENOMINATOR = 1, 5


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return {"red": "超期", "yellow": "临期预警", "blue": "正常"}[self.value]

    @property
    def rank(self) -> int:
        """Sort key: red first."""
        return {"red": 0, "yellow": 1, "blue": 2}[self.value]


@dataclass(frozen=True)
class Urgency:
    colour: Colour
    # Working days left after today up to the due date (0 on the due day; negative when overdue).
    remaining: int
    period: int
    due_today: bool = False

    @property
    def overdue_days(self) -> int:
        return max(0, -self.remaining)

    @property
    def text(self) -> str:
        if self.colour is Colour.RED:
            return f"超期 {self.overdue_days} 个工作日" if self.overdue_days else "已超期"
        if self.due_today:
            return "今日到期"
        return f"剩余 {self.remaining} 个工作日"


def urgency(
    *, today: date, start: date, due: date, calendar: WorkCalendar, warn_days: int = DEFAULT_WARN_DAYS
) -> Urgency:
    """The colour of an open deadline due on ``due`` that started on ``start``, seen on ``today``."""
    period = calendar.working_days_between(start, due).days
    remaining = calendar.working_days_between(today, due).days
    if today > due:
        # Overdue from the day after the due date, even before a working day has passed (a Saturday
        # after a Friday due date is red with 0 working days counted: "已超期").
        return Urgency(Colour.RED, remaining, period)
    if today == due:
        return Urgency(Colour.YELLOW, 0, period, due_today=True)
    if remaining <= warn_days or remaining * WARN_SHARE_DENOMINATOR <= period * WARN_SHARE_NUMERATOR:
        return Urgency(Colour.YELLOW, remaining, period)
    return Urgency(Colour.BLUE, remaining, period)
