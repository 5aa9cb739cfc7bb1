"""Who sees a request: the scope (queryset) and the predicate agree, and both follow the rules."""

from __future__ import annotations

import random

import pytest

from tests.approvals.conftest import ZONE_THEN_COMMISSION, World, actor_of, configure, staff_user, submit
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import StepSpec, UnitRule
from xiezuoqu.approvals.models import ApprovalChain, ApprovalDecision, ApprovalRequest, ApprovalStep
from xiezuoqu.approvals.selectors import (
    CHAINS,
    DECISIONS,
    REQUESTS,
    may_decide_now,
    requests_decided_by,
    requests_to_decide,
)
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.errors import DomainError

A, R, X = Decision.APPROVE, Decision.RETURN, Decision.REJECT


def _chains(world: World) -> None:
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    configure(
        world,
        "verification.plan",
        Mode.PARALLEL,
        [
            StepSpec(Role.INSPECTION_STAFF, UnitRule.REQUESTER_ZONE, "纪检监察室会签"),
            StepSpec(Role.TOWNSHIP_SECRETARY, UnitRule.REQUESTER_UNIT, "乡镇纪委书记会签"),
        ],
    )
    configure(
        world,
        "case.sanction",
        Mode.SEQUENTIAL,
        [
            StepSpec(Role.TRIAL_STAFF, UnitRule.FIXED_UNIT, "审理室审核", fixed_unit_id=world.trial_office.pk),
            StepSpec(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "书记审批"),
        ],
    )
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])


def generate(world: World, seed: int = 7) -> list[ApprovalRequest]:
    """A few dozen requests in every state, decided by whoever may, in a seeded random order."""
    _chains(world)
    rng = random.Random(seed)
    submitters = [
        world.requester,
        world.secretary1,
        world.office_staff1,
        staff_user(world.township3, Role.TOWNSHIP_STAFF),
        staff_user(world.township2, Role.TOWNSHIP_STAFF),
    ]
    deciders = [u for u in world.users() if u not in (world.system_admin, world.security_admin, world.audit_admin)]
    made: list[ApprovalRequest] = []
    for n in range(36):
        matter = ["clue.disposal", "verification.plan", "case.sanction", "deadline.extension"][n % 4]
        try:
            approval = submit(world, matter, user=submitters[n % len(submitters)], title=f"请示{n}")
        except DomainError:
            continue  # e.g. no township secretary in township 2 for the unit step
        made.append(approval)
        for _ in range(rng.randint(0, 3)):
            decision = rng.choice([A, A, A, R, X])
            for decider in rng.sample(deciders, len(deciders)):
                try:
                    services.decide(actor=actor_of(decider), approval_id=approval.pk, decision=decision, comment="意见")
                    break
                except DomainError:
                    continue
        approval.refresh_from_db()
        if approval.state == State.RETURNED and rng.random() < 0.5:
            services.resubmit_request(actor=actor_of(approval.requester), approval_id=approval.pk)
        elif approval.state == State.PENDING and rng.random() < 0.15:
            services.withdraw_request(actor=actor_of(approval.requester), approval_id=approval.pk)
    return made


def test_scope_and_predicate_agree_on_every_request_for_every_actor(world):
    made = generate(world)
    states = {r.state for r in ApprovalRequest.objects.all()}
    assert len(made) >= 25 and {State.PENDING, State.APPROVED, State.RETURNED, State.REJECTED} <= states
    everyone = [*world.users(), staff_user(world.township3, Role.TOWNSHIP_SECRETARY)]
    requests = list(ApprovalRequest.objects.all())
    for user in everyone:
        actor = actor_of(user)
        for policy in (REQUESTS, DECISIONS, CHAINS, POLICIES[ApprovalStep]):
            objects = list(policy.model.objects.all())
            by_scope = set(policy.scope(actor).values_list("pk", flat=True))
            by_predicate = {o.pk for o in objects if policy.can_view(actor, o)}
            assert by_scope == by_predicate, (user.username, policy.label)
        # 待我审批 and the detail page's buttons agree too.
        to_decide = set(requests_to_decide(actor).values_list("pk", flat=True))
        assert to_decide == {r.pk for r in requests if may_decide_now(actor, r)}, user.username
        assert to_decide <= set(REQUESTS.scope(actor).values_list("pk", flat=True))


def test_the_rules_of_visibility(world):
    """Requester, reached approvers, deciders and oversight see; later approvers wait; admins never."""
    _chains(world)
    approval = submit(world, "clue.disposal")

    def sees(user) -> bool:
        return REQUESTS.scope(actor_of(user)).filter(pk=approval.pk).exists()

    assert sees(world.requester) and sees(world.zone_leader1)
    assert sees(world.head) and sees(world.leader_a) and sees(world.case_manager)  # oversight
    assert not sees(world.trial)  # commission-wide, but neither oversight nor an approver here
    assert not sees(world.zone_leader2) and not sees(world.secretary1) and not sees(world.office_staff1)
    assert not any(sees(u) for u in (world.system_admin, world.security_admin, world.audit_admin))
    assert not sees(world.outsider_leader)


def test_a_later_step_becomes_visible_when_it_is_reached(world):
    _chains(world)
    sanction = submit(world, "case.sanction")
    acting_head = staff_user(world.leadership, Role.COMMISSION_HEAD)
    trial_elsewhere = staff_user(world.case_office, Role.TRIAL_STAFF)
    # The head sees it anyway (oversight); the trial office sees it because its step is open.
    assert REQUESTS.scope(actor_of(world.trial)).filter(pk=sanction.pk).exists()
    assert not REQUESTS.scope(actor_of(trial_elsewhere)).filter(pk=sanction.pk).exists()
    services.decide(actor=actor_of(world.trial), approval_id=sanction.pk, decision=A)
    assert REQUESTS.scope(actor_of(acting_head)).filter(pk=sanction.pk).exists()
    assert set(requests_to_decide(actor_of(acting_head))) == {sanction}


def test_a_decider_keeps_seeing_what_they_decided(world):
    """经我审批的 stays with the person after their role moves on (the record is theirs)."""
    _chains(world)
    approval = submit(world, "deadline.extension")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    world.zone1.leader = None
    world.zone1.save(update_fields=["leader"])
    former = actor_of(world.zone_leader1)
    assert Role.ZONE_LEADER not in former.roles
    assert REQUESTS.get_for(former, approval.pk) == approval
    assert list(requests_decided_by(former)) == [approval]


def test_higher_commission_leadership_oversees_lower_commissions(world):
    """Commission-wide roles reach the commissions below theirs (DESIGN §5a)."""
    from tests.factories import make_commission, make_unit
    from xiezuoqu.org.models import Unit

    _chains(world)
    approval = submit(world, "deadline.extension")
    city = make_commission()
    world.commission.parent = city
    world.commission.save(update_fields=["parent"])
    city_leader = staff_user(make_unit(city, Unit.Kind.LEADERSHIP), Role.COMMISSION_LEADER)
    assert REQUESTS.scope(actor_of(city_leader)).filter(pk=approval.pk).exists()
    # … but does not decide a step of another commission.
    assert not requests_to_decide(actor_of(city_leader)).exists()


@pytest.mark.parametrize("model", [ApprovalRequest, ApprovalDecision, ApprovalChain, ApprovalStep])
def test_every_approvals_model_read_by_pages_has_a_policy(model):
    assert model in POLICIES
