"""Helpers every stage of a clue uses: input cleaning, the clue lock (the view predicate applied after
the lock), the worker check, the transition with its audit event and sign-off (经手留痕), and the place
(乡镇 / 村) a clue or a subject belongs to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.clues.models import Clue, ClueSignoff
from xiezuoqu.clues.selectors import can_view_clue, may_work
from xiezuoqu.clues.workflow import next_state
from xiezuoqu.errors import NotFound, NotPermitted, ValidationFailed
from xiezuoqu.org.models import Unit, Village


def _text(value: str | None) -> str:
    return (value or "").strip()


def _required(value: str | None, field_name: str, label: str) -> str:
    text = _text(value)
    if not text:
        raise ValidationFailed(f"请填写{label}。", field_errors={field_name: [f"请填写{label}。"]})
    return text


def _lock(actor: Actor, clue_id: Any) -> Clue:
    """Lock the clue row, then apply the view predicate (the scope's twin): 404 when out of reach."""
    try:
        clue = Clue.objects.select_for_update().filter(pk=int(clue_id)).first()
    except (TypeError, ValueError):
        clue = None
    if clue is None or not can_view_clue(actor, clue):
        raise NotFound(audit_action="clue.viewed", target_type="clues.clue", target_id=str(clue_id))
    return clue


def _check_worker(actor: Actor, clue: Clue, action: str) -> None:
    if not may_work(actor, clue):
        raise NotPermitted(
            "只有承办单位干部或所在协作区组长、副组长、纪检监察室干部可以办理该线索。",
            audit_action=f"clue.{action}",
            target_type="clues.clue",
            target_id=str(clue.pk),
        )


def _sign(clue: Clue, actor: Actor | None, action: str, before: str, note: str = "") -> None:
    if actor is None or actor.user_id is None:
        return
    ClueSignoff.objects.create(
        clue=clue, user_id=actor.user_id, action=action, note=note[:300], state_before=before, state_after=clue.state
    )


def _move(
    actor: Actor | None, clue: Clue, action: str, request: HttpRequest | None, *, note: str = "", **fields: Any
) -> None:
    """Apply one transition of the table with its fields, the audit event and the sign-off."""
    before = clue.state
    after = next_state(before, action)
    changes: dict[str, list[Any]] = {}
    if after != before:
        changes["state"] = [before, after]
    for name, value in fields.items():
        old = getattr(clue, name)
        if old != value:
            changes[name] = [old, value]
        setattr(clue, name, value)
    clue.state = after
    clue.state_changed_at = timezone.now()
    clue.save(update_fields=["state", "state_changed_at", *fields])
    record_event(
        actor=actor, action=f"clue.{action}", target=clue, changes=changes, detail={"note": note}, request=request
    )
    _sign(clue, actor, action, before, note)


def _place(commission_id: int, township_id: Any, village_id: Any) -> tuple[Unit | None, Village | None]:
    township = village = None
    if township_id:
        township = Unit.objects.filter(
            pk=township_id, commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).first()
        if township is None:
            raise ValidationFailed("所选乡镇（街道）不存在。", field_errors={"township": ["请重新选择。"]})
    if village_id:
        village = Village.objects.filter(pk=village_id, township__commission_id=commission_id).first()
        if village is None:
            raise ValidationFailed("所选村（社区）不存在。", field_errors={"village": ["请重新选择。"]})
        if township is None:
            township = village.township
        elif village.township_id != township.pk:
            raise ValidationFailed("所选村（社区）不属于所选乡镇。", field_errors={"village": ["与乡镇不符。"]})
    return township, village
