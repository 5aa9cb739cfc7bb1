"""The chain's cryptography: the key from outside the database and the canonical row MAC.

``mac = HMAC(key, prev_mac ⏎ scalars as a JSON array ⏎ changes ⏎ detail)`` (see ``mac_message``),
so each row seals the one before it; HMAC-SHA256 by default,
HMAC-SM3 (GB/T 32905) when ``XIEZUOQU["AUDIT_ALGORITHM"] = "hmac-sm3"``. Each row names its
algorithm, so a chain may change algorithm at any row and still verify end to end.
"""

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
from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64
ALGORITHMS = {"hmac-sha256": hashes.SHA256, "hmac-sm3": hashes.SM3}
DEFAULT_ALGORITHM = "hmac-sha256"

# The scalar fields the MAC covers, in this order; ``changes`` and ``detail`` follow as canonical JSON.
SCALAR_FIELDS = (
    "seq",
    "occurred_at",
    "commission_id",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "outcome",
    "client_address",
    "algorithm",
)


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


def configured_algorithm() -> str:
    algorithm = str(settings.XIEZUOQU.get("AUDIT_ALGORITHM") or DEFAULT_ALGORITHM)
    if algorithm not in ALGORITHMS:
        raise ImproperlyConfigured(f"审计算法 {algorithm} 不受支持，可选：{'、'.join(ALGORITHMS)}。")
    return algorithm


def jsonb_order(value: Any) -> Any:
    """The value with every object's keys in PostgreSQL ``jsonb`` order: shorter keys first (in UTF-8
    bytes), then by their UTF-8 bytes."""
    if isinstance(value, dict):
        ordered = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: jsonb_order(value[key]) for key in ordered}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value


class CanonicalJSONEncoder(DjangoJSONEncoder):
    """The one text of a JSON value that the MAC covers: PostgreSQL ``jsonb``'s own text form —
    keys in ``jsonb`` order, ``", "`` and ``": "`` between items, UTF-8 unescaped.

    The audit JSON columns are written with it, so the text the database returns *is* the canonical
    text on both databases (SQLite keeps what we wrote; ``jsonb`` prints exactly this form for the
    values ``services.jsonable`` lets through), and verification need not parse it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(sort_keys=False, ensure_ascii=False, separators=(", ", ": "))
        super().__init__(*args, **kwargs)

    def encode(self, o: Any) -> str:
        return super().encode(jsonb_order(o))


canonical_json = CanonicalJSONEncoder().encode
_json_value = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_str = json.encoder.encode_basestring  # the C encoder of json.dumps(ensure_ascii=False); str only
_int = int.__repr__


def scalars_json(values: list[Any]) -> str:
    """``json.dumps(values, ensure_ascii=False, separators=(",", ":"))`` — the same text, faster.

    A row's scalars are integers, nulls and strings in the order of ``SCALAR_FIELDS``; anything
    else (only a tampered row has it) takes the general encoder, so the text is always exact JSON.
    """
    try:
        seq, when, commission, actor, name, role, action, kind, ident, label, outcome, address, algorithm = values
        if (
            type(seq) is int
            and (commission is None or type(commission) is int)
            and (actor is None or type(actor) is int)
        ):
            return (
                f"[{_int(seq)},{_str(when)},{'null' if commission is None else _int(commission)},"
                f"{'null' if actor is None else _int(actor)},{_str(name)},{_str(role)},{_str(action)},"
                f"{_str(kind)},{_str(ident)},{_str(label)},{_str(outcome)},{_str(address)},{_str(algorithm)}]"
            )
    except (TypeError, ValueError):
        pass
    return _json_value(list(values))


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def mac_message(prev_mac: str, scalars: list[Any], changes_json: str, detail_json: str) -> bytes:
    """What the MAC signs: four lines — the previous MAC, the scalars as a compact JSON array, the
    changes and the detail as canonical JSON. JSON escapes every line break, so the lines cannot be
    confused.
    """
    return f"{prev_mac}\n{scalars_json(scalars)}\n{changes_json}\n{detail_json}".encode()


def event_message(event: Any) -> bytes:
    """The signed message of an ``AuditEvent`` (or anything with the same attributes)."""
    scalars = [getattr(event, name) for name in SCALAR_FIELDS]
    scalars[1] = utc_iso(event.occurred_at)
    return mac_message(event.prev_mac, scalars, canonical_json(event.changes), canonical_json(event.detail))


class Signer:
    """HMAC states keyed once per algorithm and copied per row: the verification loop's hot path."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else audit_key()
        self._keyed: dict[str, hmac.HMAC] = {}

    def mac(self, message: bytes, algorithm: str) -> str:
        """The MAC of a message; ``""`` (which matches nothing) for an algorithm this build lacks."""
        keyed = self._keyed.get(algorithm)
        if keyed is None:
            if algorithm not in ALGORITHMS:
                return ""
            keyed = self._keyed[algorithm] = hmac.HMAC(self._key, ALGORITHMS[algorithm]())
        h = keyed.copy()
        h.update(message)
        return h.finalize().hex()

    def event_mac(self, event: Any) -> str:
        return self.mac(event_message(event), event.algorithm)
