from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xiezuoqu.access.actor import actor_for
from xiezuoqu.accounts.roles import Role

from .context import nav_for
from .home import work_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the viewer's work queue. The audit administrator's work is the audit log and the village
    supervisor's their own page (submit an observation, see the ones sent): those homes are that page."""
    actor = actor_for(request.user)
    if actor.roles == {Role.AUDIT_ADMIN}:
        return redirect("audit:list")
    if actor.roles == {Role.VILLAGE_SUPERVISOR}:
        return redirect("intake:village")
    work = work_for(actor)
    context = {
        "work": work,
        "waiting": sum(w.count for w in work),
        "shortcuts": [i for i in nav_for(actor, request.path) if i["url"] != request.path],
        "calendar_gaps": _calendar_gaps() if actor.is_admin else [],
        "today": timezone.localdate(),
    }
    return render(request, "web/home.html", context)


def _calendar_gaps() -> list[int]:
    """This year and next without a holiday schedule: the system administrator's to enter."""
    from xiezuoqu.workdays.calendar import Coverage
    from xiezuoqu.workdays.selectors import work_calendar

    year = timezone.localdate().year
    calendar = work_calendar()
    return [y for y in (year, year + 1) if calendar.coverage(y) == Coverage.MISSING]
