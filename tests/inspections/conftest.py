"""Helpers for the special-inspection tests: a zone-1 campaign of the demo county, approved, with a
ring of assignments stored as an organiser's adjusted plan would leave them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.intake.conftest import api_token, demo_actor, login, unit_named  # noqa: F401
from xiezuoqu.accounts.models import User
from xiezuoqu.approvals.services import decide
from xiezuoqu.inspections import services
from xiezuoqu.inspections.models import Assignment, Campaign, FindingCategory, Severity
from xiezuoqu.org.models import StaffMember, Zone


def zone(number: int) -> Zone:
    return Zone.objects.get(commission__is_demo=True, number=number)


def staff_of(username: str) -> StaffMember:
    staff = User.objects.get(username=username).staff
    assert staff is not None
    return staff


def campaign_input(**kw: Any) -> services.CampaignInput:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "title": "惠农补贴发放专项检查",
        "focus_area": "farm_subsidy",
        "period_start": today - timedelta(days=30),
        "period_end": today + timedelta(days=60),
        "zone_ids": [zone(1).pk],
        "zone_id": zone(1).pk,
        "points": [
            services.PointInput("补贴对象是否符合条件", "惠农补贴资金管理办法第五条", "花名册、公示照片"),
            services.PointInput("补贴资金是否足额及时发放", "惠农补贴资金管理办法第八条", "发放凭证"),
        ],
    }
    defaults.update(kw)
    return services.CampaignInput(**defaults)


def approved_campaign(username: str = "zuzhang1", **kw: Any) -> Campaign:
    campaign = services.create_campaign(actor=demo_actor(username), data=campaign_input(**kw))
    services.submit_plan(actor=demo_actor(username), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.approval_id is not None
    decide(actor=demo_actor("fenguan"), approval_id=campaign.approval_id, decision="approve", comment="同意")
    campaign.refresh_from_db()
    return campaign


def ring(campaign: Campaign) -> list[Assignment]:
    """Each unit of the ring inspects the next one, with its first two cadres (the first leads)."""
    units = [cu.unit for cu in campaign.units.select_related("unit").order_by("unit__sort_order", "unit_id")]
    made = []
    for i, inspected in enumerate(units):
        inspecting = units[i - 1]
        cadres = list(StaffMember.objects.filter(home_unit=inspecting).order_by("id")[:2])
        assignment = Assignment.objects.create(
            campaign=campaign,
            inspecting_unit=inspecting,
            inspected_unit=inspected,
            zone=campaign.units.get(unit=inspected).zone,
            leader=cadres[0],
            reason=f"{inspecting.name}检查{inspected.name}",
        )
        assignment.members.set(cadres)
        made.append(assignment)
    return made


def under_way(username: str = "zuzhang1", **kw: Any) -> Campaign:
    campaign = approved_campaign(username, **kw)
    ring(campaign)
    services.confirm_assignment(actor=demo_actor(username), campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def assignment_led_by(campaign: Campaign, username: str) -> Assignment:
    return Assignment.objects.get(campaign=campaign, leader=staff_of(username))


def finding_input(**kw: Any) -> services.FindingInput:
    defaults: dict[str, Any] = {
        "category": FindingCategory.FUNDS,
        "description": "向不符合条件的 3 户发放耕地地力保护补贴",
        "responsible_unit": "双山子村村民委员会",
        "responsible_person": "赵某某",
        "amount": "12500.50",
        "severity": Severity.SERIOUS,
    }
    defaults.update(kw)
    return services.FindingInput(**defaults)
