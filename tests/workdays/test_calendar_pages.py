"""The calendar page: every staff member and administrator sees the month grid, the years' coverage
and the deadline calculator; a missing year shows a yellow warning; only the system administrator
sees and uses the forms that enter a year or a day."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.workdays.models import CalendarDay, CalendarYear

from .conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
URL = "/calendar/"
MISSING_2027 = "2027 年的节假日安排尚未录入，按周末推算，结果可能不准确；请系统管理员录入该年安排。"


def page(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_url_name_the_navigation_uses():
    assert reverse("workdays:calendar") == URL


@pytest.mark.parametrize("who", ["case_manager", "township_staff", "system_admin", "security_admin", "audit_admin"])
def test_staff_and_administrators_see_the_calendar(client, request, who):
    response = page(client, request.getfixturevalue(who), year=2026, month=10)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026 年 10 月" in html and "国庆节调休" in html and "期限计算器" in html


def test_a_village_supervisor_is_refused(client, village_supervisor):
    response = page(client, village_supervisor)
    assert response.status_code == 403
    assert "工作日历仅供干部和管理员查看" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_month_grid_marks_holidays_make_up_days_and_weekends(client, case_manager):
    html = page(client, case_manager, year=2026, month=10).content.decode()
    assert html.count('class="day holiday') == 7
    assert html.count('class="day makeup_workday') == 1
    assert html.count('class="day weekend') == 6  # 11, 17, 18, 24, 25, 31 October
    assert "calendar-warning" not in html


def test_a_year_without_data_shows_the_yellow_warning(client, case_manager):
    html = page(client, case_manager, year=2027, month=1).content.decode()
    assert 'class="calendar-warning"' in html and MISSING_2027 in html
    assert html.count(" guessed") >= 31
    assert "现在录入" not in html  # only the system administrator is invited to enter it


def test_the_coverage_list_names_each_years_source(client, case_manager, admin_actor):
    from xiezuoqu.workdays.schedule import parse_schedule
    from xiezuoqu.workdays.services import enter_calendar_year

    enter_calendar_year(
        actor=admin_actor,
        year=2027,
        source="国务院办公厅关于2027年部分节假日安排的通知",
        published_on=date(2026, 11, 20),
        days=parse_schedule(SCHEDULE_2027, year=2027),
    )
    html = page(client, case_manager).content.decode()
    assert "管理员录入" in html and "内置数据" in html and "尚未录入" in html  # 2027, 2026, 2028
    assert "国务院办公厅关于2027年部分节假日安排的通知" in html


def test_the_page_reads_a_bounded_number_of_queries(client, case_manager, django_assert_max_num_queries):
    client.force_login(case_manager)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get(URL, {"year": 2026, "month": 2}).status_code == 200


def test_only_the_system_admin_sees_the_entry_forms(client, case_manager, system_admin):
    assert "录入或替换一年的节假日安排" not in page(client, case_manager).content.decode()
    html = page(client, system_admin, year=2026, month=10).content.decode()
    assert "录入或替换一年的节假日安排" in html and "增改单日" in html
    # The form starts from the schedule that applies now, in the text format.
    assert "2026-10-01~2026-10-07 休 国庆节" in html


def test_the_calculator_shows_the_design_example(client, township_staff):
    html = page(client, township_staff, start="2026-09-28", n=5, unit="working_days").content.decode()
    assert "2026年10月10日" in html and "星期六" in html
    assert "已按法定节假日和调休安排计算" in html


def test_the_calculator_warns_when_the_period_reaches_a_missing_year(client, township_staff):
    html = page(client, township_staff, start="2026-12-20", n=2, unit="months").content.decode()
    assert "2027年2月22日" in html  # 20 Feb 2027 is a Saturday: rolled to Monday, by weekends only
    assert MISSING_2027 in html


def test_the_calculator_answers_htmx_with_the_result_alone(client, township_staff):
    client.force_login(township_staff)
    response = client.get(
        reverse("workdays:calculate"), {"start": "2026-09-28", "n": 5, "unit": "working_days"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="calc-result"') and "2026年10月10日" in html
    assert "<html" not in html


def test_the_calculator_refuses_a_negative_period_with_a_message(client, township_staff):
    client.force_login(township_staff)
    response = client.get(
        reverse("workdays:calculate"), {"start": "2026-09-28", "n": -1, "unit": "working_days"}, HTTP_HX_REQUEST="true"
    )
    assert "errorlist" in response.content.decode()


def test_the_system_admin_enters_a_year_through_the_page(client, system_admin):
    client.force_login(system_admin)
    response = client.post(
        reverse("workdays:enter_year"),
        {
            "year": 2027,
            "source": "国务院办公厅关于2027年部分节假日安排的通知",
            "published_on": "2026-11-20",
            "text": SCHEDULE_2027,
            "note": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027&month=1"
    assert CalendarYear.objects.get(year=2027).entered_by == system_admin
    html = client.get(response["Location"]).content.decode()
    assert "2027 年节假日安排已录入，共 19 天" in html
    assert MISSING_2027 not in html
    assert AuditEvent.objects.filter(action="calendar.year_entered", actor_id=system_admin.pk).exists()


def test_a_mistyped_schedule_comes_back_with_line_numbered_errors_and_the_text_kept(client, system_admin):
    client.force_login(system_admin)
    text = "2027-01-01 休 元旦\n2027-02-31 休 春节\n"
    response = client.post(
        reverse("workdays:enter_year"),
        {"year": 2027, "source": "通知", "published_on": "2026-11-20", "text": text},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "第 2 行：日期“2027-02-31”不存在。" in html
    assert "2027-02-31 休 春节" in html
    assert not CalendarYear.objects.exists()


def test_other_roles_posting_the_forms_are_refused_and_the_refusal_is_recorded(client, security_admin):
    client.force_login(security_admin)
    response = client.post(
        reverse("workdays:enter_year"),
        {"year": 2027, "source": "通知", "published_on": "2026-11-20", "text": SCHEDULE_2027},
    )
    assert response.status_code == 403 and "只有系统管理员" in response.content.decode()
    assert client.post(reverse("workdays:set_day"), {"date": "2027-01-01", "kind": "holiday"}).status_code == 403
    assert client.post(reverse("workdays:delete_day", args=["2026-10-01"])).status_code == 403
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()
    refused = AuditEvent.objects.filter(outcome="refused", actor_id=security_admin.pk)
    assert set(refused.values_list("action", flat=True)) == {
        "calendar.year_entered",
        "calendar.day_set",
        "calendar.day_deleted",
    }


def test_the_system_admin_sets_and_deletes_a_single_day(client, system_admin):
    client.force_login(system_admin)
    response = client.post(
        reverse("workdays:set_day"), {"date": "2026-10-09", "kind": "holiday", "name": "国庆节（调整）", "note": ""}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2026&month=10"
    html = client.get(response["Location"]).content.decode()
    assert "2026-10-09 已设为法定节假日/休息日" in html and "国庆节（调整）" in html
    assert client.post(reverse("workdays:delete_day", args=["2026-10-09"])).status_code == 302
    assert not CalendarDay.objects.exists()


def test_a_pointless_make_up_day_is_refused_on_the_form(client, system_admin):
    client.force_login(system_admin)
    response = client.post(reverse("workdays:set_day"), {"date": "2026-11-26", "kind": "workday"})
    assert response.status_code == 422
    assert "本来就是工作日" in response.content.decode()
