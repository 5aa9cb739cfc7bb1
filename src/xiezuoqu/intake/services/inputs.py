"""What a report states: the input records, their cleaning (places, the reporter's identity, the accused),
the check whether an accused is the commission's head, and the rows of the accused and the identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from xiezuoqu.crypto import blind_index
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.intake import head
from xiezuoqu.intake.models import Category, Channel, Report, ReportAccused, ReporterIdentity
from xiezuoqu.org.models import Commission, StaffMember, Unit, Village

from ._common import _text


@dataclass(frozen=True)
class AccusedInput:
    name: str
    unit_text: str = ""
    position: str = ""
    township_id: int | None = None
    village_id: int | None = None


@dataclass(frozen=True)
class IdentityInput:
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    work_unit: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "phone": self.phone,
            "id_number": self.id_number,
            "address": self.address,
            "work_unit": self.work_unit,
        }


@dataclass(frozen=True)
class ReportInput:
    """What a registrar (or the public form) states about a report."""

    channel: str
    received_on: date
    summary: str
    content: str
    category: str
    township_id: int | None = None
    village_id: int | None = None
    is_real_name: bool = False
    identity: IdentityInput | None = None
    accused: Sequence[AccusedInput] = field(default_factory=tuple)
    concerns_head: bool = False
    # The registrar's tick: "checked, the report does not concern the commission's head" — required
    # when an accused may be the head but cannot be told for certain (``head.head_doubts``).
    not_head_confirmed: bool = False


MAX_ACCUSED = 20


ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dX])$")


PHONE = re.compile(r"^[\d\-+ ()]{5,20}$")


EARLIEST_RECEIPT = date(2000, 1, 1)


@dataclass
class _Cleaned:
    channel: str
    received_on: date
    summary: str
    content: str
    category: str
    township: Unit | None
    village: Village | None
    is_real_name: bool
    identity: dict[str, str]
    accused: list[tuple[AccusedInput, Unit | None, Village | None]]
    concerns_head: bool


def _place(commission_id: int, township_id: int | None, village_id: int | None, errors: dict[str, list[str]], key: str):  # type: ignore[no-untyped-def]
    township = village = None
    if village_id:
        village = Village.objects.select_related("township").filter(pk=village_id).first()
        if village is None or village.township.commission_id != commission_id:
            errors.setdefault(f"{key}village", []).append("请选择本纪委监委辖区内的村（社区）。")
            village = None
    if (
        township_id
        and village is not None
        and str(village.township_id) == str(township_id)
        and village.township.kind == Unit.Kind.TOWNSHIP_COMMITTEE
    ):
        township = village.township  # read with the village
    elif township_id:
        township = Unit.objects.filter(
            pk=township_id, commission_id=commission_id, kind=Unit.Kind.TOWNSHIP_COMMITTEE
        ).first()
        if township is None:
            errors.setdefault(f"{key}township", []).append("请选择本纪委监委辖区内的乡镇（街道）。")
    if village is not None:
        if township is not None and village.township_id != township.pk:
            errors.setdefault(f"{key}village", []).append("所选村（社区）不属于所选乡镇（街道）。")
        elif township is None:
            township = village.township
    return township, village


def _clean(commission_id: int, data: ReportInput, *, staff_channels: bool = True) -> _Cleaned:
    errors: dict[str, list[str]] = {}
    if data.channel not in Channel.values:
        errors["channel"] = ["请选择来源渠道。"]
    summary, content = _text(data.summary), _text(data.content)
    if not summary:
        errors["summary"] = ["请填写主要内容摘要。"]
    elif len(summary) > 200:
        errors["summary"] = ["摘要不能超过 200 字。"]
    if not content:
        errors["content"] = ["请填写反映的具体内容。"]
    elif len(content) > 20000:
        errors["content"] = ["内容不能超过 20000 字，较长的材料请作为附件另行提交。"]
    if data.category not in Category.values:
        errors["category"] = ["请选择问题类别。"]
    today = timezone.localdate()
    if data.received_on is None or data.received_on > today:
        errors["received_on"] = ["收件日期不能晚于今天。"]
    elif data.received_on < EARLIEST_RECEIPT:
        errors["received_on"] = ["收件日期有误。"]
    township, village = _place(commission_id, data.township_id, data.village_id, errors, "")
    identity: dict[str, str] = {}
    if data.is_real_name:
        raw = (data.identity or IdentityInput()).as_dict()
        identity = {k: _text(v) for k, v in raw.items()}
        identity["id_number"] = identity["id_number"].upper().replace(" ", "")
        # 实名: a name or a work unit, and a real contact (检举控告工作规则).
        if not (identity["name"] or identity["work_unit"]):
            errors["identity_name"] = ["实名举报须填写举报人姓名或工作单位。"]
        if not (identity["phone"] or identity["address"]):
            errors["identity_phone"] = ["实名举报须填写真实的联系电话或通讯地址。"]
        if identity["id_number"] and not ID_NUMBER.match(identity["id_number"]):
            errors["identity_id_number"] = ["身份证号码应为 18 位（末位可为 X）或 15 位数字。"]
        if identity["phone"] and not PHONE.match(identity["phone"]):
            errors["identity_phone"] = ["联系电话格式有误。"]
        for key, limit in (("name", 30), ("work_unit", 100), ("address", 200)):
            if len(identity[key]) > limit:
                errors[f"identity_{key}"] = [f"不能超过 {limit} 字。"]
    accused: list[tuple[AccusedInput, Unit | None, Village | None]] = []
    rows = [a for a in data.accused if _text(a.name) or _text(a.unit_text) or _text(a.position)]
    if len(rows) > MAX_ACCUSED:
        errors["accused"] = [f"被反映人不能超过 {MAX_ACCUSED} 人。"]
    for index, row in enumerate(rows[:MAX_ACCUSED]):
        if not _text(row.name):
            errors.setdefault("accused", []).append(f"第 {index + 1} 名被反映人：请填写姓名（不详的写“不详”）。")
            continue
        if len(_text(row.name)) > 30 or len(_text(row.unit_text)) > 100 or len(_text(row.position)) > 60:
            errors.setdefault("accused", []).append(f"第 {index + 1} 名被反映人：姓名、单位或职务过长。")
            continue
        a_township, a_village = _place(commission_id, row.township_id, row.village_id, errors, f"accused_{index}_")
        accused.append((row, a_township, a_village))
    if errors:
        raise ValidationFailed("登记信息不完整或有误，请按提示修改。", field_errors=errors)
    return _Cleaned(
        channel=data.channel,
        received_on=data.received_on,
        summary=summary,
        content=content,
        category=data.category,
        township=township,
        village=village,
        is_real_name=data.is_real_name,
        identity=identity,
        accused=accused,
        concerns_head=data.concerns_head,
    )


def _names_unit_of(staff: StaffMember, unit_text: str, position: str) -> bool:
    """Whether a report's unit text (or, for the leadership, the position) names a staff member's unit:
    its name or short name; for the commission's leadership any usual spelling of the commission itself
    (凤城市纪委监委, 市纪委, 凤城市监委, 市纪委书记 — ``head.names_leadership``)."""
    unit = staff.home_unit
    if unit.kind == Unit.Kind.LEADERSHIP:
        commission = staff.commission
        if head.names_leadership(unit_text, position, commission.name, commission.short_name):
            return True
    return bool(unit_text) and any(n in unit_text for n in (unit.name, unit.short_name) if n and len(n) >= 2)


def _match_staff(commission_id: int, people: list[tuple[str, str, str]]) -> list[StaffMember | None]:
    """The staff member each accused (name, unit text, position) is, when name and unit both match
    exactly one person (never a guess). One query for all of them."""
    names = {name for name, unit_text, position in people if unit_text or position}
    if not names:
        return [None] * len(people)
    candidates: dict[str, list[StaffMember]] = {}
    for staff in StaffMember.objects.filter(commission_id=commission_id, name__in=names, is_active=True).select_related(
        "home_unit", "commission"
    ):
        candidates.setdefault(staff.name, []).append(staff)
    matches: list[StaffMember | None] = []
    for name, unit_text, position in people:
        found = [s for s in candidates.get(name, []) if _names_unit_of(s, unit_text, position)]
        matches.append(found[0] if len(found) == 1 else None)
    return matches


HEAD_CHECK_TICK = "已核实，不涉及本级纪委监委主要负责人"


def _check_head_doubts(
    commission: Commission, people: Iterable[tuple[str, str, str]], *, concerns_head: bool, confirmed: bool
) -> bool:
    """直接报送上一级 depends on recognising the head: when an accused may be the head and cannot be told
    for certain, the registrar must say which (never decided silently). Returns whether a doubt was
    raised and settled by the registrar's tick (kept on the registration's audit record)."""
    if concerns_head:
        return False
    people = list(people)
    if not people:
        return False
    doubts = head.head_doubts(
        people, names=head.head_names(commission.pk), commission_name=commission.name, short_name=commission.short_name
    )
    if doubts and not confirmed:
        message = "；".join(doubts) + (
            "。请核实：是本级主要负责人的，勾选“反映本级纪委监委主要负责人”（依规直接报送上一级）；"
            f"不是的，勾选“{HEAD_CHECK_TICK}”。"
        )
        raise ValidationFailed(
            "请核实被反映人是否为本级纪委监委主要负责人。", field_errors={"concerns_head": [message]}
        )
    return bool(doubts)


def _write_accused(
    report: Report, rows: Iterable[tuple[AccusedInput, Unit | None, Village | None]]
) -> list[ReportAccused]:
    rows = list(rows)
    people = [(_text(row.name), _text(row.unit_text), _text(row.position)) for row, _, _ in rows]
    staff = _match_staff(report.commission_id, people)
    created = [
        ReportAccused(
            report=report,
            name=name,
            unit_text=unit_text,
            position=_text(row.position),
            township=township,
            village=village,
            name_index=blind_index(name, purpose="accused.name") if name != "不详" else "",
            staff=match,
            order=order,
        )
        for order, ((row, township, village), (name, unit_text, _), match) in enumerate(
            zip(rows, people, staff, strict=True)
        )
    ]
    ReportAccused.objects.bulk_create(created)
    return created


def _write_identity(report: Report, values: dict[str, str]) -> ReporterIdentity:
    identity = ReporterIdentity(report=report)
    identity.seal_fields(values)
    identity.id_index = blind_index(values.get("id_number", ""), purpose="reporter.id_number")
    identity.name_index = blind_index(values.get("name", ""), purpose="reporter.name")
    identity.save()
    return identity
