"""Proposing a team for one clue and for a batch: the solver's choice is stored with its objective and
the reason each excluded candidate was left out, and it keeps the cross rule and the conflicts."""

from __future__ import annotations

import pytest

from tests.teams.conftest import BAOSHAN, demo_actor, staff_of, unit_named, verifying_clue
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import DeclaredRelationship, StaffMember
from xiezuoqu.teams import services
from xiezuoqu.teams.models import HandlingMode, MemberRole, TeamState
from xiezuoqu.teams.solver import CROSS_REASON

pytestmark = pytest.mark.django_db


def test_cross_handling_keeps_the_subjects_township_off_the_team(demo) -> None:
    clue = verifying_clue()
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, mode=HandlingMode.CROSS, size=3)
    assert team.state == TeamState.PROPOSED
    members = list(team.members.select_related("staff__home_unit"))
    assert len([m for m in members if m.role != MemberRole.TRAINEE]) == 3
    assert all(m.staff.home_unit.name != BAOSHAN for m in members)
    lead = [m for m in members if m.role == MemberRole.LEAD]
    assert len(lead) == 1
    assert (
        lead[0].staff.experience >= StaffMember.Experience.SKILLED
        or lead[0].staff.home_unit.kind == "inspection_office"
    )
    excluded = {row["staff_id"]: row["reasons"] for row in team.solver_summary["exclusions"]}
    for cadre in staff_of(BAOSHAN):
        assert CROSS_REASON in excluded[cadre.pk]
    assert team.solver_summary["objective"] > 0
    chosen = set(team.members.values_list("staff_id", flat=True))
    available = {row["staff_id"] for row in team.solver_summary["available"]}
    assert available and not available & chosen and not available & set(excluded)
    assert AuditEvent.objects.filter(action="team.proposed", target_id=str(team.pk)).exists()


def test_a_subject_township_counts_for_the_cross_rule(demo) -> None:
    """The cross rule reads the subjects' township too, not only the clue's."""
    clue = verifying_clue(township=None, subject_township="白旗镇纪委")
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, mode=HandlingMode.CROSS, size=3)
    ids = set(team.members.values_list("staff_id", flat=True))
    assert not ids & {s.pk for s in staff_of("白旗镇纪委")}


def test_a_declared_kin_of_the_subject_is_excluded_with_the_fact(demo) -> None:
    clue = verifying_clue()
    cadre = staff_of("白旗镇纪委")[0]
    DeclaredRelationship.objects.create(
        staff=cadre, kind="kin", kinship="spouse", person_name="赵某某", declared_on=clue.received_on
    )
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, mode=HandlingMode.CROSS, size=3)
    assert not team.members.filter(staff=cadre).exists()
    reasons = {row["staff_id"]: row["reasons"] for row in team.solver_summary["exclusions"]}[cadre.pk]
    assert any("赵某某" in r for r in reasons)


def test_only_a_clue_in_preliminary_verification_gets_a_verification_team(demo) -> None:
    from tests.clues.conftest import open_other

    clue = open_other()
    with pytest.raises(RuleViolation, match="初步核实"):
        services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, mode=HandlingMode.CROSS)


def test_township_cadres_cannot_run_the_solver_and_outsiders_do_not_see_the_clue(demo) -> None:
    clue = verifying_clue()
    with pytest.raises(NotPermitted):
        services.propose_team(actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.CROSS)
    with pytest.raises(NotFound):
        services.propose_team(actor=demo_actor("xzshuji2"), clue_id=clue.pk, mode=HandlingMode.CROSS)


def test_joint_handling_needs_the_leaders_decision_unless_the_leader_proposes(demo) -> None:
    clue = verifying_clue()
    with pytest.raises(RuleViolation, match="联合办理"):
        services.propose_team(actor=demo_actor("jianchashi1"), clue_id=clue.pk, mode=HandlingMode.JOINT)
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, mode=HandlingMode.JOINT, size=4)
    assert team.lead_unit == unit_named("第一纪检监察室") or team.lead_unit.kind == "inspection_office"


def test_sizes_out_of_range_are_refused(demo) -> None:
    clue = verifying_clue()
    with pytest.raises(ValidationFailed):
        services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, size=1)
    with pytest.raises(ValidationFailed):
        services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk, trainee_seats=3)


def test_a_new_proposal_replaces_the_earlier_one(demo) -> None:
    clue = verifying_clue()
    first = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk)
    second = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk)
    first.refresh_from_db()
    assert first.state == TeamState.DISSOLVED and second.state == TeamState.PROPOSED


def test_a_batch_spreads_the_zone_workload(demo) -> None:
    """One solve for several clues: nobody gets more seats than capacity, the cross rule holds per clue."""
    clues = [verifying_clue(), verifying_clue(township="白旗镇纪委")]
    teams = services.propose_batch(
        actor=demo_actor("zuzhang1"), zone_id=clues[0].zone_id, clue_ids=[c.pk for c in clues], size=3
    )
    assert len(teams) == 2
    for team, clue in zip(teams, clues, strict=True):
        assert team.clue_id == clue.pk
        units = set(team.members.values_list("staff__home_unit_id", flat=True))
        assert clue.township_id not in units
    assert teams[0].solver_summary["batch_size"] == 2
