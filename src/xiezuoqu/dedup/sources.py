"""Where the texts of indexed documents come from, for rebuilding the index (``dedup_reindex``).

The index stores no text, so after a change of the shingle key or of the banding every document's
fingerprint must be computed again from its source. Each kind names a source: the object ids in
order, and the ``DocumentText`` of a batch of them — exactly what the writing app indexes (intake's
``index_report``, clues' ``index_clue``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .services import DocumentText

UNKNOWN_NAME = "不详"


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    count_after: Callable[[int], int]  # how many objects have an id above this one
    batch_after: Callable[[int, int], list[DocumentText]]  # the next ``size`` documents after an id


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    SOURCES[source.kind] = source


def _report_count(after: int) -> int:
    from xiezuoqu.intake.models import Report
    from xiezuoqu.intake.workflow import State

    return Report.objects.filter(pk__gt=after).exclude(state=State.RECEIVED).count()


def _report_batch(after: int, size: int) -> list[DocumentText]:
    """Registered reports (a report waiting to be registered is not indexed yet)."""
    from xiezuoqu.intake.models import Report, ReportAccused
    from xiezuoqu.intake.workflow import State

    rows = list(
        Report.objects.filter(pk__gt=after)
        .exclude(state=State.RECEIVED)
        .order_by("pk")
        .values_list("pk", "commission_id", "summary", "content")[:size]
    )
    names: dict[int, list[str]] = {}
    for report_id, name in (
        ReportAccused.objects.filter(report_id__in=[r[0] for r in rows]).order_by("report_id", "order", "pk")
    ).values_list("report_id", "name"):
        if name and name != UNKNOWN_NAME:
            names.setdefault(report_id, []).append(name)
    return [
        DocumentText("report", pk, commission_id, f"{summary}\n{content}", tuple(names.get(pk, ())))
        for pk, commission_id, summary, content in rows
    ]


def _clue_count(after: int) -> int:
    from xiezuoqu.clues.models import Clue

    return Clue.objects.filter(pk__gt=after).count()


def _clue_batch(after: int, size: int) -> list[DocumentText]:
    """Clues with the accused of the reports they were opened from or joined."""
    from xiezuoqu.clues.models import Clue, ClueReport
    from xiezuoqu.intake.models import ReportAccused

    rows = list(
        Clue.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "commission_id", "summary", "content")[:size]
    )
    report_of = dict(ClueReport.objects.filter(clue_id__in=[r[0] for r in rows]).values_list("report_id", "clue_id"))
    names: dict[int, list[str]] = {}
    for report_id, name in (
        ReportAccused.objects.filter(report_id__in=list(report_of))
        .exclude(name__in=["", UNKNOWN_NAME])
        .order_by("report_id", "order", "pk")
        .values_list("report_id", "name")
    ):
        names.setdefault(report_of[report_id], []).append(name)
    return [
        DocumentText("clue", pk, commission_id, f"{summary}\n{content}", tuple(names.get(pk, ())))
        for pk, commission_id, summary, content in rows
    ]


register_source(Source("report", "检举控告件", _report_count, _report_batch))
register_source(Source("clue", "问题线索", _clue_count, _clue_batch))
