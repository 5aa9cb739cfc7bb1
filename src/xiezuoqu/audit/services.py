"""Writing to the audit chain. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import compute_mac, row_fields
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor


def jsonable(value: Any) -> Any:
    """Values exactly as they will read back from the JSON column, so the MAC verifies later."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # Behind the reverse proxy the first X-Forwarded-For entry is the client (set by our proxy only).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values before a change, for ``diff``. Foreign keys are read by their ``_id`` column."""
    result = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = getattr(instance, attname)
    return result


def diff(before: Mapping[str, Any], instance: models.Model) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [old, new]}`` given a ``snapshot`` taken before the change."""
    after = snapshot(instance, before.keys())
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def record_event(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    outcome: str = AuditEvent.Outcome.ALLOWED,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    commission_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (so it commits or rolls back with it).

    ``action`` is a dotted name (``zone.membership_added``); ``changes`` maps field → [old, new].
    """
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:200]
        commission_id = commission_id or getattr(target, "commission_id", None)
    if actor is not None and commission_id is None:
        commission_id = actor.commission_id
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            commission_id=commission_id,
            actor_id=actor.user_id if actor else None,
            actor_name=(actor.username if actor else "")[:150],
            role=(actor.primary_role if actor else "")[:30],
            action=action,
            target_type=target_type,
            target_id=str(target_id)[:64],
            target_label=target_label[:200],
            outcome=outcome,
            changes=jsonable(dict(changes or {})),
            detail=jsonable(dict(detail or {})),
            client_address=client_address(request),
            algorithm=settings.XIEZUOQU.get("AUDIT_ALGORITHM", "hmac-sha256"),
            prev_mac=head.mac,
        )
        event.mac = compute_mac(head.mac, row_fields(event), algorithm=event.algorithm)
        event.save(force_insert=True)
        head.seq, head.mac = event.seq, event.mac
        head.save(update_fields=["seq", "mac"])
    return event
