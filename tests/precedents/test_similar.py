"""类案参考: the nearest decided case comes first with the features that made it similar; the outcome
distribution counts the similar set; a draft far from the usual outcome gets a note; cases outside the
drafter's scope are counted but never named; the reading is audited; the case page loads it; the number
of queries does not grow with the number of candidates."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.intake.conftest import api_token, demo_actor, login
from tests.precedents.conftest import child_commission, draft_case, past_case, put_facts
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues.models import Rank
from xiezuoqu.org.models import Commission
from xiezuoqu.precedents.models import CaseFactKey, CaseFacts
from xiezuoqu.precedents.services import FactsInput, rank_of, record_case_facts
from xiezuoqu.precedents.similar import draft_for_case, guidance, similar_cases_for

pytestmark = pytest.mark.django_db


def _other_rank(rank: str) -> str:
    return Rank.COUNTY if rank != Rank.COUNTY else Rank.VILLAGE


@pytest.fixture
def case(demo):  # type: ignore[no-untyped-def]
    case = draft_case()
    put_facts(case, articles=[102], amount="32000", circumstances=["confessed"])
    return case


def test_the_nearest_case_comes_first_with_the_features_that_made_it_similar(case):
    far = past_case(
        case, articles=[102, 110], amount="500", rank=_other_rank(rank_of(case)), circumstances=["confessed", "lied"]
    )
    middle = past_case(case, articles=[102], amount="600000", circumstances=[])
    near = past_case(case, articles=[102], amount="28000", circumstances=["confessed"])
    result = guidance(demo_actor("shenli"), draft_for_case(case, codes=["party_warning"]))
    order = [n.case.pk for n in result.closest]
    assert order == [near.pk, middle.pk, far.pk]
    top = result.closest[0]
    assert top.score > result.closest[1].score > result.closest[2].score
    assert "同为第102条" in top.reason_text
    assert "金额相近（3.2万 vs 2.8万）" in top.reason_text
    assert "均有主动交代情节" in top.reason_text
    assert "金额相近" not in result.closest[1].reason_text  # twenty times the amount is not "near"
    # Each contribution is shown and they add up to the score.
    assert abs(sum(r.points for r in top.reasons) - top.score) < 1e-9


def test_the_distribution_counts_the_outcomes_of_the_similar_set(case):
    for _ in range(4):
        past_case(case, codes=["party_warning"])
    past_case(case, codes=["party_serious_warning", "gov_demerit"])
    unrelated = past_case(case, articles=[30], category="political", amount=None, rank=_other_rank(rank_of(case)))
    result = guidance(demo_actor("shenli"), draft_for_case(case, codes=["party_warning"]))
    assert result.similar == 5 and unrelated.pk not in [n.case.pk for n in result.closest]
    measures = {s.label: (s.count, s.percent) for s in result.measures}
    assert measures == {"党内警告": (4, 80), "党内严重警告": (1, 20), "记过": (1, 20)}
    assert [(s.label, s.count) for s in result.forms] == [("第二种形态", 5)]


def test_a_draft_far_heavier_or_lighter_than_the_usual_outcome_gets_a_note(case):
    for _ in range(5):
        past_case(case, codes=["party_warning"])
    actor = demo_actor("shenli")
    usual = guidance(actor, draft_for_case(case, codes=["party_warning"]))
    assert usual.note == "" and usual.heavier_than == 0 and usual.lighter_than == 0
    heavy = guidance(actor, draft_for_case(case, codes=["party_probation"], months=24))
    assert heavy.heavier_than == 100 and "重于 100% 的类似案件" in heavy.note and "党内警告" in heavy.note
    light = guidance(actor, draft_for_case(case, codes=["criticism"]))
    assert light.lighter_than == 100 and "轻于 100% 的类似案件" in light.note


def test_cases_outside_the_scope_are_counted_but_never_named_and_a_side_commission_not_at_all(case, demo):
    home = case.commission
    below = child_commission(home, "类案下级县纪委监委")
    beside = Commission.objects.create(name="类案邻县纪委监委", short_name="邻县")
    mine = past_case(case, name="本级甲")
    hidden = past_case(case, commission=below, name="下级乙")
    aside = past_case(case, commission=beside, name="邻县丙")
    shenli = User.objects.get(username="shenli")
    client = login(Client(), "shenli")
    page = client.get(f"/precedents/cases/{case.pk}/").content.decode()
    answer = client.get(f"/api/v1/precedents/cases/{case.pk}/similar", HTTP_AUTHORIZATION=f"Bearer {api_token(shenli)}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["similar"] == 2 and body["visible"] == 1 and body["hidden"] == 1  # mine + below; not beside
    assert [n["case_id"] for n in body["closest"]] == [mine.pk]
    for text in (page, json.dumps(body, ensure_ascii=False)):
        assert mine.case_number in text and "本级甲" in text
        for other in (hidden, aside):
            assert other.case_number not in text and other.subject.name not in text
            assert f"/cases/{other.pk}/" not in text
    assert "1 件不在您的查看范围内" in page
    # The lower commission's own trial office would see its case — not the higher commission's.
    assert below.pk != home.pk and body["candidates"] == 2


def test_reading_the_guidance_is_recorded_with_every_case_listed(case):
    listed = past_case(case)
    before = AuditEvent.objects.count()
    similar_cases_for(demo_actor("shenli"), case, codes=["party_warning"])
    events = list(AuditEvent.objects.order_by("seq")[before:].values("action", "target_id", "detail"))
    assert events[0]["action"] == "case.similar_viewed" and events[0]["target_id"] == str(case.pk)
    assert events[0]["detail"]["listed"] == [listed.pk]
    assert events[1]["action"] == "case.viewed" and events[1]["target_id"] == str(listed.pk)
    assert events[1]["detail"]["via"] == "similar_cases"


def test_the_case_page_loads_the_guidance_into_its_decision_section(case):
    past = past_case(case)
    client = login(Client(), "shenli")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'hx-get="/precedents/cases/{case.pk}/"' in page and "类案参考" in page
    fragment = client.get(f"/precedents/cases/{case.pk}/?from_form=1&codes=party_warning", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert "四种形态分布" in text and "处理方式分布" in text and past.case_number in text and "同为第102条" in text


def test_the_lookup_sends_the_same_number_of_queries_for_few_and_many_candidates(case, django_assert_max_num_queries):
    actor = demo_actor("shenli")
    past_case(case)
    with CaptureQueriesContext(connection) as few:
        guidance(actor, draft_for_case(case, codes=["party_warning"]))
    for i in range(15):
        past_case(case, amount=str(20000 + 1000 * i))
    with CaptureQueriesContext(connection) as many:
        result = guidance(actor, draft_for_case(case, codes=["party_warning"]))
    assert result.similar == 16 and len(result.closest) == 3
    assert len(many) == len(few) <= 6
    # With the audit (its savepoint, three statements per event): one event on the drafted case and one
    # per case listed (three at most).
    with django_assert_max_num_queries(len(many) + 2 + 3 * (1 + 3)):
        similar_cases_for(actor, case, codes=["party_warning"])


def test_bad_codes_are_a_chinese_error_not_a_500(case):
    client = login(Client(), "shenli")
    page = client.get(f"/precedents/cases/{case.pk}/?from_form=1&codes=nonsense", HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "未知的处理方式" in page.content.decode()
    shenli = User.objects.get(username="shenli")
    answer = client.get(
        f"/api/v1/precedents/cases/{case.pk}/similar?codes=nonsense", HTTP_AUTHORIZATION=f"Bearer {api_token(shenli)}"
    )
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"


def test_facts_are_recorded_with_their_keys_and_bad_input_saves_nothing(demo):
    case = draft_case()
    client = login(Client(), "shenli")
    bad = client.post(f"/precedents/cases/{case.pk}/facts/", {"articles": "第102条", "amount": "三万"}, follow=True)
    assert "涉案金额应填写数字" in bad.content.decode() and not CaseFacts.objects.filter(case=case).exists()
    bad = client.post(f"/precedents/cases/{case.pk}/facts/", {"articles": "第200条"}, follow=True)
    assert "没有第 200 条" in bad.content.decode() and not CaseFacts.objects.filter(case=case).exists()
    client.post(
        f"/precedents/cases/{case.pk}/facts/",
        {"articles": "第110条、102", "amount": "3.2万", "circumstances": ["confessed", "returned_gains"]},
    )
    facts = CaseFacts.objects.get(case=case)
    assert facts.articles == [102, 110] and str(facts.amount) == "32000.00"
    assert facts.circumstances == ["confessed", "returned_gains"] and facts.rank == rank_of(case)
    assert set(CaseFactKey.objects.filter(facts=facts).values_list("key", flat=True)) == {
        f"c:{case.clue.category}",
        "a:102",
        "a:110",
    }
    event = AuditEvent.objects.filter(action="case.facts_recorded", target_id=str(case.pk)).get()
    assert event.changes["articles"] == [None, [102, 110]]


def test_someone_who_sees_the_case_but_neither_tries_nor_investigates_it_cannot_record_facts(case):
    client = login(Client(), "anguan")
    assert client.get(f"/cases/{case.pk}/").status_code == 200  # 案管 sees every case
    response = client.post(f"/precedents/cases/{case.pk}/facts/", {"articles": "1"}, follow=True)
    assert "案情要素由案件审理室或本案审查调查人员登记" in response.content.decode()
    assert CaseFacts.objects.get(case=case).articles == [102]


def test_a_case_whose_decision_is_approved_after_its_facts_were_recorded_becomes_a_candidate(demo):
    from tests.cases.conftest import approve_decision
    from xiezuoqu.cases import services as cases

    earlier = draft_case()
    put_facts(earlier, articles=[102], amount="30000")
    decision = cases.propose_decision(
        actor=demo_actor("shenli"),
        case_id=earlier.pk,
        data=cases.DecisionInput(codes=("party_warning",), body="township_committee", grounds="冒领补贴，已退缴。"),
    )
    assert set(CaseFactKey.objects.filter(facts__case=earlier).values_list("decided_on", flat=True)) == {None}
    later = draft_case()
    put_facts(later, articles=[102], amount="32000")
    draft = draft_for_case(later, codes=["party_warning"])
    assert guidance(demo_actor("shenli"), draft).similar == 0  # only proposed: not an outcome yet
    approve_decision(decision)
    decision.refresh_from_db()
    keys = set(CaseFactKey.objects.filter(facts__case=earlier).values_list("decided_on", flat=True))
    assert keys == {decision.decided_on} and decision.decided_on is not None
    result = guidance(demo_actor("shenli"), draft)
    assert [n.case.pk for n in result.closest] == [earlier.pk]
    # Its facts corrected after the approval: still a candidate, still dated by its decision.
    record_case_facts(
        actor=demo_actor("shenli"), case_id=earlier.pk, data=FactsInput(articles="第102条、第110条", amount="3万")
    )
    keys = dict(CaseFactKey.objects.filter(facts__case=earlier).values_list("key", "decided_on"))
    assert keys == {f"c:{earlier.clue.category}": decision.decided_on, "a:102": decision.decided_on,
                    "a:110": decision.decided_on}  # fmt: skip
    assert [n.case.pk for n in guidance(demo_actor("shenli"), draft).closest] == [earlier.pk]
