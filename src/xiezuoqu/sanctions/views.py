"""Pages of sanction terms: the 处分期满台账 (ledger, with its .xlsx export), a term's page with the
follow-up form, and the registration of a changed sanction after an appeal. Thin: scope through the
selectors, writes through the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.web.forms import parse_date, require_staff, show_error

from . import exports, rules, services
from .models import Outcome
from .selectors import (
    BUCKETS,
    DUE_SOON_DAYS,
    KINDS,
    LedgerFilters,
    chain_of,
    get_change_for,
    may_follow_up,
    parse_cursor,
    pending_changes,
    status_of,
    term_ledger,
    view_term,
    zone_choices,
)


def _filters(request: HttpRequest) -> LedgerFilters:
    return LedgerFilters.of(request.GET.get("bucket"), request.GET.get("kind"), request.GET.get("zone"))


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """处分期满台账: running, due within 30 days, ended without follow-up, done, ended by an appeal."""
    actor = actor_for(request.user)
    require_staff(actor)
    filters = _filters(request)
    rows, cursor = term_ledger(actor, filters, after=parse_cursor(request.GET.get("after")))
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="sanction.ledger_viewed",
                target_type="sanctions.sanctionterm",
                detail={"filters": filters.as_query(), "terms": [r.term.pk for r in rows]},
                request=request,
            )
    query = urlencode(filters.as_query())
    return render(
        request,
        "sanctions/ledger.html",
        {
            "rows": rows,
            "filters": filters,
            "buckets": BUCKETS,
            "kinds": KINDS,
            "zones": zone_choices(actor),
            "query": query,
            "next_query": urlencode({**filters.as_query(), "after": cursor}) if cursor else "",
            "changes": pending_changes(actor),
            "soon_days": DUE_SOON_DAYS,
        },
    )


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    """处分期满台账 .xlsx with the page's filters."""
    actor = actor_for(request.user)
    require_staff(actor)
    content = exports.export_ledger(actor, _filters(request), request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="chufen-qiman-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def detail(request: HttpRequest, term_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        term = view_term(actor, term_id, request=request)
    today = timezone.localdate()
    outcomes = [(o, Outcome(o).label) for o in services.ALLOWED_OUTCOMES[term.follow_up_kind]]
    return render(
        request,
        "sanctions/detail.html",
        {
            "term": term,
            "status": status_of(term, today),
            "rule": rules.FOLLOW_UP_RULES[term.follow_up_kind],
            "deadline": deadline_for(term, services.TERM_END),
            "following": chain_of(actor, term),
            "may_follow_up": may_follow_up(actor, term, today),
            "outcomes": outcomes,
            "today": today,
        },
    )


@login_required
@require_POST
def follow_up(request: HttpRequest, term_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    try:
        services.record_follow_up(
            actor=actor,
            term_id=term_id,
            data=services.FollowUpInput(
                outcome=post.get("outcome", ""),
                decided_on=parse_date(post.get("decided_on")),
                organisation=post.get("organisation", ""),
                reference=post.get("reference", ""),
                reason=post.get("reason", ""),
                note=post.get("note", ""),
            ),
            request=request,
        )
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已登记处分期满办理情况。")
    return redirect("sanctions:detail", term_id=term_id)


def _months(value: str | None) -> int | None:
    """The period typed on the form: empty is none; anything but a whole number of months is refused
    (rather than dropped, which would silently give 留党察看 its one-year default). The range is the
    service's check."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        message = "期限请填写整数月数（留党察看 12 或 24）。"
        raise ValidationFailed(message, field_errors={"months": [message]})
    if len(text) > 9:  # far beyond the range: no need to read it
        raise ValidationFailed(services.MONTHS_RANGE_MESSAGE, field_errors={"months": [services.MONTHS_RANGE_MESSAGE]})
    return int(text)


@login_required
@require_POST
def register_change(request: HttpRequest, change_id: int) -> HttpResponse:
    """登记变更后的处分 (the form is on the case page)."""
    actor = actor_for(request.user)
    require_staff(actor)
    change = get_change_for(actor, change_id)
    post = request.POST
    try:
        services.register_change(
            actor=actor,
            change_id=change.pk,
            data=services.ChangeInput(
                codes=post.getlist("codes"),
                start=parse_date(post.get("start")),
                reference=post.get("reference", ""),
                months=_months(post.get("months")),
            ),
            request=request,
        )
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已登记变更后的处分，处分期间已按变更后的处分计算。")
    return redirect("cases:detail", case_id=change.case_id)
