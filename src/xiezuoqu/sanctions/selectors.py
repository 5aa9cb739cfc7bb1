"""Scoped reads of sanction terms: a term is seen by whoever sees its case (``cases_visible_to``), so the
case's rules — own unit, own zone, commission-wide roles, the trial office from the hand-over on, minus
recusals and the person's own matters — carry over to the term, its follow-up and its appeal change.

The ledger (处分期满台账) sorts by the end date and pages by keyset on (end, id); its buckets are plain
conditions on the state, the end and the due date, so a page never counts rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.audit.services import record_view
from xiezuoqu.cases.models import Case
from xiezuoqu.cases.selectors import can_view_case, cases_visible_to, may_handle, may_trial
from xiezuoqu.org.models import Zone
from xiezuoqu.org.selectors import zones_visible_to

from .models import ChangeState, FollowUpKind, SanctionChange, SanctionFollowUp, SanctionTerm, TermState

# The ledger's "due soon" window and the page's reminder: 30 calendar days before the end.
DUE_SOON_DAYS = 30
PAGE_SIZE = 50


def terms_visible_to(actor: Actor) -> QuerySet[SanctionTerm]:
    # The commission condition adds nothing to the case scope (a visible case is of one of the actor's
    # commissions) but lets the ledger's (commission, state, end, id) index serve it (bench_summary).
    return SanctionTerm.objects.filter(commission_id__in=actor.commission_ids, case__in=cases_visible_to(actor))


def can_view_term(actor: Actor, term: SanctionTerm) -> bool:
    return can_view_case(actor, term.case)


def follow_ups_visible_to(actor: Actor) -> QuerySet[SanctionFollowUp]:
    return SanctionFollowUp.objects.filter(term__case__in=cases_visible_to(actor))


def can_view_follow_up(actor: Actor, follow_up: SanctionFollowUp) -> bool:
    return can_view_case(actor, follow_up.term.case)


def changes_visible_to(actor: Actor) -> QuerySet[SanctionChange]:
    return SanctionChange.objects.filter(case__in=cases_visible_to(actor))


def can_view_change(actor: Actor, change: SanctionChange) -> bool:
    return can_view_case(actor, change.case)


TERMS = register(Policy(SanctionTerm, "处分期间", terms_visible_to, can_view_term, sensitive=True, case_content=True))
FOLLOW_UPS = register(
    Policy(SanctionFollowUp, "处分期满办理", follow_ups_visible_to, can_view_follow_up, case_content=True)
)
CHANGES = register(Policy(SanctionChange, "申诉变更后的处分", changes_visible_to, can_view_change, case_content=True))

ROW_RELATED = ("case", "case__zone", "subject", "follow_up")


def with_due_provisional(qs: QuerySet[SanctionTerm]) -> QuerySet[SanctionTerm]:
    """Annotate ``due_provisional``: the term's 办理期限 (its 处分期满 timer) rests on a year whose
    holiday schedule is not entered yet, so pages, API and export mark it "日历待确认"."""
    from xiezuoqu.deadlines.models import Deadline

    timers = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(SanctionTerm),
        target_id=OuterRef("pk"),
        kind="sanction.term_end",
        due_provisional=True,
    )
    return qs.annotate(due_provisional=Exists(timers))


def get_term_for(actor: Actor, term_id: Any) -> SanctionTerm:
    queryset = terms_visible_to(actor).select_related(*ROW_RELATED, "case__clue", "decision", "previous", "change")
    queryset = with_due_provisional(queryset)
    return TERMS.get_for(actor, term_id, queryset=queryset)


def view_term(actor: Actor, term_id: Any, *, request: HttpRequest | None = None) -> SanctionTerm:
    term = get_term_for(actor, term_id)
    record_view(actor=actor, target=term, request=request)
    return term


def get_change_for(actor: Actor, change_id: Any) -> SanctionChange:
    queryset = changes_visible_to(actor).select_related("case", "case__subject", "appeal", "decision")
    return CHANGES.get_for(actor, change_id, queryset=queryset)


# --- what a term stands at ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    label: str
    tag: str  # the CSS colour of the page's tag


def status_of(term: SanctionTerm, today: date) -> Status:
    """Where the term stands on ``today``: the same conditions as the ledger's buckets."""
    if term.state == TermState.ENDED:
        return Status("期满已办结", "green")
    if term.state != TermState.RUNNING:
        return Status(term.get_state_display(), "")
    if term.follow_up_kind == FollowUpKind.NONE:
        if term.end < today:
            return Status("已届满（无需办理）", "green")
        return (
            Status("期内", "blue") if term.end > today + timedelta(days=DUE_SOON_DAYS) else Status("即将届满", "blue")
        )
    assert term.due_on is not None
    if term.due_on < today:
        return Status("期满未办理（已超期）", "red")
    if term.end <= today:
        return Status("已期满，待办理", "yellow")
    if term.end <= today + timedelta(days=DUE_SOON_DAYS):
        return Status(f"{(term.end - today).days} 日后期满", "yellow")
    return Status("期内", "blue")


def may_follow_up(actor: Actor, term: SanctionTerm, today: date) -> bool:
    """The follow-up form is shown: the handling side or 案管, a running term that demands one, ended."""
    return (
        term.state == TermState.RUNNING
        and term.follow_up_kind != FollowUpKind.NONE
        and term.end <= today
        and may_handle(actor, term.case)
    )


# --- the ledger -------------------------------------------------------------------------------------------

BUCKETS: list[tuple[str, str]] = [
    ("", "全部"),
    ("running", "执行中"),
    ("due", f"{DUE_SOON_DAYS}日内期满"),
    ("overdue", "期满未办理"),
    ("done", "已办结"),
    ("appeal", "因申诉终止"),
]
KINDS: list[tuple[str, str]] = [("", "全部"), ("party", "党纪处分"), ("government", "政务处分")]


def bucket_rule(bucket: str, today: date) -> Q:
    """The rows of a bucket on ``today`` (the same conditions as ``status_of``)."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    running = Q(state=TermState.RUNNING)
    no_duty = Q(follow_up_kind=FollowUpKind.NONE)
    if bucket == "running":
        return running & Q(end__gt=soon)
    if bucket == "due":
        return running & Q(end__lte=soon) & (Q(due_on__gte=today) | (no_duty & Q(end__gte=today)))
    if bucket == "overdue":
        return running & Q(due_on__lt=today)
    if bucket == "done":
        return Q(state=TermState.ENDED) | (running & no_duty & Q(end__lt=today))
    if bucket == "appeal":
        return Q(state__in=[TermState.CANCELLED, TermState.SUPERSEDED])
    return Q()


# A zone id is a bigint: at most 18 digits always fits (and what SQLite and PostgreSQL can compare).
ZONE_ID_DIGITS = 18


def zone_filter(value: Any) -> int | None:
    """The zone filter as typed (``?zone=``): ASCII digits only, at most 18 of them, else no filter — as
    the other ledgers ignore a filter they cannot read. ``str.isdigit`` alone lets through "²" or "١",
    which ``int`` then refuses or reads as another number."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > ZONE_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text) or None


@dataclass
class LedgerFilters:
    bucket: str = ""
    kind: str = ""
    zone: int | None = None

    @classmethod
    def of(cls, bucket: str | None, kind: str | None, zone: Any) -> LedgerFilters:
        bucket = bucket if bucket in dict(BUCKETS) else ""
        kind = kind if kind in dict(KINDS) else ""
        return cls(bucket or "", kind or "", zone_filter(zone))

    def as_query(self) -> dict[str, str]:
        out = {"bucket": self.bucket, "kind": self.kind, "zone": str(self.zone or "")}
        return {k: v for k, v in out.items() if v}


def ledger_queryset(actor: Actor, filters: LedgerFilters, today: date | None = None) -> QuerySet[SanctionTerm]:
    """The actor's terms under the filters, in ledger order (end date, then id)."""
    today = today or timezone.localdate()
    qs = terms_visible_to(actor).filter(bucket_rule(filters.bucket, today))
    if filters.kind == "party":
        qs = qs.filter(code__startswith="party_")
    elif filters.kind == "government":
        qs = qs.filter(code__startswith="gov_")
    if filters.zone is not None:
        qs = qs.filter(case__zone_id=filters.zone)
    return with_due_provisional(qs).order_by("end", "id")


def parse_cursor(value: str | None) -> tuple[date, int] | None:
    """``2027-05-01.42``: the (end, id) of the last row of the previous page."""
    try:
        day, pk = (value or "").split(".", 1)
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


@dataclass(frozen=True)
class LedgerRow:
    term: SanctionTerm
    status: Status


def term_ledger(
    actor: Actor,
    filters: LedgerFilters,
    *,
    after: tuple[date, int] | None = None,
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> tuple[list[LedgerRow], str | None]:
    """One keyset page of the ledger and the cursor of the next page (``None`` on the last)."""
    today = today or timezone.localdate()
    qs = ledger_queryset(actor, filters, today)
    if after is not None:
        qs = qs.filter(Q(end__gt=after[0]) | Q(end=after[0], id__gt=after[1]))
    terms = list(qs.select_related(*ROW_RELATED)[: limit + 1])
    more = len(terms) > limit
    terms = terms[:limit]
    cursor = f"{terms[-1].end.isoformat()}.{terms[-1].pk}" if more and terms else None
    return [LedgerRow(t, status_of(t, today)) for t in terms], cursor


def pending_changes(actor: Actor, *, limit: int = 50) -> list[SanctionChange]:
    """Appeals decided 变更处理决定 whose changed sanction is not registered yet."""
    return list(
        changes_visible_to(actor)
        .filter(state=ChangeState.PENDING)
        .select_related("case", "case__subject", "appeal")
        .order_by("id")[:limit]
    )


def zone_choices(actor: Actor) -> list[Zone]:
    return list(zones_visible_to(actor).filter(commission_id__in=actor.commission_ids).order_by("id"))


# --- the case page and the term page -------------------------------------------------------------------


@dataclass
class CaseTerms:
    rows: list[LedgerRow]
    changes: list[SanctionChange]
    may_register_change: bool


def terms_of_case(actor: Actor, case: Case, today: date | None = None) -> CaseTerms:
    """The case's terms and appeal changes (the case page has already let the actor in)."""
    today = today or timezone.localdate()
    terms = list(terms_visible_to(actor).filter(case=case).select_related("follow_up").order_by("id"))
    for term in terms:
        term.case = case
    changes = list(changes_visible_to(actor).filter(case=case).select_related("appeal", "decision").order_by("id"))
    pending = any(c.state == ChangeState.PENDING for c in changes)
    return CaseTerms([LedgerRow(t, status_of(t, today)) for t in terms], changes, pending and may_trial(actor, case))


def chain_of(actor: Actor, term: SanctionTerm) -> list[SanctionTerm]:
    """The terms that followed this one (an extension, the 影响期 after restoration, the bar)."""
    return list(terms_visible_to(actor).filter(previous=term).order_by("id"))
