"""A case opened by 立案: numbered in the commission's yearly series, seen by whoever sees its clue."""

from __future__ import annotations

import pytest

from tests.filing.conftest import zone_agreed
from tests.intake.conftest import demo_actor
from xiezuoqu.cases.models import Case
from xiezuoqu.cases.selectors import cases_visible_to
from xiezuoqu.cases.workflow import mermaid
from xiezuoqu.filing import services

pytestmark = pytest.mark.django_db


def _file() -> Case:
    proposal = zone_agreed()
    services.decide_as_body(actor=demo_actor("xzshuji"), proposal_id=proposal.pk, decision="file", reason="同意立案")
    return Case.objects.get(filing=proposal)


def test_case_numbers_follow_the_commissions_yearly_series(demo):
    first, second = _file(), _file()
    year = first.case_year
    assert (first.case_number, second.case_number) == (f"凤纪立〔{year}〕1号", f"凤纪立〔{year}〕2号")
    assert first.competent_body_name == "宝山镇党委"


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("xzshuji", True),
        ("zuzhang1", True),
        ("anguan", True),
        ("shuji", True),
        ("xzshuji2", False),
        ("xitong", False),
        ("shenji", False),
    ],
)
def test_a_case_is_seen_by_whoever_sees_its_clue(demo, username, sees):
    case = _file()
    assert cases_visible_to(demo_actor(username)).filter(pk=case.pk).exists() is sees


def test_the_life_cycles_print_as_mermaid():
    from xiezuoqu.filing.workflow import mermaid as filing_mermaid
    from xiezuoqu.meetings.workflow import mermaid as meeting_mermaid

    assert "[*] --> filed" in mermaid()
    assert "submitted_to_zone --> zone_agreed" in filing_mermaid()
    assert "planned --> held" in meeting_mermaid()
