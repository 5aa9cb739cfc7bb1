"""Pages and API: the work queue and the overdue list show exactly the actor's scope, most urgent
first, 50 a page by keyset; outside the scope everything is 404; the queue's query count is bounded."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.approvals.conftest import api_token
from tests.deadlines.conftest import OTHER_KIND, TODAY, open_on, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import Deadline, DeadlineExtension, SupervisionSlip
from xiezuoqu.deadlines.services import sweep_deadlines

pytestmark = pytest.mark.django_db
API = "/api/v1/deadlines"


@pytest.fixture
def deadlines(demo, frozen_today):
    """宝山 (zone 1): one overdue, one due today, one upcoming; 东汤 (zone 2): one overdue."""
    baoshan, dongtang = unit_named("宝山"), unit_named("东汤")
    rows = {
        "red": open_on(None, baoshan, start=date(2026, 11, 2)),  # due 11-23
        "today": open_on(None, baoshan, start=date(2026, 11, 5), index=1),  # due 11-26
        "blue": open_on(None, baoshan, start=date(2026, 11, 20), kind=OTHER_KIND),  # due 12-11
        "zone2": open_on(None, dongtang, start=date(2026, 11, 3)),  # due 11-24
    }
    sweep_deadlines(TODAY)
    return rows


def _get(client, user, path, **params):
    return client.get(API + path, params, HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")


def test_the_queue_shows_my_units_deadlines_red_first_then_by_due_date(client, demo, deadlines):
    client.force_login(demo.user("xzganbu"))
    response = client.get(reverse("deadlines:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "我的待办时限" in html
    positions = [
        html.index(f'href="{reverse("deadlines:detail", args=[deadlines[k].pk])}"') for k in ("red", "today", "blue")
    ]
    assert positions == sorted(positions)
    assert reverse("deadlines:detail", args=[deadlines["zone2"].pk]) not in html
    assert 'class="tag red"' in html and "今日到期" in html and 'class="tag blue"' in html


def test_the_queue_of_a_zone_leader_and_of_case_management(demo, deadlines):
    from xiezuoqu.deadlines.selectors import work_queue

    zone1 = {row.deadline.pk for row in work_queue(demo.actor("zuzhang1")).rows}
    assert zone1 == {deadlines[k].pk for k in ("red", "today", "blue")}
    everyone = [row.deadline.pk for row in work_queue(demo.actor("anguan")).rows]
    assert everyone == [deadlines[k].pk for k in ("red", "zone2", "today", "blue")]
    assert work_queue(demo.actor("xzshuji2")).rows[0].deadline == deadlines["zone2"]


def _bulk(unit, count: int, *, label: str, due_days: int = 7) -> None:
    """``count`` open deadlines of ``unit`` due 11-23 … 11-23+due_days, pointing at distinct targets.

    Rows are inserted directly (the services' arithmetic is tested elsewhere); a fixed set of dates
    makes many rows share a due date, which is what keyset pagination must get right.
    """
    from django.contrib.contenttypes.models import ContentType

    from xiezuoqu.org.models import Village

    village_type = ContentType.objects.get_for_model(Village)
    Deadline.objects.bulk_create(
        Deadline(
            commission_id=unit.commission_id,
            target_type=village_type,
            target_id=10_000_000 + index,
            target_label=f"{label}对象{index}",
            kind="test.duty",
            label=f"{label}{index}",
            start_date=date(2026, 11, 2),
            period_value=15,
            period_unit="working_days",
            original_due_date=date(2026, 11, 23 + index % due_days),
            due_date=date(2026, 11, 23 + index % due_days),
            responsible_unit=unit,
        )
        for index in range(count)
    )


def test_the_queue_pages_by_keyset_fifty_rows_at_a_time(client, demo, frozen_today):
    _bulk(unit_named("宝山"), 120, label="翻页")
    user = demo.user("xzganbu")
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        body = _get(client, user, "/queue", **({"after": after} if after else {})).json()
        pages += 1
        assert len(body["items"]) <= 50
        seen += [item["id"] for item in body["items"]]
        after = body["next_cursor"]
        if not after:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    ordered = sorted(Deadline.objects.filter(pk__in=seen), key=lambda d: (d.due_date, d.pk))
    assert seen == [d.pk for d in ordered]


def test_the_queue_page_costs_a_bounded_number_of_queries(client, demo, deadlines):
    """No N+1: the same number of queries for 4 rows as for 40."""
    client.force_login(demo.user("anguan"))
    client.get(reverse("deadlines:queue"))  # warm the per-process caches (content types, calendar)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("deadlines:queue")).status_code == 200
    _bulk(unit_named("宝山"), 36, label="批量")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("deadlines:queue"))
    assert response.content.decode().count("批量对象") == 36
    assert len(many) == len(few)
    assert len(many) <= 12


def test_the_overdue_list_is_for_zone_leadership_and_commission_wide_roles(client, demo, deadlines):
    client.force_login(demo.user("zuzhang1"))
    html = client.get(reverse("deadlines:overdue")).content.decode()
    assert reverse("deadlines:detail", args=[deadlines["red"].pk]) in html
    assert reverse("deadlines:detail", args=[deadlines["zone2"].pk]) not in html
    assert reverse("deadlines:detail", args=[deadlines["today"].pk]) not in html  # due today is not overdue
    slip = SupervisionSlip.objects.get(deadline=deadlines["red"])
    assert reverse("deadlines:slip_download", args=[slip.pk]) in html and slip.number in html

    client.force_login(demo.user("anguan"))
    html = client.get(reverse("deadlines:overdue")).content.decode()
    assert reverse("deadlines:detail", args=[deadlines["zone2"].pk]) in html
    zone2 = deadlines["zone2"].zone_id
    html = client.get(reverse("deadlines:overdue"), {"zone": zone2}).content.decode()
    assert reverse("deadlines:detail", args=[deadlines["red"].pk]) not in html
    html = client.get(reverse("deadlines:overdue"), {"unit": unit_named("宝山").pk}).content.decode()
    assert reverse("deadlines:detail", args=[deadlines["zone2"].pk]) not in html
    html = client.get(reverse("deadlines:overdue"), {"kind": OTHER_KIND}).content.decode()
    assert "没有超期未办结的时限" in html

    client.force_login(demo.user("xzganbu"))
    assert client.get(reverse("deadlines:overdue")).status_code == 403


def test_the_slip_downloads_from_the_page_and_the_api_and_is_audited(client, demo, deadlines):
    slip = SupervisionSlip.objects.get(deadline=deadlines["red"])
    client.force_login(demo.user("zuzhang1"))
    response = client.get(reverse("deadlines:slip_download", args=[slip.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    response = _get(client, demo.user("anguan"), f"/slips/{slip.pk}.docx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="supervision_slip.downloaded", target_id=str(slip.pk)).count() == 2
    assert _get(client, demo.user("xzshuji2"), f"/slips/{slip.pk}.docx").status_code == 404
    client.force_login(demo.user("xzganbu"))
    assert client.get(reverse("deadlines:slip_download", args=[slip.pk])).status_code == 404


@pytest.mark.parametrize("username", ["xzshuji2", "xitong", "shenji", "jianchashi2"])
def test_outside_the_scope_a_deadline_is_404_on_pages_and_api(client, demo, deadlines, username):
    user = demo.user(username)
    client.force_login(user)
    pk = deadlines["red"].pk
    assert client.get(reverse("deadlines:detail", args=[pk])).status_code == 404
    response = client.post(
        API + f"/{pk}/extensions",
        {"working_days": 5, "reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(user)}",
    )
    assert response.status_code in (403, 404)
    if username in ("xzshuji2", "jianchashi2"):
        assert response.status_code == 404
        ids = [item["id"] for item in _get(client, user, "/queue").json()["items"]]
        assert pk not in ids


def test_the_api_queue_and_overdue_and_an_extension(client, demo, deadlines):
    body = _get(client, demo.user("xzganbu"), "/queue").json()
    first = body["items"][0]
    assert first["id"] == deadlines["red"].pk
    assert (first["colour"], first["remaining_working_days"], first["urgency_text"]) == ("red", -3, "超期 3 个工作日")
    assert first["slip"] is None  # the queue lists duties; slips are on the overdue list
    assert body["items"][1]["due_today"] is True
    overdue = _get(client, demo.user("fenguan"), "/overdue").json()
    assert [item["id"] for item in overdue["items"]] == [deadlines["red"].pk, deadlines["zone2"].pk]
    assert overdue["items"][0]["slip"]["number"].startswith("凤纪督〔2026〕")
    assert _get(client, demo.user("xzganbu"), "/overdue").status_code == 403

    user = demo.user("xzganbu")
    response = client.post(
        API + f"/{deadlines['red'].pk}/extensions",
        {"working_days": 5, "reason": "需调取银行流水"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(user)}",
    )
    assert response.status_code == 201, response.content
    extension = DeadlineExtension.objects.get(pk=response.json()["id"])
    assert extension.approval_request.matter_type == "deadline.extension"
    response = client.post(
        API + f"/{deadlines['red'].pk}/extensions",
        {"working_days": 5, "months": 1, "reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(user)}",
    )
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_detail_page_offers_the_extension_form_and_submits_it(client, demo, deadlines):
    client.force_login(demo.user("xzganbu"))
    url = reverse("deadlines:detail", args=[deadlines["blue"].pk])
    html = client.get(url).content.decode()
    assert "申请延期" in html and "另一测试时限" in html
    response = client.post(
        reverse("deadlines:request_extension", args=[deadlines["blue"].pk]),
        {"amount": "3", "unit": "working_days", "reason": "等待外调材料"},
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "延期申请已提交审批" in html and "等待外调材料" in html


def test_the_zone_leader_answers_a_supervision_slip_once_and_it_is_audited(client, demo, deadlines):
    slip = SupervisionSlip.objects.get(deadline=deadlines["red"])
    page = reverse("deadlines:detail", args=[deadlines["red"].pk])
    client.force_login(demo.user("zuzhang1"))
    assert slip.number in client.get(page).content.decode()
    answer = reverse("deadlines:slip_answer", args=[slip.pk])
    client.post(answer, {"answer": "已约谈责任单位，本周内办结。"})
    slip.refresh_from_db()
    assert slip.state == "answered" and slip.answer == "已约谈责任单位，本周内办结。"
    assert AuditEvent.objects.filter(action="supervision_slip.answered", target_id=str(slip.pk)).exists()
    response = client.post(answer, {"answer": "再次回复"}, follow=True)
    assert "不能重复回复" in response.content.decode()
    # a township cadre cannot even find the slip
    client.force_login(demo.user("xzganbu"))
    assert client.post(answer, {"answer": "x"}).status_code == 404


def test_a_queue_row_links_only_to_a_matter_the_viewer_may_open(client, demo, frozen_today):
    """The trial office's deadline on a clue the office does not hold is listed (the office answers
    for it) but without the link that would answer 404; the township handling the clue gets the link
    on its own deadline — and every link on either queue page opens."""
    import re

    from tests.intake.conftest import login
    from tests.recusal.conftest import baoshan_clue
    from xiezuoqu.org.models import Unit

    clue = baoshan_clue()
    trial = Unit.objects.get(kind=Unit.Kind.TRIAL_OFFICE, is_demo=True)
    open_on(None, trial, start=date(2026, 11, 20), target=clue)
    open_on(None, unit_named("宝山"), start=date(2026, 11, 20), target=clue, kind=OTHER_KIND)
    for username, linked in (("shenli", False), ("xzshuji", True)):
        page = login(client, username).get(reverse("deadlines:queue")).content.decode()
        assert clue.get_absolute_url() in page if linked else clue.get_absolute_url() not in page, username
        assert str(clue) in page or "测试办理时限" in page
        for href in set(
            re.findall(r'href="(/(?:clues|intake|cases|verification|meetings|filing|sanctions)/[^"]+)"', page)
        ):
            assert client.get(href).status_code == 200, (username, href)


@pytest.mark.parametrize("username", ["zuzhang1", "anguan", "xzshuji"])
def test_the_urgent_count_equals_the_red_and_yellow_rows_of_the_whole_queue(demo, deadlines, username):
    from xiezuoqu.deadlines.selectors import urgent_count, work_queue

    actor = demo.actor(username)
    colours, after = [], None
    while True:
        page = work_queue(actor, after=after)
        colours += [r.urgency.colour.value for r in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert urgent_count(actor) == sum(c in ("red", "yellow") for c in colours)
    if username == "zuzhang1":
        assert urgent_count(actor) >= 2  # 宝山's overdue one and the one due today
