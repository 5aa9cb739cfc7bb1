"""Racing outcomes of one hit on PostgreSQL, each in its own thread and connection: a dismissal and a
referral (or two referrals) of the same hit — exactly one wins, the other is told the hit is no longer
open, and at most one clue exists. The hit row's lock (SELECT … FOR UPDATE) serialises them. Two
screening runs of one commission at once both succeed and add each hit once (its rule rows' lock).
SQLite serialises every writer on its write lock, so the races cannot be run there."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.funds.test_races import race
from tests.intake.conftest import demo_actor
from xiezuoqu.clues.models import Clue, Source
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.errors import InvalidTransition
from xiezuoqu.screening import services
from xiezuoqu.screening.models import Hit, HitState

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections race only on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_dismissal_and_a_referral_of_one_hit_cannot_both_win(demo):
    load_demo_screening()
    hit = Hit.objects.filter(state=HitState.OPEN).order_by("id").first()
    assert hit is not None
    actor = demo_actor("anguan")
    before = Clue.objects.filter(source=Source.BIG_DATA).count()  # the demo already made one from a hit
    results, errors = race(
        lambda: services.dismiss_hit(actor=actor, hit_id=hit.pk, reason="经核实不属实"),
        lambda: services.refer_hit(actor=actor, hit_id=hit.pk),
    )
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], InvalidTransition)
    hit.refresh_from_db()
    clues = Clue.objects.filter(source=Source.BIG_DATA).count() - before
    assert (hit.state, clues) in ((HitState.DISMISSED, 0), (HitState.CLUE, 1))


def test_two_referrals_of_one_hit_make_one_clue(demo):
    load_demo_screening()
    hit = Hit.objects.filter(state=HitState.OPEN).order_by("-id").first()
    assert hit is not None
    actor = demo_actor("anguan")
    before = Clue.objects.filter(source=Source.BIG_DATA).count()
    results, errors = race(
        lambda: services.refer_hit(actor=actor, hit_id=hit.pk),
        lambda: services.refer_hit(actor=actor, hit_id=hit.pk),
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], InvalidTransition)
    assert Clue.objects.filter(source=Source.BIG_DATA).count() == before + 1


def test_two_screening_runs_at_once_add_each_hit_once(demo):
    """重新筛查 twice at once (or an import's run beside it): the lock on the commission's rule rows makes
    the second wait for the first and find its hits, so both succeed and each hit is added once."""
    load_demo_screening()
    open_hits = Hit.objects.filter(state=HitState.OPEN)
    expected = sorted(open_hits.values_list("rule__code", "fingerprint"))
    assert expected
    open_hits.delete()  # found again by the next run
    actor = demo_actor("anguan")
    results, errors = race(
        lambda: services.run_screening(actor=actor),
        lambda: services.run_screening(actor=actor),
    )
    assert not errors and len(results) == 2, (results, errors)
    assert sorted(sum(r.added.values()) for r in results) == [0, len(expected)]
    assert sorted(Hit.objects.filter(state=HitState.OPEN).values_list("rule__code", "fingerprint")) == expected
