"""交叉检查分配: the solver's proposal (or why none exists), the organiser's adjustment checked
against the same rules, and the confirmation that starts the field work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.inspections import adapter
from xiezuoqu.inspections import assignment as solver
from xiezuoqu.inspections.models import Assignment, Campaign
from xiezuoqu.inspections.services._common import (
    _lock_assignment,
    _lock_campaign,
    _move_campaign,
    _require_organiser,
    _text,
)
from xiezuoqu.inspections.workflow import CampaignAction, next_campaign_state
from xiezuoqu.org.models import StaffMember


def _store(campaign: Campaign, rows: Iterable[Any], zone_of: Mapping[int, int], *, adjusted: set[int]) -> None:
    Assignment.objects.filter(campaign=campaign).delete()
    for row in rows:
        assignment = Assignment.objects.create(
            campaign=campaign,
            inspecting_unit_id=row.inspecting_unit_id,
            inspected_unit_id=row.inspected_unit_id,
            zone_id=zone_of[row.inspected_unit_id],
            leader_id=row.leader_id,
            reason=row.reason,
            adjusted=row.inspected_unit_id in adjusted,
        )
        assignment.members.set(sorted({row.leader_id, *row.member_ids}))


def propose_assignment(*, actor: Actor, campaign_id: Any, request: HttpRequest | None = None) -> Campaign:
    """提出交叉检查分配: the platform's proposal (deterministic for the same input), or, when no valid
    assignment exists, which constraint cannot be met and what would make it possible."""
    with transaction.atomic():
        campaign = _lock_campaign(actor, campaign_id)
        _require_organiser(actor, campaign, "campaign.assign")
        next_campaign_state(campaign.state, CampaignAction.ASSIGN)
        inputs = adapter.build_inputs(campaign)
        result = solver.propose(inputs.units, inputs.inspectors, inputs.conflicts, inputs.options)
        if isinstance(result, solver.Infeasible):
            Assignment.objects.filter(campaign=campaign).delete()
            _move_campaign(
                actor,
                campaign,
                CampaignAction.ASSIGN,
                request,
                infeasible_rule=str(result.rule)[:60],
                infeasible_message=result.message,
                infeasible_remedy=result.remedy,
            )
            return campaign
        _store(campaign, result.assignments, inputs.zone_of, adjusted=set())
        _move_campaign(
            actor,
            campaign,
            CampaignAction.ASSIGN,
            request,
            infeasible_rule="",
            infeasible_message="",
            infeasible_remedy="",
        )
        record_event(
            actor=actor,
            action="campaign.assignment_proposed",
            target=campaign,
            detail={
                "assignments": [
                    [a.inspecting_unit_id, a.inspected_unit_id, a.leader_id, list(a.member_ids)]
                    for a in result.assignments
                ],
                "inspectors": len(inputs.inspectors),
                "conflicts": len(inputs.conflicts),
            },
            request=request,
        )
    return campaign


@dataclass(frozen=True)
class AdjustInput:
    inspecting_unit_id: int
    leader_id: int
    member_ids: Sequence[int]
    reason: str = ""


def adjust_assignment(
    *, actor: Actor, assignment_id: Any, data: AdjustInput, request: HttpRequest | None = None
) -> Assignment:
    """调整分配: the organiser changes who inspects a unit, or its team; a change that breaks a rule is
    refused with the rule named (the solver's ``check``), and nothing is changed."""
    with transaction.atomic():
        assignment = _lock_assignment(actor, assignment_id)
        campaign = Campaign.objects.select_for_update().get(pk=assignment.campaign_id)
        _require_organiser(actor, campaign, "campaign.assign")
        next_campaign_state(campaign.state, CampaignAction.ASSIGN)
        members = sorted({int(data.leader_id), *(int(m) for m in data.member_ids)})
        staff = {s.pk: s for s in StaffMember.objects.filter(pk__in=members, commission_id=campaign.commission_id)}
        if len(staff) != len(members):
            raise ValidationFailed("所选检查组成员不存在。", field_errors={"member_ids": ["请重新选择。"]})
        inspected = assignment.inspected_unit
        for member in staff.values():
            if member.home_unit_id == inspected.pk:
                raise RuleViolation(
                    f"{member.name}是被检查单位{inspected.name}的干部，不能参加检查本单位的检查组"
                    "（交叉互检：不得检查本人所在单位）。",
                    field_errors={"member_ids": [f"{member.name}不能检查本单位。"]},
                )
        inputs = adapter.build_inputs(campaign)
        before = [
            adapter.stored_row(a)
            for a in Assignment.objects.filter(campaign=campaign).prefetch_related("members").order_by("id")
        ]
        reason = _text(data.reason) or "组织者人工调整"
        changed = solver.Assignment(
            inspecting_unit_id=int(data.inspecting_unit_id),
            inspected_unit_id=inspected.pk,
            leader_id=int(data.leader_id),
            member_ids=tuple(m for m in members if m != int(data.leader_id)),
            reason=reason,
        )
        after = [changed if row.inspected_unit_id == inspected.pk else row for row in before]
        violations = solver.check(after, inputs.units, inputs.inspectors, inputs.conflicts, inputs.options)
        if violations:
            text = "；".join(f"{v.message}（规则：{adapter.rule_label(v.rule)}）" for v in violations)
            raise RuleViolation(
                f"调整不符合交叉互检规则，未作更改：{text}",
                audit_action="campaign.assignment_adjusted",
                target_type="inspections.assignment",
                target_id=str(assignment.pk),
            )
        old = [assignment.inspecting_unit_id, assignment.leader_id, sorted(m.pk for m in assignment.members.all())]
        assignment.inspecting_unit_id = changed.inspecting_unit_id
        assignment.leader_id = changed.leader_id
        assignment.reason = reason
        assignment.adjusted = True
        assignment.save(update_fields=["inspecting_unit", "leader", "reason", "adjusted"])
        assignment.members.set(members)
        record_event(
            actor=actor,
            action="campaign.assignment_adjusted",
            target=assignment,
            changes={"team": [old, [changed.inspecting_unit_id, changed.leader_id, members]]},
            detail={"reason": reason},
            request=request,
            commission_id=campaign.commission_id,
        )
    return assignment


def confirm_assignment(*, actor: Actor, campaign_id: Any, request: HttpRequest | None = None) -> Campaign:
    """确定分配: every unit in scope has its team; field work begins."""
    with transaction.atomic():
        campaign = _lock_campaign(actor, campaign_id)
        _require_organiser(actor, campaign, "campaign.confirm")
        next_campaign_state(campaign.state, CampaignAction.CONFIRM)
        in_scope = set(campaign.units.values_list("unit_id", flat=True))
        assigned = set(campaign.assignments.values_list("inspected_unit_id", flat=True))
        if not in_scope or in_scope != assigned:
            raise RuleViolation("每个被检查单位都须有检查组后才能确定分配，请先提出分配方案。")
        _move_campaign(actor, campaign, CampaignAction.CONFIRM, request, assignment_confirmed_on=timezone.localdate())
    return campaign
