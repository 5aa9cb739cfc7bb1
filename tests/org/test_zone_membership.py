"""Zone membership: a unit is in at most one zone at a time, and every change is dated and kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tests.factories import make_commission, make_unit, make_user, make_zone
from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org import services
from xiezuoqu.org.models import Unit, ZoneMembership
from xiezuoqu.org.selectors import current_member_unit_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    commission = make_commission()
    a, b = make_unit(commission), make_unit(commission)
    zone1, zone2 = make_zone(commission, a), make_zone(commission, b)
    admin = build_actor(make_user(Role.SYSTEM_ADMIN, commission=commission))
    return commission, a, b, zone1, zone2, admin


def test_moving_a_unit_ends_its_old_membership_the_day_before(county):
    _, a, _, zone1, zone2, admin = county
    services.add_zone_member(actor=admin, zone_id=zone2.pk, unit_id=a.pk, start_date=date(2025, 7, 1))
    old = ZoneMembership.objects.get(unit=a, zone=zone1)
    assert old.end_date == date(2025, 6, 30)
    assert current_member_unit_ids([zone2.pk]) == {a.pk, *current_member_unit_ids([zone2.pk])}
    assert a.pk not in current_member_unit_ids([zone1.pk])
    # the history on a past day still shows the old zone
    assert a.pk in current_member_unit_ids([zone1.pk], on=date(2025, 1, 1))
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["zone.member_left", "zone.member_added"]


def test_the_database_refuses_two_open_memberships(county):
    _, a, _, _, zone2, _ = county
    with pytest.raises(IntegrityError), transaction.atomic():
        ZoneMembership.objects.create(zone=zone2, unit=a, start_date=date(2025, 1, 1))


def test_a_move_cannot_start_before_the_current_membership(county):
    _, a, _, _, zone2, admin = county
    with pytest.raises(ValidationFailed, match="须晚于"):
        services.add_zone_member(actor=admin, zone_id=zone2.pk, unit_id=a.pk, start_date=date(2020, 1, 1))


def test_joining_the_same_zone_twice_is_refused(county):
    _, a, _, zone1, _, admin = county
    with pytest.raises(RuleViolation, match="已是"):
        services.add_zone_member(actor=admin, zone_id=zone1.pk, unit_id=a.pk, start_date=date(2026, 1, 1))


def test_only_offices_groups_and_townships_can_be_members(county):
    commission, _, _, zone1, _, admin = county
    petition = make_unit(commission, Unit.Kind.PETITION_OFFICE)
    with pytest.raises(RuleViolation):
        services.add_zone_member(actor=admin, zone_id=zone1.pk, unit_id=petition.pk, start_date=date(2026, 1, 1))


def test_only_the_system_administrator_changes_zones(county):
    commission, a, _, _, zone2, _ = county
    leader = build_actor(make_user(Role.COMMISSION_HEAD, unit=make_unit(commission, Unit.Kind.LEADERSHIP)))
    with pytest.raises(NotPermitted):
        services.add_zone_member(actor=leader, zone_id=zone2.pk, unit_id=a.pk, start_date=date(2026, 1, 1))


def test_a_membership_cannot_end_before_it_began(county):
    _, a, _, zone1, _, admin = county
    membership = ZoneMembership.objects.get(unit=a, zone=zone1)
    with pytest.raises(ValidationFailed):
        services.end_zone_membership(actor=admin, membership_id=membership.pk, end_date=date(2000, 1, 1))
    services.end_zone_membership(actor=admin, membership_id=membership.pk, end_date=date(2026, 1, 1))
    with pytest.raises(RuleViolation, match="已于"):
        services.end_zone_membership(actor=admin, membership_id=membership.pk, end_date=date(2026, 2, 1))
