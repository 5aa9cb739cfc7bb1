"""Pages: the approvals inbox, a request's page with its decisions, and chain configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.refusals import record_refusal
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from xiezuoqu.org.selectors import UNITS

from . import services
from .matters import DEFAULT_CHAINS, MATTER_TYPES, UnitRule, matter_label
from .models import ApprovalChain, ApprovalRequest, ApprovalRequestStep
from .selectors import (
    APPROVER_ROLES,
    CHAIN_READERS,
    active_chains_for,
    chain_history_for,
    decisions_of,
    may_configure_chains,
    may_decide_now,
    request_detail_for,
    request_list,
    requests_decided_by,
    requests_submitted_by,
    requests_to_decide,
    requests_visible_to,
    step_rows_of,
)
from .workflow import Decision, Mode, State, StepState

PAGE_SIZE = 50
COUNT_CAP = 99
TABS = {
    "to_decide": "待我审批",
    "mine": "我提交的",
    "decided": "经我审批的",
    "all": "全部可见",
}
STATE_TAGS: dict[str, str] = {
    State.PENDING: "blue",
    State.APPROVED: "green",
    State.RETURNED: "yellow",
    State.REJECTED: "red",
    State.WITHDRAWN: "",
    StepState.OPEN: "blue",
    StepState.RETURNED: "yellow",
    StepState.REJECTED: "red",
}
DECISION_TAGS: dict[str, str] = {Decision.APPROVE: "green", Decision.RETURN: "yellow", Decision.REJECT: "red"}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _bounded_count(qs: Any) -> str:
    found = len(qs.values_list("pk", flat=True)[: COUNT_CAP + 1])
    return f"{COUNT_CAP}+" if found > COUNT_CAP else str(found)


# --- inbox and detail ------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """审批: what waits for me, what I submitted, what I decided, all I may see (50 a page, keyset by id)."""
    actor = actor_for(request.user)
    tab = request.GET.get("tab") or "to_decide"
    if tab not in TABS:
        tab = "to_decide"
    lists = {
        "to_decide": requests_to_decide(actor),
        "mine": requests_submitted_by(actor),
        "decided": requests_decided_by(actor),
        "all": requests_visible_to(actor),
    }
    # Every list is cut to the scope as well, so a list can never show more than the policy allows.
    qs = request_list(lists[tab] & requests_visible_to(actor))
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    before = _int_or_none(request.GET.get("before"))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    items = [{"r": row, "tag": STATE_TAGS.get(row.state, "")} for row in rows]
    return render(
        request,
        "approvals/inbox.html",
        {
            "tab": tab,
            "tabs": TABS,
            "rows": items,
            "state": state,
            "states": State.choices,
            "to_decide_count": _bounded_count(lists["to_decide"]),
            "next_before": rows[-1].pk if has_more else None,
        },
    )


def _place(step: ApprovalRequestStep) -> str:
    if step.unit_rule == UnitRule.COMMISSION:
        return "本纪委监委"
    if step.unit_rule == UnitRule.REQUESTER_ZONE:
        return step.zone.name if step.zone else "—"
    return step.unit.name if step.unit else "—"


def _detail_context(actor: Actor, approval: ApprovalRequest) -> dict[str, Any]:
    steps = step_rows_of(approval)
    decisions = decisions_of(approval)
    this_round = {d.step_index: d for d in decisions if d.round == approval.round}
    labels = {step.index: step.label for step in steps}
    rounds: dict[int, list[dict[str, Any]]] = {}
    for decision in decisions:
        rounds.setdefault(decision.round, []).append(
            {"d": decision, "label": labels.get(decision.step_index, ""), "tag": DECISION_TAGS[decision.decision]}
        )
    step_views = [
        {
            "row": step,
            "place": _place(step),
            "decision": this_round.get(step.index),
            "tag": STATE_TAGS.get(step.state, ""),
            "current": step.state == StepState.OPEN,
        }
        for step in steps
    ]
    decidable = may_decide_now(actor, approval)
    return {
        "approval": approval,
        "steps": step_views,
        "rounds": sorted(rounds.items(), reverse=True),
        "decidable": [{"index": i, "label": labels[i]} for i in decidable],
        "is_requester": approval.requester_id == actor.user_id,
        "can_withdraw": approval.requester_id == actor.user_id and approval.state in (State.PENDING, State.RETURNED),
        "can_resubmit": approval.requester_id == actor.user_id and approval.state == State.RETURNED,
        "state_tag": STATE_TAGS.get(approval.state, ""),
        "mode_is_parallel": approval.mode == Mode.PARALLEL,
    }


@login_required
def detail(request: HttpRequest, approval_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    approval = request_detail_for(actor, approval_id)
    with transaction.atomic():
        record_event(actor=actor, action="approval.viewed", target=approval, request=request)
    return render(request, "approvals/detail.html", _detail_context(actor, approval))


def _run(request: HttpRequest, approval_id: int, success: str, action: Any) -> HttpResponse:
    """Call a service; a refusal is shown on the request's page (recorded when it names an action)."""
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        record_refusal(request, exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("approvals:detail", approval_id=approval_id)


@login_required
@require_POST
def decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    decision = request.POST.get("decision", "")
    labels: dict[str, str] = dict(Decision.choices)
    return _run(
        request,
        approval_id,
        f"已提交审批意见：{labels.get(decision, decision)}。",
        lambda: services.decide(
            actor=actor,
            approval_id=approval_id,
            decision=decision,
            comment=request.POST.get("comment", ""),
            step_index=_int_or_none(request.POST.get("step_index")),
            round=_int_or_none(request.POST.get("round")),
            request=request,
        ),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, approval_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    return _run(
        request,
        approval_id,
        "申请已撤回。",
        lambda: services.withdraw_request(
            actor=actor, approval_id=approval_id, reason=request.POST.get("reason", ""), request=request
        ),
    )


@login_required
@require_POST
def resubmit(request: HttpRequest, approval_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    return _run(
        request,
        approval_id,
        "申请已重新提交，进入新一轮审批。",
        lambda: services.resubmit_request(
            actor=actor,
            approval_id=approval_id,
            title=request.POST.get("title"),
            reason=request.POST.get("reason"),
            request=request,
        ),
    )


# --- chains ------------------------------------------------------------------------------------------


def _require_chain_reader(actor: Actor) -> None:
    if not actor.roles & CHAIN_READERS or actor.commission_id is None:
        raise NotFound()


@login_required
def chain_list(request: HttpRequest) -> HttpResponse:
    """审批链配置: the chain in use for every matter type of the actor's commission."""
    actor = actor_for(request.user)
    _require_chain_reader(actor)
    chains = {chain.matter_type: chain for chain in active_chains_for(actor)}
    known = list(MATTER_TYPES.values())
    rows: list[dict[str, Any]] = [{"slug": m.slug, "label": m.label, "chain": chains.get(m.slug)} for m in known]
    rows += [
        {"slug": slug, "label": matter_label(slug), "chain": chain}
        for slug, chain in chains.items()
        if slug not in MATTER_TYPES
    ]
    missing_defaults = any(slug not in chains for slug in DEFAULT_CHAINS)
    return render(
        request,
        "approvals/chains.html",
        {"rows": rows, "can_configure": may_configure_chains(actor), "missing_defaults": missing_defaults},
    )


@login_required
@require_POST
def chain_defaults(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    _require_chain_reader(actor)
    try:
        created = services.install_default_chains(actor=actor, request=request)
    except NotPermitted as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(request, f"已按默认设置配置 {len(created)} 条审批链。")
        else:
            messages.info(request, "所有事项均已配置审批链，未作改动。")
    return redirect("approvals:chains")


def _blank_row() -> dict[str, Any]:
    return {"role": "", "unit_rule": "", "fixed_unit_id": None, "label": ""}


def _rows_from_post(request: HttpRequest) -> list[dict[str, Any]]:
    roles = request.POST.getlist("step_role")
    rules = request.POST.getlist("step_unit_rule")
    units = request.POST.getlist("step_fixed_unit")
    labels = request.POST.getlist("step_label")
    count = max(len(roles), len(rules), len(units), len(labels))

    def at(values: list[str], i: int) -> str:
        return values[i].strip() if i < len(values) else ""

    rows = []
    for i in range(count):
        row = {
            "role": at(roles, i),
            "unit_rule": at(rules, i),
            "fixed_unit_id": _int_or_none(at(units, i)),
            "label": at(labels, i),
        }
        if row["role"] or row["unit_rule"] or row["label"]:
            rows.append(row)
    return rows


@login_required
def chain_edit(request: HttpRequest, matter_type: str) -> HttpResponse:
    """Edit a matter type's chain: saving creates a new version; running requests keep their copy."""
    actor = actor_for(request.user)
    _require_chain_reader(actor)
    if matter_type not in MATTER_TYPES:
        raise NotFound()
    if not may_configure_chains(actor):
        raise NotPermitted("只有纪委书记或系统管理员可以配置审批链。")
    history = chain_history_for(actor, matter_type)
    current: ApprovalChain | None = next((c for c in history if c.is_active), None)
    error: DomainError | None = None
    if request.method == "POST":
        name = request.POST.get("name", "")
        mode = request.POST.get("mode", "")
        rows = _rows_from_post(request)
        try:
            services.configure_chain(
                actor=actor,
                matter_type=matter_type,
                name=name,
                mode=mode,
                steps=[{**row, "fixed_unit": row["fixed_unit_id"]} for row in rows],
                request=request,
            )
        except (ValidationFailed, NotPermitted) as exc:
            error = exc
        except DomainError as exc:
            record_refusal(request, exc)
            error = exc
        else:
            messages.success(request, f"已保存“{matter_label(matter_type)}”的审批链，新提交的申请将按新设置审批。")
            return redirect("approvals:chains")
    elif current is not None:
        name, mode = current.name, current.mode
        rows = [
            {"role": s.role, "unit_rule": s.unit_rule, "fixed_unit_id": s.fixed_unit_id, "label": s.label}
            for s in current.steps.order_by("order")
        ]
    else:
        spec = DEFAULT_CHAINS.get(matter_type)
        name = spec.name if spec else f"{matter_label(matter_type)}审批"
        mode = spec.mode if spec else Mode.SEQUENTIAL
        rows = [
            {"role": s.role, "unit_rule": s.unit_rule, "fixed_unit_id": s.fixed_unit_id, "label": s.label}
            for s in (spec.steps if spec else ())
        ]
    rows = rows + [_blank_row() for _ in range(2)]
    units = UNITS.scope(actor).filter(commission_id=actor.commission_id, is_active=True).order_by("sort_order", "id")
    return render(
        request,
        "approvals/chain_form.html",
        {
            "matter_type": matter_type,
            "matter_label": matter_label(matter_type),
            "name": name,
            "mode": mode,
            "rows": rows,
            "modes": Mode.choices,
            "roles": [(r.value, r.label) for r in Role if r in APPROVER_ROLES],
            "unit_rules": UnitRule.choices,
            "units": list(units.values_list("pk", "name")),
            "history": history,
            "current": current,
            "error": error,
        },
        status=422 if error else 200,
    )
