"""The intake API: the same scope and the same services as the pages (list, detail, register, route)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound, ValidationFailed

from . import exports, services
from .models import Category, Channel, Report
from .selectors import (
    LedgerFilters,
    decisions_visible_to,
    duplicate_candidates,
    ledger_page,
    messages_visible_to,
    notifications_visible_to,
    received_queue,
    reveal_identity,
    staff_reports,
    view_report,
)
from .workflow import Action, State

router = Router(tags=["intake"])

MAX_LIMIT = 100


# --- schemas -----------------------------------------------------------------------------------------


class AccusedOut(Schema):
    name: str
    unit_text: str
    position: str
    township_id: int | None
    village_id: int | None


class ReportOut(Schema):
    id: int
    ledger_number: str
    ledger_unit_id: int
    ledger_unit_name: str
    channel: str
    channel_label: str
    received_on: date
    registered_at: datetime | None
    state: str
    state_label: str
    category: str
    category_label: str
    summary: str
    reporter: str = Field(description="实名 / 匿名：举报人身份不经此接口提供")
    handling_unit_id: int | None
    handling_unit_name: str
    zone_id: int | None
    accused: list[AccusedOut]


class IntakeDecisionOut(Schema):
    id: int
    kind: str
    kind_label: str
    ground: str
    target_unit_id: int | None
    target_commission_id: int | None
    target_agency: str
    repeat_of_id: int | None
    reason: str
    rule: str
    decided_by_id: int
    decided_at: datetime
    due_on: date | None
    due_provisional: bool = Field(description="办理时限计入了尚未录入节假日安排的年份：暂定，录入后重算")
    sent_on: date | None
    sent_via: str
    document_no: str
    forwarded_report_id: int | None


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str
    method: str
    author_id: int | None
    reply_to_id: int | None
    created_at: datetime


class ReportDetailOut(ReportOut):
    content: str
    township_id: int | None
    village_id: int | None
    routing_unit_id: int | None
    repeat_of_id: int | None
    concerns_head: bool
    reporter_reference: str
    accepted_on: date | None
    concluded_on: date | None
    result: str
    decisions: list[IntakeDecisionOut]
    messages: list[MessageOut]


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: int | None = Field(None, description="下一页传入 cursor；为空表示没有更多")


class ReportLedgerQuery(Schema):
    state: str = ""
    channel: str = ""
    category: str = ""
    unit: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = Field("", description="摘要、内容、编号检索")
    real_name: str = Field("", description="yes / no")
    cursor: int | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


NOT_HEAD_CONFIRMED = (
    "已核实被反映人不是本级纪委监委主要负责人。被反映人可能是主要负责人而无法确定时，"
    "须二选一：concerns_head（是，直接报送上一级）或本项（不是）"
)


class AccusedIn(Schema):
    name: str
    unit_text: str = ""
    position: str = ""


class IdentityIn(Schema):
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    work_unit: str = ""


class RegisterIn(Schema):
    unit_id: int | None = Field(None, description="登记单位（多个单位的登记员须指定）")
    channel: str = Field(description="、".join(Channel.values))
    received_on: date
    summary: str
    content: str
    category: str = Field(description="、".join(Category.values))
    township_id: int | None = None
    village_id: int | None = None
    is_real_name: bool = False
    identity: IdentityIn | None = None
    accused: list[AccusedIn] = []
    concerns_head: bool = False
    not_head_confirmed: bool = Field(False, description=NOT_HEAD_CONFIRMED)


class RegisterReceivedIn(Schema):
    summary: str | None = None
    category: str | None = None
    township_id: int | None = None
    village_id: int | None = None
    concerns_head: bool = False
    not_head_confirmed: bool = Field(False, description=NOT_HEAD_CONFIRMED)


class RouteIn(Schema):
    action: str = Field(
        description="accept / not_accept / forward_up / forward_sent / forward_down / forward_lower / transfer / "
        "mark_repeat / assign / conclude / archive"
    )
    reason: str = ""
    ground: str = Field("", description="不予受理情形：other_remedy / other_agency / no_substance")
    unit_id: int | None = Field(None, description="转下级、分办的单位；受理时可同时分办")
    commission_id: int | None = Field(None, description="转下级纪委监委（forward_lower）：本平台上的下一级纪委监委")
    agency: str = Field("", description="转其他机关的接收机关；报送上级、转下级纪委监委（对方不在平台）时的机关名称")
    original_id: int | None = Field(None, description="重复件的原件")
    result: str = ""
    concluded_on: date | None = None
    sent_via: str = ""
    document_no: str = ""
    sent_on: date | None = None


class MessageIn(Schema):
    kind: str = Field(description="acceptance_notice / feedback / question / answer / objection / objection_answer")
    text: str
    method: str = ""
    reply_to: int | None = None


class IdentityOut(Schema):
    report_id: int
    name: str
    phone: str
    id_number: str
    address: str
    work_unit: str
    via_grant_until: datetime | None


class IdentityRequestIn(Schema):
    reason: str


class IdentityRequestOut(Schema):
    approval_id: int
    state: str


class CandidateOut(Schema):
    report: ReportOut
    score: float
    text_score: float
    same_person: bool
    reasons: list[str]
    decision: str | None


class DuplicateIn(Schema):
    other_id: int
    decision: str = Field(description="confirmed / rejected")
    note: str = ""


class VillageReportIn(Schema):
    content: str
    category: str
    accused_name: str = ""
    accused_position: str = ""


class VillageReportOut(Schema):
    id: int
    received_on: date
    summary: str
    status: str


class NotificationOut(Schema):
    id: int
    report_id: int
    text: str
    created_at: datetime
    read_at: datetime | None


# --- helpers -----------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _staff(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


def _report_out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "ledger_number": report.ledger_number,
        "ledger_unit_id": report.ledger_unit_id,
        "ledger_unit_name": report.ledger_unit.name,
        "channel": report.channel,
        "channel_label": report.get_channel_display(),
        "received_on": report.received_on,
        "registered_at": report.registered_at,
        "state": report.state,
        "state_label": report.get_state_display(),
        "category": report.category,
        "category_label": report.get_category_display(),
        "summary": report.summary,
        "reporter": "实名" if report.is_real_name else "匿名",
        "handling_unit_id": report.handling_unit_id,
        "handling_unit_name": report.handling_unit.name if report.handling_unit else "",
        "zone_id": report.zone_id,
        "accused": [
            {
                "name": a.name,
                "unit_text": a.unit_text,
                "position": a.position,
                "township_id": a.township_id,
                "village_id": a.village_id,
            }
            for a in report.accused.all()
        ],
    }


def _detail_out(actor: Actor, report: Report) -> dict[str, Any]:
    body = _report_out(report)
    body.update(
        {
            "content": report.content,
            "township_id": report.township_id,
            "village_id": report.village_id,
            "routing_unit_id": report.routing_unit_id,
            "repeat_of_id": report.repeat_of_id,
            "concerns_head": report.concerns_head,
            "reporter_reference": report.reporter_reference if report.is_real_name else "",
            "accepted_on": report.accepted_on,
            "concluded_on": report.concluded_on,
            "result": report.result,
            "decisions": [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "kind_label": d.get_kind_display(),
                    "ground": d.ground,
                    "target_unit_id": d.target_unit_id,
                    "target_commission_id": d.target_commission_id,
                    "target_agency": d.target_agency,
                    "repeat_of_id": d.repeat_of_id,
                    "reason": d.reason,
                    "rule": d.rule,
                    "decided_by_id": d.decided_by_id,
                    "decided_at": d.decided_at,
                    "due_on": d.due_on,
                    "due_provisional": d.due_provisional,
                    "sent_on": d.sent_on,
                    "sent_via": d.sent_via,
                    "document_no": d.document_no,
                    "forwarded_report_id": d.forwarded_report_id,
                }
                for d in decisions_visible_to(actor).filter(report=report).order_by("id")
            ],
            "messages": [
                {
                    "id": m.pk,
                    "kind": m.kind,
                    "kind_label": m.get_kind_display(),
                    "text": m.text,
                    "method": m.method,
                    "author_id": m.author_id,
                    "reply_to_id": m.reply_to_id,
                    "created_at": m.created_at,
                }
                for m in messages_visible_to(actor).filter(report=report).order_by("id")
            ],
        }
    )
    return body


def _viewed(actor: Actor, report_id: int, request: HttpRequest) -> dict[str, Any]:
    with transaction.atomic():
        report = view_report(actor, report_id, request=request)
    return _detail_out(actor, report)


def _check_choice(value: str, allowed: list[str], name: str) -> None:
    if value and value not in allowed:
        raise ValidationFailed(f"{name}取值无效。", field_errors={name: [f"可选：{'、'.join(allowed)}"]})


# --- endpoints ---------------------------------------------------------------------------------------


@router.get("/reports", response=ReportPage, summary="信访台账")
def list_reports(request: HttpRequest, filters: Query[ReportLedgerQuery]) -> dict[str, Any]:
    """The ledger in the caller's scope, newest first, keyset-paginated by id (``cursor``)."""
    actor = _staff(request)
    _check_choice(filters.state, State.values, "state")
    _check_choice(filters.channel, Channel.values, "channel")
    _check_choice(filters.category, Category.values, "category")
    _check_choice(filters.real_name, ["yes", "no"], "real_name")
    ledger = LedgerFilters(
        state=filters.state,
        channel=filters.channel,
        category=filters.category,
        unit=filters.unit,
        received_from=filters.received_from,
        received_to=filters.received_to,
        q=filters.q[:100],
        real_name=filters.real_name,
    )
    rows, next_cursor = ledger_page(actor, ledger, before=filters.cursor, limit=filters.limit)
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="report.ledger_viewed",
                target_type="intake.report",
                detail={"filters": ledger.as_query(), "reports": [r.pk for r in rows], "api": True},
                request=request,
            )
    return {"items": [_report_out(r) for r in rows], "next_cursor": next_cursor}


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="检举控告件详情")
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _viewed(_staff(request), report_id, request)


@router.post("/reports", response={201: ReportDetailOut}, summary="登记检举控告件")
def register_report(request: HttpRequest, payload: RegisterIn) -> Status:
    actor = _staff(request)
    identity = services.IdentityInput(**payload.identity.dict()) if payload.identity else None
    data = services.ReportInput(
        channel=payload.channel,
        received_on=payload.received_on,
        summary=payload.summary,
        content=payload.content,
        category=payload.category,
        township_id=payload.township_id,
        village_id=payload.village_id,
        is_real_name=payload.is_real_name,
        identity=identity,
        accused=[
            services.AccusedInput(a.name, a.unit_text, a.position, payload.township_id, payload.village_id)
            for a in payload.accused
        ],
        concerns_head=payload.concerns_head,
        not_head_confirmed=payload.not_head_confirmed,
    )
    report = services.register_report(actor=actor, data=data, unit_id=payload.unit_id, request=request)
    return Status(201, _viewed(actor, report.pk, request))


@router.get("/received", response=list[ReportOut], summary="待登记")
def list_received(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _staff(request)
    rows = received_queue(actor).select_related("ledger_unit", "handling_unit").prefetch_related("accused")[:200]
    return [_report_out(r) for r in rows]


@router.post("/reports/{report_id}/register", response=ReportDetailOut, summary="登记待登记件")
def register_received(request: HttpRequest, report_id: int, payload: RegisterReceivedIn) -> dict[str, Any]:
    actor = _staff(request)
    services.register_received_report(actor=actor, report_id=report_id, request=request, **payload.dict())
    return _viewed(actor, report_id, request)


@router.post("/reports/{report_id}/route", response=ReportDetailOut, summary="受理归口、分办、办结、归档")
def route_report(request: HttpRequest, report_id: int, payload: RouteIn) -> dict[str, Any]:
    actor = _staff(request)
    common: dict[str, Any] = {"actor": actor, "report_id": report_id, "request": request}
    action = payload.action
    if action == Action.ACCEPT:
        services.accept_report(reason=payload.reason, handling_unit_id=payload.unit_id, **common)
    elif action == Action.NOT_ACCEPT:
        services.not_accept_report(ground=payload.ground, reason=payload.reason, **common)
    elif action == Action.FORWARD_UP:
        services.forward_report_up(reason=payload.reason, target_agency=payload.agency, **common)
    elif action == "forward_sent":
        services.record_forward_sent(
            sent_via=payload.sent_via, document_no=payload.document_no, sent_on=payload.sent_on, **common
        )
    elif action == Action.FORWARD_DOWN:
        services.forward_report_down(unit_id=payload.unit_id, reason=payload.reason, **common)
    elif action == Action.FORWARD_LOWER:
        services.forward_report_to_lower_commission(
            reason=payload.reason,
            commission_id=payload.commission_id,
            agency=payload.agency,
            sent_via=payload.sent_via,
            document_no=payload.document_no,
            **common,
        )
    elif action == Action.TRANSFER:
        services.transfer_report(agency=payload.agency, reason=payload.reason, **common)
    elif action == Action.MARK_REPEAT:
        services.mark_repeat(original_id=payload.original_id, reason=payload.reason, **common)
    elif action == Action.ASSIGN:
        services.assign_report(unit_id=payload.unit_id, reason=payload.reason, **common)
    elif action == Action.CONCLUDE:
        services.conclude_report(result=payload.result, concluded_on=payload.concluded_on, **common)
    elif action == Action.ARCHIVE:
        services.archive_report(**common)
    else:
        raise ValidationFailed("未知的办理操作。", field_errors={"action": ["请按说明填写 action。"]})
    return _viewed(actor, report_id, request)


@router.post("/reports/{report_id}/messages", response={201: MessageOut}, summary="与举报人往来")
def post_message(request: HttpRequest, report_id: int, payload: MessageIn) -> Status:
    actor = _staff(request)
    kind = payload.kind
    if kind == "acceptance_notice":
        message = services.record_acceptance_notice(
            actor=actor, report_id=report_id, text=payload.text, method=payload.method, request=request
        )
    elif kind == "feedback":
        message = services.give_feedback(
            actor=actor, report_id=report_id, text=payload.text, method=payload.method, request=request
        )
    elif kind == "question":
        message = services.ask_reporter(actor=actor, report_id=report_id, text=payload.text, request=request)
    elif kind == "objection":
        message = services.record_objection(actor=actor, report_id=report_id, text=payload.text, request=request)
    elif kind in ("objection_answer", "answer"):
        reply = messages_visible_to(actor).filter(pk=payload.reply_to or 0, report_id=report_id).first()
        if reply is None:
            raise NotFound()
        if kind == "answer":
            message = services.record_reporter_answer(
                actor=actor, question_id=reply.pk, text=payload.text, request=request
            )
        else:
            message = services.answer_objection(
                actor=actor, message_id=reply.pk, text=payload.text, method=payload.method, request=request
            )
    else:
        raise ValidationFailed("未知的往来类别。", field_errors={"kind": ["请按说明填写 kind。"]})
    return Status(
        201,
        {
            "id": message.pk,
            "kind": message.kind,
            "kind_label": message.get_kind_display(),
            "text": message.text,
            "method": message.method,
            "author_id": message.author_id,
            "reply_to_id": message.reply_to_id,
            "created_at": message.created_at,
        },
    )


@router.get("/reports/{report_id}/identity", response=IdentityOut, summary="查看举报人身份（记入审计）")
def get_identity(request: HttpRequest, report_id: int) -> dict[str, Any]:
    actor = _staff(request)
    with transaction.atomic():
        revealed = reveal_identity(actor, report_id, request=request)
    return revealed.__dict__


@router.post("/reports/{report_id}/identity-requests", response={201: IdentityRequestOut}, summary="申请查阅举报人身份")
def post_identity_request(request: HttpRequest, report_id: int, payload: IdentityRequestIn) -> Status:
    actor = _staff(request)
    approval = services.request_identity(actor=actor, report_id=report_id, reason=payload.reason, request=request)
    return Status(201, {"approval_id": approval.pk, "state": approval.state})


@router.get("/reports/{report_id}/forward-package", summary="转办材料（下级机关不在本平台）")
def get_forward_package(request: HttpRequest, report_id: int) -> HttpResponse:
    """The .zip of the 转办函 and the report's text for a lower commission not on the platform (audited)."""
    actor = _staff(request)
    name, content = exports.export_forward_package(actor, report_id, request=request)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.get("/reports/{report_id}/duplicates", response=list[CandidateOut], summary="疑似重复件")
def get_duplicates(request: HttpRequest, report_id: int) -> list[dict[str, Any]]:
    actor = _staff(request)
    with transaction.atomic():
        report = view_report(actor, report_id, request=request)
    candidates = duplicate_candidates(actor, report)
    related = {
        r.pk: r
        for r in staff_reports(actor)
        .filter(pk__in=[c.report.pk for c in candidates])
        .select_related("ledger_unit", "handling_unit")
        .prefetch_related("accused")
    }
    return [
        {
            "report": _report_out(related[c.report.pk]),
            "score": c.score,
            "text_score": c.text_score,
            "same_person": c.same_person,
            "reasons": list(c.reasons),
            "decision": c.decision,
        }
        for c in candidates
        if c.report.pk in related
    ]


@router.post("/reports/{report_id}/duplicates", response=ReportDetailOut, summary="确认或排除重复件")
def post_duplicate(request: HttpRequest, report_id: int, payload: DuplicateIn) -> dict[str, Any]:
    actor = _staff(request)
    services.decide_duplicate(
        actor=actor,
        report_id=report_id,
        other_id=payload.other_id,
        decision=payload.decision,
        note=payload.note,
        request=request,
    )
    return _viewed(actor, report_id, request)


@router.post("/village-reports", response={201: VillageReportOut}, summary="村级监督员反映问题")
def post_village_report(request: HttpRequest, payload: VillageReportIn) -> Status:
    from .workflow import PUBLIC_STATUS

    actor = _actor(request)
    accused = []
    if payload.accused_name or payload.accused_position:
        accused = [services.AccusedInput(payload.accused_name or "不详", position=payload.accused_position)]
    report = services.submit_village_report(
        actor=actor, content=payload.content, category=payload.category, accused=accused, request=request
    )
    return Status(
        201,
        {
            "id": report.pk,
            "received_on": report.received_on,
            "summary": report.summary,
            "status": PUBLIC_STATUS[report.state],
        },
    )


@router.get("/notifications", response=list[NotificationOut], summary="信访通知")
def list_notifications(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    return [
        {"id": n.pk, "report_id": n.report_id, "text": n.text, "created_at": n.created_at, "read_at": n.read_at}
        for n in notifications_visible_to(actor).order_by("-id")[:100]
    ]
