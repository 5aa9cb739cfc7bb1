"""The filing flow through the pages: draft from the clue, submit, the zone leader puts it on a
立案研究会, the deputy records attendance and the vote, the township secretary records 立案; the
documents (立案审查呈批报告, 会议纪要) download as .docx; list pages run a bounded number of queries."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from tests.filing.conftest import BASIS, FACTS, PROPOSAL, clue_under_verification, subject_of, zone_agreed, zone_one
from tests.intake.conftest import login
from xiezuoqu.cases.models import Case
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.meetings.models import AgendaItem, Meeting
from xiezuoqu.meetings.selectors import voting_member_ids

pytestmark = pytest.mark.django_db


def _text_of(content: bytes) -> str:
    document = Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_from_clue_to_case_through_the_pages(demo):
    clue = clue_under_verification()
    secretary = login(Client(), "xzshuji")
    page = secretary.get(f"/filing/new/?clue={clue.pk}")
    assert page.status_code == 200 and subject_of(clue).name in page.content.decode()
    response = secretary.post(
        "/filing/new/",
        {"clue": clue.pk, "subject": subject_of(clue).pk, "facts": FACTS, "basis": BASIS, "proposal": PROPOSAL},
    )
    proposal = FilingProposal.objects.get(clue=clue)
    assert response.status_code == 302 and response["Location"] == f"/filing/{proposal.pk}/"
    secretary.post(f"/filing/{proposal.pk}/act/", {"action": "submit"})
    proposal.refresh_from_db()
    assert proposal.state == "submitted_to_zone"

    leader = login(Client(), "zuzhang1")
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = leader.post(
        "/meetings/convene/",
        {"zone": zone_one().pk, "kind": "filing", "scheduled_at": when, "place": "第一协作区会议室"},
    )
    meeting = Meeting.objects.get(zone=zone_one())
    assert response.status_code == 302
    assert (
        str(proposal.subject.name) in leader.get(f"/meetings/{meeting.pk}/").content.decode()
    )  # waiting for the agenda
    leader.post(f"/meetings/{meeting.pk}/act/", {"action": "add_item", "kind": "filing", "target_id": proposal.pk})
    item = AgendaItem.objects.get(meeting=meeting)

    deputy = login(Client(), "fuzuzhang1")
    voters = voting_member_ids(zone_one())
    form: dict[str, object] = {"action": "attendance", "staff": voters}
    form.update({f"presence_{s}": "present" for s in voters})
    deputy.post(f"/meetings/{meeting.pk}/act/", form)
    leader.post(f"/meetings/{meeting.pk}/act/", {"action": "hold"})
    deputy.post(
        f"/meetings/{meeting.pk}/act/",
        {
            "action": "decide",
            "item_id": item.pk,
            "outcome": "",
            "voter": voters,
            **{f"vote_{s}": "for" for s in voters},
            "text": "同意报宝山镇党委立案。",
        },
    )
    proposal.refresh_from_db()
    assert proposal.state == "zone_agreed"
    leader.post(f"/meetings/{meeting.pk}/act/", {"action": "minutes", "summary": "抓紧报批，依规依纪开展审查调查。"})
    meeting.refresh_from_db()
    assert meeting.state == "minutes_issued"

    assert "有权机关决定" in secretary.get(f"/filing/{proposal.pk}/").content.decode()
    secretary.post(
        f"/filing/{proposal.pk}/act/",
        {"action": "decide", "decision": "file", "reason": "经宝山镇党委研究，同意立案。"},
    )
    proposal.refresh_from_db()
    assert proposal.state == "body_filed"
    case = Case.objects.get(filing=proposal)
    assert case.case_number in secretary.get(f"/cases/{case.pk}/").content.decode()
    assert case.case_number in login(Client(), "anguan").get("/cases/").content.decode()
    assert login(Client(), "xzshuji2").get(f"/cases/{case.pk}/").status_code == 404

    minutes = leader.get(f"/meetings/{meeting.pk}/minutes.docx")
    assert minutes.status_code == 200
    text = _text_of(minutes.content)
    assert proposal.zone_resolution.number in text and "会议纪要" in text
    report = secretary.get(f"/filing/{proposal.pk}/report.docx")
    text = _text_of(report.content)
    assert (
        "立案审查呈批报告" in text and FACTS in text and proposal.zone_resolution.number in text and "同意立案" in text
    )
    # The zone's view carries the vote as the minutes record it: by name, 同意/不同意/弃权.
    voters = [b.staff.name for b in proposal.zone_resolution.ballots.select_related("staff")]
    assert voters and "表决名单：同意：" in text and all(name in text for name in voters) and "反对" not in text


def test_a_refusal_on_a_page_is_shown_not_a_server_error(demo):
    proposal = zone_agreed()
    other = login(Client(), "xzganbu")  # the same township committee, but not its secretary
    response = other.post(
        f"/filing/{proposal.pk}/act/", {"action": "decide", "decision": "file", "reason": "同意"}, follow=True
    )
    assert response.status_code == 200
    assert "有权机关" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == "zone_agreed"


def test_the_list_pages_run_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    for _ in range(3):
        zone_agreed()
    client = login(Client(), "zuzhang1")
    with django_assert_max_num_queries(25):
        assert client.get("/filing/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/meetings/").status_code == 200
    anguan = login(Client(), "anguan")
    with django_assert_max_num_queries(25):
        assert anguan.get("/cases/").status_code == 200


def test_every_page_renders_in_every_state(demo):
    """Forms of each state render: the draft's revise form, a held meeting's vote form, the rules page."""
    from tests.filing.conftest import drafted, held_with, submitted

    leader, secretary = login(Client(), "zuzhang1"), login(Client(), "xzshuji")
    draft = drafted()
    assert "保存修改" in secretary.get(f"/filing/{draft.pk}/").content.decode()
    item = held_with(submitted())
    body = login(Client(), "fuzuzhang1").get(f"/meetings/{item.meeting_id}/").content.decode()
    assert "记录表决结果" in body and "出席且无须回避 4 人" in body
    assert "安排会议" in leader.get("/meetings/convene/?kind=regular").content.decode()
    response = leader.post(
        "/meetings/schedules/",
        {
            "zone": zone_one().pk,
            "kind": "regular",
            "week": "1",
            "weekday": "0",
            "at": "09:00",
            "place": "会议室",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert "星期一" in leader.get("/meetings/schedules/").content.decode()
    assert secretary.get("/meetings/convene/").status_code == 404  # not a zone leader
    assert login(Client(), "xitong").get("/filing/").status_code == 404
