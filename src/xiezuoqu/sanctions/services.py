"""Writes of sanction terms (处分期间): opened when a decision is approved, ended by the follow-up their
end demands (处分期满后的办理), or early only by an appeal that revokes or changes the decision.

- ``open_terms_for_decision``: called by the cases app in the transaction that approves a decision; one
  ``SanctionTerm`` per period of ``PersonDecision.periods``, each with its "sanction.term_end" deadline
  (处分期满, due on the end; the 5-year bar after 开除党籍 demands nothing and has none).
- ``apply_appeal``: called by the cases app in the transaction that decides an appeal. 维持: nothing.
  撤销处理决定: the running terms end (cancelled), their deadlines are cancelled. 变更处理决定: the appeal
  record carries the change only as text, so the running terms end (superseded) and a pending
  ``SanctionChange`` asks the trial office to register the changed sanction (``register_change``),
  whose terms replace them.
- ``record_follow_up``: what the end demands, recorded by the handling side or 案管 once the term ended.
- ``register_change``: the changed sanction after an appeal, by the trial office.

Follow-ups and changes are allowed on an archived case: they are the execution of the sanction, not an
edit of the sealed case file (the archive package and the case's read-only rule stay as they are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases.models import Appeal, AppealResult, Case, DecisionState, PersonDecision
from xiezuoqu.cases.selectors import can_view_case, may_handle, may_trial
from xiezuoqu.cases.workflow import State as CaseState
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.deadlines.services import (
    cancel_deadline,
    close_deadline,
    on_due_date_recomputed,
    open_deadline,
    register_deadline_kind,
)
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.rulebook.selectors import sanction_terms

from . import rules
from .models import (
    ChangeState,
    FollowUpKind,
    Outcome,
    SanctionChange,
    SanctionFollowUp,
    SanctionTerm,
    TermState,
)

TERM_END = "sanction.term_end"
TERM_END_LABEL = "处分期满"
# Yellow about 30 calendar days before the end (22 working days); the 20 % rule of DESIGN §4 may warn
# earlier on the long periods.
TERM_END_WARN_WORKING_DAYS = 22
TERM_END_RULE = (
    "纪律处分条例、公职人员政务处分法：处分期满，留党察看由党组织决定恢复党员权利或者开除党籍，"
    "政务处分自动解除，党纪处分影响期满；期满前30日提醒"
)

ALLOWED_OUTCOMES: dict[str, tuple[str, ...]] = {
    FollowUpKind.PROBATION: (Outcome.RESTORED, Outcome.EXTENDED, Outcome.EXPELLED),
    FollowUpKind.GOVERNMENT: (Outcome.RELEASED,),
    FollowUpKind.PARTY_LAPSE: (Outcome.LAPSED,),
    FollowUpKind.NONE: (),
}
PARTY_DECISIONS = (Outcome.RESTORED, Outcome.EXTENDED, Outcome.EXPELLED)


def register_kinds() -> None:
    register_deadline_kind(
        TERM_END,
        TERM_END_LABEL,
        warn_days=TERM_END_WARN_WORKING_DAYS,
        rule=TERM_END_RULE,
        # The end is fixed by the decision; only an appeal (复审、复核) changes it.
        not_extendable="处分期限由处分决定确定，只能经申诉复审、复核变更，请在期满后登记期满处理。",
    )
    on_due_date_recomputed(TERM_END)(_term_due_recomputed)


def _term_due_recomputed(deadline: Deadline, old_due: date) -> None:
    """The term's 办理期限 is its timer's due date: it follows when the year's calendar is entered."""
    SanctionTerm.objects.filter(pk=deadline.target_id, due_on=old_due).update(due_on=deadline.due_date)


# --- helpers ---------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str, limit: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    if limit is not None and len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: ["过长。"]})
    return text


def _limited(value: str | None, field_name: str, label: str, limit: int) -> str:
    text = _text(value)
    if len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: ["过长。"]})
    return text


def _day(value: date | None, field_name: str, label: str, *, not_before: date) -> date:
    if value is None:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: ["请填写日期。"]})
    if value > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天。", field_errors={field_name: ["晚于今天。"]})
    if value < not_before:
        raise ValidationFailed(
            f"{label}不能早于 {not_before:%Y-%m-%d}。", field_errors={field_name: [f"不能早于 {not_before:%Y-%m-%d}。"]}
        )
    return value


def _pk(value: Any) -> int | None:
    return as_key(value)


def _open_term(
    *,
    actor: Actor | None,
    case: Case,
    decision: PersonDecision,
    code: str,
    label: str,
    months: int | None,
    start: date,
    end: date,
    follow_up_kind: str | None = None,
    previous: SanctionTerm | None = None,
    change: SanctionChange | None = None,
    request: HttpRequest | None = None,
) -> SanctionTerm:
    """One term and, when its end demands something, its "处分期满" deadline (due on the end date, or on
    the next working day when the end is a rest day), for the case's handling unit and zone."""
    kind = follow_up_kind or rules.end_duty(code)
    term = SanctionTerm.objects.create(
        commission_id=case.commission_id,
        case=case,
        decision=decision,
        subject_id=decision.subject_id,
        code=code,
        label=label[:100],
        months=months,
        start=start,
        end=end,
        follow_up_kind=kind,
        previous=previous,
        change=change,
    )
    if kind != FollowUpKind.NONE:
        deadline = open_deadline(
            actor=actor,
            target=term,
            kind=TERM_END,
            label=TERM_END_LABEL,
            start=start,
            days=(end - start).days,
            responsible_unit=case.clue.handling_unit,
            zone=case.zone,
            request=request,
        )
        term.due_on = deadline.due_date
        term.save(update_fields=["due_on"])
    record_event(
        actor=actor,
        action="sanction.term_opened",
        target=term,
        changes={"state": [None, term.state]},
        detail={
            "case": case.pk,
            "decision": decision.pk,
            "code": code,
            "label": term.label,
            "start": start,
            "end": end,
            "due_on": term.due_on,
            "follow_up_kind": kind,
            "previous": previous.pk if previous else None,
            "change": change.pk if change else None,
        },
        request=request,
    )
    return term


def _open_periods(
    *,
    actor: Actor | None,
    case: Case,
    decision: PersonDecision,
    periods: Sequence[dict[str, Any]],
    change: SanctionChange | None = None,
    request: HttpRequest | None = None,
) -> list[SanctionTerm]:
    terms = []
    for period in periods:
        if not period.get("end"):
            continue  # 开除 (政务): no period to run
        terms.append(
            _open_term(
                actor=actor,
                case=case,
                decision=decision,
                code=period["code"],
                label=period["label"],
                months=period.get("months"),
                start=date.fromisoformat(period["start"]),
                end=date.fromisoformat(period["end"]),
                change=change,
                request=request,
            )
        )
    return terms


# --- the decision and the appeal (called by the cases app, inside its transaction) -----------------------


def open_terms_for_decision(*, actor: Actor | None, decision: PersonDecision) -> list[SanctionTerm]:
    """The approved decision's periods become terms (in the approving transaction; idempotent)."""
    if decision.state != DecisionState.APPROVED or SanctionTerm.objects.filter(decision=decision).exists():
        return []
    case = Case.objects.select_related("clue__handling_unit", "zone").get(pk=decision.case_id)
    return _open_periods(actor=actor, case=case, decision=decision, periods=decision.periods)


def apply_appeal(*, actor: Actor, appeal: Appeal, request: HttpRequest | None = None) -> list[SanctionTerm]:
    """An appeal decided (the case row is locked by the caller): 撤销 ends the running terms, 变更 ends them
    and waits for the changed sanction to be registered; 维持 leaves them running. A pending change of an
    earlier appeal lapses when a later one (复核) revokes or changes the decision again."""
    if appeal.result not in (AppealResult.REVOKED, AppealResult.CHANGED):
        return []
    revoked = appeal.result == AppealResult.REVOKED
    after = TermState.CANCELLED if revoked else TermState.SUPERSEDED
    assert appeal.decided_on is not None
    reason = f"申诉{appeal.get_kind_display()}：{appeal.get_result_display()}"
    terms = list(
        SanctionTerm.objects.select_for_update()
        .select_related("case")
        .filter(case_id=appeal.case_id, state=TermState.RUNNING)
        .order_by("id")
    )
    for term in terms:
        term.state, term.closed_on, term.ended_by_appeal = after, appeal.decided_on, appeal
        term.save(update_fields=["state", "closed_on", "ended_by_appeal"])
        cancel_deadline(actor=actor, target=term, kind=TERM_END, reason=reason, request=request)
        record_event(
            actor=actor,
            action=f"sanction.term_{after}",
            target=term,
            changes={"state": [TermState.RUNNING, after], "closed_on": [None, appeal.decided_on]},
            detail={"appeal": appeal.pk, "kind": appeal.kind, "result": appeal.result},
            request=request,
        )
    for earlier in SanctionChange.objects.select_for_update().filter(case_id=appeal.case_id, state=ChangeState.PENDING):
        earlier.state = ChangeState.LAPSED
        earlier.save(update_fields=["state"])
        record_event(
            actor=actor,
            action="sanction.change_lapsed",
            target=earlier,
            changes={"state": [ChangeState.PENDING, ChangeState.LAPSED]},
            detail={"appeal": earlier.appeal_id, "by_appeal": appeal.pk},
            request=request,
        )
    decision = (
        PersonDecision.objects.filter(case_id=appeal.case_id, state=DecisionState.APPROVED).order_by("-id").first()
    )
    if not revoked and decision is not None:
        change = SanctionChange.objects.create(
            commission_id=appeal.case.commission_id, case_id=appeal.case_id, appeal=appeal, decision=decision
        )
        record_event(
            actor=actor,
            action="sanction.change_pending",
            target=change,
            changes={"state": [None, change.state]},
            detail={"appeal": appeal.pk, "superseded": [t.pk for t in terms]},
            request=request,
        )
    return terms


# --- the follow-up (处分期满后的办理) -------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpInput:
    outcome: str
    decided_on: date | None
    organisation: str = ""
    reference: str = ""
    reason: str = ""
    note: str = ""


# What the checks and the new terms read from the case (scope, handling unit, zone, the person).
CASE_RELATED = ("clue", "clue__handling_unit", "subject", "zone")


def _lock_case(case_id: int | None) -> Case | None:
    """Lock the case row before any term or change of it.

    ``cases.services.decide_appeal`` locks the case, then ``apply_appeal`` the running terms and the pending
    change. A follow-up or a registration that locked only its own row raced it: while it held the term
    (or change) and opened a new running term (the 影响期 after 恢复党员权利, the second year of
    留党察看, the changed sanction's terms), the appeal could take the case and wait on that row; then
    either the appeal, whose reading of the running terms predates the new term, left it running after
    the decision was revoked or changed, or — on PostgreSQL, where the new term's foreign key to the case
    is checked at commit against the case the appeal holds — the two deadlocked. Locking the case first
    makes them take turns, in the one order everywhere: case, then term or change.

    Not the cases app's ``_lock``: the follow-up and the registration are allowed on an archived case
    (the execution of the sanction, not an edit of the sealed file).
    """
    if case_id is None:
        return None
    # of=("self",): on PostgreSQL only the case row is locked, not the rows joined for the checks.
    return Case.objects.select_for_update(of=("self",)).select_related(*CASE_RELATED).filter(pk=case_id).first()


def _case_id_of(model: type[SanctionTerm] | type[SanctionChange], pk: int | None) -> int | None:
    """The case a term or change hangs from (fixed once the row exists, so read before any lock)."""
    if pk is None:
        return None
    return model.objects.filter(pk=pk).values_list("case_id", flat=True).first()


def _lock_term(actor: Actor, term_id: Any) -> SanctionTerm:
    """Lock the term's case row, then the term row, then apply the case's view predicate: 404 when out of
    reach (recusal included). The caller checks the term's state after the locks."""
    pk = _pk(term_id)
    case = _lock_case(_case_id_of(SanctionTerm, pk))
    term = (
        SanctionTerm.objects.select_for_update(of=("self",)).filter(pk=pk, case_id=case.pk).first()
        if case is not None
        else None
    )
    if term is None or case is None or not can_view_case(actor, case):
        raise NotFound(audit_action="sanctionterm.viewed", target_type="sanctions.sanctionterm", target_id=str(term_id))
    term.case = case
    return term


def _lock_change(actor: Actor, change_id: Any) -> SanctionChange:
    """Lock the change's case row, then the change row (the order of ``_lock_term``), then apply the case's
    view predicate: 404 when out of reach. The caller checks the change's state after the locks."""
    pk = _pk(change_id)
    case = _lock_case(_case_id_of(SanctionChange, pk))
    change = (
        SanctionChange.objects.select_for_update(of=("self",))
        .select_related("decision")
        .filter(pk=pk, case_id=case.pk)
        .first()
        if case is not None
        else None
    )
    if change is None or case is None or not can_view_case(actor, case):
        raise NotFound(
            audit_action="sanctionchange.viewed", target_type="sanctions.sanctionchange", target_id=str(change_id)
        )
    change.case = case
    return change


def _is_extension(term: SanctionTerm) -> bool:
    return (
        term.previous_id is not None
        and SanctionFollowUp.objects.filter(term_id=term.previous_id, outcome=Outcome.EXTENDED).exists()
    )


def record_follow_up(
    *, actor: Actor, term_id: Any, data: FollowUpInput, request: HttpRequest | None = None
) -> SanctionFollowUp:
    """处分期满后的办理, once the term has ended (a term ends early only by an appeal, never by hand):

    - 留党察看: the party organisation decides — 恢复党员权利 (确有悔改表现; a 2-year 影响期 follows), 延长
      一年 (a 1-year 留党察看 whose person still does not qualify; once, to two years at most), or 开除党籍
      (坚持不改 or a further violation found; the reason is required, and the 5-year bar follows). The
      decision date, the deciding organisation and the document reference are recorded.
    - 政务处分: 自动解除 — the date and the notice reference (降级 / 撤职: level and post are not restored).
    - 党纪处分影响期: the lapse is recorded, no decision needed.

    Allowed on an archived case: this is the execution of the sanction, not an edit of the sealed case file.
    """
    with transaction.atomic():
        term = _lock_term(actor, term_id)
        case = term.case
        if not may_handle(actor, case):
            raise NotPermitted(
                "处分期满后的办理由承办单位、所在协作区或案件监督管理室登记。",
                audit_action="sanction.follow_up_recorded",
                target_type="sanctions.sanctionterm",
                target_id=str(term.pk),
            )
        if term.state != TermState.RUNNING:
            raise InvalidTransition(f"该处分期间已{term.get_state_display()}，不能再登记期满办理。")
        allowed = ALLOWED_OUTCOMES[term.follow_up_kind]
        if not allowed:
            raise RuleViolation(
                f"{term.label}期满（{term.end:%Y-%m-%d}）无需办理，五年期满后即可依规重新申请入党，不需登记。"
            )
        if data.outcome not in allowed:
            names = "、".join(Outcome(o).label for o in allowed)
            raise RuleViolation(
                f"{term.label}期满只能登记：{names}。", field_errors={"outcome": ["与该处分的期满事项不符。"]}
            )
        today = timezone.localdate()
        if today < term.end:
            raise RuleViolation(
                f"{term.label}至 {term.end:%Y-%m-%d} 期满，期满前不能登记期满办理；"
                "期满前终止处分只能通过申诉复审、复核撤销或者变更处理决定。"
            )
        outcome = Outcome(data.outcome)
        decided_on = _day(data.decided_on, "decided_on", "决定（解除）日期", not_before=term.end)
        organisation = _limited(data.organisation, "organisation", "作出决定的组织", 100)
        reference = _limited(data.reference, "reference", "文号", 200)
        reason = _text(data.reason)
        note = _text(data.note)
        if outcome in PARTY_DECISIONS:
            organisation = _required(organisation, "organisation", "作出决定的党组织", 100)
            reference = _required(reference, "reference", "决定文号", 200)
        if outcome == Outcome.RELEASED:
            reference = _required(reference, "reference", "解除通知文号", 200)
        if outcome == Outcome.EXPELLED:
            reason = _required(reason, "reason", "开除党籍的理由（坚持不改或者又发现的违纪行为）")
        if outcome == Outcome.EXTENDED:
            reason = _required(reason, "reason", "延长留党察看的理由")
            if term.months != rules.PROBATION_EXTENSION_MONTHS or _is_extension(term):
                raise RuleViolation(
                    "只有留党察看一年期满后仍不符合恢复党员权利条件的，才能延长一年；留党察看期限最长不得超过二年。",
                    field_errors={"outcome": ["不能延长。"]},
                )
        assert actor.user_id is not None
        follow_up = SanctionFollowUp.objects.create(
            commission_id=term.commission_id,
            term=term,
            outcome=outcome,
            decided_on=decided_on,
            organisation=organisation,
            reference=reference,
            reason=reason,
            note=note,
            recorded_by_id=actor.user_id,
        )
        term.state, term.closed_on = TermState.ENDED, decided_on
        term.save(update_fields=["state", "closed_on"])
        deadline = close_deadline(actor=actor, target=term, kind=TERM_END, met_on=decided_on, request=request)
        following = _following_term(actor, term, outcome, decided_on, request)
        record_event(
            actor=actor,
            action="sanction.follow_up_recorded",
            target=term,
            changes={"state": [TermState.RUNNING, TermState.ENDED], "closed_on": [None, decided_on]},
            detail={
                "follow_up": follow_up.pk,
                "outcome": outcome,
                "decided_on": decided_on,
                "organisation": organisation,
                "reference": reference,
                "reason": reason,
                "deadline": deadline.state if deadline else None,
                "following": following.pk if following else None,
                "case_archived": case.state == CaseState.ARCHIVED,
            },
            request=request,
        )
    return follow_up


def _following_term(
    actor: Actor, term: SanctionTerm, outcome: str, decided_on: date, request: HttpRequest | None
) -> SanctionTerm | None:
    """The period a party organisation's decision at the end of 留党察看 starts (纪律处分条例)."""
    assert term.decision_id is not None
    decision = PersonDecision.objects.get(pk=term.decision_id)
    common: dict[str, Any] = {"actor": actor, "case": term.case, "decision": decision, "previous": term}
    if outcome == Outcome.EXTENDED:
        months = rules.PROBATION_EXTENSION_MONTHS
        return _open_term(
            **common,
            code="party_probation",
            label="留党察看（延长一年）",
            months=months,
            start=term.end,
            end=rules.plus_months(term.end, months),
            follow_up_kind=FollowUpKind.PROBATION,
            request=request,
        )
    if outcome == Outcome.RESTORED:
        months = rules.RESTORED_LAPSE_MONTHS
        return _open_term(
            **common,
            code="party_probation",
            label="留党察看恢复党员权利后影响期（二年）",
            months=months,
            start=decided_on,
            end=rules.plus_months(decided_on, months),
            follow_up_kind=FollowUpKind.PARTY_LAPSE,
            request=request,
        )
    if outcome == Outcome.EXPELLED:
        months = rules.EXPULSION_BAR_MONTHS
        return _open_term(
            **common,
            code="party_expulsion",
            label="开除党籍（留党察看期满后；五年内不得重新入党）",
            months=months,
            start=decided_on,
            end=rules.plus_months(decided_on, months),
            follow_up_kind=FollowUpKind.NONE,
            request=request,
        )
    return None


# --- the changed sanction after an appeal -------------------------------------------------------------------

# A chosen period is at most 48 months (政务处分法 第十条, the longest combined period); 留党察看 takes
# one or two years (纪律处分条例). ``SanctionChange.months`` is a small positive integer.
MIN_CHANGE_MONTHS = 1
MAX_CHANGE_MONTHS = rules.MAX_COMBINED_MONTHS
MONTHS_RANGE_MESSAGE = f"期限应为 {MIN_CHANGE_MONTHS} 至 {MAX_CHANGE_MONTHS} 个月（留党察看 12 或 24 个月）。"


@dataclass(frozen=True)
class ChangeInput:
    codes: Sequence[str]
    start: date | None
    reference: str
    months: int | None = None


def _change_months(codes: Sequence[str], months: int | None) -> int | None:
    """The period typed with the changed sanction, checked, and kept only where a code takes a chosen
    period (留党察看, or a combined 政务处分); elsewhere the period is statutory and the value is dropped."""
    if months is None:
        return None
    if isinstance(months, bool) or not MIN_CHANGE_MONTHS <= months <= MAX_CHANGE_MONTHS:
        raise ValidationFailed(MONTHS_RANGE_MESSAGE, field_errors={"months": [MONTHS_RANGE_MESSAGE]})
    options = {o for c in codes for o in rules.measure(c).months_options}
    if options and months not in options:
        message = "留党察看的期限为一年或者二年（12 或 24 个月）。"
        raise ValidationFailed(message, field_errors={"months": [message]})
    return months if rules.takes_months(codes) else None


def register_change(
    *, actor: Actor, change_id: Any, data: ChangeInput, request: HttpRequest | None = None
) -> SanctionChange:
    """登记变更后的处分: after an appeal decided 变更处理决定, the trial office records the changed sanction
    (its codes, the 留党察看 or combined period, the day its period counts from — by default the original
    decision's date — and the changing decision's reference); its periods become the running terms.

    The codes are checked against the person (党员, 村干部) and the statutory periods; who decided the change
    is the appeal's business, recorded on the appeal. Allowed on an archived case, like the follow-up.
    """
    reference = _required(data.reference, "reference", "变更决定文号", 200)
    codes = list(dict.fromkeys(c for c in data.codes if c))
    with transaction.atomic():
        change = _lock_change(actor, change_id)
        case = change.case
        if not may_trial(actor, case):
            raise NotPermitted(
                "变更后的处分由案件审理室登记。",
                audit_action="sanction.change_registered",
                target_type="sanctions.sanctionchange",
                target_id=str(change.pk),
            )
        if change.state != ChangeState.PENDING:
            raise InvalidTransition(f"该申诉变更{change.get_state_display()}，不能再登记。")
        original = change.decision
        assert original.decided_on is not None
        start = _day(data.start, "start", "起算日", not_before=original.decided_on)
        try:
            if not codes:
                raise rules.RuleBroken("请选择变更后的处理方式。")
            measures = [rules.measure(c) for c in codes]
            if any(m.kind is rules.Kind.OTHER for m in measures):
                raise rules.RuleBroken("撤销案件、移送检察机关不是变更后的处分；撤销处理决定请登记为“撤销处理决定”。")
            rules.check_for_person(
                codes, is_village_cadre=case.subject.is_village_cadre, is_party_member=case.subject.is_party_member
            )
            months = _change_months(codes, data.months)
            periods = rules.periods_of(codes, start, months, statutory=sanction_terms(on=start))
        except rules.RuleBroken as exc:
            raise RuleViolation(str(exc), field_errors={"codes": [str(exc)]}) from None
        assert actor.user_id is not None
        change.state, change.codes, change.months, change.start, change.reference = (
            ChangeState.REGISTERED,
            codes,
            months,
            start,
            reference,
        )
        change.registered_by_id, change.registered_at = actor.user_id, timezone.now()
        change.save(update_fields=["state", "codes", "months", "start", "reference", "registered_by", "registered_at"])
        terms = _open_periods(
            actor=actor, case=case, decision=original, periods=periods, change=change, request=request
        )
        record_event(
            actor=actor,
            action="sanction.change_registered",
            target=change,
            changes={"state": [ChangeState.PENDING, ChangeState.REGISTERED]},
            detail={
                "appeal": change.appeal_id,
                "codes": codes,
                "months": months,
                "start": start,
                "reference": reference,
                "terms": [t.pk for t in terms],
                "case_archived": case.state == CaseState.ARCHIVED,
            },
            request=request,
        )
    return change
