"""A key from user input: ASCII digits that fit a 64-bit column; anything else finds nothing, no error."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.intake.conftest import login
from xiezuoqu.keys import as_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), ("5", 5), (True, None), (-1, None), (2**63, None), ("²", None), ("9" * 19, None), (None, None)],
)
def test_as_key(raw, expected):
    assert as_key(raw) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("zuzhang1", "/meetings/?zone=²"),
        ("anguan", "/verification/measures/?unit=²"),
        ("zuzhang1", "/org/staff/?unit=²&zone=99999999999999999999999&experience=³"),
        ("zuzhang1", "/cases/?before=²"),
    ],
)
def test_odd_digits_in_a_filter_are_no_filter_not_a_server_error(demo, username, path):
    assert login(Client(), username).get(path).status_code == 200
