"""The link from a clue's page back to the 大数据监督 hit it was made from: ``{% clue_hit clue as hit %}``.

The clue page (``clues/detail.html``) names the hit in its 来源说明 already; the tag gives the hit itself
only when the page's actor may open it (the hit funnel, one query), so a township cadre who handles the
clue — and does not screen their own township — sees no link. A template tag, not a view helper, so the
clue app needs no import of the screening app.
"""

from __future__ import annotations

from typing import Any

from django import template

from xiezuoqu.access.actor import Actor
from xiezuoqu.screening import selectors
from xiezuoqu.screening.models import Hit

register = template.Library()


@register.simple_tag(takes_context=True)
def clue_hit(context: Any, clue: Any) -> Hit | None:
    actor = context.get("actor")
    if not isinstance(actor, Actor) or getattr(clue, "pk", None) is None:
        return None
    if getattr(clue, "source", None) != "big_data" or not selectors.may_screen(actor):
        return None
    return selectors.hit_of_clue(actor, clue.pk)
