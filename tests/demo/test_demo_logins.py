"""One demo login per role, all with the published demo password, each with the reach its role gives."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.demo.data import DEMO_LOGINS, DEMO_PASSWORD
from xiezuoqu.org.models import Unit, Zone, ZoneMembership

pytestmark = pytest.mark.django_db

USERNAMES = [username for username, _, _ in DEMO_LOGINS]


def test_the_demo_logins_are_the_published_list():
    """The login list names the usernames of the brief, each once, with a Chinese role label."""
    assert len(set(USERNAMES)) == len(USERNAMES)
    assert {
        "shuji",
        "fenguan",
        "zuzhang1",
        "fuzuzhang1",
        "jianchashi1",
        "paizhu1",
        "xzshuji",
        "xzganbu",
        "dengji",
        "xzdengji",
        "xinfang",
        "anguan",
        "shenli",
        "jianduyuan",
        "xitong",
        "anquan",
        "shenji",
        "xzshuji2",
        *(f"zuzhang{n}" for n in range(1, 5)),
        *(f"fuzuzhang{n}" for n in range(1, 5)),
        *(f"jianchashi{n}" for n in range(1, 5)),
    } <= set(USERNAMES)
    assert {label for _, label, _ in DEMO_LOGINS} == {str(role.label) for role in Role}


def test_every_role_has_a_demo_login_including_the_derived_zone_roles(demo):
    """Across the demo logins every role of ``Role`` appears, zone leader and deputy derived from the zones."""
    roles = set()
    for username in USERNAMES:
        roles |= demo.actor(username).roles
    assert roles >= set(Role.values)


@pytest.mark.parametrize("username", USERNAMES)
def test_every_demo_user_logs_in_with_the_demo_password(demo, username):
    """``authenticate`` accepts the published password for every demo account, which is marked as demo."""
    user = authenticate(username=username, password=DEMO_PASSWORD)
    assert user is not None
    assert user.is_demo
    assert user.display_name
    assert user.commission.name == "凤城市纪委监委"


def test_the_demo_password_is_hashed_once_for_all_demo_users(demo):
    """Every demo account stores the same encoded hash (one Argon2 run per load, not one per user)."""
    hashes = set(User.objects.filter(username__in=USERNAMES).values_list("password", flat=True))
    assert len(hashes) == 1
    assert hashes.pop().startswith("argon2")


def test_the_zone_leader_login_leads_the_first_zone(demo):
    """zuzhang1 holds the zone-leader role and the zone record names him leader of zone 1."""
    user = demo.user("zuzhang1")
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {Role.ZONE_LEADER}
    actor = demo.actor("zuzhang1")
    first = Zone.objects.get(commission=user.commission, number=1)
    assert actor.roles == {Role.ZONE_LEADER}
    assert actor.led_zone_ids == {first.pk}
    assert user.staff_id == first.leader_id


def test_the_deputy_login_is_the_first_office_director(demo):
    """fuzuzhang1 directs 第一纪检监察室, works there as inspection staff and deputises zone 1."""
    user = demo.user("fuzuzhang1")
    assert (user.staff.home_unit.name, user.staff.position) == ("第一纪检监察室", "主任")
    actor = demo.actor("fuzuzhang1")
    assert actor.roles == {Role.INSPECTION_STAFF, Role.ZONE_DEPUTY}
    assert actor.zone_ids == {Zone.objects.get(commission=user.commission, number=1).pk}


def test_each_login_holds_its_role_at_its_unit(demo):
    """Unit-bound roles are anchored at the person's unit; the supervisor's at its village's township."""
    expected = {
        "shuji": (Role.COMMISSION_HEAD, "委领导班子"),
        "fenguan": (Role.COMMISSION_LEADER, "委领导班子"),
        "jianchashi1": (Role.INSPECTION_STAFF, "第一纪检监察室"),
        "paizhu1": (Role.DISPATCHED_STAFF, "派驻市委办公室纪检监察组"),
        "xzshuji": (Role.TOWNSHIP_SECRETARY, "宝山镇纪委"),
        "xzganbu": (Role.TOWNSHIP_STAFF, "宝山镇纪委"),
        "dengji": (Role.REGISTRAR, "信访室"),
        "xinfang": (Role.PETITION_STAFF, "信访室"),
        "anguan": (Role.CASE_MANAGER, "案件监督管理室"),
        "shenli": (Role.TRIAL_STAFF, "案件审理室"),
        "jianduyuan": (Role.VILLAGE_SUPERVISOR, "宝山镇纪委"),
    }
    for username, (role, unit) in expected.items():
        assigned = list(RoleAssignment.objects.filter(user__username=username).values_list("role", "unit__name"))
        assert assigned == [(role, unit)], username
    xzdengji = RoleAssignment.objects.get(user__username="xzdengji")
    assert (xzdengji.role, xzdengji.unit.kind) == (Role.REGISTRAR, Unit.Kind.TOWNSHIP_COMMITTEE)


def test_the_village_supervisor_login_has_no_staff_record(demo):
    """jianduyuan is the supervisor of 宝山镇双山子村, not a cadre."""
    user = demo.user("jianduyuan")
    assert user.staff_id is None
    assert user.village_supervisor.village.name == "双山子村"
    assert user.display_name == user.village_supervisor.name


def test_the_three_administrators_are_three_people_of_the_general_office(demo):
    """三员分立: xitong, anquan and shenji are different cadres of 办公室 holding one admin role each."""
    admins = {name: demo.user(name) for name in ("xitong", "anquan", "shenji")}
    assert len({u.staff_id for u in admins.values()}) == 3
    assert {u.staff.home_unit.name for u in admins.values()} == {"办公室"}
    assert demo.actor("xitong").roles == {Role.SYSTEM_ADMIN}
    assert demo.actor("anquan").roles == {Role.SECURITY_ADMIN}
    assert demo.actor("shenji").roles == {Role.AUDIT_ADMIN}


def test_township_logins_in_different_zones_reach_different_units(demo):
    """xzshuji (宝山, zone 1) and xzshuji2 (东汤, zone 2) reach their own units only; zone staff reach theirs."""
    first, second = demo.actor("xzshuji"), demo.actor("xzshuji2")
    assert first.work_unit_ids() == first.role_unit_ids
    assert first.work_unit_ids() != second.work_unit_ids()
    zone_one = demo.actor("jianchashi1").work_unit_ids()
    zone_two = demo.actor("jianchashi2").work_unit_ids()
    assert zone_one is not None and zone_two is not None
    assert first.role_unit_ids <= zone_one
    assert not first.role_unit_ids & zone_two
    assert second.role_unit_ids <= zone_two
    assert demo.actor("shuji").work_unit_ids() is None


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_zone_has_its_leader_deputy_and_office_logins(demo, number):
    """zuzhangN leads zone N (role and Zone.leader), fuzuzhangN directs its office and deputises it
    (role and ZoneDeputy), jianchashiN works in its office: each zone's approvals and meetings can be driven."""
    zone = Zone.objects.get(commission__is_demo=True, number=number)
    leader, deputy, office = (demo.actor(f"{who}{number}") for who in ("zuzhang", "fuzuzhang", "jianchashi"))
    assert leader.led_zone_ids == {zone.pk}
    assert leader.staff_id == zone.leader_id
    assert deputy.deputy_zone_ids == {zone.pk}
    assert zone.deputies.filter(staff_id=deputy.staff_id, end_date__isnull=True).exists()
    assert demo.user(f"fuzuzhang{number}").staff.home_unit_id == zone.inspection_office_id
    assert office.office_zone_ids == {zone.pk} and not office.deputy_zone_ids
    assert demo.user(f"jianchashi{number}").staff.home_unit_id == zone.inspection_office_id


def test_township_secretary_logins_hold_the_role_at_their_own_township(demo):
    """Every township-secretary login is its township committee's head (slot 0) and holds the role there;
    each zone has three such logins in three different townships of the zone."""
    per_zone: dict[int, set[str]] = {}
    for username in USERNAMES:
        user = demo.user(username)
        grants = list(RoleAssignment.objects.filter(user=user, role=Role.TOWNSHIP_SECRETARY))
        if not grants:
            continue
        assert [g.unit_id for g in grants] == [user.staff.home_unit_id]
        assert user.staff.position in {"纪委书记", "纪工委书记"}
        zone = ZoneMembership.objects.get(unit_id=user.staff.home_unit_id, end_date__isnull=True).zone.number
        per_zone.setdefault(zone, set()).add(user.staff.home_unit.name)
    assert {zone: len(units) for zone, units in per_zone.items()} == {1: 3, 2: 3, 3: 3, 4: 3}
