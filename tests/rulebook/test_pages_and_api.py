"""The 规则库 page and its API: every rule with its value, source, article, dates and enforcing
function; the local-value form for the administrator and the commission's leadership only (a looser
value is refused in Chinese, nothing saved); the menu entry only for those who may open the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.intake.conftest import api_token, login
from xiezuoqu.accounts.models import User
from xiezuoqu.rulebook.models import LocalRule
from xiezuoqu.rulebook.national import NATIONAL_RULES

pytestmark = pytest.mark.django_db
PAGE = "/rules/"
API = "/api/v1/rules"


def test_the_page_lists_every_rule_with_its_source_article_dates_and_enforcing_function(client, demo):
    response = login(client, "xzganbu").get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for spec in NATIONAL_RULES:
        for text in (spec.name, spec.source, spec.article, spec.enforced_by, f"{spec.effective_from:%Y-%m-%d}"):
            assert text in html, (spec.key, text)
    assert "第四十三条第二款" in html and "第四十八条第一款" in html and "至 2025-05-31" in html
    assert 'action="/rules/local/"' not in html  # a township cadre reads, does not set


def test_the_menu_offers_the_page_to_staff_and_administrators_only(client, demo):
    assert PAGE in login(client, "xzganbu").get("/").content.decode()
    assert PAGE in login(client, "xitong").get("/").content.decode()
    supervisor = login(client, "jianduyuan")
    assert PAGE not in supervisor.get("/").content.decode()
    assert supervisor.get(PAGE).status_code in (403, 404)


def test_the_commission_head_sets_a_stricter_value_and_the_page_shows_it_with_its_history(client, demo):
    head = login(client, "shuji")
    start = timezone.localdate() + timedelta(days=1)
    response = head.post(
        "/rules/local/",
        {"key": "clue.letter_reply", "value": "10", "effective_from": start.isoformat(), "reason": "市纪委监委文件"},
    )
    assert response.status_code == 302
    html = head.get(PAGE).content.decode()
    assert f"{start:%Y-%m-%d}起：10 个工作日" in html and "市纪委监委文件" in html


def test_a_looser_value_is_refused_in_chinese_and_nothing_is_saved(client, demo):
    head = login(client, "shuji")
    response = head.post(
        "/rules/local/",
        {"key": "clue.letter_reply", "value": "20", "effective_from": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 422
    assert "本地值只能比全国规定更严" in response.content.decode()
    assert not LocalRule.objects.exists()


def test_a_township_secretary_cannot_set_a_local_value(client, demo):
    response = login(client, "xzshuji").post(
        "/rules/local/",
        {"key": "clue.letter_reply", "value": "10", "effective_from": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 403
    assert not LocalRule.objects.exists()


def _api(client, username, path="/", **params):
    token = api_token(User.objects.get(username=username))
    return client.get(API + path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_lists_every_rule_and_answers_the_rule_of_a_day(client, demo):
    body = _api(client, "anguan").json()
    assert {entry["key"] for entry in body} == {spec.key for spec in NATIONAL_RULES}
    detention = next(entry for entry in body if entry["key"] == "case.detention")
    assert [row["article"] for row in detention["rows"]] == ["第四十三条第二款", "第四十八条第一款"]
    assert detention["overridable"] is False
    before = _api(client, "anguan", "/in-force", key="case.detention", on="2025-05-31").json()
    after = _api(client, "anguan", "/in-force", key="case.detention", on="2025-06-01").json()
    assert (before["source"], after["source"]) == (
        "中华人民共和国监察法（2018年）",
        "中华人民共和国监察法（2024年修正）",
    )
    refused = _api(client, "anguan", "/in-force", key="measure.custody_care", on="2025-05-01")
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "2025-06-01" in refused.json()["detail"]
    assert _api(client, "anguan", "/in-force", key="no.such").status_code == 422
    assert _api(client, "jianduyuan").status_code in (403, 404)
