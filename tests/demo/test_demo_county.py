"""The demo county is 凤城市 as DESIGN §6 describes it, with a realistic organisation, all marked as demo."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import models

from xiezuoqu.accounts.models import User
from xiezuoqu.demo import data
from xiezuoqu.org.models import (
    Commission,
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
from xiezuoqu.org.selectors import memberships_on

pytestmark = pytest.mark.django_db

# DESIGN §6, word for word: "街道 凤凰城, 凤山, 草河; 镇 宝山, 白旗, … 青城子; 乡 大堡蒙古族乡".
DESIGN_SUBDISTRICTS_TEXT = "凤凰城, 凤山, 草河"
DESIGN_TOWNS_TEXT = (
    "宝山, 白旗, 沙里寨, 红旗, 蓝旗, 边门, 大兴, 东汤, 石城, 爱阳, 赛马, 弟兄山, 鸡冠山, 刘家河, 通远堡, 四门子, 青城子"
)
DESIGN_SUBDISTRICTS = DESIGN_SUBDISTRICTS_TEXT.split(", ")
DESIGN_TOWNS = DESIGN_TOWNS_TEXT.split(", ")
DESIGN_TOWNSHIPS = ["大堡蒙古族乡"]


@pytest.fixture
def commission(demo) -> Commission:
    return Commission.objects.get(name="凤城市纪委监委")


def test_the_commission_is_fengcheng_a_county_level_city_marked_as_demo(commission):
    """凤城市纪委监委, 凤纪, division code 210682, county level (a 县级市), flagged as demo data."""
    assert (commission.short_name, commission.division_code) == ("凤纪", "210682")
    assert commission.level == Commission.Level.COUNTY
    assert commission.is_demo


def test_the_21_township_committees_carry_the_names_of_design_section_6(commission):
    """3 街道纪工委, 17 镇纪委 and 1 乡纪委, named exactly as in DESIGN §6, in that order."""
    committees = list(Unit.objects.filter(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE))
    assert [u.name for u in committees] == (
        [f"{n}街道纪工委" for n in DESIGN_SUBDISTRICTS]
        + [f"{n}镇纪委" for n in DESIGN_TOWNS]
        + [f"{n}纪委" for n in DESIGN_TOWNSHIPS]
    )
    assert Counter(u.township_type for u in committees) == {"subdistrict": 3, "town": 17, "township": 1}
    assert [u.short_name for u in committees] == [*DESIGN_SUBDISTRICTS, *DESIGN_TOWNS, "大堡"]


def test_each_township_committee_sits_under_its_party_committee(commission):
    """凤凰城街道纪工委 under 凤凰城街道党工委, 宝山镇纪委 under 宝山镇党委, 大堡蒙古族乡纪委 under its 党委."""
    committees = Unit.objects.filter(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE).select_related("parent")
    parents = {u.name: u.parent for u in committees}
    assert parents["凤凰城街道纪工委"].name == "凤凰城街道党工委"
    assert parents["宝山镇纪委"].name == "宝山镇党委"
    assert parents["大堡蒙古族乡纪委"].name == "大堡蒙古族乡党委"
    for unit in committees:
        assert unit.parent.kind == Unit.Kind.PARTY_COMMITTEE
        assert unit.parent.township_type == unit.township_type


def test_the_commission_has_its_offices_and_six_dispatched_groups_with_their_departments(commission):
    """One leadership, four inspection offices, the petition, case-management and trial offices, two other
    offices, and six dispatched groups each supervising three to five departments."""
    kinds = Counter(Unit.objects.filter(commission=commission).values_list("kind", flat=True))
    assert kinds[Unit.Kind.LEADERSHIP] == 1
    assert kinds[Unit.Kind.INSPECTION_OFFICE] == 4
    assert kinds[Unit.Kind.PETITION_OFFICE] == 1
    assert kinds[Unit.Kind.CASE_MANAGEMENT_OFFICE] == 1
    assert kinds[Unit.Kind.TRIAL_OFFICE] == 1
    assert kinds[Unit.Kind.OTHER_OFFICE] == 2
    assert kinds[Unit.Kind.DISPATCHED_GROUP] == 6
    assert kinds[Unit.Kind.PARTY_COMMITTEE] == 21
    groups = Unit.objects.filter(commission=commission, kind=Unit.Kind.DISPATCHED_GROUP).annotate(
        departments=models.Count("children", filter=models.Q(children__kind=Unit.Kind.DEPARTMENT))
    )
    assert all(3 <= g.departments <= 5 for g in groups)
    assert kinds[Unit.Kind.DEPARTMENT] == sum(g.departments for g in groups)


def test_every_township_has_four_to_ten_villages_and_subdistricts_are_mostly_communities(commission):
    """About 150 villages and communities; a 街道's are mostly 社区, a 镇's mostly 行政村."""
    villages = Village.objects.filter(township__commission=commission).select_related("township")
    per_township = Counter(v.township.name for v in villages)
    assert len(per_township) == 21
    assert all(4 <= n <= 10 for n in per_township.values())
    assert 140 <= sum(per_township.values()) <= 160
    for kind in (Unit.TownshipType.SUBDISTRICT, Unit.TownshipType.TOWN):
        of_kind = [v for v in villages if v.township.township_type == kind]
        communities = sum(v.kind == Village.Kind.COMMUNITY for v in of_kind)
        assert (communities > len(of_kind) / 2) == (kind == Unit.TownshipType.SUBDISTRICT)


def test_four_zones_each_led_by_a_standing_committee_member_with_its_inspection_office(commission):
    """第一…第四协作区, each led by a 纪委常委 of the leadership, its 纪检监察室 and a demo note."""
    zones = list(Zone.objects.filter(commission=commission).select_related("leader__home_unit", "inspection_office"))
    assert [z.name for z in zones] == ["第一协作区", "第二协作区", "第三协作区", "第四协作区"]
    assert [z.inspection_office.name for z in zones] == [
        "第一纪检监察室",
        "第二纪检监察室",
        "第三纪检监察室",
        "第四纪检监察室",
    ]
    assert len({z.leader_id for z in zones}) == 4
    for zone in zones:
        assert zone.leader.position == "纪委常委"
        assert zone.leader.home_unit.kind == Unit.Kind.LEADERSHIP
        assert zone.note == "演示数据：成员划分为演示而设"


def test_every_township_committee_is_in_exactly_one_current_zone(commission):
    """Each of the 21 township committees has one open membership; each zone has five or six."""
    current = ZoneMembership.objects.filter(
        zone__commission=commission, end_date__isnull=True, unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE
    )
    per_unit = Counter(current.values_list("unit_id", flat=True))
    assert len(per_unit) == 21
    assert set(per_unit.values()) == {1}
    per_zone = Counter(current.values_list("zone__number", flat=True))
    assert all(5 <= n <= 6 for n in per_zone.values())
    assert sum(per_zone.values()) == 21


def test_each_zone_holds_its_office_and_dispatched_groups_whose_heads_are_deputies(commission):
    """The lead office and the zone's dispatched groups are members; the office director and one or two
    group leaders are the zone's deputy leaders."""
    for zone in Zone.objects.filter(commission=commission):
        members = set(zone.memberships.filter(end_date__isnull=True).values_list("unit__kind", "unit__name").distinct())
        assert (Unit.Kind.INSPECTION_OFFICE, zone.inspection_office.name) in members
        groups = {name for kind, name in members if kind == Unit.Kind.DISPATCHED_GROUP}
        assert 1 <= len(groups) <= 2
        deputies = ZoneDeputy.objects.filter(zone=zone, end_date__isnull=True).select_related("staff__home_unit")
        heads = {(d.staff.home_unit.name, d.staff.position) for d in deputies}
        assert (zone.inspection_office.name, "主任") in heads
        assert {name for name, position in heads if position == "组长"} <= groups
        assert 2 <= len(heads) <= 3


def test_one_township_moved_zones_and_keeps_its_dated_history(commission):
    """蓝旗镇纪委 was in the first zone from 2024-03-01 to 2025-06-30 and is in the third from 2025-07-01."""
    moved = ZoneMembership.objects.filter(unit__name="蓝旗镇纪委").order_by("start_date")
    assert [(m.zone.number, m.start_date, m.end_date) for m in moved] == [
        (1, date(2024, 3, 1), date(2025, 6, 30)),
        (3, date(2025, 7, 1), None),
    ]
    assert memberships_on(date(2025, 1, 15)).get(unit__name="蓝旗镇纪委").zone.number == 1
    assert memberships_on(date(2025, 7, 1)).get(unit__name="蓝旗镇纪委").zone.number == 3


def test_about_a_hundred_staff_with_plausible_attributes(commission):
    """~100 cadres, names unique, capacity 2–5; every township committee has 2–3 led by its secretary."""
    staff = list(StaffMember.objects.filter(commission=commission).select_related("home_unit"))
    assert 90 <= len(staff) <= 115
    assert len({s.name for s in staff}) == len(staff)
    assert all(2 <= s.capacity <= 5 for s in staff)
    assert all(s.skills and set(s.skills) <= set(StaffMember.Skill.values) for s in staff)
    assert all(1960 <= (s.birth_year or 0) <= 2000 for s in staff)
    assert any(s.hometown_id == s.home_unit_id for s in staff)  # the 熟人社会 the zones answer
    per_township = Counter(s.home_unit.name for s in staff if s.home_unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE)
    assert len(per_township) == 21
    assert all(2 <= n <= 3 for n in per_township.values())
    secretaries = {s.home_unit.name for s in staff if s.position in {"纪委书记", "纪工委书记"}}
    assert len(secretaries) == 21
    leadership = [s.position for s in staff if s.home_unit.kind == Unit.Kind.LEADERSHIP]
    assert leadership.count("纪委书记、监委主任") == 1
    assert leadership.count("纪委常委") == 4


def test_declared_relationships_mentoring_pairs_and_village_supervisors_exist(commission):
    """About 25 declared ties of every kind, about 8 一帮二 pairs of township mentees, 30 supervisors."""
    ties = DeclaredRelationship.objects.filter(staff__commission=commission)
    assert 20 <= ties.count() <= 35
    assert set(ties.values_list("kind", flat=True)) == set(DeclaredRelationship.Kind.values)
    kin = ties.filter(kind=DeclaredRelationship.Kind.KIN)
    assert not kin.filter(person_name="").exists()
    assert kin.filter(related_village__name="双山子村", person_unit__contains="村委会主任").exists()
    pairs = MentoringPair.objects.filter(commission=commission).select_related(
        "mentee_one__home_unit", "mentee_two__home_unit"
    )
    assert 7 <= pairs.filter(end_date__isnull=True).count() <= 10
    for pair in pairs:
        assert pair.mentee_one.home_unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE
        assert pair.mentee_two.home_unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE
        assert pair.mentor.experience >= StaffMember.Experience.SKILLED
    supervisors = VillageSupervisor.objects.filter(village__township__commission=commission)
    assert supervisors.count() == 30
    assert len(set(supervisors.values_list("village__township", flat=True))) == 21


def test_the_declared_hometowns_agree_with_the_staff_records(commission):
    """A 同乡 declaration names the township recorded as the declarant's hometown."""
    for tie in DeclaredRelationship.objects.filter(
        staff__commission=commission, kind=DeclaredRelationship.Kind.HOMETOWN
    ).select_related("staff"):
        assert tie.related_unit_id == tie.staff.hometown_id


DEMO_MODELS = [Unit, Village, StaffMember, Zone, DeclaredRelationship, MentoringPair, VillageSupervisor, User]
COMMISSION_PATH = {
    Unit: "commission",
    Village: "township__commission",
    StaffMember: "commission",
    Zone: "commission",
    DeclaredRelationship: "staff__commission",
    MentoringPair: "commission",
    VillageSupervisor: "village__township__commission",
    User: "commission",
}


@pytest.mark.parametrize("model", DEMO_MODELS, ids=lambda m: m.__name__)
def test_every_demo_row_is_flagged_as_demo(commission, model):
    """Every row the loader creates in a model with an ``is_demo`` field has it set."""
    rows = model.objects.filter(**{COMMISSION_PATH[model]: commission})
    assert rows.exists()
    assert not rows.filter(is_demo=False).exists()


def test_data_module_lists_the_same_townships_as_design():
    """The readable data (``data.TOWNSHIPS``) is the DESIGN §6 list, in order."""
    assert [t.full_name for t in data.TOWNSHIPS] == (
        [f"{n}街道" for n in DESIGN_SUBDISTRICTS] + [f"{n}镇" for n in DESIGN_TOWNS] + DESIGN_TOWNSHIPS
    )
