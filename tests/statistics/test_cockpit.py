"""统计: the figures of the commission, a zone and a township over a period come from nine GROUP BY
queries over the rows the viewer may see, agree with the 总结会's own figures on the same data, and
every number links to the list of the matters behind it — whose count is the number."""

from __future__ import annotations

from datetime import date

import pytest

from tests.intake.conftest import demo_actor, unit_named
from tests.statistics.conftest import Q3, drill_count, page
from xiezuoqu.meetings.summary import Period, zone_figures
from xiezuoqu.statistics import figures, present

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 7, 1), date(2026, 9, 30))
TODAY = date(2026, 12, 6)


def test_the_period_figures_are_nine_queries_whatever_the_number_of_zones(dataset, django_assert_num_queries):
    actor = demo_actor("anguan")
    with django_assert_num_queries(9):
        rows = figures.family_rows(actor, PERIOD, TODAY)
    reach = figures.reach_of(actor)
    assert len(reach.zones) == 4 and reach.commission is not None
    # The commission, every zone and every township: sums over the same rows, no further query.
    with django_assert_num_queries(0):
        for level in [reach.commission, *reach.zones, *reach.townships]:
            figures.figures_for(rows, level)


def test_a_zones_figures_match_the_summary_meeting_on_the_hand_built_quarter(dataset):
    actor = demo_actor("anguan")
    rows = figures.family_rows(actor, PERIOD, TODAY)
    zone = figures.reach_of(actor).find("zone", dataset.zone.pk)
    fig = figures.figures_for(rows, zone)
    summary = zone_figures(dataset.zone, PERIOD.start, PERIOD.end)
    assert (
        fig.disposals
        == summary.disposed_by_method
        == {
            "talk_or_letter": 1,
            "preliminary_verification": 2,
            "hold": 1,
            "close": 1,
        }
    )
    assert fig.disposals_total == summary.clues_disposed == 5
    assert fig.cases == summary.cases_filed == 2
    assert fig.reports_total == summary.reports_of_zone == 5
    assert fig.reports == {"letter": 5}
    # 成案率 = 立案 2 ÷ 初步核实 2 (not ÷ all five disposals, as the 总结会 page's older figure reads).
    assert fig.filing_rate == 100.0
    # 初核转立案: b and c were verified in Q3; b's case was filed in September, c's in October.
    assert fig.converted == 2 and fig.conversion_rate == 100.0
    assert fig.decisions == {"1": 1, "2": 1, "3": 0, "4": 0, "none": 1}
    assert fig.form_share("1") == 50.0  # the one outside the four forms is not in the denominator
    assert fig.teams == {"self": 1, "cross": 1, "joint": 1, "elevated": 0}
    assert fig.trainee_seats == summary.trainee_seats == 4
    assert fig.mode_share("cross", "joint") == 66.7
    # Deadlines due in Q3 (all the dataset's are due on 1 July): 1 met late, 4 open and overdue today
    # (one of them another zone's), none met on time.
    assert fig.deadline_all["met_late"] == 1 and fig.deadline_all["open_overdue"] == 3
    assert fig.deadline_all["on_time"] == 0.0 and fig.deadline_all["overdue"] == 100.0


def _urls(section: dict) -> list[tuple[str, int]]:
    found = [
        (section["reports_total"]["url"], section["reports_total"]["n"]),
        (section["disposals_total"]["url"], section["disposals_total"]["n"]),
        (section["verified"]["url"], section["verified"]["n"]),
        (section["cases"]["url"], section["cases"]["n"]),
        (section["converted"]["url"], section["converted"]["n"]),
        (section["deadlines_total"]["url"], section["deadlines_total"]["n"]),
        (section["deadlines_total"]["overdue_url"], section["deadlines_total"]["overdue_n"]),
        (section["decisions_total"]["url"], section["decisions_total"]["n"]),
        (section["teams_total"]["url"], section["teams_total"]["n"]),
    ]
    found += [(r["url"], r["n"]) for r in section["reports"]]
    found += [(r["url"], r["n"]) for r in section["disposals"]]
    found += [(f["url"], f["n"]) for f in section["forms"]]
    found += [(t["url"], t["n"]) for t in section["teams"]]
    for d in section["deadlines"]:
        found.append((d["url"], d["total"]))
        found += [(s["url"], s["n"]) for s in d["statuses"]]
    return found


@pytest.mark.parametrize(
    ("username", "level"),
    [("anguan", "commission"), ("anguan", "zone"), ("zuzhang1", "zone"), ("xzshuji", "township")],
)
def test_every_figure_links_to_a_list_whose_count_is_the_figure(dataset, username, level):
    params = dict(Q3)
    if level == "zone":
        params["zone"] = str(dataset.zone.pk)
    if level == "township":
        params["township"] = str(dataset.baoshan.pk)
    response = page(username, params)
    assert response.status_code == 200
    main = response.context["main"]
    assert main["level"].kind == level
    checked = _urls(main)
    for part in response.context["parts"][:2]:
        checked += _urls(part)[:6]
    assert sum(n for _u, n in checked) > 0
    for url, n in checked:
        assert drill_count(username, url) == n, url


def test_a_zone_leader_sees_their_zone_and_its_townships_only(dataset):
    leader = demo_actor("zuzhang1")
    reach = figures.reach_of(leader)
    assert reach.commission is None
    assert [z.id for z in reach.zones] == [dataset.zone.pk]
    assert dataset.baoshan.pk in {t.id for t in reach.townships}
    assert dataset.dongtang.pk not in {t.id for t in reach.townships}
    assert page("zuzhang1").context["cp"].level.id == dataset.zone.pk  # their zone by default
    assert page("zuzhang1", {"zone": str(dataset.other_zone.pk)}).status_code == 404
    assert page("zuzhang1", {"township": str(dataset.dongtang.pk)}).status_code == 404
    # The other zone's clue, case and deadline are out of the leader's rows altogether.
    rows = figures.family_rows(leader, PERIOD, TODAY)
    assert {r["z"] for r in rows["cases"]} == {dataset.zone.pk}
    assert all(r["z"] == dataset.zone.pk or r["u"] in leader.work_unit_ids() for r in rows["deadlines"])


def test_a_township_secretary_sees_their_township(dataset):
    response = page("xzshuji", Q3)
    assert response.status_code == 200
    cp = response.context["cp"]
    assert (cp.level.kind, cp.level.id) == ("township", dataset.baoshan.pk)
    assert [t.id for t in cp.reach.townships] == [dataset.baoshan.pk] and not cp.reach.zones
    assert cp.figures.cases == 2 and cp.figures.verified == 2  # 宝山 handles the zone's dataset clues
    assert page("xzshuji", {"township": str(unit_named("东汤镇纪委").pk)}).status_code == 404


def test_a_recused_viewer_counts_no_row_of_the_matter(dataset):
    """A figure is a count of rows the viewer may see: the clue one has withdrawn from is not counted."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.clues.models import ClueDisposal
    from xiezuoqu.recusal.models import Recusal

    disposal = ClueDisposal.objects.filter(clue__zone=dataset.zone, method="preliminary_verification").first()
    clue = disposal.clue
    zone = _zone(dataset)
    before = figures.figures_for(figures.family_rows(demo_actor("zuzhang1"), PERIOD, TODAY), zone)
    leader = User.objects.get(username="zuzhang1")
    Recusal.objects.create(clue=clue, staff_id=leader.staff_id, ground="kin", source="self", decided_by=leader)
    after = figures.figures_for(figures.family_rows(demo_actor("zuzhang1"), PERIOD, TODAY), zone)
    assert after.verified == before.verified - 1
    assert after.cases == before.cases - clue.cases.filter(filed_on__range=(PERIOD.start, PERIOD.end)).count()
    url = present.drill_url(zone, PERIOD, "disposals", "preliminary_verification")
    assert drill_count("zuzhang1", url) == after.verified


def _zone(dataset):  # type: ignore[no-untyped-def]
    return figures.Level("zone", dataset.zone.pk, dataset.zone.name)


def test_the_month_table_is_two_queries_with_last_years_months(dataset, django_assert_num_queries):
    clue = dataset.clue(date(2025, 8, 1))
    dataset.disposal(clue, "preliminary_verification", date(2025, 8, 3))
    dataset.case(clue, date(2025, 8, 20))
    actor = demo_actor("anguan")
    with django_assert_num_queries(2):
        rows = figures.monthly_rows(actor, 2026)
    zone = _zone(dataset)
    (row,) = figures.month_table(rows, [zone], 2026)
    assert row.verified[6] == 2 and row.cases[6] == 0 and row.rates[6] == 0.0  # July: 0 ÷ 2
    assert row.cases[7] == 1 and row.cases[8] == 1 and row.rates[7] is None  # no 初核 in Aug: no rate
    assert row.last_cases[7] == 1 and row.last_verified[7] == 1 and row.last_rates[7] == 100.0
    # Each cell's numbers link to their lists.
    (shown,) = present.month_rows([row], 2026)
    july, august = shown["cells"][6], shown["cells"][7]
    assert drill_count("anguan", july["verified_url"]) == 2
    assert drill_count("anguan", august["cases_url"]) == 1
    assert drill_count("anguan", august["last_cases_url"]) == 1
    assert drill_count("anguan", august["last_verified_url"]) == 1


def test_the_page_shows_the_table_for_every_zone_of_the_commission(dataset):
    response = page("anguan", {**Q3, "table_year": "2026"})
    names = [r["level"].name for r in response.context["month_rows"]]
    assert names[0] == response.context["cp"].reach.commission.name and len(names) == 5
    html = response.content.decode()
    assert "成案率月表" in html and "2025" in html
