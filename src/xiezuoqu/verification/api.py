"""The verification API: the same scope and the same services as the pages (plan, measures, evidence,
report and confirmations, the measure ledger). Missing and forbidden are both 404."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.clues.selectors import get_clue_for
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.public.files import download_name

from . import services
from .models import EvidenceItem, Measure, Verification
from .selectors import (
    TERM_FILTERS,
    MeasureFilters,
    confirmations_of,
    get_verification_for,
    inventory,
    is_stalled,
    may_see_measure_ledger,
    measure_ledger_page,
    measures_of,
    members_for,
    plans_visible_to,
    reports_visible_to,
    verification_page,
)

router = Router(tags=["verification"])

MAX_LIMIT = 100


class VerificationOut(Schema):
    id: int
    clue_id: int
    ledger_number: str
    round: int
    state: str
    state_label: str
    started_on: date | None
    concluded_on: date | None
    last_progress_at: datetime
    stalled: bool


class VerificationPage(Schema):
    items: list[VerificationOut]
    next_before: int | None


class PlanOut(Schema):
    scope: str
    points: str
    planned_measures: list[str]
    starts_on: date
    ends_on: date
    approval_note: str
    approval_id: int | None


class VerificationReportOut(Schema):
    facts: str
    basis: str
    doubts: str
    recommendation: str
    recommendation_label: str
    review_on: date | None
    approval_id: int | None
    is_final: bool
    confirmed_by: list[int]


class VerificationMemberOut(Schema):
    staff_id: int
    name: str
    role: str


class DetailOut(VerificationOut):
    plan: PlanOut | None
    report: VerificationReportOut | None
    team: list[VerificationMemberOut]


class MeasureOut(Schema):
    id: int
    clue_id: int
    ledger_number: str
    kind: str
    kind_label: str
    officer_ids: list[int]
    person_or_record: str
    starts_at: datetime
    ends_at: datetime
    place: str
    approval_reference: str
    record_document_id: int | None
    state: str
    # Time-limited measures (管护, 责令候查, 强制到案, 冻结): ends_at is the planned end.
    term_state: str = ""
    term_state_label: str = ""
    overdue: bool = False
    released_at: datetime | None = None
    converted_to: str = ""


class MeasurePage(Schema):
    items: list[MeasureOut]
    next_before: int | None


class EvidenceOut(Schema):
    id: int
    number: int
    title: str
    kind: str
    content_type: str
    size: int
    sha256: str
    sm3: str
    integrity: str
    collected_at: datetime


class PlanIn(Schema):
    scope: str
    points: str
    planned_measures: list[str]
    starts_on: date
    ends_on: date


class VerificationMeasureIn(Schema):
    kind: str
    officer_ids: list[int]
    person_or_record: str
    starts_at: datetime
    ends_at: datetime
    place: str
    approval_reference: str = ""
    record_document_id: int | None = None
    note: str = ""


class EvidenceIn(Schema):
    title: str
    kind: str
    description: str = ""
    source_measure_id: int | None = None
    as_record: bool = False


class VerificationReportIn(Schema):
    facts: str
    basis: str
    recommendation: str
    doubts: str = ""
    review_on: date | None = None


class ReviewIn(Schema):
    note: str = ""


class VerificationListQuery(Schema):
    state: str = ""
    stalled: bool = False
    before: int | None = None
    limit: int = 50


class VerificationLedgerQuery(Schema):
    kind: str = ""
    state: str = ""
    term: str = ""
    before: int | None = None
    limit: int = 50


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _out(v: Verification) -> VerificationOut:
    return VerificationOut(
        id=v.pk,
        clue_id=v.clue_id,
        ledger_number=v.clue.ledger_number,
        round=v.round,
        state=v.state,
        state_label=v.get_state_display(),
        started_on=v.started_on,
        concluded_on=v.concluded_on,
        last_progress_at=v.last_progress_at,
        stalled=is_stalled(v),
    )


def _measure(m: Measure) -> MeasureOut:
    return MeasureOut(
        id=m.pk,
        clue_id=m.clue_id,
        ledger_number=m.clue.ledger_number,
        kind=m.kind,
        kind_label=m.get_kind_display(),
        officer_ids=[o.pk for o in m.officers.all()],
        person_or_record=m.person_or_record,
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        place=m.place,
        approval_reference=m.approval_reference,
        record_document_id=m.record_document_id,
        state=m.state,
        term_state=m.term_state,
        term_state_label=m.term.state_label if m.term else "",
        overdue=bool(m.term and m.term.overdue),
        released_at=m.released_at,
        converted_to=m.converted_to,
    )


def _evidence(i: EvidenceItem) -> EvidenceOut:
    return EvidenceOut(
        id=i.pk,
        number=i.number,
        title=i.title,
        kind=i.kind,
        content_type=i.content_type,
        size=i.size,
        sha256=i.sha256,
        sm3=i.sm3,
        integrity=i.integrity,
        collected_at=i.collected_at,
    )


def _detail(actor: Actor, v: Verification) -> DetailOut:
    plan = plans_visible_to(actor).filter(verification=v).first()
    report = reports_visible_to(actor).filter(verification=v).first()
    return DetailOut(
        **_out(v).dict(),
        plan=PlanOut(
            scope=plan.scope,
            points=plan.points,
            planned_measures=plan.planned_measures,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            approval_note=plan.approval_note,
            approval_id=plan.approval_id,
        )
        if plan
        else None,
        report=VerificationReportOut(
            facts=report.facts,
            basis=report.basis,
            doubts=report.doubts,
            recommendation=report.recommendation,
            recommendation_label=report.get_recommendation_display(),
            review_on=report.review_on,
            approval_id=report.approval_id,
            is_final=report.is_final,
            confirmed_by=[c.staff_id for c in confirmations_of(actor, report)],
        )
        if report
        else None,
        team=[
            VerificationMemberOut(staff_id=m.staff_id, name=m.staff.name, role=m.role) for m in members_for(v.clue_id)
        ],
    )


@router.get("/", response=VerificationPage)
def list_verifications(request: HttpRequest, query: Query[VerificationListQuery]) -> VerificationPage:
    actor = _actor(request)
    rows, next_before = verification_page(
        actor, state=query.state, stalled=query.stalled, before=query.before, limit=max(1, min(query.limit, MAX_LIMIT))
    )
    return VerificationPage(items=[_out(v) for v in rows], next_before=next_before)


@router.get("/measures", response=MeasurePage)
def measure_ledger(request: HttpRequest, query: Query[VerificationLedgerQuery]) -> MeasurePage:
    """措施使用台账 (案管 and the leadership)."""
    actor = _actor(request)
    if not may_see_measure_ledger(actor):
        raise NotFound()
    filters = MeasureFilters(
        kind=query.kind, state=query.state, term=query.term if query.term in dict(TERM_FILTERS) else ""
    )
    rows, next_before = measure_ledger_page(
        actor, filters, before=query.before, limit=max(1, min(query.limit, MAX_LIMIT))
    )
    return MeasurePage(items=[_measure(m) for m in rows], next_before=next_before)


@router.post("/measures/{measure_id}/review", response=MeasureOut)
def review_measure(request: HttpRequest, measure_id: int, payload: ReviewIn) -> MeasureOut:
    measure = services.review_measure(actor=_actor(request), measure_id=measure_id, note=payload.note, request=request)
    return _measure(measure)


@router.post("/clues/{clue_id}/plan", response={201: DetailOut})
def draft_plan(request: HttpRequest, clue_id: int, payload: PlanIn) -> Status:
    actor = _actor(request)
    verification = services.draft_plan(
        actor=actor, clue_id=clue_id, data=services.PlanInput(**payload.dict()), request=request
    )
    return Status(201, _detail(actor, get_verification_for(actor, verification.pk)))


@router.get("/clues/{clue_id}/evidence", response=list[EvidenceOut])
def evidence_inventory(request: HttpRequest, clue_id: int) -> list[EvidenceOut]:
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    return [_evidence(i) for i in inventory(actor, clue)]


@router.get("/evidence/{evidence_id}/download")
def download_evidence(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The file, after decrypting and re-hashing; a tampered file is a 409 problem (and on record)."""
    item, content = services.download_evidence(actor=_actor(request), evidence_id=evidence_id, request=request)
    response = HttpResponse(content, content_type=item.content_type)
    name = download_name(item.original_name, item.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/{verification_id}", response=DetailOut)
def get_verification(request: HttpRequest, verification_id: int) -> DetailOut:
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    with transaction.atomic():
        record_view(actor=actor, target=verification, request=request)
    return _detail(actor, verification)


@router.post("/{verification_id}/plan/submit", response=DetailOut)
def submit_plan(request: HttpRequest, verification_id: int) -> DetailOut:
    actor = _actor(request)
    services.submit_plan(actor=actor, verification_id=verification_id, request=request)
    return _detail(actor, get_verification_for(actor, verification_id))


@router.get("/{verification_id}/measures", response=list[MeasureOut])
def list_measures(request: HttpRequest, verification_id: int) -> list[MeasureOut]:
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    return [_measure(m) for m in measures_of(actor, verification.clue)]


@router.post("/{verification_id}/measures", response={201: MeasureOut})
def record_measure(request: HttpRequest, verification_id: int, payload: VerificationMeasureIn) -> Status:
    measure = services.record_measure(
        actor=_actor(request),
        verification_id=verification_id,
        data=services.MeasureInput(**payload.dict()),
        request=request,
    )
    return Status(201, _measure(measure))


@router.post("/{verification_id}/evidence", response={201: EvidenceOut})
def add_evidence(
    request: HttpRequest, verification_id: int, payload: Form[EvidenceIn], file: File[UploadedFile]
) -> Status:
    actor = _actor(request)
    if file.size is not None and file.size > services.MAX_EVIDENCE_SIZE:
        raise ValidationFailed("文件过大，不能入库。", field_errors={"file": ["文件过大。"]})
    item = services.add_evidence(
        actor=actor,
        verification_id=verification_id,
        data=services.EvidenceInput(file_name=file.name or "", data=file.read(), **payload.dict()),
        request=request,
    )
    return Status(201, _evidence(item))


@router.post("/{verification_id}/report", response=DetailOut)
def draft_report(request: HttpRequest, verification_id: int, payload: VerificationReportIn) -> DetailOut:
    actor = _actor(request)
    services.draft_report(
        actor=actor, verification_id=verification_id, data=services.ReportInput(**payload.dict()), request=request
    )
    return _detail(actor, get_verification_for(actor, verification_id))


@router.post("/{verification_id}/report/confirm", response=DetailOut)
def confirm_report(request: HttpRequest, verification_id: int) -> DetailOut:
    actor = _actor(request)
    services.confirm_report(actor=actor, verification_id=verification_id, request=request)
    return _detail(actor, get_verification_for(actor, verification_id))


@router.post("/{verification_id}/report/submit", response=DetailOut)
def submit_report(request: HttpRequest, verification_id: int) -> DetailOut:
    actor = _actor(request)
    services.submit_report(actor=actor, verification_id=verification_id, request=request)
    return _detail(actor, get_verification_for(actor, verification_id))
