"""A real-name report needs a name and a real contact, and the identity is stored only sealed; the form
explains every mistake in Chinese and keeps what was typed."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.public.conftest import demo_actor, latest_report, submit, township, village
from xiezuoqu.intake.models import Report, ReporterIdentity
from xiezuoqu.intake.selectors import reveal_identity

pytestmark = pytest.mark.django_db

IDENTITY = {
    "mode": "real_name",
    "name": "李举报",
    "phone": "13900001111",
    "id_number": "11010519491231002X",
    "address": "宝山镇双山子村三组",
    "work_unit": "",
}


def test_real_name_requires_a_name_and_a_contact(demo, reporter):
    response = submit(reporter, mode="real_name", name="", phone="", address="")
    page = response.content.decode()
    assert response.status_code == 422
    assert "实名举报请填写您的真实姓名" in page
    assert "实名举报请至少填写联系电话或通讯地址中的一项" in page
    assert not Report.objects.exists()


def test_a_wrong_id_number_is_explained(demo, reporter):
    response = submit(reporter, **{**IDENTITY, "id_number": "110105194912310021"})
    assert response.status_code == 422 and "身份证号码有误" in response.content.decode()


def test_the_identity_is_sealed_in_the_database_and_opens_for_the_petition_office(demo, reporter):
    response = submit(reporter, **IDENTITY)
    assert response.status_code == 200 and "实名举报" in response.content.decode()
    report = latest_report()
    assert report.is_real_name
    row = ReporterIdentity.objects.get(report=report)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ReporterIdentity._meta.db_table} WHERE report_id = %s", [report.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    for plain in ("李举报", "13900001111", "11010519491231002X", "双山子村三组"):
        assert plain not in raw, plain
    assert row.name_sealed.startswith("v1:sm4gcm:")
    revealed = reveal_identity(demo_actor("xinfang"), report.pk)
    assert (revealed.name, revealed.phone, revealed.id_number) == ("李举报", "13900001111", "11010519491231002X")


def test_an_anonymous_report_stores_no_identity_even_if_fields_were_typed(demo, reporter):
    response = submit(reporter, mode="anonymous", name="张三", phone="13800000000")
    assert response.status_code == 200
    report = latest_report()
    assert not report.is_real_name and not ReporterIdentity.objects.filter(report=report).exists()


def test_every_mistake_is_named_and_the_typed_text_is_kept(demo, reporter):
    response = submit(
        reporter,
        mode="",
        category="",
        content="太短",
        **{"accused-0-name": "", "accused-0-village": str(village("白旗镇纪委", "黄旗村").pk)},
    )
    page = response.content.decode()
    assert response.status_code == 422
    for message in (
        "请选择实名举报或匿名举报",
        "请选择问题类别",
        "不少于 20 字",
        "请填写被反映人姓名",
        "所选村（社区）不在所选乡镇（街道）",
    ):
        assert message in page, message
    assert "太短" in page and "双山子村党支部" in page


def test_at_least_one_accused_person(demo, reporter):
    empty = {f"accused-0-{k}": "" for k in ("name", "unit_text", "position", "township", "village")}
    response = submit(reporter, **empty)
    assert response.status_code == 422 and "请至少填写一名被反映人" in response.content.decode()


def test_up_to_five_accused_people_are_kept_in_order(demo, reporter):
    rows = {}
    for i in range(5):
        rows |= {f"accused-{i}-name": f"甲{i}", f"accused-{i}-township": str(township().pk)}
    assert submit(reporter, **rows).status_code == 200
    assert list(latest_report().accused.values_list("name", flat=True)) == [f"甲{i}" for i in range(5)]
    too_many = submit(reporter, address="203.0.113.11", **{**rows, "accused-TOTAL_FORMS": "6", "accused-5-name": "乙"})
    assert too_many.status_code == 422
