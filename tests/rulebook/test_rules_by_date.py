"""A change of law applies by date, end to end through the real services (issue 15, "Done when"):

- 监察法 (2024年修正) took effect on 2025-06-01. It created 管护 (at most 7 days), 责令候查 and 强制到案:
  a 管护 dated before that day has no rule and is refused; one dated after is held to its 7 days.
- 留置 keeps 3 months, extendable once by 3, but under a new article: a detention that started
  before the day runs under the 2018 text (第四十三条), one that started after under the 2024 text
  (第四十八条) — each deadline and each refusal cites its own rule.
- A commission's stricter local value reaches the deadline a service opens, only for matters dated
  from the local rule's day; a matter dated before keeps the national period.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.cases.conftest import investigating, measure_input
from tests.intake.conftest import REAL_NAME, demo_actor, register
from xiezuoqu.approvals.services import decide
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases import services
from xiezuoqu.cases.models import Case, Detention
from xiezuoqu.deadlines.services import deadline_for
from xiezuoqu.errors import RuleViolation
from xiezuoqu.intake import rules as intake_rules
from xiezuoqu.rulebook.selectors import NoRuleInForce, rule_for, sanction_terms
from xiezuoqu.rulebook.services import set_local_rule
from xiezuoqu.sanctions.rules import plus_months
from xiezuoqu.workdays.selectors import add_months, add_working_days

pytestmark = pytest.mark.django_db
TEAM = "xzshuji"


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _custody(case: Case, start: date, days: float):
    starts = _at(start)
    return services.record_case_measure(
        actor=demo_actor(TEAM),
        case_id=case.pk,
        data=measure_input(kind="custody_care", starts_at=starts, ends_at=starts + timedelta(days=days)),
    )


def _filed_on(case: Case, day: date) -> Case:
    """The case as filed on ``day`` (a measure may not start before its case's filing day)."""
    Case.objects.filter(pk=case.pk).update(filed_on=day)
    case.refresh_from_db()
    return case


def test_custody_care_before_the_2024_amendment_has_no_rule_and_after_it_is_held_to_7_days(demo):
    case = _filed_on(investigating(), date(2025, 5, 1))
    with pytest.raises(NoRuleInForce, match=r"“管护”措施的开始时间 2025-05-31 早于.*2025-06-01 起施行"):
        _custody(case, date(2025, 5, 31), 3)
    measure = _custody(case, date(2025, 6, 1), 7)
    assert measure.kind == "custody_care" and measure.term_state == "completed"
    with pytest.raises(RuleViolation, match="管护的期限不得超过7日"):
        _custody(case, date(2025, 6, 10), 7.5)
    assert rule_for("measure.custody_care", on=date(2025, 6, 1)).source == "中华人民共和国监察法（2024年修正）"


def _approved_detention(case: Case, starts_on: date) -> Detention:
    detention = services.request_detention(
        actor=demo_actor(TEAM), case_id=case.pk, reason="涉嫌职务违法，可能逃跑。", place="市留置场所"
    )
    decide(actor=demo_actor("shuji"), approval_id=detention.approval_id, decision="approve", comment="同意报上一级")
    # A detention requested then (the record is older than this run of the test).
    Detention.objects.filter(pk=detention.pk).update(requested_at=_at(starts_on - timedelta(days=3)))
    return services.record_higher_decision(
        actor=demo_actor(TEAM),
        detention_id=detention.pk,
        approved=True,
        reference=f"上级纪委监委批准留置决定书〔{starts_on.year}〕{starts_on.month}号",
        decided_on=starts_on - timedelta(days=1),
        starts_on=starts_on,
    )


def _citation_of_period(detention: Detention) -> str:
    deadline = deadline_for(detention, "case.detention")
    assert deadline is not None
    event = AuditEvent.objects.filter(action="deadline.opened", target_id=str(deadline.pk)).get()
    return str(event.detail["rulebook"]["citation"])


@pytest.mark.parametrize(
    ("starts_on", "source", "article"),
    [
        (date(2025, 5, 20), "中华人民共和国监察法（2018年）", "第四十三条"),
        (date(2025, 6, 3), "中华人民共和国监察法（2024年修正）", "第四十八条"),
    ],
)
def test_a_detention_runs_under_the_law_of_the_day_it_started(demo, starts_on, source, article):
    case = _filed_on(investigating(), date(2025, 5, 1))
    detention = _approved_detention(case, starts_on)
    deadline = deadline_for(detention, "case.detention")
    assert deadline is not None
    assert deadline.due_date == add_months(starts_on, 3).date
    citation = _citation_of_period(detention)
    assert source in citation and article in citation
    services.extend_detention(actor=demo_actor(TEAM), detention_id=detention.pk, reference="延长留置批复〔2025〕1号")
    extended = deadline_for(detention, "case.detention")
    assert extended is not None and extended.due_date == add_months(starts_on, 6).date
    event = AuditEvent.objects.get(action="case.detention_extended", target_id=str(detention.pk))
    assert source in event.detail["rule"] and article in event.detail["rule"]
    with pytest.raises(RuleViolation, match=f"只能延长一次（{source}{article}"):
        services.extend_detention(actor=demo_actor(TEAM), detention_id=detention.pk, reference="再次延长")


def test_a_local_stricter_period_reaches_the_deadline_of_matters_dated_from_its_day(demo):
    today = timezone.localdate()
    set_local_rule(
        actor=demo_actor("shuji"),
        key=intake_rules.ACCEPTANCE_NOTICE.kind,
        value=10,
        effective_from=today,
        reason="本市规定实名举报10个工作日内告知受理情况",
    )
    fresh = register(is_real_name=True, identity=REAL_NAME, received_on=today)
    older = register(is_real_name=True, identity=REAL_NAME, received_on=today - timedelta(days=1))
    fresh_deadline = deadline_for(fresh, intake_rules.ACCEPTANCE_NOTICE.kind)
    older_deadline = deadline_for(older, intake_rules.ACCEPTANCE_NOTICE.kind)
    assert fresh_deadline is not None and older_deadline is not None
    assert (fresh_deadline.period_value, fresh_deadline.due_date) == (10, add_working_days(today, 10).date)
    assert older_deadline.period_value == 15
    event = AuditEvent.objects.get(action="deadline.opened", target_id=str(fresh_deadline.pk))
    assert event.detail["rulebook"]["local"] is True


def test_sanction_periods_come_from_the_rule_book_of_the_decision_date():
    terms = sanction_terms(on=date(2026, 3, 1))
    assert terms["party_warning"] == 12 and terms["party_probation"] == [12, 24]
    assert terms["gov_combined_max"] == 48
    assert rule_for("sanction.party_warning", on=date(2023, 12, 31)).source.endswith("（2018年修订）")
    assert rule_for("sanction.party_warning", on=date(2024, 1, 1)).source.endswith("（2023年修订）")
    with pytest.raises(NoRuleInForce):
        sanction_terms(on=date(2018, 1, 1))
    assert plus_months(date(2026, 3, 1), terms["gov_warning"]) == date(2026, 9, 1)
