"""Scoped reads of special inspections: the funnel every page, API call and export goes through.

- the commission's commission-wide roles see everything of their commissions;
- a zone's leadership and office staff see the campaigns touching their zones, and the assignments,
  working notes, findings and rectifications of the units of their zones;
- an inspector (a member or leader of a team) and the inspecting unit's own cadres see their team's
  assignment, its working notes and its findings;
- an inspected unit sees its own findings and rectification tasks — never the team's working notes
  (``CheckRecord``) nor who was weighed for its team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import ADMIN_ROLES

from .models import Assignment, Campaign, CheckRecord, Finding, FindingState, Rectification


def _out(actor: Actor) -> bool:
    return actor.user_id is None or bool(actor.roles & ADMIN_ROLES) or not actor.is_staff_worker


def _whole(actor: Actor) -> bool:
    return actor.is_commission_wide


def _team_q(actor: Actor, prefix: str = "") -> Q:
    """Rows of assignments this actor works on: a team seat, or a role at the inspecting unit."""
    q = Q(pk__in=[])
    if actor.staff_id is not None:
        q |= Q(**{f"{prefix}leader_id": actor.staff_id}) | Q(**{f"{prefix}members__id": actor.staff_id})
    if actor.role_unit_ids:
        q |= Q(**{f"{prefix}inspecting_unit_id__in": actor.role_unit_ids})
    return q


def _on_team(actor: Actor, assignment: Assignment) -> bool:
    if actor.staff_id is not None:
        if assignment.leader_id == actor.staff_id:
            return True
        if any(m.pk == actor.staff_id for m in assignment.members.all()):
            return True
    return assignment.inspecting_unit_id in actor.role_unit_ids


# --- campaigns -------------------------------------------------------------------------------------------


def campaigns_visible_to(actor: Actor) -> QuerySet[Campaign]:
    if _out(actor):
        return Campaign.objects.none()
    if _whole(actor):
        return Campaign.objects.filter(commission_id__in=actor.commission_ids)
    q = Q(pk__in=[])
    if actor.zone_ids:
        q |= Q(zones__in=actor.zone_ids)
    if actor.role_unit_ids:
        q |= Q(units__unit_id__in=actor.role_unit_ids)
    if actor.staff_id is not None:
        q |= Q(assignments__leader_id=actor.staff_id) | Q(assignments__members__id=actor.staff_id)
    ids = Campaign.objects.filter(q).values("pk")
    return Campaign.objects.filter(pk__in=ids, commission_id__in=actor.commission_ids)


def can_view_campaign(actor: Actor, campaign: Campaign) -> bool:
    if _out(actor) or campaign.commission_id not in actor.commission_ids:
        return False
    if _whole(actor):
        return True
    if actor.zone_ids and campaign.zones.filter(pk__in=actor.zone_ids).exists():
        return True
    if actor.role_unit_ids and campaign.units.filter(unit_id__in=actor.role_unit_ids).exists():
        return True
    if actor.staff_id is not None:
        seats = Q(leader_id=actor.staff_id) | Q(members__id=actor.staff_id)
        return campaign.assignments.filter(seats).exists()
    return False


# --- assignments and working notes ----------------------------------------------------------------------


def assignments_visible_to(actor: Actor) -> QuerySet[Assignment]:
    if _out(actor):
        return Assignment.objects.none()
    base = Assignment.objects.filter(campaign__commission_id__in=actor.commission_ids)
    if _whole(actor):
        return base
    q = _team_q(actor) | Q(zone_id__in=actor.zone_ids)
    return base.filter(pk__in=Assignment.objects.filter(q).values("pk"))


def can_view_assignment(actor: Actor, assignment: Assignment) -> bool:
    if _out(actor) or assignment.campaign.commission_id not in actor.commission_ids:
        return False
    return _whole(actor) or assignment.zone_id in actor.zone_ids or _on_team(actor, assignment)


def check_records_visible_to(actor: Actor) -> QuerySet[CheckRecord]:
    return CheckRecord.objects.filter(assignment__in=assignments_visible_to(actor))


def can_view_check_record(actor: Actor, record: CheckRecord) -> bool:
    return can_view_assignment(actor, record.assignment)


# --- findings and rectifications ------------------------------------------------------------------------


def findings_visible_to(actor: Actor) -> QuerySet[Finding]:
    if _out(actor):
        return Finding.objects.none()
    base = Finding.objects.filter(campaign__commission_id__in=actor.commission_ids)
    if _whole(actor):
        return base
    q = Q(zone_id__in=actor.zone_ids) | Q(inspected_unit_id__in=actor.role_unit_ids)
    q |= Q(assignment__in=Assignment.objects.filter(_team_q(actor)).values("pk"))
    return base.filter(q)


def can_view_finding(actor: Actor, finding: Finding) -> bool:
    if _out(actor) or finding.campaign.commission_id not in actor.commission_ids:
        return False
    if _whole(actor) or finding.zone_id in actor.zone_ids or finding.inspected_unit_id in actor.role_unit_ids:
        return True
    return _on_team(actor, finding.assignment)


def rectifications_visible_to(actor: Actor) -> QuerySet[Rectification]:
    return Rectification.objects.filter(finding__in=findings_visible_to(actor))


def can_view_rectification(actor: Actor, rectification: Rectification) -> bool:
    return can_view_finding(actor, rectification.finding)


CAMPAIGNS = register(Policy(Campaign, "专项检查", campaigns_visible_to, can_view_campaign, case_content=True))
ASSIGNMENTS = register(
    Policy(Assignment, "交叉检查分配", assignments_visible_to, can_view_assignment, case_content=True)
)
CHECK_RECORDS = register(
    Policy(CheckRecord, "检查记录", check_records_visible_to, can_view_check_record, sensitive=True, case_content=True)
)
FINDINGS = register(
    Policy(Finding, "检查发现问题", findings_visible_to, can_view_finding, sensitive=True, case_content=True)
)
RECTIFICATIONS = register(
    Policy(Rectification, "整改", rectifications_visible_to, can_view_rectification, case_content=True)
)


# --- the funnel for one object --------------------------------------------------------------------------


def get_campaign_for(actor: Actor, campaign_id: Any) -> Campaign:
    return CAMPAIGNS.get_for(
        actor, campaign_id, queryset=campaigns_visible_to(actor).select_related("zone", "approval", "commission")
    )


def get_assignment_for(actor: Actor, assignment_id: Any) -> Assignment:
    return ASSIGNMENTS.get_for(
        actor,
        assignment_id,
        queryset=assignments_visible_to(actor).select_related(
            "campaign", "inspecting_unit", "inspected_unit", "leader", "zone"
        ),
    )


def get_finding_for(actor: Actor, finding_id: Any) -> Finding:
    return FINDINGS.get_for(
        actor,
        finding_id,
        queryset=findings_visible_to(actor).select_related(
            "campaign", "assignment", "inspected_unit", "zone", "point", "clue"
        ),
    )


def get_rectification_for(actor: Actor, rectification_id: Any) -> Rectification:
    return RECTIFICATIONS.get_for(
        actor,
        rectification_id,
        queryset=rectifications_visible_to(actor).select_related(
            "finding__campaign", "finding__inspected_unit", "finding__zone", "finding__assignment"
        ),
    )


# --- lists and figures ----------------------------------------------------------------------------------


def campaign_list(actor: Actor, *, limit: int = 200) -> list[Campaign]:
    return list(campaigns_visible_to(actor).select_related("zone", "approval").order_by("-period_start", "-id")[:limit])


def may_see_team_work(actor: Actor, campaign: Campaign) -> bool:
    """The assignment as a whole (who was weighed, the reasons, the Infeasible explanation): the organisers,
    the commission and the zones' leadership and office — not an inspected unit."""
    return _whole(actor) or bool(actor.zone_ids & set(campaign.zones.values_list("pk", flat=True)))


def campaign_assignments(actor: Actor, campaign: Campaign) -> list[Assignment]:
    return list(
        assignments_visible_to(actor)
        .filter(campaign=campaign)
        .select_related("inspecting_unit", "inspected_unit", "leader", "zone")
        .prefetch_related("members")
        .order_by("zone__number", "inspected_unit__sort_order", "id")
    )


def campaign_findings(actor: Actor, campaign: Campaign) -> list[Finding]:
    return list(
        findings_visible_to(actor)
        .filter(campaign=campaign)
        .select_related("inspected_unit", "zone", "point", "clue", "rectification")
        .order_by("zone__number", "id")
    )


def assignment_records(actor: Actor, assignment: Assignment) -> list[CheckRecord]:
    return list(
        check_records_visible_to(actor)
        .filter(assignment=assignment)
        .select_related("point", "inspected_object")
        .order_by("point__order", "id")
    )


@dataclass
class CampaignFigures:
    units_inspected: int = 0
    findings: int = 0
    amount: Decimal = Decimal("0.00")
    rectified: int = 0
    rectifying: int = 0
    overdue: int = 0
    transferred: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_zone: list[tuple[str, int]] = field(default_factory=list)


def campaign_figures(actor: Actor, campaign: Campaign, *, today: date | None = None) -> CampaignFigures:
    """Counts over the findings the actor may see (so an inspected unit's figures are its own)."""
    today = today or timezone.localdate()
    findings = findings_visible_to(actor).filter(campaign=campaign)
    from .models import FindingCategory

    labels = dict(FindingCategory.choices)
    totals = findings.aggregate(
        n=Count("id"),
        amount=Sum("amount"),
        rectified=Count("id", filter=Q(state=FindingState.CLOSED)),
        rectifying=Count(
            "id", filter=Q(state__in=[FindingState.RECTIFYING, FindingState.REPORTED, FindingState.REVIEWED])
        ),
        overdue=Count(
            "id",
            filter=Q(state=FindingState.RECTIFYING, rectification__due_date__lt=today),
        ),
        transferred=Count("id", filter=Q(clue__isnull=False)),
        units=Count("inspected_unit", distinct=True),
    )
    by_category = [
        (str(labels.get(row["category"], row["category"])), row["n"])
        for row in findings.values("category").annotate(n=Count("id")).order_by("category")
    ]
    by_zone = [
        (row["zone__name"], row["n"])
        for row in findings.values("zone__number", "zone__name").annotate(n=Count("id")).order_by("zone__number")
    ]
    inspected = assignments_visible_to(actor).filter(campaign=campaign).count()
    return CampaignFigures(
        units_inspected=inspected,
        findings=totals["n"] or 0,
        amount=totals["amount"] or Decimal("0.00"),
        rectified=totals["rectified"] or 0,
        rectifying=totals["rectifying"] or 0,
        overdue=totals["overdue"] or 0,
        transferred=totals["transferred"] or 0,
        by_category=by_category,
        by_zone=by_zone,
    )


def rectifications_due(actor: Actor, *, limit: int = 50) -> list[Rectification]:
    """Open rectification tasks the actor may see, soonest first (the work home's list)."""
    return list(
        rectifications_visible_to(actor)
        .filter(finding__state=FindingState.RECTIFYING)
        .select_related("finding__inspected_unit", "finding__campaign")
        .order_by("due_date", "id")[:limit]
    )
