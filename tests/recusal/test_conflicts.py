"""Conflicts come from declared relationships and from the data, with a reason a person can read."""

from __future__ import annotations

import pytest

from tests.clues.conftest import BAOSHAN
from tests.intake.conftest import unit_named
from tests.recusal.conftest import SUBJECT, baoshan_clue, declare, staff_of
from xiezuoqu.org.models import DeclaredRelationship as DR
from xiezuoqu.recusal.conflicts import (
    ConflictIndex,
    Entry,
    MatterFacts,
    StaffFacts,
    conflicted_staff_ids,
    conflicts_for,
    meeting_conflicted_staff_ids,
    person_key,
)
from xiezuoqu.recusal.models import Ground

pytestmark = pytest.mark.django_db


def test_the_index_matches_a_staff_entry_to_a_matter_key_and_explains_it():
    staff = [
        StaffFacts(1, "甲", 10, 100, (Entry(("township", 100), Ground.SAME_TOWNSHIP, "本人所在单位宝山镇纪委"),)),
        StaffFacts(2, "乙", 11, 101, (Entry(person_key("张三"), Ground.KIN_OF_SUBJECT, "申报的配偶张三系被反映人"),)),
        StaffFacts(3, "丙", 12, 102, (Entry(("township", 102), Ground.SAME_TOWNSHIP, "本人所在单位"),)),
    ]
    matter = MatterFacts(1, frozenset({("township", 100), person_key("张三")}), {person_key("张三"): "被反映人张三"})
    found = ConflictIndex(staff).conflicts(matter)
    assert set(found) == {1, 2}
    assert found[2][0].detail == "申报的配偶张三系被反映人（被反映人张三）"
    assert found[1][0].cross_rule and not found[1][0].blocks("self") and found[1][0].blocks("cross")
    assert not found[2][0].cross_rule and found[2][0].blocks("self")


def test_a_cadre_of_the_subjects_township_falls_under_the_cross_rule(demo):
    clue = baoshan_clue()
    secretary = staff_of("xzshuji")  # 宝山镇纪委书记
    outsider = staff_of("xzshuji2")
    found = conflicts_for(clue, [secretary.pk, outsider.pk])
    assert [c.ground for c in found[secretary.pk]] == [Ground.SAME_TOWNSHIP]
    assert found[secretary.pk][0].cross_rule
    assert outsider.pk not in found


def test_declared_kin_named_as_the_subject_is_a_conflict_that_blocks_every_mode(demo):
    clue = baoshan_clue()
    cadre = staff_of("xzshuji2")
    declare(cadre, DR.Kind.KIN, kinship=DR.Kinship.SPOUSE, person_name=SUBJECT)
    [conflict] = conflicts_for(clue, [cadre.pk])[cadre.pk]
    assert conflict.ground == Ground.KIN_OF_SUBJECT
    assert SUBJECT in conflict.detail and "配偶" in conflict.detail
    assert conflict.blocks("self") and conflict.blocks("joint")
    assert cadre.pk in conflicted_staff_ids(clue)


def test_kin_of_the_real_name_reporter_is_found_through_the_blind_index(demo):
    clue = baoshan_clue()  # reported by 李举报
    cadre = staff_of("xzshuji3")
    declare(cadre, DR.Kind.KIN, kinship=DR.Kinship.SIBLING, person_name="李举报")
    grounds = {c.ground for c in conflicts_for(clue, [cadre.pk])[cadre.pk]}
    assert grounds == {Ground.KIN_OF_REPORTER}


def test_a_former_posting_in_the_subjects_township_and_a_tie_to_the_village_are_conflicts(demo):
    clue = baoshan_clue()
    cadre = staff_of("xzshuji4")
    declare(cadre, DR.Kind.FORMER_POSTING, related_unit=unit_named(BAOSHAN))
    grounds = {c.ground for c in conflicts_for(clue, [cadre.pk])[cadre.pk]}
    assert Ground.FORMER_POSTING in grounds


def test_the_same_township_takes_a_member_off_a_meeting_item_but_not_off_its_own_townships_work(demo):
    """At a meeting every ground applies, the same township included; when the township handles its
    own matter (自办) its staff are not conflicted by being its staff."""
    clue = baoshan_clue()
    secretary = staff_of("xzshuji")
    assert secretary.pk in meeting_conflicted_staff_ids(clue)
    assert secretary.pk not in conflicted_staff_ids(clue)
    assert staff_of("xzshuji2").pk not in meeting_conflicted_staff_ids(clue)


def test_a_subject_whose_unit_is_written_as_text_conflicts_with_that_units_staff_only_in_the_same_commission(demo):
    from tests.clues.conftest import analysed, open_other
    from tests.factories import make_commission, make_unit
    from xiezuoqu.clues.models import Subject

    clue = analysed(open_other())
    subject = Subject.objects.get(clue_links__clue=clue)
    subject.unit_text = "第二纪检监察室"
    subject.save(update_fields=["unit_text"])
    office = staff_of("jianchashi2")  # 第二纪检监察室
    other = make_commission()
    make_unit(commission=other, name="第二纪检监察室")  # the same name elsewhere changes nothing
    grounds = {c.ground for c in conflicts_for(clue, [office.pk]).get(office.pk, [])}
    assert Ground.SAME_UNIT in grounds


def test_a_declared_tie_to_ones_own_township_adds_nothing_to_the_cross_rule(demo):
    """宝山镇纪委书记 declares 宝山 as hometown and former posting: that only says where the secretary
    works, like a recorded hometown there, so it stays the cross-rule fact — the township may still
    decide and handle its own matter (自办) — while a tie to a village of the township still counts."""
    clue = baoshan_clue()
    secretary = staff_of("xzshuji")
    declare(secretary, DR.Kind.HOMETOWN, related_unit=unit_named(BAOSHAN))
    declare(secretary, DR.Kind.FORMER_POSTING, related_unit=unit_named(BAOSHAN))
    found = conflicts_for(clue, [secretary.pk])[secretary.pk]
    assert [c.ground for c in found] == [Ground.SAME_TOWNSHIP]
    assert secretary.pk not in conflicted_staff_ids(clue)
    # The same declaration by a cadre of another township is a conflict that blocks every mode.
    outsider = staff_of("xzshuji2")
    declare(outsider, DR.Kind.HOMETOWN, related_unit=unit_named(BAOSHAN))
    [conflict] = conflicts_for(clue, [outsider.pk])[outsider.pk]
    assert conflict.ground == Ground.HOMETOWN and conflict.blocks("self")
