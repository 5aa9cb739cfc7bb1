"""Who may decide a step: the step's role, sitting where the step's rule says — and never the requester."""

from __future__ import annotations

import pytest

from tests.approvals.conftest import ZONE_THEN_COMMISSION, World, actor_of, configure, staff_user, submit
from tests.factories import make_unit
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import StepSpec, UnitRule
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation
from xiezuoqu.org.models import Unit

A = Decision.APPROVE


def test_nobody_approves_their_own_request(world):
    """A commission leader's own request goes to another commission leader, never to themselves."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, [StepSpec(Role.COMMISSION_LEADER, UnitRule.COMMISSION)])
    approval = submit(world, "deadline.extension", user=world.leader_a)
    with pytest.raises(RuleViolation, match="不能审批本人提出的申请"):
        services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(world.leader_b), approval_id=approval.pk, decision=A)
    approval.refresh_from_db()
    assert approval.state == State.APPROVED


def test_not_even_the_commission_head_approves_their_own_request(world):
    """纪委书记 is no exception: with a second head (e.g. acting) it is that one who decides."""
    configure(world, "recusal.override", Mode.SEQUENTIAL, [StepSpec(Role.COMMISSION_HEAD, UnitRule.COMMISSION)])
    acting_head = staff_user(world.leadership, Role.COMMISSION_HEAD)
    approval = submit(world, "recusal.override", user=world.head)
    with pytest.raises(RuleViolation, match="不能审批本人提出的申请"):
        services.decide(actor=actor_of(world.head), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(acting_head), approval_id=approval.pk, decision=A)


def test_a_request_nobody_else_could_decide_is_refused_at_submission(world):
    """The only head asking for a head's approval would wait forever: refused with the reason."""
    configure(world, "recusal.override", Mode.SEQUENTIAL, [StepSpec(Role.COMMISSION_HEAD, UnitRule.COMMISSION)])
    with pytest.raises(RuleViolation, match="没有除您以外可以审批的人员"):
        submit(world, "recusal.override", user=world.head)


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("zone_leader2", NotFound),  # leads another zone: cannot even see the request
        ("secretary2", NotFound),  # a township of the same zone, another unit
        ("outsider_leader", NotFound),  # another commission
        ("system_admin", NotFound),  # 三员分立
        ("audit_admin", NotFound),
        ("case_manager", NotPermitted),  # sees every request, decides none of these steps
        ("head", NotPermitted),
    ],
)
def test_actors_outside_the_step_rule_cannot_decide(world, who, error):
    """Only the leader of the requester's zone decides the zone step."""
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    approval = submit(world)
    with pytest.raises(error):
        services.decide(actor=actor_of(getattr(world, who)), approval_id=approval.pk, decision=A, step_index=0)


def test_requester_unit_steps_go_to_the_requesters_own_unit(world):
    """乡镇纪委书记 @申请单位: the secretary of township 1 decides; the one of township 2 may not."""
    configure(
        world, "deadline.extension", Mode.SEQUENTIAL, [StepSpec(Role.TOWNSHIP_SECRETARY, UnitRule.REQUESTER_UNIT)]
    )
    approval = submit(world, "deadline.extension")
    with pytest.raises(NotFound):
        services.decide(actor=actor_of(world.secretary2), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(world.secretary1), approval_id=approval.pk, decision=A)


def test_fixed_unit_steps_go_to_that_unit(world):
    """案件审理室 @指定单位: the trial office's staff decide; a trial officer elsewhere may not."""
    elsewhere = staff_user(world.case_office, Role.TRIAL_STAFF)
    configure(
        world,
        "case.sanction",
        Mode.SEQUENTIAL,
        [StepSpec(Role.TRIAL_STAFF, UnitRule.FIXED_UNIT, "审理室审核", fixed_unit_id=world.trial_office.pk)],
    )
    approval = submit(world, "case.sanction")
    with pytest.raises(NotFound):
        services.decide(actor=actor_of(elsewhere), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(world.trial), approval_id=approval.pk, decision=A)


def test_zone_staff_decide_zone_steps_of_their_zone_only(world):
    """纪检监察室干部 @协作区: staff of the office leading zone 1 decide for zone 1, not for zone 2."""
    office2 = make_unit(world.commission, Unit.Kind.INSPECTION_OFFICE)
    world.zone2.inspection_office = office2
    world.zone2.save(update_fields=["inspection_office"])
    office_staff2 = staff_user(office2, Role.INSPECTION_STAFF)
    configure(world, "verification.plan", Mode.SEQUENTIAL, [StepSpec(Role.INSPECTION_STAFF, UnitRule.REQUESTER_ZONE)])
    in_zone1 = submit(world, "verification.plan")
    in_zone2 = submit(world, "verification.plan", user=staff_user(world.township3, Role.TOWNSHIP_STAFF))
    services.decide(actor=actor_of(world.office_staff1), approval_id=in_zone1.pk, decision=A)
    with pytest.raises(NotFound):
        services.decide(actor=actor_of(world.office_staff1), approval_id=in_zone2.pk, decision=A)
    services.decide(actor=actor_of(office_staff2), approval_id=in_zone2.pk, decision=A)


def test_one_person_decides_one_step_of_a_request(world):
    """会签 with two leader steps needs two different leaders."""
    two_leaders = [
        StepSpec(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管领导一"),
        StepSpec(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管领导二"),
    ]
    configure(world, "clue.disposal", Mode.PARALLEL, two_leaders)
    approval = submit(world)
    services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A)
    with pytest.raises(RuleViolation, match="不同人员"):
        services.decide(actor=actor_of(world.leader_a), approval_id=approval.pk, decision=A, step_index=1)
    services.decide(actor=actor_of(world.leader_b), approval_id=approval.pk, decision=A)
    approval.refresh_from_db()
    assert approval.state == State.APPROVED
    assert set(approval.decisions.values_list("decided_by_id", flat=True)) == {world.leader_a.pk, world.leader_b.pk}


def test_a_new_zone_leader_decides_requests_of_the_zone(world: World):
    """Decision rights follow today's roles: the zone record decides which zone a leader leads."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension")
    successor = staff_user(world.leadership, Role.ZONE_LEADER)
    world.zone1.leader = successor.staff
    world.zone1.save(update_fields=["leader"])
    with pytest.raises(NotFound):
        services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(successor), approval_id=approval.pk, decision=A)
