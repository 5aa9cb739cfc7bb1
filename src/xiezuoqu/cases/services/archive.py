"""归档: the last transition; the case is read-only afterwards."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.accounts.roles import Role
from xiezuoqu.cases import rules
from xiezuoqu.cases.models import (
    Appeal,
    Case,
    Detention,
    DetentionState,
)
from xiezuoqu.cases.selectors import (
    may_handle,
)
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.deadlines.models import DeadlineState
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import RuleViolation
from xiezuoqu.verification.limits import TermState
from xiezuoqu.verification.models import Measure

from ._common import (
    _check,
    _lock,
    _move,
)


def archive_case(*, actor: Actor, case_id: Any, request: HttpRequest | None = None) -> Case:
    """归档: from 已执行 or 已撤销案件, with no appeal or detention still open; read-only afterwards."""
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check(
            may_handle(actor, case) or actor.has(Role.CASE_MANAGER),
            "只有案件监督管理室或承办单位可以归档。",
            Action.ARCHIVE,
            case,
        )
        next_state(case.state, Action.ARCHIVE)
        if Appeal.objects.filter(case=case, result="").exists():
            raise RuleViolation("该案件有未办结的申诉，办结后才能归档。")
        if Detention.objects.filter(case=case, state=DetentionState.APPROVED).exists():
            raise RuleViolation("该案件的留置尚未解除，解除后才能归档。")
        in_force = [
            m.get_kind_display() for m in Measure.objects.filter(case_id=case.pk, term_state=TermState.IN_FORCE)
        ]
        if in_force:
            raise RuleViolation(f"该案件的{'、'.join(dict.fromkeys(in_force))}措施尚未解除或变更，办结后才能归档。")
        open_deadline_kinds = [
            p.label
            for p in (rules.ANNOUNCEMENT,)
            if (d := deadline_for(case, p.kind)) is not None and d.state == DeadlineState.OPEN
        ]
        if open_deadline_kinds:
            raise RuleViolation(f"该案件的“{'、'.join(open_deadline_kinds)}”时限尚未办结，不能归档。")
        _move(actor, case, Action.ARCHIVE, request)
    return case
