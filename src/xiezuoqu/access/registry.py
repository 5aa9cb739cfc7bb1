"""The registry of scope policies: one per protected object type.

Each policy answers both questions from the same rules: "which rows may this actor see?" (``scope``,
a queryset) and "may this actor see this row?" (``can_view``, a predicate). Every page, API call,
export and search reads through ``scope``/``get_for``; the matrix test proves the two agree for every
role and every object of the demo data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from xiezuoqu.errors import NotFound

from .actor import Actor

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Policy(Generic[M]):
    model: type[M]
    label: str
    scope_fn: Callable[[Actor], models.QuerySet[M]]
    predicate_fn: Callable[[Actor, M], bool]
    # Reading one object of this type is sensitive: the view is recorded in the audit chain.
    sensitive: bool = False
    # Rows of this type are case matters (reports, clues, cases, their approvals): the three
    # administrators must never see any of them (三员分立); the matrix test checks it.
    case_content: bool = False

    def scope(self, actor: Actor) -> models.QuerySet[M]:
        return self.scope_fn(actor)

    def can_view(self, actor: Actor, obj: M) -> bool:
        return self.predicate_fn(actor, obj)

    def get_for(self, actor: Actor, pk: Any, *, queryset: models.QuerySet[M] | None = None) -> M:
        """The funnel for one object: missing and forbidden both raise ``NotFound``."""
        qs = queryset if queryset is not None else self.scope(actor)
        try:
            return qs.get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise NotFound(
                audit_action=f"{self.model._meta.model_name}.viewed",  # refused: outcome says so
                target_type=self.model._meta.label_lower,
                target_id=str(pk),
            ) from None


POLICIES: dict[type[models.Model], Policy[Any]] = {}


def register(policy: Policy[M]) -> Policy[M]:
    POLICIES[policy.model] = policy
    return policy


def policy_for(model: type[M]) -> Policy[M]:
    return POLICIES[model]
