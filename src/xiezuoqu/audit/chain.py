"""The chain's cryptography: the key from outside the database and the canonical row MAC."""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS = "0" * 64
ALGORITHMS = {"hmac-sha256": hashes.SHA256, "hmac-sm3": hashes.SM3}


@lru_cache(maxsize=1)
def audit_key() -> bytes:
    """The HMAC key: ``XIEZUOQU_AUDIT_KEY`` or the key file; created (0600) on first use if absent."""
    conf = settings.XIEZUOQU
    if conf.get("AUDIT_KEY"):
        return str(conf["AUDIT_KEY"]).encode()
    path = Path(conf["AUDIT_KEY_FILE"])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"审计密钥文件 {path} 内容过短（至少 32 个字符）。")
    return key.encode()


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def row_fields(event: Any) -> dict[str, Any]:
    """The fields the MAC covers, read from an ``AuditEvent`` (or anything with the same attributes)."""
    return {
        "seq": event.seq,
        "occurred_at": utc_iso(event.occurred_at),
        "commission_id": event.commission_id,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "outcome": event.outcome,
        "changes": event.changes,
        "detail": event.detail,
        "client_address": event.client_address,
        "algorithm": event.algorithm,
    }


def compute_mac(prev_mac: str, fields: dict[str, Any], *, algorithm: str = "hmac-sha256", key: bytes | None = None) -> str:
    h = hmac.HMAC(key or audit_key(), ALGORITHMS[algorithm]())
    h.update(prev_mac.encode() + b"\n" + canonical(fields))
    return h.finalize().hex()
