"""Every write of the clue ledger: open, join reports, confirm subjects, analyse, propose a disposal,
carry it out (谈话函询, 暂存待查, 予以了结, 初步核实), and the 谈话函询 rounds.

Each transition is one function and one transaction: lock the clue row, check the actor against the
scope and the role rule (``selectors.may_*``), check the state table (``workflow.next_state``) and the
rule, write with ``update_fields``, record the audit event and the sign-off (经手留痕), open or close
the deadline the rule sets. Nothing else assigns ``Clue.state``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import CLUE_DISPOSAL, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.crypto import blind_index
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.deadlines.services import close_deadline, on_due_date_recomputed, open_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.intake.models import Category, Report, ReportAccused
from xiezuoqu.intake.selectors import can_view_report
from xiezuoqu.intake.services import format_number, zone_of_unit
from xiezuoqu.intake.workflow import State as ReportState
from xiezuoqu.keys import as_key
from xiezuoqu.meetings.agenda import register_agenda_kind
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Unit, Village

from . import rules
from .models import (
    AccusedLink,
    Clue,
    ClueCounter,
    ClueDisposal,
    ClueReport,
    ClueSignoff,
    ClueSubject,
    DisposalMethod,
    DisposalState,
    InquiryMode,
    InquiryOutcome,
    Rank,
    Source,
    Subject,
    SupervisionCategory,
    TalkInquiry,
)
from .selectors import can_view_clue, can_view_subject, may_edit_subject, may_open_at, may_work
from .workflow import Action, State, next_state

CLUE_PATTERN = "{commission}{unit}线〔{year}〕{seq}号"
ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")
# Reports a clue may be opened from or join: accepted (受理) and, once assigned, assigned to the clue's unit.
JOINABLE_REPORT_STATES = frozenset({ReportState.ACCEPTED, ReportState.ASSIGNED})
INQUIRY_CLOSING_OUTCOMES = frozenset(
    {
        InquiryOutcome.ACCEPT_CLOSE,
        InquiryOutcome.REMINDER,
        InquiryOutcome.CRITICISM,
        InquiryOutcome.ORDER_CHECK,
        InquiryOutcome.ADMONISH,
    }
)


# --- inputs ----------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ClueInput:
    handling_unit_id: int
    source: str
    category: str
    summary: str
    received_on: date | None = None
    content: str = ""
    source_note: str = ""
    township_id: int | None = None
    village_id: int | None = None
    report_ids: Sequence[int] = field(default_factory=tuple)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    return text


def normalise_name(name: str) -> str:
    # As intake indexes the accused's names (stripped), so that the blind indexes match.
    return (name or "").strip()


def name_index_of(name: str) -> str:
    # The same purpose as intake's accused names, so that ReportAccused.name_index matches subjects.
    return blind_index(normalise_name(name), purpose="accused.name")


def id_index_of(id_number: str) -> str:
    return blind_index(id_number.strip().upper(), purpose="subject.id_number")


# --- numbering -------------------------------------------------------------------------------------------


def _next_number(unit: Unit, year: int) -> tuple[int, str]:
    """Draw the next sequence of ``unit``'s clue ledger in ``year`` (see xiezuoqu.numbering). The
    unique constraint on (handling unit, year, seq) is the backstop."""
    seq = next_in_sequence(ClueCounter, unit=unit, year=year)
    return seq, format_number(CLUE_PATTERN, commission=unit.commission, unit=unit, year=year, seq=seq)


# --- helpers ---------------------------------------------------------------------------------------------


def _lock(actor: Actor, clue_id: Any) -> Clue:
    """Lock the clue row, then apply the view predicate (the scope's twin): 404 when out of reach."""
    try:
        clue = Clue.objects.select_for_update().filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _check_worker(actor: Actor, clue: Clue, action: str) -> None:
    if not may_work(actor, clue):
        raise NotPermitted(
            "只有承办单位干部或所在协作区组长、副组长、纪检监察室干部可以办理该线索。",
            audit_action=f"clue.{action}",
            target_type="clues.clue",
            target_id=str(clue.pk),
        )


def _sign(clue: Clue, actor: Actor | None, action: str, before: str, note: str = "") -> None:
    if actor is None or actor.user_id is None:
        return
    ClueSignoff.objects.create(
        clue=clue, user_id=actor.user_id, action=action, note=note[:300], state_before=before, state_after=clue.state
    )


def _move(
    actor: Actor | None, clue: Clue, action: str, request: HttpRequest | None, *, note: str = "", **fields: Any
) -> None:
    """Apply one transition of the table with its fields, the audit event and the sign-off."""
    before = clue.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {}
    if after != before:
        changes["state"] = [before, after]
    for name, value in fields.items():
        old = getattr(clue, name)
        if old != value:
            changes[name] = [old, value]
        setattr(clue, name, value)
    clue.state = after
    clue.state_changed_at = timezone.now()
    clue.save(update_fields=["state", "state_changed_at", *fields])
    record_event(
        actor=actor, action=f"clue.{action}", target=clue, changes=changes, detail={"note": note}, request=request
    )
    _sign(clue, actor, action, before, note)


def _place(commission_id: int, township_id: Any, village_id: Any) -> tuple[Unit | None, Village | None]:
    township = village = None
    if township_id:
        township = Unit.objects.filter(
            pk=township_id, commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).first()
        if township is None:
            raise ValidationFailed("所选乡镇（街道）不存在。", field_errors={"township": ["请重新选择。"]})
    if village_id:
        village = Village.objects.filter(pk=village_id, township__commission_id=commission_id).first()
        if village is None:
            raise ValidationFailed("所选村（社区）不存在。", field_errors={"village": ["请重新选择。"]})
        if township is None:
            township = village.township
        elif village.township_id != township.pk:
            raise ValidationFailed("所选村（社区）不属于所选乡镇。", field_errors={"village": ["与乡镇不符。"]})
    return township, village


def _joinable_reports(actor: Actor, clue_unit: Unit, report_ids: Sequence[Any]) -> list[Report]:
    ids = sorted({k for r in report_ids if (k := as_key(r)) is not None})
    reports = list(Report.objects.select_for_update().filter(pk__in=ids).order_by("id"))
    if len(reports) != len(ids):
        raise NotFound("所选检举控告件不存在或无权查看。")
    taken = dict(ClueReport.objects.filter(report_id__in=ids).values_list("report_id", "clue__ledger_number"))
    for report in reports:
        if not can_view_report(actor, report) or report.commission_id != clue_unit.commission_id:
            raise NotFound("所选检举控告件不存在或无权查看。")
        if report.pk in taken:
            raise RuleViolation(f"{report} 已并入线索 {taken[report.pk]}，不能重复办理。")
        if report.state not in JOINABLE_REPORT_STATES:
            raise RuleViolation(f"{report} 当前为“{report.get_state_display()}”，只有已受理的检举控告件可以形成线索。")
        if report.handling_unit_id not in (None, clue_unit.pk):
            raise RuleViolation(f"{report} 已分办{report.handling_unit}承办，不能并入其他单位的线索。")
    return reports


def _link_reports(actor: Actor, clue: Clue, reports: list[Report]) -> None:
    assert actor.user_id is not None
    ClueReport.objects.bulk_create([ClueReport(clue=clue, report=r, added_by_id=actor.user_id) for r in reports])


# --- open a clue ------------------------------------------------------------------------------------------


def open_clue(*, actor: Actor, data: ClueInput, request: HttpRequest | None = None) -> Clue:
    """登记线索: into the handling unit's ledger, from accepted reports (several may join one clue) or
    from another source; numbered under the unit's counter lock; the 1-month disposal timer starts."""
    if actor.commission_id is None:
        raise NotPermitted("只有本纪委监委的干部可以登记线索。")
    if data.source not in Source.values:
        raise ValidationFailed("请选择线索来源。", field_errors={"source": ["请选择。"]})
    if data.category not in Category.values:
        raise ValidationFailed("请选择问题类别。", field_errors={"category": ["请选择。"]})
    summary = _required(data.summary, "summary", "主要问题摘要")[:200]
    if data.source == Source.REPORTS and not data.report_ids:
        raise ValidationFailed(
            "来源为检举控告的线索，请选择至少一件已受理的检举控告件。", field_errors={"report_ids": ["请选择。"]}
        )
    if data.source != Source.REPORTS and data.report_ids:
        raise ValidationFailed("只有来源为检举控告的线索可以关联检举控告件。", field_errors={"source": ["请改选。"]})
    if data.source != Source.REPORTS and not data.received_on:
        raise ValidationFailed("请填写收到日期。", field_errors={"received_on": ["请填写。"]})
    with transaction.atomic():
        unit = (
            Unit.objects.filter(pk=data.handling_unit_id, commission_id=actor.commission_id)
            .select_related("commission")
            .first()
        )
        if unit is None:
            raise ValidationFailed("所选承办单位不存在。", field_errors={"handling_unit": ["请重新选择。"]})
        zone = zone_of_unit(unit)
        if not may_open_at(actor, unit, zone.pk if zone else None):
            raise NotPermitted(f"您不能在“{unit.name}”的线索台账中登记线索。")
        reports = _joinable_reports(actor, unit, data.report_ids)
        received_on = data.received_on or min(r.received_on for r in reports)
        if received_on > timezone.localdate():
            raise ValidationFailed("收到日期不能晚于今天。", field_errors={"received_on": ["不能晚于今天。"]})
        township, village = _place(unit.commission_id, data.township_id, data.village_id)
        if township is None and reports:
            township, village = reports[0].township, reports[0].village
        seq, number = _next_number(unit, received_on.year)
        assert actor.user_id is not None
        clue = Clue.objects.create(
            commission_id=unit.commission_id,
            handling_unit=unit,
            zone=zone,
            ledger_year=received_on.year,
            ledger_seq=seq,
            ledger_number=number,
            source=data.source,
            source_note=_text(data.source_note)[:200],
            category=data.category,
            summary=summary,
            content=_text(data.content),
            received_on=received_on,
            township=township,
            village=village,
            state=next_state(None, Action.OPEN),
            state_changed_at=timezone.now(),
            registered_by_id=actor.user_id,
        )
        _link_reports(actor, clue, reports)
        record_event(
            actor=actor,
            action="clue.opened",
            target=clue,
            changes={"state": [None, clue.state], "ledger_number": [None, number]},
            detail={"unit": unit.pk, "source": data.source, "reports": [r.pk for r in reports]},
            request=request,
        )
        _sign(clue, actor, Action.OPEN, "")
        index_clue(clue)
        open_deadline(
            actor=actor,
            target=clue,
            kind=rules.DISPOSAL.kind,
            label=f"{number} 处置",
            start=received_on,
            months=rules.DISPOSAL.months,
            responsible_unit=unit,
            zone=zone,
            request=request,
        )
    return clue


def index_clue(clue: Clue) -> None:
    """Put the clue into the duplicate index, so registrars see it beside similar new reports."""
    from xiezuoqu.dedup.services import index_document
    from xiezuoqu.intake.models import ReportAccused

    names = list(
        ReportAccused.objects.filter(report__in=clue.report_links.values("report_id"))
        .exclude(name__in=["", "不详"])
        .values_list("name", flat=True)
    )
    index_document(
        kind="clue",
        object_id=clue.pk,
        commission_id=clue.commission_id,
        text=f"{clue.summary}\n{clue.content}",
        accused_names=names,
    )


def join_reports(*, actor: Actor, clue_id: Any, report_ids: Sequence[Any], request: HttpRequest | None = None) -> Clue:
    """并入: further accepted reports about the same matter join an open clue (not handled twice)."""
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.JOIN_REPORTS)
        next_state(clue.state, Action.JOIN_REPORTS)
        if not report_ids:
            raise ValidationFailed("请选择要并入的检举控告件。", field_errors={"report_ids": ["请选择。"]})
        unit = Unit.objects.select_related("commission").get(pk=clue.handling_unit_id)
        reports = _joinable_reports(actor, unit, report_ids)
        _link_reports(actor, clue, reports)
        _move(actor, clue, Action.JOIN_REPORTS, request, note="并入 " + "、".join(str(r) for r in reports))
        index_clue(clue)  # the joined reports' accused now match the clue too
    return clue


# --- subjects ---------------------------------------------------------------------------------------------


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


# --- analysis and disposal --------------------------------------------------------------------------------


def start_analysis(*, actor: Actor, clue_id: Any, request: HttpRequest | None = None) -> Clue:
    """研判: the zone starts studying the clue."""
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.START_ANALYSIS)
        _move(actor, clue, Action.START_ANALYSIS, request)
    return clue


def propose_disposal(
    *,
    actor: Actor,
    clue_id: Any,
    method: str,
    reason: str,
    review_on: date | None = None,
    propose_clearing: bool = False,
    request: HttpRequest | None = None,
) -> ClueDisposal:
    """提出处置意见: one of the four methods with reasons, put to the "clue.disposal" approval chain."""
    if method not in DisposalMethod.values:
        raise ValidationFailed("请选择处置方式。", field_errors={"method": ["请选择。"]})
    text = _required(reason, "reason", "处置理由")
    if method == DisposalMethod.HOLD:
        if review_on is None:
            raise ValidationFailed("暂存待查须确定复查日期。", field_errors={"review_on": ["请填写复查日期。"]})
        if review_on <= timezone.localdate():
            raise ValidationFailed("复查日期须晚于今天。", field_errors={"review_on": ["须晚于今天。"]})
    else:
        review_on = None
    if propose_clearing and method != DisposalMethod.CLOSE:
        raise ValidationFailed(
            "只有予以了结的线索可以提出澄清正名建议。", field_errors={"propose_clearing": ["不适用。"]}
        )
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.PROPOSE)
        next_state(clue.state, Action.PROPOSE)
        if not ClueSubject.objects.filter(clue=clue).exists():
            raise RuleViolation("请先确认被反映人，再提出处置意见。")
        assert actor.user_id is not None
        disposal = ClueDisposal.objects.create(
            clue=clue,
            method=method,
            reason=text,
            review_on=review_on,
            propose_clearing=propose_clearing,
            proposed_by_id=actor.user_id,
        )
        approval = submit_request(
            actor=actor,
            matter_type=CLUE_DISPOSAL.slug,
            title=f"{clue} 拟{disposal.get_method_display()}",
            reason=text,
            target=clue,
            unit=clue.handling_unit_id,
            zone=clue.zone_id,
            request=request,
        )
        disposal.approval = approval
        disposal.save(update_fields=["approval"])
        _move(actor, clue, Action.PROPOSE, request, note=f"拟{disposal.get_method_display()}：{text}")
    return disposal


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None


@on_final_decision(CLUE_DISPOSAL.slug)
def _disposal_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction that ended the round.

    Approved: the clue is disposed (the 1-month timer is met today) and 暂存待查, 予以了结 and 初步核实 are
    carried out at once; 谈话函询 waits for the talk or the letter. Rejected or withdrawn: back to
    研判. Returned: the proposal waits for the requester to change and resubmit it.
    """
    disposal = ClueDisposal.objects.select_for_update().filter(approval=approval).first()
    if disposal is None or outcome == ApprovalState.RETURNED:
        return
    clue = Clue.objects.select_for_update().get(pk=disposal.clue_id)
    actor = _decider(approval, outcome)
    today = timezone.localdate()
    disposal.decided_at = timezone.now()
    if outcome != ApprovalState.APPROVED:
        disposal.state = DisposalState.SENT_BACK
        disposal.save(update_fields=["state", "decided_at"])
        _move(actor, clue, Action.SEND_BACK, None, note=f"处置意见{ApprovalState(outcome).label}")
        return
    disposal.state = DisposalState.APPROVED
    disposal.save(update_fields=["state", "decided_at"])
    _move(
        actor,
        clue,
        Action.APPROVE,
        None,
        note=f"批准{disposal.get_method_display()}",
        disposal_method=disposal.method,
        disposed_on=today,
    )
    close_deadline(actor=actor, target=clue, kind=rules.DISPOSAL.kind, met_on=max(today, clue.received_on))
    if disposal.method == DisposalMethod.HOLD:
        _move(actor, clue, Action.HOLD, None, note=disposal.reason, review_on=disposal.review_on)
        _open_review(actor, clue, today, None)
    elif disposal.method == DisposalMethod.CLOSE:
        outcome_text = "予以了结" + ("，建议澄清正名" if disposal.propose_clearing else "")
        _move(actor, clue, Action.CLOSE, None, note=disposal.reason, outcome=outcome_text)
    elif disposal.method == DisposalMethod.PRELIMINARY_VERIFICATION:
        _move(actor, clue, Action.VERIFY, None, note="转初步核实", outcome="转初步核实")


# --- 谈话函询 ------------------------------------------------------------------------------------------------


def start_inquiry(
    *,
    actor: Actor,
    clue_id: Any,
    mode: str,
    started_on: date,
    officers: str = "",
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """谈话 held or 函 sent: a letter's reply is due in 15 WD; a talk concludes within 1 month."""
    if mode not in InquiryMode.values:
        raise ValidationFailed("请选择谈话或函询。", field_errors={"mode": ["请选择。"]})
    if started_on > timezone.localdate():
        raise ValidationFailed("日期不能晚于今天。", field_errors={"started_on": ["不能晚于今天。"]})
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.START_TALK)
        next_state(clue.state, Action.START_TALK)
        if clue.disposal_method != DisposalMethod.TALK_OR_LETTER:
            raise RuleViolation("该线索批准的处置方式不是谈话函询。")
        last = TalkInquiry.objects.filter(clue=clue).order_by("-round").first()
        assert actor.user_id is not None
        inquiry = TalkInquiry.objects.create(
            clue=clue,
            round=(last.round + 1) if last else 1,
            mode=mode,
            started_on=started_on,
            officers=_text(officers)[:200],
            created_by_id=actor.user_id,
        )
        if mode == InquiryMode.LETTER:
            deadline = open_deadline(
                actor=actor,
                target=clue,
                kind=rules.LETTER_REPLY.kind,
                label=f"{clue} 第{inquiry.round}次函询回复",
                start=started_on,
                working_days=rules.LETTER_REPLY.working_days,
                responsible_unit=clue.handling_unit,
                zone=clue.zone,
                request=request,
            )
            inquiry.reply_due_on = deadline.due_date
            inquiry.save(update_fields=["reply_due_on"])
        else:
            _open_conclusion(actor, clue, inquiry, started_on, request)
        _move(actor, clue, Action.START_TALK, request, note=f"第{inquiry.round}次{inquiry.get_mode_display()}")
    return inquiry


@on_due_date_recomputed(rules.LETTER_REPLY.kind)
def _reply_due_recomputed(deadline: Deadline, old_due: date) -> None:
    """The unanswered 函询's 回复期限 is its timer's due date: it follows when the year is entered."""
    TalkInquiry.objects.filter(
        clue_id=deadline.target_id, reply_due_on=old_due, replied_on__isnull=True, concluded_on__isnull=True
    ).update(reply_due_on=deadline.due_date)


def _open_conclusion(actor: Actor, clue: Clue, inquiry: TalkInquiry, start: date, request: HttpRequest | None) -> None:
    open_deadline(
        actor=actor,
        target=clue,
        kind=rules.INQUIRY_CONCLUSION.kind,
        label=f"{clue} 第{inquiry.round}次谈话函询了结",
        start=start,
        months=rules.INQUIRY_CONCLUSION.months,
        responsible_unit=clue.handling_unit,
        zone=clue.zone,
        request=request,
    )


def _current_inquiry(clue: Clue) -> TalkInquiry:
    inquiry = TalkInquiry.objects.select_for_update().filter(clue=clue).order_by("-round").first()
    if inquiry is None or inquiry.concluded_on is not None:
        raise RuleViolation("该线索没有进行中的谈话函询。")
    return inquiry


def record_reply(
    *,
    actor: Actor,
    clue_id: Any,
    replied_on: date,
    summary: str,
    countersigned: bool,
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """函询回复: the written reply, countersigned by the person's party-committee head; the 1-month
    conclusion timer starts from its receipt."""
    text = _required(summary, "summary", "回复情况")
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.RECORD_REPLY)
        next_state(clue.state, Action.RECORD_REPLY)
        inquiry = _current_inquiry(clue)
        if inquiry.mode != InquiryMode.LETTER:
            raise RuleViolation("谈话无需登记函询回复，请直接了结。")
        if inquiry.replied_on is not None:
            raise RuleViolation("本次函询的回复已登记。")
        if not countersigned:
            raise RuleViolation("函询回复须由被函询人所在党委（党组）主要负责人签署意见，请补签后再登记。")
        if replied_on < inquiry.started_on or replied_on > timezone.localdate():
            raise ValidationFailed(
                "回复日期须在函询发出之后、今天之前。", field_errors={"replied_on": ["日期不在范围内。"]}
            )
        inquiry.replied_on = replied_on
        inquiry.reply_summary = text
        inquiry.countersigned = True
        inquiry.save(update_fields=["replied_on", "reply_summary", "countersigned"])
        close_deadline(actor=actor, target=clue, kind=rules.LETTER_REPLY.kind, met_on=replied_on, request=request)
        _open_conclusion(actor, clue, inquiry, replied_on, request)
        _move(actor, clue, Action.RECORD_REPLY, request, note=f"第{inquiry.round}次函询已回复")
    return inquiry


def conclude_inquiry(
    *,
    actor: Actor,
    clue_id: Any,
    outcome: str,
    note: str,
    concluded_on: date | None = None,
    clearing_letter: bool = False,
    request: HttpRequest | None = None,
) -> TalkInquiry:
    """谈话函询了结: accept and close (with a clearing letter); 谈话提醒 / 批评教育 / 责令检查 / 诫勉 and close;
    again; or to 初步核实."""
    if outcome not in InquiryOutcome.values:
        raise ValidationFailed("请选择了结方式。", field_errors={"outcome": ["请选择。"]})
    text = _required(note, "note", "结论说明")
    day = concluded_on or timezone.localdate()
    if clearing_letter and outcome != InquiryOutcome.ACCEPT_CLOSE:
        raise ValidationFailed(
            "只有采纳说明予以了结的可以出具澄清说明。", field_errors={"clearing_letter": ["不适用。"]}
        )
    action = (
        Action.CONCLUDE_CLOSE
        if outcome in INQUIRY_CLOSING_OUTCOMES
        else Action.CONCLUDE_AGAIN
        if outcome == InquiryOutcome.AGAIN
        else Action.CONCLUDE_VERIFY
    )
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, action)
        next_state(clue.state, action)
        inquiry = _current_inquiry(clue)
        if inquiry.mode == InquiryMode.LETTER and inquiry.replied_on is None:
            raise RuleViolation("函询尚未回复，请先登记回复（或在回复期限届满后按未回复情况研究处理）。")
        start = inquiry.replied_on or inquiry.started_on
        if day < start or day > timezone.localdate():
            raise ValidationFailed("了结日期不在范围内。", field_errors={"concluded_on": ["日期不在范围内。"]})
        inquiry.outcome = outcome
        inquiry.outcome_note = text
        inquiry.clearing_letter = clearing_letter
        inquiry.concluded_on = day
        inquiry.save(update_fields=["outcome", "outcome_note", "clearing_letter", "concluded_on"])
        close_deadline(actor=actor, target=clue, kind=rules.INQUIRY_CONCLUSION.kind, met_on=day, request=request)
        label = InquiryOutcome(outcome).label
        fields: dict[str, Any] = {}
        if action != Action.CONCLUDE_AGAIN:
            fields["outcome"] = f"谈话函询：{label}" + ("，出具澄清说明" if clearing_letter else "")
        _move(actor, clue, action, request, note=f"{label}：{text}", **fields)
    return inquiry


def review_held(*, actor: Actor, clue_id: Any, note: str, request: HttpRequest | None = None) -> Clue:
    """暂存待查复查: the held clue returns to 研判 for a new disposal (on or after its review date)."""
    text = _required(note, "note", "复查说明")
    with transaction.atomic():
        clue = _lock(actor, clue_id)
        _check_worker(actor, clue, Action.REVIEW)
        next_state(clue.state, Action.REVIEW)
        _move(actor, clue, Action.REVIEW, request, note=text, disposal_method="")
        close_deadline(actor=actor, target=clue, kind=rules.HELD_REVIEW.kind, request=request)
        open_deadline(
            actor=actor,
            target=clue,
            kind=rules.DISPOSAL.kind,
            label=f"{clue} 复查后处置",
            start=timezone.localdate(),
            months=rules.DISPOSAL.months,
            responsible_unit=clue.handling_unit,
            zone=clue.zone,
            request=request,
        )
    return clue


def settle_after_verification(
    *,
    actor: Actor | None,
    clue: Clue,
    action: str,
    outcome: str,
    review_on: date | None = None,
    request: HttpRequest | None = None,
) -> Clue:
    """Carry out what a verification (初步核实) ended in, inside the caller's transaction.

    Called by the verification app (an approved 初核报告 that closes or holds the clue) and by the
    filing app (the competent body's 立案 decision). The caller has checked its own permission and
    locked its own rows; this locks the clue, checks the state table and records the move.
    """
    if action not in (Action.VERIFIED_CLOSE, Action.VERIFIED_HOLD, Action.FILE_CASE):
        raise InvalidTransition(f"“{action}”不是初步核实的结果。")
    locked = Clue.objects.select_for_update().get(pk=clue.pk)
    next_state(locked.state, action)
    fields: dict[str, Any] = {"outcome": outcome[:200]}
    if action == Action.VERIFIED_HOLD:
        if review_on is None:
            raise ValidationFailed("暂存待查须确定复查日期。", field_errors={"review_on": ["请填写复查日期。"]})
        if review_on <= timezone.localdate():
            raise ValidationFailed("复查日期须晚于今天。", field_errors={"review_on": ["须晚于今天。"]})
        fields["review_on"] = review_on
    _move(actor, locked, action, request, note=outcome, **fields)
    if action == Action.VERIFIED_HOLD:
        _open_review(actor, locked, timezone.localdate(), request)
    return locked


def _open_review(actor: Actor | None, clue: Clue, start: date, request: HttpRequest | None) -> None:
    """暂存待查: a tracked timer to the review date, so that a held clue is not forgotten."""
    if clue.review_on is None or clue.review_on <= start:
        return
    open_deadline(
        actor=actor,
        target=clue,
        kind=rules.HELD_REVIEW.kind,
        label=f"{clue} 暂存待查复查",
        start=start,
        days=(clue.review_on - start).days,
        responsible_unit=clue.handling_unit,
        zone=clue.zone,
        request=request,
    )


# --- analysis (分析研判) -----------------------------------------------------------------------------------------

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
    from xiezuoqu.org.models import StaffMember

    from .models import AnalysisRecord

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
    from xiezuoqu.meetings.models import Attendance, Outcome, Presence

    from .models import AnalysisRecord

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
