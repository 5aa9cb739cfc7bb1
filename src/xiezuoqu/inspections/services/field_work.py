"""检查: the teams' check records (工作底稿) against the checklist and the findings (问题清单) with
their amounts, while the campaign is under way; a finding is edited until 销号."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.inspections.models import (
    Campaign,
    CampaignState,
    CheckPoint,
    CheckRecord,
    CheckResult,
    Finding,
    FindingCategory,
    InspectedObject,
    Severity,
)
from xiezuoqu.inspections.services._common import (
    _int,
    _lock_assignment,
    _lock_finding,
    _refuse_if_closed,
    _require_team,
    _required,
    _text,
)
from xiezuoqu.inspections.workflow import FindingAction, next_finding_state

MAX_AMOUNT = Decimal("999999999999.99")


def parse_amount(value: Any) -> Decimal:
    """涉及金额 in yuan: a number with at most two decimals, not negative; anything else is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationFailed(
            "涉及金额应填写数字（单位：元），如 12500.00。", field_errors={"amount": ["请填写数字金额。"]}
        )
    if amount < 0:
        raise ValidationFailed("涉及金额不能为负数。", field_errors={"amount": ["不能为负数。"]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("涉及金额最多保留两位小数（元、角、分）。", field_errors={"amount": ["最多两位小数。"]})
    if amount > MAX_AMOUNT:
        raise ValidationFailed("涉及金额过大，请核对。", field_errors={"amount": ["金额过大。"]})
    return amount.quantize(Decimal("0.01"))


def _require_field_work(campaign: Campaign) -> None:
    if campaign.state != CampaignState.UNDER_WAY:
        raise RuleViolation(
            f"该专项检查当前为“{campaign.get_state_display()}”，确定交叉检查分配后才能开展检查、登记问题。"
        )


def _check_day(day: date | None, campaign: Campaign, field_name: str) -> date:
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed("日期不能晚于今天。", field_errors={field_name: ["不能晚于今天。"]})
    if day < campaign.period_start:
        raise ValidationFailed(
            f"日期不能早于检查开始日期 {campaign.period_start:%Y-%m-%d}。", field_errors={field_name: ["请核对。"]}
        )
    return day


def record_check(
    *,
    actor: Actor,
    assignment_id: Any,
    point_id: Any,
    result: str,
    note: str,
    object_id: Any = None,
    checked_on: date | None = None,
    request: HttpRequest | None = None,
) -> CheckRecord:
    """登记检查记录 (工作底稿) for one checklist point."""
    if result not in CheckResult.values:
        raise ValidationFailed("请选择检查结果。", field_errors={"result": ["请选择。"]})
    note = _required(note, "note", "检查情况")
    with transaction.atomic():
        assignment = _lock_assignment(actor, assignment_id)
        campaign = assignment.campaign
        _require_team(actor, assignment, "check_record.created")
        _require_field_work(campaign)
        point = CheckPoint.objects.filter(pk=_int(point_id), campaign=campaign).first()
        if point is None:
            raise ValidationFailed("请选择本次检查的检查要点。", field_errors={"point_id": ["请重新选择。"]})
        obj = None
        if object_id:
            obj = InspectedObject.objects.filter(
                pk=_int(object_id), campaign=campaign, unit_id=assignment.inspected_unit_id
            ).first()
            if obj is None:
                raise ValidationFailed("请选择被检查单位的检查对象。", field_errors={"object_id": ["请重新选择。"]})
        day = _check_day(checked_on, campaign, "checked_on")
        assert actor.user_id is not None
        record = CheckRecord.objects.create(
            assignment=assignment,
            point=point,
            inspected_object=obj,
            result=result,
            note=note,
            checked_on=day,
            recorded_by_id=actor.user_id,
        )
        record_event(
            actor=actor,
            action="check_record.created",
            target=record,
            changes={"result": [None, result]},
            detail={"assignment": assignment.pk, "point": point.order},
            request=request,
            commission_id=campaign.commission_id,
        )
    return record


@dataclass(frozen=True)
class FindingInput:
    category: str
    description: str
    responsible_unit: str
    amount: Any = "0"
    basis: str = ""
    point_id: int | None = None
    responsible_person: str = ""
    severity: str = Severity.MINOR
    found_on: date | None = None


def _clean_finding(campaign: Campaign, data: FindingInput) -> dict[str, Any]:
    if data.category not in FindingCategory.values:
        raise ValidationFailed("请选择问题类别。", field_errors={"category": ["请选择。"]})
    if data.severity not in Severity.values:
        raise ValidationFailed("请选择严重程度。", field_errors={"severity": ["请选择。"]})
    point = None
    if data.point_id:
        point = CheckPoint.objects.filter(pk=_int(data.point_id), campaign=campaign).first()
        if point is None:
            raise ValidationFailed("请选择本次检查的检查要点。", field_errors={"point_id": ["请重新选择。"]})
    basis = _text(data.basis) or (point.basis if point else "")
    return {
        "category": data.category,
        "severity": data.severity,
        "point": point,
        "description": _required(data.description, "description", "问题描述"),
        "basis": basis,
        "amount": parse_amount(data.amount),
        "responsible_unit": _required(data.responsible_unit, "responsible_unit", "责任单位", 100),
        "responsible_person": _text(data.responsible_person)[:30],
    }


def add_finding(*, actor: Actor, assignment_id: Any, data: FindingInput, request: HttpRequest | None = None) -> Finding:
    """登记问题 into the 问题清单."""
    with transaction.atomic():
        assignment = _lock_assignment(actor, assignment_id)
        campaign = assignment.campaign
        _require_team(actor, assignment, "finding.record")
        _require_field_work(campaign)
        values = _clean_finding(campaign, data)
        day = _check_day(data.found_on, campaign, "found_on")
        assert actor.user_id is not None
        finding = Finding.objects.create(
            campaign=campaign,
            assignment=assignment,
            inspected_unit_id=assignment.inspected_unit_id,
            zone_id=assignment.zone_id,
            found_on=day,
            state=next_finding_state(None, FindingAction.RECORD),
            recorded_by_id=actor.user_id,
            **values,
        )
        record_event(
            actor=actor,
            action="finding.record",
            target=finding,
            changes={"state": [None, finding.state], "amount": [None, finding.amount]},
            detail={"assignment": assignment.pk, "category": finding.category},
            request=request,
            commission_id=campaign.commission_id,
        )
    return finding


def update_finding(*, actor: Actor, finding_id: Any, data: FindingInput, request: HttpRequest | None = None) -> Finding:
    """修改问题: before 销号 only."""
    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        _refuse_if_closed(finding)
        _require_team(actor, finding.assignment, "finding.edit")
        next_finding_state(finding.state, FindingAction.EDIT)
        values = _clean_finding(finding.campaign, data)
        changes: dict[str, list[Any]] = {}
        for name, value in values.items():
            old = getattr(finding, name)
            if old != value:
                changes[name] = [str(old) if name == "point" else old, str(value) if name == "point" else value]
            setattr(finding, name, value)
        finding.save(update_fields=list(values))
        record_event(actor=actor, action="finding.edit", target=finding, changes=changes, request=request)
    return finding
