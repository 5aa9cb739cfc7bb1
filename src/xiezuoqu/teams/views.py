"""Pages of handling modes and teams (组队).

- ``/teams/clue/<id>/``: a clue's teams — run the solver, see the proposal with its objective and why
  each excluded candidate was left out, confirm or edit it (edits are checked again), who still has to
  sign the 回避声明, and the handling-mode requests with the zone leader's decision;
- ``/teams/zone/<id>/batch/``: teams for several of a zone's clues in one solve;
- ``/teams/workload/``: who carries what — active seats against capacity, a bar per person.

Thin: parse, call a selector or a service, render. Every read goes through the scope in ``selectors``
(and the clue's funnel); every write through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.clues.selectors import view_clue
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.keys import as_key
from xiezuoqu.org.selectors import ZONES
from xiezuoqu.recusal.selectors import unsigned_member_ids
from xiezuoqu.web.forms import require_staff, show_error

from . import services
from .models import HandlingMode, JointGround, MemberRole, Purpose, RequestState, Team, TeamState
from .selectors import (
    clues_awaiting_team,
    leads_zone,
    may_propose,
    requests_of_clue,
    teams_of_clue,
    workload,
    workload_zone_ids,
)


def _int(value: str | None, default: int = 0) -> int:
    key = as_key(value)
    return key if key is not None else default


def _team_view(team: Team, clue_id: int) -> dict[str, Any]:
    active = [m for m in team.members.all() if m.left_on is None]
    live = team.state in (TeamState.PROPOSED, TeamState.CONFIRMED)
    return {
        "team": team,
        "active": active,
        "left": [m for m in team.members.all() if m.left_on is not None],
        "problems": services.team_problems(team, members=active) if live else [],
        "unsigned": unsigned_member_ids(clue_id, [m.staff_id for m in active]) if live else set(),
        "summary": team.solver_summary or {},
    }


@login_required
def clue_teams(request: HttpRequest, clue_id: int) -> HttpResponse:
    """A clue's teams, the solver's proposal and the handling-mode requests."""
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        clue = view_clue(actor, clue_id, request=request)
    teams = teams_of_clue(actor, clue.pk)
    shown = [_team_view(t, clue.pk) for t in teams if t.state in (TeamState.PROPOSED, TeamState.CONFIRMED)]
    live_mode = next((t.mode for t in teams if t.state in (TeamState.PROPOSED, TeamState.CONFIRMED)), None)
    leads = leads_zone(actor, clue.zone_id)
    return render(
        request,
        "teams/clue.html",
        {
            "clue": clue,
            "shown": shown,
            "history": [t for t in teams if t.state not in (TeamState.PROPOSED, TeamState.CONFIRMED)],
            "requests": requests_of_clue(actor, clue.pk),
            "verifying": clue.state == ClueState.PRELIMINARY_VERIFICATION,
            "may_propose": may_propose(actor, clue.zone_id),
            "leads": leads,
            "decides": clue.zone_id is not None and clue.zone_id in actor.led_zone_ids,
            "granted_mode": services.granted_mode(clue.pk),
            "pool": services.pool_staff(clue, live_mode) if leads and live_mode else [],
            "modes": HandlingMode.choices,
            "grounds": JointGround.choices,
            "roles": MemberRole.choices,
            "pending": RequestState.PENDING,
            "user_id": actor.user_id,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, clue_id: int) -> HttpResponse:
    """One form posts one action of the team page to its service."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    try:
        if action == "propose":
            services.propose_team(
                actor=actor,
                clue_id=clue_id,
                mode=post.get("mode", HandlingMode.CROSS),
                size=_int(post.get("size"), 3),
                trainee_seats=_int(post.get("trainee_seats"), 0),
                purpose=post.get("purpose", Purpose.VERIFICATION),
                request=request,
            )
        elif action == "confirm":
            services.confirm_team(actor=actor, team_id=_int(post.get("team_id")), request=request)
        elif action == "edit":
            add = []
            if post.get("add_staff"):
                role = post.get("add_role", MemberRole.MEMBER)
                add.append(
                    services.MemberInput(
                        staff_id=_int(post.get("add_staff")),
                        role=role,
                        mentor_id=_int(post.get("add_mentor")) or None,
                    )
                )
            services.edit_team(
                actor=actor,
                team_id=_int(post.get("team_id")),
                reason=post.get("reason", ""),
                add=add,
                remove=[_int(v) for v in post.getlist("remove") if as_key(v) is not None],
                lead_id=_int(post.get("lead_id")) or None,
                request=request,
            )
        elif action == "dissolve":
            services.dissolve_team(
                actor=actor, team_id=_int(post.get("team_id")), reason=post.get("reason", ""), request=request
            )
        elif action == "leave":
            services.remove_member(
                actor=actor,
                team_id=_int(post.get("team_id")),
                staff_id=_int(post.get("staff_id")),
                reason=post.get("reason", ""),
                request=request,
            )
        elif action == "request_mode":
            services.request_handling_mode(
                actor=actor,
                clue_id=clue_id,
                mode=post.get("mode", ""),
                grounds=post.getlist("grounds"),
                reason=post.get("reason", ""),
                request=request,
            )
        elif action == "decide_request":
            services.decide_handling_request(
                actor=actor,
                request_id=_int(post.get("request_id")),
                grant=post.get("decision") == "grant",
                note=post.get("note", ""),
                mode=post.get("decided_mode") or None,
                request=request,
            )
        elif action == "withdraw_request":
            services.withdraw_handling_request(actor=actor, request_id=_int(post.get("request_id")), request=request)
        else:
            raise NotFound()
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, "已办理。")
    return redirect("teams:clue", clue_id)


@login_required
def batch(request: HttpRequest, zone_id: int) -> HttpResponse:
    """Teams for several of the zone's clues in 初步核实 at once (one solve shares the workload out)."""
    actor = actor_for(request.user)
    require_staff(actor)
    zone = ZONES.get_for(actor, zone_id)
    if not may_propose(actor, zone.pk):
        raise NotFound()
    made: list[Team] = []
    if request.method == "POST":
        try:
            made = services.propose_batch(
                actor=actor,
                zone_id=zone.pk,
                clue_ids=[_int(v) for v in request.POST.getlist("clue_ids") if as_key(v) is not None],
                mode=request.POST.get("mode", HandlingMode.CROSS),
                size=_int(request.POST.get("size"), 3),
                trainee_seats=_int(request.POST.get("trainee_seats"), 0),
                request=request,
            )
        except NotFound:
            raise
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, f"已为 {len(made)} 条线索提出组队方案，请逐一确定。")
    waiting = clues_awaiting_team(actor, zone.pk)
    proposed = {t.clue_id: t for t in made}
    return render(
        request,
        "teams/batch.html",
        {
            "zone": zone,
            "rows": [{"clue": c, "team": proposed.get(c.pk)} for c in waiting],
            "made": made,
            "modes": HandlingMode.choices,
        },
    )


@login_required
def workload_page(request: HttpRequest) -> HttpResponse:
    """工作量: who carries what — active seats against capacity, per person, busiest first."""
    actor = actor_for(request.user)
    require_staff(actor)
    zones = workload_zone_ids(actor)
    if not zones:
        raise NotFound()
    wanted = _int(request.GET.get("zone"))
    zone = next((z for z in zones if z.pk == wanted), None)
    if zone is None and wanted:
        raise NotFound()
    if zone is None and len(zones) == 1:
        zone = zones[0]
    rows = workload(actor, zone)
    return render(
        request,
        "teams/workload.html",
        {
            "zones": zones,
            "zone": zone,
            "rows": rows,
            "total_load": sum(r.load for r in rows),
            "total_capacity": sum(r.capacity for r in rows),
        },
    )
