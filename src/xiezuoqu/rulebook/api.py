"""The rule book over HTTP: /api/v1/rules/ — every rule with its rows by date, the function that
enforces it and the reader's commission's local values; /api/v1/rules/in-force answers "which rule
applies to key on day D for my commission" (a day no row covers: 422 problem JSON)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from xiezuoqu.access.actor import Actor, actor_for
from xiezuoqu.errors import ValidationFailed

from .national import KEYS
from .selectors import require_rulebook_reader, rule_for, rulebook_for

router = Router(tags=["rulebook"])


class RowOut(Schema):
    name: str
    value: Any
    unit: str
    unit_label: str
    source: str
    article: str
    effective_from: date
    effective_to: date | None
    enforced_by: str
    direction: str
    note: str


class LocalOut(Schema):
    value: Any
    effective_from: date
    effective_to: date | None
    reason: str
    set_by: str
    set_at: Any
    never_in_force: bool


class RuleOut(Schema):
    key: str
    name: str
    overridable: bool
    current: RowOut | None
    rows: list[RowOut]
    local_value_today: Any
    local_history: list[LocalOut]


class InForceOut(Schema):
    key: str
    on: date
    value: Any
    unit: str
    name: str
    source: str
    article: str
    effective_from: date
    local: bool


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.auth)  # type: ignore[attr-defined]
    require_rulebook_reader(actor)
    return actor


def _row(row: Any) -> dict[str, Any]:
    fields = ("name", "value", "unit", "unit_label", "source", "article", "effective_from", "effective_to")
    return {name: getattr(row, name) for name in fields} | {
        "enforced_by": row.enforced_by,
        "direction": row.direction,
        "note": row.note,
    }


@router.get("/", response=list[RuleOut], summary="规则库：全部规则及其施行期间、依据、执行位置和本地规定")
def rule_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _actor(request)
    return [
        {
            "key": entry.key,
            "name": entry.name,
            "overridable": entry.overridable,
            "current": _row(entry.current) if entry.current else None,
            "rows": [_row(row) for row in entry.rows],
            "local_value_today": entry.local_now.value if entry.local_now else None,
            "local_history": [
                {
                    "value": local.value,
                    "effective_from": local.effective_from,
                    "effective_to": local.effective_to,
                    "reason": local.reason,
                    "set_by": str(local.set_by),
                    "set_at": local.set_at,
                    "never_in_force": local.never_in_force,
                }
                for local in entry.local_rows
            ],
        }
        for entry in rulebook_for(actor, today=timezone.localdate())
    ]


@router.get("/in-force", response=InForceOut, summary="某日对本纪委监委有效的规则")
def in_force(request: HttpRequest, key: str, on: date | None = None) -> dict[str, Any]:
    actor = _actor(request)
    if key not in KEYS:
        raise ValidationFailed("规则库中没有该规则。", field_errors={"key": ["未知的规则。"]})
    day = on or timezone.localdate()
    answer = rule_for(key, on=day, commission=actor.commission_id)
    return {
        "key": key,
        "on": day,
        "value": answer.value,
        "unit": answer.unit,
        "name": answer.name,
        "source": answer.source,
        "article": answer.article,
        "effective_from": answer.effective_from,
        "local": answer.local,
    }
