"""On registration the registrar sees earlier near-duplicates (same accused, similar text) with a
score, within their scope, and confirms (重复件) or rejects each."""

from __future__ import annotations

import pytest

from tests.intake.conftest import demo_actor, login, register
from xiezuoqu.dedup.models import DuplicateLink
from xiezuoqu.errors import NotPermitted
from xiezuoqu.intake import services
from xiezuoqu.intake.selectors import duplicate_candidates
from xiezuoqu.intake.workflow import State

pytestmark = pytest.mark.django_db

TEXT = "双山子村党支部书记王某某以其亲属名义虚报耕地面积，冒领耕地地力保护补贴约一万二千元，群众意见很大。"


def test_an_earlier_report_about_the_same_person_with_similar_text_is_a_candidate(demo):
    earlier = register(content=TEXT)
    unrelated = register(content="某中学食堂承包存在利益输送。", accused=[services.AccusedInput("冯某")])
    later = register(content=TEXT + "请组织调查。")
    candidates = duplicate_candidates(demo_actor("dengji"), later)
    assert [c.report.pk for c in candidates][:1] == [earlier.pk]
    assert unrelated.pk not in [c.report.pk for c in candidates]
    best = candidates[0]
    assert best.same_person and best.score > 0.8
    assert any("王某某" in reason for reason in best.reasons)


def test_candidates_outside_the_registrars_scope_are_not_shown(demo):
    city = register("dengji", content=TEXT)
    township = register("xzdengji", content=TEXT)
    shown = [c.report.pk for c in duplicate_candidates(demo_actor("xzdengji"), township)]
    assert city.pk not in shown
    assert city.pk in [
        c.report.pk for c in duplicate_candidates(demo_actor("dengji"), register("dengji", content=TEXT))
    ]


def test_confirming_makes_a_waiting_report_a_repeat_and_rejecting_is_recorded(demo, client):
    earlier = register(content=TEXT)
    later = register(content=TEXT)
    third = register(content=TEXT)
    login(client, "dengji")
    page = client.get(f"/intake/{later.pk}/").content.decode()
    assert earlier.ledger_number in page and "确认为重复件" in page
    client.post(f"/intake/{later.pk}/duplicate/", {"other": earlier.pk, "decision": "confirmed"})
    later.refresh_from_db()
    assert later.state == State.REPEAT and later.repeat_of == earlier
    client.post(f"/intake/{third.pk}/duplicate/", {"other": earlier.pk, "decision": "rejected"})
    third.refresh_from_db()
    assert third.state == State.REGISTERED
    assert DuplicateLink.objects.get(object_id=third.pk).decision == "rejected"
    candidate = next(c for c in duplicate_candidates(demo_actor("dengji"), third) if c.report.pk == earlier.pk)
    assert candidate.decision == "rejected"


def test_only_a_router_or_the_registrar_decides_a_candidate(demo):
    earlier = register("xzdengji", content=TEXT)
    later = register("xzdengji", content=TEXT)
    with pytest.raises(NotPermitted):
        services.decide_duplicate(
            actor=demo_actor("zuzhang1"), report_id=later.pk, other_id=earlier.pk, decision="confirmed"
        )
