"""整改: the order with its working-day deadline, the inspected unit's report, the team's 复核
(passed, or back to rectifying with a new deadline) and the zone's 销号."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import close_deadline, open_deadline
from xiezuoqu.errors import NotFound, ValidationFailed
from xiezuoqu.inspections import rules
from xiezuoqu.inspections.models import Finding, Rectification
from xiezuoqu.inspections.services._common import (
    _int,
    _lock_finding,
    _refuse,
    _refuse_if_closed,
    _required,
    _text,
    is_organiser,
    leads_zone_of,
    on_team,
)
from xiezuoqu.inspections.workflow import FindingAction, next_finding_state
from xiezuoqu.workdays.selectors import add_working_days


def order_rectification(
    *,
    actor: Actor,
    finding_id: Any,
    requirement: str,
    due_date: date | None = None,
    working_days: int | None = None,
    ordered_on: date | None = None,
    request: HttpRequest | None = None,
) -> Rectification:
    """交办整改: a task for the inspected unit with a deadline on the working-day calendar (the campaign's
    default period unless a due date or another period is given); warnings and 督办单 by the deadline engine."""
    requirement = _required(requirement, "requirement", "整改要求")
    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        _refuse_if_closed(finding)
        campaign = finding.campaign
        if not (on_team(actor, finding.assignment) or is_organiser(actor, campaign) or leads_zone_of(actor, finding)):
            raise _refuse("只有检查组成员、协作区组长或委领导可以交办整改。", "finding.rectify", finding)
        next_finding_state(finding.state, FindingAction.RECTIFY)
        start = ordered_on or timezone.localdate()
        if start < finding.found_on or start > timezone.localdate():
            raise ValidationFailed(
                "整改起始日期应在发现问题之日以后、今天以前。", field_errors={"ordered_on": ["请核对。"]}
            )
        kwargs: dict[str, Any]
        if due_date is not None:
            if due_date < finding.found_on:
                raise ValidationFailed(
                    f"整改期限 {due_date:%Y-%m-%d} 早于发现问题的日期 {finding.found_on:%Y-%m-%d}，请重新确定。",
                    field_errors={"due_date": ["整改期限不能早于发现问题的日期。"]},
                )
            if due_date <= start:
                raise ValidationFailed(
                    "整改期限应晚于整改起始日期。", field_errors={"due_date": ["应晚于整改起始日期。"]}
                )
            kwargs = {"days": (due_date - start).days, "roll_forward": False}
        else:
            days = working_days if working_days is not None else campaign.rectification_days
            if not 1 <= days <= rules.MAX_RECTIFICATION_DAYS:
                raise ValidationFailed(
                    f"整改期限应为 1 至 {rules.MAX_RECTIFICATION_DAYS} 个工作日。",
                    field_errors={"working_days": ["请核对。"]},
                )
            kwargs = {"working_days": days}
            due_date = add_working_days(start, days).date
        rectification = Rectification.objects.create(
            finding=finding, requirement=requirement, ordered_on=start, due_date=due_date
        )
        before = finding.state
        finding.state = next_finding_state(before, FindingAction.RECTIFY)
        finding.save(update_fields=["state"])
        deadline = open_deadline(
            actor=actor,
            target=rectification,
            kind=rules.RECTIFICATION_KIND,
            label=f"{finding.inspected_unit.name}整改：{finding.description[:40]}",
            start=start,
            responsible_unit=finding.inspected_unit,
            zone=finding.zone,
            request=request,
            **kwargs,
        )
        if deadline.due_date != rectification.due_date:
            rectification.due_date = deadline.due_date
            rectification.save(update_fields=["due_date"])
        record_event(
            actor=actor,
            action="finding.rectify",
            target=finding,
            changes={"state": [before, finding.state], "due_date": [None, rectification.due_date]},
            detail={"rectification": rectification.pk, "requirement": requirement},
            request=request,
        )
    return rectification


def _lock_rectification(actor: Actor, rectification_id: Any) -> tuple[Rectification, Finding]:
    pk = _int(rectification_id)
    rectification = Rectification.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if rectification is None:
        raise NotFound(target_type="inspections.rectification", target_id=str(rectification_id))
    finding = _lock_finding(actor, rectification.finding_id)
    return rectification, finding


def may_report(actor: Actor, finding: Finding) -> bool:
    """报送整改情况: the inspected unit's own cadres (or the organisers on its behalf)."""
    unit_roles = (Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)
    own = any(finding.inspected_unit_id in actor.units_for_role(r) for r in unit_roles if r in actor.roles)
    return own or is_organiser(actor, finding.campaign) or leads_zone_of(actor, finding)


def report_rectification(
    *,
    actor: Actor,
    rectification_id: Any,
    report: str,
    evidence_note: str = "",
    reported_on: date | None = None,
    request: HttpRequest | None = None,
) -> Rectification:
    """报送整改情况 with its evidence; the deadline is met on the day reported."""
    report = _required(report, "report", "整改情况")
    with transaction.atomic():
        rectification, finding = _lock_rectification(actor, rectification_id)
        _refuse_if_closed(finding)
        if not may_report(actor, finding):
            raise _refuse("整改情况由被检查单位报送。", "finding.report", finding)
        before = finding.state
        finding.state = next_finding_state(before, FindingAction.REPORT)
        day = reported_on or timezone.localdate()
        if day < rectification.ordered_on or day > timezone.localdate():
            raise ValidationFailed(
                "报告日期应在整改起始日期以后、今天以前。", field_errors={"reported_on": ["请核对。"]}
            )
        rectification.report, rectification.evidence_note = report, _text(evidence_note)
        rectification.reported_on = day
        rectification.save(update_fields=["report", "evidence_note", "reported_on"])
        finding.save(update_fields=["state"])
        close_deadline(actor=actor, target=rectification, kind=rules.RECTIFICATION_KIND, met_on=day, request=request)
        record_event(
            actor=actor,
            action="finding.report",
            target=finding,
            changes={"state": [before, finding.state], "reported_on": [None, day]},
            request=request,
        )
    return rectification


def review_rectification(
    *,
    actor: Actor,
    rectification_id: Any,
    passed: bool,
    note: str,
    request: HttpRequest | None = None,
) -> Rectification:
    """复核 by the inspecting team: passed → awaits the zone's 销号; not passed → back to rectifying, with a
    new deadline of the campaign's default period from today."""
    note = _required(note, "note", "复核意见")
    with transaction.atomic():
        rectification, finding = _lock_rectification(actor, rectification_id)
        _refuse_if_closed(finding)
        if not (on_team(actor, finding.assignment) or is_organiser(actor, finding.campaign)):
            raise _refuse("整改情况由检查组复核。", "finding.review", finding)
        action = FindingAction.PASS_REVIEW if passed else FindingAction.FAIL_REVIEW
        before = finding.state
        finding.state = next_finding_state(before, action)
        today = timezone.localdate()
        assert actor.user_id is not None
        rectification.review_note, rectification.reviewed_on, rectification.reviewed_by_id = note, today, actor.user_id
        fields = ["review_note", "reviewed_on", "reviewed_by"]
        if not passed:
            deadline = open_deadline(
                actor=actor,
                target=rectification,
                kind=rules.RECTIFICATION_KIND,
                label=f"{finding.inspected_unit.name}整改（复核后继续整改）",
                start=today,
                working_days=finding.campaign.rectification_days,
                responsible_unit=finding.inspected_unit,
                zone=finding.zone,
                request=request,
            )
            rectification.due_date, rectification.ordered_on = deadline.due_date, today
            rectification.reported_on = None
            fields += ["due_date", "ordered_on", "reported_on"]
        rectification.save(update_fields=fields)
        finding.save(update_fields=["state"])
        record_event(
            actor=actor,
            action=f"finding.{action}",
            target=finding,
            changes={"state": [before, finding.state]},
            detail={"note": note},
            request=request,
        )
    return rectification


def close_finding(*, actor: Actor, finding_id: Any, request: HttpRequest | None = None) -> Finding:
    """销号 by the zone: the finding is then read-only."""
    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        _refuse_if_closed(finding)
        if not leads_zone_of(actor, finding):
            raise _refuse("销号由被检查单位所在协作区的组长、副组长或委领导办理。", "finding.close", finding)
        before = finding.state
        finding.state = next_finding_state(before, FindingAction.CLOSE)
        finding.save(update_fields=["state"])
        rectification = Rectification.objects.select_for_update().get(finding=finding)
        assert actor.user_id is not None
        rectification.closed_on, rectification.closed_by_id = timezone.localdate(), actor.user_id
        rectification.save(update_fields=["closed_on", "closed_by"])
        record_event(
            actor=actor,
            action="finding.close",
            target=finding,
            changes={"state": [before, finding.state]},
            request=request,
        )
    return finding
