"""证据入库 during 审查调查: the clue's locker (``verification.evidence``), numbered in its one inventory."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.verification.evidence import EvidenceInput, Locker, check_evidence, enter_evidence
from xiezuoqu.verification.models import EvidenceItem, Measure

from ._common import (
    _check_investigator,
    _lock,
)


def add_case_evidence(
    *, actor: Actor, case_id: Any, data: EvidenceInput, request: HttpRequest | None = None
) -> EvidenceItem:
    """证据入库 during 审查调查: the clue's evidence locker carries over, so the item is numbered in the
    same inventory, checked, hashed (SHA-256, SM3), sealed (SM4-GCM) and stored the same way, and
    carries the case's id; it may be the record (笔录) of one of the case's measures."""
    checked = check_evidence(data)
    with transaction.atomic():
        case = _lock(actor, case_id)
        _check_investigator(actor, case, "add_evidence")
        next_state(case.state, Action.RECORD_MEASURE)  # while under investigation
        locker = Locker(
            commission_id=case.commission_id,
            clue_id=case.clue_id,
            measures=Measure.objects.filter(case_id=case.pk),
            foreign_measure="所选来源措施不是本案的措施。",
            record_attached="case.measure_record_attached",
            link={"case_id": case.pk},
            detail={"case": case.pk},
        )
        return enter_evidence(actor=actor, checked=checked, locker=locker, request=request)
