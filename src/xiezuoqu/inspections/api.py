"""The special-inspection API (专项检查 / 交叉互检): the same scope funnel and services as the pages; refusals
are problem JSON (the project's DomainError handler)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_view
from xiezuoqu.errors import NotFound

from . import services
from .models import Assignment, Campaign, Finding
from .selectors import (
    campaign_assignments,
    campaign_figures,
    campaign_findings,
    campaign_list,
    get_campaign_for,
    get_finding_for,
)

router = Router(tags=["inspections"])


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not actor.is_staff_worker or actor.is_admin:
        raise NotFound()
    return actor


class PointIn(Schema):
    text: str
    basis: str = ""
    evidence_needed: str = ""


class CampaignIn(Schema):
    title: str
    focus_area: str
    focus_other: str = ""
    period_start: date
    period_end: date
    zone_ids: list[int]
    zone_id: int | None = None
    unit_ids: list[int] = []
    points: list[PointIn]
    forbid_two_cycles: bool = True
    cross_zone: bool = False
    team_min: int = 2
    team_max: int = 3
    rectification_days: int = 20
    conflict_years: int = 5


class AssignmentOut(Schema):
    id: int
    inspecting_unit_id: int
    inspecting_unit: str
    inspected_unit_id: int
    inspected_unit: str
    zone_id: int
    leader_id: int
    member_ids: list[int]
    reason: str
    adjusted: bool


class CampaignOut(Schema):
    id: int
    title: str
    focus_area: str
    focus_label: str
    zone_id: int | None
    period_start: date
    period_end: date
    state: str
    approval_id: int | None
    infeasible_rule: str
    infeasible_message: str
    infeasible_remedy: str


class CampaignDetailOut(CampaignOut):
    assignments: list[AssignmentOut]
    findings: int
    rectified: int
    overdue: int
    transferred: int


class FindingIn(Schema):
    category: str
    description: str
    responsible_unit: str
    # A string so that a wrong amount is refused by the service in Chinese, not by the schema.
    amount: str = "0"
    basis: str = ""
    point_id: int | None = None
    responsible_person: str = ""
    severity: str = "minor"
    found_on: date | None = None


class FindingOut(Schema):
    id: int
    campaign_id: int
    assignment_id: int
    inspected_unit_id: int
    zone_id: int
    category: str
    description: str
    basis: str
    amount: Decimal
    responsible_unit: str
    responsible_person: str
    severity: str
    found_on: date
    state: str
    clue_id: int | None
    rectification_id: int | None
    due_date: date | None


class CheckIn(Schema):
    point_id: int
    result: str
    note: str
    object_id: int | None = None
    checked_on: date | None = None


class AdjustIn(Schema):
    inspecting_unit_id: int
    leader_id: int
    member_ids: list[int]
    reason: str = ""


class RectifyIn(Schema):
    requirement: str
    due_date: date | None = None
    working_days: int | None = None


class TransferIn(Schema):
    handling_unit_id: int | None = None
    summary: str = ""


class ReportIn(Schema):
    report: str
    evidence_note: str = ""
    reported_on: date | None = None


class RectificationReviewIn(Schema):
    passed: bool
    note: str


def _campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        title=c.title,
        focus_area=c.focus_area,
        focus_label=c.focus_label,
        zone_id=c.zone_id,
        period_start=c.period_start,
        period_end=c.period_end,
        state=c.state,
        approval_id=c.approval_id,
        infeasible_rule=c.infeasible_rule,
        infeasible_message=c.infeasible_message,
        infeasible_remedy=c.infeasible_remedy,
    )


def _assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        inspecting_unit_id=a.inspecting_unit_id,
        inspecting_unit=a.inspecting_unit.name,
        inspected_unit_id=a.inspected_unit_id,
        inspected_unit=a.inspected_unit.name,
        zone_id=a.zone_id,
        leader_id=a.leader_id,
        member_ids=sorted(m.pk for m in a.members.all()),
        reason=a.reason,
        adjusted=a.adjusted,
    )


def _finding_out(f: Finding) -> FindingOut:
    r = getattr(f, "rectification", None)
    return FindingOut(
        id=f.pk,
        campaign_id=f.campaign_id,
        assignment_id=f.assignment_id,
        inspected_unit_id=f.inspected_unit_id,
        zone_id=f.zone_id,
        category=f.category,
        description=f.description,
        basis=f.basis,
        amount=f.amount,
        responsible_unit=f.responsible_unit,
        responsible_person=f.responsible_person,
        severity=f.severity,
        found_on=f.found_on,
        state=f.state,
        clue_id=f.clue_id,
        rectification_id=r.pk if r else None,
        due_date=r.due_date if r else None,
    )


def _detail(actor: Actor, campaign: Campaign) -> CampaignDetailOut:
    figures = campaign_figures(actor, campaign)
    return CampaignDetailOut(
        **_campaign_out(campaign).dict(),
        assignments=[_assignment_out(a) for a in campaign_assignments(actor, campaign)],
        findings=figures.findings,
        rectified=figures.rectified,
        overdue=figures.overdue,
        transferred=figures.transferred,
    )


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest) -> list[CampaignOut]:
    return [_campaign_out(c) for c in campaign_list(_actor(request))]


@router.post("/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    data = payload.dict()
    data["points"] = [services.PointInput(**p) for p in data["points"]]
    campaign = services.create_campaign(actor=_actor(request), data=services.CampaignInput(**data), request=request)
    return Status(201, _campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def get_campaign(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    actor = _actor(request)
    campaign = get_campaign_for(actor, campaign_id)
    with transaction.atomic():
        record_view(actor=actor, target=campaign, request=request)
    return _detail(actor, campaign)


def _campaign_step(request: HttpRequest, campaign_id: int, step: str) -> CampaignDetailOut:
    actor = _actor(request)
    fn = {
        "submit": services.submit_plan,
        "propose": services.propose_assignment,
        "confirm": services.confirm_assignment,
        "close": services.close_campaign,
    }[step]
    fn(actor=actor, campaign_id=campaign_id, request=request)
    return _detail(actor, get_campaign_for(actor, campaign_id))


@router.post("/campaigns/{campaign_id}/submit", response=CampaignDetailOut)
def submit(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    return _campaign_step(request, campaign_id, "submit")


@router.post("/campaigns/{campaign_id}/assignment", response=CampaignDetailOut)
def propose(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    return _campaign_step(request, campaign_id, "propose")


@router.post("/campaigns/{campaign_id}/confirm", response=CampaignDetailOut)
def confirm(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    return _campaign_step(request, campaign_id, "confirm")


@router.post("/campaigns/{campaign_id}/close", response=CampaignDetailOut)
def close(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    return _campaign_step(request, campaign_id, "close")


@router.get("/campaigns/{campaign_id}/findings", response=list[FindingOut])
def list_findings(request: HttpRequest, campaign_id: int) -> list[FindingOut]:
    actor = _actor(request)
    return [_finding_out(f) for f in campaign_findings(actor, get_campaign_for(actor, campaign_id))]


@router.post("/assignments/{assignment_id}/adjust", response=AssignmentOut)
def adjust(request: HttpRequest, assignment_id: int, payload: AdjustIn) -> AssignmentOut:
    assignment = services.adjust_assignment(
        actor=_actor(request), assignment_id=assignment_id, data=services.AdjustInput(**payload.dict()), request=request
    )
    return _assignment_out(assignment)


@router.post("/assignments/{assignment_id}/checks", response={201: dict})
def record_check(request: HttpRequest, assignment_id: int, payload: CheckIn) -> Status:
    record = services.record_check(
        actor=_actor(request), assignment_id=assignment_id, request=request, **payload.dict()
    )
    return Status(201, {"id": record.pk, "result": record.result})


@router.post("/assignments/{assignment_id}/findings", response={201: FindingOut})
def add_finding(request: HttpRequest, assignment_id: int, payload: FindingIn) -> Status:
    finding = services.add_finding(
        actor=_actor(request),
        assignment_id=assignment_id,
        data=services.FindingInput(**payload.dict()),
        request=request,
    )
    return Status(201, _finding_out(finding))


@router.get("/findings/{finding_id}", response=FindingOut)
def get_finding(request: HttpRequest, finding_id: int) -> FindingOut:
    actor = _actor(request)
    finding = get_finding_for(actor, finding_id)
    with transaction.atomic():
        record_view(actor=actor, target=finding, request=request)
    return _finding_out(finding)


@router.put("/findings/{finding_id}", response=FindingOut)
def update_finding(request: HttpRequest, finding_id: int, payload: FindingIn) -> FindingOut:
    actor = _actor(request)
    services.update_finding(
        actor=actor, finding_id=finding_id, data=services.FindingInput(**payload.dict()), request=request
    )
    return _finding_out(get_finding_for(actor, finding_id))


@router.post("/findings/{finding_id}/rectification", response={201: FindingOut})
def rectify(request: HttpRequest, finding_id: int, payload: RectifyIn) -> Status:
    actor = _actor(request)
    services.order_rectification(actor=actor, finding_id=finding_id, request=request, **payload.dict())
    return Status(201, _finding_out(get_finding_for(actor, finding_id)))


@router.post("/findings/{finding_id}/transfer", response={201: FindingOut})
def transfer(request: HttpRequest, finding_id: int, payload: TransferIn) -> Status:
    actor = _actor(request)
    services.transfer_finding(actor=actor, finding_id=finding_id, request=request, **payload.dict())
    return Status(201, _finding_out(get_finding_for(actor, finding_id)))


@router.post("/findings/{finding_id}/close", response=FindingOut)
def close_finding(request: HttpRequest, finding_id: int) -> FindingOut:
    actor = _actor(request)
    services.close_finding(actor=actor, finding_id=finding_id, request=request)
    return _finding_out(get_finding_for(actor, finding_id))


@router.post("/rectifications/{rectification_id}/report", response=FindingOut)
def report(request: HttpRequest, rectification_id: int, payload: ReportIn) -> FindingOut:
    actor = _actor(request)
    r = services.report_rectification(actor=actor, rectification_id=rectification_id, request=request, **payload.dict())
    return _finding_out(get_finding_for(actor, r.finding_id))


@router.post("/rectifications/{rectification_id}/review", response=FindingOut)
def review(request: HttpRequest, rectification_id: int, payload: RectificationReviewIn) -> FindingOut:
    actor = _actor(request)
    r = services.review_rectification(actor=actor, rectification_id=rectification_id, request=request, **payload.dict())
    return _finding_out(get_finding_for(actor, r.finding_id))
