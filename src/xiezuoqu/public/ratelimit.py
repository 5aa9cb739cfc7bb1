"""Fixed-window rate limits in the database, shared by every web process (SQLite and PostgreSQL).

A hit is ``UPDATE … SET count = count + 1`` on the window's row, creating the row when there is none
(a concurrent creator loses on the unique constraint inside a savepoint and updates instead). The hit
runs in its own transaction and is committed before the request does anything else, so a refused or
failing request still counts. Keys (client address, receipt prefix, form nonce) are stored only as an
HMAC under a key outside the database. Windows older than a day are deleted whenever a new window row
is created, and by ``xiezuoqu prune_rate_limits``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xiezuoqu.crypto import keyring
from xiezuoqu.errors import DomainError

from .models import RateLimitWindow

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: timedelta
    label: str


# 网络举报: five reports an hour from one address; files come with a report or with 补充材料, and an
# addition of material that carries files counts here too.
SUBMIT = Limit("submit", 5, timedelta(hours=1), "提交举报或上传材料")
# Answers, objections and text-only material from the status page.
REPLY = Limit("reply", 20, timedelta(hours=1), "答复和补充材料")
# Receipt lookups: ten per quarter hour from one address …
LOOKUP = Limit("lookup", 10, timedelta(minutes=15), "查询办理情况")
# … and twenty an hour for one six-digit prefix from anywhere, against distributed guessing of one
# code (10^10 codes share a prefix; each guess also costs an argon2 check).
LOOKUP_PREFIX = Limit("lookup_prefix", 20, timedelta(hours=1), "查询办理情况")
# A report form's token is good for one submission (a reload of the receipt page cannot file twice).
FORM_TOKEN = Limit("form_token", 1, timedelta(hours=4), "提交举报")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    title = "操作过于频繁"

    def __init__(self, limit: Limit, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(f"{limit.label}过于频繁，请在约 {minutes} 分钟后再试。")
        self.limit = limit
        self.retry_after = retry_after
        self.minutes = minutes


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window closes


def key_digest(scope: str, key: str) -> str:
    mac = hmac.new(keyring().key_for("public.ratelimit"), f"{scope}|{key}".encode(), hashlib.sha256)
    return mac.hexdigest()


def window_start(window: timedelta, now: datetime) -> datetime:
    return EPOCH + ((now - EPOCH) // window) * window


def hit(limit: Limit, key: str, *, now: datetime | None = None) -> Verdict:
    """Count one attempt for ``key`` in the current window; ``allowed`` is False past the limit."""
    now = now or timezone.now()
    start = window_start(limit.window, now)
    digest = key_digest(limit.scope, key)
    rows = RateLimitWindow.objects.filter(scope=limit.scope, key_digest=digest, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitWindow.objects.create(scope=limit.scope, key_digest=digest, window_start=start, count=1)
            except IntegrityError:  # another process created it first
                rows.update(count=F("count") + 1)
            else:
                prune(now=now)
        count = rows.values_list("count", flat=True).get()
    retry_after = int((start + limit.window - now).total_seconds())
    return Verdict(allowed=count <= limit.limit, count=count, retry_after=max(retry_after, 1))


def enforce(limit: Limit, key: str, *, now: datetime | None = None) -> Verdict:
    """``hit``, raising ``RateLimited`` (HTTP 429, with the wait) past the limit."""
    verdict = hit(limit, key, now=now)
    if not verdict.allowed:
        raise RateLimited(limit, verdict.retry_after)
    return verdict


def prune(*, now: datetime | None = None) -> int:
    """Delete windows that closed more than a day ago (the longest window is hours long)."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = RateLimitWindow.objects.filter(window_start__lt=cutoff).delete()
    return deleted
