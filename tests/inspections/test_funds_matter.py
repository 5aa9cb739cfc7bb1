"""A special inspection is a matter that case funds can serve: its team's travel and subsidies are
claimed against the zone's budget like those of a clue or a case, by those who may see the campaign."""

from __future__ import annotations

import pytest

from tests.funds.conftest import budget, line
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.funds import services as funds
from xiezuoqu.funds.models import Claim
from xiezuoqu.funds.selectors import matter_kinds

from .conftest import approved_campaign, demo_actor

pytestmark = pytest.mark.django_db


def _claim(username: str, line_id: int, campaign_id: int) -> Claim:
    return funds.create_claim(
        actor=demo_actor(username),
        data=funds.ClaimInput(
            line_id=line_id,
            matter_kind="inspection",
            matter_id=campaign_id,
            amount="860.00",
            purpose="检查组赴被检查乡镇交通费",
            people="检查组成员",
        ),
    )


def test_a_claim_serves_a_campaign_of_the_zone(demo):
    assert ("inspection", "专项检查") in matter_kinds()
    campaign = approved_campaign()
    claim = _claim("zuzhang1", line(budget(1), "transport").pk, campaign.pk)
    assert claim.matter_kind == "inspection" and claim.matter_id == campaign.pk
    assert campaign.title in claim.matter_label


def test_a_campaign_the_claimant_may_not_see_is_refused_and_nothing_is_saved(demo):
    campaign = approved_campaign()
    other_line = line(budget(2), "transport")
    with pytest.raises(ValidationFailed, match="专项检查"):
        _claim("zuzhang2", other_line.pk, campaign.pk)
    assert not Claim.objects.filter(matter_kind="inspection").exists()
