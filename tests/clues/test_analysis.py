"""分析研判: records of doubts, difficulties, direction and participants; related clues (same subject,
same village, same category and period) in scope; the relation graph page around a subject or village."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.clues.conftest import DONGTANG, demo_actor, login, open_other, with_subject
from xiezuoqu.clues import services
from xiezuoqu.clues.models import AnalysisRecord, Subject
from xiezuoqu.clues.selectors import related_clues
from xiezuoqu.clues.workflow import State
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.org.models import StaffMember

pytestmark = pytest.mark.django_db


def _zone_people(demo) -> list[int]:
    return [demo.user("xzshuji").staff_id, demo.user("jianchashi1").staff_id]


def test_an_analysis_record_names_doubts_direction_and_participants_and_starts_analysis(demo):
    clue = open_other()
    actor = demo_actor("jianchashi1")
    with pytest.raises(ValidationFailed):
        services.record_analysis(
            actor=actor, clue_id=clue.pk, held_on=timezone.localdate(), doubts="", direction="函询", participant_ids=[]
        )
    record = services.record_analysis(
        actor=actor,
        clue_id=clue.pk,
        held_on=timezone.localdate(),
        doubts="资金去向不明",
        difficulties="账目缺失",
        direction="建议初步核实",
        participant_ids=_zone_people(demo),
    )
    clue.refresh_from_db()
    assert clue.state == State.UNDER_ANALYSIS
    assert set(record.participants.values_list("pk", flat=True)) == set(_zone_people(demo))
    page = login(Client(), "xzshuji").get(f"/clues/{clue.pk}/").content.decode()
    assert "资金去向不明" in page and "建议初步核实" in page


def test_related_clues_share_a_subject_a_village_or_category_and_period_in_scope(demo):
    first = with_subject(open_other())
    second = open_other()
    subject = Subject.objects.get()
    services.add_subject(actor=demo_actor("xzshuji"), clue_id=second.pk, subject_id=subject.pk)
    elsewhere = open_other(username="xzshuji2", unit=DONGTANG)
    related = related_clues(demo_actor("xzshuji"), first)
    assert next(r.clue.pk for r in related) == second.pk
    assert any("同一被反映人" in reason for reason in related[0].reasons)
    assert elsewhere.pk not in [r.clue.pk for r in related]  # another township's clue is out of scope
    assert elsewhere.pk in [r.clue.pk for r in related_clues(demo_actor("anguan"), first)]


def test_the_graph_page_passes_its_data_as_json_and_shows_only_clues_in_scope(demo):
    first = with_subject(open_other())
    subject = Subject.objects.get()
    client = login(Client(), "zuzhang1")
    page = client.get("/clues/graph/", {"subject": subject.pk}).content.decode()
    assert 'id="clue-graph-data"' in page and "clues/graph.js" in page and "<script>" not in page
    match = re.search(r'id="clue-graph-data"[^>]*>(.*?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert {n["name"] for n in data["nodes"]} >= {first.ledger_number, subject.name}
    assert login(Client(), "xzshuji2").get("/clues/graph/", {"subject": subject.pk}).status_code == 404
    assert client.get("/clues/graph/").status_code == 404


def test_participants_must_be_staff_of_the_commission(demo):
    clue = open_other()
    with pytest.raises(ValidationFailed):
        services.record_analysis(
            actor=demo_actor("xzshuji"),
            clue_id=clue.pk,
            held_on=timezone.localdate(),
            doubts="x",
            direction="y",
            participant_ids=[StaffMember.objects.order_by("-pk").first().pk + 1000],
        )
    assert not AnalysisRecord.objects.exists()


def test_the_graph_around_a_village_links_its_clues_and_their_subjects(demo):
    from xiezuoqu.org.models import Village

    village = Village.objects.filter(township__name="宝山镇纪委").first()
    assert village is not None
    clue = services.open_clue(
        actor=demo_actor("xzshuji"),
        data=services.ClueInput(
            handling_unit_id=village.township_id,
            source="inspection",
            category="poverty",
            summary="扶贫项目资金被截留",
            received_on=timezone.localdate(),
            village_id=village.pk,
        ),
    )
    with_subject(clue)
    page = login(Client(), "xzshuji").get("/clues/graph/", {"village": village.pk}).content.decode()
    assert clue.ledger_number in page and "赵某某" in page and village.name in page
