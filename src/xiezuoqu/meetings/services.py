"""Every write of zone meetings: convene, set the agenda, record attendance, open the meeting,
withdraw members from items, decide items (with a resolution number), issue the minutes, and the
zone's regular-meeting rules.

Each is one function and one transaction: lock the meeting (or the item), check the actor against
the scope and the role rule, check the state table, write with ``update_fields``, record the audit
event. Deciding an item records one ballot per eligible member (记名表决) and runs the agenda kind's
``on_resolution`` hook in the same transaction, so the linked object moves with the decision or not
at all. A resolution may assign follow-up tasks (会议交办事项), each on a deadline of its own that
the assignee's report of the 办结情况 closes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import StaffMember, Unit, Zone

from .agenda import AGENDA_KINDS
from .models import (
    AgendaItem,
    Attendance,
    Ballot,
    FollowUp,
    FollowUpState,
    ItemRecusal,
    ItemState,
    Kind,
    Meeting,
    Outcome,
    Presence,
    RegularSchedule,
    Resolution,
    ResolutionCounter,
    Vote,
)
from .selectors import (
    VOTING_MEMBERS_RULE,
    ItemTally,
    can_view_follow_up,
    can_view_item,
    can_view_meeting,
    follow_up_units,
    may_convene,
    may_record,
    more_than_share,
    tally,
    voting_member_ids,
)
from .workflow import Action, State, next_state

if TYPE_CHECKING:
    from xiezuoqu.deadlines.models import Deadline

RESOLUTION_PATTERN = "{commission}{zone}协〔{year}〕决{seq}号"
# 日常工作规定: what a meeting assigns has a unit, a date and a supervised deadline (registered in apps.py).
FOLLOW_UP_DEADLINE_KIND = "meeting.assignment"
FOLLOW_UP_DEADLINE_LABEL = "会议交办事项"
FOLLOW_UP_RULE = "协作区日常工作规定：会议议定的交办事项明确承办单位和办结时限，逾期督办"
# The longest period a 阶段工作总结 may cover.
MAX_PERIOD_DAYS = 1830
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
    period: tuple[date, date] | None = None,
    request: HttpRequest | None = None,
) -> AgendaItem:
    """增加议题: a clue to study, a report to hear, a period to sum up (总结会), or an object whose next
    step the meeting decides (its kind's ``check_target`` says whether it is ready). One object stands
    on one pending item."""
    entry = AGENDA_KINDS.get(kind)
    if entry is None:
        raise ValidationFailed("请选择议题类型。", field_errors={"kind": ["请选择。"]})
    if entry.needs_period:
        if period is None or period[0] is None or period[1] is None:
            raise ValidationFailed(f"“{entry.label}”议题须选择统计期间。", field_errors={"period": ["请选择。"]})
        if period[1] < period[0]:
            raise ValidationFailed("统计期间的结束日期不能早于开始日期。", field_errors={"period": ["起止颠倒。"]})
        if (period[1] - period[0]).days > MAX_PERIOD_DAYS:
            raise ValidationFailed("统计期间不能超过五年。", field_errors={"period": ["过长。"]})
    else:
        period = None
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
        if not text and period is not None:
            from .summary import Period, period_label

            text = f"{Period(*period, label=period_label(*period)).text}工作总结"
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
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
            added_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="meeting.item_added",
            target=meeting,
            detail={
                "item": item.pk,
                "kind": kind,
                "clue": clue.pk if clue else None,
                "target": item.target_id,
                "period": [period[0], period[1]] if period else None,
            },
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
            withdraw_conflicted(actor, item=item, request=request)
    return meeting


def withdraw_conflicted(actor: Actor, *, item: AgendaItem, request: HttpRequest | None = None) -> list[ItemRecusal]:
    """Withdraw from ``item`` everyone on the meeting's list with an active recusal or an unresolved
    conflict on the item's clue — every ground, the same township included (a township's staff no more
    decide on their own township's cadre than they work the case: xiezuoqu.recusal.conflicts
    ``MEETING_MODE``). Each withdrawal is an ``ItemRecusal`` the minutes print with its ground, and the
    item's quorum is counted without them (``tally``). Call inside the caller's transaction."""
    if item.clue_id is None:
        return []
    from xiezuoqu.recusal.conflicts import MEETING_MODE, conflicts_for, meeting_conflicted_staff_ids

    clue = Clue.objects.get(pk=item.clue_id)
    listed = list(Attendance.objects.filter(meeting_id=item.meeting_id).values_list("staff_id", flat=True))
    already = set(ItemRecusal.objects.filter(item=item).values_list("staff_id", flat=True))
    conflicted = meeting_conflicted_staff_ids(clue, listed) - already
    if not conflicted:
        return []
    found = conflicts_for(clue, sorted(conflicted))
    assert actor.user_id is not None
    made = []
    for staff_id in sorted(conflicted):
        # The personal ties first (sorted so), the same-township ground when it is the only one.
        blocking = [c for c in found.get(staff_id, []) if c.blocks(MEETING_MODE)]
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

# What a ballot may say: the code or the word the minutes print.
VOTE_WORDS: dict[str, str] = {**{v: v for v in Vote.values}, **{str(label): value for value, label in Vote.choices}}
MAX_FOLLOW_UP_DAYS = 1830


@dataclass(frozen=True)
class FollowUpInput:
    """会议交办事项 as the meeting resolved it: the task, the unit (or the person, whose unit it then
    is) and the date by which it is to be done."""

    task: str
    due_on: date | None
    unit_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class DecisionInput:
    """表决: ``ballots`` maps each eligible member (staff id) to for / against / abstain; the outcome
    follows from them. ``outcome`` is empty (follow the ballots), ``defer`` (暂缓研究: no vote, no
    ballots), or agree / disagree as the recorder expects it — refused when the ballots say otherwise."""

    text: str
    ballots: Mapping[Any, str] = field(default_factory=dict)
    outcome: str = ""
    follow_ups: Sequence[FollowUpInput] = ()


def parse_ballots(raw: Mapping[Any, Any]) -> dict[int, str]:
    """``{staff_id: vote}`` with ids as integers and votes as Vote values; refuses anything else."""
    ballots: dict[int, str] = {}
    for key, vote in raw.items():
        staff_id = as_key(key)
        if not staff_id:  # not a key any table can hold
            raise ValidationFailed("表决票须按干部编号登记。", field_errors={"ballots": [f"“{key}”不是干部编号。"]})
        value = VOTE_WORDS.get(str(vote or "").strip())
        if value is None:
            raise ValidationFailed(
                "表决意见须为同意（for）、不同意（against）或弃权（abstain）。",
                field_errors={"ballots": [f"干部编号 {staff_id} 的表决意见“{vote}”无效。"]},
            )
        if staff_id in ballots:
            raise ValidationFailed(
                "同一人对同一议题只能投一票。", field_errors={"ballots": [f"干部编号 {staff_id} 重复。"]}
            )
        ballots[staff_id] = value
    return ballots


def _check_ballots(item: AgendaItem, counts: ItemTally, ballots: dict[int, str]) -> list[int]:
    """民主集中制: a ballot only from a voting member present and not withdrawn from the item, and one
    from every such member. Returns the eligible members in the order of the attendance list."""
    rows = {a.staff_id: a for a in Attendance.objects.filter(meeting_id=item.meeting_id).select_related("staff")}
    names = {staff_id: a.staff.name for staff_id, a in rows.items()}
    strangers = [s for s in ballots if s not in rows]
    if strangers:
        names.update(StaffMember.objects.filter(pk__in=strangers).values_list("pk", "name"))
    refused = []
    for staff_id in ballots:
        name = names.get(staff_id, f"干部编号 {staff_id} 的人员")
        row = rows.get(staff_id)
        if row is None or not row.is_voting:
            refused.append(f"{name}不是本次会议有表决权的成员（{VOTING_MEMBERS_RULE}）")
        elif row.presence != Presence.PRESENT:
            refused.append(f"{name}{row.get_presence_display()}，未出席会议")
        elif staff_id in counts.recused_ids:
            refused.append(f"{name}已回避本议题")
    if refused:
        raise RuleViolation(
            "以下表决票不予登记：" + "；".join(refused) + "。只有出席会议且无须回避的有表决权成员可以表决。",
            field_errors={"ballots": refused},
        )
    order = [staff_id for staff_id, a in rows.items() if a.is_voting and staff_id in counts.eligible_ids]
    missing = [names[s] for s in order if s not in ballots]
    if missing:
        raise ValidationFailed(
            f"出席且无须回避的有表决权成员须逐人表决：{'、'.join(missing)}尚未登记表决意见。",
            field_errors={"ballots": [f"{n}尚未表决。" for n in missing]},
        )
    return order


def decide_item(*, actor: Actor, item_id: Any, data: DecisionInput, request: HttpRequest | None = None) -> Resolution:
    """表决议题 (记名表决): every member present and not withdrawn from the item votes 同意, 不同意 or 弃权,
    one ballot each; more than half of the zone's voting members must be able to vote, and the item is
    agreed when more than half of them vote for it (民主集中制) — otherwise it is not. The counts of the
    resolution are the sums of its ballots. 暂缓研究 puts the item off without a vote.
    The resolution is numbered in the zone's yearly series, may assign follow-up tasks, and the item's
    kind moves its object — all in one transaction, and only once: a second decision is refused."""
    if data.outcome and data.outcome not in Outcome.values:
        raise ValidationFailed("请选择表决结果。", field_errors={"outcome": ["请选择。"]})
    ballots = parse_ballots(data.ballots)
    deferring = data.outcome == Outcome.DEFER
    if deferring and ballots:
        raise ValidationFailed("暂缓研究的议题不进行表决，不登记表决票。", field_errors={"ballots": ["请勿登记。"]})
    text = _required(data.text, "text", "决议内容")
    with transaction.atomic():
        item = _lock_item(actor, item_id)
        meeting = Meeting.objects.select_related("zone__commission").get(pk=item.meeting_id)
        _check_recorder(actor, meeting, Action.DECIDE)
        next_state(meeting.state, Action.DECIDE)
        if item.state != ItemState.PENDING:
            raise InvalidTransition("该议题已表决，不能重复表决。")
        withdraw_conflicted(actor, item=item, request=request)
        counts = tally(item)
        if actor.staff_id in counts.recused_ids:
            raise NotPermitted("您已回避本议题，不能记录其表决结果，请由其他组长、副组长记录。")
        order: list[int] = []
        votes = Counter(ballots.values())
        if deferring:
            outcome = Outcome.DEFER
        else:
            # Without a quorum nothing is decided on the merits; the item may only be put off (暂缓).
            if not counts.quorate:
                raise RuleViolation(
                    f"本议题有表决权成员应到 {counts.voting_members} 人，出席且无须回避的 "
                    f"{len(counts.eligible_ids)} 人，未超过半数，不能表决。请暂缓研究或改期。"
                )
            order = _check_ballots(item, counts, ballots)
            carried = more_than_share(votes[Vote.FOR], counts.voting_members)
            outcome = Outcome.AGREE if carried else Outcome.DISAGREE
            if data.outcome == Outcome.AGREE and not carried:
                raise RuleViolation(
                    f"同意票 {votes[Vote.FOR]} 票，未超过应到会有表决权成员（{counts.voting_members} 人）的半数，"
                    "不能形成“同意”的决议。"
                )
            if data.outcome == Outcome.DISAGREE and carried:
                raise RuleViolation("同意票已超过应到会有表决权成员的半数，表决结果应为“同意”。")
        follow_ups = [_follow_up_fields(meeting, f) for f in data.follow_ups]
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
            outcome=outcome,
            votes_for=votes[Vote.FOR],
            votes_against=votes[Vote.AGAINST],
            votes_abstain=votes[Vote.ABSTAIN],
            voting_members=counts.voting_members,
            present_voters=len(counts.eligible_ids),
            by_ballot=True,
            text=text,
            decided_by_id=actor.user_id,
        )
        # The counts above and these rows come from the same ballots; the table's check constraint
        # keeps the counts adding up to the voters.
        Ballot.objects.bulk_create([Ballot(resolution=resolution, staff_id=s, vote=ballots[s]) for s in order])
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
                "outcome": outcome,
                "ballots": {str(s): ballots[s] for s in order},
                "votes": [resolution.votes_for, resolution.votes_against, resolution.votes_abstain],
                "recused": sorted(counts.recused_ids),
            },
            request=request,
        )
        for fields in follow_ups:
            _create_follow_up(actor, meeting, resolution, fields, request)
        if entry is not None and entry.on_resolution is not None:
            entry.on_resolution(item, resolution, actor)
    return resolution


# --- 会议交办事项 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FollowUpFields:
    task: str
    unit: Unit
    assignee: StaffMember | None
    due_on: date


def _follow_up_fields(meeting: Meeting, data: FollowUpInput) -> _FollowUpFields:
    """Check one task: its text, a unit of the zone (or its lead office), a person of that unit, a date
    after today."""
    task = _required(data.task, "task", "交办事项")
    if len(task) > 500:
        raise ValidationFailed("交办事项不能超过 500 字。", field_errors={"task": ["过长。"]})
    today = timezone.localdate()
    if data.due_on is None:
        raise ValidationFailed("请填写办结时限。", field_errors={"due_on": ["请填写。"]})
    if data.due_on <= today:
        raise ValidationFailed("办结时限须晚于今天。", field_errors={"due_on": ["须晚于今天。"]})
    if (data.due_on - today).days > MAX_FOLLOW_UP_DAYS:
        raise ValidationFailed("办结时限不能超过五年。", field_errors={"due_on": ["过远。"]})
    assignee = None
    if data.assignee_id:
        assignee = (
            StaffMember.objects.filter(pk=data.assignee_id, commission_id=meeting.commission_id, is_active=True)
            .select_related("home_unit")
            .first()
        )
        if assignee is None:
            raise ValidationFailed("承办人须为本纪委监委在岗干部。", field_errors={"assignee": ["人员有误。"]})
    unit_id = data.unit_id or (assignee.home_unit_id if assignee else None)
    if not unit_id:
        raise ValidationFailed("请选择承办单位。", field_errors={"unit": ["请选择。"]})
    unit = Unit.objects.filter(pk=unit_id, commission_id=meeting.commission_id, is_active=True).first()
    if unit is None:
        raise ValidationFailed("承办单位须为本纪委监委在用单位。", field_errors={"unit": ["单位有误。"]})
    if unit not in follow_up_units(meeting):
        raise RuleViolation(f"{unit.name}不是{meeting.zone.name}的成员单位，协作区会议不能向其交办事项。")
    if assignee is not None and assignee.home_unit_id != unit.pk:
        raise ValidationFailed(
            f"承办人{assignee.name}不是{unit.name}的干部。", field_errors={"assignee": ["须为承办单位的干部。"]}
        )
    return _FollowUpFields(task, unit, assignee, data.due_on)


def _create_follow_up(
    actor: Actor, meeting: Meeting, resolution: Resolution, fields: _FollowUpFields, request: HttpRequest | None
) -> FollowUp:
    """Write the task and start its deadline (kind ``meeting.assignment``), owned by the unit."""
    from xiezuoqu.deadlines.services import open_deadline

    last = FollowUp.objects.filter(resolution=resolution).aggregate(models.Max("seq"))["seq__max"] or 0
    today = timezone.localdate()
    assert actor.user_id is not None
    follow_up = FollowUp.objects.create(
        resolution=resolution,
        seq=last + 1,
        task=fields.task,
        unit=fields.unit,
        assignee=fields.assignee,
        due_on=fields.due_on,
        assigned_on=today,
        assigned_by_id=actor.user_id,
    )
    # 日常工作规定: a task the meeting assigns has an owner and a date, and is supervised like any timer.
    deadline = open_deadline(
        actor=actor,
        target=follow_up,
        kind=FOLLOW_UP_DEADLINE_KIND,
        label=FOLLOW_UP_DEADLINE_LABEL,
        start=today,
        days=(fields.due_on - today).days,
        responsible_unit=fields.unit,
        zone=meeting.zone,
        request=request,
    )
    if deadline.due_date != follow_up.due_on:
        # A date on a rest day or holiday ends on the next working day (民法典 第二百零三条): the task
        # says the same day as its timer.
        follow_up.due_on = deadline.due_date
        follow_up.save(update_fields=["due_on"])
    record_event(
        actor=actor,
        action="meeting.follow_up_assigned",
        target=follow_up,
        changes={"state": [None, follow_up.state]},
        detail={
            "meeting": meeting.pk,
            "resolution": resolution.number,
            "unit": fields.unit.pk,
            "assignee": fields.assignee.pk if fields.assignee else None,
            "due_on": follow_up.due_on,
        },
        request=request,
    )
    return follow_up


def assign_follow_up(
    *, actor: Actor, item_id: Any, data: FollowUpInput, request: HttpRequest | None = None
) -> FollowUp:
    """会议交办事项 after the vote: while the meeting sits, a decided item's resolution assigns a task."""
    with transaction.atomic():
        item = _lock_item(actor, item_id)
        meeting = Meeting.objects.select_for_update().select_related("zone").get(pk=item.meeting_id)
        _check_recorder(actor, meeting, Action.ASSIGN)
        next_state(meeting.state, Action.ASSIGN)
        resolution = Resolution.objects.filter(item=item).first()
        if resolution is None:
            raise RuleViolation("该议题尚未表决：交办事项由会议决议确定，请先表决。")
        if actor.staff_id in set(ItemRecusal.objects.filter(item=item).values_list("staff_id", flat=True)):
            raise NotPermitted("您已回避本议题，不能登记其交办事项。")
        follow_up = _create_follow_up(actor, meeting, resolution, _follow_up_fields(meeting, data), request)
    return follow_up


def follow_up_due_recomputed(deadline: Deadline, old_due: date) -> None:
    """The task's 办结时限 is its timer's due date: it follows when the year's calendar is entered."""
    FollowUp.objects.filter(pk=deadline.target_id, due_on=old_due, state=FollowUpState.OPEN).update(
        due_on=deadline.due_date
    )


def may_report_follow_up(actor: Actor, follow_up: FollowUp, zone_id: int) -> bool:
    """The assignee's unit (its staff, or the person named) or the convening zone leader."""
    from xiezuoqu.intake.selectors import own_unit_ids

    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker:
        return False
    return (
        follow_up.unit_id in own_unit_ids(actor)
        or (actor.staff_id is not None and follow_up.assignee_id == actor.staff_id)
        or may_convene(actor, zone_id)
    )


def report_follow_up(
    *,
    actor: Actor,
    follow_up_id: Any,
    result: str,
    done_on: date | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """办结情况: the assignee's unit (or the zone leader) reports the task done; its deadline is met on
    that day (late when after the due date)."""
    from xiezuoqu.deadlines.services import close_deadline

    text = _required(result, "result", "办结情况")
    today = timezone.localdate()
    day = done_on or today
    if day > today:
        raise ValidationFailed("办结日期不能晚于今天。", field_errors={"done_on": ["不能晚于今天。"]})
    with transaction.atomic():
        follow_up = _lock_follow_up(actor, follow_up_id)
        meeting = Meeting.objects.get(pk=follow_up.resolution.item.meeting_id)
        if not may_report_follow_up(actor, follow_up, meeting.zone_id):
            raise NotPermitted(
                "只有承办单位或协作区组长可以报告交办事项办结情况。",
                audit_action="meeting.follow_up_reported",
                target_type="meetings.followup",
                target_id=str(follow_up.pk),
            )
        if follow_up.state != FollowUpState.OPEN:
            raise InvalidTransition(f"该交办事项已于 {follow_up.done_on:%Y-%m-%d} 办结，不能重复报告。")
        if day < follow_up.assigned_on:
            raise ValidationFailed("办结日期不能早于交办日期。", field_errors={"done_on": ["早于交办日期。"]})
        assert actor.user_id is not None
        follow_up.state, follow_up.result, follow_up.done_on = FollowUpState.DONE, text, day
        follow_up.reported_by_id, follow_up.reported_at = actor.user_id, timezone.now()
        follow_up.save(update_fields=["state", "result", "done_on", "reported_by", "reported_at"])
        deadline = close_deadline(
            actor=actor, target=follow_up, kind=FOLLOW_UP_DEADLINE_KIND, met_on=day, request=request
        )
        record_event(
            actor=actor,
            action="meeting.follow_up_reported",
            target=follow_up,
            changes={"state": [FollowUpState.OPEN, FollowUpState.DONE], "done_on": [None, day]},
            detail={"result": text, "late": day > follow_up.due_on, "deadline": deadline.pk if deadline else None},
            request=request,
        )
    return follow_up


def _lock_follow_up(actor: Actor, follow_up_id: Any) -> FollowUp:
    pk = as_key(follow_up_id)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(pk=pk)
        .select_related("resolution__item__meeting", "resolution__item__clue")
        .first()
        if pk is not None
        else None
    )
    if follow_up is None or not can_view_follow_up(actor, follow_up):
        raise NotFound(audit_action="followup.viewed", target_type="meetings.followup", target_id=str(follow_up_id))
    return follow_up


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
