"""Bell items: who is told of a report (never the accused), and marking them read."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.intake import head
from xiezuoqu.intake.models import Notification, Report
from xiezuoqu.org.models import Unit


def _head_staff_ids(commission_id: int) -> set[int]:
    return set(head.head_users(commission_id).values_list("staff_id", flat=True))


def _users_with_roles_at(unit_ids: Iterable[int], roles: Iterable[str]) -> set[int]:
    unit_ids = list(unit_ids)
    if not unit_ids:
        return set()
    by_assignment = RoleAssignment.objects.filter(role__in=list(roles), unit_id__in=unit_ids, user__is_active=True)
    by_home = RoleAssignment.objects.filter(
        role__in=list(roles), unit__isnull=True, user__is_active=True, user__staff__home_unit_id__in=unit_ids
    )
    return set(by_assignment.values_list("user_id", flat=True)) | set(by_home.values_list("user_id", flat=True))


def _petition_office_ids(commission_id: int) -> list[int]:
    return list(
        Unit.objects.filter(commission_id=commission_id, kind=Unit.Kind.PETITION_OFFICE).values_list("pk", flat=True)
    )


def _notify(
    report: Report,
    user_ids: Iterable[int],
    text: str,
    *,
    exclude: Iterable[int | None] = (),
    accused_staff: Iterable[int] | None = None,
) -> int:
    """Bell items for the people who keep or work the ledger the report is in; never the accused."""
    skip = {u for u in exclude if u is not None}
    if accused_staff is None:
        accused_staff = report.accused.exclude(staff__isnull=True).values_list("staff_id", flat=True)
    staff_ids = set(accused_staff)
    if report.concerns_head:
        staff_ids |= _head_staff_ids(report.commission_id)
    if staff_ids:
        skip |= set(User.objects.filter(staff_id__in=staff_ids).values_list("pk", flat=True))
    rows = [Notification(recipient_id=uid, report=report, text=text[:200]) for uid in sorted(set(user_ids) - skip)]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _registrars_for(unit: Unit) -> set[int]:
    users = _users_with_roles_at([unit.pk], [Role.REGISTRAR])
    if users:
        return users
    return _users_with_roles_at(_petition_office_ids(unit.commission_id), [Role.REGISTRAR])


def mark_notifications_read(*, actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own bell items read (all of them when ``ids`` is None)."""
    if actor.user_id is None:
        return 0
    qs = Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
