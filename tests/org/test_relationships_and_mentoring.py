"""Declared relationships and 一帮二 pairs: who may record them and the rules they follow."""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org import services
from xiezuoqu.org.models import DeclaredRelationship, MentoringPair, StaffMember, Unit

pytestmark = pytest.mark.django_db


def test_a_staff_member_declares_their_own_kin_with_relation_and_name(demo):
    actor = demo.actor("xzganbu")
    rel = services.declare_relationship(
        actor=actor,
        staff_id=actor.staff_id,
        kind="kin",
        kinship="sibling",
        person_name="王某",
        person_unit="某村 会计",
        declared_on=date(2026, 11, 1),
    )
    assert rel.staff_id == actor.staff_id


def test_kin_without_relation_is_refused_with_field_errors(demo):
    actor = demo.actor("xzganbu")
    with pytest.raises(ValidationFailed) as exc:
        services.declare_relationship(actor=actor, staff_id=actor.staff_id, kind="kin", declared_on=date(2026, 11, 1))
    assert set(exc.value.field_errors) == {"kinship", "person_name"}


def test_nobody_declares_for_a_colleague_except_leadership(demo):
    colleague = (
        StaffMember.objects.filter(home_unit_id=demo.actor("xzganbu").home_unit_id)
        .exclude(pk=demo.actor("xzganbu").staff_id)
        .first()
    )
    with pytest.raises(NotPermitted):
        services.declare_relationship(
            actor=demo.actor("xzganbu"), staff_id=colleague.pk, kind="other", declared_on=date(2026, 11, 1)
        )
    services.declare_relationship(
        actor=demo.actor("shuji"),
        staff_id=colleague.pk,
        kind="other",
        person_name="李某",
        declared_on=date(2026, 11, 1),
    )


def test_a_village_supervisor_cannot_even_find_a_staff_member(demo):
    with pytest.raises(NotFound):
        services.declare_relationship(
            actor=demo.actor("jianduyuan"),
            staff_id=StaffMember.objects.first().pk,
            kind="other",
            declared_on=date(2026, 11, 1),
        )


def test_ending_a_relationship_keeps_it_on_record(demo):
    actor = demo.actor("shuji")
    rel = DeclaredRelationship.objects.filter(end_date__isnull=True).first()
    services.end_relationship(actor=actor, relationship_id=rel.pk, end_date=date(2026, 11, 26))
    rel.refresh_from_db()
    assert rel.end_date == date(2026, 11, 26)
    with pytest.raises(RuleViolation):
        services.end_relationship(actor=actor, relationship_id=rel.pk, end_date=date(2026, 11, 27))


def _free_mentees(zone_unit_ids, n=2):
    busy = set(MentoringPair.objects.filter(end_date__isnull=True).values_list("mentee_one_id", flat=True)) | set(
        MentoringPair.objects.filter(end_date__isnull=True).values_list("mentee_two_id", flat=True)
    )
    return list(
        StaffMember.objects.filter(
            home_unit_id__in=zone_unit_ids, home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).exclude(pk__in=busy)[:n]
    )


def test_a_zone_leader_pairs_an_experienced_mentor_with_two_township_cadres(demo):
    from xiezuoqu.org.selectors import current_member_unit_ids

    leader = demo.actor("zuzhang1")
    units = current_member_unit_ids(leader.led_zone_ids)
    one, two = _free_mentees(units)
    mentor = StaffMember.objects.filter(experience__gte=3).exclude(home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE).first()
    pair = services.create_mentoring_pair(
        actor=leader, mentor_id=mentor.pk, mentee_one_id=one.pk, mentee_two_id=two.pk, start_date=date(2026, 11, 26)
    )
    assert pair.mentor == mentor
    with pytest.raises(RuleViolation, match="已在结对"):
        services.create_mentoring_pair(
            actor=leader, mentor_id=mentor.pk, mentee_one_id=one.pk, mentee_two_id=two.pk, start_date=date(2026, 11, 26)
        )


def test_a_new_cadre_cannot_mentor(demo):
    from xiezuoqu.org.selectors import current_member_unit_ids

    leader = demo.actor("zuzhang1")
    one, two, three = _free_mentees(current_member_unit_ids(leader.led_zone_ids), 3)
    StaffMember.objects.filter(pk=one.pk).update(experience=1)
    with pytest.raises(RuleViolation, match="带教人应为熟练或骨干"):
        services.create_mentoring_pair(
            actor=leader, mentor_id=one.pk, mentee_one_id=two.pk, mentee_two_id=three.pk, start_date=date(2026, 11, 26)
        )
