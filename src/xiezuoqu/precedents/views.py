"""Pages of 类案参考: the guidance of a case (a page, or the htmx fragment the case page loads into its
decision section) and the form that records the case's facts. Thin: the case through the funnel, the
lookup through ``similar``, the write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.cases.selectors import get_case_for, may_investigate, may_trial
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.keys import as_key
from xiezuoqu.web.forms import require_staff, show_error

from . import services
from .models import AGGRAVATING, Circumstance
from .similar import similar_cases_for


def _months(value: str | None) -> int | None:
    months = as_key(value)
    return months if months is not None and months <= 48 else None


def _context(actor: Actor, request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = get_case_for(actor, case_id)
    # The decision form's inputs when the fragment is asked for from it; otherwise the live decision.
    codes = request.GET.getlist("codes") if "codes" in request.GET or "from_form" in request.GET else None
    context: dict[str, Any] = {"case": case, "error": ""}
    try:
        context["g"] = similar_cases_for(
            actor, case, codes=codes, months=_months(request.GET.get("months")), request=request
        )
    except NotFound:
        raise
    except DomainError as exc:
        context["g"], context["error"] = None, exc.message
    context["may_record"] = may_trial(actor, case) or may_investigate(actor, case)
    context["facts"] = context["g"].draft.facts if context["g"] else None
    context["mitigating"] = [(v, label) for v, label in Circumstance.choices if v not in AGGRAVATING]
    context["aggravating"] = [(v, label) for v, label in Circumstance.choices if v in AGGRAVATING]
    return context


@login_required
def case_guidance(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    context = _context(actor, request, case_id)
    if request.headers.get("HX-Request"):
        return render(request, "precedents/_similar.html", context)
    return render(request, "precedents/similar.html", context)


@login_required
@require_POST
def record_facts(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    data = services.FactsInput(
        articles=request.POST.get("articles", ""),
        amount=request.POST.get("amount", ""),
        circumstances=request.POST.getlist("circumstances"),
    )
    try:
        services.record_case_facts(actor=actor, case_id=case_id, data=data, request=request)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "案情要素已登记。")
    return redirect("precedents:case", case_id=case_id)
