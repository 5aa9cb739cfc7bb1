"""A hit and the clue made from it link to each other, each link only for a viewer who may open its
target (the clue funnel on the hit's pages and API, the hit funnel on the clue's page); a viewer who may
not is told only that the hit became a clue, with no number and no link."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.intake.conftest import api_token, demo_actor, login
from xiezuoqu.accounts.models import User
from xiezuoqu.clues.models import Clue
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.screening import selectors, services
from xiezuoqu.screening.models import Hit, HitState

pytestmark = pytest.mark.django_db


def _api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(User.objects.get(username=username))}")


def _demo_clue_hit() -> tuple[Hit, Clue]:
    load_demo_screening()
    hit = Hit.objects.select_related("clue").get(commission__is_demo=True, state=HitState.CLUE)
    assert hit.clue is not None
    return hit, hit.clue


def test_a_viewer_of_both_gets_working_links_both_ways(demo):
    hit, clue = _demo_clue_hit()
    for username in ("zuzhang1", "anguan"):
        page = login(Client(), username)
        detail = page.get(f"/screening/hits/{hit.pk}/").content.decode()
        assert f'href="/clues/{clue.pk}/"' in detail and clue.ledger_number in detail, username
        assert page.get(f"/clues/{clue.pk}/").status_code == 200
        listing = page.get("/screening/hits/?state=clue").content.decode()
        assert f'href="/clues/{clue.pk}/"' in listing and clue.ledger_number in listing
        back = page.get(f"/clues/{clue.pk}/").content.decode()
        assert f'href="/screening/hits/{hit.pk}/"' in back, username
        assert page.get(f"/screening/hits/{hit.pk}/").status_code == 200
        answer = _api(username).get(f"/api/v1/screening/hits/{hit.pk}").json()
        assert (answer["clue_id"], answer["clue_number"]) == (clue.pk, clue.ledger_number)


def test_a_viewer_of_the_hit_who_may_not_open_the_clue_sees_no_number_and_no_link(demo):
    hit, clue = _demo_clue_hit()
    # A dispatched group's cadre reads the zone's hits but not the township's clue ledger.
    actor = demo_actor("paizhu1")
    assert selectors.can_view_hit(actor, hit)
    page = login(Client(), "paizhu1")
    assert page.get(f"/clues/{clue.pk}/").status_code == 404
    detail = page.get(f"/screening/hits/{hit.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "已转为线索" in text
    assert clue.ledger_number not in text and f"/clues/{clue.pk}/" not in text
    listing = page.get("/screening/hits/?state=all").content.decode()
    assert f"/screening/hits/{hit.pk}/" in listing
    assert clue.ledger_number not in listing and f"/clues/{clue.pk}/" not in listing
    api = _api("paizhu1")
    answer = api.get(f"/api/v1/screening/hits/{hit.pk}").json()
    assert answer["state"] == HitState.CLUE and answer["clue_id"] is None and answer["clue_number"] is None
    listed = {h["id"]: h for h in api.get("/api/v1/screening/hits?state=clue").json()}
    assert listed[hit.pk]["clue_id"] is None and listed[hit.pk]["clue_number"] is None


def test_a_handler_of_the_clue_who_may_not_screen_sees_the_clue_without_a_link_to_the_hit(demo):
    load_demo_screening()
    # 案管 hands an open hit to the township committee of xzshuji (township cadres never screen).
    unit_id = (
        User.objects.get(username="xzshuji")
        .role_assignments.filter(role="township_secretary")
        .values_list("unit_id", flat=True)
        .first()
    )
    hit = Hit.objects.filter(commission__is_demo=True, state=HitState.OPEN).order_by("id").first()
    assert unit_id is not None and hit is not None
    hit = services.refer_hit(actor=demo_actor("anguan"), hit_id=hit.pk, handling_unit_id=unit_id)
    assert hit.clue is not None and hit.clue.handling_unit_id == unit_id
    township = login(Client(), "xzshuji")
    page = township.get(f"/clues/{hit.clue.pk}/")
    assert page.status_code == 200
    assert "/screening/hits/" not in page.content.decode()
    assert township.get(f"/screening/hits/{hit.pk}/").status_code == 404
    # 案管 sees both and follows the link back.
    back = login(Client(), "anguan").get(f"/clues/{hit.clue.pk}/").content.decode()
    assert f'href="/screening/hits/{hit.pk}/"' in back
