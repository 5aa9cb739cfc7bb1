"""Form values become ids only when they are plain digits that fit a key; otherwise "no id"."""

from __future__ import annotations

import pytest

from xiezuoqu.web.forms import parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("", None),
        (None, None),
        ("abc", None),
        ("-3", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, no form should send them
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),  # past a 64-bit key: a database error, not an id
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected
