"""The 办案经费与用车 block on a matter's own page (clue, verification, case, inspection campaign): the
matter's claims and bookings only, totals in Decimal, the funds rules for claims the viewer may not open,
the page's usual refusal for those who may not see the matter, and at most two queries; and the matter
registry, filled once the apps are loaded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.funds.conftest import approve_claim, booking_input, budget, clue, draft, line, vehicle
from tests.intake.conftest import demo_actor, login
from xiezuoqu.clues.selectors import can_view_clue
from xiezuoqu.funds import selectors, services
from xiezuoqu.funds.models import BudgetLine, Claim, MatterKind
from xiezuoqu.funds.selectors import MATTERS, MatterSpec, matter_funds, register_builtin_matters, register_matter
from xiezuoqu.funds.workflow import ClaimState

pytestmark = pytest.mark.django_db

EMPTY = "本事项尚无经费申请或用车记录"


def _claim(found_line: BudgetLine, kind: str, matter: Any, amount: str, username: str = "anguan") -> Claim:
    return services.create_claim(
        actor=demo_actor(username),
        data=services.ClaimInput(
            line_id=found_line.pk, matter_kind=kind, matter_id=matter.pk, amount=amount, purpose="办案补助"
        ),
    )


def _submitted(claim: Claim, username: str) -> Claim:
    return services.submit_claim(actor=demo_actor(username), claim_id=claim.pk)


def _paid(claim: Claim, username: str) -> Claim:
    _submitted(claim, username)
    approve_claim(claim)
    return services.pay_claim(actor=demo_actor("anguan"), claim_id=claim.pk)


def _block(body: str) -> str:
    start = body.index('id="matter-funds"')
    return body[start : body.index("</section>", start)]


# --- the registry ----------------------------------------------------------------------------------


def test_every_built_in_kind_is_registered_once_the_apps_are_loaded():
    assert set(MatterKind.values) <= set(MATTERS)
    assert selectors.matter_kinds()[: len(MatterKind.values)] == [(k.value, k.label) for k in MatterKind]


def test_a_kind_registered_by_another_app_adds_to_the_built_in_ones_before_or_after():
    saved = dict(MATTERS)
    custom = MatterSpec(
        "custom", "自定义事项", lambda pk: None, lambda a, o: False, lambda o: None, lambda o: None, lambda o: ""
    )
    try:
        register_matter(custom)  # after the apps loaded
        assert set(MatterKind.values) | {"custom"} == set(MATTERS)
        MATTERS.clear()
        register_matter(custom)  # before the built-in kinds, as another app's ready() could
        register_builtin_matters()
        assert set(MatterKind.values) | {"custom"} == set(MATTERS)
        assert selectors.matter_spec("custom") is custom
        assert selectors.matter_spec(MatterKind.CASE) is not None
    finally:
        MATTERS.clear()
        MATTERS.update(saved)


# --- the clue page ---------------------------------------------------------------------------------


def test_the_clue_page_shows_its_claims_bookings_and_totals_and_no_other_matters(demo):
    subsidy = line(budget())
    matter, other = clue(), clue()
    paid = _paid(draft(subsidy, matter, "1200.00"), "xzshuji")
    pending = _submitted(draft(subsidy, matter, "300.50"), "xzshuji")
    left = draft(subsidy, matter, "45.00")  # a draft counts in neither total
    stranger = _submitted(draft(subsidy, other, "77.77"), "xzshuji")
    car = vehicle()
    trip = services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 1, 3, confidential=True))
    elsewhere = services.book_vehicle(
        actor=demo_actor("xzshuji"), data=booking_input(car, other, 5, 6, destination="红旗镇")
    )

    body = login(Client(), "xzshuji").get(f"/clues/{matter.pk}/").content.decode()
    block = _block(body)
    assert paid.state == ClaimState.PAID and pending.state == ClaimState.SUBMITTED
    assert "已支付 <strong>1,200.00</strong> 元" in block
    assert f"审批中 <strong>{Decimal('300.50')}</strong> 元" in block
    for claim in (paid, pending, left):
        assert f'href="/funds/claims/{claim.pk}/"' in block
    assert f'href="/funds/claims/{stranger.pk}/"' not in block and "77.77" not in block
    assert f'href="/funds/bookings/{trip.pk}/"' in block and car.plate in block
    # The viewer may see the matter, so its confidential booking shows where it goes.
    assert "宝山镇双山子村" in block and selectors.CONFIDENTIAL_TEXT not in block
    assert f'href="/funds/bookings/{elsewhere.pk}/"' not in block and "红旗镇" not in block
    assert f"/funds/claims/new/?kind=clue&amp;id={matter.pk}" in block
    assert f"/funds/bookings/new/?kind=clue&amp;id={matter.pk}" in block
    assert EMPTY not in block


def test_an_empty_block_says_so_and_the_apply_links_prefill_the_matter(demo):
    budget()
    matter = clue()
    page = login(Client(), "xzshuji")
    block = _block(page.get(f"/clues/{matter.pk}/").content.decode())
    assert EMPTY in block
    form = page.get(f"/funds/claims/new/?kind=clue&id={matter.pk}").content.decode()
    assert f'name="matter_id" value="{matter.pk}"' in form and '<option value="clue" selected>' in form


def test_a_viewer_of_the_matter_who_may_not_open_a_claim_sees_the_totals_not_the_claim(demo):
    subsidy = line(budget())
    matter = clue()
    paid = _paid(draft(subsidy, matter, "600.00"), "xzshuji")
    pending = _submitted(draft(subsidy, matter, "250.00"), "xzshuji")
    viewer = demo_actor("jianchashi1")  # zone 1's inspection office: reads the zone's clues, not its claims
    assert can_view_clue(viewer, matter)
    assert not selectors.can_view_claim(viewer, paid) and not selectors.can_view_claim(viewer, pending)

    block = _block(login(Client(), "jianchashi1").get(f"/clues/{matter.pk}/").content.decode())
    assert "已支付 <strong>600.00</strong> 元" in block and "审批中 <strong>250.00</strong> 元" in block
    assert "/funds/claims/" not in block.replace("/funds/claims/new/", "")
    assert "另有 2 笔经费申请" in block
    # The claims' own pages stay closed to them.
    assert login(Client(), "jianchashi1").get(f"/funds/claims/{paid.pk}/").status_code == 404


def test_a_viewer_who_may_not_see_the_matter_gets_the_pages_refusal(demo):
    subsidy = line(budget())
    matter = clue()
    draft(subsidy, matter, "100.00")
    outsider = demo_actor("xzshuji2")
    assert not can_view_clue(outsider, matter)
    answer = login(Client(), "xzshuji2").get(f"/clues/{matter.pk}/")
    assert answer.status_code == 404
    assert "办案经费与用车" not in answer.content.decode()


def test_the_block_costs_two_queries_however_many_rows(demo):
    subsidy = line(budget())
    matter = clue()
    car = vehicle()
    for n in range(4):
        _submitted(draft(subsidy, matter, "10.00"), "xzshuji")
        services.book_vehicle(actor=demo_actor("xzshuji"), data=booking_input(car, matter, 2 * n, 2 * n + 1))
    actor = demo_actor("zuzhang1")
    with CaptureQueriesContext(connection) as queries:
        funds = matter_funds(actor, MatterKind.CLUE, matter)
        assert [c.line.kind.name for c in funds.claims] and [b.vehicle.plate for b in funds.bookings]
    assert len(queries.captured_queries) == 2
    assert len(funds.claims) == 4 and len(funds.bookings) == 4
    assert funds.committed == Decimal("40.00") and funds.paid == Decimal("0.00")
    assert isinstance(funds.committed, Decimal)


# --- the verification, case and inspection campaign pages -------------------------------------------


def _zone_line(zone_id: int | None) -> BudgetLine:
    """The 办案补助 line of the matter's zone (zone 1's when the matter has none)."""
    from xiezuoqu.org.models import Zone

    zones = list(Zone.objects.filter(commission__is_demo=True).order_by("id").values_list("id", flat=True))
    return line(budget(zones.index(zone_id) + 1 if zone_id in zones else 1))


def test_the_verification_page_shows_its_funds(demo):
    from tests.verification.conftest import LEAD, approved

    verification = approved()
    subsidy = _zone_line(verification.clue.zone_id)
    claim = _submitted(_claim(subsidy, MatterKind.VERIFICATION, verification, "880.00"), "anguan")
    on_clue = _submitted(_claim(subsidy, MatterKind.CLUE, verification.clue, "12.00"), "anguan")

    block = _block(login(Client(), "anguan").get(f"/verification/{verification.pk}/").content.decode())
    assert f'href="/funds/claims/{claim.pk}/"' in block and "审批中 <strong>880.00</strong> 元" in block
    assert f'href="/funds/claims/{on_clue.pk}/"' not in block  # the clue's own claim is the clue's
    lead = _block(login(Client(), LEAD).get(f"/verification/{verification.pk}/").content.decode())
    assert "审批中 <strong>880.00</strong> 元" in lead and "另有 1 笔经费申请" in lead
    assert f'href="/funds/claims/{claim.pk}/"' not in lead


def test_the_case_page_shows_its_funds(demo):
    from tests.cases.conftest import filed_case

    case = filed_case()
    subsidy = _zone_line(case.zone_id or case.clue.zone_id)
    claim = _paid(_claim(subsidy, MatterKind.CASE, case, "1500.25"), "anguan")
    on_clue = _paid(_claim(subsidy, MatterKind.CLUE, case.clue, "9.99"), "anguan")

    block = _block(login(Client(), "anguan").get(f"/cases/{case.pk}/").content.decode())
    assert f'href="/funds/claims/{claim.pk}/"' in block and "已支付 <strong>1,500.25</strong> 元" in block
    assert f'href="/funds/claims/{on_clue.pk}/"' not in block and "9.99" not in block
    assert f"/funds/claims/new/?kind=case&amp;id={case.pk}" in block


def test_the_inspection_campaign_page_shows_its_funds(demo):
    from tests.inspections.conftest import approved_campaign

    campaign = approved_campaign()
    subsidy = _zone_line(campaign.zone_id)
    claim = _submitted(_claim(subsidy, MatterKind.INSPECTION, campaign, "420.00"), "anguan")
    car = vehicle()
    trip = services.book_vehicle(
        actor=demo_actor("anguan"),
        data=booking_input(car, campaign, 1, 2, matter_kind=MatterKind.INSPECTION, destination="宝山镇政府"),
    )

    block = _block(login(Client(), "anguan").get(f"/inspections/{campaign.pk}/").content.decode())
    assert f'href="/funds/claims/{claim.pk}/"' in block and "审批中 <strong>420.00</strong> 元" in block
    assert f'href="/funds/bookings/{trip.pk}/"' in block and "宝山镇政府" in block


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("29380"), "29,380.00"),
        (Decimal("-500.00"), "-500.00"),
        (Decimal("1234567.5"), "1,234,567.50"),
        (None, ""),
    ],
)
def test_amounts_are_written_with_thousands_separators_and_two_places(value, shown):
    from xiezuoqu.funds.templatetags.money import money

    assert money(value) == shown
