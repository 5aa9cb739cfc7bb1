"""The registry of deadline kinds: what each timer is called and which rule it enforces.

Apps register their kinds from ``AppConfig.ready`` (or at import of their services)::

    from xiezuoqu.deadlines.services import register_deadline_kind

    register_deadline_kind(
        "report.acceptance_notice", "实名举报受理告知",
        rule="检举控告规则: 实名举报 15 个工作日内告知受理情况",
    )

``open_deadline`` refuses a kind nobody registered, so every deadline on every page has a Chinese
label, its warning threshold and the rule it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xiezuoqu.errors import ValidationFailed

# DESIGN §4: yellow when ≤ 3 working days are left (or ≤ 20 % of the period).
DEFAULT_WARN_DAYS = 3
SLUG = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class DeadlineKind:
    slug: str
    label: str
    warn_days: int = DEFAULT_WARN_DAYS
    rule: str = ""
    # Why the generic 延期 cannot move this deadline (empty: it can). A statutory term with its own
    # extension procedure (留置, 管护, 冻结) or a date fixed by a decision (处分期满) is moved only there,
    # so the timer never says something the underlying record does not.
    not_extendable: str = ""


DEADLINE_KINDS: dict[str, DeadlineKind] = {}


def register_deadline_kind(
    slug: str, label: str, *, warn_days: int = DEFAULT_WARN_DAYS, rule: str = "", not_extendable: str = ""
) -> DeadlineKind:
    """Register (or re-register, idempotently) a kind of deadline with its Chinese label and rule text."""
    if not SLUG.match(slug) or len(slug) > 60:
        raise ValueError(f"deadline kind slug {slug!r} must be dotted lower-case words of at most 60 characters")
    if warn_days < 0:
        raise ValueError("warn_days must not be negative")
    kind = DeadlineKind(slug=slug, label=label, warn_days=warn_days, rule=rule, not_extendable=not_extendable)
    DEADLINE_KINDS[slug] = kind
    return kind


def kind_for(slug: str) -> DeadlineKind:
    """The registered kind, or a refusal naming the unknown slug."""
    kind = DEADLINE_KINDS.get(slug)
    if kind is None:
        raise ValidationFailed(
            f"未登记的时限类别“{slug}”：请先调用 register_deadline_kind 登记该类别。",
            field_errors={"kind": ["未登记的时限类别。"]},
        )
    return kind


def kind_label(slug: str) -> str:
    kind = DEADLINE_KINDS.get(slug)
    return kind.label if kind else slug


def warn_days_for(slug: str) -> int:
    kind = DEADLINE_KINDS.get(slug)
    return kind.warn_days if kind else DEFAULT_WARN_DAYS


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((k.slug, k.label) for k in DEADLINE_KINDS.values()), key=lambda pair: pair[1])
