"""Scoped reads of archive packages, and who may build one.

A package record is seen by whoever sees its clue (``clues_visible_to``: recusals and the subject's own
matters subtracted); building a package (and downloading one, which hands over the same content) is
for those who see the matter *and* hold 案管, 纪委书记 or 分管领导, or work the matter (``may_work``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.cases.models import Case
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to, may_work

from .models import ArchivePackage

BUILDER_ROLES = frozenset({Role.CASE_MANAGER, Role.COMMISSION_HEAD, Role.COMMISSION_LEADER})


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


def packages_visible_to(actor: Actor) -> QuerySet[ArchivePackage]:
    if _excluded(actor):
        return ArchivePackage.objects.none()
    return ArchivePackage.objects.filter(clue__in=clues_visible_to(actor))


def can_view_package(actor: Actor, package: ArchivePackage) -> bool:
    return not _excluded(actor) and can_view_clue(actor, package.clue)


PACKAGES = register(
    Policy(ArchivePackage, "归档包", packages_visible_to, can_view_package, sensitive=True, case_content=True)
)


def get_package_for(actor: Actor, package_id: Any) -> ArchivePackage:
    queryset = packages_visible_to(actor).select_related("clue", "case", "built_by")
    return PACKAGES.get_for(actor, package_id, queryset=queryset)


def may_build(actor: Actor, clue: Clue) -> bool:
    """Build or download a package of a matter the actor sees (checked by the caller's funnel)."""
    if _excluded(actor) or clue.commission_id not in actor.commission_ids:
        return False
    return bool(actor.roles & BUILDER_ROLES) or may_work(actor, clue)


def packages_of(actor: Actor, *, clue: Clue, case: Case | None = None, limit: int = 100) -> list[ArchivePackage]:
    qs = packages_visible_to(actor).filter(clue=clue)
    qs = qs.filter(case=case) if case is not None else qs.filter(case__isnull=True)
    return list(qs.select_related("built_by").order_by("-id")[:limit])


def recent_packages(actor: Actor, *, limit: int = 50) -> list[ArchivePackage]:
    return list(packages_visible_to(actor).select_related("built_by", "clue", "case").order_by("-id")[:limit])


def packages_with_hash(actor: Actor, sha256: str) -> list[ArchivePackage]:
    """The records (in scope) of a package with this SHA-256: a package handed in is checked against them."""
    return list(packages_visible_to(actor).filter(sha256=sha256).select_related("built_by").order_by("-id")[:10])
