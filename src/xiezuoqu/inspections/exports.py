"""The outputs of a special inspection: the 检查通报 (.docx, 公文 layout) and the 问题清单 and 整改台账 (.xlsx).

They are built from the rows the reader's selectors returned, so an export never holds more than its page."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone

from xiezuoqu.documents import body, chinese_date, official_document, paragraph, signature, to_bytes
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from .models import Campaign, Finding, FindingState
from .selectors import CampaignFigures


def notice_name(campaign: Campaign) -> str:
    return f"检查通报-{campaign.title}.docx"


def _yuan(amount: object) -> str:
    return f"{amount:,.2f}"


def notice_docx(campaign: Campaign, findings: list[Finding], figures: CampaignFigures) -> bytes:
    issuer = campaign.zone.name if campaign.zone else campaign.commission.name
    number = f"{campaign.commission.short_name}检通〔{campaign.period_start.year}〕{campaign.pk}号"
    document = official_document(campaign.commission.name, number, f"关于{campaign.title}情况的通报")
    paragraph(document, "各乡镇（街道）纪（工）委，各派驻纪检监察组：")
    body(
        document,
        f"根据专项检查工作安排，{issuer}于{chinese_date(campaign.period_start)}至{chinese_date(campaign.period_end)}"
        f"组织开展了{campaign.focus_label}专项检查，采取交叉互检方式，对 {figures.units_inspected} 个单位进行了检查。"
        "现将检查情况通报如下。",
    )
    paragraph(document, "一、总体情况", "黑体")
    body(
        document,
        f"本次检查共发现问题 {figures.findings} 个，涉及金额 {_yuan(figures.amount)} 元。"
        f"截至{chinese_date(timezone.localdate())}，已整改销号 {figures.rectified} 个，正在整改 {figures.rectifying} 个"
        f"（其中超过整改期限 {figures.overdue} 个），移交问题线索 {figures.transferred} 个。",
    )
    paragraph(document, "二、发现的主要问题", "黑体")
    by_category = Counter(f.get_category_display() for f in findings)
    for n, (label, count) in enumerate(by_category.most_common(), start=1):
        body(document, f"（{'一二三四五六七八九十'[n - 1] if n <= 10 else n}）{label}方面，共 {count} 个问题。")
        for finding in [f for f in findings if f.get_category_display() == label][:5]:
            amount = f"，涉及金额 {_yuan(finding.amount)} 元" if finding.amount else ""
            body(document, f"{finding.inspected_unit.name}：{finding.description}{amount}。")
    paragraph(document, "三、工作要求", "黑体")
    body(
        document,
        "各被检查单位要对照问题清单逐项整改，在整改期限内报送整改情况和佐证材料，做到整改一个、销号一个；"
        "对移交的问题线索，承办单位要依规依纪依法处置。逾期未完成整改的，将依规督办问责。",
    )
    signature(document, issuer if campaign.zone else campaign.commission.name, timezone.localdate())
    return to_bytes(document)


FINDING_COLUMNS = [
    ("序号", 6),
    ("协作区", 12),
    ("被检查单位", 18),
    ("检查要点", 24),
    ("问题类别", 12),
    ("问题描述", 40),
    ("依据", 28),
    ("涉及金额（元）", 14),
    ("责任单位", 18),
    ("责任人", 10),
    ("严重程度", 8),
    ("发现日期", 12),
    ("状态", 14),
    ("移交线索编号", 20),
]


def findings_xlsx(campaign: Campaign, findings: list[Finding]) -> bytes:
    workbook, sheet = ledger_workbook("问题清单", f"{campaign.title} 问题清单", FINDING_COLUMNS)
    for n, f in enumerate(findings, start=1):
        sheet.append(
            [
                n,
                f.zone.name,
                f.inspected_unit.name,
                f.point.text if f.point else "",
                f.get_category_display(),
                f.description,
                f.basis,
                f.amount,
                f.responsible_unit,
                f.responsible_person,
                f.get_severity_display(),
                f.found_on,
                f.get_state_display(),
                f.clue.ledger_number if f.clue else "",
            ]
        )
        sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    return finish_workbook(workbook, sheet)


LEDGER_COLUMNS = [
    ("序号", 6),
    ("协作区", 12),
    ("被检查单位", 18),
    ("问题描述", 36),
    ("涉及金额（元）", 14),
    ("整改要求", 30),
    ("整改起始日期", 12),
    ("整改期限", 12),
    ("是否超期", 8),
    ("整改情况", 36),
    ("佐证材料", 24),
    ("报送日期", 12),
    ("复核意见", 24),
    ("复核日期", 12),
    ("销号日期", 12),
    ("状态", 14),
]


def ledger_xlsx(campaign: Campaign, findings: list[Finding], today: date) -> bytes:
    workbook, sheet = ledger_workbook("整改台账", f"{campaign.title} 整改台账", LEDGER_COLUMNS)
    n = 0
    for f in findings:
        r = getattr(f, "rectification", None)
        if r is None:
            continue
        n += 1
        overdue = f.state == FindingState.RECTIFYING and r.due_date < today
        late = r.reported_on is not None and r.reported_on > r.due_date
        sheet.append(
            [
                n,
                f.zone.name,
                f.inspected_unit.name,
                f.description,
                f.amount,
                r.requirement,
                r.ordered_on,
                r.due_date,
                "是" if overdue or late else "否",
                r.report,
                r.evidence_note,
                r.reported_on,
                r.review_note,
                r.reviewed_on,
                r.closed_on,
                f.get_state_display(),
            ]
        )
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    return finish_workbook(workbook, sheet)
