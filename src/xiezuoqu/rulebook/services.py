"""Every write of the rule book: syncing the national rows from the code table, and a commission's
stricter local value (audited, kept as history, never looser than the national rule)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Commission

from .models import LocalRule, Rule, RulebookRevision
from .national import NATIONAL_RULES, UNIT_LABELS, Direction, RuleSpec, rows_of
from .selectors import can_set_local_rules, forget_cached_rules

MAX_LOCAL_VALUE = 1000
SYNCED_FIELDS = ("name", "source", "article", "effective_to", "value", "unit", "enforced_by", "direction", "note")


def _bump_revision() -> None:
    revision, _ = RulebookRevision.objects.select_for_update().get_or_create(pk=1)
    revision.token = uuid.uuid4().hex
    revision.changed_at = timezone.now()
    revision.save(update_fields=["token", "changed_at"])
    forget_cached_rules()
    transaction.on_commit(forget_cached_rules)


def _spec_fields(spec: RuleSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["direction"] = str(spec.direction)
    return {name: data[name] for name in SYNCED_FIELDS}


def sync_national_rules() -> int:
    """Make ``Rule`` equal the code table: rows added, changed or removed, audited as one system event.
    Runs after every migrate; returns the number of rows changed."""
    changes: dict[str, list[Any]] = {}
    with transaction.atomic():
        existing = {(r.key, r.effective_from): r for r in Rule.objects.select_for_update()}
        wanted = {(spec.key, spec.effective_from): spec for spec in NATIONAL_RULES}
        for ident, spec in wanted.items():
            fields = _spec_fields(spec)
            row = existing.get(ident)
            label = f"{spec.key}@{spec.effective_from:%Y-%m-%d}"
            if row is None:
                Rule.objects.create(key=spec.key, effective_from=spec.effective_from, **fields)
                changes[label] = [None, fields["value"]]
                continue
            differ = [name for name in SYNCED_FIELDS if getattr(row, name) != fields[name]]
            if differ:
                changes[label] = [{n: getattr(row, n) for n in differ}, {n: fields[n] for n in differ}]
                for name in differ:
                    setattr(row, name, fields[name])
                row.save(update_fields=differ)
        for ident, row in existing.items():
            if ident not in wanted:
                changes[f"{row.key}@{row.effective_from:%Y-%m-%d}"] = [row.value, None]
                row.delete()
        if changes:
            _bump_revision()
        # The first fill of an empty table (a new database, or one just flushed) is the code table itself,
        # recorded by the migration; every later change of the national rows is on the audit chain.
        if changes and existing:
            record_event(
                actor=None,
                action="rulebook.national_rules_synced",
                target_type="rulebook.rule",
                target_label="全国规则",
                changes=changes,
                detail={"rows": len(wanted)},
            )
    return len(changes)


def _parse_value(raw: Any) -> int:
    """A local value is a whole number of the rule's unit (days, working days, months)."""
    if isinstance(raw, bool):
        raise ValidationFailed("请填写本地值（整数）。", field_errors={"value": ["请填写整数。"]})
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("本地值须为整数，例如 10。", field_errors={"value": ["须为整数。"]}) from None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= MAX_LOCAL_VALUE:
        raise ValidationFailed(
            f"本地值须为 1 至 {MAX_LOCAL_VALUE} 之间的整数。", field_errors={"value": ["须为正整数。"]}
        )
    return int(number)


def set_local_rule(
    *,
    actor: Actor,
    key: str,
    value: Any,
    effective_from: date | None,
    reason: str,
    request: HttpRequest | None = None,
) -> LocalRule:
    """设置本地从严规定: the actor's commission applies ``value`` for ``key`` from ``effective_from``
    (today or later: what applied on a past day is never rewritten). Refused when the rule is statutory
    or the value is looser than any national row in force on or after that day. ``value`` None
    restores the national rule from that day. The earlier local row is closed the day before (or, if it
    had not taken effect yet, replaced: its span becomes empty); the change is audited."""
    if not can_set_local_rules(actor):
        raise NotPermitted(
            "只有系统管理员、纪委书记和委领导可以设置本地规则。",
            audit_action="rulebook.local_rule_set",
            target_type="rulebook.localrule",
        )
    rows = rows_of(key or "")
    if not rows:
        raise ValidationFailed("请选择规则库中的规则。", field_errors={"key": ["未知的规则。"]})
    name = rows[-1].name
    if rows[-1].direction == Direction.FIXED:
        raise RuleViolation(
            f"“{name}”为法定规则（{rows[-1].source}{rows[-1].article}），不得设置本地值。",
            field_errors={"key": ["法定规则，不得变更。"]},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写设置本地规则的依据或理由。", field_errors={"reason": ["请填写。"]})
    if len(reason) > 500:
        raise ValidationFailed("依据或理由不能超过 500 字。", field_errors={"reason": ["过长。"]})
    today = timezone.localdate()
    if effective_from is None:
        raise ValidationFailed("请填写生效日期。", field_errors={"effective_from": ["请填写。"]})
    if effective_from < today:
        raise RuleViolation(
            f"生效日期不能早于今天（{today:%Y-%m-%d}）：已经发生的事项按当时的规则办理，不能追溯修改。",
            field_errors={"effective_from": ["不能早于今天。"]},
        )
    number = None if value is None or value == "" else _parse_value(value)
    if number is not None:
        for spec in rows:
            if spec.effective_to is not None and spec.effective_to < effective_from:
                continue
            national = spec.value
            unit = UNIT_LABELS.get(spec.unit, spec.unit)
            looser = number > national if spec.direction == Direction.LOWER else number < national
            if looser or number == national:
                which = "更短" if spec.direction == Direction.LOWER else "更大"
                raise RuleViolation(
                    f"本地值只能比全国规定更严：“{name}”全国规定为 {national}{unit}（{spec.source}{spec.article}，"
                    f"{spec.effective_from:%Y-%m-%d}起），本地只能设为{which}的值，不能设为 {number}{unit}。",
                    field_errors={"value": [f"须{which}于 {national}{unit}。"]},
                )
    with transaction.atomic():
        assert actor.commission_id is not None and actor.user_id is not None
        commission = Commission.objects.select_for_update().get(pk=actor.commission_id)
        earlier = list(
            LocalRule.objects.select_for_update()
            .filter(commission=commission, key=key)
            .exclude(effective_to__lt=effective_from)
            .order_by("effective_from", "id")
        )
        earlier = [row for row in earlier if not row.never_in_force]
        before = next((row.value for row in reversed(earlier) if row.effective_from <= effective_from), None)
        closed = []
        for row in earlier:
            end = effective_from - timedelta(days=1)
            row.effective_to = end if row.effective_from < effective_from else row.effective_from - timedelta(days=1)
            row.save(update_fields=["effective_to"])
            closed.append({"id": row.pk, "value": row.value, "effective_to": row.effective_to})
        created = LocalRule.objects.create(
            commission=commission,
            key=key,
            value=number,
            effective_from=effective_from,
            reason=reason,
            set_by_id=actor.user_id,
        )
        _bump_revision()
        record_event(
            actor=actor,
            action="rulebook.local_rule_set" if number is not None else "rulebook.local_rule_cleared",
            target=created,
            changes={"value": [before, number]},
            detail={
                "key": key,
                "effective_from": effective_from,
                "national": [(spec.effective_from, spec.value) for spec in rows],
                "reason": reason,
                "closed": closed,
            },
            request=request,
            commission_id=commission.pk,
        )
    return created
