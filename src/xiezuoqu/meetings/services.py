"""Every write of zone meetings: convene, set the agenda, record attendance, open the meeting,
withdraw members from items, decide items (with a resolution number), issue the minutes, and the
zone's regular-meeting rules.

Each is one function and one transaction: lock the meeting (or the item), check the actor against
the scope and the role rule, check the state table, write with ``update_fields``, record the audit
event. Deciding an item runs the agenda kind's ``on_resolution`` hook in the same transaction, so the
linked object moves with the decision or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import StaffMember, Zone

from .agenda import AGENDA_KINDS
from .models import (
    AgendaItem,
    Attendance,
    ItemRecusal,
    ItemState,
    Kind,
    Meeting,
    Outcome,
    Presence,
    RegularSchedule,
    Resolution,
    ResolutionCounter,
)
from .selectors import (
    can_view_item,
    can_view_meeting,
    may_convene,
    may_record,
    more_than_share,
    tally,
    voting_member_ids,
)
from .workflow import Action, State, next_state

RESOLUTION_PATTERN = "{commission}{zone}协〔{year}〕决{seq}号"
CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (第一协作区 → 一; 12 → 十二)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


def resolution_number(zone: Zone, year: int, seq: int) -> str:
    return RESOLUTION_PATTERN.format(
        commission=zone.commission.short_name or zone.commission.name,
        zone=chinese_number(zone.number) if zone.number < 100 else str(zone.number),
        year=year,
        seq=seq,
    )


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field: str, label: str) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field: [f"请填写{label}。"]})
    return text


def _lock_meeting(actor: Actor, meeting_id: Any) -> Meeting:
    try:
        meeting = Meeting.objects.select_for_update().filter(pk=int(meeting_id)).first()
    except (TypeError, ValueError):
        meeting = None
    if meeting is None or not can_view_meeting(actor, meeting):
        raise NotFound(audit_action="meeting.viewed", target_type="meetings.meeting", target_id=str(meeting_id))
    return meeting


def _lock_item(actor: Actor, item_id: Any) -> AgendaItem:
    try:
        item = AgendaItem.objects.select_for_update().filter(pk=int(item_id)).select_related("meeting").first()
    except (TypeError, ValueError):
        item = None
    if item is None or not can_view_item(actor, item):
        raise NotFound(audit_action="agendaitem.viewed", target_type="meetings.agendaitem", target_id=str(item_id))
    return item


def _check_convener(actor: Actor, meeting: Meeting | None, zone_id: int | None, action: str) -> None:
    if not may_convene(actor, zone_id):
        raise NotPermitted(
            "只有本协作区组长可以召集会议、确定议题、宣布开会和印发纪要。",
            audit_action=f"meeting.{action}",
            target_type="meetings.meeting",
            target_id=str(meeting.pk) if meeting else "",
        )


def _check_recorder(actor: Actor, meeting: Meeting, action: str) -> None:
    if not may_record(actor, meeting.zone_id):
        raise NotPermitted(
            "只有本协作区组长、副组长可以登记会议情况。",
            audit_action=f"meeting.{action}",
            target_type="meetings.meeting",
            target_id=str(meeting.pk),
        )


def _move(actor: Actor, meeting: Meeting, action: str, request: HttpRequest | None, **fields: Any) -> None:
    before = meeting.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {"state": [before, after]} if before != after else {}
    for name, value in fields.items():
        old = getattr(meeting, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value) if value is not None else None]
        setattr(meeting, name, value)
    meeting.state = after
    meeting.save(update_fields=["state", *fields])
    record_event(actor=actor, action=f"meeting.{action}", target=meeting, changes=changes, request=request)


# --- convene -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInput:
    zone_id: int
    kind: str
    scheduled_at: datetime
    place: str
    title: str = ""
    chair_id: int | None = None
    attendee_ids: Sequence[int] = ()


def convene_meeting(*, actor: Actor, data: MeetingInput, request: HttpRequest | None = None) -> Meeting:
    """召集会议: the zone leader sets kind, time, place and chair; the zone's voting members (组长、副组长)
    are put on the attendance list, with any others who attend (列席)."""
    if data.kind not in Kind.values:
        raise ValidationFailed("请选择会议类型。", field_errors={"kind": ["请选择。"]})
    place = _required(data.place, "place", "会议地点")[:100]
    with transaction.atomic():
        zone = (
            Zone.objects.select_for_update()
            .filter(pk=data.zone_id, commission_id=actor.commission_id)
            .select_related("commission")
            .first()
        )
        if zone is None:
            raise ValidationFailed("所选协作区不存在。", field_errors={"zone": ["请重新选择。"]})
        _check_convener(actor, None, zone.pk, Action.CONVENE)
        voters = voting_member_ids(zone, data.scheduled_at.date())
        if not voters:
            raise RuleViolation("该协作区尚未配备组长、副组长，不能召开会议。")
        chair_id = data.chair_id or zone.leader_id or voters[0]
        others = [int(s) for s in data.attendee_ids if int(s) not in voters]
        people = set(
            StaffMember.objects.filter(
                pk__in={chair_id, *others}, commission_id=zone.commission_id, is_active=True
            ).values_list("pk", flat=True)
        )
        if chair_id not in people or len(people - {chair_id}) != len(set(others) - {chair_id}):
            raise ValidationFailed("主持人和列席人员须为本纪委监委在岗干部。", field_errors={"chair": ["人员有误。"]})
        assert actor.user_id is not None
        title = _text(data.title)[:100] or f"{zone.name}{Kind(data.kind).label}"
        meeting = Meeting.objects.create(
            commission_id=zone.commission_id,
            zone=zone,
            kind=data.kind,
            title=title,
            scheduled_at=data.scheduled_at,
            place=place,
            chair_id=chair_id,
            state=next_state(None, Action.CONVENE),
            created_by_id=actor.user_id,
        )
        rows = [Attendance(meeting=meeting, staff_id=s, is_voting=True) for s in voters]
        rows += [Attendance(meeting=meeting, staff_id=s, is_voting=False) for s in dict.fromkeys(others)]
        if chair_id not in voters and chair_id not in others:
            rows.append(Attendance(meeting=meeting, staff_id=chair_id, is_voting=False))
        Attendance.objects.bulk_create(rows)
        record_event(
            actor=actor,
            action="meeting.convened",
            target=meeting,
            changes={"state": [None, meeting.state]},
            detail={"zone": zone.pk, "kind": data.kind, "voting_members": voters, "attendees": others},
            request=request,
        )
    return meeting


# --- agenda ------------------------------------------------------------------------------------------------


def add_agenda_item(
    *,
    actor: Actor,
    meeting_id: Any,
    kind: str,
    title: str = "",
    clue_id: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """增加议题: a clue to study, a report to hear, or an object whose next step the meeting decides
    (its kind's ``check_target`` says whether it is ready). One object stands on one pending item."""
    entry = AGENDA_KINDS.get(kind)
    if entry is None:
        raise ValidationFailed("请选择议题类型。", field_errors={"kind": ["请选择。"]})
    if entry.target_model and target is None:
        raise ValidationFailed(f"“{entry.label}”议题须指明所研究的事项。", field_errors={"target": ["请选择。"]})
    if target is not None and entry.target_model and target._meta.label_lower != entry.target_model:
        raise ValidationFailed(f"所选事项不是“{entry.label}”议题可研究的对象。", field_errors={"target": ["不适用。"]})
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _check_convener(actor, meeting, meeting.zone_id, Action.ADD_ITEM)
        next_state(meeting.state, Action.ADD_ITEM)
        clue: Clue | None = None
        if target is not None and getattr(target, "clue_id", None):
            clue_id = target.clue_id  # type: ignore[attr-defined]
        if clue_id:
            clue = Clue.objects.filter(pk=clue_id).first()
            if clue is None or not can_view_clue(actor, clue):
                raise NotFound("所选线索不存在或无权查看。")
            if clue.zone_id != meeting.zone_id:
                raise RuleViolation(f"线索 {clue} 不属于{meeting.zone}，不能列入本协作区会议。")
        if entry.check_target is not None and target is not None:
            entry.check_target(actor, target)
        content_type = ContentType.objects.get_for_model(target) if target is not None else None
        if target is not None and (
            AgendaItem.objects.select_for_update()
            .filter(target_type=content_type, target_id=target.pk, state=ItemState.PENDING)
            .exclude(meeting__state=State.CANCELLED)
            .exists()
        ):
            raise RuleViolation("该事项已列入会议议题，尚待表决，不能重复列入。")
        text = _text(title)[:200] or (str(target) if target is not None else str(clue) if clue else "")
        if not text:
            raise ValidationFailed("请填写议题。", field_errors={"title": ["请填写。"]})
        last = AgendaItem.objects.filter(meeting=meeting).aggregate(models.Max("order"))["order__max"] or 0
        assert actor.user_id is not None
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=last + 1,
            kind=kind,
            title=text,
            clue=clue,
            target_type=content_type,
            target_id=target.pk if target is not None else None,
            added_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="meeting.item_added",
            target=meeting,
            detail={"item": item.pk, "kind": kind, "clue": clue.pk if clue else None, "target": item.target_id},
            request=request,
        )
    return item


# --- attendance ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceInput:
    staff_id: int
    presence: str
    reason: str = ""


def record_attendance(
    *, actor: Actor, meeting_id: Any, entries: Sequence[AttendanceInput], request: HttpRequest | None = None
) -> list[Attendance]:
    """出席情况: present, absent or on leave (with the reason); someone not on the list attends without a
    vote (列席). The voting list was fixed when the meeting was convened."""
    if not entries:
        raise ValidationFailed("请登记出席情况。", field_errors={"attendance": ["请登记。"]})
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _check_recorder(actor, meeting, Action.RECORD_ATTENDANCE)
        next_state(meeting.state, Action.RECORD_ATTENDANCE)
        rows = {a.staff_id: a for a in Attendance.objects.select_for_update().filter(meeting=meeting)}
        changes: dict[str, list[Any]] = {}
        for entry in entries:
            if entry.presence not in (Presence.PRESENT, Presence.ABSENT, Presence.LEAVE):
                raise ValidationFailed("请选择出席、缺席或请假。", field_errors={"presence": ["请选择。"]})
            reason = _text(entry.reason)[:200]
            if entry.presence != Presence.PRESENT and not reason:
                raise ValidationFailed("缺席或请假须写明事由。", field_errors={"reason": ["请填写事由。"]})
            row = rows.get(int(entry.staff_id))
            if row is None:
                if not StaffMember.objects.filter(
                    pk=entry.staff_id, commission_id=meeting.commission_id, is_active=True
                ).exists():
                    raise ValidationFailed("列席人员须为本纪委监委在岗干部。", field_errors={"staff": ["人员有误。"]})
                row = Attendance.objects.create(meeting=meeting, staff_id=entry.staff_id, is_voting=False)
                rows[row.staff_id] = row
            if (row.presence, row.reason) != (entry.presence, reason):
                changes[str(row.staff_id)] = [row.presence, entry.presence]
                row.presence, row.reason = entry.presence, reason if entry.presence != Presence.PRESENT else ""
                row.save(update_fields=["presence", "reason"])
        record_event(
            actor=actor, action="meeting.attendance_recorded", target=meeting, changes=changes, request=request
        )
    return list(rows.values())


# --- hold ---------------------------------------------------------------------------------------------------


def hold_meeting(*, actor: Actor, meeting_id: Any, request: HttpRequest | None = None) -> Meeting:
    """宣布开会: every voting member's attendance is recorded and more than half of them are present
    (民主集中制); members with a conflict on an item are withdrawn from it at once."""
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _check_convener(actor, meeting, meeting.zone_id, Action.HOLD)
        next_state(meeting.state, Action.HOLD)
        voters = list(Attendance.objects.filter(meeting=meeting, is_voting=True).values_list("presence", flat=True))
        if Presence.UNRECORDED in voters:
            raise RuleViolation("请先登记全部有表决权成员的出席情况。")
        present = sum(1 for p in voters if p == Presence.PRESENT)
        if not more_than_share(present, len(voters)):
            raise RuleViolation(
                f"有表决权成员应到 {len(voters)} 人、实到 {present} 人，未超过半数，不能开会。请改期召开。"
            )
        _move(actor, meeting, Action.HOLD, request, held_at=timezone.now())
        for item in AgendaItem.objects.filter(meeting=meeting, state=ItemState.PENDING, clue__isnull=False):
            withdraw_conflicted(actor, item, request)
    return meeting


def withdraw_conflicted(actor: Actor, item: AgendaItem, request: HttpRequest | None = None) -> list[ItemRecusal]:
    """Withdraw from ``item`` everyone on the meeting's list with an active recusal or an unresolved
    conflict on the item's clue (xiezuoqu.recusal.conflicts); call inside the caller's transaction."""
    if item.clue_id is None:
        return []
    from xiezuoqu.recusal.conflicts import conflicted_staff_ids, conflicts_for

    clue = Clue.objects.get(pk=item.clue_id)
    listed = list(Attendance.objects.filter(meeting_id=item.meeting_id).values_list("staff_id", flat=True))
    already = set(ItemRecusal.objects.filter(item=item).values_list("staff_id", flat=True))
    conflicted = conflicted_staff_ids(clue, listed) - already
    if not conflicted:
        return []
    found = conflicts_for(clue, sorted(conflicted))
    assert actor.user_id is not None
    made = []
    for staff_id in sorted(conflicted):
        blocking = [c for c in found.get(staff_id, []) if not c.overridden and not c.cross_rule] or found.get(
            staff_id, []
        )
        ground = blocking[0].ground if blocking else "other"
        detail = "；".join(c.detail for c in blocking)[:300]
        made.append(
            ItemRecusal.objects.create(
                item=item, staff_id=staff_id, ground=ground, detail=detail, recorded_by_id=actor.user_id
            )
        )
    record_event(
        actor=actor,
        action="meeting.item_recused",
        target=item.meeting,
        detail={"item": item.pk, "staff": sorted(conflicted), "automatic": True},
        request=request,
    )
    return made


def recuse_from_item(
    *, actor: Actor, item_id: Any, staff_id: Any, ground: str, detail: str, request: HttpRequest | None = None
) -> ItemRecusal:
    """议题回避 declared at the meeting (a tie the records do not show): the member leaves the item."""
    from xiezuoqu.recusal.models import Ground

    if ground not in Ground.values:
        raise ValidationFailed("请选择回避事由。", field_errors={"ground": ["请选择。"]})
    text = _required(detail, "detail", "回避说明")[:300]
    with transaction.atomic():
        item = _lock_item(actor, item_id)
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        _check_recorder(actor, meeting, Action.RECUSE)
        next_state(meeting.state, Action.RECUSE)
        if item.state != ItemState.PENDING:
            raise RuleViolation("该议题已表决，不能再登记回避。")
        if not Attendance.objects.filter(meeting=meeting, staff_id=staff_id).exists():
            raise ValidationFailed("回避人员须在本次会议出席名单中。", field_errors={"staff": ["不在名单中。"]})
        if ItemRecusal.objects.filter(item=item, staff_id=staff_id).exists():
            raise RuleViolation("该人员已登记回避本议题。")
        assert actor.user_id is not None
        recusal = ItemRecusal.objects.create(
            item=item, staff_id=int(staff_id), ground=ground, detail=text, recorded_by_id=actor.user_id
        )
        record_event(
            actor=actor,
            action="meeting.item_recused",
            target=meeting,
            detail={"item": item.pk, "staff": [int(staff_id)], "ground": ground, "automatic": False},
            request=request,
        )
    return recusal


# --- decide ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    text: str


def decide_item(*, actor: Actor, item_id: Any, data: DecisionInput, request: HttpRequest | None = None) -> Resolution:
    """表决议题: the members present and not withdrawn from the item vote; more than half of the zone's
    voting members must take part, and agreement needs more than half of them for it (民主集中制).
    The resolution is numbered in the zone's yearly series and the item's kind moves its object —
    all in one transaction, and only once: a second decision of the same item is refused."""
    if data.outcome not in Outcome.values:
        raise ValidationFailed("请选择表决结果。", field_errors={"outcome": ["请选择。"]})
    votes = (data.votes_for, data.votes_against, data.votes_abstain)
    if any(v is None or v < 0 for v in votes):
        raise ValidationFailed("票数不能为负数。", field_errors={"votes_for": ["票数有误。"]})
    text = _required(data.text, "text", "决议内容")
    with transaction.atomic():
        item = _lock_item(actor, item_id)
        meeting = Meeting.objects.select_related("zone__commission").get(pk=item.meeting_id)
        _check_recorder(actor, meeting, Action.DECIDE)
        next_state(meeting.state, Action.DECIDE)
        if item.state != ItemState.PENDING:
            raise InvalidTransition("该议题已表决，不能重复表决。")
        withdraw_conflicted(actor, item, request)
        counts = tally(item)
        if actor.staff_id in counts.recused_ids:
            raise NotPermitted("您已回避本议题，不能记录其表决结果，请由其他组长、副组长记录。")
        # Without a quorum nothing is decided on the merits; the item may only be put off (暂缓).
        if not counts.quorate and data.outcome != Outcome.DEFER:
            raise RuleViolation(
                f"本议题有表决权成员应到 {counts.voting_members} 人，出席且无须回避的 {len(counts.eligible_ids)} 人，"
                "未超过半数，不能表决。请暂缓研究或改期。"
            )
        eligible = len(counts.eligible_ids)
        if (data.outcome != Outcome.DEFER or any(votes)) and sum(votes) != eligible:
            raise ValidationFailed(
                f"参加表决的应为 {eligible} 人（出席且无须回避的有表决权成员），票数合计须等于 {eligible}。",
                field_errors={"votes_for": ["票数合计不符。"]},
            )
        carried = more_than_share(data.votes_for, counts.voting_members)
        if data.outcome == Outcome.AGREE and not carried:
            raise RuleViolation("同意票未超过应到会有表决权成员的半数，不能形成“同意”的决议。")
        if data.outcome == Outcome.DISAGREE and carried:
            raise RuleViolation("同意票已超过应到会有表决权成员的半数，表决结果应为“同意”。")
        entry = AGENDA_KINDS.get(item.kind)
        target = item_target(item)
        if entry is not None and entry.check_target is not None and target is not None:
            entry.check_target(actor, target)
        year = timezone.localdate().year
        zone = meeting.zone
        seq = next_in_sequence(ResolutionCounter, zone=zone, year=year)
        assert actor.user_id is not None
        resolution = Resolution.objects.create(
            item=item,
            zone=zone,
            year=year,
            seq=seq,
            number=resolution_number(zone, year, seq),
            outcome=data.outcome,
            votes_for=data.votes_for,
            votes_against=data.votes_against,
            votes_abstain=data.votes_abstain,
            voting_members=counts.voting_members,
            present_voters=eligible,
            text=text,
            decided_by_id=actor.user_id,
        )
        item.state = ItemState.DECIDED
        item.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="meeting.item_decided",
            target=meeting,
            changes={"item_state": [ItemState.PENDING, ItemState.DECIDED]},
            detail={
                "item": item.pk,
                "resolution": resolution.number,
                "outcome": data.outcome,
                "votes": list(votes),
                "recused": sorted(counts.recused_ids),
            },
            request=request,
        )
        if entry is not None and entry.on_resolution is not None:
            entry.on_resolution(item, resolution, actor)
    return resolution


def item_target(item: AgendaItem) -> models.Model | None:
    """The object an item decides, locked for the caller's transaction."""
    if item.target_type_id is None or item.target_id is None:
        return None
    model = ContentType.objects.get_for_id(item.target_type_id).model_class()
    if model is None:
        return None
    return model._default_manager.select_for_update().filter(pk=item.target_id).first()


# --- minutes, cancel -------------------------------------------------------------------------------------


def issue_minutes(*, actor: Actor, meeting_id: Any, summary: str, request: HttpRequest | None = None) -> Meeting:
    """印发纪要: every item decided (or deferred); the minutes are generated from the record."""
    text = _required(summary, "summary", "纪要要点")
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _check_convener(actor, meeting, meeting.zone_id, Action.ISSUE_MINUTES)
        next_state(meeting.state, Action.ISSUE_MINUTES)
        if AgendaItem.objects.filter(meeting=meeting, state=ItemState.PENDING).exists():
            raise RuleViolation("还有议题未表决（或暂缓），请先表决全部议题再印发纪要。")
        _move(actor, meeting, Action.ISSUE_MINUTES, request, minutes_summary=text, minutes_issued_at=timezone.now())
    return meeting


def cancel_meeting(*, actor: Actor, meeting_id: Any, reason: str, request: HttpRequest | None = None) -> Meeting:
    """取消会议: a planned meeting is called off; its items' objects may go on another meeting."""
    text = _required(reason, "reason", "取消原因")
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _check_convener(actor, meeting, meeting.zone_id, Action.CANCEL)
        next_state(meeting.state, Action.CANCEL)
        _move(actor, meeting, Action.CANCEL, request, minutes_summary=f"会议取消：{text}")
    return meeting


# --- the zone's regular meetings ----------------------------------------------------------------------------


def set_regular_schedule(
    *,
    actor: Actor,
    zone_id: Any,
    kind: str,
    week: int,
    weekday: int,
    at: time,
    place: str,
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> RegularSchedule:
    """定期会议规则 (日常工作规定): e.g. 例会 every month on the first Tuesday; the calendar proposes the
    dates, moved to the next working day when the day is a holiday."""
    if kind not in Kind.values:
        raise ValidationFailed("请选择会议类型。", field_errors={"kind": ["请选择。"]})
    if week not in RegularSchedule.Week.values:
        raise ValidationFailed("请选择第几周。", field_errors={"week": ["请选择。"]})
    if weekday not in RegularSchedule.Weekday.values:
        raise ValidationFailed("请选择星期（工作日）。", field_errors={"weekday": ["请选择。"]})
    text = _required(place, "place", "会议地点")[:100]
    with transaction.atomic():
        zone = Zone.objects.select_for_update().filter(pk=zone_id, commission_id=actor.commission_id).first()
        if zone is None:
            raise NotFound()
        _check_convener(actor, None, zone.pk, "schedule_set")
        assert actor.user_id is not None
        rule = RegularSchedule.objects.filter(zone=zone, kind=kind).first()
        before = (rule.week, rule.weekday, str(rule.at), rule.place, rule.is_active) if rule else None
        if rule is None:
            rule = RegularSchedule(zone=zone, kind=kind)
        rule.week, rule.weekday, rule.at, rule.place, rule.is_active = week, weekday, at, text, is_active
        rule.set_by_id = actor.user_id
        rule.save()
        record_event(
            actor=actor,
            action="meeting.schedule_set",
            target=rule,
            changes={"rule": [before, (week, weekday, str(at), text, is_active)]},
            request=request,
        )
    return rule
