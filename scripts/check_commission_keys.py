#!/usr/bin/env python
"""Does every large table carry the commission key? (issue 17; docs/decisions/0030-distributed-postgresql.md)

A table can be sharded by commission (Citus: a distributed table with ``commission_id`` as its
distribution column) or partitioned with the commission as its key prefix only if each of its rows
names its commission. The large tables are the roots that grow with the matters of a year (reports,
clues, subjects, cases, deadlines, the audit log, the duplicate index) and, transitively, every table
with a foreign key to one of them (a report's accused, a clue's disposals …): their rows grow with
their parent's.

For each large table the check prints whether it has ``commission_id``, which of its indexes and
unique constraints start with it, and which unique constraints do not contain it (a distributed table
cannot enforce those across shards). It fails (exit 1) when a large table lacks the key and is not
in ``WITHOUT_KEY`` — the tables known to lack it today, each with what it would take — or when a
table in ``WITHOUT_KEY`` has gained the key (so the list stays true).

    .venv/bin/python scripts/check_commission_keys.py
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOTS = (
    "intake.report",
    "clues.clue",
    "clues.subject",
    "cases.case",
    "deadlines.deadline",
    "audit.auditevent",
    "dedup.indexeddocument",
    "dedup.lshbucket",
    "dedup.personkey",
)

# Large tables without the key today: their rows reach the commission through their parent. To be
# co-located with it on a shard each needs ``commission_id`` copied from the parent at insert (the
# services create them next to the parent, so the value is at hand) and its unique constraints
# widened with it. Until then each is a candidate for the first migration of a sharded deployment.
_CHILD = "commission_id from its parent row, written by the service that creates it"
WITHOUT_KEY: dict[str, str] = {
    "cases.announcement": f"case child: {_CHILD}",
    "cases.appeal": f"case child: {_CHILD}",
    "cases.detention": f"case child: {_CHILD}",
    "cases.execution": f"case child: {_CHILD}",
    "cases.investigationreport": f"case child: {_CHILD}",
    "cases.persondecision": f"case child: {_CHILD}",
    "cases.trialreturn": f"case child: {_CHILD}",
    "cases.trialreview": f"case child: {_CHILD}",
    "clearing.falseaccusationflag": f"clearing child: {_CHILD}",
    "clues.accusedlink": f"clue child: {_CHILD}",
    "clues.analysisrecord": f"clue child: {_CHILD}",
    "clues.cluedisposal": f"clue child: {_CHILD}",
    "clues.cluereport": f"clue–report link (both of one commission): {_CHILD}",
    "clues.cluesignoff": f"clue child: {_CHILD}",
    "clues.cluesubject": f"clue–subject link (both of one commission): {_CHILD}",
    "clues.talkinquiry": f"clue child: {_CHILD}",
    "inspections.finding": f"inspection child: {_CHILD}",
    "inspections.rectification": f"inspection child: {_CHILD}",
    "intake.identitygrant": f"report child: {_CHILD}",
    "intake.notification": f"report child (one row per recipient): {_CHILD}",
    "intake.reportaccused": f"report child: {_CHILD}",
    "intake.reporteridentity": f"report child (its primary key is the report's): {_CHILD}",
    "intake.reportmessage": f"report child: {_CHILD}",
    "intake.routingdecision": f"report child: {_CHILD}",
    "meetings.agendaitem": f"meeting item on a clue or case: {_CHILD}",
    "meetings.ballot": f"resolution child: {_CHILD}",
    "meetings.followup": f"resolution child: {_CHILD}",
    "meetings.itemrecusal": f"agenda item child: {_CHILD}",
    "meetings.resolution": f"agenda item child (numbered per zone): {_CHILD}",
    "public.attachment": f"report child (files of the public form): {_CHILD}",
    "recusal.conflictoverride": f"recusal child: {_CHILD}",
    "recusal.intervention": f"matter child: {_CHILD}",
    "recusal.recusal": f"matter child: {_CHILD}",
    "recusal.recusaldeclaration": f"matter child: {_CHILD}",
    "recusal.recusaldemand": f"matter child: {_CHILD}",
    "screening.hitrow": f"screening hit child: {_CHILD}",
    "teams.handlingrequest": f"clue child: {_CHILD}",
    "teams.team": f"clue child: {_CHILD}",
    "teams.teammember": f"team child: {_CHILD}",
    "training.assessmentrevision": f"assessment child: {_CHILD}",
    "verification.custodyevent": f"evidence child: {_CHILD}",
    "verification.measureextension": f"measure child: {_CHILD}",
    "verification.reportconfirmation": f"verification child: {_CHILD}",
    "verification.verificationplan": f"verification child: {_CHILD}",
    "verification.verificationreport": f"verification child: {_CHILD}",
}

KEY = "commission_id"


@dataclass
class TableKeys:
    label: str
    table: str
    has_key: bool
    led_by_key: list[str] = field(default_factory=list)  # indexes / constraints whose first column is the key
    other_indexes: list[str] = field(default_factory=list)
    unique_without_key: list[str] = field(default_factory=list)


def large_models() -> list[Any]:
    """The roots and every model with a foreign key to a large model (transitively)."""
    from django.apps import apps

    large = {label: apps.get_model(label) for label in ROOTS}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in large or model._meta.proxy:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is not None and f.related_model._meta.label_lower in large:
                    large[label] = model
                    changed = True
                    break
    return sorted(large.values(), key=lambda m: m._meta.label_lower)


def _columns(model: Any, names: list[str] | tuple[str, ...]) -> list[str]:
    columns = []
    for name in names:
        name = name.lstrip("-")
        try:
            columns.append(model._meta.get_field(name).column)
        except Exception:  # an expression index or a raw column name
            columns.append(name)
    return columns


def keys_of(model: Any) -> TableKeys:
    from django.db import models

    meta = model._meta
    has_key = any(f.column == KEY for f in meta.concrete_fields)
    entry = TableKeys(meta.label_lower, meta.db_table, has_key)
    candidates: list[tuple[str, list[str], bool]] = []  # (name, columns, unique)
    pk = meta.pk
    if isinstance(pk, models.CompositePrimaryKey):
        candidates.append(("primary key", _columns(model, [f.name for f in pk.fields]), True))
    else:
        candidates.append(("primary key", [pk.column], True))
    for f in meta.concrete_fields:
        if f.primary_key:
            continue
        if f.unique:
            candidates.append((f"{f.name} (unique)", [f.column], True))
        elif f.db_index:
            candidates.append((f"{f.name} (index)", [f.column], False))
    for index in meta.indexes:
        candidates.append((index.name or "index", _columns(model, list(index.fields)), False))
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            candidates.append((constraint.name, _columns(model, list(constraint.fields)), True))
    for name, columns, unique in candidates:
        shown = f"{name} ({', '.join(columns)})"
        if columns and columns[0] == KEY:
            entry.led_by_key.append(shown)
        else:
            entry.other_indexes.append(shown)
        if unique and KEY not in columns:
            entry.unique_without_key.append(shown)
    return entry


def check() -> tuple[list[TableKeys], list[str]]:
    entries = [keys_of(m) for m in large_models()]
    problems = []
    for entry in entries:
        if not entry.has_key and entry.label not in WITHOUT_KEY:
            problems.append(
                f"{entry.label}（{entry.table}）是大表，但没有 {KEY}：加上它，或在 WITHOUT_KEY 中写明原因。"
            )
        if entry.has_key and entry.label in WITHOUT_KEY:
            problems.append(f"{entry.label} 已有 {KEY}：从 WITHOUT_KEY 中删去。")
    labels = {e.label for e in entries}
    for label in WITHOUT_KEY:
        if label not in labels:
            problems.append(f"WITHOUT_KEY 中的 {label} 不是（或不再是）大表：删去。")
    return entries, problems


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.test")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    entries, problems = check()
    keyed = [e for e in entries if e.has_key]
    print(f"大表 {len(entries)} 张：{len(keyed)} 张有 {KEY}，{len(entries) - len(keyed)} 张没有。\n")
    for entry in entries:
        mark = "✓" if entry.has_key else "✗"
        print(f"{mark} {entry.label:<34} {entry.table}")
        if entry.led_by_key:
            print(f"    以 {KEY} 开头：{'; '.join(entry.led_by_key)}")
        if entry.has_key and entry.unique_without_key:
            print(f"    唯一约束不含 {KEY}（分片后无法跨分片保证）：{'; '.join(entry.unique_without_key)}")
        if not entry.has_key:
            print(f"    缺 {KEY}：{WITHOUT_KEY.get(entry.label, '未说明')}")
    if problems:
        print("\n问题：")
        for problem in problems:
            print(f"  {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
