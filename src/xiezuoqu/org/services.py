"""Every write to the organisation. One function per change, one transaction, one audit event each.

Who maintains what: the system administrator keeps the structure (units, villages, zones, staff,
supervisors); zone leadership keeps its zone's mentoring pairs; declared relationships are declared by
the staff member or recorded by commission leadership (they feed recusal, so they are never edited
silently: an end date closes one, nothing deletes it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import diff, record_event, snapshot
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed

from .models import (
    DeclaredRelationship,
    MentoringPair,
    StaffMember,
    Unit,
    Village,
    VillageSupervisor,
    Zone,
    ZoneDeputy,
    ZoneMembership,
)
from .selectors import STAFF, SUPERVISORS, UNITS, VILLAGES, ZONES, current_member_unit_ids


def _require_system_admin(actor: Actor, what: str) -> None:
    if not actor.has(Role.SYSTEM_ADMIN):
        raise NotPermitted(f"只有系统管理员可以{what}。", audit_action="org.maintain")


def _locked(model: type[Model], pk: int) -> Any:
    obj = model._default_manager.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _update(
    actor: Actor, instance: Model, values: dict[str, Any], action: str, request: HttpRequest | None
) -> dict[str, list[Any]]:
    """Apply field values, save only what changed, record old → new."""
    before = snapshot(instance, values.keys())
    for name, value in values.items():
        setattr(instance, name, value)
    changes = diff(before, instance)
    if changes:
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save(update_fields=list(changes))
        record_event(actor=actor, action=action, target=instance, changes=changes, request=request)
    return changes


def _created(actor: Actor, instance: Model, fields: list[str], action: str, request: HttpRequest | None) -> None:
    values = snapshot(instance, fields)
    record_event(
        actor=actor, action=action, target=instance, changes={k: [None, v] for k, v in values.items()}, request=request
    )


def _unique_or_invalid(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


# --- units and villages --------------------------------------------------------------------------

UNIT_FIELDS = ["kind", "name", "short_name", "parent", "township_type", "sort_order", "is_active"]


def save_unit(*, actor: Actor, unit_id: int | None = None, request: HttpRequest | None = None, **values: Any) -> Unit:
    _require_system_admin(actor, "维护单位")
    if values.get("township_type") and values.get("kind") not in (
        Unit.Kind.TOWNSHIP_COMMITTEE,
        Unit.Kind.PARTY_COMMITTEE,
    ):
        raise ValidationFailed("只有乡镇纪委或党委可以设置乡镇类型。", field_errors={"township_type": ["请留空"]})
    parent = values.get("parent")
    if parent is not None and parent.commission_id != actor.commission_id:
        raise ValidationFailed("上级单位须属于本纪委监委。", field_errors={"parent": ["请重新选择"]})
    try:
        with transaction.atomic():
            if unit_id is None:
                unit = Unit.objects.create(commission_id=actor.commission_id, **values)
                _created(actor, unit, UNIT_FIELDS, "unit.created", request)
                return unit
            unit = _locked(Unit, UNITS.get_for(actor, unit_id).pk)
            if parent is not None and parent.pk == unit.pk:
                raise ValidationFailed("单位不能以自身为上级。", field_errors={"parent": ["请重新选择"]})
            _update(actor, unit, values, "unit.updated", request)
            return unit
    except IntegrityError:
        raise _unique_or_invalid("本纪委监委已有同名单位。", "name") from None


def save_village(
    *,
    actor: Actor,
    township: Unit,
    name: str,
    kind: str,
    village_id: int | None = None,
    request: HttpRequest | None = None,
) -> Village:
    _require_system_admin(actor, "维护村（社区）")
    if township.kind != Unit.Kind.TOWNSHIP_COMMITTEE or township.commission_id not in actor.commission_ids:
        raise ValidationFailed("村（社区）须隶属本市的乡镇纪委。", field_errors={"township": ["请选择乡镇纪委"]})
    try:
        with transaction.atomic():
            if village_id is None:
                village = Village.objects.create(township=township, name=name.strip(), kind=kind)
                _created(actor, village, ["township", "name", "kind"], "village.created", request)
                return village
            village = _locked(Village, VILLAGES.get_for(actor, village_id).pk)
            _update(
                actor, village, {"township": township, "name": name.strip(), "kind": kind}, "village.updated", request
            )
            return village
    except IntegrityError:
        raise _unique_or_invalid("该乡镇已有同名村（社区）。", "name") from None


# --- zones --------------------------------------------------------------------------------------


def save_zone(*, actor: Actor, zone_id: int | None = None, request: HttpRequest | None = None, **values: Any) -> Zone:
    """Create or edit a zone: number, name, leader (a standing-committee member), lead office, note."""
    _require_system_admin(actor, "维护协作区")
    leader = values.get("leader")
    if leader is not None and (
        leader.commission_id != actor.commission_id or leader.home_unit.kind != Unit.Kind.LEADERSHIP
    ):
        raise ValidationFailed(
            "协作区组长应由委领导班子成员（纪委常委、监委委员）担任。",
            field_errors={"leader": ["请选择委领导班子成员"]},
        )
    office = values.get("inspection_office")
    if office is not None and office.kind != Unit.Kind.INSPECTION_OFFICE:
        raise ValidationFailed("牵头单位应为纪检监察室。", field_errors={"inspection_office": ["请选择纪检监察室"]})
    try:
        with transaction.atomic():
            if zone_id is None:
                zone = Zone.objects.create(commission_id=actor.commission_id, **values)
                _created(actor, zone, ["number", "name", "leader", "inspection_office"], "zone.created", request)
                return zone
            zone = _locked(Zone, ZONES.get_for(actor, zone_id).pk)
            _update(actor, zone, values, "zone.updated", request)
            return zone
    except IntegrityError:
        raise _unique_or_invalid("序号或名称与已有协作区重复。", "name") from None


def add_zone_member(
    *, actor: Actor, zone_id: int, unit_id: int, start_date: date, request: HttpRequest | None = None
) -> ZoneMembership:
    """Put a unit into a zone from a date. A unit in another zone leaves it the day before (dated history)."""
    _require_system_admin(actor, "调整协作区成员")
    with transaction.atomic():
        zone = _locked(Zone, ZONES.get_for(actor, zone_id).pk)
        unit = _locked(Unit, UNITS.get_for(actor, unit_id).pk)
        if unit.commission_id != zone.commission_id:
            raise RuleViolation("只能加入本纪委监委的单位。")
        if unit.kind not in (Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.INSPECTION_OFFICE, Unit.Kind.DISPATCHED_GROUP):
            raise RuleViolation("协作区成员应为乡镇（街道）纪委、纪检监察室或派驻纪检监察组。")
        current = ZoneMembership.objects.select_for_update().filter(unit=unit, end_date__isnull=True).first()
        if current is not None:
            if current.zone_id == zone.pk:
                raise RuleViolation(f"{unit} 已是{zone}的成员。")
            if start_date <= current.start_date:
                raise ValidationFailed(
                    f"{unit} 自 {current.start_date:%Y-%m-%d} 起属于{current.zone}，新的加入日期须晚于该日期。",
                    field_errors={"start_date": ["日期过早"]},
                )
            current.end_date = start_date - timedelta(days=1)
            current.save(update_fields=["end_date"])
            record_event(
                actor=actor,
                action="zone.member_left",
                target=current.zone,
                target_label=f"{current.zone}：{unit}",
                changes={"end_date": [None, current.end_date]},
                detail={"unit_id": unit.pk},
                request=request,
            )
        membership = ZoneMembership.objects.create(zone=zone, unit=unit, start_date=start_date)
        record_event(
            actor=actor,
            action="zone.member_added",
            target=zone,
            target_label=f"{zone}：{unit}",
            changes={"unit_id": [None, unit.pk], "start_date": [None, start_date]},
            request=request,
        )
    return membership


def end_zone_membership(
    *, actor: Actor, membership_id: int, end_date: date, request: HttpRequest | None = None
) -> ZoneMembership:
    _require_system_admin(actor, "调整协作区成员")
    with transaction.atomic():
        membership = (
            ZoneMembership.objects.select_for_update()
            .filter(pk=membership_id, zone__commission_id__in=actor.commission_ids)
            .select_related("zone", "unit")
            .first()
        )
        if membership is None:
            raise NotFound()
        if membership.end_date is not None:
            raise RuleViolation(f"{membership.unit} 已于 {membership.end_date:%Y-%m-%d} 退出{membership.zone}。")
        if end_date < membership.start_date:
            raise ValidationFailed("退出日期不能早于加入日期。", field_errors={"end_date": ["日期过早"]})
        membership.end_date = end_date
        membership.save(update_fields=["end_date"])
        record_event(
            actor=actor,
            action="zone.member_left",
            target=membership.zone,
            target_label=f"{membership.zone}：{membership.unit}",
            changes={"end_date": [None, end_date]},
            detail={"unit_id": membership.unit_id},
            request=request,
        )
    return membership


def appoint_deputy(
    *, actor: Actor, zone_id: int, staff_id: int, start_date: date, request: HttpRequest | None = None
) -> ZoneDeputy:
    _require_system_admin(actor, "任命协作区副组长")
    with transaction.atomic():
        zone = _locked(Zone, ZONES.get_for(actor, zone_id).pk)
        staff = STAFF.get_for(actor, staff_id)
        if staff.home_unit.kind not in (Unit.Kind.INSPECTION_OFFICE, Unit.Kind.DISPATCHED_GROUP):
            raise RuleViolation("副组长应为纪检监察室主任或派驻纪检监察组组长。")
        if ZoneDeputy.objects.filter(zone=zone, staff=staff, end_date__isnull=True).exists():
            raise RuleViolation(f"{staff} 已是{zone}的副组长。")
        deputy = ZoneDeputy.objects.create(zone=zone, staff=staff, start_date=start_date)
        record_event(
            actor=actor,
            action="zone.deputy_appointed",
            target=zone,
            changes={"deputy": [None, staff.pk]},
            detail={"name": staff.name},
            request=request,
        )
    return deputy


def end_deputy(*, actor: Actor, deputy_id: int, end_date: date, request: HttpRequest | None = None) -> ZoneDeputy:
    _require_system_admin(actor, "免去协作区副组长")
    with transaction.atomic():
        deputy = (
            ZoneDeputy.objects.select_for_update()
            .filter(pk=deputy_id, zone__commission_id__in=actor.commission_ids, end_date__isnull=True)
            .select_related("zone", "staff")
            .first()
        )
        if deputy is None:
            raise NotFound()
        if end_date < deputy.start_date:
            raise ValidationFailed("卸任日期不能早于任职日期。", field_errors={"end_date": ["日期过早"]})
        deputy.end_date = end_date
        deputy.save(update_fields=["end_date"])
        record_event(
            actor=actor,
            action="zone.deputy_ended",
            target=deputy.zone,
            changes={"deputy": [deputy.staff_id, None]},
            detail={"name": deputy.staff.name, "end_date": end_date},
            request=request,
        )
    return deputy


# --- staff ----------------------------------------------------------------------------------------

STAFF_FIELDS = [
    "name",
    "gender",
    "birth_year",
    "home_unit",
    "position",
    "experience",
    "skills",
    "capacity",
    "hometown",
    "is_active",
]


def save_staff(
    *, actor: Actor, staff_id: int | None = None, request: HttpRequest | None = None, **values: Any
) -> StaffMember:
    _require_system_admin(actor, "维护干部档案")
    unknown = set(values.get("skills") or []) - set(StaffMember.Skill.values)
    if unknown:
        raise ValidationFailed("专长中有未知项。", field_errors={"skills": [f"未知专长：{'、'.join(sorted(unknown))}"]})
    home = values.get("home_unit")
    if home is not None and home.commission_id != actor.commission_id:
        raise ValidationFailed("所在单位须属于本纪委监委。", field_errors={"home_unit": ["请重新选择"]})
    with transaction.atomic():
        if staff_id is None:
            staff = StaffMember.objects.create(commission_id=actor.commission_id, **values)
            _created(actor, staff, STAFF_FIELDS, "staff.created", request)
            return staff
        staff = _locked(StaffMember, STAFF.get_for(actor, staff_id).pk)
        _update(actor, staff, values, "staff.updated", request)
        return staff


# --- declared relationships -------------------------------------------------------------------------


def _may_record_relationship_for(actor: Actor, staff: StaffMember) -> bool:
    return (actor.staff_id == staff.pk and actor.is_staff_worker) or (
        actor.is_leadership and staff.commission_id in actor.commission_ids
    )


def declare_relationship(
    *, actor: Actor, staff_id: int, request: HttpRequest | None = None, **values: Any
) -> DeclaredRelationship:
    """利害关系申报: by the staff member, or recorded by commission leadership."""
    staff = STAFF.get_for(actor, staff_id)
    if not _may_record_relationship_for(actor, staff):
        raise NotPermitted(
            "利害关系由本人申报，或由委领导代为登记。",
            audit_action="relationship.declare",
            target_type="org.staffmember",
            target_id=str(staff_id),
        )
    kind = values.get("kind")
    errors: dict[str, list[str]] = {}
    if kind == DeclaredRelationship.Kind.KIN:
        if not values.get("kinship"):
            errors["kinship"] = ["亲属关系须注明具体关系。"]
        if not values.get("person_name"):
            errors["person_name"] = ["亲属关系须填写关系人姓名。"]
    else:
        values["kinship"] = ""
    if kind in (DeclaredRelationship.Kind.HOMETOWN, DeclaredRelationship.Kind.FORMER_POSTING) and not values.get(
        "related_unit"
    ):
        errors["related_unit"] = ["同乡、曾任职须选择相关单位。"]
    if kind == DeclaredRelationship.Kind.FORMER_COLLEAGUE and not values.get("person_name"):
        errors["person_name"] = ["曾经同事须填写关系人姓名。"]
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        errors["end_date"] = ["终止日期不能早于起始日期。"]
    if errors:
        raise ValidationFailed("申报信息不完整，请按提示补充。", field_errors=errors)
    rel = DeclaredRelationship(staff=staff, **values)
    try:
        rel.full_clean(exclude=["staff"])
    except DjangoValidationError as exc:
        raise ValidationFailed("申报信息有误，请按提示修改。", field_errors=exc.message_dict) from None
    with transaction.atomic():
        rel.save(force_insert=True)
        _created(
            actor,
            rel,
            [
                "kind",
                "kinship",
                "person_name",
                "person_unit",
                "related_unit",
                "related_village",
                "start_date",
                "end_date",
                "declared_on",
            ],
            "relationship.declared",
            request,
        )
    return rel


def end_relationship(
    *, actor: Actor, relationship_id: int, end_date: date, request: HttpRequest | None = None
) -> DeclaredRelationship:
    from .selectors import RELATIONSHIPS

    with transaction.atomic():
        rel = _locked(DeclaredRelationship, RELATIONSHIPS.get_for(actor, relationship_id).pk)
        if not _may_record_relationship_for(actor, rel.staff):
            raise NotPermitted("只有申报人本人或委领导可以终止申报。")
        if rel.end_date is not None:
            raise RuleViolation(f"该申报已于 {rel.end_date:%Y-%m-%d} 终止。")
        if rel.start_date and end_date < rel.start_date:
            raise ValidationFailed("终止日期不能早于起始日期。", field_errors={"end_date": ["日期过早"]})
        _update(actor, rel, {"end_date": end_date}, "relationship.ended", request)
    return rel


# --- mentoring pairs ---------------------------------------------------------------------------


def create_mentoring_pair(
    *,
    actor: Actor,
    mentor_id: int,
    mentee_one_id: int,
    mentee_two_id: int,
    start_date: date,
    request: HttpRequest | None = None,
) -> MentoringPair:
    """一帮二: zone leadership pairs a mentor with two township cadres of its zone."""
    people = [STAFF.get_for(actor, pk) for pk in (mentor_id, mentee_one_id, mentee_two_id)]
    mentor, one, two = people
    if len({p.pk for p in people}) != 3:
        raise ValidationFailed("带教人和两名学员须为三个不同的人。", field_errors={"mentee_two": ["请选择不同的人"]})
    zone_units = _zone_units_led_by(actor)
    may = actor.has(Role.SYSTEM_ADMIN) or all(p.home_unit_id in zone_units for p in (one, two))
    if not may:
        raise NotPermitted(
            "一帮二结对由学员所在协作区的组长、副组长或系统管理员设置。", audit_action="mentoring.create"
        )
    if mentor.experience < StaffMember.Experience.SKILLED:
        raise RuleViolation(f"{mentor} 的业务水平为“{mentor.get_experience_display()}”，带教人应为熟练或骨干。")
    for mentee in (one, two):
        if mentee.home_unit.kind != Unit.Kind.TOWNSHIP_COMMITTEE:
            raise RuleViolation(f"{mentee} 不是乡镇（街道）纪委干部；一帮二的学员为乡镇干部。")
    with transaction.atomic():
        # Lock the mentees themselves: with no pair yet there is no pair row to lock, and two
        # concurrent requests must not both put one cadre into two pairs.
        list(StaffMember.objects.select_for_update().filter(pk__in=[one.pk, two.pk]).order_by("pk"))
        busy = (
            MentoringPair.objects.select_for_update()
            .filter(Q(mentee_one__in=[one, two]) | Q(mentee_two__in=[one, two]), end_date__isnull=True)
            .first()
        )
        if busy is not None:
            raise RuleViolation(f"学员已在结对“{busy}”中，请先结束原结对。")
        pair = MentoringPair.objects.create(
            commission_id=mentor.commission_id, mentor=mentor, mentee_one=one, mentee_two=two, start_date=start_date
        )
        _created(actor, pair, ["mentor", "mentee_one", "mentee_two", "start_date"], "mentoring.created", request)
    return pair


def end_mentoring_pair(
    *, actor: Actor, pair_id: int, end_date: date, request: HttpRequest | None = None
) -> MentoringPair:
    from .selectors import MENTORING

    with transaction.atomic():
        pair = _locked(MentoringPair, MENTORING.get_for(actor, pair_id).pk)
        zone_units = _zone_units_led_by(actor)
        if not (
            actor.has(Role.SYSTEM_ADMIN) or {pair.mentee_one.home_unit_id, pair.mentee_two.home_unit_id} & zone_units
        ):
            raise NotPermitted("只有协作区组长、副组长或系统管理员可以结束结对。")
        if pair.end_date is not None:
            raise RuleViolation("该结对已结束。")
        if end_date < pair.start_date:
            raise ValidationFailed("结束日期不能早于开始日期。", field_errors={"end_date": ["日期过早"]})
        _update(actor, pair, {"end_date": end_date}, "mentoring.ended", request)
    return pair


def _zone_units_led_by(actor: Actor) -> set[int]:
    return current_member_unit_ids(actor.leadership_zone_ids)


# --- village supervisors ------------------------------------------------------------------------


def appoint_village_supervisor(
    *, actor: Actor, village_id: int, name: str, phone: str, start_date: date, request: HttpRequest | None = None
) -> VillageSupervisor:
    """The system administrator or the village's township secretary appoints a supervisor."""
    village = VILLAGES.get_for(actor, village_id)
    may = actor.has(Role.SYSTEM_ADMIN) or (
        actor.has(Role.TOWNSHIP_SECRETARY) and village.township_id in actor.role_unit_ids
    )
    if not may:
        raise NotPermitted("村级监督员由所在乡镇纪委书记或系统管理员聘任。", audit_action="supervisor.appoint")
    if not name.strip():
        raise ValidationFailed("请填写姓名。", field_errors={"name": ["请填写姓名。"]})
    with transaction.atomic():
        supervisor = VillageSupervisor.objects.create(
            village=village, name=name.strip(), phone=phone.strip(), start_date=start_date
        )
        _created(actor, supervisor, ["village", "name", "start_date"], "supervisor.appointed", request)
    return supervisor


def end_village_supervisor(
    *, actor: Actor, supervisor_id: int, end_date: date, request: HttpRequest | None = None
) -> VillageSupervisor:
    with transaction.atomic():
        supervisor = _locked(VillageSupervisor, SUPERVISORS.get_for(actor, supervisor_id).pk)
        township_id = supervisor.village.township_id
        if not (
            actor.has(Role.SYSTEM_ADMIN) or (actor.has(Role.TOWNSHIP_SECRETARY) and township_id in actor.role_unit_ids)
        ):
            raise NotPermitted("村级监督员由所在乡镇纪委书记或系统管理员解聘。")
        if supervisor.end_date is not None:
            raise RuleViolation("该监督员已解聘。")
        if end_date < supervisor.start_date:
            raise ValidationFailed("解聘日期不能早于聘任日期。", field_errors={"end_date": ["日期过早"]})
        _update(actor, supervisor, {"end_date": end_date}, "supervisor.ended", request)
        from xiezuoqu.accounts.models import User, end_sessions

        account = User.objects.select_for_update().filter(village_supervisor=supervisor, is_active=True).first()
        if account is not None:  # the supervisor's login ends with the appointment
            account.is_active = False
            account.save(update_fields=["is_active"])
            end_sessions(account.pk)
            record_event(
                actor=actor,
                action="account.deactivated",
                target=account,
                changes={"is_active": [True, False]},
                detail={"reason": "supervisor.ended"},
                request=request,
            )
    return supervisor
