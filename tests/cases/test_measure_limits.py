"""Time limits of 管护, 责令候查, 强制到案 and 冻结 in a filed case.

A planned end beyond the limit is refused, naming the measure and the limit; a measure in force opens a
"措施期限" deadline due on its planned end's day (not moved past a rest day), which the usual lists
show and which turns red when the end passes; 管护 is extended once by 1–3 days with the commission
head's approval, a freeze renewed by at most 6 months each time; release or change closes the
deadline. Only the investigation team works these terms, and never on an archived case. Pages and API.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.conftest import investigating, measure_input, staff_of
from tests.intake.conftest import api_token, demo_actor, login
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases import services
from xiezuoqu.cases.models import Case
from xiezuoqu.cases.workflow import State
from xiezuoqu.deadlines.models import Deadline, DeadlineState
from xiezuoqu.deadlines.selectors import work_queue
from xiezuoqu.deadlines.services import deadline_for, sweep_deadlines
from xiezuoqu.deadlines.urgency import Colour
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.verification.limits import TermState, add_period
from xiezuoqu.verification.models import Measure, MeasureExtension
from xiezuoqu.workdays.selectors import work_calendar

pytestmark = pytest.mark.django_db

KIND = "case.measure_limit"
TEAM = "xzshuji"  # lead of the 宝山镇 investigation team (xzganbu is the other member)


def next_monday() -> datetime:
    """10:00 on the Monday after next week starts: every date in these tests lies ahead of the demo data."""
    now = timezone.localtime()
    return (now + timedelta(days=14 - now.weekday())).replace(hour=10, minute=0, second=0, microsecond=0)


def record(case: Case, kind: str, starts_at: datetime, ends_at: datetime, **kw: Any) -> Measure:
    return services.record_case_measure(
        actor=demo_actor(TEAM),
        case_id=case.pk,
        data=measure_input(kind, starts_at=starts_at, ends_at=ends_at, place="市留置场所", **kw),
    )


def in_force(kind: str, duration: timedelta | None = None, months: int | None = None) -> tuple[Case, Measure]:
    """A case under investigation with a measure of ``kind`` that started an hour ago."""
    case = investigating()
    start = timezone.now() - timedelta(hours=1)
    end = add_period(start, months, "months") if months else start + (duration or timedelta(days=5))
    return case, record(case, kind, start, end)


def extend(case: Case, measure: Measure, days: int | None, *, username: str = TEAM, **kw: Any) -> Measure:
    values: dict[str, Any] = {"reference": "凤纪延〔2026〕1号", "reason": "需进一步核实资金去向", "approver_id": None}
    values.update(kw)
    if values["approver_id"] is None:
        values["approver_id"] = User.objects.get(username="shuji").pk
    return services.extend_measure(
        actor=demo_actor(username), case_id=case.pk, measure_id=measure.pk, days=days, **values
    )


def release(case: Case, measure: Measure, *, username: str = TEAM, **kw: Any) -> Measure:
    values: dict[str, Any] = {"released_at": timezone.now(), "reason": "已查清问题，解除措施", "converted_to": ""}
    values.update(kw)
    return services.release_measure(actor=demo_actor(username), case_id=case.pk, measure_id=measure.pk, **values)


# --- the limit on recording ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "limit", "months", "words"),
    [
        ("custody_care", timedelta(days=7), None, "管护的期限不得超过7日"),
        ("compelled_appearance", timedelta(hours=12), None, "强制到案的期限不得超过12小时"),
        ("ordered_wait", None, 12, "责令候查的期限不得超过12个月"),
        ("freeze", None, 6, "冻结的期限不得超过6个月"),
    ],
)
def test_a_planned_end_beyond_the_limit_is_refused_naming_the_measure_and_the_limit(demo, kind, limit, months, words):
    with time_machine.travel(next_monday(), tick=False):
        case = investigating()
        start = timezone.now() - timedelta(hours=1)
        latest = add_period(start, months, "months") if months else start + limit
        with pytest.raises(RuleViolation, match=words) as refused:
            record(case, kind, start, latest + timedelta(minutes=1))
        assert refused.value.field_errors == {"ends_at": [f"最迟 {timezone.localtime(latest):%Y-%m-%d %H:%M}。"]}
        assert not Measure.objects.filter(case_id=case.pk).exists()
        measure = record(case, kind, start, latest)  # exactly at the limit
        assert measure.term_state == TermState.IN_FORCE


def test_compelled_appearance_may_last_24_hours_only_where_custody_then_has_to_be_taken(demo):
    with time_machine.travel(next_monday(), tick=False):
        case = investigating()
        start = timezone.now() - timedelta(hours=1)
        with pytest.raises(RuleViolation, match="需要采取管护或者留置措施的，请勾选该项"):
            record(case, "compelled_appearance", start, start + timedelta(hours=20))
        measure = record(case, "compelled_appearance", start, start + timedelta(hours=20), followed_by_custody=True)
        assert measure.followed_by_custody and measure.term_state == TermState.IN_FORCE
        with pytest.raises(RuleViolation, match="不得超过24小时"):
            record(case, "compelled_appearance", start, start + timedelta(hours=25), followed_by_custody=True)
        with pytest.raises(ValidationFailed, match="只适用于强制到案"):
            record(case, "custody_care", start, start + timedelta(days=2), followed_by_custody=True)
        # Hour-scale: validated, no deadline (it ends before a daily sweep could warn).
        assert deadline_for(measure, KIND) is None


def test_a_measure_without_a_limit_or_recorded_after_its_end_opens_no_deadline(demo):
    monday = next_monday()
    with time_machine.travel(monday - timedelta(days=4), tick=False):
        case = investigating()  # filed before the measure recorded late began
    with time_machine.travel(monday, tick=False):
        now = timezone.now()
        talk = record(case, "interrogation", now - timedelta(hours=3), now - timedelta(hours=1))
        done = record(case, "custody_care", now - timedelta(days=3), now - timedelta(hours=2))
    assert talk.term_state == "" and talk.term is None
    assert done.term_state == TermState.COMPLETED
    assert deadline_for(talk, KIND) is None and deadline_for(done, KIND) is None


# --- the deadline -------------------------------------------------------------------------------------


def test_a_measure_in_force_opens_a_deadline_on_its_planned_end_that_turns_red_when_it_passes(demo):
    calendar = work_calendar()
    monday = next_monday()
    # Plan the end on the first rest day after Wednesday: the deadline must not move past it.
    rest = monday + timedelta(days=2)
    while calendar.status(rest.date()).working:
        rest += timedelta(days=1)
    with time_machine.travel(monday, tick=False):
        case = investigating()
        measure = record(case, "custody_care", monday - timedelta(hours=1), rest)
        deadline = deadline_for(measure, KIND)
        assert deadline is not None and deadline.state == DeadlineState.OPEN
        assert deadline.due_date == rest.date() != calendar.roll_forward(rest.date()).date
        assert deadline.label == "管护期限" and deadline.zone_id == case.zone_id
        rows = {row.deadline.pk: row for row in work_queue(demo_actor(TEAM)).rows}
        assert rows[deadline.pk].target_url == f"/cases/{case.pk}/"
        assert rows[deadline.pk].urgency.colour is not Colour.RED
    with time_machine.travel(rest + timedelta(days=1), tick=False):
        rows = {row.deadline.pk: row for row in work_queue(demo_actor(TEAM)).rows}
        assert rows[deadline.pk].urgency.colour is Colour.RED
        measure.refresh_from_db()
        assert measure.term is not None and measure.term.overdue and measure.term.state_label == "已到期未解除"
        sweep_deadlines()  # an overdue measure gets its 督办单 like any overdue deadline
        assert Deadline.objects.get(pk=deadline.pk).slips.count() == 1


def test_release_closes_the_deadline_on_time_or_late(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("ordered_wait", months=12)
        release(case, measure)
        measure.refresh_from_db()
        assert measure.term_state == TermState.RELEASED and measure.released_at == timezone.now()
        assert deadline_for(measure, KIND).state == DeadlineState.MET  # type: ignore[union-attr]
        with pytest.raises(InvalidTransition, match="已解除"):
            release(case, measure)
        late_case, late = in_force("custody_care", timedelta(days=3))
    with time_machine.travel(next_monday() + timedelta(days=5), tick=False):
        release(late_case, late)
    assert deadline_for(late, KIND).state == DeadlineState.MET_LATE  # type: ignore[union-attr]


def test_custody_care_changes_into_detention_only_under_an_approved_detention(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("custody_care", timedelta(days=5))
        with pytest.raises(RuleViolation, match="变更为留置须经上一级纪委监委批准"):
            release(case, measure, converted_to="detention")
        with pytest.raises(RuleViolation, match="管护不能变更为“冻结”；可以变更为：留置、责令候查"):
            release(case, measure, converted_to="freeze")
        release(case, measure, converted_to="ordered_wait", reason="无须留置，变更为责令候查")
        measure.refresh_from_db()
        assert (measure.term_state, measure.converted_to) == (TermState.CONVERTED, "ordered_wait")
        assert deadline_for(measure, KIND).state == DeadlineState.MET  # type: ignore[union-attr]


# --- extension and renewal ----------------------------------------------------------------------------


def test_custody_care_is_extended_once_by_one_to_three_days_with_the_heads_approval(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("custody_care", timedelta(days=7))
        planned = measure.ends_at
        with pytest.raises(RuleViolation, match="管护每次延长1至3日"):
            extend(case, measure, 4)
        with pytest.raises(RuleViolation, match="须经纪委书记、监委主任批准"):
            extend(case, measure, 2, approver_id=User.objects.get(username="zuzhang1").pk)
        with pytest.raises(ValidationFailed, match="特殊情况"):
            extend(case, measure, 2, reason="")
        extend(case, measure, 3)
        measure.refresh_from_db()
        assert measure.ends_at == planned + timedelta(days=3) and measure.extension_count == 1
        row = MeasureExtension.objects.get(measure=measure)
        assert (row.amount, row.approved_by.username, row.reference) == (3, "shuji", "凤纪延〔2026〕1号")  # type: ignore[union-attr]
        deadlines = Deadline.objects.filter(target_id=measure.pk, kind=KIND).order_by("id")
        assert [d.state for d in deadlines] == [DeadlineState.CANCELLED, DeadlineState.OPEN]
        assert deadlines[1].due_date == timezone.localtime(measure.ends_at).date()
        with pytest.raises(RuleViolation, match="管护只能延长一次"):
            extend(case, measure, 1)


def test_custody_care_extended_within_its_days_never_passes_ten_days_and_not_after_its_end(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, short = in_force("custody_care", timedelta(days=2))
        extend(case, short, 3)  # 5 days in all: within 7 + 3
        short.refresh_from_db()
        assert short.extension_count == 1
        ended_case, ended = in_force("custody_care", timedelta(days=2))
    with (
        time_machine.travel(next_monday() + timedelta(days=3), tick=False),
        pytest.raises(RuleViolation, match=r"已于 .* 期满，不能再延长"),
    ):
        extend(ended_case, ended, 1)


def test_a_freeze_is_renewed_before_it_runs_out_by_at_most_six_months_each_time(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("freeze", months=6)
        first_end = measure.ends_at
        actor = demo_actor(TEAM)
        with pytest.raises(RuleViolation, match="冻结每次续冻1至6个月"):
            services.renew_freeze(actor=actor, case_id=case.pk, measure_id=measure.pk, months=7, reference="续冻1号")
        with pytest.raises(ValidationFailed, match="审批文书编号"):
            services.renew_freeze(actor=actor, case_id=case.pk, measure_id=measure.pk, months=6, reference="")
        with pytest.raises(RuleViolation, match="请办理续冻"):
            extend(case, measure, 3)
        services.renew_freeze(actor=actor, case_id=case.pk, measure_id=measure.pk, months=6, reference="续冻1号")
        services.renew_freeze(actor=actor, case_id=case.pk, measure_id=measure.pk, months=3, reference="续冻2号")
        measure.refresh_from_db()
        assert measure.ends_at == add_period(add_period(first_end, 6, "months"), 3, "months")
        assert measure.extension_count == 2
        assert deadline_for(measure, KIND).due_date == timezone.localtime(measure.ends_at).date()  # type: ignore[union-attr]
        wait_case, wait = in_force("ordered_wait", months=6)
        with pytest.raises(RuleViolation, match="责令候查不能延长"):
            extend(wait_case, wait, 1)
        with pytest.raises(RuleViolation, match="续冻只适用于冻结"):
            services.renew_freeze(actor=actor, case_id=wait_case.pk, measure_id=wait.pk, months=1, reference="x")


# --- who, and when ------------------------------------------------------------------------------------


def test_only_the_investigation_team_works_a_measures_term(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("custody_care", timedelta(days=5))
        # The zone leader may work the clue but is not on the team.
        with pytest.raises(NotPermitted, match="审查调查组的现任成员"):
            extend(case, measure, 2, username="zuzhang1")
        with pytest.raises(NotPermitted):
            release(case, measure, username="zuzhang1")
        with pytest.raises(NotFound):  # another township's secretary does not see the case
            release(case, measure, username="xzshuji2")
        other = investigating()
        with pytest.raises(NotFound):  # the measure is not this case's
            services.release_measure(
                actor=demo_actor(TEAM), case_id=other.pk, measure_id=measure.pk, released_at=timezone.now(), reason="x"
            )
        release(case, measure, username="xzganbu")


def test_a_measure_in_force_blocks_the_archive_and_an_archived_case_is_read_only(demo):
    with time_machine.travel(next_monday(), tick=False):
        case, measure = in_force("freeze", months=6)
        # Executed, then asked to archive with the freeze still in force (the steps before are other tests').
        Case.objects.filter(pk=case.pk).update(state=State.EXECUTED)
        with pytest.raises(RuleViolation, match="冻结措施尚未解除或变更"):
            services.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
        Case.objects.filter(pk=case.pk).update(state=State.ARCHIVED)
        actor = demo_actor(TEAM)
        with pytest.raises(RuleViolation, match="案件已归档，只读"):
            services.renew_freeze(actor=actor, case_id=case.pk, measure_id=measure.pk, months=3, reference="续冻1号")
        with pytest.raises(RuleViolation, match="案件已归档，只读"):
            release(case, measure)
    measure.refresh_from_db()
    assert measure.term_state == TermState.IN_FORCE and measure.extension_count == 0


# --- pages and API ------------------------------------------------------------------------------------


def _act(username: str, case_id: int, **data: Any) -> str:
    response = login(Client(), username).post(f"/cases/{case_id}/act/", data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_case_page_shows_each_terms_limit_end_and_time_left_and_works_it(demo):
    with time_machine.travel(next_monday(), tick=False):
        case = investigating()
        now = timezone.now()
        officers = [staff_of("xzshuji").pk, staff_of("xzganbu").pk]
        base = {"action": "record_measure", "officers": officers, "place": "市留置场所", "approval_reference": "批准"}
        page = _act(
            TEAM,
            case.pk,
            **base,
            kind="custody_care",
            person_or_record="赵某某",
            starts_at=_local(now - timedelta(hours=1)),
            ends_at=_local(now + timedelta(days=8)),
        )
        assert "管护的期限不得超过7日" in page and not Measure.objects.filter(case_id=case.pk).exists()
        page = _act(
            TEAM,
            case.pk,
            **base,
            kind="custody_care",
            person_or_record="赵某某",
            starts_at=_local(now - timedelta(hours=1)),
            ends_at=_local(now + timedelta(days=5)),
        )
        custody = Measure.objects.get(case_id=case.pk, kind="custody_care")
        assert "7日；可以延长1至3日（仅一次）" in page and "剩余5天" in page and "登记延长" in page
        assert "管护期限" in page  # in the case's deadlines
        page = _act(
            TEAM,
            case.pk,
            action="extend_measure",
            measure=custody.pk,
            days="2",
            approver=User.objects.get(username="shuji").pk,
            reference="凤纪延〔2026〕2号",
            reason="需进一步核实",
        )
        assert "已登记延长" in page and "凤纪延〔2026〕2号" in page and "剩余7天" in page
        page = _act(TEAM, case.pk, action="extend_measure", measure=custody.pk, days="1", approver="", reference="x")
        assert "管护只能延长一次" in page and 'value="extend_measure"' not in page  # extended once: no form
    with time_machine.travel(next_monday() + timedelta(days=8), tick=False):
        page = login(Client(), TEAM).get(f"/cases/{case.pk}/").content.decode()
        assert '<span class="tag red">已到期未解除</span>' in page and "已超期" in page
        page = _act(
            TEAM,
            case.pk,
            action="release_measure",
            measure=custody.pk,
            converted_to="",
            released_at=_local(timezone.now()),
            reason="依法解除管护",
        )
        assert "已登记解除（变更）" in page and "依法解除管护" in page
    custody.refresh_from_db()
    assert custody.term_state == TermState.RELEASED
    assert deadline_for(custody, KIND).state == DeadlineState.MET_LATE  # type: ignore[union-attr]


def _api(username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = api_token(User.objects.get(username=username))
    call = getattr(Client(), method)
    return call(
        "/api/v1/cases" + path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_api_records_extends_renews_and_releases_with_problem_json_on_a_refusal(demo):
    with time_machine.travel(next_monday(), tick=False):
        case = investigating()
        now = timezone.now()
        body = {
            "kind": "freeze",
            "officer_ids": [staff_of("xzshuji").pk, staff_of("xzganbu").pk],
            "person_or_record": "赵某某名下银行账户",
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": add_period(now + timedelta(days=1), 6, "months").isoformat(),
            "place": "凤城农商银行",
            "approval_reference": "冻结决定书〔2026〕1号",
        }
        refused = _api(TEAM, "post", f"/{case.pk}/measures", body)
        assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
        assert "冻结的期限不得超过6个月" in refused.json()["detail"] and "ends_at" in refused.json()["errors"]
        body["ends_at"] = add_period(now - timedelta(hours=1), 6, "months").isoformat()
        created = _api(TEAM, "post", f"/{case.pk}/measures", body)
        assert created.status_code == 201, created.content
        measure_id = created.json()["id"]
        listed = {m["id"]: m for m in _api(TEAM, "get", f"/{case.pk}/measures").json()}
        # Names and reasons of a case: the read is on record, as the case file's is.
        assert AuditEvent.objects.filter(action="case.viewed", target_id=str(case.pk), actor_name=TEAM).exists()
        assert listed[measure_id]["term_state"] == "in_force" and listed[measure_id]["limit"].startswith("6个月")
        assert listed[measure_id]["remaining"].startswith("剩余") and listed[measure_id]["may_extend"]

        refused = _api(TEAM, "post", f"/{case.pk}/measures/{measure_id}/renewal", {"months": 7, "reference": "续冻"})
        assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
        assert "冻结每次续冻1至6个月" in refused.json()["detail"]
        refused = _api(
            "zuzhang1", "post", f"/{case.pk}/measures/{measure_id}/renewal", {"months": 3, "reference": "续"}
        )
        assert refused.status_code == 403
        renewed = _api(TEAM, "post", f"/{case.pk}/measures/{measure_id}/renewal", {"months": 3, "reference": "续冻1号"})
        assert renewed.status_code == 200, renewed.content
        assert renewed.json()["extensions"][0]["reference"] == "续冻1号"
        heads = User.objects.get(username="shuji").pk
        wrong = _api(
            TEAM,
            "post",
            f"/{case.pk}/measures/{measure_id}/extension",
            {"days": 2, "reference": "延", "reason": "特殊", "approver_id": heads},
        )
        assert wrong.status_code == 422 and "请办理续冻" in wrong.json()["detail"]
        released = _api(
            TEAM,
            "post",
            f"/{case.pk}/measures/{measure_id}/release",
            # A time without a zone, as many clients send it: read as local time, not a server error.
            {"released_at": timezone.localtime().replace(tzinfo=None).isoformat(), "reason": "案件已查清，解除冻结"},
        )
        assert released.status_code == 200 and released.json()["term_state"] == "released"
        assert (
            _api(
                TEAM, "post", f"/{case.pk}/measures/999999/release", {"released_at": now.isoformat(), "reason": "x"}
            ).status_code
            == 404
        )
    assert deadline_for(Measure.objects.get(pk=measure_id), KIND).state == DeadlineState.MET  # type: ignore[union-attr]


def test_the_measure_ledger_shows_the_planned_end_and_state_and_exports_them(demo):
    with time_machine.travel(next_monday(), tick=False):
        _, custody = in_force("custody_care", timedelta(days=2))
        _, freeze = in_force("freeze", months=6)
    with time_machine.travel(next_monday() + timedelta(days=3), tick=False):
        client = login(Client(), "anguan")
        page = client.get("/verification/measures/?term=overdue").content.decode()
        assert "已到期未解除" in page and timezone.localtime(custody.ends_at).strftime("%Y-%m-%d %H:%M") in page
        overdue = client.get("/verification/measures/?term=overdue")
        assert [m.pk for m in overdue.context["rows"]] == [custody.pk]
        in_force_rows = client.get("/verification/measures/?term=in_force").context["rows"]
        assert {m.pk for m in in_force_rows} == {custody.pk, freeze.pk}
        response = client.get("/verification/measures/export.xlsx?term=limited")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        header = [c.value for c in sheet[2]]
        cells = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)}
        by_kind = {r["措施种类"]: r for r in cells.values()}
        assert by_kind["管护"]["期限状态"].startswith("已到期未解除（已超期")
        assert by_kind["冻结"]["法定期限"] == "6个月；可以续冻，每次不超过6个月"
        assert by_kind["管护"]["结束时间"] == timezone.localtime(custody.ends_at).strftime("%Y-%m-%d %H:%M")


def test_the_case_page_and_the_ledger_read_terms_in_a_bounded_number_of_queries(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts(case_id: int) -> tuple[int, int]:
        team, anguan = login(Client(), TEAM), login(Client(), "anguan")
        with CaptureQueriesContext(connection) as page:
            assert team.get(f"/cases/{case_id}/").status_code == 200
        with CaptureQueriesContext(connection) as ledger:
            assert anguan.get("/verification/measures/?term=limited").status_code == 200
        return len(page), len(ledger)

    with time_machine.travel(next_monday(), tick=False):
        case, custody = in_force("custody_care", timedelta(days=4))
        extend(case, custody, 2)
        start = timezone.now() - timedelta(hours=1)
        record(case, "freeze", start, add_period(start, 6, "months"))
        counts(case.pk)  # warm the content-type cache
        before = counts(case.pk)
        freeze = record(case, "freeze", start, add_period(start, 3, "months"))
        services.renew_freeze(
            actor=demo_actor(TEAM), case_id=case.pk, measure_id=freeze.pk, months=2, reference="续冻1号"
        )
        record(case, "ordered_wait", start, add_period(start, 12, "months"))
        after = counts(case.pk)
    assert after == before, (before, after)  # no query per measure, extension or deadline
    assert before[0] <= 45 and before[1] <= 20
