"""Back up and restore a whole instance: the database and the encrypted file store, with one manifest.

    create_backup(destination=Path("/srv/backup/xzq-2026-12-07"))        # a directory
    create_backup(destination=Path("/srv/backup/xzq-2026-12-07.tar"))    # or one .tar file
    restore_backup(source=Path("/srv/backup/xzq-2026-12-07.tar"))         # into an empty instance

An archive holds ``manifest.json``, the database (``database.sqlite3`` from SQLite's online backup API,
or ``database.pgdump``, ``pg_dump``'s custom format) and ``files/`` (MEDIA_ROOT as stored: evidence,
attachments and archive packages, still sealed with SM4-GCM). The manifest names the creation time,
the database vendor, the applied migrations, every file with its size and SHA-256, the files the
database rows reference, and the application version; it carries an HMAC keyed by the instance's
audit key and a key derived from its data key, so an altered archive — or a restore onto an instance
whose keys differ, where nothing restored could be read or verified — is refused before anything is
written. The keys themselves are never in the archive: they are kept and backed up separately.

Consistency. The database is snapshotted first, the files copied afterwards. Every writer stores its
(content-addressed, never rewritten) file *before* the row that references it commits, so each row in
the snapshot refers to a file already on disk when the copy starts; a file written after the snapshot
is at worst an unreferenced extra. The references are read from the snapshot itself (the backup file
on SQLite, the exported snapshot that ``pg_dump`` also reads on PostgreSQL) and checked against the
copied files, and the restore checks again that every file a restored row references is present.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.db.migrations.loader import MigrationLoader

from xiezuoqu.audit.chain import audit_key
from xiezuoqu.audit.services import record_event
from xiezuoqu.crypto import keyring
from xiezuoqu.errors import DomainError

FORMAT = "xiezuoqu-backup/1"
MANIFEST = "manifest.json"
FILES_DIR = "files"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024


class BackupRefused(DomainError):
    """The backup or restore cannot go ahead; the message says why and what to do."""

    code = "backup_refused"
    title = "备份或恢复无法进行"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    files: int
    bytes: int
    referenced: int
    missing: list[str]


@dataclass(frozen=True)
class RestoreSummary:
    vendor: str
    files: int
    referenced: int
    migrations: int
    pending_migrations: int
    created_at: str


# --- shared ---------------------------------------------------------------------------------------


def stored_file_columns() -> list[tuple[str, str]]:
    """(table, column) of every stored-file reference: ``storage_name`` columns and FileFields."""
    columns = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) or field.name == "storage_name":
                columns.append((model._meta.db_table, field.column))
    return sorted(columns)


def _snapshot_facts(cursor: Any) -> tuple[list[list[str]], list[str]]:
    """Applied migrations and referenced file names, read through ``cursor`` (a DB-API cursor)."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [[str(app), str(name)] for app, name in cursor.fetchall()]
    referenced: set[str] = set()
    for table, column in stored_file_columns():
        cursor.execute(f'SELECT DISTINCT "{column}" FROM "{table}"')  # names from the models, not input
        referenced.update(str(value) for (value,) in cursor.fetchall() if value)
    return migrations, sorted(referenced)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _manifest_key() -> bytes:
    """Both keys the restored instance needs: the audit chain's and (derived from) the data key."""
    return hmac.new(audit_key(), b"xiezuoqu.backup|" + keyring().key_for("backup.manifest"), "sha256").digest()


def _manifest_mac(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(_manifest_key(), canonical, "sha256").hexdigest()


def _app_version() -> str:
    try:
        return version("xiezuoqu")
    except PackageNotFoundError:
        return "unknown"


def _vendor(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupRefused(f"不支持的数据库类型 {vendor}：只支持 SQLite 和 PostgreSQL。")
    return vendor


def _pg_command(program: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The client program's connection arguments and environment (the password never on the command line)."""
    path = shutil.which(program)
    if path is None:
        raise BackupRefused(
            f"找不到 PostgreSQL 客户端程序 {program}：请安装与服务器同一主版本的客户端工具"
            "（Debian/Ubuntu：apt install postgresql-client）。"
        )
    args = [path, "--dbname", str(settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "20"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupRefused(
            f"{what}失败（{Path(args[0]).name} 退出码 {result.returncode}）：{result.stderr.strip()[-800:]}"
        )


def _key_files() -> set[Path]:
    conf = settings.XIEZUOQU
    return {Path(conf[name]).resolve() for name in ("AUDIT_KEY_FILE", "DATA_KEY_FILE") if conf.get(name)}


# --- backup ---------------------------------------------------------------------------------------


def create_backup(*, destination: Path) -> BackupSummary:
    """Snapshot the database, then copy the file store, into ``destination`` (a new directory, or a
    ``.tar`` file); the manifest is written last, so a half-written archive has none."""
    connection = connections["default"]
    if connection.in_atomic_block:
        raise BackupRefused("备份须在事务之外进行（它自己取得一致的数据库快照）。")
    vendor = _vendor()
    as_tar = destination.suffix == ".tar"
    if destination.exists() and (as_tar or any(destination.iterdir())):
        raise BackupRefused(f"备份目标 {destination} 已存在：请指定一个新的目录或 .tar 文件名，不覆盖已有备份。")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if destination.resolve().is_relative_to(media_root):
        raise BackupRefused(f"备份目标不能在文件库 {media_root} 之内：请放在另一块磁盘或另一个目录。")
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        database_file = work / DATABASE_FILES[vendor]
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        if vendor == "sqlite":
            migrations, referenced = _snapshot_sqlite(connection.settings_dict, database_file)
            server_version = sqlite3.sqlite_version
        else:
            migrations, referenced, server_version = _snapshot_postgresql(connection, database_file)
        files = _copy_file_store(media_root, work / FILES_DIR)
        present = {entry["path"] for entry in files}
        missing = [name for name in referenced if name not in present]
        body: dict[str, Any] = {
            "format": FORMAT,
            "created_at": created_at,
            "app_version": _app_version(),
            "database": {
                "vendor": vendor,
                "server_version": server_version,
                "file": database_file.name,
                "size": database_file.stat().st_size,
                "sha256": _sha256_file(database_file),
            },
            "migrations": migrations,
            "files": files,
            "referenced_files": referenced,
            "missing_files": missing,
            "keys": "不在备份中：审计密钥与数据加密主密钥须另行备份（见 README“备份与恢复”）",
        }
        manifest = {**body, "mac": _manifest_mac(body)}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        if as_tar:
            partial = destination.with_name(destination.name + ".partial")
            # Readable by the owner only, like the database it holds.
            handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
            with handle, tarfile.open(fileobj=handle, mode="w") as archive:
                for name in sorted(os.listdir(work)):
                    archive.add(work / name, arcname=name)
            partial.replace(destination)
        else:
            if destination.exists():
                destination.rmdir()
            work.replace(destination)
    finally:
        if work.exists():
            shutil.rmtree(work)
    size = sum(entry["size"] for entry in files) + body["database"]["size"]
    with transaction.atomic():
        record_event(
            actor=None,
            action="backup.created",
            target_type="backup",
            target_label=destination.name[:200],
            detail={
                "vendor": vendor,
                "created_at": created_at,
                "files": len(files),
                "bytes": size,
                "mac": manifest["mac"],
                "missing_files": missing[:20],
            },
        )
    return BackupSummary(destination, vendor, len(files), size, len(referenced), missing)


def _snapshot_sqlite(settings_dict: dict[str, Any], target: Path) -> tuple[list[list[str]], list[str]]:
    """SQLite's online backup API, in one step: a consistent copy while writers go on (WAL)."""
    source = sqlite3.connect(str(settings_dict["NAME"]), timeout=20)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        # One self-contained file in the archive (no -wal beside it); Django's connection turns WAL on again.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _snapshot_facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def _snapshot_postgresql(connection: Any, target: Path) -> tuple[list[list[str]], list[str], str]:
    """``pg_dump --snapshot``: the dump and the facts of the manifest read the same exported snapshot."""
    args, env = _pg_command("pg_dump", connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        _run([*args, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env, "pg_dump 导出数据库")
        migrations, referenced = _snapshot_facts(cursor)
    return migrations, referenced, str(server_version)


def _copy_file_store(media_root: Path, target: Path) -> list[dict[str, Any]]:
    """Copy every regular file under MEDIA_ROOT (hashing as it goes); never a key file."""
    target.mkdir()
    entries: list[dict[str, Any]] = []
    if not media_root.exists():
        return entries
    keys = _key_files()
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.resolve() in keys:
            continue
        relative = path.relative_to(media_root).as_posix()
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as source, copy.open("wb") as sink:
            while block := source.read(CHUNK):
                digest.update(block)
                sink.write(block)
                size += len(block)
        entries.append({"path": relative, "size": size, "sha256": digest.hexdigest()})
    return entries


# --- restore --------------------------------------------------------------------------------------


def restore_backup(*, source: Path) -> RestoreSummary:
    """Verify the archive whole, check the instance is empty, then restore files and database."""
    if not source.exists():
        raise BackupRefused(f"找不到备份 {source}。")
    vendor = _vendor()
    with _opened(source) as folder:
        manifest = verify_archive(folder)
        if manifest["database"]["vendor"] != vendor:
            raise BackupRefused(
                f"该备份来自 {VENDOR_NAMES[manifest['database']['vendor']]}，本实例配置的是 {VENDOR_NAMES[vendor]}："
                "请恢复到同一类型的数据库。"
            )
        pending = _check_migrations(manifest["migrations"])
        media_root = Path(settings.MEDIA_ROOT)
        _check_empty(media_root)
        written = _restore_files(folder / FILES_DIR, manifest["files"], media_root)
        try:
            if vendor == "sqlite":
                _restore_sqlite(folder / manifest["database"]["file"])
            else:
                _restore_postgresql(folder / manifest["database"]["file"])
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    connection = connections["default"]
    with connection.cursor() as cursor:
        migrations, referenced = _snapshot_facts(cursor)
    if migrations != manifest["migrations"]:
        raise BackupRefused("恢复后的迁移状态与备份清单不符：本实例不完整，请勿使用，清空后重新恢复。")
    absent = [name for name in referenced if not (media_root / name).is_file()]
    if absent:
        raise BackupRefused(
            f"恢复后的数据库引用了 {len(absent)} 个不存在的文件（如 {absent[0]}）：本实例不完整，请勿使用。"
        )
    with transaction.atomic():
        record_event(
            actor=None,
            action="backup.restored",
            target_type="backup",
            target_label=source.name[:200],
            detail={
                "vendor": vendor,
                "created_at": manifest["created_at"],
                "app_version": manifest["app_version"],
                "files": len(manifest["files"]),
                "mac": manifest["mac"],
            },
        )
    return RestoreSummary(
        vendor=vendor,
        files=len(manifest["files"]),
        referenced=len(referenced),
        migrations=len(migrations),
        pending_migrations=pending,
        created_at=manifest["created_at"],
    )


@contextmanager
def _opened(source: Path) -> Iterator[Path]:
    """The archive as a directory: itself, or a .tar unpacked (refusing links and paths leaving it)."""
    if source.is_dir():
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="xiezuoqu-restore-") as folder:
        try:
            with tarfile.open(source, "r:*") as archive:
                archive.extractall(folder, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupRefused(f"备份文件 {source.name} 无法读取（不是完整的 .tar 归档）：{exc}") from exc
        yield Path(folder)


def verify_archive(folder: Path) -> dict[str, Any]:
    """The manifest, once its MAC, the database file and every file's SHA-256 check out; nothing extra."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupRefused("备份中没有清单 manifest.json：备份不完整（可能在写入时中断），不能恢复。") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRefused("备份清单 manifest.json 已损坏，不能恢复。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"不是本系统的备份（清单格式应为 {FORMAT}）。")
    body = {key: value for key, value in manifest.items() if key != "mac"}
    if not hmac.compare_digest(str(manifest.get("mac", "")), _manifest_mac(body)):
        raise BackupRefused(
            "备份清单的签名不符：清单在备份后被改动过，或本实例的审计密钥、数据加密主密钥与备份时不同。"
            "已拒绝恢复，未写入任何数据。"
        )
    database = manifest["database"]
    if database.get("vendor") not in DATABASE_FILES or database.get("file") != DATABASE_FILES[database["vendor"]]:
        raise BackupRefused("备份清单中的数据库信息无效，不能恢复。")
    _check_hash(folder / database["file"], database["sha256"], database["size"], "数据库文件")
    listed: set[str] = set()
    for entry in manifest["files"]:
        relative = PurePosixPath(entry["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise BackupRefused(f"备份清单中的文件路径无效：{entry['path']}")
        listed.add(relative.as_posix())
        _check_hash(folder / FILES_DIR / relative, entry["sha256"], entry["size"], f"文件 {relative}")
    store = folder / FILES_DIR
    extra = [
        path.relative_to(store).as_posix()
        for path in sorted(store.rglob("*"))
        if not path.is_dir() and path.relative_to(store).as_posix() not in listed
    ]
    if extra:
        raise BackupRefused(f"备份中有清单未列出的文件 {extra[0]}（共 {len(extra)} 个）：备份被改动过，已拒绝恢复。")
    unlisted = [name for name in manifest["referenced_files"] if name not in listed]
    if manifest["missing_files"] or unlisted:
        name = (manifest["missing_files"] or unlisted)[0]
        raise BackupRefused(
            f"备份时数据库引用的文件 {name} 不在备份中（共 {len(manifest['missing_files'] or unlisted)} 个）："
            "恢复出的实例会缺失文件，已拒绝恢复。请先在原实例运行 xiezuoqu evidence_verify 查明。"
        )
    return manifest


def _check_hash(path: Path, sha256: str, size: int, label: str) -> None:
    if not path.is_file():
        raise BackupRefused(f"备份不完整：{label}缺失，已拒绝恢复。")
    if path.stat().st_size != size or _sha256_file(path) != sha256:
        raise BackupRefused(f"备份已被改动或损坏：{label} 的 SHA-256 与清单不符，已拒绝恢复，未写入任何数据。")


def _check_migrations(recorded: list[list[str]]) -> int:
    """The code must know every migration of the backup; returns how many newer ones it adds."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    backup = {f"{app}.{name}" for app, name in recorded}
    unknown = sorted(backup - known)
    if unknown:
        raise BackupRefused(
            f"该备份来自更新的版本（本版本没有迁移 {unknown[0]} 等 {len(unknown)} 个）：请先升级到备份时的版本再恢复。"
        )
    return len(known - backup)


def _check_empty(media_root: Path) -> None:
    connection = connections["default"]
    tables = connection.introspection.table_names()
    if tables:
        raise BackupRefused(
            f"目标数据库不是空的（已有 {len(tables)} 张表）：恢复只写入空实例，请新建一个空数据库后再恢复。"
        )
    if media_root.exists() and any(path.is_file() for path in media_root.rglob("*")):
        raise BackupRefused(f"目标文件目录 {media_root} 不是空的：恢复只写入空实例，请指定一个空目录。")


def _restore_files(store: Path, entries: list[dict[str, Any]], media_root: Path) -> list[Path]:
    written: list[Path] = []
    try:
        for entry in entries:
            target = media_root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(store / entry["path"], target)
            written.append(target)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _restore_sqlite(snapshot: Path) -> None:
    connection = connections["default"]
    connection.close()
    target = Path(str(connection.settings_dict["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(snapshot))
    copy = sqlite3.connect(str(target), timeout=20)
    try:
        source.backup(copy)
    except BaseException:
        copy.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()
        copy.close()


def _restore_postgresql(dump: Path) -> None:
    """One transaction: a failed restore leaves the database as empty as it was."""
    connection = connections["default"]
    connection.close()
    args, env = _pg_command("pg_restore", connection.settings_dict)
    _run(
        [*args, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", str(dump)],
        env,
        "pg_restore 恢复数据库",
    )
