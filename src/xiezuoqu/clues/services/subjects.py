"""被反映人: a subject of the registry confirmed on a clue (linked or newly registered, with the reports'
被反映人 rows the user matched), and its entry corrected; identity numbers sealed and blind-indexed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import AccusedLink, Clue, ClueReport, ClueSubject, Rank, Subject, SupervisionCategory
from xiezuoqu.clues.selectors import can_view_subject, may_edit_subject
from xiezuoqu.clues.services._common import _check_worker, _lock, _place, _required, _sign, _text
from xiezuoqu.clues.workflow import State
from xiezuoqu.crypto import blind_index
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.models import ReportAccused
from xiezuoqu.keys import as_key

ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")


@dataclass(frozen=True)
class SubjectInput:
    name: str
    unit_text: str = ""
    position: str = ""
    rank: str = Rank.OTHER
    is_party_member: bool = True
    supervision_category: str = SupervisionCategory.CIVIL_SERVANT
    is_village_cadre: bool = False
    township_id: int | None = None
    village_id: int | None = None
    id_number: str = ""


def normalise_name(name: str) -> str:
    # As intake indexes the accused's names (stripped), so that the blind indexes match.
    return (name or "").strip()


def name_index_of(name: str) -> str:
    # The same purpose as intake's accused names, so that ReportAccused.name_index matches subjects.
    return blind_index(normalise_name(name), purpose="accused.name")


def id_index_of(id_number: str) -> str:
    return blind_index(id_number.strip().upper(), purpose="subject.id_number")


def _clean_subject(data: SubjectInput, commission_id: int) -> dict[str, Any]:
    name = normalise_name(_required(data.name, "name", "被反映人姓名"))
    if len(name) > 30:
        raise ValidationFailed("姓名不能超过 30 字。", field_errors={"name": ["过长。"]})
    id_number = _text(data.id_number).upper()
    if id_number and not ID_NUMBER.match(id_number):
        raise ValidationFailed("身份证号码格式不正确（15 位或 18 位）。", field_errors={"id_number": ["格式不正确。"]})
    if data.rank not in Rank.values:
        raise ValidationFailed("请选择职级。", field_errors={"rank": ["请选择。"]})
    if data.supervision_category not in SupervisionCategory.values:
        raise ValidationFailed("请选择监察对象类别。", field_errors={"supervision_category": ["请选择。"]})
    township, village = _place(commission_id, data.township_id, data.village_id)
    return {
        "name": name,
        "id_number": id_number,
        "unit_text": _text(data.unit_text)[:100],
        "position": _text(data.position)[:60],
        "rank": data.rank,
        "is_party_member": data.is_party_member,
        "supervision_category": data.supervision_category,
        "is_village_cadre": data.is_village_cadre,
        "township": township,
        "village": village,
    }


def add_subject(
    *,
    actor: Actor,
    clue_id: Any,
    data: SubjectInput | None = None,
    subject_id: Any = None,
    accused_ids: Sequence[Any] = (),
    request: HttpRequest | None = None,
) -> Subject:
    """确认被反映人: link an existing subject of the registry (the user confirmed the match) or register a
    new one, to the clue — and the reports' 被反映人 rows the user said are this person."""
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, "subject_linked")
        if clue.state in (State.CLOSED, State.PRELIMINARY_VERIFICATION, State.FILED):
            raise RuleViolation("该线索已处置完毕，不能再添加被反映人。")
        assert actor.user_id is not None
        if subject_id:
            subject = Subject.objects.filter(pk=as_key(subject_id) or 0).first()
            if (
                subject is None
                or subject.commission_id != clue.commission_id
                or not (can_view_subject(actor, subject) or _matches_some_accused(subject, clue))
            ):
                raise NotFound("所选被反映人不存在或无权查看。")
            created = False
        else:
            if data is None:
                raise ValidationFailed("请填写被反映人信息或选择已登记的被反映人。")
            values = _clean_subject(data, clue.commission_id)
            id_number = values.pop("id_number")
            if id_number:
                same = Subject.objects.filter(commission_id=clue.commission_id, id_index=id_index_of(id_number)).first()
                if same is not None:
                    raise RuleViolation(
                        f"身份证号码与已登记的被反映人“{same.name}”相同，请选择该被反映人，不要重复登记。"
                    )
            subject = Subject(commission_id=clue.commission_id, created_by_id=actor.user_id, **values)
            subject.name_index = name_index_of(subject.name)
            subject.save()
            if id_number:
                subject.seal_id_number(id_number)
                subject.id_index = id_index_of(id_number)
                subject.save(update_fields=["id_number_sealed", "id_index"])
            created = True
        ClueSubject.objects.get_or_create(clue=clue, subject=subject, defaults={"added_by_id": actor.user_id})
        clue_report_ids = ClueReport.objects.filter(clue=clue).values("report_id")
        ids = [k for a in accused_ids if (k := as_key(a)) is not None]
        accused = list(ReportAccused.objects.filter(pk__in=ids, report_id__in=clue_report_ids))
        if len(accused) != len(set(ids)):
            raise NotFound("所选检举控告件中的被反映人不属于该线索。")
        for row in accused:
            AccusedLink.objects.update_or_create(
                accused=row, defaults={"subject": subject, "confirmed_by_id": actor.user_id}
            )
            if row.staff_id and subject.staff_id is None:
                subject.staff_id = row.staff_id
                subject.save(update_fields=["staff"])
        record_event(
            actor=actor,
            action="subject.registered" if created else "subject.linked",
            target=subject,
            detail={"clue": clue.pk, "accused": [a.pk for a in accused]},
            request=request,
        )
        _sign(clue, actor, "subject_linked", clue.state, f"{subject.name}（{'新登记' if created else '已登记'}）")
    return subject


SUBJECT_FIELDS = (
    "name",
    "unit_text",
    "position",
    "rank",
    "is_party_member",
    "supervision_category",
    "is_village_cadre",
    "township",
    "village",
)


def update_subject(*, actor: Actor, subject_id: Any, data: SubjectInput, request: HttpRequest | None = None) -> Subject:
    """更正被反映人信息: whoever works one of the person's clues (or 案管) corrects the registry entry.

    Every change is on record with old and new values; an identity number is replaced (sealed again,
    re-indexed) only when a new one is given, never shown, and refused when another entry has it.
    """
    try:
        pk = int(subject_id)
    except (TypeError, ValueError):
        raise NotFound(target_type="clues.subject", target_id=str(subject_id)) from None
    with transaction.atomic():
        subject = Subject.objects.select_for_update().filter(pk=pk).first()
        if subject is None or not can_view_subject(actor, subject):
            raise NotFound(audit_action="subject.viewed", target_type="clues.subject", target_id=str(subject_id))
        clues = list(Clue.objects.filter(subject_links__subject=subject))
        if not may_edit_subject(actor, subject):
            raise NotPermitted(
                "只有该被反映人所涉线索的承办单位、所在协作区组长或纪检监察室干部，以及案管室可以更正其信息。",
                audit_action="subject.updated",
                target_type="clues.subject",
                target_id=str(subject.pk),
            )
        values = _clean_subject(data, subject.commission_id)
        id_number = values.pop("id_number")
        changes: dict[str, list[Any]] = {}
        for name in SUBJECT_FIELDS:
            old, new = getattr(subject, name), values[name]
            if old != new:
                changes[name] = [
                    str(old) if isinstance(old, models.Model) else old,
                    str(new) if isinstance(new, models.Model) else new,
                ]
                setattr(subject, name, new)
        fields = [name for name in SUBJECT_FIELDS if name in changes]
        if "name" in changes:
            subject.name_index = name_index_of(subject.name)
            fields.append("name_index")
        had_id_number = bool(subject.id_index)
        if id_number and id_index_of(id_number) != subject.id_index:
            same = (
                Subject.objects.filter(commission_id=subject.commission_id, id_index=id_index_of(id_number))
                .exclude(pk=subject.pk)
                .first()
            )
            if same is not None:
                raise RuleViolation(f"身份证号码与已登记的被反映人“{same.name}”相同，请核实是否为同一人。")
            subject.seal_id_number(id_number)
            subject.id_index = id_index_of(id_number)
            fields += ["id_number_sealed", "id_index"]
            changes["id_number"] = ["（原号码）" if had_id_number else "", "（已更正，加密存储）"]
        if not fields:
            return subject
        subject.save(update_fields=fields)
        record_event(actor=actor, action="subject.updated", target=subject, changes=changes, request=request)
        for clue in clues:
            _sign(clue, actor, "subject_updated", clue.state, f"更正被反映人{subject.name}的信息")
    return subject


def _matches_some_accused(subject: Subject, clue: Clue) -> bool:
    """A subject the actor cannot yet see may be linked when a report of this clue names them."""
    report_ids = ClueReport.objects.filter(clue=clue).values("report_id")
    return ReportAccused.objects.filter(report_id__in=report_ids, name_index=subject.name_index).exists()
