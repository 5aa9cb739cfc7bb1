"""The text format for entering a year's holiday schedule quickly, and its checks.

One line per day or per run of days, as the State Council notice lists them::

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01 休 元旦
    2027-02-06~2027-02-14 休 春节
    2027-02-20 班 春节调休

``休`` (also 休息/放假/假) marks a rest day, ``班`` (also 上班) a make-up working day; the name is
optional. A range is written ``A~B``, ``A～B`` or ``A 至 B``. Blank lines and lines starting with
``#`` are ignored. Every error names its line, and all errors are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from xiezuoqu.errors import ValidationFailed

from .calendar import MAX_YEAR, MIN_YEAR, EnteredDay, EntryKind

KIND_WORDS = {
    "休": EntryKind.HOLIDAY,
    "休息": EntryKind.HOLIDAY,
    "放假": EntryKind.HOLIDAY,
    "假": EntryKind.HOLIDAY,
    "班": EntryKind.WORKDAY,
    "上班": EntryKind.WORKDAY,
}
KIND_TEXT = {EntryKind.HOLIDAY: "休", EntryKind.WORKDAY: "班"}
WEEKDAY_NAMES = "一二三四五六日"
NAME_MAX = 40
RANGE_MAX_DAYS = 31

_DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_LINE = re.compile(
    rf"^(?P<start>{_DATE})(?:\s*(?:~|～|至|到)\s*(?P<end>{_DATE}))?\s+(?P<kind>\S+)(?:\s+(?P<name>.+?))?\s*$"
)


def _parse_date(text: str) -> date | None:
    parts = re.split(r"[-/.]", text)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (ValueError, IndexError):
        return None


def check_schedule(year: int, days: Sequence[EnteredDay], labels: Sequence[str]) -> list[str]:
    """Problems with a year's schedule (empty when it is fine); ``labels[i]`` names where item i came from.

    Every date must be in ``year`` and appear once; the kind must be known; a make-up working day on
    a Monday–Friday is refused because it would change nothing (almost always a mistyped date).
    """
    errors: list[str] = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        return [f"年份 {year} 超出范围（{MIN_YEAR}—{MAX_YEAR}）。"]
    if not days:
        return ["至少要录入一天：每年都有法定节假日，请按国务院通知逐条录入。"]
    seen: dict[date, str] = {}
    for item, label in zip(days, labels, strict=True):
        day, kind, name = item
        if day.year != year:
            errors.append(f"{label}：{day.isoformat()} 不在 {year} 年内。")
        if kind not in {EntryKind.HOLIDAY.value, EntryKind.WORKDAY.value}:
            errors.append(f"{label}：类型“{kind}”无法识别，应为休（放假）或班（调休上班）。")
        elif kind == EntryKind.WORKDAY.value and day.weekday() < 5:
            errors.append(
                f"{label}：{day.isoformat()} 是星期{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日，"
                "无需标为调休上班日；请核对日期。"
            )
        if len(name) > NAME_MAX:
            errors.append(f"{label}：名称过长（最多 {NAME_MAX} 字）。")
        if day in seen:
            errors.append(f"{label}：{day.isoformat()} 与{seen[day]}重复。")
        else:
            seen[day] = label
    return errors


def parse_schedule(text: str, *, year: int | None = None) -> list[EnteredDay]:
    """Parse the text format into entered days; with ``year``, also check them as that year's schedule.

    Raises ``ValidationFailed`` listing every problem with its line number (field ``text``).
    """
    errors: list[str] = []
    days: list[EnteredDay] = []
    labels: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("\u3000", " ")
        if not line or line.startswith("#"):
            continue
        label = f"第 {number} 行"
        match = _LINE.match(line)
        if match is None:
            errors.append(f"{label}：格式应为“2027-01-01 休 元旦”或“2027-02-06~2027-02-14 休 春节”。")
            continue
        start = _parse_date(match["start"])
        end = _parse_date(match["end"]) if match["end"] else start
        if start is None or end is None:
            bad = match["start"] if start is None else match["end"]
            errors.append(f"{label}：日期“{bad}”不存在。")
            continue
        kind = KIND_WORDS.get(match["kind"])
        if kind is None:
            errors.append(f"{label}：类型“{match['kind']}”无法识别，请写“休”（放假）或“班”（调休上班）。")
            continue
        if end < start:
            errors.append(f"{label}：结束日期早于开始日期。")
            continue
        if (end - start).days >= RANGE_MAX_DAYS:
            errors.append(f"{label}：一段连续日期不能超过 {RANGE_MAX_DAYS} 天，请核对。")
            continue
        name = (match["name"] or "").strip()
        day = start
        while day <= end:
            days.append(EnteredDay(day, kind.value, name))
            labels.append(label)
            day += timedelta(days=1)
    if year is not None and not errors:
        errors = check_schedule(year, days, labels)
    elif not errors and not days:
        errors = ["没有可录入的日期：请每行写一条，如“2027-01-01 休 元旦”。"]
    if errors:
        raise ValidationFailed(f"节假日安排有 {len(errors)} 处错误，请修改后重新提交。", field_errors={"text": errors})
    return days


def format_schedule(days: Sequence[EnteredDay]) -> str:
    """The text format for ``days``; consecutive days of the same kind and name become one range."""
    lines: list[str] = []
    ordered = sorted(days)
    i = 0
    while i < len(ordered):
        first = ordered[i]
        j = i
        while (
            j + 1 < len(ordered)
            and ordered[j + 1].date - ordered[j].date == timedelta(days=1)
            and ordered[j + 1].kind == first.kind
            and ordered[j + 1].name == first.name
        ):
            j += 1
        last = ordered[j]
        span = first.date.isoformat() if j == i else f"{first.date.isoformat()}~{last.date.isoformat()}"
        text = f"{span} {KIND_TEXT[EntryKind(first.kind)]}"
        lines.append(f"{text} {first.name}" if first.name else text)
        i = j + 1
    return "\n".join(lines)
