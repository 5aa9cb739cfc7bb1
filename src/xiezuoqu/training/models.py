"""以干代训 / 一帮二: what each cadre learned on the teams they sat on as trainee (issue 12).

The turns themselves are not stored here: a turn is a trainee seat (``teams.TeamMember`` with role
以干代训) on a team that was confirmed, and the record reads it from there. This app keeps only what the
teams do not know:

- ``Level``: a commission's scale of readiness (见习 / 能协助 / 可独立承办 / 可带教 by default, seeded
  by migration 0002 and for every new commission);
- ``TrainingPolicy``: per commission, how many turns a year a cadre should have (default 2);
- ``Assessment``: the mentor's short assessment after a matter, one per trainee seat; every edit keeps
  the former text as an ``AssessmentRevision`` (and the audit chain has both).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuoqu.org.models import Commission, StaffMember
from xiezuoqu.teams.models import TeamMember

DEFAULT_LEVELS: tuple[tuple[str, str, str], ...] = (
    ("observer", "见习", "旁听、记录，熟悉办案流程"),
    ("assist", "能协助", "可在带教人指导下承担谈话记录、调取资料等具体任务"),
    ("independent", "可独立承办", "可独立承办一般问题线索的初步核实"),
    ("mentor", "可带教", "可作为带教人指导新学员"),
)
DEFAULT_MIN_TURNS = 2


class Cadre(StaffMember):
    """A cadre seen through their training record (a proxy: the scope policy of the record)."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "以干代训记录"


class Level(models.Model):
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField("代码", max_length=20)
    name = models.CharField("名称", max_length=20)
    description = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "能力等级"
        ordering = ["commission_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "code"], name="training_level_code_unique"),
            models.UniqueConstraint(fields=["commission", "name"], name="training_level_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingPolicy(models.Model):
    commission = models.OneToOneField(
        Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="training_policy"
    )
    min_turns = models.PositiveSmallIntegerField("每年至少以干代训次数", default=DEFAULT_MIN_TURNS)

    class Meta:
        verbose_name = verbose_name_plural = "以干代训要求"
        constraints = [models.CheckConstraint(condition=Q(min_turns__lte=50), name="training_min_turns_at_most_50")]

    def __str__(self) -> str:
        return f"{self.commission} 以干代训要求"


class Assessment(models.Model):
    """带教人评价: one per trainee seat, written after the matter (the team closed or the trainee left)."""

    seat = models.OneToOneField(
        TeamMember, verbose_name="以干代训席位", on_delete=models.PROTECT, related_name="training_assessment"
    )
    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    # The seat's mentor when the assessment was written (the seat may be edited later).
    mentor = models.ForeignKey(StaffMember, verbose_name="带教人", on_delete=models.PROTECT, related_name="+")
    work_done = models.TextField("承担的工作")
    ready_for = models.TextField("可独立承担的任务", blank=True)
    level = models.ForeignKey(Level, verbose_name="能力等级", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField("填写时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "带教评价"
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"带教评价 #{self.pk}"


class AssessmentRevision(models.Model):
    """The text an edit replaced: the history of an assessment, oldest version first."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="带教评价", on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField("版本")
    work_done = models.TextField("承担的工作")
    ready_for = models.TextField("可独立承担的任务", blank=True)
    level = models.ForeignKey(Level, verbose_name="能力等级", on_delete=models.PROTECT, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField("该版本填写时间")
    replaced_at = models.DateTimeField("被修改时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "带教评价修改记录"
        ordering = ["assessment_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "version"], name="training_revision_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} 第{self.version}版"
