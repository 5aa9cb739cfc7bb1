"""``{% similar_clues report %}``: on a report page, the clues that look like the same matter."""

from __future__ import annotations

from typing import Any

from django import template

from xiezuoqu.access.actor import actor_for
from xiezuoqu.clues.selectors import similar_clues_for_report

register = template.Library()


@register.inclusion_tag("clues/_similar_clues.html", takes_context=True)
def similar_clues(context: dict[str, Any], report: Any) -> dict[str, Any]:
    request = context["request"]
    return {"rows": similar_clues_for_report(actor_for(request.user), report)}
