#!/usr/bin/env python
"""Benchmark duplicate detection (重复件识别): indexing throughput, lookup latency, recall.

    .venv/bin/python bench/bench_dedup.py                       # 200 k documents, throwaway SQLite
    .venv/bin/python bench/bench_dedup.py --rows 1000000 --passes 2
    .venv/bin/python bench/bench_dedup.py --rows 3500000        # one national year of reports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_dedup.py --wipe
    .venv/bin/python bench/bench_dedup.py --rows 1000000 --reuse   # measure the last loaded index again
    .venv/bin/python bench/bench_dedup.py --per-commission 0    # everything in one commission (stress)
    .venv/bin/python bench/bench_dedup.py --tune                # no database: similarities, S-curves

Targets (DESIGN §5b): registration with the duplicate check ≥ 200 reports/s; duplicate lookup
p95 ≤ 10 ms with one national year indexed (≈ 3.5 M reports, 2 M clues).

The corpus is generated from templates (opening, background, 2–4 allegations of one problem
category, evidence, closing; every template has alternative wordings and slots for names, villages,
amounts, years, relatives), spread over commissions of ``--per-commission`` documents (≈ 1,800 is
the national average: 5.5 M documents over ≈ 3,000 county-level commissions). A known share are
planted repeats: a resubmission of an earlier letter (a line added, a sentence dropped or added, a
few typing changes) or a rephrasing of the same facts (same person, village, amounts; other
wording and order); and a share are new matters about an earlier accused person. Lookups are
scoped to one commission, as the product scopes them; ``--passes 2`` repeats them to show the
cached figure. Registration runs from ``--reg-jobs`` processes at once, like web workers.

A database given by DATABASE_URL must hold no indexed documents (or pass --wipe: it empties the
dedup tables, so never point this at a database that matters). Each commission's documents come
from their own random stream, so ``--reuse`` can regenerate the planted samples without reloading.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

# --- the corpus -------------------------------------------------------------------------------------
# "{a|b|c}" picks one wording; "<slot>" is filled from the report's facts.

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "建国军伟强磊勇杰涛明超刚平辉鹏华飞鑫波宁斌海峰林东宇浩俊凯亮志国文永春玉兰英秀芳丽娟敏静燕红霞桂凤"
    "德福贵财宝山河成才庆喜顺利长生金银铁柱树森广义仁忠孝礼信良善洪波振兴兴旺玉田连生占元宏图有才"
)
PLACE_A = "大小东西南北前后上下新老高杨李王张刘马石黄白青红柳松桃杏榆槐梨枣沙河泉山岭岗沟坡湾庄屯堡寨营"
PLACE_B = "河沟岭山屯台堡庄营岗子房洼坪湾坎甸峪口店桥园林家集铺"
TOWN_KIND = ("镇", "乡", "街道")
POSITIONS = (
    "村党支部书记",
    "村委会主任",
    "村党支部书记兼村委会主任",
    "村会计",
    "村文书",
    "村监委会主任",
    "村妇女主任",
    "村民小组长",
    "镇扶贫办主任",
    "镇财政所所长",
    "镇农经站站长",
    "镇民政办工作人员",
    "镇党委委员",
)
RELATIVES = ("妻子", "妻弟", "小舅子", "儿子", "女儿", "侄子", "外甥", "弟弟", "哥哥", "儿媳", "亲家", "表弟", "连襟")
PROJECTS = ("高标准农田建设", "人居环境整治", "饮水安全工程", "道路硬化")
COMPANY_A = "鑫宏兴盛瑞祥恒通达金泰华丰源隆昌德利安顺"
COMPANY_B = ("建筑工程", "农业开发", "商贸", "土石方", "园林绿化", "养殖", "物流", "建材")
ITEMS = {
    "扶贫": ("产业扶持资金", "到户扶贫资金", "危房改造补助", "扶贫小额信贷贴息", "雨露计划补助", "光伏收益分红"),
    "三资": ("土地承包费", "厂房租金", "征地补偿款", "集体经营收入", "林木出售款", "砂石资源收入"),
    "惠农": ("耕地地力保护补贴", "种粮补贴", "农机购置补贴", "低保金", "高龄补贴", "退耕还林补助"),
    "八项规定": ("公款", "村集体资金", "招待费"),
    "形式主义": ("扶贫档案", "会议记录", "台账资料"),
    "廉洁纪律": ("好处费", "工程款", "项目资金"),
}
OPENINGS = (
    "我{要|想}{反映|举报}<town><village><position><name>的问题。",
    "本人是<town><village>的村民，现{实名|}{举报|反映}本村<position><name>{违纪违法|侵害群众利益}的问题。",
    "<name>，{男|女}，现任<town><village><position>。{经了解|据村民反映|我们发现}，{该同志|此人}存在以下问题：",
    "尊敬的{纪委领导|纪委监委领导|上级领导}：{您好！|}我们是<village>的{群众|村民|几名老党员}，{反映|举报}<position><name>的问题。",
    "{关于|反映}<town><village><position><name>{侵吞|截留|挪用}<item>的{举报|情况反映}。",
)
ALLEGATIONS = {
    "扶贫": (
        "<year>年，<name>利用{负责|经手|分管}{扶贫项目|产业扶贫资金|到户扶持资金}{发放|分配|管理}的{职务便利|机会}，"
        "将{应发给|本应发放给}<count>户{贫困户|脱贫户|监测户}的<item>共计<amount>{截留|挪用|据为己有|私自扣下}。",
        "{他|该书记|此人}把{自己的|其}<relative>{违规|不符合条件却}{纳入|列为}{建档立卡贫困户|低保户|监测对象}，"
        "{每年|连续几年}{领取|冒领}<item>，{而|但}真正{困难|贫困}的{群众|村民|人家}{却|反而}{没有|评不上}。",
        "<year>年{村里|本村}的{扶贫车间|光伏扶贫电站|扶贫养殖场|产业扶贫项目}{收益|分红}<amount>，"
        "{至今|一直}{没有|未}{公示|分给贫困户|入账}，{去向不明|不知去向}。",
        "{在|}<project>中，<name>{虚报|虚增}{工程量|贫困人口|项目数量}，{套取|骗取}扶贫资金<amount>。",
        "{贫困户|村民}<victim>{家|}的<item>{被|让}<name>{以各种名义|以“管理费”名义|以“手续费”的名义}"
        "{扣留|扣除|收取}了<amount>。",
        "{危房改造|易地搬迁}{补助|补贴}{发放|分配}{不公|过程中优亲厚友}，<name>的<relative>{家房子|住房}"
        "{并非危房|根本不是危房}{却|也}{领取了|拿到了}<amount>{补助|补贴}。",
    ),
    "三资": (
        "<name>{在|}{村集体|本村}{土地|耕地|林地|鱼塘}{发包|承包|流转}{过程中|时}{暗箱操作|不经村民代表大会讨论|私自做主}，"
        "把<count>亩{耕地|林地|荒山}以{明显低于市场价|每亩<price>元}的价格{包给|承包给|租给}{其|自己的}<relative>。",
        "{村集体|本村}的<item><amount>{长期|多年|一直}{没有入账|未进入村集体账户|存在个人账户上}，"
        "{被<name>个人使用|去向不明}。",
        "<year>年{村里|本村}{修建|硬化}{村路|水泥路|文化广场|水渠}，{工程|项目}{没有招标|未经公开招标|直接}"
        "{交给|包给}<name>的<relative>{承建|施工|干}，{工程质量差|质量很差，多处开裂|造价明显偏高}。",
        "<name>{私自|擅自}{变卖|处置}{村集体|村里}的{旧村部|集体房产|树木|砂石资源}，"
        "{所得|卖得的}<amount>{未入账|没有公开|装进了个人腰包}。",
        "{村务|财务}{长期|多年}{不公开|不透明}，{村民|群众}{多次|几次}{要求|申请}{查账|公开账目}，"
        "<name>{都|一直}{拒绝|推脱|不予理睬}。",
        "{村里|本村}{招待费|办公费|会议费}{开支|支出}{混乱|大}，{一年|每年}{吃喝|招待}{花费|就花了}<amount>，"
        "{白条|发票}{入账|报销}。",
    ),
    "惠农": (
        "<name>{虚报|多报}{耕地面积|种植面积|粮食种植面积}，{冒领|骗取|多领}<item><amount>。",
        "{村民|群众}的{惠农补贴|一卡通}{被|由}<name>{统一|集中}{保管|掌管}，{每年|每次}{补贴|钱}"
        "{到账后|发下来后}{被取走|被扣留}{一部分|<amount>}。",
        "<name>{以|借}{办理|申报}{低保|残疾人补贴|高龄补贴|养老保险}为名，{向|}{群众|村民}"
        "{收取|索要}{好处费|手续费|“辛苦费”}，{每户|每人}<small_amount>{不等|左右}。",
        "{已经去世|已故|外出多年}的{村民|人员}<victim>{仍在|还在}{领取|享受}<item>，{这些钱|钱}{实际上|都}"
        "{被|让}<name>{领走了|冒领|拿走}。",
        "{退耕还林|生态公益林|草原生态}{补偿|补助}{资金|款}<amount>，<name>{只|仅}{发放了|给村民发了}"
        "{一部分|一半}，{剩下的|其余}{至今|一直}{没有发|未发放}。",
    ),
    "八项规定": (
        "<name>{经常|多次}{在|到}{镇上|城里|县里}的{饭店|酒店|农家乐}{大吃大喝|宴请|吃喝}，{费用|花费}"
        "{由|都由}{村集体|公款|村里}{报销|承担|买单}，{仅|光}<year>年就{花了|报销了}<amount>。",
        "<year>年{春节|中秋|国庆}{期间|前后}，<name>{收受|接受}{承包商|商户|下属}{送的|赠送的}"
        "{购物卡|烟酒|红包|礼金}，{价值|共计}<amount>。",
        "<name>{为|给}{其|自己}<relative>{操办|大办}{婚礼|婚宴|升学宴|乔迁宴}，{摆了|办了}<count>{桌|多桌}"
        "{酒席|宴席}，{收受|收取}{管理服务对象|村民|下属}{礼金|份子钱}<amount>。",
        "<name>{公车私用|把公车开回家|经常开公车}{接送孩子|办私事|外出游玩}，{油费|加油费}{在|到}"
        "{村里|单位}{报销|报账}。",
    ),
    "形式主义": (
        "{镇里|<town>}{搞|开展}的{检查|督查|考核}{过多过滥|层层加码}，<name>{只顾|一味}{要求|让}{村干部|基层干部}"
        "{填表|迎检|留痕}，{没有时间|根本顾不上}{为群众办事|干实事}。",
        "<name>{对|}{群众|村民}{反映的问题|诉求|来访}{敷衍塞责|推诿扯皮|不理不睬}，{我们|群众}{跑了|去了}"
        "<count>{趟|次}{都|也}{没有|没}{解决|办成}。",
        "{为了|}{应付|迎接}{上级|检查}，<name>{组织|安排}{人员|村干部}{编造|补做|突击补}<item>，{弄虚作假|虚报成绩}。",
    ),
    "廉洁纪律": (
        "<name>在{担任|任}<position>期间，{利用职务便利|利用职权}{为|帮}<company>{承揽工程|办理手续|拿到项目}，"
        "{收受|收取}{好处费|贿赂}<amount>。",
        "<name>{长期|经常}{参与赌博|在外赌博|打麻将赌钱}，{输赢|赌资}{较大|数额较大}，{影响很坏|群众议论纷纷}。",
        "<name>{违规|私自}{经商办企业|入股|参股}<company>，{利用|借助}{职务影响|职权}{为公司|给公司}{谋取利益|揽活}。",
        "<name>在{换届选举|村委会选举|党支部选举}{中|期间}{拉票贿选|请客送礼拉选票|给村民发钱拉票}，"
        "{每票|每户}<small_amount>。",
    ),
}
BACKGROUND = (
    "<village>{位于|地处}<town>{东部|西部|南部|北部|镇政府附近}，{全村|村里}{有|共有}<count>{个村民小组|百多户人家}，"
    "{以种植玉米为主|大多数人外出务工|留守的多是老人和孩子}。",
    "<name>{自|从}<year>年{起|开始}{担任|任}<position>，{已经|}{干了|当了}{好几届|多年|好几年}，{在村里|在当地}"
    "{说一不二|一手遮天|没人敢惹}。",
    "{我家|本人家}{是|属于}{脱贫户|低保户|普通农户}，{家里|家中}{有|还有}{老人常年卧病|孩子在上学|残疾人}，"
    "{日子|生活}{过得|一直}{很困难|比较紧}。",
    "{村里|本村}{的事|大小事务}{都是|全由}<name>{一个人|一人}{说了算|决定}，{村两委|其他村干部}{不敢|没人敢}"
    "{提意见|过问}，{村民代表大会|村民会议}{很少|从来不}{召开|开}。",
    "{这些年|近几年}{国家|上级}{对|给}{农村|我们村}{投入|拨付}了{不少|很多}{资金|项目}，{可是|但}{群众|老百姓}"
    "{没得到|没有得到}{多少|什么}{实惠|好处}，{钱|资金}{都|大多}{不知道|不清楚}{用在哪里了|花到哪去了}。",
)
EVIDENCE = (
    "{村民|群众}<victim>、<victim2>{等人|等}{都|}{知道|了解|可以作证}{此事|这些情况|情况}。",
    "{有关|相关}{账目|单据|凭证}{在|可到}{镇经管站|镇财政所|村会计处}{查到|查询|调取}。",
    "{此事|这些问题}{在村里|在群众中}{影响很坏|议论很大|反响强烈}，{大家|群众}{敢怒不敢言|怕打击报复不敢说}。",
    "{我们|本人}{曾|已经|之前}{向|到}{镇里|镇政府|镇纪委}{反映过|举报过}，{但|可是}{至今|一直}{没有|未}"
    "{处理|答复|下文}。",
)
CLOSINGS = (
    "{请|恳请|希望}{上级|纪委|组织}{调查|核实|查处}{处理|清楚}{，还群众一个公道|，给群众一个交代|}。",
    "{望|希望}{领导|纪委监委}{重视|高度重视}，{尽快|及早}{派人|派员}{调查|核实}。",
    "{以上情况|以上所反映问题}{属实|均属实}，{本人愿意|我们愿意}{配合调查|承担责任|提供线索}。",
    "",
)
AGAIN = (
    "{此前|上个月|今年<month>月}{我|我们|本人}{已经|曾}{反映过|举报过}{此事|这个问题}，{至今|到现在}"
    "{没有|未见}{处理结果|任何答复|回音}，{现|今}{再次|又一次}{反映|举报}。",
)


_CHOICE = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"<(\w+)>")


@lru_cache(maxsize=512)
def _compiled(template: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """A template as its fixed pieces and, between them, the alternatives to choose from."""
    pieces = _CHOICE.split(template)
    return tuple(pieces[0::2]), tuple(tuple(alternatives.split("|")) for alternatives in pieces[1::2])


def render(template: str, rng: random.Random, facts: dict[str, str]) -> str:
    fixed, choices = _compiled(template)
    out = [fixed[0]]
    for alternatives, after in zip(choices, fixed[1:], strict=True):
        out.append(rng.choice(alternatives))
        out.append(after)
    return _SLOT.sub(lambda m: facts[m.group(1)], "".join(out))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def amount(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"{rng.randint(2, 99) * 100:,}元".replace(",", "")
    if kind < 0.8:
        return f"{rng.randint(1, 80) / 10:g}万元"
    return rng.choice(("一万多元", "两万多元", "三万余元", "五万余元", "十几万元", "好几千元"))


@dataclass
class Commission:
    """Where the synthetic reports of one commission happen: townships, villages, their cadres."""

    towns: list[str]
    villages: dict[str, list[str]]
    cadres: dict[str, list[tuple[str, str]]]  # village → [(name, position)]

    @classmethod
    def make(cls, rng: random.Random) -> Commission:
        towns = []
        for _ in range(rng.randint(12, 22)):
            towns.append(rng.choice(PLACE_A) + rng.choice(PLACE_B) + rng.choice(TOWN_KIND))
        villages = {
            t: [rng.choice(PLACE_A) + rng.choice(PLACE_B) + "村" for _ in range(rng.randint(8, 18))] for t in towns
        }
        cadres = {
            v: [(person_name(rng), rng.choice(POSITIONS)) for _ in range(rng.randint(3, 6))]
            for vs in villages.values()
            for v in vs
        }
        return cls(towns, villages, cadres)


@dataclass
class Plan:
    """The facts of one report and the templates it was written from; rendering it again with another
    random stream gives the same allegation in other words."""

    facts: dict[str, str]
    category: str
    opening: int
    allegations: list[int]
    evidence: list[int]
    closing: int
    background: list[int] = field(default_factory=list)
    again: bool = False
    text: str = ""


def new_plan(rng: random.Random, where: Commission, *, person: tuple[str, str, str, str] | None = None) -> Plan:
    if person is None:
        town = rng.choice(where.towns)
        village = rng.choice(where.villages[town])
        name, position = rng.choice(where.cadres[village])
    else:
        town, village, name, position = person
    category = rng.choices(list(ALLEGATIONS), weights=(30, 25, 25, 8, 5, 7))[0]
    facts = {
        "town": town,
        "village": village,
        "name": name,
        "position": position,
        "item": rng.choice(ITEMS[category]),
        "amount": amount(rng),
        "small_amount": f"{rng.randint(5, 60) * 10}元",
        "count": str(rng.randint(3, 40)),
        "price": str(rng.randint(10, 60) * 10),
        "year": str(rng.randint(2019, 2026)),
        "month": str(rng.randint(1, 12)),
        "relative": rng.choice(RELATIVES),
        "victim": person_name(rng),
        "victim2": person_name(rng),
        "company": f"{town[:2]}{''.join(rng.sample(COMPANY_A, 2))}{rng.choice(COMPANY_B)}有限公司",
        "project": f"{rng.randint(2019, 2026)}年{rng.choice(PROJECTS)}项目",
    }
    for i in range(6):  # each allegation has its own sums
        facts[f"amount{i}"] = amount(rng)
    allegations = rng.sample(range(len(ALLEGATIONS[category])), min(len(ALLEGATIONS[category]), rng.randint(2, 4)))
    background = rng.sample(range(len(BACKGROUND)), rng.randint(0, 3))
    evidence = rng.sample(range(len(EVIDENCE)), rng.randint(0, 2))
    return Plan(
        facts, category, rng.randrange(len(OPENINGS)), allegations, evidence, rng.randrange(len(CLOSINGS)), background
    )


def write(plan: Plan, rng: random.Random) -> str:
    parts = [render(OPENINGS[plan.opening], rng, plan.facts)]
    if plan.again:
        parts.append(render(AGAIN[0], rng, plan.facts))
    parts += [render(BACKGROUND[i], rng, plan.facts) for i in plan.background]
    parts += [
        render(ALLEGATIONS[plan.category][i], rng, {**plan.facts, "amount": plan.facts[f"amount{i}"]})
        for i in plan.allegations
    ]
    parts += [render(EVIDENCE[i], rng, plan.facts) for i in plan.evidence]
    parts.append(render(CLOSINGS[plan.closing], rng, plan.facts))
    plan.text = "".join(parts)
    return plan.text


def resubmission(original: Plan, rng: random.Random) -> str:
    """The same letter sent again: a line saying so, a sentence dropped or added, a few typing changes."""
    sentences = [s + "。" for s in original.text.split("。") if s]
    at = 1 if len(sentences) > 1 else len(sentences)
    sentences.insert(at, render(AGAIN[0], rng, original.facts))
    if len(sentences) > 4 and rng.random() < 0.5:
        del sentences[rng.randrange(2, len(sentences))]
    if rng.random() < 0.5:
        sentences.insert(len(sentences) - 1, render(rng.choice(EVIDENCE), rng, original.facts))
    text = list("".join(sentences))
    for _ in range(rng.randint(0, 4)):  # typing changes
        if len(text) > 10:
            k = rng.randrange(len(text))
            if rng.random() < 0.5:
                del text[k]
            else:
                text.insert(k, rng.choice("的了和也在有"))
    return "".join(text)


def rephrasing(original: Plan, rng: random.Random) -> str:
    """The same facts in other words: other wordings of the same allegations, another order, another
    opening and closing (a neighbour writing about the same thing, or the reporter writing again)."""
    plan = Plan(
        facts=original.facts,
        category=original.category,
        opening=rng.randrange(len(OPENINGS)),
        allegations=rng.sample(original.allegations, len(original.allegations)),
        evidence=rng.sample(range(len(EVIDENCE)), rng.randint(0, 2)),
        closing=rng.randrange(len(CLOSINGS)),
        background=rng.sample(range(len(BACKGROUND)), rng.randint(0, 2)),
        again=rng.random() < 0.3,
    )
    return write(plan, rng)


@dataclass
class Document:
    object_id: int
    commission: int
    text: str
    names: tuple[str, ...]
    planted_from: int | None = None  # the object_id this one repeats
    planted_kind: str = ""  # "resubmission" / "rephrasing" / "same_person"


def commission_corpus(
    number: int, size: int, first_id: int, args: argparse.Namespace
) -> tuple[Commission, list[Document], dict[int, Plan]]:
    """The ``size`` documents of commission ``number`` (its own random stream, so that commissions can be
    generated in any order and in parallel); a share of them repeat an earlier one."""
    rng = random.Random(args.seed * 1_000_003 + number)
    where = Commission.make(rng)
    plans: dict[int, Plan] = {}
    ids: list[int] = []
    documents = []
    for object_id in range(first_id, first_id + size):
        draw = rng.random()
        if ids and draw < args.repeat_share:
            earlier_id = rng.choice(ids)
            earlier = plans[earlier_id]
            kind = "resubmission" if rng.random() < 0.5 else "rephrasing"
            text = resubmission(earlier, rng) if kind == "resubmission" else rephrasing(earlier, rng)
            documents.append(Document(object_id, number, text, (earlier.facts["name"],), earlier_id, kind))
            continue
        if ids and draw < args.repeat_share + args.person_share:
            earlier_id = rng.choice(ids)
            f = plans[earlier_id].facts
            plan = new_plan(rng, where, person=(f["town"], f["village"], f["name"], f["position"]))
            documents.append(Document(object_id, number, write(plan, rng), (f["name"],), earlier_id, "same_person"))
        else:
            plan = new_plan(rng, where)
            documents.append(Document(object_id, number, write(plan, rng), (plan.facts["name"],)))
        plans[object_id] = plan
        ids.append(object_id)
    return where, documents, plans


def corpus(rows: int, per_commission: int, args: argparse.Namespace) -> Iterator[Document]:
    per = per_commission or rows
    for number, first in enumerate(range(1, rows + 1, per), start=1):
        yield from commission_corpus(number, min(per, rows + 1 - first), first, args)[1]


# --- tuning: similarity of planted and unrelated pairs, empirical S-curves (no database) -------------


def tune(args: argparse.Namespace) -> None:
    from xiezuoqu.dedup import minhash

    docs = list(corpus(args.tune_rows, args.tune_rows, args))
    t0 = time.perf_counter()
    prints = {d.object_id: minhash.fingerprint(d.text) for d in docs}
    per_doc = (time.perf_counter() - t0) / len(docs) * 1e3
    lengths = [len(d.text) for d in docs]
    print(
        f"语料 {len(docs):,} 篇  平均 {statistics.mean(lengths):.0f} 字（中位 {statistics.median(lengths):.0f}）"
        f"  指纹计算 平均 {per_doc:.3f} ms/篇"
    )
    rng = random.Random(args.seed + 1)
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for d in docs:
        if d.planted_from:
            by_kind.setdefault(d.planted_kind, []).append((d.object_id, d.planted_from))
    ids = [d.object_id for d in docs]
    by_kind["unrelated"] = [tuple(rng.sample(ids, 2)) for _ in range(20_000)]  # type: ignore[misc]
    configs = [(42, 3), (32, 4), (36, 3), (64, 2), (21, 6), (16, 4)]

    def share_band(a: minhash.Fingerprint, b: minhash.Fingerprint, bands: int, rows: int) -> bool:
        return any(
            a.signature[i * rows : (i + 1) * rows] == b.signature[i * rows : (i + 1) * rows] for i in range(bands)
        )

    header = "  ".join(f"{b}×{r}" for b, r in configs)
    print(f"{'配对':<14}{'对数':>7}  Jaccard p10/p50/p90     成为候选的比例（带数×行数）: {header}")
    for kind, pairs in by_kind.items():
        js = sorted(minhash.jaccard(prints[a].shingles, prints[b].shingles) for a, b in pairs)
        hits = [
            sum(share_band(prints[a], prints[b], bands, rows) for a, b in pairs) / len(pairs) for bands, rows in configs
        ]
        q = statistics.quantiles(js, n=10)
        print(
            f"{kind:<14}{len(pairs):>7}  {q[0]:.2f} / {statistics.median(js):.2f} / {q[-1]:.2f}"
            f"        {'  '.join(f'{h:>5.1%}' for h in hits)}"
        )
    print("理论 S 曲线 P(J) = 1 − (1 − J^r)^b：")
    for bands, rows in configs:
        curve = "  ".join(
            f"J={j:.1f}:{minhash.candidate_probability(j, bands=bands, rows=rows):.2f}"
            for j in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
        )
        print(f"  {bands}×{rows}  阈值≈{(1 / bands) ** (1 / rows):.2f}  {curve}")
    # Empirical S-curve of this signature scheme (one-permutation hashing, densified): pairs by J bin,
    # against the mean theoretical probability of the same pairs.
    bins: dict[int, list[tuple[float, bool]]] = {}
    for pairs in by_kind.values():
        for a, b in pairs:
            j = minhash.jaccard(prints[a].shingles, prints[b].shingles)
            hit = share_band(prints[a], prints[b], minhash.BANDS, minhash.ROWS)
            bins.setdefault(min(9, int(j * 10)), []).append((j, hit))
    print(f"实测 S 曲线（{minhash.BANDS}×{minhash.ROWS}）：")
    for k in sorted(bins):
        found = sum(hit for _, hit in bins[k]) / len(bins[k])
        theory = statistics.mean(minhash.candidate_probability(j) for j, _ in bins[k])
        print(f"  J∈[{k / 10:.1f},{k / 10 + 0.1:.1f})  {len(bins[k]):>6} 对  候选 {found:.1%}  （理论 {theory:.1%}）")
    print("样例：")
    sample = next(d for d in docs if d.planted_kind == "rephrasing")
    original = next(d for d in docs if d.object_id == sample.planted_from)
    print("  原件：", original.text)
    print("  改写：", sample.text)
    sample = next(d for d in docs if d.planted_kind == "resubmission")
    original = next(d for d in docs if d.object_id == sample.planted_from)
    print("  原件：", original.text)
    print("  再次：", sample.text)


# --- the database benchmark --------------------------------------------------------------------------


def setup_django() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuoqu.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # as in production: no per-query logging
    os.environ.setdefault("XIEZUOQU_DATA_KEY", "bench-data-key-not-a-secret-0123456789abcdef")
    os.environ.setdefault("XIEZUOQU_AUDIT_KEY", "bench-audit-key-not-a-secret-0123456789")
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict.get('NAME')}"


def prepare_database(args: argparse.Namespace) -> str:
    if not os.environ.get("DATABASE_URL"):
        bench_dir = ROOT / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db = bench_dir / "dedup.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    where = setup_django()
    from django.core.management import call_command
    from django.db import connection

    from xiezuoqu.dedup.models import DuplicateLink, IndexedDocument, LshBucket, PersonKey

    call_command("migrate", verbosity=0)
    if IndexedDocument.objects.exists():
        if not args.wipe:
            sys.exit("该数据库已有重复件索引；基准测试只在空索引上运行（或加 --wipe 清空重复件索引表）。")
        tables = [m._meta.db_table for m in (LshBucket, PersonKey, DuplicateLink, IndexedDocument)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
    return where


def commission_pks(count: int) -> list[int]:
    from xiezuoqu.org.models import Commission as Org

    names = [f"基准重复件纪委监委{i:05d}" for i in range(1, count + 1)]
    existing = dict(Org.objects.filter(name__in=names).values_list("name", "pk"))
    Org.objects.bulk_create(
        [Org(name=n, short_name=f"基{i}"[:20]) for i, n in enumerate(names, 1) if n not in existing], batch_size=1000
    )
    by_name = dict(Org.objects.filter(name__in=names).values_list("name", "pk"))
    return [by_name[n] for n in names]


def _load_worker(task: tuple[argparse.Namespace, list[tuple[int, int, int, int]], int]) -> tuple[int, float, list]:
    """Generate and bulk-index some commissions (in a process of its own); return planted samples."""
    args, commissions, keep = task
    setup_django()
    from xiezuoqu.dedup.services import DocumentText, index_documents

    indexed = 0
    generating = 0.0
    samples: list[Document] = []
    for number, pk, first, size in commissions:
        t0 = time.perf_counter()
        _, documents, _ = commission_corpus(number, size, first, args)
        generating += time.perf_counter() - t0
        indexed += index_documents(DocumentText("report", d.object_id, pk, d.text, d.names) for d in documents)
        planted = [d for d in documents if d.planted_from]
        samples += random.Random(number).sample(planted, min(keep, len(planted)))
    return indexed, generating, samples


def load(args: argparse.Namespace, pks: list[int]) -> tuple[list[Document], float]:
    import multiprocessing

    from django.db import connections

    per = args.per_commission or args.rows
    plan = [
        (number, pks[number - 1], first, min(per, args.rows + 1 - first))
        for number, first in enumerate(range(1, args.rows + 1, per), start=1)
    ]
    keep = max(3, -(-args.queries // len(plan)) + 1)
    tasks = [(args, plan[j :: args.jobs], keep) for j in range(args.jobs)]
    connections.close_all()
    t0 = time.perf_counter()
    if args.jobs == 1:
        results = [_load_worker(tasks[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.map(_load_worker, tasks)
    elapsed = time.perf_counter() - t0
    indexed = sum(r[0] for r in results)
    generating = sum(r[1] for r in results)
    samples = [d for r in results for d in r[2]]
    rate = indexed / elapsed
    print(
        f"批量索引  {indexed:>10,} 篇  {elapsed:>7.1f} 秒  {rate:>8,.0f} 篇/秒（{args.jobs} 个进程；"
        f"其中生成语料共 {generating:.0f} 进程秒，"
        f"不含则约 {indexed / max(0.001, elapsed - generating / args.jobs):,.0f} 篇/秒）"
    )
    return samples, rate


def setup_django_on(args: argparse.Namespace) -> str:
    """The database of an earlier run (``--reuse``): SQLite's file under var/bench/, or DATABASE_URL."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'dedup.sqlite3'}"
    return setup_django()


def regenerate_samples(args: argparse.Namespace, pks: list[int]) -> list[Document]:
    """The planted repeats of some commissions, generated again (each commission has its own stream)."""
    per = args.per_commission or args.rows
    rng = random.Random(args.seed + 3)
    numbers = rng.sample(range(1, len(pks) + 1), min(len(pks), max(1, args.queries // 4)))
    samples: list[Document] = []
    for number in numbers:
        first = (number - 1) * per + 1
        _, documents, _ = commission_corpus(number, min(per, args.rows + 1 - first), first, args)
        planted = [d for d in documents if d.planted_from]
        samples += random.Random(number).sample(planted, min(len(planted), 4))
    return samples


def maintain() -> None:
    """What autovacuum does on a live system: statistics and the visibility map (index-only scans)."""
    from django.db import connection

    from xiezuoqu.dedup.models import IndexedDocument, LshBucket, PersonKey

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (LshBucket, PersonKey, IndexedDocument):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        else:
            cursor.execute("ANALYZE")
    print(f"维护      VACUUM/ANALYZE {time.perf_counter() - t0:.1f} 秒")


def sizes(rows: int) -> None:
    from django.db import connection

    from xiezuoqu.dedup.models import IndexedDocument, LshBucket, PersonKey

    if connection.vendor == "postgresql":
        parts = []
        total = 0
        with connection.cursor() as cursor:
            for model in (IndexedDocument, LshBucket, PersonKey):
                cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
                size = cursor.fetchone()[0]
                total += size
                parts.append(f"{model.__name__} {size / 2**20:,.0f} MB")
        print(
            f"占用      {'，'.join(parts)}；合计 {total / 2**20:,.0f} MB，每篇 {total / rows / 1024:.2f} KB"
            f" → 550 万篇约 {total / rows * 5_500_000 / 2**30:.1f} GB"
        )
    else:
        path = Path(connection.settings_dict["NAME"])
        total = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
        print(
            f"占用      数据库文件 {total / 2**20:,.0f} MB，每篇 {total / rows / 1024:.2f} KB"
            f" → 550 万篇约 {total / rows * 5_500_000 / 2**30:.1f} GB"
        )


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def fresh_text(args: argparse.Namespace, number: int, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """A new report in commission ``number`` (same townships and cadres as its indexed ones)."""
    where = Commission.make(random.Random(args.seed * 1_000_003 + number))
    plan = new_plan(rng, where)
    return write(plan, rng), (plan.facts["name"],)


def bench_lookups(args: argparse.Namespace, pks: list[int], samples: list[Document]) -> None:
    """Half the lookups repeat an indexed document (recall), half are new reports; then lookups across
    ten commissions. ``--passes 2`` runs the same lookups again: an upper bound on what caching gives."""
    from xiezuoqu.dedup import minhash
    from xiezuoqu.dedup.models import IndexedDocument, LshBucket
    from xiezuoqu.dedup.services import find_similar, fingerprint

    rng = random.Random(args.seed + 7)
    planted = rng.sample(samples, min(args.queries // 2, len(samples)))
    fresh = []
    for _ in range(args.queries - len(planted)):
        number = rng.randint(1, len(pks))
        fresh.append((number, *fresh_text(args, number, rng)))
    wide = []
    if len(pks) >= 10:
        for _ in range(200):
            first = rng.randint(0, len(pks) - 10)
            wide.append((first, *fresh_text(args, first + 1, rng)))
    labels = {"resubmission": "再次来信", "rephrasing": "改写同一事项", "same_person": "同一人另一事项"}
    for run in range(1, args.passes + 1):
        repeats: list[float] = []
        found: dict[str, list[bool]] = {}
        for d in planted:
            t0 = time.perf_counter()
            matches = find_similar(
                text=d.text,
                accused_names=d.names,
                commission_ids=[pks[d.commission - 1]],
                exclude=("report", d.object_id),
            )
            repeats.append((time.perf_counter() - t0) * 1000)
            found.setdefault(d.planted_kind, []).append(any(m.object_id == d.planted_from for m in matches))
        news: list[float] = []
        for number, text, names in fresh:
            t0 = time.perf_counter()
            find_similar(text=text, accused_names=names, commission_ids=[pks[number - 1]])
            news.append((time.perf_counter() - t0) * 1000)
        every = repeats + news
        label = f"（第 {run} 遍）" if args.passes > 1 else ""
        print(
            f"查重查询{label}  {len(every):>6,} 次  p50 {percentile(every, 50):.2f} ms"
            f"  p95 {percentile(every, 95):.2f} ms  p99 {percentile(every, 99):.2f} ms  最大 {max(every):.2f} ms"
            f"（重复件 p95 {percentile(repeats, 95):.2f} ms，新件 p95 {percentile(news, 95):.2f} ms）"
        )
        if wide:
            spans: list[float] = []
            for first, text, names in wide:
                t0 = time.perf_counter()
                find_similar(text=text, accused_names=names, commission_ids=pks[first : first + 10])
                spans.append((time.perf_counter() - t0) * 1000)
            print(
                f"十个纪委范围{label} {len(spans):>5,} 次  p50 {percentile(spans, 50):.2f} ms"
                f"  p95 {percentile(spans, 95):.2f} ms"
            )
        if run > 1:
            continue
        for kind, hits in sorted(found.items()):
            print(
                f"召回      {labels[kind]:<8} {sum(hits):>5}/{len(hits):<5} {sum(hits) / len(hits):6.1%}"
                "（姓名+内容，前10）"
            )
    # Outside the timings: the similarity of the planted pairs, recall by text alone, LSH candidates.
    by_text: dict[str, list[bool]] = {}
    pair_j: dict[str, list[float]] = {}
    for d in planted:
        if d.planted_kind == "same_person":
            continue
        scope = [pks[d.commission - 1]]
        text_only = find_similar(text=d.text, commission_ids=scope, exclude=("report", d.object_id))
        stored = dict(
            IndexedDocument.objects.filter(kind="report", object_id__in=[d.object_id, d.planted_from]).values_list(
                "object_id", "shingles"
            )
        )
        j = minhash.jaccard(
            set(minhash.unpack_u32(bytes(stored[d.object_id]))), set(minhash.unpack_u32(bytes(stored[d.planted_from])))
        )
        band = "J≥0.5" if j >= 0.5 else "0.3≤J<0.5" if j >= 0.3 else "J<0.3"
        by_text.setdefault(band, []).append(any(m.object_id == d.planted_from for m in text_only))
        pair_j.setdefault(labels[d.planted_kind], []).append(j)
    for band in ("J≥0.5", "0.3≤J<0.5", "J<0.3"):
        hits = by_text.get(band, [])
        if hits:
            print(
                f"仅凭内容  {band:<10} {sum(hits):>5}/{len(hits):<5} {sum(hits) / len(hits):6.1%}"
                "（不给姓名，最低分 0.3）"
            )
    medians = "，".join(f"{kind} {statistics.median(js):.2f}" for kind, js in pair_j.items())
    candidates = [
        LshBucket.objects.filter(commission_id=pks[number - 1], bucket_hash__in=fingerprint(text).bucket_keys)
        .values("document_id")
        .distinct()
        .count()
        for number, text, _ in fresh[:200]
    ]
    print(f"其他      配对 Jaccard 中位：{medians}；新件平均 LSH 候选 {statistics.mean(candidates):.1f} 篇")


def _registration_worker(
    args: argparse.Namespace, pks: list[int], worker: int, start: Any, results: Any
) -> None:  # pragma: no cover - runs in its own process
    """Register a share of the reports (texts prepared first): the duplicate check as the registration
    page runs it (a read), then the new report's entry in the registering transaction."""
    setup_django()
    from django.db import transaction

    from xiezuoqu.dedup.services import find_similar, index_document

    rng = random.Random(args.seed + 11 + worker)
    count = args.registrations // args.reg_jobs
    prepared = []
    for _ in range(count):
        number = rng.randint(1, len(pks))
        prepared.append((number, *fresh_text(args, number, rng)))
    first_id = args.first_new_id + worker * count
    start.wait()
    began = time.time()
    timings = []
    for i, (number, text, names) in enumerate(prepared):
        t0 = time.perf_counter()
        find_similar(text=text, accused_names=names, commission_ids=[pks[number - 1]])
        with transaction.atomic():
            index_document(
                kind="report", object_id=first_id + i, commission_id=pks[number - 1], text=text, accused_names=names
            )
        timings.append((time.perf_counter() - t0) * 1000)
    results.put((began, time.time(), timings))


def bench_registrations(args: argparse.Namespace, pks: list[int]) -> None:
    """Registration's share: the duplicate check and the indexing of the new report (with its commit),
    from ``--reg-jobs`` processes at once (as from that many web workers)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(args.reg_jobs)
    results = context.Queue()
    workers = [
        context.Process(target=_registration_worker, args=(args, pks, w, start, results)) for w in range(args.reg_jobs)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    began = min(o[0] for o in outcomes)
    ended = max(o[1] for o in outcomes)
    timings = [t for o in outcomes for t in o[2]]
    print(
        f"登记查重  {len(timings):>10,} 件  {len(timings) / (ended - began):>8,.0f} 件/秒"
        f"（{args.reg_jobs} 个进程同时登记；每件 = 查重 + 入索引并提交）"
        f"  p50 {percentile(timings, 50):.2f} ms  p95 {percentile(timings, 95):.2f} ms"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="documents to index (default 200000)")
    parser.add_argument("--per-commission", type=int, default=1_800, help="documents per commission (0: all in one)")
    parser.add_argument("--queries", type=int, default=1_000, help="lookups to time (half repeats, half new)")
    parser.add_argument("--registrations", type=int, default=2_000, help="registrations (check + index) to time")
    parser.add_argument("--repeat-share", type=float, default=0.10, help="share of planted repeats (default 0.10)")
    parser.add_argument("--person-share", type=float, default=0.05, help="share of new matters about an earlier person")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--passes", type=int, default=1, help="run the same lookups this many times")
    parser.add_argument("--wipe", action="store_true", help="empty the dedup tables of DATABASE_URL first")
    parser.add_argument(
        "--reuse", action="store_true", help="measure an index loaded by an earlier run (same --rows, --seed ...)"
    )
    parser.add_argument("--tune", action="store_true", help="study similarities and S-curves, no database")
    parser.add_argument("--tune-rows", type=int, default=5_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the bulk load")
    parser.add_argument("--reg-jobs", type=int, default=os.cpu_count() or 1, help="processes registering at once")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.tune:
        tune(args)
        return
    import platform

    where = setup_django_on(args) if args.reuse else prepare_database(args)
    per = args.per_commission or args.rows
    count = -(-args.rows // per)
    print(
        f"重复件识别基准  数据库 {where}  Python {platform.python_version()}  CPU {os.cpu_count()} 核"
        f"  {args.rows:,} 篇，{count:,} 个纪委监委（每个约 {min(per, args.rows):,} 篇）"
    )
    pks = commission_pks(count)
    if args.reuse:
        samples = regenerate_samples(args, pks)
    else:
        samples, _ = load(args, pks)
        maintain()
    from django.db.models import Max

    from xiezuoqu.dedup.models import IndexedDocument

    args.first_new_id = (IndexedDocument.objects.aggregate(m=Max("object_id"))["m"] or 0) + 1
    sizes(args.rows)
    bench_lookups(args, pks, samples)
    if args.registrations:
        bench_registrations(args, pks)


if __name__ == "__main__":
    main()
