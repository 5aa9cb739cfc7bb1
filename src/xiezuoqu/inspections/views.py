"""Pages of 专项检查: the list, the plan form, a campaign's page (plan, approval, assignment, teams, figures,
findings), a team's page (checks and findings), a finding's page (disposal and rectification), and the
outputs (检查通报 .docx, 问题清单 and 整改台账 .xlsx). Every read is through the selectors and on record."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event, record_view
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.org.selectors import zones_visible_to
from xiezuoqu.web.forms import parse_date, require_staff, show_error

from . import exports, rules, services
from .models import CampaignState, CheckResult, FindingCategory, FindingState, FocusArea, ObjectKind, Severity
from .selectors import (
    assignment_records,
    campaign_assignments,
    campaign_figures,
    campaign_findings,
    campaign_list,
    get_assignment_for,
    get_campaign_for,
    get_finding_for,
    may_see_team_work,
)


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    require_staff(actor)
    return actor


def may_create(actor: Actor) -> bool:
    return actor.has(*rules.ORGANISER_ROLES) or bool(actor.leadership_zone_ids)


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if str(v).strip().isdigit()]


def _int_or(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return -1


def _points(post: QueryDict) -> list[services.PointInput]:
    texts, bases, evidence = post.getlist("point_text"), post.getlist("point_basis"), post.getlist("point_evidence")
    return [
        services.PointInput(text, bases[i] if i < len(bases) else "", evidence[i] if i < len(evidence) else "")
        for i, text in enumerate(texts)
        if text.strip()
    ]


def campaign_input_from(post: QueryDict) -> services.CampaignInput:
    zone_ids = _ints(post.getlist("zone_ids"))
    organiser = post.get("zone_id", "")
    return services.CampaignInput(
        title=post.get("title", ""),
        focus_area=post.get("focus_area", ""),
        focus_other=post.get("focus_other", ""),
        period_start=parse_date(post.get("period_start")),
        period_end=parse_date(post.get("period_end")),
        zone_ids=zone_ids,
        zone_id=int(organiser) if organiser.isdigit() else None,
        points=_points(post),
        forbid_two_cycles=post.get("forbid_two_cycles", "on") == "on",
        cross_zone=post.get("cross_zone") == "on",
        team_min=_int_or(post.get("team_min"), 2),
        team_max=_int_or(post.get("team_max"), 3),
        rectification_days=_int_or(post.get("rectification_days"), 20),
        conflict_years=_int_or(post.get("conflict_years"), 5),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "inspections/index.html",
        {"campaigns": campaign_list(actor), "may_create": may_create(actor)},
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not may_create(actor):
        raise NotFound()
    values: dict[str, Any] = {}
    if request.method == "POST":
        try:
            campaign = services.create_campaign(actor=actor, data=campaign_input_from(request.POST), request=request)
            messages.success(request, "已拟定专项检查方案。请核对检查范围和检查要点后报批。")
            return redirect("inspections:campaign", campaign_id=campaign.pk)
        except DomainError as exc:
            show_error(request, exc)
            values = request.POST.dict()
    zones = list(zones_visible_to(actor).filter(commission_id=actor.commission_id).order_by("number"))
    return render(
        request,
        "inspections/create.html",
        {
            "zones": zones,
            "led": [z for z in zones if z.pk in actor.leadership_zone_ids],
            "commission_wide": actor.has(*rules.ORGANISER_ROLES),
            "focus_areas": FocusArea.choices,
            "values": values,
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    item = get_campaign_for(actor, campaign_id)
    team_work = may_see_team_work(actor, item)
    with transaction.atomic():
        record_view(actor=actor, target=item, request=request)
    findings = campaign_findings(actor, item)
    return render(
        request,
        "inspections/campaign.html",
        {
            "campaign": item,
            "S": CampaignState,
            "organiser": services.is_organiser(actor, item),
            "team_work": team_work,
            "assignments": campaign_assignments(actor, item),
            "units": list(item.units.select_related("unit", "zone")) if team_work else [],
            "points": list(item.points.all()),
            "objects": list(item.inspected_objects.select_related("unit")) if team_work else [],
            "figures": campaign_figures(actor, item),
            "findings": findings,
            "kinds": ObjectKind.choices,
            "rule_label": services.adapter.rule_label(item.infeasible_rule) if item.infeasible_rule else "",
        },
    )


@login_required
@require_POST
def campaign_act(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "submit":
            services.submit_plan(actor=actor, campaign_id=campaign_id, request=request)
            messages.success(request, "检查方案已报批。")
        elif action == "propose":
            result = services.propose_assignment(actor=actor, campaign_id=campaign_id, request=request)
            if result.infeasible_message:
                messages.error(request, f"无法提出分配方案：{result.infeasible_message}")
            else:
                messages.success(request, "已提出交叉检查分配方案，请核对后确定。")
        elif action == "confirm":
            services.confirm_assignment(actor=actor, campaign_id=campaign_id, request=request)
            messages.success(request, "已确定交叉检查分配，检查组可以开展检查。")
        elif action == "close":
            services.close_campaign(actor=actor, campaign_id=campaign_id, request=request)
            messages.success(request, "本次专项检查已结束。")
        elif action == "object":
            services.add_inspected_object(
                actor=actor,
                campaign_id=campaign_id,
                unit_id=post.get("unit_id"),
                kind=post.get("kind", ""),
                name=post.get("name", ""),
                request=request,
            )
            messages.success(request, "已添加被检查对象。")
        elif action == "adjust":
            services.adjust_assignment(
                actor=actor,
                assignment_id=post.get("assignment_id"),
                data=services.AdjustInput(
                    inspecting_unit_id=_int_or(post.get("inspecting_unit_id"), 0),
                    leader_id=_int_or(post.get("leader_id"), 0),
                    member_ids=_ints(post.getlist("member_ids")),
                    reason=post.get("reason", ""),
                ),
                request=request,
            )
            messages.success(request, "已调整分配。")
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("inspections:index")
    return redirect("inspections:campaign", campaign_id=campaign_id)


@login_required
def assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor = _actor(request)
    item = get_assignment_for(actor, assignment_id)
    records = assignment_records(actor, item)
    with transaction.atomic():
        record_view(actor=actor, target=item, request=request, detail={"records": len(records)})
    return render(
        request,
        "inspections/assignment.html",
        {
            "assignment": item,
            "campaign": item.campaign,
            "members": list(item.members.all()),
            "records": records,
            "findings": [f for f in campaign_findings(actor, item.campaign) if f.assignment_id == item.pk],
            "points": list(item.campaign.points.all()),
            "objects": list(item.campaign.inspected_objects.filter(unit_id=item.inspected_unit_id)),
            "results": CheckResult.choices,
            "categories": FindingCategory.choices,
            "severities": Severity.choices,
            "under_way": item.campaign.state == CampaignState.UNDER_WAY,
            "today": timezone.localdate(),
        },
    )


def finding_input_from(post: QueryDict) -> services.FindingInput:
    point = post.get("point_id", "")
    return services.FindingInput(
        category=post.get("category", ""),
        description=post.get("description", ""),
        responsible_unit=post.get("responsible_unit", ""),
        amount=post.get("amount", ""),
        basis=post.get("basis", ""),
        point_id=int(point) if point.isdigit() else None,
        responsible_person=post.get("responsible_person", ""),
        severity=post.get("severity", Severity.MINOR),
        found_on=parse_date(post.get("found_on")),
    )


@login_required
@require_POST
def assignment_act(request: HttpRequest, assignment_id: int) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "check":
            services.record_check(
                actor=actor,
                assignment_id=assignment_id,
                point_id=post.get("point_id"),
                object_id=post.get("object_id") or None,
                result=post.get("result", ""),
                note=post.get("note", ""),
                checked_on=parse_date(post.get("checked_on")),
                request=request,
            )
            messages.success(request, "已登记检查记录。")
        elif action == "finding":
            finding = services.add_finding(
                actor=actor, assignment_id=assignment_id, data=finding_input_from(post), request=request
            )
            messages.success(request, "已登记问题，请提出处置意见（整改或移交线索）。")
            return redirect("inspections:finding", finding_id=finding.pk)
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("inspections:index")
    return redirect("inspections:assignment", assignment_id=assignment_id)


@login_required
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    actor = _actor(request)
    item = get_finding_for(actor, finding_id)
    rectification = getattr(item, "rectification", None)
    with transaction.atomic():
        record_view(actor=actor, target=item, request=request)
    return render(
        request,
        "inspections/finding.html",
        {
            "finding": item,
            "campaign": item.campaign,
            "rectification": rectification,
            "F": FindingState,
            "categories": FindingCategory.choices,
            "severities": Severity.choices,
            "points": list(item.campaign.points.all()),
            "on_team": services.on_team(actor, item.assignment) or services.is_organiser(actor, item.campaign),
            "leads_zone": services.leads_zone_of(actor, item),
            "may_report": services.may_report(actor, item),
            "may_see_team": services.on_team(actor, item.assignment) or may_see_team_work(actor, item.campaign),
            "default_days": item.campaign.rectification_days,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def finding_act(request: HttpRequest, finding_id: int) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    action = post.get("action", "")
    rectification_id = post.get("rectification_id")
    try:
        if action == "edit":
            services.update_finding(actor=actor, finding_id=finding_id, data=finding_input_from(post), request=request)
            messages.success(request, "已修改。")
        elif action == "rectify":
            days = post.get("working_days", "")
            services.order_rectification(
                actor=actor,
                finding_id=finding_id,
                requirement=post.get("requirement", ""),
                due_date=parse_date(post.get("due_date")),
                working_days=int(days) if days.isdigit() else None,
                request=request,
            )
            messages.success(request, "已交办整改，整改期限已纳入时限管理。")
        elif action == "transfer":
            finding = services.transfer_finding(
                actor=actor,
                finding_id=finding_id,
                handling_unit_id=post.get("handling_unit_id") or None,
                summary=post.get("summary", ""),
                request=request,
            )
            assert finding.clue is not None
            messages.success(request, f"已移交问题线索 {finding.clue.ledger_number}。")
        elif action == "report":
            services.report_rectification(
                actor=actor,
                rectification_id=rectification_id,
                report=post.get("report", ""),
                evidence_note=post.get("evidence_note", ""),
                reported_on=parse_date(post.get("reported_on")),
                request=request,
            )
            messages.success(request, "已报送整改情况，待检查组复核。")
        elif action in ("pass", "fail"):
            services.review_rectification(
                actor=actor,
                rectification_id=rectification_id,
                passed=action == "pass",
                note=post.get("note", ""),
                request=request,
            )
            messages.success(request, "已复核。")
        elif action == "close":
            services.close_finding(actor=actor, finding_id=finding_id, request=request)
            messages.success(request, "已销号。")
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("inspections:index")
    return redirect("inspections:finding", finding_id=finding_id)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def notice(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """检查通报 (.docx): the commission's and the zones' readers only (it names every unit's problems)."""
    actor = _actor(request)
    item = get_campaign_for(actor, campaign_id)
    if not may_see_team_work(actor, item):
        raise NotFound()
    findings = campaign_findings(actor, item)
    with transaction.atomic():
        record_event(actor=actor, action="campaign.notice_downloaded", target=item, request=request)
    return _download(
        exports.notice_docx(item, findings, campaign_figures(actor, item)), exports.notice_name(item), DOCX
    )


@login_required
def findings_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    item = get_campaign_for(actor, campaign_id)
    findings = campaign_findings(actor, item)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="campaign.findings_exported",
            target=item,
            detail={"rows": len(findings)},
            request=request,
        )
    return _download(exports.findings_xlsx(item, findings), f"问题清单-{item.title}.xlsx", XLSX)


@login_required
def ledger_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    item = get_campaign_for(actor, campaign_id)
    findings = campaign_findings(actor, item)
    with transaction.atomic():
        record_event(
            actor=actor, action="campaign.ledger_exported", target=item, detail={"rows": len(findings)}, request=request
        )
    return _download(exports.ledger_xlsx(item, findings, timezone.localdate()), f"整改台账-{item.title}.xlsx", XLSX)
