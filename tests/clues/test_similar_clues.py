"""A new report about a matter that already has a clue shows that clue on the report page — to
whoever may see the clue, and to nobody else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.clues.conftest import accepted_report, open_from_reports
from tests.intake.conftest import demo_actor, login, register
from xiezuoqu.clues.selectors import similar_clues_for_report

pytestmark = pytest.mark.django_db


def test_a_new_report_about_the_same_person_points_at_the_open_clue(demo):
    clue = open_from_reports(accepted_report())
    # accepted and assigned to the same township, so its secretary sees the report page too
    newcomer = accepted_report(content="再次反映：双山子村党支部书记王某某虚报耕地面积冒领补贴，至今未处理。")
    rows = similar_clues_for_report(demo_actor("xzshuji"), newcomer)
    assert [c.pk for c, _ in rows] == [clue.pk]
    assert rows[0][1].same_person
    body = login(Client(), "xzshuji").get(reverse("intake:detail", args=[newcomer.pk])).content.decode()
    assert "疑似同一问题的线索" in body and clue.ledger_number in body


def test_the_clue_is_not_shown_to_who_may_not_see_it(demo):
    open_from_reports(accepted_report())
    newcomer = register()
    # the petition office sees the report but no clue (clues are the handling side's)
    assert similar_clues_for_report(demo_actor("dengji"), newcomer) == []
    body = login(Client(), "dengji").get(reverse("intake:detail", args=[newcomer.pk])).content.decode()
    assert "疑似同一问题的线索" not in body
