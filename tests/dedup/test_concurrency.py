"""Two transactions indexing the same document at once leave one consistent entry; two registrars
deciding the same pair at once leave one link.

Real threads with their own database connections. On PostgreSQL the unique index makes the second
INSERT wait for the first transaction and then do nothing (it replaces under the row lock); on
SQLite the IMMEDIATE transactions queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.dedup import minhash
from xiezuoqu.dedup.models import DuplicateLink, IndexedDocument, LshBucket, PersonKey
from xiezuoqu.dedup.services import decide_link, fingerprint, index_document

from .conftest import ORIGINAL, RESUBMITTED, staff_actor


def run_together(*jobs: Callable[[], object]) -> list[object]:
    start = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                results[i] = job()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_transactions_indexing_one_document_leave_one_entry(commission):
    def job() -> object:
        return index_document(
            kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"]
        )

    results = run_together(job, job)
    assert sorted(results) == [False, True]  # the second found the first one's entry
    document = IndexedDocument.objects.get()
    assert LshBucket.objects.filter(document=document).count() == minhash.BANDS
    assert PersonKey.objects.filter(document=document).count() == 1
    assert bytes(document.shingles) == fingerprint(ORIGINAL).packed_shingles()


@pytest.mark.django_db(transaction=True)
def test_two_registrars_deciding_one_pair_at_once_leave_one_link(commission):
    index_document(kind="report", object_id=1, commission_id=commission.pk, text=ORIGINAL, accused_names=["王德福"])
    index_document(kind="report", object_id=2, commission_id=commission.pk, text=RESUBMITTED, accused_names=["王德福"])
    first, second = staff_actor(commission, Role.REGISTRAR), staff_actor(commission, Role.REGISTRAR)

    def job(actor, decision) -> Callable[[], object]:  # type: ignore[no-untyped-def]
        return lambda: (
            decide_link(actor=actor, kind="report", object_id=2, other_kind="report", other_id=1, decision=decision).pk
        )

    run_together(job(first, "confirmed"), job(second, "rejected"))
    link = DuplicateLink.objects.get()
    assert link.decision in {"confirmed", "rejected"}
    assert link.decided_by_id == (first.user_id if link.decision == "confirmed" else second.user_id)
    # Both decisions are on record, the later one last.
    actions = list(
        AuditEvent.objects.filter(action__startswith="duplicate.").order_by("seq").values_list("action", flat=True)
    )
    assert sorted(actions) == ["duplicate.confirmed", "duplicate.rejected"]
    assert actions[-1] == f"duplicate.{link.decision}"
