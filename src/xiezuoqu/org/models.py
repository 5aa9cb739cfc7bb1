"""The organisation: commissions, their units, zones, staff and the facts recusal is computed from.

A commission (纪委监委) owns everything below it; commissions form a hierarchy (province → city →
county) so that one deployment can host many. Units cover every body of DESIGN §1; zones (协作区)
pool units, with dated memberships so that the history of who belonged where is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone


class Commission(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=20, help_text="用于台账编号，如“凤纪”")
    division_code = models.CharField("行政区划代码", max_length=12, blank=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.COUNTY)
    parent = models.ForeignKey(
        "self", verbose_name="上级纪委监委", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "纪委监委"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A body of the commission's system: an office, a dispatched group, a township committee ..."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", "委领导班子"
        INSPECTION_OFFICE = "inspection_office", "纪检监察室"
        PETITION_OFFICE = "petition_office", "信访室"
        CASE_MANAGEMENT_OFFICE = "case_management_office", "案件监督管理室"
        TRIAL_OFFICE = "trial_office", "案件审理室"
        OTHER_OFFICE = "other_office", "其他内设机构"
        DISPATCHED_GROUP = "dispatched_group", "派驻纪检监察组"
        DEPARTMENT = "department", "驻在部门"
        TOWNSHIP_COMMITTEE = "township_committee", "乡镇（街道）纪委"
        PARTY_COMMITTEE = "party_committee", "党委（党组）"

    class TownshipType(models.TextChoices):
        SUBDISTRICT = "subdistrict", "街道"
        TOWN = "town", "镇"
        TOWNSHIP = "township", "乡"

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="units")
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True, help_text="用于台账编号")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="乡镇纪委的上级为乡镇党委；驻在部门的上级为其派驻组",
    )
    township_type = models.CharField("乡镇类型", max_length=12, choices=TownshipType.choices, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["commission_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "name"], name="unit_name_unique_per_commission"),
            models.CheckConstraint(
                condition=Q(township_type="") | Q(kind="township_committee") | Q(kind="party_committee"),
                name="unit_township_type_only_for_townships",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township(self) -> bool:
        return self.kind == self.Kind.TOWNSHIP_COMMITTEE


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", "行政村"
        COMMUNITY = "community", "社区"

    township = models.ForeignKey(
        Unit,
        verbose_name="所属乡镇纪委",
        on_delete=models.PROTECT,
        related_name="villages",
        limit_choices_to={"kind": Unit.Kind.TOWNSHIP_COMMITTEE},
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices, default=Kind.VILLAGE)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "村（社区）"
        ordering = ["township_id", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="village_name_unique_per_township")]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A cadre (干部) of the discipline-inspection system."""

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Experience(models.IntegerChoices):
        NEW = 1, "新任"
        GENERAL = 2, "一般"
        SKILLED = 3, "熟练"
        EXPERT = 4, "骨干"

    class Skill(models.TextChoices):
        INTERVIEW = "interview", "谈话"
        FINANCE = "finance", "财务审计"
        LAW = "law", "法律"
        RURAL = "rural", "农村工作"
        CONSTRUCTION = "construction", "工程建设"
        DIGITAL = "digital", "信息技术"
        EVIDENCE = "evidence", "证据审查"

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="staff")
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    home_unit = models.ForeignKey(Unit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="staff")
    position = models.CharField("职务", max_length=60)
    experience = models.PositiveSmallIntegerField("业务水平", choices=Experience.choices, default=Experience.GENERAL)
    skills = models.JSONField("专长", default=list, blank=True)
    capacity = models.PositiveSmallIntegerField("可同时承办件数", default=3)
    hometown = models.ForeignKey(
        Unit,
        verbose_name="籍贯乡镇",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="natives",
        limit_choices_to={"kind": Unit.Kind.TOWNSHIP_COMMITTEE},
        help_text="本市乡镇籍贯，用于回避",
    )
    is_active = models.BooleanField("在岗", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "干部"
        ordering = ["home_unit_id", "id"]
        indexes = [models.Index(fields=["commission", "home_unit"])]
        constraints = [models.CheckConstraint(condition=Q(capacity__lte=20), name="staff_capacity_at_most_20")]

    def __str__(self) -> str:
        return self.name

    def skill_labels(self) -> list[str]:
        labels = dict(self.Skill.choices)
        return [str(labels.get(code, code)) for code in self.skills]


class Zone(models.Model):
    """A collaboration zone (协作区)."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="zones")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=40)
    leader = models.ForeignKey(
        StaffMember,
        verbose_name="组长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_zones",
        help_text="纪委常委、监委委员",
    )
    inspection_office = models.ForeignKey(
        Unit,
        verbose_name="牵头纪检监察室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_zones",
        limit_choices_to={"kind": Unit.Kind.INSPECTION_OFFICE},
    )
    note = models.TextField("说明", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "协作区"
        ordering = ["commission_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "number"], name="zone_number_unique"),
            models.UniqueConstraint(fields=["commission", "name"], name="zone_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ZoneMembership(models.Model):
    """A unit's membership of a zone over a period; a unit is in at most one zone at a time."""

    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name="成员单位", on_delete=models.PROTECT, related_name="zone_memberships")
    start_date = models.DateField("加入日期")
    end_date = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协作区成员单位"
        ordering = ["zone_id", "unit__sort_order", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(end_date__isnull=True), name="unit_in_one_zone_at_a_time"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="zone_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ∈ {self.zone}"


class ZoneDeputy(models.Model):
    """A deputy leader: the lead office's director or a dispatched group's leader."""

    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="deputies")
    staff = models.ForeignKey(StaffMember, verbose_name="副组长", on_delete=models.PROTECT, related_name="deputy_of")
    start_date = models.DateField("任职日期")
    end_date = models.DateField("卸任日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协作区副组长"
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "staff"], condition=Q(end_date__isnull=True), name="zone_deputy_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} 副组长 {self.staff}"


class DeclaredRelationship(models.Model):
    """利害关系申报: a tie that may require the staff member to withdraw from a matter."""

    class Kind(models.TextChoices):
        KIN = "kin", "亲属"
        FORMER_COLLEAGUE = "former_colleague", "曾经同事"
        HOMETOWN = "hometown", "同乡"
        FORMER_POSTING = "former_posting", "曾任职"
        OTHER = "other", "其他"

    class Kinship(models.TextChoices):
        SPOUSE = "spouse", "配偶"
        PARENT = "parent", "父母"
        CHILD = "child", "子女"
        SIBLING = "sibling", "兄弟姐妹"
        IN_LAW = "in_law", "姻亲"
        OTHER_RELATIVE = "other_relative", "其他近亲属"

    staff = models.ForeignKey(
        StaffMember, verbose_name="申报人", on_delete=models.CASCADE, related_name="declared_relationships"
    )
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    kinship = models.CharField("亲属关系", max_length=20, choices=Kinship.choices, blank=True)
    person_name = models.CharField("关系人姓名", max_length=30, blank=True)
    person_unit = models.CharField("关系人单位及职务", max_length=100, blank=True)
    related_unit = models.ForeignKey(
        Unit, verbose_name="相关单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_village = models.ForeignKey(
        Village, verbose_name="相关村（社区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("起始日期", null=True, blank=True)
    end_date = models.DateField("终止日期", null=True, blank=True)
    declared_on = models.DateField("申报日期")
    note = models.TextField("说明", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "利害关系申报"
        ordering = ["staff_id", "-declared_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kinship="") | Q(kind="kin"), name="kinship_only_for_kin"),
            models.CheckConstraint(
                condition=~Q(kind="kin") | ~Q(kinship="") & ~Q(person_name=""), name="kin_names_person_and_relation"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="relationship_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff}：{self.get_kind_display()}"


class MentoringPair(models.Model):
    """一帮二: one experienced mentor with two township cadres."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    mentor = models.ForeignKey(StaffMember, verbose_name="带教人", on_delete=models.PROTECT, related_name="mentoring")
    mentee_one = models.ForeignKey(StaffMember, verbose_name="学员一", on_delete=models.PROTECT, related_name="+")
    mentee_two = models.ForeignKey(StaffMember, verbose_name="学员二", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "一帮二结对"
        ordering = ["mentor_id", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee_one"))
                & ~Q(mentor=models.F("mentee_two"))
                & ~Q(mentee_one=models.F("mentee_two")),
                name="mentoring_three_distinct_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} 带 {self.mentee_one}、{self.mentee_two}"


class VillageSupervisor(models.Model):
    """村级正风肃纪监督员: submits observations from a village, sees nothing else."""

    village = models.ForeignKey(
        Village, verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="supervisors"
    )
    name = models.CharField("姓名", max_length=30)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    start_date = models.DateField("聘任日期")
    end_date = models.DateField("解聘日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "村级正风肃纪监督员"
        ordering = ["village_id", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.village}）"


# Zone membership on a day, unscoped: the actor's work units (access.actor) are computed from it, so it
# lives here, below the scoped reads of org.selectors.


def current_member_unit_ids(zone_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Units that are members of the given zones on a date (today by default)."""
    zone_ids = list(zone_ids)
    if not zone_ids:
        return set()
    return set(memberships_on(on).filter(zone_id__in=zone_ids).values_list("unit_id", flat=True))


def memberships_on(on: date | None = None) -> QuerySet[ZoneMembership]:
    day = on or timezone.localdate()
    return ZoneMembership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)
