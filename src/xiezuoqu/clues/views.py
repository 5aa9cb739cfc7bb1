"""Pages of the clue ledger: the ledger, opening a clue, a clue's page with its actions, a subject's page.

Thin: parse the request, call a selector or a service, render. Every read goes through the scope in
``selectors``; every write through ``services``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.intake.models import Category
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import Unit
from xiezuoqu.org.selectors import STAFF, UNITS, VILLAGES, current_member_unit_ids
from xiezuoqu.web.forms import parse_date, parse_id, require_staff, show_error

from . import exports, services
from .models import DisposalMethod, InquiryMode, InquiryOutcome, Rank, Source, SupervisionCategory
from .selectors import (
    LedgerFilters,
    accused_rows,
    analyses_visible_to,
    central_summary,
    clue_reports_visible_to,
    clue_subjects_visible_to,
    disposals_visible_to,
    get_subject_for,
    handling_units_for,
    inquiries_visible_to,
    joinable_reports,
    ledger_page,
    may_edit_subject,
    may_work,
    reads_whole_commission,
    reconciliation,
    related_clues,
    relation_graph,
    signoffs_visible_to,
    subject_history,
    view_clue,
    view_subject,
)
from .workflow import STATE_TAGS, Action, State, allowed_actions

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> LedgerFilters:
    get = request.GET
    return LedgerFilters(
        state=get.get("state", "") if get.get("state", "") in State.values else "",
        source=get.get("source", "") if get.get("source", "") in Source.values else "",
        category=get.get("category", "") if get.get("category", "") in Category.values else "",
        unit=parse_id(get.get("unit")),
        received_from=parse_date(get.get("received_from")),
        received_to=parse_date(get.get("received_to")),
        q=get.get("q", "")[:50],
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """线索台账: filters, text search, 50 rows a page by keyset (id descending)."""
    actor = actor_for(request.user)
    require_staff(actor)
    filters = _filters(request)
    rows, next_before = ledger_page(actor, filters, before=parse_id(request.GET.get("before")), limit=PAGE_SIZE)
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="clue.ledger_viewed",
                target_type="clues.clue",
                detail={"filters": filters.as_query(), "clues": [c.pk for c in rows]},
                request=request,
            )
    return render(
        request,
        "clues/ledger.html",
        {
            "rows": [
                {"c": c, "tag": STATE_TAGS.get(c.state, ""), "subjects": [s.subject for s in c.subject_links.all()]}
                for c in rows
            ],
            "filters": filters,
            "next_before": next_before,
            "query": urlencode(filters.as_query()),
            "states": State.choices,
            "sources": Source.choices,
            "categories": Category.choices,
            "may_open": bool(handling_units_for(actor)),
            "central": reads_whole_commission(actor),
        },
    )


@login_required
def open_clue(request: HttpRequest) -> HttpResponse:
    """登记线索: from accepted reports (several may join) or from another source."""
    actor = actor_for(request.user)
    require_staff(actor)
    units = handling_units_for(actor)
    if not units:
        raise NotFound()
    values: dict[str, Any] = {}
    if request.method == "POST":
        post = request.POST
        values = post.dict()
        try:
            clue = services.open_clue(
                actor=actor,
                data=services.ClueInput(
                    handling_unit_id=parse_id(post.get("handling_unit")) or 0,
                    source=post.get("source", ""),
                    category=post.get("category", ""),
                    summary=post.get("summary", ""),
                    content=post.get("content", ""),
                    source_note=post.get("source_note", ""),
                    received_on=parse_date(post.get("received_on")),
                    report_ids=[k for r in post.getlist("report_ids") if (k := as_key(r)) is not None],
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"已登记线索 {clue}。请确认被反映人。")
            return redirect("clues:detail", clue.pk)
    return render(
        request,
        "clues/open.html",
        {
            "units": units,
            "reports": joinable_reports(actor),
            "sources": Source.choices,
            "categories": Category.choices,
            "values": values,
            "today": timezone.localdate(),
        },
    )


@login_required
def detail(request: HttpRequest, clue_id: int) -> HttpResponse:
    """A clue's page: facts, subjects, reports, disposals, 谈话函询, analyses and the sign-off trail."""
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        clue = view_clue(actor, clue_id, request=request)
    works = may_work(actor, clue)
    actions = set(allowed_actions(clue.state)) if works else set()
    return render(
        request,
        "clues/detail.html",
        {
            "clue": clue,
            "tag": STATE_TAGS.get(clue.state, ""),
            "works": works,
            "actions": actions,
            "A": {a.name: a.value for a in Action},
            "subjects": [
                link.subject for link in clue_subjects_visible_to(actor).filter(clue=clue).select_related("subject")
            ],
            "accused": accused_rows(actor, clue) if works else [],
            "reports": [
                link.report for link in clue_reports_visible_to(actor).filter(clue=clue).select_related("report")
            ],
            "joinable": joinable_reports(actor, clue.handling_unit_id) if Action.JOIN_REPORTS in actions else [],
            "disposals": list(disposals_visible_to(actor).filter(clue=clue).select_related("proposed_by", "approval")),
            "inquiries": list(inquiries_visible_to(actor).filter(clue=clue)),
            "analyses": list(analyses_visible_to(actor).filter(clue=clue).prefetch_related("participants")),
            "related": related_clues(actor, clue),
            "participants": _participant_choices(actor, clue) if works else [],
            "signoffs": list(signoffs_visible_to(actor).filter(clue=clue).select_related("user").order_by("-id")[:200]),
            "methods": DisposalMethod.choices,
            "modes": InquiryMode.choices,
            "outcomes": InquiryOutcome.choices,
            "ranks": Rank.choices,
            "supervision_categories": SupervisionCategory.choices,
            "today": timezone.localdate(),
        },
    )


def _participant_choices(actor: Actor, clue: Any) -> list[Any]:
    """Who may be named as a participant of 研判: the handling unit's and the zone's people."""
    units = {clue.handling_unit_id}
    if clue.zone_id is not None:
        units |= current_member_unit_ids([clue.zone_id])
        if clue.zone.inspection_office_id:
            units.add(clue.zone.inspection_office_id)
    return list(
        STAFF.scope(actor)
        .filter(home_unit_id__in=units, is_active=True)
        .select_related("home_unit")
        .order_by("home_unit_id", "id")
    )


def _bool(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("on", "1", "true", "yes")


@login_required
@require_POST
def act(request: HttpRequest, clue_id: int) -> HttpResponse:
    """One form posts one action of a clue's page to its service."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "start_analysis":
            services.start_analysis(actor=actor, clue_id=clue_id, request=request)
        elif action == "join_reports":
            services.join_reports(actor=actor, clue_id=clue_id, report_ids=post.getlist("report_ids"), request=request)
        elif action == "link_subject":
            services.add_subject(
                actor=actor,
                clue_id=clue_id,
                subject_id=post.get("subject_id"),
                accused_ids=post.getlist("accused_ids"),
                request=request,
            )
        elif action == "new_subject":
            services.add_subject(
                actor=actor,
                clue_id=clue_id,
                data=services.SubjectInput(
                    name=post.get("name", ""),
                    unit_text=post.get("unit_text", ""),
                    position=post.get("position", ""),
                    rank=post.get("rank", Rank.OTHER),
                    is_party_member=_bool(request, "is_party_member"),
                    supervision_category=post.get("supervision_category", ""),
                    is_village_cadre=_bool(request, "is_village_cadre"),
                    id_number=post.get("id_number", ""),
                ),
                accused_ids=post.getlist("accused_ids"),
                request=request,
            )
        elif action == "propose":
            services.propose_disposal(
                actor=actor,
                clue_id=clue_id,
                method=post.get("method", ""),
                reason=post.get("reason", ""),
                review_on=parse_date(post.get("review_on")),
                propose_clearing=_bool(request, "propose_clearing"),
                request=request,
            )
        elif action == "start_talk":
            services.start_inquiry(
                actor=actor,
                clue_id=clue_id,
                mode=post.get("mode", ""),
                started_on=parse_date(post.get("started_on")) or timezone.localdate(),
                officers=post.get("officers", ""),
                request=request,
            )
        elif action == "record_reply":
            services.record_reply(
                actor=actor,
                clue_id=clue_id,
                replied_on=parse_date(post.get("replied_on")) or timezone.localdate(),
                summary=post.get("summary", ""),
                countersigned=_bool(request, "countersigned"),
                request=request,
            )
        elif action == "conclude":
            services.conclude_inquiry(
                actor=actor,
                clue_id=clue_id,
                outcome=post.get("outcome", ""),
                note=post.get("note", ""),
                concluded_on=parse_date(post.get("concluded_on")),
                clearing_letter=_bool(request, "clearing_letter"),
                request=request,
            )
        elif action == "analysis":
            services.record_analysis(
                actor=actor,
                clue_id=clue_id,
                held_on=parse_date(post.get("held_on")) or timezone.localdate(),
                doubts=post.get("doubts", ""),
                difficulties=post.get("difficulties", ""),
                direction=post.get("direction", ""),
                participant_ids=post.getlist("participants"),
                request=request,
            )
        elif action == "review":
            services.review_held(actor=actor, clue_id=clue_id, note=post.get("note", ""), request=request)
        else:
            raise NotFound()
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已办理。")
    return redirect("clues:detail", clue_id)


@login_required
def subject(request: HttpRequest, subject_id: int) -> HttpResponse:
    """被反映人: the registry entry, prior reports and clues in scope."""
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        person = view_subject(actor, subject_id, request=request)
    may_edit = may_edit_subject(actor, person)
    places: dict[str, Any] = {}
    if may_edit:
        places = {
            "townships": UNITS.scope(actor).filter(
                kind=Unit.Kind.TOWNSHIP_COMMITTEE, commission_id=person.commission_id
            ),
            "villages": VILLAGES.scope(actor)
            .filter(township__commission_id=person.commission_id)
            .select_related("township")
            .order_by("township__sort_order", "id"),
        }
    return render(
        request,
        "clues/subject.html",
        {
            "subject": person,
            **subject_history(actor, person),
            "may_edit": may_edit,
            "ranks": Rank.choices,
            "supervision_categories": SupervisionCategory.choices,
            **places,
        },
    )


@login_required
@require_POST
def edit_subject(request: HttpRequest, subject_id: int) -> HttpResponse:
    """更正被反映人信息 (the form on the subject's page)."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    try:
        services.update_subject(
            actor=actor,
            subject_id=subject_id,
            data=services.SubjectInput(
                name=post.get("name", ""),
                unit_text=post.get("unit_text", ""),
                position=post.get("position", ""),
                rank=post.get("rank", ""),
                is_party_member=_bool(request, "is_party_member"),
                supervision_category=post.get("supervision_category", ""),
                is_village_cadre=_bool(request, "is_village_cadre"),
                township_id=parse_id(post.get("township_id")),
                village_id=parse_id(post.get("village_id")),
                id_number=post.get("id_number", ""),
            ),
            request=request,
        )
        messages.success(request, "已更正被反映人信息。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("clues:ledger")
    return redirect("clues:subject", subject_id=subject_id)


@login_required
def graph(request: HttpRequest) -> HttpResponse:
    """关系图谱: clues, subjects and villages around a subject or a village (ECharts; data as json_script)."""
    actor = actor_for(request.user)
    require_staff(actor)
    subject_id, village_id = parse_id(request.GET.get("subject")), parse_id(request.GET.get("village"))
    if subject_id is not None:
        person = get_subject_for(actor, subject_id)
        data = relation_graph(actor, subject=person)
        title = f"被反映人 {person.name}"
    elif village_id is not None:
        village = VILLAGES.get_for(actor, village_id)
        data = relation_graph(actor, village=village)
        title = f"{village}"
    else:
        raise NotFound()
    with transaction.atomic():
        record_event(
            actor=actor,
            action="clue.graph_viewed",
            target_type="clues.clue",
            detail={"subject": subject_id, "village": village_id, "nodes": len(data["nodes"])},
            request=request,
        )
    return render(request, "clues/graph.html", {"title": title, "graph": data})


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    """问题线索台账 .xlsx with the page's filters."""
    actor = actor_for(request.user)
    require_staff(actor)
    content = exports.export_ledger(actor, _filters(request), request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="xiansuo-taizhang-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def central(request: HttpRequest) -> HttpResponse:
    """案管 central ledger: every unit's clues by state (the commission readers only)."""
    actor = actor_for(request.user)
    if not reads_whole_commission(actor):
        raise NotFound()
    rows = central_summary(actor)
    states = State.choices
    return render(
        request,
        "clues/central.html",
        {
            "rows": [{**row, "cells": [row["counts"].get(value, 0) for value, _ in states]} for row in rows],
            "states": states,
            "totals": [sum(row["counts"].get(value, 0) for row in rows) for value, _ in states],
            "grand_total": sum(row["total"] for row in rows),
        },
    )


@login_required
def reconcile(request: HttpRequest) -> HttpResponse:
    """定期汇总核对: what changed in a period and what is stuck at its end."""
    actor = actor_for(request.user)
    require_staff(actor)
    today = timezone.localdate()
    end = parse_date(request.GET.get("end")) or today
    start = parse_date(request.GET.get("start")) or end.replace(day=1)
    if start > end:
        start, end = end, start
    report = reconciliation(actor, start, end)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="clue.reconciliation_viewed",
            target_type="clues.clue",
            detail={"start": start, "end": end, "stuck": [s.clue.pk for s in report.stuck]},
            request=request,
        )
    return render(request, "clues/reconcile.html", {"report": report})
