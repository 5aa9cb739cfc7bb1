"""Maintaining the calendar: only the system administrator, every change on record, checked input.

Entering a year replaces that year's entries in one transaction; the deadline arithmetic of every
process sees the change at its next calculation.
"""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotFound, NotPermitted, ValidationFailed
from xiezuoqu.workdays import selectors
from xiezuoqu.workdays.calendar import Coverage
from xiezuoqu.workdays.models import CalendarDay, CalendarRevision, CalendarYear
from xiezuoqu.workdays.schedule import parse_schedule
from xiezuoqu.workdays.services import delete_calendar_day, enter_calendar_year, set_calendar_day

from .conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"


def enter_2027(actor, text=SCHEDULE_2027, **kw):
    return enter_calendar_year(
        actor=actor,
        year=2027,
        source=kw.pop("source", SOURCE),
        published_on=kw.pop("published_on", date(2026, 11, 20)),
        days=parse_schedule(text, year=2027),
        **kw,
    )


def test_the_system_admin_enters_a_year_and_deadlines_use_it_at_once(admin_actor, system_admin):
    before = selectors.work_calendar().add_working_days(date(2026, 12, 30), 3)
    assert before.date == date(2027, 1, 4) and [w.year for w in before.warnings] == [2027]

    row = enter_2027(admin_actor, note="按通知原文逐条录入")

    assert row.year == 2027 and row.entered_by == system_admin and row.source == SOURCE
    assert CalendarDay.objects.filter(date__year=2027).count() == 3 + 7 + 1 + 7 + 1
    after = selectors.work_calendar().add_working_days(date(2026, 12, 30), 3)
    assert after.date == date(2027, 1, 5) and after.warnings == ()
    assert selectors.work_calendar().coverage(2027) is Coverage.ADMIN


def test_entering_a_year_is_audited_with_every_day_as_a_change(admin_actor):
    row = enter_2027(admin_actor)
    event = AuditEvent.objects.get(action="calendar.year_entered")
    assert event.target_type == "workdays.calendaryear" and event.target_id == str(row.pk)
    assert event.actor_id == admin_actor.user_id and event.outcome == "allowed"
    assert event.changes["source"] == [None, SOURCE]
    assert event.changes["2027-02-20"] == [None, "班 春节调休"]
    assert event.changes["2027-10-01"] == [None, "休 国庆节"]
    assert event.detail["replaced"] is False
    assert event.detail["holidays"] == 17 and event.detail["workdays"] == 2


def test_entering_a_year_again_replaces_its_days_and_records_what_changed(admin_actor):
    enter_2027(admin_actor)
    set_calendar_day(actor=admin_actor, day=date(2027, 5, 3), kind="holiday", name="劳动节")
    amended = SCHEDULE_2027.replace("2027-10-09 班 国庆节调休", "2027-10-10 班 国庆节调休")
    enter_2027(admin_actor, amended, source=SOURCE + "（修订）")

    days = set(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True))
    assert date(2027, 10, 10) in days
    assert date(2027, 10, 9) not in days
    assert date(2027, 5, 3) not in days  # a single day of the year is replaced with the rest
    assert CalendarYear.objects.filter(year=2027).count() == 1
    event = AuditEvent.objects.filter(action="calendar.year_entered").order_by("-seq").first()
    assert event.detail["replaced"] is True
    assert event.changes["2027-10-09"] == ["班 国庆节调休", None]
    assert event.changes["2027-10-10"] == [None, "班 国庆节调休"]
    assert event.changes["2027-05-03"] == ["休 劳动节", None]
    assert event.changes["source"] == [SOURCE, SOURCE + "（修订）"]
    assert "2027-01-01" not in event.changes  # unchanged days are not listed


@pytest.mark.parametrize("role_user", ["security_admin", "audit_admin", "case_manager", "township_staff"])
def test_nobody_but_the_system_admin_may_change_the_calendar(role_user, request):
    actor = actor_for(request.getfixturevalue(role_user))
    with pytest.raises(NotPermitted, match="只有系统管理员"):
        enter_2027(actor)
    with pytest.raises(NotPermitted):
        set_calendar_day(actor=actor, day=date(2027, 1, 1), kind="holiday", name="元旦")
    with pytest.raises(NotPermitted):
        delete_calendar_day(actor=actor, day=date(2027, 1, 1))
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.", outcome="allowed").exists()


def test_a_refusal_names_an_audited_action():
    from xiezuoqu.access.actor import ANONYMOUS

    with pytest.raises(NotPermitted) as refused:
        set_calendar_day(actor=ANONYMOUS, day=date(2027, 1, 1), kind="holiday")
    assert refused.value.audit_action == "calendar.day_set"


def test_every_date_must_belong_to_the_year_and_appear_once(admin_actor):
    days = [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2028, 1, 1), "holiday", "元旦"),
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 2, 10), "workday", "春节调休"),  # a Wednesday
        (date(2027, 2, 6), "rest", ""),
    ]
    with pytest.raises(ValidationFailed) as refused:
        enter_calendar_year(actor=admin_actor, year=2027, source=SOURCE, published_on=date(2026, 11, 20), days=days)
    problems = refused.value.field_errors["days"]
    assert "第 2 项：2028-01-01 不在 2027 年内。" in problems
    assert "第 3 项：2027-01-01 与第 1 项重复。" in problems
    assert any(p.startswith("第 4 项：2027-02-10 是星期三，本来就是工作日") for p in problems)
    assert any(p.startswith("第 5 项：类型“rest”无法识别") for p in problems)
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_the_source_is_required_and_the_notice_cannot_be_published_in_the_future(admin_actor):
    with pytest.raises(ValidationFailed) as refused:
        enter_2027(admin_actor, source="  ", published_on=date(2026, 12, 31))
    assert set(refused.value.field_errors) == {"source", "published_on"}
    with pytest.raises(ValidationFailed) as empty:
        enter_calendar_year(actor=admin_actor, year=2027, source=SOURCE, published_on=date(2026, 11, 1), days=[])
    assert empty.value.field_errors["days"][0].startswith("至少要录入一天")


def test_a_single_day_amends_the_package_and_is_audited(admin_actor):
    day = set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday", name="国庆节（调整）")
    assert selectors.work_calendar().add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 12)
    event = AuditEvent.objects.get(action="calendar.day_set")
    assert event.target_id == str(day.pk)
    assert event.changes == {"kind": [None, "holiday"], "name": [None, "国庆节（调整）"], "note": [None, ""]}

    set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday", name="国庆节")
    changed = AuditEvent.objects.filter(action="calendar.day_set").order_by("-seq").first()
    assert changed.changes == {"name": ["国庆节（调整）", "国庆节"]}
    # Saving the same values again changes nothing and records nothing.
    set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday", name="国庆节")
    assert AuditEvent.objects.filter(action="calendar.day_set").count() == 2


def test_a_make_up_day_on_a_weekday_is_refused_unless_it_cancels_a_package_holiday(admin_actor):
    with pytest.raises(ValidationFailed, match="本来就是工作日"):
        set_calendar_day(actor=admin_actor, day=date(2026, 11, 26), kind="workday")
    with pytest.raises(ValidationFailed, match="本来就是工作日"):
        set_calendar_day(actor=admin_actor, day=date(2027, 3, 3), kind="workday")
    set_calendar_day(actor=admin_actor, day=date(2026, 10, 7), kind="workday", name="国庆节调整")
    assert selectors.work_calendar().status(date(2026, 10, 7)).working


def test_deleting_a_day_restores_the_package_and_is_audited(admin_actor):
    set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday", name="国庆节（调整）")
    assert not selectors.work_calendar().status(date(2026, 10, 9)).working
    delete_calendar_day(actor=admin_actor, day=date(2026, 10, 9))
    assert selectors.work_calendar().status(date(2026, 10, 9)).working
    event = AuditEvent.objects.get(action="calendar.day_deleted")
    assert event.changes["kind"] == ["holiday", None]
    assert event.target_type == "workdays.calendarday"
    with pytest.raises(NotFound, match="没有录入的安排"):
        delete_calendar_day(actor=admin_actor, day=date(2026, 10, 9))


def test_the_console_enters_a_year_as_a_system_action():
    row = enter_2027(None)
    assert row.entered_by is None
    event = AuditEvent.objects.get(action="calendar.year_entered")
    assert event.actor_id is None and event.detail["system"] is True


def test_each_change_moves_the_revision_and_an_unchanged_calendar_is_read_with_one_query(
    admin_actor, django_assert_num_queries
):
    first = selectors.work_calendar()
    with django_assert_num_queries(1):
        assert selectors.work_calendar() is first
    revision = CalendarRevision.objects.get(pk=1).revision
    set_calendar_day(actor=admin_actor, day=date(2026, 10, 9), kind="holiday")
    assert CalendarRevision.objects.get(pk=1).revision == revision + 1
    second = selectors.work_calendar()
    assert second is not first
    assert not second.status(date(2026, 10, 9)).working


def test_refused_input_leaves_the_calendar_and_its_revision_untouched(admin_actor):
    enter_2027(admin_actor)
    token = CalendarRevision.objects.get(pk=1).token
    with pytest.raises(ValidationFailed):
        enter_2027(admin_actor, SCHEDULE_2027 + "2027-02-20 班 重复\n")
    assert CalendarRevision.objects.get(pk=1).token == token
    assert CalendarDay.objects.filter(date__year=2027).count() == 19


def test_the_shortcuts_compute_on_the_current_calendar(admin_actor):
    assert selectors.add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 10)
    assert selectors.add_months(date(2026, 1, 31), 1).date == date(2026, 2, 28)
    assert selectors.working_days_between(date(2026, 9, 28), date(2026, 10, 10)).days == 5
    assert selectors.next_working_day(date(2026, 9, 30)).date == date(2026, 10, 8)
    assert not selectors.is_working_day(date(2026, 10, 1)).working
    enter_2027(admin_actor)
    assert selectors.add_working_days(date(2026, 12, 31), 1).date == date(2027, 1, 4)
