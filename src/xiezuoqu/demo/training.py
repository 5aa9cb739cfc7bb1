"""Demo 以干代训 / 一帮二 of 凤城市: the township cadres of the 一帮二 pairs seated as trainees beside their
mentor on the demo teams the mentor sits on, most of them then leaving the team with the stage's work
done, and the mentor's assessment of every finished seat (on the scale of the commission).

Everything goes through the real services: the zone leader (``zuzhangN``) edits the teams, the mentor
writes the assessment with their own login when they have one, else the zone leader does. A cadre
whose seat is refused by the team rules (capacity, conflicts, the cross rule) is simply not seated. Like
the other loaders it runs once: nothing is done when the commission has an assessment, or when there is
no confirmed team yet (load_demo --reports makes them).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.models import User
from xiezuoqu.errors import DomainError
from xiezuoqu.org.models import Commission, MentoringPair
from xiezuoqu.org.selectors import memberships_on
from xiezuoqu.teams import services as teams
from xiezuoqu.teams.models import MemberRole, Team, TeamMember, TeamState
from xiezuoqu.teams.selectors import working_seats
from xiezuoqu.training import selectors, services
from xiezuoqu.training.models import Assessment, Level

from .casework import actor_of
from .clock import StoryClock, moment, story_clock, workday_on_or_after, workdays_after
from .data import COMMISSION_NAME

SEATS_PER_MENTEE = 2
LEFT_REASON = "以干代训阶段任务完成"
# What the mentor writes, by the level reached (the scale's default codes).
NOTES = {
    "observer": ("旁听谈话并做记录，熟悉初核工作流程和文书格式。", "暂不宜独立承担，继续跟班学习"),
    "assist": ("协助调取村集体账目和惠农资金发放明细，整理谈话笔录。", "谈话记录、资料调取"),
    "independent": ("独立完成两名证人的谈话，起草初核情况报告初稿。", "一般问题线索的初步核实、谈话"),
    "mentor": ("牵头梳理问题线索，组织谈话，指导新同志制作笔录。", "可独立承办，并可带教新学员"),
}


@dataclass
class TrainingSummary:
    loaded: bool = False
    seated: int = 0
    left: int = 0
    assessments: int = 0
    cadres: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"演示以干代训：{self.cadres} 名乡镇干部以干代训 {self.seated} 人次（其中 {self.left} 人次已结束），"
            f"带教评价 {self.assessments} 份；用时 {self.seconds:.1f} 秒。"
        )


def _login_of(staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    return (
        User.objects.filter(staff_id=staff_id, is_demo=True).order_by("id").values_list("username", flat=True).first()
    )


def _leader(team: Team) -> Actor | None:
    zone = team.clue.zone
    username = _login_of(zone.leader_id) if zone is not None else None
    return actor_of(username) if username else None


def _working_teams(zone_id: int) -> list[Team]:
    """The zone's confirmed teams whose task is still under way (a finished matter takes no new member)."""
    ids = working_seats().filter(team__clue__zone_id=zone_id).values("team_id")
    return list(Team.objects.filter(pk__in=ids).select_related("clue__zone").order_by("id"))


def _seat_mentees(commission: Commission, summary: TrainingSummary, story: StoryClock) -> list[TeamMember]:
    """Seat each current pair's mentees beside their mentor on the working teams of the mentee's zone:
    first those the mentor sits on, then others the mentor joins as a member with them — a week or two
    after the team was confirmed (the story clock never passes the real now)."""
    pairs = MentoringPair.objects.filter(commission=commission, end_date__isnull=True).order_by("id")
    seated: list[TeamMember] = []
    for pair in pairs:
        zone_id = (
            memberships_on().filter(unit_id=pair.mentee_one.home_unit_id).values_list("zone_id", flat=True).first()
        )
        if zone_id is None:
            continue
        candidates = _working_teams(zone_id)
        candidates.sort(key=lambda t: not t.members.filter(staff_id=pair.mentor_id, left_on__isnull=True).exists())
        for mentee_id in (pair.mentee_one_id, pair.mentee_two_id):
            count = 0
            for team in candidates:
                if count >= SEATS_PER_MENTEE:
                    break
                leader = _leader(team)
                members = team.members.filter(left_on__isnull=True)
                if leader is None or team.members.filter(staff_id=mentee_id).exists():
                    continue
                if members.filter(role=MemberRole.TRAINEE).count() >= 2:
                    continue
                add = [teams.MemberInput(mentee_id, MemberRole.TRAINEE, pair.mentor_id)]
                if not members.filter(staff_id=pair.mentor_id, role__in=[MemberRole.LEAD, MemberRole.MEMBER]).exists():
                    if team.members.filter(staff_id=pair.mentor_id).exists():
                        continue  # the mentor left this team
                    add.insert(0, teams.MemberInput(pair.mentor_id, MemberRole.MEMBER))
                confirmed = timezone.localtime(team.confirmed_at or team.proposed_at).date()
                story.set(moment(workday_on_or_after(confirmed + timedelta(days=5 + 4 * count)), 10))
                try:
                    teams.edit_team(
                        actor=leader, team_id=team.pk, reason="以干代训：一帮二学员随带教人参加办案", add=add
                    )
                except DomainError:
                    continue  # the team's rules keep this cadre (or the mentor) off this team
                count += 1
                summary.seated += 1
                seated.append(TeamMember.objects.get(team=team, staff_id=mentee_id))
    return seated


def _close_some(seated: list[TeamMember], summary: TrainingSummary, story: StoryClock) -> None:
    """Two of every three seats end with the stage's work done, some 25 working days after they began;
    the rest stay working."""
    for number, seat in enumerate(seated):
        if number % 3 == 2:
            continue
        leader = _leader(seat.team)
        if leader is None:
            continue
        story.set(moment(workdays_after(seat.joined_on or timezone.localdate(), 25), 17))
        try:
            teams.remove_member(actor=leader, team_id=seat.team_id, staff_id=seat.staff_id, reason=LEFT_REASON)
        except DomainError:
            continue
        summary.left += 1


def _assess_closed(commission: Commission, summary: TrainingSummary, story: StoryClock) -> None:
    levels = {lv.code: lv for lv in Level.objects.filter(commission=commission, is_active=True)}
    codes = [code for code in ("assist", "independent", "observer", "mentor") if code in levels]
    if not codes:
        return
    seats = list(
        selectors.turn_seats()
        .filter(team__clue__commission=commission, training_assessment__isnull=True, mentor__isnull=False)
        .select_related("team__clue__zone")
        .order_by("id")
    )
    working = selectors.working_seat_ids(s.pk for s in seats)
    for number, seat in enumerate(s for s in seats if selectors.seat_closed(s, working)):
        username = _login_of(seat.mentor_id)
        actor = actor_of(username) if username else _leader(seat.team)
        if actor is None:
            continue
        code = codes[number % len(codes)]
        done, ready = NOTES.get(code, NOTES["assist"])
        if seat.left_on is not None:  # written a couple of working days after the cadre left the team
            story.set(moment(workdays_after(seat.left_on, 2), 16))
        try:
            services.record_assessment(
                actor=actor, seat_id=seat.pk, work_done=done, ready_for=ready, level=levels[code].pk
            )
        except DomainError:
            leader = _leader(seat.team)
            if leader is None or leader == actor:
                continue
            try:  # the mentor's login no longer reaches the matter: the zone leader writes it
                services.record_assessment(
                    actor=leader, seat_id=seat.pk, work_done=done, ready_for=ready, level=levels[code].pk
                )
            except DomainError:
                continue
        summary.assessments += 1


def load_demo_training() -> TrainingSummary:
    started = clock.monotonic()
    commission = Commission.objects.filter(name=COMMISSION_NAME, is_demo=True).first()
    if commission is None or Assessment.objects.filter(commission=commission).exists():
        return TrainingSummary()
    if TeamMember.objects.filter(team__clue__commission=commission, leave_reason=LEFT_REASON).exists():
        return TrainingSummary()  # loaded before (its seats ended), even if nothing could be assessed
    if not Team.objects.filter(clue__commission=commission, state=TeamState.CONFIRMED).exists():
        return TrainingSummary()
    services.ensure_training_setup(commission.pk)
    summary = TrainingSummary(loaded=True)
    with story_clock() as story:
        seated = _seat_mentees(commission, summary, story)
        _close_some(seated, summary, story)
        _assess_closed(commission, summary, story)
    summary.cadres = len({s.staff_id for s in selectors.turn_seats().filter(team__clue__commission=commission)})
    summary.seconds = clock.monotonic() - started
    return summary
