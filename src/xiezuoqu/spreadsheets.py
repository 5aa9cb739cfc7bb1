"""The .xlsx ledgers' common frame: a bold title row, a header row with widths, frozen panes, and on
finishing, dates as dates and every cell wrapped at the top — so every exported ledger looks alike."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter


def ledger_workbook(title: str, heading: str, columns: list[tuple[str, int]]) -> tuple[Workbook, Any]:
    """A workbook whose one sheet (named ``title``, at most 31 characters) starts with ``heading`` and
    the column headers; rows appended after them start on row 3."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([header for header, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A3"
    return workbook, sheet


def finish_workbook(workbook: Workbook, sheet: Any) -> bytes:
    """The file's bytes, with dates shown as dates and the data cells wrapped."""
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if hasattr(cell.value, "isoformat") and not isinstance(cell.value, str):
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
