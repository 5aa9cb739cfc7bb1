"""Scoped reads of cases: a case is seen by whoever sees its clue (``clues_visible_to``), so the
clue's rules — own unit, own zone, commission-wide roles, minus recusals and the subject's own
matters — carry over to the case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_view
from xiezuoqu.clues.selectors import can_view_clue, clues_visible_to, may_work, zone_worker
from xiezuoqu.errors import NotFound
from xiezuoqu.keys import as_key
from xiezuoqu.org.models import StaffMember
from xiezuoqu.recusal.scope import is_recused, recused_clue_ids
from xiezuoqu.teams.models import HandlingMode, Purpose, Team, TeamMember, TeamState
from xiezuoqu.teams.selectors import active_member_staff_ids

from .models import (
    Announcement,
    Appeal,
    BodyKind,
    Case,
    Detention,
    Execution,
    InvestigationReport,
    PersonDecision,
    TrialReturn,
    TrialReview,
)
from .workflow import State

# From the hand-over to trial on, the commission's trial office sees the case (not the clue ledger).
TRIAL_STATES = (
    State.INVESTIGATION_REPORTED,
    State.FIRST_REVIEW,
    State.SECOND_REVIEW,
    State.TRIAL,
    State.DECIDED,
    State.ANNOUNCED,
    State.EXECUTED,
    State.CLOSED,
    State.ARCHIVED,
)


def _trial_reader(actor: Actor) -> bool:
    return actor.has(Role.TRIAL_STAFF) and actor.commission_id is not None


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker:
        return Case.objects.none()
    rule = Q(clue__in=clues_visible_to(actor))
    if _trial_reader(actor):
        trial = Q(commission_id=actor.commission_id, state__in=TRIAL_STATES) & ~Q(clue_id__in=recused_clue_ids(actor))
        if actor.staff_id is not None:
            trial &= ~Q(subject__staff_id=actor.staff_id)
        rule |= trial
    return Case.objects.filter(rule)


def can_view_case(actor: Actor, case: Case) -> bool:
    if can_view_clue(actor, case.clue):
        return True
    if actor.user_id is None or actor.is_admin or not actor.is_staff_worker or not _trial_reader(actor):
        return False
    return (
        case.commission_id == actor.commission_id
        and case.state in TRIAL_STATES
        and not is_recused(actor, case.clue_id)
        and (actor.staff_id is None or case.subject.staff_id != actor.staff_id)
    )


CASES = register(Policy(Case, "案件", cases_visible_to, can_view_case, sensitive=True, case_content=True))


def get_case_for(actor: Actor, case_id: Any) -> Case:
    queryset = cases_visible_to(actor).select_related("clue", "subject", "competent_body", "zone", "filing")
    return CASES.get_for(actor, case_id, queryset=queryset)


def view_case(actor: Actor, case_id: Any, *, request: HttpRequest | None = None) -> Case:
    case = get_case_for(actor, case_id)
    record_view(actor=actor, target=case, request=request)
    return case


def case_ledger(actor: Actor, *, before: int | None = None, limit: int = 50) -> tuple[list[Case], int | None]:
    """立案台账: one keyset page (id descending) and the cursor of the next page."""
    qs = cases_visible_to(actor)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.select_related("subject", "clue", "zone").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


# --- who may do what --------------------------------------------------------------------------------


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


def on_investigation_team(actor: Actor, case: Case) -> bool:
    return actor.staff_id is not None and actor.staff_id in active_member_staff_ids(case.clue_id, Purpose.INVESTIGATION)


def may_investigate(actor: Actor, case: Case, *, on_team: bool | None = None) -> bool:
    """审查调查: the investigation team, and whoever may work the clue (handling unit, zone leadership).
    ``on_team`` is ``on_investigation_team(actor, case)`` when the caller has it already."""
    if _excluded(actor) or case.commission_id != actor.commission_id:
        return False
    if on_team is None:
        on_team = on_investigation_team(actor, case)
    return on_team or may_work(actor, case.clue)


def may_first_review(actor: Actor, case: Case) -> bool:
    """协作区初审: the zone's leader, deputies and inspection office."""
    return not _excluded(actor) and case.commission_id == actor.commission_id and zone_worker(actor, case.zone_id)


def may_trial(actor: Actor, case: Case) -> bool:
    """复审 / 审理, the decision proposal, appeals: the commission's trial office."""
    return not _excluded(actor) and case.commission_id == actor.commission_id and actor.has(Role.TRIAL_STAFF)


def may_handle(actor: Actor, case: Case, *, investigates: bool | None = None) -> bool:
    """宣布, 执行, 归档: the handling side (team, handling unit, zone) or 案管. ``investigates`` is
    ``may_investigate(actor, case)`` when the caller has it already."""
    if _excluded(actor) or case.commission_id != actor.commission_id:
        return False
    if actor.has(Role.CASE_MANAGER):
        return True
    return may_investigate(actor, case) if investigates is None else investigates


def investigation_team(case: Case) -> Team | None:
    """The case's investigation team: the confirmed one, else the latest of the clue (with its lead unit,
    which the case page names)."""
    teams = Team.objects.filter(clue_id=case.clue_id, purpose=Purpose.INVESTIGATION).select_related("lead_unit")
    return teams.filter(state=TeamState.CONFIRMED).first() or teams.order_by("-id").first()


_UNREAD: Any = object()


def is_township_self_handled(case: Case, team: Team | None = _UNREAD) -> bool:
    """乡镇自办: filed by the township party committee and investigated by the township itself (pass the
    case's ``investigation_team`` when it is loaded already)."""
    if case.competent_body_kind != BodyKind.PARTY_COMMITTEE:
        return False
    if team is _UNREAD:
        team = investigation_team(case)
    return team is None or team.mode == HandlingMode.SELF


def investigators_of(case: Case) -> set[int]:
    """Staff who investigated: on any team of the clue (核查组 or 审查调查组, past or present), officers
    or recorders of any measure of the clue, the author of the investigation report."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.verification.models import Measure

    staff = set(TeamMember.objects.filter(team__clue_id=case.clue_id).values_list("staff_id", flat=True))
    staff |= set(
        Measure.officers.through.objects.filter(measure__clue_id=case.clue_id).values_list("staffmember_id", flat=True)
    )
    users = set(Measure.objects.filter(clue_id=case.clue_id).values_list("recorded_by_id", flat=True))
    users |= set(InvestigationReport.objects.filter(case__clue_id=case.clue_id).values_list("drafted_by_id", flat=True))
    staff |= {s for s in User.objects.filter(pk__in=users).values_list("staff_id", flat=True) if s is not None}
    return staff


def open_review(case: Case) -> TrialReview | None:
    return TrialReview.objects.filter(case=case, outcome="").order_by("-id").first()


# --- the case page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    label: str
    detail: str = ""


@dataclass
class CaseFile:
    """Everything the case page shows, read in a bounded number of queries."""

    case: Case
    team: Team | None
    team_members: list[TeamMember]
    measures: list[Any]
    evidence: list[Any]
    detentions: list[Detention]
    report: InvestigationReport | None
    reviews: list[TrialReview]
    returns: list[TrialReturn]
    decisions: list[PersonDecision]
    announcement: Announcement | None
    execution: Execution | None
    appeals: list[Appeal]
    deadlines: list[Any]
    timeline: list[TimelineEntry] = field(default_factory=list)


def case_file(actor: Actor, case: Case) -> CaseFile:
    from xiezuoqu.deadlines.models import Deadline
    from xiezuoqu.verification.models import EvidenceItem, Measure

    team = investigation_team(case)
    members = list(TeamMember.objects.filter(team=team).select_related("staff")) if team else []
    measures = list(
        Measure.objects.filter(clue_id=case.clue_id)
        .prefetch_related("officers", "extensions__approved_by")
        .order_by("starts_at", "id")
    )
    evidence = list(EvidenceItem.objects.filter(clue_id=case.clue_id).order_by("number"))
    detentions = list(Detention.objects.filter(case=case).order_by("id"))
    report = InvestigationReport.objects.filter(case=case).first()
    reviews = list(TrialReview.objects.filter(case=case).prefetch_related("reviewers").order_by("id"))
    returns = list(TrialReturn.objects.filter(case=case).order_by("id"))
    decisions = list(PersonDecision.objects.filter(case=case).order_by("id"))
    announcement = Announcement.objects.filter(case=case).first()
    execution = Execution.objects.filter(case=case).first()
    appeals = list(Appeal.objects.filter(case=case).order_by("id"))
    targets: list[tuple[str, str, list[int]]] = [
        ("cases", "case", [case.pk]),
        ("cases", "trialreview", [r.pk for r in reviews]),
        ("cases", "detention", [d.pk for d in detentions]),
        ("cases", "appeal", [a.pk for a in appeals]),
        # The 措施期限 of the case's time-limited measures (管护, 责令候查, 冻结).
        ("verification", "measure", [m.pk for m in measures if m.case_id == case.pk and m.term_state]),
    ]
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    rule = Q(pk__in=[])
    for app_label, model_name, ids in targets:
        if ids:
            ct = ContentType.objects.get_by_natural_key(app_label, model_name)
            rule |= Q(target_type=ct, target_id__in=ids)
    deadlines = list(Deadline.objects.filter(rule).order_by("id"))
    result = CaseFile(
        case,
        team,
        members,
        measures,
        evidence,
        detentions,
        report,
        reviews,
        returns,
        decisions,
        announcement,
        execution,
        appeals,
        deadlines,
    )
    result.timeline = _timeline(result)
    return result


def _timeline(f: CaseFile) -> list[TimelineEntry]:
    entries = [TimelineEntry(f.case.filed_on, "立案", f"{f.case.competent_body_name}：{f.case.filing_reference}")]
    for m in f.measures:
        if m.case_id == f.case.pk:
            entries.append(
                TimelineEntry(
                    timezone.localtime(m.starts_at).date(), f"措施：{m.get_kind_display()}", m.person_or_record
                )
            )
            for x in m.extensions.all():
                entries.append(
                    TimelineEntry(
                        timezone.localtime(x.recorded_at).date(),
                        f"{m.get_kind_display()}{'续冻' if m.kind == 'freeze' else '延长'}",
                        f"至 {timezone.localtime(x.new_ends_at):%Y-%m-%d %H:%M}（{x.reference}）",
                    )
                )
            if m.released_at is not None:
                entries.append(
                    TimelineEntry(
                        timezone.localtime(m.released_at).date(),
                        f"{m.get_kind_display()}{m.get_term_state_display()}"
                        + (f"为{m.get_converted_to_display()}" if m.converted_to else ""),
                        m.release_reason,
                    )
                )
    for d in f.detentions:
        entries.append(TimelineEntry(timezone.localtime(d.requested_at).date(), "留置报批", d.get_state_display()))
        if d.starts_on:
            entries.append(TimelineEntry(d.starts_on, "留置开始", f"上一级批准：{d.higher_reference}"))
        if d.ended_on:
            entries.append(TimelineEntry(d.ended_on, "解除留置"))
    if f.report and f.report.handed_over_at:
        entries.append(TimelineEntry(timezone.localtime(f.report.handed_over_at).date(), "移送审理", "审查调查报告"))
    for r in f.reviews:
        names = "、".join(s.name for s in r.reviewers.all())
        entries.append(TimelineEntry(r.opened_on, f"{r.get_stage_display()}受理", f"审理人员：{names}"))
        if r.concluded_on:
            entries.append(
                TimelineEntry(r.concluded_on, f"{r.get_stage_display()}：{r.get_outcome_display()}", r.opinion)
            )
    for decision in f.decisions:
        labels = "、".join(decision.labels)
        entries.append(TimelineEntry(timezone.localtime(decision.proposed_at).date(), "报批处理决定", labels))
        if decision.decided_on:
            entries.append(TimelineEntry(decision.decided_on, "处理决定批准", f"{labels}；{decision.form_label}"))
    if f.announcement:
        entries.append(TimelineEntry(f.announcement.announced_on, "宣布处理决定", f.announcement.place))
    if f.execution:
        entries.append(TimelineEntry(f.execution.executed_on, "执行", f.execution.executing_unit))
    for a in f.appeals:
        entries.append(TimelineEntry(a.received_on, f"申诉{a.get_kind_display()}", a.grounds[:60]))
        if a.decided_on:
            entries.append(TimelineEntry(a.decided_on, "申诉办结", a.get_result_display()))
    if f.case.state == State.ARCHIVED:
        entries.append(TimelineEntry(timezone.localtime(f.case.state_changed_at).date(), "归档"))
    return sorted(entries, key=lambda e: e.day)


def get_decision_for(actor: Actor, decision_id: Any) -> PersonDecision:
    pk = as_key(decision_id)
    if pk is None:
        raise NotFound()
    decision = PersonDecision.objects.select_related("case", "subject", "case__commission").filter(pk=pk).first()
    if decision is None:
        raise NotFound()
    get_case_for(actor, decision.case_id)
    return decision


def measures_of_case(case: Case) -> list[Any]:
    """The case's own measures with their terms (the caller has fetched the case through the funnel)."""
    from xiezuoqu.verification.models import Measure

    return list(
        Measure.objects.filter(case_id=case.pk).prefetch_related("officers", "extensions").order_by("starts_at", "id")
    )


def commission_heads(case: Case) -> list[Any]:
    """Who may approve a 管护 extension: the commission's heads (纪委书记、监委主任)."""
    from xiezuoqu.accounts.models import User

    return list(
        User.objects.filter(
            commission_id=case.commission_id, is_active=True, role_assignments__role=Role.COMMISSION_HEAD
        )
        .distinct()
        .order_by("id")
    )


def staff_choices(case: Case) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(commission_id=case.commission_id, is_active=True)
        .select_related("home_unit")
        .order_by("home_unit_id", "id")
    )
