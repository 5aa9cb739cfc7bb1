"""The clue pages: the ledger lists and filters, a clue opens from the form, the clue page takes each
action through its form, and the subject page shows prior clues and reports."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clues.conftest import BAOSHAN, accepted_report, approve_all, login, open_other, unit_named
from xiezuoqu.clues.models import Clue, ClueDisposal, Subject
from xiezuoqu.clues.workflow import State

pytestmark = pytest.mark.django_db


def test_the_ledger_lists_filters_and_searches_clues_in_scope(demo):
    clue = open_other()
    client = login(Client(), "xzshuji")
    page = client.get("/clues/").content.decode()
    assert clue.ledger_number in page and "登记线索" in page
    assert clue.ledger_number not in client.get("/clues/", {"state": "closed"}).content.decode()
    assert clue.ledger_number in client.get("/clues/", {"q": "不入账"}).content.decode()
    assert clue.ledger_number not in login(Client(), "xzshuji2").get("/clues/").content.decode()


def test_a_clue_is_opened_from_two_reports_through_the_form_and_worked_to_a_proposal(demo):
    first, second = accepted_report(), accepted_report()
    client = login(Client(), "xzshuji")
    form = client.get("/clues/open/").content.decode()
    assert first.ledger_number in form
    response = client.post(
        "/clues/open/",
        {
            "handling_unit": unit_named(BAOSHAN).pk,
            "source": "reports",
            "category": "farm_subsidy",
            "summary": "反映冒领补贴",
            "report_ids": [first.pk, second.pk],
        },
    )
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clues/{clue.pk}/"
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert "登记为新的被反映人" in page and first.ledger_number in page
    accused = first.accused.first()
    client.post(
        f"/clues/{clue.pk}/act/",
        {
            "action": "new_subject",
            "name": accused.name,
            "unit_text": accused.unit_text,
            "accused_ids": [accused.pk],
            "supervision_category": "grassroots",
            "rank": "village",
        },
    )
    subject = Subject.objects.get()
    # The same person in the second report: offered, and confirmed with one click.
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert "确认为已登记的" in page
    client.post(f"/clues/{clue.pk}/act/", {"action": "start_analysis"})
    client.post(f"/clues/{clue.pk}/act/", {"action": "propose", "method": "talk_or_letter", "reason": "反映问题较笼统"})
    clue.refresh_from_db()
    assert clue.state == State.DISPOSAL_PROPOSED
    approve_all(ClueDisposal.objects.get(clue=clue).approval_id)
    client.post(f"/clues/{clue.pk}/act/", {"action": "start_talk", "mode": "talk", "officers": "张三、李四"})
    client.post(f"/clues/{clue.pk}/act/", {"action": "conclude", "outcome": "reminder", "note": "予以谈话提醒"})
    clue.refresh_from_db()
    assert clue.state == State.CLOSED
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert "经手留痕" in page and "谈话函询了结" in page
    subject_page = client.get(f"/clues/subjects/{subject.pk}/").content.decode()
    assert clue.ledger_number in subject_page and first.ledger_number in subject_page
    assert login(Client(), "xzshuji2").get(f"/clues/subjects/{subject.pk}/").status_code == 404


def test_a_refused_action_shows_its_message_and_leaves_the_clue_unchanged(demo):
    clue = open_other()
    client = login(Client(), "xzshuji")
    response = client.post(
        f"/clues/{clue.pk}/act/", {"action": "propose", "method": "close", "reason": "x"}, follow=True
    )
    assert "不能提出处置意见" in response.content.decode()
    clue.refresh_from_db()
    assert clue.state == State.REGISTERED


def test_the_open_form_is_not_offered_to_those_who_keep_no_clue_ledger(demo):
    assert login(Client(), "xinfang").get("/clues/open/").status_code == 404
    assert login(Client(), "xitong").get("/clues/").status_code == 404


def test_the_ledger_page_needs_the_same_number_of_queries_for_one_row_or_many(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(Client(), "anguan")
    with_one = open_other()
    client.get("/clues/")
    with CaptureQueriesContext(connection) as one:
        assert with_one.ledger_number in client.get("/clues/").content.decode()
    for _ in range(6):
        open_other()
    with CaptureQueriesContext(connection) as many:
        client.get("/clues/")
    assert len(many.captured_queries) == len(one.captured_queries)
