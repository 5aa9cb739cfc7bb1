"""澄清正名: proposed for a clue found untrue, approved by the commission head, numbered, carried out,
with a Word document that names the person and never the reporter. 诬告陷害 is only flagged and referred."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from tests.clues.conftest import api_token, demo_actor, disposed, login
from xiezuoqu.approvals.services import decide
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clearing import services
from xiezuoqu.clearing.models import ClearingState, FlagState
from xiezuoqu.clues.models import Subject
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db


def _closed():
    clue = disposed("close")
    return clue, Subject.objects.get(clue_links__clue=clue)


def _propose(clue, subject, method="letter", audience=""):
    return services.propose_clearing(
        actor=demo_actor("xzshuji"),
        clue_id=clue.pk,
        data=services.ClearingInput(
            subject_id=subject.pk,
            method=method,
            finding="untrue",
            facts="经查，相关补贴均按政策发放。",
            audience=audience,
        ),
    )


def _approve(clearing):
    decide(actor=demo_actor("fenguan"), approval_id=clearing.approval_id, decision="approve", comment="同意")
    decide(actor=demo_actor("shuji"), approval_id=clearing.approval_id, decision="approve", comment="同意澄清")
    clearing.refresh_from_db()
    return clearing


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("word/document.xml").decode()


def test_the_commission_head_approves_and_the_clearing_is_numbered_and_carried_out(demo):
    clue, subject = _closed()
    clearing = _propose(clue, subject)
    assert [step["role"] for step in clearing.approval.steps][-1] == "commission_head"
    assert clearing.state == ClearingState.PROPOSED and not clearing.number
    clearing = _approve(clearing)
    assert clearing.state == ClearingState.APPROVED
    assert clearing.number.startswith("凤纪澄〔") and clearing.number.endswith("1号")
    with pytest.raises(ValidationFailed):
        services.record_clearing_done(actor=demo_actor("xzshuji"), clearing_id=clearing.pk, done_on=None, note="")
    services.record_clearing_done(actor=demo_actor("xzshuji"), clearing_id=clearing.pk, done_on=None, note="已当面送达")
    clearing.refresh_from_db()
    assert clearing.state == ClearingState.DONE
    assert AuditEvent.objects.filter(action="clearing.decided").exists()


def test_only_a_closed_clue_can_be_cleared_and_not_twice(demo):
    clue, subject = _closed()
    _propose(clue, subject)
    with pytest.raises(RuleViolation, match="请勿重复"):
        _propose(clue, subject)
    verifying = disposed("preliminary_verification")
    other = Subject.objects.get(clue_links__clue=verifying)
    with pytest.raises(RuleViolation, match="予以了结"):
        _propose(verifying, other)


def test_a_notice_needs_its_audience_and_a_rejected_clearing_can_be_proposed_again(demo):
    clue, subject = _closed()
    with pytest.raises(ValidationFailed, match="通报对象"):
        _propose(clue, subject, method="party_organisation")
    clearing = _propose(clue, subject, method="party_organisation", audience="中共宝山镇委员会")
    decide(actor=demo_actor("fenguan"), approval_id=clearing.approval_id, decision="reject", comment="证据不足以澄清")
    clearing.refresh_from_db()
    assert clearing.state == ClearingState.REJECTED
    _propose(clue, subject, method="party_organisation", audience="中共宝山镇委员会")


def test_the_document_names_the_person_and_the_finding_and_never_the_reporter(demo, client: Client):
    clue, subject = _closed()
    clearing = _approve(_propose(clue, subject))
    login(client, "xzshuji")
    response = client.get(f"/clearing/{clearing.pk}/document.docx")
    assert response.status_code == 200
    text = _docx_text(response.content)
    assert subject.name in text and "反映的问题失实" in text and clearing.number in text and "澄 清 函" in text
    assert "举报人" not in text
    assert AuditEvent.objects.filter(action="clearing.document_downloaded").exists()
    login(client, "xzshuji4")
    assert client.get(f"/clearing/{clearing.pk}/document.docx").status_code == 404
    assert client.get(f"/clearing/{clearing.pk}/").status_code == 404


def test_outsiders_and_the_wrong_roles_are_refused(demo):
    clue, subject = _closed()
    with pytest.raises(NotFound):
        services.propose_clearing(
            actor=demo_actor("xzshuji4"),
            clue_id=clue.pk,
            data=services.ClearingInput(subject_id=subject.pk, method="letter", finding="untrue", facts="x"),
        )
    flag = services.flag_false_accusation(
        actor=demo_actor("xzshuji"), clue_id=clue.pk, grounds="举报内容与事实明显不符且反复捏造"
    )
    with pytest.raises(NotPermitted):
        services.refer_flag(actor=demo_actor("xzshuji"), flag_id=flag.pk, referred_to="higher_commission", note="移送")


def test_false_accusation_is_flagged_referred_and_the_answer_recorded(demo, client: Client):
    clue, _ = _closed()
    flag = services.flag_false_accusation(actor=demo_actor("xzshuji"), clue_id=clue.pk, grounds="捏造事实")
    with pytest.raises(RuleViolation, match="尚未认定"):
        services.flag_false_accusation(actor=demo_actor("xzshuji"), clue_id=clue.pk, grounds="再次")
    with pytest.raises(InvalidTransition, match="先将"):
        services.record_flag_answer(actor=demo_actor("shuji"), flag_id=flag.pk, confirmed=True, answer="属实")
    services.refer_flag(actor=demo_actor("shuji"), flag_id=flag.pk, referred_to="higher_commission", note="报请认定")
    token = api_token(demo.user("anguan"))
    response = client.post(
        f"/api/v1/clearing/flags/{flag.pk}/answer",
        {"confirmed": False, "answer": "经认定，不属于诬告陷害，系错告"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200 and response.json()["state"] == FlagState.UNFOUNDED


def test_the_api_proposes_and_lists_a_clearing(demo, client: Client):
    clue, subject = _closed()
    token = api_token(demo.user("xzshuji"))
    response = client.post(
        f"/api/v1/clearing/clues/{clue.pk}",
        {
            "subject_id": subject.pk,
            "method": "announcement",
            "finding": "unproven",
            "facts": "查无实据",
            "audience": "宝山镇机关",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    listed = client.get("/api/v1/clearing/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [c["subject_name"] for c in listed] == [subject.name]
    bad = client.post(
        f"/api/v1/clearing/clues/{clue.pk}",
        {"subject_id": subject.pk, "method": "x", "finding": "untrue", "facts": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 422


def test_the_clue_page_offers_clearing_once_closed(demo, client: Client):
    clue, subject = _closed()
    login(client, "xzshuji")
    assert "澄清正名" in client.get(f"/clues/{clue.pk}/").content.decode()
    page = client.get(f"/clearing/clue/{clue.pk}/").content.decode()
    assert "提出澄清正名" in page and subject.name in page
    response = client.post(
        f"/clearing/clue/{clue.pk}/act/",
        {"action": "propose", "subject_id": subject.pk, "method": "letter", "finding": "untrue", "facts": ""},
        follow=True,
    )
    assert "请填写核查情况" in response.content.decode()
