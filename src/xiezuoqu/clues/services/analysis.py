"""分析研判: the zone starts studying a clue, records each study, and an agreed resolution of a 线索研判会
counts as one (the agenda kind ``clue_study``, registered on import)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.services._common import _check_worker, _lock, _move, _required, _sign, _text
from xiezuoqu.clues.workflow import Action, State
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.meetings.agenda import register_agenda_kind


def start_analysis(*, actor: Actor, clue_id: Any, request: HttpRequest | None = None) -> Clue:
    """研判: the zone starts studying the clue."""
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.START_ANALYSIS)
        _move(actor, clue, Action.START_ANALYSIS, request)
    return clue


ANALYSABLE_STATES = frozenset({State.REGISTERED, State.UNDER_ANALYSIS, State.DISPOSAL_PROPOSED, State.HELD})


def record_analysis(
    *,
    actor: Actor,
    clue_id: Any,
    held_on: date,
    doubts: str,
    direction: str,
    difficulties: str = "",
    participant_ids: Sequence[Any] = (),
    request: HttpRequest | None = None,
) -> Any:
    """分析研判记录: the zone's study — doubts, difficulties, direction, who took part. A registered
    clue moves to 研判 with its first record."""
    from xiezuoqu.clues.models import AnalysisRecord
    from xiezuoqu.org.models import StaffMember

    doubts_text = _required(doubts, "doubts", "疑点")
    direction_text = _required(direction, "direction", "研判方向")
    if held_on > timezone.localdate():
        raise ValidationFailed("研判日期不能晚于今天。", field_errors={"held_on": ["不能晚于今天。"]})
    ids = {k for p in participant_ids if (k := as_key(p)) is not None}
    if not ids:
        raise ValidationFailed("请选择参加研判的人员。", field_errors={"participants": ["请选择。"]})
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, "analysis_recorded")
        if clue.state not in ANALYSABLE_STATES:
            raise RuleViolation(f"该线索当前状态为“{clue.get_state_display()}”，不再进行分析研判。")
        if held_on < clue.received_on:
            raise ValidationFailed("研判日期不能早于线索收到日期。", field_errors={"held_on": ["日期过早。"]})
        people = list(StaffMember.objects.filter(pk__in=ids, commission_id=clue.commission_id, is_active=True))
        if len(people) != len(ids):
            raise ValidationFailed("参加人员须为本纪委监委的干部。", field_errors={"participants": ["人员有误。"]})
        assert actor.user_id is not None
        record = AnalysisRecord.objects.create(
            clue=clue,
            held_on=held_on,
            doubts=doubts_text,
            difficulties=_text(difficulties),
            direction=direction_text,
            recorded_by_id=actor.user_id,
        )
        record.participants.set(people)
        record_event(
            actor=actor,
            action="clue.analysis_recorded",
            target=clue,
            detail={"analysis": record.pk, "participants": sorted(ids)},
            request=request,
        )
        if clue.state == State.REGISTERED:
            _move(actor, clue, Action.START_ANALYSIS, request, note="分析研判")
        _sign(clue, actor, "analysis_recorded", clue.state, f"研判：{direction_text[:100]}")
    return record


def _zone_studied(item: Any, resolution: Any, actor: Actor) -> None:
    """线索研判会: an agreed resolution on a clue item is the zone's collective study of it (监督执纪工作规则:
    disposal follows collective study). It is recorded as the clue's analysis, with the members present as
    participants and the resolution as the direction; a registered clue moves to 研判. Runs inside the
    transaction that records the resolution, so a clue no longer open to study refuses the decision."""
    from xiezuoqu.clues.models import AnalysisRecord
    from xiezuoqu.meetings.models import Attendance, Outcome, Presence

    if resolution.outcome != Outcome.AGREE or item.clue_id is None:
        return
    clue = Clue.objects.select_for_update().get(pk=item.clue_id)
    if clue.state not in ANALYSABLE_STATES:
        raise RuleViolation(f"线索 {clue} 当前状态为“{clue.get_state_display()}”，不再进行分析研判。")
    present = Attendance.objects.filter(meeting_id=item.meeting_id, presence=Presence.PRESENT).values_list(
        "staff_id", flat=True
    )
    record = AnalysisRecord.objects.create(
        clue=clue,
        held_on=timezone.localtime(item.meeting.scheduled_at).date(),
        doubts=f"协作区线索研判会集体研判（{resolution.number}）：{item.title}",
        direction=resolution.text,
        recorded_by_id=actor.user_id,
    )
    record.participants.set(list(present))
    record_event(
        actor=actor,
        action="clue.analysis_recorded",
        target=clue,
        detail={"analysis": record.pk, "resolution": resolution.number, "meeting": item.meeting_id},
    )
    if clue.state == State.REGISTERED:
        _move(actor, clue, Action.START_ANALYSIS, None, note=f"协作区线索研判会 {resolution.number}")
    _sign(clue, actor, "analysis_recorded", clue.state, f"线索研判会决议 {resolution.number}")


register_agenda_kind("clue_study", "线索研判", on_resolution=_zone_studied)
