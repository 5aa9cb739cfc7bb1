"""Scoped reads of the audit log. Pages, API and exports of audit events go through here.

Rule (三员分立): only the security auditor (``audit_admin``) reads the log — the events of their own
commission(s) and the system events that belong to no commission (a failed login of an unknown
name). The system and security administrators, whose actions the log records, never read it; nor
does any staff role.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.errors import NotFound
from xiezuoqu.keys import is_key_text

from .chain import GENESIS, Signer
from .models import AuditEvent

PAGE_SIZE = 50
API_LIMIT = 200


def events_visible_to(actor: Actor) -> QuerySet[AuditEvent]:
    if not actor.has(Role.AUDIT_ADMIN):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(Q(commission_id__in=actor.commission_ids) | Q(commission_id__isnull=True))


def can_view_event(actor: Actor, event: AuditEvent) -> bool:
    if not actor.has(Role.AUDIT_ADMIN):
        return False
    return event.commission_id is None or event.commission_id in actor.commission_ids


EVENTS = register(Policy(AuditEvent, "审计记录", events_visible_to, can_view_event))


def may_read_log(actor: Actor) -> bool:
    return actor.has(Role.AUDIT_ADMIN)


def require_auditor(actor: Actor, *, action: str) -> None:
    """The log's pages and API exist only for the auditor; everyone else gets the 404 of the funnel."""
    if not may_read_log(actor):
        raise NotFound(audit_action=action, target_type="audit.auditevent")


@dataclass(frozen=True)
class EventFilters:
    """The filters of the log's list page and API. Empty strings and ``None`` mean "any"."""

    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.actor:
            # A number is a user id; anything else the login name recorded at the time.
            qs = qs.filter(actor_id=int(self.actor)) if is_key_text(self.actor) else qs.filter(actor_name=self.actor)
        if self.action:
            qs = qs.filter(action__startswith=self.action)
        if self.target_type:
            qs = qs.filter(target_type=self.target_type)
        if self.target_id:
            qs = qs.filter(target_id=self.target_id)
        if self.outcome:
            qs = qs.filter(outcome=self.outcome)
        if self.since is not None:
            qs = qs.filter(occurred_at__gte=self.since)
        if self.until is not None:
            qs = qs.filter(occurred_at__lt=self.until)
        return qs

    def as_detail(self) -> dict[str, Any]:
        """The filters in use, for the ``audit.viewed`` record."""
        return {key: value for key, value in asdict(self).items() if value not in ("", None)}


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    # Keyset cursors: pass ``before=older_than`` for the next older page, ``after=newer_than`` for
    # the next newer one; ``None`` when there is no such page.
    older_than: int | None
    newer_than: int | None


def event_page(
    actor: Actor,
    filters: EventFilters,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> EventPage:
    """One page of the actor's events, newest first, by keyset on ``seq`` (no COUNT).

    A filter on the actor or on one object walks its own (…, seq) index: one query, with the scope
    as a condition. Otherwise the scope is read as one query per commission it covers plus one for
    the system events, each walking the (commission_id, seq) index from the cursor and stopping after
    ``limit + 1`` rows, and the pieces are merged here: a single ``commission_id IN (…) OR
    commission_id IS NULL`` query would collect and sort every matching row of the log.
    """
    newest_first = after is None
    selective = bool(filters.actor or (filters.target_type and filters.target_id))
    pieces: list[AuditEvent] = []
    for part in [Q()] if selective else _scope_parts(actor):
        qs = filters.apply(events_visible_to(actor).filter(part))
        if after is not None:
            qs = qs.filter(seq__gt=after).order_by("seq")
        else:
            qs = qs.filter(seq__lt=before).order_by("-seq") if before is not None else qs.order_by("-seq")
        pieces.extend(qs[: limit + 1])
    rows = sorted(pieces, key=lambda event: event.seq, reverse=newest_first)[: limit + 1]
    if newest_first:
        has_older, has_newer, events = len(rows) > limit, before is not None, rows[:limit]
    else:
        has_older, has_newer, events = True, len(rows) > limit, rows[:limit][::-1]
    if not events:
        return EventPage([], older_than=None, newer_than=None)
    return EventPage(
        events,
        older_than=events[-1].seq if has_older else None,
        newer_than=events[0].seq if has_newer else None,
    )


def _scope_parts(actor: Actor) -> list[Q]:
    """Disjoint pieces whose union is the scope of ``events_visible_to`` (each one index-friendly)."""
    if not may_read_log(actor):
        return []
    return [Q(commission_id=commission_id) for commission_id in sorted(actor.commission_ids)] + [
        Q(commission_id__isnull=True)
    ]


def get_event_for(actor: Actor, seq: int) -> AuditEvent:
    """The funnel for one event, by its chain position: missing and forbidden both raise ``NotFound``."""
    event = events_visible_to(actor).filter(seq=seq).first()
    if event is None:
        raise NotFound(audit_action="auditevent.viewed", target_type="audit.auditevent", target_id=str(seq))
    return event


@dataclass(frozen=True)
class RowCheck:
    """One row checked on its own: its MAC, and its link to the row before it."""

    mac_valid: bool
    # True/False: the previous row's MAC is/is not this row's ``prev_mac``; None: no previous row.
    link_valid: bool | None
    previous_seq: int | None
    previous_visible: bool


def check_row(actor: Actor, event: AuditEvent) -> RowCheck:
    """Recompute the row's MAC and compare its ``prev_mac`` with the MAC of the row before it."""
    mac_valid = Signer().event_mac(event) == event.mac
    previous = (
        AuditEvent.objects.filter(seq__lt=event.seq).order_by("-seq").values_list("seq", "mac", "commission_id").first()
    )
    if previous is None:
        return RowCheck(mac_valid, event.prev_mac == GENESIS if event.seq == 1 else False, None, False)
    seq, mac, commission_id = previous
    # Only the MAC of the previous row is read here: its content stays behind the policy.
    link_valid = mac == event.prev_mac and seq == event.seq - 1
    visible = commission_id is None or commission_id in actor.commission_ids
    return RowCheck(mac_valid, link_valid, seq, visible)


def commission_name(commission_id: int | None) -> str:
    """The name of the commission an event belongs to (the log keeps only its id)."""
    if commission_id is None:
        return ""
    from xiezuoqu.org.models import Commission

    name = Commission.objects.filter(pk=commission_id).values_list("name", flat=True).first()
    return name or f"（已不存在，ID {commission_id}）"
