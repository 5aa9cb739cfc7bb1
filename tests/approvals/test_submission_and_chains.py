"""Submitting a request to the commission's chain, and configuring those chains."""

from __future__ import annotations

import pytest

from tests.approvals.conftest import ZONE_THEN_COMMISSION, actor_of, configure, staff_user, submit
from tests.factories import make_unit
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import DEFAULT_CHAINS, MATTER_TYPES, StepSpec, UnitRule
from xiezuoqu.approvals.models import ApprovalChain, ApprovalRequest, ApprovalStep
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Unit

A = Decision.APPROVE


def test_the_matter_types_are_known_with_chinese_labels_and_each_has_a_default_chain():
    expected = {
        "clue.disposal",
        "verification.plan",
        "verification.report",
        "deadline.extension",
        "recusal.override",
        "reporter_identity.request",
        "case.sanction",
        "clearing",
    }
    assert expected <= set(MATTER_TYPES)
    assert all(MATTER_TYPES[slug].label for slug in MATTER_TYPES)
    assert expected <= set(DEFAULT_CHAINS) <= set(MATTER_TYPES)


def test_a_matter_type_without_a_chain_is_refused_with_a_message(world):
    """No chain configured for the commission → a message that says who can configure one."""
    with pytest.raises(RuleViolation, match="尚未配置“问题线索处置”的审批链") as caught:
        submit(world)
    assert "纪委书记或系统管理员" in caught.value.message
    assert not ApprovalRequest.objects.filter(commission=world.commission).exists()


def test_a_chain_of_another_commission_does_not_count(world):
    outsider_head = staff_user(make_unit(world.other_commission, Unit.Kind.LEADERSHIP), Role.COMMISSION_HEAD)
    services.configure_chain(
        actor=actor_of(outsider_head),
        matter_type="clue.disposal",
        name="外单位",
        mode=Mode.SEQUENTIAL,
        steps=ZONE_THEN_COMMISSION,
    )
    with pytest.raises(RuleViolation, match="尚未配置"):
        submit(world)


def test_unknown_matter_types_and_empty_requests_are_refused(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    with pytest.raises(ValidationFailed, match="未知的审批事项类型"):
        submit(world, "clue.unknown")
    with pytest.raises(ValidationFailed) as caught:
        submit(world, title=" ", reason="")
    assert set(caught.value.field_errors) == {"title", "reason"}


def test_administrators_and_supervisors_cannot_submit(world):
    configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    with pytest.raises(NotPermitted):
        submit(world, user=world.system_admin)


def test_the_chain_is_frozen_at_submission(world):
    """Reconfiguring the chain changes new requests only; a running request keeps its steps."""
    first = configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    running = submit(world)
    second = configure(
        world, "clue.disposal", Mode.PARALLEL, [StepSpec(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "书记审批")]
    )
    running.refresh_from_db()
    assert running.chain_id == first.pk and running.chain_version == 1 and running.mode == Mode.SEQUENTIAL
    assert [s["label"] for s in running.steps] == ["协作区组长审批", "分管委领导审批"]
    assert list(running.step_rows.values_list("role", flat=True)) == [Role.ZONE_LEADER, Role.COMMISSION_LEADER]
    # It is still decided by its own steps, to the end.
    services.decide(actor=actor_of(world.zone_leader1), approval_id=running.pk, decision=A)
    services.decide(actor=actor_of(world.leader_a), approval_id=running.pk, decision=A)
    running.refresh_from_db()
    assert running.state == State.APPROVED
    fresh = submit(world)
    assert fresh.chain_id == second.pk and fresh.mode == Mode.PARALLEL
    assert [s["label"] for s in fresh.steps] == ["书记审批"]


def test_the_zone_is_frozen_at_submission(world):
    """Moving the requester's township to another zone later does not move its running request."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension")
    assert approval.zone_id == world.zone1.pk
    assert approval.step_rows.get().zone_id == world.zone1.pk


def test_requester_zone_steps_need_a_zone(world):
    """An office that belongs to no zone cannot submit to a zone leader unless it names the zone."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    with pytest.raises(RuleViolation, match="不属于任何协作区"):
        submit(world, "deadline.extension", user=world.case_manager)
    approval = submit(world, "deadline.extension", user=world.case_manager, zone=world.zone2)
    assert approval.step_rows.get().zone_id == world.zone2.pk


def test_the_lead_office_submits_in_its_zone(world):
    """纪检监察室 is not a member unit, but it leads zone 1: its requests go to zone 1's leader."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension", user=world.office_staff1)
    assert approval.zone_id == world.zone1.pk


def test_a_request_on_behalf_of_a_unit_must_be_within_reach(world):
    """Zone office staff may submit for a township of their zone, not for one of another zone."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    approval = submit(world, "deadline.extension", user=world.office_staff1, unit=world.township2)
    assert approval.requester_unit_id == world.township2.pk
    with pytest.raises(RuleViolation, match="不在您的工作范围内"):
        submit(world, "deadline.extension", user=world.office_staff1, unit=world.township3)


def test_one_live_request_per_object_and_matter_type(world):
    """A second request about the same object waits until the first is decided or withdrawn."""
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    target = world.township1  # any model instance of the commission stands in for a clue here
    first = submit(world, "deadline.extension", target=target)
    assert first.target == target and first.target_label == str(target)
    with pytest.raises(RuleViolation, match="已有一件“审批中”"):
        submit(world, "deadline.extension", target=target)
    services.withdraw_request(actor=actor_of(world.requester), approval_id=first.pk)
    second = submit(world, "deadline.extension", target=target)
    assert second.pk != first.pk


def test_targets_of_another_commission_are_refused(world):
    configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION[:1])
    foreign = make_unit(world.other_commission)
    with pytest.raises(RuleViolation, match="本纪委监委"):
        submit(world, "deadline.extension", target=foreign)


# --- chain configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("head", True), ("system_admin", False), ("leader_a", False), ("requester", False), ("audit_admin", False)],
)
def test_only_the_commission_head_configures_chains(world, who, allowed):
    call = lambda: services.configure_chain(  # noqa: E731
        actor=actor_of(getattr(world, who)),
        matter_type="clue.disposal",
        name="线索处置审批",
        mode=Mode.SEQUENTIAL,
        steps=ZONE_THEN_COMMISSION,
    )
    if allowed:
        assert call().is_active
    else:
        with pytest.raises(NotPermitted, match="纪委书记或系统管理员"):
            call()


def test_configuring_creates_a_new_version_and_retires_the_old(world):
    v1 = configure(world, "clue.disposal", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    v2 = configure(world, "clue.disposal", Mode.PARALLEL, ZONE_THEN_COMMISSION, name="新版")
    v1.refresh_from_db()
    assert (v1.version, v1.is_active, v2.version, v2.is_active) == (1, False, 2, True)
    assert (
        ApprovalChain.objects.filter(commission=world.commission, matter_type="clue.disposal", is_active=True).get()
        == v2
    )
    assert list(v2.steps.values_list("order", "label")) == [(1, "协作区组长审批"), (2, "分管委领导审批")]
    assert v1.steps.count() == 2  # the old version's steps are kept for the record


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "至少需要一个审批环节"),
        ([StepSpec(Role.SYSTEM_ADMIN, UnitRule.COMMISSION)], "管理员和村级监督员不能审批"),
        ([StepSpec(Role.COMMISSION_LEADER, UnitRule.REQUESTER_ZONE)], "不在协作区任职"),
        ([StepSpec(Role.TRIAL_STAFF, UnitRule.FIXED_UNIT)], "请选择本纪委监委的指定单位"),
        ([StepSpec(Role.TRIAL_STAFF, "nowhere")], "请选择审批人所在"),
        ([StepSpec(Role.TRIAL_STAFF, UnitRule.COMMISSION, "长" * 41)], "不能超过 40 字"),
    ],
)
def test_invalid_chains_are_refused_with_the_step_named(world, steps, message):
    with pytest.raises(ValidationFailed) as caught:
        configure(world, "case.sanction", Mode.SEQUENTIAL, steps)
    assert any(message in m for m in caught.value.field_errors["steps"])
    assert not ApprovalChain.objects.filter(commission=world.commission).exists()


def test_a_fixed_unit_must_belong_to_the_commission(world):
    foreign = make_unit(world.other_commission, Unit.Kind.TRIAL_OFFICE)
    with pytest.raises(ValidationFailed):
        configure(
            world,
            "case.sanction",
            Mode.SEQUENTIAL,
            [StepSpec(Role.TRIAL_STAFF, UnitRule.FIXED_UNIT, fixed_unit_id=foreign.pk)],
        )


def test_default_chains_are_created_once(world):
    """ensure_default_chains is idempotent and leaves configured matter types alone."""
    custom = configure(world, "deadline.extension", Mode.SEQUENTIAL, ZONE_THEN_COMMISSION)
    created = services.ensure_default_chains(commission=world.commission)
    assert {c.matter_type for c in created} == set(DEFAULT_CHAINS) - {"deadline.extension"}
    assert services.ensure_default_chains(commission=world.commission) == []
    active = ApprovalChain.objects.filter(commission=world.commission, is_active=True)
    assert active.count() == len(DEFAULT_CHAINS)
    assert active.get(matter_type="deadline.extension") == custom
    disposal = active.get(matter_type="clue.disposal")
    assert disposal.mode == Mode.SEQUENTIAL
    assert list(disposal.steps.values_list("role", "unit_rule")) == [
        (Role.ZONE_LEADER, UnitRule.REQUESTER_ZONE),
        (Role.COMMISSION_LEADER, UnitRule.COMMISSION),
    ]
    sanction = active.get(matter_type="case.sanction")
    assert list(sanction.steps.values_list("role", flat=True)) == [Role.TRIAL_STAFF, Role.COMMISSION_HEAD]
    # Every default chain's steps, except the extension chain the world configured itself (2 steps).
    defaults = sum(len(spec.steps) for slug, spec in DEFAULT_CHAINS.items() if slug != "deadline.extension")
    assert ApprovalStep.objects.filter(chain__commission=world.commission).count() == defaults + 2


def test_default_chains_work_end_to_end(world):
    """With the defaults, a township's disposal goes zone leader → commission leader."""
    services.ensure_default_chains(commission=world.commission)
    approval = submit(world, "clue.disposal")
    services.decide(actor=actor_of(world.zone_leader1), approval_id=approval.pk, decision=A)
    services.decide(actor=actor_of(world.leader_b), approval_id=approval.pk, decision=A)
    approval.refresh_from_db()
    assert approval.state == State.APPROVED
    sanction = submit(world, "case.sanction")
    services.decide(actor=actor_of(world.trial), approval_id=sanction.pk, decision=A)
    services.decide(actor=actor_of(world.head), approval_id=sanction.pk, decision=A)
    sanction.refresh_from_db()
    assert sanction.state == State.APPROVED


def test_a_reporter_identity_chain_must_keep_the_commission_head(world):
    """举报人身份 is released only with the commission head's approval, whatever the configuration."""
    with pytest.raises(ValidationFailed) as refused:
        services.configure_chain(
            actor=actor_of(world.head),
            matter_type="reporter_identity.request",
            name="只经登记员",
            mode=Mode.SEQUENTIAL,
            steps=[StepSpec(Role.REGISTRAR, UnitRule.REQUESTER_UNIT, "登记员审批")],
        )
    assert any("须经" in message for message in refused.value.field_errors["steps"])
