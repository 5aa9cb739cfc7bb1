"""Pages of 办案经费 and 办案车辆: zone budgets and their figures, claims, adjustments, the vehicle pool,
the booking calendar, bookings and the trip log, and the two .xlsx ledgers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.org.selectors import staff_visible_to, zones_visible_to
from xiezuoqu.web.forms import parse_datetime, parse_id, require_staff, show_error

from . import exports, selectors, services
from .models import AdjustmentKind, BookingState, VehicleStatus
from .workflow import ClaimState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    require_staff(actor)
    return actor


def _year(request: HttpRequest) -> int:
    value = parse_id(request.GET.get("year"))
    return value if value and 2000 <= value <= 2100 else timezone.localdate().year


def _budget_rows(budget: Any) -> dict[str, Any]:
    figures = selectors.figures_for(budget)
    ratio = selectors.policy_of(budget.commission_id).warning_ratio
    total_amount = sum((f.amount for f in figures), Decimal("0.00"))
    total_spent = sum((f.spent for f in figures), Decimal("0.00"))
    total_committed = sum((f.committed for f in figures), Decimal("0.00"))
    closed = selectors.closed_case_count(budget)
    return {
        "budget": budget,
        "figures": [(f, f.warning(ratio)) for f in figures],
        "amount": total_amount,
        "spent": total_spent,
        "committed": total_committed,
        "remaining": total_amount - total_spent - total_committed,
        "closed_cases": closed,
        "cost_per_case": (total_spent / closed).quantize(Decimal("0.01")) if closed else None,
        "warning_percent": int(ratio * 100),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request)
    budgets = [_budget_rows(b) for b in selectors.budget_list(actor, year)]
    overseer = selectors.is_overseer(actor)
    return render(
        request,
        "funds/index.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "budgets": budgets,
            "claims": selectors.claim_list(actor, year=year, limit=100),
            "overseer": overseer,
            "zones": list(zones_visible_to(actor).order_by("id")) if overseer else [],
            "kinds": selectors.line_kinds(actor.commission_id or 0) if overseer else [],
            "policy": selectors.policy_of(actor.commission_id or 0),
        },
    )


@login_required
@require_POST
def budget_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    year = parse_id(post.get("year")) or 0
    try:
        kinds = selectors.line_kinds(actor.commission_id or 0)
        budget = services.set_budget(
            actor=actor,
            zone_id=post.get("zone_id"),
            year=year,
            amounts={k.pk: post.get(f"line_{k.pk}", "0") or "0" for k in kinds},
            note=post.get("note", ""),
            request=request,
        )
        messages.success(request, f"已下达{budget}。")
        return redirect("funds:budget", budget_id=budget.pk)
    except DomainError as exc:
        show_error(request, exc)
    return redirect(f"{_index_url()}?year={year}")


def _index_url() -> str:
    from django.urls import reverse

    return reverse("funds:index")


@login_required
@require_POST
def policy(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        services.set_policy(
            actor=actor,
            zone_limit=request.POST.get("zone_limit", ""),
            leader_limit=request.POST.get("leader_limit", ""),
            request=request,
        )
        messages.success(request, "已保存经费审批分级限额。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:index")


@login_required
def budget(request: HttpRequest, budget_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_budget_for(actor, budget_id)
    context = _budget_rows(found)
    context.update(
        {
            "claims": selectors.claim_list(actor, zone_id=found.zone_id, year=found.year),
            "adjustments": list(
                selectors.adjustments_visible_to(actor)
                .filter(line__budget=found)
                .select_related("line__kind", "requested_by")
                .order_by("-id")
            ),
            "adjustment_kinds": AdjustmentKind.choices,
        }
    )
    return render(request, "funds/budget.html", context)


@login_required
@require_POST
def adjust(request: HttpRequest, budget_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_budget_for(actor, budget_id)
    try:
        line = selectors.lines_visible_to(actor).filter(budget=found, pk=parse_id(request.POST.get("line_id"))).first()
        if line is None:
            raise NotFound("请选择本预算的科目。")
        services.request_adjustment(
            actor=actor,
            line_id=line.pk,
            kind=request.POST.get("kind", ""),
            amount=request.POST.get("amount", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(request, "已提出预算调整，报分管委领导和纪委书记审批。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:budget", budget_id=found.pk)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def funds_ledger(request: HttpRequest, budget_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_budget_for(actor, budget_id)
    content = exports.funds_ledger(actor, found)
    with transaction.atomic():
        record_event(actor=actor, action="funds_ledger.exported", target=found, request=request)
    return _xlsx(content, f"{found.zone.name}{found.year}年度经费台账.xlsx")


@login_required
def vehicle_ledger(request: HttpRequest, budget_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_budget_for(actor, budget_id)
    content = exports.vehicle_ledger(actor, found.zone_id, found.zone.name, found.year)
    with transaction.atomic():
        record_event(actor=actor, action="vehicle_ledger.exported", target=found, request=request)
    return _xlsx(content, f"{found.zone.name}{found.year}年度车辆使用台账.xlsx")


# --- claims --------------------------------------------------------------------------------------


@login_required
def claim_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = timezone.localdate().year
    values = {
        "line_id": request.POST.get("line_id", ""),
        "matter_kind": request.POST.get("matter_kind", request.GET.get("kind", "clue")),
        "matter_id": request.POST.get("matter_id", request.GET.get("id", "")),
        "amount": request.POST.get("amount", ""),
        "purpose": request.POST.get("purpose", ""),
        "people": request.POST.get("people", ""),
    }
    if request.method == "POST":
        try:
            claim = services.create_claim(actor=actor, data=services.ClaimInput(**values), request=request)
            messages.success(request, "已保存经费申请草稿；上传票据后提交审批。")
            return redirect("funds:claim", claim_id=claim.pk)
        except DomainError as exc:
            show_error(request, exc)
    return render(
        request,
        "funds/claim_new.html",
        {"lines": selectors.claimable_lines(actor, year), "kinds": selectors.matter_kinds(), "values": values},
    )


@login_required
def claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    spec = selectors.matter_spec(found.matter_kind)
    matter = selectors.matter_for(actor, found.matter_kind, found.matter_id)
    return render(
        request,
        "funds/claim.html",
        {
            "claim": found,
            "S": ClaimState,
            "receipts": list(selectors.receipts_visible_to(actor).filter(claim=found)),
            "matter_url": spec.url(matter) if spec and matter else "",
            "mine": found.claimant_id == actor.user_id,
            "fleet": selectors.is_fleet_manager(actor, found.commission_id),
            "reversal": selectors.claims_visible_to(actor).filter(reverses=found).first(),
        },
    )


@login_required
@require_POST
def claim_act(request: HttpRequest, claim_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_claim_for(actor, claim_id)
    action = request.POST.get("action", "")
    try:
        if action == "submit":
            services.submit_claim(actor=actor, claim_id=found.pk, request=request)
            messages.success(request, "已提交审批。")
        elif action == "withdraw":
            services.withdraw_claim(actor=actor, claim_id=found.pk, request=request)
            messages.success(request, "已撤回。")
        elif action == "pay":
            services.pay_claim(actor=actor, claim_id=found.pk, request=request)
            messages.success(request, "已登记支付。")
        elif action == "reverse":
            reversal = services.reverse_claim(
                actor=actor, claim_id=found.pk, reason=request.POST.get("reason", ""), request=request
            )
            messages.success(request, "已作冲销分录。")
            return redirect("funds:claim", claim_id=reversal.pk)
        elif action == "receipt":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, "请选择票据文件。")
            else:
                services.add_receipt(
                    actor=actor, claim_id=found.pk, file_name=upload.name or "", data=upload.read(), request=request
                )
                messages.success(request, "已上传票据。")
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:claim", claim_id=found.pk)


@login_required
def receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    actor = _actor(request)
    found, content = services.read_receipt(actor=actor, receipt_id=receipt_id, request=request)
    response = HttpResponse(content, content_type=found.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(found.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- vehicles ------------------------------------------------------------------------------------


@login_required
def vehicles(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=7)
    end = today + timedelta(days=31)
    days: dict[Any, list[Any]] = {}
    for view in selectors.booking_views(actor, selectors.booking_list(actor, start=start, end=end)):
        days.setdefault(timezone.localtime(view.booking.starts_at).date(), []).append(view)
    fleet = selectors.is_fleet_manager(actor)
    return render(
        request,
        "funds/vehicles.html",
        {
            "vehicles": selectors.vehicle_list(actor),
            "days": sorted(days.items()),
            "fleet": fleet,
            "zones": list(zones_visible_to(actor).order_by("id")) if fleet else [],
        },
    )


@login_required
@require_POST
def vehicle_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    try:
        found = services.add_vehicle(
            actor=actor,
            data=services.VehicleInput(
                plate=post.get("plate", ""),
                seats=post.get("seats", ""),
                zone_id=post.get("zone_id") or None,
                model_name=post.get("model_name", ""),
                odometer_km=post.get("odometer_km", "0") or "0",
            ),
            request=request,
        )
        messages.success(request, f"已将 {found.plate} 加入车辆库。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:vehicles")


@login_required
def vehicle(request: HttpRequest, vehicle_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_vehicle_for(actor, vehicle_id)
    trips = selectors.trip_list(actor, found)
    return render(
        request,
        "funds/vehicle.html",
        {
            "vehicle": found,
            "trips": [(t, selectors.booking_view(actor, t.booking)) for t in trips],
            "fleet": selectors.is_fleet_manager(actor, found.commission_id),
            "statuses": VehicleStatus.choices,
        },
    )


@login_required
@require_POST
def vehicle_status(request: HttpRequest, vehicle_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_vehicle_for(actor, vehicle_id)
    try:
        services.set_vehicle_status(
            actor=actor, vehicle_id=found.pk, status=request.POST.get("status", ""), request=request
        )
        messages.success(request, "已更新车辆状态。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:vehicle", vehicle_id=found.pk)


@login_required
def booking_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    post = request.POST
    values = {
        "vehicle_id": post.get("vehicle_id", request.GET.get("vehicle", "")),
        "driver_id": post.get("driver_id", ""),
        "matter_kind": post.get("matter_kind", request.GET.get("kind", "clue")),
        "matter_id": post.get("matter_id", request.GET.get("id", "")),
        "starts_at": post.get("starts_at", ""),
        "ends_at": post.get("ends_at", ""),
        "destination": post.get("destination", ""),
        "passengers": post.get("passengers", ""),
        "confidential": post.get("confidential") == "on",
    }
    if request.method == "POST":
        try:
            created = services.book_vehicle(
                actor=actor,
                data=services.BookingInput(
                    vehicle_id=values["vehicle_id"],
                    driver_id=values["driver_id"],
                    matter_kind=str(values["matter_kind"]),
                    matter_id=values["matter_id"],
                    starts_at=parse_datetime(str(values["starts_at"])),  # type: ignore[arg-type]
                    ends_at=parse_datetime(str(values["ends_at"])),  # type: ignore[arg-type]
                    destination=str(values["destination"]),
                    passengers=str(values["passengers"]),
                    confidential=bool(values["confidential"]),
                ),
                request=request,
            )
            messages.success(request, f"已预约 {created.vehicle.plate}。")
            return redirect("funds:booking", booking_id=created.pk)
        except DomainError as exc:
            show_error(request, exc)
    return render(
        request,
        "funds/booking_new.html",
        {
            "vehicles": [v for v in selectors.vehicle_list(actor) if v.status == VehicleStatus.AVAILABLE],
            "drivers": list(
                staff_visible_to(actor).filter(commission_id=actor.commission_id, is_active=True).order_by("name")[:300]
            ),
            "kinds": selectors.matter_kinds(),
            "values": values,
        },
    )


@login_required
def booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_booking_for(actor, booking_id)
    view = selectors.booking_view(actor, found)
    trip = selectors.trips_visible_to(actor).filter(booking=found).first()
    handler = (
        found.booked_by_id == actor.user_id
        or (actor.staff_id is not None and found.driver_id == actor.staff_id)
        or selectors.is_fleet_manager(actor, found.commission_id)
    )
    return render(
        request,
        "funds/booking.html",
        {"view": view, "booking": found, "trip": trip, "handler": handler, "B": BookingState},
    )


@login_required
@require_POST
def booking_act(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = _actor(request)
    found = selectors.get_booking_for(actor, booking_id)
    action = request.POST.get("action", "")
    post = request.POST
    try:
        if action == "cancel":
            services.cancel_booking(actor=actor, booking_id=found.pk, request=request)
            messages.success(request, "已取消预约。")
        elif action == "trip":
            services.record_trip(
                actor=actor,
                booking_id=found.pk,
                odometer_start=post.get("odometer_start", ""),
                odometer_end=post.get("odometer_end", ""),
                cost=post.get("cost", "0") or "0",
                note=post.get("note", ""),
                request=request,
            )
            messages.success(request, "已登记出车记录。")
        elif action == "claim":
            trip = selectors.trips_visible_to(actor).filter(booking=found).first()
            if trip is None:
                raise NotFound("该预约还没有出车记录。")
            created = services.claim_trip(actor=actor, trip_id=trip.pk, request=request)
            messages.success(request, "已生成交通费申请草稿。")
            return redirect("funds:claim", claim_id=created.pk)
        else:
            messages.error(request, "未知的操作，请刷新页面后重试。")
    except DomainError as exc:
        show_error(request, exc)
    return redirect("funds:booking", booking_id=found.pk)
