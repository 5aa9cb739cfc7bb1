"""Pages of 初步核实: the list (with the red 6-month warnings), the plan, a verification's page, measures,
the evidence locker (upload, inventory, download), the report and its confirmations, the 措施使用台账.

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
from xiezuoqu.audit.services import record_event, record_view
from xiezuoqu.clues.selectors import clues_visible_to, get_clue_for
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.public.files import download_name
from xiezuoqu.web.forms import parse_date, parse_id, show_error

from . import exports, services
from .forms import EvidenceForm, MeasureForm, PlanForm, ReportForm
from .models import MeasureState
from .rules import PERIOD_KIND, MeasureKind
from .selectors import (
    TERM_FILTERS,
    MeasureFilters,
    confirmations_of,
    custody_of,
    get_evidence_for,
    get_verification_for,
    inventory,
    is_stalled,
    live_verification_of,
    may_review_measures,
    may_see_measure_ledger,
    may_work_verification,
    measure_ledger_page,
    measures_of,
    members_for,
    plans_visible_to,
    reports_visible_to,
    verification_page,
    verifications_visible_to,
)
from .workflow import STATE_TAGS, Action, State, allowed_actions

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


@login_required
def verification_list(request: HttpRequest) -> HttpResponse:
    """初步核实一览: the verifications in scope (红色预警: 6 months without progress), and the clues
    waiting for a plan."""
    actor = _actor(request)
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    stalled = request.GET.get("stalled") == "1"
    rows, next_before = verification_page(
        actor, state=state, stalled=stalled, before=parse_id(request.GET.get("before")), limit=PAGE_SIZE
    )
    waiting = list(
        clues_visible_to(actor)
        .filter(state=ClueState.PRELIMINARY_VERIFICATION)
        .exclude(pk__in=verifications_visible_to(actor).exclude(state=State.CONCLUDED).values("clue_id"))
        .select_related("handling_unit")
        .order_by("-id")[:PAGE_SIZE]
    )
    query = urlencode({k: v for k, v in {"state": state, "stalled": "1" if stalled else ""}.items() if v})
    return render(
        request,
        "verification/list.html",
        {
            "rows": [
                {
                    "v": v,
                    "tag": STATE_TAGS.get(v.state, ""),
                    "red": is_stalled(v),
                }
                for v in rows
            ],
            "waiting": waiting,
            "states": State.choices,
            "state": state,
            "stalled": stalled,
            "query": query,
            "next_before": next_before,
        },
    )


@login_required
def plan_form(request: HttpRequest, clue_id: int) -> HttpResponse:
    """起草或修改初核方案 for a clue in 初步核实."""
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    if not may_work_verification(actor, clue):
        raise NotFound()
    live = live_verification_of(actor, clue)
    plan = plans_visible_to(actor).filter(verification=live).first() if live is not None else None
    if live is not None and live.state == State.CONCLUDED:
        live, plan = None, None
    initial: dict[str, Any] = {}
    if plan is not None:
        initial = {
            "scope": plan.scope,
            "points": plan.points,
            "planned_measures": plan.planned_measures,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
        }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            verification = services.draft_plan(
                actor=actor,
                clue_id=clue.pk,
                data=services.PlanInput(
                    scope=data["scope"],
                    points=data["points"],
                    planned_measures=data["planned_measures"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, "初核方案已保存。确认核查组后即可报批。")
            return redirect("verification:detail", verification.pk)
    return render(
        request,
        "verification/plan_form.html",
        {"form": form, "clue": clue, "verification": live, "note": services.township_secretary_note(clue)},
    )


@login_required
def detail(request: HttpRequest, verification_id: int) -> HttpResponse:
    """A verification's page: plan and approval, team, measures, evidence, report and signatures."""
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    with transaction.atomic():
        record_view(actor=actor, target=verification, request=request)
    clue = verification.clue
    works = may_work_verification(actor, clue)
    plan = plans_visible_to(actor).filter(verification=verification).select_related("approval").first()
    report = reports_visible_to(actor).filter(verification=verification).select_related("approval").first()
    members = members_for(clue.pk)
    confirmations = confirmations_of(actor, report) if report is not None else []
    signed = {c.staff_id for c in confirmations}
    return render(
        request,
        "verification/detail.html",
        {
            "v": verification,
            "clue": clue,
            "tag": STATE_TAGS.get(verification.state, ""),
            "works": works,
            "actions": set(allowed_actions(verification.state)) if works else set(),
            "A": {a.name: a.value for a in Action},
            "plan": plan,
            "report": report,
            "members": [{"m": m, "signed": m.staff_id in signed} for m in members],
            "confirmations": confirmations,
            "may_confirm": actor.staff_id is not None
            and any(m.staff_id == actor.staff_id for m in members)
            and actor.staff_id not in signed,
            "measures": measures_of(actor, clue),
            "evidence": inventory(actor, clue),
            "deadline": deadline_for(verification, PERIOD_KIND),
            "stalled": is_stalled(verification),
            "may_record": works and verification.state in (State.PLAN_APPROVED, State.IN_PROGRESS),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, verification_id: int) -> HttpResponse:
    """One button of a verification's page: submit the plan, confirm the report, submit the report."""
    actor = _actor(request)
    action = request.POST.get("action", "")
    handlers = {
        "submit_plan": (services.submit_plan, "初核方案已报批。"),
        "confirm_report": (services.confirm_report, "您已签字确认初核报告。"),
        "submit_report": (services.submit_report, "初核报告已报批。"),
    }
    if action not in handlers:
        raise NotFound()
    handler, done = handlers[action]
    try:
        handler(actor=actor, verification_id=verification_id, request=request)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("verification:detail", verification_id)


def _officer_choices(clue_id: int) -> list[tuple[int, str]]:
    return [
        (m.staff_id, f"{m.staff.name}（{m.get_role_display()}，{m.staff.home_unit.name}）")
        for m in members_for(clue_id)
    ]


def _evidence_choices(actor: Actor, clue: Any) -> list[tuple[int, str]]:
    return [(i.pk, f"证据 {i.number}：{i.title}") for i in inventory(actor, clue)]


@login_required
def measure_form(request: HttpRequest, verification_id: int) -> HttpResponse:
    """登记核查措施."""
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    clue = verification.clue
    if not may_work_verification(actor, clue):
        raise NotFound()
    form = MeasureForm(
        request.POST or None, officers=_officer_choices(clue.pk), documents=_evidence_choices(actor, clue)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_measure(
                actor=actor,
                verification_id=verification.pk,
                data=services.MeasureInput(
                    kind=data["kind"],
                    officer_ids=data["officers"],
                    person_or_record=data["person_or_record"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    approval_reference=data["approval_reference"],
                    record_document_id=data["record_document"],
                    note=data["note"],
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, "核查措施已登记，已记入措施使用台账。")
            return redirect("verification:detail", verification.pk)
    return render(request, "verification/measure_form.html", {"form": form, "v": verification, "clue": clue})


@login_required
def evidence_form(request: HttpRequest, verification_id: int) -> HttpResponse:
    """证据入库: one file, checked, hashed, sealed and stored."""
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    clue = verification.clue
    if not may_work_verification(actor, clue):
        raise NotFound()
    measures = [
        (m.pk, f"{timezone.localtime(m.starts_at):%m-%d} {m.get_kind_display()} {m.person_or_record}")
        for m in measures_of(actor, clue)
    ]
    form = EvidenceForm(request.POST or None, request.FILES or None, measures=measures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            if upload.size > services.MAX_EVIDENCE_SIZE:
                from xiezuoqu.errors import ValidationFailed

                raise ValidationFailed(
                    f"文件超过 {services.MAX_EVIDENCE_SIZE // (1024 * 1024)} MB，不能入库。",
                    field_errors={"file": ["文件过大。"]},
                )
            item = services.add_evidence(
                actor=actor,
                verification_id=verification.pk,
                data=services.EvidenceInput(
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    file_name=upload.name or "",
                    data=upload.read(),
                    source_measure_id=data["source_measure"],
                    as_record=data["as_record"],
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"证据 {item.number} 已入库（SHA-256 {item.sha256[:12]}…）。")
            return redirect("verification:inventory", clue.pk)
    return render(request, "verification/evidence_form.html", {"form": form, "v": verification, "clue": clue})


@login_required
def report_form(request: HttpRequest, verification_id: int) -> HttpResponse:
    """起草或修改初核报告 (changing it voids the confirmations)."""
    actor = _actor(request)
    verification = get_verification_for(actor, verification_id)
    if not may_work_verification(actor, verification.clue):
        raise NotFound()
    report = reports_visible_to(actor).filter(verification=verification).first()
    initial: dict[str, Any] = {}
    if report is not None:
        initial = {
            "facts": report.facts,
            "basis": report.basis,
            "doubts": report.doubts,
            "recommendation": report.recommendation,
            "review_on": report.review_on,
        }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.draft_report(
                actor=actor,
                verification_id=verification.pk,
                data=services.ReportInput(
                    facts=data["facts"],
                    basis=data["basis"],
                    doubts=data["doubts"],
                    recommendation=data["recommendation"],
                    review_on=data["review_on"],
                ),
                request=request,
            )
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, "初核报告已保存，请核查组全体成员签字确认。")
            return redirect("verification:detail", verification.pk)
    return render(
        request, "verification/report_form.html", {"form": form, "v": verification, "clue": verification.clue}
    )


@login_required
def evidence_inventory(request: HttpRequest, clue_id: int) -> HttpResponse:
    """证据清单 of a matter, with the integrity of every item (a failed check is shown in red)."""
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    items = inventory(actor, clue)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="evidence.inventory_viewed",
            target=clue,
            detail={"evidence": [i.pk for i in items]},
            request=request,
        )
    return render(
        request,
        "verification/inventory.html",
        {"clue": clue, "items": items, "verification": live_verification_of(actor, clue)},
    )


@login_required
def evidence_detail(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """One evidence item: its digests and its chain of custody (viewing it is a custody event)."""
    actor = _actor(request)
    item = services.view_evidence(actor=actor, evidence_id=evidence_id, request=request)
    return render(request, "verification/evidence_detail.html", {"item": item, "events": custody_of(actor, item)})


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Download: decrypted and re-hashed first; a tampered file is refused with the reason."""
    actor = _actor(request)
    try:
        item, content = services.download_evidence(actor=actor, evidence_id=evidence_id, request=request)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
        clue_id = get_evidence_for(actor, evidence_id).clue_id
        return redirect("verification:inventory", clue_id)
    response = HttpResponse(content, content_type=item.content_type)
    name = download_name(item.original_name, item.content_type)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def inventory_xlsx(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    content = exports.export_inventory_xlsx(actor, clue, request=request)
    return _attachment(content, exports.XLSX, f"证据清单-{clue.ledger_number}.xlsx")


@login_required
def inventory_docx(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = _actor(request)
    clue = get_clue_for(actor, clue_id)
    content = exports.export_inventory_docx(actor, clue, request=request)
    return _attachment(content, exports.DOCX, f"证据清单-{clue.ledger_number}.docx")


def _measure_filters(request: HttpRequest) -> MeasureFilters:
    get = request.GET
    return MeasureFilters(
        kind=get.get("kind", "") if get.get("kind", "") in MeasureKind.values else "",
        state=get.get("state", "") if get.get("state", "") in MeasureState.values else "",
        term=get.get("term", "") if get.get("term", "") in dict(TERM_FILTERS) else "",
        unit=parse_id(get.get("unit")),
        since=parse_date(get.get("since")),
        until=parse_date(get.get("until")),
    )


@login_required
def measure_ledger(request: HttpRequest) -> HttpResponse:
    """措施使用台账 for 案管 (and the leadership): every measure of the commission in scope."""
    actor = _actor(request)
    if not may_see_measure_ledger(actor):
        raise NotFound()
    filters = _measure_filters(request)
    rows, next_before = measure_ledger_page(actor, filters, before=parse_id(request.GET.get("before")), limit=PAGE_SIZE)
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="verification.measure_ledger_viewed",
                target_type="verification.measure",
                detail={"filters": filters.as_query(), "measures": [m.pk for m in rows]},
                request=request,
            )
    return render(
        request,
        "verification/measures.html",
        {
            "rows": rows,
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "next_before": next_before,
            "kinds": MeasureKind.choices,
            "states": MeasureState.choices,
            "terms": TERM_FILTERS,
            "may_review": may_review_measures(actor),
        },
    )


@login_required
def measure_ledger_export(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not may_see_measure_ledger(actor):
        raise NotFound()
    content = exports.export_measure_ledger(actor, _measure_filters(request), request=request)
    return _attachment(content, exports.XLSX, f"措施使用台账-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_POST
def review_measure(request: HttpRequest, measure_id: int) -> HttpResponse:
    """案管 marks a measure of the ledger reviewed."""
    actor = _actor(request)
    try:
        services.review_measure(actor=actor, measure_id=measure_id, note=request.POST.get("note", ""), request=request)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已审核。")
    return redirect("verification:measures")
