"""The meetings API: the same scope and the same services as the pages.

A decision takes the ballots by person — ``{"ballots": {"<staff_id>": "for" | "against" | "abstain"}}``
or ``{"ballots": [{"staff_id": 1, "vote": "for"}, ...]}`` — and the outcome follows from them
(``"outcome": "defer"`` puts the item off without a vote). Refusals are RFC 9457 problem JSON.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from django.apps import apps
from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, WithJsonSchema

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.access.registry import policy_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.errors import NotFound, ValidationFailed

from . import services
from .agenda import AGENDA_KINDS
from .models import AgendaItem, FollowUp, Meeting, Resolution
from .selectors import (
    get_follow_up_for,
    get_item_for,
    get_meeting_for,
    meeting_page,
    month_meetings,
    parse_month,
    schedules_visible_to,
)
from .summary import preset_period

router = Router(tags=["meetings"])


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("请填写不带时区的当地时间，如 09:00")
    return value


# A schedule's clock time is local (Asia/Shanghai) and sent as "09:00:00": JSON Schema's "time" format
# would demand a UTC offset, which neither the answers carry nor the database keeps.
LocalTime = Annotated[
    time,
    AfterValidator(_local),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "当地时间 HH:MM[:SS]",
            "examples": ["09:00"],
        }
    ),
]


class BallotOut(Schema):
    staff_id: int
    name: str
    vote: str


class MeetingFollowUpOut(Schema):
    id: int
    resolution: str
    seq: int
    task: str
    unit_id: int
    unit: str
    assignee_id: int | None
    due_on: date
    state: str
    result: str
    done_on: date | None


class ResolutionOut(Schema):
    number: str
    outcome: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    voting_members: int
    present_voters: int
    # False for resolutions recorded before ballots by name (按票数登记): counts only.
    by_ballot: bool
    ballots: list[BallotOut]
    follow_ups: list[MeetingFollowUpOut]
    # A 阶段工作总结's figures as frozen when the item was decided (empty for other items).
    figures: dict[str, Any]
    text: str


class ItemOut(Schema):
    id: int
    order: int
    kind: str
    kind_label: str
    title: str
    clue_id: int | None
    target_id: int | None
    period_start: date | None
    period_end: date | None
    state: str
    recused_staff_ids: list[int]
    resolution: ResolutionOut | None


class AttendanceOut(Schema):
    staff_id: int
    name: str
    presence: str
    reason: str
    is_voting: bool


class MeetingOut(Schema):
    id: int
    zone_id: int
    kind: str
    title: str
    scheduled_at: datetime
    place: str
    chair: str
    state: str
    state_label: str


class MeetingDetailOut(MeetingOut):
    items: list[ItemOut]
    attendances: list[AttendanceOut]


class MonthQuery(Schema):
    month: str = ""
    zone: int | None = None


class MeetingIn(Schema):
    zone_id: int
    kind: str
    scheduled_at: datetime
    place: str
    title: str = ""
    chair_id: int | None = None
    attendee_ids: list[int] = []


class ItemIn(Schema):
    kind: str
    title: str = ""
    clue_id: int | None = None
    target_id: int | None = None
    # 阶段工作总结: a preset (quarter, last_quarter, half, last_half, year, last_year) or the two dates.
    period: str = ""
    period_start: date | None = None
    period_end: date | None = None


class AttendanceIn(Schema):
    staff_id: int
    presence: str
    reason: str = ""


class RecusalIn(Schema):
    staff_id: int
    ground: str
    detail: str


class BallotIn(Schema):
    staff_id: int
    vote: str


class MeetingFollowUpIn(Schema):
    task: str
    due_on: date
    unit_id: int | None = None
    assignee_id: int | None = None


class MeetingItemDecisionIn(Schema):
    text: str
    ballots: dict[str, str] | list[BallotIn] = {}
    # "" follows the ballots; "defer" (暂缓研究) takes no vote; agree / disagree is checked against them.
    outcome: str = ""
    follow_ups: list[MeetingFollowUpIn] = []


class FollowUpReportIn(Schema):
    result: str
    done_on: date | None = None


class MinutesIn(Schema):
    summary: str


class CancelIn(Schema):
    reason: str


class ScheduleIn(Schema):
    zone_id: int
    kind: str
    week: int
    weekday: int
    at: LocalTime
    place: str
    is_active: bool = True


class ScheduleOut(Schema):
    id: int
    zone_id: int
    kind: str
    week: int
    weekday: int
    at: LocalTime
    place: str
    is_active: bool


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _meeting_out(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "zone_id": m.zone_id,
        "kind": m.kind,
        "title": m.title,
        "scheduled_at": m.scheduled_at,
        "place": m.place,
        "chair": m.chair.name,
        "state": m.state,
        "state_label": m.get_state_display(),
    }


def _follow_up_out(f: FollowUp, number: str) -> dict[str, Any]:
    return {
        "id": f.pk,
        "resolution": number,
        "seq": f.seq,
        "task": f.task,
        "unit_id": f.unit_id,
        "unit": f.unit.name,
        "assignee_id": f.assignee_id,
        "due_on": f.due_on,
        "state": f.state,
        "result": f.result,
        "done_on": f.done_on,
    }


def _resolution_out(r: Resolution | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "number": r.number,
        "outcome": r.outcome,
        "votes_for": r.votes_for,
        "votes_against": r.votes_against,
        "votes_abstain": r.votes_abstain,
        "voting_members": r.voting_members,
        "present_voters": r.present_voters,
        "by_ballot": r.by_ballot,
        "ballots": [{"staff_id": b.staff_id, "name": b.staff.name, "vote": b.vote} for b in r.ballots.all()],
        "follow_ups": [_follow_up_out(f, r.number) for f in r.follow_ups.all()],
        "figures": r.figures,
        "text": r.text,
    }


def _item_out(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "order": item.order,
        "kind": item.kind,
        "kind_label": item.kind_label,
        "title": item.title,
        "clue_id": item.clue_id,
        "target_id": item.target_id,
        "period_start": item.period_start,
        "period_end": item.period_end,
        "state": item.state,
        "recused_staff_ids": [r.staff_id for r in item.recusals.all()],
        "resolution": _resolution_out(getattr(item, "resolution", None)),
    }


def _detail(actor: Actor, meeting_id: int) -> dict[str, Any]:
    meeting = get_meeting_for(actor, meeting_id)
    page = meeting_page(actor, meeting)
    return {
        **_meeting_out(meeting),
        "items": [_item_out(i) for i in page["items"]],
        "attendances": [
            {
                "staff_id": a.staff_id,
                "name": a.staff.name,
                "presence": a.presence,
                "reason": a.reason,
                "is_voting": a.is_voting,
            }
            for a in page["attendances"]
        ],
    }


@router.get("/", response=list[MeetingOut])
def list_meetings(request: HttpRequest, query: Query[MonthQuery]) -> list[dict[str, Any]]:
    """The month's meetings in scope (``month`` as YYYY-MM; this month when omitted)."""
    actor = _actor(request)
    year, month = parse_month(query.month)
    return [_meeting_out(m) for m in month_meetings(actor, year, month, query.zone)]


@router.get("/schedules", response=list[ScheduleOut])
def list_schedules(request: HttpRequest) -> list[Any]:
    return list(schedules_visible_to(_actor(request)).order_by("zone_id", "kind"))


@router.post("/schedules", response=ScheduleOut)
def set_schedule(request: HttpRequest, payload: ScheduleIn) -> Any:
    return services.set_regular_schedule(actor=_actor(request), request=request, **payload.dict())


@router.get("/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    actor = _actor(request)
    body = _detail(actor, meeting_id)
    with transaction.atomic():  # its items name clues: reading them is on record
        record_view(
            actor=actor,
            target=get_meeting_for(actor, meeting_id),
            request=request,
            detail={"items": [i["id"] for i in body["items"]]},
        )
    return body


@router.post("/", response={201: MeetingDetailOut})
def convene(request: HttpRequest, payload: MeetingIn) -> Status:
    actor = _actor(request)
    meeting = services.convene_meeting(actor=actor, data=services.MeetingInput(**payload.dict()), request=request)
    return Status(201, _detail(actor, meeting.pk))


@router.post("/{meeting_id}/items", response={201: ItemOut})
def add_item(request: HttpRequest, meeting_id: int, payload: ItemIn) -> Status:
    actor = _actor(request)
    entry = AGENDA_KINDS.get(payload.kind)
    target = None
    if entry is not None and entry.target_model and payload.target_id is not None:
        target = policy_for(apps.get_model(entry.target_model)).get_for(actor, payload.target_id)
    preset = preset_period(payload.period) if payload.period else None
    if payload.period and preset is None:
        raise ValidationFailed("统计期间应为 quarter、last_quarter、half、last_half、year 或 last_year。")
    dates = (payload.period_start, payload.period_end)
    period = (preset.start, preset.end) if preset else dates if all(dates) else None
    item = services.add_agenda_item(
        actor=actor,
        meeting_id=meeting_id,
        kind=payload.kind,
        title=payload.title,
        clue_id=payload.clue_id,
        target=target,
        period=period,  # type: ignore[arg-type]
        request=request,
    )
    return _item_status(actor, item.pk)


@router.post("/{meeting_id}/attendance", response=MeetingDetailOut)
def attendance(request: HttpRequest, meeting_id: int, payload: list[AttendanceIn]) -> dict[str, Any]:
    actor = _actor(request)
    entries = [services.AttendanceInput(p.staff_id, p.presence, p.reason) for p in payload]
    services.record_attendance(actor=actor, meeting_id=meeting_id, entries=entries, request=request)
    return _detail(actor, meeting_id)


@router.post("/{meeting_id}/hold", response=MeetingDetailOut)
def hold(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    actor = _actor(request)
    services.hold_meeting(actor=actor, meeting_id=meeting_id, request=request)
    return _detail(actor, meeting_id)


@router.post("/items/{item_id}/recusals", response={201: ItemOut})
def recuse(request: HttpRequest, item_id: int, payload: RecusalIn) -> Status:
    actor = _actor(request)
    services.recuse_from_item(actor=actor, item_id=item_id, request=request, **payload.dict())
    return _item_status(actor, item_id)


def _item_status(actor: Actor, item_id: int) -> Status:
    item = get_item_for(actor, item_id)
    return Status(201, _item_out(next(i for i in meeting_page(actor, item.meeting)["items"] if i.pk == item.pk)))


def _follow_up_input(f: MeetingFollowUpIn) -> services.FollowUpInput:
    return services.FollowUpInput(task=f.task, due_on=f.due_on, unit_id=f.unit_id, assignee_id=f.assignee_id)


@router.post("/items/{item_id}/decision", response={201: ItemOut})
def decide(request: HttpRequest, item_id: int, payload: MeetingItemDecisionIn) -> Status:
    """记名表决: one ballot per member present and not withdrawn from the item."""
    actor = _actor(request)
    ballots: dict[Any, str]
    if isinstance(payload.ballots, list):
        ballots = {}
        for ballot in payload.ballots:
            if ballot.staff_id in ballots:
                raise ValidationFailed(
                    "同一人对同一议题只能投一票。", field_errors={"ballots": [f"干部编号 {ballot.staff_id} 重复。"]}
                )
            ballots[ballot.staff_id] = ballot.vote
    else:
        ballots = dict(payload.ballots)
    data = services.DecisionInput(
        text=payload.text,
        ballots=ballots,
        outcome=payload.outcome,
        follow_ups=[_follow_up_input(f) for f in payload.follow_ups],
    )
    services.decide_item(actor=actor, item_id=item_id, data=data, request=request)
    return _item_status(actor, item_id)


@router.post("/items/{item_id}/follow-ups", response={201: MeetingFollowUpOut})
def assign_follow_up(request: HttpRequest, item_id: int, payload: MeetingFollowUpIn) -> Status:
    """会议交办事项 after the vote, while the meeting sits."""
    actor = _actor(request)
    task = services.assign_follow_up(actor=actor, item_id=item_id, data=_follow_up_input(payload), request=request)
    return Status(201, _follow_up_out(get_follow_up_for(actor, task.pk), task.resolution.number))


@router.get("/follow-ups/{follow_up_id}", response=MeetingFollowUpOut)
def get_follow_up(request: HttpRequest, follow_up_id: int) -> dict[str, Any]:
    actor = _actor(request)
    task = get_follow_up_for(actor, follow_up_id)
    with transaction.atomic():
        record_view(actor=actor, target=task, request=request)
    return _follow_up_out(task, task.resolution.number)


@router.post("/follow-ups/{follow_up_id}/report", response=MeetingFollowUpOut)
def report_follow_up(request: HttpRequest, follow_up_id: int, payload: FollowUpReportIn) -> dict[str, Any]:
    """办结情况: the assignee's unit (or the zone leader) reports the task done; its deadline closes."""
    actor = _actor(request)
    services.report_follow_up(
        actor=actor, follow_up_id=follow_up_id, result=payload.result, done_on=payload.done_on, request=request
    )
    task = get_follow_up_for(actor, follow_up_id)
    return _follow_up_out(task, task.resolution.number)


@router.post("/{meeting_id}/minutes", response=MeetingDetailOut)
def issue_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict[str, Any]:
    actor = _actor(request)
    services.issue_minutes(actor=actor, meeting_id=meeting_id, summary=payload.summary, request=request)
    return _detail(actor, meeting_id)


@router.post("/{meeting_id}/cancel", response=MeetingDetailOut)
def cancel(request: HttpRequest, meeting_id: int, payload: CancelIn) -> dict[str, Any]:
    actor = _actor(request)
    services.cancel_meeting(actor=actor, meeting_id=meeting_id, reason=payload.reason, request=request)
    return _detail(actor, meeting_id)
