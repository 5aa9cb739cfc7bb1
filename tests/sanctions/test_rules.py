"""The national rules on outcomes: periods, combination, who may decide, village cadres, the four forms."""

from __future__ import annotations

from datetime import date

import pytest

from xiezuoqu.sanctions.rules import (
    Body,
    Form,
    RuleBroken,
    check_authority,
    check_for_person,
    combined_government_period,
    form_of,
    period_of,
    plus_months,
)


@pytest.mark.parametrize(
    ("code", "months"),
    [
        ("party_warning", 12),
        ("party_serious_warning", 18),
        ("party_removal", 24),
        ("gov_warning", 6),
        ("gov_demerit", 12),
        ("gov_major_demerit", 18),
        ("gov_demotion", 24),
        ("gov_dismissal_from_post", 24),
    ],
)
def test_each_sanction_runs_its_statutory_period(code, months):
    period = period_of(code, date(2026, 3, 15))
    assert period.months == months
    assert period.end == plus_months(date(2026, 3, 15), months)


def test_probation_is_one_or_two_years_and_nothing_else():
    assert period_of("party_probation", date(2026, 1, 1), months=24).end == date(2028, 1, 1)
    with pytest.raises(RuleBroken, match="一年或者二年"):
        period_of("party_probation", date(2026, 1, 1), months=18)


def test_a_statutory_period_cannot_be_chosen():
    with pytest.raises(RuleBroken, match="法定期间"):
        period_of("gov_warning", date(2026, 1, 1), months=3)


def test_expulsion_bars_readmission_for_five_years_and_government_expulsion_has_no_period():
    assert period_of("party_expulsion", date(2026, 2, 28)).end == date(2031, 2, 28)
    assert period_of("gov_expulsion", date(2026, 2, 28)).end is None


def test_a_month_period_ends_on_the_last_day_when_the_month_is_short():
    assert plus_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert plus_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_several_sanctions_execute_the_heaviest_and_equal_ones_combine_up_to_48_months():
    heaviest, months = combined_government_period(["gov_warning", "gov_demotion"])
    assert heaviest.code == "gov_demotion" and months == 24
    heaviest, months = combined_government_period(["gov_major_demerit"] * 3)
    assert months == 48  # 18 × 3 = 54, capped
    _, months = combined_government_period(["gov_demerit", "gov_demerit"], months=20)
    assert months == 20
    with pytest.raises(RuleBroken, match="12 个月以上、24 个月以下"):
        combined_government_period(["gov_demerit", "gov_demerit"], months=30)
    with pytest.raises(RuleBroken, match="政务处分"):
        combined_government_period(["party_warning"])


@pytest.mark.parametrize(
    ("code", "complex_case", "body", "allowed"),
    [
        ("party_warning", False, Body.TOWNSHIP_COMMITTEE, True),
        ("party_serious_warning", False, Body.TOWNSHIP_COMMITTEE, True),
        ("party_removal", False, Body.TOWNSHIP_COMMITTEE, False),
        ("party_probation", False, Body.TOWNSHIP_PARTY_COMMITTEE, True),
        ("party_expulsion", False, Body.TOWNSHIP_PARTY_COMMITTEE, False),
        ("party_expulsion", False, Body.COUNTY, True),
        ("party_warning", True, Body.TOWNSHIP_PARTY_COMMITTEE, False),
        ("party_warning", True, Body.COUNTY, True),
    ],
)
def test_township_approval_powers(code, complex_case, body, allowed):
    if allowed:
        check_authority(code, body, complex_case=complex_case)
    else:
        with pytest.raises(RuleBroken, match="无权决定"):
            check_authority(code, body, complex_case=complex_case)


def test_a_village_cadre_gets_at_most_a_major_demerit_and_a_non_member_no_party_sanction():
    check_for_person(["gov_major_demerit", "party_warning"], is_village_cadre=True, is_party_member=True)
    with pytest.raises(RuleBroken, match="只能给予警告、记过、记大过"):
        check_for_person(["gov_demotion"], is_village_cadre=True, is_party_member=True)
    with pytest.raises(RuleBroken, match="不是中共党员"):
        check_for_person(["party_warning"], is_village_cadre=False, is_party_member=False)


def test_the_four_forms_follow_the_heaviest_measure():
    assert form_of(["talk_reminder"]) is Form.FIRST
    assert form_of(["party_warning", "admonition"]) is Form.SECOND
    assert form_of(["reassignment"]) is Form.SECOND
    assert form_of(["removal_from_office", "party_serious_warning"]) is Form.THIRD
    assert form_of(["party_expulsion", "to_procuratorate"]) is Form.FOURTH
    assert form_of(["case_withdrawn"]) is None
    with pytest.raises(RuleBroken):
        form_of([])
