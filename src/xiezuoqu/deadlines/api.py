"""The deadlines API: the same scope, order and services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for

from . import services
from .selectors import PAGE_SIZE, Page, Row, overdue_list, work_queue

router = Router(tags=["deadlines"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SlipOut(Schema):
    id: int
    number: str
    state: str
    issued_on: date
    download_url: str


class DeadlineOut(Schema):
    id: int
    kind: str
    kind_label: str
    label: str
    target_type: str
    target_id: int
    target_label: str
    target_url: str
    start_date: date
    period_value: int
    period_unit: str
    due_date: date
    original_due_date: date
    state: str
    colour: str = Field(description="red（超期）/ yellow（临期预警）/ blue（正常）")
    colour_label: str
    remaining_working_days: int = Field(description="今天之后至到期日的工作日数；超期为负数")
    due_today: bool
    urgency_text: str
    responsible_unit_id: int | None
    responsible_unit_name: str
    zone_id: int | None
    zone_name: str
    due_provisional: bool = Field(
        description="到期日待定：计算用到尚未录入节假日安排的年份（按周末推算），录入该年后自动重算"
    )
    due_text: str = Field(description="到期日的显示文本；待定时为“约 2027-01-04（日历待确认）”")
    calendar_warning: bool = Field(description="已弃用：与 due_provisional 相同")
    warning_text: str
    extension_count: int
    extended_days: int
    overdue_since: date | None
    slip: SlipOut | None = None


class DeadlinePage(Schema):
    items: list[DeadlineOut]
    next_cursor: str | None = Field(None, description="下一页传入 after；为空表示没有更多")
    today: date


class PageQuery(Schema):
    after: str | None = Field(None, description="上一页返回的 next_cursor")
    limit: int = Field(PAGE_SIZE, ge=1, le=PAGE_SIZE)


class OverdueQuery(PageQuery):
    zone: int | None = Field(None, description="协作区 id")
    kind: str | None = Field(None, description="时限类别")
    unit: int | None = Field(None, description="责任单位 id")


class DeadlineExtensionIn(Schema):
    working_days: int | None = Field(None, description="延长的工作日数（与 months 二选一）")
    months: int | None = Field(None, description="延长的月数（与 working_days 二选一）")
    reason: str = Field(description="延期理由")


class ExtensionOut(Schema):
    id: int
    deadline_id: int
    amount: int
    unit: str
    reason: str
    state: str
    approval_request_id: int
    old_due: date | None
    new_due: date | None
    created_at: datetime


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _row_out(row: Row) -> dict[str, Any]:
    d = row.deadline
    slip = None
    if row.slip is not None:
        slip = {
            "id": row.slip.pk,
            "number": row.slip.number,
            "state": row.slip.state,
            "issued_on": row.slip.issued_on,
            "download_url": f"/api/v1/deadlines/slips/{row.slip.pk}.docx",
        }
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": row.kind_label,
        "label": d.label,
        "target_type": f"{d.target_type.app_label}.{d.target_type.model}",
        "target_id": d.target_id,
        "target_label": d.target_label,
        "target_url": row.target_url,
        "start_date": d.start_date,
        "period_value": d.period_value,
        "period_unit": d.period_unit,
        "due_date": d.due_date,
        "original_due_date": d.original_due_date,
        "state": d.state,
        "colour": row.urgency.colour.value,
        "colour_label": row.urgency.colour.label,
        "remaining_working_days": row.urgency.remaining,
        "due_today": row.urgency.due_today,
        "urgency_text": row.urgency.text,
        "responsible_unit_id": d.responsible_unit_id,
        "responsible_unit_name": d.responsible_unit.name if d.responsible_unit else "",
        "zone_id": d.zone_id,
        "zone_name": d.zone.name if d.zone else "",
        "due_provisional": d.due_provisional,
        "due_text": d.due_text,
        "calendar_warning": d.due_provisional,
        "warning_text": d.warning_text,
        "extension_count": d.extension_count,
        "extended_days": d.extended_days,
        "overdue_since": d.overdue_since,
        "slip": slip,
    }


def _page_out(page: Page) -> dict[str, Any]:
    return {"items": [_row_out(row) for row in page.rows], "next_cursor": page.next_cursor, "today": page.today}


@router.get("/queue", response=DeadlinePage, summary="我的待办时限（超期在前，按到期日排列）")
def queue(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    return _page_out(work_queue(_actor(request), after=query.after, limit=query.limit))


@router.get("/overdue", response=DeadlinePage, summary="超期督办清单")
def overdue(request: HttpRequest, query: Query[OverdueQuery]) -> dict[str, Any]:
    page = overdue_list(
        _actor(request), zone_id=query.zone, kind=query.kind, unit_id=query.unit, after=query.after, limit=query.limit
    )
    return _page_out(page)


@router.post("/{deadline_id}/extensions", response={201: ExtensionOut}, summary="申请延期")
def post_extension(request: HttpRequest, deadline_id: int, payload: DeadlineExtensionIn) -> Status:
    extension = services.request_extension(
        actor=_actor(request),
        deadline_id=deadline_id,
        reason=payload.reason,
        working_days=payload.working_days,
        months=payload.months,
        request=request,
    )
    return Status(201, extension)


@router.get("/slips/{slip_id}.docx", summary="下载督办单（.docx）", response={200: None})
def slip_docx(request: HttpRequest, slip_id: int) -> HttpResponse:
    filename, content = services.download_slip(actor=_actor(request), slip_id=slip_id, request=request)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
