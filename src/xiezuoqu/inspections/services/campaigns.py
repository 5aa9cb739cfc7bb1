"""拟定 and 报批: the campaign's plan (topic, units in scope, checklist) is drafted, its inspected objects
added, and it goes to the configured chain (matter ``inspection.plan``), whose decision moves the campaign
(``_plan_decided``); 结束检查 once every finding is 销号 or transferred."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.inspections import rules
from xiezuoqu.inspections.models import (
    Campaign,
    CampaignUnit,
    CheckPoint,
    FindingState,
    FocusArea,
    InspectedObject,
    ObjectKind,
)
from xiezuoqu.inspections.services._common import (
    _int,
    _lock_campaign,
    _move_campaign,
    _require_organiser,
    _required,
    _text,
)
from xiezuoqu.inspections.workflow import CampaignAction, next_campaign_state
from xiezuoqu.org.models import Unit, Zone, ZoneMembership
from xiezuoqu.org.selectors import current_member_unit_ids

CAMPAIGN_UNIT_KINDS = frozenset({Unit.Kind.TOWNSHIP_COMMITTEE})


@dataclass(frozen=True)
class PointInput:
    text: str
    basis: str = ""
    evidence_needed: str = ""


@dataclass(frozen=True)
class CampaignInput:
    title: str
    focus_area: str
    period_start: date | None
    period_end: date | None
    zone_ids: Sequence[int]
    points: Sequence[PointInput]
    # The zone that runs it (None: the commission across zones).
    zone_id: int | None = None
    focus_other: str = ""
    # Units in scope; empty: every township committee of the zones.
    unit_ids: Sequence[int] = field(default_factory=tuple)
    forbid_two_cycles: bool = True
    cross_zone: bool = False
    team_min: int = 2
    team_max: int = 3
    rectification_days: int = 20
    conflict_years: int = 5
    is_demo: bool = False


def _clean_campaign(actor: Actor, data: CampaignInput) -> dict[str, Any]:
    title = _required(data.title, "title", "检查名称", 120)
    if data.focus_area not in FocusArea.values:
        raise ValidationFailed("请选择检查领域。", field_errors={"focus_area": ["请选择。"]})
    focus_other = _text(data.focus_other)[:60]
    if data.focus_area == FocusArea.OTHER and not focus_other:
        raise ValidationFailed("检查领域为“其他”时，请填写领域名称。", field_errors={"focus_other": ["请填写。"]})
    if data.period_start is None or data.period_end is None:
        raise ValidationFailed("请填写检查起止日期。", field_errors={"period_start": ["请填写。"]})
    if data.period_end < data.period_start:
        raise ValidationFailed("检查结束日期不能早于开始日期。", field_errors={"period_end": ["不能早于开始日期。"]})
    if not 2 <= data.team_min <= data.team_max <= 9:
        raise ValidationFailed(
            "检查组人数应至少 2 人，且最多人数不少于最少人数（不超过 9 人）。", field_errors={"team_min": ["请核对。"]}
        )
    if not 1 <= data.rectification_days <= rules.MAX_RECTIFICATION_DAYS:
        raise ValidationFailed(
            f"默认整改期限应为 1 至 {rules.MAX_RECTIFICATION_DAYS} 个工作日。",
            field_errors={"rectification_days": ["请核对。"]},
        )
    if not 0 <= data.conflict_years <= 30:
        raise ValidationFailed("曾任职回避年限应为 0 至 30 年。", field_errors={"conflict_years": ["请核对。"]})
    zones = list(Zone.objects.filter(pk__in=list(data.zone_ids), commission_id=actor.commission_id).order_by("number"))
    if not zones or len(zones) != len(set(data.zone_ids)):
        raise ValidationFailed("请选择本纪委监委的协作区。", field_errors={"zone_ids": ["请选择。"]})
    zone = None
    if data.zone_id is not None:
        zone = next((z for z in zones if z.pk == data.zone_id), None)
        if zone is None or len(zones) != 1:
            raise ValidationFailed("协作区组织的专项检查只涉及本协作区。", field_errors={"zone_ids": ["请核对。"]})
    points = [p for p in data.points if _text(p.text)]
    if not points:
        raise ValidationFailed("请至少列出一项检查要点。", field_errors={"points": ["请填写检查要点。"]})
    return {"title": title, "focus_other": focus_other, "zones": zones, "zone": zone, "points": points}


def _scope_units(zones: list[Zone], unit_ids: Sequence[int]) -> list[tuple[Unit, Zone]]:
    zone_of = dict(
        ZoneMembership.objects.filter(
            zone__in=zones, end_date__isnull=True, unit_id__in=current_member_unit_ids([z.pk for z in zones])
        ).values_list("unit_id", "zone_id")
    )
    by_pk = {z.pk: z for z in zones}
    qs = Unit.objects.filter(pk__in=list(zone_of), is_active=True).order_by("sort_order", "id")
    if unit_ids:
        wanted = {int(u) for u in unit_ids}
        units = [u for u in qs if u.pk in wanted]
        if len(units) != len(wanted):
            raise ValidationFailed("所选单位不在所选协作区内。", field_errors={"unit_ids": ["请重新选择。"]})
    else:
        units = [u for u in qs if u.kind in CAMPAIGN_UNIT_KINDS]
    if len(units) < 2:
        raise ValidationFailed("交叉互检至少需要两个被检查单位。", field_errors={"unit_ids": ["至少两个单位。"]})
    return [(u, by_pk[zone_of[u.pk]]) for u in units]


def create_campaign(*, actor: Actor, data: CampaignInput, request: HttpRequest | None = None) -> Campaign:
    """拟定专项检查: the commission's leadership across zones, or a zone's leadership for its zone."""
    if actor.commission_id is None or actor.is_admin or actor.user_id is None:
        raise NotPermitted("只有本纪委监委的委领导或协作区组长、副组长可以拟定专项检查。")
    cleaned = _clean_campaign(actor, data)
    zone = cleaned["zone"]
    allowed = actor.has(*rules.ORGANISER_ROLES) or (zone is not None and zone.pk in actor.leadership_zone_ids)
    if not allowed:
        raise NotPermitted(
            "专项检查由委领导拟定；协作区组长、副组长可以拟定本协作区的专项检查（请选择本协作区为组织单位）。"
        )
    with transaction.atomic():
        scope = _scope_units(cleaned["zones"], data.unit_ids)
        campaign = Campaign.objects.create(
            commission_id=actor.commission_id,
            zone=zone,
            title=cleaned["title"],
            focus_area=data.focus_area,
            focus_other=cleaned["focus_other"],
            period_start=data.period_start,
            period_end=data.period_end,
            forbid_two_cycles=data.forbid_two_cycles,
            cross_zone=data.cross_zone,
            team_min=data.team_min,
            team_max=data.team_max,
            rectification_days=data.rectification_days,
            conflict_years=data.conflict_years,
            state=next_campaign_state(None, CampaignAction.CREATE),
            created_by_id=actor.user_id,
            is_demo=data.is_demo,
        )
        campaign.zones.set(cleaned["zones"])
        CampaignUnit.objects.bulk_create([CampaignUnit(campaign=campaign, unit=u, zone=z) for u, z in scope])
        InspectedObject.objects.bulk_create(
            [InspectedObject(campaign=campaign, unit=u, kind=ObjectKind.COMMITTEE, name=u.name) for u, _ in scope]
        )
        CheckPoint.objects.bulk_create(
            [
                CheckPoint(
                    campaign=campaign,
                    order=n,
                    text=_text(p.text),
                    basis=_text(p.basis),
                    evidence_needed=_text(p.evidence_needed),
                )
                for n, p in enumerate(cleaned["points"], start=1)
            ]
        )
        record_event(
            actor=actor,
            action="campaign.create",
            target=campaign,
            changes={"state": [None, campaign.state]},
            detail={
                "zones": [z.pk for z in cleaned["zones"]],
                "units": [u.pk for u, _ in scope],
                "points": len(cleaned["points"]),
                "focus_area": data.focus_area,
            },
            request=request,
        )
    return campaign


def add_inspected_object(
    *,
    actor: Actor,
    campaign_id: Any,
    unit_id: Any,
    kind: str,
    name: str,
    village_id: Any = None,
    request: HttpRequest | None = None,
) -> InspectedObject:
    """Add a department or village of a unit in scope to the objects inspected (while the plan is drafted)."""
    if kind not in ObjectKind.values:
        raise ValidationFailed("请选择被检查对象类别。", field_errors={"kind": ["请选择。"]})
    name = _required(name, "name", "被检查对象名称", 100)
    with transaction.atomic():
        campaign = _lock_campaign(actor, campaign_id)
        _require_organiser(actor, campaign, "campaign.edit")
        next_campaign_state(campaign.state, CampaignAction.EDIT)
        unit_pk = _int(unit_id)
        if not campaign.units.filter(unit_id=unit_pk).exists():
            raise ValidationFailed("请选择检查范围内的单位。", field_errors={"unit_id": ["请重新选择。"]})
        if InspectedObject.objects.filter(campaign=campaign, unit_id=unit_pk, name=name).exists():
            raise ValidationFailed(f"“{name}”已在被检查对象中。", field_errors={"name": ["已存在。"]})
        village = None
        if village_id:
            from xiezuoqu.org.models import Village

            village = Village.objects.filter(pk=_int(village_id), township_id=unit_pk).first()
            if village is None:
                raise ValidationFailed("所选村（社区）不属于该单位。", field_errors={"village_id": ["请重新选择。"]})
        obj = InspectedObject.objects.create(campaign=campaign, unit_id=unit_pk, kind=kind, name=name, village=village)
        record_event(
            actor=actor,
            action="campaign.object_added",
            target=campaign,
            detail={"object": obj.pk, "name": name, "kind": kind},
            request=request,
        )
    return obj


def submit_plan(*, actor: Actor, campaign_id: Any, request: HttpRequest | None = None) -> Campaign:
    """报批检查方案: the plan goes to the configured chain (matter ``inspection.plan``)."""
    with transaction.atomic():
        campaign = _lock_campaign(actor, campaign_id)
        _require_organiser(actor, campaign, "campaign.submit")
        next_campaign_state(campaign.state, CampaignAction.SUBMIT)
        points = campaign.points.count()
        units = campaign.units.count()
        approval = submit_request(
            actor=actor,
            matter_type=rules.PLAN.slug,
            title=f"{campaign.title}检查方案",
            reason=(
                f"检查领域：{campaign.focus_label}；检查期间：{campaign.period_start:%Y-%m-%d} 至 "
                f"{campaign.period_end:%Y-%m-%d}；被检查单位 {units} 个，检查要点 {points} 项；"
                f"交叉互检{'不允许' if campaign.forbid_two_cycles else '允许'}两单位互查，"
                f"{'允许' if campaign.cross_zone else '不'}跨协作区。"
            ),
            target=campaign,
            zone=campaign.zone,
            request=request,
        )
        _move_campaign(actor, campaign, CampaignAction.SUBMIT, request, approval=approval)
    return campaign


@on_final_decision(rules.PLAN.slug)
def _plan_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Runs inside the approvals transaction: approved → assignment may start; rejected or withdrawn →
    back to the draft (a returned request stays 报批中 until it is resubmitted)."""
    campaign = Campaign.objects.select_for_update().filter(approval=approval).first()
    if campaign is None or outcome == ApprovalState.RETURNED:
        return
    action = CampaignAction.APPROVE if outcome == ApprovalState.APPROVED else CampaignAction.SEND_BACK
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    decider = build_actor(decision.decided_by if decision is not None else approval.requester)
    _move_campaign(decider, campaign, action, None)


def close_campaign(*, actor: Actor, campaign_id: Any, request: HttpRequest | None = None) -> Campaign:
    """结束检查: every finding is 销号 or transferred only."""
    with transaction.atomic():
        campaign = _lock_campaign(actor, campaign_id)
        _require_organiser(actor, campaign, "campaign.close")
        next_campaign_state(campaign.state, CampaignAction.CLOSE)
        open_ = campaign.findings.exclude(state__in=[FindingState.CLOSED, FindingState.TRANSFERRED]).count()
        if open_:
            raise RuleViolation(f"尚有 {open_} 个问题未销号或移交，不能结束检查。")
        _move_campaign(actor, campaign, CampaignAction.CLOSE, request)
    return campaign
