"""Field encryption and blind indexes for the most sensitive data (reporter identity, ID numbers).

One key interface (``Keyring``) so that a certified crypto device (密码机) can replace the software
keys without touching callers. The default keyring derives one key per purpose (HKDF-SHA256) from a
master key kept outside the database (``XIEZUOQU_DATA_KEY`` or the key file), and encrypts with
SM4-GCM (GB/T 32907), so every stored value is authenticated as well as secret. A blind index
(HMAC-SM3 of a normalised value) lets the product match equal values — the same ID number — without
storing or decrypting them.

    token = seal("张三", purpose="reporter.name", context=b"report:42")
    open_sealed(token, purpose="reporter.name", context=b"report:42") == "张三"
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

VERSION = "v1"


class DecryptionFailed(Exception):
    """The value was altered, or was sealed for another purpose, context or key."""


class Keyring(Protocol):
    def key_for(self, purpose: str) -> bytes:
        """A 16-byte key for SM4, one per purpose."""
        ...


class SoftwareKeyring:
    """Keys derived from a master key outside the database (environment or a 0600 key file)."""

    def __init__(self) -> None:
        conf = settings.XIEZUOQU
        raw = conf.get("DATA_KEY") or ""
        if not raw:
            path = Path(conf["DATA_KEY_FILE"])
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
            raw = path.read_text().strip()
        if len(raw) < 32:
            raise ImproperlyConfigured("数据加密主密钥过短（至少 32 个字符）。")
        self._master = raw.encode()

    @lru_cache(maxsize=64)  # noqa: B019  (one keyring per process; purposes are few)
    def key_for(self, purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=16, salt=b"xiezuoqu", info=purpose.encode()).derive(self._master)


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    path = settings.XIEZUOQU.get("KEYRING", "xiezuoqu.crypto.SoftwareKeyring")
    return import_string(path)()


def _sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    body, tag = data[:-16], data[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def seal(plaintext: str, *, purpose: str, context: bytes = b"") -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. the owning row) is authenticated, not stored."""
    if plaintext == "":
        return ""
    nonce = os.urandom(12)
    data = _sm4_gcm_encrypt(keyring().key_for(purpose), nonce, plaintext.encode(), purpose.encode() + b"|" + context)
    return f"{VERSION}:sm4gcm:" + base64.urlsafe_b64encode(nonce + data).decode()


def open_sealed(token: str, *, purpose: str, context: bytes = b"") -> str:
    if token == "":
        return ""
    try:
        version, algorithm, payload = token.split(":", 2)
        raw = base64.urlsafe_b64decode(payload.encode())
    except (ValueError, TypeError) as exc:
        raise DecryptionFailed("密文格式无效") from exc
    if version != VERSION or algorithm != "sm4gcm" or len(raw) < 12 + 16:
        raise DecryptionFailed("密文格式无效")
    try:
        plain = _sm4_gcm_decrypt(keyring().key_for(purpose), raw[:12], raw[12:], purpose.encode() + b"|" + context)
    except InvalidTag as exc:
        raise DecryptionFailed("密文被篡改，或不属于该用途") from exc
    return plain.decode()


def normalise(value: str) -> str:
    """The form a blind index sees: no spaces, full-width folded, Latin letters upper-case."""
    folded = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in value)
    return "".join(folded.split()).upper()


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SM3 of the normalised value: equal values match, the value itself is not revealed."""
    if not value.strip():
        return ""
    mac = hmac.HMAC(keyring().key_for(f"index:{purpose}"), hashes.SM3())
    mac.update(normalise(value).encode())
    return mac.finalize().hex()


__all__ = ["DecryptionFailed", "Keyring", "SoftwareKeyring", "blind_index", "keyring", "open_sealed", "seal"]
