"""移交线索: a finding becomes a clue (source 监督检查发现) through the clue ledger's own registration."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.inspections.models import Finding, FocusArea
from xiezuoqu.inspections.services._common import _int, _lock_finding, _refuse_if_closed, _text
from xiezuoqu.inspections.workflow import FindingAction, next_finding_state
from xiezuoqu.org.models import Unit


def _default_handler(finding: Finding) -> Unit | None:
    zone = finding.zone
    if zone.inspection_office_id is not None:
        return zone.inspection_office
    return None


def transfer_finding(
    *,
    actor: Actor,
    finding_id: Any,
    handling_unit_id: Any = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> Finding:
    """移交线索: the finding becomes a clue in the ledger (source 监督检查发现) through the normal registration
    (numbering, the duplicate index, the disposal timer, routing by the zone), linked both ways."""
    from xiezuoqu.clues import services as clue_services
    from xiezuoqu.clues.models import Source
    from xiezuoqu.intake.models import Category

    with transaction.atomic():
        finding = _lock_finding(actor, finding_id)
        _refuse_if_closed(finding)
        if finding.clue_id is not None:
            raise RuleViolation("该问题已移交问题线索，不能重复移交。")
        next_finding_state(finding.state, FindingAction.TRANSFER)
        unit = (
            Unit.objects.filter(pk=_int(handling_unit_id), commission_id=finding.campaign.commission_id).first()
            if handling_unit_id
            else _default_handler(finding)
        )
        if unit is None:
            raise ValidationFailed("请选择线索承办单位。", field_errors={"handling_unit_id": ["请选择。"]})
        category = {
            FocusArea.POVERTY: Category.POVERTY,
            FocusArea.COLLECTIVE_ASSETS: Category.COLLECTIVE_ASSETS,
            FocusArea.FARM_SUBSIDY: Category.FARM_SUBSIDY,
            FocusArea.CONDUCT: Category.EIGHT_RULES,
        }.get(FocusArea(finding.campaign.focus_area), Category.OTHER)
        text = _text(summary) or f"专项检查发现：{finding.description}"
        township = finding.inspected_unit if finding.inspected_unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE else None
        clue = clue_services.open_clue(
            actor=actor,
            data=clue_services.ClueInput(
                handling_unit_id=unit.pk,
                source=Source.INSPECTION,
                category=category,
                summary=text[:200],
                content=(
                    f"{finding.campaign.title}（{finding.campaign.focus_label}）发现：{finding.description}\n"
                    f"依据：{finding.basis}\n涉及金额：{finding.amount} 元\n"
                    f"责任单位：{finding.responsible_unit}"
                    + (f"；责任人：{finding.responsible_person}" if finding.responsible_person else "")
                ),
                source_note=f"专项检查问题 {finding.pk}：{finding.campaign.title}"[:200],
                received_on=timezone.localdate(),
                township_id=township.pk if township else None,
            ),
            request=request,
        )
        if finding.responsible_person:
            clue_services.add_subject(
                actor=actor,
                clue_id=clue.pk,
                data=clue_services.SubjectInput(
                    name=finding.responsible_person,
                    unit_text=finding.responsible_unit,
                    township_id=township.pk if township else None,
                ),
                request=request,
            )
        before = finding.state
        finding.state = next_finding_state(before, FindingAction.TRANSFER)
        finding.clue, finding.transferred_on = clue, timezone.localdate()
        finding.save(update_fields=["state", "clue", "transferred_on"])
        record_event(
            actor=actor,
            action="finding.transfer",
            target=finding,
            changes={"state": [before, finding.state], "clue": [None, clue.ledger_number]},
            detail={"clue": clue.pk, "handling_unit": unit.pk},
            request=request,
        )
    return finding
