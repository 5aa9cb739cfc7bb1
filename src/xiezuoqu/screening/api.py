"""The 大数据监督 API: imports and hits, through the same scope and services as the pages.

Money travels as a string with two decimals ("1234.50"), never as a JSON float; an ID number only as
its last four characters.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import NotFound, ValidationFailed

from . import selectors, services
from .models import Hit, HitState, ImportBatch, Payment, RuleCode

router = Router(tags=["screening"])
MAX_ID = 2**63 - 1


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not selectors.may_screen(actor):
        raise NotFound()
    return actor


class ScreeningBatchOut(Schema):
    id: int
    kind: str
    file_name: str
    sha256: str
    row_count: int
    total_amount: str
    imported_at: datetime
    hits_added: dict[str, int] = {}


class ScreeningRowOut(Schema):
    id: int
    batch_id: int
    line_no: int
    township: str
    village: str
    payee_name: str
    id_tail: str
    item: str
    amount: str
    paid_on: date
    period: str
    approver: str
    voucher: str


class ScreeningHitOut(Schema):
    id: int
    rule: str
    rule_name: str
    township_id: int
    village_id: int | None
    payee_name: str
    explanation: str
    row_count: int
    amount_total: str
    state: str
    dismissal_reason: str
    clue_id: int | None
    clue_number: str | None


class ScreeningHitDetailOut(ScreeningHitOut):
    rows: list[ScreeningRowOut]


class ScreeningHitFilters(Schema):
    state: str = ""
    rule: str = ""
    # Bounded ids (a number past BIGINT is refused with problem JSON, not an overflow in the database).
    township_id: int | None = Field(None, ge=1, le=MAX_ID)
    batch_id: int | None = Field(None, ge=1, le=MAX_ID)
    before_id: int | None = Field(None, ge=1, le=MAX_ID)


class HitDismissIn(Schema):
    reason: str


class HitReferIn(Schema):
    summary: str = ""
    handling_unit_id: int | None = Field(None, ge=1, le=MAX_ID)


def _batch_out(batch: ImportBatch, added: dict[str, int] | None = None) -> ScreeningBatchOut:
    return ScreeningBatchOut(
        id=batch.pk,
        kind=batch.kind,
        file_name=batch.file_name,
        sha256=batch.sha256,
        row_count=batch.row_count,
        total_amount=f"{batch.total_amount:.2f}",
        imported_at=batch.imported_at,
        hits_added=added or {},
    )


def _hit_out(actor: Actor, hit: Hit) -> dict[str, object]:
    """A hit; its clue's id and number only when the actor may open that clue."""
    clue = selectors.shown_clue(actor, hit)
    return {
        "id": hit.pk,
        "rule": hit.rule.code,
        "rule_name": hit.rule.name,
        "township_id": hit.township_id,
        "village_id": hit.village_id,
        "payee_name": hit.payee_name,
        "explanation": selectors.explanation_for(actor, hit),
        "row_count": hit.row_count,
        "amount_total": f"{hit.amount_total:.2f}",
        "state": hit.state,
        "dismissal_reason": hit.dismissal_reason,
        "clue_id": clue.pk if clue else None,
        "clue_number": clue.ledger_number if clue else None,
    }


def _row_out(row: Payment) -> ScreeningRowOut:
    return ScreeningRowOut(
        id=row.pk,
        batch_id=row.batch_id,
        line_no=row.line_no,
        township=row.township.name,
        village=row.village.name if row.village else "",
        payee_name=row.payee_name,
        id_tail=row.id_tail,
        item=row.item,
        amount=f"{row.amount:.2f}",
        paid_on=row.paid_on,
        period=row.period,
        approver=row.approver,
        voucher=row.voucher,
    )


@router.get("/imports", response=list[ScreeningBatchOut])
def list_imports(request: HttpRequest) -> list[ScreeningBatchOut]:
    return [_batch_out(b) for b in selectors.batch_list(_actor(request))]


@router.post("/imports", response={201: ScreeningBatchOut})
def create_import(request: HttpRequest, file: File[UploadedFile], kind: Form[str], mapping: Form[str] = "") -> Status:
    actor = _actor(request)
    services.check_file_size(file.name or "", file.size)
    result = services.import_payments(
        actor=actor, kind=kind, file_name=file.name or "", data=file.read(), mapping=mapping, request=request
    )
    return Status(201, _batch_out(result.batch, result.hits_added))


@router.get("/hits", response=list[ScreeningHitOut])
def list_hits(request: HttpRequest, filters: Query[ScreeningHitFilters]) -> list[dict[str, object]]:
    if filters.state and filters.state not in HitState.values:
        raise ValidationFailed("状态应为 " + "、".join(HitState.values) + "。", field_errors={"state": ["无效。"]})
    if filters.rule and filters.rule not in RuleCode.values:
        raise ValidationFailed("规则应为 " + "、".join(RuleCode.values) + "。", field_errors={"rule": ["无效。"]})
    actor = _actor(request)
    found = services.list_hits(actor=actor, request=request, **filters.dict())
    return [_hit_out(actor, h) for h in found]


@router.get("/hits/{hit_id}", response=ScreeningHitDetailOut)
def get_hit(request: HttpRequest, hit_id: int) -> dict[str, object]:
    actor = _actor(request)
    hit, rows = services.view_hit(actor=actor, hit_id=hit_id, request=request)
    return {**_hit_out(actor, hit), "rows": [_row_out(r) for r in rows]}


@router.post("/hits/{hit_id}/dismiss", response=ScreeningHitOut)
def dismiss(request: HttpRequest, hit_id: int, payload: HitDismissIn) -> dict[str, object]:
    actor = _actor(request)
    services.dismiss_hit(actor=actor, hit_id=hit_id, reason=payload.reason, request=request)
    return _hit_out(actor, selectors.get_hit_for(actor, hit_id))


@router.post("/hits/{hit_id}/refer", response={201: ScreeningHitOut})
def refer(request: HttpRequest, hit_id: int, payload: HitReferIn) -> Status:
    actor = _actor(request)
    services.refer_hit(
        actor=actor,
        hit_id=hit_id,
        summary=payload.summary,
        handling_unit_id=payload.handling_unit_id,
        request=request,
    )
    return Status(201, _hit_out(actor, selectors.get_hit_for(actor, hit_id)))
