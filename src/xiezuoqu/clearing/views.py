"""Pages of 澄清正名 and of the 诬告陷害 flag: a list, a clue's page, a clearing's page and its document."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.selectors import clue_subjects_visible_to, get_clue_for
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.web.forms import parse_date, require_staff, show_error

from . import services
from .documents import clearing_docx, clearing_filename
from .models import ClearingState, Finding, Method, ReferredTo
from .selectors import clearing_list, clearings_visible_to, flag_list, flags_visible_to, get_clearing_for


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    return render(request, "clearing/index.html", {"clearings": clearing_list(actor), "flags": flag_list(actor)})


@login_required
def for_clue(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    clue = get_clue_for(actor, clue_id)
    return render(
        request,
        "clearing/clue.html",
        {
            "clue": clue,
            "subjects": [
                link.subject for link in clue_subjects_visible_to(actor).filter(clue=clue).select_related("subject")
            ],
            "clearings": list(clearings_visible_to(actor).filter(clue=clue).select_related("subject")),
            "flags": list(flags_visible_to(actor).filter(clue=clue)),
            "methods": Method.choices,
            "findings": Finding.choices,
            "referred_to": ReferredTo.choices,
            "clearable": clue.state in services.CLEARABLE_STATES,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "propose":
            services.propose_clearing(
                actor=actor,
                clue_id=clue_id,
                data=services.ClearingInput(
                    subject_id=post.get("subject_id"),
                    method=post.get("method", ""),
                    finding=post.get("finding", ""),
                    facts=post.get("facts", ""),
                    audience=post.get("audience", ""),
                ),
                request=request,
            )
            messages.success(request, "已提出澄清正名，报纪委书记审批。")
        elif action == "flag":
            services.flag_false_accusation(
                actor=actor, clue_id=clue_id, grounds=post.get("grounds", ""), request=request
            )
            messages.success(request, "已标注疑似诬告陷害，待移送有权机关认定。")
        elif action == "refer":
            services.refer_flag(
                actor=actor,
                flag_id=post.get("flag_id"),
                referred_to=post.get("referred_to", ""),
                note=post.get("note", ""),
                referred_on=parse_date(post.get("referred_on")),
                request=request,
            )
            messages.success(request, "已登记移送。")
        elif action in ("confirmed", "unfounded"):
            services.record_flag_answer(
                actor=actor,
                flag_id=post.get("flag_id"),
                confirmed=action == "confirmed",
                answer=post.get("answer", ""),
                answered_on=parse_date(post.get("answered_on")),
                request=request,
            )
            messages.success(request, "已登记认定意见。")
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("clearing:index")
    return redirect("clearing:clue", clue_id=clue_id)


@login_required
def detail(request: HttpRequest, clearing_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    clearing = get_clearing_for(actor, clearing_id)
    return render(request, "clearing/detail.html", {"clearing": clearing, "S": ClearingState})


@login_required
@require_POST
def done(request: HttpRequest, clearing_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    try:
        services.record_clearing_done(
            actor=actor,
            clearing_id=clearing_id,
            done_on=parse_date(request.POST.get("done_on")),
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, "已登记澄清实施情况。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("clearing:index")
    return redirect("clearing:detail", clearing_id=clearing_id)


@login_required
def document(request: HttpRequest, clearing_id: int) -> HttpResponse:
    """The numbered 澄清函 / 澄清通报 once approved; every download is on record."""
    actor = actor_for(request.user)
    require_staff(actor)
    clearing = get_clearing_for(actor, clearing_id)
    if clearing.state not in (ClearingState.APPROVED, ClearingState.DONE):
        messages.error(request, "澄清正名经纪委书记批准后才能生成文书。")
        return redirect("clearing:detail", clearing_id=clearing.pk)
    with transaction.atomic():
        record_event(actor=actor, action="clearing.document_downloaded", target=clearing, request=request)
    response = HttpResponse(
        clearing_docx(clearing), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(clearing_filename(clearing))}"
    return response
