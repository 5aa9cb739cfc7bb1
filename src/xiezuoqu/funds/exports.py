"""经费台账 and 车辆使用台账 (.xlsx) per zone and year, in the common ledger frame."""

from __future__ import annotations

from decimal import Decimal

from xiezuoqu.access.actor import Actor
from xiezuoqu.spreadsheets import finish_workbook, ledger_workbook

from . import selectors
from .models import ZoneBudget

FUNDS_COLUMNS = [
    ("序号", 6),
    ("科目", 10),
    ("事项", 36),
    ("用途", 36),
    ("经办人", 10),
    ("状态", 12),
    ("提交日期", 12),
    ("支付日期", 12),
    ("已支出（元）", 14),
    ("已占用（元）", 14),
]
VEHICLE_COLUMNS = [
    ("序号", 6),
    ("日期", 12),
    ("车牌号", 12),
    ("驾驶员", 10),
    ("事项", 36),
    ("目的地", 20),
    ("出车里程", 10),
    ("收车里程", 10),
    ("行驶公里", 10),
    ("费用（元）", 12),
]


def funds_ledger(actor: Actor, budget: ZoneBudget) -> bytes:
    """One row per claim; the money columns are Decimal yuan, summed in the 合计 row."""
    workbook, sheet = ledger_workbook(
        f"经费台账{budget.year}", f"{budget.zone.name} {budget.year}年度 办案经费台账", FUNDS_COLUMNS
    )
    spent = committed = Decimal("0.00")
    for number, claim in enumerate(selectors.ledger_claims(actor, budget), start=1):
        is_paid = claim.state == "paid"
        paid_value = claim.amount if is_paid else Decimal("0.00")
        committed_value = Decimal("0.00") if is_paid else claim.amount
        spent += paid_value
        committed += committed_value
        sheet.append(
            [
                number,
                claim.line.kind.name,
                claim.matter_label,
                claim.purpose,
                claim.claimant.get_full_name() or claim.claimant.username,
                claim.get_state_display(),
                claim.submitted_at.date() if claim.submitted_at else None,
                claim.paid_at.date() if claim.paid_at else None,
                paid_value,
                committed_value,
            ]
        )
    sheet.append(["合计", "", "", "", "", "", None, None, spent, committed])
    for row in sheet.iter_rows(min_row=3, min_col=9, max_col=10):
        for cell in row:
            cell.number_format = "#,##0.00"
    return finish_workbook(workbook, sheet)


def vehicle_ledger(actor: Actor, zone_id: int, zone_name: str, year: int) -> bytes:
    workbook, sheet = ledger_workbook(f"车辆使用台账{year}", f"{zone_name} {year}年度 车辆使用台账", VEHICLE_COLUMNS)
    distance = 0
    cost = Decimal("0.00")
    for number, trip in enumerate(selectors.ledger_trips(actor, zone_id, year), start=1):
        view = selectors.booking_view(actor, trip.booking)
        distance += trip.distance_km
        cost += trip.cost
        sheet.append(
            [
                number,
                trip.booking.starts_at.date(),
                trip.vehicle.plate,
                trip.booking.driver.name,
                view.matter_label,
                view.destination,
                trip.odometer_start,
                trip.odometer_end,
                trip.distance_km,
                trip.cost,
            ]
        )
    sheet.append(["合计", None, "", "", "", "", None, None, distance, cost])
    for row in sheet.iter_rows(min_row=3, min_col=10, max_col=10):
        for cell in row:
            cell.number_format = "#,##0.00"
    return finish_workbook(workbook, sheet)
