"""Pages of intake: register, the ledger, a report's page with its routing actions, the received
queue, the village supervisor's form, notifications, the quarterly result report, ledger formats.

Thin: parse the request, call a selector or a service, render. Every read goes through the scope in
``selectors``; every write through ``services``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import REPORTER_IDENTITY_REQUEST
from xiezuoqu.approvals.selectors import live_request_for
from xiezuoqu.audit.refusals import record_refusal
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.kinds import kind_label, warn_days_for
from xiezuoqu.deadlines.selectors import DEADLINES
from xiezuoqu.deadlines.urgency import urgency
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.keys import as_key, is_key_text
from xiezuoqu.org.models import Commission, Unit
from xiezuoqu.org.selectors import UNITS, VILLAGES
from xiezuoqu.web.forms import require_staff, show_error
from xiezuoqu.workdays.selectors import work_calendar

from . import exports, services
from .forms import (
    AccusedFormSet,
    LedgerFilterForm,
    LedgerFormatForm,
    ReceivedRegistrationForm,
    RegistrationForm,
    VillageReportForm,
    accused_inputs,
)
from .models import IDENTITY_FIELDS, MessageKind, NotAcceptGround, NoticeMethod, Report
from .selectors import (
    HANDLER_ROLES,
    QUARTERLY,
    LedgerFilters,
    active_grant,
    decisions_visible_to,
    duplicate_candidates,
    formats_visible_to,
    holds_role_at,
    is_petition_office,
    is_registrar_of,
    ledger_page,
    may_archive,
    may_contact_reporter,
    may_handle,
    may_route,
    may_view_identity,
    messages_visible_to,
    notifications_visible_to,
    quarter_bounds,
    quarterly_results,
    received_queue,
    registrar_units,
    reveal_identity,
    staff_reports,
    unread_count,
    view_report,
    village_submissions,
)
from .workflow import PUBLIC_STATUS, STATE_TAGS, Action, State, allowed_actions

PAGE_SIZE = 50
ROUTING_ACTIONS = [
    Action.ACCEPT,
    Action.NOT_ACCEPT,
    Action.FORWARD_UP,
    Action.FORWARD_DOWN,
    Action.FORWARD_LOWER,
    Action.TRANSFER,
    Action.MARK_REPEAT,
    Action.ASSIGN,
]
HANDLING_KINDS = [
    Unit.Kind.TOWNSHIP_COMMITTEE,
    Unit.Kind.INSPECTION_OFFICE,
    Unit.Kind.DISPATCHED_GROUP,
    Unit.Kind.PETITION_OFFICE,
    Unit.Kind.CASE_MANAGEMENT_OFFICE,
    Unit.Kind.TRIAL_OFFICE,
    Unit.Kind.OTHER_OFFICE,
]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _townships(actor: Actor) -> Any:
    return UNITS.scope(actor).filter(kind=Unit.Kind.TOWNSHIP_COMMITTEE, is_active=True)


def _villages(actor: Actor) -> Any:
    return VILLAGES.scope(actor).order_by("township__sort_order", "township_id", "name")


# --- register ------------------------------------------------------------------------------------------


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """登记: the registrar's form (channel, reporter, accused, category, place)."""
    actor = actor_for(request.user)
    units = registrar_units(actor)
    if not units.exists():
        raise NotFound("只有单位指定的信访登记员可以登记检举控告件。")
    posted = request.method == "POST"
    form = RegistrationForm(
        request.POST if posted else None,
        units=units,
        townships=_townships(actor),
        villages=_villages(actor),
        initial={"unit": units.first()},
    )
    formset = AccusedFormSet(request.POST if posted else None, prefix="accused")
    if posted and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        township = data.get("township")
        village = data.get("village")
        accused = accused_inputs(
            formset,
            township.pk if township else (village.township_id if village else None),
            village.pk if village else None,
        )
        try:
            report = services.register_report(
                actor=actor,
                data=form.report_input(accused),
                unit_id=data["unit"].pk if data.get("unit") else None,
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"已登记，台账编号 {report.ledger_number}。请查看下方的疑似重复件。")
            return redirect("intake:detail", report_id=report.pk)
    return render(
        request,
        "intake/register.html",
        {"form": form, "formset": formset, "identity_keys": RegistrationForm.IDENTITY_KEYS},
    )


@login_required
def received(request: HttpRequest) -> HttpResponse:
    """待登记: public and village-supervisor reports waiting for this registrar."""
    actor = actor_for(request.user)
    if not actor.has(Role.REGISTRAR):
        raise NotFound()
    rows = list(received_queue(actor).select_related("ledger_unit", "village").prefetch_related("accused")[:200])
    return render(request, "intake/received.html", {"rows": rows})


@login_required
def register_received(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    report = view_report(actor, report_id, request=request)
    if report.state != State.RECEIVED:
        return redirect("intake:detail", report_id=report.pk)
    form = ReceivedRegistrationForm(
        request.POST if request.method == "POST" else None,
        townships=_townships(actor),
        villages=_villages(actor),
        initial={
            "summary": report.summary,
            "category": report.category,
            "township": report.township_id,
            "village": report.village_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.register_received_report(
                actor=actor,
                report_id=report.pk,
                summary=data["summary"],
                category=data["category"],
                township_id=data["township"].pk if data.get("township") else None,
                village_id=data["village"].pk if data.get("village") else None,
                concerns_head=bool(data.get("concerns_head")),
                not_head_confirmed=bool(data.get("not_head_confirmed")),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"已登记，台账编号 {report.ledger_number}。")
            return redirect("intake:detail", report_id=report.pk)
    return render(
        request,
        "intake/register_received.html",
        {"report": report, "form": form, "accused": list(report.accused.all())},
    )


# --- ledger --------------------------------------------------------------------------------------------


def _filters(actor: Actor, request: HttpRequest) -> tuple[LedgerFilterForm, LedgerFilters]:
    units = UNITS.scope(actor).filter(kind__in=HANDLING_KINDS, is_active=True)
    form = LedgerFilterForm(request.GET or None, units=units)
    filters = LedgerFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = LedgerFilters(
            state=data.get("state") or "",
            channel=data.get("channel") or "",
            category=data.get("category") or "",
            unit=data["unit"].pk if data.get("unit") else None,
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q") or "",
            real_name=data.get("real_name") or "",
        )
    return form, filters


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """信访台账: filters, text search, 50 rows a page by keyset (id descending), query count bounded."""
    actor = actor_for(request.user)
    require_staff(actor)
    form, filters = _filters(actor, request)
    rows, next_before = ledger_page(actor, filters, before=_int(request.GET.get("before")), limit=PAGE_SIZE)
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="report.ledger_viewed",
                target_type="intake.report",
                detail={"filters": filters.as_query(), "reports": [r.pk for r in rows]},
                request=request,
            )
    query = urlencode(filters.as_query())
    return render(
        request,
        "intake/ledger.html",
        {
            "form": form,
            "rows": [{"r": r, "tag": STATE_TAGS.get(r.state, ""), "accused": list(r.accused.all())} for r in rows],
            "next_before": next_before,
            "query": query,
            "is_registrar": actor.has(Role.REGISTRAR),
        },
    )


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    _, filters = _filters(actor, request)
    content = exports.export_ledger(actor, filters, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"xinfang-taizhang-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def forward_package(request: HttpRequest, report_id: int) -> HttpResponse:
    """转办材料 for a lower commission not on the platform: 转办函 + the report's text (audited)."""
    actor = actor_for(request.user)
    require_staff(actor)
    try:
        name, content = exports.export_forward_package(actor, report_id, request=request)
    except NotFound:
        raise
    except DomainError as exc:
        record_refusal(request, exc)
        messages.error(request, exc.message)
        return redirect("intake:detail", report_id=report_id)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- a report's page -----------------------------------------------------------------------------------


def _deadline_rows(actor: Actor, report: Report, message_ids: list[int]) -> list[dict[str, Any]]:
    report_type = ContentType.objects.get_for_model(Report)
    from .models import ReportMessage

    message_type = ContentType.objects.get_for_model(ReportMessage)
    rule = Q(target_type=report_type, target_id=report.pk)
    if message_ids:
        rule |= Q(target_type=message_type, target_id__in=message_ids)
    deadlines = list(DEADLINES.scope(actor).filter(rule).order_by("due_date", "id"))
    calendar = work_calendar()
    today = timezone.localdate()
    rows = []
    for deadline in deadlines:
        row: dict[str, Any] = {"d": deadline, "kind_label": kind_label(deadline.kind), "open": deadline.state == "open"}
        if deadline.state == "open":
            row["urgency"] = urgency(
                today=today,
                start=deadline.start_date,
                due=deadline.due_date,
                calendar=calendar,
                warn_days=warn_days_for(deadline.kind),
            )
        rows.append(row)
    return rows


def _action_list(actor: Actor, report: Report) -> list[str]:
    allowed = set(allowed_actions(report.state))
    actions = []
    if may_route(actor, report):
        actions += [a for a in ROUTING_ACTIONS if a in allowed]
    if Action.CONCLUDE in allowed and may_handle(actor, report):
        actions.append(Action.CONCLUDE)
    if Action.ARCHIVE in allowed and may_archive(actor, report):
        actions.append(Action.ARCHIVE)
    return [str(a) for a in actions]


def _detail_context(actor: Actor, report: Report) -> dict[str, Any]:
    accused = list(report.accused.all())
    msgs = list(messages_visible_to(actor).filter(report=report).select_related("author").order_by("id"))
    answered = {m.reply_to_id for m in msgs if m.kind == MessageKind.OBJECTION_ANSWER}
    open_objections = [m for m in msgs if m.kind == MessageKind.OBJECTION and m.pk not in answered]
    questions = [m for m in msgs if m.kind == MessageKind.QUESTION]
    decisions = list(
        decisions_visible_to(actor)
        .filter(report=report)
        .select_related("decided_by", "target_unit", "target_commission", "repeat_of")
        .order_by("id")
    )
    actions = _action_list(actor, report)
    petition = is_petition_office(actor)
    grant = None if petition else active_grant(actor, report)
    live = live_request_for(matter_type=REPORTER_IDENTITY_REQUEST.slug, target=report) if report.is_real_name else None
    can_route = may_route(actor, report)
    show_candidates = can_route or is_registrar_of(actor, report.ledger_unit_id)
    commission = Commission.objects.select_related("parent").get(pk=report.commission_id)
    forward_up = next((d for d in reversed(decisions) if d.kind == Action.FORWARD_UP), None)
    units = UNITS.scope(actor).filter(commission_id=report.commission_id, kind__in=HANDLING_KINDS, is_active=True)
    contact = may_contact_reporter(actor, report)
    reachable = report.is_real_name or bool(report.receipt_digest)
    return {
        "report": report,
        "tag": STATE_TAGS.get(report.state, ""),
        "accused": accused,
        "messages_list": msgs,
        "open_objections": open_objections,
        "questions": questions,
        "decisions": decisions,
        "deadlines": _deadline_rows(actor, report, [m.pk for m in msgs if m.kind == MessageKind.OBJECTION]),
        "actions": actions,
        "grounds": NotAcceptGround.choices,
        "methods": NoticeMethod.choices,
        "handling_units": units,
        "lower_units": units.filter(kind__in=[Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.DISPATCHED_GROUP]).exclude(
            pk__in=[report.routing_unit_id or 0, report.ledger_unit_id]
        ),
        "assign_anywhere": petition,
        "parent_commission": commission.parent,
        "lower_commissions": services.lower_commissions(report) if Action.FORWARD_LOWER in actions else [],
        "forward_up": forward_up,
        "may_record_sent": report.state == State.FORWARDED_UP
        and can_route
        and forward_up is not None
        and forward_up.sent_on is None,
        "identity_visible": report.is_real_name and may_view_identity(actor, report),
        "identity_grant": grant,
        "identity_live_request": live,
        "can_request_identity": report.is_real_name
        and not petition
        and grant is None
        and live is None
        and not report.concerns_head,
        "identity_labels": IDENTITY_FIELDS,
        "candidates": duplicate_candidates(actor, report) if show_candidates else [],
        "can_decide_candidates": show_candidates,
        "contact": contact and reachable,
        "can_notice": contact
        and reachable
        and report.state not in (State.RECEIVED, State.REGISTERED)
        and not any(m.kind == MessageKind.ACCEPTANCE_NOTICE for m in msgs),
        "can_feedback": contact and reachable and report.state == State.CONCLUDED,
        "public_status": PUBLIC_STATUS.get(report.state, ""),
    }


@login_required
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        report = view_report(actor, report_id, request=request)
    return render(request, "intake/detail.html", _detail_context(actor, report))


def _run(request: HttpRequest, report_id: int, success: str, action: Any) -> HttpResponse:
    """Call a service; a refusal is shown on the report's page (recorded when it names an action)."""
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        record_refusal(request, exc)
        details = [m for msgs in exc.field_errors.values() for m in msgs]
        messages.error(request, exc.message + ("（" + "；".join(details) + "）" if details else ""))
    else:
        messages.success(request, success)
    return redirect("intake:detail", report_id=report_id)


def _original_id(actor: Actor, text: str) -> int:
    """The earlier report a 重复件 points at, by its ledger number (or id), within the actor's scope."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写原件的台账编号。", field_errors={"original": ["请填写原件编号。"]})
    rule = Q(ledger_number=text)
    if is_key_text(text):
        rule |= Q(pk=int(text))
    found = staff_reports(actor).filter(rule).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed("没有找到该编号的件，或不在您的查看范围内。", field_errors={"original": ["未找到。"]})
    return int(found)


@login_required
@require_POST
def route(request: HttpRequest, report_id: int) -> HttpResponse:
    """One endpoint for the routing actions; ``action`` names the service."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    common: dict[str, Any] = {"actor": actor, "report_id": report_id, "request": request}
    calls: dict[str, tuple[str, Any]] = {
        Action.ACCEPT: (
            "已受理。",
            lambda: services.accept_report(
                reason=post.get("reason", ""), handling_unit_id=post.get("unit") or None, **common
            ),
        ),
        Action.NOT_ACCEPT: (
            "已作出不予受理决定。",
            lambda: services.not_accept_report(ground=post.get("ground", ""), reason=post.get("reason", ""), **common),
        ),
        Action.FORWARD_UP: (
            "已决定报送上级，请在时限内登记报送情况。",
            lambda: services.forward_report_up(
                reason=post.get("reason", ""), target_agency=post.get("agency", ""), **common
            ),
        ),
        Action.FORWARD_DOWN: (
            "已转下级办理。",
            lambda: services.forward_report_down(unit_id=post.get("unit"), reason=post.get("reason", ""), **common),
        ),
        Action.FORWARD_LOWER: (
            "已转下级纪委监委办理。",
            lambda: services.forward_report_to_lower_commission(
                reason=post.get("reason", ""),
                commission_id=post.get("commission") or None,
                agency=post.get("agency", ""),
                sent_via=post.get("sent_via", ""),
                document_no=post.get("document_no", ""),
                **common,
            ),
        ),
        Action.TRANSFER: (
            "已转其他机关。",
            lambda: services.transfer_report(agency=post.get("agency", ""), reason=post.get("reason", ""), **common),
        ),
        Action.MARK_REPEAT: (
            "已作为重复件存档。",
            lambda: services.mark_repeat(
                original_id=_original_id(actor, post.get("original", "")), reason=post.get("reason", ""), **common
            ),
        ),
        Action.ASSIGN: (
            "已分办。",
            lambda: services.assign_report(unit_id=post.get("unit"), reason=post.get("reason", ""), **common),
        ),
        Action.CONCLUDE: (
            "已办结。",
            lambda: services.conclude_report(
                result=post.get("result", ""),
                concluded_on=date.fromisoformat(post["concluded_on"]) if post.get("concluded_on") else None,
                **common,
            ),
        ),
        Action.ARCHIVE: ("已归档。", lambda: services.archive_report(**common)),
        "forward_sent": (
            "已登记报送情况。",
            lambda: services.record_forward_sent(
                sent_via=post.get("sent_via", ""),
                document_no=post.get("document_no", ""),
                sent_on=date.fromisoformat(post["sent_on"]) if post.get("sent_on") else None,
                **common,
            ),
        ),
    }
    if action not in calls:
        raise NotFound()
    success, call = calls[action]
    try:
        return _run(request, report_id, success, call)
    except ValueError:
        messages.error(request, "日期格式有误。")
        return redirect("intake:detail", report_id=report_id)


@login_required
@require_POST
def message(request: HttpRequest, report_id: int) -> HttpResponse:
    """与举报人往来: acceptance notice, feedback, a question, an objection and its answer."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    text = post.get("text", "")
    method = post.get("method", "")
    reply_to = post.get("reply_to", "").strip() or None
    kind = post.get("kind", "")
    calls: dict[str, tuple[str, Any]] = {
        MessageKind.ACCEPTANCE_NOTICE: (
            "已记录受理情况告知。",
            lambda: services.record_acceptance_notice(
                actor=actor, report_id=report_id, text=text, method=method, request=request
            ),
        ),
        MessageKind.FEEDBACK: (
            "已记录办理结果反馈。",
            lambda: services.give_feedback(actor=actor, report_id=report_id, text=text, method=method, request=request),
        ),
        MessageKind.QUESTION: (
            "已向举报人提出询问。",
            lambda: services.ask_reporter(actor=actor, report_id=report_id, text=text, request=request),
        ),
        MessageKind.OBJECTION: (
            "已登记举报人异议，请在时限内答复。",
            lambda: services.record_objection(actor=actor, report_id=report_id, text=text, request=request),
        ),
        MessageKind.OBJECTION_ANSWER: (
            "已答复异议。",
            lambda: services.answer_objection(
                actor=actor, message_id=reply_to, text=text, method=method, request=request
            ),
        ),
        MessageKind.ANSWER: (
            "已记录举报人答复。",
            lambda: services.record_reporter_answer(actor=actor, question_id=reply_to, text=text, request=request),
        ),
    }
    if kind not in calls:
        raise NotFound()
    success, call = calls[kind]
    return _run(request, report_id, success, call)


@login_required
@require_POST
def identity(request: HttpRequest, report_id: int) -> HttpResponse:
    """查看举报人身份 (htmx partial): the petition office or a grant holder; every view recorded."""
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        revealed = reveal_identity(actor, report_id, request=request)
    rows = [(label, getattr(revealed, key)) for key, label in IDENTITY_FIELDS.items()]
    template = "intake/_identity.html" if request.headers.get("HX-Request") else "intake/identity_page.html"
    response = render(request, template, {"revealed": revealed, "rows": rows})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def identity_request(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    return _run(
        request,
        report_id,
        "已提交查阅申请，经纪委书记批准后可在有效期内查阅。",
        lambda: services.request_identity(
            actor=actor, report_id=report_id, reason=request.POST.get("reason", ""), request=request
        ),
    )


@login_required
@require_POST
def duplicate(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    decision = request.POST.get("decision", "")
    return _run(
        request,
        report_id,
        "已确认为重复件。" if decision == "confirmed" else "已记录：不是重复件。",
        lambda: services.decide_duplicate(
            actor=actor,
            report_id=report_id,
            other_id=request.POST.get("other", ""),
            decision=decision,
            note=request.POST.get("note", ""),
            request=request,
        ),
    )


# --- village supervisors -------------------------------------------------------------------------------


@login_required
def village(request: HttpRequest) -> HttpResponse:
    """我的监督: the village supervisor's mobile form and their own submissions in plain words."""
    actor = actor_for(request.user)
    if actor.village_supervisor_id is None:
        raise NotFound()
    form = VillageReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accused = []
        if data.get("accused_name") or data.get("accused_position"):
            accused = [
                services.AccusedInput(
                    name=data.get("accused_name") or "不详", position=data.get("accused_position") or ""
                )
            ]
        try:
            services.submit_village_report(
                actor=actor, content=data["content"], category=data["category"], accused=accused, request=request
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, "已提交，乡镇（街道）纪委登记员会尽快登记。感谢您的监督！")
            return redirect("intake:village")
    rows = [
        {"r": r, "status": PUBLIC_STATUS.get(r.state, "")}
        for r in village_submissions(actor).only("pk", "received_on", "summary", "state")[:50]
    ]
    return render(request, "intake/village.html", {"form": form, "rows": rows})


# --- notifications -------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    rows = list(notifications_visible_to(actor).select_related("report").order_by("-id")[:100])
    return render(request, "intake/notifications.html", {"rows": rows})


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header bell (htmx): the number of unread notifications, bounded."""
    actor = actor_for(request.user)
    return render(request, "intake/_bell.html", {"count": unread_count(actor)})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    ids = [k for v in request.POST.getlist("id") if (k := as_key(v)) is not None]
    services.mark_notifications_read(actor=actor, ids=ids or None)
    target = request.POST.get("next", "")
    if is_key_text(target):
        return redirect("intake:detail", report_id=int(target))
    return redirect("intake:notifications")


# --- quarterly result report ---------------------------------------------------------------------------


def _last_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def _quarter_args(request: HttpRequest) -> tuple[int, int, int | None]:
    default_year, default_quarter = _last_quarter(timezone.localdate())
    year = _int(request.GET.get("year") or request.POST.get("year")) or default_year
    quarter = _int(request.GET.get("quarter") or request.POST.get("quarter")) or default_quarter
    if not 2000 <= year <= 2999 or quarter not in (1, 2, 3, 4):
        year, quarter = default_year, default_quarter
    return year, quarter, _int(request.GET.get("unit"))


@login_required
def quarterly(request: HttpRequest) -> HttpResponse:
    """实名举报办理结果季度报送: concluded real-name reports of a quarter, per handling unit."""
    actor = actor_for(request.user)
    require_staff(actor)
    year, quarter, unit_id = _quarter_args(request)
    if request.method == "POST":
        try:
            services.submit_quarterly_report(
                actor=actor,
                unit_id=request.POST.get("unit", ""),
                year=year,
                quarter=quarter,
                note=request.POST.get("note", ""),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "已向信访室报送本季度实名举报办理结果。")
        return redirect(f"{request.path}?year={year}&quarter={quarter}")
    rows = list(quarterly_results(actor, year, quarter, unit_id))
    groups: dict[int, dict[str, Any]] = {}
    for report in rows:
        assert report.handling_unit is not None
        group = groups.setdefault(report.handling_unit_id or 0, {"unit": report.handling_unit, "reports": []})
        group["reports"].append(report)
    submissions = {
        row.handling_unit_id: row
        for row in QUARTERLY.scope(actor).filter(year=year, quarter=quarter).select_related("submitted_by")
    }
    start, end = quarter_bounds(year, quarter)
    my_units = [
        u for u in UNITS.scope(actor).filter(kind__in=HANDLING_KINDS) if holds_role_at(actor, u.pk, HANDLER_ROLES)
    ]
    return render(
        request,
        "intake/quarterly.html",
        {
            "year": year,
            "quarter": quarter,
            "start": start,
            "end": end,
            "groups": list(groups.values()),
            "submissions": submissions,
            "my_units": [{"unit": u, "submission": submissions.get(u.pk)} for u in my_units],
            "ended": timezone.localdate() > end,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        },
    )


@login_required
def quarterly_export(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    year, quarter, unit_id = _quarter_args(request)
    content = exports.export_quarterly(actor, year, quarter, unit_id, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="shiming-banli-{year}Q{quarter}.xlsx"'
    return response


# --- ledger formats ------------------------------------------------------------------------------------


@login_required
def formats(request: HttpRequest) -> HttpResponse:
    """台账编号格式: every unit's format and a sample number; the system administrator or the petition
    office changes one."""
    actor = actor_for(request.user)
    if not (actor.is_staff_worker or actor.has(Role.SYSTEM_ADMIN)):
        raise NotFound()
    units = UNITS.scope(actor).filter(is_active=True).select_related("commission")
    may_edit = actor.has(Role.SYSTEM_ADMIN, Role.PETITION_STAFF)
    form = LedgerFormatForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST":
        if not may_edit:
            raise NotFound()
        if form.is_valid():
            try:
                services.set_ledger_format(
                    actor=actor,
                    unit_id=form.cleaned_data["unit"].pk,
                    pattern=form.cleaned_data["pattern"],
                    request=request,
                )
            except DomainError as exc:
                show_error(request, exc, form)
            else:
                messages.success(request, "编号格式已保存，此后登记的件按新格式编号。")
                return redirect("intake:formats")
    custom = {f.unit_id: f.pattern for f in formats_visible_to(actor)}
    year = timezone.localdate().year
    rows = []
    for unit in units:
        pattern = custom.get(unit.pk) or services.default_pattern(unit)
        rows.append(
            {
                "unit": unit,
                "pattern": pattern,
                "custom": unit.pk in custom,
                "sample": services.format_number(pattern, commission=unit.commission, unit=unit, year=year, seq=1),
            }
        )
    return render(request, "intake/formats.html", {"rows": rows, "form": form, "may_edit": may_edit})
