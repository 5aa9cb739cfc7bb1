"""``xiezuoqu dedup_reindex`` rebuilds the duplicate index from the source texts after a key or
banding change: every registered report and every clue again, batch by batch, the position saved with
each batch so that an interrupted run resumes; lookups work under the new parameters afterwards."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dedup.conftest import ORIGINAL, RESUBMITTED, UNRELATED
from tests.intake.conftest import register
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.dedup import minhash, services
from xiezuoqu.dedup.models import IndexedDocument, LshBucket, PersonKey, ReindexRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(demo):
    services.fingerprint.cache_clear()
    made = [register(content=text) for text in (ORIGINAL, UNRELATED, RESUBMITTED, UNRELATED + "另附一条。")]
    yield made
    services.fingerprint.cache_clear()


def _rows() -> set[tuple[int, int, int]]:
    return set(LshBucket.objects.values_list("commission_id", "bucket_hash", "document_id"))


def _run(*args: str) -> str:
    out = StringIO()
    call_command("dedup_reindex", *args, stdout=out)
    return out.getvalue()


def _similar(report) -> list[int]:
    services.fingerprint.cache_clear()
    return [
        m.object_id
        for m in services.find_similar(
            text=f"{report.summary}\n{report.content}",
            accused_names=["王某某"],
            commission_ids=[report.commission_id],
            exclude=("report", report.pk),
        )
    ]


def test_with_the_same_parameters_the_index_comes_back_the_same(reports):
    before_rows = _rows()
    before_persons = set(PersonKey.objects.values_list("commission_id", "key", "document_id"))
    output = _run("--batch-size", "2")
    assert _rows() == before_rows
    assert set(PersonKey.objects.values_list("commission_id", "key", "document_id")) == before_persons
    run = ReindexRun.objects.get()
    assert run.finished_at is not None and run.indexed == IndexedDocument.objects.count()
    assert "完成" in output and "件/秒" in output
    assert AuditEvent.objects.filter(action="dedup.reindex_finished").exists()


def test_after_a_banding_change_every_document_gets_the_new_bands(reports, monkeypatch):
    monkeypatch.setattr(minhash, "BANDS", 20)
    _run()
    documents = IndexedDocument.objects.count()
    assert LshBucket.objects.count() <= documents * 20
    for document in IndexedDocument.objects.all():
        keys = set(LshBucket.objects.filter(document_id=document.pk).values_list("bucket_hash", flat=True))
        assert keys == set(minhash.Fingerprint.of_packed(bytes(document.shingles)).bucket_keys)
    original, _, resubmitted, _ = reports
    assert original.pk in _similar(resubmitted)


def test_after_a_key_change_the_stored_hashes_are_the_new_keys(reports, monkeypatch):
    old = {d.object_id: bytes(d.shingles) for d in IndexedDocument.objects.all()}
    monkeypatch.setattr(services, "_shingle_key", lambda: b"another-shingle-key-for-the-test!")
    _run()
    for document in IndexedDocument.objects.all():
        assert bytes(document.shingles) != old[document.object_id]
    original, _, resubmitted, _ = reports
    assert original.pk in _similar(resubmitted)


def test_an_interrupted_run_resumes_where_it_stopped(reports, monkeypatch):
    real = services.reindex_batch
    calls = {"n": 0}

    def failing(batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("断电")
        return real(batch)

    monkeypatch.setattr("xiezuoqu.dedup.management.commands.dedup_reindex.reindex_batch", failing)
    with pytest.raises(RuntimeError):
        _run("--kind", "report", "--batch-size", "2")
    run = ReindexRun.objects.get()
    assert run.finished_at is None and run.indexed == 2
    assert run.position["report"] == reports[1].pk
    with pytest.raises(CommandError, match="尚未完成"):
        _run("--kind", "clue")
    monkeypatch.setattr("xiezuoqu.dedup.management.commands.dedup_reindex.reindex_batch", real)
    output = _run("--kind", "report", "--batch-size", "2")
    run.refresh_from_db()
    assert "续跑" in output and run.finished_at is not None and run.indexed == len(reports)
    assert ReindexRun.objects.count() == 1
    original, _, resubmitted, _ = reports
    assert original.pk in _similar(resubmitted)


def test_restart_abandons_an_unfinished_run(reports):
    ReindexRun.objects.create(kinds=["report"], position={"report": reports[0].pk})
    output = _run("--restart", "--kind", "report")
    assert "已放弃" in output
    assert ReindexRun.objects.filter(finished_at__isnull=True).count() == 0
    assert ReindexRun.objects.order_by("-pk").first().indexed == len(reports)


def test_a_bad_batch_size_is_refused(reports):
    with pytest.raises(CommandError):
        _run("--batch-size", "0")
