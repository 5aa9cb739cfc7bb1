"""The report ledger: filters, Chinese text search, keyset pages of 50 with a bounded number of
queries, and the .xlsx export with a 信访台账's columns — all through the same scope, on record."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.intake.conftest import REAL_NAME, demo_actor, login, register, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.intake import services
from xiezuoqu.intake.exports import LEDGER_COLUMNS
from xiezuoqu.intake.models import Category, Channel
from xiezuoqu.intake.selectors import LedgerFilters, ledger_page

pytestmark = pytest.mark.django_db


def test_filters_and_text_search_pick_the_right_rows(demo):
    today = timezone.localdate()
    subsidy = register(summary="反映低保金被冒领", category=Category.FARM_SUBSIDY, channel=Channel.PHONE)
    assets = register(
        summary="反映村集体土地被低价发包",
        content="村干部把集体林地低价发包给亲属。",
        category=Category.COLLECTIVE_ASSETS,
        received_on=today - timedelta(days=40),
        is_real_name=True,
        identity=REAL_NAME,
    )
    actor = demo_actor("xinfang")

    def ids(**kw):
        rows, _ = ledger_page(actor, LedgerFilters(**kw))
        return {r.pk for r in rows}

    assert ids(category=Category.FARM_SUBSIDY) == {subsidy.pk}
    assert ids(channel=Channel.PHONE) == {subsidy.pk}
    assert ids(q="林地") == {assets.pk}
    assert ids(q="低保") == {subsidy.pk}
    assert ids(q=assets.ledger_number) == {assets.pk}
    assert ids(received_from=today - timedelta(days=7)) == {subsidy.pk}
    assert ids(received_to=today - timedelta(days=30)) == {assets.pk}
    assert ids(real_name="yes") == {assets.pk}
    services.accept_report(actor=actor, report_id=assets.pk, handling_unit_id=unit_named("宝山镇纪委").pk)
    assert ids(state="assigned") == {assets.pk}
    assert ids(unit=unit_named("宝山镇纪委").pk) == {assets.pk}


def test_pages_walk_by_keyset_newest_first(demo):
    reports = [register() for _ in range(7)]
    actor = demo_actor("xinfang")
    first, cursor = ledger_page(actor, LedgerFilters(), limit=3)
    second, cursor2 = ledger_page(actor, LedgerFilters(), before=cursor, limit=3)
    third, cursor3 = ledger_page(actor, LedgerFilters(), before=cursor2, limit=3)
    walked = [r.pk for r in first + second + third]
    assert walked == sorted((r.pk for r in reports), reverse=True)
    assert cursor3 is None


def test_the_ledger_page_costs_the_same_number_of_queries_for_5_or_50_rows(demo, client):
    login(client, "xinfang")
    for _ in range(5):
        register(accused=[services.AccusedInput("甲"), services.AccusedInput("乙")])
    client.get("/intake/")  # warm the per-process caches (content types, calendar)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/intake/").status_code == 200
    for _ in range(50):
        register(accused=[services.AccusedInput("丙")])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/intake/")
    assert page.status_code == 200 and "下一页" in page.content.decode()
    assert len(many) == len(few)
    assert len(many) <= 20


def test_each_ledger_page_view_is_on_record_with_the_rows_it_showed(demo, client):
    report = register()
    login(client, "anguan")
    client.get("/intake/")
    event = AuditEvent.objects.filter(action="report.ledger_viewed", actor_name="anguan").latest("seq")
    assert event.detail["reports"] == [report.pk]


def _rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_export_opens_has_the_ledger_columns_and_only_the_rows_in_scope(demo, client):
    mine = register("xzdengji", summary="凤凰城的件")
    other = register("dengji", summary="信访室的件")
    login(client, "jianchashi1")
    response = client.get("/intake/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(response.content)
    assert list(rows[1]) == [name for name, _ in LEDGER_COLUMNS]
    numbers = [row[0] for row in rows[2:]]
    assert numbers == [mine.ledger_number]
    assert other.ledger_number not in numbers
    event = AuditEvent.objects.get(action="report.ledger_exported", actor_name="jianchashi1")
    assert event.detail["reports"] == [mine.pk] and event.detail["count"] == 1


def test_the_export_shows_real_name_but_never_the_reporter(demo, client):
    register(is_real_name=True, identity=REAL_NAME, accused=[services.AccusedInput("吴某", "宝山村", "会计")])
    login(client, "xinfang")
    rows = _rows(client.get("/intake/export.xlsx?real_name=yes").content)
    assert rows[2][3] == "实名" and rows[2][4] == "吴某" and rows[2][5] == "宝山村会计"
    assert REAL_NAME.name not in str(rows) and REAL_NAME.phone not in str(rows)


def test_the_export_uses_the_page_filters(demo, client):
    register(category=Category.POVERTY)
    keep = register(category=Category.FARM_SUBSIDY)
    login(client, "xinfang")
    rows = _rows(client.get(f"/intake/export.xlsx?category={Category.FARM_SUBSIDY}").content)
    assert [row[0] for row in rows[2:]] == [keep.ledger_number]


def test_administrators_cannot_open_the_ledger_or_export(demo, client):
    register()
    for admin in ("xitong", "anquan", "shenji"):
        login(client, admin)
        assert client.get("/intake/").status_code == 404
        assert client.get("/intake/export.xlsx").status_code == 404
