"""Two recorders deciding the same agenda item at the same moment: exactly one wins; resolution
numbers stay unique and gapless when several items are decided at once.

Real threads, each with its own database connection, released together by a barrier (as
tests/intake does): on PostgreSQL the item row and the zone's resolution counter are locked (SELECT …
FOR UPDATE); on SQLite the IMMEDIATE transaction's write lock serialises the writers. The one-to-one
link from a resolution to its item is the backstop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from tests.filing.conftest import held_with, submitted
from tests.intake.conftest import demo_actor
from xiezuoqu.errors import DomainError
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import AgendaItem, Resolution
from xiezuoqu.meetings.selectors import tally


def _race(jobs: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = job()
            with lock:
                results.append(outcome)
        except BaseException as exc:  # collected: the test says which errors are the expected refusal
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def _decision(item: AgendaItem, outcome: str) -> services.DecisionInput:
    vote = "for" if outcome == "agree" else "against"
    ballots = {staff_id: vote for staff_id in tally(item).eligible_ids}
    return services.DecisionInput(text=f"表决结果：{outcome}", ballots=ballots, outcome=outcome)


@pytest.mark.django_db(transaction=True)
def test_two_recorders_deciding_the_same_item_exactly_one_wins(demo):
    proposal = submitted()
    item = held_with(proposal)
    agree, disagree = _decision(item, "agree"), _decision(item, "disagree")
    leader, deputy = demo_actor("zuzhang1"), demo_actor("fuzuzhang1")
    results, errors = _race(
        [
            lambda: services.decide_item(actor=leader, item_id=item.pk, data=agree),
            lambda: services.decide_item(actor=deputy, item_id=item.pk, data=disagree),
        ]
    )
    assert len(results) == 1, (results, errors)
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert "已表决" in errors[0].message
    winner = Resolution.objects.get(item=item)
    proposal = FilingProposal.objects.get(pk=proposal.pk)
    # The proposal moved with the winning decision, and only with it.
    assert proposal.state == ("zone_agreed" if winner.outcome == "agree" else "zone_disagreed")
    assert proposal.zone_resolution_id == winner.pk
    assert Resolution.objects.filter(zone=winner.zone).count() == 1


@pytest.mark.django_db(transaction=True)
def test_resolution_numbers_stay_unique_when_items_are_decided_at_once(demo):
    items = [held_with(submitted()) for _ in range(3)]
    leader = demo_actor("zuzhang1")
    jobs = [
        (lambda item=item: services.decide_item(actor=leader, item_id=item.pk, data=_decision(item, "agree")))
        for item in items
    ]
    _results, errors = _race(jobs)
    assert not errors, errors
    numbers = sorted(Resolution.objects.values_list("seq", flat=True))
    assert numbers == [1, 2, 3]
    assert len(set(Resolution.objects.values_list("number", flat=True))) == 3
