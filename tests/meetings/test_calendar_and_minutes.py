"""The zone's meeting calendar (a month list), the regular-meeting rules that propose dates (moved to
the next working day on a holiday), and the minutes generated from the record."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from docx import Document

from tests.filing.conftest import attend, decide, held_with, planned_meeting, subject_of, submitted, zone_one
from tests.intake.conftest import demo_actor, login
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import Kind, RegularSchedule
from xiezuoqu.meetings.selectors import proposed_meetings, rule_date

pytestmark = pytest.mark.django_db


def _rule(week: int, weekday: int, kind: str = Kind.REGULAR) -> RegularSchedule:
    return services.set_regular_schedule(
        actor=demo_actor("zuzhang1"),
        zone_id=zone_one().pk,
        kind=kind,
        week=week,
        weekday=weekday,
        at=time(9, 0),
        place="第一协作区会议室",
    )


def test_a_rule_gives_the_nth_weekday_of_the_month(demo):
    rule = _rule(RegularSchedule.Week.FIRST, RegularSchedule.Weekday.TUESDAY)
    assert rule_date(rule, 2026, 11) == date(2026, 11, 3)
    last = _rule(RegularSchedule.Week.LAST, RegularSchedule.Weekday.FRIDAY, Kind.SUMMARY)
    assert rule_date(last, 2026, 11) == date(2026, 11, 27)


def test_a_rule_day_on_a_holiday_moves_to_the_next_working_day(demo):
    rule = _rule(RegularSchedule.Week.FIRST, RegularSchedule.Weekday.THURSDAY)
    assert rule_date(rule, 2026, 10) == date(2026, 10, 8)  # 10-01 is 国庆节


def test_only_the_zone_leader_sets_the_rules(demo):
    with pytest.raises(NotPermitted):
        services.set_regular_schedule(
            actor=demo_actor("fuzuzhang1"),
            zone_id=zone_one().pk,
            kind=Kind.REGULAR,
            week=1,
            weekday=1,
            at=time(9, 0),
            place="会议室",
        )


@time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_default_timezone()), tick=False)
def test_the_calendar_lists_the_months_meetings_and_the_ones_the_rules_call_for(demo):
    _rule(RegularSchedule.Week.FIRST, RegularSchedule.Weekday.TUESDAY)
    _rule(RegularSchedule.Week.LAST, RegularSchedule.Weekday.FRIDAY, Kind.SUMMARY)
    planned_meeting(Kind.REGULAR, scheduled_at=timezone.make_aware(datetime(2026, 11, 3, 9, 0)))
    proposals = {p.rule.kind: p for p in proposed_meetings(demo_actor("zuzhang1"), 2026, 11)}
    assert proposals[Kind.REGULAR].planned is not None
    assert proposals[Kind.SUMMARY].planned is None and proposals[Kind.SUMMARY].day == date(2026, 11, 27)
    page = login(Client(), "zuzhang1").get("/meetings/?month=2026-11")
    body = page.content.decode()
    assert "第一协作区例会" in body and "按规则安排" in body
    # Another zone's township secretary sees none of it.
    assert "第一协作区例会" not in login(Client(), "xzshuji2").get("/meetings/?month=2026-11").content.decode()


def test_minutes_are_issued_only_when_every_item_is_decided(demo):
    proposal = submitted()
    item = held_with(proposal)
    with pytest.raises(RuleViolation, match="未表决"):
        services.issue_minutes(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, summary="要求")
    decide(item)
    meeting = services.issue_minutes(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, summary="依规依纪推进。")
    assert meeting.state == "minutes_issued"


def test_the_minutes_record_attendance_recusals_and_the_vote(demo):
    from tests.meetings.test_decisions import declare_kin_of_subject
    from xiezuoqu.meetings.selectors import voting_member_ids
    from xiezuoqu.org.models import StaffMember

    proposal = submitted()
    conflicted = voting_member_ids(zone_one())[-1]
    declare_kin_of_subject(conflicted, proposal.clue)
    item = held_with(proposal)
    resolution = decide(item)
    response = login(Client(), "zuzhang1").get(f"/meetings/{item.meeting_id}/minutes.docx")
    document = Document(BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert resolution.number in text
    assert f"{StaffMember.objects.get(pk=conflicted).name}（系被反映人近亲属）" in text
    assert "应到 4 人，实到 4 人" in text
    assert "同意 3 票" in text
    assert subject_of(proposal.clue).name in text


def test_a_cancelled_meeting_frees_its_items_for_another_meeting(demo):
    from tests.filing.conftest import on_agenda

    proposal = submitted()
    item = on_agenda(proposal)
    services.cancel_meeting(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, reason="组长出差")
    again = on_agenda(proposal, planned_meeting(scheduled_at=timezone.now() + timedelta(days=7)))
    assert again.meeting_id != item.meeting_id
    with pytest.raises(InvalidTransition, match="已取消"):
        attend(item.meeting)
