"""Two approvers deciding the same step at the same moment: exactly one wins, the other is refused."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection

from tests.approvals.conftest import actor_of, build_world, configure, submit
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals import services
from xiezuoqu.approvals.matters import StepSpec, UnitRule
from xiezuoqu.approvals.models import ApprovalDecision
from xiezuoqu.approvals.workflow import Decision, Mode, State
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition

ROUNDS = 3


def _decide(**kw: Any) -> None:
    """``services.decide``, waiting out SQLite's shared-cache table lock.

    The test database on SQLite is Django's in-memory database in shared-cache mode, where a second
    writer gets SQLITE_LOCKED at once instead of waiting (the busy timeout does not apply to it). A
    file database — what production uses — simply waits. So here the rolled-back attempt is retried,
    which is exactly that wait; the decision itself is made by the service's locking, not by us.
    """
    shared_cache = connection.vendor == "sqlite" and connection.is_in_memory_db()
    for _ in range(2000):
        try:
            services.decide(**kw)
            return
        except OperationalError as exc:
            if not (shared_cache and "locked" in str(exc)):
                raise
            time.sleep(0.005)
    raise AssertionError("SQLite lock never released")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decisions", [(Decision.APPROVE, Decision.APPROVE), (Decision.APPROVE, Decision.REJECT)])
def test_two_racing_decisions_on_one_step_cannot_both_win(decisions):
    """Both commission leaders may decide the step; the row lock lets one through, the other gets
    InvalidTransition — on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (SELECT … FOR UPDATE)."""
    world = build_world()
    configure(
        world,
        "deadline.extension",
        Mode.SEQUENTIAL,
        [
            StepSpec(Role.COMMISSION_LEADER, UnitRule.COMMISSION, "分管领导审批"),
            StepSpec(Role.COMMISSION_HEAD, UnitRule.COMMISSION, "书记审批"),
        ],
    )
    actors = [actor_of(world.leader_a), actor_of(world.leader_b)]
    lock = threading.Lock()
    for _ in range(ROUNDS):
        approval = submit(world, "deadline.extension")
        barrier = threading.Barrier(2)
        results: list[str] = []
        errors: list[BaseException] = []

        def race(actor, decision, approval_id=approval.pk, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                _decide(actor=actor, approval_id=approval_id, decision=decision, comment="理由", step_index=0, round=1)
                with lock:
                    results.append("won")
            except InvalidTransition:
                with lock:
                    results.append("refused")
            except BaseException as exc:  # surfaced below: a deadlock or lock error must fail the test
                with lock:
                    errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=race, args=(a, d)) for a, d in zip(actors, decisions, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(results) == ["refused", "won"]
        approval.refresh_from_db()
        step_decisions = ApprovalDecision.objects.filter(request=approval, round=1, step_index=0)
        assert step_decisions.count() == 1
        winner = step_decisions.get()
        expected = {Decision.APPROVE: State.PENDING, Decision.REJECT: State.REJECTED}[winner.decision]
        assert approval.state == expected
        assert approval.current_step == (1 if winner.decision == Decision.APPROVE else 0)
        # Exactly one decision event was recorded for the step.
        events = AuditEvent.objects.filter(
            target_id=str(approval.pk), action__in=["approval.step_approved", "approval.rejected"]
        )
        assert events.count() == 1
