"""The archive pages and API: a matter's packages with the 生成归档包 button, the download, the
校验归档包 upload; the API builds (the .zip in the response) and verifies (multipart). Same scope and
rules as the services: 404 outside the scope."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.archive.conftest import closed_clue, filed_case, members, rezip
from tests.clues.conftest import analysed, api_token, login, open_other
from xiezuoqu.archive.models import ArchivePackage
from xiezuoqu.archive.package import INVENTORY

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo):
    return filed_case()


def _build(client: Client, case) -> ArchivePackage:
    response = client.post(reverse("archive:build_case", args=[case.pk]), {"include_evidence": "1"})
    assert response.status_code == 302 and response.url == reverse("archive:case", args=[case.pk])
    return ArchivePackage.objects.get()


def test_the_case_page_builds_lists_and_downloads_a_package(client, case, django_assert_max_num_queries):
    login(client, "anguan")
    page = client.get(reverse("archive:case", args=[case.pk]))
    assert page.status_code == 200
    assert "生成归档包" in page.content.decode() and "尚未生成归档包" in page.content.decode()
    package = _build(client, case)
    assert package.include_evidence
    with django_assert_max_num_queries(20):
        page = client.get(reverse("archive:case", args=[case.pk]))
    text = page.content.decode()
    assert package.sha256 in text and reverse("archive:download", args=[package.pk]) in text
    download = client.get(reverse("archive:download", args=[package.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert hashlib.sha256(download.content).hexdigest() == package.sha256
    assert any(name.startswith("evidence/files/") for name in members(download.content))


def test_an_outsider_gets_404_on_every_archive_page(client, case):
    login(client, "anguan")
    package = _build(client, case)
    login(client, "xzshuji2")
    assert client.get(reverse("archive:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("archive:build_case", args=[case.pk])).status_code == 404
    assert client.get(reverse("archive:download", args=[package.pk])).status_code == 404
    assert ArchivePackage.objects.count() == 1
    login(client, "xitong")
    assert client.get(reverse("archive:index")).status_code == 404


def test_the_clue_page_sends_an_open_clue_back_with_the_reason(client, demo):
    clue = analysed(open_other())
    login(client, "xzshuji")
    response = client.get(reverse("archive:clue", args=[clue.pk]), follow=True)
    assert "予以了结后才能单独归档" in response.content.decode()
    closed = closed_clue()
    page = client.get(reverse("archive:clue", args=[closed.pk]))
    assert page.status_code == 200 and "生成归档包" in page.content.decode()


def test_the_verify_page_shows_the_result_and_every_problem(client, case):
    login(client, "anguan")
    package = _build(client, case)
    data = client.get(reverse("archive:download", args=[package.pk])).content
    login(client, "xzshuji")
    good = client.post(reverse("archive:verify"), {"file": SimpleUploadedFile("包.zip", data)})
    text = good.content.decode()
    assert "校验通过" in text and package.sha256 in text and "完全一致" in text
    files = members(data)
    del files[INVENTORY]
    bad = client.post(reverse("archive:verify"), {"file": SimpleUploadedFile("包.zip", rezip(files))})
    text = bad.content.decode()
    assert "校验未通过" in text and f"缺少文件：{INVENTORY}" in text
    assert "没有摘要与之相同的归档包记录" in text
    empty = client.post(reverse("archive:verify"), {})
    assert "请选择要校验的归档包" in empty.content.decode()


def test_the_index_lists_recent_packages_in_scope(client, case):
    login(client, "anguan")
    _build(client, case)
    assert case.case_number in client.get(reverse("archive:index")).content.decode()
    login(client, "xzshuji2")
    page = client.get(reverse("archive:index"))
    assert page.status_code == 200 and case.case_number not in page.content.decode()


def test_the_api_builds_and_verifies(case, demo):
    client = Client()
    token = api_token(demo.user("anguan"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(f"/api/v1/archive/cases/{case.pk}/build?include_evidence=true", **auth)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    package = ArchivePackage.objects.get()
    assert hashlib.sha256(response.content).hexdigest() == package.sha256 and package.include_evidence
    listed = client.get(f"/api/v1/archive/cases/{case.pk}/packages", **auth).json()
    assert [p["sha256"] for p in listed] == [package.sha256]
    verified = client.post(
        "/api/v1/archive/verify", {"file": SimpleUploadedFile("p.zip", response.content)}, **auth
    ).json()
    assert verified["ok"] is True and verified["live_checked"] is True
    assert [r["id"] for r in verified["records"]] == [package.pk]
    files = members(response.content)
    files["extra.txt"] = b"x"
    verified = client.post("/api/v1/archive/verify", {"file": SimpleUploadedFile("p.zip", rezip(files))}, **auth).json()
    assert verified["ok"] is False and verified["problems"] == [
        "多出清单外的文件：extra.txt（清单中没有此文件，可能是后来放入的）。"
    ]
    downloaded = client.get(f"/api/v1/archive/packages/{package.pk}/download", **auth)
    assert downloaded.content == response.content


def test_the_api_refuses_an_outsider_with_404(case, demo):
    client = Client()
    token = api_token(demo.user("xzshuji2"))
    response = client.post(f"/api/v1/archive/cases/{case.pk}/build", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert not ArchivePackage.objects.exists()
