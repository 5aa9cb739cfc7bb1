"""The demo clock: the demo loaders run every service call at the time of its story.

The services take the time from one place, ``django.utils.timezone.now`` (``timezone.localdate()``,
``auto_now`` fields and the audit log's ``occurred_at`` read it too). ``story_clock()`` points that one
function at a ``StoryClock`` for the length of a load, so a report received in March is registered,
accepted and its deadlines computed *in March*, through the unchanged services and the workdays
calendar; when the block ends, the real clock is back. The seam is used by the demo loaders only, and
only in the loading process (``xiezuoqu load_demo``, the test session's load).

``Timeline`` runs stories in date order: a story is a generator that yields the moment its next step
happens (a ``datetime``; never before the previous one, never after the real now) and does the step's
service calls when it is resumed. Steps of all stories run in the order of their moments, so the audit
chain (insertion order) reads as the county's year did.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import TypeVar

from django.utils import timezone

from xiezuoqu.workdays.selectors import work_calendar

Story = Generator[datetime, None, None]
T = TypeVar("T")

# Each reading of the story clock moves it on by this much, so the rows a step writes keep their order.
TICK = timedelta(milliseconds=1)


class StoryClock:
    """The time the services read while a demo story runs; unset, the real time."""

    def __init__(self, real: Callable[[], datetime]) -> None:
        self.real = real
        self._at: datetime | None = None

    def set(self, when: datetime) -> None:
        """The story's moment (at most the real now: the demo never writes the future)."""
        self._at = min(when, self.real())

    def now(self) -> datetime:
        if self._at is None:
            return self.real()
        at = self._at
        self._at = min(at + TICK, self.real())
        return at

    @property
    def at(self) -> datetime | None:
        return self._at

    @property
    def today(self) -> date:
        return timezone.localtime(self.now()).date()


_active: StoryClock | None = None


@contextmanager
def story_clock() -> Iterator[StoryClock]:
    """Point ``timezone.now`` at a story clock for the block (nested blocks share the outer clock)."""
    global _active
    if _active is not None:
        yield _active
        return
    real = timezone.now
    clock = StoryClock(real)
    timezone.now = clock.now
    _active = clock
    try:
        yield clock
    finally:
        timezone.now = real
        _active = None


def moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at the local office time ``hour:minute`` (aware)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def ago_within(day: date, ago: timedelta) -> datetime:
    """``ago`` before the story's now, but not before ``day`` began: a case's measure may not start before
    its filing day, and when the story's moment is held at the real now (a load run after midnight), a
    measure "two hours ago" would otherwise fall on the day before a filing made minutes ago."""
    return max(timezone.now() - ago, moment(day, 0))


def workday_on_or_after(day: date) -> date:
    """``day``, or the next working day of the official calendar when it is a rest day."""
    return work_calendar().roll_forward(day).date


def workdays_after(day: date, n: int) -> date:
    """``n`` working days after ``day`` (the day itself not counted), on the official calendar."""
    return work_calendar().add_working_days(day, max(n, 1)).date


class Timeline:
    """Stories run step by step in the order of their moments (ties: the order they were added)."""

    def __init__(self, clock: StoryClock) -> None:
        self.clock = clock
        self._queue: list[tuple[datetime, int, Story]] = []
        self._order = count()

    def add(self, story: Story) -> None:
        """Start a story: it runs up to its first yield now (it should yield its first moment at once)."""
        self._push(story)

    def _push(self, story: Story) -> None:
        try:
            when = next(story)
        except StopIteration:
            return
        if self.clock.at is not None:
            when = max(when, self.clock.at)  # a story never steps back in time
        heapq.heappush(self._queue, (when, next(self._order), story))

    def run(self) -> None:
        while self._queue:
            when, _, story = heapq.heappop(self._queue)
            self.clock.set(when)
            self._push(story)


def together(stories: list[Generator[datetime, None, T]]) -> Generator[datetime, None, list[T | None]]:
    """Run a few stories in step (each step waits for the latest of them): a batch of clues goes through
    its phases together. Returns what each story returned."""
    results: list[T | None] = [None] * len(stories)
    pending: dict[int, tuple[Generator[datetime, None, T], datetime]] = {}
    for i, story in enumerate(stories):
        try:
            pending[i] = (story, next(story))
        except StopIteration as stop:
            results[i] = stop.value
    while pending:
        yield max(when for _, when in pending.values())
        for i, (story, _) in list(pending.items()):
            try:
                pending[i] = (story, next(story))
            except StopIteration as stop:
                results[i] = stop.value
                del pending[i]
    return results
