"""统计报表 .xlsx: the cockpit's figures as the page shows them (same scope, level and period), one
sheet of figures, one of the zones or townships below the level, one of the 成案率 by month; every
export is one audit event naming the level, the period and the figures it held."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import record_event
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from .figures import DEFINITIONS


def _figure_rows(main: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["受理登记检举控告", "合计", main["reports_total"]["n"], ""]]
    rows += [["受理登记检举控告", r["label"], r["n"], ""] for r in main["reports"]]
    rows.append(["处置问题线索", "合计（线索数）", main["disposals_total"]["n"], ""])
    rows += [["处置问题线索", r["label"], r["n"], ""] for r in main["disposals"]]
    rows.append(["立案", "立案数", main["cases"]["n"], ""])
    cases, verified, converted = main["cases"]["n"], main["verified"]["n"], main["converted"]["n"]
    rows.append(["成案率", "立案数 ÷ 初步核实处置线索数", main["filing_rate"], f"{cases} ÷ {verified}"])
    rows.append(["初核转立案率", "已立案的初核线索 ÷ 初核线索", main["conversion_rate"], f"{converted} ÷ {verified}"])
    total = main["deadlines_total"]
    rows.append(["时限", "全部时限", total["n"], f"按期率 {total['on_time']}，超期率 {total['overdue']}"])
    for d in main["deadlines"]:
        detail = "，".join(f"{s['label']} {s['n']}" for s in d["statuses"])
        rows.append(["时限", d["label"], d["total"], f"{detail}；按期率 {d['on_time']}，超期率 {d['overdue']}"])
    rows += [["四种形态", f["label"], f["n"], f["share"]] for f in main["forms"]]
    rows.append(["办案组", "合计", main["teams_total"]["n"], f"交叉、联合办理占 {main['cross_joint_share']}"])
    rows += [["办案组", t["label"], t["n"], t["share"]] for t in main["teams"]]
    rows.append(["以干代训", "学员席位（人次）", main["training"]["n"], ""])
    rows += [["专项检查", f["label"], f["n"], ""] for f in main["findings"]]
    rows.append(["专项检查", "整改销号率", main["rectified_rate"], "已销号 ÷ 交办整改"])
    if main["spending"] is not None:
        spending = main["spending"]
        rows.append(["办案经费", "本期支付（笔）", spending["n"], f"支出合计 {spending['amount']} 元"])
        rows.append(["办案经费", "案均经费（元/件）", spending["per_case"], "支出合计 ÷ 本期立案数"])
    return rows


def export_statistics(actor: Actor, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    cp = context["cp"]
    main = context["main"]
    heading = f"统计报表：{cp.level.name}，{cp.period.text}（导出于 {timezone.localtime():%Y-%m-%d %H:%M}）"
    workbook, sheet = ledger_workbook("统计报表", heading, [("指标", 18), ("项目", 30), ("数值", 12), ("说明", 60)])
    for row in _figure_rows(main):
        sheet.append(row)
    sheet.append([])
    sheet.append(["口径", "", "", ""])
    for _key, name, text in DEFINITIONS:
        sheet.append([name, "", "", text])

    parts = workbook.create_sheet(f"分{context['part_kind'][:6]}")
    part_columns = ["受理登记", "处置线索", "初核线索", "立案", "成案率", "初核转立案率", "按期率", "超期率"]
    parts.append([context["part_kind"], *part_columns, "交叉联合占比"])
    for p in context["parts"]:
        parts.append(
            [
                p["level"].name,
                p["reports_total"]["n"],
                p["disposals_total"]["n"],
                p["verified"]["n"],
                p["cases"]["n"],
                p["filing_rate"],
                p["conversion_rate"],
                p["deadlines_total"]["on_time"],
                p["deadlines_total"]["overdue"],
                p["cross_joint_share"],
            ]
        )

    year = context["year"]
    months = workbook.create_sheet(f"{year}年成案率月表")
    months.append(["单位", "", *[f"{m}月" for m in range(1, 13)], "全年"])
    for row in context["month_rows"]:
        name = row["level"].name
        months.append([name, f"{year}年成案率", *[c["rate_text"] for c in row["cells"]], row["year_rate"]])
        months.append([name, "立案数", *[c["cases"] for c in row["cells"]], row["cases"]])
        months.append([name, "初核线索数", *[c["verified"] for c in row["cells"]], row["verified"]])
        months.append([name, f"{year - 1}年同期", *[c["last_text"] for c in row["cells"]], row["last_year_rate"]])

    with transaction.atomic():
        record_event(
            actor=actor,
            action="statistics.exported",
            target_type="statistics.report",
            target_label=f"统计报表（{cp.level.name}）",
            detail={
                "level": cp.level.kind,
                "level_id": cp.level.id,
                "start": cp.period.start.isoformat(),
                "end": cp.period.end.isoformat(),
                "table_year": year,
                "cases": main["cases"]["n"],
                "verified": main["verified"]["n"],
                "reports": main["reports_total"]["n"],
            },
            request=request,
        )
    return finish_workbook(workbook, sheet)
