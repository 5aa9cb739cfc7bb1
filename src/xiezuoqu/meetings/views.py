"""Pages of zone meetings: the zone's meeting calendar (a month list with the regular meetings its
rules call for), convening a meeting, a meeting's page with its agenda, attendance, recusals, the
ballots by name, follow-up tasks and a 总结会's figures, the minutes (.docx), a follow-up task's page
(where its unit reports it done), and the zone's regular-meeting rules.

Thin: parse the request, call a selector or a service, render.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.access.registry import policy_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.recusal.models import Ground
from xiezuoqu.web.forms import parse_date, parse_datetime, parse_id, require_staff, show_error

from . import services
from .agenda import AGENDA_KINDS
from .documents import minutes_docx, minutes_filename
from .models import FollowUpState, Kind, Presence, RegularSchedule, Vote
from .selectors import (
    VOTING_MEMBERS_RULE,
    can_view_meeting,
    follow_up_units,
    get_follow_up_for,
    get_meeting_for,
    may_convene,
    may_record,
    meeting_page,
    month_meetings,
    parse_month,
    proposed_meetings,
    schedules_visible_to,
    tally,
    zone_clues_for,
    zone_staff,
    zones_for,
)
from .summary import figures_for_item, period_presets, preset_period
from .workflow import STATE_TAGS, Action, allowed_actions


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """协作区会议日历: the month's meetings and the regular meetings the zones' rules call for."""
    actor = actor_for(request.user)
    require_staff(actor)
    year, month = parse_month(request.GET.get("month"))
    zone_id = parse_id(request.GET.get("zone"))
    meetings = month_meetings(actor, year, month, zone_id)
    return render(
        request,
        "meetings/calendar.html",
        {
            "year": year,
            "month": month,
            "prev": _shift(year, month, -1),
            "next": _shift(year, month, 1),
            "zone_id": zone_id,
            "zones": zones_for(actor),
            "rows": [{"m": m, "tag": STATE_TAGS.get(m.state, "")} for m in meetings],
            "proposed": proposed_meetings(actor, year, month, zone_id),
            "led_zone_ids": actor.led_zone_ids,
        },
    )


@login_required
def convene(request: HttpRequest) -> HttpResponse:
    """安排会议 (the zone leader)."""
    actor = actor_for(request.user)
    require_staff(actor)
    zones = [z for z in zones_for(actor) if may_convene(actor, z.pk)]
    if not zones:
        raise NotFound()
    values: dict[str, Any] = request.GET.dict()
    if request.method == "POST":
        post = request.POST
        values = post.dict()
        try:
            when = parse_datetime(post.get("scheduled_at"))
            if when is None:
                raise ValidationFailed("请填写会议时间。", field_errors={"scheduled_at": ["请填写。"]})
            meeting = services.convene_meeting(
                actor=actor,
                data=services.MeetingInput(
                    zone_id=parse_id(post.get("zone")) or 0,
                    kind=post.get("kind", ""),
                    scheduled_at=when,
                    place=post.get("place", ""),
                    title=post.get("title", ""),
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"已安排{meeting.title}。")
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/convene.html", {"zones": zones, "kinds": Kind.choices, "values": values})


@login_required
def detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    meeting = get_meeting_for(actor, meeting_id)
    page = meeting_page(actor, meeting)
    with transaction.atomic():  # its items name clues: reading them is on record
        record_view(actor=actor, target=meeting, request=request, detail={"items": [i.pk for i in page["items"]]})
    voting = [a for a in page["attendances"] if a.is_voting]
    for item in page["items"]:
        item.meeting = meeting  # the figures read its zone: no second query per item
        pending = meeting.state == "held" and item.state == "pending"
        item.tally = tally(item) if pending else None  # type: ignore[attr-defined]
        # 记名表决: the form lists each member who may vote on the item, in the order of the list.
        item.voters = [a.staff for a in voting if a.staff_id in item.tally.eligible_ids] if pending else []  # type: ignore[attr-defined]
        item.figures = figures_for_item(item)  # type: ignore[attr-defined]
    units = follow_up_units(meeting) if meeting.state in ("planned", "held") else []
    waiting = []
    if may_convene(actor, meeting.zone_id) and meeting.state == "planned":
        for entry in AGENDA_KINDS.values():
            if entry.candidates is not None and entry.offered_on(meeting.kind):
                waiting += [(entry.kind, entry.label, obj) for obj in entry.candidates(actor, meeting.zone_id)]
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "tag": STATE_TAGS.get(meeting.state, ""),
            **page,
            "actions": allowed_actions(meeting.state),
            "A": Action,
            "convenes": may_convene(actor, meeting.zone_id),
            "records": may_record(actor, meeting.zone_id),
            "agenda_kinds": [(k.kind, k.label) for k in AGENDA_KINDS.values() if not k.target_model],
            "waiting": waiting,
            "presences": [(v, lbl) for v, lbl in Presence.choices if v != Presence.UNRECORDED],
            "votes": Vote.choices,
            "grounds": Ground.choices,
            "voting_rule": VOTING_MEMBERS_RULE,
            "presets": period_presets(timezone.localdate()),
            "zone_units": units if may_record(actor, meeting.zone_id) else [],
            "zone_staff": zone_staff(meeting, units) if meeting.state in ("planned", "held") else [],
            "zone_clues": zone_clues_for(actor, meeting.zone_id) if meeting.state in ("planned", "held") else [],
            "today": timezone.localdate(),
            "tomorrow": timezone.localdate() + timedelta(days=1),  # a task is due after the meeting day
        },
    )


def _period(post: Any) -> tuple[date, date] | None:
    """A 总结会 period: a preset (本季度, 上半年, 本年度 ...) or the dates given."""
    preset = preset_period(post.get("period", ""))
    if preset is not None:
        return preset.start, preset.end
    start, end = parse_date(post.get("period_start")), parse_date(post.get("period_end"))
    return (start, end) if start and end else None


def _follow_up_input(post: Any, prefix: str = "") -> services.FollowUpInput:
    return services.FollowUpInput(
        task=post.get(f"{prefix}task", ""),
        due_on=parse_date(post.get(f"{prefix}due_on")),
        unit_id=parse_id(post.get(f"{prefix}unit")),
        assignee_id=parse_id(post.get(f"{prefix}assignee")),
    )


def _target(actor: Actor, kind: str, target_id: Any) -> Any:
    """The object an item of ``kind`` decides, through its model's scope policy (404 when out of reach)."""
    entry = AGENDA_KINDS.get(kind)
    if entry is None or not entry.target_model:
        return None
    model = apps.get_model(entry.target_model)
    return policy_for(model).get_for(actor, target_id)


@login_required
@require_POST
def act(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One form posts one action of a meeting's page to its service."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "add_item":
            kind = post.get("kind", "")
            target = _target(actor, kind, post.get("target_id")) if post.get("target_id") else None
            services.add_agenda_item(
                actor=actor,
                meeting_id=meeting_id,
                kind=kind,
                title=post.get("title", ""),
                clue_id=parse_id(post.get("clue_id")),
                target=target,
                period=_period(post),
                request=request,
            )
        elif action == "attendance":
            entries = []
            for staff_id in filter(None, (parse_id(v) for v in post.getlist("staff"))):
                presence = post.get(f"presence_{staff_id}", "")
                if presence:
                    entries.append(services.AttendanceInput(staff_id, presence, post.get(f"reason_{staff_id}", "")))
            guest = parse_id(post.get("guest"))
            if guest:
                entries.append(services.AttendanceInput(guest, Presence.PRESENT))
            services.record_attendance(actor=actor, meeting_id=meeting_id, entries=entries, request=request)
        elif action == "hold":
            services.hold_meeting(actor=actor, meeting_id=meeting_id, request=request)
        elif action == "recuse":
            services.recuse_from_item(
                actor=actor,
                item_id=post.get("item_id"),
                staff_id=parse_id(post.get("staff_id")),
                ground=post.get("ground", ""),
                detail=post.get("detail", ""),
                request=request,
            )
        elif action == "decide":
            # 暂缓研究 is its own button: no vote is taken, so no ballots are sent.
            deferring = post.get("outcome") == "defer"
            ballots = {} if deferring else {v: post.get(f"vote_{v}", "") for v in post.getlist("voter")}
            follow_ups = [_follow_up_input(post)] if post.get("task", "").strip() else []
            services.decide_item(
                actor=actor,
                item_id=post.get("item_id"),
                data=services.DecisionInput(
                    text=post.get("text", ""),
                    ballots=ballots,
                    outcome="defer" if deferring else "",
                    follow_ups=follow_ups,
                ),
                request=request,
            )
        elif action == "assign":
            services.assign_follow_up(
                actor=actor, item_id=post.get("item_id"), data=_follow_up_input(post), request=request
            )
        elif action == "minutes":
            services.issue_minutes(actor=actor, meeting_id=meeting_id, summary=post.get("summary", ""), request=request)
        elif action == "cancel":
            services.cancel_meeting(actor=actor, meeting_id=meeting_id, reason=post.get("reason", ""), request=request)
        else:
            raise NotFound()
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已办理。")
    return redirect("meetings:detail", meeting_id)


@login_required
def follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """会议交办事项: what, to whom, by when, its deadline; the unit (or the zone leader) reports it done."""
    actor = actor_for(request.user)
    require_staff(actor)
    task = get_follow_up_for(actor, follow_up_id)
    if request.method == "POST":
        try:
            services.report_follow_up(
                actor=actor,
                follow_up_id=task.pk,
                result=request.POST.get("result", ""),
                done_on=parse_date(request.POST.get("done_on")),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "已报告办结情况。")
            return redirect("meetings:follow_up", task.pk)
    meeting = task.resolution.item.meeting
    with transaction.atomic():
        record_view(actor=actor, target=task, request=request)
    from xiezuoqu.deadlines.services import deadline_for

    return render(
        request,
        "meetings/follow_up.html",
        {
            "task": task,
            "meeting": meeting,
            "deadline": deadline_for(task, services.FOLLOW_UP_DEADLINE_KIND),
            "may_report": task.state == FollowUpState.OPEN
            and services.may_report_follow_up(actor, task, meeting.zone_id),
            "sees_meeting": can_view_meeting(actor, meeting),
            "today": timezone.localdate(),
            "tomorrow": timezone.localdate() + timedelta(days=1),  # a task is due after the meeting day
        },
    )


@login_required
def minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """会议纪要 (.docx), generated from the record; on record as a reading of the meeting."""
    actor = actor_for(request.user)
    require_staff(actor)
    meeting = get_meeting_for(actor, meeting_id)
    if meeting.state not in ("held", "minutes_issued"):
        raise NotFound("会议尚未召开，没有纪要。")
    page = meeting_page(actor, meeting)
    with transaction.atomic():
        record_view(actor=actor, target=meeting, request=request, detail={"document": "minutes"})
    body = minutes_docx(meeting, page["items"], page["attendances"])
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(minutes_filename(meeting))}"
    return response


def _time(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value or "")
    except ValueError:
        return None


def _weekday(value: str | None) -> int:
    parsed = parse_id(value)
    return -1 if parsed is None else parsed


@login_required
def schedules(request: HttpRequest) -> HttpResponse:
    """定期会议规则: the zones' regular meetings; the zone leader sets them."""
    actor = actor_for(request.user)
    require_staff(actor)
    if request.method == "POST":
        post = request.POST
        try:
            at = _time(post.get("at"))
            if at is None:
                raise ValidationFailed("请填写会议时间。", field_errors={"at": ["请填写。"]})
            services.set_regular_schedule(
                actor=actor,
                zone_id=parse_id(post.get("zone")),
                kind=post.get("kind", ""),
                week=parse_id(post.get("week")) or 0,
                weekday=_weekday(post.get("weekday")),
                at=at,
                place=post.get("place", ""),
                is_active=post.get("is_active") == "on",
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "已保存定期会议规则。")
            return redirect("meetings:schedules")
    rules = list(schedules_visible_to(actor).select_related("zone").order_by("zone__number", "kind"))
    today = date.today()
    return render(
        request,
        "meetings/schedules.html",
        {
            "rules": rules,
            "led_zones": [z for z in zones_for(actor) if may_convene(actor, z.pk)],
            "kinds": Kind.choices,
            "weeks": RegularSchedule.Week.choices,
            "weekdays": RegularSchedule.Weekday.choices,
            "month": f"{today.year:04d}-{today.month:02d}",
        },
    )
