"""Stored files that no row references any more: listed, and removed on request.

Every writer stores its (content-addressed) file *before* the row that references it commits; when the
transaction then fails — the disk fills on the third attachment of a report, the database goes away at
the commit — the files already written stay behind with nothing pointing at them. They are sealed
(SM4-GCM) and unreadable without the data key, but they are a whistleblower's files the database says
were never received: an administrator removes them with

    xiezuoqu sweep_files                 # lists them, changes nothing
    xiezuoqu sweep_files --delete        # removes them, on the audit chain

A file is an orphan only when no ``storage_name`` column or FileField (``stored_file_columns``) names
it *and* it has not been written or reused for ``older_than`` (24 hours by default): a transaction still
running has just written its file, and one that reuses an existing blob touches it
(``xiezuoqu.public.files.touch_stored``), so neither can lose its file to a sweep. Key files are never
candidates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from xiezuoqu.audit.services import record_event
from xiezuoqu.backup.services import _key_files, stored_file_columns

DEFAULT_OLDER_THAN = timedelta(hours=24)


@dataclass
class SweepSummary:
    orphans: list[str] = field(default_factory=list)
    bytes: int = 0
    deleted: bool = False
    kept_recent: int = 0  # unreferenced, but too recent to be an orphan


def referenced_names() -> set[str]:
    names: set[str] = set()
    with connection.cursor() as cursor:
        for table, column in stored_file_columns():
            cursor.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')  # names from the models, not input
            names.update(str(value) for (value,) in cursor.fetchall() if value)
    return names


MIN_OLDER_THAN = timedelta(hours=1)


def sweep_unreferenced_files(*, older_than: timedelta = DEFAULT_OLDER_THAN, delete: bool = False) -> SweepSummary:
    if older_than < MIN_OLDER_THAN:
        raise ValueError("older_than must leave running transactions their files (at least one hour)")
    media_root = Path(settings.MEDIA_ROOT)
    summary = SweepSummary(deleted=delete)
    if not media_root.exists():
        return summary
    cutoff = time.time() - older_than.total_seconds()
    keys = _key_files()
    referenced = referenced_names()
    candidates: list[Path] = []
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.resolve() in keys:
            continue
        if path.relative_to(media_root).as_posix() in referenced:
            continue
        if path.stat().st_mtime >= cutoff:
            summary.kept_recent += 1
            continue
        candidates.append(path)
    summary.orphans = [path.relative_to(media_root).as_posix() for path in candidates]
    summary.bytes = sum(path.stat().st_size for path in candidates)
    if delete and candidates:
        with transaction.atomic():
            record_event(
                actor=None,
                action="files.swept",
                target_type="backup.filestore",
                target_label="文件库",
                detail={"count": len(candidates), "bytes": summary.bytes, "files": summary.orphans[:200]},
            )
        # Between the listing and now a transaction may have reused a blob (touch_stored) or committed a
        # row naming it: each file is looked at again just before it goes.
        still_referenced = referenced_names()
        for path in candidates:
            name = path.relative_to(media_root).as_posix()
            try:
                if name in still_referenced or path.stat().st_mtime >= cutoff:
                    continue
            except FileNotFoundError:
                continue
            path.unlink(missing_ok=True)
    return summary
