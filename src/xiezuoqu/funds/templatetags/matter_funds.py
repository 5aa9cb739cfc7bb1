"""The 办案经费与用车 block of a matter's page: ``{% matter_funds "case" case as funds %}``.

The clue, verification, case and inspection campaign pages include ``funds/_matter_funds.html``; the
tag reads the matter's claims and bookings through the scoped selectors with the page's actor (set by
the navigation context processor). The page has already checked that the actor may see the matter, so
the tag does not check it again (two queries in all, see ``selectors.matter_funds``). A template tag,
not a view helper, so that the earlier apps' pages need no import of the funds app.
"""

from __future__ import annotations

from typing import Any

from django import template

from xiezuoqu.access.actor import Actor
from xiezuoqu.funds import selectors
from xiezuoqu.funds.selectors import MATTERS, MatterFunds

register = template.Library()


@register.simple_tag(takes_context=True)
def matter_funds(context: Any, kind: str, matter: Any) -> MatterFunds | None:
    actor = context.get("actor")
    if not isinstance(actor, Actor) or kind not in MATTERS or getattr(matter, "pk", None) is None:
        return None
    return selectors.matter_funds(actor, kind, matter)
