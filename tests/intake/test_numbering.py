"""``next_in_sequence`` draws consecutive numbers per key with one statement once the counter
exists, creates the counter on first use, and refuses to run outside a transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tests.factories import make_commission, make_unit
from xiezuoqu.intake.models import LedgerCounter
from xiezuoqu.numbering import next_in_sequence

pytestmark = pytest.mark.django_db


def test_numbers_are_consecutive_per_unit_and_year():
    commission = make_commission()
    a, b = make_unit(commission), make_unit(commission)
    with transaction.atomic():
        drawn = [next_in_sequence(LedgerCounter, unit=a, year=2026) for _ in range(3)]
        drawn.append(next_in_sequence(LedgerCounter, unit=b, year=2026))
        drawn.append(next_in_sequence(LedgerCounter, unit=a, year=2027))
        drawn.append(next_in_sequence(LedgerCounter, unit_id=a.pk, year=2026))
    assert drawn == [1, 2, 3, 1, 1, 4]
    assert LedgerCounter.objects.get(unit=a, year=2026).last == 4


def test_a_known_counter_costs_one_statement():
    unit = make_unit(make_commission())
    with transaction.atomic():
        next_in_sequence(LedgerCounter, unit=unit, year=2026)
        with CaptureQueriesContext(connection) as ctx:
            assert next_in_sequence(LedgerCounter, unit=unit, year=2026) == 2
    assert len(ctx.captured_queries) == 1
    assert "RETURNING" in ctx.captured_queries[0]["sql"]


def test_a_rolled_back_number_is_drawn_again():
    unit = make_unit(make_commission())
    with transaction.atomic():
        next_in_sequence(LedgerCounter, unit=unit, year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_in_sequence(LedgerCounter, unit=unit, year=2026) == 2
        raise RuntimeError
    with transaction.atomic():
        assert next_in_sequence(LedgerCounter, unit=unit, year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_refused():
    unit = make_unit(make_commission())
    with pytest.raises(TransactionManagementError):
        next_in_sequence(LedgerCounter, unit=unit, year=2026)
