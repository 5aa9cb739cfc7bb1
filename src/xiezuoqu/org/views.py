"""Pages of the organisation: the zone org chart first, then units, zones, staff and their ties."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import DomainError, NotFound
from xiezuoqu.keys import is_key_text
from xiezuoqu.web.forms import posted_id, show_error

from . import services
from .forms import (
    DeputyForm,
    EndDateForm,
    MembershipForm,
    MentoringForm,
    RelationshipForm,
    StaffForm,
    SupervisorForm,
    UnitForm,
    VillageForm,
    ZoneForm,
    scope_choices,
)
from .models import Commission, StaffMember, Unit
from .selectors import (
    MEMBERSHIPS,
    MENTORING,
    RELATIONSHIPS,
    STAFF,
    SUPERVISORS,
    UNITS,
    VILLAGES,
    ZONES,
    may_see_people,
    memberships_on,
    org_chart,
)

HANDLED = (DomainError,)


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def _post_action(request: HttpRequest) -> str:
    return request.POST.get("action", "") if request.method == "POST" else ""


@login_required
def chart(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    zones = org_chart(actor)
    in_zone = {m.unit_id for z in zones for m in z.current_memberships}  # type: ignore[attr-defined]
    commission_units = list(
        UNITS.scope(actor).filter(
            kind__in=[
                Unit.Kind.LEADERSHIP,
                Unit.Kind.PETITION_OFFICE,
                Unit.Kind.CASE_MANAGEMENT_OFFICE,
                Unit.Kind.TRIAL_OFFICE,
                Unit.Kind.OTHER_OFFICE,
            ]
        )
    )
    outside = list(
        UNITS.scope(actor)
        .filter(
            kind__in=[Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.DISPATCHED_GROUP, Unit.Kind.INSPECTION_OFFICE],
            is_active=True,
        )
        .exclude(pk__in=in_zone)
    )
    for zone in zones:
        groups: dict[str, list[Unit]] = {"office": [], "group": [], "township": []}
        for m in zone.current_memberships:  # type: ignore[attr-defined]
            key = {"inspection_office": "office", "dispatched_group": "group"}.get(m.unit.kind, "township")
            groups[key].append(m.unit)
        zone.groups = groups  # type: ignore[attr-defined]
    return render(
        request,
        "org/chart.html",
        {
            "zones": zones,
            "commission_units": commission_units,
            "outside": outside,
            "show_people": may_see_people(actor),
        },
    )


@login_required
def zone_detail(request: HttpRequest, zone_id: int) -> HttpResponse:
    actor = _actor(request)
    zone = ZONES.get_for(actor, zone_id, queryset=ZONES.scope(actor).select_related("leader", "inspection_office"))
    is_admin = actor.has(Role.SYSTEM_ADMIN)
    member_form = MembershipForm(request.POST if _post_action(request) == "add_member" else None, prefix="m")
    scope_choices(
        member_form,
        unit=UNITS.scope(actor).filter(
            kind__in=[Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.INSPECTION_OFFICE, Unit.Kind.DISPATCHED_GROUP]
        ),
    )
    deputy_form = DeputyForm(request.POST if _post_action(request) == "add_deputy" else None, prefix="d")
    scope_choices(
        deputy_form,
        staff=STAFF.scope(actor)
        .filter(home_unit__kind__in=[Unit.Kind.INSPECTION_OFFICE, Unit.Kind.DISPATCHED_GROUP], is_active=True)
        .select_related("home_unit"),
    )
    zone_form = ZoneForm(request.POST if _post_action(request) == "edit" else None, instance=zone, prefix="z")
    scope_choices(
        zone_form,
        leader=STAFF.scope(actor).filter(home_unit__kind=Unit.Kind.LEADERSHIP),
        inspection_office=UNITS.scope(actor).filter(kind=Unit.Kind.INSPECTION_OFFICE),
    )
    action = _post_action(request)
    try:
        if action == "add_member" and member_form.is_valid():
            services.add_zone_member(
                actor=actor,
                zone_id=zone.pk,
                unit_id=member_form.cleaned_data["unit"].pk,
                start_date=member_form.cleaned_data["start_date"],
                request=request,
            )
            messages.success(request, "成员单位已加入。")
            return redirect("org:zone_detail", zone_id=zone.pk)
        if action == "end_member":
            end = EndDateForm(request.POST)
            if end.is_valid():
                services.end_zone_membership(
                    actor=actor,
                    membership_id=posted_id(request, "membership"),
                    end_date=end.cleaned_data["end_date"],
                    request=request,
                )
                messages.success(request, "已登记退出。")
                return redirect("org:zone_detail", zone_id=zone.pk)
            messages.error(request, "请填写有效的退出日期。")
        if action == "add_deputy" and deputy_form.is_valid():
            services.appoint_deputy(
                actor=actor,
                zone_id=zone.pk,
                staff_id=deputy_form.cleaned_data["staff"].pk,
                start_date=deputy_form.cleaned_data["start_date"],
                request=request,
            )
            messages.success(request, "副组长已任命。")
            return redirect("org:zone_detail", zone_id=zone.pk)
        if action == "end_deputy":
            services.end_deputy(
                actor=actor, deputy_id=posted_id(request, "deputy"), end_date=timezone.localdate(), request=request
            )
            messages.success(request, "副组长已免去。")
            return redirect("org:zone_detail", zone_id=zone.pk)
        if action == "edit" and zone_form.is_valid():
            data = {k: zone_form.cleaned_data[k] for k in zone_form.Meta.fields}
            zone_form.instance.refresh_from_db()
            services.save_zone(actor=actor, zone_id=zone.pk, request=request, **data)
            messages.success(request, "协作区信息已保存。")
            return redirect("org:zone_detail", zone_id=zone.pk)
    except HANDLED as exc:
        form = {"add_member": member_form, "add_deputy": deputy_form, "edit": zone_form}.get(action)
        show_error(request, exc, form)
    history = list(zone.memberships.select_related("unit").order_by("-end_date", "unit__sort_order"))
    current = [m for m in history if m.end_date is None]
    unit_ids = [m.unit_id for m in current]
    staff_counts = dict(
        STAFF.scope(actor)
        .filter(home_unit_id__in=unit_ids, is_active=True)
        .values_list("home_unit_id")
        .annotate(n=Count("id"))
    )
    for m in current:
        m.staff_count = staff_counts.get(m.unit_id, 0)  # type: ignore[attr-defined]
    pairs = (
        MENTORING.scope(actor)
        .filter(
            Q(mentee_one__home_unit_id__in=unit_ids) | Q(mentee_two__home_unit_id__in=unit_ids), end_date__isnull=True
        )
        .select_related(
            "mentor", "mentee_one", "mentee_two", "mentor__home_unit", "mentee_one__home_unit", "mentee_two__home_unit"
        )
    )
    return render(
        request,
        "org/zone_detail.html",
        {
            "zone": zone,
            "current": current,
            "history": [m for m in history if m.end_date is not None],
            "deputies": zone.deputies.filter(end_date__isnull=True).select_related("staff", "staff__home_unit"),
            "pairs": pairs,
            "show_people": may_see_people(actor),
            "is_admin": is_admin,
            "member_form": member_form,
            "deputy_form": deputy_form,
            "zone_form": zone_form,
        },
    )


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    units = (
        UNITS.scope(actor)
        .select_related("parent")
        .annotate(staff_count=Count("staff", filter=Q(staff__is_active=True)))
    )
    if kind:
        units = units.filter(kind=kind)
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    zone_of = dict(memberships_on().filter(unit__in=units).values_list("unit_id", "zone__name"))
    rows = list(units)
    for unit in rows:
        unit.zone_name = zone_of.get(unit.pk, "")  # type: ignore[attr-defined]
    form = UnitForm(request.POST or None)
    scope_choices(form, parent=UNITS.scope(actor))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.save_unit(actor=actor, request=request, **form.cleaned_data)
        except HANDLED as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"单位“{created}”已创建。")
            return redirect("org:unit_detail", unit_id=created.pk)
    return render(
        request,
        "org/unit_list.html",
        {
            "units": rows,
            "kinds": Unit.Kind.choices,
            "kind": kind,
            "q": query,
            "form": form,
            "is_admin": actor.has(Role.SYSTEM_ADMIN),
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    actor = _actor(request)
    unit = UNITS.get_for(actor, unit_id, queryset=UNITS.scope(actor).select_related("parent"))
    action = _post_action(request)
    form = UnitForm(request.POST if action == "edit" else None, instance=unit)
    scope_choices(form, parent=UNITS.scope(actor).exclude(pk=unit.pk))
    village_form = VillageForm(request.POST if action == "add_village" else None, prefix="v")
    if action == "add_village" and village_form.is_valid():
        try:
            services.save_village(actor=actor, township=unit, request=request, **village_form.cleaned_data)
        except HANDLED as exc:
            show_error(request, exc, village_form)
        else:
            messages.success(request, "村（社区）已添加。")
            return redirect("org:unit_detail", unit_id=unit.pk)
    if action == "edit" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit.refresh_from_db()
            services.save_unit(actor=actor, unit_id=unit.pk, request=request, **data)
        except HANDLED as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, "单位信息已保存。")
            return redirect("org:unit_detail", unit_id=unit.pk)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "form": form,
            "village_form": village_form,
            "is_admin": actor.has(Role.SYSTEM_ADMIN),
            "staff": STAFF.scope(actor).filter(home_unit=unit).order_by("-experience", "id"),
            "villages": VILLAGES.scope(actor)
            .filter(township=unit)
            .annotate(n_supervisors=Count("supervisors", filter=Q(supervisors__end_date__isnull=True))),
            "children": UNITS.scope(actor).filter(parent=unit),
            "memberships": MEMBERSHIPS.scope(actor).filter(unit=unit).select_related("zone").order_by("-start_date"),
        },
    )


STAFF_PAGE = 50


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    staff = STAFF.scope(actor).select_related("home_unit")
    query = request.GET.get("q", "").strip()
    unit = request.GET.get("unit", "")
    zone = request.GET.get("zone", "")
    experience = request.GET.get("experience", "")
    # Roles over several commissions browse one commission at a time (their own by default), so the
    # unit and zone pickers stay short at province scale.
    chosen = request.GET.get("commission", "")
    commission_id = int(chosen) if is_key_text(chosen) and int(chosen) in actor.commission_ids else actor.commission_id
    staff = staff.filter(commission_id=commission_id)
    if query:
        staff = staff.filter(Q(name__icontains=query) | Q(position__icontains=query))
    if is_key_text(unit):
        staff = staff.filter(home_unit_id=int(unit))
    if is_key_text(zone):
        staff = staff.filter(home_unit_id__in=memberships_on().filter(zone_id=int(zone)).values("unit_id"))
    if is_key_text(experience):
        staff = staff.filter(experience__gte=int(experience))
    staff = staff.order_by("home_unit__sort_order", "home_unit_id", "-experience", "id")
    page = Paginator(staff, STAFF_PAGE).get_page(request.GET.get("page"))
    form = StaffForm(request.POST or None)
    scope_choices(
        form, home_unit=UNITS.scope(actor), hometown=UNITS.scope(actor).filter(kind=Unit.Kind.TOWNSHIP_COMMITTEE)
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.save_staff(actor=actor, request=request, **form.cleaned_data)
        except HANDLED as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, f"干部“{created}”已建档。")
            return redirect("org:staff_detail", staff_id=created.pk)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "org/staff_list.html",
        {
            "page": page,
            "q": query,
            "unit": unit,
            "zone": zone,
            "experience": experience,
            "query_string": params.urlencode(),
            "units": UNITS.scope(actor).filter(commission_id=commission_id, staff__isnull=False).distinct(),
            "zones": ZONES.scope(actor).filter(commission_id=commission_id),
            "commissions": Commission.objects.filter(pk__in=actor.commission_ids).order_by("level", "id")
            if len(actor.commission_ids) > 1
            else [],
            "commission_id": commission_id,
            "experiences": StaffMember.Experience.choices,
            "form": form,
            "is_admin": actor.has(Role.SYSTEM_ADMIN),
        },
    )


@login_required
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    actor = _actor(request)
    staff = STAFF.get_for(actor, staff_id, queryset=STAFF.scope(actor).select_related("home_unit", "hometown"))
    action = _post_action(request)
    edit_form = StaffForm(request.POST if action == "edit" else None, instance=staff, prefix="s")
    scope_choices(
        edit_form, home_unit=UNITS.scope(actor), hometown=UNITS.scope(actor).filter(kind=Unit.Kind.TOWNSHIP_COMMITTEE)
    )
    rel_form = RelationshipForm(
        request.POST if action == "declare" else None, prefix="r", initial={"declared_on": timezone.localdate()}
    )
    scope_choices(
        rel_form, related_unit=UNITS.scope(actor), related_village=VILLAGES.scope(actor).select_related("township")
    )
    try:
        if action == "edit" and edit_form.is_valid():
            data = {k: edit_form.cleaned_data[k] for k in edit_form.Meta.fields}
            staff.refresh_from_db()
            services.save_staff(actor=actor, staff_id=staff.pk, request=request, **data)
            messages.success(request, "干部档案已保存。")
            return redirect("org:staff_detail", staff_id=staff.pk)
        if action == "declare" and rel_form.is_valid():
            services.declare_relationship(actor=actor, staff_id=staff.pk, request=request, **rel_form.cleaned_data)
            messages.success(request, "利害关系已申报。")
            return redirect("org:staff_detail", staff_id=staff.pk)
        if action == "end_relationship":
            services.end_relationship(
                actor=actor,
                relationship_id=posted_id(request, "relationship"),
                end_date=timezone.localdate(),
                request=request,
            )
            messages.success(request, "该申报已终止。")
            return redirect("org:staff_detail", staff_id=staff.pk)
    except HANDLED as exc:
        form = {"edit": edit_form, "declare": rel_form}.get(action)
        show_error(request, exc, form)
    relationships = list(
        RELATIONSHIPS.scope(actor).filter(staff=staff).select_related("related_unit", "related_village")
    )
    if relationships:
        with transaction.atomic():  # 利害关系 are personal data: every view is on record
            record_event(
                actor=actor,
                action="relationship.viewed",
                target=staff,
                detail={"relationship_ids": [r.pk for r in relationships]},
                request=request,
            )
    may_declare = (staff.pk == actor.staff_id and actor.is_staff_worker) or actor.is_leadership
    may_view_relationships = bool(relationships) or may_declare
    pairs = (
        MENTORING.scope(actor)
        .filter(Q(mentor=staff) | Q(mentee_one=staff) | Q(mentee_two=staff))
        .select_related("mentor", "mentee_one", "mentee_two")
    )
    return render(
        request,
        "org/staff_detail.html",
        {
            "staff": staff,
            "relationships": relationships,
            "may_view_relationships": may_view_relationships,
            "may_declare": may_declare,
            "rel_form": rel_form,
            "edit_form": edit_form,
            "is_admin": actor.has(Role.SYSTEM_ADMIN),
            "pairs": pairs,
            "zone": memberships_on().filter(unit_id=staff.home_unit_id).select_related("zone").first(),
        },
    )


@login_required
def mentoring_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    pairs = (
        MENTORING.scope(actor)
        .select_related(
            "mentor", "mentor__home_unit", "mentee_one", "mentee_one__home_unit", "mentee_two", "mentee_two__home_unit"
        )
        .order_by("end_date", "-start_date")
    )
    form = MentoringForm(
        request.POST if _post_action(request) == "create" else None, initial={"start_date": timezone.localdate()}
    )
    people = STAFF.scope(actor).filter(is_active=True).select_related("home_unit")
    scope_choices(
        form,
        mentor=people.filter(experience__gte=StaffMember.Experience.SKILLED),
        mentee_one=people.filter(home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE),
        mentee_two=people.filter(home_unit__kind=Unit.Kind.TOWNSHIP_COMMITTEE),
    )
    action = _post_action(request)
    try:
        if action == "create" and form.is_valid():
            d = form.cleaned_data
            services.create_mentoring_pair(
                actor=actor,
                mentor_id=d["mentor"].pk,
                mentee_one_id=d["mentee_one"].pk,
                mentee_two_id=d["mentee_two"].pk,
                start_date=d["start_date"],
                request=request,
            )
            messages.success(request, "结对已建立。")
            return redirect("org:mentoring_list")
        if action == "end":
            services.end_mentoring_pair(
                actor=actor, pair_id=posted_id(request, "pair"), end_date=timezone.localdate(), request=request
            )
            messages.success(request, "结对已结束。")
            return redirect("org:mentoring_list")
    except HANDLED as exc:
        show_error(request, exc, form if action == "create" else None)
    may_create = actor.has(Role.SYSTEM_ADMIN, Role.ZONE_LEADER, Role.ZONE_DEPUTY)
    return render(request, "org/mentoring_list.html", {"pairs": pairs, "form": form, "may_create": may_create})


@login_required
def supervisor_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    supervisors = (
        SUPERVISORS.scope(actor)
        .select_related("village", "village__township")
        .order_by("end_date", "village__township__sort_order", "village__name")
    )
    township = request.GET.get("township", "")
    if is_key_text(township):
        supervisors = supervisors.filter(village__township_id=int(township))
    form = SupervisorForm(
        request.POST if _post_action(request) == "appoint" else None, initial={"start_date": timezone.localdate()}
    )
    villages = VILLAGES.scope(actor).select_related("township")
    if not actor.has(Role.SYSTEM_ADMIN):
        villages = villages.filter(township_id__in=actor.role_unit_ids)
    scope_choices(form, village=villages)
    action = _post_action(request)
    try:
        if action == "appoint" and form.is_valid():
            d = form.cleaned_data
            services.appoint_village_supervisor(
                actor=actor,
                village_id=d["village"].pk,
                name=d["name"],
                phone=d["phone"],
                start_date=d["start_date"],
                request=request,
            )
            messages.success(request, "村级监督员已聘任。")
            return redirect("org:supervisor_list")
        if action == "end":
            services.end_village_supervisor(
                actor=actor,
                supervisor_id=posted_id(request, "supervisor"),
                end_date=timezone.localdate(),
                request=request,
            )
            messages.success(request, "已解聘。")
            return redirect("org:supervisor_list")
    except HANDLED as exc:
        show_error(request, exc, form if action == "appoint" else None)
    may_appoint = actor.has(Role.SYSTEM_ADMIN) or actor.has(Role.TOWNSHIP_SECRETARY)
    townships = UNITS.scope(actor).filter(kind=Unit.Kind.TOWNSHIP_COMMITTEE)
    return render(
        request,
        "org/supervisor_list.html",
        {
            "supervisors": supervisors[:500],
            "form": form,
            "may_appoint": may_appoint,
            "townships": townships,
            "township": township,
        },
    )


@login_required
def my_village(request: HttpRequest) -> HttpResponse:
    """A village supervisor's own page: their appointment and the township committee they report to."""
    actor = _actor(request)
    if actor.village_supervisor_id is None:
        raise NotFound()
    supervisor = SUPERVISORS.get_for(
        actor,
        actor.village_supervisor_id,
        queryset=SUPERVISORS.scope(actor).select_related("village", "village__township"),
    )
    township = supervisor.village.township
    zone = memberships_on().filter(unit=township).select_related("zone").first()
    context: dict[str, Any] = {"supervisor": supervisor, "township": township, "zone": zone.zone if zone else None}
    return render(request, "org/my_village.html", context)
