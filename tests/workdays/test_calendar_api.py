"""The calendar API (/api/v1/calendar/…): the same arithmetic and warnings as the page, for every
staff or administrator account; only the system administrator writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiezuoqu.accounts.models import ApiToken
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.workdays.models import CalendarDay, CalendarYear

from .conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
API = "/api/v1/calendar"
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"


@pytest.fixture
def staff_client(client, township_staff):
    client.force_login(township_staff)
    return client


@pytest.fixture
def admin_client(client, system_admin):
    client.force_login(system_admin)
    return client


def test_the_design_example_over_the_api(staff_client):
    response = staff_client.get(f"{API}/add-working-days", {"start": "2026-09-28", "days": 5})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-28", "date": "2026-10-10", "certain": True, "warnings": [], "days": 5}


def test_a_result_reaching_a_missing_year_carries_the_warning(staff_client):
    body = staff_client.get(f"{API}/add-working-days", {"start": "2026-12-30", "days": 3}).json()
    assert body["date"] == "2027-01-04" and body["certain"] is False
    assert body["warnings"] == [
        {
            "year": 2027,
            "code": "calendar_data_missing",
            "message": "2027 年的节假日安排尚未录入，按周末推算，结果可能不准确；请系统管理员录入该年安排。",
        }
    ]


def test_strict_mode_refuses_with_problem_json(staff_client):
    response = staff_client.get(f"{API}/add-working-days", {"start": "2026-12-30", "days": 3, "strict": "true"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "节假日安排尚未录入"


def test_add_months_applies_the_month_end_rule(staff_client):
    body = staff_client.get(f"{API}/add-months", {"start": "2026-01-31", "months": 1}).json()
    assert body == {"start": "2026-01-31", "date": "2026-02-28", "certain": True, "warnings": [], "months": 1}
    assert staff_client.get(f"{API}/add-months", {"start": "2026-09-01", "months": 1}).json()["date"] == "2026-10-08"


def test_a_negative_period_is_refused(staff_client):
    response = staff_client.get(f"{API}/add-working-days", {"start": "2026-09-28", "days": -1})
    assert response.status_code == 422 and "不能为负数" in response.json()["detail"]


def test_working_days_between(staff_client):
    body = staff_client.get(f"{API}/working-days-between", {"start": "2026-09-28", "end": "2026-10-10"}).json()
    assert body["working_days"] == 5 and body["certain"] is True


def test_the_days_of_a_covered_year(staff_client):
    body = staff_client.get(f"{API}/days", {"year": 2026}).json()
    assert body["coverage"] == "package" and body["warning"] is False and body["warnings"] == []
    assert len(body["days"]) == 365
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-10-10"] == {
        "date": "2026-10-10",
        "working": True,
        "kind": "makeup_workday",
        "kind_label": "调休上班",
        "name": "国庆节调休",
        "source": "package",
        "guessed": False,
    }
    assert by_date["2026-02-17"]["kind"] == "holiday" and by_date["2026-02-17"]["name"] == "春节"


def test_the_days_of_a_missing_year_are_flagged(staff_client):
    body = staff_client.get(f"{API}/days", {"year": 2027}).json()
    assert body["coverage"] == "missing" and body["warning"] is True
    assert all(d["guessed"] for d in body["days"])
    assert [w["year"] for w in body["warnings"]] == [2027]


def test_the_years_list(staff_client):
    rows = staff_client.get(f"{API}/years").json()
    assert [(r["year"], r["coverage"]) for r in rows] == [
        (2028, "missing"),
        (2027, "missing"),
        (2026, "package"),
        (2025, "package"),
        (2024, "package"),
    ]


def test_a_village_supervisor_has_no_calendar_api(client, village_supervisor):
    client.force_login(village_supervisor)
    assert client.get(f"{API}/days", {"year": 2026}).status_code == 403


def test_the_system_admin_enters_a_year_with_the_text_format(admin_client, system_admin):
    payload = {"year": 2027, "source": SOURCE, "published_on": "2026-11-20", "text": SCHEDULE_2027}
    response = admin_client.post(f"{API}/years", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["holidays"] == 17 and response.json()["workdays"] == 2
    assert CalendarYear.objects.get(year=2027).entered_by == system_admin
    body = admin_client.get(f"{API}/add-working-days", {"start": "2026-12-30", "days": 3}).json()
    assert body == {"start": "2026-12-30", "date": "2027-01-05", "certain": True, "warnings": [], "days": 3}


def test_the_system_admin_enters_a_year_as_a_list_of_days(admin_client):
    payload = {
        "year": 2027,
        "source": SOURCE,
        "published_on": "2026-11-20",
        "days": [
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2027-02-20", "kind": "workday", "name": "春节调休"},
        ],
    }
    response = admin_client.post(f"{API}/years", payload, content_type="application/json")
    assert response.status_code == 201
    assert CalendarDay.objects.filter(date__year=2027).count() == 2


def test_a_wrong_schedule_is_refused_with_the_errors_by_field(admin_client):
    payload = {"year": 2027, "source": SOURCE, "published_on": "2026-11-20", "text": "2027-02-30 休 春节"}
    response = admin_client.post(f"{API}/years", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"text": ["第 1 行：日期“2027-02-30”不存在。"]}


def test_others_may_not_enter_a_year(staff_client, township_staff):
    payload = {"year": 2027, "source": SOURCE, "published_on": "2026-11-20", "text": SCHEDULE_2027}
    response = staff_client.post(f"{API}/years", payload, content_type="application/json")
    assert response.status_code == 403
    assert not CalendarYear.objects.exists()
    assert AuditEvent.objects.filter(
        action="calendar.year_entered", outcome="refused", actor_id=township_staff.pk
    ).exists()


def test_single_days_over_the_api(admin_client):
    response = admin_client.put(
        f"{API}/days/2026-10-09", {"kind": "holiday", "name": "国庆节（调整）"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["kind"] == "holiday"
    assert admin_client.get(f"{API}/add-working-days", {"start": "2026-09-28", "days": 5}).json()["date"] == (
        "2026-10-12"
    )
    assert admin_client.delete(f"{API}/days/2026-10-09").status_code == 204
    assert admin_client.delete(f"{API}/days/2026-10-09").status_code == 404


def test_an_integration_token_reads_the_calendar(client, case_manager):
    raw = "wd-test-token-0123456789abcdef0123456789abcdef"
    ApiToken.objects.create(
        user=case_manager,
        name="期限系统",
        prefix=raw[:8],
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(days=30),
    )
    response = client.get(
        f"{API}/add-working-days", {"start": "2026-09-28", "days": 5}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200 and response.json()["date"] == "2026-10-10"


def test_anonymous_requests_are_refused(client):
    assert client.get(f"{API}/days", {"year": 2026}).status_code == 401
