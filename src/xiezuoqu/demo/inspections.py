"""Demo 专项检查 of 凤城市: one campaign of the year across the four zones (惠农补贴发放), through the real
services — planned by the commission, approved up its chain, the platform's cross-assignment confirmed,
every checklist point checked by every team, and findings in every state a county sees: 销号 after
rectification, under review, awaiting 销号, overdue with a 督办单 from the daily sweep, not yet disposed,
and two transferred to the clue ledger (one of them also rectified).

Who acts is who would: a team's leader or member with a demo login records checks and findings (the
organiser otherwise), the inspected township's secretary reports its rectification where that login
exists, the zone leader signs off. Runs once: nothing is done when the county has a demo campaign.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.deadlines.services import sweep_deadlines
from xiezuoqu.errors import DomainError
from xiezuoqu.inspections import services
from xiezuoqu.inspections.models import Assignment, Campaign, CheckResult, FindingCategory, Severity
from xiezuoqu.org.models import Commission, Village, Zone

from .casework import actor_of, approve_all
from .data import COMMISSION_NAME

ORGANISER = "shuji"
POINTS = (
    services.PointInput(
        "补贴对象是否符合条件，有无优亲厚友、虚报冒领",
        "《耕地地力保护补贴资金管理办法》第五条",
        "补贴花名册、村级公示照片、入户核查记录",
    ),
    services.PointInput(
        "补贴面积、标准是否与核定一致", "《耕地地力保护补贴资金管理办法》第六条", "承包地确权面积表、补贴计算表"
    ),
    services.PointInput(
        "补贴资金是否通过“一卡通”足额及时发放", "《惠民惠农财政补贴资金“一卡通”管理办法》第十二条", "银行发放清单"
    ),
    services.PointInput(
        "有无截留、挪用、克扣补贴资金", "《中国共产党纪律处分条例》第一百一十八条", "村级账目、会计凭证"
    ),
)

# (category, what was found, amount in yuan, severity, the person named) — one per finding, in order.
FINDINGS = (
    (FindingCategory.FUNDS, "向不符合条件的 3 户发放耕地地力保护补贴", "12500.50", Severity.SERIOUS, "赵某某"),
    (FindingCategory.PROCEDURE, "补贴发放名单未按规定在村务公开栏公示", "0", Severity.MINOR, ""),
    (FindingCategory.POLICY, "补贴面积按二轮承包面积计算，未核减已征收土地", "8640.00", Severity.SERIOUS, ""),
    (FindingCategory.FUNDS, "村会计代领 5 户补贴资金未及时发放到户", "6210.00", Severity.SERIOUS, "钱某某"),
    (FindingCategory.FUNDS, "村党支部书记以“统筹使用”为名截留补贴资金", "46800.00", Severity.GRAVE, "孙某某"),
    (FindingCategory.CONDUCT, "村干部为亲属虚报种植面积套取补贴", "15320.00", Severity.GRAVE, "李某某"),
    (FindingCategory.PROCEDURE, "补贴审核表缺少乡镇农经站审核签字", "0", Severity.MINOR, ""),
    (FindingCategory.POLICY, "惠农政策宣传不到位，部分农户不知补贴标准", "0", Severity.MINOR, ""),
    (FindingCategory.FUNDS, "补贴资金“一卡通”发放清单与花名册不一致", "3400.00", Severity.SERIOUS, ""),
    (FindingCategory.PROCEDURE, "补贴档案资料不全，2025 年度发放凭证缺失", "0", Severity.MINOR, ""),
)
# What becomes of each finding above.
CLOSED, UNDER_REVIEW, AWAITING_SIGN_OFF, OVERDUE, RECORDED, TRANSFERRED, BOTH, RECTIFYING = (
    "closed",
    "under_review",
    "awaiting_sign_off",
    "overdue",
    "recorded",
    "transferred",
    "both",
    "rectifying",
)
OUTCOMES = (CLOSED, CLOSED, OVERDUE, OVERDUE, TRANSFERRED, BOTH, UNDER_REVIEW, AWAITING_SIGN_OFF, RECORDED, RECTIFYING)


@dataclass
class InspectionsSummary:
    loaded: bool = False
    teams: int = 0
    checks: int = 0
    findings: int = 0
    closed: int = 0
    overdue: int = 0
    transferred: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"演示专项检查：检查组 {self.teams} 个，检查记录 {self.checks} 条，发现问题 {self.findings} 个"
            f"（已销号 {self.closed}，超期 {self.overdue}，移交线索 {self.transferred}）；用时 {self.seconds:.1f} 秒。"
        )


def _logins(commission: Commission) -> dict[int, str]:
    """Staff member → the demo login that is theirs."""
    users = User.objects.filter(staff__commission=commission, is_active=True).order_by("username")
    return {staff_id: name for staff_id, name in users.values_list("staff_id", "username") if staff_id is not None}


def _team_actor(team: Assignment, logins: dict[int, str]) -> Actor:
    ids = [team.leader_id, *sorted(m.pk for m in team.members.all())]
    name = next((logins[i] for i in ids if i in logins), ORGANISER)
    return actor_of(name)


def _reporter(team: Assignment, logins: dict[int, str]) -> Actor:
    """The inspected township's secretary where that demo login exists, else the zone leader."""
    for name in sorted(set(logins.values())):
        actor = actor_of(name)
        if Role.TOWNSHIP_SECRETARY in actor.roles and team.inspected_unit_id in actor.units_for_role(
            Role.TOWNSHIP_SECRETARY
        ):
            return actor
    return _zone_leader(team)


def _zone_leader(team: Assignment) -> Actor:
    return actor_of(f"zuzhang{team.zone.number}")


def _responsible(team: Assignment, index: int) -> str:
    villages = list(Village.objects.filter(township_id=team.inspected_unit_id).order_by("id"))
    if not villages:
        return team.inspected_unit.name.replace("纪委", "").replace("纪工委", "") + "农业农村办"
    return f"{villages[index % len(villages)].name}村民委员会"


def _campaign_input(zones: list[Zone], start: date, end: date) -> services.CampaignInput:
    return services.CampaignInput(
        title=f"{start.year}年度惠农补贴发放专项检查",
        focus_area="farm_subsidy",
        period_start=start,
        period_end=end,
        zone_ids=[z.pk for z in zones],
        points=POINTS,
        rectification_days=20,
        is_demo=True,
    )


def _dispose(outcome: str, finding_id: int, team: Assignment, when: date, logins: dict[int, str]) -> None:
    actor = _team_actor(team, logins)
    if outcome == RECORDED:
        return
    if outcome in (TRANSFERRED, BOTH):
        services.transfer_finding(actor=_zone_leader(team), finding_id=finding_id, summary="")
        if outcome == TRANSFERRED:
            return
    ordered = timezone.localdate() - timedelta(days=5) if outcome in (RECTIFYING, BOTH) else when
    rectification = services.order_rectification(
        actor=actor,
        finding_id=finding_id,
        requirement="限期追回违规发放资金，完善审核公示制度，举一反三开展自查",
        ordered_on=ordered,
    )
    if outcome in (OVERDUE, RECTIFYING, BOTH):
        return
    services.report_rectification(
        actor=_reporter(team, logins),
        rectification_id=rectification.pk,
        report="已按要求完成整改：违规资金已追回并返还农户，补贴发放名单已重新公示。",
        evidence_note="收款收据、公示照片、整改报告",
        reported_on=min(when + timedelta(days=14), timezone.localdate()),
    )
    if outcome == UNDER_REVIEW:
        return
    services.review_rectification(actor=actor, rectification_id=rectification.pk, passed=True, note="经复核，整改到位")
    if outcome == CLOSED:
        services.close_finding(actor=_zone_leader(team), finding_id=finding_id)


def load_demo_inspections() -> InspectionsSummary:
    started = clock.monotonic()
    commission = Commission.objects.filter(name=COMMISSION_NAME, is_demo=True).first()
    if commission is None or Campaign.objects.filter(commission=commission, is_demo=True).exists():
        return InspectionsSummary()
    summary = InspectionsSummary(loaded=True)
    today = timezone.localdate()
    start = max(date(today.year, 1, 5), today - timedelta(days=100))
    zones = list(Zone.objects.filter(commission=commission).order_by("number"))[:4]
    organiser = actor_of(ORGANISER)
    year_end = date(start.year, 12, 31)
    end = year_end if year_end > today else today + timedelta(days=30)
    campaign = services.create_campaign(actor=organiser, data=_campaign_input(zones, start, end))
    services.submit_plan(actor=organiser, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    approve_all(campaign.approval_id)
    services.propose_assignment(actor=organiser, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    if campaign.infeasible_message:
        raise DomainError(f"演示专项检查无法分配：{campaign.infeasible_message}")
    services.confirm_assignment(actor=organiser, campaign_id=campaign.pk)
    logins = _logins(commission)
    teams = list(
        Assignment.objects.filter(campaign=campaign)
        .select_related("zone", "inspected_unit")
        .prefetch_related("members")
        .order_by("zone__number", "inspected_unit__sort_order", "inspected_unit_id")
    )
    points = list(campaign.points.order_by("order"))
    summary.teams = len(teams)
    # Spread the findings over the zones: team i of the round-robin order gets finding i.
    by_zone: dict[int, list[Assignment]] = {}
    for team in teams:
        by_zone.setdefault(team.zone.number, []).append(team)
    rounds = [t for i in range(max(map(len, by_zone.values()))) for z in sorted(by_zone) for t in by_zone[z][i : i + 1]]
    found = {rounds[i].pk: i for i in range(min(len(FINDINGS), len(rounds)))}
    for n, team in enumerate(teams):
        actor = _team_actor(team, logins)
        checked = start + timedelta(days=10 + n % 10)
        index = found.get(team.pk)
        for point in points:
            problem = index is not None and point.order == 1 + index % len(points)
            services.record_check(
                actor=actor,
                assignment_id=team.pk,
                point_id=point.pk,
                result=CheckResult.PROBLEM if problem else CheckResult.COMPLIANT,
                note="抽查花名册及入户核实，发现问题" if problem else "抽查花名册 30 户、入户核实 10 户，未发现问题",
                checked_on=checked,
            )
            summary.checks += 1
        if index is None:
            continue
        category, text, amount, severity, person = FINDINGS[index]
        finding = services.add_finding(
            actor=actor,
            assignment_id=team.pk,
            data=services.FindingInput(
                category=category,
                description=text,
                responsible_unit=_responsible(team, index),
                responsible_person=person,
                amount=amount,
                severity=severity,
                point_id=points[index % len(points)].pk,
                found_on=checked,
            ),
        )
        summary.findings += 1
        _dispose(OUTCOMES[index], finding.pk, team, checked + timedelta(days=3), logins)
        summary.closed += OUTCOMES[index] == CLOSED
        summary.overdue += OUTCOMES[index] == OVERDUE
        summary.transferred += OUTCOMES[index] in (TRANSFERRED, BOTH)
    # The worker's daily sweep: the overdue rectifications are marked and get their 督办单.
    sweep_deadlines(today)
    summary.seconds = clock.monotonic() - started
    return summary
