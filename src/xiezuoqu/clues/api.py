"""The clue API: the same scope and the same services as the pages (ledger, detail, open, disposal)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound

from . import services
from .models import Clue
from .selectors import LedgerFilters, clue_subjects_visible_to, get_clue_for, ledger_page, view_clue

router = Router(tags=["clues"])

MAX_LIMIT = 100


class ClueOut(Schema):
    id: int
    ledger_number: str
    handling_unit: str
    source: str
    category: str
    summary: str
    received_on: date
    state: str
    state_label: str
    disposal_method: str
    subjects: list[str]


class LedgerOut(Schema):
    items: list[ClueOut]
    next_before: int | None


class ClueLedgerQuery(Schema):
    state: str = ""
    source: str = ""
    category: str = ""
    q: str = ""
    before: int | None = None
    limit: int = 50


class OpenIn(Schema):
    handling_unit_id: int
    source: str
    category: str
    summary: str
    content: str = ""
    source_note: str = ""
    received_on: date | None = None
    report_ids: list[int] = []


class DisposalIn(Schema):
    method: str
    reason: str
    review_on: date | None = None
    propose_clearing: bool = False


class SubjectIn(Schema):
    subject_id: int | None = None
    name: str = ""
    unit_text: str = ""
    position: str = ""
    rank: str = "other"
    is_party_member: bool = True
    supervision_category: str = "civil_servant"
    is_village_cadre: bool = False
    id_number: str = ""
    accused_ids: list[int] = []


class InquiryIn(Schema):
    mode: str
    started_on: date
    officers: str = ""


class ReplyIn(Schema):
    replied_on: date
    summary: str
    countersigned: bool


class ConcludeIn(Schema):
    outcome: str
    note: str
    concluded_on: date | None = None
    clearing_letter: bool = False


class NoteIn(Schema):
    note: str


class ReportsIn(Schema):
    report_ids: list[int]


class AnalysisIn(Schema):
    held_on: date
    doubts: str
    direction: str
    difficulties: str = ""
    participant_ids: list[int]


class DoneOut(Schema):
    id: int
    state: str
    state_label: str


def _done(clue_id: int, request: HttpRequest) -> DoneOut:
    clue = get_clue_for(_actor(request), clue_id)
    return DoneOut(id=clue.pk, state=clue.state, state_label=clue.get_state_display())


def _out(clue: Clue, subjects: list[str]) -> ClueOut:
    return ClueOut(
        id=clue.pk,
        ledger_number=clue.ledger_number,
        handling_unit=clue.handling_unit.name,
        source=clue.source,
        category=clue.category,
        summary=clue.summary,
        received_on=clue.received_on,
        state=clue.state,
        state_label=clue.get_state_display(),
        disposal_method=clue.disposal_method,
        subjects=subjects,
    )


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


@router.get("/", response=LedgerOut)
def list_clues(request: HttpRequest, query: Query[ClueLedgerQuery]) -> LedgerOut:
    actor = _actor(request)
    filters = LedgerFilters(state=query.state, source=query.source, category=query.category, q=query.q[:50])
    rows, next_before = ledger_page(actor, filters, before=query.before, limit=max(1, min(query.limit, MAX_LIMIT)))
    return LedgerOut(
        items=[_out(c, [link.subject.name for link in c.subject_links.all()]) for c in rows], next_before=next_before
    )


@router.get("/{clue_id}", response=ClueOut)
def get_clue(request: HttpRequest, clue_id: int) -> ClueOut:
    actor = _actor(request)
    with transaction.atomic():
        clue = view_clue(actor, clue_id, request=request)
    names = list(clue_subjects_visible_to(actor).filter(clue=clue).values_list("subject__name", flat=True))
    return _out(clue, names)


@router.post("/", response={201: ClueOut})
def open_clue(request: HttpRequest, payload: OpenIn) -> Status:
    actor = _actor(request)
    clue = services.open_clue(actor=actor, data=services.ClueInput(**payload.dict()), request=request)
    return Status(201, _out(clue, []))


@router.post("/{clue_id}/analysis", response=ClueOut)
def start_analysis(request: HttpRequest, clue_id: int) -> ClueOut:
    actor = _actor(request)
    clue = services.start_analysis(actor=actor, clue_id=clue_id, request=request)
    return _out(clue, [])


@router.post("/{clue_id}/disposal", response={201: dict})
def propose_disposal(request: HttpRequest, clue_id: int, payload: DisposalIn) -> Status:
    actor = _actor(request)
    disposal = services.propose_disposal(actor=actor, clue_id=clue_id, request=request, **payload.dict())
    return Status(201, {"id": disposal.pk, "approval": disposal.approval_id, "state": disposal.state})


@router.post("/{clue_id}/reports", response=DoneOut)
def join_reports(request: HttpRequest, clue_id: int, payload: ReportsIn) -> DoneOut:
    services.join_reports(actor=_actor(request), clue_id=clue_id, report_ids=payload.report_ids, request=request)
    return _done(clue_id, request)


@router.post("/{clue_id}/subjects", response={201: dict})
def add_subject(request: HttpRequest, clue_id: int, payload: SubjectIn) -> Status:
    data = payload.dict()
    subject_id, accused_ids = data.pop("subject_id"), data.pop("accused_ids")
    subject = services.add_subject(
        actor=_actor(request),
        clue_id=clue_id,
        subject_id=subject_id,
        data=None if subject_id else services.SubjectInput(**data),
        accused_ids=accused_ids,
        request=request,
    )
    return Status(201, {"id": subject.pk, "name": subject.name})


@router.post("/{clue_id}/analyses", response={201: dict})
def record_analysis(request: HttpRequest, clue_id: int, payload: AnalysisIn) -> Status:
    record = services.record_analysis(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return Status(201, {"id": record.pk})


@router.post("/{clue_id}/inquiries", response=DoneOut)
def start_inquiry(request: HttpRequest, clue_id: int, payload: InquiryIn) -> DoneOut:
    services.start_inquiry(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return _done(clue_id, request)


@router.post("/{clue_id}/inquiries/reply", response=DoneOut)
def record_reply(request: HttpRequest, clue_id: int, payload: ReplyIn) -> DoneOut:
    services.record_reply(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return _done(clue_id, request)


@router.post("/{clue_id}/inquiries/conclusion", response=DoneOut)
def conclude_inquiry(request: HttpRequest, clue_id: int, payload: ConcludeIn) -> DoneOut:
    services.conclude_inquiry(actor=_actor(request), clue_id=clue_id, request=request, **payload.dict())
    return _done(clue_id, request)


@router.post("/{clue_id}/review", response=DoneOut)
def review_held(request: HttpRequest, clue_id: int, payload: NoteIn) -> DoneOut:
    services.review_held(actor=_actor(request), clue_id=clue_id, note=payload.note, request=request)
    return _done(clue_id, request)


class SubjectEditIn(Schema):
    name: str
    unit_text: str = ""
    position: str = ""
    rank: str = "other"
    is_party_member: bool = True
    supervision_category: str = "civil_servant"
    is_village_cadre: bool = False
    township_id: int | None = None
    village_id: int | None = None
    id_number: str = Field("", description="留空则保留原号码；填写则更正（加密存储）")


@router.put("/subjects/{subject_id}", response=dict)
def update_subject(request: HttpRequest, subject_id: int, payload: SubjectEditIn) -> dict[str, object]:
    """更正被反映人信息: the whole entry (an empty id_number keeps the one on record)."""
    subject = services.update_subject(
        actor=_actor(request), subject_id=subject_id, data=services.SubjectInput(**payload.dict()), request=request
    )
    return {
        "id": subject.pk,
        "name": subject.name,
        "township_id": subject.township_id,
        "village_id": subject.village_id,
    }
