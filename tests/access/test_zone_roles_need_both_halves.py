"""三员分立: a zone role needs the security administrator's grant and the system administrator's
zone record; neither administrator alone can make a zone leader."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts import services as accounts
from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.models import StaffMember, Unit, Zone

pytestmark = pytest.mark.django_db


def test_an_account_linked_to_a_zone_leader_without_the_role_is_no_leader(demo):
    # Every demo zone's leader has a login already: a fifth zone, led by a cadre who has none.
    leadership = Unit.objects.get(commission__is_demo=True, kind=Unit.Kind.LEADERSHIP)
    zone = Zone.objects.create(
        commission=leadership.commission, number=5, name="第五协作区", leader=make_staff(leadership)
    )
    user = accounts.create_user(
        actor=demo.actor("xitong"), username="shadow", password="a long pass phrase 2026", staff_id=zone.leader_id
    )
    assert build_actor(user).roles == frozenset()


def test_the_role_without_the_zone_record_leads_nothing(demo):
    staff = StaffMember.objects.filter(
        home_unit__kind=Unit.Kind.LEADERSHIP, led_zones__isnull=True, user__isnull=True
    ).first()
    user = accounts.create_user(
        actor=demo.actor("xitong"), username="nozone", password="a long pass phrase 2026", staff_id=staff.pk
    )
    accounts.grant_role(actor=demo.actor("anquan"), user_id=user.pk, role=Role.ZONE_LEADER, unit_id=None)
    actor = build_actor(user)
    assert Role.ZONE_LEADER not in actor.roles and not actor.zone_ids
