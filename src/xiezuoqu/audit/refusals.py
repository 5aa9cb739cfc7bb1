"""Refused attempts are recorded at the edge, in their own transaction, after the work rolled back."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.errors import DomainError, NotFound, NotPermitted, RuleViolation

from .models import AuditEvent
from .services import record_event


def record_refusal(request: HttpRequest, exc: DomainError) -> None:
    """Record a refusal that names an audited action (access refused, rule broken)."""
    if not exc.audit_action or not isinstance(exc, NotFound | NotPermitted | RuleViolation):
        return
    from xiezuoqu.access.actor import actor_for

    user = getattr(request, "user", None)
    actor = actor_for(user) if user is not None and user.is_authenticated else None
    with transaction.atomic():
        record_event(
            actor=actor,
            action=exc.audit_action,
            target_type=exc.target_type,
            target_id=exc.target_id,
            outcome=AuditEvent.Outcome.REFUSED,
            detail={"reason": exc.message, "path": request.path[:200]},
            request=request,
        )
