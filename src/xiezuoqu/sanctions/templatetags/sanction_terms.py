"""The case page's section on sanction terms: ``{% case_sanction_terms case as sanction %}``.

The case page includes ``sanctions/_terms.html``; the tag reads the terms through the scoped selector
with the page's actor (set by the navigation context processor), so the section shows nothing the actor
may not see.
"""

from __future__ import annotations

from typing import Any

from django import template

from xiezuoqu.access.actor import Actor
from xiezuoqu.cases.models import Case
from xiezuoqu.sanctions.rules import MEASURES, Kind
from xiezuoqu.sanctions.selectors import CaseTerms, terms_of_case

register = template.Library()

GROUPS = (
    (Kind.FIRST_FORM, "第一种形态处理"),
    (Kind.PARTY, "党纪处分"),
    (Kind.GOVERNMENT, "政务处分"),
    (Kind.ORGANISATIONAL, "组织处理"),
)


@register.simple_tag(takes_context=True)
def case_sanction_terms(context: Any, case: Case) -> dict[str, Any]:
    actor = context.get("actor")
    if not isinstance(actor, Actor) or not isinstance(case, Case):
        return {"rows": [], "changes": []}
    found: CaseTerms = terms_of_case(actor, case)
    groups = [(label, [(code, m.label) for code, m in MEASURES.items() if m.kind is kind]) for kind, label in GROUPS]
    return {
        "rows": found.rows,
        "changes": found.changes,
        "may_register_change": found.may_register_change,
        "outcome_groups": groups,
    }
