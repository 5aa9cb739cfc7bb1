"""Scoped reads of the organisation. Every page, API call and export of org data goes through here.

Rules (one policy per object type; scope and predicate are written from the same rule):
- units, villages, zones and memberships: every staff, admin and supervisor account of the
  commission sees the organisation (the org chart is the first page everybody opens);
- staff members: everyone of the commission but village supervisors;
- declared relationships (personal data used for recusal): the declarant, commission leadership,
  and the leader/deputies of the zone the declarant's unit belongs to;
- mentoring pairs: the people in the pair, and staff whose work reaches the mentor's or a mentee's unit;
- village supervisors: themselves, the system administrator, and staff whose work reaches the village's
  township.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role

from .models import (
    DeclaredRelationship,
    MentoringPair,
    StaffMember,
    Unit,
    Village,
    VillageSupervisor,
    Zone,
    ZoneDeputy,
    ZoneMembership,
)
from .models import current_member_unit_ids as current_member_unit_ids
from .models import memberships_on as memberships_on

ORG_READERS = STAFF_ROLES | ADMIN_ROLES | {Role.VILLAGE_SUPERVISOR}
DIRECTORY_READERS = STAFF_ROLES | ADMIN_ROLES


def _in_commission(actor: Actor, commission_id: int | None) -> bool:
    return commission_id in actor.commission_ids


# --- units, villages, zones ---------------------------------------------------------------------


def units_visible_to(actor: Actor) -> QuerySet[Unit]:
    if not actor.roles & ORG_READERS:
        return Unit.objects.none()
    return Unit.objects.filter(commission_id__in=actor.commission_ids)


def can_view_unit(actor: Actor, unit: Unit) -> bool:
    return bool(actor.roles & ORG_READERS) and _in_commission(actor, unit.commission_id)


def villages_visible_to(actor: Actor) -> QuerySet[Village]:
    if not actor.roles & ORG_READERS:
        return Village.objects.none()
    return Village.objects.filter(township__commission_id__in=actor.commission_ids)


def can_view_village(actor: Actor, village: Village) -> bool:
    return bool(actor.roles & ORG_READERS) and _in_commission(actor, village.township.commission_id)


def zones_visible_to(actor: Actor) -> QuerySet[Zone]:
    if not actor.roles & ORG_READERS:
        return Zone.objects.none()
    return Zone.objects.filter(commission_id__in=actor.commission_ids)


def can_view_zone(actor: Actor, zone: Zone) -> bool:
    return bool(actor.roles & ORG_READERS) and _in_commission(actor, zone.commission_id)


def memberships_visible_to(actor: Actor) -> QuerySet[ZoneMembership]:
    if not actor.roles & ORG_READERS:
        return ZoneMembership.objects.none()
    return ZoneMembership.objects.filter(zone__commission_id__in=actor.commission_ids)


def can_view_membership(actor: Actor, membership: ZoneMembership) -> bool:
    return bool(actor.roles & ORG_READERS) and _in_commission(actor, membership.zone.commission_id)


# --- staff -----------------------------------------------------------------------------------------


def may_see_people(actor: Actor) -> bool:
    """Whether names of staff may be shown at all (the org chart names leaders and deputies)."""
    return bool(actor.roles & DIRECTORY_READERS)


def staff_visible_to(actor: Actor) -> QuerySet[StaffMember]:
    if not actor.roles & DIRECTORY_READERS:
        return StaffMember.objects.none()
    return StaffMember.objects.filter(commission_id__in=actor.commission_ids)


def can_view_staff(actor: Actor, staff: StaffMember) -> bool:
    return bool(actor.roles & DIRECTORY_READERS) and _in_commission(actor, staff.commission_id)


def _led_zone_unit_ids(actor: Actor) -> set[int]:
    # Only the zones they lead or deputise (zone_ids also holds the zones of their office).
    return current_member_unit_ids(actor.leadership_zone_ids)


def relationships_visible_to(actor: Actor) -> QuerySet[DeclaredRelationship]:
    qs = DeclaredRelationship.objects.all()
    if actor.is_leadership:
        return qs.filter(staff__commission_id__in=actor.commission_ids)
    rule = Q(pk__in=[])
    if actor.staff_id is not None and actor.is_staff_worker:
        rule |= Q(staff_id=actor.staff_id)
    zone_units = _led_zone_unit_ids(actor)
    if zone_units:
        rule |= Q(staff__home_unit_id__in=zone_units)
    return qs.filter(rule)


def can_view_relationship(actor: Actor, rel: DeclaredRelationship) -> bool:
    if actor.is_leadership:
        return _in_commission(actor, rel.staff.commission_id)
    if actor.staff_id is not None and actor.is_staff_worker and rel.staff_id == actor.staff_id:
        return True
    return rel.staff.home_unit_id in _led_zone_unit_ids(actor)


def mentoring_pairs_visible_to(actor: Actor) -> QuerySet[MentoringPair]:
    if not actor.is_staff_worker:
        return MentoringPair.objects.none()
    rule = (
        actor.unit_q("mentor__home_unit")
        | actor.unit_q("mentee_one__home_unit")
        | actor.unit_q("mentee_two__home_unit")
    )
    if actor.staff_id is not None:
        rule |= Q(mentor_id=actor.staff_id) | Q(mentee_one_id=actor.staff_id) | Q(mentee_two_id=actor.staff_id)
    return MentoringPair.objects.filter(rule).distinct()


def can_view_mentoring_pair(actor: Actor, pair: MentoringPair) -> bool:
    if not actor.is_staff_worker:
        return False
    people = (pair.mentor, pair.mentee_one, pair.mentee_two)
    if actor.staff_id is not None and actor.staff_id in {p.pk for p in people}:
        return True
    return any(actor.reaches_unit(p.home_unit_id, p.commission_id) for p in people)


def supervisors_visible_to(actor: Actor) -> QuerySet[VillageSupervisor]:
    qs = VillageSupervisor.objects.all()
    if actor.has(Role.SYSTEM_ADMIN):
        return qs.filter(village__township__commission_id__in=actor.commission_ids)
    rule = Q(pk__in=[])
    if actor.is_staff_worker:
        rule |= actor.unit_q("village__township")
    if actor.village_supervisor_id is not None:
        rule |= Q(pk=actor.village_supervisor_id)
    return qs.filter(rule)


def can_view_supervisor(actor: Actor, supervisor: VillageSupervisor) -> bool:
    township = supervisor.village.township
    if actor.has(Role.SYSTEM_ADMIN):
        return _in_commission(actor, township.commission_id)
    if actor.village_supervisor_id == supervisor.pk:
        return True
    return actor.is_staff_worker and actor.reaches_unit(township.pk, township.commission_id)


UNITS = register(Policy(Unit, "单位", units_visible_to, can_view_unit))
VILLAGES = register(Policy(Village, "村（社区）", villages_visible_to, can_view_village))
ZONES = register(Policy(Zone, "协作区", zones_visible_to, can_view_zone))
MEMBERSHIPS = register(Policy(ZoneMembership, "协作区成员单位", memberships_visible_to, can_view_membership))
STAFF = register(Policy(StaffMember, "干部", staff_visible_to, can_view_staff))
RELATIONSHIPS = register(
    Policy(DeclaredRelationship, "利害关系申报", relationships_visible_to, can_view_relationship, sensitive=True)
)
MENTORING = register(Policy(MentoringPair, "一帮二结对", mentoring_pairs_visible_to, can_view_mentoring_pair))
SUPERVISORS = register(Policy(VillageSupervisor, "村级监督员", supervisors_visible_to, can_view_supervisor))


# --- page-level reads --------------------------------------------------------------------------


def org_chart(actor: Actor) -> list[Zone]:
    """Zones with their leaders, deputies and current member units (4 queries whatever the size)."""
    current = memberships_on().select_related("unit").order_by("unit__sort_order", "unit_id")
    deputies = ZoneDeputy.objects.filter(end_date__isnull=True).select_related("staff", "staff__home_unit")
    return list(
        zones_visible_to(actor)
        .select_related("leader", "leader__home_unit", "inspection_office")
        .prefetch_related(
            Prefetch("memberships", queryset=current, to_attr="current_memberships"),
            Prefetch("deputies", queryset=deputies, to_attr="current_deputies"),
        )
    )
