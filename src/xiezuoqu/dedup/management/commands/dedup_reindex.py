"""``xiezuoqu dedup_reindex``: rebuild the duplicate index after a change of the shingle key or of
the LSH banding, in batches, resumable, printing progress.

    xiezuoqu dedup_reindex                 # start a rebuild, or resume the unfinished one
    xiezuoqu dedup_reindex --restart       # abandon an unfinished rebuild and start again
    xiezuoqu dedup_reindex --kind report --batch-size 2000

A new rebuild empties the bucket and person-key tables first (one transaction), then indexes every
document of each kind again from its source text, one transaction per batch; the position reached is
saved with each batch, so an interrupted run (Ctrl-C, a crash, a deploy) continues where it stopped.
Until the run finishes, duplicate lookups find only the documents already rebuilt (and those
registered meanwhile): run it in a quiet hour.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from xiezuoqu.audit.services import record_event
from xiezuoqu.dedup.models import ReindexRun
from xiezuoqu.dedup.services import clear_index_rows, reindex_batch
from xiezuoqu.dedup.sources import SOURCES


class Command(BaseCommand):
    help = "重建重复件索引（更换分片密钥或 LSH 分带参数后），分批进行，可中断续跑。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--kind", action="append", choices=sorted(SOURCES), help="只重建该类别（可重复；默认全部）")
        parser.add_argument("--batch-size", type=int, default=1000, help="每批文档数（默认 1000）")
        parser.add_argument("--restart", action="store_true", help="放弃未完成的重建，重新开始")

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size 必须为正整数。")
        kinds = options["kind"] or sorted(SOURCES)
        run = ReindexRun.objects.filter(finished_at__isnull=True).order_by("-pk").first()
        if run is not None and options["restart"]:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            self.stdout.write(f"已放弃未完成的重建 #{run.pk}。")
            run = None
        if run is not None and sorted(run.kinds) != sorted(kinds):
            raise CommandError(
                f"重建 #{run.pk} 尚未完成（类别：{'、'.join(run.kinds)}）。请用相同类别续跑，或加 --restart 重新开始。"
            )
        if run is None:
            with transaction.atomic():
                run = ReindexRun.objects.create(kinds=kinds, position={k: 0 for k in kinds})
                buckets, persons = clear_index_rows()
                record_event(
                    actor=None,
                    action="dedup.reindex_started",
                    target=run,
                    detail={"kinds": kinds, "buckets_cleared": buckets, "persons_cleared": persons},
                )
            self.stdout.write(f"开始重建 #{run.pk}：已清空 {buckets} 个桶记录、{persons} 个被反映人索引。")
        else:
            self.stdout.write(f"续跑重建 #{run.pk}：已重建 {run.indexed} 件。")
        for kind in kinds:
            self._rebuild(run, kind, size)
        with transaction.atomic():
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            record_event(actor=None, action="dedup.reindex_finished", target=run, detail={"indexed": run.indexed})
        self.stdout.write(self.style.SUCCESS(f"重建 #{run.pk} 完成：共 {run.indexed} 件。"))

    def _rebuild(self, run: ReindexRun, kind: str, size: int) -> None:
        source = SOURCES[kind]
        after = int(run.position.get(kind, 0))
        remaining = source.count_after(after)
        done = 0
        started = time.perf_counter()
        self.stdout.write(f"{source.label}：自编号 {after} 之后，待重建 {remaining} 件。")
        while True:
            batch = source.batch_after(after, size)
            if not batch:
                break
            with transaction.atomic():
                reindex_batch(batch)
                after = batch[-1].object_id
                run.position = {**run.position, kind: after}
                run.indexed += len(batch)
                run.save(update_fields=["position", "indexed"])
            done += len(batch)
            rate = done / max(time.perf_counter() - started, 1e-6)
            share = f"{done / remaining:.0%}" if remaining else "—"
            self.stdout.write(f"  {source.label} {done}/{remaining}（{share}），{rate:.0f} 件/秒，至编号 {after}")
