"""Demo casework of zone 1 (宝山镇): clues carried on through the real services, so that every page of
team formation, recusal, verification, meetings, filing, cases and clearing has something to show.

- one clue goes the whole way: 初步核实 → a joint team proposed by the solver and confirmed → plan
  approved → measures and evidence → report confirmed by the whole team and approved (拟立案) →
  立案审查呈批报告 → the zone's 立案研究会 agrees → the township party committee files the case → the
  township investigates it (自办) → the zone's 初审 and the trial office's 复审 → 党内警告, approved →
  announced;
- one clue is under verification, its plan approved and a first talk recorded;
- one clue closed as untrue, its subject cleared (澄清正名) with the commission head's approval;
- a plea about the filed matter is registered (干预登记); zone 1 has a monthly 例会 rule.

Only the logins of the demo (see ``DEMO_LOGINS``) act, so that a visitor can follow each step. Like
the demo reports, it runs once: nothing is done when any verification exists already. The helpers that
act as those logins — ``actor_of``, ``approve_all``, ``hold_zone_meeting`` and ``vote_agreed`` (the demo's
one call that records a meeting's vote) — serve the county-wide caseload (``caseload.py``) too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import decide
from xiezuoqu.clues import services as clues
from xiezuoqu.clues.models import Clue, ClueSubject, DisposalMethod, Rank, SupervisionCategory
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import RuleViolation
from xiezuoqu.meetings.models import AgendaItem, Resolution
from xiezuoqu.org.models import Commission, Zone

from .clock import Story, Timeline, ago_within, moment, story_clock, workday_on_or_after, workdays_after
from .data import COMMISSION_NAME

SECRETARY, LEADER, DEPUTY, OFFICE, HEAD, LEADER_IN_CHARGE = (
    "xzshuji",
    "zuzhang1",
    "fuzuzhang1",
    "jianchashi1",
    "shuji",
    "fenguan",
)
# A text file is evidence enough for the demo; its content is hashed, sealed and verified like any other.
LEDGER_EXTRACT = "双山子村2025年耕地地力保护补贴发放名册（摘录）\n户主：赵某 面积：12亩 金额：1,440元\n".encode()


@dataclass
class CaseworkSummary:
    cases: int = 0
    verifications: int = 0
    clearings: int = 0
    seconds: float = 0.0


# Actors are computed once per load (as the product computes one per request): roles and zones do not
# change while the demo is loaded. ``load_demo_casework`` and ``load_demo_caseload`` start afresh.
_ACTORS: dict[str, Actor] = {}


def forget_actors() -> None:
    _ACTORS.clear()


def actor_of(username: str) -> Actor:
    """The demo login ``username`` as an actor."""
    found = _ACTORS.get(username)
    if found is None:
        found = _ACTORS[username] = build_actor(User.objects.get(username=username))
    return found


# Every demo login that decides approval steps: the zone leaders, the commission's leaders, the trial office.
APPROVERS = ("zuzhang1", "zuzhang2", "zuzhang3", "zuzhang4", "fenguan", "shuji", "shenli", "shenli2")


def approve_all(approval_id: int | None, *, stop_before: str = "") -> None:
    """Every pending step of the request, each decided by the demo login that holds it (not the requester,
    and not anyone who decided another step of the same round). ``stop_before``: leave the step for
    that role open (a request shown half-way up its chain)."""
    from xiezuoqu.approvals.selectors import may_decide_step
    from xiezuoqu.approvals.workflow import State, StepState

    assert approval_id is not None
    while True:
        request = ApprovalRequest.objects.get(pk=approval_id)
        if request.state != State.PENDING:
            return
        step = request.step_rows.filter(state=StepState.OPEN).order_by("index").first()
        if step is None or step.role == stop_before:
            return
        decided = set(request.decisions.filter(round=request.round).values_list("decided_by_id", flat=True))
        approver = next(
            (
                actor
                for actor in map(actor_of, APPROVERS)
                if actor.user_id != request.requester_id
                and actor.user_id not in decided
                and may_decide_step(actor, step)
            ),
            None,
        )
        if approver is None:
            raise RuleViolation(f"演示数据中没有可以审批“{step.label}”环节的账号。")
        decide(actor=approver, approval_id=approval_id, decision="approve", comment="同意")


def vote_agreed(*, recorders: Sequence[Actor], item: AgendaItem, text: str) -> Resolution:
    """The one place the demo records a zone meeting's vote on an item: every member present and not
    withdrawn from it votes for (记名表决). The first of ``recorders`` without a conflict on the item's
    clue records it (a leader who must withdraw from the item may not record its vote)."""
    from xiezuoqu.meetings import services as meetings
    from xiezuoqu.meetings.selectors import tally
    from xiezuoqu.recusal.conflicts import meeting_conflicted_staff_ids

    conflicted: set[int] = set()
    if item.clue_id is not None:
        clue = Clue.objects.get(pk=item.clue_id)
        conflicted = set(meeting_conflicted_staff_ids(clue, [r.staff_id for r in recorders if r.staff_id]))
    recorder = next((r for r in recorders if r.staff_id not in conflicted), None)
    if recorder is None:
        raise RuleViolation("演示数据中本议题的组长、副组长均须回避，没有可以记录表决结果的账号。")
    ballots = {staff_id: "for" for staff_id in tally(item).eligible_ids}
    return meetings.decide_item(
        actor=recorder, item_id=item.pk, data=meetings.DecisionInput(text=text, ballots=ballots)
    )


@dataclass(frozen=True)
class Topic:
    """One item for a zone meeting: a filing proposal to decide (立案审查), or a clue to study (线索研判)."""

    kind: str
    resolution: str
    target: Any = None
    clue_id: int | None = None


def hold_zone_meeting(
    *,
    zone: Zone,
    kind: str,
    topics: Sequence[Topic],
    leader: str,
    recorder: str,
    place: str,
    minutes: str,
    hours_ago: int = 1,
) -> list[AgendaItem]:
    """A zone meeting from the call to the minutes: the leader convenes it and sets the agenda, a deputy
    records that every voting member is present, the leader opens it (members with a conflict on an item
    withdraw from it), each item is voted and the minutes are issued."""
    from xiezuoqu.meetings import services as meetings
    from xiezuoqu.meetings.selectors import voting_member_ids

    chair = actor_of(leader)
    meeting = meetings.convene_meeting(
        actor=chair,
        data=meetings.MeetingInput(
            zone_id=zone.pk,
            kind=kind,
            scheduled_at=timezone.now() - timedelta(hours=hours_ago),
            place=place,
        ),
    )
    items = [
        meetings.add_agenda_item(
            actor=chair, meeting_id=meeting.pk, kind=topic.kind, target=topic.target, clue_id=topic.clue_id
        )
        for topic in topics
    ]
    meetings.record_attendance(
        actor=actor_of(recorder),
        meeting_id=meeting.pk,
        entries=[meetings.AttendanceInput(s, "present", "") for s in voting_member_ids(zone)],
    )
    meetings.hold_meeting(actor=chair, meeting_id=meeting.pk)
    for item, topic in zip(items, topics, strict=True):
        vote_agreed(recorders=[chair, actor_of(recorder)], item=item, text=topic.resolution)
    meetings.issue_minutes(actor=chair, meeting_id=meeting.pk, summary=minutes)
    return items


# The matters of the demo casework: (accused, village, category, summary, content), all in 宝山镇.
MATTERS = [
    (
        "赵德胜",
        "双山子村",
        "farm_subsidy",
        "反映双山子村党支部书记赵德胜以亲属名义冒领耕地地力保护补贴",
        "反映人称，双山子村党支部书记赵德胜2025年以其妹夫名义虚报耕地12亩，冒领耕地地力保护补贴，"
        "补贴名册与实际耕种情况明显不符，村民多次询问未获答复。",
    ),
    (
        "孙立新",
        "宝山村",
        "collective_assets",
        "反映宝山村村委会主任孙立新将村集体机动地低价发包给亲属",
        "反映人称，宝山村村委会主任孙立新2024年未经村民代表大会讨论，将村集体机动地80亩以明显低于市场价的价格"
        "发包给其表弟，租金收入未入村集体账。",
    ),
    (
        "钱玉梅",
        "新岭村",
        "poverty",
        "反映新岭村报账员钱玉梅截留扶贫产业项目分红",
        "反映人称，新岭村报账员钱玉梅在发放2025年扶贫产业项目分红时，少发部分脱贫户分红款。",
    ),
]


def _baoshan_clue(n: int) -> Clue:
    """A 宝山 report registered and accepted through intake, opened as a clue about a village cadre, studied."""
    from xiezuoqu.intake import services as intake
    from xiezuoqu.org.models import Unit, Village

    name, village_name, category, summary, content = MATTERS[n]
    registrar, secretary = actor_of("dengji"), actor_of(SECRETARY)
    township = Unit.objects.get(pk=next(iter(secretary.units_for_role("township_secretary"))))
    village = (
        Village.objects.filter(township=township, name=village_name).first()
        or Village.objects.filter(township=township).first()
    )
    report = intake.register_report(
        actor=registrar,
        data=intake.ReportInput(
            channel="letter",
            received_on=timezone.localdate() - timedelta(days=40 - 10 * n),
            summary=summary,
            content=content,
            category=category,
            township_id=township.pk,
            village_id=village.pk if village else None,
            accused=[
                intake.AccusedInput(name=name, township_id=township.pk, village_id=village.pk if village else None)
            ],
        ),
    )
    intake.accept_report(
        actor=registrar, report_id=report.pk, reason="属于本机关受理范围。", handling_unit_id=township.pk
    )
    clue = clues.open_clue(
        actor=secretary,
        data=clues.ClueInput(
            handling_unit_id=township.pk,
            source="reports",
            category=category,
            summary=summary,
            content=content,
            report_ids=[report.pk],
            township_id=township.pk,
            village_id=village.pk if village else None,
        ),
    )
    clues.add_subject(
        actor=secretary,
        clue_id=clue.pk,
        data=clues.SubjectInput(
            name=name,
            unit_text=f"{village_name}村民委员会" if village else "",
            position="村干部",
            rank=Rank.VILLAGE,
            is_village_cadre=True,
            supervision_category=SupervisionCategory.GRASSROOTS,
            township_id=township.pk,
            village_id=village.pk if village else None,
        ),
        accused_ids=list(report.accused.values_list("pk", flat=True)),
    )
    clues.start_analysis(actor=secretary, clue_id=clue.pk)
    return clue


def _after(workdays: int, hour: int = 10) -> datetime:
    """``workdays`` working days after the story's present day, at ``hour``."""
    return moment(workdays_after(timezone.localdate(), workdays), hour)


def _dispose(clue: Clue, method: str, reason: str) -> Clue:
    disposal = clues.propose_disposal(actor=actor_of(SECRETARY), clue_id=clue.pk, method=method, reason=reason)
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    return clue


def _team(clue: Clue) -> None:
    """The solver proposes a joint team (联合办理) from the zone pool; the zone leader puts the office's
    cadres with logins on it (the edit is checked again) and confirms; each member signs the 回避声明."""
    from xiezuoqu.recusal.services import sign_declaration
    from xiezuoqu.teams import services as teams

    leader = actor_of(LEADER)
    team = teams.propose_team(actor=leader, clue_id=clue.pk, mode="joint", size=3)
    office, deputy = actor_of(OFFICE), actor_of(DEPUTY)
    assert office.staff_id is not None and deputy.staff_id is not None
    others = [
        m.staff_id
        for m in team.members.filter(left_on__isnull=True)
        if m.staff_id not in (office.staff_id, deputy.staff_id)
    ]
    add = [
        teams.MemberInput(staff_id=s, role="member")
        for s in (office.staff_id, deputy.staff_id)
        if not team.members.filter(staff_id=s, left_on__isnull=True).exists()
    ]
    team = teams.edit_team(
        actor=leader,
        team_id=team.pk,
        reason="演示：由第一纪检监察室干部牵头，便于演示账号查看全流程",
        add=add,
        remove=others,
        lead_id=office.staff_id,
    )
    teams.confirm_team(actor=leader, team_id=team.pk)
    for username in (OFFICE, DEPUTY):
        sign_declaration(actor=actor_of(username), clue_id=clue.pk, no_conflict=True)


def _verification(clue: Clue, *, finish: bool) -> Story:
    from xiezuoqu.verification import services as verification

    office = actor_of(OFFICE)
    deputy = actor_of(DEPUTY)
    today = timezone.localdate()
    v = verification.draft_plan(
        actor=office,
        clue_id=clue.pk,
        data=verification.PlanInput(
            scope=f"{clue.village or clue.township}：{clue.summary.removeprefix('反映')}的问题",
            points="1. 反映的事实是否存在；2. 涉及资金、资产的实际去向；3. 有关审批、公示手续是否完备。",
            planned_measures=["talk", "retrieval", "query"],
            starts_on=today,
            ends_on=today + timedelta(days=45),
        ),
    )
    verification.submit_plan(actor=office, verification_id=v.pk)
    yield _after(2, 16)
    v.refresh_from_db()
    approve_all(v.plan.approval_id)
    yield _after(9, 15)
    now = timezone.now()
    measure = verification.record_measure(
        actor=office,
        verification_id=v.pk,
        data=verification.MeasureInput(
            kind="talk",
            officer_ids=[office.staff_id, deputy.staff_id],
            person_or_record="双山子村报账员",
            starts_at=now - timedelta(hours=3),
            ends_at=now - timedelta(hours=2),
            place="宝山镇纪委谈话室",
        ),
    )
    if not finish:
        return
    yield _after(12, 10)
    verification.add_evidence(
        actor=office,
        verification_id=v.pk,
        data=verification.EvidenceInput(
            title="补贴发放名册（摘录）",
            kind="document",
            file_name="补贴名册.txt",
            data=LEDGER_EXTRACT,
            source_measure_id=measure.pk,
        ),
    )
    verification.draft_report(
        actor=office,
        verification_id=v.pk,
        data=verification.ReportInput(
            facts="经核实，该村党支部书记以亲属名义虚报耕地面积12亩，冒领耕地地力保护补贴1440元。",
            basis="补贴发放名册、谈话笔录；《中国共产党纪律处分条例》相关规定。",
            recommendation="file",
        ),
    )
    for username in (OFFICE, DEPUTY):
        verification.confirm_report(actor=actor_of(username), verification_id=v.pk)
    report = verification.submit_report(actor=office, verification_id=v.pk)
    yield _after(3, 15)
    approve_all(report.approval_id)


def _file(clue: Clue) -> Story:
    from xiezuoqu.filing import services as filing

    subject = ClueSubject.objects.filter(clue=clue).select_related("subject").first()
    assert subject is not None
    proposal = filing.draft_filing(
        actor=actor_of(OFFICE),
        clue_id=clue.pk,
        subject_id=subject.subject_id,
        data=filing.ProposalInput(facts="", basis="", proposal="建议对其立案审查调查。", team_text=""),
    )
    filing.submit_filing(actor=actor_of(OFFICE), proposal_id=proposal.pk)
    yield _after(3, 9)
    hold_zone_meeting(
        zone=Zone.objects.get(pk=clue.zone_id),
        kind="filing",
        topics=[Topic(filing.FILING_AGENDA_KIND, "同意报有权机关立案审查调查。", target=proposal)],
        leader=LEADER,
        recorder=DEPUTY,
        place="第一协作区会议室",
        minutes="研究立案审查呈批事项一项，同意报批。",
    )
    yield _after(2, 15)
    proposal.refresh_from_db()
    filing.decide_as_body(
        actor=actor_of(SECRETARY),
        proposal_id=proposal.pk,
        decision="file",
        reason="经宝山镇党委研究，同意立案审查调查。",
    )


def _case_to_announcement(clue: Clue) -> Story:
    """The filed case, investigated by the township (自办), through the zone's 初审 and the trial office's
    复审 (查审分离: nobody who verified or investigated reviews), decided with the approval chain, announced."""
    from xiezuoqu.cases import services as cases
    from xiezuoqu.cases.models import Case
    from xiezuoqu.org.models import ZoneDeputy
    from xiezuoqu.teams import services as teams
    from xiezuoqu.verification.services import MeasureInput

    yield _after(3, 9)
    case = Case.objects.get(clue=clue)
    secretary, leader = actor_of(SECRETARY), actor_of(LEADER)
    assert secretary.staff_id is not None and leader.staff_id is not None
    # The solver picks the township's cadres free of conflicts (尹立健, whose kin live in the village, is
    # left out with the reason); the zone leader makes the township secretary the lead.
    team = teams.propose_team(actor=leader, clue_id=clue.pk, mode="self", size=2, purpose="investigation")
    members = [m.staff_id for m in team.members.filter(left_on__isnull=True)]
    if secretary.staff_id not in members:
        others = [s for s in members if s != secretary.staff_id]
        team = teams.edit_team(
            actor=leader,
            team_id=team.pk,
            reason="演示：由宝山镇纪委书记牵头自办",
            add=[teams.MemberInput(staff_id=secretary.staff_id, role="member")],
            remove=others[1:],
            lead_id=secretary.staff_id,
        )
    teams.confirm_team(actor=leader, team_id=team.pk)
    officers = list(team.members.filter(left_on__isnull=True).values_list("staff_id", flat=True))
    from xiezuoqu.recusal.services import record_paper_declaration, sign_declaration

    sign_declaration(actor=secretary, clue_id=clue.pk, no_conflict=True)
    for staff_id in officers:  # the others signed the paper form; the zone leader records it
        if staff_id != secretary.staff_id:
            record_paper_declaration(actor=leader, clue_id=clue.pk, staff_id=staff_id, no_conflict=True)
    cases.start_investigation(actor=secretary, case_id=case.pk)
    yield _after(6, 16)
    cases.record_case_measure(
        actor=secretary,
        case_id=case.pk,
        data=MeasureInput(
            kind="interrogation",
            officer_ids=officers,
            person_or_record="被审查调查人",
            starts_at=ago_within(case.filed_on, timedelta(hours=5)),
            ends_at=ago_within(case.filed_on, timedelta(hours=4)),
            place="宝山镇纪委谈话室",
            approval_reference="宝山镇纪委书记批准",
        ),
    )
    yield _after(35, 10)
    cases.write_report(
        actor=secretary,
        case_id=case.pk,
        data=cases.ReportInput(
            facts="以亲属名义虚报耕地面积12亩，冒领耕地地力保护补贴1440元。",
            evidence_summary="补贴发放名册、银行流水、证人证言、本人陈述。",
            proposal="建议给予党内警告处分。",
            attitude="认错态度较好，已退缴全部违纪款。",
        ),
    )
    cases.hand_over(actor=secretary, case_id=case.pk)
    yield _after(3, 9)
    # 初审: the zone leader and a deputy who took no part in the verification.
    verifiers = set(clue.teams.values_list("members__staff_id", flat=True))
    deputy = (
        ZoneDeputy.objects.filter(zone_id=clue.zone_id, end_date__isnull=True)
        .exclude(staff_id__in=verifiers)
        .values_list("staff_id", flat=True)
        .first()
    )
    assert deputy is not None
    cases.open_trial_review(actor=leader, case_id=case.pk, reviewer_ids=[leader.staff_id, deputy])
    opinion = "事实清楚，证据确凿，定性准确，处理恰当，手续完备。"
    yield _after(10, 16)
    cases.conclude_review(actor=leader, case_id=case.pk, opinion=opinion)
    trial, trial2 = actor_of("shenli"), actor_of("shenli2")
    yield _after(3, 9)
    cases.open_trial_review(actor=trial, case_id=case.pk, reviewer_ids=[trial.staff_id, trial2.staff_id])
    yield _after(15, 16)
    cases.conclude_review(actor=trial, case_id=case.pk, opinion=opinion)
    yield _after(2, 10)
    decision = cases.propose_decision(
        actor=trial,
        case_id=case.pk,
        data=cases.DecisionInput(
            codes=["party_warning"], body="township_committee", grounds="冒领惠农补贴1440元，已全部退缴，认错态度较好。"
        ),
    )
    yield _after(5, 15)
    approve_all(decision.approval_id)
    yield _after(5, 9)
    cases.announce_decision(
        actor=secretary,
        case_id=case.pk,
        announced_on=timezone.localdate(),
        place="宝山镇纪委",
        attendees="本人、村党支部委员",
    )


def _clearing(clue: Clue) -> None:
    from xiezuoqu.clearing import services as clearing

    subject = ClueSubject.objects.filter(clue=clue).first()
    assert subject is not None
    proposed = clearing.propose_clearing(
        actor=actor_of(SECRETARY),
        clue_id=clue.pk,
        data=clearing.ClearingInput(
            subject_id=subject.subject_id,
            method="letter",
            finding="untrue",
            facts="经查，该同志经手的惠农补贴均按公示名册足额发放，反映的问题失实。",
        ),
    )
    approve_all(proposed.approval_id)


def _plea(clue: Clue) -> None:
    from xiezuoqu.recusal import services as recusal

    recusal.record_intervention(
        actor=actor_of(SECRETARY),
        clue_id=clue.pk,
        data=recusal.InterventionInput(
            kind="enquiry",
            channel="phone",
            occurred_at=timezone.now() - timedelta(days=2),
            intervener_name="钱某某",
            intervener_unit="某村退休干部",
            content="来电打听该线索的办理进展，询问是否会立案。",
            response="当即告知不能透露案情，并按规定登记报告。",
        ),
    )


def load_demo_casework() -> CaseworkSummary:
    from xiezuoqu.meetings import services as meetings
    from xiezuoqu.verification.models import Verification

    started = timezone.now()
    forget_actors()
    commission = Commission.objects.get(name=COMMISSION_NAME, is_demo=True)
    if Verification.objects.filter(clue__commission=commission).exists():
        return CaseworkSummary()
    summary = CaseworkSummary()
    method = DisposalMethod.PRELIMINARY_VERIFICATION
    year = timezone.localdate().year
    zone = Zone.objects.get(commission=commission, number=1)

    def filed() -> Story:
        """Received in April, verified in May, filed in June, decided and announced in the autumn."""
        yield moment(workday_on_or_after(date(year, 4, 13)), 9)
        clue = _baoshan_clue(0)
        yield _after(5, 10)
        clue = _dispose(clue, method, "反映问题具体，具有可查性，经集体研判拟初步核实。")
        yield _after(3, 9)
        _team(clue)
        yield from _verification(clue, finish=True)
        yield _after(3, 10)
        yield from _file(clue)
        yield from _case_to_announcement(clue)
        yield _after(2, 10)
        _plea(clue)
        summary.cases += 1
        summary.verifications += 1

    def underway() -> Story:
        """Received in early November: its verification is under way."""
        yield moment(workday_on_or_after(date(year, 11, 2)), 9)
        clue = _dispose(_baoshan_clue(1), method, "反映问题具体，经集体研判拟初步核实。")
        yield _after(3, 9)
        _team(clue)
        yield from _verification(clue, finish=False)
        summary.verifications += 1

    def closed() -> Story:
        """Received in September, found untrue at once: 予以了结 and 澄清正名."""
        yield moment(workday_on_or_after(date(year, 9, 14)), 9)
        clue = _baoshan_clue(2)
        yield _after(5, 10)
        clue = _dispose(clue, DisposalMethod.CLOSE, "经初步了解，反映问题与事实明显不符，予以了结。")
        if clue.state == ClueState.CLOSED:
            yield _after(5, 15)
            _clearing(clue)
            summary.clearings += 1

    def schedule() -> Story:
        yield moment(workday_on_or_after(date(year, 1, 5)), 9)
        meetings.set_regular_schedule(
            actor=actor_of(LEADER),
            zone_id=zone.pk,
            kind="regular",
            week=1,
            weekday=1,
            at=time(9, 0),
            place="第一协作区会议室",
        )

    with story_clock() as clock:
        timeline = Timeline(clock)
        for story in (schedule(), filed(), closed(), underway()):
            timeline.add(story)
        timeline.run()
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary
