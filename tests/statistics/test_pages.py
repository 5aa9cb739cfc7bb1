"""统计 pages: who sees the menu entry and the page, the charts drawn under the CSP from data in the page
(no inline script) with the numbers also as tables, bad query parameters answered with a Chinese
message and never a 500, and the .xlsx 统计报表 exported on record."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.statistics.conftest import Q3, page
from xiezuoqu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["anguan", "shuji", "zuzhang1", "fuzuzhang1", "jianchashi1", "xzshuji"])
def test_the_figure_readers_have_the_menu_entry_and_the_page(demo, username):
    response = page(username)
    assert response.status_code == 200, username
    assert 'href="/statistics/"' in response.content.decode()


@pytest.mark.parametrize("username", ["xzganbu", "dengji", "paizhu1", "xitong"])
def test_others_have_neither_the_entry_nor_the_page(demo, username):
    from xiezuoqu.accounts.models import User

    if not User.objects.filter(username=username).exists():
        pytest.skip(f"no demo login {username}")
    assert page(username).status_code == 404
    home = page(username, path="/org/")
    assert 'href="/statistics/"' not in home.content.decode()


def test_the_charts_are_drawn_from_page_data_without_inline_script(dataset):
    response = page("anguan", Q3)
    html = response.content.decode()
    assert "vendor/echarts-6.1.0/echarts.min.js" in html and "statistics/cockpit.js" in html
    assert 'id="statistics-chart-data"' in html
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, flags=re.S)
    for attrs, _body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    # The numbers are also a table.
    assert "<table" in html and "成案率" in html and "第一种形态" in html
    assert "Content-Security-Policy" in response.headers
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]


BAD = [
    {"year": "abc"},
    {"year": "２０２６"},
    {"year": "2026", "quarter": "5"},
    {"quarter": "2"},
    {"from": "2026-13", "to": "2026-14"},
    {"from": "2026-05"},
    {"from": "2026-06", "to": "2026-01"},
    {"from": "1990-01", "to": "2030-12"},
    {"from": "x", "to": "y"},
    {"period": "nonsense"},
    {"zone": "abc"},
    {"zone": "99999999999999999999999"},
    {"township": "-1"},
    {"table_year": "20x6"},
]


@pytest.mark.parametrize("params", BAD)
def test_bad_parameters_get_a_chinese_message_not_a_500(demo, params):
    response = page("anguan", params)
    assert response.status_code in (400, 404, 422), (params, response.status_code)
    assert re.search(r"[\u4e00-\u9fff]", response.content.decode())


DRILL_BAD = [
    {},
    {"figure": "nothing"},
    {"figure": "reports", "key": "pigeon"},
    {"figure": "disposals", "key": "burn"},
    {"figure": "deadlines", "status": "lost"},
    {"figure": "decisions", "key": "7"},
    {"figure": "teams", "key": "solo"},
    {"figure": "cases", "from": "2026-02"},
    {"figure": "cases", "zone": "0x1"},
]


@pytest.mark.parametrize("params", DRILL_BAD)
def test_bad_drill_parameters_get_a_chinese_message_not_a_500(demo, params):
    response = page("anguan", params, path="/statistics/drill/")
    assert response.status_code in (400, 404, 422), (params, response.status_code)
    assert re.search(r"[\u4e00-\u9fff]", response.content.decode())


def test_the_xlsx_report_holds_the_pages_figures_and_is_on_record(dataset):
    shown = page("anguan", {**Q3, "zone": str(dataset.zone.pk)})
    main = shown.context["main"]
    response = page("anguan", {**Q3, "zone": str(dataset.zone.pk)}, path="/statistics/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[0] == "统计报表" and any("成案率月表" in name for name in book.sheetnames)
    cells = {(row[0], row[1]): row[2] for row in book["统计报表"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert cells[("成案率", "立案数 ÷ 初步核实处置线索数")] == main["filing_rate"] == "100.0%"
    assert cells[("立案", "立案数")] == main["cases"]["n"] == 2
    event = AuditEvent.objects.filter(action="statistics.exported").latest("id")
    assert event.detail["level"] == "zone" and event.detail["level_id"] == dataset.zone.pk
    assert (event.detail["start"], event.detail["end"]) == ("2026-07-01", "2026-09-30")


def test_the_export_answers_404_to_whom_the_page_does(demo):
    assert page("xzganbu", path="/statistics/export.xlsx").status_code == 404
    assert not AuditEvent.objects.filter(action="statistics.exported", actor_name="xzganbu").exists()
