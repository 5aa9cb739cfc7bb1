"""督办单 .docx: official layout with the number, downloadable by the zone leader, commission leadership
and 案管 only, and every download is on record."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from docx import Document

from tests.deadlines.conftest import open_on, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.deadlines.models import SupervisionSlip
from xiezuoqu.deadlines.services import download_slip, sweep_deadlines
from xiezuoqu.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def slip(demo):
    open_on(None, unit_named("宝山"), start=date(2026, 11, 2))  # due 11-23
    sweep_deadlines(date(2026, 11, 26))
    return SupervisionSlip.objects.get()


def _text(content: bytes) -> str:
    document = Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_slip_opens_in_python_docx_with_its_number_and_matter(demo, slip):
    filename, content = download_slip(actor=demo.actor("zuzhang1"), slip_id=slip.pk)
    assert filename == f"督办单-{slip.number}.docx"
    text = _text(content)
    assert slip.number in text
    assert "督 办 单" in text
    assert slip.commission.name in text  # 红头
    assert "2026年11月23日" in text  # due date
    assert "已超期 3 个工作日（3 天）" in text  # 11-24, 11-25, 11-26
    assert unit_named("宝山").name in text
    assert "第一协作区组长" in text or "组长：" in text
    assert "2026年11月26日" in text


@pytest.mark.parametrize("username", ["zuzhang1", "shuji", "fenguan", "anguan"])
def test_the_zone_leader_commission_leadership_and_case_management_may_download(demo, slip, username):
    download_slip(actor=demo.actor(username), slip_id=slip.pk)
    event = AuditEvent.objects.get(action="supervision_slip.downloaded", target_id=str(slip.pk))
    assert event.actor_name == username


@pytest.mark.parametrize("username", ["xzganbu", "xzshuji2", "fuzuzhang1", "xitong", "shenji", "jianduyuan"])
def test_others_get_not_found(demo, slip, username):
    with pytest.raises(NotFound):
        download_slip(actor=demo.actor(username), slip_id=slip.pk)
