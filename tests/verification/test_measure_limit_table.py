"""The table of measure time limits: the statutory defaults with their sources, a commission's setting
replacing a figure, counting to the hour without rolling past holidays, and the colours of a term."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from xiezuoqu.errors import RuleViolation
from xiezuoqu.verification.limits import (
    DEFAULT_LIMITS,
    Shade,
    TermState,
    add_period,
    check_planned_end,
    measure_limit,
    term_of,
)


def moment(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text), timezone.get_current_timezone())


def test_the_defaults_are_the_statutory_figures_with_their_sources():
    custody, wait, compelled, freeze = (
        DEFAULT_LIMITS[k] for k in ("custody_care", "ordered_wait", "compelled_appearance", "freeze")
    )
    assert custody.text == "7日；可以延长1至3日（仅一次）" and "监察法（2024年修正" in custody.rule
    assert custody.extension is not None and custody.extension.head_approval
    assert wait.text == "12个月" and wait.extension is None and "十二个月" in wait.rule
    assert compelled.text == "12小时（需要采取管护或者留置措施的，24小时）" and "监察法实施条例" in compelled.rule
    assert not compelled.deadline
    assert freeze.text == "6个月；可以续冻，每次不超过6个月" and "每次续冻期限不得超过六个月" in freeze.rule
    assert measure_limit("detention") is None and measure_limit("interrogation") is None


def test_a_commissions_setting_replaces_a_figure(settings):
    settings.XIEZUOQU = {
        **settings.XIEZUOQU,
        "MEASURE_LIMITS": {"custody_care": {"value": 5, "extension": {"max_amount": 2}}},
    }
    limit = measure_limit("custody_care")
    assert limit is not None and limit.value == 5 and limit.text == "5日；可以延长1至2日（仅一次）"
    start = moment("2026-12-07 10:00")
    check_planned_end("custody_care", start, start + timedelta(days=5))
    with pytest.raises(RuleViolation, match="管护的期限不得超过5日"):
        check_planned_end("custody_care", start, start + timedelta(days=5, minutes=1))
    settings.XIEZUOQU = {**settings.XIEZUOQU, "MEASURE_LIMITS": {"custody_care": {"days": 5}}}
    with pytest.raises(ValueError, match="unknown keys"):
        measure_limit("custody_care")


def test_periods_run_to_the_hour_and_months_end_on_the_same_day_or_the_months_last():
    start = moment("2026-08-31 15:30")
    assert add_period(start, 6, "months") == moment("2027-02-28 15:30")
    assert add_period(start, 12, "hours") == moment("2026-09-01 03:30")
    # 2026-09-27 is a Sunday and 10-01 starts the National Day holiday: nothing rolls forward.
    assert add_period(moment("2026-09-24 09:00"), 7, "days") == moment("2026-10-01 09:00")


def test_the_colour_of_a_term_follows_the_time_left():
    start = moment("2026-12-07 10:00")
    end = start + timedelta(days=10)

    def shade(now: datetime, state: str = TermState.IN_FORCE) -> Shade:
        term = term_of("custody_care", state=state, starts_at=start, ends_at=end, extension_count=0, now=now)
        assert term is not None
        return term.shade

    assert shade(start + timedelta(days=1)) is Shade.BLUE
    assert shade(end - timedelta(days=2)) is Shade.YELLOW  # a fifth of the time left
    assert shade(end - timedelta(hours=5)) is Shade.YELLOW
    assert shade(end + timedelta(minutes=1)) is Shade.RED
    assert shade(end + timedelta(days=1), TermState.RELEASED) is Shade.GREEN
    assert shade(end, TermState.CONVERTED) is Shade.GREY
    late = term_of("custody_care", state="in_force", starts_at=start, ends_at=end, extension_count=1, now=end)
    assert late is not None and late.shade is Shade.YELLOW and late.remaining_text == "剩余0分"
    past = term_of(
        "custody_care", state="in_force", starts_at=start, ends_at=end, extension_count=0, now=end + timedelta(hours=26)
    )
    assert past is not None and past.remaining_text == "已超期1天2小时" and past.may_release and not past.may_extend
    assert term_of("interrogation", state="", starts_at=start, ends_at=end, extension_count=0) is None
    left = term_of("custody_care", state="in_force", starts_at=start, ends_at=end, extension_count=1, now=start)
    assert left is not None and left.remaining_text == "剩余10天" and not left.may_extend and left.may_release
