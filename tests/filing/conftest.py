"""Helpers for the filing, meeting and case tests: a clue under 初步核实 in zone 1 (宝山), a filing
proposal on its subject, a 立案研究会 of zone 1 with its voting members present, the zone's agreement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.clues.conftest import BAOSHAN, approve_all, open_other, with_subject
from tests.intake.conftest import demo_actor, unit_named
from xiezuoqu.clues import services as clue_services
from xiezuoqu.clues.models import Clue, ClueSubject, DisposalMethod
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.filing import services
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.meetings import services as meetings
from xiezuoqu.meetings.models import AgendaItem, Kind, Meeting, Resolution
from xiezuoqu.meetings.selectors import voting_member_ids
from xiezuoqu.org.models import Zone

FACTS = "经初步核实，该村党支部书记2025年3月至2026年4月以其亲属名义虚报耕地面积，冒领耕地地力保护补贴1.2万元。"
BASIS = "《中国共产党纪律处分条例》第一百零三条；《中华人民共和国监察法》第三十九条。"
PROPOSAL = "建议对其立案审查调查。"


def clue_under_verification(username: str = "xzshuji", **subject: Any) -> Clue:
    """A clue of 宝山镇纪委 (zone 1) under 初步核实, its subject a village cadre of 宝山镇."""
    clue = open_other(username)
    subject.setdefault("township_id", unit_named(BAOSHAN).pk)
    subject.setdefault("is_village_cadre", True)
    with_subject(clue, username, **subject)
    clue_services.start_analysis(actor=demo_actor(username), clue_id=clue.pk)
    disposal = clue_services.propose_disposal(
        actor=demo_actor(username), clue_id=clue.pk, method=DisposalMethod.PRELIMINARY_VERIFICATION, reason="经集体研判"
    )
    assert disposal.approval_id is not None
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    assert clue.state == ClueState.PRELIMINARY_VERIFICATION
    return clue


def subject_of(clue: Clue) -> Any:
    return ClueSubject.objects.filter(clue=clue).select_related("subject").first().subject  # type: ignore[union-attr]


def drafted(clue: Clue | None = None, username: str = "xzshuji") -> FilingProposal:
    clue = clue or clue_under_verification()
    return services.draft_filing(
        actor=demo_actor(username),
        clue_id=clue.pk,
        subject_id=subject_of(clue).pk,
        data=services.ProposalInput(facts=FACTS, basis=BASIS, proposal=PROPOSAL, team_text="张某（组长）、李某"),
    )


def submitted(clue: Clue | None = None, username: str = "xzshuji") -> FilingProposal:
    proposal = drafted(clue, username)
    return services.submit_filing(actor=demo_actor(username), proposal_id=proposal.pk)


def zone_one() -> Zone:
    return Zone.objects.get(commission__is_demo=True, number=1)


def planned_meeting(kind: str = Kind.FILING, **kw: Any) -> Meeting:
    return meetings.convene_meeting(
        actor=demo_actor("zuzhang1"),
        data=meetings.MeetingInput(
            zone_id=zone_one().pk,
            kind=kind,
            scheduled_at=kw.pop("scheduled_at", timezone.now() + timedelta(hours=1)),
            place="第一协作区会议室",
            **kw,
        ),
    )


def attend(meeting: Meeting, absent: int = 0, username: str = "fuzuzhang1") -> None:
    """Record the voting members: the last ``absent`` of them on leave, the others present."""
    voters = voting_member_ids(meeting.zone)
    entries = [
        meetings.AttendanceInput(
            s, "leave" if i >= len(voters) - absent else "present", "公务外出" if i >= len(voters) - absent else ""
        )
        for i, s in enumerate(voters)
    ]
    meetings.record_attendance(actor=demo_actor(username), meeting_id=meeting.pk, entries=entries)


def on_agenda(proposal: FilingProposal, meeting: Meeting | None = None) -> AgendaItem:
    meeting = meeting or planned_meeting()
    return meetings.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind=services.FILING_AGENDA_KIND, target=proposal
    )


def held_with(proposal: FilingProposal, absent: int = 0) -> AgendaItem:
    item = on_agenda(proposal)
    attend(item.meeting, absent)
    meetings.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id)
    item.refresh_from_db()
    return item


def ballots_for(item: AgendaItem, votes: tuple[int, int, int]) -> dict[int, str]:
    """Ballots of the members who may vote on ``item`` (in the list's order): the first ``votes[0]`` for,
    the next ``votes[1]`` against, the next ``votes[2]`` abstaining."""
    from xiezuoqu.meetings.models import Attendance
    from xiezuoqu.meetings.selectors import tally

    eligible = tally(item).eligible_ids
    order = [
        a.staff_id
        for a in Attendance.objects.filter(meeting_id=item.meeting_id)
        if a.is_voting and a.staff_id in eligible
    ]
    wanted = ["for"] * votes[0] + ["against"] * votes[1] + ["abstain"] * votes[2]
    if len(wanted) > len(order):
        raise ValueError(f"{len(wanted)} ballots asked for, {len(order)} members may vote")
    return dict(zip(order, wanted, strict=False))


def decide(
    item: AgendaItem, outcome: str = "agree", votes: tuple[int, int, int] | None = None, username: str = "zuzhang1"
) -> Resolution:
    """Record the item's vote by ballots: ``agree`` — every eligible member for; ``disagree`` — every
    one against; ``defer`` — no vote. With ``votes`` the ballots are split so, and ``outcome`` is the
    result the recorder expects (refused when the ballots say otherwise)."""
    from xiezuoqu.meetings.selectors import tally

    eligible = len(tally(item).eligible_ids)
    if outcome == "defer":
        ballots: dict[int, str] = {}
    else:
        votes = votes or ((eligible, 0, 0) if outcome == "agree" else (0, eligible, 0))
        ballots = ballots_for(item, votes)
    return meetings.decide_item(
        actor=demo_actor(username),
        item_id=item.pk,
        data=meetings.DecisionInput(
            text="同意报有权机关立案。" if outcome == "agree" else "经研究。", ballots=ballots, outcome=outcome
        ),
    )


def zone_agreed(clue: Clue | None = None) -> FilingProposal:
    proposal = submitted(clue)
    decide(held_with(proposal))
    proposal.refresh_from_db()
    return proposal
