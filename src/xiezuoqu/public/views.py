"""Pages of the public reporting site (网络举报), and the staff download of a reporter's file.

The public pages use their own layout (``public/base.html``), no staff session and no messages
framework; a reporter's access after the receipt matched is the signed cookie of ``access``. Every
write goes through ``services``; every attempt is counted by ``ratelimit`` before any work is done.
Pages that show a receipt or a report are never cached.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import client_address, record_event, record_view
from xiezuoqu.errors import DomainError
from xiezuoqu.intake.services import find_report_by_receipt
from xiezuoqu.org.models import Commission

from . import access, ratelimit, services
from .files import (
    ACCEPTED_TEXT,
    MAX_FILE_SIZE,
    MAX_FILES,
    MAX_TOTAL_SIZE,
    IntegrityFailed,
    UploadLimitHandler,
    accept_uploads,
    download_name,
    read_verified,
)
from .forms import (
    CONTENT_MIN,
    MAX_ACCUSED,
    AccusedFormSet,
    BaseAccusedFormSet,
    FormRefused,
    MaterialForm,
    ReceiptForm,
    ReportForm,
    TextForm,
    issue_form_token,
    read_form_token,
)
from .selectors import (
    attachment_for_staff,
    reachable_report,
    reporter_view,
    serving_commission,
    serving_commissions,
    townships,
    villages,
)

WRONG_RECEIPT = "回执码不正确或不存在。"
EXPIRED = "查询已超时（回执码验证后 15 分钟内有效），请重新输入回执码。"
DONE = {
    "answer": "您的答复已提交。",
    "material": "补充材料已提交。",
    "objection": "您的异议已提交，我们将依规答复。",
}
LIMITS = {
    "max_files": MAX_FILES,
    "max_file_mb": MAX_FILE_SIZE // (1024 * 1024),
    "max_total_mb": MAX_TOTAL_SIZE // (1024 * 1024),
    "accepted": ACCEPTED_TEXT,
}


def _address(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _limited(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
    response = _page(request, "public/limited.html", {"error": exc}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _with_uploads(request: HttpRequest, view: Any, *args: Any) -> HttpResponse:
    """Run ``view`` with the size limits enforced while the upload is parsed, then CSRF-checked.

    The handler must be in place before anything reads ``request.POST`` — which the CSRF check does —
    so the outer view is exempt and the inner one is protected (Django's documented pattern).
    """
    handler = UploadLimitHandler(request)
    if request.method == "POST":
        request.upload_handlers = [handler, *request.upload_handlers]
    return csrf_protect(view)(request, handler, *args)


# --- landing ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def landing(request: HttpRequest) -> HttpResponse:
    commissions = list(serving_commissions())
    return render(
        request,
        "public/landing.html",
        {"commissions": commissions, "commission": commissions[0] if len(commissions) == 1 else None},
    )


# --- the report form -------------------------------------------------------------------------------------


def _form_context(
    commission: Commission,
    form: ReportForm,
    formset: Any,
    *,
    file_errors: list[str] | None = None,
    refusal: str = "",
    had_files: bool = False,
) -> dict[str, Any]:
    return {
        "commission": commission,
        "form": form,
        "formset": formset,
        "file_errors": file_errors or [],
        "errors": _error_summary(form, formset, file_errors or []) if not refusal else [],
        "refusal": refusal,
        "had_files": had_files,
        "limits": LIMITS,
        "content_help": f"请写明时间、地点、人物、事情经过、涉及金额、知情人或证据线索等，不少于 {CONTENT_MIN} 字。",
        "max_accused": MAX_ACCUSED,
        "extra_open": formset.is_bound and any(f.has_changed() for f in formset.forms[1:]),
        "choose_commission": serving_commissions().count() > 1,
    }


def _error_summary(form: ReportForm, formset: Any, file_errors: list[str]) -> list[str]:
    """Every problem in one list at the top of the page (on a phone the fields are far apart)."""
    lines: list[str] = []

    def collect(bound: Any, prefix: str) -> None:
        for name, errors in bound.errors.items():
            label = "" if name == "__all__" else f"{bound.fields[name].label}："
            lines.extend(f"{prefix}{label}{e}" for e in errors)

    if form.is_bound:
        collect(form, "")
        for index, accused in enumerate(formset.forms, 1):
            collect(accused, f"被反映人 {index} · ")
        lines.extend(str(e) for e in formset.non_form_errors())
    return lines + list(file_errors)


def _fresh_token(form: ReportForm) -> None:
    data = cast(QueryDict, form.data).copy()
    data["form_token"] = issue_form_token()
    form.data = data


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    return _with_uploads(request, _new_report)


def _new_report(request: HttpRequest, handler: UploadLimitHandler) -> HttpResponse:
    commission = serving_commission(request.POST.get("commission") or request.GET.get("c"))
    if commission is None:
        if serving_commissions().exists():
            return redirect("public:landing")
        return _page(request, "public/closed.html", {}, status=404)
    choices = {"townships": townships(commission), "villages": villages(commission)}
    if request.method != "POST":
        form = ReportForm(initial={"form_token": issue_form_token()})
        formset = AccusedFormSet(prefix="accused", form_kwargs=choices)
        return _page(request, "public/new.html", _form_context(commission, form, formset))

    form = ReportForm(request.POST)
    formset = AccusedFormSet(request.POST, prefix="accused", form_kwargs=choices)
    chosen = request.FILES.getlist("attachments")
    had_files = bool(chosen or handler.refused)

    def again(status: int, **kw: Any) -> HttpResponse:
        return _page(request, "public/new.html", _form_context(commission, form, formset, **kw), status=status)

    try:
        token = read_form_token(request.POST.get("form_token", ""))
    except FormRefused as exc:
        if not exc.keep_token:
            _fresh_token(form)
        return again(400, refusal=exc.message, had_files=had_files)
    if request.POST.get("homepage"):
        # The honeypot was filled: a script. Nothing is saved; the message gives it nothing to learn.
        _fresh_token(form)
        return again(400, refusal="提交未成功，请核对填写的内容后重新提交。", had_files=had_files)
    uploads, file_errors = accept_uploads(chosen, handler.refused)
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    if not valid or file_errors:
        return again(422, file_errors=file_errors, had_files=had_files)
    try:
        ratelimit.enforce(ratelimit.SUBMIT, _address(request))
    except ratelimit.RateLimited as exc:
        return _limited(request, exc)
    if not ratelimit.hit(ratelimit.FORM_TOKEN, token.nonce, now=token.issued_at).allowed:
        _fresh_token(form)
        return again(409, refusal="这份举报已经提交过了。如需另行举报，请重新打开举报页面填写。")
    try:
        report, code = services.submit_report(
            commission=commission,
            content=form.cleaned_data["content"],
            category=form.cleaned_data["category"],
            accused=cast(BaseAccusedFormSet, formset).accused(),
            is_real_name=form.is_real_name,
            identity=form.identity(),
            uploads=uploads,
        )
    except DomainError as exc:
        _fresh_token(form)
        details = [m for msgs in exc.field_errors.values() for m in msgs]
        return again(exc.status, refusal="；".join([exc.message, *details]), had_files=had_files)
    groups = [code[i : i + 4] for i in range(0, 16, 4)]
    return _page(
        request,
        "public/receipt.html",
        {
            "commission": commission,
            "groups": groups,
            "submitted_on": timezone.localdate(),
            "is_real_name": report.is_real_name,
            "files": len(uploads),
        },
    )


# --- the status page -------------------------------------------------------------------------------------


def _status_context(report: Any, **extra: Any) -> dict[str, Any]:
    view = reporter_view(report)
    failed = extra.pop("failed_question", None)
    answer_form = extra.pop("answer_form", None)
    return {
        "view": view,
        "questions": [
            (q, answer_form if failed == q.id and answer_form is not None else TextForm()) for q in view.open_questions
        ],
        "material_form": extra.pop("material_form", None) or MaterialForm(),
        "objection_form": extra.pop("objection_form", None) or TextForm(),
        "limits": LIMITS,
        "access_minutes": access.ACCESS_MINUTES,
        **extra,
    }


def _holder(request: HttpRequest) -> Any:
    report_id = access.report_id(request)
    return reachable_report(report_id) if report_id is not None else None


def _lookup_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    return _page(request, "public/lookup.html", {"form": ReceiptForm(), "error": error}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _lookup(request)
    report = _holder(request)
    if report is None:
        expired = access.COOKIE_NAME in request.COOKIES
        response = _lookup_page(request, error=EXPIRED if expired else "")
        if expired:
            access.revoke(response)
        return response
    done = DONE.get(request.GET.get("done", ""), "")
    return _page(request, "public/status.html", _status_context(report, done=done))


def _lookup(request: HttpRequest) -> HttpResponse:
    try:
        ratelimit.enforce(ratelimit.LOOKUP, _address(request))
        digits = re.sub(r"\D+", "", request.POST.get("code", ""))
        if len(digits) == 16:
            ratelimit.enforce(ratelimit.LOOKUP_PREFIX, digits[:6])
    except ratelimit.RateLimited as exc:
        return _limited(request, exc)
    form = ReceiptForm(request.POST)
    report = find_report_by_receipt(form.data.get("code", "")) if form.is_valid() else None
    if report is None or not report.source_public:
        # The same words for a malformed, a wrong and an unknown code: nothing to learn from them.
        return _lookup_page(request, error=WRONG_RECEIPT)
    services.record_receipt_match(report=report)
    response = redirect("public:status")
    access.grant(response, report.pk, request=request)
    return response


def _expired(request: HttpRequest) -> HttpResponse:
    response = _lookup_page(request, error=EXPIRED)
    access.revoke(response)
    return response


@never_cache
@require_POST
def answer(request: HttpRequest, question_id: int) -> HttpResponse:
    report = _holder(request)
    if report is None:
        return _expired(request)
    try:
        ratelimit.enforce(ratelimit.REPLY, _address(request))
    except ratelimit.RateLimited as exc:
        return _limited(request, exc)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            services.answer_question(report_id=report.pk, question_id=question_id, text=form.cleaned_data["text"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("public:status") + "?done=answer")
    context = _status_context(report, failed_question=question_id, answer_form=form, problem=_first_error(form))
    return _page(request, "public/status.html", context, status=422)


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""


@csrf_exempt
@never_cache
@require_POST
def material(request: HttpRequest) -> HttpResponse:
    return _with_uploads(request, _material)


def _material(request: HttpRequest, handler: UploadLimitHandler) -> HttpResponse:
    report = _holder(request)
    if report is None:
        return _expired(request)
    chosen = request.FILES.getlist("attachments")
    try:
        # Files come in with the submissions' limit; text alone with the replies'.
        limit = ratelimit.SUBMIT if chosen or handler.refused else ratelimit.REPLY
        ratelimit.enforce(limit, _address(request))
    except ratelimit.RateLimited as exc:
        return _limited(request, exc)
    form = MaterialForm(request.POST)
    uploads, file_errors = accept_uploads(chosen, handler.refused)
    if form.is_valid() and not file_errors:
        try:
            services.add_material(report_id=report.pk, text=form.cleaned_data["text"], uploads=uploads)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("public:status") + "?done=material")
    problem = "；".join(file_errors) or _first_error(form)
    context = _status_context(report, material_form=form, problem=problem, file_errors=file_errors)
    return _page(request, "public/status.html", context, status=422)


@never_cache
@require_POST
def objection(request: HttpRequest) -> HttpResponse:
    report = _holder(request)
    if report is None:
        return _expired(request)
    try:
        ratelimit.enforce(ratelimit.REPLY, _address(request))
    except ratelimit.RateLimited as exc:
        return _limited(request, exc)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            services.object_to_result(report_id=report.pk, text=form.cleaned_data["text"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(reverse("public:status") + "?done=objection")
    context = _status_context(report, objection_form=form, problem=_first_error(form))
    return _page(request, "public/status.html", context, status=422)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    response = redirect("public:landing")
    access.revoke(response)
    return response


# --- staff: a reporter's file ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Download one file: the report policy decides (404 otherwise); the content is verified and the
    download recorded. A file that fails verification is refused with a clear message, on record."""
    actor = actor_for(request.user)
    attachment = attachment_for_staff(actor, attachment_id)
    try:
        data = read_verified(storage_name=attachment.storage_name, sha256=attachment.sha256, sm3=attachment.sm3)
    except IntegrityFailed as exc:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="attachment.integrity_failed",
                target=attachment,
                commission_id=attachment.report.commission_id,
                outcome=AuditEvent.Outcome.REFUSED,
                detail={"report": attachment.report_id, "reason": exc.message},
                request=request,
            )
        raise IntegrityFailed(f"{exc.message}该附件不能下载，已记入审计日志，请联系系统管理员核查。") from exc
    with transaction.atomic():
        record_view(
            actor=actor, target=attachment, request=request, detail={"report": attachment.report_id, "download": True}
        )
    response = HttpResponse(data, content_type=attachment.content_type)
    disposition = content_disposition_header(True, download_name(attachment.original_name, attachment.content_type))
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
