"""Scoped reads of clues and subjects. Every page, API call, export and search of clues goes through here.

Who sees a clue (``clues_visible_to`` / ``can_view_clue``, one rule written twice):
- the commission's leadership (书记, 分管领导) and the case management office (案管: the central
  ledger): every clue of the commission (and of the commissions below, for their commission-wide roles);
- the zone's leader, deputies and inspection-office staff: the clues whose zone is theirs;
- the staff of the handling unit (township committee, inspection office, dispatched group);
- the members of the clue's confirmed team (a cross-handling township's cadre, a joint team);
- minus the clues about the actor themself (a subject linked to their staff record);
- minus the clues the actor has withdrawn from (回避, an active recusal): the whole matter, at once.
- nobody else: the petition office follows its reports in intake, the trial office sees cases later,
  and the three administrators see no case content (三员分立).
Subjects (被反映人) are seen by the commission readers, and by whoever sees one of their clues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import Role
from xiezuoqu.audit.services import record_view
from xiezuoqu.intake.selectors import HANDLER_ROLES, holds_role_at, own_unit_ids, zone_reader_zone_ids
from xiezuoqu.org.models import Unit
from xiezuoqu.recusal.scope import is_recused, recused_clue_ids
from xiezuoqu.teams.models import active_member_staff_ids, clue_ids_on_team_of

from .models import (
    AccusedLink,
    AnalysisRecord,
    Clue,
    ClueDisposal,
    ClueReport,
    ClueSignoff,
    ClueSubject,
    Subject,
    TalkInquiry,
)

# Roles that read every clue of the commission (the 案管 central ledger and the leadership).
COMMISSION_READERS = frozenset({Role.COMMISSION_HEAD, Role.COMMISSION_LEADER, Role.CASE_MANAGER})
# Units that keep a clue ledger (handle clues).
HANDLING_KINDS = frozenset({Unit.Kind.TOWNSHIP_COMMITTEE, Unit.Kind.INSPECTION_OFFICE, Unit.Kind.DISPATCHED_GROUP})


def _excluded(actor: Actor) -> bool:
    return actor.user_id is None or actor.is_admin or not actor.is_staff_worker


def reads_whole_commission(actor: Actor) -> bool:
    return not _excluded(actor) and bool(actor.roles & COMMISSION_READERS)


def _own_subject_clue_ids(actor: Actor) -> QuerySet[ClueSubject]:
    return ClueSubject.objects.filter(subject__staff_id=actor.staff_id).values("clue_id")  # type: ignore[return-value]


def clues_visible_to(actor: Actor) -> QuerySet[Clue]:
    qs = Clue.objects.all()
    if _excluded(actor):
        return qs.none()
    qs = qs.filter(commission_id__in=actor.commission_ids)
    if not reads_whole_commission(actor):
        units = own_unit_ids(actor)
        zones = zone_reader_zone_ids(actor)
        rule = Q(handling_unit_id__in=units) | Q(zone_id__in=zones)
        if actor.staff_id is not None:
            # A cadre on the clue's confirmed team (交叉办理, 联合办理) works it from another unit.
            rule |= Q(pk__in=clue_ids_on_team_of(actor.staff_id))
        elif not units and not zones:
            return qs.none()
        qs = qs.filter(rule)
    if actor.staff_id is not None:
        qs = qs.exclude(pk__in=_own_subject_clue_ids(actor)).exclude(pk__in=recused_clue_ids(actor))
    return qs


def can_view_clue(actor: Actor, clue: Clue) -> bool:
    if _excluded(actor) or clue.commission_id not in actor.commission_ids:
        return False
    outside = clue.handling_unit_id not in own_unit_ids(actor) and clue.zone_id not in zone_reader_zone_ids(actor)
    on_team = actor.staff_id is not None and outside and actor.staff_id in active_member_staff_ids(clue.pk)
    if not reads_whole_commission(actor) and outside and not on_team:
        return False
    if actor.staff_id is not None:
        if is_recused(actor, clue.pk):
            return False
        return not ClueSubject.objects.filter(clue=clue, subject__staff_id=actor.staff_id).exists()
    return True


def get_clue_for(actor: Actor, clue_id: Any) -> Clue:
    queryset = clues_visible_to(actor).select_related(
        "commission", "handling_unit", "zone", "township", "village", "registered_by"
    )
    return CLUES.get_for(actor, clue_id, queryset=queryset)


def view_clue(actor: Actor, clue_id: Any, *, request: HttpRequest | None = None) -> Clue:
    """Open a clue's page: through the funnel, on record, and signed (经手留痕)."""
    clue = get_clue_for(actor, clue_id)
    record_view(actor=actor, target=clue, request=request)
    assert actor.user_id is not None
    ClueSignoff.objects.create(
        clue=clue, user_id=actor.user_id, action="viewed", state_before=clue.state, state_after=clue.state
    )
    return clue


# --- subjects ----------------------------------------------------------------------------------------------


def subjects_visible_to(actor: Actor) -> QuerySet[Subject]:
    qs = Subject.objects.all()
    if _excluded(actor):
        return qs.none()
    qs = qs.filter(commission_id__in=actor.commission_ids)
    if not reads_whole_commission(actor):
        qs = qs.filter(pk__in=ClueSubject.objects.filter(clue__in=clues_visible_to(actor)).values("subject_id"))
    if actor.staff_id is not None:
        qs = qs.exclude(staff_id=actor.staff_id)
    return qs


def can_view_subject(actor: Actor, subject: Subject) -> bool:
    if _excluded(actor) or subject.commission_id not in actor.commission_ids:
        return False
    if actor.staff_id is not None and subject.staff_id == actor.staff_id:
        return False
    if reads_whole_commission(actor):
        return True
    return any(can_view_clue(actor, link.clue) for link in subject.clue_links.select_related("clue"))


def get_subject_for(actor: Actor, subject_id: Any) -> Subject:
    return SUBJECTS.get_for(
        actor, subject_id, queryset=subjects_visible_to(actor).select_related("township", "village")
    )


def view_subject(actor: Actor, subject_id: Any, *, request: HttpRequest | None = None) -> Subject:
    subject = get_subject_for(actor, subject_id)
    record_view(actor=actor, target=subject, request=request)
    return subject


# --- children of a clue ---------------------------------------------------------------------------------


def _child_scope(actor: Actor, model: Any) -> QuerySet[Any]:
    if _excluded(actor):
        return model.objects.none()
    return model.objects.filter(clue__in=clues_visible_to(actor))


def _child_predicate(actor: Actor, row: Any) -> bool:
    return can_view_clue(actor, row.clue)


def disposals_visible_to(actor: Actor) -> QuerySet[ClueDisposal]:
    return _child_scope(actor, ClueDisposal)


def inquiries_visible_to(actor: Actor) -> QuerySet[TalkInquiry]:
    return _child_scope(actor, TalkInquiry)


def analyses_visible_to(actor: Actor) -> QuerySet[AnalysisRecord]:
    return _child_scope(actor, AnalysisRecord)


def signoffs_visible_to(actor: Actor) -> QuerySet[ClueSignoff]:
    return _child_scope(actor, ClueSignoff)


def clue_reports_visible_to(actor: Actor) -> QuerySet[ClueReport]:
    return _child_scope(actor, ClueReport)


def clue_subjects_visible_to(actor: Actor) -> QuerySet[ClueSubject]:
    return _child_scope(actor, ClueSubject)


def accused_links_visible_to(actor: Actor) -> QuerySet[AccusedLink]:
    if _excluded(actor):
        return AccusedLink.objects.none()
    return AccusedLink.objects.filter(subject__in=subjects_visible_to(actor))


def can_view_accused_link(actor: Actor, link: AccusedLink) -> bool:
    return can_view_subject(actor, link.subject)


CLUES = register(Policy(Clue, "问题线索", clues_visible_to, can_view_clue, sensitive=True, case_content=True))
SUBJECTS = register(
    Policy(Subject, "被反映人（线索）", subjects_visible_to, can_view_subject, sensitive=True, case_content=True)
)
DISPOSALS = register(Policy(ClueDisposal, "线索处置意见", disposals_visible_to, _child_predicate, case_content=True))
INQUIRIES = register(Policy(TalkInquiry, "谈话函询", inquiries_visible_to, _child_predicate, case_content=True))
ANALYSES = register(Policy(AnalysisRecord, "分析研判记录", analyses_visible_to, _child_predicate, case_content=True))
SIGNOFFS = register(Policy(ClueSignoff, "线索经手记录", signoffs_visible_to, _child_predicate, case_content=True))
CLUE_REPORTS = register(
    Policy(ClueReport, "线索来源检举控告件", clue_reports_visible_to, _child_predicate, case_content=True)
)
CLUE_SUBJECTS = register(
    Policy(ClueSubject, "线索被反映人", clue_subjects_visible_to, _child_predicate, case_content=True)
)
ACCUSED_LINKS = register(
    Policy(AccusedLink, "被反映人关联", accused_links_visible_to, can_view_accused_link, case_content=True)
)


# --- who may do what -------------------------------------------------------------------------------------


def zone_worker(actor: Actor, zone_id: int | None) -> bool:
    return zone_id is not None and zone_id in zone_reader_zone_ids(actor)


def may_open_at(actor: Actor, unit: Unit, zone_id: int | None) -> bool:
    """登记线索 into a handling unit's ledger: its staff, its zone's leadership and office, or 案管."""
    if _excluded(actor) or unit.commission_id != actor.commission_id or unit.kind not in HANDLING_KINDS:
        return False
    return holds_role_at(actor, unit.pk, HANDLER_ROLES) or zone_worker(actor, zone_id) or actor.has(Role.CASE_MANAGER)


def may_work(actor: Actor, clue: Clue) -> bool:
    """研判, 提出处置意见, 谈话函询, 复查: the handling unit's staff and the zone's leadership and office."""
    if _excluded(actor) or clue.commission_id != actor.commission_id:
        return False
    return holds_role_at(actor, clue.handling_unit_id, HANDLER_ROLES) or zone_worker(actor, clue.zone_id)


def may_edit_subject(actor: Actor, subject: Subject) -> bool:
    """更正被反映人信息: 案管, or whoever works one of the person's clues."""
    if _excluded(actor) or subject.commission_id not in actor.commission_ids:
        return False
    if actor.has(Role.CASE_MANAGER) and subject.commission_id == actor.commission_id:
        return True
    return any(may_work(actor, clue) for clue in Clue.objects.filter(subject_links__subject=subject))


# --- ledger queries ---------------------------------------------------------------------------------------


@dataclass
class LedgerFilters:
    state: str = ""
    source: str = ""
    category: str = ""
    unit: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""

    def as_query(self) -> dict[str, str]:
        out = {
            "state": self.state,
            "source": self.source,
            "category": self.category,
            "unit": str(self.unit or ""),
            "received_from": self.received_from.isoformat() if self.received_from else "",
            "received_to": self.received_to.isoformat() if self.received_to else "",
            "q": self.q,
        }
        return {k: v for k, v in out.items() if v}


def ledger_queryset(actor: Actor, filters: LedgerFilters) -> QuerySet[Clue]:
    qs = clues_visible_to(actor)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.unit:
        qs = qs.filter(handling_unit_id=filters.unit)
    if filters.received_from:
        qs = qs.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        qs = qs.filter(received_on__lte=filters.received_to)
    text = filters.q.strip()
    if text:
        qs = qs.filter(
            Q(summary__icontains=text)
            | Q(content__icontains=text)
            | Q(ledger_number__icontains=text)
            | Q(subject_links__subject__name=text)
        ).distinct()
    return qs.order_by("-id")


def with_list_relations(qs: QuerySet[Clue]) -> QuerySet[Clue]:
    return qs.select_related("handling_unit", "zone").prefetch_related("subject_links__subject")


def ledger_page(
    actor: Actor, filters: LedgerFilters, *, before: int | None = None, limit: int = 50
) -> tuple[list[Clue], int | None]:
    """One keyset page (id descending) and the cursor of the next page, if any."""
    qs = ledger_queryset(actor, filters)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(with_list_relations(qs)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def handling_units_for(actor: Actor) -> list[Unit]:
    """The units into whose clue ledger this actor may open a clue (three queries, whatever the county)."""
    from xiezuoqu.org.models import Zone
    from xiezuoqu.org.selectors import memberships_on

    if _excluded(actor) or actor.commission_id is None:
        return []
    units = list(
        Unit.objects.filter(commission_id=actor.commission_id, kind__in=HANDLING_KINDS, is_active=True)
        .select_related("commission")
        .order_by("sort_order", "id")
    )
    zone_of: dict[int, int] = {}
    for unit_id, zone_id in memberships_on().filter(unit__in=units).values_list("unit_id", "zone_id"):
        zone_of.setdefault(unit_id, zone_id)
    for office_id, zone_id in Zone.objects.filter(inspection_office__in=units).values_list(
        "inspection_office_id", "id"
    ):
        zone_of.setdefault(office_id, zone_id)
    return [unit for unit in units if may_open_at(actor, unit, zone_of.get(unit.pk))]


# --- pages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccusedRow:
    """A 被反映人 row of one of the clue's reports, its confirmed subject, and registry matches to confirm."""

    accused: Any
    subject: Subject | None
    candidates: list[Subject]


def accused_rows(actor: Actor, clue: Clue) -> list[AccusedRow]:
    """For the clue page: each accused of its reports with the subject it was confirmed as, else the
    registry's subjects with the same name index in the same unit or township (the user confirms)."""
    from xiezuoqu.intake.models import ReportAccused

    report_ids = ClueReport.objects.filter(clue=clue).values("report_id")
    rows = list(ReportAccused.objects.filter(report_id__in=report_ids).order_by("report_id", "order", "id"))
    links = {
        link.accused_id: link.subject for link in AccusedLink.objects.filter(accused__in=rows).select_related("subject")
    }
    indexes = {row.name_index for row in rows if row.name_index and row.pk not in links}
    pool: dict[str, list[Subject]] = {}
    for subject in Subject.objects.filter(commission_id=clue.commission_id, name_index__in=indexes).exclude(
        staff_id=actor.staff_id if actor.staff_id is not None else -1
    ):
        pool.setdefault(subject.name_index, []).append(subject)
    out = []
    for row in rows:
        candidates = [
            s
            for s in pool.get(row.name_index, [])
            if (row.unit_text and s.unit_text == row.unit_text)
            or (row.township_id and s.township_id == row.township_id)
        ]
        out.append(AccusedRow(row, links.get(row.pk), candidates))
    return out


def joinable_reports(actor: Actor, clue_unit_id: int | None = None) -> list[Any]:
    """Accepted reports in scope not yet in a clue (the opening and joining forms offer them)."""
    from xiezuoqu.intake.selectors import staff_reports
    from xiezuoqu.intake.workflow import State as ReportState

    qs = staff_reports(actor).filter(state__in=[ReportState.ACCEPTED, ReportState.ASSIGNED])
    qs = qs.exclude(pk__in=ClueReport.objects.values("report_id"))
    if clue_unit_id is not None:
        qs = qs.filter(Q(handling_unit_id=clue_unit_id) | Q(handling_unit__isnull=True))
    return list(qs.select_related("handling_unit").order_by("-id")[:200])


def subject_history(actor: Actor, subject: Subject) -> dict[str, Any]:
    """A subject's page: their clues and cases in scope, and the reports in scope that name them
    (confirmed links, or the same name index)."""
    from django.apps import apps

    from xiezuoqu.access.registry import policy_for
    from xiezuoqu.intake.selectors import staff_reports

    # The case scope, asked of the access registry (cases sits above clues and registers its policy).
    cases_visible_to = policy_for(apps.get_model("cases", "Case")).scope

    clues = list(
        clues_visible_to(actor).filter(subject_links__subject=subject).select_related("handling_unit").order_by("-id")
    )
    confirmed = AccusedLink.objects.filter(subject=subject).values("accused__report_id")
    reports = list(
        staff_reports(actor)
        .filter(Q(pk__in=confirmed) | Q(accused__name_index=subject.name_index, accused__unit_text=subject.unit_text))
        .distinct()
        .order_by("-id")[:100]
    )
    cases = list(cases_visible_to(actor).filter(subject=subject).order_by("-filed_on", "-id"))
    return {"clues": clues, "reports": reports, "cases": cases}


# --- related clues and the relation graph ----------------------------------------------------------------------

RELATED_WINDOW_DAYS = 180


@dataclass(frozen=True)
class RelatedClue:
    clue: Clue
    reasons: tuple[str, ...]


def related_clues(actor: Actor, clue: Clue, *, limit: int = 30) -> list[RelatedClue]:
    """Clues in scope related to ``clue``: the same subject, the same village, or the same category within
    half a year of receipt (分析研判 looks at them together)."""
    from datetime import timedelta

    subject_ids = list(ClueSubject.objects.filter(clue=clue).values_list("subject_id", flat=True))
    window = timedelta(days=RELATED_WINDOW_DAYS)
    rule = Q(category=clue.category, received_on__range=(clue.received_on - window, clue.received_on + window))
    if subject_ids:
        rule |= Q(subject_links__subject_id__in=subject_ids)
    if clue.village_id:
        rule |= Q(village_id=clue.village_id)
    candidates = (
        clues_visible_to(actor)
        .filter(rule)
        .exclude(pk=clue.pk)
        .distinct()
        .select_related("handling_unit", "village")
        .order_by("-id")[: limit * 3]
    )
    rows = list(candidates)
    shared = {
        (link.clue_id): link.subject.name
        for link in ClueSubject.objects.filter(clue__in=rows, subject_id__in=subject_ids).select_related("subject")
    }
    out: list[RelatedClue] = []
    for other in rows:
        reasons = []
        if other.pk in shared:
            reasons.append(f"同一被反映人（{shared[other.pk]}）")
        if clue.village_id and other.village_id == clue.village_id:
            reasons.append(f"同一村（{other.village}）")
        if other.category == clue.category and abs((other.received_on - clue.received_on).days) <= RELATED_WINDOW_DAYS:
            reasons.append(f"同类问题、同期（{other.get_category_display()}）")
        out.append(RelatedClue(other, tuple(reasons)))
    # Most reasons first: the same person matters more than the same period.
    out.sort(key=lambda r: (-len(r.reasons), not any(x.startswith("同一被反映人") for x in r.reasons), -r.clue.pk))
    return out[:limit]


def relation_graph(actor: Actor, *, subject: Subject | None = None, village: Any = None) -> dict[str, Any]:
    """Nodes and links (ECharts graph) around a subject or a village: its clues in scope, their subjects,
    their villages, and those subjects' other clues in scope. Only what the actor may see."""
    visible = clues_visible_to(actor)
    seed = visible.filter(subject_links__subject=subject) if subject is not None else visible.filter(village=village)
    seed_ids = list(seed.values_list("pk", flat=True)[:100])
    subject_ids = set(ClueSubject.objects.filter(clue_id__in=seed_ids).values_list("subject_id", flat=True))
    subjects_in_scope = subjects_visible_to(actor).filter(pk__in=subject_ids)
    clue_ids = set(seed_ids) | set(
        visible.filter(subject_links__subject__in=subjects_in_scope).values_list("pk", flat=True)[:200]
    )
    clues = list(Clue.objects.filter(pk__in=clue_ids).select_related("village"))
    links = list(
        ClueSubject.objects.filter(clue_id__in=clue_ids, subject__in=subjects_in_scope).select_related("subject")
    )
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, str]] = []
    for c in clues:
        nodes[f"c{c.pk}"] = {
            "id": f"c{c.pk}",
            "name": c.ledger_number,
            "category": 0,
            "value": c.get_state_display(),
            "url": c.get_absolute_url(),
        }
        if c.village_id:
            key = f"v{c.village_id}"
            nodes.setdefault(key, {"id": key, "name": str(c.village), "category": 2, "value": "村（社区）", "url": ""})
            edges.append({"source": f"c{c.pk}", "target": key})
    for link in links:
        key = f"s{link.subject_id}"
        nodes.setdefault(
            key,
            {
                "id": key,
                "name": link.subject.name,
                "category": 1,
                "value": link.subject.position or "被反映人",
                "url": link.subject.get_absolute_url(),
            },
        )
        edges.append({"source": f"c{link.clue_id}", "target": key})
    return {
        "nodes": list(nodes.values()),
        "links": edges,
        "categories": [{"name": "问题线索"}, {"name": "被反映人"}, {"name": "村（社区）"}],
    }


# --- 案管: the central ledger and the periodic reconciliation (定期汇总核对) -----------------------------------------


def central_summary(actor: Actor) -> list[dict[str, Any]]:
    """Per handling unit: how many clues stand in each state (the 案管 office's overview of all units)."""
    from django.db.models import Count

    rows = (
        clues_visible_to(actor)
        .values("handling_unit_id", "handling_unit__name", "handling_unit__sort_order", "state")
        .annotate(n=Count("id"))
        .order_by("handling_unit__sort_order", "handling_unit_id")
    )
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["handling_unit_id"],
            {"unit_id": row["handling_unit_id"], "unit": row["handling_unit__name"], "counts": {}, "total": 0},
        )
        entry["counts"][row["state"]] = row["n"]
        entry["total"] += row["n"]
    return list(table.values())


STUCK_DAYS = 30


@dataclass(frozen=True)
class StuckClue:
    clue: Clue
    reason: str


@dataclass
class Reconciliation:
    start: date
    end: date
    opened: list[Clue]
    changes: list[ClueSignoff]
    stuck: list[StuckClue]


def reconciliation(actor: Actor, start: date, end: date) -> Reconciliation:
    """定期汇总核对 for ``start``–``end``: the clues opened, every state change in the period (from the
    sign-off trail), and what is stuck at the end: disposal overdue (1 month from receipt), a letter
    unanswered past its due date, a held clue past its review date, no move for 30 days."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone as tz

    from .workflow import FINAL_STATES, UNDISPOSED_STATES

    scope = clues_visible_to(actor)
    since = tz.make_aware(datetime.combine(start, time.min))
    until = tz.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    opened = list(
        scope.filter(created_at__gte=since, created_at__lt=until).select_related("handling_unit").order_by("id")
    )
    changes = list(
        ClueSignoff.objects.filter(clue__in=scope, at__gte=since, at__lt=until)
        .exclude(state_before=F("state_after"))
        .select_related("clue", "user")
        .order_by("at", "id")[:2000]
    )
    from xiezuoqu.workdays.selectors import add_months

    stuck: list[StuckClue] = []
    live = scope.exclude(state__in=FINAL_STATES).select_related("handling_unit").order_by("id")
    unanswered = set(
        TalkInquiry.objects.filter(
            clue__in=live, replied_on__isnull=True, concluded_on__isnull=True, reply_due_on__lt=end
        ).values_list("clue_id", flat=True)
    )
    for clue in live[:5000]:
        if clue.state in UNDISPOSED_STATES and add_months(clue.received_on, 1).date < end:
            stuck.append(StuckClue(clue, "超过1个月未处置"))
        elif clue.pk in unanswered:
            stuck.append(StuckClue(clue, "函询逾期未回复"))
        elif clue.state == "held" and clue.review_on and clue.review_on <= end:
            stuck.append(StuckClue(clue, "已到暂存复查日期"))
        elif clue.state_changed_at < until - timedelta(days=STUCK_DAYS):
            stuck.append(StuckClue(clue, f"{STUCK_DAYS}日以上无进展"))
    return Reconciliation(start, end, opened, changes, stuck)


def similar_clues_for_report(actor: Actor, report: Any, *, limit: int = 5) -> list[tuple[Clue, Any]]:
    """Clues near-duplicate to a report (same accused or similar text), cut to the actor's clue scope:
    shown on the report page so that a new report about a known matter joins its clue."""
    from xiezuoqu.dedup.services import find_similar

    if not clues_visible_to(actor).exists():
        return []
    names = [a.name for a in report.accused.all() if a.name and a.name != "不详"]
    matches = [
        m
        for m in find_similar(
            text=f"{report.summary}\n{report.content}",
            accused_names=names,
            commission_ids=[report.commission_id],
            limit=limit * 3,
        )
        if m.kind == "clue"
    ]
    visible = {c.pk: c for c in clues_visible_to(actor).filter(pk__in=[m.object_id for m in matches])}
    return [(visible[m.object_id], m) for m in matches if m.object_id in visible][:limit]
