"""The duplicate index: a registered report's text and accused go into it, and the registrar decides a
candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from xiezuoqu.access.actor import Actor
from xiezuoqu.errors import NotFound
from xiezuoqu.intake.models import Report
from xiezuoqu.intake.selectors import can_view_report, is_registrar_of, may_route
from xiezuoqu.intake.workflow import State
from xiezuoqu.keys import as_key

from ._common import _lock, _refuse, _text
from .disposal import mark_repeat


def _index_text(summary: str, content: str) -> str:
    return f"{summary}\n{content}"


def prepare_index(summary: str, content: str) -> None:
    """Compute the text's fingerprint before the transaction (it is cached for ``index_report``)."""
    from xiezuoqu.dedup.services import fingerprint

    fingerprint(_index_text(summary, content))


def index_report(report: Report, names: Iterable[str] | None = None) -> None:
    """Put a registered report into the duplicate index (text and the accused's names)."""
    from xiezuoqu.dedup.services import index_document

    if names is None:
        names = report.accused.values_list("name", flat=True)
    index_document(
        kind="report",
        object_id=report.pk,
        commission_id=report.commission_id,
        text=_index_text(report.summary, report.content),
        accused_names=tuple(n for n in names if n and n != "不详"),
    )


def decide_duplicate(
    *,
    actor: Actor,
    report_id: Any,
    other_id: Any,
    decision: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Report:
    """The registrar confirms or rejects a candidate; confirming one on a report still waiting for
    受理归口 makes it a 重复件 of the earlier report (``mark_repeat``)."""
    from xiezuoqu.dedup.services import decide_link

    with transaction.atomic():
        report = _lock(actor, report_id)
        if not (may_route(actor, report) or is_registrar_of(actor, report.ledger_unit_id)):
            raise _refuse("只有登记员或受理单位可以确认重复件。", report, "duplicate")
        other = Report.objects.filter(pk=as_key(other_id) or 0).first()
        if other is None or not can_view_report(actor, other) or other.pk == report.pk:
            raise NotFound()
        decide_link(
            actor=actor,
            kind="report",
            object_id=report.pk,
            other_kind="report",
            other_id=other.pk,
            decision=decision,
            note=note,
            request=request,
        )
        if decision == "confirmed" and report.state in (State.REGISTERED, State.FORWARDED_DOWN):
            mark_repeat(
                actor=actor,
                report_id=report.pk,
                original_id=other.pk,
                reason=_text(note) or f"经查重确认与 {other} 反映问题相同。",
                request=request,
            )
            report.refresh_from_db()
    return report
