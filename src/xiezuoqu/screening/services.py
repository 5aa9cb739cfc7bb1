"""Every write of 大数据监督: imports, rule settings, screening runs, and what a cadre does with a hit.

Each service is keyword-only, runs in one transaction and appends its audit event. An import checks
every row first and writes nothing when one is wrong; a screening run writes only the hits it has not
found before (``Hit.fingerprint``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.crypto import blind_index, seal
from xiezuoqu.errors import InvalidTransition, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.org.models import Commission, Unit, Village
from xiezuoqu.org.selectors import memberships_on
from xiezuoqu.public.files import clean_name, sm3_hex

from . import detectors, imports, selectors
from .models import (
    ID_PURPOSE,
    Hit,
    HitRow,
    HitState,
    ImportBatch,
    ItemStandard,
    MoneyKind,
    Payment,
    PersonStatus,
    ReferenceEntry,
    ReferenceList,
    RuleCode,
    ScreeningRule,
)

MAX_FILE_SIZE = 20 * 1024 * 1024
KIND_CATEGORY = {
    MoneyKind.ASSETS: "collective_assets",
    MoneyKind.FARM_SUBSIDY: "farm_subsidy",
    MoneyKind.POVERTY: "poverty",
}


def _text(value: str | None) -> str:
    return (value or "").strip()


def id_context(kind: str, owner_id: int, line_no: int) -> bytes:
    """What a sealed ID number is bound to: its batch (or list) and its line."""
    return f"{kind}:{owner_id}:{line_no}".encode()


def ensure_rules(commission_id: int) -> list[ScreeningRule]:
    """The commission's rule rows, created with the defaults the first time. Called only inside the
    writing services (a screening run, a rule change: each audited, in its transaction), never on a page
    read; two first writers at once both succeed (``ignore_conflicts`` on ``screening_rule_once``)."""
    have = set(ScreeningRule.objects.filter(commission_id=commission_id).values_list("code", flat=True))
    missing = [r for r in selectors.default_rules(commission_id) if r.code not in have]
    if missing:
        ScreeningRule.objects.bulk_create(missing, ignore_conflicts=True)
    return selectors.rules_of(commission_id)


def _require_import(actor: Actor) -> Commission:
    if not selectors.may_import(actor) or actor.commission_id is None or actor.user_id is None:
        raise NotPermitted("只有案件监督管理室或协作区的干部可以导入资金发放数据。")
    return Commission.objects.get(pk=actor.commission_id)


def _require_configure(actor: Actor) -> None:
    if not selectors.may_configure(actor) or actor.user_id is None:
        raise NotPermitted("筛查规则、项目标准和比对名单由案件监督管理室维护。")


def check_file_size(file_name: str, size: int | None) -> None:
    """Refuse a file over ``MAX_FILE_SIZE`` (the pages and the API ask before they read the upload)."""
    if size is not None and size > MAX_FILE_SIZE:
        name = clean_name(file_name) or "未命名"
        raise ValidationFailed(f"文件“{name}”超过 20 MB，请分批导入。", field_errors={"file": ["文件过大。"]})


def _file(file_name: str, data: bytes) -> tuple[str, str, str]:
    name = clean_name(file_name) or "未命名"
    if not data:
        raise ValidationFailed("请选择要导入的文件。", field_errors={"file": ["请选择文件。"]})
    check_file_size(file_name, len(data))
    return name, hashlib.sha256(data).hexdigest(), sm3_hex(data)


@dataclass
class _Places:
    """The commission's townships and villages by name, read once per import."""

    townships: dict[str, Unit]
    villages: dict[tuple[int, str], Village]

    @classmethod
    def of(cls, commission_id: int) -> _Places:
        townships: dict[str, Unit] = {}
        for unit in Unit.objects.filter(commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE):
            for name in {unit.name, unit.short_name, unit.name.removesuffix("纪工委").removesuffix("纪委")}:
                if name:
                    townships.setdefault(name, unit)
        villages = {
            (v.township_id, v.name): v
            for v in Village.objects.filter(township__commission_id=commission_id).only("id", "name", "township_id")
        }
        return cls(townships, villages)

    def township(self, name: str) -> Unit | None:
        return self.townships.get(name) or self.townships.get(name.removesuffix("纪工委").removesuffix("纪委"))


@dataclass
class ImportResult:
    batch: ImportBatch
    hits_added: dict[str, int] = field(default_factory=dict)


def import_payments(
    *,
    actor: Actor,
    kind: str,
    file_name: str,
    data: bytes,
    mapping: str = "",
    request: HttpRequest | None = None,
    is_demo: bool = False,
) -> ImportResult:
    """导入 one payment file: every row checked (place, name, ID number, item, amount, date), the errors
    listed per row in Chinese and nothing written when there is one; then the rules run."""
    commission = _require_import(actor)
    if kind not in MoneyKind.values:
        raise ValidationFailed("请选择资金类别。", field_errors={"kind": ["请选择。"]})
    name, sha256, sm3 = _file(file_name, data)
    columns = imports.parse_mapping(mapping, imports.TEMPLATE_COLUMNS)
    header, rows = imports.read_table(name, data)
    where = imports.locate_columns(header, imports.TEMPLATE_COLUMNS, columns)
    places = _Places.of(commission.pk)
    today = timezone.localdate()
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for number, row in rows:
        if len(cleaned) >= imports.MAX_ROWS:
            errors.append(f"文件超过 {imports.MAX_ROWS} 行，请分批导入。")
            break

        def value(key: str, row: list[Any] = row) -> Any:
            index = where.get(key)
            return row[index] if index is not None and index < len(row) else None

        problems: list[str] = []
        township_name = imports.text_value(value("township"))
        township = places.township(township_name) if township_name else None
        if township is None:
            problems.append(
                f"乡镇（街道）“{township_name}”不是本纪委监委辖区的乡镇（街道）"
                if township_name
                else "缺少乡镇（街道）"
            )
        elif not selectors.reaches_township(actor, township.pk, township.commission_id):
            problems.append(f"“{township.name}”不在您的工作范围内")
        village_name = imports.text_value(value("village"))
        village = None
        if village_name and township is not None:
            village = places.villages.get((township.pk, village_name))
            if village is None:
                problems.append(f"村（社区）“{village_name}”不属于{township.name}")
        payee = imports.text_value(value("payee_name"))
        if not payee:
            problems.append("缺少收款人姓名")
        elif len(payee) > 30:
            problems.append("收款人姓名超过 30 字")
        id_number = imports.clean_id_number(value("id_number"))
        if id_number is None:
            problems.append("身份证号码无效（应为 18 位、校验位正确）")
        item = imports.text_value(value("item"))
        if not item or len(item) > 60:
            problems.append("缺少项目或项目超过 60 字")
        amount = imports.parse_amount(value("amount"))
        if amount is None:
            problems.append(f"金额“{imports.text_value(value('amount'))}”无效（应大于 0，最多两位小数）")
        paid_on = imports.parse_day(value("paid_on"))
        if paid_on is None:
            problems.append(f"发放日期“{imports.text_value(value('paid_on'))}”无效（如 2026-03-05）")
        elif paid_on > today or paid_on.year < 2000:
            problems.append(f"发放日期 {paid_on:%Y-%m-%d} 不在 2000 年至今天之间")
        period = imports.text_value(value("period")) or (f"{paid_on.year}年度" if paid_on else "")
        if len(period) > 20:
            problems.append("所属期超过 20 字")
        if problems:
            errors.append(imports.row_error(number, "；".join(problems) + "。"))
            if imports.too_many(errors):
                break
            continue
        assert township is not None and id_number is not None and amount is not None and paid_on is not None
        cleaned.append(
            {
                "line_no": number,
                "township": township,
                "village": village,
                "payer": imports.text_value(value("payer"))[:100],
                "payee_name": payee,
                "id_number": id_number,
                "item": item,
                "amount": amount,
                "paid_on": paid_on,
                "period": period,
                "approver": imports.text_value(value("approver"))[:30],
                "voucher": imports.text_value(value("voucher"))[:40],
            }
        )
    if errors:
        raise imports.rejected(name, errors)
    if not cleaned:
        raise ValidationFailed(f"文件“{name}”没有数据行。", field_errors={"file": ["没有数据行。"]})
    assert actor.user_id is not None
    twice = f"文件“{name}”已经导入过（内容相同），不能重复导入。"
    with transaction.atomic():
        if ImportBatch.objects.filter(commission=commission, sha256=sha256).exists():
            raise RuleViolation(twice)
        try:
            with transaction.atomic():  # the same file imported at once by two: the loser is told so
                batch = ImportBatch.objects.create(
                    commission=commission,
                    kind=kind,
                    file_name=name[:120],
                    sha256=sha256,
                    sm3=sm3,
                    row_count=len(cleaned),
                    total_amount=sum((r["amount"] for r in cleaned), Decimal("0.00")),
                    mapping=columns,
                    imported_by_id=actor.user_id,
                    is_demo=is_demo,
                )
        except IntegrityError:
            raise RuleViolation(twice) from None
        Payment.objects.bulk_create(
            [
                Payment(
                    commission=commission,
                    batch=batch,
                    kind=kind,
                    line_no=r["line_no"],
                    township=r["township"],
                    village=r["village"],
                    payer=r["payer"],
                    payee_name=r["payee_name"],
                    id_sealed=seal(
                        r["id_number"], purpose=ID_PURPOSE, context=id_context("batch", batch.pk, r["line_no"])
                    ),
                    id_index=blind_index(r["id_number"], purpose=ID_PURPOSE),
                    id_tail=r["id_number"][-4:],
                    item=r["item"],
                    amount=r["amount"],
                    paid_on=r["paid_on"],
                    day_number=r["paid_on"].toordinal(),
                    period=r["period"],
                    approver=r["approver"],
                    voucher=r["voucher"],
                )
                for r in cleaned
            ],
            batch_size=2000,
        )
        record_event(
            actor=actor,
            action="screening_batch.imported",
            target=batch,
            detail={"kind": kind, "rows": len(cleaned), "sha256": sha256, "sm3": sm3, "mapping": columns},
            request=request,
        )
        added = screen(commission_id=commission.pk)
        record_event(
            actor=actor,
            action="screening.run",
            target=batch,
            detail={"hits_added": added.added, "after": "import"},
            request=request,
        )
    return ImportResult(batch, added.added)


def import_reference_list(
    *,
    actor: Actor,
    file_name: str,
    data: bytes,
    mapping: str = "",
    request: HttpRequest | None = None,
    is_demo: bool = False,
) -> ReferenceList:
    """导入 a list of persons dead or moved away (民政、公安 data): checked like a payment file."""
    _require_configure(actor)
    assert actor.commission_id is not None and actor.user_id is not None
    name, sha256, sm3 = _file(file_name, data)
    columns = imports.parse_mapping(mapping, imports.REFERENCE_COLUMNS)
    header, rows = imports.read_table(name, data)
    where = imports.locate_columns(header, imports.REFERENCE_COLUMNS, columns)
    places = _Places.of(actor.commission_id)
    statuses = {
        "死亡": PersonStatus.DECEASED,
        "迁出": PersonStatus.MOVED,
        "deceased": PersonStatus.DECEASED,
        "moved": PersonStatus.MOVED,
    }
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for number, row in rows:

        def value(key: str, row: list[Any] = row) -> Any:
            index = where.get(key)
            return row[index] if index is not None and index < len(row) else None

        problems: list[str] = []
        person = imports.text_value(value("person_name"))
        if not person or len(person) > 30:
            problems.append("缺少姓名或姓名超过 30 字")
        id_number = imports.clean_id_number(value("id_number"))
        if id_number is None:
            problems.append("身份证号码无效（应为 18 位、校验位正确）")
        status = statuses.get(imports.text_value(value("status")))
        if status is None:
            problems.append("情形应为“死亡”或“迁出”")
        since = imports.parse_day(value("since"))
        if since is None:
            problems.append(f"日期“{imports.text_value(value('since'))}”无效（如 2025-11-20）")
        township_name = imports.text_value(value("township"))
        township = places.township(township_name) if township_name else None
        if township_name and township is None:
            problems.append(f"乡镇（街道）“{township_name}”不是本纪委监委辖区的乡镇（街道）")
        if problems:
            errors.append(imports.row_error(number, "；".join(problems) + "。"))
            if imports.too_many(errors):
                break
            continue
        assert id_number is not None
        cleaned.append(
            {
                "line_no": number,
                "person": person,
                "id": id_number,
                "status": status,
                "since": since,
                "township": township,
            }
        )
    if errors:
        raise imports.rejected(name, errors)
    if not cleaned:
        raise ValidationFailed(f"文件“{name}”没有数据行。", field_errors={"file": ["没有数据行。"]})
    twice = f"名单“{name}”已经导入过（内容相同），不能重复导入。"
    with transaction.atomic():
        if ReferenceList.objects.filter(commission_id=actor.commission_id, sha256=sha256).exists():
            raise RuleViolation(twice)
        try:
            with transaction.atomic():  # the same list imported at once by two: the loser is told so
                found = ReferenceList.objects.create(
                    commission_id=actor.commission_id,
                    file_name=name[:120],
                    sha256=sha256,
                    sm3=sm3,
                    row_count=len(cleaned),
                    imported_by_id=actor.user_id,
                    is_demo=is_demo,
                )
        except IntegrityError:
            raise RuleViolation(twice) from None
        ReferenceEntry.objects.bulk_create(
            [
                ReferenceEntry(
                    commission_id=actor.commission_id,
                    reference_list=found,
                    line_no=r["line_no"],
                    status=r["status"],
                    person_name=r["person"],
                    id_sealed=seal(r["id"], purpose=ID_PURPOSE, context=id_context("list", found.pk, r["line_no"])),
                    id_index=blind_index(r["id"], purpose=ID_PURPOSE),
                    id_tail=r["id"][-4:],
                    since=r["since"],
                    township=r["township"],
                )
                for r in cleaned
            ],
            batch_size=2000,
        )
        record_event(
            actor=actor,
            action="screening_list.imported",
            target=found,
            detail={"rows": len(cleaned), "sha256": sha256, "sm3": sm3},
            request=request,
        )
        added = screen(commission_id=actor.commission_id)
        record_event(
            actor=actor,
            action="screening.run",
            target=found,
            detail={"hits_added": added.added, "after": "list"},
            request=request,
        )
    return found


# --- the screening run ---------------------------------------------------------------------------------------


@dataclass
class ScreenResult:
    found: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _zone_of_townships(township_ids: set[int], on: date) -> dict[int, int]:
    return dict(memberships_on(on).filter(unit_id__in=township_ids).values_list("unit_id", "zone_id"))


def _lock_rules(commission_id: int) -> list[ScreeningRule]:
    """The commission's rule rows (created with the defaults the first time), locked in id order: one
    screening run per commission at a time, the next one reading the hits the first added."""
    ensure_rules(commission_id)
    list(ScreeningRule.objects.select_for_update().filter(commission_id=commission_id).order_by("id"))
    return selectors.rules_of(commission_id)


def screen(*, commission_id: int, codes: list[str] | None = None) -> ScreenResult:
    """Run the enabled rules over the commission's rows and add the hits not found before (the caller
    audits the run, in its transaction). ``seconds`` is how long each rule's SQL and its hit writes took.

    Serialised per commission by the lock on its rule rows, held to the caller's commit: two runs at
    once (two imports, an import and 重新筛查) add each hit once, the second finding the first's."""
    with transaction.atomic():
        return _screen(commission_id, codes)


def _screen(commission_id: int, codes: list[str] | None) -> ScreenResult:
    result = ScreenResult()
    rules = [r for r in _lock_rules(commission_id) if r.enabled and (codes is None or r.code in codes)]
    today = timezone.localdate()
    for rule in rules:
        started = time.perf_counter()
        candidates = detectors.RULES[rule.code](commission_id, rule)
        result.found[rule.code] = len(candidates)
        known = set(Hit.objects.filter(commission_id=commission_id, rule=rule).values_list("fingerprint", flat=True))
        fresh = {c.fingerprint(rule.code): c for c in candidates}
        fresh = {k: c for k, c in fresh.items() if k not in known}
        zones = _zone_of_townships({c.rows[0].township_id for c in fresh.values()}, today)
        hits = Hit.objects.bulk_create(
            [
                Hit(
                    commission_id=commission_id,
                    rule=rule,
                    township_id=c.rows[0].township_id,
                    village_id=c.rows[0].village_id,
                    zone_id=zones.get(c.rows[0].township_id),
                    payee_name=c.payee_name[:30],
                    fingerprint=key,
                    explanation=c.explanation,
                    staff_id=c.staff_id,
                    relationship_id=c.relationship_id,
                    relation_note=c.relation_note,
                    row_count=len(c.row_ids),
                    amount_total=c.amount_total,
                )
                for key, c in fresh.items()
            ],
            batch_size=2000,
        )
        HitRow.objects.bulk_create(
            [
                HitRow(hit_id=hit.pk, payment_id=row_id)
                for hit, c in zip(hits, fresh.values(), strict=True)
                for row_id in c.row_ids
            ],
            batch_size=5000,
        )
        result.added[rule.code] = len(hits)
        result.seconds[rule.code] = time.perf_counter() - started
    return result


def run_screening(*, actor: Actor, request: HttpRequest | None = None) -> ScreenResult:
    """重新筛查: 案管 runs every enabled rule again (after a change of rules or standards)."""
    _require_configure(actor)
    assert actor.commission_id is not None
    with transaction.atomic():
        result = screen(commission_id=actor.commission_id)
        record_event(
            actor=actor,
            action="screening.run",
            target_type="screening.screeningrule",
            target_id=str(actor.commission_id),
            target_label="重新筛查",
            detail={"hits_found": result.found, "hits_added": result.added},
            request=request,
        )
    return result


# --- rules and standards as data ---------------------------------------------------------------------------


def _decimal(value: Any, label: str, key: str, *, maximum: Decimal | None = None) -> Decimal | None:
    text = _text(str(value) if value is not None else "")
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed(f"{label}应为数字。", field_errors={key: ["应为数字。"]}) from None
    if not number.is_finite() or number <= 0 or (maximum is not None and number > maximum):
        raise ValidationFailed(f"{label}超出允许范围。", field_errors={key: ["超出范围。"]})
    return number.quantize(Decimal("0.01"))


def _count(value: Any, label: str, key: str, *, maximum: int) -> int | None:
    text = _text(str(value) if value is not None else "")
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise ValidationFailed(f"{label}应为 1 至 {maximum} 的整数。", field_errors={key: ["超出范围。"]})
    return int(text)


def set_rule(
    *,
    actor: Actor,
    code: str,
    enabled: bool,
    threshold: Any = None,
    window_days: Any = None,
    min_count: Any = None,
    ratio: Any = None,
    request: HttpRequest | None = None,
) -> ScreeningRule:
    """A rule's parameters and on/off for the commission (audited with the old and new values)."""
    _require_configure(actor)
    assert actor.commission_id is not None
    if code not in RuleCode.values:
        raise ValidationFailed("没有该筛查规则。", field_errors={"code": ["请选择规则。"]})
    values = {
        "enabled": bool(enabled),
        "threshold": _decimal(threshold, "金额阈值", "threshold", maximum=Decimal("100000000")),
        "window_days": _count(window_days, "时间窗口（天）", "window_days", maximum=366),
        "min_count": _count(min_count, "最少笔数", "min_count", maximum=1000),
        "ratio": _decimal(ratio, "比例", "ratio", maximum=Decimal("1")),
    }
    with transaction.atomic():
        ensure_rules(actor.commission_id)
        rule = ScreeningRule.objects.select_for_update().get(commission_id=actor.commission_id, code=code)
        changes: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = getattr(rule, name)
            if name in ("threshold", "window_days", "min_count", "ratio") and new is None:
                continue  # an empty field keeps the value
            if old != new:
                changes[name] = [str(old) if old is not None else None, str(new)]
                setattr(rule, name, new)
        if changes:
            rule.updated_by_id = actor.user_id
            rule.save()
            record_event(actor=actor, action="screening_rule.changed", target=rule, changes=changes, request=request)
    return rule


def set_standard(
    *, actor: Actor, kind: str, item: str, max_amount: Any, basis: str = "", request: HttpRequest | None = None
) -> ItemStandard:
    """The standard amount of an item (per payee and period) for the rule 超过项目标准."""
    _require_configure(actor)
    assert actor.commission_id is not None
    item = _text(item)
    if kind not in MoneyKind.values:
        raise ValidationFailed("请选择资金类别。", field_errors={"kind": ["请选择。"]})
    if not item or len(item) > 60:
        raise ValidationFailed("请填写 60 字以内的项目名称。", field_errors={"item": ["请填写。"]})
    amount = _decimal(max_amount, "标准金额", "max_amount", maximum=Decimal("100000000"))
    if amount is None:
        raise ValidationFailed("请填写标准金额。", field_errors={"max_amount": ["请填写。"]})
    with transaction.atomic():
        found = (
            ItemStandard.objects.select_for_update()
            .filter(commission_id=actor.commission_id, kind=kind, item=item)
            .first()
        )
        old = str(found.max_amount) if found else None
        if found is None:
            found = ItemStandard(commission_id=actor.commission_id, kind=kind, item=item)
        found.max_amount, found.basis, found.updated_by_id = amount, _text(basis)[:200], actor.user_id
        found.save()
        record_event(
            actor=actor,
            action="screening_standard.set",
            target=found,
            changes={"max_amount": [old, str(amount)]},
            detail={"kind": kind, "item": item},
            request=request,
        )
    return found


# --- reads that are recorded -----------------------------------------------------------------------------


def view_hit(*, actor: Actor, hit_id: Any, request: HttpRequest | None = None) -> tuple[Hit, list[Payment]]:
    """A hit with its rows (payees, amounts, dates): the read is recorded in the audit chain."""
    hit = selectors.get_hit_for(actor, hit_id)
    rows = selectors.hit_rows(actor, hit)
    with transaction.atomic():
        record_event(
            actor=actor, action="screening_hit.viewed", target=hit, detail={"rows": len(rows)}, request=request
        )
    return hit, rows


def list_hits(*, actor: Actor, request: HttpRequest | None = None, **filters: Any) -> list[Hit]:
    """A page of hits; the list read (with its filters) is recorded."""
    if not selectors.may_screen(actor):
        raise NotPermitted("您无权查看大数据监督疑点。")
    hits = selectors.hit_list(actor, **filters)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="screening_hits.listed",
            target_type="screening.hit",
            target_label="大数据监督疑点列表",
            detail={"filters": {k: v for k, v in filters.items() if v}, "shown": len(hits)},
            request=request,
        )
    return hits


# --- a hit's outcome --------------------------------------------------------------------------------------------


def _lock_hit(actor: Actor, hit_id: Any) -> Hit:
    hit = selectors.get_hit_for(actor, hit_id)
    locked = Hit.objects.select_for_update(of=("self",)).select_related("rule", "township", "village").get(pk=hit.pk)
    if not selectors.may_act_on(actor, locked):
        raise NotPermitted("疑点由协作区组长、副组长、纪检监察室干部或案件监督管理室处理。")
    if locked.state != HitState.OPEN:
        raise InvalidTransition(f"该疑点当前状态为“{locked.get_state_display()}”，不能再处理。")
    return locked


def dismiss_hit(*, actor: Actor, hit_id: Any, reason: str, request: HttpRequest | None = None) -> Hit:
    """排除: the hit is explained (e.g. two payments for two lawful applications); the reason is kept."""
    reason = _text(reason)
    if len(reason) < 4:
        raise ValidationFailed("请写明排除理由（至少 4 个字）。", field_errors={"reason": ["请填写排除理由。"]})
    with transaction.atomic():
        hit = _lock_hit(actor, hit_id)
        hit.state, hit.dismissal_reason = HitState.DISMISSED, reason[:2000]
        hit.decided_by_id, hit.decided_at = actor.user_id, timezone.now()
        hit.save(update_fields=["state", "dismissal_reason", "decided_by", "decided_at"])
        record_event(
            actor=actor,
            action="screening_hit.dismissed",
            target=hit,
            changes={"state": [HitState.OPEN, HitState.DISMISSED]},
            detail={"reason": reason[:2000]},
            request=request,
        )
    return hit


def refer_hit(
    *, actor: Actor, hit_id: Any, handling_unit_id: Any = None, summary: str = "", request: HttpRequest | None = None
) -> Hit:
    """转为问题线索: the hit becomes a clue (source 大数据监督) through the normal clue registration —
    numbered in the handling unit's ledger, the 1-month disposal timer started — linked both ways (the
    hit keeps the clue; the clue's 来源说明 names the hit). The default handler is the township's
    committee; a zone may choose its office instead (交叉办理 starts from the zone's study)."""
    from xiezuoqu.clues import services as clue_services
    from xiezuoqu.clues.models import Source

    with transaction.atomic():
        hit = _lock_hit(actor, hit_id)
        unit_id = handling_unit_id or hit.township_id
        # Only the rows the actor may read go into the clue (the payment funnel), never another township's.
        rows = selectors.hit_rows(actor, hit)
        lines = "\n".join(
            f"{p.paid_on:%Y-%m-%d} {p.payee_name}（身份证号码末四位 {p.id_tail}）{p.item} {p.amount} 元"
            f"{'，凭证 ' + p.voucher if p.voucher else ''}"
            for p in rows[:50]
        )
        more = f"\n……共 {len(rows)} 笔" if len(rows) > 50 else ""
        text = (
            _text(summary)
            or f"大数据监督：{hit.rule.name}（{hit.township.name}{hit.village.name if hit.village else ''}）"
        )
        try:
            clue = clue_services.open_clue(
                actor=actor,
                data=clue_services.ClueInput(
                    handling_unit_id=int(unit_id),
                    source=Source.BIG_DATA,
                    category=KIND_CATEGORY.get(MoneyKind(rows[0].kind) if rows else MoneyKind.ASSETS, "other"),
                    summary=text[:200],
                    content=f"筛查规则：{hit.rule.name}\n命中说明：{hit.explanation}\n涉及记录：\n{lines}{more}",
                    source_note=f"大数据监督疑点第{hit.pk}号：{hit.rule.name}"[:200],
                    received_on=timezone.localdate(),
                    township_id=hit.township_id,
                    village_id=hit.village_id,
                ),
                request=request,
            )
        except (TypeError, ValueError):
            raise ValidationFailed("请选择线索承办单位。", field_errors={"handling_unit_id": ["请选择。"]}) from None
        hit.state, hit.clue = HitState.CLUE, clue
        hit.decided_by_id, hit.decided_at = actor.user_id, timezone.now()
        try:
            hit.save(update_fields=["state", "clue", "decided_by", "decided_at"])
        except IntegrityError:
            raise RuleViolation("该疑点已转为问题线索。") from None
        record_event(
            actor=actor,
            action="screening_hit.referred",
            target=hit,
            changes={"state": [HitState.OPEN, HitState.CLUE], "clue": [None, clue.ledger_number]},
            detail={"clue": clue.pk, "handling_unit": clue.handling_unit_id},
            request=request,
        )
    return hit
