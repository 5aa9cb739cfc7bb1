"""Zone meetings (会议): 例会, 汇报会, 总结会, 线索研判会, 立案研究会 — their agenda, attendance,
per-item recusal, decisions with resolution numbers, and the zone's regular-meeting schedule.

A resolution (决议) is numbered from a per-zone, per-year counter under a row lock; the unique
constraint on (zone, year, seq) is the backstop, and the one-to-one link to its agenda item makes
sure an item is decided once, whoever races to decide it.

Each eligible member's vote is a ``Ballot`` (记名表决); the resolution's vote counts are derived from
its ballots (kept as columns so that lists stay cheap). A resolution may assign ``FollowUp`` tasks
(会议交办事项), each tracked by a deadline; a 总结会's period-summary item freezes the zone's figures
for its period into the resolution (``figures``) when it is decided.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from xiezuoqu.clues.models import Clue
from xiezuoqu.org.models import Commission, StaffMember, Unit, Zone

from .workflow import State

# The label of each agenda kind, filled by ``agenda.register_agenda_kind`` (the registry imports this
# module, never the other way round).
AGENDA_KIND_LABELS: dict[str, str] = {}


class Kind(models.TextChoices):
    REGULAR = "regular", "例会"
    REPORT = "report", "汇报会"
    SUMMARY = "summary", "总结会"
    ANALYSIS = "analysis", "线索研判会"
    FILING = "filing", "立案研究会"


class Meeting(models.Model):
    """A meeting of a zone: convened by its leader, with a chair, a place and an agenda."""

    commission = models.ForeignKey(Commission, verbose_name="纪委监委", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField("会议类型", max_length=12, choices=Kind.choices)
    title = models.CharField("会议名称", max_length=100)
    scheduled_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=100)
    chair = models.ForeignKey(StaffMember, verbose_name="主持人", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=State.choices)
    held_at = models.DateTimeField("召开时间", null=True, blank=True)
    minutes_summary = models.TextField("会议纪要要点", blank=True)
    minutes_issued_at = models.DateTimeField("纪要印发时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议"
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["zone", "scheduled_at"], name="meeting_zone_when")]

    def __str__(self) -> str:
        return f"{self.title}（{self.scheduled_at:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])


class ItemState(models.TextChoices):
    PENDING = "pending", "待表决"
    DECIDED = "decided", "已表决"


class AgendaItem(models.Model):
    """议题: a matter the meeting studies; its kind (see ``agenda``) says what a resolution moves."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("议题类型", max_length=24)
    title = models.CharField("议题", max_length=200)
    clue = models.ForeignKey(
        Clue, verbose_name="问题线索", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The object the resolution moves (a filing proposal; later a case or a report).
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The period a 阶段工作总结 item reports on (总结会): the figures are computed for these days.
    period_start = models.DateField("统计期间起", null=True, blank=True)
    period_end = models.DateField("统计期间止", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议议题"
        ordering = ["meeting_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_order_unique"),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="agenda_item_target_complete",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_start__isnull=False, period_end__gte=models.F("period_start")),
                name="agenda_item_period_complete",
            ),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="agenda_item_target")]

    def __str__(self) -> str:
        return f"{self.meeting.title} 议题{self.order}：{self.title}"

    @property
    def kind_label(self) -> str:
        return AGENDA_KIND_LABELS.get(self.kind, self.kind)


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    LEAVE = "leave", "请假"
    UNRECORDED = "unrecorded", "未登记"


class Attendance(models.Model):
    """出席情况: one person at one meeting; voting members (组长、副组长) are fixed when it is convened."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendances")
    staff = models.ForeignKey(StaffMember, verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    presence = models.CharField("出席情况", max_length=12, choices=Presence.choices, default=Presence.UNRECORDED)
    reason = models.CharField("缺席（请假）事由", max_length=200, blank=True)
    is_voting = models.BooleanField("有表决权", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "会议出席情况"
        ordering = ["meeting_id", "-is_voting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="attendance_once_per_meeting"),
            models.CheckConstraint(
                condition=~Q(presence__in=["absent", "leave"]) | ~Q(reason=""), name="attendance_absence_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_presence_display()}"


class ItemRecusal(models.Model):
    """议题回避: a member with a conflict on the item leaves it, does not vote, and is on record."""

    item = models.ForeignKey(AgendaItem, verbose_name="议题", on_delete=models.CASCADE, related_name="recusals")
    staff = models.ForeignKey(StaffMember, verbose_name="回避人员", on_delete=models.PROTECT, related_name="+")
    ground = models.CharField("回避事由", max_length=24)
    detail = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "议题回避"
        ordering = ["item_id", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "staff"], name="item_recusal_once")]

    def __str__(self) -> str:
        return f"{self.item} 回避：{self.staff}"

    @property
    def ground_label(self) -> str:
        from xiezuoqu.recusal.models import Ground

        return str(dict(Ground.choices).get(self.ground, self.ground))


class Outcome(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    DEFER = "defer", "暂缓研究"


class Resolution(models.Model):
    """决议: the meeting's decision on one item, numbered in the zone's yearly series."""

    item = models.OneToOneField(AgendaItem, verbose_name="议题", on_delete=models.PROTECT, related_name="resolution")
    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("决议编号", max_length=60)
    outcome = models.CharField("表决结果", max_length=10, choices=Outcome.choices)
    votes_for = models.PositiveSmallIntegerField("同意票", default=0)
    votes_against = models.PositiveSmallIntegerField("反对票", default=0)
    votes_abstain = models.PositiveSmallIntegerField("弃权票", default=0)
    voting_members = models.PositiveSmallIntegerField("应到表决人数")
    present_voters = models.PositiveSmallIntegerField("参加表决人数")
    # 记名表决: the counts above are derived from the resolution's ballots. Resolutions recorded before
    # ballots existed carry counts only (shown as “按票数登记”).
    by_ballot = models.BooleanField("记名表决", default=False)
    text = models.TextField("决议内容")
    # A period-summary item's figures as they stood when it was decided (summary.ZoneFigures), so that
    # the minutes do not change when later data arrive.
    figures = models.JSONField("阶段工作数据", default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("表决时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议决议"
        ordering = ["zone_id", "year", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "year", "seq"], name="resolution_number_unique"),
            models.CheckConstraint(
                condition=Q(votes_for__lte=models.F("present_voters")), name="resolution_votes_within_voters"
            ),
            # Every member who may vote on the item has exactly one ballot (a deferred item has none).
            models.CheckConstraint(
                condition=Q(by_ballot=False)
                | Q(outcome="defer", votes_for=0, votes_against=0, votes_abstain=0)
                | Q(present_voters=models.F("votes_for") + models.F("votes_against") + models.F("votes_abstain")),
                name="resolution_ballots_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Vote(models.TextChoices):
    FOR = "for", "同意"
    AGAINST = "against", "不同意"
    ABSTAIN = "abstain", "弃权"


class Ballot(models.Model):
    """表决票: one eligible member's vote on one item (记名表决) — what the minutes list by name.

    Only a voting member present at the meeting and not withdrawn from the item has one, and every
    such member has one (services.decide_item); the resolution's counts are the sums of its ballots.
    """

    resolution = models.ForeignKey(Resolution, verbose_name="决议", on_delete=models.PROTECT, related_name="ballots")
    staff = models.ForeignKey(StaffMember, verbose_name="表决人", on_delete=models.PROTECT, related_name="+")
    vote = models.CharField("表决意见", max_length=8, choices=Vote.choices)

    class Meta:
        verbose_name = verbose_name_plural = "表决票"
        ordering = ["resolution_id", "id"]
        constraints = [
            # One resolution per item: one ballot per item and person.
            models.UniqueConstraint(fields=["resolution", "staff"], name="ballot_once_per_item"),
            models.CheckConstraint(condition=Q(vote__in=["for", "against", "abstain"]), name="ballot_vote_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.resolution} {self.staff}：{self.get_vote_display()}"


class FollowUpState(models.TextChoices):
    OPEN = "open", "办理中"
    DONE = "done", "已办结"


class FollowUp(models.Model):
    """会议交办事项: a task a resolution assigns — what, to which unit (and person), by when.

    Tracked by a deadline of kind ``meeting.assignment`` owned by the unit; the unit (or the zone
    leader) reports it done with the 办结情况, which closes the deadline.
    """

    resolution = models.ForeignKey(Resolution, verbose_name="决议", on_delete=models.PROTECT, related_name="follow_ups")
    seq = models.PositiveSmallIntegerField("序号")
    task = models.TextField("交办事项")
    unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        StaffMember, verbose_name="承办人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("办结时限")
    state = models.CharField("状态", max_length=8, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    result = models.TextField("办结情况", blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    assigned_on = models.DateField("交办日期")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议交办事项"
        ordering = ["resolution_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "seq"], name="follow_up_seq_unique"),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("assigned_on")), name="follow_up_due_after_assigned"
            ),
            models.CheckConstraint(
                condition=Q(state="open", done_on__isnull=True, result="")
                | (Q(state="done", done_on__isnull=False) & ~Q(result="")),
                name="follow_up_done_has_result",
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"], name="follow_up_unit_state")]

    def __str__(self) -> str:
        # The deadline shows this label to its whole audience: a number, never the task's content.
        return f"{self.resolution.number} 交办事项{self.seq}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:follow_up", args=[self.pk])


class ResolutionCounter(models.Model):
    """The last resolution sequence a zone used in a year; incremented under a row lock."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "决议编号计数"
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="resolution_counter_unique")]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}：{self.last}"


class RegularSchedule(models.Model):
    """The zone's rule for a recurring meeting (日常工作规定): e.g. 例会 monthly, the first Tuesday."""

    class Week(models.IntegerChoices):
        FIRST = 1, "第一周"
        SECOND = 2, "第二周"
        THIRD = 3, "第三周"
        FOURTH = 4, "第四周"
        LAST = 5, "最后一周"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "星期一"
        TUESDAY = 1, "星期二"
        WEDNESDAY = 2, "星期三"
        THURSDAY = 3, "星期四"
        FRIDAY = 4, "星期五"

    zone = models.ForeignKey(Zone, verbose_name="协作区", on_delete=models.PROTECT, related_name="meeting_rules")
    kind = models.CharField("会议类型", max_length=12, choices=Kind.choices)
    week = models.PositiveSmallIntegerField("第几周", choices=Week.choices)
    weekday = models.PositiveSmallIntegerField("星期", choices=Weekday.choices)
    at = models.TimeField("时间")
    place = models.CharField("地点", max_length=100)
    is_active = models.BooleanField("在用", default=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "定期会议规则"
        ordering = ["zone_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["zone", "kind"], name="regular_schedule_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.zone} {self.get_kind_display()}：每月{self.get_week_display()}{self.get_weekday_display()}"
