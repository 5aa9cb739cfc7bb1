"""A demo county year of reports (演示数据): registered, routed and partly concluded through the real
intake services, so the ledger, the deadlines and the duplicate check show what a county sees.

Most reports concern village cadres in 扶贫, 集体"三资" and 惠农 (DESIGN §6). Every person, village
matter and sum here is invented. Deterministic (seeded), and idempotent: it does nothing when the
demo commission already has reports.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from xiezuoqu.access.actor import build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.intake import services as intake
from xiezuoqu.intake.models import Category, Channel, NotAcceptGround, NoticeMethod, Report
from xiezuoqu.org.models import Commission, Unit, Village

from .clock import Story, Timeline, moment, story_clock, workday_on_or_after, workdays_after
from .data import COMMISSION_NAME
from .people import SURNAMES

# (category, weight, summary, content) — {v} village, {p} person, {r} role, {n} amount, {y} year
TEMPLATES: list[tuple[str, int, str, str]] = [
    (
        Category.POVERTY,
        14,
        "{v}{r}{p}截留扶贫产业项目资金",
        "反映{v}{r}{p}在{y}年扶贫产业项目中，将应发放给脱贫户的分红资金约{n}元截留，未按规定足额发放，"
        "部分脱贫户至今未领到分红。请求调查核实。",
    ),
    (
        Category.POVERTY,
        8,
        "{v}{r}{p}优亲厚友认定低保、监测户",
        "{v}{r}{p}利用职务便利，将其亲属违规认定为低保户和防止返贫监测对象，家庭条件较好却享受帮扶资金约{n}元，"
        "群众意见很大。",
    ),
    (
        Category.COLLECTIVE_ASSETS,
        14,
        "{v}{r}{p}私自出租集体土地收取租金未入账",
        "{v}{r}{p}未经村民代表大会讨论，私自将村集体机动地出租给外村人员，收取租金约{n}元未入村集体账，"
        "村务公开栏也未公布。",
    ),
    (
        Category.COLLECTIVE_ASSETS,
        9,
        "{v}村集体工程未经招标由{r}{p}亲属承建",
        "{v}村道硬化及排水沟工程，总价约{n}元，未按规定公开招标，由{r}{p}的亲属承建，工程质量差，"
        "涉嫌拆分工程规避招标。",
    ),
    (
        Category.FARM_SUBSIDY,
        12,
        "{v}{r}{p}虚报冒领耕地地力保护补贴",
        "{v}{r}{p}在{y}年耕地地力保护补贴申报中，虚报耕地面积，以他人名义冒领补贴约{n}元。",
    ),
    (
        Category.FARM_SUBSIDY,
        6,
        "{v}惠农补贴“一卡通”被{r}{p}代管代领",
        "{v}部分老年村民的惠农补贴“一卡通”长期由{r}{p}保管，补贴资金约{n}元去向不明，村民多次索要未果。",
    ),
    (
        Category.EIGHT_RULES,
        6,
        "{u}{p}公款吃喝、违规收受礼金",
        "反映{u}{p}多次在辖区内饭店公款吃喝，并在其子女升学时收受管理服务对象礼金约{n}元。",
    ),
    (
        Category.MASSES,
        6,
        "{v}{r}{p}办事“吃拿卡要”",
        "{v}村民办理宅基地审批手续时，{r}{p}以各种理由拖延，暗示需要“表示”，有村民送过购物卡约{n}元。",
    ),
    (
        Category.WORK,
        4,
        "{u}{p}在人居环境整治中弄虚作假",
        "{u}{p}在农村人居环境整治检查中，组织突击摆拍，虚报整治完成户数，上报材料与实际严重不符。",
    ),
    (
        Category.FORMALISM,
        4,
        "{u}要求村干部重复填报表格、层层加码",
        "{u}近期要求各村每周报送多张内容重复的表格，村干部疲于应付，反映{p}只重留痕不重实效。",
    ),
    (
        Category.INTEGRITY,
        5,
        "{u}{p}违规经商办企业",
        "反映{u}{p}以其配偶名义在本镇经营砂石场，并利用职务影响承揽镇内工程，获利约{n}元。",
    ),
    (Category.LIFE, 2, "{u}{p}生活作风问题", "反映{u}{p}长期与他人保持不正当关系，在群众中造成不良影响。"),
    (
        Category.OTHER,
        4,
        "{v}邻里宅基地纠纷请求处理",
        "{v}村民反映与邻居因宅基地边界发生纠纷，要求纪委出面处理并追究{r}{p}调解不力的责任。",
    ),
]
VILLAGE_ROLES = ["党支部书记", "村委会主任", "村会计", "村报账员", "村监委会主任", "村民小组长"]
TOWN_POSITIONS = ["副镇长", "镇农业农村办主任", "镇财政所所长", "镇经管站站长", "镇民政助理"]
CHANNEL_WEIGHTS = [
    (Channel.LETTER, 22),
    (Channel.VISIT, 12),
    (Channel.PHONE, 18),
    (Channel.ONLINE, 24),
    (Channel.SUPERIOR, 6),
    (Channel.SUPERVISION, 6),
    (Channel.INSPECTION_TOUR, 4),
    (Channel.AUDIT, 3),
    (Channel.VILLAGE_SUPERVISOR, 5),
]
GIVEN = "志国建军海燕秀兰春生德福玉梅立新晓东红霞宝山长青国庆丽娟永刚桂芝文华"
OPENINGS = ["", "群众反映：", "来信人称，", "据反映，", "有村民反映，", "举报人称："]
# Particulars that make each matter its own (real reports differ in these, not only in names).
DETAILS = [
    "此事发生在{y}年春耕前后，村民代表会议记录中没有相关内容。",
    "知情人包括本村{w}，可以作证。",
    "有关票据和收据复印件已由村民保存。",
    "村里的公示栏自去年秋天起就再没有更新过。",
    "镇里曾派人来过一次，但问题至今没有解决。",
    "涉及农户约{k}户，多数是老人和留守妇女。",
    "相关款项经由{p2}的个人银行卡转出。",
    "{w}曾当面向其询问，被以“上级有规定”为由搪塞。",
    "村里在微信群中发过一次通知，很快就被撤回了。",
    "问题持续了{k}个月左右，群众多次到镇里反映。",
]


@dataclass
class ReportsSummary:
    created: int
    concluded: int
    seconds: float
    clues: int = 0


def _name(rng: random.Random) -> str:
    return (
        rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        + rng.choice(GIVEN)
        + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    )


def load_demo_reports(*, count: int = 240, seed: int = 2026) -> ReportsSummary:
    """Register ``count`` demo reports through the intake services (nothing if any exist already)."""
    started = timezone.now()
    commission = Commission.objects.get(name=COMMISSION_NAME, is_demo=True)
    if Report.objects.filter(commission=commission).exists():
        return ReportsSummary(0, 0, 0.0, 0)
    rng = random.Random(seed)
    registrar = build_actor(User.objects.get(username="dengji"))
    handlers = {
        u.role_assignments.filter(role="township_secretary").values_list("unit_id", flat=True).first(): build_actor(u)
        for u in User.objects.filter(username__in=["xzshuji", "xzshuji2", "xzshuji3", "xzshuji4"])
    }
    townships = list(
        Unit.objects.filter(commission=commission, kind=Unit.Kind.TOWNSHIP_COMMITTEE).order_by("sort_order")
    )
    villages: dict[int, list[Village]] = {}
    for village in Village.objects.filter(township__commission=commission):
        villages.setdefault(village.township_id, []).append(village)
    weights = [t[1] for t in TEMPLATES]
    today = timezone.localdate()
    # A sixth of the reports came in the year before (the year-on-year figures compare with them), the
    # rest from early January to now, a little denser in the months after the spring festival.
    last_year = count // 6
    days: list[date] = []
    for n in range(count):
        if n < last_year:
            first, last = date(today.year - 1, 1, 5), date(today.year - 1, 12, 28)
            share = n / max(last_year, 1)
        else:
            first, last = date(today.year, 1, 5), today
            share = ((n - last_year) / max(count - last_year, 1)) ** 1.1
        span = max((last - first).days - 3, 1)
        days.append(min(first + timedelta(days=int(span * share) + rng.randint(0, 3)), today))
    made: list[Report] = []
    concluded = 0
    opened: Counter[int] = Counter()
    earlier: list[tuple[int, str, str, str, int, str]] = []  # for planted repeat reports

    def story(received: date) -> Story:
        """One report: registered the day it came in, accepted (or not) within days, concluded weeks later."""
        nonlocal concluded
        yield moment(received, rng.randint(8, 16), rng.randint(0, 59))
        report = intake.register_report(
            actor=registrar, data=_report_input(rng, received, earlier, townships, villages, weights, today)
        )
        made.append(report)
        age = (today - received).days
        if age < 6:
            return  # just registered: still to be decided
        yield moment(workdays_after(received, rng.randint(1, 3)), rng.randint(9, 17))
        if rng.random() < 0.07:
            intake.not_accept_report(
                actor=registrar,
                report_id=report.pk,
                ground=rng.choice(NotAcceptGround.values),
                reason="经审查，不属于纪检监察机关受理范围，已告知反映人向有关部门反映。",
            )
            return
        handling = report.township_id
        intake.accept_report(
            actor=registrar, report_id=report.pk, reason="属于本机关受理范围。", handling_unit_id=handling
        )
        if report.is_real_name:
            intake.record_acceptance_notice(
                actor=registrar, report_id=report.pk, text="您反映的问题已受理，正在办理。", method=NoticeMethod.PHONE
            )
        handler = handlers.get(handling)
        if handler is None or handling is None:
            return
        if age > 45 and rng.random() < 0.75:
            yield moment(workday_on_or_after(received + timedelta(days=rng.randint(40, min(age, 90)))), 15)
            intake.conclude_report(actor=handler, report_id=report.pk, result=rng.choice(RESULTS))
            concluded += 1
        elif received.year == today.year and opened[handling] < 5:
            # The township turns some of its assigned reports into clues a week or two later.
            opened[handling] += 1
            yield moment(workdays_after(received, rng.randint(5, 12)), 10, 30)
            _open_demo_clue(handler, handling, report, rng)

    with story_clock() as clock:
        timeline = Timeline(clock)
        for received in days:
            timeline.add(story(received))
        timeline.run()
    return ReportsSummary(len(made), concluded, (timezone.now() - started).total_seconds(), sum(opened.values()))


def _report_input(
    rng: random.Random,
    received: date,
    earlier: list[tuple[int, str, str, str, int, str]],
    townships: list[Unit],
    villages: dict[int, list[Village]],
    weights: list[int],
    today: date,
) -> intake.ReportInput:
    """One invented report received on ``received`` (now and then the same matter again, 重复件)."""
    if earlier and rng.random() < 0.06:  # the same matter reported again (重复件)
        township_id, summary, content, category, village_id, person = rng.choice(earlier)
        content = "再次反映：" + content
    else:
        category, _, summary_t, content_t = rng.choices(TEMPLATES, weights)[0]
        township = rng.choice(townships)
        village = rng.choice(villages[township.pk])
        person, role = _name(rng), rng.choice(VILLAGE_ROLES)
        town_name = township.name.removesuffix("纪委").removesuffix("纪工委")
        slots = {
            "v": village.name,
            "p": person,
            "r": role,
            "n": rng.choice([3, 5, 8, 12, 26, 45, 80]) * 1000,
            "y": received.year - rng.choice([0, 1, 1, 2]),
            "u": town_name,
        }
        if "{u}" in summary_t:
            slots["r"] = rng.choice(TOWN_POSITIONS)
        slots.update({"w": _name(rng), "p2": _name(rng), "k": rng.randint(3, 40)})
        extras = "".join(d.format(**slots) for d in rng.sample(DETAILS, rng.randint(1, 3)))
        summary = summary_t.format(**slots)
        content = rng.choice(OPENINGS) + content_t.format(**slots) + extras
        township_id, village_id = township.pk, village.pk
        earlier.append((township_id, summary, content, category, village_id, person))
    real_name = rng.random() < 0.3
    # The 形式主义 template names a township, not a person: no accused then.
    accused = (
        [intake.AccusedInput(name=person, township_id=township_id, village_id=village_id)] if person in summary else []
    )
    return intake.ReportInput(
        channel=rng.choices([c for c, _ in CHANNEL_WEIGHTS], [w for _, w in CHANNEL_WEIGHTS])[0],
        received_on=received,
        summary=summary[:100],
        content=content,
        category=category,
        township_id=township_id,
        village_id=village_id,
        is_real_name=real_name,
        identity=intake.IdentityInput(name=_name(rng), phone=f"139{rng.randint(10000000, 99999999)}")
        if real_name
        else None,
        accused=accused,
    )


def _open_demo_clue(actor: Any, unit_id: int, report: Report, rng: random.Random) -> None:
    """A township with a demo login turns an assigned report into a clue and (mostly) studies it."""
    from xiezuoqu.clues import services as clues
    from xiezuoqu.clues.models import Rank, Source, SupervisionCategory

    clue = clues.open_clue(
        actor=actor,
        data=clues.ClueInput(
            handling_unit_id=unit_id,
            source=Source.REPORTS,
            category=report.category,
            summary=report.summary,
            content=report.content,
            report_ids=[report.pk],
        ),
    )
    accused = list(report.accused.all())
    if not accused or rng.random() < 0.3:
        return  # still to be studied
    person = accused[0]
    clues.add_subject(
        actor=actor,
        clue_id=clue.pk,
        data=clues.SubjectInput(
            name=person.name,
            position="村干部",
            rank=Rank.VILLAGE,
            is_village_cadre=True,
            supervision_category=SupervisionCategory.GRASSROOTS,
            township_id=report.township_id,
            village_id=report.village_id,
        ),
        accused_ids=[person.pk],
    )
    clues.record_analysis(
        actor=actor,
        clue_id=clue.pk,
        held_on=timezone.localdate(),
        doubts="资金流向是否进入个人账户；相关台账是否完整。",
        direction="调取村集体账目和补贴发放明细，核对银行流水，与相关农户谈话了解情况。",
        difficulties="部分农户外出务工，需电话联系。",
        participant_ids=[actor.staff_id],
    )


RESULTS = [
    "经初步核实，反映问题部分属实，已移交问题线索处置，对相关人员谈话提醒。",
    "经核查，反映问题不属实，已向被反映人所在党组织说明情况。",
    "经核查，反映问题属实，涉及资金已全部追缴退还群众，对相关责任人给予党内警告处分。",
    "经核查，反映问题基本属实，责令村集体规范合同管理，对村会计批评教育。",
]
