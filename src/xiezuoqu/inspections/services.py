"""Every write of a special inspection (专项检查 / 交叉互检), one transaction each, each in the audit chain.

Rules (制度5 专项检查办法; DESIGN §2 item 5, §3 "Special inspection"): the plan (topic, units, checklist)
is approved through the configured chain before anyone is assigned; member units inspect each other,
never themselves (and, with the option on, no two units inspect each other); an inspector with a conflict
towards the inspected unit is never on its team; every finding is rectified and signed off (销号) by the
zone, or becomes a clue (source 监督检查发现) through the normal registration, or both; a 销号 finding is
read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.matters import on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.deadlines.services import close_deadline, open_deadline
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import StaffMember, Unit, Zone, ZoneMembership
from xiezuoqu.org.selectors import current_member_unit_ids
from xiezuoqu.workdays.selectors import add_working_days

from . import adapter, rules
from . import assignment as solver
from .models import (
    Assignment,
    Campaign,
    CampaignState,
    CampaignUnit,
    CheckPoint,
    CheckRecord,
    CheckResult,
    Finding,
    FindingCategory,
    FindingState,
    FocusArea,
    InspectedObject,
    ObjectKind,
    Rectification,
    Severity,
)
from .selectors import can_view_assignment, can_view_campaign, can_view_finding
from .workflow import CampaignAction, FindingAction, next_campaign_state, next_finding_state

CAMPAIGN_UNIT_KINDS = frozenset({Unit.Kind.TOWNSHIP_COMMITTEE})
MAX_AMOUNT = Decimal("999999999999.99")


# --- small helpers ---------------------------------------------------------------------------------------


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


# --- campaigns -------------------------------------------------------------------------------------------


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


# --- the cross assignment --------------------------------------------------------------------------------


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


# --- field work ------------------------------------------------------------------------------------------


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


def _refuse_if_closed(finding: Finding) -> None:
    if finding.state == FindingState.CLOSED:
        raise RuleViolation(
            "该问题已销号，不能再修改或处置。",
            audit_action="finding.edit",
            target_type="inspections.finding",
            target_id=str(finding.pk),
        )


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


# --- disposal: 整改 --------------------------------------------------------------------------------------


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


# --- disposal: 移交线索 ----------------------------------------------------------------------------------


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
