"""Recognising a report about the commission's own head (检举控告工作规则: 直接报送上一级).

A report naming the head of the commission that registers it must go straight up and stay out of the
head's sight, so the product may not depend on one spelling of the commission. Registrars write the
accused's unit the way the letter wrote it: 凤城市纪委监委, 市纪委监委, 市纪委, 凤城市监委, 中共凤城市纪律
检查委员会, or only the head's name with a title (书记, 主任). Two answers come out of this module:

* ``refers_to_commission`` — whether a unit text names the commission itself (not one of its offices
  or a township committee, and not another place's commission), used to match an accused to the
  commission's leaders by name and unit;
* ``head_doubts`` — the accused rows that *may* be the head but cannot be told for certain (the head's
  name with no unit, or with a title only; the commission's 书记/主任 with another name or 不详). The
  registrar is then asked to confirm either way (a required tick); the product never decides silently.

Pure functions over plain strings, apart from ``head_names`` (one query).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# How a commission's body is written: the joint name, either half, the full names of the halves.
BODIES = ("纪委监委", "纪委监察委", "纪律检查委员会", "监察委员会", "纪检委", "纪委", "监委")
# The administrative suffix of a place name; the short forms keep only this (市纪委, 县纪委).
LEVEL_SUFFIXES = ("自治县", "自治州", "市", "县", "区", "旗", "省", "州")
# What may stand before a level-only form for it still to mean this commission: nothing, the party
# prefix, or 本 (本级, 本市).
BARE_PREFIXES = ("", "中共", "本", "本级")
# A principal's title; 副书记 / 副主任 are deputies, not the head.
PRINCIPAL = re.compile(r"(?<!副)(书记|主任)|主要负责(人|同志)|一把手|主要领导")
# The other leadership titles: deputies and members of the standing committee.
MEMBER = re.compile(r"副书记|副主任|常委|委员")
# What after the commission's name makes the text one of its offices or posted groups, not the body.
OFFICE = re.compile(r"[室组部处科局中心站所队院]|派驻|派出|机关")


@dataclass(frozen=True)
class Place:
    """The commission's place, from its name: 凤城市纪委监委 → 凤城市, the bare 凤城, the level 市."""

    full: str
    bare: str
    level: str


def place_of(commission_name: str) -> Place:
    name = commission_name.strip().removeprefix("中共")
    for body in BODIES:
        if name.endswith(body):
            name = name.removesuffix(body)
            break
    for suffix in LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return Place(full=name, bare=name.removesuffix(suffix), level=suffix)
    return Place(full=name, bare=name, level="")


def aliases(commission_name: str, short_name: str = "") -> list[tuple[str, bool]]:
    """Every spelling of the commission, longest first, each with whether it carries the place name
    (a level-only form like 市纪委 means this commission only when nothing else stands before it)."""
    place = place_of(commission_name)
    forms: dict[str, bool] = {commission_name.strip(): True}
    if short_name.strip():
        forms[short_name.strip()] = True
    for body in BODIES:
        if place.full:
            forms.setdefault(place.full + body, True)
        if place.bare and place.bare != place.full and len(place.bare) >= 2:
            forms.setdefault(place.bare + body, True)
        if place.level:
            forms.setdefault(place.level + body, False)
    return sorted(forms.items(), key=lambda item: -len(item[0]))


def refers_to_commission(text: str, commission_name: str, short_name: str = "") -> str | None:
    """What ``text`` names: ``"body"`` (the commission itself), ``"principal"`` (the commission and its
    principal's title, as in 市纪委书记), ``"member"`` (another leader's title: 副书记, 常委),
    ``"office"`` (one of its offices or groups), or ``None`` (not this commission: a township's
    committee, another city's, or no commission at all)."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return None
    for alias, placed in aliases(commission_name, short_name):
        start = text.find(alias)
        while start != -1:
            before = text[:start].removeprefix("中共")
            if placed or before in BARE_PREFIXES:
                # A placed form may follow its province and city (辽宁省丹东市凤城市纪委); a level-only
                # one only the party prefix: 丹东市纪委 is another commission.
                if placed and before and not before.endswith(LEVEL_SUFFIXES):
                    break
                return _after(text[start + len(alias) :])
            start = text.find(alias, start + 1)
    return None


def _after(tail: str) -> str:
    if not tail or tail in ("领导班子", "班子", "领导"):
        return "body"
    office = OFFICE.search(tail)
    principal = PRINCIPAL.search(tail)
    member = MEMBER.search(tail)
    first_title = min((m.start() for m in (principal, member) if m is not None), default=None)
    if first_title is None or (office is not None and office.start() < first_title):
        return "office"
    return "principal" if principal is not None and principal.start() == first_title else "member"


LEADERSHIP = {"body", "principal", "member"}


def names_leadership(unit_text: str, position: str, commission_name: str, short_name: str = "") -> bool:
    """The unit or the position names the commission itself or one of its leaders' posts: how an
    accused is matched, with the name, to a member of the commission's leadership."""
    return bool(
        {
            refers_to_commission(unit_text, commission_name, short_name),
            refers_to_commission(position, commission_name, short_name),
        }
        & LEADERSHIP
    )


def is_principal(text: str) -> bool:
    """A title naming the principal (书记, 主任, 主要负责人, 一把手), not a deputy's."""
    return bool(PRINCIPAL.search(text or ""))


def head_users(commission_id: int) -> QuerySet[Any]:
    """The commission's current heads (主要负责人): active users with a staff record and the role."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.accounts.roles import Role

    return User.objects.filter(
        commission_id=commission_id,
        is_active=True,
        staff__isnull=False,
        role_assignments__role=Role.COMMISSION_HEAD,
    )


def head_names(commission_id: int) -> set[str]:
    """The names of the commission's current heads: one query."""
    return set(head_users(commission_id).values_list("staff__name", flat=True))


def head_doubts(
    rows: Iterable[tuple[str, str, str]], *, names: set[str], commission_name: str, short_name: str = ""
) -> list[str]:
    """For each accused (name, unit text, position) that may be the head but is not certainly them, a
    sentence telling the registrar why. Certain cases (the head's name with the commission as the unit)
    are matched to the head's staff record elsewhere and need no question."""
    doubts: list[str] = []
    for index, (name, unit_text, position) in enumerate(rows, start=1):
        name = (name or "").strip()
        unit_ref = refers_to_commission(unit_text, commission_name, short_name)
        position_ref = refers_to_commission(position, commission_name, short_name)
        titled = is_principal(position) or "principal" in (unit_ref, position_ref)
        of_commission = bool({unit_ref, position_ref} & LEADERSHIP)
        who = f"第 {index} 名被反映人“{name or '不详'}”"
        if name in names:
            if unit_ref in LEADERSHIP or position_ref in LEADERSHIP:
                continue  # certain: matched to the head's own record (``names_leadership``)
            if not (unit_text or "").strip() or titled:
                doubts.append(f"{who}与本级纪委监委主要负责人同名，单位未写明或只写了职务")
        elif of_commission and titled and (not name or name == "不详" or name not in names):
            doubts.append(f"{who}的单位职务像是本级纪委监委主要负责人（{(unit_text or '') + (position or '')}）")
    return doubts
