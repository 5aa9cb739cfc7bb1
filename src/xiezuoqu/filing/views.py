"""Pages of filing (立案): the list of filing proposals, drafting one from a clue (prefilled from an
approved 初核报告 when there is one), a proposal's page (revise, submit, the competent body's
decision) and its 立案审查呈批报告 (.docx). Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.clues.selectors import clue_subjects_visible_to, get_clue_for
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.web.forms import parse_date, parse_id, require_staff, show_error

from . import services
from .documents import filing_request_docx, filing_request_filename
from .models import BodyDecision
from .selectors import get_proposal_for, may_decide_as_body, proposal_list, view_proposal
from .workflow import STATE_TAGS, Action, State, allowed_actions

FIELDS = ("facts", "basis", "proposal", "team_text", "measures_summary", "evidence_inventory")


def _input(request: HttpRequest) -> services.ProposalInput:
    return services.ProposalInput(**{name: request.POST.get(name, "") for name in FIELDS})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """立案审查呈批 in scope, newest first (50 a page by keyset)."""
    actor = actor_for(request.user)
    require_staff(actor)
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    rows, next_before = proposal_list(actor, state=state, before=parse_id(request.GET.get("before")))
    return render(
        request,
        "filing/index.html",
        {
            "rows": [{"p": p, "tag": STATE_TAGS.get(p.state, "")} for p in rows],
            "state": state,
            "states": State.choices,
            "next_before": next_before,
        },
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """起草立案审查呈批报告 on a subject of a clue under 初步核实."""
    actor = actor_for(request.user)
    require_staff(actor)
    clue = get_clue_for(actor, request.GET.get("clue") or request.POST.get("clue"))
    subjects = [link.subject for link in clue_subjects_visible_to(actor).filter(clue=clue).select_related("subject")]
    values = {**services.verification_prefill(clue.pk)}
    if request.method == "POST":
        values = request.POST.dict()
        try:
            proposal = services.draft_filing(
                actor=actor,
                clue_id=clue.pk,
                subject_id=parse_id(request.POST.get("subject")),
                data=_input(request),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "已起草立案审查呈批报告。核对无误后报协作区研究。")
            return redirect("filing:detail", proposal.pk)
    return render(
        request,
        "filing/new.html",
        {"clue": clue, "subjects": subjects, "values": values, "prefilled": bool(values.get("verification_ref"))},
    )


@login_required
def detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        proposal = view_proposal(actor, proposal_id, request=request)
    case = getattr(proposal, "case", None) if proposal.state == State.BODY_FILED else None
    return render(
        request,
        "filing/detail.html",
        {
            "p": proposal,
            "tag": STATE_TAGS.get(proposal.state, ""),
            "actions": allowed_actions(proposal.state),
            "A": Action,
            "decides": may_decide_as_body(actor, proposal),
            "decisions": BodyDecision.choices,
            "case": case,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, proposal_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    action = request.POST.get("action", "")
    try:
        if action == "revise":
            services.revise_filing(actor=actor, proposal_id=proposal_id, data=_input(request), request=request)
        elif action == "submit":
            services.submit_filing(actor=actor, proposal_id=proposal_id, request=request)
        elif action == "withdraw":
            services.withdraw_filing(actor=actor, proposal_id=proposal_id, request=request)
        elif action == "decide":
            services.decide_as_body(
                actor=actor,
                proposal_id=proposal_id,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                decided_on=parse_date(request.POST.get("decided_on")),
                document_number=request.POST.get("document_number", ""),
                request=request,
            )
        else:
            raise NotFound()
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已办理。")
    return redirect("filing:detail", proposal_id)


@login_required
def document(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """立案审查呈批报告 (.docx) from the record; its download is on record."""
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        proposal = get_proposal_for(actor, proposal_id)
        record_view(actor=actor, target=proposal, request=request, detail={"document": "filing_request"})
    response = HttpResponse(
        filing_request_docx(proposal),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filing_request_filename(proposal))}"
    return response
