"""The limits of 管护, 责令候查, 强制到案 and 冻结 are read from the rule book by the measure's start day
(issue 15): a measure started before a new dated row keeps the old figure, one started from its day
takes the new one, each refusal citing its row; a commission's stricter local value holds the measures
started from its day and no earlier; and the 规则库 page reads the book once however many rules carry
a local value."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.conftest import investigating, measure_input
from tests.intake.conftest import demo_actor
from xiezuoqu.cases import services
from xiezuoqu.cases.models import Case
from xiezuoqu.errors import RuleViolation
from xiezuoqu.rulebook import national
from xiezuoqu.rulebook import services as rulebook_services
from xiezuoqu.rulebook.selectors import rule_for, rulebook_for
from xiezuoqu.rulebook.services import set_local_rule
from xiezuoqu.verification.limits import check_planned_end, measure_limit, term_of
from xiezuoqu.verification.models import Measure

pytestmark = pytest.mark.django_db
TEAM = "xzshuji"
CUSTODY = "measure.custody_care"
NEW_SOURCE = "中华人民共和国监察法（假设的再次修正）"


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _new_custody_row(monkeypatch: pytest.MonkeyPatch, from_day: date, days: int) -> None:
    """A change of law as it arrives: a new 管护 row in the code table from ``from_day`` (the open one
    closed the day before), then the sync that migrate runs."""
    rows = []
    for spec in national.NATIONAL_RULES:
        if spec.key == CUSTODY and spec.effective_to is None:
            rows.append(replace(spec, effective_to=from_day - timedelta(days=1)))
            rows.append(replace(spec, source=NEW_SOURCE, effective_from=from_day, value=days))
        else:
            rows.append(spec)
    monkeypatch.setattr(national, "NATIONAL_RULES", tuple(rows))
    monkeypatch.setattr(rulebook_services, "NATIONAL_RULES", tuple(rows))
    assert rulebook_services.sync_national_rules() == 2


def _custody(case: Case, starts: datetime, days: float):
    return services.record_case_measure(
        actor=demo_actor(TEAM),
        case_id=case.pk,
        data=measure_input(kind="custody_care", starts_at=starts, ends_at=starts + timedelta(days=days)),
    )


def test_a_custody_care_started_before_a_new_row_keeps_its_limit_and_one_after_takes_the_new(demo, monkeypatch):
    today = timezone.localdate()
    change = today - timedelta(days=10)
    case = investigating()
    Case.objects.filter(pk=case.pk).update(filed_on=today - timedelta(days=30))
    _new_custody_row(monkeypatch, change, 5)

    before = _custody(case, _at(change - timedelta(days=3)), 7)  # the 2024 row: 7 days
    assert before.term is not None and before.term.limit.value == 7
    assert "2024年修正" in before.term.limit.citation
    with pytest.raises(RuleViolation, match=rf"管护的期限不得超过5日.*规则库：{NEW_SOURCE}第二十四条"):
        _custody(case, _at(change), 6)
    after = _custody(case, _at(change + timedelta(days=1)), 5)
    assert after.term is not None and after.term.limit.value == 5 and after.term.limit.text.startswith("5日")
    assert rule_for(CUSTODY, on=change).source == NEW_SOURCE


def test_a_commissions_stricter_local_limit_holds_measures_started_from_its_day_only(demo):
    commission = demo_actor("shuji").commission_id
    today = timezone.localdate()
    with pytest.raises(RuleViolation, match="本地值只能比全国规定更严"):
        set_local_rule(actor=demo_actor("shuji"), key=CUSTODY, value=7, effective_from=today, reason="同全国")
    set_local_rule(
        actor=demo_actor("shuji"), key=CUSTODY, value=5, effective_from=today, reason="本市要求五日内作出决定"
    )
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    yesterday = midnight - timedelta(hours=12)

    limit = measure_limit("custody_care", on=today, commission=commission)
    assert limit is not None and (limit.value, limit.local) == (5, True)
    with pytest.raises(RuleViolation, match=r"管护的期限不得超过5日.*本地从严规定"):
        check_planned_end("custody_care", midnight, midnight + timedelta(days=6), commission=commission)
    check_planned_end("custody_care", midnight, midnight + timedelta(days=5), commission=commission)
    # started the day before the local value: the national 7 days; another commission: the national 7 days
    check_planned_end("custody_care", yesterday, yesterday + timedelta(days=7), commission=commission)
    check_planned_end("custody_care", midnight, midnight + timedelta(days=7), commission=None)
    term = term_of(
        "custody_care", state="in_force", starts_at=midnight, ends_at=midnight + timedelta(days=5),
        extension_count=0, commission=commission,
    )  # fmt: skip
    assert term is not None and term.limit.text.startswith("5日")


def test_the_rulebook_page_reads_the_book_once_however_many_local_values(demo):
    actor = demo_actor("shuji")
    today = timezone.localdate()

    def page_queries() -> tuple[int, dict[str, int]]:
        rule_for(CUSTODY, on=today)  # the book cached after the last change, as on any later page
        with CaptureQueriesContext(connection) as queries:
            entries = rulebook_for(actor, today=today)
        return len(queries), {e.key: e.local_now.value for e in entries if e.local_now is not None}

    set_local_rule(actor=actor, key=CUSTODY, value=5, effective_from=today, reason="本市要求五日内作出决定")
    one, answers = page_queries()
    assert answers == {CUSTODY: 5}
    set_local_rule(actor=actor, key="measure.freeze", value=4, effective_from=today, reason="本市冻结从严")
    set_local_rule(actor=actor, key="report.forward_up", value=3, effective_from=today, reason="本市从严")
    three, answers = page_queries()
    assert answers == {CUSTODY: 5, "measure.freeze": 4, "report.forward_up": 3}
    assert one == three == 3  # the national rows, the local rows, the book's revision token


def test_the_services_hold_a_measure_to_its_commissions_stricter_local_limit(demo):
    """recording a 管护 on a case and its term on the page read the commission's local value."""
    today = timezone.localdate()
    case = investigating()
    Case.objects.filter(pk=case.pk).update(filed_on=today - timedelta(days=3))
    set_local_rule(
        actor=demo_actor("shuji"), key=CUSTODY, value=5, effective_from=today, reason="本市要求五日内作出决定"
    )
    starts = timezone.now() - timedelta(hours=1)
    with pytest.raises(RuleViolation, match=r"管护的期限不得超过5日.*本地从严规定"):
        _custody(case, starts, 6)
    assert not Measure.objects.filter(case_id=case.pk).exists()
    measure = _custody(case, starts, 5)
    assert measure.term is not None and (measure.term.limit.value, measure.term.limit.local) == (5, True)
