"""Meetings, their items, attendance, recusals and resolutions, filing proposals and cases: scope and
predicate agree for every demo login; the administrators see none of it (三员分立); a member withdrawn
from a clue (回避) no longer sees its agenda item, its filing request or its case."""

from __future__ import annotations

from datetime import time

import pytest

from tests.filing.conftest import held_with, planned_meeting, submitted, zone_agreed, zone_one
from tests.intake.conftest import demo_actor
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.cases.models import Case
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.filing import services as filing
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import (
    AgendaItem,
    Attendance,
    Ballot,
    FollowUp,
    ItemRecusal,
    Kind,
    Meeting,
    RegularSchedule,
    Resolution,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Meeting,
    AgendaItem,
    Attendance,
    ItemRecusal,
    Resolution,
    Ballot,
    FollowUp,
    RegularSchedule,
    FilingProposal,
    Case,
)


@pytest.fixture
def matters(demo):  # type: ignore[no-untyped-def]
    """A filed case, a declined and a waiting proposal, a meeting with a plain item and a recusal, and
    follow-up tasks on the filed clue's item (to 宝山) and on a plain report item (to 白旗)."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.intake.conftest import unit_named

    proposal = zone_agreed()
    services.assign_follow_up(
        actor=demo_actor("zuzhang1"),
        item_id=AgendaItem.objects.get(target_id=proposal.pk, kind="filing").pk,
        data=services.FollowUpInput(
            task="报宝山镇党委研究。",
            due_on=timezone.localdate() + timedelta(days=10),
            unit_id=unit_named("宝山镇纪委").pk,
        ),
    )
    filing.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意立案")
    waiting = submitted()
    item = held_with(waiting)
    services.recuse_from_item(
        actor=demo_actor("zuzhang1"),
        item_id=item.pk,
        staff_id=item.meeting.chair_id,
        ground="other",
        detail="曾在该村驻村",
    )
    regular = planned_meeting(Kind.REGULAR)
    services.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=regular.pk, kind="work_report", title="宝山镇纪委汇报季度工作"
    )
    from tests.filing.conftest import attend, ballots_for

    report = planned_meeting(Kind.REPORT)
    heard = services.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=report.pk, kind="work_report", title="白旗镇纪委汇报"
    )
    attend(report)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=report.pk)
    services.decide_item(
        actor=demo_actor("zuzhang1"),
        item_id=heard.pk,
        data=services.DecisionInput(
            text="听取汇报。",
            ballots=ballots_for(heard, (4, 0, 0)),
            follow_ups=[
                services.FollowUpInput(
                    task="补齐台账。",
                    due_on=timezone.localdate() + timedelta(days=10),
                    unit_id=unit_named("白旗镇纪委").pk,
                )
            ],
        ),
    )
    services.set_regular_schedule(
        actor=demo_actor("zuzhang1"),
        zone_id=zone_one().pk,
        kind=Kind.REGULAR,
        week=1,
        weekday=1,
        at=time(9),
        place="会议室",
    )
    return {"case": Case.objects.get(filing=proposal), "item": item}


@pytest.mark.parametrize("username", [u for u, _, _ in DEMO_LOGINS])
def test_scope_and_predicate_agree(matters, username):
    actor = demo_actor(username)
    for model in MODELS:
        policy = POLICIES[model]
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
        assert scoped == predicate, f"{username} × {model.__name__}"
        if actor.is_admin:
            assert not scoped, f"{username} sees {model.__name__}"


def test_the_zone_sees_its_meetings_and_another_zone_does_not(matters):
    assert POLICIES[Meeting].scope(demo_actor("zuzhang1")).count() == 4
    assert POLICIES[Meeting].scope(demo_actor("jianchashi2")).count() == 0
    assert POLICIES[Meeting].scope(demo_actor("shuji")).count() == 4


def test_a_follow_up_is_seen_by_its_unit_without_the_meeting(matters):
    """宝山镇纪委's staff see the task assigned to 宝山 (not the meeting, not 白旗's task)."""
    township = demo_actor("xzganbu")
    tasks = POLICIES[FollowUp].scope(township)
    assert [t.unit.name for t in tasks] == ["宝山镇纪委"]
    assert not POLICIES[Meeting].scope(township).exists()
    assert POLICIES[FollowUp].scope(demo_actor("zuzhang1")).count() == 2
    assert not POLICIES[FollowUp].scope(demo_actor("xzshuji2")).exists()


def test_a_member_withdrawn_from_the_clue_loses_its_item_proposal_and_case(matters):
    from xiezuoqu.recusal.models import Recusal, RecusalSource

    case = matters["case"]
    deputy = demo_actor("fuzuzhang1")
    assert POLICIES[Case].scope(deputy).filter(pk=case.pk).exists()
    Recusal.objects.create(
        clue=case.clue,
        staff_id=deputy.staff_id,
        ground="kin_of_subject",
        source=RecusalSource.DECISION,
        detail="近亲属",
        decided_by_id=demo_actor("shuji").user_id,
    )
    deputy = demo_actor("fuzuzhang1")
    assert not POLICIES[Case].scope(deputy).filter(pk=case.pk).exists()
    assert not POLICIES[FilingProposal].scope(deputy).filter(clue=case.clue).exists()
    assert not POLICIES[AgendaItem].scope(deputy).filter(clue=case.clue).exists()
    assert not POLICIES[FollowUp].scope(deputy).filter(resolution__item__clue=case.clue).exists()
    assert not POLICIES[Ballot].scope(deputy).filter(resolution__item__clue=case.clue).exists()
    # ... while the meeting itself and the other items stay in view.
    assert POLICIES[Meeting].scope(deputy).count() == 4
