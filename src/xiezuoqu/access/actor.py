"""The actor: who is acting, in which commission, with which roles, over which units.

Computed once per request from the roles, the staff record and the zone records, then used by every
scope (queryset) and predicate in the product. Nothing else decides what a user may reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser as AnonymousUserType
from django.db.models import Q

from xiezuoqu.accounts.roles import (
    ADMIN_ROLES,
    COMMISSION_WIDE_ROLES,
    DERIVED_ROLES,
    LEADERSHIP_ROLES,
    STAFF_ROLES,
    UNIT_ROLES,
    ZONE_WIDE_ROLES,
    Role,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from xiezuoqu.accounts.models import User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    commission_id: int | None
    roles: frozenset[str]
    staff_id: int | None = None
    village_supervisor_id: int | None = None
    home_unit_id: int | None = None
    # Units the actor's unit-bound roles are anchored at (township committee, petition office ...).
    role_unit_ids: frozenset[int] = frozenset()
    # (role, unit) as assigned: a cadre who is 干部 at T1 and 书记 at T2 is a secretary only at T2.
    role_unit_pairs: frozenset[tuple[str, int]] = frozenset()
    # Zones the actor works in: led, deputised, or the zone of the unit of a zone-wide role.
    zone_ids: frozenset[int] = frozenset()
    led_zone_ids: frozenset[int] = frozenset()
    deputy_zone_ids: frozenset[int] = frozenset()
    # Zones of the office or dispatched group a zone-wide staff role works in.
    office_zone_ids: frozenset[int] = frozenset()
    # Commissions whose data a commission-wide role reaches: its own and those below it.
    commission_ids: frozenset[int] = frozenset()
    _unit_cache: dict[str, frozenset[int] | None] = field(default_factory=dict, compare=False, repr=False)

    # --- role tests ------------------------------------------------------------------------------
    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    @property
    def is_staff_worker(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_commission_wide(self) -> bool:
        return bool(self.roles & COMMISSION_WIDE_ROLES)

    @property
    def is_leadership(self) -> bool:
        return bool(self.roles & LEADERSHIP_ROLES)

    @property
    def leadership_zone_ids(self) -> frozenset[int]:
        """Zones this actor leads or deputises (not the zones of the office they work in)."""
        return self.led_zone_ids | self.deputy_zone_ids

    def units_for_role(self, role: str) -> frozenset[int]:
        """The units where this actor holds ``role``: its assignments' units, else the home unit."""
        units = frozenset(unit for r, unit in self.role_unit_pairs if r == role)
        if units or role not in self.roles:
            return units
        return frozenset({self.home_unit_id}) if self.home_unit_id is not None else frozenset()

    def zones_for_role(self, role: str) -> frozenset[int]:
        """The zones in which this actor acts *in that role* (a deputy of zone A who works in the
        office of zone B is a deputy only in A)."""
        if role == Role.ZONE_LEADER:
            return self.led_zone_ids
        if role == Role.ZONE_DEPUTY:
            return self.deputy_zone_ids
        if role in (Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF):
            return self.office_zone_ids
        return frozenset()

    @property
    def primary_role(self) -> str:
        for role in Role:
            if role in self.roles:
                return role.value
        return ""

    @property
    def role_labels(self) -> list[str]:
        return [str(r.label) for r in Role if r in self.roles]

    # --- unit reach -----------------------------------------------------------------------------
    def work_unit_ids(self) -> frozenset[int] | None:
        """Units whose matters this actor's staff roles reach; ``None`` means the whole commission.

        Commission-wide roles: everything. Zone-wide roles: the member units of their zones (today).
        Unit roles: their own units. The result is computed once per actor.
        """
        if "work" in self._unit_cache:
            return self._unit_cache["work"]
        result: frozenset[int] | None
        if self.roles & COMMISSION_WIDE_ROLES:
            result = None
        else:
            from xiezuoqu.org.models import current_member_unit_ids

            units: set[int] = set()
            if self.roles & ZONE_WIDE_ROLES:
                units |= current_member_unit_ids(self.zone_ids)
            if self.roles & UNIT_ROLES:
                units |= self.role_unit_ids
            result = frozenset(units)
        self._unit_cache["work"] = result
        return result

    def unit_q(self, path: str) -> Q:
        """A filter keeping rows whose unit (reached by ``path``) is within this actor's work units."""
        units = self.work_unit_ids()
        if units is None:
            return Q(**{f"{path}__commission_id__in": self.commission_ids})
        return Q(**{f"{path}__in": units})

    def reaches_unit(self, unit_id: int | None, unit_commission_id: int | None) -> bool:
        units = self.work_unit_ids()
        if units is None:
            return unit_commission_id in self.commission_ids
        return unit_id in units


ANONYMOUS = Actor(user_id=None, username="", commission_id=None, roles=frozenset())


def build_actor(user: User | AnonymousUser) -> Actor:
    """Compute the actor for a logged-in user (a handful of small indexed queries)."""
    from xiezuoqu.org.models import Commission, Zone, ZoneDeputy, ZoneMembership

    if not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    assert not isinstance(user, AnonymousUserType)
    assignments = list(user.role_assignments.values_list("role", "unit_id"))
    assigned = {role for role, _ in assignments}
    # Zone leader and deputy need both halves (two-person rule of 三员分立): the security
    # administrator's role grant and the zone record kept by the system administrator.
    roles = assigned - DERIVED_ROLES
    role_units = {unit for _, unit in assignments if unit is not None}
    pairs = {(role, unit) for role, unit in assignments if unit is not None}
    zone_ids: set[int] = set()
    led: set[int] = set()
    deputy: set[int] = set()
    office_zones: set[int] = set()
    home_unit_id = None
    if user.staff_id is not None:
        home_unit_id = user.staff.home_unit_id if hasattr(user, "staff") and user.staff else None
        led = set(Zone.objects.filter(leader_id=user.staff_id).values_list("id", flat=True))
        deputy = set(
            ZoneDeputy.objects.filter(staff_id=user.staff_id, end_date__isnull=True).values_list("zone_id", flat=True)
        )
        led = led if Role.ZONE_LEADER in assigned else set()
        deputy = deputy if Role.ZONE_DEPUTY in assigned else set()
        if led:
            roles.add(Role.ZONE_LEADER)
        if deputy:
            roles.add(Role.ZONE_DEPUTY)
        zone_ids = led | deputy
        if roles & {Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF}:
            anchor_units = {unit for role, unit in pairs if role in (Role.INSPECTION_STAFF, Role.DISPATCHED_STAFF)} or (
                {home_unit_id} if home_unit_id else set()
            )
            office_zones |= set(
                ZoneMembership.objects.filter(unit_id__in=anchor_units, end_date__isnull=True).values_list(
                    "zone_id", flat=True
                )
            )
            office_zones |= set(Zone.objects.filter(inspection_office_id__in=anchor_units).values_list("id", flat=True))
            zone_ids |= office_zones
    # 三员分立: an administrator's account carries its administrator role only.
    if roles & ADMIN_ROLES:
        roles &= set(ADMIN_ROLES)
    commission_ids: set[int] = set()
    if user.commission_id is not None:
        commission_ids = {user.commission_id}
        if roles & (COMMISSION_WIDE_ROLES | {Role.SYSTEM_ADMIN}):
            frontier = {user.commission_id}
            while frontier:
                frontier = set(Commission.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
                frontier -= commission_ids
                commission_ids |= frontier
    return Actor(
        user_id=user.pk,
        username=user.get_username(),
        commission_id=user.commission_id,
        roles=frozenset(str(r) for r in roles),
        staff_id=user.staff_id,
        village_supervisor_id=user.village_supervisor_id,
        home_unit_id=home_unit_id,
        role_unit_ids=frozenset(role_units),
        role_unit_pairs=frozenset(pairs),
        zone_ids=frozenset(zone_ids),
        led_zone_ids=frozenset(led),
        deputy_zone_ids=frozenset(deputy),
        office_zone_ids=frozenset(office_zones),
        commission_ids=frozenset(commission_ids),
    )


def actor_for(user: User | AnonymousUser) -> Actor:
    """The actor of a user, cached on the user object for the length of a request."""
    cached = getattr(user, "_xzq_actor", None)
    if cached is None:
        cached = build_actor(user)
        user._xzq_actor = cached  # type: ignore[union-attr]
    return cached
