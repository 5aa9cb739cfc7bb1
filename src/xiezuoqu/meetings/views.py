"""Pages of zone meetings: the zone's meeting calendar (a month list with the regular meetings its
rules call for), convening a meeting, a meeting's page with its agenda, attendance, recusals and
votes, the minutes (.docx), and the zone's regular-meeting rules.

Thin: parse the request, call a selector or a service, render.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.access.registry import policy_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.recusal.models import Ground
from xiezuoqu.web.forms import parse_datetime, parse_id, require_staff, show_error

from . import services
from .agenda import AGENDA_KINDS
from .documents import minutes_docx, minutes_filename
from .models import Kind, Outcome, Presence, RegularSchedule
from .selectors import (
    VOTING_MEMBERS_RULE,
    get_meeting_for,
    may_convene,
    may_record,
    meeting_page,
    month_meetings,
    parse_month,
    proposed_meetings,
    schedules_visible_to,
    tally,
    zones_for,
)
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
    for item in page["items"]:
        pending = meeting.state == "held" and item.state == "pending"
        item.tally = tally(item) if pending else None  # type: ignore[attr-defined]
    waiting = []
    if may_convene(actor, meeting.zone_id) and meeting.state == "planned":
        for entry in AGENDA_KINDS.values():
            if entry.candidates is not None:
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
            "outcomes": Outcome.choices,
            "grounds": Ground.choices,
            "voting_rule": VOTING_MEMBERS_RULE,
        },
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
            services.decide_item(
                actor=actor,
                item_id=post.get("item_id"),
                data=services.DecisionInput(
                    outcome=post.get("outcome", ""),
                    votes_for=parse_id(post.get("votes_for")) or 0,
                    votes_against=parse_id(post.get("votes_against")) or 0,
                    votes_abstain=parse_id(post.get("votes_abstain")) or 0,
                    text=post.get("text", ""),
                ),
                request=request,
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
