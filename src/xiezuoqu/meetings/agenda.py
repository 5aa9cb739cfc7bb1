"""The registry of agenda kinds: what a meeting may study and what its decision moves.

One mechanism for every app whose objects a zone meeting decides (filing now, cases and reports
later)::

    register_agenda_kind("filing", "立案审查", on_resolution=carry_out, check_target=may_be_studied,
                         target_model="filing.filingproposal", candidates=waiting_in_zone)

``on_resolution(item, resolution, actor)`` runs inside the transaction that records the resolution, so
the linked object moves (or nothing is recorded at all). ``check_target(actor, target)`` runs when the
item is added and again when it is decided: it refuses a target that is not ready for the meeting.
``needs_period`` asks for a period (总结会's 阶段工作总结); ``meeting_kinds`` limits where the kind's
candidates are offered (a case's progress report on a 汇报会).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import AGENDA_KIND_LABELS, AgendaItem, Resolution

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor


OnResolution = Callable[["AgendaItem", "Resolution", "Actor"], None]
CheckTarget = Callable[["Actor", Any], None]
# The objects of a zone waiting for a meeting of this kind (offered on the meeting's page).
Candidates = Callable[["Actor", int], list[Any]]


@dataclass(frozen=True)
class AgendaKind:
    kind: str
    label: str
    on_resolution: OnResolution | None = None
    check_target: CheckTarget | None = None
    # Model ("app_label.model") the item's target must be, when the kind has one.
    target_model: str = ""
    candidates: Candidates | None = None
    needs_period: bool = False
    # Meeting kinds on whose page the candidates are offered; empty: every kind.
    meeting_kinds: tuple[str, ...] = ()

    def offered_on(self, meeting_kind: str) -> bool:
        return not self.meeting_kinds or meeting_kind in self.meeting_kinds


AGENDA_KINDS: dict[str, AgendaKind] = {}


def register_agenda_kind(
    kind: str,
    label: str,
    *,
    on_resolution: OnResolution | None = None,
    check_target: CheckTarget | None = None,
    target_model: str = "",
    candidates: Candidates | None = None,
    needs_period: bool = False,
    meeting_kinds: tuple[str, ...] = (),
) -> AgendaKind:
    entry = AgendaKind(kind, label, on_resolution, check_target, target_model, candidates, needs_period, meeting_kinds)
    AGENDA_KINDS[kind] = entry
    AGENDA_KIND_LABELS[kind] = label
    return entry


def kind_label(kind: str) -> str:
    entry = AGENDA_KINDS.get(kind)
    return entry.label if entry else kind


# Items without a linked transition: the meeting records its view, nothing moves. (线索研判 items are
# registered by the clue app: an agreed resolution records the zone's collective study of the clue.)
WORK_REPORT = register_agenda_kind("work_report", "工作汇报")
GENERAL = register_agenda_kind("general", "其他事项")


# 汇报会: the teams report the progress of a verification or a case; the zone leader hears it and the
# resolution assigns what is to be done next (会议交办事项). Nothing moves: the case and the
# verification keep their own life cycles. The item carries the matter's clue, so recusal applies.
def _verifications_in_progress(actor: Actor, zone_id: int) -> list[Any]:
    from xiezuoqu.verification.selectors import verifications_visible_to

    return list(
        verifications_visible_to(actor)
        .filter(clue__zone_id=zone_id)
        .exclude(state="concluded")
        .select_related("clue")
        .order_by("id")[:50]
    )


def _cases_in_progress(actor: Actor, zone_id: int) -> list[Any]:
    from xiezuoqu.cases.selectors import cases_visible_to

    return list(
        cases_visible_to(actor)
        .filter(zone_id=zone_id)
        .exclude(state__in=("executed", "closed", "archived"))
        .order_by("id")[:50]
    )


VERIFICATION_PROGRESS = register_agenda_kind(
    "verification_progress",
    "初核进展汇报",
    target_model="verification.verification",
    candidates=_verifications_in_progress,
    meeting_kinds=("report", "regular"),
)
CASE_PROGRESS = register_agenda_kind(
    "case_progress",
    "案件进展汇报",
    target_model="cases.case",
    candidates=_cases_in_progress,
    meeting_kinds=("report", "regular"),
)
