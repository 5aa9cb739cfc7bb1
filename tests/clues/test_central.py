"""案管: the central ledger over all units, the periodic reconciliation (what changed, what is stuck),
and the clue ledger as .xlsx in a 台账's columns, all through the same scope."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.clues.conftest import DONGTANG, demo_actor, login, open_other, with_subject
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues import services
from xiezuoqu.clues.models import Clue
from xiezuoqu.clues.selectors import reconciliation

pytestmark = pytest.mark.django_db


def test_the_central_ledger_counts_every_units_clues_for_case_management_only(demo):
    open_other()
    open_other()
    open_other(username="xzshuji2", unit=DONGTANG)
    page = login(Client(), "anguan").get("/clues/central/").content.decode()
    assert "宝山镇纪委" in page and "东汤镇纪委" in page
    assert login(Client(), "xzshuji").get("/clues/central/").status_code == 404
    assert login(Client(), "xitong").get("/clues/central/").status_code == 404


def test_reconciliation_lists_what_changed_and_what_is_stuck(demo):
    fresh = open_other()
    services.start_analysis(actor=demo_actor("xzshuji"), clue_id=fresh.pk)
    old = services.open_clue(
        actor=demo_actor("xzshuji"),
        data=services.ClueInput(
            handling_unit_id=fresh.handling_unit_id,
            source="superior",
            category="other",
            summary="上级交办",
            received_on=timezone.localdate() - timedelta(days=60),
        ),
    )
    today = timezone.localdate()
    report = reconciliation(demo_actor("anguan"), today.replace(day=1), today)
    assert {c.pk for c in report.opened} >= {fresh.pk, old.pk}
    assert any(s.clue_id == fresh.pk and s.action == "start_analysis" for s in report.changes)
    stuck = {s.clue.pk: s.reason for s in report.stuck}
    assert stuck.get(old.pk) == "超过1个月未处置"
    assert fresh.pk not in stuck
    # A township sees only its own.
    other = open_other(username="xzshuji2", unit=DONGTANG)
    assert other.pk not in {c.pk for c in reconciliation(demo_actor("xzshuji"), today.replace(day=1), today).opened}
    page = login(Client(), "anguan").get("/clues/reconcile/").content.decode()
    assert old.ledger_number in page and "超过1个月未处置" in page


def test_the_export_has_a_ledgers_columns_only_the_rows_in_scope_and_is_audited(demo):
    mine = with_subject(open_other())
    theirs = open_other(username="xzshuji2", unit=DONGTANG)
    response = login(Client(), "xzshuji").get("/clues/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]
    assert header[:5] == ["序号", "线索编号", "收到日期", "线索来源", "被反映人"]
    numbers = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert mine.ledger_number in numbers and theirs.ledger_number not in numbers
    assert (
        next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] == mine.ledger_number)[4] == "赵某某"
    )
    assert AuditEvent.objects.filter(action="clue.ledger_exported").exists()
    assert login(Client(), "xitong").get("/clues/export.xlsx").status_code == 404
    assert Clue.objects.count() == 2
