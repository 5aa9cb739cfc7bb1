"""Handling modes (自办 / 交叉办理 / 联合办理 / 提级办理) and the teams that work a clue or a case.

A team belongs to one clue (a case keeps the clue it was filed from, so the investigation team of a
case is a team of the same clue with ``purpose`` investigation). One clue has at most one *confirmed*
team per purpose at a time: a partial unique constraint is the backstop. Members carry their role on
the team (组长 / 组员 / 以干代训学员) and, for a trainee, the mentor (一帮二) they work beside.
Leaving the team ends a membership (``left_on``); rows are never deleted, so the record of who
worked the matter stays.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet

from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import StaffMember, Unit


class HandlingMode(models.TextChoices):
    SELF = "self", "自办"
    CROSS = "cross", "交叉办理"
    JOINT = "joint", "联合办理"
    ELEVATED = "elevated", "提级办理"


class JointGround(models.TextChoices):
    """The seed's five grounds for asking the zone to handle a clue jointly."""

    SERIOUS = "serious", "问题严重"
    COMPLEX = "complex", "情况复杂"
    PRESSURE = "pressure", "自办压力大"
    RECUSAL = "recusal", "需要回避"
    ASSIGNED = "assigned", "上级交办"


class RequestState(models.TextChoices):
    PENDING = "pending", "待组长决定"
    GRANTED = "granted", "已同意"
    REFUSED = "refused", "未同意"
    WITHDRAWN = "withdrawn", "已撤回"


class HandlingRequest(models.Model):
    """A township's or the office's request for another handling mode; the zone leader decides."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="handling_requests")
    requested_mode = models.CharField("申请办理方式", max_length=10, choices=HandlingMode.choices)
    grounds = models.JSONField("申请理由类别", default=list)
    reason = models.TextField("具体理由")
    requesting_unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_mode = models.CharField("决定办理方式", max_length=10, choices=HandlingMode.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理方式申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clue"], condition=Q(state="pending"), name="one_pending_handling_request"),
        ]

    def __str__(self) -> str:
        return f"{self.clue.ledger_number} {self.get_requested_mode_display()}申请"


class Purpose(models.TextChoices):
    VERIFICATION = "verification", "初核组"
    INVESTIGATION = "investigation", "审查调查组"


class TeamState(models.TextChoices):
    PROPOSED = "proposed", "拟组建"
    CONFIRMED = "confirmed", "已确定"
    DISSOLVED = "dissolved", "已解散"
    SUPERSEDED = "superseded", "已重新组建"


class Team(models.Model):
    """核查组 / 审查调查组: who works one clue (and the case filed from it)."""

    clue = models.ForeignKey(Clue, verbose_name="问题线索", on_delete=models.PROTECT, related_name="teams")
    purpose = models.CharField("用途", max_length=14, choices=Purpose.choices, default=Purpose.VERIFICATION)
    mode = models.CharField("办理方式", max_length=10, choices=HandlingMode.choices)
    # The body that carries the work: the township itself (自办), another township of the zone (交叉),
    # the zone's inspection office (联合), or the office / the commission (提级).
    lead_unit = models.ForeignKey(Unit, verbose_name="承办主体", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=12, choices=TeamState.choices, default=TeamState.PROPOSED)
    # What the solver reported: objective value, the excluded candidates with reasons (JSON).
    solver_summary = models.JSONField("组队说明", default=dict, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确定时间", null=True, blank=True)
    ended_at = models.DateTimeField("解散时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办案组"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clue", "purpose"], condition=Q(state="confirmed"), name="one_confirmed_team_per_purpose"
            ),
        ]
        indexes = [models.Index(fields=["clue", "state"])]

    def __str__(self) -> str:
        return f"{self.clue.ledger_number} {self.get_purpose_display()}"


class MemberRole(models.TextChoices):
    LEAD = "lead", "组长"
    MEMBER = "member", "组员"
    TRAINEE = "trainee", "以干代训"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name="办案组", on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey(StaffMember, verbose_name="干部", on_delete=models.PROTECT, related_name="team_seats")
    role = models.CharField("组内角色", max_length=8, choices=MemberRole.choices)
    mentor = models.ForeignKey(
        StaffMember, verbose_name="带教人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField("加入日期", null=True, blank=True)
    left_on = models.DateField("退出日期", null=True, blank=True)
    leave_reason = models.CharField("退出原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办案组成员"
        ordering = ["team_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "staff"], name="team_member_once"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="lead", left_on__isnull=True), name="one_active_lead_per_team"
            ),
            models.CheckConstraint(
                condition=Q(mentor__isnull=True) | Q(role="trainee"), name="mentor_only_for_trainee"
            ),
        ]
        indexes = [models.Index(fields=["staff", "left_on"])]

    def __str__(self) -> str:
        return f"{self.staff}（{self.get_role_display()}）"


# Who is on a clue's team: the clue scope (clues.selectors) asks this, below teams.selectors.


def active_member_staff_ids(clue_id: int, purpose: str | None = None) -> set[int]:
    """Staff on a confirmed team of the clue (any purpose unless one is given), still on it."""
    qs = TeamMember.objects.filter(team__clue_id=clue_id, team__state=TeamState.CONFIRMED, left_on__isnull=True)
    if purpose is not None:
        qs = qs.filter(team__purpose=purpose)
    return set(qs.values_list("staff_id", flat=True))


def clue_ids_on_team_of(staff_id: int) -> QuerySet[TeamMember]:
    """Clue ids (as a subquery) whose confirmed team the staff member is on now."""
    return TeamMember.objects.filter(  # type: ignore[return-value]
        staff_id=staff_id, team__state=TeamState.CONFIRMED, left_on__isnull=True
    ).values("team__clue_id")
