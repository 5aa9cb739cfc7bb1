"""The demo caseload: cases in every zone at a spread of stages, outcomes the rules allow, every step taken
through the services by the login that holds it, loaded once.

One small caseload (8 cases) is loaded for the whole class (``setUpTestData``) and rolled back after it:
loading takes seconds, and every test here only reads what it left.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings

from xiezuoqu.accounts.models import RoleAssignment
from xiezuoqu.accounts.roles import Role
from xiezuoqu.approvals.models import ApprovalDecision
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import Appeal, Case, PersonDecision
from xiezuoqu.cases.services import DecisionInput, evaluate
from xiezuoqu.clearing.models import Clearing
from xiezuoqu.clues.models import Clue, TalkInquiry
from xiezuoqu.demo.caseload import LOADED, Stage, load_demo_caseload, plan
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.demo.inspections import load_demo_inspections
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.demo.services import load_demo
from xiezuoqu.demo.training import load_demo_training
from xiezuoqu.intake.models import Category
from xiezuoqu.meetings.models import Meeting, Resolution
from xiezuoqu.sanctions import rules
from xiezuoqu.teams.models import Purpose, Team, TeamState
from xiezuoqu.verification.models import Verification

CASES = 8
# Where the first eight scripts leave their cases (an appealed case is executed with its appeal open).
STATES = {
    Stage.INVESTIGATING: "investigating",
    Stage.FIRST_REVIEW: "first_review",
    Stage.SECOND_REVIEW: "second_review",
    Stage.TRIAL: "trial",
    Stage.DECIDED: "decided",
    Stage.EXECUTED: "executed",
    Stage.ARCHIVED: "archived",
    Stage.APPEALED: "executed",
}
FOCUS = {Category.POVERTY, Category.COLLECTIVE_ASSETS, Category.FARM_SUBSIDY}


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="xiezuoqu-caseload-"))
class DemoCaseloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_demo()
        load_demo_reports(count=60)
        load_demo_casework()
        cls.before = set(Case.objects.values_list("pk", flat=True))
        cls.events_before = AuditEvent.objects.count()
        cls.summary = load_demo_caseload(cases=CASES)
        # The last steps of ``load_demo``: the second load below finds them done too.
        load_demo_funds()
        load_demo_training()
        load_demo_inspections()
        load_demo_screening()

    def cases(self) -> list[Case]:
        return list(
            Case.objects.exclude(pk__in=self.before).select_related("zone", "subject", "clue__handling_unit", "clue")
        )

    def test_the_caseload_is_recorded_with_a_summary_line(self) -> None:
        """The load ran, made the cases asked for and says so in one line."""
        assert self.summary.loaded
        assert self.summary.cases == CASES
        assert "演示办案（四个协作区）：立案 8 件" in self.summary.line()
        assert AuditEvent.objects.filter(action=LOADED).count() == 1

    def test_every_zone_has_cases_in_several_townships(self) -> None:
        """Two cases per zone, in at least five townships, each filed by its township's party committee."""
        cases = self.cases()
        assert Counter(c.zone.number for c in cases) == {1: 2, 2: 2, 3: 2, 4: 2}
        assert len({c.clue.handling_unit_id for c in cases}) >= 5
        assert {c.competent_body_kind for c in cases} == {"party_committee"}

    def test_the_cases_reach_the_planned_spread_of_stages(self) -> None:
        """Each of the first eight scripts' stages is reached: under investigation, 初审, 复审, 审理,
        decided, executed, archived, and one executed case under appeal (复审)."""
        scripts, _ = plan(CASES)
        assert self.summary.stages == Counter(s.stage for s in scripts)
        assert Counter(c.state for c in self.cases()) == Counter(STATES[s.stage] for s in scripts)
        appeal = Appeal.objects.get(case__in=self.cases())
        assert (appeal.kind, appeal.result, appeal.case.state) == ("review", "", "executed")

    def test_every_outcome_is_one_the_rules_allow_for_that_person(self) -> None:
        """Every decision passes the rules again (authority, village-cadre limits, party membership,
        periods) and carries the 形态 of its heaviest measure; forms 2 and 3 are both there."""
        decisions = list(PersonDecision.objects.filter(case__in=self.cases()).select_related("case", "subject"))
        assert len(decisions) == 4
        for d in decisions:
            assert d.state == "approved"
            form, periods = evaluate(
                d.case, d.subject, DecisionInput(d.codes, d.body, d.grounds, d.complex_case, d.months), d.decided_on
            )
            assert form == d.form == rules.form_of(d.codes)
            assert periods == d.periods
            if d.subject.is_village_cadre:
                government = {c for c in d.codes if rules.measure(c).kind is rules.Kind.GOVERNMENT}
                assert government <= rules.VILLAGE_CADRE_GOVERNMENT
        assert {d.form for d in decisions} == {2, 3}

    def test_most_cases_concern_village_cadres_in_the_focus_areas(self) -> None:
        """扶贫, 集体“三资” and 惠农 above all, and village cadres (村党支部书记, 村会计 ...)."""
        cases = self.cases()
        assert sum(c.clue.category in FOCUS for c in cases) >= 6
        assert sum(c.subject.is_village_cadre for c in cases) >= 6
        assert all(c.subject.position for c in cases)

    def test_each_step_was_taken_by_the_login_that_holds_it(self) -> None:
        """The filing decision by the township's 纪委书记; approvals by the login of the step's role; the
        zone meetings' resolutions numbered; each verification team confirmed its report in person."""
        for case in self.cases():
            filed = AuditEvent.objects.get(action="case.filed", target_id=str(case.pk))
            assert RoleAssignment.objects.filter(
                user_id=filed.actor_id, role=Role.TOWNSHIP_SECRETARY, unit_id=case.clue.handling_unit_id
            ).exists()
        decisions = ApprovalDecision.objects.filter(request__commission_id=self.cases()[0].commission_id)
        for decision in decisions.select_related("request"):
            assert decision.decided_by_id != decision.request.requester_id
            assert RoleAssignment.objects.filter(user_id=decision.decided_by_id, role=decision.role).exists()
        zones = {c.zone_id for c in self.cases()}
        assert set(Meeting.objects.filter(kind="filing").values_list("zone_id", flat=True)) >= zones
        # Every zone with a case holds its 线索研判会, also when its first batch found no accepted report to
        # open yet and took its matters up later.
        assert set(Meeting.objects.filter(kind="analysis").values_list("zone_id", flat=True)) >= zones
        assert not Resolution.objects.filter(number="").exists()
        for v in Verification.objects.filter(state="concluded", report__isnull=False).select_related("report"):
            team = Team.objects.get(clue_id=v.clue_id, purpose=Purpose.VERIFICATION, state=TeamState.CONFIRMED)
            members = set(team.members.filter(left_on__isnull=True).values_list("staff_id", flat=True))
            assert set(v.report.confirmations.values_list("staff_id", flat=True)) == members

    def test_investigations_are_self_cross_and_joint(self) -> None:
        """自办 cases go to the zone's 初审, the others straight to the trial office."""
        teams = Team.objects.filter(
            clue__in=[c.clue_id for c in self.cases()], purpose=Purpose.INVESTIGATION, state=TeamState.CONFIRMED
        )
        assert set(teams.values_list("mode", flat=True)) == {"self", "cross", "joint"}

    def test_other_clues_end_in_verifications_inquiries_and_clearings(self) -> None:
        """A verification under way, one that ended 予以了结 with the subject cleared (澄清正名 carried out),
        and a 谈话函询 by talk and one by letter, both concluded."""
        assert Verification.objects.filter(state="in_progress").count() >= 2  # one is casework.py's
        assert Clearing.objects.filter(state="done", clue__outcome="初核后予以了结").exists()
        inquiries = TalkInquiry.objects.exclude(concluded_on=None)
        assert set(inquiries.values_list("mode", flat=True)) == {"talk", "letter"}
        assert Clue.objects.filter(state="closed", outcome__startswith="初核后").exists()

    def test_a_second_load_does_nothing(self) -> None:
        """Neither the service nor the command loads the caseload twice, and nothing is recorded."""
        events = AuditEvent.objects.count()
        again = load_demo_caseload(cases=CASES)
        assert not again.loaded and again.cases == 0
        out = StringIO()
        call_command("load_demo", "--reports", "60", stdout=out)
        assert "四个协作区" not in out.getvalue()
        assert AuditEvent.objects.count() == events
        assert events > self.events_before
