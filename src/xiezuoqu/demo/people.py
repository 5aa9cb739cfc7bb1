"""Names and personal attributes of the demo people, from a seeded generator.

The generator is deterministic (``random.Random`` with a fixed seed, always drawn in the same order),
so every load builds the same people and a second load finds them by name. Surnames are weighted
towards those common in Liaoning; every generated name is unique within the demo, so that a name never
points at two people when recusal is checked by name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from xiezuoqu.org.models import StaffMember, Unit

SEED = 210682  # Fengcheng's division code

# (surname, weight): the most common Northeastern surnames weigh more; 关 and 佟 are common Manchu ones
# in Fengcheng.
SURNAMES: tuple[tuple[str, int], ...] = (
    *((s, 8) for s in "王李张刘"),
    *((s, 4) for s in "赵于孙杨陈高徐马"),
    *((s, 2) for s in "郭曲姜宋吴周林董韩崔关邹白唐孟付吕佟邢"),
    *((s, 1) for s in "谭丛鞠姚胡朱郑梁谢许程苏潘隋尹金石柳闫范冯"),
)
MALE_FIRST = "志建晓国海文永宏立振春德长玉明庆继树守云成"
MALE_LAST = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊旭宁龙林阳东峰国文春德成广新学兵忠利福山岩松"
FEMALE_FIRST = "丽晓春玉秀淑雅思海红美桂月佳慧静"
FEMALE_LAST = "丽静敏燕艳娟霞芳娜丹玲萍红婷雪琳颖倩慧梅莉晶欣佳悦瑶怡琦英华凤兰荣洁"

_SURNAME_CHARS = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

E = StaffMember.Experience
S = StaffMember.Skill


class NameGenerator:
    """Chinese personal names, never the same twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(_SURNAME_CHARS, weights=_SURNAME_WEIGHTS)[0]

    def name(self, gender: str, surname: str | None = None) -> str:
        male = gender == StaffMember.Gender.MALE
        first, last = (MALE_FIRST, MALE_LAST) if male else (FEMALE_FIRST, FEMALE_LAST)
        family = surname or self.surname()
        while True:
            # About six in ten have a two-character given name.
            if self.rng.random() < 0.6:
                given = self.rng.choice(first) + self.rng.choice(last)
                if given[0] == given[1]:
                    continue
            else:
                given = self.rng.choice(last)
            full = family + given
            if full not in self.used:
                self.used.add(full)
                return full

    def gender(self, male_share: float) -> str:
        return StaffMember.Gender.MALE if self.rng.random() < male_share else StaffMember.Gender.FEMALE


@dataclass(frozen=True)
class Profile:
    """What a position implies: age range, experience, workload and how many skills."""

    birth_years: tuple[int, int]
    experience: tuple[StaffMember.Experience, ...]
    capacity: tuple[int, int]
    skill_count: tuple[int, int]
    male_share: float


LEADER = Profile((1966, 1974), (E.EXPERT,), (2, 2), (2, 3), 0.8)
DIRECTOR = Profile((1970, 1982), (E.EXPERT, E.SKILLED), (3, 3), (2, 3), 0.7)
DEPUTY = Profile((1976, 1988), (E.SKILLED, E.SKILLED, E.GENERAL), (3, 4), (2, 2), 0.6)
CADRE = Profile((1988, 1999), (E.GENERAL, E.NEW), (3, 5), (1, 2), 0.5)
TOWNSHIP_SECRETARY = Profile((1974, 1988), (E.SKILLED, E.SKILLED, E.GENERAL), (2, 3), (2, 2), 0.7)
TOWNSHIP_DEPUTY = Profile((1980, 1992), (E.GENERAL, E.SKILLED), (3, 4), (1, 2), 0.6)
TOWNSHIP_CADRE = Profile((1990, 1999), (E.NEW, E.GENERAL), (2, 4), (1, 2), 0.5)

POSITION_PROFILES = {
    "纪委书记、监委主任": LEADER,
    "纪委副书记、监委副主任": LEADER,
    "纪委常委": LEADER,
    "主任": DIRECTOR,
    "组长": DIRECTOR,
    "副主任": DEPUTY,
    "副组长": DEPUTY,
    "一级主任科员": DEPUTY,
    "纪委书记": TOWNSHIP_SECRETARY,
    "纪工委书记": TOWNSHIP_SECRETARY,
    "纪委副书记": TOWNSHIP_DEPUTY,
    "纪工委副书记": TOWNSHIP_DEPUTY,
    "监察室主任": TOWNSHIP_DEPUTY,
}

# What a unit's work calls for; a person's skills are drawn from their unit's list, first ones likelier.
UNIT_KIND_SKILLS: dict[str, tuple[str, ...]] = {
    Unit.Kind.LEADERSHIP: (S.INTERVIEW, S.LAW, S.EVIDENCE),
    Unit.Kind.INSPECTION_OFFICE: (S.INTERVIEW, S.EVIDENCE, S.FINANCE, S.LAW, S.RURAL, S.CONSTRUCTION),
    Unit.Kind.PETITION_OFFICE: (S.INTERVIEW, S.LAW, S.DIGITAL),
    Unit.Kind.CASE_MANAGEMENT_OFFICE: (S.EVIDENCE, S.DIGITAL, S.LAW),
    Unit.Kind.TRIAL_OFFICE: (S.LAW, S.EVIDENCE, S.INTERVIEW),
    Unit.Kind.OTHER_OFFICE: (S.DIGITAL, S.FINANCE, S.LAW),
    Unit.Kind.DISPATCHED_GROUP: (S.INTERVIEW, S.EVIDENCE, S.LAW, S.FINANCE),
    Unit.Kind.TOWNSHIP_COMMITTEE: (S.RURAL, S.INTERVIEW, S.FINANCE),
}
GROUP_SKILLS: dict[str, tuple[str, ...]] = {
    "派驻市农业农村局纪检监察组": (S.RURAL, S.FINANCE, S.INTERVIEW),
    "派驻市自然资源局纪检监察组": (S.CONSTRUCTION, S.FINANCE, S.INTERVIEW),
    "派驻市财政局纪检监察组": (S.FINANCE, S.EVIDENCE, S.INTERVIEW),
}


@dataclass(frozen=True)
class PersonAttributes:
    name: str
    gender: str
    birth_year: int
    experience: int
    skills: list[str]
    capacity: int


def staff_attributes(names: NameGenerator, *, unit_name: str, unit_kind: str, position: str) -> PersonAttributes:
    """A plausible cadre for a position in a unit (draws from ``names.rng`` in a fixed order)."""
    rng = names.rng
    township = unit_kind == Unit.Kind.TOWNSHIP_COMMITTEE
    profile = POSITION_PROFILES.get(position, TOWNSHIP_CADRE if township else CADRE)
    gender = names.gender(profile.male_share)
    name = names.name(gender)
    pool = GROUP_SKILLS.get(unit_name) or UNIT_KIND_SKILLS[unit_kind]
    count = min(len(pool), rng.randint(*profile.skill_count))
    # Weighted draw without replacement: the unit's first skills are the likeliest.
    skills: list[str] = []
    candidates = list(pool)
    while len(skills) < count:
        weights = [len(candidates) - i for i in range(len(candidates))]
        pick = rng.choices(candidates, weights=weights)[0]
        candidates.remove(pick)
        skills.append(str(pick))
    return PersonAttributes(
        name=name,
        gender=gender,
        birth_year=rng.randint(*profile.birth_years),
        experience=int(rng.choice(profile.experience)),
        skills=skills,
        capacity=rng.randint(*profile.capacity),
    )
