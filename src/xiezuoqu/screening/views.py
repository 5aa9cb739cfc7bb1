"""Pages of 大数据监督: the import form and the batches, the rules and standards, the hits with their
filters, a hit with its rows and its actions, and the import template for download."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.org.models import Unit
from xiezuoqu.org.selectors import units_visible_to
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook
from xiezuoqu.web.forms import parse_id, show_error

from . import selectors, services
from .imports import REFERENCE_COLUMNS, TEMPLATE_COLUMNS, id_check_digit
from .models import HitState, MoneyKind, RuleCode

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not selectors.may_screen(actor):
        raise NotFound()
    return actor


def _upload(request: HttpRequest) -> tuple[str, bytes]:
    """The uploaded file's name and content; one over the size limit is refused before it is read."""
    upload = request.FILES.get("file")
    if upload is None:
        return "", b""
    services.check_file_size(upload.name or "", upload.size)
    return upload.name or "", upload.read()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    commission_id = actor.commission_id or 0
    return render(
        request,
        "screening/index.html",
        {
            "batches": selectors.batch_list(actor),
            "lists": selectors.reference_lists(actor),
            "rules": selectors.rules_shown(commission_id),
            "standards": selectors.standards_of(commission_id),
            "open_counts": selectors.open_counts(actor),
            "kinds": MoneyKind.choices,
            "columns": TEMPLATE_COLUMNS,
            "reference_columns": REFERENCE_COLUMNS,
            "may_import": selectors.may_import(actor),
            "may_configure": selectors.may_configure(actor),
            "row_errors": request.session.pop("screening_row_errors", []),
        },
    )


def _keep_row_errors(request: HttpRequest, exc: DomainError) -> None:
    rows = exc.field_errors.get("rows") or exc.field_errors.get("columns")
    if rows:
        request.session["screening_row_errors"] = [str(r) for r in rows][:200]


@login_required
@require_POST
def import_batch(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        name, data = _upload(request)
        result = services.import_payments(
            actor=actor,
            kind=request.POST.get("kind", ""),
            file_name=name,
            data=data,
            mapping=request.POST.get("mapping", ""),
            request=request,
        )
        added = sum(result.hits_added.values())
        messages.success(request, f"已导入{result.batch}，共 {result.batch.row_count} 笔；新发现疑点 {added} 条。")
    except DomainError as exc:
        _keep_row_errors(request, exc)
        show_error(request, exc)
    return redirect("screening:index")


@login_required
@require_POST
def import_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        name, data = _upload(request)
        found = services.import_reference_list(
            actor=actor, file_name=name, data=data, mapping=request.POST.get("mapping", ""), request=request
        )
        messages.success(request, f"已导入{found}，共 {found.row_count} 人。")
    except DomainError as exc:
        _keep_row_errors(request, exc)
        show_error(request, exc)
    return redirect("screening:index")


@login_required
@require_POST
def rule(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    try:
        found = services.set_rule(
            actor=actor,
            code=post.get("code", ""),
            enabled=post.get("enabled") == "on",
            threshold=post.get("threshold"),
            window_days=post.get("window_days"),
            min_count=post.get("min_count"),
            ratio=post.get("ratio"),
            request=request,
        )
        messages.success(request, f"已保存规则“{found.name}”。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("screening:index")


@login_required
@require_POST
def standard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    try:
        found = services.set_standard(
            actor=actor,
            kind=post.get("kind", ""),
            item=post.get("item", ""),
            max_amount=post.get("max_amount"),
            basis=post.get("basis", ""),
            request=request,
        )
        messages.success(request, f"已保存{found}。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("screening:index")


@login_required
@require_POST
def rerun(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        result = services.run_screening(actor=actor, request=request)
        messages.success(request, f"已重新筛查，新发现疑点 {sum(result.added.values())} 条。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("screening:index")


@login_required
def hits(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    get = request.GET
    state = get.get("state", HitState.OPEN)
    state = state if state in HitState.values or state == "all" else HitState.OPEN
    rule_code = get.get("rule", "")
    rule_code = rule_code if rule_code in RuleCode.values else ""
    filters = {
        "state": "" if state == "all" else state,
        "rule": rule_code,
        "township_id": parse_id(get.get("township")),
        "batch_id": parse_id(get.get("batch")),
        "before_id": parse_id(get.get("before")),
    }
    found = services.list_hits(actor=actor, request=request, **filters)
    query = {k: v for k, v in (("state", state), ("rule", rule_code), ("township", get.get("township", ""))) if v}
    return render(
        request,
        "screening/hits.html",
        {
            "hits": found,
            "state": state,
            "rule": rule_code,
            "township": filters["township_id"],
            "states": HitState.choices,
            "rules": RuleCode.choices,
            "townships": units_visible_to(actor)
            .filter(commission_id=actor.commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE)
            .order_by("sort_order", "id"),
            "next_before": found[-1].pk if len(found) == selectors.PAGE_SIZE else None,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
        },
    )


@login_required
def hit(request: HttpRequest, hit_id: int) -> HttpResponse:
    actor = _actor(request)
    found, rows = services.view_hit(actor=actor, hit_id=hit_id, request=request)
    return render(
        request,
        "screening/hit.html",
        {
            "hit": found,
            "explanation": selectors.explanation_for(actor, found),
            "clue": selectors.shown_clue(actor, found),
            "rows": rows,
            "may_act": selectors.may_act_on(actor, found) and found.state == HitState.OPEN,
            "S": HitState,
        },
    )


@login_required
@require_POST
def hit_act(request: HttpRequest, hit_id: int) -> HttpResponse:
    actor = _actor(request)
    action = request.POST.get("action", "")
    try:
        if action == "dismiss":
            services.dismiss_hit(actor=actor, hit_id=hit_id, reason=request.POST.get("reason", ""), request=request)
            messages.success(request, "已排除该疑点。")
        elif action == "refer":
            found = services.refer_hit(
                actor=actor, hit_id=hit_id, summary=request.POST.get("summary", ""), request=request
            )
            assert found.clue is not None
            messages.success(request, f"已转为问题线索 {found.clue.ledger_number}。")
        else:
            messages.error(request, "请选择要进行的操作。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect(reverse("screening:hit", args=[hit_id]))


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """导入模板: the template columns with a note row and one example row."""
    _actor(request)
    workbook, sheet = ledger_workbook(
        "资金发放数据",
        "大数据监督 资金发放数据导入模板（第 2 行为列名，自第 3 行起每行一笔）",
        [(c.header, 16) for c in TEMPLATE_COLUMNS],
    )
    sheet.delete_rows(1)  # the importer reads the first non-empty row as the header
    example_id = "21068219800101001" + id_check_digit("21068219800101001")
    sheet.append(
        [
            "宝山镇",
            "双山子村",
            "宝山镇双山子村股份经济合作社",
            "张某某",
            example_id,
            "耕地地力保护补贴",
            "1236.48",
            "2026-03-05",
            "2026年度",
            "李某",
            "HN00001",
        ]
    )
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明"])
    for column in TEMPLATE_COLUMNS:
        notes.append([column.header, "是" if column.required else "否", column.note])
    notes.append([])
    notes.append(["其他格式的表格可在导入页填写列名对应，如“收款人姓名=户主姓名”，每行一对。"])
    body = finish_workbook(workbook, sheet)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('大数据监督导入模板.xlsx')}"
    return response
