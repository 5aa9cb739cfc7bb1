"""记名表决: each member present and not withdrawn from an item votes 同意, 不同意 or 弃权, one ballot each;
the resolution's counts are the sums of its ballots, the outcome follows from them (同意 needs more
than half of all voting members), a ballot from anyone who may not vote is refused with their name,
and the page, the API and the minutes list the votes by name. Resolutions recorded before ballots
existed keep their counts and say so (按票数登记)."""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from docx import Document

from tests.filing.conftest import ballots_for, decide, held_with, submitted, zone_one
from tests.intake.conftest import demo_actor, login
from tests.meetings.test_decisions import declare_kin_of_subject
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import RuleViolation, ValidationFailed
from xiezuoqu.filing.models import FilingProposal
from xiezuoqu.meetings import services
from xiezuoqu.meetings.models import AgendaItem, Ballot, ItemState, Resolution
from xiezuoqu.meetings.selectors import voting_member_ids
from xiezuoqu.org.models import StaffMember

pytestmark = pytest.mark.django_db


def _decide(item: AgendaItem, ballots: dict[Any, str], outcome: str = "", username: str = "zuzhang1") -> Resolution:
    return services.decide_item(
        actor=demo_actor(username),
        item_id=item.pk,
        data=services.DecisionInput(text="经表决。", ballots=ballots, outcome=outcome),
    )


def _name(staff_id: int) -> str:
    return StaffMember.objects.get(pk=staff_id).name


def _counts_of_ballots(resolution: Resolution) -> tuple[int, int, int]:
    tally = Counter(Ballot.objects.filter(resolution=resolution).values_list("vote", flat=True))
    return tally["for"], tally["against"], tally["abstain"]


def test_each_member_has_a_ballot_and_the_counts_are_the_ballots(demo):
    item = held_with(submitted())
    voters = voting_member_ids(zone_one())
    ballots = {voters[0]: "for", voters[1]: "for", voters[2]: "for", voters[3]: "against"}
    resolution = _decide(item, ballots)
    assert resolution.by_ballot
    assert dict(resolution.ballots.values_list("staff_id", "vote")) == ballots
    assert (resolution.votes_for, resolution.votes_against, resolution.votes_abstain) == (3, 1, 0)
    assert _counts_of_ballots(resolution) == (3, 1, 0)
    assert resolution.outcome == "agree"
    event = AuditEvent.objects.filter(action="meeting.item_decided").latest("id")
    assert event.detail["ballots"] == {str(k): v for k, v in ballots.items()}


@pytest.mark.parametrize(
    ("votes", "outcome", "proposal_state"),
    [
        ((3, 0, 1), "agree", "zone_agreed"),  # 3 of 4 voting members: more than half
        ((2, 1, 1), "disagree", "zone_disagreed"),  # 2 of 4 is not more than half
        ((2, 0, 2), "disagree", "zone_disagreed"),  # abstentions do not make a majority
        ((0, 4, 0), "disagree", "zone_disagreed"),
    ],
)
def test_the_outcome_follows_the_ballots(demo, votes, outcome, proposal_state):
    proposal = submitted()
    item = held_with(proposal)
    resolution = _decide(item, ballots_for(item, votes))
    assert resolution.outcome == outcome
    assert (
        _counts_of_ballots(resolution)
        == votes
        == (
            resolution.votes_for,
            resolution.votes_against,
            resolution.votes_abstain,
        )
    )
    proposal.refresh_from_db()
    assert proposal.state == proposal_state


def test_agreement_is_counted_against_all_voting_members_not_those_present(demo):
    """One member on leave: 2 for of 3 present is still not more than half of the 4 voting members."""
    item = held_with(submitted(), absent=1)
    resolution = _decide(item, ballots_for(item, (2, 1, 0)))
    assert resolution.outcome == "disagree"
    assert (resolution.present_voters, resolution.voting_members) == (3, 4)


def test_an_outcome_the_ballots_do_not_carry_is_refused(demo):
    item = held_with(submitted())
    with pytest.raises(RuleViolation, match="同意票 2 票，未超过"):
        _decide(item, ballots_for(item, (2, 2, 0)), outcome="agree")
    with pytest.raises(RuleViolation, match="应为“同意”"):
        _decide(item, ballots_for(item, (4, 0, 0)), outcome="disagree")
    assert not Resolution.objects.filter(item=item).exists()


def test_a_recused_members_ballot_is_refused_and_names_them(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[2], proposal.clue)
    item = held_with(proposal)
    with pytest.raises(RuleViolation, match=f"{_name(voters[2])}已回避本议题") as refused:
        _decide(item, dict.fromkeys(voters, "for"))
    assert refused.value.field_errors["ballots"]
    resolution = _decide(item, dict.fromkeys([voters[0], voters[1], voters[3]], "for"))
    assert resolution.present_voters == 3 and resolution.votes_for == 3


def test_an_absent_members_ballot_is_refused(demo):
    item = held_with(submitted(), absent=1)
    voters = voting_member_ids(zone_one())
    with pytest.raises(RuleViolation, match=f"{_name(voters[3])}请假，未出席会议"):
        _decide(item, dict.fromkeys(voters, "for"))


def test_a_ballot_from_someone_without_a_vote_is_refused(demo):
    item = held_with(submitted())
    guest = demo.user("jianchashi1").staff_id
    services.record_attendance(
        actor=demo_actor("zuzhang1"), meeting_id=item.meeting_id, entries=[services.AttendanceInput(guest, "present")]
    )
    ballots = dict.fromkeys(voting_member_ids(zone_one()), "for")
    with pytest.raises(RuleViolation, match=f"{_name(guest)}不是本次会议有表决权的成员"):
        _decide(item, {**ballots, guest: "for"})
    stranger = demo.user("xzshuji2").staff_id  # not on the list at all
    with pytest.raises(RuleViolation, match=f"{_name(stranger)}不是本次会议有表决权的成员"):
        _decide(item, {**ballots, stranger: "against"})
    assert AgendaItem.objects.get(pk=item.pk).state == ItemState.PENDING


def test_every_eligible_member_must_vote(demo):
    item = held_with(submitted())
    voters = voting_member_ids(zone_one())
    with pytest.raises(ValidationFailed, match=f"{_name(voters[1])}尚未登记表决意见"):
        _decide(item, {voters[0]: "for", voters[2]: "for", voters[3]: "for"})


def test_a_ballot_says_for_against_or_abstain_once(demo):
    item = held_with(submitted())
    voters = voting_member_ids(zone_one())
    with pytest.raises(ValidationFailed, match="表决意见须为"):
        _decide(item, {**dict.fromkeys(voters, "for"), voters[0]: "maybe"})
    with pytest.raises(ValidationFailed, match="只能投一票"):
        _decide(item, {**dict.fromkeys(voters, "for"), str(voters[0]): "against"})
    # The words the minutes print are accepted too.
    resolution = _decide(item, {voters[0]: "同意", voters[1]: "不同意", voters[2]: "弃权", voters[3]: "同意"})
    assert _counts_of_ballots(resolution) == (2, 1, 1)


def test_without_a_quorum_no_ballot_is_taken_and_the_item_can_only_be_deferred(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[1], proposal.clue)
    item = held_with(proposal, absent=1)  # 3 present, 1 withdrawn: 2 of 4 may vote
    with pytest.raises(RuleViolation, match="未超过半数"):
        _decide(item, dict.fromkeys([voters[0], voters[2]], "for"))
    with pytest.raises(ValidationFailed, match="暂缓研究的议题不进行表决"):
        _decide(item, dict.fromkeys([voters[0], voters[2]], "for"), outcome="defer")
    resolution = _decide(item, {}, outcome="defer")
    assert resolution.outcome == "defer" and not resolution.ballots.exists()
    assert (resolution.votes_for, resolution.votes_against, resolution.votes_abstain) == (0, 0, 0)
    assert FilingProposal.objects.get(pk=proposal.pk).state == "submitted_to_zone"


def test_the_database_refuses_counts_that_do_not_add_up_to_the_voters(demo):
    resolution = decide(held_with(submitted()))
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.filter(pk=resolution.pk).update(votes_for=resolution.votes_for - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(resolution=resolution, staff_id=resolution.ballots.first().staff_id, vote="against")


# --- the page, the API, the minutes -----------------------------------------------------------------------


def test_the_page_lists_the_eligible_members_and_records_their_ballots(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[3], proposal.clue)
    item = held_with(proposal)
    deputy = login(Client(), "fuzuzhang1")
    page = deputy.get(f"/meetings/{item.meeting_id}/").content.decode()
    for staff_id in voters[:3]:
        assert f'name="vote_{staff_id}"' in page
    assert f'name="vote_{voters[3]}"' not in page  # withdrawn from the item: no vote offered
    form = {"action": "decide", "item_id": item.pk, "outcome": "", "voter": voters[:3], "text": "同意报批。"}
    form.update({f"vote_{voters[0]}": "for", f"vote_{voters[1]}": "abstain", f"vote_{voters[2]}": "for"})
    deputy.post(f"/meetings/{item.meeting_id}/act/", form)
    resolution = Resolution.objects.get(item=item)
    assert resolution.outcome == "disagree"  # 2 for of 4 voting members
    assert _counts_of_ballots(resolution) == (2, 0, 1)
    page = deputy.get(f"/meetings/{item.meeting_id}/").content.decode()
    assert f"{_name(voters[1])}（弃权）" in page and f"{_name(voters[0])}（同意）" in page


def test_a_page_ballot_from_a_recused_member_shows_the_refusal(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[3], proposal.clue)
    item = held_with(proposal)
    form = {"action": "decide", "item_id": item.pk, "outcome": "", "voter": voters, "text": "同意。"}
    form.update({f"vote_{s}": "for" for s in voters})
    response = login(Client(), "zuzhang1").post(f"/meetings/{item.meeting_id}/act/", form, follow=True)
    assert f"{_name(voters[3])}已回避本议题" in response.content.decode()
    assert not Resolution.objects.filter(item=item).exists()


def test_the_page_defers_without_ballots(demo):
    item = held_with(submitted())
    voters = voting_member_ids(zone_one())
    form = {"action": "decide", "item_id": item.pk, "outcome": "defer", "voter": voters, "text": "补充材料后再议。"}
    form.update({f"vote_{s}": "for" for s in voters})
    login(Client(), "zuzhang1").post(f"/meetings/{item.meeting_id}/act/", form)
    resolution = Resolution.objects.get(item=item)
    assert resolution.outcome == "defer" and not resolution.ballots.exists()


def _api(username: str, path: str, body: Any = None) -> Any:
    from tests.clues.conftest import api_token

    token = api_token(User.objects.get(username=username))
    return Client().post(
        "/api/v1/meetings" + path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_api_takes_ballots_as_a_map_or_a_list_and_refuses_with_problem_json(demo):
    proposal = submitted()
    voters = voting_member_ids(zone_one())
    declare_kin_of_subject(voters[3], proposal.clue)
    item = held_with(proposal)
    refused = _api(
        "zuzhang1", f"/items/{item.pk}/decision", {"text": "同意", "ballots": dict.fromkeys(map(str, voters), "for")}
    )
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert f"{_name(voters[3])}已回避本议题" in refused.json()["detail"]
    malformed = _api("zuzhang1", f"/items/{item.pk}/decision", {"text": "同意", "ballots": "all for"})
    assert malformed.status_code == 422 and malformed["Content-Type"].startswith("application/problem+json")
    twice = [{"staff_id": voters[0], "vote": "for"}, {"staff_id": voters[0], "vote": "against"}]
    duplicate = _api("zuzhang1", f"/items/{item.pk}/decision", {"text": "同意", "ballots": twice})
    assert duplicate.status_code == 422 and "只能投一票" in duplicate.json()["detail"]
    huge = _api("zuzhang1", f"/items/{item.pk}/decision", {"text": "同意", "ballots": {"9" * 23: "for"}})
    assert huge.status_code == 422 and "不是干部编号" in str(huge.json())

    listed = [{"staff_id": s, "vote": v} for s, v in zip(voters[:3], ("for", "for", "against"), strict=True)]
    response = _api("fuzuzhang1", f"/items/{item.pk}/decision", {"text": "同意报批。", "ballots": listed})
    assert response.status_code == 201, response.content.decode()
    body = response.json()["resolution"]
    assert body["outcome"] == "disagree" and body["by_ballot"] is True
    assert [(b["staff_id"], b["vote"]) for b in body["ballots"]] == [(b["staff_id"], b["vote"]) for b in listed]
    assert (body["votes_for"], body["votes_against"], body["votes_abstain"]) == (2, 1, 0)


def _minutes_text(meeting_id: int) -> str:
    response = login(Client(), "zuzhang1").get(f"/meetings/{meeting_id}/minutes.docx")
    assert response.status_code == 200
    return "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)


def test_the_minutes_list_who_voted_how(demo):
    item = held_with(submitted())
    voters = voting_member_ids(zone_one())
    _decide(item, {voters[0]: "for", voters[1]: "against", voters[2]: "for", voters[3]: "for"})
    text = _minutes_text(item.meeting_id)
    names = [_name(s) for s in voters]
    assert f"表决名单：同意：{names[0]}、{names[2]}、{names[3]}；不同意：{names[1]}；弃权：无。" in text
    assert "同意 3 票，不同意 1 票，弃权 0 票" in text


def test_a_resolution_recorded_by_counts_is_shown_as_such(demo):
    """Resolutions from before ballots (the migration leaves them as they were): counts only."""
    item = held_with(submitted())
    resolution = decide(item)
    Ballot.objects.filter(resolution=resolution).delete()
    Resolution.objects.filter(pk=resolution.pk).update(by_ballot=False)
    assert "（按票数登记）" in _minutes_text(item.meeting_id)
    page = login(Client(), "zuzhang1").get(f"/meetings/{item.meeting_id}/").content.decode()
    assert "（按票数登记）" in page
