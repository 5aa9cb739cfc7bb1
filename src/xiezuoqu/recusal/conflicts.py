"""Who may not work a matter, and why: conflicts of interest found in the data (回避事由).

A conflict is a fact shared by a staff member and a matter. Both sides are reduced to *keys*:

- a matter (a clue) has the townships, villages and units of its subjects, the subjects' names, the
  staff records of subjects who are cadres themselves, and the blind indexes of its real-name
  reporters' names;
- a staff member has entries ``(key, ground, detail)``: their own unit and its township, their
  hometown, and every declared relationship (kin, former colleague, hometown, former posting, other)
  turned into the keys it touches.

A staff member conflicts with a matter when one of their entry keys is among the matter's keys. The
core (``ConflictIndex``) is pure — an inverted index from key to entries — so the team solver can ask
about a thousand clues against two thousand staff without touching the database; ``conflicts_for`` and
``conflicts_for_batch`` load the facts, add the recusals already decided (a recorded witness, a granted
demand) and mark the conflicts a commission head has overridden.

Names match after normalisation; two people with the same name are flagged anyway — recusal errs on the
side of caution and the override path (with reason, approved by the commission head) exists for that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from xiezuoqu.clues.models import Clue, ClueReport, ClueSubject
from xiezuoqu.crypto import blind_index
from xiezuoqu.intake.models import ReportAccused, ReporterIdentity
from xiezuoqu.org.models import DeclaredRelationship, StaffMember, Unit

from .models import ConflictOverride, Ground, OverrideState, Recusal

Key = tuple[str, object]

# The cross rule (交叉办理): nobody works a matter of their own township — except when the township
# handles it itself (自办), which is what that mode means.
SELF_MODE = "self"
# A collective decision (协作区立案研究会, 审理会议): every ground applies, the same-township one included —
# the rule that keeps a township's staff off working its own cadre's matter keeps them off deciding it
# (docs/lifecycles.md, "Recusal at meetings").
MEETING_MODE = "meeting"


@dataclass(frozen=True)
class Conflict:
    staff_id: int
    ground: str
    detail: str
    cross_rule: bool = False
    overridden: bool = False

    def blocks(self, mode: str) -> bool:
        """Does this conflict keep the person off a team working in ``mode``?"""
        if self.overridden:
            return False
        return not (self.cross_rule and mode == SELF_MODE)

    @property
    def ground_label(self) -> str:
        return str(dict(Ground.choices).get(self.ground, self.ground))


@dataclass(frozen=True)
class Entry:
    key: Key
    ground: str
    detail: str


@dataclass(frozen=True)
class StaffFacts:
    staff_id: int
    name: str
    unit_id: int
    township_id: int | None
    entries: tuple[Entry, ...] = ()

    @property
    def keys(self) -> frozenset[Key]:
        return frozenset(e.key for e in self.entries)


@dataclass(frozen=True)
class MatterFacts:
    clue_id: int
    keys: frozenset[Key] = field(default_factory=frozenset)
    # What each key stands for in words ("被反映人张三所在乡镇宝山镇"), for the explanations.
    labels: dict[Key, str] = field(default_factory=dict, compare=False, hash=False)


class ConflictIndex:
    """An inverted index from fact keys to the staff entries that carry them (pure; no database)."""

    def __init__(self, staff: Iterable[StaffFacts]) -> None:
        self._by_key: dict[Key, list[tuple[int, Entry]]] = defaultdict(list)
        self.staff_ids: list[int] = []
        for facts in staff:
            self.staff_ids.append(facts.staff_id)
            for entry in facts.entries:
                self._by_key[entry.key].append((facts.staff_id, entry))

    def conflicts(self, matter: MatterFacts) -> dict[int, list[Conflict]]:
        found: dict[int, list[Conflict]] = {}
        for key in matter.keys:
            for staff_id, entry in self._by_key.get(key, ()):
                what = matter.labels.get(key)
                detail = f"{entry.detail}（{what}）" if what else entry.detail
                conflict = Conflict(
                    staff_id=staff_id,
                    ground=entry.ground,
                    detail=detail,
                    cross_rule=entry.ground == Ground.SAME_TOWNSHIP,
                )
                found.setdefault(staff_id, []).append(conflict)
        for items in found.values():
            items.sort(key=lambda c: (c.cross_rule, c.ground, c.detail))
        return found


# --- loading the facts -------------------------------------------------------------------------------------


def person_key(name: str) -> Key:
    return ("person", (name or "").strip())


def reporter_key(name: str) -> Key:
    return ("reporter", blind_index((name or "").strip(), purpose="reporter.name"))


def _township_of(unit: Unit, children: dict[int, int]) -> int | None:
    if unit.kind == Unit.Kind.TOWNSHIP_COMMITTEE:
        return unit.pk
    if unit.kind == Unit.Kind.PARTY_COMMITTEE:
        return children.get(unit.pk)  # the township committee under a township's party committee
    return None


def _township_committees(commission_ids: Iterable[int]) -> dict[int, int]:
    """party committee id → its township committee id, in the given commissions."""
    rows = Unit.objects.filter(
        kind=Unit.Kind.TOWNSHIP_COMMITTEE, parent__isnull=False, commission_id__in=list(commission_ids)
    ).values_list("parent_id", "pk")
    return {parent: pk for parent, pk in rows if parent is not None}


# What a declared relationship with a unit (曾任职、曾经同事、同乡) means for a matter of that unit.
UNIT_GROUNDS: dict[str, str] = {
    DeclaredRelationship.Kind.FORMER_POSTING: Ground.FORMER_POSTING,
    DeclaredRelationship.Kind.FORMER_COLLEAGUE: Ground.FORMER_COLLEAGUE,
    DeclaredRelationship.Kind.HOMETOWN: Ground.HOMETOWN,
}
UNIT_VERBS: dict[str, str] = {
    DeclaredRelationship.Kind.FORMER_POSTING: "曾在",
    DeclaredRelationship.Kind.HOMETOWN: "申报同乡关系涉及",
    DeclaredRelationship.Kind.FORMER_COLLEAGUE: "曾同事于",
}


# Ties to a place that say no more than where the person works: declared about their own township they
# add nothing to the same-township (cross-rule) fact, just as a recorded hometown there adds nothing.
PLACE_TIES = frozenset({DeclaredRelationship.Kind.HOMETOWN, DeclaredRelationship.Kind.FORMER_POSTING})


def _relationship_entries(
    rel: DeclaredRelationship, children: dict[int, int], own_township: int | None = None
) -> list[Entry]:
    entries: list[Entry] = []
    name = (rel.person_name or "").strip()
    kind = rel.kind
    K = DeclaredRelationship.Kind
    if kind == K.KIN and name:
        relation = rel.get_kinship_display() or "亲属"
        entries.append(Entry(person_key(name), Ground.KIN_OF_SUBJECT, f"申报的{relation}{name}系被反映人"))
        entries.append(Entry(reporter_key(name), Ground.KIN_OF_REPORTER, f"申报的{relation}{name}系举报人"))
    elif kind == K.FORMER_COLLEAGUE and name:
        entries.append(Entry(person_key(name), Ground.FORMER_COLLEAGUE, f"申报的曾经同事{name}系被反映人"))
        entries.append(Entry(reporter_key(name), Ground.REPORTER_RELATION, f"申报的曾经同事{name}系举报人"))
    elif kind == K.OTHER and name:
        entries.append(Entry(person_key(name), Ground.OTHER, f"申报的关系人{name}系被反映人"))
        entries.append(Entry(reporter_key(name), Ground.REPORTER_RELATION, f"申报的关系人{name}系举报人"))
    unit = rel.related_unit
    own_place = own_township is not None and unit is not None and _township_of(unit, children) == own_township
    if kind in PLACE_TIES and own_place:
        unit = None
    if unit is not None:
        ground: str = UNIT_GROUNDS.get(kind, Ground.OTHER)
        verb = UNIT_VERBS.get(kind, "申报关系涉及")
        entries.append(Entry(("unit", unit.pk), ground, f"{verb}{unit.name}"))
        township = _township_of(unit, children)
        if township is not None:
            entries.append(Entry(("township", township), ground, f"{verb}{unit.name}"))
    if rel.related_village_id is not None:
        village = rel.related_village.name if rel.related_village else "该村"
        entries.append(Entry(("village", rel.related_village_id), Ground.SAME_VILLAGE, f"申报与{village}有关联"))
    return entries


def load_staff_facts(staff_ids: Iterable[int] | None = None) -> list[StaffFacts]:
    """The conflict entries of the given staff (all active staff if None), in three queries."""
    staff_qs = StaffMember.objects.select_related("home_unit", "hometown")
    if staff_ids is not None:
        staff_qs = staff_qs.filter(pk__in=list(staff_ids))
    staff = list(staff_qs)
    children = _township_committees({s.commission_id for s in staff})
    relationships: dict[int, list[DeclaredRelationship]] = defaultdict(list)
    rel_qs = DeclaredRelationship.objects.filter(staff__in=[s.pk for s in staff]).select_related(
        "related_unit", "related_village"
    )
    for rel in rel_qs:
        relationships[rel.staff_id].append(rel)
    facts: list[StaffFacts] = []
    for member in staff:
        unit = member.home_unit
        township = _township_of(unit, children)
        entries = [
            Entry(("staff", member.pk), Ground.IS_SUBJECT, "本人系被反映人"),
            Entry(("unit", unit.pk), Ground.SAME_UNIT, f"本人所在单位为{unit.name}"),
        ]
        if township is not None:
            entries.append(Entry(("township", township), Ground.SAME_TOWNSHIP, f"本人所在单位{unit.name}"))
        if member.hometown_id is not None and member.hometown_id != township:
            hometown = member.hometown
            entries.append(
                Entry(("township", member.hometown_id), Ground.HOMETOWN, f"本人籍贯{hometown.name if hometown else ''}")
            )
        for rel in relationships.get(member.pk, ()):
            entries.extend(_relationship_entries(rel, children, township))
        facts.append(StaffFacts(member.pk, member.name, unit.pk, township, tuple(entries)))
    return facts


def load_matter_facts(clue_ids: Iterable[int]) -> dict[int, MatterFacts]:
    """The keys of each clue's matter: its subjects, the accused of its reports, its reporters."""
    ids = list(clue_ids)
    keys: dict[int, set[Key]] = {pk: set() for pk in ids}
    labels: dict[int, dict[Key, str]] = {pk: {} for pk in ids}

    def add(clue_id: int, key: Key, label: str) -> None:
        keys[clue_id].add(key)
        labels[clue_id].setdefault(key, label)

    for clue in Clue.objects.filter(pk__in=ids).select_related("township", "village"):
        if clue.township_id:
            add(clue.pk, ("township", clue.township_id), f"线索所涉乡镇{clue.township}")
        if clue.village_id:
            add(clue.pk, ("village", clue.village_id), f"线索所涉村（社区）{clue.village}")
    links = list(
        ClueSubject.objects.filter(clue_id__in=ids).select_related(
            "subject__township", "subject__village", "subject__staff__home_unit"
        )
    )
    # A subject's unit written as text names a unit of the same commission (names are unique there).
    named = {(link.subject.commission_id, (link.subject.unit_text or "").strip()) for link in links}
    unit_names = {
        (commission_id, name): pk
        for commission_id, name, pk in Unit.objects.filter(
            commission_id__in={c for c, _ in named}, name__in={n for _, n in named if n}
        ).values_list("commission_id", "name", "pk")
    }
    for link in links:
        subject = link.subject
        who = f"被反映人{subject.name}"
        add(link.clue_id, person_key(subject.name), who)
        if subject.township_id:
            add(link.clue_id, ("township", subject.township_id), f"{who}所在乡镇{subject.township}")
        if subject.village_id:
            add(link.clue_id, ("village", subject.village_id), f"{who}所在村（社区）{subject.village}")
        if subject.staff is not None:
            add(link.clue_id, ("staff", subject.staff.pk), f"{who}系本系统干部")
            add(link.clue_id, ("unit", subject.staff.home_unit_id), f"{who}所在单位{subject.staff.home_unit}")
        unit_id = unit_names.get((subject.commission_id, (subject.unit_text or "").strip()))
        if unit_id is not None:
            add(link.clue_id, ("unit", unit_id), f"{who}所在单位{subject.unit_text}")
    report_of = dict(ClueReport.objects.filter(clue_id__in=ids).values_list("report_id", "clue_id"))
    if report_of:
        accused = ReportAccused.objects.filter(report_id__in=list(report_of)).select_related("township", "village")
        for person in accused:
            clue_id = report_of[person.report_id]
            who = f"被反映人{person.name}"
            if person.name and person.name != "不详":
                add(clue_id, person_key(person.name), who)
            if person.township_id:
                add(clue_id, ("township", person.township_id), f"{who}所在乡镇{person.township}")
            if person.village_id:
                add(clue_id, ("village", person.village_id), f"{who}所在村（社区）{person.village}")
            if person.staff_id:
                add(clue_id, ("staff", person.staff_id), f"{who}系本系统干部")
        for report_id, name_index in ReporterIdentity.objects.filter(report_id__in=list(report_of)).values_list(
            "report_id", "name_index"
        ):
            if name_index:
                add(report_of[report_id], ("reporter", name_index), "实名举报人")
    return {pk: MatterFacts(clue_id=pk, keys=frozenset(keys[pk]), labels=labels[pk]) for pk in ids}


# --- the database view: detected conflicts, decided recusals, approved overrides ---------------------------


def _recusal_conflicts(clue_ids: list[int], staff_ids: list[int] | None) -> dict[int, dict[int, list[Conflict]]]:
    qs = Recusal.objects.filter(clue_id__in=clue_ids, is_active=True)
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=staff_ids)
    found: dict[int, dict[int, list[Conflict]]] = defaultdict(dict)
    for recusal in qs:
        detail = f"已决定回避：{recusal.get_ground_display()}" + (f"，{recusal.detail}" if recusal.detail else "")
        found[recusal.clue_id].setdefault(recusal.staff_id, []).append(
            Conflict(staff_id=recusal.staff_id, ground=recusal.ground, detail=detail)
        )
    return found


def _overrides(clue_ids: list[int]) -> set[tuple[int, int, str]]:
    rows = ConflictOverride.objects.filter(clue_id__in=clue_ids, state=OverrideState.APPROVED).values_list(
        "clue_id", "staff_id", "ground"
    )
    return set(rows)


def conflicts_for_batch(
    clue_ids: Iterable[int], staff_ids: Iterable[int] | None = None
) -> dict[int, dict[int, list[Conflict]]]:
    """clue id → staff id → conflicts (staff without any are absent), in a handful of queries."""
    clues = list(clue_ids)
    staff = list(staff_ids) if staff_ids is not None else None
    index = ConflictIndex(load_staff_facts(staff))
    matters = load_matter_facts(clues)
    overridden = _overrides(clues)
    decided = _recusal_conflicts(clues, staff)
    result: dict[int, dict[int, list[Conflict]]] = {}
    for clue_id in clues:
        per_staff = index.conflicts(matters[clue_id])
        for staff_id, items in decided.get(clue_id, {}).items():
            per_staff.setdefault(staff_id, []).extend(items)
        for staff_id, items in per_staff.items():
            per_staff[staff_id] = [
                Conflict(c.staff_id, c.ground, c.detail, c.cross_rule, overridden=True)
                if (clue_id, staff_id, c.ground) in overridden
                else c
                for c in items
            ]
        result[clue_id] = per_staff
    return result


def conflicts_for(clue: Clue, staff_ids: Iterable[int] | None = None) -> dict[int, list[Conflict]]:
    return conflicts_for_batch([clue.pk], staff_ids)[clue.pk]


def blocking_conflicts(clue: Clue, staff_id: int, *, mode: str) -> list[Conflict]:
    return [c for c in conflicts_for(clue, [staff_id]).get(staff_id, []) if c.blocks(mode)]


def recused_staff_ids(clue_id: int) -> set[int]:
    return set(Recusal.objects.filter(clue_id=clue_id, is_active=True).values_list("staff_id", flat=True))


def conflicted_staff_ids(clue: Clue, staff_ids: Iterable[int] | None = None) -> set[int]:
    """Staff who may not act on this matter when its own township handles it (自办): an active recusal
    or a conflict not overridden, the cross rule (same township) aside — the township's committee is
    then the body that decides and works it, so its own staff are not conflicted by being its staff."""
    conflicts = conflicts_for(clue, staff_ids)
    return {staff_id for staff_id, items in conflicts.items() if any(c.blocks(SELF_MODE) for c in items)}


def meeting_conflicted_staff_ids(clue: Clue, staff_ids: Iterable[int] | None = None) -> set[int]:
    """Staff who must leave this matter's agenda item at a zone meeting: an active recusal or any
    conflict not overridden, the same-township ground included (``MEETING_MODE``)."""
    conflicts = conflicts_for(clue, staff_ids)
    return {staff_id for staff_id, items in conflicts.items() if any(c.blocks(MEETING_MODE) for c in items)}


# The rule each ground follows, for docs/lifecycles.md (``meeting_grounds_notes``).
GROUND_RULES = {
    Ground.IS_SUBJECT: "监督执纪工作规则第五十条（本人是被反映人）",
    Ground.KIN_OF_SUBJECT: "监督执纪工作规则第五十条；监察法第六十七条（近亲属）",
    Ground.KIN_OF_REPORTER: "监督执纪工作规则第五十条（与检举人有近亲属关系）",
    Ground.REPORTER_RELATION: "监督执纪工作规则第五十条（其他可能影响公正的关系）",
    Ground.SAME_UNIT: "监督执纪工作规则第五十条（其他可能影响公正的关系）",
    Ground.SAME_TOWNSHIP: "协作区交叉办案暂行办法（乡镇纪委不办本乡镇干部的问题）",
    Ground.HOMETOWN: "监督执纪工作规则第五十条（其他可能影响公正的关系）；交叉办案暂行办法",
    Ground.SAME_VILLAGE: "监督执纪工作规则第五十条（其他可能影响公正的关系）",
    Ground.FORMER_COLLEAGUE: "监督执纪工作规则第五十条（其他可能影响公正的关系）",
    Ground.FORMER_POSTING: "监督执纪工作规则第五十条（其他可能影响公正的关系）；交叉办案暂行办法",
    Ground.WITNESS: "监督执纪工作规则第五十条（担任过本案证人）",
    Ground.INTEREST: "监督执纪工作规则第五十条（本人或近亲属与本案有利害关系）",
    Ground.OTHER: "监督执纪工作规则第五十条（其他可能影响公正的关系）",
}


def meeting_grounds_notes() -> str:
    """Which recusal grounds take a member off a meeting item, and off a team, as docs/lifecycles.md
    prints them under the meetings diagram — computed from ``Conflict.blocks``, so the document is the
    rule the code applies."""

    def applies(ground: str, mode: str) -> str:
        conflict = Conflict(0, ground, "", cross_rule=ground == Ground.SAME_TOWNSHIP)
        return "回避" if conflict.blocks(mode) else "不适用"

    rows = ["| 回避事由 | 会议议题（立案研究会等） | 乡镇自办 | 交叉、联合办理 | 依据 |", "|---|---|---|---|---|"]
    for ground, label in Ground.choices:
        rows.append(
            f"| {label} | {applies(ground, MEETING_MODE)} | {applies(ground, SELF_MODE)} | "
            f"{applies(ground, 'cross')} | {GROUND_RULES[Ground(ground)]} |"
        )
    return (
        "议题回避（`withdraw_conflicted`）：会议召开和表决时，出席名单中与议题线索有下列情形之一的成员自动回避该议题，"
        "回避事由载入会议纪要，该议题的法定人数和表决结果不计回避人员；经市纪委监委主要负责人批准的冲突例外"
        "（`ConflictOverride`）除外。乡镇自办时，本乡镇纪委干部办理本案、以有权机关名义录入本乡镇的立案决定，"
        "不因同一乡镇回避；但在协作区会议上研究本乡镇干部的议题时，同一乡镇同样回避。\n\n" + "\n".join(rows) + "\n"
    )
