"""Fixed-window counters in the database: exact under concurrency (several connections at once), reset
with the next window, keyed by digests, pruned after a day."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xiezuoqu.public import ratelimit
from xiezuoqu.public.models import RateLimitWindow

LIMIT = ratelimit.Limit("test", 3, timedelta(minutes=15), "测试")
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_fourth_hit_in_a_window_is_refused_and_the_next_window_starts_afresh():
    verdicts = [ratelimit.hit(LIMIT, "198.51.100.1", now=T0 + timedelta(minutes=i)) for i in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4]
    assert verdicts[-1].retry_after == 12 * 60  # 09:03 → the window closes at 09:15
    assert ratelimit.hit(LIMIT, "198.51.100.1", now=T0 + timedelta(minutes=15)).count == 1
    assert ratelimit.hit(LIMIT, "198.51.100.2", now=T0).count == 1  # another key, its own count


@pytest.mark.django_db
def test_enforce_raises_429_with_the_wait_in_minutes():
    for _ in range(3):
        ratelimit.enforce(LIMIT, "k", now=T0)
    with pytest.raises(ratelimit.RateLimited) as caught:
        ratelimit.enforce(LIMIT, "k", now=T0 + timedelta(seconds=30))
    assert caught.value.status == 429 and caught.value.retry_after == 14 * 60 + 30
    assert caught.value.message == "测试过于频繁，请在约 15 分钟后再试。"


@pytest.mark.django_db
def test_windows_older_than_a_day_are_pruned_when_a_new_window_opens_and_by_the_command():
    ratelimit.hit(LIMIT, "old", now=T0 - timedelta(days=3))
    ratelimit.hit(LIMIT, "old", now=T0 - timedelta(days=2))
    assert RateLimitWindow.objects.count() == 2
    ratelimit.hit(LIMIT, "new", now=T0)
    assert list(RateLimitWindow.objects.values_list("key_digest", flat=True)) == [ratelimit.key_digest("test", "new")]
    RateLimitWindow.objects.create(scope="x", key_digest="d", window_start=timezone.now() - timedelta(days=5), count=1)
    call_command("prune_rate_limits", stdout=io.StringIO())
    assert not RateLimitWindow.objects.filter(scope="x").exists()


def hammer(start: threading.Barrier, verdicts: list[ratelimit.Verdict], errors: list[BaseException]) -> None:
    try:
        start.wait(timeout=10)
        for _ in range(5):
            verdicts.append(ratelimit.hit(CONCURRENT, "203.0.113.77", now=T0))
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


CONCURRENT = ratelimit.Limit("concurrent", 20, timedelta(hours=1), "测试")


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_from_eight_connections_are_all_counted():
    """Eight threads (eight database connections) race to create the window and increment it: no hit is
    lost, and exactly the limit is allowed (PostgreSQL: unique constraint + savepoint; SQLite: the
    IMMEDIATE transaction's write lock)."""
    start = threading.Barrier(8)
    verdicts: list[ratelimit.Verdict] = []
    errors: list[BaseException] = []
    threads = [threading.Thread(target=hammer, args=(start, verdicts, errors)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    row = RateLimitWindow.objects.get(scope="concurrent")
    assert row.count == 40
    assert sorted(v.count for v in verdicts) == list(range(1, 41))
    assert sum(v.allowed for v in verdicts) == 20
