"""Importing payment files: the template's columns or a mapping, .csv or .xlsx; a file with any bad row
(wrong columns, bad amount, bad date, bad ID number, a place out of reach) is refused whole with the
errors per row in Chinese, and nothing is imported."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from tests.intake.conftest import demo_actor
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.crypto import blind_index, open_sealed
from xiezuoqu.errors import NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.screening import services
from xiezuoqu.screening.imports import TEMPLATE_COLUMNS, id_check_digit
from xiezuoqu.screening.models import ID_PURPOSE, ImportBatch, Payment

pytestmark = pytest.mark.django_db

HEADER = [c.header for c in TEMPLATE_COLUMNS]


def person_id(seq: int) -> str:
    first = f"21068219750312{seq:03d}"
    return first + id_check_digit(first)


def row(**values: str) -> list[str]:
    base = {
        "township": "宝山镇",
        "village": "双山子村",
        "payee_name": "赵德才",
        "id_number": person_id(1),
        "item": "耕地地力保护补贴",
        "amount": "1236.48",
        "paid_on": "2026-03-05",
        "period": "2026年度",
    }
    base.update(values)
    return [base.get(c.key, "") for c in TEMPLATE_COLUMNS]


def as_csv(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def imported(
    data: bytes, *, name: str = "惠农.csv", mapping: str = "", username: str = "anguan"
) -> services.ImportResult:
    return services.import_payments(
        actor=demo_actor(username), kind="farm_subsidy", file_name=name, data=data, mapping=mapping
    )


def test_a_template_file_is_imported_with_the_id_number_sealed_and_indexed(demo):
    result = imported(as_csv([row(), row(payee_name="钱淑珍", id_number=person_id(2), amount="1,018.20")]))
    payments = list(Payment.objects.filter(batch=result.batch).order_by("line_no"))
    assert [p.line_no for p in payments] == [2, 3] and result.batch.row_count == 2
    first = payments[0]
    assert person_id(1) not in first.id_sealed and first.id_tail == person_id(1)[-4:]
    assert open_sealed(
        first.id_sealed, purpose=ID_PURPOSE, context=services.id_context("batch", result.batch.pk, 2)
    ) == person_id(1)
    assert first.id_index == blind_index(person_id(1), purpose=ID_PURPOSE)
    assert str(payments[1].amount) == "1018.20" and first.village is not None and first.village.name == "双山子村"
    assert AuditEvent.objects.filter(action="screening_batch.imported", target_id=str(result.batch.pk)).exists()


def test_another_layout_is_read_through_the_column_mapping_from_xlsx(demo):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["镇", "村", "户主", "证件", "补贴名称", "发放金额", "发放时间"])
    sheet.append(["宝山镇", "双山子村", "孙桂兰", person_id(3), "玉米生产者补贴", 845.5, "2026/4/1"])
    out = io.BytesIO()
    workbook.save(out)
    mapping = (
        "乡镇（街道）=镇\n村（社区）=村\n收款人姓名=户主；身份证号码=证件\n"
        "项目=补贴名称\n金额（元）=发放金额\n发放日期=发放时间"
    )
    result = imported(out.getvalue(), name="其他格式.xlsx", mapping=mapping)
    payment = Payment.objects.get(batch=result.batch)
    assert (payment.payee_name, str(payment.amount), payment.paid_on.isoformat()) == ("孙桂兰", "845.50", "2026-04-01")
    assert payment.period == "2026年度"  # empty 所属期: the payment year


def test_wrong_columns_are_named_and_nothing_is_imported(demo):
    data = as_csv([["宝山镇", "赵德才", "1236.48"]], header=["乡镇（街道）", "名字", "钱"])
    with pytest.raises(ValidationFailed) as refused:
        imported(data)
    assert "收款人姓名" in refused.value.message and "身份证号码" in refused.value.message
    assert "发放日期" in refused.value.field_errors["columns"]
    assert not ImportBatch.objects.exists() and not Payment.objects.exists()


def test_bad_rows_are_listed_per_row_and_nothing_is_imported(demo):
    bad_id = person_id(5)[:-1] + ("0" if person_id(5)[-1] != "0" else "1")  # wrong check digit
    rows = [
        row(),
        row(amount="一千元"),
        row(amount="-5"),
        row(paid_on="2026-02-30"),
        row(id_number=bad_id),
        row(township="不存在镇"),
        row(village="不存在村"),
        row(payee_name=""),
    ]
    with pytest.raises(ValidationFailed) as refused:
        imported(as_csv(rows))
    errors = refused.value.field_errors["rows"]
    assert "未导入任何记录" in refused.value.message
    assert [e.split("：")[0] for e in errors] == [f"第 {n} 行" for n in range(3, 10)]
    assert "金额“一千元”无效" in errors[0] and "金额“-5”无效" in errors[1]
    assert "发放日期“2026-02-30”无效" in errors[2] and "身份证号码无效" in errors[3]
    assert "不存在镇" in errors[4] and "不存在村" in errors[5] and "缺少收款人姓名" in errors[6]
    assert not ImportBatch.objects.exists() and not Payment.objects.exists()


def test_a_file_that_is_not_a_table_is_refused(demo):
    with pytest.raises(ValidationFailed) as refused:
        imported(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n", name="数据.pdf")
    assert ".xlsx 或 .csv" in refused.value.message
    with pytest.raises(ValidationFailed):
        imported(b"MZ\x90\x00\x03binary", name="数据.csv")
    assert not ImportBatch.objects.exists()


def test_a_gb18030_csv_is_read_and_the_same_file_is_not_imported_twice(demo):
    data = as_csv([row()], encoding="gb18030")
    imported(data)
    with pytest.raises(RuleViolation):
        imported(data)
    assert ImportBatch.objects.count() == 1


def test_only_case_management_and_zone_staff_import_and_only_within_their_reach(demo):
    with pytest.raises(NotPermitted):
        imported(as_csv([row()]), username="xzshuji")
    # A zone leader imports rows of the zone's townships only.
    leader = demo_actor("zuzhang1")
    from xiezuoqu.org.models import Unit

    outside = (
        Unit.objects.filter(kind="township_committee", commission__is_demo=True)
        .exclude(pk__in=leader.work_unit_ids() or [])
        .first()
    )
    assert outside is not None
    with pytest.raises(ValidationFailed) as refused:
        imported(as_csv([row(township=outside.name, village="")]), username="zuzhang1")
    assert "不在您的工作范围内" in refused.value.field_errors["rows"][0]
    assert not Payment.objects.exists()
