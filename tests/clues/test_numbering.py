"""Clue numbers stay unique when two people open clues in one unit at the same moment.

Real threads, each with its own connection, released together by a barrier: the counter row is locked
(SELECT … FOR UPDATE on PostgreSQL; the write lock on SQLite), so every clue gets its own number, no gaps.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection

from tests.factories import make_commission, make_staff, make_unit, make_user
from tests.intake.conftest import actor_of
from xiezuoqu.accounts.roles import Role
from xiezuoqu.clues import services
from xiezuoqu.clues.models import Clue, ClueCounter
from xiezuoqu.org.models import Unit

THREADS = 4
ROUNDS = 3


@pytest.mark.django_db(transaction=True)
def test_two_people_opening_clues_at_once_never_get_the_same_number():
    commission = make_commission(short_name="并纪")
    township = make_unit(commission, Unit.Kind.TOWNSHIP_COMMITTEE, short_name="并山")
    actors = [
        actor_of(make_user(Role.TOWNSHIP_STAFF, unit=township, staff=make_staff(township))) for _ in range(THREADS)
    ]
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    for _ in range(ROUNDS):
        barrier = threading.Barrier(THREADS)

        def work(actor, barrier=barrier):
            try:
                barrier.wait(timeout=10)
                clue = services.open_clue(
                    actor=actor,
                    data=services.ClueInput(
                        handling_unit_id=township.pk,
                        source="inspection",
                        category="other",
                        summary="监督检查发现",
                        received_on=date(2026, 11, 2),
                    ),
                )
                with lock:
                    numbers.append(clue.ledger_number)
            except BaseException as exc:  # surfaced below
                with lock:
                    errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(actor,)) for actor in actors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    total = THREADS * ROUNDS
    assert len(set(numbers)) == total
    assert sorted(Clue.objects.values_list("ledger_seq", flat=True)) == list(range(1, total + 1))
    assert ClueCounter.objects.get(unit=township).last == total
    assert numbers[0].startswith("并纪并山线〔2026〕")


@pytest.mark.django_db
def test_the_database_refuses_a_second_clue_with_the_same_number(demo):
    from tests.clues.conftest import open_other

    clue = open_other()
    clue.pk = None
    with pytest.raises(IntegrityError):
        clue.save()
