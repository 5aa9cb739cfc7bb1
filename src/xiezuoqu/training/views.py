"""Pages of the training record (以干代训, 一帮二): the index (one's own record, the zones one reads, the
assessments one still has to write, the commission's settings), a cadre's record, a zone's turns of the
year with who has had too few, and the mentor's assessment form.

Thin: parse, call a selector or a service, render. Every read goes through ``selectors`` (the scope
policies ``CADRES`` and ``ASSESSMENTS``), every write through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import DomainError
from xiezuoqu.web.forms import parse_id, require_staff, show_error

from . import selectors, services


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    require_staff(actor)
    return actor


def _year(request: HttpRequest) -> int:
    value = parse_id(request.GET.get("year"))
    return value if value and 2000 <= value <= 2100 else timezone.localdate().year


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request)
    overseer = selectors.is_overseer(actor)
    own = selectors.cadres_visible_to(actor).filter(pk=actor.staff_id).first() if actor.staff_id else None
    return render(
        request,
        "training/index.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "own": own,
            "zones": [selectors.zone_training(z, year) for z in selectors.readable_zones(actor)],
            "todo": selectors.my_assessable_open(actor),
            "overseer": overseer,
            "policy": selectors.policy_of(actor.commission_id),
            "levels": selectors.levels_of(actor.commission_id, active_only=False) if overseer else [],
        },
    )


@login_required
@require_POST
def settings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    action = request.POST.get("action", "")
    try:
        if action == "min_turns":
            policy = services.set_min_turns(actor=actor, min_turns=request.POST.get("min_turns"), request=request)
            messages.success(request, f"已将每年至少以干代训次数设为 {policy.min_turns} 次。")
        elif action == "add_level":
            level = services.add_level(
                actor=actor,
                code=request.POST.get("code"),
                name=request.POST.get("name"),
                description=request.POST.get("description", ""),
                request=request,
            )
            messages.success(request, f"已增加能力等级“{level.name}”。")
        elif action in ("disable_level", "enable_level"):
            level = services.set_level_active(
                actor=actor,
                level_id=request.POST.get("level_id"),
                active=action == "enable_level",
                request=request,
            )
            messages.success(request, f"能力等级“{level.name}”已{'启用' if level.is_active else '停用'}。")
        else:
            messages.error(request, "未知操作。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("training:index")


@login_required
def record(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _actor(request)
    cadre = selectors.get_cadre_for(actor, staff_id, request=request)
    found = selectors.record_for(actor, cadre, year=_year(request), request=request)
    return render(request, "training/record.html", {"record": found, "cadre": cadre})


@login_required
def zone(request: HttpRequest, zone_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_zone_for(actor, zone_id, request=request)
    year = _year(request)
    return render(
        request,
        "training/zone.html",
        {"data": selectors.zone_training(found, year), "years": [year - 1, year, year + 1]},
    )


@login_required
def assess(request: HttpRequest, seat_id: int) -> HttpResponse:
    actor = _actor(request)
    seat = selectors.get_assessable_seat(actor, seat_id)
    existing = selectors.assessments_visible_to(actor).filter(seat=seat).select_related("level").first()
    values = {
        "work_done": existing.work_done if existing else "",
        "ready_for": existing.ready_for if existing else "",
        "level": str(existing.level_id) if existing else "",
    }
    may_read = selectors.cadres_visible_to(actor).filter(pk=seat.staff_id).exists()
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            services.record_assessment(actor=actor, seat_id=seat.pk, request=request, **values)
            messages.success(request, f"已保存对{seat.staff.name}的带教评价。")
            if may_read:
                return redirect("training:record", staff_id=seat.staff_id)
            return redirect("training:index")
        except DomainError as exc:
            show_error(request, exc)
            status = exc.status
    working = selectors.working_seat_ids([seat.pk])
    return render(
        request,
        "training/assess.html",
        {
            "seat": seat,
            "existing": existing,
            "values": values,
            "levels": selectors.levels_of(seat.team.clue.commission_id),
            "closed": selectors.seat_closed(seat, working),
            "may_read": may_read,
        },
        status=status,
    )
