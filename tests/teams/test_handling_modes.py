"""Asking for a handling mode (自办 / 交叉 / 联合 / 提级) on the seed's five grounds; the zone leader decides."""

from __future__ import annotations

import pytest

from tests.teams.conftest import demo_actor, verifying_clue
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.teams import services
from xiezuoqu.teams.models import HandlingMode, JointGround, RequestState, TeamState

pytestmark = pytest.mark.django_db


def test_a_township_asks_for_joint_handling_and_the_leader_grants(demo) -> None:
    clue = verifying_clue()
    row = services.request_handling_mode(
        actor=demo_actor("xzshuji"),
        clue_id=clue.pk,
        mode=HandlingMode.JOINT,
        grounds=[JointGround.RECUSAL, JointGround.PRESSURE],
        reason="被反映人系镇党委委员亲属，自办压力大",
    )
    assert row.state == RequestState.PENDING and row.requesting_unit_id == clue.handling_unit_id
    with pytest.raises(NotPermitted):
        services.decide_handling_request(actor=demo_actor("fuzuzhang1"), request_id=row.pk, grant=True)
    services.decide_handling_request(actor=demo_actor("zuzhang1"), request_id=row.pk, grant=True, note="同意联合办理")
    row.refresh_from_db()
    assert row.state == RequestState.GRANTED and row.decided_mode == HandlingMode.JOINT
    assert AuditEvent.objects.filter(action="handling_request.granted", target_id=str(row.pk)).exists()
    # Once granted, the office may propose a joint team.
    team = services.propose_team(actor=demo_actor("jianchashi1"), clue_id=clue.pk, mode=HandlingMode.JOINT, size=4)
    assert team.state == TeamState.PROPOSED and team.mode == HandlingMode.JOINT


def test_joint_handling_needs_one_of_the_five_grounds(demo) -> None:
    clue = verifying_clue()
    with pytest.raises(ValidationFailed) as info:
        services.request_handling_mode(
            actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.JOINT, grounds=[], reason="请求联合"
        )
    assert "grounds" in info.value.field_errors
    with pytest.raises(ValidationFailed):
        services.request_handling_mode(
            actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.JOINT, grounds=["bogus"], reason="x"
        )


def test_one_pending_request_at_a_time_and_refusal_needs_a_note(demo) -> None:
    clue = verifying_clue()
    row = services.request_handling_mode(
        actor=demo_actor("jianchashi1"),
        clue_id=clue.pk,
        mode=HandlingMode.ELEVATED,
        grounds=[JointGround.SERIOUS],
        reason="涉及金额巨大",
    )
    with pytest.raises(RuleViolation, match="待组长决定"):
        services.request_handling_mode(
            actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.JOINT, grounds=["complex"], reason="复杂"
        )
    with pytest.raises(ValidationFailed):
        services.decide_handling_request(actor=demo_actor("zuzhang1"), request_id=row.pk, grant=False)
    services.decide_handling_request(
        actor=demo_actor("zuzhang1"), request_id=row.pk, grant=False, note="由乡镇交叉办理"
    )
    row.refresh_from_db()
    assert row.state == RequestState.REFUSED
    with pytest.raises(InvalidTransition):
        services.decide_handling_request(actor=demo_actor("zuzhang1"), request_id=row.pk, grant=True)


def test_others_cannot_ask(demo) -> None:
    clue = verifying_clue()
    with pytest.raises(NotPermitted):
        services.request_handling_mode(
            actor=demo_actor("fenguan"), clue_id=clue.pk, mode=HandlingMode.JOINT, grounds=["serious"], reason="x"
        )


def test_the_requester_may_withdraw(demo) -> None:
    clue = verifying_clue()
    row = services.request_handling_mode(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, mode=HandlingMode.SELF, grounds=[], reason="情况简单，本镇自办"
    )
    with pytest.raises(NotPermitted):
        services.withdraw_handling_request(actor=demo_actor("zuzhang1"), request_id=row.pk)
    services.withdraw_handling_request(actor=demo_actor("xzshuji"), request_id=row.pk)
    row.refresh_from_db()
    assert row.state == RequestState.WITHDRAWN
