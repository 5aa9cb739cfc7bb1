"""An upload over the size limit is refused in Chinese before it is read, on the page and in the API,
and nothing is imported or recorded as imported."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tests.intake.conftest import api_token, login
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.screening import services
from xiezuoqu.screening.models import ImportBatch, Payment, ReferenceList

pytestmark = pytest.mark.django_db
LIMIT = 256  # the limit made small here, so the test does not build 20 MB


@pytest.fixture
def small_limit(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "MAX_FILE_SIZE", LIMIT)


def _oversized(name: str) -> io.BytesIO:
    data = io.BytesIO(("乡镇（街道）,收款人姓名\n" + "宝山镇,赵德才\n" * LIMIT).encode())
    data.name = name
    return data


def _nothing_imported() -> None:
    assert not ImportBatch.objects.filter(is_demo=False).exists() and not Payment.objects.filter(batch__is_demo=False)
    assert not ReferenceList.objects.filter(is_demo=False).exists()
    assert not AuditEvent.objects.filter(action__in=["screening_batch.imported", "screening_list.imported"]).exists()


@pytest.mark.parametrize(
    ("url", "form"), [("/screening/import/", {"kind": "farm_subsidy"}), ("/screening/reference/", {})]
)
def test_an_oversized_upload_on_the_page_is_a_chinese_refusal_and_imports_nothing(demo, small_limit, url, form):
    client = login(Client(), "anguan")
    answer = client.post(url, {**form, "file": _oversized("大文件.csv")})
    assert answer.status_code == 302
    shown = [str(m) for m in get_messages(answer.wsgi_request)]
    assert shown == ["文件“大文件.csv”超过 20 MB，请分批导入。"]
    _nothing_imported()


def test_an_oversized_upload_in_the_api_is_a_chinese_refusal_and_imports_nothing(demo, small_limit):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username='anguan'))}")
    answer = api.post("/api/v1/screening/imports", {"kind": "farm_subsidy", "file": _oversized("大文件.csv")})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "文件“大文件.csv”超过 20 MB，请分批导入。"
    assert answer.json()["errors"]["file"] == ["文件过大。"]
    _nothing_imported()
