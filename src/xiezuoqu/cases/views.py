"""Pages of cases: the 立案台账 (ledger), a case's page (timeline, records, the forms for the next step),
one POST that runs the chosen step through its service, and the decision notice (.docx).
Thin: scope through the selectors, writes through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.errors import DomainError, NotFound, ValidationFailed
from xiezuoqu.keys import as_key
from xiezuoqu.sanctions.rules import MEASURES, Kind
from xiezuoqu.verification.models import EvidenceKind
from xiezuoqu.verification.rules import MeasureKind
from xiezuoqu.verification.services import EvidenceInput, MeasureInput
from xiezuoqu.web.forms import parse_date, parse_datetime, parse_id, require_staff, show_error

from . import documents, services
from .models import AppealKind, AppealResult, DecisionBody, ReturnKind
from .selectors import (
    case_file,
    case_ledger,
    commission_heads,
    get_decision_for,
    is_township_self_handled,
    may_first_review,
    may_handle,
    may_investigate,
    may_trial,
    on_investigation_team,
    staff_choices,
    view_case,
)
from .workflow import STATE_TAGS, allowed_actions

MEASURE_GROUPS = [(k.value, k.label) for k in MeasureKind]
KIND_LABELS = {
    Kind.FIRST_FORM: "第一种形态处理",
    Kind.PARTY: "党纪处分",
    Kind.GOVERNMENT: "政务处分",
    Kind.ORGANISATIONAL: "组织处理",
    Kind.OTHER: "其他",
}


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    before = request.GET.get("before", "")
    rows, next_before = case_ledger(actor, before=as_key(before))
    if rows:
        with transaction.atomic():
            record_event(
                actor=actor,
                action="case.ledger_viewed",
                target_type="cases.case",
                detail={"cases": [c.pk for c in rows]},
                request=request,
            )
    return render(request, "cases/ledger.html", {"rows": rows, "next_before": next_before, "tags": STATE_TAGS})


@login_required
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_staff(actor)
    with transaction.atomic():
        case = view_case(actor, case_id, request=request)
    folder = case_file(actor, case)
    # The open stage of 审理 from the reviews the folder has loaded (reviewers prefetched).
    review = next((r for r in reversed(folder.reviews) if not r.outcome), None)
    on_team = on_investigation_team(actor, case)
    investigates = may_investigate(actor, case, on_team=on_team)
    measure_groups: dict[str, list[tuple[str, str]]] = {}
    for code, m in MEASURES.items():
        measure_groups.setdefault(KIND_LABELS[m.kind], []).append((code, m.label))
    context: dict[str, Any] = {
        "case": case,
        "f": folder,
        "tag": STATE_TAGS.get(case.state, ""),
        "actions": allowed_actions(case.state),
        "review": review,
        "is_reviewer": review is not None and actor.staff_id in {s.pk for s in review.reviewers.all()},
        "township": is_township_self_handled(case, folder.team),
        "sees_clue": can_view_clue(actor, case.clue),
        "may_investigate": investigates,
        "may_first_review": may_first_review(actor, case),
        "may_trial": may_trial(actor, case),
        "may_handle": may_handle(actor, case, investigates=investigates),
        "staff": staff_choices(case)
        if case.state in ("investigating", "investigation_reported", "second_review")
        else [],
        "measure_kinds": MEASURE_GROUPS,
        "outcome_groups": measure_groups,
        "bodies": DecisionBody.choices,
        "return_kinds": ReturnKind.choices,
        "appeal_kinds": AppealKind.choices,
        "appeal_results": AppealResult.choices,
        "evidence_kinds": EvidenceKind.choices,
        "today": timezone.localdate(),
        # Time-limited measures: who works their terms, who may approve a 管护 extension.
        "on_team": on_team,
        "heads": commission_heads(case) if any(m.term_state == "in_force" for m in folder.measures) else [],
        "now": timezone.localtime(),
    }
    return render(request, "cases/detail.html", context)


def _measure(post: QueryDict) -> MeasureInput:
    return MeasureInput(
        kind=post.get("kind", ""),
        officer_ids=post.getlist("officers"),
        person_or_record=post.get("person_or_record", ""),
        starts_at=parse_datetime(post.get("starts_at")),
        ends_at=parse_datetime(post.get("ends_at")),
        place=post.get("place", ""),
        approval_reference=post.get("approval_reference", ""),
        note=post.get("note", ""),
        followed_by_custody=post.get("followed_by_custody") == "on",
    )


def _evidence(actor: Actor, case_id: int, post: QueryDict, request: HttpRequest) -> object:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("请选择要上传的证据文件。", field_errors={"file": ["请选择文件。"]})
    if upload.size and upload.size > services.MAX_EVIDENCE_SIZE:
        raise ValidationFailed("文件过大，不能入库；请拆分或压缩后再上传。", field_errors={"file": ["文件过大。"]})
    return services.add_case_evidence(
        actor=actor,
        case_id=case_id,
        data=EvidenceInput(
            title=post.get("title", ""),
            kind=post.get("kind", ""),
            file_name=upload.name or "",
            data=upload.read(),
            description=post.get("description", ""),
            source_measure_id=parse_id(post.get("source_measure")),
            as_record=post.get("as_record") == "on",
        ),
        request=request,
    )


STEPS: dict[str, Callable[[Actor, int, QueryDict, HttpRequest], object]] = {
    "add_evidence": _evidence,
    "start_investigation": lambda a, c, p, r: services.start_investigation(actor=a, case_id=c, request=r),
    "record_measure": lambda a, c, p, r: services.record_case_measure(actor=a, case_id=c, data=_measure(p), request=r),
    "extend_measure": lambda a, c, p, r: services.extend_measure(
        actor=a,
        case_id=c,
        measure_id=p.get("measure", ""),
        days=parse_id(p.get("days")),
        reference=p.get("reference", ""),
        reason=p.get("reason", ""),
        approver_id=p.get("approver", ""),
        request=r,
    ),
    "renew_freeze": lambda a, c, p, r: services.renew_freeze(
        actor=a,
        case_id=c,
        measure_id=p.get("measure", ""),
        months=parse_id(p.get("months")),
        reference=p.get("reference", ""),
        reason=p.get("reason", ""),
        request=r,
    ),
    "release_measure": lambda a, c, p, r: services.release_measure(
        actor=a,
        case_id=c,
        measure_id=p.get("measure", ""),
        released_at=parse_datetime(p.get("released_at")),
        reason=p.get("reason", ""),
        converted_to=p.get("converted_to", ""),
        request=r,
    ),
    "request_detention": lambda a, c, p, r: services.request_detention(
        actor=a, case_id=c, reason=p.get("reason", ""), place=p.get("place", ""), request=r
    ),
    "detention_decided": lambda a, c, p, r: services.record_higher_decision(
        actor=a,
        detention_id=p.get("detention", ""),
        approved=p.get("approved") == "yes",
        reference=p.get("reference", ""),
        decided_on=parse_date(p.get("decided_on")),
        starts_on=parse_date(p.get("starts_on")),
        request=r,
    ),
    "extend_detention": lambda a, c, p, r: services.extend_detention(
        actor=a, detention_id=p.get("detention", ""), reference=p.get("reference", ""), request=r
    ),
    "end_detention": lambda a, c, p, r: services.end_detention(
        actor=a, detention_id=p.get("detention", ""), ended_on=parse_date(p.get("ended_on")), request=r
    ),
    "write_report": lambda a, c, p, r: services.write_report(
        actor=a,
        case_id=c,
        data=services.ReportInput(
            facts=p.get("facts", ""),
            evidence_summary=p.get("evidence_summary", ""),
            proposal=p.get("proposal", ""),
            attitude=p.get("attitude", ""),
        ),
        request=r,
    ),
    "hand_over": lambda a, c, p, r: services.hand_over(actor=a, case_id=c, request=r),
    "open_review": lambda a, c, p, r: services.open_trial_review(
        actor=a, case_id=c, reviewer_ids=p.getlist("reviewers"), request=r
    ),
    "conclude_review": lambda a, c, p, r: services.conclude_review(
        actor=a, case_id=c, opinion=p.get("opinion", ""), request=r
    ),
    "request_return": lambda a, c, p, r: services.request_return(
        actor=a, case_id=c, kind=p.get("kind", ""), reason=p.get("reason", ""), request=r
    ),
    "propose_decision": lambda a, c, p, r: services.propose_decision(
        actor=a,
        case_id=c,
        data=services.DecisionInput(
            codes=p.getlist("codes"),
            body=p.get("body", ""),
            grounds=p.get("grounds", ""),
            complex_case=p.get("complex_case") == "on",
            months=parse_id(p.get("months")),
        ),
        request=r,
    ),
    "announce": lambda a, c, p, r: services.announce_decision(
        actor=a,
        case_id=c,
        announced_on=parse_date(p.get("announced_on")),
        place=p.get("place", ""),
        attendees=p.get("attendees", ""),
        request=r,
    ),
    "execute": lambda a, c, p, r: services.record_execution(
        actor=a,
        case_id=c,
        executed_on=parse_date(p.get("executed_on")),
        executing_unit=p.get("executing_unit", ""),
        details=p.get("details", ""),
        request=r,
    ),
    "file_appeal": lambda a, c, p, r: services.file_appeal(
        actor=a,
        case_id=c,
        kind=p.get("kind", ""),
        received_on=parse_date(p.get("received_on")),
        grounds=p.get("grounds", ""),
        request=r,
    ),
    "decide_appeal": lambda a, c, p, r: services.decide_appeal(
        actor=a,
        appeal_id=p.get("appeal", ""),
        result=p.get("result", ""),
        result_text=p.get("result_text", ""),
        decided_on=parse_date(p.get("decided_on")),
        request=r,
    ),
    "archive": lambda a, c, p, r: services.archive_case(actor=a, case_id=c, request=r),
}
DONE = {
    "add_evidence": "证据已入库（已计算摘要并加密保存）。",
    "start_investigation": "已开始审查调查。",
    "record_measure": "措施已登记，列入措施使用台账。",
    "extend_measure": "已登记延长，措施期限已相应调整。",
    "renew_freeze": "已登记续冻，冻结期限已相应调整。",
    "release_measure": "已登记解除（变更），措施期限已办结。",
    "request_detention": "留置已报批：纪委书记审核后报上一级纪委监委批准。",
    "detention_decided": "已登记上一级纪委监委的决定。",
    "extend_detention": "已登记延长留置。",
    "end_detention": "已解除留置。",
    "write_report": "审查调查报告已保存。",
    "hand_over": "已移送审理。",
    "open_review": "审理已受理，审理期限1个月。",
    "conclude_review": "审理意见已提出。",
    "request_return": "退回申请已提交审批。",
    "propose_decision": "处理决定已报批。",
    "announce": "已登记宣布情况。",
    "execute": "已登记执行情况。",
    "file_appeal": "申诉已受理。",
    "decide_appeal": "申诉已办结。",
    "archive": "案件已归档。",
}


@login_required
@require_POST
def act(request: HttpRequest, case_id: int) -> HttpResponse:
    """One form posts one step of a case's page to its service."""
    actor = actor_for(request.user)
    require_staff(actor)
    step = STEPS.get(request.POST.get("action", ""))
    try:
        if step is None:
            raise ValidationFailed("未知的操作。")
        step(actor, case_id, request.POST, request)
    except NotFound:
        raise
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, DONE[request.POST["action"]])
    return redirect("cases:detail", case_id=case_id)


@login_required
def decision_notice(request: HttpRequest, decision_id: int) -> HttpResponse:
    """处分决定书 / 处理决定 (.docx) of an approved decision."""
    actor = actor_for(request.user)
    require_staff(actor)
    decision = get_decision_for(actor, decision_id)
    if decision.state != "approved":
        raise NotFound()
    content = documents.decision_docx(decision)
    filename = documents.decision_filename(decision)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="case.decision_notice_downloaded",
            target=decision.case,
            detail={"decision": decision.pk},
            request=request,
        )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
