"""A zone meeting decides its items by 民主集中制: a quorum of the zone's voting members, members with
a conflict on an item leave it and cannot vote, and each decision carries a resolution number."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest

from tests.filing.conftest import attend, decide, held_with, on_agenda, planned_meeting, subject_of, submitted, zone_one
from tests.intake.conftest import demo_actor
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import ItemRecusal, Kind
from xiezuoqu.meetings.selectors import more_than_share, tally, voting_member_ids
from xiezuoqu.org.models import DeclaredRelationship, StaffMember

pytestmark = pytest.mark.django_db


def declare_kin_of_subject(staff_id: int, clue) -> None:  # type: ignore[no-untyped-def]
    """The staff member declares the subject as a relative: a conflict on the clue's matter."""
    DeclaredRelationship.objects.create(
        staff_id=staff_id,
        kind=DeclaredRelationship.Kind.KIN,
        kinship=DeclaredRelationship.Kinship.SIBLING,
        person_name=subject_of(clue).name,
        declared_on=date(2025, 1, 1),
    )


def test_more_than_half_is_the_rule():
    assert not more_than_share(2, 4)
    assert more_than_share(3, 4)
    assert more_than_share(3, 5)
    assert not more_than_share(0, 0)


def test_the_voting_members_are_the_zone_leader_and_deputies(demo):
    zone = zone_one()
    voters = voting_member_ids(zone)
    assert voters[0] == zone.leader_id
    assert len(voters) == 4  # 组长 + 第一纪检监察室主任 + 两个派驻组组长


def test_a_meeting_without_a_quorum_cannot_be_held(demo):
    meeting = planned_meeting()
    attend(meeting, absent=2)  # 2 of 4 present: not more than half
    with pytest.raises(RuleViolation, match="未超过半数"):
        services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    attend(meeting, absent=1)
    held = services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    assert held.state == "held"


def test_a_meeting_is_not_held_before_every_voting_member_is_recorded(demo):
    meeting = planned_meeting()
    with pytest.raises(RuleViolation, match="出席情况"):
        services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)


def test_a_conflicted_member_leaves_the_item_and_cannot_vote(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    conflicted = voters[-1]
    declare_kin_of_subject(conflicted, proposal.clue)
    item = held_with(proposal)
    recusal = ItemRecusal.objects.get(item=item)
    assert recusal.staff_id == conflicted
    assert recusal.ground == "kin_of_subject"
    counts = tally(item)
    assert conflicted not in counts.eligible_ids and len(counts.eligible_ids) == 3
    # A ballot from the withdrawn member is refused, naming them and the recusal.
    name = StaffMember.objects.get(pk=conflicted).name
    ballots = {s: "for" for s in voters}
    with pytest.raises(RuleViolation, match=f"{name}已回避本议题"):
        services.decide_item(
            actor=demo_actor("zuzhang1"), item_id=item.pk, data=services.DecisionInput(text="同意", ballots=ballots)
        )
    resolution = decide(item, "agree", votes=(3, 0, 0))
    assert (resolution.present_voters, resolution.voting_members) == (3, 4)
    assert conflicted not in set(resolution.ballots.values_list("staff_id", flat=True))
    assert AuditEvent.objects.filter(action="meeting.item_recused").exists()


def test_an_item_without_a_quorum_after_its_recusals_can_only_be_deferred(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[1], proposal.clue)
    item = held_with(proposal, absent=1)  # 3 present, 1 of them withdrawn: 2 of 4
    assert not tally(item).quorate
    with pytest.raises(RuleViolation, match="未超过半数"):
        decide(item, "agree", votes=(2, 0, 0))
    resolution = decide(item, "defer")
    assert resolution.outcome == "defer"
    proposal.refresh_from_db()
    assert proposal.state == "submitted_to_zone"


def test_a_withdrawn_deputy_cannot_record_the_items_decision(demo):
    proposal = submitted()
    deputy = demo.user("fuzuzhang1").staff_id
    declare_kin_of_subject(deputy, proposal.clue)
    item = held_with(proposal)
    with pytest.raises((NotPermitted, NotFound)):
        decide(item, "agree", votes=(3, 0, 0), username="fuzuzhang1")


def test_agreement_needs_more_than_half_of_all_voting_members(demo):
    item = held_with(submitted())
    with pytest.raises(RuleViolation, match="同意票 2 票，未超过"):
        decide(item, "agree", votes=(2, 1, 1))
    with pytest.raises(RuleViolation, match="应为“同意”"):
        decide(item, "disagree", votes=(3, 1, 0))
    resolution = decide(item, "disagree", votes=(2, 2, 0))
    assert resolution.outcome == "disagree"


def test_resolution_numbers_follow_the_zone_series(demo):
    first = decide(held_with(submitted()))
    second = decide(held_with(submitted()))
    year = first.year
    assert first.number == f"凤纪一协〔{year}〕决1号"
    assert second.number == f"凤纪一协〔{year}〕决2号"


def test_an_item_is_decided_once(demo):
    item = held_with(submitted())
    decide(item)
    with pytest.raises(InvalidTransition, match="已表决"):
        decide(item, "disagree")


def test_only_the_zone_leader_convenes_and_deputies_record(demo):
    with pytest.raises(NotPermitted):
        services.convene_meeting(
            actor=demo_actor("fuzuzhang1"),
            data=services.MeetingInput(
                zone_id=zone_one().pk, kind=Kind.REGULAR, scheduled_at=planned_meeting().scheduled_at, place="会议室"
            ),
        )
    meeting = planned_meeting()
    with pytest.raises(NotFound):  # another zone's township secretary: not on the list, not in the zone
        services.record_attendance(
            actor=demo_actor("xzshuji2"), meeting_id=meeting.pk, entries=[services.AttendanceInput(1, "present")]
        )
    attend(meeting, username="fuzuzhang1")  # the deputy records
    with pytest.raises(NotPermitted):
        services.hold_meeting(actor=demo_actor("fuzuzhang1"), meeting_id=meeting.pk)


def test_absence_needs_a_reason(demo):
    meeting = planned_meeting()
    with pytest.raises(ValidationFailed, match="事由"):
        services.record_attendance(
            actor=demo_actor("zuzhang1"),
            meeting_id=meeting.pk,
            entries=[services.AttendanceInput(voting_member_ids(meeting.zone)[1], "leave", "")],
        )


def test_a_proposal_goes_on_one_pending_item_and_only_once_submitted(demo):
    from tests.filing.conftest import drafted

    draft = drafted()
    with pytest.raises(RuleViolation, match="起草中"):
        on_agenda(draft)
    proposal = submitted()
    on_agenda(proposal)
    with pytest.raises(RuleViolation, match="重复"):
        on_agenda(proposal)


def test_a_non_voting_attendee_is_on_the_list_but_does_not_count(demo):
    meeting = planned_meeting()
    guest = StaffMember.objects.get(pk=demo.user("jianchashi1").staff_id)
    services.record_attendance(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, entries=[services.AttendanceInput(guest.pk, "present")]
    )
    attend(meeting, absent=2)
    with pytest.raises(RuleViolation):  # 2 voting members of 4 (+1 guest) are not a quorum
        services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)


def _with_township_secretary_as_deputy(demo):  # type: ignore[no-untyped-def]
    """宝山镇纪委书记 serves as one of zone 1's deputy leaders: a voting member from the township of the
    cadre the submitted proposal is about."""
    from xiezuoqu.org.models import ZoneDeputy

    proposal = submitted()  # a clue about a cadre of 宝山镇
    secretary = demo.user("xzshuji").staff_id
    ZoneDeputy.objects.create(zone=zone_one(), staff_id=secretary, start_date=date(2025, 1, 1))
    voters = voting_member_ids(zone_one())
    assert secretary in voters and len(voters) == 5
    return proposal, secretary, voters


def _hold(proposal, present):  # type: ignore[no-untyped-def]
    from xiezuoqu.meetings.models import AgendaItem

    item = on_agenda(proposal)
    voters = voting_member_ids(zone_one())
    entries = [
        services.AttendanceInput(s, "present" if s in present else "leave", "" if s in present else "公务外出")
        for s in voters
    ]
    services.record_attendance(actor=demo_actor("fuzuzhang1"), meeting_id=item.meeting_id, entries=entries)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id)
    return AgendaItem.objects.get(pk=item.pk)


def test_a_member_from_the_subjects_township_leaves_the_item_and_cannot_vote(demo):
    """The same-township ground applies at a meeting as it does to the team: the township's secretary
    is withdrawn from the item (the minutes say so), cannot vote, and the majority is counted without
    them."""
    from django.test import Client
    from docx import Document

    from tests.intake.conftest import login
    from xiezuoqu.recusal.models import Ground

    proposal, secretary, voters = _with_township_secretary_as_deputy(demo)
    item = _hold(proposal, present=set(voters))
    recusal = ItemRecusal.objects.get(item=item)
    assert (recusal.staff_id, recusal.ground) == (secretary, Ground.SAME_TOWNSHIP)
    counts = tally(item)
    assert secretary in counts.recused_ids and secretary not in counts.eligible_ids
    name = StaffMember.objects.get(pk=secretary).name
    with pytest.raises(RuleViolation, match=f"{name}已回避本议题"):
        services.decide_item(
            actor=demo_actor("zuzhang1"),
            item_id=item.pk,
            data=services.DecisionInput(text="同意", ballots={s: "for" for s in voters}),
        )
    resolution = decide(item, "agree", votes=(4, 0, 0))
    assert secretary not in set(resolution.ballots.values_list("staff_id", flat=True))
    response = login(Client(), "zuzhang1").get(f"/meetings/{item.meeting_id}/minutes.docx")
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert f"{name}（{Ground.SAME_TOWNSHIP.label}）" in text


def test_without_the_township_member_the_item_may_lack_a_quorum(demo):
    """3 of 5 voting members present hold the meeting; one of them is from the subject's township, so
    the item has 2 of 5 who may vote — not more than half: it can only be put off."""
    proposal, secretary, voters = _with_township_secretary_as_deputy(demo)
    item = _hold(proposal, present={voters[0], voters[1], secretary})
    assert not tally(item).quorate
    with pytest.raises(RuleViolation, match="未超过半数"):
        decide(item, "agree", votes=(2, 0, 0))
    assert decide(item, "defer").outcome == "defer"
