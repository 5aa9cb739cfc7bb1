"""Refused attempts are recorded: at the edge, in their own transaction, after the work rolled back."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.refusals import record_refusal
from xiezuoqu.audit.verify import verify_chain
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed

from .conftest import append, head

pytestmark = pytest.mark.django_db


def request_of(rf, user, path="/clues/9/approve/"):  # type: ignore[no-untyped-def]
    request = rf.post(path, REMOTE_ADDR="10.0.0.8")
    request.user = user
    return request


@pytest.mark.parametrize(
    "error",
    [
        NotFound(audit_action="clue.view", target_type="clues.clue", target_id="9"),
        NotPermitted(
            "您不是该线索的审批人。", audit_action="clue.disposal_approved", target_type="clues.clue", target_id="9"
        ),
        RuleViolation("与被反映人存在利害关系，应当回避。", audit_action="team.member_added", target_id="9"),
    ],
)
def test_a_refusal_naming_an_audited_action_is_recorded(rf, clerk, error):
    record_refusal(request_of(rf, clerk), error)
    event = AuditEvent.objects.get(seq=head()[0])
    assert (event.action, event.outcome, event.actor_id) == (error.audit_action, "refused", clerk.pk)
    assert event.target_id == "9" and event.client_address == "10.0.0.8"
    assert event.detail == {"reason": error.message, "path": "/clues/9/approve/"}


@pytest.mark.parametrize(
    "error",
    [
        NotFound(),  # no audited action named
        InvalidTransition("该线索已处置。", audit_action="clue.disposal_approved"),
        ValidationFailed("请填写理由。", audit_action="clue.disposal_approved"),
    ],
)
def test_other_errors_are_not_refusals_and_are_not_recorded(rf, clerk, error):
    before = head()
    record_refusal(request_of(rf, clerk), error)
    assert head() == before


def test_an_anonymous_refusal_is_recorded_without_an_actor(rf):
    record_refusal(request_of(rf, AnonymousUser()), NotFound(audit_action="report.view", target_id="R-1"))
    event = AuditEvent.objects.get(seq=head()[0])
    assert event.actor_id is None and event.actor_name == "" and event.outcome == "refused"


def test_the_refusal_stays_when_the_attempt_rolls_back(rf, clerk, clerk_actor):
    before = head()
    error = NotPermitted("无权审批。", audit_action="clue.disposal_approved", target_id="9")
    with pytest.raises(NotPermitted), transaction.atomic():
        append(clerk_actor, 1, action="clue.disposal_approved")  # the service had begun its work
        raise error
    record_refusal(request_of(rf, clerk), error)
    rows = list(AuditEvent.objects.filter(seq__gt=before[0]).values_list("action", "outcome"))
    assert rows == [("clue.disposal_approved", "refused")]
    assert verify_chain().ok
