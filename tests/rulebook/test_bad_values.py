"""A local value or an article list a user typed is a Chinese refusal whatever it holds, never a 500."""

from __future__ import annotations

import pytest

from xiezuoqu.errors import ValidationFailed
from xiezuoqu.precedents.services import parse_articles
from xiezuoqu.rulebook.services import _parse_value


@pytest.mark.parametrize("typed", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999", "10.5", "0", ""])
def test_a_local_value_that_is_no_whole_number_in_range_is_refused(typed):
    with pytest.raises(ValidationFailed, match="本地值须为"):
        _parse_value(typed)


def test_a_local_value_in_range_is_taken():
    assert _parse_value(" 10 ") == 10


def test_an_article_run_of_thousands_of_digits_is_refused_in_chinese():
    with pytest.raises(ValidationFailed, match="纪律处分条例共"):
        parse_articles("第" + "9" * 5000 + "条")
    assert parse_articles("第102条、第110条、102") == [102, 110]
