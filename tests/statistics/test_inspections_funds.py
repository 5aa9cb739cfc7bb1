"""统计 beyond the case chain: the special inspections' findings and their 整改销号率, the case funds paid
and 案均经费 — each figure with the list behind it, whose count is the figure; funds are budgeted per zone,
so a township shows none (and its drill list says why)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.funds.conftest import approve_claim, budget, clue, draft, line
from tests.intake.conftest import demo_actor
from tests.statistics.conftest import drill_count, page
from xiezuoqu.demo.inspections import load_demo_inspections
from xiezuoqu.funds import services as funds
from xiezuoqu.inspections.models import Finding
from xiezuoqu.meetings.summary import Period
from xiezuoqu.statistics import figures, present

pytestmark = pytest.mark.django_db


def _year() -> tuple[Period, dict[str, str]]:
    today = timezone.localdate()
    return Period(date(today.year, 1, 1), date(today.year, 12, 31)), {
        "from": f"{today.year}-01",
        "to": f"{today.year}-12",
    }


def test_inspection_findings_and_their_lists(demo):
    load_demo_inspections()
    period, params = _year()
    actor = demo_actor("anguan")
    rows = figures.family_rows(actor, period, timezone.localdate())
    reach = figures.reach_of(actor)
    fig = figures.figures_for(rows, reach.commission)
    demo_findings = Finding.objects.filter(campaign__is_demo=True)
    assert fig.findings == {
        "n": demo_findings.count(),
        "ordered": demo_findings.filter(rectification__isnull=False).count(),
        "closed": 2,
        "overdue": 2,
        "transferred": 2,
    }
    assert fig.rectified_rate == round(2 * 100 / fig.findings["ordered"], 1)
    # Every number on the page links to its list, and the list holds that many.
    main = present.sections(fig, period)
    for item in main["findings"]:
        assert drill_count("anguan", item["url"]) == item["n"]
    # A zone's figures are its own findings; the zones add up to the commission.
    zones = [figures.figures_for(rows, z) for z in reach.zones]
    assert sum(z.findings["n"] for z in zones) == fig.findings["n"]
    zone = reach.zones[0]
    zone_fig = figures.figures_for(rows, zone)
    assert zone_fig.findings["n"] == demo_findings.filter(zone_id=zone.id).count()
    # The page shows the card with the figures.
    html = page("anguan", params).content.decode()
    assert "专项检查发现问题" in html and "整改销号率" in html


def test_another_zones_leader_counts_none_of_the_zones_findings(demo):
    load_demo_inspections()
    period, _ = _year()
    finding = Finding.objects.filter(campaign__is_demo=True).select_related("inspected_unit").first()
    assert finding is not None
    # The zone leader of another zone counts none of this zone's findings.
    other = next(n for n in (1, 2, 3, 4) if n != finding.zone.number)
    actor = demo_actor(f"zuzhang{other}")
    rows = figures.family_rows(actor, period, timezone.localdate())
    seen = {row["z"] for row in rows["findings"]}
    assert finding.zone_id not in seen
    own = Finding.objects.filter(campaign__is_demo=True, zone__number=other).values_list("zone_id", flat=True)
    assert seen == set(own)


def test_funds_paid_and_spent_per_case(demo):
    period, params = _year()
    subsidy = line(budget())
    matter = clue()
    paid = []
    for amount in ("1200.00", "350.50"):
        claim = draft(subsidy, matter, amount=amount)
        funds.submit_claim(actor=demo_actor("xzshuji"), claim_id=claim.pk)
        approve_claim(claim)
        paid.append(funds.pay_claim(actor=demo_actor("anguan"), claim_id=claim.pk))
    unpaid = draft(subsidy, matter, amount="99.00")  # a draft is not spending
    assert unpaid.state == "draft"
    actor = demo_actor("anguan")
    rows = figures.family_rows(actor, period, timezone.localdate())
    reach = figures.reach_of(actor)
    fig = figures.figures_for(rows, reach.commission)
    assert fig.paid_claims == 2 and fig.spent == Decimal("1550.50")
    # 案均经费 = paid ÷ cases filed in the period, to the fen; no cases, no figure.
    assert figures.Figures(reach.commission, cases=4, spent=fig.spent).spent_per_case == Decimal("387.63")
    assert figures.Figures(reach.commission, cases=0, spent=fig.spent).spent_per_case is None
    main = present.sections(fig, period)
    assert drill_count("anguan", main["spending"]["url"]) == 2
    # A reversing entry is paid spending too: the figure goes back down.
    funds.reverse_claim(actor=demo_actor("anguan"), claim_id=paid[0].pk, reason="金额录入有误")
    rows = figures.family_rows(actor, period, timezone.localdate())
    fig = figures.figures_for(rows, reach.commission)
    assert fig.paid_claims == 3 and fig.spent == Decimal("350.50")
    # A township has no budget of its own: no spending figure, and its drill list is refused in Chinese.
    township = reach.townships[0]
    assert present.sections(figures.figures_for(rows, township), period)["spending"] is None
    response = page("anguan", {**params, "township": township.id, "figure": "spending"}, "/statistics/drill/")
    assert response.status_code == 422 and "乡镇不单列" in response.content.decode()
