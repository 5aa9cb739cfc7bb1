"""The reporter's identity (查阅举报人身份): the request, and the grant on the head's approval."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.approvals.matters import REPORTER_IDENTITY_REQUEST, on_final_decision
from xiezuoqu.approvals.models import ApprovalRequest
from xiezuoqu.approvals.services import submit_request
from xiezuoqu.approvals.workflow import State as ApprovalState
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import RuleViolation
from xiezuoqu.intake import rules
from xiezuoqu.intake.models import IdentityGrant, Report
from xiezuoqu.intake.selectors import is_petition_office

from ._common import _lock, _reason


def request_identity(
    *, actor: Actor, report_id: Any, reason: str, request: HttpRequest | None = None
) -> ApprovalRequest:
    """查阅举报人身份申请: a handler states why; the commission head decides (approvals)."""
    with transaction.atomic():
        report = _lock(actor, report_id)
        if not report.is_real_name:
            raise RuleViolation("该件为匿名举报，没有举报人身份信息。")
        if is_petition_office(actor):
            raise RuleViolation("信访室可直接查阅举报人身份，无需申请。")
        if report.concerns_head:
            raise RuleViolation("该件反映本级主要负责人，已报送上级，不能在本级申请查阅举报人身份。")
        text = _reason(reason, label="申请理由")
        approval = submit_request(
            actor=actor,
            matter_type=REPORTER_IDENTITY_REQUEST.slug,
            title=f"申请查阅{report}举报人身份",
            reason=text,
            target=report,
            request=request,
        )
        record_event(
            actor=actor,
            action="reporter_identity.requested",
            target=report,
            detail={"approval": approval.pk},
            request=request,
        )
    return approval


@on_final_decision(REPORTER_IDENTITY_REQUEST.slug)
def _identity_request_decided(approval: ApprovalRequest, outcome: str) -> None:
    """On the head's approval, the requester may see the identity for ``IDENTITY_GRANT_DAYS`` days."""
    if outcome != ApprovalState.APPROVED or approval.target_id is None:
        return
    report = Report.objects.filter(pk=approval.target_id).first()
    if report is None:
        return
    now = timezone.now()
    grant = IdentityGrant.objects.create(
        report=report,
        user_id=approval.requester_id,
        approval=approval,
        granted_at=now,
        expires_at=now + timedelta(days=rules.IDENTITY_GRANT_DAYS),
    )
    decision = approval.decisions.select_related("decided_by").order_by("-decided_at", "-id").first()
    decider = build_actor(decision.decided_by) if decision is not None else None
    record_event(
        actor=decider,
        action="reporter_identity.granted",
        target=report,
        detail={
            "grant": grant.pk,
            "user": approval.requester_id,
            "approval": approval.pk,
            "expires_at": grant.expires_at,
        },
    )
