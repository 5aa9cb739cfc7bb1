"""立案: ``open_case`` (called by the filing app) numbers the case in the commission's yearly series."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.cases.models import (
    Case,
    CaseCounter,
)
from xiezuoqu.cases.workflow import Action, next_state
from xiezuoqu.clues.models import Clue, Subject
from xiezuoqu.numbering import next_in_sequence
from xiezuoqu.org.models import Commission, Unit

CASE_PATTERN = "{commission}立〔{year}〕{seq}号"


def case_number(commission: Commission, year: int, seq: int) -> str:
    return CASE_PATTERN.format(commission=commission.short_name or commission.name, year=year, seq=seq)


def open_case(
    *,
    actor: Actor,
    clue: Clue,
    subject: Subject,
    filing: object | None,
    filed_on: date,
    body_kind: str,
    body_unit: Unit | None,
    body_name: str,
    reference: str,
    request: HttpRequest | None = None,
) -> Case:
    """立案: open the case record, numbered in the commission's yearly series (inside the caller's
    transaction: the caller has checked the competent body's authority and locked its rows)."""
    commission = Commission.objects.get(pk=clue.commission_id)
    seq = next_in_sequence(CaseCounter, commission=commission, year=filed_on.year)
    assert actor.user_id is not None
    case = Case.objects.create(
        commission=commission,
        zone_id=clue.zone_id,
        clue=clue,
        subject=subject,
        filing=filing,
        case_year=filed_on.year,
        case_seq=seq,
        case_number=case_number(commission, filed_on.year, seq),
        filed_on=filed_on,
        competent_body_kind=body_kind,
        competent_body=body_unit,
        competent_body_name=body_name[:100],
        filing_reference=reference[:200],
        state=next_state(None, Action.FILE),
        state_changed_at=timezone.now(),
        opened_by_id=actor.user_id,
    )
    record_event(
        actor=actor,
        action="case.filed",
        target=case,
        changes={"state": [None, case.state], "case_number": [None, case.case_number]},
        detail={"clue": clue.pk, "subject": subject.pk, "body": body_name, "reference": reference},
        request=request,
    )
    return case
