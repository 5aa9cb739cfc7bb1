"""The report's state table (DESIGN §4) allows exactly the listed moves, and the services obey it."""

from __future__ import annotations

import itertools

import pytest

from tests.intake.conftest import demo_actor, register
from xiezuoqu.errors import InvalidTransition
from xiezuoqu.intake import services
from xiezuoqu.intake.models import NotAcceptGround
from xiezuoqu.intake.workflow import TRANSITIONS, WHO, Action, State, allowed_actions, mermaid, next_state

S, A = State, Action

EXPECTED: dict[tuple[str | None, str], str] = {
    (None, A.RECEIVE): S.RECEIVED,
    (None, A.REGISTER): S.REGISTERED,
    (S.RECEIVED, A.REGISTER): S.REGISTERED,
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.REGISTERED, A.FORWARD_UP): S.FORWARDED_UP,
    (S.REGISTERED, A.FORWARD_DOWN): S.FORWARDED_DOWN,
    (S.REGISTERED, A.FORWARD_LOWER): S.FORWARDED_LOWER,
    (S.REGISTERED, A.TRANSFER): S.TRANSFERRED,
    (S.REGISTERED, A.MARK_REPEAT): S.REPEAT,
    (S.FORWARDED_DOWN, A.ACCEPT): S.ACCEPTED,
    (S.FORWARDED_DOWN, A.FORWARD_DOWN): S.FORWARDED_DOWN,
    (S.FORWARDED_DOWN, A.FORWARD_UP): S.FORWARDED_UP,
    (S.FORWARDED_DOWN, A.FORWARD_LOWER): S.FORWARDED_LOWER,
    (S.FORWARDED_DOWN, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.FORWARDED_DOWN, A.TRANSFER): S.TRANSFERRED,
    (S.FORWARDED_DOWN, A.MARK_REPEAT): S.REPEAT,
    (S.ACCEPTED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.GIVE_FEEDBACK): S.FEEDBACK_GIVEN,
    (S.CONCLUDED, A.ARCHIVE): S.ARCHIVED,
    (S.FEEDBACK_GIVEN, A.ARCHIVE): S.ARCHIVED,
    (S.NOT_ACCEPTED, A.ARCHIVE): S.ARCHIVED,
    (S.FORWARDED_UP, A.ARCHIVE): S.ARCHIVED,
    (S.FORWARDED_LOWER, A.ARCHIVE): S.ARCHIVED,
    (S.TRANSFERRED, A.ARCHIVE): S.ARCHIVED,
    (S.REPEAT, A.ARCHIVE): S.ARCHIVED,
}

ALL_PAIRS = list(itertools.product([None, *State.values], Action.values))


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_state_and_action_pair_is_either_allowed_with_its_target_or_refused_naming_the_state(state, action):
    if (state, action) in EXPECTED:
        assert next_state(state, action) == EXPECTED[(state, action)]
    else:
        with pytest.raises(InvalidTransition) as caught:
            next_state(state, action)
        if state is not None:
            assert dict(State.choices)[state] in caught.value.message


def test_the_table_is_exactly_the_design_and_every_action_says_who():
    assert TRANSITIONS == EXPECTED
    assert set(WHO) == set(Action.values)


def test_every_state_is_reachable_and_archived_is_the_only_end():
    reached = {after for after in TRANSITIONS.values()}
    assert reached == set(State.values)
    assert allowed_actions(State.ARCHIVED) == []
    for state in State.values:
        if state != State.ARCHIVED:
            assert allowed_actions(state), state


def test_the_diagram_is_generated_from_the_table():
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2")
    assert diagram.count("-->") == len(TRANSITIONS) + 1


@pytest.mark.django_db
def test_services_refuse_a_move_the_table_does_not_allow(demo):
    """A not-accepted report cannot then be accepted or assigned; the refusal names its state."""
    report = register()
    petition = demo_actor("xinfang")
    services.not_accept_report(
        actor=petition, report_id=report.pk, ground=NotAcceptGround.NO_SUBSTANCE, reason="仅有名目，无具体事实。"
    )
    with pytest.raises(InvalidTransition, match="不予受理"):
        services.accept_report(actor=petition, report_id=report.pk)
    with pytest.raises(InvalidTransition):
        services.assign_report(actor=petition, report_id=report.pk, unit_id=report.ledger_unit_id)
    with pytest.raises(InvalidTransition):
        services.conclude_report(actor=petition, report_id=report.pk, result="x")
