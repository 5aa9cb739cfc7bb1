from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from xiezuoqu.access.actor import actor_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The first page after login: the zone org chart, or the one page a role has."""
    actor = actor_for(request.user)
    if actor.roles == {"audit_admin"}:
        return redirect("audit:list")
    if actor.roles == {"village_supervisor"}:
        return redirect("intake:village")
    return redirect("org:chart")
