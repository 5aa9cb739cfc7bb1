"""Helpers for the verification tests: a clue in 初步核实 in 宝山镇 (zone 1), a confirmed team built
directly with the teams models, an approved plan, measures, evidence and a report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.clues.conftest import approve_all, demo_actor, disposed, login, unit_named  # noqa: F401
from tests.intake.conftest import api_token  # noqa: F401
from xiezuoqu.accounts.models import User
from xiezuoqu.clues.models import Clue, DisposalMethod
from xiezuoqu.recusal.services import record_paper_declaration
from xiezuoqu.teams.models import HandlingMode, MemberRole, Purpose, Team, TeamMember
from xiezuoqu.verification import services
from xiezuoqu.verification.models import Measure, Verification
from xiezuoqu.verification.rules import MeasureKind

# The team of the tests: zone 1's inspection office (lead), its director, and a 宝山 cadre in training.
LEAD, MEMBER, TRAINEE = "jianchashi1", "fuzuzhang1", "xzganbu"
TEAM = (LEAD, MEMBER, TRAINEE)
# Outside zone 1 altogether: sees none of it.
OUTSIDER = "xzshuji2"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def staff_id(username: str) -> int:
    staff = User.objects.get(username=username).staff_id
    assert staff is not None
    return staff


def verifying_clue() -> Clue:
    """A clue whose disposal 初步核实 was approved (state preliminary_verification)."""
    clue = disposed(DisposalMethod.PRELIMINARY_VERIFICATION)
    assert clue.state == "preliminary_verification"
    return clue


def confirmed_team(clue: Clue, usernames: tuple[str, ...] = TEAM) -> Team:
    """A confirmed verification team, made directly with the teams models (helper A builds the flow)."""
    team = Team.objects.create(
        clue=clue,
        purpose=Purpose.VERIFICATION,
        mode=HandlingMode.JOINT,
        lead_unit=unit_named("第一纪检监察室"),
        state="confirmed",
        proposed_by=User.objects.get(username="zuzhang1"),
        confirmed_by=User.objects.get(username="zuzhang1"),
        confirmed_at=timezone.now(),
    )
    roles = {0: MemberRole.LEAD}
    for index, username in enumerate(usernames):
        role = roles.get(index, MemberRole.TRAINEE if username == TRAINEE else MemberRole.MEMBER)
        TeamMember.objects.create(
            team=team,
            staff_id=staff_id(username),
            role=role,
            mentor_id=staff_id(LEAD) if role == MemberRole.TRAINEE else None,
            joined_on=timezone.localdate(),
        )
    for username in usernames:  # each member's 回避声明, signed on paper and recorded by the zone leader
        record_paper_declaration(
            actor=demo_actor("zuzhang1"), clue_id=clue.pk, staff_id=staff_id(username), no_conflict=True
        )
    return team


def plan_input(**kw: Any) -> services.PlanInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "scope": "双山子村2025年度惠农补贴发放情况",
        "points": "1. 补贴名册与实际耕地面积是否一致；2. 资金去向。",
        "planned_measures": [MeasureKind.TALK, MeasureKind.RETRIEVAL, MeasureKind.QUERY],
        "starts_on": today,
        "ends_on": today + timedelta(days=45),
    }
    values.update(kw)
    return services.PlanInput(**values)


def drafted(clue: Clue | None = None, username: str = LEAD) -> Verification:
    clue = clue or verifying_clue()
    return services.draft_plan(actor=demo_actor(username), clue_id=clue.pk, data=plan_input())


def approved(username: str = LEAD, team: tuple[str, ...] = TEAM) -> Verification:
    """A verification whose plan went up the default chain and was approved."""
    clue = verifying_clue()
    confirmed_team(clue, team)
    verification = drafted(clue, username)
    services.submit_plan(actor=demo_actor(username), verification_id=verification.pk)
    verification.refresh_from_db()
    approval_id = verification.plan.approval_id
    assert approval_id is not None
    approve_all(approval_id)
    verification.refresh_from_db()
    assert verification.state == "plan_approved"
    return verification


def measure_input(**kw: Any) -> services.MeasureInput:
    now = timezone.now()
    values: dict[str, Any] = {
        "kind": MeasureKind.TALK,
        "officer_ids": [staff_id(LEAD), staff_id(MEMBER)],
        "person_or_record": "双山子村会计 李某某",
        "starts_at": now - timedelta(hours=3),
        "ends_at": now - timedelta(hours=2),
        "place": "宝山镇纪委谈话室",
    }
    values.update(kw)
    return services.MeasureInput(**values)


def measured(verification: Verification, username: str = LEAD, **kw: Any) -> Measure:
    return services.record_measure(
        actor=demo_actor(username), verification_id=verification.pk, data=measure_input(**kw)
    )


def evidence(verification: Verification, data: bytes = PDF, username: str = LEAD, **kw: Any) -> Any:
    values: dict[str, Any] = {"title": "补贴发放名册", "kind": "document", "file_name": "名册.pdf", "data": data}
    values.update(kw)
    return services.add_evidence(
        actor=demo_actor(username), verification_id=verification.pk, data=services.EvidenceInput(**values)
    )


def report_input(**kw: Any) -> services.ReportInput:
    values: dict[str, Any] = {
        "facts": "经核实，该村党支部书记以亲属名义虚报耕地面积12亩，冒领补贴1.2万元。",
        "basis": "证据1补贴名册；谈话笔录；《中国共产党纪律处分条例》相关规定。",
        "recommendation": "file",
    }
    values.update(kw)
    return services.ReportInput(**values)


def reported(verification: Verification, username: str = LEAD, **kw: Any) -> Any:
    return services.draft_report(actor=demo_actor(username), verification_id=verification.pk, data=report_input(**kw))


def confirm_all(verification: Verification, usernames: tuple[str, ...] = TEAM) -> None:
    for username in usernames:
        services.confirm_report(actor=demo_actor(username), verification_id=verification.pk)


def concluded(recommendation: str = "file", **kw: Any) -> Verification:
    """A verification whose report was confirmed by all, submitted and approved."""
    verification = approved()
    measured(verification)
    evidence(verification)
    reported(verification, recommendation=recommendation, **kw)
    confirm_all(verification)
    report = services.submit_report(actor=demo_actor(LEAD), verification_id=verification.pk)
    assert report.approval_id is not None
    approve_all(report.approval_id)
    verification.refresh_from_db()
    return verification
