"""The screening rules: each one set-based SQL over the commission's payment rows (GROUP BY, joins,
a self-join for the window), returning only the rows it names — never a Python loop over every row.

Each detector takes the commission and its ``ScreeningRule`` row (the parameters as data) and returns
``Candidate``s: the rows, the place, the payee and a Chinese explanation a cadre can check by hand.
The benchmark (bench/bench_screening.py) runs all of them over 1 M rows on PostgreSQL.

Parameters per rule (``DEFAULTS``):
- duplicate_payee: ``min_count`` payments (2) to one ID number for one item in one period, for the
  subsidies (惠农, 扶贫) only;
- cadre_relative: no parameter — a payee whose name equals a cadre's (same township) or a relative the
  cadre declared (利害关系申报, 亲属; same village, or same township when no village was declared);
- deceased_or_moved: no parameter — a payment dated after the person died or moved away;
- over_standard: no parameter — the standard per item is ``ItemStandard`` data;
- split_payments: ``threshold`` (the approval threshold), ``window_days``, ``min_count`` (2) 三资
  payments to one payee from one township within the window, each under the threshold and at least ``ratio`` of
  it, together at or over it;
- round_cluster: ``threshold`` (the round unit, 1,000 元), ``min_count`` round payments of one village,
  item and period that are at least ``ratio`` of its payments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from xiezuoqu.org.models import DeclaredRelationship, StaffMember

from .models import ItemStandard, MoneyKind, Payment, ReferenceEntry, RuleCode, ScreeningRule

PAYMENT = Payment._meta.db_table
REFERENCE = ReferenceEntry._meta.db_table
STANDARD = ItemStandard._meta.db_table
RELATIONSHIP = DeclaredRelationship._meta.db_table
STAFF = StaffMember._meta.db_table
# Money a person is entitled to once per item and period (subsidies); collective payments (三资: labour,
# materials) may lawfully go to one payee several times, so the duplicate rule reads only these.
ENTITLEMENTS = (MoneyKind.FARM_SUBSIDY.value, MoneyKind.POVERTY.value)
# Payments a village decides and approves (三资): the ones an approval threshold applies to.
ASSETS = MoneyKind.ASSETS.value


@dataclass(frozen=True)
class RuleDefault:
    name: str
    threshold: Decimal | None = None
    window_days: int | None = None
    min_count: int | None = None
    ratio: Decimal | None = None
    basis: str = ""


DEFAULTS: dict[str, RuleDefault] = {
    RuleCode.DUPLICATE_PAYEE: RuleDefault(
        RuleCode.DUPLICATE_PAYEE.label,
        min_count=2,
        basis="同一身份证号码在同一项目、同一所属期内领取两次及以上，可能重复申报或冒领。",
    ),
    RuleCode.CADRE_RELATIVE: RuleDefault(
        RuleCode.CADRE_RELATIVE.label,
        basis="收款人与本乡镇干部同名，或与干部申报的亲属同名且同村（未申报村的同乡镇）；数据来自利害关系申报。",
    ),
    RuleCode.DECEASED_OR_MOVED: RuleDefault(
        RuleCode.DECEASED_OR_MOVED.label,
        basis="发放日期晚于比对名单记载的死亡或迁出日期，可能冒领或未及时停发。",
    ),
    RuleCode.OVER_STANDARD: RuleDefault(
        RuleCode.OVER_STANDARD.label,
        basis="单笔金额超过该项目设定的发放标准（项目标准在本页维护）。",
    ),
    RuleCode.SPLIT_PAYMENTS: RuleDefault(
        RuleCode.SPLIT_PAYMENTS.label,
        threshold=Decimal("5000.00"),
        window_days=30,
        min_count=2,
        ratio=Decimal("0.30"),
        basis="同一收款人在时间窗口内多笔均低于审批限额、合计达到限额，可能拆分支付规避集体决策或审批。",
    ),
    RuleCode.ROUND_CLUSTER: RuleDefault(
        RuleCode.ROUND_CLUSTER.label,
        threshold=Decimal("1000.00"),
        min_count=5,
        ratio=Decimal("0.80"),
        basis="同一村同一项目同期的发放中整千元金额集中出现，可能并非按实际核算发放。",
    ),
}


@dataclass
class Row:
    id: int
    payee_name: str
    id_tail: str
    item: str
    amount: Decimal
    paid_on: date
    township_id: int
    village_id: int | None
    period: str


@dataclass
class Candidate:
    rows: list[Row]
    explanation: str
    payee_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # cadre_relative: the cadre named, and the declared relationship with the text that names it
    # (``explanation`` is then the neutral text every reader of the hit may see).
    staff_id: int | None = None
    relationship_id: int | None = None
    relation_note: str = ""

    @property
    def row_ids(self) -> list[int]:
        return sorted({r.id for r in self.rows})

    def fingerprint(self, code: str) -> str:
        return hashlib.sha256(f"{code}:{','.join(map(str, self.row_ids))}".encode()).hexdigest()

    @property
    def amount_total(self) -> Decimal:
        return sum((r.amount for r in {r.id: r for r in self.rows}.values()), Decimal("0.00"))


# The row columns every detector selects (``p`` is the payment table), in ``Row``'s order.
ROW_COLUMNS = "p.id, p.payee_name, p.id_tail, p.item, p.amount, p.paid_on, p.township_id, p.village_id, p.period"
ROW_WIDTH = 9


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _row(values: Sequence[Any]) -> Row:
    pk, name, tail, item, amount, paid_on, township_id, village_id, period = values[:ROW_WIDTH]
    return Row(int(pk), name, tail, item, _money(amount), _day(paid_on), township_id, village_id, period)


def _fetch(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _dates(rows: list[Row]) -> str:
    return "、".join(sorted({f"{r.paid_on:%Y-%m-%d}" for r in rows}))


# --- the rules ------------------------------------------------------------------------------------------


def duplicate_payee(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    least = max(2, rule.min_count or 2)
    rows = _fetch(
        f"""
        SELECT {ROW_COLUMNS}, p.id_index FROM {PAYMENT} p
        JOIN (SELECT township_id, id_index, item, period FROM {PAYMENT}
              WHERE commission_id = %s AND kind IN (%s, %s)
              GROUP BY township_id, id_index, item, period HAVING COUNT(*) >= %s) d
          ON d.township_id = p.township_id AND d.id_index = p.id_index AND d.item = p.item AND d.period = p.period
        WHERE p.commission_id = %s AND p.kind IN (%s, %s)
        ORDER BY p.township_id, p.id_index, p.item, p.period, p.paid_on, p.id
        """,
        [commission_id, *ENTITLEMENTS, least, commission_id, *ENTITLEMENTS],
    )
    # One hit per township: a hit is read by the zone of its township and must hold no other township's rows.
    groups: dict[tuple[int, str, str, str], list[Row]] = {}
    for values in rows:
        row = _row(values)
        groups.setdefault((row.township_id, values[ROW_WIDTH], row.item, row.period), []).append(row)
    found = []
    for group in groups.values():
        first = group[0]
        names = "、".join(sorted({r.payee_name for r in group}))
        total = sum((r.amount for r in group), Decimal("0.00"))
        found.append(
            Candidate(
                group,
                f"身份证号码末四位为 {first.id_tail} 的收款人（{names}）在“{first.item}”所属期 {first.period} "
                f"领取 {len(group)} 次（{_dates(group)}），合计 {_yuan(total)} 元；同一项目同一期应只领取一次。",
                payee_name=first.payee_name,
            )
        )
    return found


def cadre_relative(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    rows = _fetch(
        f"""
        SELECT {ROW_COLUMNS}, s.id, s.name, s.position, r.kinship, 'relative', r.id FROM {RELATIONSHIP} r
        JOIN {STAFF} s ON s.id = r.staff_id AND s.commission_id = %s
        JOIN {PAYMENT} p ON p.commission_id = s.commission_id AND p.payee_name = r.person_name
             AND p.village_id = r.related_village_id
        WHERE r.kind = 'kin' AND r.person_name <> ''
        UNION ALL
        SELECT {ROW_COLUMNS}, s.id, s.name, s.position, r.kinship, 'relative', r.id FROM {RELATIONSHIP} r
        JOIN {STAFF} s ON s.id = r.staff_id AND s.commission_id = %s
        JOIN {PAYMENT} p ON p.commission_id = s.commission_id AND p.payee_name = r.person_name
             AND p.township_id = r.related_unit_id
        WHERE r.kind = 'kin' AND r.person_name <> '' AND r.related_village_id IS NULL
        UNION ALL
        SELECT {ROW_COLUMNS}, s.id, s.name, s.position, '', 'self', NULL FROM {STAFF} s
        JOIN {PAYMENT} p ON p.commission_id = s.commission_id AND p.payee_name = s.name
             AND p.township_id = s.home_unit_id
        WHERE s.commission_id = %s
        ORDER BY 10, 14, 1
        """,
        [commission_id, commission_id, commission_id],
    )
    kinships = dict(DeclaredRelationship.Kinship.choices)
    # One hit per cadre, way, payee, declaration and township (a hit holds one township's rows).
    groups: dict[tuple[int, str, str, Any, int], tuple[list[Row], tuple[Any, ...]]] = {}
    for values in rows:
        row = _row(values)
        staff_id, staff_name, position, kinship, how, relationship_id = values[ROW_WIDTH:]
        key = (staff_id, how, row.payee_name, relationship_id, row.township_id)
        groups.setdefault(key, ([], (staff_name, position, kinship)))[0].append(row)
    found = []
    for (staff_id, how, payee, relationship_id, _), (group, (staff_name, position, kinship)) in groups.items():
        total = sum((r.amount for r in group), Decimal("0.00"))
        tail = (
            f"；共 {len(group)} 笔（{_dates(group)}），合计 {_yuan(total)} 元。"
            "请核实是否为同一人及发放是否经过回避和公示。"
        )
        if how == "self":
            found.append(
                Candidate(
                    group,
                    f"收款人{payee}与本乡镇干部{staff_name}（{position}）同名{tail}",
                    payee_name=payee,
                    staff_id=int(staff_id),
                )
            )
            continue
        # The declared relationship (利害关系申报) is named only to a reader of the declaration.
        who = f"与干部{staff_name}（{position}）申报的{kinships.get(kinship, '亲属')}同名且同村（同乡镇）"
        found.append(
            Candidate(
                group,
                f"收款人{payee}与本辖区干部申报的利害关系人同名且同村（同乡镇）（申报内容仅向有权查阅的人员显示）{tail}",
                payee_name=payee,
                staff_id=int(staff_id),
                relationship_id=int(relationship_id),
                relation_note=f"收款人{payee}{who}{tail}",
            )
        )
    return found


def deceased_or_moved(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    rows = _fetch(
        f"""
        SELECT {ROW_COLUMNS}, e.id, e.status, e.since, e.person_name FROM {PAYMENT} p
        JOIN {REFERENCE} e ON e.commission_id = p.commission_id AND e.id_index = p.id_index AND p.paid_on > e.since
        WHERE p.commission_id = %s
        ORDER BY 10, p.paid_on, p.id
        """,
        [commission_id],
    )
    # One hit per list entry and township (a hit holds one township's rows).
    groups: dict[tuple[int, int], tuple[list[Row], tuple[Any, ...]]] = {}
    for values in rows:
        entry_id, status, since, person = values[ROW_WIDTH:]
        row = _row(values)
        groups.setdefault((entry_id, row.township_id), ([], (status, _day(since), person)))[0].append(row)
    found = []
    for group, (status, since, person) in groups.values():
        what = "死亡" if status == "deceased" else "迁出"
        total = sum((r.amount for r in group), Decimal("0.00"))
        found.append(
            Candidate(
                group,
                f"收款人{group[0].payee_name}（身份证号码末四位 {group[0].id_tail}）在比对名单中记载为"
                f"{since:%Y-%m-%d}{what}（名单姓名：{person}），此后仍发放 {len(group)} 笔（{_dates(group)}），"
                f"合计 {_yuan(total)} 元。",
                payee_name=group[0].payee_name,
            )
        )
    return found


def over_standard(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    rows = _fetch(
        f"""
        SELECT {ROW_COLUMNS}, s.max_amount FROM {PAYMENT} p
        JOIN {STANDARD} s ON s.commission_id = p.commission_id AND s.kind = p.kind AND s.item = p.item
        WHERE p.commission_id = %s AND p.amount > s.max_amount
        ORDER BY p.id
        """,
        [commission_id],
    )
    found = []
    for values in rows:
        row, standard = _row(values), _money(values[ROW_WIDTH])
        found.append(
            Candidate(
                [row],
                f"{row.payee_name}于 {row.paid_on:%Y-%m-%d} 领取“{row.item}” {_yuan(row.amount)} 元，"
                f"超过该项目标准 {_yuan(standard)} 元 {_yuan(row.amount - standard)} 元。",
                payee_name=row.payee_name,
            )
        )
    return found


def split_payments(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    threshold = rule.threshold or DEFAULTS[RuleCode.SPLIT_PAYMENTS].threshold or Decimal("5000")
    window = rule.window_days if rule.window_days is not None else 30
    least = max(2, rule.min_count or 2)
    floor = threshold * (rule.ratio if rule.ratio is not None else Decimal("0"))
    # (SQLite binds a Decimal as text: a comparison with an aggregate, which has no column affinity,
    # needs the CAST, or every number is "less" than every text.)
    # Each anchor a (an under-threshold payment) with the under-threshold payments b to the same payee
    # from the same township in [a, a + window] days; an anchor whose window reaches the threshold names
    # its rows. Overlapping windows of one payee are merged below (only the found rows are read).
    rows = _fetch(
        f"""
        WITH windows AS (
            SELECT a.id AS anchor, b.id AS member, b.amount AS amount FROM {PAYMENT} a
            JOIN {PAYMENT} b ON b.commission_id = a.commission_id AND b.id_index = a.id_index
                 AND b.day_number >= a.day_number AND b.day_number <= a.day_number + %s
            WHERE a.commission_id = %s AND a.kind = %s AND a.amount < %s AND a.amount >= %s
                  AND b.kind = %s AND b.amount < %s AND b.amount >= %s AND b.township_id = a.township_id
                  AND (b.day_number > a.day_number OR b.id >= a.id)
        ),
        anchors AS (
            SELECT anchor FROM windows GROUP BY anchor HAVING COUNT(*) >= %s AND SUM(amount) >= CAST(%s AS NUMERIC)
        )
        SELECT w.anchor, {ROW_COLUMNS}, p.id_index FROM windows w
        JOIN anchors USING (anchor)
        JOIN {PAYMENT} p ON p.id = w.member
        ORDER BY p.id_index, w.anchor, p.day_number, p.id
        """,
        [window, commission_id, ASSETS, threshold, floor, ASSETS, threshold, floor, least, threshold],
    )
    by_anchor: dict[int, list[Row]] = {}
    payee_of: dict[int, str] = {}
    for values in rows:
        anchor = int(values[0])
        by_anchor.setdefault(anchor, []).append(_row(values[1:]))
        payee_of[anchor] = values[1 + ROW_WIDTH]
    found: list[Candidate] = []
    taken: dict[str, set[int]] = {}
    for anchor, group in sorted(by_anchor.items(), key=lambda kv: (payee_of[kv[0]], kv[1][0].paid_on, kv[0])):
        seen = taken.setdefault(payee_of[anchor], set())
        if any(r.id in seen for r in group):
            continue  # a later anchor inside a window already reported: the same split
        seen.update(r.id for r in group)
        total = sum((r.amount for r in group), Decimal("0.00"))
        first = group[0]
        span = (group[-1].paid_on - first.paid_on).days
        amounts = "、".join(_yuan(r.amount) for r in group)
        found.append(
            Candidate(
                group,
                f"{first.payee_name}（身份证号码末四位 {first.id_tail}）在 {span + 1} 天内（{_dates(group)}）"
                f"收到同一乡镇 {len(group)} 笔付款（{amounts} 元），每笔均低于审批限额 {_yuan(threshold)} 元，"
                f"合计 {_yuan(total)} 元，达到限额；可能拆分支付规避审批（窗口 {window} 天）。",
                payee_name=first.payee_name,
            )
        )
    return found


def round_cluster(commission_id: int, rule: ScreeningRule) -> list[Candidate]:
    unit = rule.threshold or Decimal("1000")
    least = rule.min_count or 5
    share = rule.ratio if rule.ratio is not None else Decimal("0.80")
    unit_cents = int(unit * 100)
    rows = _fetch(
        f"""
        WITH flagged AS (
            SELECT id, township_id, COALESCE(village_id, 0) AS place, item, period,
                   CASE WHEN CAST(ROUND(amount * 100) AS BIGINT) %% %s = 0 THEN 1 ELSE 0 END AS is_round
            FROM {PAYMENT} WHERE commission_id = %s
        ),
        clusters AS (
            SELECT township_id, place, item, period FROM flagged
            GROUP BY township_id, place, item, period
            HAVING SUM(is_round) >= %s AND SUM(is_round) >= CAST(%s AS NUMERIC) * COUNT(*)
        ),
        totals AS (
            SELECT township_id, place, item, period, COUNT(*) AS n FROM flagged
            GROUP BY township_id, place, item, period
        )
        SELECT {ROW_COLUMNS}, t.n FROM flagged f
        JOIN clusters c ON c.township_id = f.township_id AND c.place = f.place AND c.item = f.item
             AND c.period = f.period
        JOIN totals t ON t.township_id = f.township_id AND t.place = f.place AND t.item = f.item
             AND t.period = f.period
        JOIN {PAYMENT} p ON p.id = f.id
        WHERE f.is_round = 1
        ORDER BY p.township_id, p.village_id, p.item, p.period, p.id
        """,
        [unit_cents, commission_id, least, share],
    )
    groups: dict[tuple[int, int | None, str, str], tuple[list[Row], int]] = {}
    for values in rows:
        row = _row(values)
        groups.setdefault((row.township_id, row.village_id, row.item, row.period), ([], int(values[ROW_WIDTH])))[
            0
        ].append(row)
    found = []
    for group, total_count in groups.values():
        first = group[0]
        total = sum((r.amount for r in group), Decimal("0.00"))
        found.append(
            Candidate(
                group,
                f"“{first.item}”所属期 {first.period} 同一村（社区）共发放 {total_count} 笔，其中 {len(group)} 笔为"
                f"{_yuan(unit)} 元的整数倍（占 {len(group) * 100 // total_count}%），合计 {_yuan(total)} 元；"
                "请核对是否按实际核算发放。",
            )
        )
    return found


RULES: dict[str, Callable[[int, ScreeningRule], list[Candidate]]] = {
    RuleCode.DUPLICATE_PAYEE: duplicate_payee,
    RuleCode.CADRE_RELATIVE: cadre_relative,
    RuleCode.DECEASED_OR_MOVED: deceased_or_moved,
    RuleCode.OVER_STANDARD: over_standard,
    RuleCode.SPLIT_PAYMENTS: split_payments,
    RuleCode.ROUND_CLUSTER: round_cluster,
}
