from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xiezuoqu.access.actor import actor_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"actor": actor_for(user)}
