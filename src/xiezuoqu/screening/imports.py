"""Reading a payment file or a reference list: .xlsx or .csv, the template's columns or a mapping.

The template (``TEMPLATE_COLUMNS``; docs/decisions/0026-data-driven-supervision.md describes it; the
import page offers it for download) has one header row and one payment per row. Another layout is read
through a column mapping written ``模板列名=文件列名``, one per line or separated by ``；``/``;``.
Every row is checked; the errors name the row (as the spreadsheet numbers it) and the column, in
Chinese. The caller imports nothing when any row is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from xiezuoqu.errors import ValidationFailed
from xiezuoqu.public.files import TEXT_GB18030, TEXT_UTF8, XLSX, RefusedFile, sniff


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str
    synonyms: tuple[str, ...] = ()


TEMPLATE_COLUMNS: tuple[Column, ...] = (
    Column("township", "乡镇（街道）", True, "本市乡镇（街道）名称，如“宝山镇”", ("乡镇", "乡镇街道", "乡镇(街道)")),
    Column(
        "village", "村（社区）", False, "该乡镇下的村（社区）名称；乡镇直接发放的留空", ("村", "村社区", "村(社区)")
    ),
    Column("payer", "发放单位", False, "如“宝山镇双山子村股份经济合作社”", ()),
    Column("payee_name", "收款人姓名", True, "", ("收款人", "姓名", "户主姓名")),
    Column(
        "id_number", "身份证号码", True, "18 位（末位可为 X），校验位须正确", ("身份证号", "证件号码", "公民身份号码")
    ),
    Column("item", "项目", True, "如“耕地地力保护补贴”“村集体劳务费”", ("补贴项目", "发放项目", "支出项目")),
    Column("amount", "金额（元）", True, "大于 0，最多两位小数", ("金额", "发放金额", "金额(元)")),
    Column("paid_on", "发放日期", True, "如 2026-03-05（Excel 日期格式亦可）", ("日期", "支付日期")),
    Column("period", "所属期", False, "如“2026年度”“2026年3月”；留空时取发放日期的年份", ("期间", "所属期间")),
    Column("approver", "审批人", False, "", ()),
    Column("voucher", "凭证号", False, "", ("凭证编号",)),
)

REFERENCE_COLUMNS: tuple[Column, ...] = (
    Column("person_name", "姓名", True, "", ()),
    Column("id_number", "身份证号码", True, "18 位（末位可为 X）", ("身份证号", "公民身份号码")),
    Column("status", "情形", True, "“死亡”或“迁出”", ("类别",)),
    Column("since", "日期", True, "死亡或迁出日期，如 2025-11-20", ("死亡或迁出日期",)),
    Column("township", "乡镇（街道）", False, "", ("乡镇",)),
)

MAX_ROWS = 200_000
MAX_ERRORS = 200
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def id_check_digit(first17: str) -> str:
    """GB 11643 校验码 of the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def clean_id_number(value: Any) -> str | None:
    """The ID number upper-cased without spaces, or ``None`` when it is not a valid 18-digit number."""
    text = "".join(str(value or "").split()).upper()
    if not ID_NUMBER.match(text) or id_check_digit(text[:17]) != text[17]:
        return None
    return text


def parse_mapping(text: str, columns: Sequence[Column]) -> dict[str, str]:
    """``模板列名=文件列名`` pairs → {column key: the file's header}; an unknown template column is an error."""
    by_header = {c.header: c for c in columns} | {c.key: c for c in columns}
    mapping: dict[str, str] = {}
    for part in re.split(r"[\n;；]+", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValidationFailed(
                f"列名对应“{part.strip()}”应写成“模板列名=文件列名”。", field_errors={"mapping": ["格式有误。"]}
            )
        left, right = (s.strip() for s in part.split("=", 1))
        column = by_header.get(left)
        if column is None or not right:
            raise ValidationFailed(
                f"列名对应中的“{left}”不是模板的列名（可用：{'、'.join(c.header for c in columns)}）。",
                field_errors={"mapping": ["模板列名有误。"]},
            )
        mapping[column.key] = right
    return mapping


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _guarded(file_name: str, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The rows, with a fault met while reading them (a read-only sheet parses as it goes: a damaged
    sheet XML; a CSV field over the csv module's limit) refused in Chinese instead of escaping."""
    try:
        yield from rows
    except Exception:  # openpyxl, the XML parser and the csv module raise many kinds
        raise ValidationFailed(
            f"文件“{file_name}”已损坏或格式不正确（无法逐行读取），请检查后重新导出。",
            field_errors={"file": ["无法读取。"]},
        ) from None


def read_table(file_name: str, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header and the data rows (with the row number as the spreadsheet shows it) of a checked
    upload: .xlsx (first sheet) or .csv (UTF-8 or GB18030)."""
    try:
        kind = sniff(file_name, data)
    except RefusedFile as exc:
        raise ValidationFailed(exc.message, field_errors={"file": [exc.message]}) from None
    if kind == XLSX:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise ValidationFailed(
                f"无法读取 Excel 文件“{file_name}”，请另存为 .xlsx 后重试。", field_errors={"file": ["无法读取。"]}
            ) from None
        sheet = workbook.worksheets[0]
        raw_rows = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    elif kind in (TEXT_UTF8, TEXT_GB18030):
        text = data.decode("utf-8-sig") if kind == TEXT_UTF8 else data.decode("gb18030")
        raw_rows = ([_cell(v) for v in row] for row in csv.reader(io.StringIO(text)))
    else:
        message = f"文件“{file_name}”是{kind.label}，请上传 .xlsx 或 .csv 表格。"
        raise ValidationFailed(message, field_errors={"file": [message]})
    numbered = enumerate(_guarded(file_name, raw_rows), start=1)
    for _, row in numbered:
        if any(v not in (None, "") for v in row):
            header = [str(v or "").strip() for v in row]
            return header, ((n, r) for n, r in numbered if any(v not in (None, "") for v in r))
    raise ValidationFailed(f"文件“{file_name}”没有内容。", field_errors={"file": ["空文件。"]})


def locate_columns(header: list[str], columns: Sequence[Column], mapping: dict[str, str]) -> dict[str, int]:
    """Where each template column is in the file: by the mapping, the template header or a synonym."""
    normal = {re.sub(r"\s+", "", h).replace("(", "（").replace(")", "）"): i for i, h in enumerate(header)}
    exact = {h: i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    missing: list[str] = []
    for column in columns:
        if column.key in mapping:
            wanted = mapping[column.key]
            if wanted not in exact:
                missing.append(f"{column.header}（对应的“{wanted}”不在文件表头中）")
                continue
            found[column.key] = exact[wanted]
            continue
        for name in (column.header, *column.synonyms):
            key = re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")
            if key in normal:
                found[column.key] = normal[key]
                break
        else:
            if column.required:
                missing.append(column.header)
    if missing:
        raise ValidationFailed(
            f"文件缺少必需的列：{'、'.join(missing)}。请使用导入模板，或填写列名对应（如“收款人姓名=户主姓名”）。",
            field_errors={"columns": missing},
        )
    return found


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    if amount >= Decimal("1000000000000"):
        return None
    return amount.quantize(Decimal("0.01"))


def parse_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_value(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def row_error(number: int, message: str) -> str:
    return f"第 {number} 行：{message}"


def too_many(errors: list[str]) -> bool:
    return len(errors) >= MAX_ERRORS


def rejected(file_name: str, errors: list[str]) -> ValidationFailed:
    shown = errors[:MAX_ERRORS]
    more = "（仅列出前 200 条）" if len(errors) >= MAX_ERRORS else ""
    return ValidationFailed(
        f"文件“{file_name}”有 {len(shown)} 处错误{more}，未导入任何记录；请修改后重新导入。",
        field_errors={"rows": shown},
    )
