"""Helpers every stage of a special inspection uses: input cleaning, the row locks (the view predicate
applied after the lock), who organises a campaign, leads a finding's zone or sits on a team, the refusals,
the campaign's transition with its audit event, and the read-only rule of a 销号 finding."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.inspections import rules
from xiezuoqu.inspections.models import Assignment, Campaign, Finding, FindingState
from xiezuoqu.inspections.selectors import can_view_assignment, can_view_campaign, can_view_finding
from xiezuoqu.inspections.workflow import next_campaign_state


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str, limit: int = 0) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    if limit and len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: [f"不能超过 {limit} 字。"]})
    return text


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _lock_campaign(actor: Actor, campaign_id: Any) -> Campaign:
    pk = _int(campaign_id)
    campaign = Campaign.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if campaign is None or not can_view_campaign(actor, campaign):
        raise NotFound(audit_action="campaign.viewed", target_type="inspections.campaign", target_id=str(campaign_id))
    return campaign


def _lock_finding(actor: Actor, finding_id: Any) -> Finding:
    pk = _int(finding_id)
    finding = (
        Finding.objects.select_for_update().select_related("campaign", "assignment").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if finding is None or not can_view_finding(actor, finding):
        raise NotFound(audit_action="finding.viewed", target_type="inspections.finding", target_id=str(finding_id))
    return finding


def _lock_assignment(actor: Actor, assignment_id: Any) -> Assignment:
    pk = _int(assignment_id)
    assignment = (
        Assignment.objects.select_for_update().select_related("campaign").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if assignment is None or not can_view_assignment(actor, assignment):
        raise NotFound(
            audit_action="assignment.viewed", target_type="inspections.assignment", target_id=str(assignment_id)
        )
    return assignment


def is_organiser(actor: Actor, campaign: Campaign) -> bool:
    """The commission's leadership; for a zone's campaign, also that zone's leader and deputies."""
    if actor.commission_id != campaign.commission_id or actor.is_admin:
        return False
    if actor.has(*rules.ORGANISER_ROLES):
        return True
    return campaign.zone_id is not None and campaign.zone_id in actor.leadership_zone_ids


def leads_zone_of(actor: Actor, finding: Finding) -> bool:
    """销号 and the zone's say over a finding: the zone's leader or deputy, or the commission's leadership."""
    if actor.commission_id != finding.campaign.commission_id or actor.is_admin:
        return False
    return actor.has(*rules.ORGANISER_ROLES) or finding.zone_id in actor.leadership_zone_ids


def on_team(actor: Actor, assignment: Assignment) -> bool:
    if actor.staff_id is None:
        return False
    return assignment.leader_id == actor.staff_id or assignment.members.filter(pk=actor.staff_id).exists()


def _refuse(message: str, action: str, target: Any) -> NotPermitted:
    return NotPermitted(message, audit_action=action, target_type=target._meta.label_lower, target_id=str(target.pk))


def _require_organiser(actor: Actor, campaign: Campaign, action: str) -> None:
    if not is_organiser(actor, campaign):
        raise _refuse("只有组织本次专项检查的委领导或协作区组长、副组长可以办理此事项。", action, campaign)


def _require_team(actor: Actor, assignment: Assignment, action: str) -> None:
    if not (on_team(actor, assignment) or is_organiser(actor, assignment.campaign)):
        raise _refuse("只有本检查组成员或检查组织者可以办理此事项。", action, assignment)


def _move_campaign(
    actor: Actor | None, campaign: Campaign, action: str, request: HttpRequest | None, **fields: Any
) -> None:
    before = campaign.state
    campaign.state = next_campaign_state(before, action)
    changes: dict[str, list[Any]] = {"state": [before, campaign.state]} if before != campaign.state else {}
    for name, value in fields.items():
        old = getattr(campaign, name)
        if old != value:
            changes[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
        setattr(campaign, name, value)
    campaign.save(update_fields=["state", *fields])
    record_event(actor=actor, action=f"campaign.{action}", target=campaign, changes=changes, request=request)


def _refuse_if_closed(finding: Finding) -> None:
    if finding.state == FindingState.CLOSED:
        raise RuleViolation(
            "该问题已销号，不能再修改或处置。",
            audit_action="finding.edit",
            target_type="inspections.finding",
            target_id=str(finding.pk),
        )
