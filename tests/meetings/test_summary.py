"""总结会: the zone's figures for a period are computed from the record (one aggregate query per group,
ten in all), match a hand-built dataset exactly, are frozen into the resolution when the summary item is
decided — so the minutes do not change when later data arrive — and are offered for this quarter,
half-year or year."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from docx import Document

from tests.clues.conftest import BAOSHAN, DONGTANG, api_token
from tests.filing.conftest import attend, ballots_for, planned_meeting, zone_one
from tests.intake.conftest import demo_actor, login, unit_named
from xiezuoqu.accounts.models import User
from xiezuoqu.approvals.models import ApprovalChain, ApprovalRequest
from xiezuoqu.cases.models import Case, PersonDecision
from xiezuoqu.clues.models import Clue, ClueDisposal, Subject
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.intake.models import Report
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import AgendaItem, Kind, Meeting, Resolution
from xiezuoqu.meetings.summary import ZoneFigures, period_presets, zone_figures
from xiezuoqu.org.models import StaffMember, Unit, Zone
from xiezuoqu.teams.models import Team, TeamMember
from xiezuoqu.verification.models import Verification

pytestmark = pytest.mark.django_db

Q3 = (date(2026, 7, 1), date(2026, 9, 30))
_seq = itertools.count(1)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


class Dataset:
    """Rows written straight to the tables: what the zone did in 2026 Q3, with rows just outside the
    period and rows of another zone that must not count."""

    def __init__(self) -> None:
        self.zone = zone_one()
        self.other_zone = Zone.objects.get(commission=self.zone.commission, number=2)
        self.commission = self.zone.commission
        self.user = User.objects.get(username="xzshuji")
        self.baoshan = unit_named(BAOSHAN)
        self.dongtang = unit_named(DONGTANG)
        self.meeting: Meeting | None = None

    # --- rows ---
    def report(self, unit: Unit, zone: Zone, registered: date) -> Report:
        return Report.objects.create(
            commission=self.commission,
            ledger_unit=unit,
            ledger_year=registered.year,
            ledger_seq=next(_seq),
            ledger_number=f"测{next(_seq)}",
            channel="letter",
            received_on=registered,
            registered_at=at(registered),
            state="registered",
            summary="反映问题",
            content="反映问题",
            category="farm_subsidy",
            zone=zone,
        )

    def clue(self, received: date, zone: Zone | None = None) -> Clue:
        zone = zone or self.zone
        unit = self.baoshan if zone == self.zone else self.dongtang
        n = next(_seq)
        return Clue.objects.create(
            commission=self.commission,
            handling_unit=unit,
            zone=zone,
            ledger_year=received.year,
            ledger_seq=n,
            ledger_number=f"线索{n}",
            source="inspection",
            category="collective_assets",
            summary="问题",
            received_on=received,
            state="registered",
            state_changed_at=at(received),
            registered_by=self.user,
        )

    def disposal(self, clue: Clue, method: str, decided: date, state: str = "approved") -> None:
        ClueDisposal.objects.create(
            clue=clue,
            method=method,
            reason="经集体研判",
            review_on=date(2027, 1, 1) if method == "hold" else None,
            state=state,
            proposed_by=self.user,
            decided_at=at(decided),
        )

    def verification(self, clue: Clue, started: date, concluded: date | None = None) -> Verification:
        return Verification.objects.create(
            commission=self.commission,
            clue=clue,
            state="concluded" if concluded else "in_progress",
            state_changed_at=timezone.now(),
            started_on=started,
            concluded_on=concluded,
            last_progress_at=timezone.now(),
            created_by=self.user,
        )

    def subject(self) -> Subject:
        n = next(_seq)
        return Subject.objects.create(
            commission=self.commission, name=f"被反映人{n}", name_index=f"idx{n}", created_by=self.user
        )

    def resolution(self, outcome: str) -> Resolution:
        if self.meeting is None:
            self.meeting = Meeting.objects.create(
                commission=self.commission,
                zone=self.zone,
                kind="filing",
                title="立案研究会",
                scheduled_at=at(date(2026, 7, 5)),
                place="会议室",
                chair_id=self.zone.leader_id,
                state="held",
                created_by=self.user,
            )
        n = next(_seq)
        item = AgendaItem.objects.create(
            meeting=self.meeting, order=n, kind="general", title="议题", added_by=self.user
        )
        return Resolution.objects.create(
            item=item,
            zone=self.zone,
            year=2026,
            seq=1000 + n,
            number=f"决{n}",
            outcome=outcome,
            votes_for=4 if outcome == "agree" else 0,
            votes_against=0 if outcome == "agree" else 4,
            voting_members=4,
            present_voters=4,
            text="决议",
            decided_by=self.user,
        )

    def proposal(self, clue: Clue, submitted: date, decided: date | None = None, outcome: str = "") -> FilingProposal:
        state = {"": "submitted_to_zone", "agree": "zone_agreed", "disagree": "zone_disagreed"}[outcome]
        return FilingProposal.objects.create(
            commission=self.commission,
            zone=self.zone,
            clue=clue,
            subject=self.subject(),
            state=state,
            state_changed_at=timezone.now(),
            body_kind="party_committee",
            body_unit=self.baoshan,
            body_name="宝山镇党委",
            facts="事实",
            basis="依据",
            proposal="建议立案",
            drafted_by=self.user,
            submitted_at=at(submitted),
            zone_resolution=self.resolution(outcome) if outcome else None,
            zone_decided_at=at(decided) if decided else None,
        )

    def case(self, clue: Clue, filed: date, zone: Zone | None = None) -> Case:
        n = next(_seq)
        return Case.objects.create(
            commission=self.commission,
            zone=zone or self.zone,
            clue=clue,
            subject=self.subject(),
            case_year=filed.year,
            case_seq=n,
            case_number=f"立{n}",
            filed_on=filed,
            competent_body_kind="party_committee",
            competent_body_name="宝山镇党委",
            filing_reference="决议",
            state="decided",
            state_changed_at=timezone.now(),
            opened_by=self.user,
        )

    def decision(self, case: Case, form: int | None, decided: date, state: str = "approved") -> None:
        chain = ApprovalChain.objects.filter(commission=self.commission).first()
        assert chain is not None
        approval = ApprovalRequest.objects.create(
            commission=self.commission,
            matter_type="case.sanction",
            chain=chain,
            chain_version=chain.version,
            chain_name=chain.name,
            mode=chain.mode,
            requester=self.user,
            requester_unit=self.baoshan,
            title="处理决定",
            reason="报批",
            state="approved",
            submitted_at=at(decided),
            decided_at=at(decided),
        )
        PersonDecision.objects.create(
            case=case,
            subject=self.subject(),
            codes=["party_warning"],
            body="township_committee",
            form=form,
            grounds="事实和依据",
            approval=approval,
            state=state,
            decided_on=decided if state == "approved" else None,
            proposed_by=self.user,
        )

    def team(self, clue: Clue, mode: str, confirmed: date | None) -> Team:
        return Team.objects.create(
            clue=clue,
            mode=mode,
            lead_unit=self.baoshan,
            state="confirmed" if confirmed else "proposed",
            proposed_by=self.user,
            confirmed_at=at(confirmed) if confirmed else None,
        )

    def seat(self, team: Team, staff: StaffMember, joined: date | None, role: str = "trainee") -> None:
        TeamMember.objects.create(team=team, staff=staff, role=role, joined_on=joined)

    def deadline(self, target: Clue, overdue_since: date | None, state: str = "open", zone: Zone | None = None) -> None:
        n = next(_seq)
        Deadline.objects.create(
            commission=self.commission,
            target_type=ContentType.objects.get_for_model(Clue),
            target_id=target.pk,
            target_label=str(target),
            kind=f"test.kind{n}",
            label="时限",
            start_date=date(2026, 6, 1),
            period_value=1,
            period_unit="months",
            original_due_date=date(2026, 7, 1),
            due_date=date(2026, 7, 1),
            state=state,
            met_on=date(2026, 9, 10) if state in ("met", "met_late") else None,
            zone=zone or self.zone,
            overdue_since=overdue_since,
        )


@pytest.fixture
def dataset(demo) -> Dataset:  # type: ignore[no-untyped-def]
    d = Dataset()
    inspection_office = Unit.objects.get(pk=d.zone.inspection_office_id)
    petition_office = Unit.objects.get(commission=d.commission, kind="petition_office")
    # 受理登记: 3 by 宝山 and 1 by the lead office in Q3 are the zone's own; with the petition office's
    # (routed to the zone) 5 are the zone's; one in June and another zone's do not count at all.
    for day in (date(2026, 7, 1), date(2026, 8, 15), date(2026, 9, 30)):
        d.report(d.baoshan, d.zone, day)
    d.report(inspection_office, d.zone, date(2026, 9, 1))
    d.report(petition_office, d.zone, date(2026, 8, 1))
    d.report(d.baoshan, d.zone, date(2026, 6, 30))
    d.report(d.dongtang, d.other_zone, date(2026, 8, 1))

    # 线索: 5 received in Q3, 1 in June; another zone's.
    a, b, c, e = (d.clue(date(2026, 7, n)) for n in (2, 3, 4, 5))
    f = d.clue(date(2026, 6, 15))
    d.clue(date(2026, 9, 30))
    other = d.clue(date(2026, 8, 1), zone=d.other_zone)

    # 处置: 5 clues disposed in Q3 — 谈话函询 1, 初步核实 2, 暂存待查 1, 予以了结 1; a proposal sent back, one
    # approved in October and another zone's do not count.
    d.disposal(a, "talk_or_letter", date(2026, 7, 10))
    d.disposal(b, "preliminary_verification", date(2026, 7, 10))
    d.disposal(c, "preliminary_verification", date(2026, 7, 20))
    d.disposal(e, "hold", date(2026, 9, 30))
    d.disposal(f, "close", date(2026, 7, 1))
    d.disposal(a, "close", date(2026, 8, 1), state="sent_back")
    d.disposal(e, "close", date(2026, 10, 1))
    d.disposal(other, "close", date(2026, 8, 1))

    # 初步核实: begun in Q3 b, c; concluded in Q3 b and f's (begun in June).
    d.verification(b, date(2026, 7, 10), date(2026, 9, 20))
    d.verification(c, date(2026, 8, 1))
    d.verification(f, date(2026, 6, 1), date(2026, 7, 15))
    d.verification(other, date(2026, 8, 1))

    # 立案审查呈批: submitted in Q3 p1, p2, p4; agreed in Q3 p1 and p3 (submitted in June).
    d.proposal(b, date(2026, 9, 1), date(2026, 9, 10), "agree")
    d.proposal(c, date(2026, 9, 5))
    d.proposal(f, date(2026, 6, 20), date(2026, 7, 5), "agree")
    d.proposal(e, date(2026, 9, 6), date(2026, 9, 12), "disagree")

    # 立案: 2 in Q3, 1 in October, 1 of another zone.
    case1 = d.case(b, date(2026, 9, 15))
    case2 = d.case(f, date(2026, 8, 1))
    d.case(c, date(2026, 10, 2))
    d.case(other, date(2026, 8, 2), zone=d.other_zone)

    # 处理决定 approved in Q3: 3 people in 2 cases — 第一种形态 1, 第二种 1, none 1; one still proposed, one
    # approved in October.
    d.decision(case1, 1, date(2026, 9, 25))
    d.decision(case2, 2, date(2026, 9, 28))
    d.decision(case2, None, date(2026, 9, 28))
    d.decision(case1, 3, date(2026, 9, 29), state="proposed")
    d.decision(case2, 4, date(2026, 10, 5))

    # 办案组 confirmed in Q3: 自办 1, 交叉 1, 联合 1; a proposed team and one confirmed in May do not count.
    staff = list(StaffMember.objects.filter(commission=d.commission).order_by("id")[:4])
    joint = d.team(b, "joint", date(2026, 7, 8))
    cross = d.team(c, "cross", date(2026, 8, 1))
    d.team(a, "self", date(2026, 7, 20))
    d.team(e, "elevated", None)
    earlier = d.team(f, "joint", date(2026, 5, 1))
    # 以干代训: 4 seats of 3 cadres — on the joint and the cross team, one joined without a date (counted
    # at the team's confirmation), one joined the May team in July; a 组员 is not a trainee.
    d.seat(joint, staff[0], date(2026, 7, 8))
    d.seat(cross, staff[0], date(2026, 8, 1))
    d.seat(cross, staff[1], None)
    d.seat(earlier, staff[2], date(2026, 7, 5))
    d.seat(earlier, staff[3], date(2026, 5, 1))
    d.seat(joint, staff[3], date(2026, 7, 8), role="member")

    # 时限: 2 went overdue in Q3, 1 of them still open; October's and another zone's do not count.
    d.deadline(a, date(2026, 8, 10))
    d.deadline(b, date(2026, 9, 1), state="met_late")
    d.deadline(c, date(2026, 10, 3))
    d.deadline(e, None)
    d.deadline(other, date(2026, 8, 1), zone=d.other_zone)
    return d


EXPECTED = {
    "reports_registered": 4,
    "reports_of_zone": 5,
    "clues_received": 5,
    "clues_disposed": 5,
    "disposed_by_method": {"talk_or_letter": 1, "preliminary_verification": 2, "hold": 1, "close": 1},
    "verifications_begun": 2,
    "verifications_concluded": 2,
    "proposals_submitted": 3,
    "proposals_agreed": 2,
    "cases_filed": 2,
    "people_decided": 3,
    "cases_decided": 2,
    "decisions_by_form": {"1": 1, "2": 1, "3": 0, "4": 0, "none": 1},
    "teams_confirmed": 3,
    "teams_by_mode": {"self": 1, "cross": 1, "joint": 1, "elevated": 0},
    "trainee_seats": 4,
    "trainees": 3,
    "deadlines_overdue": 2,
    "deadlines_overdue_open": 1,
}


def test_the_figures_match_the_hand_built_dataset_in_ten_queries(dataset, django_assert_num_queries):
    zone = Zone.objects.get(pk=dataset.zone.pk)
    with django_assert_num_queries(10):
        figures = zone_figures(zone, *Q3)
    got = figures.as_json()
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert (got["start"], got["end"]) == ("2026-07-01", "2026-09-30")
    assert figures.filing_rate == "40.0%"  # 2 cases filed ÷ 5 clues disposed
    assert figures.cross_joint_share == "66.7%"  # cross 1 + joint 1 of 3 teams
    rows = dict(figures.rows())
    assert rows["成案率"] == "40.0%（立案 2 件 ÷ 处置线索 5 件）"
    assert rows["处置问题线索"] == "5 件：谈话函询 1 件，初步核实 2 件，暂存待查 1 件，予以了结 1 件"
    assert rows["作出处理决定"].startswith("3 人（2 件案件）：第一种形态 1 人，第二种形态 1 人")


def test_an_empty_period_has_no_filing_rate(dataset):
    figures = zone_figures(dataset.zone, date(2025, 1, 1), date(2025, 3, 31))
    assert figures.clues_disposed == 0 and figures.filing_rate == "—"


def test_the_presets_are_this_and_last_quarter_half_year_and_year():
    presets = {key: (p.start, p.end, p.label) for key, p in period_presets(date(2026, 8, 15))}
    assert presets["quarter"] == (date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度")
    assert presets["last_quarter"] == (date(2026, 4, 1), date(2026, 6, 30), "2026年第二季度")
    assert presets["half"] == (date(2026, 7, 1), date(2026, 12, 31), "2026年下半年")
    assert presets["last_half"] == (date(2026, 1, 1), date(2026, 6, 30), "2026年上半年")
    assert presets["year"] == (date(2026, 1, 1), date(2026, 12, 31), "2026年度")
    january = {key: (p.start, p.end) for key, p in period_presets(date(2026, 1, 20))}
    assert january["last_quarter"] == (date(2025, 10, 1), date(2025, 12, 31))
    assert january["last_half"] == (date(2025, 7, 1), date(2025, 12, 31))
    assert january["last_year"] == (date(2025, 1, 1), date(2025, 12, 31))


def _summary_item() -> AgendaItem:
    meeting = planned_meeting(Kind.SUMMARY)
    item = services.add_agenda_item(
        actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind="period_summary", period=Q3
    )
    attend(meeting)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    item.refresh_from_db()
    return item


def _minutes(meeting_id: int) -> str:
    response = login(Client(), "zuzhang1").get(f"/meetings/{meeting_id}/minutes.docx")
    return "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)


def test_a_summary_item_needs_a_period(demo):
    meeting = planned_meeting(Kind.SUMMARY)
    from xiezuoqu.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="统计期间"):
        services.add_agenda_item(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk, kind="period_summary")
    with pytest.raises(ValidationFailed, match="不能早于"):
        services.add_agenda_item(
            actor=demo_actor("zuzhang1"),
            meeting_id=meeting.pk,
            kind="period_summary",
            period=(date(2026, 9, 30), date(2026, 7, 1)),
        )


def test_the_figures_are_frozen_when_the_item_is_decided(dataset):
    item = _summary_item()
    assert item.title == "2026年第三季度（2026年7月1日至2026年9月30日）工作总结"
    leader = login(Client(), "zuzhang1")
    page = leader.get(f"/meetings/{item.meeting_id}/").content.decode()
    assert "实时计算" in page and "40.0%（立案 2 件 ÷ 处置线索 5 件）" in page
    resolution = services.decide_item(
        actor=demo_actor("zuzhang1"),
        item_id=item.pk,
        data=services.DecisionInput(text="同意三季度工作总结。", ballots=ballots_for(item, (4, 0, 0))),
    )
    frozen = ZoneFigures.from_json(resolution.figures)
    assert {k: frozen.as_json()[k] for k in EXPECTED} == EXPECTED
    # Later data change the live figures, not the record.
    dataset.disposal(dataset.clue(date(2026, 9, 1)), "close", date(2026, 9, 2))
    assert zone_figures(dataset.zone, *Q3).clues_disposed == 6
    resolution.refresh_from_db()
    assert resolution.figures["clues_disposed"] == 5
    text = _minutes(item.meeting_id)
    assert "统计期间：2026年第三季度（2026年7月1日至2026年9月30日）" in text
    assert "成案率：40.0%（立案 2 件 ÷ 处置线索 5 件）" in text
    assert "以干代训：4 人次（3 名乡镇干部）" in text
    page = leader.get(f"/meetings/{item.meeting_id}/").content.decode()
    assert "表决时统计，不再变动" in page and "实时计算" not in page
    assert "处置线索 5 件" in page and "处置线索 6 件" not in page


def test_the_page_offers_the_periods_and_adds_a_summary_item(demo):
    meeting = planned_meeting(Kind.SUMMARY)
    leader = login(Client(), "zuzhang1")
    page = leader.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'value="last_quarter"' in page and 'value="year"' in page
    leader.post(f"/meetings/{meeting.pk}/act/", {"action": "add_item", "kind": "period_summary", "period": "year"})
    item = AgendaItem.objects.get(meeting=meeting)
    today = timezone.localdate()
    assert (item.period_start, item.period_end) == (date(today.year, 1, 1), date(today.year, 12, 31))
    leader.post(
        f"/meetings/{meeting.pk}/act/",
        {
            "action": "add_item",
            "kind": "period_summary",
            "period": "",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
    )
    assert AgendaItem.objects.filter(
        meeting=meeting, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    ).exists()


def _api(username: str, path: str, body: Any) -> Any:
    token = api_token(User.objects.get(username=username))
    return Client().post(
        "/api/v1/meetings" + path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_api_adds_a_summary_item_and_returns_the_frozen_figures(dataset):
    meeting = planned_meeting(Kind.SUMMARY)
    bad = _api("zuzhang1", f"/{meeting.pk}/items", {"kind": "period_summary", "period": "decade"})
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    missing = _api("zuzhang1", f"/{meeting.pk}/items", {"kind": "period_summary"})
    assert missing.status_code == 422 and "统计期间" in missing.json()["detail"]
    added = _api(
        "zuzhang1",
        f"/{meeting.pk}/items",
        {"kind": "period_summary", "period_start": "2026-07-01", "period_end": "2026-09-30"},
    )
    assert added.status_code == 201 and added.json()["period_end"] == "2026-09-30"
    attend(meeting)
    services.hold_meeting(actor=demo_actor("zuzhang1"), meeting_id=meeting.pk)
    item = AgendaItem.objects.get(pk=added.json()["id"])
    ballots = {str(k): v for k, v in ballots_for(item, (4, 0, 0)).items()}
    decided = _api("zuzhang1", f"/items/{item.pk}/decision", {"text": "同意。", "ballots": ballots})
    assert decided.status_code == 201, decided.content.decode()
    figures = decided.json()["resolution"]["figures"]
    assert figures["cases_filed"] == 2 and figures["clues_disposed"] == 5
