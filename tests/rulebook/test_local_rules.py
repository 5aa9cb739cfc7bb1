"""A commission's local value of a rule: stricter only, from today or later, audited, kept as history,
and answered by ``rule_in_force`` (cached per process, re-read after every change)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.intake.conftest import demo_actor
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.rulebook.models import LocalRule
from xiezuoqu.rulebook.selectors import NoRuleInForce, rule_for, rule_in_force
from xiezuoqu.rulebook.services import set_local_rule

pytestmark = pytest.mark.django_db
KEY = "report.acceptance_notice"


def _set(username="shuji", value=10, start=None, key=KEY, reason="市纪委监委要求实名举报10个工作日内告知"):
    return set_local_rule(
        actor=demo_actor(username), key=key, value=value, effective_from=start or timezone.localdate(), reason=reason
    )


def test_a_stricter_value_applies_from_its_date_for_that_commission_only(demo):
    commission = demo_actor("shuji").commission_id
    today = timezone.localdate()
    assert rule_in_force(KEY, on=today, commission=commission) == 15
    row = _set(value=10, start=today + timedelta(days=3))
    assert rule_in_force(KEY, on=today, commission=commission) == 15
    assert rule_in_force(KEY, on=today + timedelta(days=3), commission=commission) == 10
    assert rule_in_force(KEY, on=today + timedelta(days=3)) == 15  # national
    assert rule_for(KEY, on=today + timedelta(days=3), commission=commission).local
    event = AuditEvent.objects.get(action="rulebook.local_rule_set", target_id=str(row.pk))
    assert event.changes == {"value": [None, 10]}
    assert event.detail["reason"].startswith("市纪委监委")


@pytest.mark.parametrize("value", [15, 20])
def test_a_value_as_loose_or_looser_than_the_national_one_is_refused(demo, value):
    with pytest.raises(RuleViolation, match=r"本地值只能比全国规定更严.*15个工作日"):
        _set(value=value)
    assert not LocalRule.objects.exists()


def test_a_statutory_rule_takes_no_local_value(demo):
    with pytest.raises(RuleViolation, match="法定规则"):
        _set(key="sanction.party_warning", value=6)
    with pytest.raises(RuleViolation, match="法定规则"):
        _set(key="case.detention", value=2)


def test_a_past_date_is_not_rewritten(demo):
    with pytest.raises(RuleViolation, match="不能追溯修改"):
        _set(start=timezone.localdate() - timedelta(days=1))


@pytest.mark.parametrize("value", ["abc", "7.5", "0", "-3"])
def test_a_value_that_is_no_whole_positive_number_is_refused_in_chinese(demo, value):
    with pytest.raises(ValidationFailed, match="整数"):
        _set(value=value)


@pytest.mark.parametrize("username", ["xzshuji", "zuzhang1", "anguan", "shenji"])
def test_only_the_administrator_and_the_commission_leadership_set_local_values(demo, username):
    with pytest.raises(NotPermitted):
        _set(username=username)
    assert not LocalRule.objects.exists()


def test_a_change_is_a_new_row_and_the_earlier_one_is_closed_not_rewritten(demo):
    commission = demo_actor("shuji").commission_id
    today = timezone.localdate()
    first = _set(value=12, start=today)
    second = _set(username="fenguan", value=10, start=today + timedelta(days=10))
    first.refresh_from_db()
    assert (first.value, first.effective_to) == (12, today + timedelta(days=9))
    assert rule_in_force(KEY, on=today + timedelta(days=9), commission=commission) == 12
    assert rule_in_force(KEY, on=today + timedelta(days=10), commission=commission) == 10
    # a change before the second took effect replaces it: its span becomes empty, it never applies
    third = _set(value=11, start=today + timedelta(days=5))
    second.refresh_from_db()
    assert second.never_in_force
    assert rule_in_force(KEY, on=today + timedelta(days=20), commission=commission) == 11
    # back to the national value from a date
    _set(value=None, start=today + timedelta(days=30))
    assert rule_in_force(KEY, on=today + timedelta(days=31), commission=commission) == 15
    third.refresh_from_db()
    assert third.effective_to == today + timedelta(days=29)
    assert LocalRule.objects.count() == 4
    assert AuditEvent.objects.filter(action__startswith="rulebook.local_rule_").count() == 4


def test_a_day_no_rule_covers_is_a_clear_error():
    with pytest.raises(NoRuleInForce, match=r"2025-05-31 没有有效的“管护期限”规则.*2025-06-01 起施行"):
        rule_in_force("measure.custody_care", on=date(2025, 5, 31))
    assert rule_in_force("measure.custody_care", on=date(2025, 6, 1)) == 7
    with pytest.raises(NoRuleInForce, match="没有规则"):
        rule_in_force("no.such.rule", on=date(2026, 1, 1))


def test_the_cache_is_one_lookup_and_is_refreshed_by_a_change(demo, django_assert_max_num_queries):
    commission = demo_actor("shuji").commission_id
    today = timezone.localdate()
    rule_in_force(KEY, on=today, commission=commission)
    with django_assert_max_num_queries(20):  # the revision token only, one primary-key lookup per question
        for _ in range(20):
            rule_in_force(KEY, on=today, commission=commission)
    _set(value=9)
    assert rule_in_force(KEY, on=today, commission=commission) == 9
