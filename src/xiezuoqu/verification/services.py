"""Every write of 初步核实: the plan and its approval, measures, the evidence locker, the report, the
confirmations and the report's approval, and the 案管 review of the measure ledger.

Each transition is one function and one transaction: lock the verification row (the scoped funnel's
predicate applied after the lock), check the actor (the team, or whoever may work the clue), the state
table (``workflow.next_state``) and the rule (``rules``), write with ``update_fields``, record the
audit event. Nothing else assigns ``Verification.state``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import VERIFICATION_PLAN, VERIFICATION_REPORT, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.selectors import actor_unit_ids
from xiezuoqu.approvals.services import resubmit_request, submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.services import record_event, record_view
from xiezuoqu.clues.models import Clue, ClueSubject
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.clues.services import settle_after_verification
from xiezuoqu.clues.workflow import Action as ClueAction
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.deadlines.services import close_deadline, open_deadline, restart_deadline
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.public.files import IntegrityFailed
from xiezuoqu.recusal.services import check_declarations_signed
from xiezuoqu.rulebook.selectors import NoRuleInForce, rule_for
from xiezuoqu.teams.models import Purpose, Team, TeamMember
from xiezuoqu.teams.selectors import active_member_staff_ids, active_team

from . import limits, rules
from .evidence import MAX_EVIDENCE_SIZE as MAX_EVIDENCE_SIZE  # read by the pages, the API and web.uploads
from .evidence import EvidenceInput, Locker, check_evidence, enter_evidence, read_evidence
from .evidence import store_evidence as store_evidence  # funds stores its receipts the same way
from .models import (
    CustodyAction,
    CustodyEvent,
    EvidenceItem,
    Integrity,
    Measure,
    MeasureState,
    Recommendation,
    ReportConfirmation,
    Verification,
    VerificationPlan,
    VerificationReport,
)
from .selectors import get_evidence_for, may_review_measures, may_work_verification
from .workflow import ACTION_LABELS, FINAL_STATES, Action, State, next_state

# What each recommendation does to the clue once the report is approved (拟立案: waits for filing).
SETTLES: dict[str, str] = {
    Recommendation.CLOSE: ClueAction.VERIFIED_CLOSE,
    Recommendation.REMINDER: ClueAction.VERIFIED_CLOSE,
    Recommendation.TRANSFER: ClueAction.VERIFIED_CLOSE,
    Recommendation.HOLD: ClueAction.VERIFIED_HOLD,
}


# --- helpers ---------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str, limit: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    if limit is not None and len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", field_errors={field_name: ["过长。"]})
    return text


def _ids(values: Sequence[Any]) -> set[int]:
    return {k for v in values if (k := as_key(v)) is not None}


def _lock_clue(actor: Actor, clue_id: Any) -> Clue:
    try:
        clue = Clue.objects.select_for_update().filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _lock(actor: Actor, verification_id: Any) -> Verification:
    """Lock the verification row, then apply the view predicate (the scope's twin): 404 when out of reach."""
    try:
        verification = (
            Verification.objects.select_for_update(of=("self",))
            .select_related("clue")
            .filter(pk=int(verification_id))
            .first()
        )
    except (TypeError, ValueError):
        verification = None
    if verification is None or not can_view_clue(actor, verification.clue):
        raise NotFound(
            audit_action="verification.viewed",
            target_type="verification.verification",
            target_id=str(verification_id),
        )
    return verification


def _check_worker(actor: Actor, clue: Clue, action: str) -> None:
    if not may_work_verification(actor, clue):
        raise NotPermitted(
            "只有核查组成员，或承办单位、所在协作区的办案人员可以办理初步核实。",
            audit_action=f"verification.{action}",
            target_type="clues.clue",
            target_id=str(clue.pk),
        )


def _move(
    actor: Actor | None,
    verification: Verification,
    action: str,
    request: HttpRequest | None,
    *,
    detail: dict[str, Any] | None = None,
    progress: bool = True,
    **fields: Any,
) -> None:
    """Apply one transition of the table with its fields and the audit event; progress moves the clock
    (the stall deadline restarts from today), the end of the round closes it."""
    before = verification.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {}
    if after != before:
        changes["state"] = [before, after]
    for name, value in fields.items():
        old = getattr(verification, name)
        if old != value:
            changes[name] = [old, value]
        setattr(verification, name, value)
    now = timezone.now()
    update = list(fields)
    if after != before:
        verification.state = after
        verification.state_changed_at = now
        update += ["state", "state_changed_at"]
    if progress:
        verification.last_progress_at = now
        update.append("last_progress_at")
    if update:
        verification.save(update_fields=update)
    record_event(
        actor=actor,
        action=f"verification.{action}",
        target=verification,
        changes=changes,
        detail=detail,
        request=request,
    )
    if after in FINAL_STATES:
        close_deadline(actor=actor, target=verification, kind=rules.STALL_KIND, met_on=timezone.localdate(now))
    elif progress:
        day = timezone.localdate(now)
        reason = f"初步核实有新进展：{ACTION_LABELS.get(action, action)}"
        restarted = restart_deadline(
            actor=actor, target=verification, kind=rules.STALL_KIND, start=day, reason=reason, request=request
        )
        if restarted is None:  # a round from before the stall was a deadline: it enters the engine now
            _open_stall(actor, verification, day)


def _open_stall(actor: Actor | None, verification: Verification, start: date) -> None:
    """初步核实6个月无进展: a supervised deadline from the round's last progress, in the clue's zone."""
    clue = verification.clue
    open_deadline(
        actor=actor,
        target=verification,
        kind=rules.STALL_KIND,
        label=f"{clue} 初步核实停滞预警",
        start=start,
        months=rules.STALL_MONTHS,
        responsible_unit=verification.team.lead_unit if verification.team else clue.handling_unit,
        zone=clue.zone,
    )


def _decider(approval: ApprovalRequest, outcome: str) -> Actor | None:
    if outcome == ApprovalState.WITHDRAWN:
        return build_actor(approval.requester)
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    return build_actor(decision.decided_by) if decision is not None else None


def _request_unit(actor: Actor, clue: Clue, team: Team | None) -> int | None:
    """The unit the approval is asked for: the clue's handling unit, else the team's lead unit, else own."""
    own = actor_unit_ids(actor)
    for unit_id in (clue.handling_unit_id, team.lead_unit_id if team else None):
        if unit_id is not None and (unit_id in own or actor.reaches_unit(unit_id, clue.commission_id)):
            return unit_id
    return None


def _team_or_refuse(clue: Clue) -> Team:
    team = active_team(clue.pk, Purpose.VERIFICATION)
    if team is None:
        raise RuleViolation("该线索尚未确定核查组。请先由协作区组长确定核查组，再报批初核方案。")
    members = TeamMember.objects.filter(team=team, left_on__isnull=True).count()
    if members < rules.MIN_OFFICERS:
        raise RuleViolation(f"核查组目前只有 {members} 名成员；核查措施须至少二人进行，请先补充组员。")
    return team


def township_secretary_note(clue: Clue) -> str:
    """被核查人是乡镇（街道）党委书记的，方案按规定报同级党委书记审批：the note the plan carries up."""
    positions = ClueSubject.objects.filter(clue=clue).values_list("subject__position", "subject__unit_text")
    for position, unit_text in positions:
        township = any(word in (unit_text or "") for word in ("镇", "乡", "街道")) or "镇" in (position or "")
        if "党委书记" in (position or "") and township:
            return "被核查人为乡镇（街道）党委书记：按规定，初核方案经审批后还须报同级党委书记审批。"
    return ""


# --- plan ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    scope: str
    points: str
    planned_measures: Sequence[str]
    starts_on: date | None
    ends_on: date | None


def _clean_plan(data: PlanInput) -> dict[str, Any]:
    scope = _required(data.scope, "scope", "核实范围")
    points = _required(data.points, "points", "核实要点")
    kinds = list(dict.fromkeys(k for k in data.planned_measures if k))
    if not kinds:
        raise ValidationFailed("请选择拟采取的核查措施。", field_errors={"planned_measures": ["请至少选择一项。"]})
    for kind in kinds:
        rules.check_measure_allowed(kind, filed=False)
    if data.starts_on is None or data.ends_on is None:
        raise ValidationFailed(
            "请填写计划起止日期。", field_errors={"starts_on": ["请填写。"], "ends_on": ["请填写。"]}
        )
    if data.ends_on < data.starts_on:
        raise ValidationFailed("计划结束日期不能早于开始日期。", field_errors={"ends_on": ["早于开始日期。"]})
    return {
        "scope": scope,
        "points": points,
        "planned_measures": kinds,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
    }


def draft_plan(*, actor: Actor, clue_id: Any, data: PlanInput, request: HttpRequest | None = None) -> Verification:
    """起草（或修改）初核方案: opens the clue's verification round on the first draft."""
    fields = _clean_plan(data)
    with transaction.atomic():
        clue = _lock_clue(actor, clue_id)
        _check_worker(actor, clue, Action.DRAFT_PLAN)
        if clue.state != ClueState.PRELIMINARY_VERIFICATION:
            raise RuleViolation(f"该线索当前为“{clue.get_state_display()}”，不处于初步核实阶段。")
        live = Verification.objects.select_for_update().filter(clue=clue).exclude(state=State.CONCLUDED).first()
        note = township_secretary_note(clue)
        assert actor.user_id is not None
        if live is None:
            last = Verification.objects.filter(clue=clue).aggregate(top=Max("round"))["top"] or 0
            now = timezone.now()
            try:
                with transaction.atomic():
                    verification = Verification.objects.create(
                        commission_id=clue.commission_id,
                        clue=clue,
                        round=last + 1,
                        state=next_state(None, Action.DRAFT_PLAN),
                        state_changed_at=now,
                        last_progress_at=now,
                        created_by_id=actor.user_id,
                    )
            except IntegrityError:
                raise RuleViolation("该线索已有进行中的初步核实，请刷新后查看。") from None
            VerificationPlan.objects.create(
                verification=verification, approval_note=note, drafted_by_id=actor.user_id, **fields
            )
            record_event(
                actor=actor,
                action="verification.plan_drafted",
                target=verification,
                changes={"state": [None, verification.state]},
                detail={"clue": clue.pk, "round": verification.round, **fields},
                request=request,
            )
            _open_stall(actor, verification, timezone.localdate(now))
            return verification
        next_state(live.state, Action.EDIT_PLAN)
        plan = VerificationPlan.objects.select_for_update().get(verification=live)
        changes = {}
        for name, value in {**fields, "approval_note": note}.items():
            if getattr(plan, name) != value:
                changes[name] = [getattr(plan, name), value]
                setattr(plan, name, value)
        plan.drafted_by_id = actor.user_id
        plan.save(update_fields=[*fields, "approval_note", "drafted_by", "updated_at"])
        _move(actor, live, Action.EDIT_PLAN, request, detail={"changes": changes})
        return live


def submit_plan(*, actor: Actor, verification_id: Any, request: HttpRequest | None = None) -> Verification:
    """初核方案报批: with the confirmed team, up the chain "verification.plan" (a returned request is
    resubmitted, a rejected or withdrawn one replaced)."""
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        clue = verification.clue
        _check_worker(actor, clue, Action.SUBMIT_PLAN)
        next_state(verification.state, Action.SUBMIT_PLAN)
        team = _team_or_refuse(clue)
        check_declarations_signed(clue.pk, active_member_staff_ids(clue.pk, Purpose.VERIFICATION), step="报批初核方案")
        plan = VerificationPlan.objects.select_for_update().get(verification=verification)
        labels = "、".join(plan.planned_measure_labels)
        reason = (
            f"核实范围：{plan.scope}\n核实要点：{plan.points}\n拟采取措施：{labels}\n"
            f"时间安排：{plan.starts_on:%Y-%m-%d} 至 {plan.ends_on:%Y-%m-%d}\n"
            f"核查组：{team.lead_unit.name}（{team.get_mode_display()}）"
            + (f"\n{plan.approval_note}" if plan.approval_note else "")
        )
        title = f"{clue} 初步核实方案"
        approval = plan.approval
        if approval is not None and approval.state == ApprovalState.RETURNED:
            resubmit_request(actor=actor, approval_id=approval.pk, title=title, reason=reason, request=request)
        else:
            approval = submit_request(
                actor=actor,
                matter_type=VERIFICATION_PLAN.slug,
                title=title,
                reason=reason,
                target=verification,
                unit=_request_unit(actor, clue, team),
                zone=clue.zone_id,
                request=request,
            )
            plan.approval = approval
            plan.save(update_fields=["approval"])
        _move(actor, verification, Action.SUBMIT_PLAN, request, detail={"approval": approval.pk}, team_id=team.pk)
    return verification


@on_final_decision(VERIFICATION_PLAN.slug)
def _plan_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Approved: measures may be taken, the period (default 2 months) runs from today. Otherwise the
    plan goes back to the drafters (a returned request is resubmitted from the verification page)."""
    plan = VerificationPlan.objects.select_for_update().filter(approval=approval).first()
    if plan is None:
        return
    verification = Verification.objects.select_for_update().select_related("clue").get(pk=plan.verification_id)
    actor = _decider(approval, outcome)
    if verification.state != State.PLAN_SUBMITTED:
        if outcome == ApprovalState.APPROVED:
            raise InvalidTransition("该初核方案已退回修改，请由核查组在初步核实页面重新报批后再审批。")
        return
    if outcome != ApprovalState.APPROVED:
        _move(actor, verification, Action.SEND_BACK_PLAN, None, detail={"outcome": outcome})
        return
    today = timezone.localdate()
    plan.approved_at = timezone.now()
    plan.save(update_fields=["approved_at"])
    _move(actor, verification, Action.APPROVE_PLAN, None, detail={"approval": approval.pk}, started_on=today)
    clue = verification.clue
    open_deadline(
        actor=actor,
        target=verification,
        kind=rules.PERIOD_KIND,
        label=f"{clue} 初步核实",
        start=today,
        months=rules.verification_months(),
        responsible_unit=verification.team.lead_unit if verification.team else clue.handling_unit,
        zone=clue.zone,
    )


# --- measures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInput:
    kind: str
    officer_ids: Sequence[Any]
    person_or_record: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    approval_reference: str = ""
    record_document_id: int | None = None
    note: str = ""
    # 强制到案 where 管护 or 留置 then has to be taken: its limit is 24 hours instead of 12 (limits.py).
    followed_by_custody: bool = False


def aware(value: datetime | None) -> datetime | None:
    """A time given without a zone (an API client's "2026-11-02T09:00") is read in the commission's
    local time, as the pages read it, so it compares with the clock instead of failing."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _check_measure_in_law(kind: str, day: date) -> None:
    """规则库: a time-limited measure is taken under the law in force on its start day. 管护, 责令候查 and
    强制到案 exist from 监察法 (2024年修正, 2025-06-01 施行): one dated earlier has no rule and is refused."""
    try:
        rule_for(f"measure.{kind}", on=day)
    except NoRuleInForce as exc:
        label = rules.MeasureKind(kind).label
        raise NoRuleInForce(
            f"“{label}”措施的开始时间 {day:%Y-%m-%d} 早于设立该措施的法律施行之日：{exc.message}",
            field_errors={"starts_at": [f"该日尚无“{label}”措施的法律依据。"]},
        ) from None


def clean_measure(data: MeasureInput, filed: bool, *, commission: Any = None) -> tuple[set[int], dict[str, Any]]:
    """The checks every measure passes (the stage rule, two officers, object, place, times, the time
    limit of 管护, 责令候查, 强制到案 and 冻结), for the verification and the case alike; returns the
    officers and the measure's fields (a time-limited measure whose planned end is still ahead is in
    force, one recorded after its end is completed)."""
    data = replace(data, starts_at=aware(data.starts_at), ends_at=aware(data.ends_at))
    # The stage rule first: a post-filing measure is refused whatever else the form says.
    rules.check_measure_allowed(data.kind, filed)
    officers = _ids(data.officer_ids)
    rules.check_officers(len(officers))
    target = _required(data.person_or_record, "person_or_record", "措施对象（人员或资料）", 200)
    place = _required(data.place, "place", "地点", 200)
    if data.starts_at is None or data.ends_at is None:
        raise ValidationFailed(
            "请填写措施的起止时间。", field_errors={"starts_at": ["请填写。"], "ends_at": ["请填写。"]}
        )
    if data.ends_at < data.starts_at:
        raise ValidationFailed("结束时间不能早于开始时间。", field_errors={"ends_at": ["早于开始时间。"]})
    now = timezone.now()
    if data.starts_at > now:
        raise ValidationFailed("措施应在采取后登记，开始时间不能晚于现在。", field_errors={"starts_at": ["晚于现在。"]})
    limit = limits.measure_limit(data.kind)
    if limit is not None:
        _check_measure_in_law(data.kind, timezone.localtime(data.starts_at).date())
    special = bool(data.followed_by_custody) and limit is not None
    limits.check_planned_end(data.kind, data.starts_at, data.ends_at, special=special, commission=commission)
    term_state = ""
    if limit is not None:
        term_state = limits.TermState.IN_FORCE if data.ends_at > now else limits.TermState.COMPLETED
    return officers, {
        "kind": data.kind,
        "person_or_record": target,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "place": place,
        "note": _text(data.note),
        "followed_by_custody": special,
        "term_state": term_state,
    }


def record_measure(
    *, actor: Actor, verification_id: Any, data: MeasureInput, request: HttpRequest | None = None
) -> Measure:
    """登记核查措施: a measure the stage allows, by at least two officers of the team, under the approved
    plan (its approval is the measure's approval unless another reference is given)."""
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        clue = verification.clue
        officers, fields = clean_measure(data, filed=clue.state == ClueState.FILED, commission=clue.commission_id)
        _check_worker(actor, clue, Action.RECORD_MEASURE)
        next_state(verification.state, Action.RECORD_MEASURE)
        team_ids = active_member_staff_ids(clue.pk, Purpose.VERIFICATION)
        outside = officers - team_ids
        if outside:
            from xiezuoqu.org.models import StaffMember

            names = "、".join(StaffMember.objects.filter(pk__in=outside).values_list("name", flat=True)) or "所选人员"
            raise RuleViolation(
                f"{names}不是本线索核查组的现任成员，不能作为措施承办人员。",
                field_errors={"officers": ["须为核查组成员。"]},
            )
        plan = VerificationPlan.objects.select_related("approval").get(verification=verification)
        reference = _text(data.approval_reference)[:200]
        approved_by_id = None
        if plan.approval is not None:
            reference = reference or f"初核方案（审批第 {plan.approval.pk} 号）"
            last = plan.approval.decisions.order_by("-decided_at", "-id").first()
            approved_by_id = last.decided_by_id if last else None
        document = None
        if data.record_document_id:
            document = EvidenceItem.objects.filter(pk=data.record_document_id, clue=clue).first()
            if document is None:
                raise ValidationFailed(
                    "所选措施文书不是本线索的证据。", field_errors={"record_document": ["请重新选择。"]}
                )
        assert actor.user_id is not None
        measure = Measure.objects.create(
            commission_id=clue.commission_id,
            clue=clue,
            verification=verification,
            approved_by_id=approved_by_id,
            approval_reference=reference,
            record_document=document,
            recorded_by_id=actor.user_id,
            **fields,
        )
        measure.officers.set(sorted(officers))
        record_event(
            actor=actor,
            action="verification.measure_recorded",
            target=measure,
            changes={"state": [None, measure.state]},
            detail={
                "verification": verification.pk,
                "kind": measure.kind,
                "officers": sorted(officers),
                "record_document": document.pk if document else None,
                "approval_reference": reference,
            },
            request=request,
        )
        _move(actor, verification, Action.RECORD_MEASURE, request, detail={"measure": measure.pk})
    return measure


def review_measure(*, actor: Actor, measure_id: Any, note: str = "", request: HttpRequest | None = None) -> Measure:
    """案管审核措施台账: a recorded measure with its record document is marked reviewed."""
    if not may_review_measures(actor):
        raise NotPermitted("只有案件监督管理室干部可以审核措施使用台账。")
    with transaction.atomic():
        measure = (
            Measure.objects.select_for_update(of=("self",)).select_related("clue").filter(pk=_pk(measure_id)).first()
        )
        if measure is None or not can_view_clue(actor, measure.clue):
            raise NotFound()
        if measure.state != MeasureState.RECORDED:
            raise InvalidTransition(f"该措施当前为“{measure.get_state_display()}”，不能再次审核。")
        if measure.record_document_id is None:
            raise RuleViolation("该措施尚未上传措施文书（笔录），请承办人员补传后再审核。")
        measure.state = MeasureState.REVIEWED
        measure.reviewed_by_id = actor.user_id
        measure.reviewed_at = timezone.now()
        measure.review_note = _text(note)[:300]
        measure.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        record_event(
            actor=actor,
            action="verification.measure_reviewed",
            target=measure,
            changes={"state": [MeasureState.RECORDED, MeasureState.REVIEWED]},
            detail={"note": measure.review_note},
            request=request,
        )
    return measure


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# --- evidence locker -----------------------------------------------------------------------------------


def add_evidence(
    *, actor: Actor, verification_id: Any, data: EvidenceInput, request: HttpRequest | None = None
) -> EvidenceItem:
    """证据入库: checked by content type and size, hashed (SHA-256, SM3), sealed (SM4-GCM), stored by
    content, numbered in the matter's inventory, with its first custody event (collected)."""
    checked = check_evidence(data)
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        clue = verification.clue
        _check_worker(actor, clue, Action.ADD_EVIDENCE)
        next_state(verification.state, Action.ADD_EVIDENCE)
        locker = Locker(
            commission_id=clue.commission_id,
            clue_id=clue.pk,
            measures=Measure.objects.filter(clue=clue),
            foreign_measure="所选来源措施不属于本线索。",
            record_attached="verification.measure_record_attached",
            link={"verification": verification},
        )
        item = enter_evidence(actor=actor, checked=checked, locker=locker, request=request)
        _move(actor, verification, Action.ADD_EVIDENCE, request, detail={"evidence": item.pk})
    return item


def view_evidence(*, actor: Actor, evidence_id: Any, request: HttpRequest | None = None) -> EvidenceItem:
    """Open an evidence item's page: through the funnel, on record (audit and custody: viewed)."""
    item = get_evidence_for(actor, evidence_id)
    with transaction.atomic():
        record_view(actor=actor, target=item, request=request)
        CustodyEvent.objects.create(evidence=item, action=CustodyAction.VIEWED, user_id=actor.user_id)
    return item


def _record_failure(actor: Actor | None, item: EvidenceItem, reason: str, request: HttpRequest | None) -> None:
    """A failed check is a committed fact: custody event, integrity flag, audit event."""
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        old = locked.integrity
        locked.integrity = Integrity.FAILED
        locked.last_verified_at = timezone.now()
        locked.save(update_fields=["integrity", "last_verified_at"])
        CustodyEvent.objects.create(
            evidence=locked,
            action=CustodyAction.VERIFY_FAILED,
            user_id=actor.user_id if actor else None,
            note=reason[:300],
        )
        record_event(
            actor=actor,
            action="evidence.tamper_detected",
            target=locked,
            outcome=AuditEvent.Outcome.REFUSED,
            changes={"integrity": [old, Integrity.FAILED]} if old != Integrity.FAILED else {},
            detail={"reason": reason, "storage_name": locked.storage_name, "sha256": locked.sha256},
            request=request,
        )
    item.integrity = Integrity.FAILED


def download_evidence(
    *, actor: Actor, evidence_id: Any, request: HttpRequest | None = None
) -> tuple[EvidenceItem, bytes]:
    """下载证据: decrypt, re-hash (SHA-256 and SM3) and compare on every download. A mismatch refuses
    the download, and is recorded (custody, audit ``evidence.tamper_detected``) before the refusal."""
    item = get_evidence_for(actor, evidence_id)
    try:
        plaintext = read_evidence(item.storage_name, item.sha256, item.sm3)
    except IntegrityFailed as exc:
        _record_failure(actor, item, exc.message, request)
        raise IntegrityFailed(
            f"证据“{item.title}”（证据 {item.number}）完整性校验失败：{exc.message}"
            "为防止使用被篡改的证据，已拒绝下载，并已记录在证据保管记录和审计日志中。请立即报告案件监督管理室核查。"
        ) from None
    with transaction.atomic():
        locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        fields = ["last_verified_at"]
        locked.last_verified_at = timezone.now()
        if locked.integrity != Integrity.INTACT:
            locked.integrity = Integrity.INTACT
            fields.append("integrity")
        locked.save(update_fields=fields)
        CustodyEvent.objects.create(evidence=locked, action=CustodyAction.EXPORTED, user_id=actor.user_id)
        record_event(
            actor=actor,
            action="evidence.downloaded",
            target=locked,
            detail={"sha256": locked.sha256, "sm3": locked.sm3, "verified": True},
            request=request,
        )
    return locked, plaintext


@dataclass(frozen=True)
class CheckResult:
    item: EvidenceItem
    ok: bool
    reason: str = ""


def verify_all_evidence(*, commission_id: int | None = None) -> list[CheckResult]:
    """The system's sweep (``xiezuoqu evidence_verify``): every stored item re-hashed; failures recorded."""
    qs = EvidenceItem.objects.select_related("clue").order_by("id")
    if commission_id is not None:
        qs = qs.filter(commission_id=commission_id)
    results: list[CheckResult] = []
    for item in qs.iterator(chunk_size=200):
        try:
            read_evidence(item.storage_name, item.sha256, item.sm3)
        except IntegrityFailed as exc:
            _record_failure(None, item, exc.message, None)
            results.append(CheckResult(item, False, exc.message))
            continue
        with transaction.atomic():
            EvidenceItem.objects.filter(pk=item.pk).update(last_verified_at=timezone.now(), integrity=Integrity.INTACT)
            CustodyEvent.objects.create(evidence=item, action=CustodyAction.VERIFIED, note="定期校验")
        results.append(CheckResult(item, True))
    return results


def record_export(
    *, actor: Actor, clue: Clue, items: list[EvidenceItem], fmt: str, request: HttpRequest | None
) -> None:
    """An inventory export is a custody event of every item listed, and one audit event."""
    with transaction.atomic():
        CustodyEvent.objects.bulk_create(
            [
                CustodyEvent(
                    evidence=i, action=CustodyAction.EXPORTED, user_id=actor.user_id, note=f"证据清单（{fmt}）"
                )
                for i in items
            ]
        )
        record_event(
            actor=actor,
            action="evidence.inventory_exported",
            target=clue,
            detail={"format": fmt, "evidence": [i.pk for i in items]},
            request=request,
        )


# --- report --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    facts: str
    basis: str
    recommendation: str
    doubts: str = ""
    review_on: date | None = None


def draft_report(
    *, actor: Actor, verification_id: Any, data: ReportInput, request: HttpRequest | None = None
) -> VerificationReport:
    """起草（或修改）初核报告. Changing a report voids every confirmation: the team signs what goes up."""
    facts = _required(data.facts, "facts", "核实的事实")
    basis = _required(data.basis, "basis", "依据")
    if data.recommendation not in Recommendation.values:
        raise ValidationFailed("请选择处置建议。", field_errors={"recommendation": ["请选择。"]})
    review_on = data.review_on if data.recommendation == Recommendation.HOLD else None
    if data.recommendation == Recommendation.HOLD and (review_on is None or review_on <= timezone.localdate()):
        raise ValidationFailed("暂存待查须确定晚于今天的复查日期。", field_errors={"review_on": ["请填写复查日期。"]})
    fields = {
        "facts": facts,
        "basis": basis,
        "doubts": _text(data.doubts),
        "recommendation": data.recommendation,
        "review_on": review_on,
    }
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        _check_worker(actor, verification.clue, Action.DRAFT_REPORT)
        next_state(verification.state, Action.DRAFT_REPORT)
        assert actor.user_id is not None
        report = VerificationReport.objects.select_for_update().filter(verification=verification).first()
        voided: list[int] = []
        if report is None:
            report = VerificationReport.objects.create(verification=verification, drafted_by_id=actor.user_id, **fields)
            changes: dict[str, list[Any]] = {"recommendation": [None, report.recommendation]}
        else:
            changes = {k: [getattr(report, k), v] for k, v in fields.items() if getattr(report, k) != v}
            for name, value in fields.items():
                setattr(report, name, value)
            report.drafted_by_id = actor.user_id
            report.save(update_fields=[*fields, "drafted_by", "updated_at"])
            voided = list(report.confirmations.values_list("staff_id", flat=True))
            report.confirmations.all().delete()
        _move(
            actor,
            verification,
            Action.DRAFT_REPORT,
            request,
            detail={"report": report.pk, "changes": changes, "confirmations_voided": voided},
        )
    return report


def confirm_report(*, actor: Actor, verification_id: Any, request: HttpRequest | None = None) -> VerificationReport:
    """组员签字确认: each active team member confirms the report as it stands, as themselves; the last
    confirmation makes the report ready to go up."""
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        clue = verification.clue
        next_state(verification.state, Action.CONFIRM_REPORT)
        members = active_member_staff_ids(clue.pk, Purpose.VERIFICATION)
        if actor.staff_id is None or actor.staff_id not in members:
            raise NotPermitted(
                "只有核查组现任成员本人可以签字确认初核报告。",
                audit_action="verification.confirm_report",
                target_type="verification.verification",
                target_id=str(verification.pk),
            )
        report = VerificationReport.objects.select_for_update().get(verification=verification)
        if report.confirmations.filter(staff_id=actor.staff_id).exists():
            raise RuleViolation("您已确认过该初核报告。")
        assert actor.user_id is not None
        ReportConfirmation.objects.create(report=report, staff_id=actor.staff_id, user_id=actor.user_id)
        signed = set(report.confirmations.values_list("staff_id", flat=True))
        _move(
            actor,
            verification,
            Action.CONFIRM_REPORT,
            request,
            detail={
                "report": report.pk,
                "staff": actor.staff_id,
                "signed": len(signed & members),
                "team": len(members),
            },
        )
        if members <= signed:
            _move(actor, verification, Action.ALL_CONFIRMED, request, detail={"report": report.pk})
    return report


def submit_report(*, actor: Actor, verification_id: Any, request: HttpRequest | None = None) -> VerificationReport:
    """初核报告报批: only when every active team member has confirmed it (checked again here: the team
    may have changed since), up the chain "verification.report"."""
    with transaction.atomic():
        verification = _lock(actor, verification_id)
        clue = verification.clue
        _check_worker(actor, clue, Action.SUBMIT_REPORT)
        if verification.state != State.REPORT_DRAFTED:  # a draft is refused below, naming who has not signed
            next_state(verification.state, Action.SUBMIT_REPORT)
        report = VerificationReport.objects.select_for_update().get(verification=verification)
        members = active_member_staff_ids(clue.pk, Purpose.VERIFICATION)
        signed = set(report.confirmations.values_list("staff_id", flat=True))
        missing = members - signed
        if members and not missing and verification.state == State.REPORT_DRAFTED:
            # Everyone still on the team has signed (someone who had not left the team meanwhile).
            _move(actor, verification, Action.ALL_CONFIRMED, request, detail={"report": report.pk})
        if missing or not members:
            from xiezuoqu.org.models import StaffMember

            names = "、".join(StaffMember.objects.filter(pk__in=missing).values_list("name", flat=True))
            raise RuleViolation(f"初核报告须经核查组全体成员签字确认后才能报批；尚未确认：{names or '核查组成员'}。")
        team = verification.team or active_team(clue.pk, Purpose.VERIFICATION)
        reason = (
            f"处置建议：{report.get_recommendation_display()}\n核实的事实：{report.facts}\n依据：{report.basis}"
            + (f"\n存在的疑点：{report.doubts}" if report.doubts else "")
            + (f"\n复查日期：{report.review_on:%Y-%m-%d}" if report.review_on else "")
            + f"\n核查组 {len(members)} 人已全部签字确认。"
        )
        title = f"{clue} 初核报告（拟{report.get_recommendation_display()}）".replace("拟拟", "拟")
        approval = report.approval
        if approval is not None and approval.state == ApprovalState.RETURNED:
            resubmit_request(actor=actor, approval_id=approval.pk, title=title, reason=reason, request=request)
        else:
            approval = submit_request(
                actor=actor,
                matter_type=VERIFICATION_REPORT.slug,
                title=title,
                reason=reason,
                target=verification,
                unit=_request_unit(actor, clue, team),
                zone=clue.zone_id,
                request=request,
            )
            report.approval = approval
            report.save(update_fields=["approval"])
        _move(actor, verification, Action.SUBMIT_REPORT, request, detail={"approval": approval.pk})
    return report


@on_final_decision(VERIFICATION_REPORT.slug)
def _report_decided(approval: ApprovalRequest, outcome: str) -> None:
    """Approved: the verification concludes and the recommendation is carried out on the clue
    (了结 / 谈话提醒 / 移送有关党组织 close it, 暂存待查 holds it, 拟立案 waits for the filing app).
    Otherwise the report goes back to the team, and its confirmations are void."""
    report = VerificationReport.objects.select_for_update().filter(approval=approval).first()
    if report is None:
        return
    verification = Verification.objects.select_for_update().select_related("clue").get(pk=report.verification_id)
    actor = _decider(approval, outcome)
    if verification.state != State.REPORT_SUBMITTED:
        if outcome == ApprovalState.APPROVED:
            raise InvalidTransition("该初核报告已退回修改，请由核查组重新确认、报批后再审批。")
        return
    if outcome != ApprovalState.APPROVED:
        voided = list(report.confirmations.values_list("staff_id", flat=True))
        report.confirmations.all().delete()
        _move(
            actor,
            verification,
            Action.SEND_BACK_REPORT,
            None,
            detail={"outcome": outcome, "confirmations_voided": voided},
        )
        return
    today = timezone.localdate()
    report.is_final = True
    report.approved_at = timezone.now()
    report.save(update_fields=["is_final", "approved_at"])
    _move(actor, verification, Action.APPROVE_REPORT, None, detail={"approval": approval.pk}, concluded_on=today)
    if verification.started_on is not None:
        close_deadline(
            actor=actor, target=verification, kind=rules.PERIOD_KIND, met_on=max(today, verification.started_on)
        )
    settles = SETTLES.get(report.recommendation)
    if settles is not None:
        outcome_text = f"初核后{report.get_recommendation_display()}"
        settle_after_verification(
            actor=actor, clue=verification.clue, action=settles, outcome=outcome_text, review_on=report.review_on
        )
