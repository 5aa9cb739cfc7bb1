"""Backup and restore: the demo county, with its evidence files, backed up and restored into an empty
instance (a new SQLite file, or a fresh PostgreSQL database), where ``audit verify`` and
``evidence_verify`` both pass; a tampered archive, an archive made under other keys, a backup missing a
referenced file and a non-empty target are each refused with a message that says so.

The restored instance is a separate process with its own DATABASE_URL and MEDIA_ROOT, as an operator
would run it; the tests' settings give it the same keys.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from tests.pg import maintenance
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.services import load_demo
from xiezuoqu.verification.models import EvidenceItem

pytestmark = pytest.mark.django_db(transaction=True)


class EmptyInstance:
    """A database nobody has migrated and an empty file store, reached through environment variables."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "restored"
        self.media = self.root / "media"
        self.root.mkdir()
        self.pg_name = ""
        if connection.vendor == "postgresql":
            # Named after the configured database (h3 → h3_restore), not the test one pytest-django made.
            self.pg_name = f"{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_restore"
            maintenance(f'DROP DATABASE IF EXISTS "{self.pg_name}"', f'CREATE DATABASE "{self.pg_name}"')
            params = connection.settings_dict
            login = f"{params['USER']}:{params['PASSWORD'] or ''}"
            self.url = f"postgres://{login}@{params['HOST']}:{params['PORT']}/{self.pg_name}"
        else:
            self.url = f"sqlite:///{self.root / 'db.sqlite3'}"

    def drop(self) -> None:
        if self.pg_name:
            maintenance(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xiezuoqu.settings.test",
            "DATABASE_URL": self.url,
            "XIEZUOQU_MEDIA_ROOT": str(self.media),
            "XIEZUOQU_VAR_DIR": str(self.root / "var"),
        }
        return subprocess.run(
            [sys.executable, "-m", "xiezuoqu.cli", *args], env=env, capture_output=True, text=True, check=False
        )

    def is_empty(self) -> bool:
        tables = self.python("from django.db import connection; print(len(connection.introspection.table_names()))")
        stored = [path for path in self.media.rglob("*") if path.is_file()] if self.media.exists() else []
        return tables.stdout.split() == ["0"] and not stored

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run("shell", "--no-imports", "-c", code)


@pytest.fixture
def instance(tmp_path: Path) -> Any:
    target = EmptyInstance(tmp_path)
    yield target
    target.drop()


def _demo_with_evidence() -> int:
    load_demo()
    load_demo_reports(count=60)
    load_demo_casework()
    count = EvidenceItem.objects.count()
    assert count > 0
    return count


def test_the_demo_round_trips_into_an_empty_instance_where_audit_and_evidence_verify(tmp_path, instance):
    evidence = _demo_with_evidence()
    archive = tmp_path / "demo.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    events = AuditEvent.objects.count()  # the backup.created event is after the snapshot

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        raw = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())  # type: ignore[union-attr]
    assert manifest["database"]["vendor"] == connection.vendor
    applied = sorted([app, name] for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"))
    assert manifest["migrations"] == applied
    stored = set(EvidenceItem.objects.values_list("storage_name", flat=True))
    assert stored <= {entry["path"] for entry in manifest["files"]} and stored <= set(manifest["referenced_files"])
    media = Path(settings.MEDIA_ROOT)
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((media / entry["path"]).read_bytes()).hexdigest()
    assert manifest["app_version"] and manifest["created_at"] and manifest["missing_files"] == []
    for key in (settings.XIEZUOQU["AUDIT_KEY"], settings.XIEZUOQU["DATA_KEY"]):
        assert key.encode() not in raw, "a key is in the archive in clear"

    # A tampered archive: one byte of one evidence file changed → refused, nothing written.
    tampered = tmp_path / "tampered"
    with tarfile.open(archive) as tar:
        tar.extractall(tampered, filter="data")
    victim = tampered / "files" / sorted(stored)[0]
    blob = bytearray(victim.read_bytes())
    blob[40] ^= 0xFF
    victim.write_bytes(bytes(blob))
    refused = instance.run("restore", str(tampered))
    assert refused.returncode != 0
    assert f"文件 {sorted(stored)[0]} 的 SHA-256 与清单不符，已拒绝恢复" in refused.stderr
    # ... and with the manifest's hash edited to match, the manifest's signature no longer does.
    listing = json.loads((tampered / "manifest.json").read_text())
    for entry in listing["files"]:
        if entry["path"] == sorted(stored)[0]:
            entry["sha256"] = hashlib.sha256(bytes(blob)).hexdigest()
    (tampered / "manifest.json").write_text(json.dumps(listing))
    refused = instance.run("restore", str(tampered))
    assert refused.returncode != 0 and "备份清单的签名不符" in refused.stderr
    assert instance.is_empty()

    restored = instance.run("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "恢复" in restored.stdout
    verified = instance.run("evidence_verify", "--skip-checks")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"共校验 {evidence} 项证据，完好 {evidence} 项，校验失败 0 项" in verified.stdout
    chain = instance.run("audit", "--skip-checks", "verify")
    assert chain.returncode == 0, chain.stdout + chain.stderr
    assert "审计链完整" in chain.stdout
    # Everything before the snapshot, then the restore's own event and evidence_verify's custody checks.
    counted = instance.python(
        "from xiezuoqu.audit.models import AuditEvent as E; "
        "restored = E.objects.filter(action='backup.restored'); "
        "print(E.objects.count() - restored.count(), restored.count())",
    )
    assert counted.stdout.split() == [str(events - 1), "1"]

    again = instance.run("restore", str(archive))
    assert again.returncode != 0 and "目标数据库不是空的" in again.stderr


def test_a_backup_missing_a_referenced_file_says_so_and_is_refused_on_restore(tmp_path):
    _demo_with_evidence()
    item = EvidenceItem.objects.order_by("id").first()
    assert item is not None
    (Path(settings.MEDIA_ROOT) / item.storage_name).unlink()
    archive = tmp_path / "broken"
    with pytest.raises(CommandError, match="在文件库中缺失"):
        call_command("backup", str(archive), stdout=io.StringIO())
    assert json.loads((archive / "manifest.json").read_text())["missing_files"] == [item.storage_name]
    with pytest.raises(CommandError, match=f"备份时数据库引用的文件 {item.storage_name} 不在备份中"):
        call_command("restore", str(archive))


def test_restore_refuses_a_non_empty_target_and_other_keys_and_backup_refuses_unsafe_destinations(tmp_path):
    load_demo()
    archive = tmp_path / "demo.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(archive))
    other_keys = {**settings.XIEZUOQU, "AUDIT_KEY": "another-audit-key-0123456789abcdef"}
    with override_settings(XIEZUOQU=other_keys), pytest.raises(CommandError, match="数据加密主密钥与备份时不同"):
        call_command("restore", str(archive))
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(archive))
    with pytest.raises(CommandError, match="不能在文件库"):
        call_command("backup", str(Path(settings.MEDIA_ROOT) / "backup.tar"))
