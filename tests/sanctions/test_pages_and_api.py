"""The 处分期满台账 over HTTP: its buckets move with the calendar, the follow-up is recorded through the
page and the API (problem JSON on a refusal), the changed sanction through the API, the case page shows
the terms, and the pages stay within their query budgets."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tests.intake.conftest import login
from tests.sanctions.conftest import announced, appealed, day_after, decided_with, decision_of, moment, term_of
from xiezuoqu.accounts.models import User
from xiezuoqu.sanctions.models import SanctionChange, SanctionTerm, TermState
from xiezuoqu.web.context import nav_for

pytestmark = pytest.mark.django_db


def _token(username: str) -> str:
    """A token valid for three years (the tests travel to the end of a term)."""
    from django.utils import timezone

    from xiezuoqu.accounts.models import ApiToken

    user = User.objects.get(username=username)
    raw = f"xzq-sanctions-token-{user.pk}-0123456789abcdef"
    ApiToken.objects.get_or_create(
        digest=ApiToken.digest_of(raw),
        defaults={"user": user, "name": "测试", "prefix": raw[:8], "expires_at": timezone.now() + timedelta(days=1100)},
    )
    return raw


def _api(username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = _token(username)
    call = getattr(Client(), method)
    return call(
        "/api/v1/sanctions" + path,
        body or {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _in_bucket(username: str, bucket: str, term: SanctionTerm) -> bool:
    page = login(Client(), username).get("/sanctions/", {"bucket": bucket})
    assert page.status_code == 200
    return f"/sanctions/{term.pk}/" in page.content.decode()


def test_the_ledger_buckets_follow_the_calendar_and_the_follow_up(demo):
    term = term_of(decided_with("gov_warning"), "gov_warning")
    assert term.due_on is not None
    assert _in_bucket("xzshuji", "running", term) and not _in_bucket("xzshuji", "due", term)
    with time_machine.travel(moment(term.end - timedelta(days=20)), tick=False):
        assert _in_bucket("xzshuji", "due", term) and not _in_bucket("xzshuji", "running", term)
        assert "20 日后期满" in login(Client(), "xzshuji").get(f"/sanctions/{term.pk}/").content.decode()
    with time_machine.travel(moment(term.due_on + timedelta(days=1)), tick=False):
        assert _in_bucket("xzshuji", "overdue", term) and not _in_bucket("xzshuji", "due", term)
        client = login(Client(), "xzshuji")
        page = client.get(f"/sanctions/{term.pk}/").content.decode()
        assert "登记期满办理" in page and "解除通知文号" in page
        response = client.post(
            f"/sanctions/{term.pk}/follow-up/",
            {"outcome": "released", "decided_on": term.end.isoformat(), "reference": ""},
            follow=True,
        )
        assert "请填写解除通知文号" in response.content.decode()
        response = client.post(
            f"/sanctions/{term.pk}/follow-up/",
            {"outcome": "released", "decided_on": term.end.isoformat(), "reference": "宝政解〔2027〕1号"},
            follow=True,
        )
        assert "已登记处分期满办理情况" in response.content.decode()
        assert _in_bucket("xzshuji", "done", term) and not _in_bucket("xzshuji", "overdue", term)
    term.refresh_from_db()
    assert term.state == TermState.ENDED


def test_the_follow_up_through_the_api_answers_problem_json_on_a_refusal(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    early = _api("xzshuji", "post", f"/terms/{term.pk}/follow-up", {"outcome": "lapsed"})
    assert early.status_code == 422 and early["Content-Type"] == "application/problem+json"
    assert "期满前不能登记" in early.json()["detail"]
    assert _api("xzshuji2", "post", f"/terms/{term.pk}/follow-up", {"outcome": "lapsed"}).status_code == 404
    assert _api("xzshuji", "post", "/terms/x/follow-up", {"outcome": "lapsed"}).status_code == 422
    with time_machine.travel(day_after(term), tick=False):
        day = day_after(term).date().isoformat()
        assert _api("shenli", "post", f"/terms/{term.pk}/follow-up", {"outcome": "lapsed"}).status_code == 403
        wrong = _api("xzshuji", "post", f"/terms/{term.pk}/follow-up", {"outcome": "restored", "decided_on": day})
        assert wrong.status_code == 422 and "只能登记" in wrong.json()["detail"]
        done = _api("xzshuji", "post", f"/terms/{term.pk}/follow-up", {"outcome": "lapsed", "decided_on": day})
        assert done.status_code == 201, done.content
        body = done.json()
        assert body["state"] == "ended" and body["follow_up"]["outcome"] == "lapsed"
        again = _api("xzshuji", "post", f"/terms/{term.pk}/follow-up", {"outcome": "lapsed", "decided_on": day})
        assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
        done_party = _api("zuzhang1", "get", "/terms?bucket=done&kind=party").json()["items"]
        government = _api("zuzhang1", "get", "/terms?bucket=done&kind=government").json()["items"]
    assert term.pk in {item["id"] for item in done_party} and term.pk not in {item["id"] for item in government}


def test_the_changed_sanction_is_registered_through_the_api_and_shown_on_the_case_page(demo):
    case = announced(decided_with("party_serious_warning"))
    change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    page = login(Client(), "shenli").get(f"/cases/{case.pk}/").content.decode()
    form = f"/sanctions/changes/{change.pk}/"
    assert "处分期间与期满办理" in page and form in page and "因申诉变更处理决定而终止" in page
    other = login(Client(), "xzshuji").get(f"/cases/{case.pk}/").content.decode()
    assert "待登记变更后的处分" in other and form not in other
    body = {"codes": ["party_warning"], "start": decision_of(case).decided_on.isoformat(), "reference": "凤纪复1号"}
    assert _api("xzshuji", "post", f"/changes/{change.pk}/registration", body).status_code == 403
    assert _api("xzshuji2", "post", f"/changes/{change.pk}/registration", body).status_code == 404
    refused = _api("shenli", "post", f"/changes/{change.pk}/registration", {**body, "codes": ["case_withdrawn"]})
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    done = _api("shenli", "post", f"/changes/{change.pk}/registration", body)
    assert done.status_code == 201, done.content
    [new_id] = done.json()["terms"]
    assert term_of(case, "party_warning").pk == new_id
    page = login(Client(), "xzshuji").get(f"/cases/{case.pk}/").content.decode()
    assert f"/sanctions/{new_id}/" in page and "已登记" in page


def test_the_export_lists_the_terms_cell_by_cell(demo):
    case = decided_with("party_warning", "gov_demerit")
    response = login(Client(), "zuzhang1").get("/sanctions/export.xlsx", {"kind": "government"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:5] == ["序号", "案件编号", "受处分人", "协作区", "处分"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == case.case_number]
    assert [(r[4], r[9]) for r in rows] == [("记过", "期内")]


def test_the_ledger_and_the_case_page_read_in_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    first = decided_with("party_warning", "gov_demerit")
    decided_with("party_serious_warning")
    client = login(Client(), "anguan")
    with django_assert_max_num_queries(20):
        page = client.get("/sanctions/")
    assert page.status_code == 200 and page.content.decode().count("/sanctions/") >= 3
    with django_assert_max_num_queries(20):
        assert client.get("/sanctions/", {"bucket": "running", "kind": "party"}).status_code == 200
    term = term_of(first, "party_warning")
    with django_assert_max_num_queries(20):
        assert client.get(f"/sanctions/{term.pk}/").status_code == 200
    with django_assert_max_num_queries(45):
        page = client.get(f"/cases/{first.pk}/")
    assert "处分期间与期满办理" in page.content.decode()


def test_the_ledger_is_in_the_case_menu(demo):
    labels = [(i["group"], i["label"]) for i in nav_for(demo.actor("xzshuji"), "/")]
    assert ("办案", "处分期满台账") in labels
    assert ("办案", "处分期满台账") not in [(i["group"], i["label"]) for i in nav_for(demo.actor("xitong"), "/")]


def test_the_pages_say_a_released_demotion_does_not_restore_the_level(demo):
    case = decided_with("party_warning", "gov_demotion", village_cadre=False)
    client = login(Client(), "xzshuji")
    demotion = client.get(f"/sanctions/{term_of(case, 'gov_demotion').pk}/").content.decode()
    warning = client.get(f"/sanctions/{term_of(case, 'party_warning').pk}/").content.decode()
    assert "不恢复原级别、原职务" in demotion and "不恢复原级别、原职务" not in warning
    assert "解除后不恢复原级别、原职务" in client.get(f"/cases/{case.pk}/").content.decode()
