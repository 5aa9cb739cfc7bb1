"""The cases API (read): the same scope as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.verification.services import EvidenceInput, MeasureInput

from . import services
from .models import Case
from .selectors import case_file, case_ledger, get_case_for, measures_of_case, view_case

router = Router(tags=["cases"])

MAX_LIMIT = 100


class CaseOut(Schema):
    id: int
    case_number: str
    clue_id: int
    clue_number: str
    subject: str
    filed_on: date
    competent_body_kind: str
    competent_body: str
    filing_reference: str
    state: str
    state_label: str


class CaseListOut(Schema):
    items: list[CaseOut]
    next_before: int | None


class CaseListQuery(Schema):
    before: int | None = None
    limit: int = 50


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "clue_id": case.clue_id,
        "clue_number": case.clue.ledger_number,
        "subject": case.subject.name,
        "filed_on": case.filed_on,
        "competent_body_kind": case.competent_body_kind,
        "competent_body": case.competent_body_name,
        "filing_reference": case.filing_reference,
        "state": case.state,
        "state_label": case.get_state_display(),
    }


@router.get("/", response=CaseListOut)
def list_cases(request: HttpRequest, query: Query[CaseListQuery]) -> dict[str, Any]:
    rows, next_before = case_ledger(_actor(request), before=query.before, limit=max(1, min(query.limit, MAX_LIMIT)))
    return {"items": [_out(c) for c in rows], "next_before": next_before}


@router.get("/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    actor = _actor(request)
    with transaction.atomic():
        case = view_case(actor, case_id, request=request)
    return _out(case)


# --- the life cycle: one endpoint per step, the same services as the pages ----------------------------


class CaseStepOut(Schema):
    case_id: int
    state: str
    state_label: str
    id: int | None = None


class CaseMeasureIn(Schema):
    kind: str
    officer_ids: list[int]
    person_or_record: str
    starts_at: datetime
    ends_at: datetime
    place: str
    approval_reference: str = ""
    note: str = ""
    followed_by_custody: bool = False


class CaseMeasureExtensionIn(Schema):
    days: int
    reference: str
    reason: str
    approver_id: int


class RenewalIn(Schema):
    months: int
    reference: str
    reason: str = ""


class ReleaseIn(Schema):
    released_at: datetime
    reason: str
    converted_to: str = ""


class MeasureExtensionOut(Schema):
    amount: int
    unit: str
    old_ends_at: datetime
    new_ends_at: datetime
    reference: str
    approved_by_id: int | None
    recorded_at: datetime


class CaseMeasureOut(Schema):
    id: int
    kind: str
    kind_label: str
    person_or_record: str
    starts_at: datetime
    ends_at: datetime
    approval_reference: str
    # The term of a time-limited measure (管护, 责令候查, 强制到案, 冻结); null/empty for the others.
    limit: str | None
    term_state: str
    term_state_label: str
    overdue: bool
    remaining: str
    may_extend: bool
    released_at: datetime | None
    release_reason: str
    converted_to: str
    extensions: list[MeasureExtensionOut]


class DetentionIn(Schema):
    reason: str
    place: str


class HigherDecisionIn(Schema):
    approved: bool
    reference: str
    decided_on: date
    starts_on: date | None = None


class ReferenceIn(Schema):
    reference: str


class EndIn(Schema):
    ended_on: date


class CaseReportIn(Schema):
    facts: str
    evidence_summary: str
    proposal: str
    attitude: str = ""


class ReviewersIn(Schema):
    reviewer_ids: list[int] = Field(..., min_length=1)


class OpinionIn(Schema):
    opinion: str


class ReturnIn(Schema):
    kind: str
    reason: str


class CaseDecisionIn(Schema):
    codes: list[str]
    body: str
    grounds: str
    complex_case: bool = False
    months: int | None = None


class AnnounceIn(Schema):
    announced_on: date
    place: str
    attendees: str


class ExecuteIn(Schema):
    executed_on: date
    executing_unit: str
    details: str


class AppealIn(Schema):
    kind: str
    received_on: date
    grounds: str


class AppealDecisionIn(Schema):
    result: str
    result_text: str
    decided_on: date


class TimelineOut(Schema):
    day: date
    label: str
    detail: str


class CaseDecisionOut(Schema):
    id: int
    codes: list[str]
    labels: list[str]
    body: str
    state: str
    form: int | None
    form_label: str
    decided_on: date | None
    periods: list[dict[str, Any]]


class CaseFileOut(Schema):
    case: CaseOut
    timeline: list[TimelineOut]
    decisions: list[CaseDecisionOut]


def _step(request: HttpRequest, case_id: int, row: Any = None) -> dict[str, Any]:
    case = get_case_for(_actor(request), case_id)
    return {
        "case_id": case_id,
        "state": case.state,
        "state_label": case.get_state_display(),
        "id": getattr(row, "pk", None),
    }


@router.get("/{case_id}/file", response=CaseFileOut)
def get_case_file(request: HttpRequest, case_id: int) -> dict[str, Any]:
    actor = _actor(request)
    with transaction.atomic():
        case = view_case(actor, case_id, request=request)
    folder = case_file(actor, case)
    return {
        "case": _out(case),
        "timeline": [{"day": e.day, "label": e.label, "detail": e.detail} for e in folder.timeline],
        "decisions": [
            {
                "id": d.pk,
                "codes": d.codes,
                "labels": d.labels,
                "body": d.body,
                "state": d.state,
                "form": d.form,
                "form_label": d.form_label,
                "decided_on": d.decided_on,
                "periods": d.periods,
            }
            for d in folder.decisions
        ],
    }


@router.post("/{case_id}/investigation", response=CaseStepOut)
def start_investigation(request: HttpRequest, case_id: int) -> dict[str, Any]:
    services.start_investigation(actor=_actor(request), case_id=case_id, request=request)
    return _step(request, case_id)


@router.post("/{case_id}/measures", response={201: CaseStepOut})
def record_measure(request: HttpRequest, case_id: int, payload: CaseMeasureIn) -> Status:
    measure = services.record_case_measure(
        actor=_actor(request), case_id=case_id, data=MeasureInput(**payload.dict()), request=request
    )
    return Status(201, _step(request, case_id, measure))


def _case_measure(m: Any) -> dict[str, Any]:
    term = m.term
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "person_or_record": m.person_or_record,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "approval_reference": m.approval_reference,
        "limit": term.limit.text if term else None,
        "term_state": m.term_state,
        "term_state_label": term.state_label if term else "",
        "overdue": bool(term and term.overdue),
        "remaining": term.remaining_text if term else "",
        "may_extend": bool(term and term.may_extend),
        "released_at": m.released_at,
        "release_reason": m.release_reason,
        "converted_to": m.converted_to,
        "extensions": [
            {
                "amount": x.amount,
                "unit": x.unit,
                "old_ends_at": x.old_ends_at,
                "new_ends_at": x.new_ends_at,
                "reference": x.reference,
                "approved_by_id": x.approved_by_id,
                "recorded_at": x.recorded_at,
            }
            for x in m.extensions.all()
        ],
    }


@router.get("/{case_id}/measures", response=list[CaseMeasureOut])
def list_measures(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    """The case's measures, with the limit, planned end, state and time left of the time-limited ones
    (names and reasons of a case: read on record, like the case file)."""
    with transaction.atomic():
        case = view_case(_actor(request), case_id, request=request)
    return [_case_measure(m) for m in measures_of_case(case)]


def _measure_of(request: HttpRequest, case_id: int, measure_id: int) -> dict[str, Any]:
    case = get_case_for(_actor(request), case_id)
    for m in measures_of_case(case):
        if m.pk == measure_id:
            return _case_measure(m)
    raise NotFound()


@router.post("/{case_id}/measures/{measure_id}/extension", response=CaseMeasureOut)
def extend_measure(
    request: HttpRequest, case_id: int, measure_id: int, payload: CaseMeasureExtensionIn
) -> dict[str, Any]:
    """延长管护 (once, 1–3 days, approved by the commission head)."""
    services.extend_measure(
        actor=_actor(request),
        case_id=case_id,
        measure_id=measure_id,
        days=payload.days,
        reference=payload.reference,
        reason=payload.reason,
        approver_id=payload.approver_id,
        request=request,
    )
    return _measure_of(request, case_id, measure_id)


@router.post("/{case_id}/measures/{measure_id}/renewal", response=CaseMeasureOut)
def renew_freeze(request: HttpRequest, case_id: int, measure_id: int, payload: RenewalIn) -> dict[str, Any]:
    """续冻 (each time at most 6 months, before the freeze runs out)."""
    services.renew_freeze(
        actor=_actor(request), case_id=case_id, measure_id=measure_id, request=request, **payload.dict()
    )
    return _measure_of(request, case_id, measure_id)


@router.post("/{case_id}/measures/{measure_id}/release", response=CaseMeasureOut)
def release_measure(request: HttpRequest, case_id: int, measure_id: int, payload: ReleaseIn) -> dict[str, Any]:
    """解除 / 变更 a time-limited measure (its deadline closes)."""
    services.release_measure(
        actor=_actor(request), case_id=case_id, measure_id=measure_id, request=request, **payload.dict()
    )
    return _measure_of(request, case_id, measure_id)


@router.post("/{case_id}/evidence", response={201: CaseStepOut})
def add_evidence(
    request: HttpRequest,
    case_id: int,
    file: File[UploadedFile],
    title: Form[str],
    kind: Form[str],
    description: Form[str] = "",
    source_measure_id: Form[int | None] = None,
    as_record: Form[bool] = False,
) -> Status:
    actor = _actor(request)
    if file.size and file.size > services.MAX_EVIDENCE_SIZE:
        raise ValidationFailed("文件过大，不能入库；请拆分或压缩后再上传。", field_errors={"file": ["文件过大。"]})
    item = services.add_case_evidence(
        actor=actor,
        case_id=case_id,
        data=EvidenceInput(
            title=title,
            kind=kind,
            file_name=file.name or "",
            data=file.read(),
            description=description,
            source_measure_id=source_measure_id,
            as_record=as_record,
        ),
        request=request,
    )
    return Status(201, _step(request, case_id, item))


@router.post("/{case_id}/detentions", response={201: CaseStepOut})
def request_detention(request: HttpRequest, case_id: int, payload: DetentionIn) -> Status:
    detention = services.request_detention(actor=_actor(request), case_id=case_id, request=request, **payload.dict())
    return Status(201, _step(request, case_id, detention))


@router.post("/detentions/{detention_id}/higher-decision", response=CaseStepOut)
def record_higher_decision(request: HttpRequest, detention_id: int, payload: HigherDecisionIn) -> dict[str, Any]:
    row = services.record_higher_decision(
        actor=_actor(request), detention_id=detention_id, request=request, **payload.dict()
    )
    return _step(request, row.case_id, row)


@router.post("/detentions/{detention_id}/extension", response=CaseStepOut)
def extend_detention(request: HttpRequest, detention_id: int, payload: ReferenceIn) -> dict[str, Any]:
    row = services.extend_detention(actor=_actor(request), detention_id=detention_id, request=request, **payload.dict())
    return _step(request, row.case_id, row)


@router.post("/detentions/{detention_id}/end", response=CaseStepOut)
def end_detention(request: HttpRequest, detention_id: int, payload: EndIn) -> dict[str, Any]:
    row = services.end_detention(actor=_actor(request), detention_id=detention_id, request=request, **payload.dict())
    return _step(request, row.case_id, row)


@router.put("/{case_id}/report", response=CaseStepOut)
def write_report(request: HttpRequest, case_id: int, payload: CaseReportIn) -> dict[str, Any]:
    report = services.write_report(
        actor=_actor(request), case_id=case_id, data=services.ReportInput(**payload.dict()), request=request
    )
    return _step(request, case_id, report)


@router.post("/{case_id}/hand-over", response=CaseStepOut)
def hand_over(request: HttpRequest, case_id: int) -> dict[str, Any]:
    services.hand_over(actor=_actor(request), case_id=case_id, request=request)
    return _step(request, case_id)


@router.post("/{case_id}/reviews", response={201: CaseStepOut})
def open_review(request: HttpRequest, case_id: int, payload: ReviewersIn) -> Status:
    review = services.open_trial_review(
        actor=_actor(request), case_id=case_id, reviewer_ids=payload.reviewer_ids, request=request
    )
    return Status(201, _step(request, case_id, review))


@router.post("/{case_id}/opinion", response=CaseStepOut)
def conclude_review(request: HttpRequest, case_id: int, payload: OpinionIn) -> dict[str, Any]:
    review = services.conclude_review(actor=_actor(request), case_id=case_id, opinion=payload.opinion, request=request)
    return _step(request, case_id, review)


@router.post("/{case_id}/returns", response={201: CaseStepOut})
def request_return(request: HttpRequest, case_id: int, payload: ReturnIn) -> Status:
    row = services.request_return(actor=_actor(request), case_id=case_id, request=request, **payload.dict())
    return Status(201, _step(request, case_id, row))


@router.post("/{case_id}/decisions", response={201: CaseStepOut})
def propose_decision(request: HttpRequest, case_id: int, payload: CaseDecisionIn) -> Status:
    decision = services.propose_decision(
        actor=_actor(request), case_id=case_id, data=services.DecisionInput(**payload.dict()), request=request
    )
    return Status(201, _step(request, case_id, decision))


@router.post("/{case_id}/announcement", response=CaseStepOut)
def announce(request: HttpRequest, case_id: int, payload: AnnounceIn) -> dict[str, Any]:
    row = services.announce_decision(actor=_actor(request), case_id=case_id, request=request, **payload.dict())
    return _step(request, case_id, row)


@router.post("/{case_id}/execution", response=CaseStepOut)
def execute(request: HttpRequest, case_id: int, payload: ExecuteIn) -> dict[str, Any]:
    row = services.record_execution(actor=_actor(request), case_id=case_id, request=request, **payload.dict())
    return _step(request, case_id, row)


@router.post("/{case_id}/appeals", response={201: CaseStepOut})
def file_appeal(request: HttpRequest, case_id: int, payload: AppealIn) -> Status:
    row = services.file_appeal(actor=_actor(request), case_id=case_id, request=request, **payload.dict())
    return Status(201, _step(request, case_id, row))


@router.post("/appeals/{appeal_id}/decision", response=CaseStepOut)
def decide_appeal(request: HttpRequest, appeal_id: int, payload: AppealDecisionIn) -> dict[str, Any]:
    row = services.decide_appeal(actor=_actor(request), appeal_id=appeal_id, request=request, **payload.dict())
    return _step(request, row.case_id, row)


@router.post("/{case_id}/archive", response=CaseStepOut)
def archive(request: HttpRequest, case_id: int) -> dict[str, Any]:
    services.archive_case(actor=_actor(request), case_id=case_id, request=request)
    return _step(request, case_id)
