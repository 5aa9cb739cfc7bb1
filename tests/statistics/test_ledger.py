"""月度台账报送: a township submits last month's clue and case ledger once (audited), its zone's leader
sees it and opens it, nobody else does; the figures are the counts of the rows the month holds, the
.xlsx carries the red/yellow/blue marks."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.intake.conftest import login
from tests.meetings.test_summary import Dataset, at
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Clue
from xiezuoqu.deadlines.models import Deadline
from xiezuoqu.statistics.ledger import month_end
from xiezuoqu.statistics.models import MonthlyLedger, MonthlyLedgerRow
from xiezuoqu.web.context import nav_for

pytestmark = pytest.mark.django_db


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def registered(clue: Clue, day: date) -> Clue:
    Clue.objects.filter(pk=clue.pk).update(created_at=at(day))
    return clue


def deadline(target: Any, start: date, due: date, *, state: str = "open", closed: date | None = None) -> Deadline:
    return Deadline.objects.create(
        commission=target.commission,
        target_type=ContentType.objects.get_for_model(type(target)),
        target_id=target.pk,
        target_label=str(target),
        kind="clue_disposal",
        label=f"{target} 处置",
        start_date=start,
        period_value=1,
        period_unit="days",
        original_due_date=due,
        due_date=due,
        state=state,
        met_on=closed if state in ("met", "met_late") else None,
        closed_at=at(closed) if closed else None,
        responsible_unit=target.handling_unit,
        zone=target.zone,
    )


@pytest.fixture
def month(demo) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """宝山镇's last month: a red, a yellow and a blue clue, a clue whose deadline was met after the
    month (still red on its last day), a case (no deadline); outside it a clue closed before the month,
    one registered after it, another township's clue and the filed clue behind the case."""
    d = Dataset()
    first = last_month()
    end = month_end(first)
    before = first - timedelta(days=40)
    red = registered(d.clue(before), before)
    deadline(red, before, end - timedelta(days=15))
    yellow = registered(d.clue(before), before)
    deadline(yellow, before, end)  # due on the month's last day: 今日到期, yellow
    blue = registered(d.clue(first), first)
    deadline(blue, first, end + timedelta(days=120))
    met_later = registered(d.clue(before), before)
    deadline(met_later, before, end - timedelta(days=3), state="met_late", closed=end + timedelta(days=1))
    filed = registered(d.clue(before), before)
    Clue.objects.filter(pk=filed.pk).update(state="filed")
    case = d.case(filed, first + timedelta(days=2))
    closed = registered(d.clue(before), before)
    Clue.objects.filter(pk=closed.pk).update(state="closed", state_changed_at=at(first - timedelta(days=1)))
    later = registered(d.clue(end + timedelta(days=1)), end + timedelta(days=1))
    other = registered(d.clue(before, zone=d.other_zone), before)
    return {
        "first": first,
        "unit": d.baoshan,
        "red": red,
        "yellow": yellow,
        "blue": blue,
        "met_later": met_later,
        "case": case,
        "left_out": [closed, later, other, filed],
    }


def submit(username: str, unit_id: int, first: date, client: Client | None = None) -> Any:
    client = client or login(Client(), username)
    return client.post("/statistics/ledger/submit/", {"unit": unit_id, "month": f"{first:%Y-%m}", "note": "按时报送"})


def test_a_township_submits_its_month_once_and_the_figures_are_its_rows(month):
    client = login(Client(), "xzshuji")
    preview = client.get("/statistics/ledger/", {"month": f"{month['first']:%Y-%m}"})
    assert preview.status_code == 200 and "报送" in preview.content.decode()

    answer = submit("xzshuji", month["unit"].pk, month["first"], client)
    sent = MonthlyLedger.objects.get(unit=month["unit"], month=month["first"])
    assert answer.status_code == 302 and answer["Location"] == f"/statistics/ledger/{sent.pk}/"
    rows = list(MonthlyLedgerRow.objects.filter(ledger=sent))
    marks = {(r.kind, r.target_id): r.mark for r in rows}
    assert marks == {
        ("clue", month["red"].pk): "red",
        ("clue", month["met_later"].pk): "red",  # open on the month's last day, met after it
        ("clue", month["yellow"].pk): "yellow",
        ("clue", month["blue"].pk): "blue",
        ("case", month["case"].pk): "",
    }
    left_out = {c.pk for c in month["left_out"]}
    assert not left_out & {r.target_id for r in rows if r.kind == "clue"}
    # The stored figures are the counts of the stored rows, which are the month's clue and case rows.
    assert (sent.red, sent.yellow, sent.blue, sent.unmarked) == (2, 1, 1, 1)
    assert sent.row_count == len(rows) == 5
    assert [r.position for r in sorted(rows, key=lambda r: r.position)] == [1, 2, 3, 4, 5]
    assert sorted(rows, key=lambda r: r.position)[0].mark == "red"  # red first
    assert sent.zone is not None and sent.zone.number == 1 and sent.as_of == month_end(month["first"])

    event = AuditEvent.objects.get(action="statistics.monthly_ledger_submitted", target_id=str(sent.pk))
    assert event.detail["rows"] == 5 and event.detail["red"] == 2 and event.actor_name

    # The second submission is refused in Chinese and changes nothing.
    again = submit("xzshuji", month["unit"].pk, month["first"], client)
    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "已经报送，不能重复报送" in page
    assert MonthlyLedger.objects.filter(unit=month["unit"]).count() == 1
    assert AuditEvent.objects.filter(action="statistics.monthly_ledger_submitted").count() == 1


def test_a_future_month_and_a_bad_month_are_refused_in_chinese(month):
    client = login(Client(), "xzshuji")
    future = (month_end(timezone.localdate()) + timedelta(days=1)).replace(day=1)
    answer = submit("xzshuji", month["unit"].pk, future, client)
    assert "只能查看或报送本月及以前月份的台账" in client.get(answer["Location"]).content.decode()
    answer = client.post("/statistics/ledger/submit/", {"unit": month["unit"].pk, "month": "2026-13"})
    assert "月份格式应为" in client.get(answer["Location"]).content.decode()
    page = client.get("/statistics/ledger/", {"month": f"{future:%Y-%m}"})
    assert page.status_code == 422 and "只能查看或报送本月及以前月份" in page.content.decode()
    assert not MonthlyLedger.objects.exists()


def test_the_month_still_running_is_shown_but_submitted_only_after_its_end(month):
    client = login(Client(), "xzshuji")
    current = timezone.localdate().replace(day=1)
    page = client.get("/statistics/ledger/", {"month": f"{current:%Y-%m}"}).content.decode()
    assert "本月尚未结束，月度台账须在月末之后" in page and "/statistics/ledger/submit/" not in page
    answer = submit("xzshuji", month["unit"].pk, current, client)
    assert "尚未结束，月度台账须在月末之后（次月1日起）报送" in client.get(answer["Location"]).content.decode()
    assert not MonthlyLedger.objects.exists()
    past = client.get("/statistics/ledger/", {"month": f"{month['first']:%Y-%m}"}).content.decode()
    assert "/statistics/ledger/submit/" in past  # an ended month offers the submission


def test_one_submits_only_for_its_own_township(month):
    # 凤山's secretary (same zone) cannot submit 宝山's month: 404, nothing written.
    assert submit("xzshuji_fengshan", month["unit"].pk, month["first"]).status_code == 404
    assert submit("zuzhang1", month["unit"].pk, month["first"]).status_code == 404
    assert not MonthlyLedger.objects.exists()
    assert login(Client(), "xzshuji").get("/statistics/ledger/submit/").status_code == 405


def test_the_zone_leader_sees_and_opens_it_and_nobody_outside_does(month):
    submit("xzshuji", month["unit"].pk, month["first"])
    sent = MonthlyLedger.objects.get()
    leader = login(Client(), "zuzhang1")
    pull = leader.get("/statistics/ledger/", {"month": f"{month['first']:%Y-%m}"}).content.decode()
    assert f"/statistics/ledger/{sent.pk}/" in pull and 'data-submitted="1"' in pull and "未报送" in pull
    detail = leader.get(f"/statistics/ledger/{sent.pk}/")
    body = detail.content.decode()
    assert detail.status_code == 200 and month["red"].ledger_number in body and month["case"].case_number in body
    assert body.count('<tr class="row"') == 5
    assert AuditEvent.objects.filter(action="monthlyledger.viewed", target_id=str(sent.pk)).exists()

    for outsider in ("zuzhang2", "xzshuji2", "xzshuji_fengshan", "xitong"):
        client = login(Client(), outsider)
        assert client.get(f"/statistics/ledger/{sent.pk}/").status_code == 404, outsider
        assert client.get(f"/statistics/ledger/{sent.pk}/export.xlsx").status_code == 404, outsider
    other_pull = login(Client(), "zuzhang2").get("/statistics/ledger/", {"month": f"{month['first']:%Y-%m}"})
    assert f"/statistics/ledger/{sent.pk}/" not in other_pull.content.decode()
    assert login(Client(), "zuzhang1").get("/statistics/ledger/999999/").status_code == 404


def test_the_xlsx_opens_and_carries_the_marks(month):
    submit("xzshuji", month["unit"].pk, month["first"])
    sent = MonthlyLedger.objects.get()
    answer = login(Client(), "zuzhang1").get(f"/statistics/ledger/{sent.pk}/export.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).active
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "序号")
    rows = [
        [sheet.cell(row=r, column=c) for c in range(1, 12)]
        for r in range(header + 1, sheet.max_row + 1)
        if isinstance(sheet.cell(row=r, column=1).value, int)
    ]
    assert len(rows) == 5
    by_number = {cells[2].value: cells for cells in rows}
    colours = {"超期": "F4B6B6", "临期预警": "FBE7A1", "正常": "BFD9F2"}
    for clue, label in ((month["red"], "超期"), (month["yellow"], "临期预警"), (month["blue"], "正常")):
        mark = by_number[clue.ledger_number][9]
        assert mark.value == label and mark.fill.fgColor.rgb.endswith(colours[label]), clue
    assert by_number[month["case"].case_number][9].value == "无在办时限"
    assert AuditEvent.objects.filter(action="statistics.monthly_ledger_exported", target_id=str(sent.pk)).exists()


def test_the_menu_offers_it_to_those_who_can_use_it(demo):
    def labels(username: str) -> list[str]:
        return [item["label"] for item in nav_for(demo.actor(username), "/")]

    for username in ("xzshuji", "xzganbu", "zuzhang1", "fuzuzhang1", "shuji", "anguan"):
        assert "月度台账" in labels(username), username
        assert login(Client(), username).get("/statistics/ledger/").status_code == 200, username
    for username in ("xitong", "shenji", "jianduyuan", "dengji"):
        assert "月度台账" not in labels(username), username
        assert login(Client(), username).get("/statistics/ledger/").status_code == 404, username


def test_a_leader_recused_from_a_clue_does_not_read_its_row(month):
    from xiezuoqu.accounts.models import User
    from xiezuoqu.recusal.models import Recusal

    submit("xzshuji", month["unit"].pk, month["first"])
    sent = MonthlyLedger.objects.get()
    leader = User.objects.get(username="zuzhang1")
    staff_id = demo_staff_id(leader)
    Recusal.objects.create(clue=month["red"], staff_id=staff_id, ground="kin", source="self", decided_by=leader)
    body = login(Client(), "zuzhang1").get(f"/statistics/ledger/{sent.pk}/").content.decode()
    assert month["red"].ledger_number not in body and month["blue"].ledger_number in body
    assert body.count('<tr class="row"') == 4 and 'id="ledger-hidden"' in body


def demo_staff_id(user: Any) -> int:
    from xiezuoqu.access.actor import actor_for

    staff_id = actor_for(user).staff_id
    assert staff_id is not None
    return staff_id


def test_a_secretary_withdrawn_from_a_clue_still_sends_it_in_the_month(month):
    """The month is the township's, not its submitter's view: a clue the secretary may not read (withdrawn
    from it) is in the snapshot and its counts, and the zone leader reads it; the secretary does not."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.recusal.models import Recusal

    secretary = User.objects.get(username="xzshuji")
    Recusal.objects.create(
        clue=month["red"], staff_id=demo_staff_id(secretary), ground="kin", source="self", decided_by=secretary
    )
    assert submit("xzshuji", month["unit"].pk, month["first"]).status_code in (200, 302)
    sent = MonthlyLedger.objects.get()
    assert sent.red == 2 and MonthlyLedgerRow.objects.filter(ledger=sent, target_id=month["red"].pk).exists()
    leader = login(Client(), "zuzhang1").get(f"/statistics/ledger/{sent.pk}/").content.decode()
    assert month["red"].ledger_number in leader
    own = login(Client(), "xzshuji").get(f"/statistics/ledger/{sent.pk}/").content.decode()
    assert month["red"].ledger_number not in own and 'id="ledger-hidden"' in own
