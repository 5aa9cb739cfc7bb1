"""A public reporter files anonymously, gets a receipt shown once, and later follows the report with it:
reads the status in plain words, answers a staff question, adds material, reads the feedback, objects."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from tests.public.conftest import CONTENT, PDF, demo_actor, latest_report, lookup, receipt_of, submit, upload
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.intake import services as intake
from xiezuoqu.intake.models import MessageKind, ReportMessage
from xiezuoqu.intake.workflow import State
from xiezuoqu.public.models import Attachment

pytestmark = pytest.mark.django_db


def test_the_landing_page_explains_the_rules_and_offers_both_ways_in(demo, reporter):
    page = reporter.get("/report/").content.decode()
    for text in (
        "我要举报",
        "查询办理情况",
        "实名举报优先办理",
        "诬告陷害",
        "举报人信息严格保密",
        "12388",
        "凤城市纪委监委",
    ):
        assert text in page, text
    assert 'href="/report/new/"' in page and 'href="/report/status/"' in page
    assert "退出" not in page and "/accounts/" not in page  # no staff navigation


def test_the_form_lists_the_21_townships_and_every_category(demo, reporter):
    page = reporter.get("/report/new/").content.decode()
    first_select = page.split('name="accused-0-township"')[1].split("</select>")[0]
    assert first_select.count("<option") == 22  # "请选择" and the 21 township-level units
    for name in ("凤凰城街道", "宝山镇", "大堡蒙古族乡", "青城子镇"):
        assert f">{name}<" in first_select
    for label in ("违反中央八项规定精神", "扶贫领域", "集体“三资”", "惠农补贴", "形式主义、官僚主义", "其他"):
        assert label in page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline script or style


def test_an_anonymous_report_from_form_to_answered_question(demo, reporter):
    response = submit(reporter, attachments=[upload("补贴名单.pdf", PDF)])
    assert response.status_code == 200
    page = response.content.decode()
    assert "回执码只显示这一次，系统不保存明文，遗失后无法找回" in page
    assert "no-store" in response["Cache-Control"]
    code = receipt_of(response)
    assert len(code) == 16 and code.isdigit()

    report = latest_report()
    assert report.state == State.RECEIVED and not report.is_real_name and report.source_public
    assert report.content == CONTENT and report.accused.get().name == "王某某"
    assert report.township.name == "宝山镇纪委" and report.village.name == "双山子村"
    assert code not in report.receipt_digest and report.receipt_digest.startswith("argon2")
    assert report.receipt_prefix == code[:6]
    assert Attachment.objects.get(report=report).original_name == "补贴名单.pdf"

    # Later, with the code (typed with spaces, as it was shown).
    grouped = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    found = lookup(reporter, grouped)
    assert found.status_code == 302 and found["Location"] == "/report/status/"
    status = reporter.get("/report/status/").content.decode()
    assert "已收到，等待登记" in status and "惠农补贴" in status and "补贴名单.pdf" in status

    # A staff member asks through intake; the reporter sees the question and answers it.
    question = intake.ask_reporter(
        actor=demo_actor("dengji"), report_id=report.pk, text="请说明虚报的耕地面积大约是多少亩？"
    )
    status = reporter.get("/report/status/").content.decode()
    assert "请说明虚报的耕地面积大约是多少亩？" in status and "待您答复的询问" in status
    answered = reporter.post(f"/report/status/answer/{question.pk}/", {"text": "大约三十亩，村里都知道。"})
    assert answered.status_code == 302 and answered["Location"] == "/report/status/?done=answer"
    answer = ReportMessage.objects.get(report=report, kind=MessageKind.ANSWER)
    assert answer.reply_to == question and answer.text == "大约三十亩，村里都知道。" and answer.author is None
    status = reporter.get("/report/status/?done=answer").content.decode()
    assert "您的答复已提交" in status and "待您答复的询问" not in status and "大约三十亩" in status

    # A second answer to the same question is refused; material is the way to add more.
    again = reporter.post(f"/report/status/answer/{question.pk}/", {"text": "补充一句"})
    assert again.status_code == 422 and "您已经答复过这个问题" in again.content.decode()

    # No staff session at any point.
    assert not Session.objects.exists()
    assert all(c not in reporter.cookies for c in ("sessionid",))


def test_the_status_page_shows_nothing_internal(demo, filed, reporter):
    report, code = filed
    intake.register_received_report(actor=demo_actor("dengji"), report_id=report.pk)
    intake.accept_report(
        actor=demo_actor("xinfang"), report_id=report.pk, handling_unit_id=demo.user("xzshuji").staff.home_unit_id
    )
    report.refresh_from_db()
    lookup(reporter, code)
    page = reporter.get("/report/status/").content.decode()
    assert "已受理，正在办理" in page
    for internal in (report.ledger_number, "宝山镇纪委", "信访室", "dengji", "xinfang", "accepted", "assigned"):
        assert internal not in page, internal
    staff_names = [demo.user(u).staff.name for u in ("dengji", "xinfang")]
    assert not any(name in page for name in staff_names)


def test_material_feedback_and_an_objection(demo, filed, reporter):
    report, code = filed
    lookup(reporter, code)
    added = reporter.post(
        "/report/status/material/",
        {"text": "补充：另有三户也被冒领。", "attachments": [upload("名单二.pdf", PDF + b"2")]},
    )
    assert added.status_code == 302
    material = ReportMessage.objects.get(report=report, kind=MessageKind.MATERIAL)
    assert Attachment.objects.get(report=report, message=material).original_name == "名单二.pdf"
    page = reporter.get("/report/status/").content.decode()
    assert "对处理结果有异议" not in page  # nothing to object to yet

    petition = demo_actor("xinfang")
    intake.register_received_report(actor=demo_actor("dengji"), report_id=report.pk)
    intake.accept_report(actor=petition, report_id=report.pk, handling_unit_id=demo.user("xzshuji").staff.home_unit_id)
    intake.conclude_report(actor=demo_actor("xzshuji"), report_id=report.pk, result="查实，已责令退还。")
    intake.give_feedback(
        actor=petition, report_id=report.pk, text="经核查，反映的问题属实，已责令退还补贴。", method="platform"
    )
    page = reporter.get("/report/status/").content.decode()
    assert "已办结并反馈" in page and "经核查，反映的问题属实，已责令退还补贴。" in page
    assert "对处理结果有异议" in page
    objected = reporter.post("/report/status/objection/", {"text": "只退还了一部分。"})
    assert objected.status_code == 302
    assert ReportMessage.objects.filter(report=report, kind=MessageKind.OBJECTION).count() == 1
    page = reporter.get("/report/status/").content.decode()
    assert "正在处理" in page and 'action="/report/status/objection/"' not in page
    twice = reporter.post("/report/status/objection/", {"text": "再提一次。"})
    assert twice.status_code == 422 and "正在处理" in twice.content.decode()


def test_the_audit_log_holds_neither_the_receipt_nor_the_reporter_nor_an_address(demo, reporter):
    response = submit(
        reporter,
        mode="real_name",
        name="李举报",
        phone="13900001111",
        address="宝山镇双山子村三组",
        attachments=[upload("李举报的材料.pdf", PDF)],
    )
    code = receipt_of(response)
    lookup(reporter, code)
    report = latest_report()
    events = list(
        AuditEvent.objects.filter(
            target_id__in=[str(report.pk), *map(str, Attachment.objects.values_list("pk", flat=True))]
        )
    )
    assert {e.action for e in events} >= {"report.received", "attachment.uploaded", "report.receipt_matched"}
    blob = " ".join(f"{e.target_label} {e.changes} {e.detail} {e.client_address}" for e in AuditEvent.objects.all())
    for secret in (code, code[:8], "李举报", "13900001111", "双山子村三组", "203.0.113.10"):
        assert secret not in blob, secret
    assert all(
        e.detail.get("channel") == "public" for e in events if e.action.startswith(("attachment.", "report.receipt"))
    )


def test_the_reporters_pages_work_without_a_staff_login_and_staff_pages_stay_closed(demo, filed, reporter):
    report, code = filed
    lookup(reporter, code)
    assert reporter.get(f"/intake/{report.pk}/").status_code == 302  # the staff page wants a login
    assert reporter.get("/report/staff/attachments/1/").status_code == 302
    assert not Session.objects.exists()
