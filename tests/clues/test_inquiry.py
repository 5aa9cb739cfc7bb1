"""谈话函询: a letter's reply is due in 15 WD and must be countersigned; the inquiry concludes within 1
month with an outcome — close (with a clearing letter), 谈话提醒/批评教育/责令检查/诫勉, again, or 初步核实."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.clues.conftest import demo_actor, disposed
from xiezuoqu.clues import rules, services
from xiezuoqu.clues.models import TalkInquiry
from xiezuoqu.clues.workflow import State
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.workdays.selectors import add_months, add_working_days

pytestmark = pytest.mark.django_db


def test_a_letter_is_replied_in_15_working_days_countersigned_and_concluded_with_a_clearing_letter(demo):
    clue = disposed("talk_or_letter")
    actor = demo_actor("xzshuji")
    today = timezone.localdate()
    inquiry = services.start_inquiry(actor=actor, clue_id=clue.pk, mode="letter", started_on=today)
    assert inquiry.reply_due_on == add_working_days(today, 15).date
    with pytest.raises(RuleViolation, match="尚未回复"):
        services.conclude_inquiry(actor=actor, clue_id=clue.pk, outcome="accept_close", note="x")
    with pytest.raises(RuleViolation, match="签署"):
        services.record_reply(actor=actor, clue_id=clue.pk, replied_on=today, summary="说明", countersigned=False)
    services.record_reply(actor=actor, clue_id=clue.pk, replied_on=today, summary="如实说明", countersigned=True)
    assert deadline_for(clue, rules.LETTER_REPLY.kind).state == "met"
    assert deadline_for(clue, rules.INQUIRY_CONCLUSION.kind).due_date == add_months(today, 1).date
    with pytest.raises(ValidationFailed):
        services.conclude_inquiry(actor=actor, clue_id=clue.pk, outcome="reminder", note="x", clearing_letter=True)
    services.conclude_inquiry(
        actor=actor, clue_id=clue.pk, outcome="accept_close", note="说明属实", clearing_letter=True
    )
    clue.refresh_from_db()
    assert clue.state == State.CLOSED and "澄清" in clue.outcome
    assert deadline_for(clue, rules.INQUIRY_CONCLUSION.kind).state == "met"


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        ("reminder", State.CLOSED),
        ("criticism", State.CLOSED),
        ("order_check", State.CLOSED),
        ("admonish", State.CLOSED),
        ("again", State.DISPOSAL_APPROVED),
        ("to_verification", State.PRELIMINARY_VERIFICATION),
    ],
)
def test_a_talk_concludes_with_each_outcome(demo, outcome, state):
    clue = disposed("talk_or_letter")
    actor = demo_actor("zuzhang1")
    services.start_inquiry(actor=actor, clue_id=clue.pk, mode="talk", started_on=timezone.localdate())
    services.conclude_inquiry(actor=actor, clue_id=clue.pk, outcome=outcome, note="经研究")
    clue.refresh_from_db()
    assert clue.state == state
    if outcome == "again":
        services.start_inquiry(actor=actor, clue_id=clue.pk, mode="letter", started_on=timezone.localdate())
        assert TalkInquiry.objects.filter(clue=clue).count() == 2


def test_only_an_approved_talk_or_letter_disposal_starts_a_talk(demo):
    from xiezuoqu.errors import InvalidTransition

    clue = disposed("close")
    with pytest.raises(InvalidTransition):
        services.start_inquiry(
            actor=demo_actor("xzshuji"), clue_id=clue.pk, mode="talk", started_on=timezone.localdate()
        )


def test_a_letter_reply_due_in_a_year_without_calendar_follows_its_timer_when_the_year_is_entered(demo):
    """Sent Friday 2026-12-11: 15 WD on weekends alone end Friday 2027-01-01 (元旦) — provisional; once
    2027 is entered with 元旦 and its weekend as rest days, the reply is due Monday 2027-01-04."""
    from datetime import date

    import time_machine

    from xiezuoqu.workdays.schedule import parse_schedule
    from xiezuoqu.workdays.services import enter_calendar_year

    with time_machine.travel(date(2026, 12, 11), tick=False):
        clue = disposed("talk_or_letter")
        start = date(2026, 12, 11)
        inquiry = services.start_inquiry(actor=demo_actor("xzshuji"), clue_id=clue.pk, mode="letter", started_on=start)
        timer = deadline_for(clue, rules.LETTER_REPLY.kind)
        assert timer is not None and timer.due_provisional
        assert inquiry.reply_due_on == timer.due_date == date(2027, 1, 1)
        enter_calendar_year(
            actor=None,
            year=2027,
            source="国务院办公厅关于2027年部分节假日安排的通知",
            published_on=date(2026, 12, 1),
            days=parse_schedule("2027-01-01~2027-01-03 休 元旦", year=2027),
        )
    inquiry.refresh_from_db()
    timer.refresh_from_db()
    assert (inquiry.reply_due_on, timer.due_date, timer.due_provisional) == (date(2027, 1, 4), date(2027, 1, 4), False)
