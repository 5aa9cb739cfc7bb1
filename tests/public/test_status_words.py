"""Every state of a report has a reporter-facing sentence with nothing internal in it, and a receipt opens
only its own report's questions."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.public.conftest import demo_actor, latest_report, lookup, receipt_of, submit
from xiezuoqu.intake import services as intake
from xiezuoqu.intake.models import MessageKind, ReportMessage
from xiezuoqu.intake.workflow import PUBLIC_STATUS, State
from xiezuoqu.public.selectors import REPORTER_KIND_LABELS, STATUS_HINTS

INTERNAL = ("台账", "分办", "承办", "登记员", "案管", "协作区", "纪检监察室", "线索", "received", "assigned")


@pytest.mark.parametrize("state", State.values)
def test_each_state_has_plain_words_without_internal_terms(state):
    for text in (PUBLIC_STATUS[state], STATUS_HINTS[state]):
        assert text and not any(term in text for term in INTERNAL), (state, text)


def test_each_kind_of_exchange_has_a_reporter_facing_label():
    assert set(REPORTER_KIND_LABELS) == set(MessageKind.values)
    assert not any("经办" in label or "干部" in label for label in REPORTER_KIND_LABELS.values())


@pytest.mark.django_db
def test_a_receipt_cannot_answer_another_reports_question(demo):
    first, second = Client(), Client()
    code_one = receipt_of(submit(first, address="203.0.113.61"))
    other = receipt_of(submit(second, address="203.0.113.62"))
    other_report = latest_report()
    question = intake.ask_reporter(actor=demo_actor("dengji"), report_id=other_report.pk, text="请补充时间。")
    lookup(first, code_one, address="203.0.113.61")
    response = first.post(f"/report/status/answer/{question.pk}/", {"text": "冒充答复"})
    assert response.status_code == 422 and "未找到该询问" in response.content.decode()
    assert not ReportMessage.objects.filter(kind=MessageKind.ANSWER).exists()
    assert "请补充时间。" not in first.get("/report/status/").content.decode()
    lookup(second, other, address="203.0.113.62")
    assert "请补充时间。" in second.get("/report/status/").content.decode()


@pytest.mark.django_db
def test_an_empty_answer_or_material_is_explained(demo, filed, reporter):
    report, code = filed
    question = intake.ask_reporter(actor=demo_actor("dengji"), report_id=report.pk, text="请补充时间。")
    lookup(reporter, code)
    empty = reporter.post(f"/report/status/answer/{question.pk}/", {"text": ""})
    assert empty.status_code == 422 and "请填写内容" in empty.content.decode()
    nothing = reporter.post("/report/status/material/", {"text": ""})
    assert nothing.status_code == 422 and "请填写补充说明或选择要上传的附件" in nothing.content.decode()
    early = reporter.post("/report/status/objection/", {"text": "不服"})
    assert early.status_code == 422 and "暂不能提出异议" in early.content.decode()


@pytest.mark.django_db
def test_the_status_page_and_the_form_use_a_fixed_handful_of_queries(
    demo, filed, reporter, django_assert_max_num_queries
):
    report, code = filed
    for i in range(4):
        intake.ask_reporter(actor=demo_actor("dengji"), report_id=report.pk, text=f"问题 {i}")
    lookup(reporter, code)
    with django_assert_max_num_queries(4):
        assert reporter.get("/report/status/").status_code == 200
    with django_assert_max_num_queries(4):
        assert reporter.get("/report/new/").status_code == 200
