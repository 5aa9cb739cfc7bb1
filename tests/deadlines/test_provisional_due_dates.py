"""A due date counted into a year whose holiday schedule nobody has entered is provisional (日历待确认):
stored as such, shown as such on pages, API and exports, and counted again — in the same transaction —
when the system administrator enters that year, so 2027-01-01 (元旦) stops being a working day."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.approvals.conftest import api_token
from tests.deadlines.conftest import open_on, unit_named
from xiezuoqu.approvals import services as approvals
from xiezuoqu.approvals.workflow import Decision
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import Deadline, DeadlineExtension
from xiezuoqu.deadlines.services import request_extension
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.workdays.models import CalendarYear
from xiezuoqu.workdays.schedule import parse_schedule
from xiezuoqu.workdays.services import enter_calendar_year, set_calendar_day

pytestmark = pytest.mark.django_db

# A made-up 2027 schedule (the real notice is not published yet): 元旦 is Friday 2027-01-01.
SCHEDULE_2027 = """\
2027-01-01~2027-01-03 休 元旦
2027-02-06~2027-02-12 休 春节
2027-02-20 班 春节调休
"""


def enter_2027(actor, text: str = SCHEDULE_2027) -> CalendarYear:  # type: ignore[no-untyped-def]
    return enter_calendar_year(
        actor=actor,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 11, 20),
        days=parse_schedule(text, year=2027),
    )


@pytest.fixture
def new_year(demo, frozen_today) -> Deadline:  # type: ignore[no-untyped-def]
    """Opened Friday 2026-12-25, 5 WD: 12-28 … 12-31 and — on weekends alone — Friday 2027-01-01."""
    return open_on(demo.actor("xzganbu"), unit_named("宝山"), start=date(2026, 12, 25), working_days=5)


def test_a_due_date_counted_into_a_missing_year_is_stored_as_provisional(new_year):
    assert new_year.due_date == date(2027, 1, 1)
    new_year.refresh_from_db()
    assert new_year.due_provisional
    assert "2027" in new_year.warning_text
    assert new_year.due_text == "约 2027-01-01（日历待确认）"


def test_a_due_date_inside_known_years_is_not_provisional(demo, frozen_today):
    certain = open_on(None, unit_named("宝山"), start=date(2026, 11, 2))
    assert not certain.due_provisional and certain.due_text == "2026-11-23"


def test_entering_the_year_counts_the_due_date_again_and_clears_the_mark(demo, new_year):
    """元旦 2027-01-01 is a holiday (and 01-02, 01-03 the weekend): the 5th working day is Monday 01-04."""
    certain = open_on(None, unit_named("宝山"), start=date(2026, 11, 2), index=1)
    enter_2027(demo.actor("xitong"))

    new_year.refresh_from_db()
    assert (new_year.due_date, new_year.original_due_date) == (date(2027, 1, 4), date(2027, 1, 4))
    assert not new_year.due_provisional and new_year.warning_text == ""
    assert new_year.due_text == "2027-01-04"
    event = AuditEvent.objects.get(action="deadline.recomputed")
    assert event.actor_name == "xitong" and event.commission_id == new_year.commission_id
    assert event.changes[f"{new_year.pk}.due_date"] == ["2027-01-01", "2027-01-04"]
    assert event.changes[f"{new_year.pk}.due_provisional"] == [True, False]
    assert event.detail["deadlines"] == [new_year.pk]
    certain.refresh_from_db()
    assert certain.due_date == date(2026, 11, 23)  # a certain date is never touched


def test_a_deadline_still_touching_a_missing_year_stays_provisional(demo, frozen_today):
    """13 months from 2026-12-20 ends in 2028: entering 2027 does not make it certain."""
    later = open_on(None, unit_named("宝山"), start=date(2026, 12, 20), months=13)
    assert later.due_provisional and later.due_date == date(2028, 1, 20)
    enter_2027(None)
    later.refresh_from_db()
    assert later.due_provisional and later.due_date == date(2028, 1, 20)
    assert "2028" in later.warning_text and "2027" not in later.warning_text


def test_an_approved_extension_is_counted_again_from_the_corrected_date(demo, new_year):
    """Due 01-01 (guess) + 5 WD → 01-08; with 元旦 entered: due 01-04 + 5 WD → 01-11."""
    extension = request_extension(
        actor=demo.actor("xzganbu"), deadline_id=new_year.pk, working_days=5, reason="需补充调取银行流水"
    )
    approvals.decide(actor=demo.actor("zuzhang1"), approval_id=extension.approval_request_id, decision=Decision.APPROVE)
    new_year.refresh_from_db()
    assert (new_year.due_date, new_year.extended_days, new_year.due_provisional) == (date(2027, 1, 8), 7, True)

    enter_2027(demo.actor("xitong"))
    new_year.refresh_from_db()
    extension = DeadlineExtension.objects.get(pk=extension.pk)
    assert (new_year.original_due_date, new_year.due_date) == (date(2027, 1, 4), date(2027, 1, 11))
    assert (new_year.extended_days, new_year.due_provisional) == (7, False)
    assert (extension.old_due, extension.new_due, extension.calendar_warning) == (
        date(2027, 1, 4),
        date(2027, 1, 11),
        False,
    )


def test_a_refused_calendar_entry_leaves_the_provisional_date_alone(demo, new_year):
    with pytest.raises(ValidationFailed):
        enter_2027(demo.actor("xitong"), text="2027-01-01 班 元旦")
    new_year.refresh_from_db()
    assert new_year.due_provisional and new_year.due_date == date(2027, 1, 1)


def test_a_day_entered_early_gives_a_better_guess_that_stays_provisional(demo, new_year):
    """One day of a missing year does not make the year known: the date moves, the mark stays."""
    set_calendar_day(actor=demo.actor("xitong"), day=date(2027, 1, 1), kind="holiday", name="元旦")
    new_year.refresh_from_db()
    assert new_year.due_date == date(2027, 1, 4) and new_year.due_provisional


def test_pages_and_api_show_the_date_as_provisional(client, demo, new_year):
    user = demo.user("xzganbu")
    client.force_login(user)
    queue = client.get(reverse("deadlines:queue")).content.decode()
    assert "约 2027-01-01" in queue and "日历待确认" in queue
    detail = client.get(reverse("deadlines:detail", args=[new_year.pk])).content.decode()
    assert "约 2027-01-01" in detail and "日历待确认" in detail

    body = client.get("/api/v1/deadlines/queue", HTTP_AUTHORIZATION=f"Bearer {api_token(user)}").json()
    item = next(i for i in body["items"] if i["id"] == new_year.pk)
    assert item["due_provisional"] is True
    assert item["due_text"] == "约 2027-01-01（日历待确认）"

    enter_2027(demo.actor("xitong"))
    body = client.get("/api/v1/deadlines/queue", HTTP_AUTHORIZATION=f"Bearer {api_token(user)}").json()
    item = next(i for i in body["items"] if i["id"] == new_year.pk)
    assert (item["due_date"], item["due_provisional"], item["due_text"]) == ("2027-01-04", False, "2027-01-04")
    queue = client.get(reverse("deadlines:queue")).content.decode()
    assert "约 2027-01-04" not in queue and "2027-01-04" in queue


def test_a_routing_decisions_due_date_is_provisional_too_and_follows_its_timer(demo):
    """转下级办理 on Friday 2026-12-25: the decision's 办理时限 (5 WD) is the timer's — provisional
    2027-01-01 on the report page and in the API, then 2027-01-04 once 2027 is entered."""
    import time_machine
    from django.test import Client

    from tests.intake.conftest import api_get, demo_actor, register
    from tests.intake.conftest import login as log_in
    from tests.intake.conftest import unit_named as any_unit
    from xiezuoqu.intake import services as intake
    from xiezuoqu.intake.models import RoutingDecision

    with time_machine.travel("2026-12-25 10:00 +0800", tick=False):
        report = register("dengji")
        intake.forward_report_down(
            actor=demo_actor("xinfang"), report_id=report.pk, unit_id=any_unit("东汤镇纪委").pk, reason="属地"
        )
        decision = RoutingDecision.objects.get(report=report, kind="forward_down")
        assert (decision.due_on, decision.due_provisional) == (date(2027, 1, 1), True)
        client = log_in(Client(), "xinfang")
        assert "约 2027-01-01" in client.get(f"/intake/{report.pk}/").content.decode()
        [row] = [
            d
            for d in api_get(client, "xinfang", f"/reports/{report.pk}").json()["decisions"]
            if d["kind"] == "forward_down"
        ]
        assert row["due_provisional"] is True
        enter_2027(demo.actor("xitong"))
    decision.refresh_from_db()
    assert (decision.due_on, decision.due_provisional) == (date(2027, 1, 4), False)
