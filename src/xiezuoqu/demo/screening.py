"""Demo 大数据监督 for 凤城市 (invented data, marked as demo): a 惠农 file and a 三资 file imported through
the normal import service (CSV in the template's layout), a reference list of persons dead or moved
away, the standard of one subsidy item — and in the files, planted anomalies (at least one per rule)
among ordinary rows that no rule flags.

``load_demo_screening()`` returns what was planted (``ScreeningDemo.planted``: rule code → the line
numbers of each planted anomaly per file) so a test can measure precision and recall per rule. A
second call imports nothing and records nothing (the demo's batches are found, on any later day too).
The first load also works two hits the way a zone would: the payment to a dead person becomes a clue
(来源 大数据监督, in the township's ledger), the cluster of round amounts is dismissed with a reason.
All dates lie in the demo year (from 5 January to today), as in the other demo loaders.
"""

from __future__ import annotations

import csv
import io
import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.org.models import Commission, DeclaredRelationship, StaffMember, Unit, Village
from xiezuoqu.screening import selectors, services
from xiezuoqu.screening.imports import TEMPLATE_COLUMNS, id_check_digit
from xiezuoqu.screening.models import (
    Hit,
    HitState,
    ImportBatch,
    ItemStandard,
    MoneyKind,
    Payment,
    ReferenceList,
    RuleCode,
)

from .data import COMMISSION_NAME

IMPORTER = "anguan"  # 案件监督管理室: imports, keeps the rules, the standards and the reference list
SUBSIDY_ITEM = "耕地地力保护补贴"
SUBSIDY_STANDARD = Decimal("1500.00")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "国庆建华志强秀英桂兰玉梅海燕春生德才淑珍凤霞立新振宇明亮红梅永福桂芝长顺喜来金凤宝山学文佳怡子涵浩然"


@dataclass
class ScreeningDemo:
    created: bool
    batches: dict[str, int] = field(default_factory=dict)  # file label → batch id
    # rule code → planted anomalies, each a list of (file label, line number)
    planted: dict[str, list[list[tuple[str, int]]]] = field(default_factory=dict)
    ordinary: list[tuple[str, int]] = field(default_factory=list)
    rows: int = 0
    hits: int = 0
    clues: int = 0
    dismissed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"演示大数据监督：导入资金发放记录 {self.rows} 笔，发现疑点 {self.hits} 条"
            f"（转为问题线索 {self.clues} 条，排除 {self.dismissed} 条）；用时 {self.seconds:.1f} 秒。"
        )


def _id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
        first = f"210682{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = first + id_check_digit(first)
        if number not in used:
            used.add(number)
            return number


class _File:
    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: list[list[str]] = []

    def add(self, **values: str) -> tuple[str, int]:
        self.rows.append([values.get(c.key, "") for c in TEMPLATE_COLUMNS])
        return self.label, len(self.rows) + 1  # line 1 is the header

    def data(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.header for c in TEMPLATE_COLUMNS])
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8-sig")


def _place_name(unit: Unit) -> str:
    return unit.name.removesuffix("纪工委").removesuffix("纪委")


def load_demo_screening(*, commission: Commission | None = None) -> ScreeningDemo:
    """Import the demo files (once) and return what was planted in them."""
    started = clock.monotonic()
    commission = commission or Commission.objects.get(name=COMMISSION_NAME, is_demo=True)
    # Built afresh (not the cached demo actor): the demo may have been reloaded under new ids.
    actor = build_actor(User.objects.get(username=IMPORTER))
    rng = random.Random(15)
    today = timezone.localdate()
    year = today.year
    period = f"{year}年度"
    used_ids: set[str] = set()
    taken = set(StaffMember.objects.filter(commission=commission).values_list("name", flat=True))
    taken |= set(
        DeclaredRelationship.objects.filter(staff__commission=commission)
        .exclude(person_name="")
        .values_list("person_name", flat=True)
    )

    def person() -> str:
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
            if name not in taken:
                taken.add(name)
                return name

    # The stories below reach back up to 300 days; early in the year they are pressed into the demo year
    # (5 January to today), keeping their order.
    scale = min(1.0, max((today - date(year, 1, 5)).days, 0) / 300)

    def day(back: int) -> date:
        return today - timedelta(days=round(back * scale))

    townships = list(
        Unit.objects.filter(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE).order_by("sort_order", "id")
    )
    villages = {t.pk: list(Village.objects.filter(township=t).order_by("name")) for t in townships}
    places = [(t, v) for t in townships for v in villages[t.pk][:2]]
    subsidy, assets = _File("惠农"), _File("三资")
    demo = ScreeningDemo(created=False, planted={code: [] for code in RuleCode.values})

    def subsidy_row(
        township: Unit, village: Village | None, name: str, id_number: str, amount: str, paid: date, **extra: str
    ) -> tuple[str, int]:
        return subsidy.add(
            township=_place_name(township),
            village=village.name if village else "",
            payer=f"{_place_name(township)}农业农村办",
            payee_name=name,
            id_number=id_number,
            item=extra.get("item", SUBSIDY_ITEM),
            amount=amount,
            paid_on=f"{paid:%Y-%m-%d}",
            period=extra.get("period", period),
            approver="演示审批人",
            voucher=f"HN{len(subsidy.rows) + 1:05d}",
        )

    def assets_row(
        township: Unit, village: Village | None, name: str, id_number: str, item: str, amount: str, paid: date
    ) -> tuple[str, int]:
        return assets.add(
            township=_place_name(township),
            village=village.name if village else "",
            payer=f"{village.name if village else _place_name(township)}股份经济合作社",
            payee_name=name,
            id_number=id_number,
            item=item,
            amount=amount,
            paid_on=f"{paid:%Y-%m-%d}",
            period=f"{paid.year}年{paid.month}月",
            approver="演示村报账员",
            voucher=f"SZ{len(assets.rows) + 1:05d}",
        )

    # Ordinary 惠农 rows: one payment per person, area × 123.78 元/亩, under the standard, never round.
    for index, (township, village) in enumerate(places):
        for _ in range(3):
            mu = Decimal(rng.randrange(21, 115)) / 10
            amount = (mu * Decimal("123.78")).quantize(Decimal("0.01"))
            if amount % 1000 == 0:
                amount += Decimal("0.37")
            demo.ordinary.append(
                subsidy_row(township, village, person(), _id_number(rng, used_ids), f"{amount}", day(60 + index % 40))
            )
    # Ordinary 三资 rows: labour and materials, one payment per person, a few hundred 元 with cents.
    for index, (township, village) in enumerate(places):
        for item in ("村道保洁劳务费", "水利设施维修费"):
            amount = Decimal(rng.randrange(30000, 480000)) / 100
            if amount % 1000 == 0:
                amount += Decimal("1.50")
            demo.ordinary.append(
                assets_row(
                    township, village, person(), _id_number(rng, used_ids), item, f"{amount}", day(30 + index % 50)
                )
            )
    # A person on the reference list who was paid only BEFORE the date: ordinary, must not be flagged.
    early_township, early_village = places[1]
    early_name, early_id = person(), _id_number(rng, used_ids)
    demo.ordinary.append(subsidy_row(early_township, early_village, early_name, early_id, "986.40", day(150)))

    # 1. The same ID paid twice for the same item and period (under another spelling of the name).
    township, village = places[3]
    dup_name, dup_id = person(), _id_number(rng, used_ids)
    demo.planted[RuleCode.DUPLICATE_PAYEE].append(
        [
            subsidy_row(township, village, dup_name, dup_id, "1,114.02", day(90)),
            subsidy_row(township, village, dup_name[0] + "  " + dup_name[1:], dup_id, "1114.02", day(70)),
        ]
    )
    # 2. A payment to a relative a cadre declared (same village).
    relation = (
        DeclaredRelationship.objects.filter(
            staff__commission=commission, kind=DeclaredRelationship.Kind.KIN, related_village__isnull=False
        )
        .exclude(person_name="")
        .select_related("related_village__township")
        .order_by("id")
        .first()
    )
    if relation is not None and relation.related_village is not None:
        kin_village = relation.related_village
        demo.planted[RuleCode.CADRE_RELATIVE].append(
            [
                assets_row(
                    kin_village.township,
                    kin_village,
                    relation.person_name,
                    _id_number(rng, used_ids),
                    "村部维修工程款",
                    "3680.50",
                    day(40),
                )
            ]
        )
    # 3. A payment after the payee died (the reference list says so).
    township, village = places[5]
    dead_name, dead_id = person(), _id_number(rng, used_ids)
    demo.planted[RuleCode.DECEASED_OR_MOVED].append(
        [subsidy_row(township, village, dead_name, dead_id, "1238.16", day(45))]
    )
    # 4. Above the item's standard.
    township, village = places[7]
    demo.planted[RuleCode.OVER_STANDARD].append(
        [subsidy_row(township, village, person(), _id_number(rng, used_ids), "3216.88", day(80))]
    )
    # 5. Split payments under the approval threshold (5,000 元): three within 12 days, together 13,460.
    township, village = places[9]
    split_name, split_id = person(), _id_number(rng, used_ids)
    demo.planted[RuleCode.SPLIT_PAYMENTS].append(
        [
            assets_row(township, village, split_name, split_id, "村级活动场所修缮材料费", "4860.00", day(25)),
            assets_row(township, village, split_name, split_id, "村级活动场所修缮材料费", "4750.00", day(20)),
            assets_row(township, village, split_name, split_id, "村级活动场所修缮材料费", "3850.00", day(13)),
        ]
    )
    # 6. Round amounts clustered in one village, item and month: six payments of whole thousands.
    township, village = places[11]
    paid = day(18)
    demo.planted[RuleCode.ROUND_CLUSTER].append(
        [
            assets_row(township, village, person(), _id_number(rng, used_ids), "村道硬化误工补贴", amount, paid)
            for amount in ("2000", "3000.00", "2000", "1000", "3000", "2000")
        ]
    )
    reference = io.StringIO()
    writer = csv.writer(reference, lineterminator="\n")
    writer.writerow(["姓名", "身份证号码", "情形", "日期", "乡镇（街道）"])
    writer.writerow([dead_name, dead_id, "死亡", f"{day(120):%Y-%m-%d}", _place_name(places[5][0])])
    writer.writerow([early_name, early_id, "迁出", f"{day(100):%Y-%m-%d}", _place_name(early_township)])
    writer.writerow([person(), _id_number(rng, used_ids), "死亡", f"{day(300):%Y-%m-%d}", ""])
    reference_data = reference.getvalue().encode("utf-8-sig")

    # The commission's rule rows are made by the first import's screening run, in its audited transaction.
    standard = ItemStandard.objects.filter(
        commission=commission, kind=MoneyKind.FARM_SUBSIDY, item=SUBSIDY_ITEM
    ).first()
    if standard is None:
        services.set_standard(
            actor=actor,
            kind=MoneyKind.FARM_SUBSIDY,
            item=SUBSIDY_ITEM,
            max_amount=SUBSIDY_STANDARD,
            basis="演示：每户每年",
        )
    # Loaded before (perhaps on another day, when the files would differ): nothing more is imported.
    if not ReferenceList.objects.filter(commission=commission, is_demo=True).exists():
        services.import_reference_list(
            actor=actor, file_name="演示-死亡及迁出人员名单.csv", data=reference_data, is_demo=True
        )
        demo.created = True
    for label, kind, file in (("惠农", MoneyKind.FARM_SUBSIDY, subsidy), ("三资", MoneyKind.ASSETS, assets)):
        file_name = f"演示-{label}资金发放.csv"
        found = ImportBatch.objects.filter(commission=commission, is_demo=True, file_name=file_name).first()
        if found is None:
            found = services.import_payments(
                actor=actor, kind=kind, file_name=file_name, data=file.data(), is_demo=True
            ).batch
            demo.created = True
        demo.batches[label] = found.pk
    if demo.created:
        demo.clues, demo.dismissed = _work_hits(commission)
        demo.rows = Payment.objects.filter(batch_id__in=demo.batches.values()).count()
        demo.hits = Hit.objects.filter(commission=commission).count()
    demo.seconds = clock.monotonic() - started
    return demo


DISMISSAL = "经核实，系村道硬化误工补贴按出工天数计发（每天 100 元），有村民代表会议决议和出工记录，金额为整数属正常。"


def _zone_officer(hit: Hit) -> Actor | None:
    """The leader of the hit's zone (the one who acts on it in the demo)."""
    for username in ("zuzhang1", "zuzhang2", "zuzhang3", "zuzhang4"):
        user = User.objects.filter(username=username).first()
        if user is not None:
            actor = build_actor(user)
            if selectors.may_act_on(actor, hit):
                return actor
    return None


def _work_hits(commission: Commission) -> tuple[int, int]:
    """One hit turned into a clue, one dismissed, by the zone's leader (the rest stay 待核查)."""
    clues = dismissed = 0
    for code, dismiss in ((RuleCode.DECEASED_OR_MOVED, False), (RuleCode.ROUND_CLUSTER, True)):
        hit = (
            Hit.objects.filter(commission=commission, rule__code=code, state=HitState.OPEN)
            .select_related("township")
            .order_by("id")
            .first()
        )
        officer = _zone_officer(hit) if hit is not None else None
        if hit is None or officer is None:
            continue
        if dismiss:
            services.dismiss_hit(actor=officer, hit_id=hit.pk, reason=DISMISSAL)
            dismissed += 1
        else:
            services.refer_hit(actor=officer, hit_id=hit.pk)
            clues += 1
    return clues, dismissed
