"""List pages run a bounded number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "url_name", "limit"),
    [
        ("shuji", "org:chart", 20),
        ("shuji", "org:unit_list", 20),
        ("shuji", "org:staff_list", 20),
        ("zuzhang1", "org:mentoring_list", 20),
        ("xitong", "org:supervisor_list", 20),
        ("anquan", "accounts:user_list", 20),
    ],
)
def test_list_pages_have_bounded_queries(client, demo, django_assert_max_num_queries, username, url_name, limit):
    client.force_login(demo.user(username))
    client.get(reverse(url_name))  # warm the session
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
