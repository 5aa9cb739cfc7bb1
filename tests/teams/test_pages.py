"""The team pages: the clue's team page (propose, proposal with objective and exclusions, confirm, edit,
who still has to sign), the batch page, the handling-request form, and the workload page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.teams.conftest import demo_actor, login, verifying_clue
from xiezuoqu.teams import services
from xiezuoqu.teams.models import Team, TeamState
from xiezuoqu.teams.solver import CROSS_REASON

pytestmark = pytest.mark.django_db


def test_the_leader_proposes_and_confirms_on_the_page(demo) -> None:
    clue = verifying_clue()
    client = login(Client(), "zuzhang1")
    page = client.get(f"/teams/clue/{clue.pk}/")
    assert page.status_code == 200 and "求解并提出方案" in page.content.decode()
    client.post(f"/teams/clue/{clue.pk}/act/", {"action": "propose", "mode": "cross", "size": "3"})
    team = Team.objects.get(clue=clue, state=TeamState.PROPOSED)
    body = client.get(f"/teams/clue/{clue.pk}/").content.decode()
    assert "目标值" in body and CROSS_REASON in body and "待签署" in body
    client.post(f"/teams/clue/{clue.pk}/act/", {"action": "confirm", "team_id": str(team.pk)})
    team.refresh_from_db()
    assert team.state == TeamState.CONFIRMED


def test_a_refused_step_is_shown_not_a_500(demo) -> None:
    clue = verifying_clue()
    client = login(Client(), "zuzhang1")
    response = client.post(
        f"/teams/clue/{clue.pk}/act/", {"action": "propose", "mode": "nonsense", "size": "x"}, follow=True
    )
    assert response.status_code == 200 and "请选择办理方式" in response.content.decode()
    bad = client.post(f"/teams/clue/{clue.pk}/act/", {"action": "edit", "team_id": "abc", "reason": "x", "remove": "1"})
    assert bad.status_code in (302, 404)


def test_a_township_cadre_requests_joint_handling_on_the_page(demo) -> None:
    clue = verifying_clue()
    client = login(Client(), "xzshuji")
    page = client.get(f"/teams/clue/{clue.pk}/").content.decode()
    assert "求解并提出方案" not in page and "申请办理方式" in page
    client.post(
        f"/teams/clue/{clue.pk}/act/",
        {"action": "request_mode", "mode": "joint", "grounds": ["serious", "recusal"], "reason": "涉及镇领导亲属"},
    )
    assert clue.handling_requests.filter(state="pending").count() == 1
    leader = login(Client(), "zuzhang1")
    row = clue.handling_requests.get()
    leader.post(
        f"/teams/clue/{clue.pk}/act/",
        {"action": "decide_request", "request_id": str(row.pk), "decision": "grant", "decided_mode": "joint"},
    )
    row.refresh_from_db()
    assert row.state == "granted"


def test_outsiders_get_404(demo) -> None:
    clue = verifying_clue()
    assert login(Client(), "xzshuji2").get(f"/teams/clue/{clue.pk}/").status_code == 404
    assert login(Client(), "xitong").get(f"/teams/clue/{clue.pk}/").status_code == 404
    assert login(Client(), "xitong").get("/teams/workload/").status_code == 404
    assert login(Client(), "xzshuji").get(f"/teams/zone/{clue.zone_id}/batch/").status_code == 404


def test_batch_page_proposes_for_the_checked_clues(demo, django_assert_max_num_queries) -> None:
    clues = [verifying_clue(), verifying_clue(township="白旗镇纪委")]
    client = login(Client(), "jianchashi1")
    client.get(f"/teams/zone/{clues[0].zone_id}/batch/")
    with django_assert_max_num_queries(15):
        page = client.get(f"/teams/zone/{clues[0].zone_id}/batch/").content.decode()
    assert all(c.ledger_number in page for c in clues)
    client.post(
        f"/teams/zone/{clues[0].zone_id}/batch/",
        {"clue_ids": [str(c.pk) for c in clues], "mode": "cross", "size": "2"},
    )
    assert Team.objects.filter(clue__in=clues, state=TeamState.PROPOSED).count() == 2


def test_workload_page_shows_load_against_capacity(demo, django_assert_max_num_queries) -> None:
    clue = verifying_clue()
    team = services.propose_team(actor=demo_actor("zuzhang1"), clue_id=clue.pk)
    services.confirm_team(actor=demo_actor("zuzhang1"), team_id=team.pk)
    client = login(Client(), "zuzhang1")
    client.get(f"/teams/workload/?zone={clue.zone_id}")
    with django_assert_max_num_queries(20):
        response = client.get(f"/teams/workload/?zone={clue.zone_id}")
    body = response.content.decode()
    assert response.status_code == 200 and "<meter" in body and clue.ledger_number in body
    lead = team.members.get(role="lead").staff
    assert lead.name in body
    whole = login(Client(), "shuji").get("/teams/workload/")
    assert whole.status_code == 200 and lead.name in whole.content.decode()
