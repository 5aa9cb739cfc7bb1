"""Pages of recusal (回避) and the intervention register (干预登记).

- ``/recusal/``: the commission head's pending demands, and the intervention register over every matter
  the user can see (reading it is on record);
- ``/recusal/clue/<id>/``: one matter — the conflict screening of the zone's pool, recusals, demands,
  declarations, overrides, interventions, and the forms that act on them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.selectors import get_clue_for, may_work, zone_worker
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.web.forms import parse_date, parse_datetime, require_staff, show_error

from . import services
from .conflicts import conflicts_for
from .models import DemandBy, Ground, InterventionChannel, InterventionKind
from .selectors import interventions_register, matter_recusal, pending_demands_for_head, pool_for

REGISTER_LIMIT = 200


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    interventions = list(interventions_register(actor)[:REGISTER_LIMIT])
    if interventions:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="intervention.register_viewed",
                target_type="recusal.intervention",
                detail={"interventions": [i.pk for i in interventions]},
                request=request,
            )
    return render(
        request,
        "recusal/index.html",
        {"demands": list(pending_demands_for_head(actor)), "interventions": interventions, "limit": REGISTER_LIMIT},
    )


@login_required
def matter(request: HttpRequest, clue_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        clue = get_clue_for(actor, clue_id)
        data = matter_recusal(actor, clue, request=request)
    works = may_work(actor, clue) or zone_worker(actor, clue.zone_id)
    screening: list[dict[str, Any]] = []
    if works:
        pool = pool_for(clue)
        found = conflicts_for(clue, [s.pk for s in pool])
        screening = [
            {
                "staff": s,
                "conflicts": found[s.pk],
                # One exception request per ground, for the grounds that keep the person off the team.
                "overridable": sorted(
                    {(c.ground, c.ground_label) for c in found[s.pk] if not c.overridden and not c.cross_rule}
                ),
            }
            for s in pool
            if s.pk in found
        ]
    return render(
        request,
        "recusal/matter.html",
        {
            "clue": clue,
            "data": data,
            "works": works,
            "screening": screening,
            "is_head": services.is_commission_head_for(actor, clue),
            "grounds": Ground.choices,
            "demanded_by": DemandBy.choices,
            "kinds": InterventionKind.choices,
            "channels": InterventionChannel.choices,
            "staff_choices": pool_for(clue) if works else [],
            "my_staff_id": actor.staff_id,
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, clue_id: int) -> HttpResponse:
    """One form posts one action of the matter's recusal page to its service."""
    actor = actor_for(request.user)
    require_staff(actor)
    post = request.POST
    action = post.get("action", "")
    done = {
        "withdraw": "已登记本人回避，您将不再能查看本线索。",
        "demand": "已登记回避申请，待纪委书记决定。",
        "grant": "已决定回避。",
        "refuse": "已决定不予回避。",
        "decide": "已决定回避。",
        "lift": "已撤销回避。",
        "declare": "已签署回避声明。",
        "paper": "已登记纸质回避声明。",
        "override": "已提交回避冲突例外审批。",
        "intervention": "已登记干预情况。",
    }
    try:
        if action == "withdraw":
            services.withdraw_self(
                actor=actor,
                clue_id=clue_id,
                ground=post.get("ground", ""),
                detail=post.get("detail", ""),
                request=request,
            )
            messages.success(request, done[action])
            return redirect("recusal:index")
        if action == "demand":
            services.record_demand(
                actor=actor,
                clue_id=clue_id,
                data=services.DemandInput(
                    staff_id=post.get("staff_id"),
                    demanded_by=post.get("demanded_by", ""),
                    ground=post.get("ground", ""),
                    statement=post.get("statement", ""),
                    received_on=parse_date(post.get("received_on")),
                ),
                request=request,
            )
        elif action in ("grant", "refuse"):
            services.decide_demand(
                actor=actor,
                demand_id=post.get("demand_id"),
                grant=action == "grant",
                reason=post.get("reason", ""),
                request=request,
            )
        elif action == "decide":
            services.recuse_by_decision(
                actor=actor,
                clue_id=clue_id,
                staff_id=post.get("staff_id"),
                ground=post.get("ground", ""),
                detail=post.get("detail", ""),
                request=request,
            )
        elif action == "lift":
            services.lift_recusal(
                actor=actor, recusal_id=post.get("recusal_id"), reason=post.get("reason", ""), request=request
            )
        elif action == "declare":
            services.sign_declaration(
                actor=actor,
                clue_id=clue_id,
                no_conflict=post.get("no_conflict") == "yes",
                disclosure=post.get("disclosure", ""),
                ground=post.get("ground", Ground.OTHER) or Ground.OTHER,
                request=request,
            )
        elif action == "paper":
            services.record_paper_declaration(
                actor=actor,
                clue_id=clue_id,
                staff_id=post.get("staff_id"),
                no_conflict=post.get("no_conflict") == "yes",
                disclosure=post.get("disclosure", ""),
                ground=post.get("ground", Ground.OTHER) or Ground.OTHER,
                request=request,
            )
        elif action == "override":
            services.request_override(
                actor=actor,
                clue_id=clue_id,
                staff_id=post.get("staff_id"),
                ground=post.get("ground", ""),
                reason=post.get("reason", ""),
                request=request,
            )
        elif action == "intervention":
            services.record_intervention(
                actor=actor,
                clue_id=clue_id,
                data=services.InterventionInput(
                    kind=post.get("kind", ""),
                    channel=post.get("channel", ""),
                    occurred_at=parse_datetime(post.get("occurred_at")),
                    intervener_name=post.get("intervener_name", ""),
                    intervener_unit=post.get("intervener_unit", ""),
                    content=post.get("content", ""),
                    response=post.get("response", ""),
                ),
                request=request,
            )
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
            return redirect("recusal:matter", clue_id=clue_id)
        messages.success(request, done[action])
    except DomainError as exc:
        show_error(request, exc)
        if isinstance(exc, NotFound):
            return redirect("recusal:index")
    return redirect("recusal:matter", clue_id=clue_id)
