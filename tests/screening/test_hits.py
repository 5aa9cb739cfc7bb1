"""Hits: scoped to the commission and the zone through the funnel (predicate and scope agree), every list
and view audited; a zone officer dismisses with a reason or turns the hit into a clue (source 大数据监督)
through the normal clue registration, linked both ways; the pages, the menu entry and the API."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.intake.conftest import api_token, demo_actor, login
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Clue, Source
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, ValidationFailed
from xiezuoqu.screening import selectors, services
from xiezuoqu.screening.imports import TEMPLATE_COLUMNS
from xiezuoqu.screening.models import Hit, HitState

pytestmark = pytest.mark.django_db

ROLES = (
    "anguan",
    "shuji",
    "fenguan",
    "zuzhang1",
    "zuzhang2",
    "fuzuzhang1",
    "paizhu1",
    "xzshuji",
    "xzganbu",
    "dengji",
    "xitong",
    "shenji",
)


def _api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username=username))}")


def _zone_officer_with_a_hit() -> tuple[str, Hit]:
    for username in ("zuzhang1", "zuzhang2", "zuzhang3", "zuzhang4"):
        actor = demo_actor(username)
        hit = selectors.hits_visible_to(actor).filter(state=HitState.OPEN).order_by("id").first()
        if hit is not None:
            return username, hit
    raise AssertionError("no zone leader sees a demo hit")


def test_scope_and_predicate_agree_for_every_role_and_the_zone_sees_only_its_townships(demo):
    load_demo_screening()
    every = list(Hit.objects.select_related("township"))
    assert every
    for username in ROLES:
        actor = demo_actor(username)
        visible = set(selectors.hits_visible_to(actor).values_list("pk", flat=True))
        assert visible == {h.pk for h in every if selectors.can_view_hit(actor, h)}, username
        if username.startswith("zuzhang"):
            units = actor.work_unit_ids() or frozenset()
            assert all(h.township_id in units for h in every if h.pk in visible)
    assert len(selectors.hits_visible_to(demo_actor("anguan"))) == len(every)
    for outsider in ("xzshuji", "xzganbu", "dengji", "xitong", "shenji"):
        assert not selectors.hits_visible_to(demo_actor(outsider)).exists(), outsider
    zone_total = sum(selectors.hits_visible_to(demo_actor(f"zuzhang{n}")).count() for n in range(1, 5))
    assert zone_total == len(every)  # every hit lies in exactly one zone's township


def test_a_zone_officer_dismisses_a_hit_with_a_reason_once(demo):
    load_demo_screening()
    username, hit = _zone_officer_with_a_hit()
    actor = demo_actor(username)
    with pytest.raises(ValidationFailed):
        services.dismiss_hit(actor=actor, hit_id=hit.pk, reason=" ")
    with pytest.raises(NotFound):
        services.dismiss_hit(actor=demo_actor("xzshuji"), hit_id=hit.pk, reason="经核实为两次合法申领")
    services.dismiss_hit(actor=actor, hit_id=hit.pk, reason="经核实为补发上年度差额，有批复")
    hit.refresh_from_db()
    assert hit.state == HitState.DISMISSED and hit.dismissal_reason.startswith("经核实")
    event = AuditEvent.objects.get(action="screening_hit.dismissed", target_id=str(hit.pk))
    assert event.changes == {"state": ["open", "dismissed"]}
    with pytest.raises(InvalidTransition):
        services.dismiss_hit(actor=actor, hit_id=hit.pk, reason="再次排除")


def test_a_hit_becomes_a_clue_with_source_big_data_linked_both_ways(demo):
    load_demo_screening()
    username, hit = _zone_officer_with_a_hit()
    with pytest.raises(NotPermitted):
        services.refer_hit(actor=demo_actor("shuji"), hit_id=hit.pk)  # the commission head reads, the zone acts
    services.refer_hit(actor=demo_actor(username), hit_id=hit.pk)
    hit.refresh_from_db()
    clue = Clue.objects.get(pk=hit.clue_id)
    assert hit.state == HitState.CLUE and clue.source == Source.BIG_DATA
    assert clue.handling_unit_id == hit.township_id and clue.ledger_number
    assert f"疑点第{hit.pk}号" in clue.source_note and hit.explanation in clue.content
    assert clue.screening_hit == hit  # the reverse link
    assert AuditEvent.objects.filter(action="screening_hit.referred", target_id=str(hit.pk)).exists()
    assert AuditEvent.objects.filter(action="clue.opened", target_id=str(clue.pk)).exists()
    with pytest.raises(InvalidTransition):
        services.refer_hit(actor=demo_actor(username), hit_id=hit.pk)


def test_the_pages_show_the_hits_and_rows_audited_and_the_menu_follows_the_scope(demo):
    load_demo_screening()
    username, hit = _zone_officer_with_a_hit()
    page = login(Client(), username)
    home = page.get("/screening/").content.decode()
    assert "大数据监督" in home and "导入资金发放数据" in home
    listing = page.get("/screening/hits/?state=open").content.decode()
    assert f"/screening/hits/{hit.pk}/" in listing
    detail = page.get(f"/screening/hits/{hit.pk}/").content.decode()
    assert hit.explanation in detail and hit.rule.name in detail and "转为问题线索" in detail
    assert AuditEvent.objects.filter(action="screening_hit.viewed", target_id=str(hit.pk)).exists()
    assert AuditEvent.objects.filter(action="screening_hits.listed").exists()
    answer = page.post(f"/screening/hits/{hit.pk}/act/", {"action": "dismiss", "reason": ""}, follow=True)
    assert "请写明排除理由" in answer.content.decode()
    answer = page.post(f"/screening/hits/{hit.pk}/act/", {"action": "refer"}, follow=True)
    hit.refresh_from_db()
    assert hit.clue is not None and hit.clue.ledger_number in answer.content.decode()
    # The menu offers the entry to those who may open it, and to no one else.
    assert 'href="/screening/"' in page.get("/").content.decode()
    township = login(Client(), "xzshuji")
    assert 'href="/screening/"' not in township.get("/").content.decode()
    assert township.get("/screening/").status_code == 404
    assert township.get(f"/screening/hits/{hit.pk}/").status_code == 404
    assert login(Client(), "xitong").get("/screening/hits/").status_code == 404
    assert page.get("/screening/hits/?state=nonsense&township=abc&before=x").status_code == 200


def test_the_template_download_is_the_documented_columns(demo):
    answer = login(Client(), "anguan").get("/screening/template.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in TEMPLATE_COLUMNS]
    # The template as downloaded imports (its example row is valid).
    result = services.import_payments(
        actor=demo_actor("anguan"), kind="farm_subsidy", file_name="模板.xlsx", data=answer.content
    )
    assert result.batch.row_count == 1


def test_the_api_lists_and_acts_on_hits_and_refuses_a_bad_file_with_problem_json(demo):
    load_demo_screening()
    username, hit = _zone_officer_with_a_hit()
    client = _api(username)
    listing = client.get("/api/v1/screening/hits?state=open").json()
    assert hit.pk in [h["id"] for h in listing]
    detail = client.get(f"/api/v1/screening/hits/{hit.pk}").json()
    assert detail["explanation"] == hit.explanation and detail["rows"] and "id_number" not in detail["rows"][0]
    assert _api("xzshuji").get(f"/api/v1/screening/hits/{hit.pk}").status_code == 404
    refused = client.post(f"/api/v1/screening/hits/{hit.pk}/dismiss", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    done = client.post(f"/api/v1/screening/hits/{hit.pk}/refer", {}, content_type="application/json")
    assert done.status_code == 201 and done.json()["state"] == "clue" and done.json()["clue_number"]
    bad = io.BytesIO("乡镇（街道）,收款人姓名\n宝山镇,赵德才\n".encode())
    bad.name = "坏文件.csv"
    answer = _api("anguan").post("/api/v1/screening/imports", {"kind": "farm_subsidy", "file": bad})
    assert answer.status_code == 422 and "身份证号码" in answer.json()["detail"]
    assert answer.json()["errors"]["columns"]
