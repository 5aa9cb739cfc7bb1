"""A follow-up or a registered change racing an appeal on the same case: they take turns on the case row.

``cases.services.decide_appeal`` locks the case, then ``apply_appeal`` the running terms and the pending
change. The follow-up and the registration lock the case first too, then their own row, and check the
state after the locks — so the appeal either comes first (the follow-up is then refused: the term has
been ended by the appeal) or second (it then sees, and ends, the term the follow-up or the change
opened). Locking only their own row let an appeal hold the case while it waited on the term, so the
follow-up's new term (its foreign key checked at commit against the locked case) deadlocked with it.

On PostgreSQL real threads, each with its own connection: the first writer holds its transaction open
until the test has seen the appeal wait on a lock (pg_stat_activity), so the interleaving is fixed by
the database's own state, not by timing. SQLite serialises writers on its IMMEDIATE write lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.intake.conftest import demo_actor
from tests.sanctions.conftest import announced, appealed, day_after, decided_with, decision_of, term_of, terms_of
from xiezuoqu.cases import services as cases
from xiezuoqu.cases.models import Appeal, Case
from xiezuoqu.errors import InvalidTransition
from xiezuoqu.sanctions.models import ChangeState, Outcome, SanctionChange, SanctionFollowUp, TermState
from xiezuoqu.sanctions.services import ChangeInput, FollowUpInput, record_follow_up, register_change

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SELECT … FOR UPDATE) are PostgreSQL's"
)


def _restore(term_end: Any) -> FollowUpInput:
    return FollowUpInput(
        outcome=Outcome.RESTORED,
        decided_on=term_end,
        organisation="宝山镇党委",
        reference="宝党发〔2028〕3号",
    )


def _probation_ended() -> tuple[Case, Any]:
    """An announced case with a 2-year 留党察看; the caller travels past its end."""
    case = announced(decided_with("party_probation", body="township_party_committee", months=24))
    return case, term_of(case, "party_probation")


def _file(case: Case, kind: str = "review") -> Appeal:
    return cases.file_appeal(
        actor=demo_actor("shenli"), case_id=case.pk, kind=kind, received_on=timezone.localdate(), grounds="处分过重。"
    )


@pytest.mark.django_db
def test_a_follow_up_after_an_appeal_revoked_the_decision_is_refused(demo):
    case, term = _probation_ended()
    with time_machine.travel(day_after(term), tick=False):
        appealed(case, "revoked")
        with pytest.raises(InvalidTransition, match="因申诉撤销处理决定而终止"):
            record_follow_up(actor=demo_actor("xzshuji"), term_id=term.pk, data=_restore(day_after(term).date()))
    term.refresh_from_db()
    assert term.state == TermState.CANCELLED and not SanctionFollowUp.objects.filter(term=term).exists()
    assert terms_of(case) == [term]  # no 影响期 opened after the revoked decision


def _locked_tables(queries: CaptureQueriesContext) -> list[str]:
    """The tables locked by each SELECT … FOR UPDATE, in order."""
    out = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" in sql:
            out.append(sql.split("FOR UPDATE", 1)[1].strip())
    return out


@postgresql_only
@pytest.mark.django_db
def test_the_follow_up_and_the_registration_lock_the_case_before_their_own_row(demo):
    case, term = _probation_ended()
    with time_machine.travel(day_after(term), tick=False):
        with CaptureQueriesContext(connection) as queries:
            record_follow_up(actor=demo_actor("xzshuji"), term_id=term.pk, data=_restore(day_after(term).date()))
        assert _locked_tables(queries)[:2] == ['OF "cases_case"', 'OF "sanctions_sanctionterm"']

    case = announced(decided_with("party_serious_warning"))
    change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    data = ChangeInput(codes=["party_warning"], start=decision_of(case).decided_on, reference="凤纪复〔2026〕1号")
    with CaptureQueriesContext(connection) as queries:
        register_change(actor=demo_actor("shenli"), change_id=change.pk, data=data)
    assert _locked_tables(queries)[:2] == ['OF "cases_case"', 'OF "sanctions_sanctionchange"']


# --- real threads on PostgreSQL -------------------------------------------------------------------------


class _Race:
    """``first`` runs in a transaction it holds open; ``second`` starts once ``first`` has done its work;
    ``first`` commits once ``second`` waits on a row lock (or has finished without waiting)."""

    def __init__(self, first: Callable[[], object], second: Callable[[], object]) -> None:
        self.first, self.second = first, second
        self.errors: list[BaseException] = []
        self.results: dict[str, object] = {}
        self.first_done, self.release = threading.Event(), threading.Event()
        self.second_pid: int | None = None
        self.second_pid_known, self.second_done = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def _first(self) -> None:
        try:
            with transaction.atomic():
                self.results["first"] = self.first()
                self.first_done.set()
                assert self.release.wait(timeout=60), "the test never released the first writer"
        except BaseException as exc:  # collected: the test says none is expected
            with self.lock:
                self.errors.append(exc)
        finally:
            self.first_done.set()
            connection.close()

    def _second(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.second_pid = cursor.fetchone()[0]
            self.second_pid_known.set()
            self.results["second"] = self.second()
        except BaseException as exc:
            with self.lock:
                self.errors.append(exc)
        finally:
            self.second_pid_known.set()
            self.second_done.set()
            connection.close()

    def _second_waits_on_a_lock(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.second_pid])
            row = cursor.fetchone()
        return row is not None and row[0] == "Lock"

    def run(self) -> None:
        first = threading.Thread(target=self._first)
        first.start()
        assert self.first_done.wait(timeout=60)
        second = threading.Thread(target=self._second)
        second.start()
        try:
            assert self.second_pid_known.wait(timeout=60)
            # Wait for the database to say the second writer is blocked; a bounded poll on a state, so a
            # slow machine only waits longer.
            deadline = time.monotonic() + 60
            while not self.second_done.is_set() and not self._second_waits_on_a_lock():
                assert time.monotonic() < deadline, "the second writer neither waited on a lock nor finished"
                time.sleep(0.02)
        finally:
            self.release.set()
            first.join(timeout=120)
            second.join(timeout=120)
        assert not first.is_alive() and not second.is_alive()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_appeal_waiting_on_a_follow_up_ends_the_term_the_follow_up_opened(demo):
    case, term = _probation_ended()
    with time_machine.travel(day_after(term), tick=False):
        appeal = _file(case)
        handler, trial = demo_actor("xzshuji"), demo_actor("shenli")
        race = _Race(
            lambda: record_follow_up(actor=handler, term_id=term.pk, data=_restore(day_after(term).date())),
            lambda: cases.decide_appeal(
                actor=trial,
                appeal_id=appeal.pk,
                result="revoked",
                result_text="经复审，撤销处理决定。",
                decided_on=timezone.localdate(),
            ),
        )
        race.run()
    assert not race.errors, race.errors
    term.refresh_from_db()
    [following] = [t for t in terms_of(case) if t.previous_id == term.pk]
    # The follow-up came first and stands; the appeal, second, ended the 影响期 it opened.
    assert term.state == TermState.ENDED and SanctionFollowUp.objects.filter(term=term).exists()
    assert (following.state, following.ended_by_appeal_id) == (TermState.CANCELLED, appeal.pk)
    assert not any(t.state == TermState.RUNNING for t in terms_of(case))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_recheck_waiting_on_a_registration_ends_the_terms_of_the_changed_sanction(demo):
    case = announced(decided_with("party_serious_warning"))
    change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    recheck = _file(case, kind="recheck")
    trial = demo_actor("shenli")
    data = ChangeInput(codes=["party_warning"], start=decision_of(case).decided_on, reference="凤纪复〔2026〕1号")
    race = _Race(
        lambda: register_change(actor=trial, change_id=change.pk, data=data),
        lambda: cases.decide_appeal(
            actor=trial,
            appeal_id=recheck.pk,
            result="revoked",
            result_text="经复核，撤销处理决定。",
            decided_on=timezone.localdate(),
        ),
    )
    race.run()
    assert not race.errors, race.errors
    change.refresh_from_db()
    assert change.state == ChangeState.REGISTERED
    replacement = term_of(case, "party_warning")
    assert replacement.change_id == change.pk
    assert (replacement.state, replacement.ended_by_appeal_id) == (TermState.CANCELLED, recheck.pk)
    assert not any(t.state == TermState.RUNNING for t in terms_of(case))
