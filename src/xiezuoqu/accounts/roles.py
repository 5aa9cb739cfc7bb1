"""The roles of DESIGN §1 and what each may reach.

Zone leader and deputy take two halves, kept by two administrators (三员分立): the security
administrator grants the role, and the system administrator's zone record (``Zone.leader``,
``ZoneDeputy``) says which zone. Either half alone gives nothing.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    COMMISSION_HEAD = "commission_head", "纪委书记、监委主任"
    COMMISSION_LEADER = "commission_leader", "委领导（分管领导）"
    ZONE_LEADER = "zone_leader", "协作区组长"
    ZONE_DEPUTY = "zone_deputy", "协作区副组长"
    INSPECTION_STAFF = "inspection_staff", "纪检监察室干部"
    DISPATCHED_STAFF = "dispatched_staff", "派驻纪检监察组干部"
    TOWNSHIP_SECRETARY = "township_secretary", "乡镇（街道）纪委书记"
    TOWNSHIP_STAFF = "township_staff", "乡镇（街道）纪委干部"
    REGISTRAR = "registrar", "信访登记员"
    PETITION_STAFF = "petition_staff", "信访室干部"
    CASE_MANAGER = "case_manager", "案件监督管理室干部"
    TRIAL_STAFF = "trial_staff", "案件审理室干部"
    VILLAGE_SUPERVISOR = "village_supervisor", "村级正风肃纪监督员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全保密管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


DERIVED_ROLES = frozenset({Role.ZONE_LEADER, Role.ZONE_DEPUTY})
ASSIGNABLE_ROLES = list(Role)

# 三员分立: the three administrators hold no other role and never read case content.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Roles that see the whole commission (and the commissions below it).
COMMISSION_WIDE_ROLES = frozenset(
    {Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.PETITION_STAFF, Role.CASE_MANAGER, Role.TRIAL_STAFF}
)
# Roles that see their zone: the zone's leadership and the staff of its office and dispatched groups.
ZONE_WIDE_ROLES = frozenset({Role.ZONE_LEADER, Role.ZONE_DEPUTY, Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF})
# Roles that see their own unit.
UNIT_ROLES = frozenset({Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF, Role.REGISTRAR})
# Everyone who works matters (not admins, not village supervisors).
STAFF_ROLES = COMMISSION_WIDE_ROLES | ZONE_WIDE_ROLES | UNIT_ROLES
LEADERSHIP_ROLES = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER})
