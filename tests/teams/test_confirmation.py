"""Confirming and editing a team: the zone leader or a deputy decides, every member is checked again
(edits too), a confirmed team supersedes the earlier one, and members leave on record."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.teams.conftest import BAOSHAN, demo_actor, staff_of, verifying_clue
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import DeclaredRelationship, StaffMember
from xiezuoqu.teams import selectors, services
from xiezuoqu.teams.models import MemberRole, Team, TeamState

pytestmark = pytest.mark.django_db


def proposed(**kw) -> Team:  # type: ignore[no-untyped-def]
    clue = verifying_clue()
    return services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, **kw)


def test_the_zone_leader_confirms_and_the_team_becomes_active(demo) -> None:
    team = proposed()
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    team.refresh_from_db()
    assert team.state == TeamState.CONFIRMED and team.confirmed_at is not None
    assert selectors.active_team(team.clue_id) == team
    assert selectors.active_member_staff_ids(team.clue_id) == set(team.members.values_list("staff_id", flat=True))
    assert all(m.joined_on == timezone.localdate() for m in team.members.all())
    assert AuditEvent.objects.filter(action="team.confirmed", target_id=str(team.pk)).exists()


def test_a_deputy_may_confirm_but_office_staff_may_not(demo) -> None:
    team = proposed()
    with pytest.raises(NotPermitted):
        services.confirm_team(actor=demo_actor("jianchashi1"), team_id=team.pk)
    services.confirm_team(actor=demo_actor("fuzuzhang1"), team_id=team.pk)


def test_confirming_checks_again_a_conflict_declared_after_the_proposal(demo) -> None:
    team = proposed()
    member = team.members.filter(role=MemberRole.MEMBER).select_related("staff").first()
    assert member is not None
    DeclaredRelationship.objects.create(
        staff=member.staff, kind="kin", kinship="sibling", person_name="赵某某", declared_on=timezone.localdate()
    )
    with pytest.raises(RuleViolation, match=member.staff.name):
        services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    team.refresh_from_db()
    assert team.state == TeamState.PROPOSED


def test_a_later_confirmed_team_supersedes_the_earlier(demo) -> None:
    first = proposed()
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=first.pk)
    second = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=first.clue_id, size=2)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=second.pk)
    first.refresh_from_db()
    assert first.state == TeamState.SUPERSEDED
    assert not first.members.filter(left_on__isnull=True).exists()
    assert selectors.active_team(first.clue_id) == second


def test_an_edit_that_breaks_the_cross_rule_is_refused_whole(demo) -> None:
    team = proposed()
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    local = staff_of(BAOSHAN)[0]
    with pytest.raises(RuleViolation, match="交叉办理规则"):
        services.edit_team(
            actor=demo_actor("zuzhang1"),
            team_id=team.pk,
            reason="加强力量",
            add=[services.MemberInput(staff_id=local.pk)],
        )
    assert not team.members.filter(staff=local).exists()


def test_an_edit_with_a_sound_member_is_kept_and_audited(demo) -> None:
    team = proposed(size=2)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    on_team = set(team.members.values_list("staff_id", flat=True))
    loads = selectors.seat_counts()
    extra = (
        StaffMember.objects.filter(home_unit__name="白旗镇纪委", is_active=True).exclude(pk__in=on_team).order_by("pk")
    )
    pick = next(s for s in extra if loads.get(s.pk, 0) < s.capacity)
    services.edit_team(
        actor=demo_actor("zuzhang1"), team_id=team.pk, reason="需要农村工作专长", add=[services.MemberInput(pick.pk)]
    )
    row = team.members.get(staff=pick)
    assert row.role == MemberRole.MEMBER and row.joined_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="team.edited", target_id=str(team.pk)).exists()


def test_a_full_workload_blocks_an_edit(demo) -> None:
    team = proposed(size=2)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    on_team = set(team.members.values_list("staff_id", flat=True))
    pick = StaffMember.objects.filter(home_unit__name="白旗镇纪委", is_active=True).exclude(pk__in=on_team).first()
    assert pick is not None
    busy = selectors.seat_counts([pick.pk]).get(pick.pk, 0)
    StaffMember.objects.filter(pk=pick.pk).update(capacity=busy)
    with pytest.raises(RuleViolation, match="已达承办上限"):
        services.edit_team(
            actor=demo_actor("zuzhang1"), team_id=team.pk, reason="补充", add=[services.MemberInput(pick.pk)]
        )


def test_the_lead_must_be_eligible_and_can_be_changed(demo) -> None:
    team = proposed(size=3)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    members = list(team.members.filter(role=MemberRole.MEMBER).select_related("staff__home_unit"))
    junior = [
        m
        for m in members
        if m.staff.experience < StaffMember.Experience.SKILLED and m.staff.home_unit.kind != "inspection_office"
    ]
    senior = [m for m in members if m not in junior]
    if junior:
        with pytest.raises(RuleViolation, match="组长须为"):
            services.edit_team(actor=demo_actor("zuzhang1"), team_id=team.pk, reason="调整", lead_id=junior[0].staff_id)
    if senior:
        services.edit_team(actor=demo_actor("zuzhang1"), team_id=team.pk, reason="调整组长", lead_id=senior[0].staff_id)
        assert team.members.get(role=MemberRole.LEAD, left_on__isnull=True).staff_id == senior[0].staff_id
    assert junior or senior


def test_members_leave_on_record_and_the_lead_cannot_just_leave(demo) -> None:
    team = proposed(size=3)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    lead = team.members.get(role=MemberRole.LEAD)
    with pytest.raises(RuleViolation, match="组长"):
        services.remove_member(actor=demo_actor("zuzhang1"), team_id=team.pk, staff_id=lead.staff_id, reason="调离")
    member = team.members.filter(role=MemberRole.MEMBER).first()
    assert member is not None
    services.remove_member(actor=demo_actor("zuzhang1"), team_id=team.pk, staff_id=member.staff_id, reason="借调")
    member.refresh_from_db()
    assert member.left_on == timezone.localdate() and member.leave_reason == "借调"
    assert member.staff_id not in selectors.active_member_staff_ids(team.clue_id)
    with pytest.raises(ValidationFailed):
        services.remove_member(actor=demo_actor("zuzhang1"), team_id=team.pk, staff_id=lead.staff_id, reason="")


def test_dissolving_ends_the_team(demo) -> None:
    team = proposed()
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    services.dissolve_team(actor=demo_actor("zuzhang1"), team_id=team.pk, reason="线索并入他案")
    team.refresh_from_db()
    assert team.state == TeamState.DISSOLVED
    assert selectors.active_team(team.clue_id) is None
    with pytest.raises(InvalidTransition, match="已解散"):
        services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)


def test_confirmed_seats_count_as_workload(demo) -> None:
    team = proposed()
    ids = list(team.members.values_list("staff_id", flat=True))
    before = selectors.seat_counts(ids)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    after = selectors.seat_counts(ids)
    assert all(after.get(pk, 0) == before.get(pk, 0) + 1 for pk in ids)


def test_adding_someone_as_lead_makes_the_old_lead_a_member(demo) -> None:
    team = proposed(size=2)
    old_lead = team.members.get(role=MemberRole.LEAD).staff_id
    on_team = set(team.members.values_list("staff_id", flat=True))
    loads = selectors.seat_counts()
    pick = next(
        s
        for s in StaffMember.objects.filter(home_unit__name="白旗镇纪委", is_active=True).order_by("-experience", "pk")
        if s.pk not in on_team and loads.get(s.pk, 0) < s.capacity
    )
    if pick.experience < StaffMember.Experience.SKILLED:
        pytest.skip("the demo township has no free skilled cadre")
    services.edit_team(
        actor=demo_actor("zuzhang1"),
        team_id=team.pk,
        reason="由熟练干部任组长",
        add=[services.MemberInput(pick.pk, role=MemberRole.LEAD)],
    )
    assert team.members.get(role=MemberRole.LEAD).staff_id == pick.pk
    assert team.members.get(staff_id=old_lead).role == MemberRole.MEMBER
    with pytest.raises(ValidationFailed, match="一名组长"):
        services.edit_team(
            actor=demo_actor("zuzhang1"),
            team_id=team.pk,
            reason="x",
            add=[services.MemberInput(old_lead + 100_000, role=MemberRole.LEAD)],
            lead_id=old_lead,
        )
