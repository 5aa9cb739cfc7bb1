"""The demo county: 凤城市纪委监委, written out as data.

Everything here is demo data (演示数据). The 21 township-level units and the division code are
Fengcheng's real ones (DESIGN §6); the zones' membership, the people, the villages' cadres, the
relationships and the pairs are invented for the demo. Staff are listed by *position* per unit; their
names and personal attributes come from a seeded generator (``people.py``), so the same county is
built on every machine. A person is referred to by ``(unit name, slot)``: the slot is the index in
that unit's list of positions, and slot 0 is always the head of the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xiezuoqu.accounts.roles import Role
from xiezuoqu.org.models import DeclaredRelationship, Unit

# The demo accounts share one published password (it is printed on the login page and in the README).
DEMO_PASSWORD = "Fengcheng#2026"

COMMISSION_NAME = "凤城市纪委监委"
COMMISSION_SHORT_NAME = "凤纪"
COMMISSION_DIVISION_CODE = "210682"

ZONE_NOTE = "演示数据：成员划分为演示而设"

# When the zones were set up, and when one township moved (the dated history the demo shows).
ZONES_FOUNDED = date(2024, 3, 1)
MOVE_ENDED = date(2025, 6, 30)
MOVE_STARTED = date(2025, 7, 1)

StaffRef = tuple[str, int]
"""A demo person: (name of their unit, slot in that unit's position list)."""

T = Unit.TownshipType
K = DeclaredRelationship.Kind
R = DeclaredRelationship.Kinship


# --- the commission's own bodies --------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSpec:
    name: str
    kind: Unit.Kind
    short_name: str
    staff: tuple[str, ...]


LEADERSHIP = "委领导班子"
OFFICE_1 = "第一纪检监察室"
OFFICE_2 = "第二纪检监察室"
OFFICE_3 = "第三纪检监察室"
OFFICE_4 = "第四纪检监察室"
PETITION_OFFICE = "信访室"
CASE_MANAGEMENT_OFFICE = "案件监督管理室"
TRIAL_OFFICE = "案件审理室"
GENERAL_OFFICE = "办公室"
CONDUCT_OFFICE = "党风政风监督室"

OFFICES: tuple[OfficeSpec, ...] = (
    OfficeSpec(
        LEADERSHIP,
        Unit.Kind.LEADERSHIP,
        "委领导",
        (
            "纪委书记、监委主任",
            "纪委副书记、监委副主任",
            "纪委副书记、监委副主任",
            # The four standing-committee members lead the four zones (slots 3–6 → zones 1–4).
            "纪委常委",
            "纪委常委",
            "纪委常委",
            "纪委常委",
        ),
    ),
    OfficeSpec(OFFICE_1, Unit.Kind.INSPECTION_OFFICE, "一室", ("主任", "副主任", "一级主任科员", "干部", "干部")),
    OfficeSpec(OFFICE_2, Unit.Kind.INSPECTION_OFFICE, "二室", ("主任", "副主任", "一级主任科员", "干部")),
    OfficeSpec(OFFICE_3, Unit.Kind.INSPECTION_OFFICE, "三室", ("主任", "副主任", "干部", "干部")),
    OfficeSpec(OFFICE_4, Unit.Kind.INSPECTION_OFFICE, "四室", ("主任", "一级主任科员", "干部", "干部")),
    OfficeSpec(PETITION_OFFICE, Unit.Kind.PETITION_OFFICE, "信访", ("主任", "副主任", "干部")),
    OfficeSpec(CASE_MANAGEMENT_OFFICE, Unit.Kind.CASE_MANAGEMENT_OFFICE, "案管", ("主任", "一级主任科员", "干部")),
    OfficeSpec(TRIAL_OFFICE, Unit.Kind.TRIAL_OFFICE, "审理", ("主任", "副主任", "干部")),
    # The three administrators (三员分立) are three different cadres of the general office (slots 1–3).
    OfficeSpec(GENERAL_OFFICE, Unit.Kind.OTHER_OFFICE, "办公室", ("主任", "一级主任科员", "干部", "干部")),
    OfficeSpec(CONDUCT_OFFICE, Unit.Kind.OTHER_OFFICE, "党风室", ("主任", "干部")),
)


@dataclass(frozen=True)
class GroupSpec:
    """A dispatched group (派驻纪检监察组) and the departments it supervises."""

    name: str
    short_name: str
    staff: tuple[str, ...]
    departments: tuple[str, ...]


GROUP_PARTY_OFFICE = "派驻市委办公室纪检监察组"
GROUP_EDUCATION = "派驻市教育局纪检监察组"
GROUP_AGRICULTURE = "派驻市农业农村局纪检监察组"
GROUP_NATURAL_RESOURCES = "派驻市自然资源局纪检监察组"
GROUP_HEALTH = "派驻市卫生健康局纪检监察组"
GROUP_FINANCE = "派驻市财政局纪检监察组"

DISPATCHED_GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        GROUP_PARTY_OFFICE,
        "市委办组",
        ("组长", "副组长", "干部"),
        ("市委办公室", "市委组织部", "市委宣传部", "市委统战部", "市委政法委员会"),
    ),
    GroupSpec(
        GROUP_EDUCATION,
        "教育组",
        ("组长", "副组长", "干部"),
        ("市教育局", "市文化旅游和广播电视局", "市人力资源和社会保障局", "市民政局"),
    ),
    GroupSpec(
        GROUP_AGRICULTURE,
        "农业组",
        ("组长", "副组长", "干部"),
        ("市农业农村局", "市水利局", "市林业和草原局", "市供销合作社联合社"),
    ),
    GroupSpec(
        GROUP_NATURAL_RESOURCES,
        "资源组",
        ("组长", "副组长", "干部"),
        ("市自然资源局", "市住房和城乡建设局", "市交通运输局", "市城市管理综合行政执法局"),
    ),
    GroupSpec(GROUP_HEALTH, "卫健组", ("组长", "干部"), ("市卫生健康局", "市医疗保障局", "市市场监督管理局")),
    GroupSpec(
        GROUP_FINANCE,
        "财政组",
        ("组长", "干部"),
        ("市财政局", "市审计局", "市统计局", "市发展和改革局", "市商务局"),
    ),
)


# --- the 21 township-level units (DESIGN §6) and their villages ----------------------------------------


@dataclass(frozen=True)
class TownshipSpec:
    short_name: str
    full_name: str
    township_type: Unit.TownshipType
    staff: tuple[str, ...]
    villages: tuple[str, ...]

    @property
    def party_committee_name(self) -> str:
        return self.full_name + ("党工委" if self.township_type == T.SUBDISTRICT else "党委")

    @property
    def party_committee_short_name(self) -> str:
        return self.short_name + ("党工委" if self.township_type == T.SUBDISTRICT else "党委")

    @property
    def committee_name(self) -> str:
        """The township's discipline committee (街道纪工委 / 镇纪委 / 乡纪委)."""
        return self.full_name + ("纪工委" if self.township_type == T.SUBDISTRICT else "纪委")


def _subdistrict(name: str, staff: tuple[str, ...], villages: tuple[str, ...]) -> TownshipSpec:
    return TownshipSpec(name, f"{name}街道", T.SUBDISTRICT, staff, villages)


def _town(name: str, staff: tuple[str, ...], villages: tuple[str, ...]) -> TownshipSpec:
    return TownshipSpec(name, f"{name}镇", T.TOWN, staff, villages)


SUBDISTRICT_STAFF_3 = ("纪工委书记", "纪工委副书记", "干部")
SUBDISTRICT_STAFF_2 = ("纪工委书记", "干部")

# Slot 0 is the committee's secretary in every township.
TOWNSHIPS: tuple[TownshipSpec, ...] = (
    _subdistrict(
        "凤凰城",
        SUBDISTRICT_STAFF_3,
        ("凤鸣社区", "站前社区", "新华社区", "城北社区", "城南社区", "凤翔社区", "东升社区", "四台子村"),
    ),
    _subdistrict("凤山", SUBDISTRICT_STAFF_2, ("凤山社区", "山城社区", "文化社区", "英华社区", "南门社区", "后营子村")),
    _subdistrict("草河", SUBDISTRICT_STAFF_2, ("草河社区", "河滨社区", "沿河社区", "振兴社区", "小房身村", "二道河村")),
    _town(
        "宝山",
        ("纪委书记", "纪委副书记", "干部"),
        ("宝山村", "双山子村", "大营子村", "胡家堡村", "孤家子村", "前岭村", "后岭村", "新立村"),
    ),
    _town(
        "白旗",
        ("纪委书记", "纪检委员"),
        ("白旗村", "黄旗村", "郭家堡村", "夹河村", "四道沟村", "中和村", "红石岭村", "百家堡村"),
    ),
    _town(
        "沙里寨",
        ("纪委书记", "干部"),
        ("沙里寨村", "蒿子沟村", "团山子村", "于家店村", "关家堡村", "杨木沟村"),
    ),
    _town(
        "红旗",
        ("纪委书记", "监察室主任"),
        ("红旗村", "富家堡村", "小甸子村", "石佛村", "长岭子村", "卧龙沟村", "吴家堡村"),
    ),
    _town(
        "蓝旗",
        ("纪委书记", "干部"),
        ("蓝旗村", "土城子村", "大岭村", "二台子村", "水泉村", "永胜村", "太平村"),
    ),
    _town(
        "边门",
        ("纪委书记", "纪检委员", "干部"),
        ("边门村", "张家堡村", "凤凰山村", "偏岭村", "西沟村", "宋家堡村", "新安村"),
    ),
    _town(
        "大兴",
        ("纪委书记", "干部"),
        ("大兴村", "兴隆村", "三道岭村", "白家堡村", "前进村", "黄土坎村", "马家岭村"),
    ),
    _town(
        "东汤",
        ("纪委书记", "纪委副书记", "干部"),
        ("东汤村", "汤池村", "汤沟村", "大梨树村", "兰家堡村", "东岭村", "丁家堡村"),
    ),
    _town(
        "石城",
        ("纪委书记", "监察室主任"),
        ("石城村", "小石城村", "黄家堡村", "干沟村", "蔡家岭村", "金厂沟村", "柞木岭村"),
    ),
    _town(
        "爱阳",
        ("纪委书记", "干部"),
        ("爱阳村", "双岭村", "岔路子村", "高丽门村", "荒沟村", "甸子村", "长春沟村"),
    ),
    _town(
        "赛马",
        ("纪委书记", "纪委副书记", "干部"),
        ("赛马村", "北岔村", "老营村", "大川头村", "柳木沟村", "六道沟村", "大荒沟村", "小荒沟村"),
    ),
    _town("弟兄山", ("纪委书记", "干部"), ("弟兄山村", "石湖沟村", "大甸子村", "岔沟村", "柏林川村", "花园村")),
    _town(
        "鸡冠山",
        ("纪委书记", "监察室主任", "干部"),
        ("鸡冠山村", "小堡村", "胡家村", "马家店村", "双岔村", "李家堡村", "金山村", "青山村"),
    ),
    _town(
        "刘家河",
        ("纪委书记", "纪检委员"),
        ("刘家河村", "庙沟村", "山城子村", "大东沟村", "前沟村", "刘家堡村", "白家村"),
    ),
    _town(
        "通远堡",
        ("纪委书记", "纪委副书记", "干部"),
        ("通远堡村", "通新村", "高家堡村", "西堡村", "大岭子村", "汤山村", "九道岭村", "二道岭村"),
    ),
    _town(
        "四门子",
        ("纪委书记", "干部"),
        ("四门子村", "土门子村", "二龙村", "后沟村", "朝阳村", "大房身村", "五道沟村"),
    ),
    _town(
        "青城子",
        ("纪委书记", "监察室主任", "干部"),
        ("青城子村", "铅矿社区", "二道沟村", "新岭村", "岔路村", "杨家堡村", "南沟村", "大岗村"),
    ),
    TownshipSpec(
        "大堡",
        "大堡蒙古族乡",
        T.TOWNSHIP,
        ("纪委书记", "干部"),
        ("大堡村", "东堡村", "营盘村", "蒙兴村", "草房村", "大梨园村"),
    ),
)

TOWNSHIP_BY_SHORT_NAME = {t.short_name: t for t in TOWNSHIPS}


def committee(short_name: str) -> str:
    """The name of a township's discipline committee, from its short name (宝山 → 宝山镇纪委)."""
    return TOWNSHIP_BY_SHORT_NAME[short_name].committee_name


def party_committee(short_name: str) -> str:
    return TOWNSHIP_BY_SHORT_NAME[short_name].party_committee_name


def village_kind_is_community(name: str) -> bool:
    return name.endswith("社区")


# --- the four zones (membership invented for the demo) ------------------------------------------------


@dataclass(frozen=True)
class ZoneSpec:
    number: int
    name: str
    leader: StaffRef
    inspection_office: str
    dispatched_groups: tuple[str, ...]
    townships: tuple[str, ...]  # short names, current members
    deputies: tuple[StaffRef, ...]  # the office director and 1–2 group leaders


ZONES: tuple[ZoneSpec, ...] = (
    ZoneSpec(
        1,
        "第一协作区",
        (LEADERSHIP, 3),
        OFFICE_1,
        (GROUP_PARTY_OFFICE, GROUP_FINANCE),
        ("凤凰城", "凤山", "草河", "宝山", "白旗"),
        ((OFFICE_1, 0), (GROUP_PARTY_OFFICE, 0), (GROUP_FINANCE, 0)),
    ),
    ZoneSpec(
        2,
        "第二协作区",
        (LEADERSHIP, 4),
        OFFICE_2,
        (GROUP_EDUCATION, GROUP_HEALTH),
        ("边门", "大兴", "东汤", "石城", "爱阳"),
        ((OFFICE_2, 0), (GROUP_EDUCATION, 0)),
    ),
    ZoneSpec(
        3,
        "第三协作区",
        (LEADERSHIP, 5),
        OFFICE_3,
        (GROUP_AGRICULTURE,),
        ("沙里寨", "红旗", "蓝旗", "赛马", "大堡"),
        ((OFFICE_3, 0), (GROUP_AGRICULTURE, 0)),
    ),
    ZoneSpec(
        4,
        "第四协作区",
        (LEADERSHIP, 6),
        OFFICE_4,
        (GROUP_NATURAL_RESOURCES,),
        ("弟兄山", "鸡冠山", "刘家河", "通远堡", "四门子", "青城子"),
        ((OFFICE_4, 0), (GROUP_NATURAL_RESOURCES, 0)),
    ),
)


@dataclass(frozen=True)
class ZoneMove:
    """A township that changed zones: its earlier, ended membership (the current one is in ZONES)."""

    township: str
    from_zone: int
    start_date: date
    end_date: date


# 蓝旗 began in the first zone and was moved to the third on 2025-07-01 to even out the workload.
ZONE_MOVES: tuple[ZoneMove, ...] = (ZoneMove("蓝旗", 1, ZONES_FOUNDED, MOVE_ENDED),)

# The current membership of a moved township starts the day after the move.
CURRENT_MEMBERSHIP_START = {move.township: MOVE_STARTED for move in ZONE_MOVES}


# --- 一帮二: mentoring pairs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairSpec:
    mentor: StaffRef
    mentees: tuple[StaffRef, StaffRef]
    start_date: date
    end_date: date | None = None


MENTORING_PAIRS: tuple[PairSpec, ...] = (
    PairSpec((OFFICE_1, 1), ((committee("凤山"), 1), (committee("草河"), 1)), date(2025, 3, 1)),
    PairSpec((OFFICE_1, 2), ((committee("宝山"), 1), (committee("白旗"), 1)), date(2025, 3, 1)),
    PairSpec((GROUP_FINANCE, 0), ((committee("凤凰城"), 1), (committee("宝山"), 2)), date(2025, 9, 1)),
    PairSpec((OFFICE_2, 1), ((committee("边门"), 1), (committee("大兴"), 1)), date(2025, 3, 1)),
    PairSpec((OFFICE_2, 2), ((committee("东汤"), 2), (committee("石城"), 1)), date(2025, 3, 1)),
    PairSpec((OFFICE_3, 1), ((committee("赛马"), 2), (committee("大堡"), 1)), date(2025, 3, 1)),
    PairSpec((GROUP_AGRICULTURE, 1), ((committee("沙里寨"), 1), (committee("红旗"), 1)), date(2025, 9, 1)),
    PairSpec((OFFICE_4, 1), ((committee("通远堡"), 2), (committee("四门子"), 1)), date(2025, 3, 1)),
    # A finished pair, so that the history of training turns is not empty.
    PairSpec(
        (OFFICE_4, 0),
        ((committee("鸡冠山"), 1), (committee("刘家河"), 1)),
        date(2024, 3, 1),
        date(2025, 2, 28),
    ),
)


# --- 利害关系申报: declared relationships -------------------------------------------------------------


@dataclass(frozen=True)
class RelationshipSpec:
    """A declared tie. For kin and named ties the person's name is generated (kin of the blood share
    the declarant's surname); a village is given as (township short name, village name)."""

    staff: StaffRef
    kind: DeclaredRelationship.Kind
    declared_on: date
    kinship: DeclaredRelationship.Kinship | None = None
    named_person: bool = False
    person_gender: str = ""  # "M" / "F" where the relation fixes it; a spouse is of the other sex
    person_unit: str = ""
    related_unit: str = ""
    related_village: tuple[str, str] | None = None
    start_date: date | None = None
    end_date: date | None = None
    note: str = ""


RELATIONSHIPS: tuple[RelationshipSpec, ...] = (
    # Kin (亲属) — the ties that most often force a township cadre to withdraw.
    RelationshipSpec(
        (committee("宝山"), 1),
        K.KIN,
        date(2025, 1, 10),
        kinship=R.SIBLING,
        person_unit="宝山镇双山子村 村委会主任",
        related_village=("宝山", "双山子村"),
    ),
    RelationshipSpec(
        (OFFICE_1, 0),
        K.KIN,
        date(2024, 3, 20),
        kinship=R.SPOUSE,
        person_unit="市财政局 预算科科长",
        related_unit="市财政局",
    ),
    RelationshipSpec(
        (committee("凤凰城"), 0),
        K.KIN,
        date(2024, 3, 18),
        kinship=R.PARENT,
        person_unit="凤凰城街道站前社区 原居委会主任（已退休）",
        related_village=("凤凰城", "站前社区"),
    ),
    RelationshipSpec(
        (GROUP_AGRICULTURE, 1),
        K.KIN,
        date(2025, 2, 14),
        kinship=R.IN_LAW,
        person_unit="红旗镇富家堡村 党支部书记",
        related_village=("红旗", "富家堡村"),
        note="配偶的兄长",
        person_gender="M",
    ),
    RelationshipSpec(
        (committee("东汤"), 1),
        K.KIN,
        date(2024, 4, 2),
        kinship=R.OTHER_RELATIVE,
        person_unit="东汤镇汤池村 村民委员会委员",
        related_village=("东汤", "汤池村"),
        note="表兄",
        person_gender="M",
    ),
    RelationshipSpec(
        (OFFICE_2, 2),
        K.KIN,
        date(2024, 3, 25),
        kinship=R.SPOUSE,
        person_unit="市教育局 基础教育科 干部",
        related_unit="市教育局",
    ),
    RelationshipSpec(
        (TRIAL_OFFICE, 0),
        K.KIN,
        date(2024, 5, 6),
        kinship=R.SIBLING,
        person_unit="市住房和城乡建设局 工程质量监督站站长",
        related_unit="市住房和城乡建设局",
    ),
    RelationshipSpec(
        (committee("赛马"), 0),
        K.KIN,
        date(2025, 3, 3),
        kinship=R.IN_LAW,
        person_unit="赛马镇老营村 村委会主任",
        related_village=("赛马", "老营村"),
        note="妹夫",
        person_gender="M",
    ),
    RelationshipSpec(
        (committee("通远堡"), 1),
        K.KIN,
        date(2024, 3, 22),
        kinship=R.PARENT,
        person_unit="通远堡镇高家堡村 原党支部书记",
        related_village=("通远堡", "高家堡村"),
    ),
    RelationshipSpec(
        (LEADERSHIP, 4),
        K.KIN,
        date(2024, 3, 12),
        kinship=R.SPOUSE,
        person_unit="市卫生健康局 医政医管科科长",
        related_unit="市卫生健康局",
    ),
    RelationshipSpec(
        (committee("青城子"), 2),
        K.KIN,
        date(2026, 1, 8),
        kinship=R.SIBLING,
        person_unit="青城子镇铅矿社区 居委会委员",
        related_village=("青城子", "铅矿社区"),
    ),
    # Former colleagues (曾经同事).
    RelationshipSpec(
        (OFFICE_3, 0),
        K.FORMER_COLLEAGUE,
        date(2024, 3, 15),
        named_person=True,
        person_unit="沙里寨镇党委副书记（原市农业农村局同事）",
        related_unit=party_committee("沙里寨"),
    ),
    RelationshipSpec(
        (GROUP_FINANCE, 0),
        K.FORMER_COLLEAGUE,
        date(2024, 3, 15),
        named_person=True,
        person_unit="市审计局副局长（原市审计局同事）",
        related_unit="市审计局",
    ),
    RelationshipSpec(
        (PETITION_OFFICE, 1),
        K.FORMER_COLLEAGUE,
        date(2025, 4, 1),
        named_person=True,
        person_unit="凤山街道办事处副主任（原凤山街道同事）",
        related_unit=party_committee("凤山"),
    ),
    RelationshipSpec(
        (OFFICE_4, 1),
        K.FORMER_COLLEAGUE,
        date(2024, 6, 18),
        named_person=True,
        person_unit="青城子镇副镇长（原青城子镇同事）",
        related_unit=party_committee("青城子"),
    ),
    # Hometown (同乡): the declarant was born and raised in the township.
    RelationshipSpec((OFFICE_1, 2), K.HOMETOWN, date(2024, 3, 15), related_unit=committee("白旗")),
    RelationshipSpec((LEADERSHIP, 3), K.HOMETOWN, date(2024, 3, 12), related_unit=committee("鸡冠山")),
    RelationshipSpec((GROUP_PARTY_OFFICE, 1), K.HOMETOWN, date(2024, 3, 15), related_unit=committee("宝山")),
    RelationshipSpec((OFFICE_2, 0), K.HOMETOWN, date(2024, 3, 15), related_unit=committee("爱阳")),
    RelationshipSpec((committee("大兴"), 0), K.HOMETOWN, date(2024, 3, 18), related_unit=committee("大兴")),
    RelationshipSpec((committee("刘家河"), 0), K.HOMETOWN, date(2024, 3, 18), related_unit=committee("刘家河")),
    # Former postings (曾任职).
    RelationshipSpec(
        (OFFICE_1, 0),
        K.FORMER_POSTING,
        date(2024, 3, 20),
        related_unit=committee("草河"),
        start_date=date(2016, 3, 1),
        end_date=date(2020, 12, 31),
        note="曾任草河街道纪工委书记",
    ),
    RelationshipSpec(
        (OFFICE_3, 1),
        K.FORMER_POSTING,
        date(2024, 3, 15),
        related_unit=committee("蓝旗"),
        start_date=date(2018, 5, 1),
        end_date=date(2022, 8, 31),
        note="曾任蓝旗镇纪委副书记",
    ),
    RelationshipSpec(
        (LEADERSHIP, 5),
        K.FORMER_POSTING,
        date(2024, 3, 12),
        related_unit=party_committee("赛马"),
        start_date=date(2012, 9, 1),
        end_date=date(2017, 6, 30),
        note="曾任赛马镇党委副书记",
    ),
    RelationshipSpec(
        (OFFICE_4, 0),
        K.FORMER_POSTING,
        date(2024, 3, 15),
        related_unit=committee("通远堡"),
        start_date=date(2015, 4, 1),
        end_date=date(2021, 3, 31),
        note="曾任通远堡镇纪委书记",
    ),
    RelationshipSpec(
        (GROUP_NATURAL_RESOURCES, 0),
        K.FORMER_POSTING,
        date(2024, 3, 15),
        related_unit="市自然资源局",
        start_date=date(2010, 7, 1),
        end_date=date(2018, 12, 31),
        note="曾任市自然资源局办公室主任",
    ),
    RelationshipSpec(
        (committee("边门"), 0),
        K.FORMER_POSTING,
        date(2024, 3, 18),
        related_unit=committee("石城"),
        start_date=date(2019, 1, 1),
        end_date=date(2023, 6, 30),
        note="曾任石城镇纪检委员",
    ),
    RelationshipSpec(
        (TRIAL_OFFICE, 1),
        K.FORMER_POSTING,
        date(2024, 3, 15),
        related_unit=OFFICE_2,
        start_date=date(2019, 3, 1),
        end_date=date(2022, 12, 31),
        note="曾在第二纪检监察室从事审查调查工作",
    ),
    # Other ties (其他).
    RelationshipSpec(
        (PETITION_OFFICE, 2),
        K.OTHER,
        date(2025, 5, 9),
        named_person=True,
        person_unit="爱阳镇岔路子村 村委会主任",
        related_village=("爱阳", "岔路子村"),
        note="高中同学，交往较密",
    ),
)


# --- village supervisors ----------------------------------------------------------------------------

# One supervisor in one village of every township (宝山's is the one with the demo login), plus a
# second supervised village in these townships: 30 in all.
SUPERVISOR_LOGIN_VILLAGE = ("宝山", "双山子村")
EXTRA_SUPERVISED_VILLAGES: tuple[tuple[str, str], ...] = (
    ("凤凰城", "四台子村"),
    ("宝山", "胡家堡村"),
    ("白旗", "夹河村"),
    ("红旗", "富家堡村"),
    ("东汤", "汤池村"),
    ("爱阳", "岔路子村"),
    ("赛马", "老营村"),
    ("通远堡", "高家堡村"),
    ("青城子", "二道沟村"),
)
SUPERVISORS_APPOINTED = (date(2024, 4, 1), date(2025, 1, 1))


# --- demo logins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUserSpec:
    username: str
    label: str
    description: str
    staff: StaffRef | None = None
    roles: tuple[Role, ...] = ()
    # Where the roles are anchored; the person's own unit when not given.
    role_unit: str | None = None
    # The account of the village supervisor in SUPERVISOR_LOGIN_VILLAGE (no staff record).
    is_village_supervisor: bool = False


ZONE_ORDINALS = {1: "第一", 2: "第二", 3: "第三", 4: "第四"}


def _township_secretary(username: str, township: str, zone: int) -> DemoUserSpec:
    spec = TOWNSHIP_BY_SHORT_NAME[township]
    title = "纪工委书记" if spec.township_type == T.SUBDISTRICT else "纪委书记"
    return DemoUserSpec(
        username,
        Role.TOWNSHIP_SECRETARY.label,
        f"{spec.full_name}{title}（{ZONE_ORDINALS[zone]}协作区）",
        (spec.committee_name, 0),
        (Role.TOWNSHIP_SECRETARY,),
    )


DEMO_USERS: tuple[DemoUserSpec, ...] = (
    DemoUserSpec("shuji", Role.COMMISSION_HEAD.label, "市纪委书记、监委主任", (LEADERSHIP, 0), (Role.COMMISSION_HEAD,)),
    DemoUserSpec(
        "fenguan",
        Role.COMMISSION_LEADER.label,
        "分管协作区工作的纪委副书记",
        (LEADERSHIP, 1),
        (Role.COMMISSION_LEADER,),
    ),
    # Zone leader and deputy need the role grant and the zone record (Zone.leader / ZoneDeputy) both.
    DemoUserSpec(
        "zuzhang1", Role.ZONE_LEADER.label, "第一协作区组长（纪委常委）", (LEADERSHIP, 3), (Role.ZONE_LEADER,)
    ),
    DemoUserSpec(
        "fuzuzhang1",
        Role.ZONE_DEPUTY.label,
        "第一协作区副组长（第一纪检监察室主任）",
        (OFFICE_1, 0),
        (Role.INSPECTION_STAFF, Role.ZONE_DEPUTY),
    ),
    # The other zones' leaders and deputies, so that each zone's approvals and meetings can be driven.
    DemoUserSpec(
        "zuzhang2", Role.ZONE_LEADER.label, "第二协作区组长（纪委常委）", (LEADERSHIP, 4), (Role.ZONE_LEADER,)
    ),
    DemoUserSpec(
        "fuzuzhang2",
        Role.ZONE_DEPUTY.label,
        "第二协作区副组长（第二纪检监察室主任）",
        (OFFICE_2, 0),
        (Role.INSPECTION_STAFF, Role.ZONE_DEPUTY),
    ),
    DemoUserSpec(
        "zuzhang3", Role.ZONE_LEADER.label, "第三协作区组长（纪委常委）", (LEADERSHIP, 5), (Role.ZONE_LEADER,)
    ),
    DemoUserSpec(
        "fuzuzhang3",
        Role.ZONE_DEPUTY.label,
        "第三协作区副组长（第三纪检监察室主任）",
        (OFFICE_3, 0),
        (Role.INSPECTION_STAFF, Role.ZONE_DEPUTY),
    ),
    DemoUserSpec(
        "zuzhang4", Role.ZONE_LEADER.label, "第四协作区组长（纪委常委）", (LEADERSHIP, 6), (Role.ZONE_LEADER,)
    ),
    DemoUserSpec(
        "fuzuzhang4",
        Role.ZONE_DEPUTY.label,
        "第四协作区副组长（第四纪检监察室主任）",
        (OFFICE_4, 0),
        (Role.INSPECTION_STAFF, Role.ZONE_DEPUTY),
    ),
    DemoUserSpec(
        "jianchashi1",
        Role.INSPECTION_STAFF.label,
        "第一纪检监察室干部",
        (OFFICE_1, 2),
        (Role.INSPECTION_STAFF,),
    ),
    DemoUserSpec(
        "jianchashi2",
        Role.INSPECTION_STAFF.label,
        "第二纪检监察室干部",
        (OFFICE_2, 3),
        (Role.INSPECTION_STAFF,),
    ),
    DemoUserSpec(
        "jianchashi3",
        Role.INSPECTION_STAFF.label,
        "第三纪检监察室干部",
        (OFFICE_3, 2),
        (Role.INSPECTION_STAFF,),
    ),
    DemoUserSpec(
        "jianchashi4",
        Role.INSPECTION_STAFF.label,
        "第四纪检监察室干部",
        (OFFICE_4, 2),
        (Role.INSPECTION_STAFF,),
    ),
    DemoUserSpec(
        "paizhu1",
        Role.DISPATCHED_STAFF.label,
        "派驻市委办公室纪检监察组副组长（第一协作区）",
        (GROUP_PARTY_OFFICE, 1),
        (Role.DISPATCHED_STAFF,),
    ),
    DemoUserSpec(
        "xzshuji",
        Role.TOWNSHIP_SECRETARY.label,
        "宝山镇纪委书记（第一协作区）",
        (committee("宝山"), 0),
        (Role.TOWNSHIP_SECRETARY,),
    ),
    DemoUserSpec(
        "xzganbu",
        Role.TOWNSHIP_STAFF.label,
        "宝山镇纪委干部（第一协作区）",
        (committee("宝山"), 1),
        (Role.TOWNSHIP_STAFF,),
    ),
    DemoUserSpec(
        "xzshuji2",
        Role.TOWNSHIP_SECRETARY.label,
        "东汤镇纪委书记（第二协作区）",
        (committee("东汤"), 0),
        (Role.TOWNSHIP_SECRETARY,),
    ),
    DemoUserSpec(
        "xzshuji3",
        Role.TOWNSHIP_SECRETARY.label,
        "赛马镇纪委书记（第三协作区）",
        (committee("赛马"), 0),
        (Role.TOWNSHIP_SECRETARY,),
    ),
    DemoUserSpec(
        "xzshuji4",
        Role.TOWNSHIP_SECRETARY.label,
        "青城子镇纪委书记（第四协作区）",
        (committee("青城子"), 0),
        (Role.TOWNSHIP_SECRETARY,),
    ),
    # Two more townships in each zone: a village cadre's case is filed by the township party committee,
    # whose decision its 纪委书记 records, so each township with demo cases has its secretary's login.
    _township_secretary("xzshuji_fengshan", "凤山", 1),
    _township_secretary("xzshuji_baiqi", "白旗", 1),
    _township_secretary("xzshuji_bianmen", "边门", 2),
    _township_secretary("xzshuji_aiyang", "爱阳", 2),
    _township_secretary("xzshuji_shalizhai", "沙里寨", 3),
    _township_secretary("xzshuji_dapu", "大堡", 3),
    _township_secretary("xzshuji_dixiongshan", "弟兄山", 4),
    _township_secretary("xzshuji_jiguanshan", "鸡冠山", 4),
    DemoUserSpec("dengji", Role.REGISTRAR.label, "市纪委监委信访室登记员", (PETITION_OFFICE, 2), (Role.REGISTRAR,)),
    DemoUserSpec(
        "xzdengji",
        Role.REGISTRAR.label,
        "凤凰城街道纪工委登记员（第一协作区）",
        (committee("凤凰城"), 2),
        (Role.REGISTRAR,),
    ),
    DemoUserSpec("xinfang", Role.PETITION_STAFF.label, "信访室主任", (PETITION_OFFICE, 0), (Role.PETITION_STAFF,)),
    DemoUserSpec(
        "anguan",
        Role.CASE_MANAGER.label,
        "案件监督管理室干部",
        (CASE_MANAGEMENT_OFFICE, 1),
        (Role.CASE_MANAGER,),
    ),
    DemoUserSpec("shenli", Role.TRIAL_STAFF.label, "案件审理室副主任", (TRIAL_OFFICE, 1), (Role.TRIAL_STAFF,)),
    # 复审 takes two reviewers, and nobody approves their own proposal: a second trial-office login.
    DemoUserSpec("shenli2", Role.TRIAL_STAFF.label, "案件审理室主任", (TRIAL_OFFICE, 0), (Role.TRIAL_STAFF,)),
    DemoUserSpec(
        "jianduyuan",
        Role.VILLAGE_SUPERVISOR.label,
        "宝山镇双山子村正风肃纪监督员",
        roles=(Role.VILLAGE_SUPERVISOR,),
        role_unit=committee("宝山"),
        is_village_supervisor=True,
    ),
    DemoUserSpec("xitong", Role.SYSTEM_ADMIN.label, "系统管理员（办公室）", (GENERAL_OFFICE, 1), (Role.SYSTEM_ADMIN,)),
    DemoUserSpec(
        "anquan",
        Role.SECURITY_ADMIN.label,
        "安全保密管理员（办公室）",
        (GENERAL_OFFICE, 2),
        (Role.SECURITY_ADMIN,),
    ),
    DemoUserSpec("shenji", Role.AUDIT_ADMIN.label, "安全审计员（办公室）", (GENERAL_OFFICE, 3), (Role.AUDIT_ADMIN,)),
)

DEMO_LOGINS: list[tuple[str, str, str]] = [(u.username, str(u.label), u.description) for u in DEMO_USERS]
"""(username, role in Chinese, who it is) for every demo login; all share ``DEMO_PASSWORD``."""
