"""Every write of the training record: the mentor's assessment (one per trainee seat, edits keep the
former text), the commission's minimum of turns and its scale of levels.

Each is one transaction with its audit event. Only the seat's mentor or the leader of the matter's zone
writes an assessment, and only once the matter is over for the trainee (they left, the team ended or its
task is done).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import Commission
from xiezuoqu.teams.models import TeamMember

from . import selectors
from .models import DEFAULT_LEVELS, Assessment, AssessmentRevision, Level, TrainingPolicy

MAX_TEXT = 2000


def ensure_training_setup(commission_id: int) -> None:
    """Give a commission the default scale of levels and the default minimum of turns (idempotent)."""
    with transaction.atomic():
        if not Level.objects.filter(commission_id=commission_id).exists():
            Level.objects.bulk_create(
                [
                    Level(commission_id=commission_id, code=code, name=name, description=text, order=order)
                    for order, (code, name, text) in enumerate(DEFAULT_LEVELS)
                ]
            )
        TrainingPolicy.objects.get_or_create(commission_id=commission_id)


def seed_new_commission(sender: Any, instance: Commission, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a commission: a new commission starts with the default scale (as migration 0002 gave
    the commissions that existed)."""
    if created and not raw:
        ensure_training_setup(instance.pk)


def _text(value: Any, name: str, label: str, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={name: [f"请填写{label}。"]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"{label}不能超过 {MAX_TEXT} 字。", field_errors={name: [f"不能超过 {MAX_TEXT} 字。"]})
    return text


def _level(commission_id: int, value: Any) -> Level:
    """A level of the commission's scale, by id or by code."""
    qs = Level.objects.filter(commission_id=commission_id, is_active=True)
    key = as_key(str(value)) if value not in (None, "") else None
    found = qs.filter(pk=key).first() if key is not None else qs.filter(code=str(value or "")).first()
    if found is None:
        raise ValidationFailed("请选择能力等级。", field_errors={"level": ["请选择能力等级。"]})
    return found


def record_assessment(
    *,
    actor: Actor,
    seat_id: Any,
    work_done: Any,
    ready_for: Any,
    level: Any,
    request: HttpRequest | None = None,
) -> Assessment:
    """The mentor (or the zone leader) writes the assessment of a trainee seat, or edits it: the former
    version is kept as a revision and the change is in the audit chain."""
    with transaction.atomic():
        try:
            seat = selectors.get_assessable_seat(actor, seat_id)
        except NotFound:
            if selectors.sees_trainee_seat(actor, seat_id):
                raise NotPermitted(
                    "只有该学员的带教人或协作区组长可以填写带教评价。",
                    audit_action="assessment.written",
                    target_type="teams.teammember",
                    target_id=str(seat_id),
                ) from None
            raise
        seat = TeamMember.objects.select_for_update().select_related("team__clue", "staff").get(pk=seat.pk)
        if not selectors.may_assess(actor, seat):
            raise NotPermitted(
                "只有该学员的带教人或协作区组长可以填写带教评价。",
                audit_action="assessment.written",
                target_type="teams.teammember",
                target_id=str(seat.pk),
            )
        if not selectors.seat_closed(seat, selectors.working_seat_ids([seat.pk])):
            raise RuleViolation("该学员仍在办理此事项；请在办案组结束或学员退出后填写带教评价。")
        done = _text(work_done, "work_done", "承担的工作", required=True)
        ready = _text(ready_for, "ready_for", "可独立承担的任务", required=False)
        commission_id = seat.team.clue.commission_id
        chosen = _level(commission_id, level)
        assert actor.user_id is not None
        existing = Assessment.objects.select_for_update().filter(seat=seat).first()
        if existing is None:
            if seat.mentor_id is None:
                raise RuleViolation("该以干代训席位没有带教人，无法填写带教评价。")
            assessment = Assessment.objects.create(
                seat=seat,
                commission_id=commission_id,
                mentor_id=seat.mentor_id,
                work_done=done,
                ready_for=ready,
                level=chosen,
                written_by_id=actor.user_id,
            )
            record_event(
                actor=actor,
                action="assessment.written",
                target=assessment,
                changes={"level": [None, chosen.name]},
                detail={"seat": seat.pk, "trainee": seat.staff_id, "mentor": seat.mentor_id},
                request=request,
            )
            return assessment
        changes: dict[str, list[Any]] = {}
        if existing.work_done != done:
            changes["work_done"] = [existing.work_done, done]
        if existing.ready_for != ready:
            changes["ready_for"] = [existing.ready_for, ready]
        if existing.level_id != chosen.pk:
            changes["level"] = [existing.level.name, chosen.name]
        if not changes:
            return existing
        AssessmentRevision.objects.create(
            assessment=existing,
            version=existing.version,
            work_done=existing.work_done,
            ready_for=existing.ready_for,
            level_id=existing.level_id,
            written_by_id=existing.written_by_id,
            written_at=existing.updated_at,
        )
        changes["version"] = [existing.version, existing.version + 1]
        existing.work_done, existing.ready_for, existing.level = done, ready, chosen
        existing.version += 1
        existing.written_by_id = actor.user_id
        existing.save(update_fields=["work_done", "ready_for", "level", "version", "written_by", "updated_at"])
        record_event(
            actor=actor,
            action="assessment.edited",
            target=existing,
            changes=changes,
            detail={"seat": seat.pk, "trainee": seat.staff_id},
            request=request,
        )
        return existing


def _overseer_only(actor: Actor, action: str) -> int:
    if not selectors.is_overseer(actor) or actor.commission_id is None:
        raise NotPermitted("只有委领导和案件监督管理室可以设置以干代训要求。", audit_action=action)
    return actor.commission_id


def set_min_turns(*, actor: Actor, min_turns: Any, request: HttpRequest | None = None) -> TrainingPolicy:
    """The commission's minimum of turns a cadre should have in a year (below it the zone page flags them)."""
    commission_id = _overseer_only(actor, "training_policy.changed")
    value = as_key(str(min_turns or "").strip())
    if value is None or not 1 <= value <= 50:
        raise ValidationFailed(
            "每年至少以干代训次数应为 1 至 50 之间的整数。", field_errors={"min_turns": ["应为 1 至 50 的整数。"]}
        )
    with transaction.atomic():
        ensure_training_setup(commission_id)
        policy = TrainingPolicy.objects.select_for_update().get(commission_id=commission_id)
        before = policy.min_turns
        if before == value:
            return policy
        policy.min_turns = value
        policy.save(update_fields=["min_turns"])
        record_event(
            actor=actor,
            action="training_policy.changed",
            target=policy,
            changes={"min_turns": [before, value]},
            request=request,
        )
    return policy


def add_level(
    *, actor: Actor, code: Any, name: Any, description: Any = "", request: HttpRequest | None = None
) -> Level:
    """A new level at the top of the commission's scale."""
    commission_id = _overseer_only(actor, "training_level.created")
    code_text = str(code or "").strip().lower()
    name_text = str(name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code_text or len(code_text) > 20 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code_text):
        errors["code"] = ["代码应为 1 至 20 位英文字母、数字、“-”或“_”。"]
    if not name_text or len(name_text) > 20:
        errors["name"] = ["请填写等级名称（不超过 20 字）。"]
    text = str(description or "").strip()
    if len(text) > 200:
        errors["description"] = ["说明不能超过 200 字。"]
    if errors:
        raise ValidationFailed("请检查能力等级。", field_errors=errors)
    with transaction.atomic():
        ensure_training_setup(commission_id)
        list(Level.objects.select_for_update().filter(commission_id=commission_id).values_list("pk", flat=True))
        qs = Level.objects.filter(commission_id=commission_id)
        if qs.filter(code=code_text).exists() or qs.filter(name=name_text).exists():
            raise ValidationFailed("已有同代码或同名称的能力等级。", field_errors={"name": ["等级已存在。"]})
        top = max(qs.values_list("order", flat=True), default=-1)
        level = Level.objects.create(
            commission_id=commission_id, code=code_text, name=name_text, description=text, order=top + 1
        )
        record_event(
            actor=actor,
            action="training_level.created",
            target=level,
            changes={"name": [None, name_text]},
            request=request,
        )
    return level


def set_level_active(*, actor: Actor, level_id: Any, active: bool, request: HttpRequest | None = None) -> Level:
    """Take a level out of use (assessments that used it keep it) or back into use."""
    commission_id = _overseer_only(actor, "training_level.changed")
    with transaction.atomic():
        level = Level.objects.select_for_update().filter(commission_id=commission_id, pk=as_key(str(level_id))).first()
        if level is None:
            raise ValidationFailed("请选择能力等级。", field_errors={"level": ["请选择能力等级。"]})
        if level.is_active == active:
            return level
        if not active and Level.objects.filter(commission_id=commission_id, is_active=True).count() <= 1:
            raise RuleViolation("至少保留一个在用的能力等级。")
        level.is_active = active
        level.save(update_fields=["is_active"])
        record_event(
            actor=actor,
            action="training_level.changed",
            target=level,
            changes={"is_active": [not active, active]},
            request=request,
        )
    return level
