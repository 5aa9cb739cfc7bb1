"""The 规则库 page: every rule with its value, unit, source and article, its dates, the function that
enforces it, the reader's commission's local values and the history of changes; and, for the system
administrator and the commission's leadership, the form that sets a stricter local value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import DomainError
from xiezuoqu.web.forms import parse_date, show_error

from . import services
from .national import DIRECTION_LABELS, Direction
from .selectors import can_set_local_rules, require_rulebook_reader, rulebook_for

if TYPE_CHECKING:
    from xiezuoqu.accounts.models import User


def _actor(request: HttpRequest) -> Actor:
    return actor_for(cast("User", request.user))


def _render(
    request: HttpRequest, actor: Actor, *, posted: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    entries = rulebook_for(actor, today=today)
    editor = can_set_local_rules(actor)
    context = {
        "entries": entries,
        "today": today,
        "editor": editor,
        "directions": {str(d): label for d, label in DIRECTION_LABELS.items()},
        "overridable": [e for e in entries if e.overridable] if editor else [],
        "posted": posted or {"effective_from": today.isoformat()},
        "fixed": Direction.FIXED.value,
    }
    return render(request, "rulebook/index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_rulebook_reader(actor)
    return _render(request, actor)


@login_required
@require_POST
def set_local(request: HttpRequest) -> HttpResponse:
    """设置本地从严规定 (or, with the value left empty, 恢复执行全国规定 from the date)."""
    actor = _actor(request)
    require_rulebook_reader(actor)
    post = request.POST
    posted = {name: post.get(name, "") for name in ("key", "value", "effective_from", "reason")}
    try:
        row = services.set_local_rule(
            actor=actor,
            key=posted["key"],
            value=posted["value"].strip() or None,
            effective_from=parse_date(posted["effective_from"]),
            reason=posted["reason"],
            request=request,
        )
    except DomainError as exc:
        show_error(request, exc)
        return _render(request, actor, posted=posted, status=exc.status if exc.status != 404 else 404)
    if row.value is None:
        messages.success(request, f"自 {row.effective_from:%Y-%m-%d} 起恢复执行全国规定。")
    else:
        messages.success(request, f"本地规定已设置：自 {row.effective_from:%Y-%m-%d} 起为 {row.value}。")
    return redirect("rulebook:index")
