"""Ledger numbers stay unique when registrars of one unit register at the same moment.

Real threads, each with its own database connection, released together by a barrier: on PostgreSQL
the counter row is locked (SELECT … FOR UPDATE, and the first registration of a year races on the
counter's unique constraint); on SQLite (a file database in WAL mode) the IMMEDIATE transaction holds
the write lock. Either way every report gets its own number, with no gaps.
"""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import make_commission, make_staff, make_unit, make_user
from tests.intake.conftest import actor_of, report_input
from xiezuoqu.accounts.roles import Role
from xiezuoqu.intake import services
from xiezuoqu.intake.models import LedgerCounter, Report
from xiezuoqu.org.models import Unit

THREADS = 4
ROUNDS = 3


@pytest.mark.django_db(transaction=True)
def test_registrars_registering_at_once_in_one_unit_never_get_the_same_number():
    commission = make_commission(short_name="并纪")
    office = make_unit(commission, Unit.Kind.PETITION_OFFICE, short_name="信访")
    actors = [actor_of(make_user(Role.REGISTRAR, unit=office, staff=make_staff(office))) for _ in range(THREADS)]
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    for _ in range(ROUNDS):
        barrier = threading.Barrier(THREADS)

        def work(actor, barrier=barrier):
            try:
                barrier.wait(timeout=10)
                report = services.register_report(actor=actor, data=report_input(accused=[]))
                with lock:
                    numbers.append(report.ledger_number)
            except BaseException as exc:  # surfaced below: a lock error or a duplicate must fail the test
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
    assert len(numbers) == len(set(numbers)) == total
    assert sorted(Report.objects.values_list("ledger_seq", flat=True)) == list(range(1, total + 1))
    assert LedgerCounter.objects.get(unit=office).last == total


@pytest.mark.django_db
def test_the_database_refuses_a_second_report_with_the_same_unit_year_and_sequence(demo):
    from tests.intake.conftest import register

    report = register()
    twin = Report(
        commission_id=report.commission_id,
        ledger_unit_id=report.ledger_unit_id,
        ledger_year=report.ledger_year,
        ledger_seq=report.ledger_seq,
        ledger_number=report.ledger_number,
        channel=report.channel,
        received_on=report.received_on,
        state=report.state,
        summary="s",
        content="c",
        category=report.category,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.django_db
def test_a_registered_report_without_a_number_is_refused_by_the_database(demo):
    from tests.intake.conftest import unit_named

    office = unit_named("信访室")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            commission_id=office.commission_id,
            ledger_unit=office,
            channel="letter",
            received_on="2026-11-02",
            state="registered",
            summary="s",
            content="c",
            category="other",
        )
