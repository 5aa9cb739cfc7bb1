"""A small commission for the approval tests: two zones, their leaders, leadership and offices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_commission, make_staff, make_unit, make_user, make_zone
from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import ApiToken, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import StepSpec, UnitRule
from xiezuoqu.approvals.models import ApprovalChain, ApprovalRequest
from xiezuoqu.org.models import Commission, Unit, Zone


def actor_of(user: User) -> Actor:
    """A fresh actor (never the per-request cache), so role changes in a test are seen."""
    return build_actor(User.objects.select_related("staff").get(pk=user.pk))


def staff_user(unit: Unit, *roles: str, **kw: Any) -> User:
    staff = make_staff(unit)
    return make_user(*roles, unit=unit if roles else None, staff=staff, commission=unit.commission, **kw)


@dataclass
class World:
    commission: Commission
    leadership: Unit
    township1: Unit  # zone 1
    township2: Unit  # zone 1
    township3: Unit  # zone 2
    office1: Unit  # inspection office leading zone 1
    trial_office: Unit
    case_office: Unit
    zone1: Zone
    zone2: Zone
    requester: User  # township staff of township1
    secretary1: User  # township secretary of township1
    secretary2: User  # township secretary of township2
    zone_leader1: User
    zone_leader2: User
    office_staff1: User  # inspection staff of office1 (works zone 1)
    leader_a: User  # commission leaders
    leader_b: User
    head: User
    trial: User
    case_manager: User
    system_admin: User
    security_admin: User
    audit_admin: User
    outsider_leader: User  # commission leader of another commission
    other_commission: Commission

    def users(self) -> list[User]:
        return [
            self.requester,
            self.secretary1,
            self.secretary2,
            self.zone_leader1,
            self.zone_leader2,
            self.office_staff1,
            self.leader_a,
            self.leader_b,
            self.head,
            self.trial,
            self.case_manager,
            self.system_admin,
            self.security_admin,
            self.audit_admin,
            self.outsider_leader,
        ]


def build_world() -> World:
    commission = make_commission()
    leadership = make_unit(commission, Unit.Kind.LEADERSHIP, name=f"{commission.name}委领导")
    office1 = make_unit(commission, Unit.Kind.INSPECTION_OFFICE)
    trial_office = make_unit(commission, Unit.Kind.TRIAL_OFFICE)
    case_office = make_unit(commission, Unit.Kind.CASE_MANAGEMENT_OFFICE)
    t1, t2, t3 = (make_unit(commission) for _ in range(3))
    zl1_staff, zl2_staff = make_staff(leadership), make_staff(leadership)
    zone1 = make_zone(commission, t1, t2, leader=zl1_staff, inspection_office=office1)
    zone2 = make_zone(commission, t3, leader=zl2_staff)
    other = make_commission()
    other_leadership = make_unit(other, Unit.Kind.LEADERSHIP)
    return World(
        commission=commission,
        leadership=leadership,
        township1=t1,
        township2=t2,
        township3=t3,
        office1=office1,
        trial_office=trial_office,
        case_office=case_office,
        zone1=zone1,
        zone2=zone2,
        requester=staff_user(t1, Role.TOWNSHIP_STAFF, username="requester"),
        secretary1=staff_user(t1, Role.TOWNSHIP_SECRETARY, username="secretary1"),
        secretary2=staff_user(t2, Role.TOWNSHIP_SECRETARY, username="secretary2"),
        zone_leader1=make_user(Role.ZONE_LEADER, staff=zl1_staff, unit=leadership, username="zone_leader1"),
        zone_leader2=make_user(Role.ZONE_LEADER, staff=zl2_staff, unit=leadership, username="zone_leader2"),
        office_staff1=staff_user(office1, Role.INSPECTION_STAFF, username="office_staff1"),
        leader_a=staff_user(leadership, Role.COMMISSION_LEADER, username="leader_a"),
        leader_b=staff_user(leadership, Role.COMMISSION_LEADER, username="leader_b"),
        head=staff_user(leadership, Role.COMMISSION_HEAD, username="head"),
        trial=staff_user(trial_office, Role.TRIAL_STAFF, username="trial"),
        case_manager=staff_user(case_office, Role.CASE_MANAGER, username="case_manager"),
        system_admin=make_user(Role.SYSTEM_ADMIN, commission=commission, username="sysadmin"),
        security_admin=make_user(Role.SECURITY_ADMIN, commission=commission, username="secadmin"),
        audit_admin=make_user(Role.AUDIT_ADMIN, commission=commission, username="auditadmin"),
        outsider_leader=staff_user(other_leadership, Role.COMMISSION_LEADER, username="outsider_leader"),
        other_commission=other,
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


ZONE_THEN_COMMISSION = [
    StepSpec(Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE, "协作区组长审批"),
    StepSpec(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管委领导审批"),
]


def configure(
    world: World, matter_type: str, mode: str, steps: list[StepSpec], name: str = "测试审批链"
) -> ApprovalChain:
    return services.configure_chain(
        actor=actor_of(world.head), matter_type=matter_type, name=name, mode=mode, steps=steps
    )


def submit(world: World, matter_type: str = "clue.disposal", user: User | None = None, **kw: Any) -> ApprovalRequest:
    kw.setdefault("title", "关于某线索拟予初步核实的请示")
    kw.setdefault("reason", "反映问题具体，具有可查性。")
    return services.submit_request(actor=actor_of(user or world.requester), matter_type=matter_type, **kw)


def api_token(user: User) -> str:
    raw = f"xzq-test-token-{user.pk}-0123456789abcdef"
    ApiToken.objects.get_or_create(
        digest=ApiToken.digest_of(raw),
        defaults={"user": user, "name": "测试", "prefix": raw[:8], "expires_at": timezone.now() + timedelta(days=1)},
    )
    return raw
