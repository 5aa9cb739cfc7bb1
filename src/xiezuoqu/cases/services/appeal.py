"""申诉: 复审 / 复核 of a decision, filed within its period and decided (sanctions.services applies it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases import rules
from xiezuoqu.cases.models import (
    Appeal,
    AppealKind,
    AppealResult,
    DecisionState,
    PersonDecision,
)
from xiezuoqu.cases.selectors import (
    may_handle,
    may_trial,
)
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.deadlines.services import close_deadline, open_deadline
from xiezuoqu.errors import InvalidTransition, RuleViolation, ValidationFailed
from xiezuoqu.sanctions.services import apply_appeal

from ._common import (
    _check,
    _day,
    _lock,
    _lock_row,
    _move,
    _required,
)

APPEAL_PERIOD = {AppealKind.REVIEW: rules.APPEAL_REVIEW, AppealKind.RECHECK: rules.APPEAL_RECHECK}


def file_appeal(
    *,
    actor: Actor,
    case_id: Any,
    kind: str,
    received_on: date | None,
    grounds: str,
    request: HttpRequest | None = None,
) -> Appeal:
    """受理申诉: 复审 decided within 1 month, 复核 (by the higher level) within 2 months of receipt."""
    if kind not in AppealKind.values:
        raise ValidationFailed("请选择复审或复核。", field_errors={"kind": ["请选择。"]})
    grounds = _required(grounds, "grounds", "申诉理由")
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(
            may_trial(actor, case) or may_handle(actor, case),
            "只有案件审理室、承办单位或案管可以受理申诉。",
            Action.APPEAL,
            case,
        )
        next_state(case.state, Action.APPEAL)
        if Appeal.objects.filter(case=case, result="").exists():
            raise RuleViolation("该案件已有未办结的申诉，请办结后再受理。")
        if (
            kind == AppealKind.RECHECK
            and not Appeal.objects.filter(case=case, kind=AppealKind.REVIEW).exclude(result="").exists()
        ):
            raise RuleViolation("复核须在复审决定作出后申请：请先受理并办结复审。")
        decided_on = (
            PersonDecision.objects.filter(case=case, state=DecisionState.APPROVED)
            .order_by("-id")
            .values_list("decided_on", flat=True)
            .first()
        )
        day = _day(received_on, "received_on", "受理日期", not_before=decided_on)
        assert actor.user_id is not None
        appeal = Appeal.objects.create(
            case=case, kind=kind, received_on=day, grounds=grounds, recorded_by_id=actor.user_id
        )
        period = APPEAL_PERIOD[AppealKind(kind)]
        open_deadline(
            actor=actor,
            target=appeal,
            kind=period.kind,
            label=period.label,
            start=day,
            months=period.months,
            zone=case.zone,
            request=request,
        )
        _move(actor, case, Action.APPEAL, request, detail={"appeal": appeal.pk, "kind": kind})
    return appeal


def decide_appeal(
    *,
    actor: Actor,
    appeal_id: Any,
    result: str,
    result_text: str,
    decided_on: date | None,
    request: HttpRequest | None = None,
) -> Appeal:
    """复审决定 (the trial office) or 复核决定 (the higher level's, recorded by the trial office)."""
    if result not in AppealResult.values:
        raise ValidationFailed("请选择复审（复核）结果。", field_errors={"result": ["请选择。"]})
    result_text = _required(result_text, "result_text", "复审（复核）意见")
    with transaction.atomic():
        appeal = _lock_row(Appeal, appeal_id, actor, "appeal")
        case = appeal.case
        _check(may_trial(actor, case), "复审、复核决定由案件审理室登记。", "appeal_decided", case)
        if appeal.result:
            raise InvalidTransition("该申诉已经办结。")
        day = _day(decided_on, "decided_on", "决定日期", not_before=appeal.received_on)
        appeal.result, appeal.result_text, appeal.decided_on, appeal.decided_by_id = (
            result,
            result_text,
            day,
            actor.user_id,
        )
        appeal.save(update_fields=["result", "result_text", "decided_on", "decided_by"])
        apply_appeal(actor=actor, appeal=appeal, request=request)  # 撤销 / 变更 end the running 处分期间
        deadline = close_deadline(
            actor=actor, target=appeal, kind=APPEAL_PERIOD[AppealKind(appeal.kind)].kind, met_on=day, request=request
        )
        record_event(
            actor=actor,
            action="case.appeal_decided",
            target=case,
            changes={"result": ["", result]},
            detail={"appeal": appeal.pk, "kind": appeal.kind, "deadline": deadline.state if deadline else None},
            request=request,
        )
    return appeal
