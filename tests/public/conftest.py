"""Helpers for the public reporting site's tests: the form's fields, sample files, a reporter's client."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from xiezuoqu.access.actor import Actor, build_actor
from xiezuoqu.accounts.models import User
from xiezuoqu.intake.models import Category, Report
from xiezuoqu.org.models import Commission, Unit, Village
from xiezuoqu.public.forms import issue_form_token

CONTENT = "2026年春耕期间，双山子村党支部书记王某某以其亲属名义虚报耕地面积，冒领耕地地力保护补贴约一万二千元。"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode."
)
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def office_zip(kind: str = "docx", *, macro: bool = False) -> bytes:
    main = {
        "docx": (
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    }[kind]
    content_type = main[1].replace("document.main", "document.macroEnabled.main") if macro else main[1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/{main[0]}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr(main[0], "<document>虚报冒领补贴名单</document>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hello")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def demo_commission() -> Commission:
    return Commission.objects.get(is_demo=True)


def township(name: str = "宝山镇纪委") -> Unit:
    return Unit.objects.get(name=name, commission__is_demo=True)


def village(township_name: str = "宝山镇纪委", name: str = "双山子村") -> Village:
    return Village.objects.get(township__name=township_name, name=name)


def old_token(seconds: int = 60) -> str:
    """A form token as if the page had been served ``seconds`` ago (people take longer than 5 s)."""
    return issue_form_token(now=timezone.now() - timedelta(seconds=seconds))


def report_data(**overrides: Any) -> dict[str, Any]:
    """The POSTed fields of an anonymous report about one accused person in 宝山镇双山子村."""
    data: dict[str, Any] = {
        "form_token": old_token(),
        "homepage": "",
        "commission": demo_commission().pk,
        "mode": "anonymous",
        "category": Category.FARM_SUBSIDY,
        "content": CONTENT,
        "accused-TOTAL_FORMS": "5",
        "accused-INITIAL_FORMS": "0",
        "accused-MIN_NUM_FORMS": "0",
        "accused-MAX_NUM_FORMS": "5",
        "accused-0-name": "王某某",
        "accused-0-unit_text": "双山子村党支部",
        "accused-0-position": "书记",
        "accused-0-township": str(township().pk),
        "accused-0-village": str(village().pk),
    }
    data.update(overrides)
    return data


def submit(client: Client, address: str = "203.0.113.10", **overrides: Any) -> Any:
    return client.post("/report/new/", report_data(**overrides), REMOTE_ADDR=address)


RECEIPT = re.compile(r'<p class="code"[^>]*>((?:<span>\d{4}</span>){4})</p>')


def receipt_of(response: Any) -> str:
    match = RECEIPT.search(response.content.decode())
    assert match, "the receipt page shows the code in four groups of four digits"
    return "".join(re.findall(r"\d{4}", match.group(1)))


def lookup(client: Client, code: str, address: str = "203.0.113.10") -> Any:
    return client.post("/report/status/", {"code": code}, REMOTE_ADDR=address)


def demo_actor(username: str) -> Actor:
    return build_actor(User.objects.select_related("staff").get(username=username))


def latest_report() -> Report:
    return Report.objects.filter(source_public=True).latest("id")


@pytest.fixture
def reporter() -> Client:
    """A browser of the public: no login, its own cookies."""
    return Client()


@pytest.fixture
def filed(demo, reporter) -> tuple[Report, str]:
    """An anonymous report filed through the form, and its receipt code."""
    response = submit(reporter)
    assert response.status_code == 200, response.content.decode()[:2000]
    return latest_report(), receipt_of(response)
