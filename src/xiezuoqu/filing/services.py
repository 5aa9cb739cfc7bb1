"""Every write of filing (立案): draft the 立案审查呈批报告, submit it to the zone, carry out the zone
meeting's resolution (agenda kind "filing"), and record the competent body's decision — 立案 opens
the case and files the clue in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases.models import BodyKind, Case
from xiezuoqu.clues.models import Clue, ClueSubject, Rank, Subject
from xiezuoqu.clues.selectors import can_view_clue, may_work
from xiezuoqu.clues.workflow import Action as ClueAction
from xiezuoqu.clues.workflow import State as ClueState
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.meetings.agenda import register_agenda_kind
from xiezuoqu.meetings.models import AgendaItem, Outcome, Resolution
from xiezuoqu.org.models import Commission, Unit

from .models import BodyDecision, FilingProposal
from .selectors import can_view_proposal, may_decide_as_body
from .workflow import Action, State, next_state

FILING_AGENDA_KIND = "filing"


# --- the competent body ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetentBody:
    kind: str
    unit: Unit | None
    name: str
    decider_unit: Unit | None


def competent_body_for(clue: Clue, subject: Subject) -> CompetentBody:
    """有权机关 by cadre-management authority (干部管理权限):
    - a 县处级 cadre: the commission (with the city party committee);
    - a matter handled by a dispatched group: that group;
    - a township's cadre or village cadre: the township's party committee (the township 纪委 files
      with its party committee's approval, its secretary records the decision);
    - anyone else: the commission."""
    commission = Commission.objects.get(pk=clue.commission_id)
    if subject.rank != Rank.COUNTY:
        handling = Unit.objects.get(pk=clue.handling_unit_id)
        if handling.kind == Unit.Kind.DISPATCHED_GROUP:
            return CompetentBody(BodyKind.DISPATCHED_GROUP, handling, handling.name, handling)
        township = Unit.objects.filter(pk=subject.township_id or clue.township_id).select_related("parent").first()
        if township is not None and township.parent is not None and township.parent.kind == Unit.Kind.PARTY_COMMITTEE:
            return CompetentBody(BodyKind.PARTY_COMMITTEE, township.parent, township.parent.name, township)
    return CompetentBody(BodyKind.COMMISSION, None, commission.name, None)


# --- B's verification report, when it exists ---------------------------------------------------------------


def _verification_api() -> Any:
    """xiezuoqu.verification.selectors if it offers the filing interface, else None."""
    try:
        from xiezuoqu.verification import selectors
    except ImportError:
        return None
    if not hasattr(selectors, "report_for_filing"):
        return None
    return selectors


def _lines(values: Any) -> list[Any]:
    return list(values or [])


def verification_prefill(clue_id: int) -> dict[str, Any]:
    """What an approved 初核报告 with the recommendation 拟立案 says (``report_for_filing``: facts,
    basis, team, measures, evidence inventory), to prefill the draft; empty when there is none."""
    api = _verification_api()
    if api is None:
        return {}
    basis = api.report_for_filing(clue_id)
    if basis is None:
        return {}
    team_head = "，".join(x for x in (getattr(basis, "team_mode", ""), getattr(basis, "team_lead_unit", "")) if x)
    team = [f"{row.name}（{row.role}，{row.unit}）" for row in _lines(getattr(basis, "team", []))]
    counts = "；".join(f"{label} {n} 次" for label, n in _lines(getattr(basis, "measures_summary", [])))
    evidence = [
        f"{row.number}. {row.title}（{row.kind}，SHA-256 {row.sha256[:16]}…，{row.integrity}）"
        for row in _lines(getattr(basis, "evidence", []))
    ]
    return {
        "verification_ref": basis.verification_id,
        "facts": basis.facts or "",
        "basis": basis.basis or "",
        "team_text": "\n".join(([team_head] if team_head else []) + team),
        "measures_summary": "\n".join(([counts] if counts else []) + _lines(getattr(basis, "measures", []))),
        "evidence_inventory": "\n".join(evidence),
    }


# --- helpers --------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _may_draft(actor: Actor, clue: Clue) -> bool:
    """The verification team, the handling unit's staff, the zone's leadership and office."""
    if may_work(actor, clue):
        return True
    if actor.staff_id is None:
        return False
    from xiezuoqu.teams.selectors import active_member_staff_ids

    return actor.staff_id in active_member_staff_ids(clue.pk)


def _lock(actor: Actor, proposal_id: Any) -> FilingProposal:
    try:
        proposal = FilingProposal.objects.select_for_update().filter(pk=int(proposal_id)).first()
    except (TypeError, ValueError):
        proposal = None
    if proposal is None or not can_view_proposal(actor, proposal):
        raise NotFound(
            audit_action="filingproposal.viewed", target_type="filing.filingproposal", target_id=str(proposal_id)
        )
    return proposal


def _check_drafter(actor: Actor, proposal: FilingProposal, action: str) -> None:
    if not _may_draft(actor, proposal.clue):
        raise NotPermitted(
            "只有核查组成员、承办单位干部或所在协作区组长、副组长、纪检监察室干部可以办理立案审查呈批。",
            audit_action=f"filing.{action}",
            target_type="filing.filingproposal",
            target_id=str(proposal.pk),
        )


def _move(actor: Actor | None, row: FilingProposal, action: str, request: HttpRequest | None, **fields: Any) -> None:
    before = row.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {"state": [before, after]} if before != after else {}
    for name, value in fields.items():
        old = getattr(row, name)
        if old != value:
            changes[name] = [None if old is None else str(old), None if value is None else str(value)]
        setattr(row, name, value)
    row.state = after
    row.state_changed_at = timezone.now()
    row.save(update_fields=["state", "state_changed_at", *fields])
    record_event(actor=actor, action=f"filing.{action}", target=row, changes=changes, request=request)


# --- draft, revise, submit, withdraw -------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalInput:
    facts: str = ""
    basis: str = ""
    proposal: str = ""
    team_text: str = ""
    measures_summary: str = ""
    evidence_inventory: str = ""


def draft_filing(
    *, actor: Actor, clue_id: Any, subject_id: Any, data: ProposalInput, request: HttpRequest | None = None
) -> FilingProposal:
    """起草立案审查呈批报告: on a subject of a clue under 初步核实, from what the team records; when the
    verification app has an approved 初核报告 recommending 拟立案, its facts, basis, team, measures and
    evidence fill what the team left blank."""
    with transaction.atomic():
        try:
            clue = Clue.objects.select_for_update().filter(pk=int(clue_id)).first()
        except (TypeError, ValueError):
            clue = None
        if clue is None or not can_view_clue(actor, clue):
            raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
        if not _may_draft(actor, clue):
            raise NotPermitted(
                "只有核查组成员、承办单位干部或所在协作区组长、副组长、纪检监察室干部可以起草立案审查呈批报告。",
                audit_action="filing.draft",
                target_type="clues.clue",
                target_id=str(clue.pk),
            )
        if clue.state != ClueState.PRELIMINARY_VERIFICATION:
            raise RuleViolation(f"该线索当前状态为“{clue.get_state_display()}”，只有初步核实中的线索可以提出立案建议。")
        link = ClueSubject.objects.filter(clue=clue, subject_id=subject_id).select_related("subject").first()
        if link is None:
            raise ValidationFailed("请选择该线索的被反映人。", field_errors={"subject": ["请选择。"]})
        subject = link.subject
        if FilingProposal.objects.filter(
            clue=clue,
            subject=subject,
            state__in=[State.DRAFTED, State.SUBMITTED_TO_ZONE, State.ZONE_AGREED, State.BODY_FILED],
        ).exists():
            raise RuleViolation(f"已有对{subject.name}的立案审查呈批在办，不能重复起草。")
        prefill = verification_prefill(clue.pk)
        values = {
            name: _text(getattr(data, name)) or prefill.get(name, "") for name in ProposalInput.__dataclass_fields__
        }
        for name, label in (("facts", "主要违纪违法事实"), ("basis", "立案依据"), ("proposal", "拟办意见")):
            if not values[name]:
                raise ValidationFailed(f"请填写{label}。", field_errors={name: [f"请填写{label}。"]})
        body = competent_body_for(clue, subject)
        assert actor.user_id is not None
        proposal = FilingProposal.objects.create(
            commission_id=clue.commission_id,
            zone_id=clue.zone_id,
            clue=clue,
            subject=subject,
            state=next_state(None, Action.DRAFT),
            state_changed_at=timezone.now(),
            body_kind=body.kind,
            body_unit=body.unit,
            body_name=body.name,
            decider_unit=body.decider_unit,
            verification_ref=prefill.get("verification_ref"),
            drafted_by_id=actor.user_id,
            **values,
        )
        record_event(
            actor=actor,
            action="filing.drafted",
            target=proposal,
            changes={"state": [None, proposal.state]},
            detail={
                "clue": clue.pk,
                "subject": subject.pk,
                "body": body.name,
                "verification": proposal.verification_ref,
            },
            request=request,
        )
    return proposal


def revise_filing(
    *, actor: Actor, proposal_id: Any, data: ProposalInput, request: HttpRequest | None = None
) -> FilingProposal:
    """修改呈批报告 while it is a draft."""
    with transaction.atomic():
        proposal = _lock(actor, proposal_id)
        _check_drafter(actor, proposal, Action.REVISE)
        next_state(proposal.state, Action.REVISE)
        fields = {name: _text(getattr(data, name)) for name in ProposalInput.__dataclass_fields__}
        for name, label in (("facts", "主要违纪违法事实"), ("basis", "立案依据"), ("proposal", "拟办意见")):
            if not fields[name]:
                raise ValidationFailed(f"请填写{label}。", field_errors={name: [f"请填写{label}。"]})
        _move(actor, proposal, Action.REVISE, request, **fields)
    return proposal


def submit_filing(*, actor: Actor, proposal_id: Any, request: HttpRequest | None = None) -> FilingProposal:
    """报协作区研究: the draft goes to the zone; the zone leader puts it on a 立案研究会's agenda."""
    with transaction.atomic():
        proposal = _lock(actor, proposal_id)
        _check_drafter(actor, proposal, Action.SUBMIT)
        next_state(proposal.state, Action.SUBMIT)
        if proposal.zone_id is None:
            raise RuleViolation("该线索不属于任何协作区，请直接报有权机关研究。")
        _move(actor, proposal, Action.SUBMIT, request, submitted_at=timezone.now())
    return proposal


def withdraw_filing(*, actor: Actor, proposal_id: Any, request: HttpRequest | None = None) -> FilingProposal:
    with transaction.atomic():
        proposal = _lock(actor, proposal_id)
        _check_drafter(actor, proposal, Action.WITHDRAW)
        _move(actor, proposal, Action.WITHDRAW, request)
    return proposal


# --- the zone meeting (agenda kind "filing") -----------------------------------------------------------------


def _check_on_agenda(actor: Actor, target: Any) -> None:
    """A proposal may be studied while it waits for the zone (checked when added and when decided)."""
    proposal = FilingProposal.objects.select_for_update().get(pk=target.pk)
    if proposal.state != State.SUBMITTED_TO_ZONE:
        raise RuleViolation(f"该立案审查呈批当前状态为“{proposal.get_state_display()}”，不能列入或表决立案研究议题。")


def _carry_out(item: AgendaItem, resolution: Resolution, actor: Actor) -> None:
    """The zone meeting's resolution: 同意 → zone_agreed (on to the competent body); 不同意 →
    zone_disagreed; 暂缓 → the proposal waits for another meeting. Runs in the deciding transaction."""
    proposal = FilingProposal.objects.select_for_update().get(pk=item.target_id)
    if resolution.outcome == Outcome.DEFER:
        _move(actor, proposal, Action.ZONE_DEFER, None)
        return
    action = Action.ZONE_AGREE if resolution.outcome == Outcome.AGREE else Action.ZONE_DISAGREE
    _move(actor, proposal, action, None, zone_resolution=resolution, zone_decided_at=timezone.now())


def _waiting(actor: Actor, zone_id: int) -> list[FilingProposal]:
    """Proposals of the zone in the actor's scope that wait for the zone meeting."""
    from .selectors import proposals_visible_to

    return list(
        proposals_visible_to(actor)
        .filter(zone_id=zone_id, state=State.SUBMITTED_TO_ZONE)
        .select_related("clue", "subject")
        .order_by("id")[:50]
    )


register_agenda_kind(
    FILING_AGENDA_KIND,
    "立案审查",
    on_resolution=_carry_out,
    check_target=_check_on_agenda,
    target_model="filing.filingproposal",
    candidates=_waiting,
)


# --- the competent body's decision --------------------------------------------------------------------------


def decide_as_body(
    *,
    actor: Actor,
    proposal_id: Any,
    decision: str,
    reason: str,
    decided_on: date | None = None,
    document_number: str = "",
    request: HttpRequest | None = None,
) -> FilingProposal:
    """有权机关决定: its authorised user records 立案 or 不予立案 with the reason. 立案 opens the case
    (numbered in the commission's series) and files the clue — one transaction. Anyone else,
    including another body's user, is refused; so is a decider with a conflict on the matter."""
    if decision not in BodyDecision.values:
        raise ValidationFailed("请选择立案或不予立案。", field_errors={"decision": ["请选择。"]})
    text = _text(reason)
    if not text:
        raise ValidationFailed("请填写决定理由。", field_errors={"reason": ["请填写决定理由。"]})
    day = decided_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed("决定日期不能晚于今天。", field_errors={"decided_on": ["不能晚于今天。"]})
    action = Action.BODY_FILE if decision == BodyDecision.FILE else Action.BODY_DECLINE
    with transaction.atomic():
        proposal = _lock(actor, proposal_id)
        if not may_decide_as_body(actor, proposal):
            raise NotPermitted(
                f"立案决定须由有权机关（{proposal.body_name}）的授权人员录入。",
                audit_action=f"filing.{action}",
                target_type="filing.filingproposal",
                target_id=str(proposal.pk),
            )
        next_state(proposal.state, action)
        clue = Clue.objects.select_for_update().get(pk=proposal.clue_id)
        if actor.staff_id is not None:
            from xiezuoqu.recusal.conflicts import conflicted_staff_ids

            if actor.staff_id in conflicted_staff_ids(clue, [actor.staff_id]):
                raise NotPermitted("您与该事项有利害关系，应当回避，请由有权机关其他授权人员决定。")
        if action == Action.BODY_FILE and clue.state not in (ClueState.PRELIMINARY_VERIFICATION, ClueState.FILED):
            raise RuleViolation(f"该线索当前状态为“{clue.get_state_display()}”，不能立案。")
        resolution = proposal.zone_resolution
        if resolution is not None and day < resolution.decided_at.date():
            raise ValidationFailed("决定日期不能早于协作区研究日期。", field_errors={"decided_on": ["日期过早。"]})
        assert actor.user_id is not None
        _move(
            actor,
            proposal,
            action,
            request,
            body_decision=decision,
            body_reason=text,
            body_document_number=_text(document_number)[:60],
            body_decided_by_id=actor.user_id,
            body_decided_at=timezone.now(),
        )
        if action == Action.BODY_FILE:
            _file_case(actor, proposal, clue, day, request)
    return proposal


def _file_case(actor: Actor, proposal: FilingProposal, clue: Clue, day: date, request: HttpRequest | None) -> Case:
    from xiezuoqu.cases.services import open_case
    from xiezuoqu.clues.services import settle_after_verification

    zone_number = proposal.zone_resolution.number if proposal.zone_resolution else "—"
    reference = f"协作区决议 {zone_number}；{proposal.body_name}决定" + (
        f"（{proposal.body_document_number}）" if proposal.body_document_number else ""
    )
    case = open_case(
        actor=actor,
        clue=clue,
        subject=proposal.subject,
        filing=proposal,
        filed_on=day,
        body_kind=proposal.body_kind,
        body_unit=proposal.body_unit,
        body_name=proposal.body_name,
        reference=reference,
        request=request,
    )
    # A clue with several subjects is filed with its first case; later cases join the filed clue.
    if clue.state == ClueState.PRELIMINARY_VERIFICATION:
        settle_after_verification(
            actor=actor,
            clue=clue,
            action=ClueAction.FILE_CASE,
            outcome=f"立案（{case.case_number}）",
            request=request,
        )
    return case
