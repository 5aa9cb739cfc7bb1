"""Every kind of generated document opens (python-docx) and shows its Chinese text: 会议纪要,
立案审查呈批报告, 处分决定书, 澄清函, 督办单 and 证据清单, each from a real flow in the demo county and,
except the inventory, taken from an archive package. Every run of Chinese text names an East Asian font
(``w:eastAsia``), so Word and LibreOffice render it in 仿宋 / 小标宋 rather than a fallback.

Converting them to PDF with LibreOffice is ``bench/check_documents.py`` (not in CI: no LibreOffice)."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.archive.conftest import DOCUMENT_KINDS, docx_text, one_of_each

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def documents(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Built once for the module, inside a transaction rolled back at the end (files in a temp dir)."""
    from django.db import transaction
    from django.test import override_settings

    from xiezuoqu.demo.services import load_demo
    from xiezuoqu.org.models import Commission

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        if not Commission.objects.filter(is_demo=True).exists():
            load_demo()
        docs = one_of_each()
        transaction.set_rollback(True)
    return docs


def test_one_of_each_kind_is_generated(documents):
    assert set(documents) == set(DOCUMENT_KINDS)


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_the_document_opens_and_shows_its_chinese_text(documents, kind):
    filename, content, phrases = documents[kind]
    assert filename.endswith(".docx")
    text = docx_text(content)
    for phrase in phrases:
        assert phrase in text, f"{filename}: “{phrase}” missing"
    assert "\ufffd" not in text and "?" * 3 not in text
    assert len(HAN.findall(text)) > 30


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS))
def test_every_chinese_run_names_an_east_asian_font(documents, kind):
    _filename, content, _phrases = documents[kind]
    document = Document(io.BytesIO(content))
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [
        run for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for run in p.runs
    ]
    chinese = [run for run in runs if HAN.search(run.text)]
    assert chinese
    for run in chinese:
        fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
        assert fonts is not None and fonts.get(qn("w:eastAsia")), f"{run.text!r} has no East Asian font"
