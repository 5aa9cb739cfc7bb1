"""会议交办事项: a resolution of any meeting assigns tasks — what, to which unit (and person), by when.
Each task is a deadline of kind ``meeting.assignment`` owned by the unit, in the usual deadline lists;
the unit (or the zone leader who convened) reports it done with the 办结情况, which closes the deadline
(late when after the date) and is on record. A 汇报会 hears a team on its verification or case and
assigns the next steps. The meeting page and the minutes list the tasks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from docx import Document

from tests.clues.conftest import BAOSHAN, DONGTANG, api_token
from tests.filing.conftest import attend, ballots_for, clue_under_verification, planned_meeting
from tests.intake.conftest import demo_actor, login, unit_named
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.deadlines.selectors import work_queue
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import AgendaItem, FollowUp, Kind, Resolution
from xiezuoqu.org.models import StaffMember

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_default_timezone())
FRIDAY_AFTER_NEXT = date(2026, 11, 13)


def _task(due_on: date = FRIDAY_AFTER_NEXT, unit: str = BAOSHAN, **kw: Any) -> services.FollowUpInput:
    return services.FollowUpInput(
        task=kw.pop("task", "督促双山子村完成集体资金清理，报送整改台账。"),
        due_on=due_on,
        unit_id=unit_named(unit).pk,
        **kw,
    )


def _report_meeting_item(title: str = "宝山镇纪委汇报线索办理进展") -> AgendaItem:
    """A 汇报会 with one 工作汇报 item, held with every voting member present."""
    meeting = planned_meeting(Kind.REPORT)
    item = services.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind="work_report", title=title
    )
    attend(meeting)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    item.refresh_from_db()
    return item


def _decided_with(item: AgendaItem, *tasks: services.FollowUpInput) -> Resolution:
    return services.decide_item(
        actor=demo_actor("zuzhang1"),
        item_id=item.pk,
        data=services.DecisionInput(
            text="听取汇报，同意下步工作安排。", ballots=ballots_for(item, (4, 0, 0)), follow_ups=tasks
        ),
    )


def _assigned(*tasks: services.FollowUpInput) -> FollowUp:
    resolution = _decided_with(_report_meeting_item(), *(tasks or (_task(),)))
    return FollowUp.objects.filter(resolution=resolution).order_by("seq").first()  # type: ignore[return-value]


def _deadline(task: FollowUp) -> Deadline:
    return Deadline.objects.get(kind="meeting.assignment", target_id=task.pk)


@time_machine.travel(MONDAY, tick=False)
def test_a_resolution_assigns_a_task_tracked_by_a_deadline_of_the_unit(demo):
    task = _assigned()
    assert (task.unit.name, task.due_on, task.state, task.assigned_on) == (
        BAOSHAN,
        FRIDAY_AFTER_NEXT,
        "open",
        date(2026, 11, 2),
    )
    deadline = _deadline(task)
    assert (deadline.label, deadline.state, deadline.due_date) == ("会议交办事项", "open", FRIDAY_AFTER_NEXT)
    assert deadline.responsible_unit_id == task.unit_id and deadline.zone_id == task.resolution.zone_id
    # The deadline shows a number, not the task's content.
    assert deadline.target_label == f"{task.resolution.number} 交办事项1"
    # In the usual lists: the township's work queue, not another zone's.
    assert deadline.pk in {row.deadline.pk for row in work_queue(demo_actor("xzganbu")).rows}
    assert deadline.pk not in {row.deadline.pk for row in work_queue(demo_actor("xzshuji2")).rows}
    assert AuditEvent.objects.filter(action="meeting.follow_up_assigned").exists()


@time_machine.travel(MONDAY, tick=False)
def test_a_task_due_on_a_rest_day_is_due_on_the_next_working_day(demo):
    """The task says the same day as its timer, and neither moves through the generic 延期."""
    from xiezuoqu.deadlines.services import request_extension

    task = _assigned(_task(due_on=date(2026, 11, 14)))  # a Saturday
    task.refresh_from_db()
    assert _deadline(task).due_date == task.due_on == date(2026, 11, 16)
    with pytest.raises(RuleViolation, match="重新交办"):
        request_extension(actor=demo_actor("xzshuji"), deadline_id=_deadline(task).pk, working_days=5, reason="来不及")


@time_machine.travel(MONDAY, tick=False)
def test_the_unit_reports_it_done_which_closes_the_deadline_on_record(demo):
    task = _assigned()
    done = services.report_follow_up(
        actor=demo_actor("xzganbu"), follow_up_id=task.pk, result="已完成清理，整改台账已报送。"
    )
    assert (done.state, done.done_on, done.result) == ("done", date(2026, 11, 2), "已完成清理，整改台账已报送。")
    deadline = _deadline(task)
    assert (deadline.state, deadline.met_on) == ("met", date(2026, 11, 2))
    event = AuditEvent.objects.filter(action="meeting.follow_up_reported").latest("id")
    assert event.changes["state"] == ["open", "done"]
    assert event.detail["result"] == "已完成清理，整改台账已报送。"
    with pytest.raises(InvalidTransition, match="已于 2026-11-02 办结"):
        services.report_follow_up(actor=demo_actor("xzshuji"), follow_up_id=task.pk, result="再报一次")


def test_a_report_after_the_date_closes_the_deadline_late(demo):
    with time_machine.travel(MONDAY, tick=False):
        task = _assigned()
    with time_machine.travel(MONDAY + timedelta(days=20), tick=False):
        services.report_follow_up(actor=demo_actor("xzshuji"), follow_up_id=task.pk, result="已完成。")
    assert _deadline(task).state == "met_late"


@time_machine.travel(MONDAY, tick=False)
def test_only_the_units_staff_or_the_convening_leader_may_close_it(demo):
    task = _assigned()
    with pytest.raises(NotPermitted, match="承办单位或协作区组长"):  # a deputy sees the meeting, is not the unit
        services.report_follow_up(actor=demo_actor("fuzuzhang1"), follow_up_id=task.pk, result="已完成。")
    with pytest.raises(NotFound):  # another zone's township: not theirs to see
        services.report_follow_up(actor=demo_actor("xzshuji2"), follow_up_id=task.pk, result="已完成。")
    assert _deadline(task).state == "open"
    services.report_follow_up(actor=demo_actor("zuzhang1"), follow_up_id=task.pk, result="经核实已完成。")
    assert _deadline(task).state == "met"


@time_machine.travel(MONDAY, tick=False)
def test_a_task_goes_to_a_unit_of_the_zone_and_a_person_of_that_unit_by_a_later_date(demo):
    item = _report_meeting_item()
    with pytest.raises(ValidationFailed, match="晚于今天"):
        _decided_with(item, _task(due_on=date(2026, 11, 2)))
    with pytest.raises(RuleViolation, match=f"{DONGTANG}不是第一协作区的成员单位"):
        _decided_with(item, _task(unit=DONGTANG))
    other = StaffMember.objects.get(pk=demo.user("xzshuji2").staff_id)
    with pytest.raises(ValidationFailed, match=f"承办人{other.name}不是{BAOSHAN}的干部"):
        _decided_with(item, _task(assignee_id=other.pk))
    assert not Resolution.objects.filter(item=item).exists()  # refused as a whole
    # Named by person only: the task goes to the person's unit.
    person = StaffMember.objects.get(pk=demo.user("xzganbu").staff_id)
    resolution = _decided_with(
        item, services.FollowUpInput(task="补充询问笔录。", due_on=FRIDAY_AFTER_NEXT, assignee_id=person.pk)
    )
    task = resolution.follow_ups.get()
    assert (task.unit.name, task.assignee_id) == (BAOSHAN, person.pk)


@time_machine.travel(MONDAY, tick=False)
def test_tasks_are_assigned_by_a_decided_item_while_the_meeting_sits(demo):
    item = _report_meeting_item()
    with pytest.raises(RuleViolation, match="尚未表决"):
        services.assign_follow_up(actor=demo_actor("zuzhang1"), item_id=item.pk, data=_task())
    _decided_with(item, _task())
    second = services.assign_follow_up(
        actor=demo_actor("fuzuzhang1"), item_id=item.pk, data=_task(task="按月报告进展。", due_on=date(2026, 11, 30))
    )
    assert second.seq == 2 and _deadline(second).due_date == date(2026, 11, 30)
    with pytest.raises(NotFound):
        services.assign_follow_up(actor=demo_actor("xzshuji2"), item_id=item.pk, data=_task())
    services.issue_minutes(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, summary="抓好落实。")
    with pytest.raises(InvalidTransition, match="纪要已印发"):
        services.assign_follow_up(actor=demo_actor("zuzhang1"), item_id=item.pk, data=_task())
    # ... while the tasks already assigned go on and are reported after the minutes.
    services.report_follow_up(actor=demo_actor("xzshuji"), follow_up_id=second.pk, result="已按月报告。")


@time_machine.travel(MONDAY, tick=False)
def test_a_report_meeting_hears_a_verification_and_assigns_the_next_step(demo):
    from xiezuoqu.verification.models import Verification

    clue = clue_under_verification()
    verification = Verification.objects.create(
        commission_id=clue.commission_id,
        clue=clue,
        state="in_progress",
        state_changed_at=timezone.now(),
        started_on=date(2026, 10, 20),
        last_progress_at=timezone.now(),
        created_by=User.objects.get(username="xzshuji"),
    )
    meeting = planned_meeting(Kind.REPORT)
    leader = login(Client(), "zuzhang1")
    page = leader.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "初核进展汇报" in page and str(verification) in page  # offered on the 汇报会's page
    item = services.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind="verification_progress", target=verification
    )
    assert item.clue_id == clue.pk and item.title == str(verification)
    attend(meeting)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    resolution = _decided_with(item, _task(task="调取2025年补贴发放凭证，11月13日前形成初核报告。"))
    verification.refresh_from_db()
    assert verification.state == "in_progress"  # hearing a report moves nothing
    assert resolution.follow_ups.get().task.startswith("调取2025年")
    assert f"/verification/{verification.pk}/" in leader.get(f"/meetings/{meeting.pk}/").content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_the_page_and_the_minutes_list_the_tasks(demo):
    task = _assigned(_task(assignee_id=demo.user("xzganbu").staff_id))
    meeting_id = task.resolution.item.meeting_id
    leader = login(Client(), "zuzhang1")
    page = leader.get(f"/meetings/{meeting_id}/").content.decode()
    assert "会议交办事项" in page and "督促双山子村完成集体资金清理" in page and "办理中" in page
    services.report_follow_up(actor=demo_actor("xzshuji"), follow_up_id=task.pk, result="已完成。")
    assert "已办结" in leader.get(f"/meetings/{meeting_id}/").content.decode()
    response = leader.get(f"/meetings/{meeting_id}/minutes.docx")
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    person = StaffMember.objects.get(pk=task.assignee_id).name
    assert (
        f"交办事项1：督促双山子村完成集体资金清理，报送整改台账。（承办：{BAOSHAN}（{person}）；"
        "办结时限：2026年11月13日前）"
    ) in text


@time_machine.travel(MONDAY, tick=False)
def test_the_unit_reads_its_task_and_reports_on_its_page(demo):
    task = _assigned()
    township = login(Client(), "xzganbu")  # not at the meeting: the task is theirs all the same
    assert township.get(f"/meetings/{task.resolution.item.meeting_id}/").status_code == 404
    page = township.get(f"/meetings/follow-ups/{task.pk}/")
    assert page.status_code == 200 and "报告办结情况" in page.content.decode()
    assert login(Client(), "xzshuji2").get(f"/meetings/follow-ups/{task.pk}/").status_code == 404
    deputy_page = login(Client(), "fuzuzhang1").get(f"/meetings/follow-ups/{task.pk}/").content.decode()
    assert "报告办结情况" not in deputy_page
    township.post(f"/meetings/follow-ups/{task.pk}/", {"result": "已完成清理。", "done_on": "2026-11-02"})
    task.refresh_from_db()
    assert task.state == "done" and _deadline(task).state == "met"
    assert "已完成清理。" in township.get(f"/meetings/follow-ups/{task.pk}/").content.decode()


def _api(method: str, username: str, path: str, body: Any = None) -> Any:
    token = api_token(User.objects.get(username=username))
    client = Client()
    if method == "get":
        return client.get("/api/v1/meetings" + path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(
        "/api/v1/meetings" + path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@time_machine.travel(MONDAY, tick=False)
def test_tasks_through_the_api(demo):
    item = _report_meeting_item()
    voters = ballots_for(item, (4, 0, 0))
    decided = _api(
        "post",
        "zuzhang1",
        f"/items/{item.pk}/decision",
        {
            "text": "听取汇报。",
            "ballots": {str(k): v for k, v in voters.items()},
            "follow_ups": [{"task": "报送整改台账。", "unit_id": unit_named(BAOSHAN).pk, "due_on": "2026-11-13"}],
        },
    )
    assert decided.status_code == 201, decided.content.decode()
    [first] = decided.json()["resolution"]["follow_ups"]
    assert (first["seq"], first["state"], first["unit"]) == (1, "open", BAOSHAN)
    late = _api(
        "post",
        "zuzhang1",
        f"/items/{item.pk}/follow-ups",
        {"task": "再报。", "unit_id": unit_named(BAOSHAN).pk, "due_on": "2026-11-01"},
    )
    assert late.status_code == 422 and late["Content-Type"].startswith("application/problem+json")
    added = _api(
        "post",
        "zuzhang1",
        f"/items/{item.pk}/follow-ups",
        {"task": "再报。", "unit_id": unit_named(BAOSHAN).pk, "due_on": "2026-11-20"},
    )
    assert added.status_code == 201 and added.json()["seq"] == 2
    assert _api("get", "xzganbu", f"/follow-ups/{first['id']}").json()["task"] == "报送整改台账。"
    assert _api("get", "xzshuji2", f"/follow-ups/{first['id']}").status_code == 404
    refused = _api("post", "fuzuzhang1", f"/follow-ups/{first['id']}/report", {"result": "已完成。"})
    assert refused.status_code == 403 and refused["Content-Type"].startswith("application/problem+json")
    done = _api("post", "xzganbu", f"/follow-ups/{first['id']}/report", {"result": "已报送。"})
    assert done.status_code == 200 and done.json()["state"] == "done" and done.json()["done_on"] == "2026-11-02"


@time_machine.travel(MONDAY, tick=False)
def test_the_meeting_page_costs_the_same_queries_for_one_decided_item_or_three(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = _report_meeting_item()
    _decided_with(first, _task())
    leader = login(Client(), "zuzhang1")

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert leader.get(f"/meetings/{first.meeting_id}/").status_code == 200
        return len(captured.captured_queries)

    page_queries()  # warm: the first request also fills per-process caches (content types ...)
    one = page_queries()
    meeting = first.meeting
    # The meeting is held (its agenda closed to the service): further items are written straight in.
    for n in (2, 3):
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=n,
            kind="work_report",
            title=f"汇报{n}",
            added_by=User.objects.get(username="zuzhang1"),
        )
        _decided_with(item, _task(), _task(task="另一事项。"))
    assert FollowUp.objects.filter(resolution__item__meeting=meeting).count() == 5
    assert page_queries() == one


def test_the_page_offers_people_and_clues_by_name_not_by_internal_number(demo):
    """承办人, 列席 and 所涉线索 are chosen from lists: the zone's cadres by unit and name, the zone's clues
    the reader may see by ledger number; another zone's clue is not offered, and a recused one disappears."""
    from tests.clues.conftest import open_other
    from xiezuoqu.recusal import services as recusal

    own = open_other()
    elsewhere = open_other("xzshuji2", DONGTANG)
    meeting = planned_meeting(Kind.REPORT)
    leader = login(Client(), "zuzhang1")
    page = leader.get(f"/meetings/{meeting.pk}/").content.decode()
    township_cadre = StaffMember.objects.get(pk=demo.user("xzganbu").staff_id)
    assert f'<option value="{township_cadre.pk}">{BAOSHAN} {township_cadre.name}</option>' in page
    assert "干部编号" not in page and "内部编号" not in page
    assert f'<option value="{own.pk}">{own.ledger_number}' in page
    assert elsewhere.ledger_number not in page
    recusal.withdraw_self(actor=demo_actor("zuzhang1"), clue_id=own.pk, ground="hometown", detail="籍贯宝山")
    assert own.ledger_number not in leader.get(f"/meetings/{meeting.pk}/").content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_a_task_past_its_date_shows_overdue_on_the_meeting_page(demo):
    task = _assigned()
    meeting_id = task.resolution.item.meeting_id
    leader = login(Client(), "zuzhang1")
    assert "已超期" not in leader.get(f"/meetings/{meeting_id}/").content.decode()
    later = datetime.combine(task.due_on + timedelta(days=3), datetime.min.time(), tzinfo=MONDAY.tzinfo)
    with time_machine.travel(later, tick=False):  # a new day, a new login (sessions expire)
        assert "已超期" in login(Client(), "zuzhang1").get(f"/meetings/{meeting_id}/").content.decode()


@time_machine.travel(MONDAY, tick=False)
def test_a_task_due_in_a_year_without_calendar_follows_its_timer_when_the_year_is_entered(demo):
    """Due Friday 2027-01-01 (元旦, unknown until 2027 is entered): provisional; entered as a holiday
    with its weekend, task and timer both move to Monday 2027-01-04."""
    from xiezuoqu.workdays.schedule import parse_schedule
    from xiezuoqu.workdays.services import enter_calendar_year

    task = _assigned(_task(due_on=date(2027, 1, 1)))
    assert _deadline(task).due_provisional and task.due_on == date(2027, 1, 1)
    enter_calendar_year(
        actor=None,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 10, 30),
        days=parse_schedule("2027-01-01~2027-01-03 休 元旦", year=2027),
    )
    task.refresh_from_db()
    deadline = _deadline(task)
    assert (task.due_on, deadline.due_date, deadline.due_provisional) == (date(2027, 1, 4), date(2027, 1, 4), False)
