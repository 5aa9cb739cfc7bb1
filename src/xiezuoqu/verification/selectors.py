"""Scoped reads of verifications, measures, evidence and reports, and what other apps ask of them.

Scope: everything here hangs from a clue, so who sees it is who sees the clue
(``clues_visible_to`` / ``can_view_clue``: the handling unit, the zone, 案管 and the leadership, the
active team members, minus recusals and the actor's own matters). The three administrators see
nothing (三员分立). Evidence is sensitive: every reading of an item is on record.

For the filing app (立案): ``filing_recommended(clue_id)`` and ``report_for_filing(clue_id)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to, may_work
from xiezuoqu.deadlines.models import Deadline, DeadlineState
from xiezuoqu.teams.models import Purpose, Team, TeamMember
from xiezuoqu.teams.selectors import active_member_staff_ids, active_members

from .models import (
    CustodyEvent,
    EvidenceItem,
    Measure,
    Recommendation,
    ReportConfirmation,
    Verification,
    VerificationPlan,
    VerificationReport,
)
from .rules import STALL_KIND
from .workflow import State


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


# --- scopes ------------------------------------------------------------------------------------------------


def verifications_visible_to(actor: Actor) -> QuerySet[Verification]:
    if _excluded(actor):
        return Verification.objects.none()
    return Verification.objects.filter(clue__in=clues_visible_to(actor))


def can_view_verification(actor: Actor, verification: Verification) -> bool:
    return not _excluded(actor) and can_view_clue(actor, verification.clue)


def plans_visible_to(actor: Actor) -> QuerySet[VerificationPlan]:
    if _excluded(actor):
        return VerificationPlan.objects.none()
    return VerificationPlan.objects.filter(verification__clue__in=clues_visible_to(actor))


def can_view_plan(actor: Actor, plan: VerificationPlan) -> bool:
    return can_view_verification(actor, plan.verification)


def measures_visible_to(actor: Actor) -> QuerySet[Measure]:
    if _excluded(actor):
        return Measure.objects.none()
    return Measure.objects.filter(clue__in=clues_visible_to(actor))


def can_view_measure(actor: Actor, measure: Measure) -> bool:
    return not _excluded(actor) and can_view_clue(actor, measure.clue)


def evidence_visible_to(actor: Actor) -> QuerySet[EvidenceItem]:
    if _excluded(actor):
        return EvidenceItem.objects.none()
    return EvidenceItem.objects.filter(clue__in=clues_visible_to(actor))


def can_view_evidence(actor: Actor, item: EvidenceItem) -> bool:
    return not _excluded(actor) and can_view_clue(actor, item.clue)


def custody_visible_to(actor: Actor) -> QuerySet[CustodyEvent]:
    if _excluded(actor):
        return CustodyEvent.objects.none()
    return CustodyEvent.objects.filter(evidence__clue__in=clues_visible_to(actor))


def can_view_custody(actor: Actor, event: CustodyEvent) -> bool:
    return can_view_evidence(actor, event.evidence)


def reports_visible_to(actor: Actor) -> QuerySet[VerificationReport]:
    if _excluded(actor):
        return VerificationReport.objects.none()
    return VerificationReport.objects.filter(verification__clue__in=clues_visible_to(actor))


def can_view_report(actor: Actor, report: VerificationReport) -> bool:
    return can_view_verification(actor, report.verification)


def confirmations_visible_to(actor: Actor) -> QuerySet[ReportConfirmation]:
    if _excluded(actor):
        return ReportConfirmation.objects.none()
    return ReportConfirmation.objects.filter(report__verification__clue__in=clues_visible_to(actor))


def can_view_confirmation(actor: Actor, confirmation: ReportConfirmation) -> bool:
    return can_view_report(actor, confirmation.report)


VERIFICATIONS = register(
    Policy(Verification, "初步核实", verifications_visible_to, can_view_verification, case_content=True)
)
PLANS = register(Policy(VerificationPlan, "初核方案", plans_visible_to, can_view_plan, case_content=True))
MEASURES = register(Policy(Measure, "核查措施", measures_visible_to, can_view_measure, case_content=True))
EVIDENCE = register(
    Policy(EvidenceItem, "证据", evidence_visible_to, can_view_evidence, sensitive=True, case_content=True)
)
CUSTODY = register(Policy(CustodyEvent, "证据保管记录", custody_visible_to, can_view_custody, case_content=True))
REPORTS = register(Policy(VerificationReport, "初核报告", reports_visible_to, can_view_report, case_content=True))
CONFIRMATIONS = register(
    Policy(ReportConfirmation, "初核报告签字确认", confirmations_visible_to, can_view_confirmation, case_content=True)
)


def get_verification_for(actor: Actor, verification_id: Any) -> Verification:
    queryset = verifications_visible_to(actor).select_related(
        "clue", "clue__handling_unit", "clue__zone", "team", "team__lead_unit"
    )
    return VERIFICATIONS.get_for(actor, verification_id, queryset=queryset)


def get_measure_for(actor: Actor, measure_id: Any) -> Measure:
    return MEASURES.get_for(actor, measure_id, queryset=measures_visible_to(actor).select_related("clue"))


def get_evidence_for(actor: Actor, evidence_id: Any) -> EvidenceItem:
    queryset = evidence_visible_to(actor).select_related("clue", "collected_by", "source_measure")
    return EVIDENCE.get_for(actor, evidence_id, queryset=queryset)


def live_verification_of(actor: Actor, clue: Clue) -> Verification | None:
    """The clue's verification round that is not concluded, else its latest, within the actor's scope."""
    rows = verifications_visible_to(actor).filter(clue=clue).order_by("-round")
    return rows.exclude(state=State.CONCLUDED).first() or rows.first()


# --- who may do what -------------------------------------------------------------------------------------


def on_team(actor: Actor, clue_id: int) -> bool:
    return actor.staff_id is not None and actor.staff_id in active_member_staff_ids(clue_id, Purpose.VERIFICATION)


def may_work_verification(actor: Actor, clue: Clue) -> bool:
    """Plan, measures, evidence, report: the active team members, and whoever may work the clue
    (the handling unit's staff, the zone's leadership and office)."""
    if _excluded(actor) or clue.commission_id not in actor.commission_ids:
        return False
    return on_team(actor, clue.pk) or may_work(actor, clue)


def may_review_measures(actor: Actor) -> bool:
    """案管 reviews the 措施使用台账."""
    return not _excluded(actor) and actor.has(Role.CASE_MANAGER)


def may_see_measure_ledger(actor: Actor) -> bool:
    return not _excluded(actor) and bool(
        actor.roles & {Role.CASE_MANAGER, Role.COMMISSION_HEAD, Role.COMMISSION_LEADER}
    )


# --- pages ---------------------------------------------------------------------------------------------------


def _stall_overdue(today: date | None = None) -> Exists:
    """The round's stall deadline (6 months without progress) is open and past its due date: red.

    One source of truth with the deadline engine: the page's 红色预警, the work queue's red row and
    the sweep's 督办单 all read the same ``verification.stall`` deadline.
    """
    return Exists(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(Verification),
            target_id=OuterRef("pk"),
            kind=STALL_KIND,
            state=DeadlineState.OPEN,
            due_date__lt=today or timezone.localdate(),
        )
    )


def with_stall(qs: QuerySet[Verification], today: date | None = None) -> QuerySet[Verification]:
    """Annotate ``stalled`` (the red warning) on each row, in the same query."""
    return qs.annotate(stalled=_stall_overdue(today))


def is_stalled(verification: Verification, today: date | None = None) -> bool:
    """红色预警: the stall deadline is overdue (read from the annotation when the row carries it)."""
    annotated = getattr(verification, "stalled", None)
    if annotated is not None and today is None:
        return bool(annotated)
    return Verification.objects.filter(pk=verification.pk).filter(_stall_overdue(today)).exists()


def stalled_verifications(actor: Actor, today: date | None = None) -> QuerySet[Verification]:
    """Live verifications in scope with no measure, evidence or report activity for 6 months (red)."""
    return verifications_visible_to(actor).filter(_stall_overdue(today)).order_by("last_progress_at", "id")


def verification_page(
    actor: Actor, *, state: str = "", stalled: bool = False, before: int | None = None, limit: int = 50
) -> tuple[list[Verification], int | None]:
    """One keyset page (id descending) of the verifications in scope, optionally only the red ones;
    each row carries ``stalled``."""
    qs = with_stall(verifications_visible_to(actor))
    if state:
        qs = qs.filter(state=state)
    if stalled:
        qs = qs.filter(stalled=True)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(
        qs.select_related("clue", "clue__handling_unit", "clue__zone", "team__lead_unit").order_by("-id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


# The ledger's filter on the term of time-limited measures (管护, 责令候查, 强制到案, 冻结).
TERM_FILTERS: list[tuple[str, str]] = [
    ("limited", "有期限的措施"),
    ("in_force", "执行中"),
    ("overdue", "已到期未解除"),
]


@dataclass
class MeasureFilters:
    kind: str = ""
    state: str = ""
    unit: int | None = None
    since: date | None = None
    until: date | None = None
    term: str = ""

    def as_query(self) -> dict[str, str]:
        out = {
            "kind": self.kind,
            "state": self.state,
            "term": self.term,
            "unit": str(self.unit or ""),
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in out.items() if v}


def measure_ledger_queryset(actor: Actor, filters: MeasureFilters) -> QuerySet[Measure]:
    qs = measures_visible_to(actor)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit:
        qs = qs.filter(clue__handling_unit_id=filters.unit)
    if filters.since:
        qs = qs.filter(starts_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(starts_at__date__lte=filters.until)
    if filters.term == "limited":
        qs = qs.exclude(term_state="")
    elif filters.term == "in_force":
        qs = qs.filter(term_state="in_force")
    elif filters.term == "overdue":  # in force past its planned end: neither released nor extended
        qs = qs.filter(term_state="in_force", ends_at__lt=timezone.now())
    return qs.order_by("-id")


def with_measure_relations(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    return qs.select_related(
        "clue", "clue__handling_unit", "approved_by", "record_document", "reviewed_by", "recorded_by"
    ).prefetch_related("officers", "extensions")


def measure_ledger_page(
    actor: Actor, filters: MeasureFilters, *, before: int | None = None, limit: int = 50
) -> tuple[list[Measure], int | None]:
    qs = measure_ledger_queryset(actor, filters)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(with_measure_relations(qs)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def measures_of(actor: Actor, clue: Clue) -> list[Measure]:
    return list(with_measure_relations(measures_visible_to(actor).filter(clue=clue)))


def inventory(actor: Actor, clue: Clue) -> list[EvidenceItem]:
    """The evidence inventory of a matter (证据清单), in number order."""
    return list(
        evidence_visible_to(actor).filter(clue=clue).select_related("collected_by", "source_measure").order_by("number")
    )


def custody_of(actor: Actor, item: EvidenceItem) -> list[CustodyEvent]:
    return list(custody_visible_to(actor).filter(evidence=item).select_related("user").order_by("-id")[:500])


def confirmations_of(actor: Actor, report: VerificationReport) -> list[ReportConfirmation]:
    return list(confirmations_visible_to(actor).filter(report=report).select_related("staff", "user"))


def members_for(clue_id: int) -> list[TeamMember]:
    """The active verification team of a clue (who must confirm the report; who may be an officer)."""
    return list(active_members(clue_id).select_related("staff__home_unit").order_by("role", "id"))


# --- for the filing app (立案) -------------------------------------------------------------------------------


def filing_recommended(clue_id: int) -> Verification | None:
    """The verification of the clue whose report is final (approved) with the recommendation 拟立案.

    Unscoped: the filing app's services call it after checking their own actor against the clue.
    """
    return (
        Verification.objects.filter(
            clue_id=clue_id,
            state=State.CONCLUDED,
            report__is_final=True,
            report__recommendation=Recommendation.FILE,
        )
        .select_related("report", "plan", "team", "clue")
        .order_by("-round")
        .first()
    )


@dataclass(frozen=True)
class TeamRow:
    name: str
    role: str
    unit: str


@dataclass(frozen=True)
class EvidenceRow:
    number: int
    title: str
    kind: str
    description: str
    content_type: str
    size: int
    sha256: str
    sm3: str
    collected_by: str
    collected_at: datetime
    integrity: str


@dataclass(frozen=True)
class FilingBasis:
    """What the 立案审查呈批报告 takes from the verification (``report_for_filing``).

    - ``facts``, ``basis``, ``doubts``: the approved 初核报告's text;
    - ``team_mode`` / ``team_lead_unit`` / ``team``: the verification team (name, 组长/组员/以干代训, unit);
    - ``measures_summary``: (measure label, count) for each kind used; ``measures``: one line per measure
      ("2026-03-02 谈话 王某某（宝山镇双山子村会议室）");
    - ``evidence``: the inventory (number, title, kind, digests, size, who collected it, integrity);
    - ``started_on`` / ``concluded_on``: plan approval and report approval dates.
    """

    verification_id: int
    clue_id: int
    ledger_number: str
    recommendation: str
    facts: str
    basis: str
    doubts: str
    started_on: date | None
    concluded_on: date | None
    team_mode: str
    team_lead_unit: str
    team: list[TeamRow] = field(default_factory=list)
    measures_summary: list[tuple[str, int]] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)


def report_for_filing(clue_id: int) -> FilingBasis | None:
    """The data the filing request (立案审查呈批报告) needs, from the 拟立案 verification; None if none.

    Unscoped like ``filing_recommended``: the caller has checked its actor against the clue.
    """
    verification = filing_recommended(clue_id)
    if verification is None:
        return None
    report = verification.report
    team: Team | None = verification.team
    members = (
        list(TeamMember.objects.filter(team=team).select_related("staff__home_unit").order_by("role", "id"))
        if team is not None
        else []
    )
    measures = list(Measure.objects.filter(verification=verification).order_by("starts_at", "id"))
    summary = Measure.objects.filter(verification=verification).values("kind").annotate(n=Count("id")).order_by("kind")
    from .rules import MeasureKind

    items = list(EvidenceItem.objects.filter(clue_id=clue_id).select_related("collected_by").order_by("number"))
    return FilingBasis(
        verification_id=verification.pk,
        clue_id=clue_id,
        ledger_number=verification.clue.ledger_number,
        recommendation=report.get_recommendation_display(),
        facts=report.facts,
        basis=report.basis,
        doubts=report.doubts,
        started_on=verification.started_on,
        concluded_on=verification.concluded_on,
        team_mode=team.get_mode_display() if team else "",
        team_lead_unit=team.lead_unit.name if team else "",
        team=[
            TeamRow(m.staff.name, m.get_role_display(), m.staff.home_unit.name) for m in members if m.left_on is None
        ],
        measures_summary=[(MeasureKind(row["kind"]).label, row["n"]) for row in summary],
        measures=[
            f"{timezone.localtime(m.starts_at):%Y-%m-%d} {m.get_kind_display()} {m.person_or_record}（{m.place}）"
            for m in measures
        ],
        evidence=[
            EvidenceRow(
                number=i.number,
                title=i.title,
                kind=i.get_kind_display(),
                description=i.description,
                content_type=i.content_type,
                size=i.size,
                sha256=i.sha256,
                sm3=i.sm3,
                collected_by=str(i.collected_by),
                collected_at=i.collected_at,
                integrity=i.get_integrity_display(),
            )
            for i in items
        ],
    )
