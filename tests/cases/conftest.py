"""Helpers for the case tests: a filed township case of 宝山镇 (zone 1) with a confirmed investigation
team of two township cadres, and the steps of its life cycle up to each state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tests.factories import make_staff, make_user
from tests.filing.conftest import zone_agreed
from tests.intake.conftest import demo_actor
from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.services import decide
from xiezuoqu.cases import services
from xiezuoqu.cases.models import Case, PersonDecision, TrialReturn
from xiezuoqu.filing import services as filing
from xiezuoqu.org.models import StaffMember, Unit
from xiezuoqu.recusal.models import RecusalDeclaration
from xiezuoqu.recusal.services import record_paper_declaration
from xiezuoqu.teams.models import HandlingMode, MemberRole, Purpose, Team, TeamMember, TeamState
from xiezuoqu.verification.services import MeasureInput

OPINION = "事实清楚，证据确凿，定性准确，处理恰当，手续完备。"


def staff_of(username: str) -> StaffMember:
    return User.objects.get(username=username).staff  # type: ignore[return-value]


def filed_case() -> Case:
    proposal = zone_agreed()
    filing.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意立案")
    return Case.objects.get(filing=proposal)


def investigation_team(
    case: Case, usernames: tuple[str, ...] = ("xzshuji", "xzganbu"), mode: str = HandlingMode.SELF
) -> Team:
    user = User.objects.get(username=usernames[0])
    assert case.competent_body is not None
    team = Team.objects.create(
        clue=case.clue,
        purpose=Purpose.INVESTIGATION,
        mode=mode,
        lead_unit=user.staff.home_unit if user.staff else case.competent_body,  # type: ignore[union-attr]
        state=TeamState.CONFIRMED,
        proposed_by=user,
        confirmed_by=user,
        confirmed_at=timezone.now(),
    )
    for i, name in enumerate(usernames):
        TeamMember.objects.create(
            team=team, staff=staff_of(name), role=MemberRole.LEAD if i == 0 else MemberRole.MEMBER
        )
    for name in usernames:  # 回避声明 on joining (recorded from paper by the zone leader)
        if not RecusalDeclaration.objects.filter(clue=case.clue, staff=staff_of(name)).exists():
            record_paper_declaration(
                actor=demo_actor("zuzhang1"), clue_id=case.clue_id, staff_id=staff_of(name).pk, no_conflict=True
            )
    return team


def investigating(case: Case | None = None) -> Case:
    case = case or filed_case()
    if not Team.objects.filter(clue=case.clue, purpose=Purpose.INVESTIGATION).exists():
        investigation_team(case)
    return services.start_investigation(actor=demo_actor("xzshuji"), case_id=case.pk)


def earlier_today(*, hours: float) -> datetime:
    """`hours` ago, but not before today's local midnight: the test cases are filed today, and a case's
    measures may not start before its filing day, whatever the hour the suite runs at."""
    now = timezone.localtime()
    return max(now - timedelta(hours=hours), now.replace(hour=0, minute=0, second=0, microsecond=0))


def measure_input(
    kind: str = "interrogation", officers: tuple[str, ...] = ("xzshuji", "xzganbu"), **kw: Any
) -> MeasureInput:
    defaults: dict[str, Any] = {
        "kind": kind,
        "officer_ids": [staff_of(u).pk for u in officers],
        "person_or_record": "被审查调查人赵某某",
        "starts_at": earlier_today(hours=3),
        "ends_at": earlier_today(hours=1),
        "place": "宝山镇纪委谈话室",
        "approval_reference": "宝山镇纪委书记批准（审批表第1号）",
    }
    defaults.update(kw)
    return MeasureInput(**defaults)


def reported(case: Case | None = None) -> Case:
    case = investigating(case)
    actor = demo_actor("xzshuji")
    services.record_case_measure(actor=actor, case_id=case.pk, data=measure_input())
    services.write_report(
        actor=actor,
        case_id=case.pk,
        data=services.ReportInput(
            facts="2025年3月至2026年4月冒领耕地地力保护补贴1.2万元。",
            evidence_summary="书证3份、证人证言2份、本人陈述1份。",
            proposal="建议给予党内警告处分。",
            attitude="认错态度较好，已退缴全部违纪款。",
        ),
    )
    return services.hand_over(actor=actor, case_id=case.pk)


def trial_office() -> Unit:
    return Unit.objects.get(commission__is_demo=True, kind=Unit.Kind.TRIAL_OFFICE)


def second_trial_user() -> User:
    """A second trial-office login (the demo has one): the one who approves shenli's proposals."""
    existing = User.objects.filter(username="shenli2").first()
    if existing:
        return existing
    unit = trial_office()
    staff = StaffMember.objects.filter(home_unit=unit).exclude(pk=staff_of("shenli").pk).first() or make_staff(unit)
    return make_user(Role.TRIAL_STAFF, unit=unit, staff=staff, username="shenli2")


def trial_reviewers() -> list[int]:
    return [staff_of("shenli").pk, second_trial_user().staff_id]  # type: ignore[list-item]


def zone_reviewers() -> list[int]:
    return [staff_of("zuzhang1").pk, staff_of("fuzuzhang1").pk]


def first_reviewed(case: Case | None = None) -> Case:
    case = reported(case)
    services.open_trial_review(actor=demo_actor("zuzhang1"), case_id=case.pk, reviewer_ids=zone_reviewers())
    services.conclude_review(actor=demo_actor("zuzhang1"), case_id=case.pk, opinion=OPINION)
    case.refresh_from_db()
    return case


def second_reviewed(case: Case | None = None) -> Case:
    case = first_reviewed(case)
    services.open_trial_review(actor=demo_actor("shenli"), case_id=case.pk, reviewer_ids=trial_reviewers())
    services.conclude_review(actor=demo_actor("shenli"), case_id=case.pk, opinion=OPINION)
    case.refresh_from_db()
    return case


def approve_decision(decision: PersonDecision) -> None:
    other: Actor = build_actor(second_trial_user())
    decide(actor=other, approval_id=decision.approval_id, decision="approve", comment="同意")
    decide(actor=demo_actor("shuji"), approval_id=decision.approval_id, decision="approve", comment="同意")


def decided(
    case: Case | None = None, codes: tuple[str, ...] = ("party_warning",), body: str = "township_committee"
) -> Case:
    case = second_reviewed(case)
    decision = services.propose_decision(
        actor=demo_actor("shenli"),
        case_id=case.pk,
        data=services.DecisionInput(codes=codes, body=body, grounds="冒领耕地地力保护补贴1.2万元，已全部退缴。"),
    )
    approve_decision(decision)
    case.refresh_from_db()
    return case


def approve_return(trial_return: TrialReturn, username: str) -> None:
    decide(actor=demo_actor(username), approval_id=trial_return.approval_id, decision="approve", comment="同意退回")
