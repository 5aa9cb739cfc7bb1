"""Reads of the rule book: the rule in force on a day for a commission, and the rows the page lists.

``rule_in_force`` is what enforcing code asks::

    from xiezuoqu.rulebook.selectors import rule_in_force

    months = rule_in_force("case.detention", on=detention.starts_on, commission=case.commission_id)

It answers the commission's local value when one is set and in force on that day and is stricter than
the national row of that day (a later national change that is stricter still wins), else the national
value; a day no row covers is refused with ``NoRuleInForce`` (a ``RuleViolation``: the page shows its
Chinese message, the API a problem JSON).

The rows are cached per process and re-read only when ``RulebookRevision`` has moved (one primary-key
lookup per call), so a change made by any process reaches every other at its next question.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from xiezuoqu.access.actor import Actor
from xiezuoqu.access.registry import Policy, register
from xiezuoqu.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role
from xiezuoqu.errors import NotPermitted, RuleViolation

from .models import LocalRule, Rule, RulebookRevision
from .national import KEYS, NATIONAL_RULES, Direction

RULEBOOK_READERS = STAFF_ROLES | ADMIN_ROLES
RULEBOOK_EDITORS = frozenset({Role.SYSTEM_ADMIN, Role.COMMISSION_HEAD, Role.COMMISSION_LEADER})


class NoRuleInForce(RuleViolation):
    """No row of the rule covers the day (a matter dated before the law that created the rule)."""

    code = "no_rule_in_force"
    title = "该日期没有有效规则"


@dataclass(frozen=True)
class InForce:
    """The answer to "which rule applies on this day for this commission"."""

    key: str
    value: Any
    unit: str
    name: str
    source: str
    article: str
    effective_from: date
    local: bool  # the commission's own stricter value

    @property
    def citation(self) -> str:
        text = f"{self.source}{self.article}（{self.effective_from:%Y-%m-%d}起施行）"
        return f"本地从严规定，全国依据：{text}" if self.local else text


@dataclass(frozen=True)
class _Book:
    national: dict[str, list[Rule]]
    local: dict[tuple[int, str], list[LocalRule]]


_lock = threading.Lock()
_cached: tuple[str, _Book] | None = None
# Inside a request (``RulebookPerRequest``) the revision token is read once: a page that asks about the
# measures of a case one by one costs one token query, not one per measure. Outside a request: None.
_UNREAD = ""
_request_token: ContextVar[str | None] = ContextVar("rulebook_request_token", default=None)


def _read_token() -> str:
    return RulebookRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _token() -> str:
    held = _request_token.get()
    if held is None:
        return _read_token()
    if held == _UNREAD:
        held = _read_token() or "-"
        _request_token.set(held)
    return held


class RulebookPerRequest:
    """Middleware: one reading of the rule book's revision per request (the request sees one book; a
    change made by another process reaches the next request, as before)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reset = _request_token.set(_UNREAD)
        try:
            return self.get_response(request)
        finally:
            _request_token.reset(reset)


def _book() -> _Book:
    global _cached
    token = _token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        national: dict[str, list[Rule]] = defaultdict(list)
        for rule in Rule.objects.order_by("key", "effective_from"):
            national[rule.key].append(rule)
        local: dict[tuple[int, str], list[LocalRule]] = defaultdict(list)
        for row in LocalRule.objects.order_by("effective_from", "id"):
            local[(row.commission_id, row.key)].append(row)
        book = _Book(dict(national), dict(local))
        _cached = (token, book)
    return book


def forget_cached_rules() -> None:
    """Drop this process's cached rule book (the services call it on every change)."""
    global _cached
    _cached = None
    if _request_token.get() is not None:
        _request_token.set(_UNREAD)  # the change's own request reads the new revision


def _covers(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day <= end)


def _stricter(direction: str, local: Any, national: Any) -> bool:
    if not isinstance(local, int | float) or not isinstance(national, int | float):
        return False
    if direction == Direction.LOWER:
        return local < national
    if direction == Direction.HIGHER:
        return local > national
    return False


def _commission_id(commission: Any) -> int | None:
    if commission is None:
        return None
    return int(getattr(commission, "pk", commission))


def rule_for(key: str, *, on: date, commission: Any = None) -> InForce:
    """The rule ``key`` in force on ``on`` for ``commission`` (an id or a Commission; None: national)."""
    return _answer(_book(), key, on=on, commission=commission)


def _answer(book: _Book, key: str, *, on: date, commission: Any) -> InForce:
    """``rule_for`` from a book already read (a page asking about many rules reads it once)."""
    rows = book.national.get(key)
    if not rows:
        raise NoRuleInForce(f"规则库中没有规则“{key}”：请先同步全国规则（运行 migrate）。")
    national = next((r for r in rows if _covers(r.effective_from, r.effective_to, on)), None)
    if national is None:
        first = rows[0]
        raise NoRuleInForce(
            f"{on:%Y-%m-%d} 没有有效的“{first.name}”规则：{first.source}{first.article}"
            f"自 {first.effective_from:%Y-%m-%d} 起施行，此前的事项不适用该规则。"
        )
    answer = InForce(
        key, national.value, national.unit, national.name, national.source, national.article,
        national.effective_from, local=False,
    )  # fmt: skip
    commission_id = _commission_id(commission)
    if commission_id is None or national.direction == Direction.FIXED:
        return answer
    local = next(
        (
            r
            for r in reversed(book.local.get((commission_id, key), []))
            if _covers(r.effective_from, r.effective_to, on)
        ),
        None,
    )
    if local is None or not _stricter(national.direction, local.value, national.value):
        return answer
    return InForce(
        key, local.value, national.unit, national.name, national.source, national.article,
        national.effective_from, local=True,
    )  # fmt: skip


def rule_in_force(key: str, *, on: date, commission: Any = None) -> Any:
    """The value of the rule ``key`` in force on ``on`` for ``commission`` (see the module docstring)."""
    return rule_for(key, on=on, commission=commission).value


SANCTION_PREFIX = "sanction."
SANCTION_TERM_KEYS = tuple(
    sorted(key for key in KEYS if key.startswith(SANCTION_PREFIX) and key != "sanction.village_cadre_government")
)


def sanction_terms(*, on: date) -> dict[str, Any]:
    """The sanction periods in force on ``on`` by sanction code, as ``sanctions.rules`` takes them
    (``statutory=``): {"party_warning": 12, "party_probation": [12, 24], "gov_combined_max": 48, …}."""
    return {key.removeprefix(SANCTION_PREFIX): rule_in_force(key, on=on) for key in SANCTION_TERM_KEYS}


def has_rule(key: str) -> bool:
    """Whether the rule book declares ``key`` (from the code table: no query)."""
    return key in KEYS


# --- who may read, who may set a local value ----------------------------------------------------------


def can_read_rulebook(actor: Actor) -> bool:
    return bool(actor.roles & RULEBOOK_READERS)


def can_set_local_rules(actor: Actor) -> bool:
    return bool(actor.roles & RULEBOOK_EDITORS) and actor.commission_id is not None


def require_rulebook_reader(actor: Actor) -> None:
    if not can_read_rulebook(actor):
        raise NotPermitted("规则库仅供干部和管理员查看。")


def rules_visible_to(actor: Actor) -> QuerySet[Rule]:
    return Rule.objects.all() if can_read_rulebook(actor) else Rule.objects.none()


def can_view_rule(actor: Actor, rule: Rule) -> bool:
    return can_read_rulebook(actor)


def local_rules_visible_to(actor: Actor) -> QuerySet[LocalRule]:
    if not can_read_rulebook(actor):
        return LocalRule.objects.none()
    return LocalRule.objects.filter(commission_id__in=actor.commission_ids)


def can_view_local_rule(actor: Actor, row: LocalRule) -> bool:
    return can_read_rulebook(actor) and row.commission_id in actor.commission_ids


RULES = register(Policy(Rule, "规则库（全国规则）", rules_visible_to, can_view_rule))
LOCAL_RULES = register(Policy(LocalRule, "规则库（本地规则）", local_rules_visible_to, can_view_local_rule))


# --- the page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleEntry:
    """One rule as the 规则库 page and the API list it: its national rows (history by date), the row in
    force today, and the reader's commission's local changes."""

    key: str
    rows: list[Rule]
    current: Rule | None
    local_rows: list[LocalRule]
    local_now: InForce | None

    @property
    def name(self) -> str:
        return (self.current or self.rows[-1]).name

    @property
    def overridable(self) -> bool:
        return (self.current or self.rows[-1]).overridable


def rulebook_for(actor: Actor, *, today: date) -> list[RuleEntry]:
    """Every rule, in the order of the code table, with the actor's commission's local rows: two queries
    and one read of the rule book (its revision token) however many rules have a local value."""
    require_rulebook_reader(actor)
    national: dict[str, list[Rule]] = defaultdict(list)
    for rule in RULES.scope(actor).order_by("effective_from"):
        national[rule.key].append(rule)
    local: dict[str, list[LocalRule]] = defaultdict(list)
    if actor.commission_id is not None:
        for row in (
            LOCAL_RULES.scope(actor)
            .filter(commission_id=actor.commission_id)
            .select_related("set_by")
            .order_by("effective_from", "id")
        ):
            local[row.key].append(row)
    ordered = list(dict.fromkeys(r.key for rows in national.values() for r in rows))
    order = {key: i for i, key in enumerate(dict.fromkeys(spec.key for spec in NATIONAL_RULES))}
    ordered.sort(key=lambda key: order.get(key, len(order)))
    book = _book()
    entries = []
    for key in ordered:
        rows = national[key]
        current = next((r for r in rows if _covers(r.effective_from, r.effective_to, today)), None)
        local_now = None
        if current is not None and local[key] and actor.commission_id is not None:
            answer = _answer(book, key, on=today, commission=actor.commission_id)
            local_now = answer if answer.local else None
        entries.append(RuleEntry(key, rows, current, local[key], local_now))
    return entries
