"""A subject's registry entry can be corrected after registration, by those who work their clues, on record."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clues.conftest import BAOSHAN, analysed, api_token, demo_actor, login, open_other, unit_named
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.clues import services
from xiezuoqu.clues.models import Subject
from xiezuoqu.errors import NotFound, NotPermitted, RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db


def _subject() -> Subject:
    clue = analysed(open_other())
    return Subject.objects.get(clue_links__clue=clue)


def _input(**kw):
    values = {
        "name": "赵某某",
        "unit_text": "双山子村党支部",
        "position": "书记",
        "township_id": unit_named(BAOSHAN).pk,
    }
    values.update(kw)
    return services.SubjectInput(**values)


def test_the_handling_unit_corrects_a_subject_and_the_change_is_on_record(demo):
    subject = _subject()
    services.update_subject(
        actor=demo_actor("xzshuji"), subject_id=subject.pk, data=_input(position="原书记", is_village_cadre=True)
    )
    subject.refresh_from_db()
    assert subject.position == "原书记" and subject.is_village_cadre
    assert subject.township_id == unit_named(BAOSHAN).pk
    event = AuditEvent.objects.filter(action="subject.updated").latest("id")
    assert event.changes["position"] == ["书记", "原书记"]


def test_a_new_identity_number_is_sealed_and_a_duplicate_is_refused(demo):
    subject = _subject()
    services.update_subject(
        actor=demo_actor("xzshuji"), subject_id=subject.pk, data=_input(id_number="21068219700101123X")
    )
    subject.refresh_from_db()
    assert subject.id_index and "21068219700101123X" not in subject.id_number_sealed
    other = _subject()
    with pytest.raises(RuleViolation, match="相同"):
        services.update_subject(
            actor=demo_actor("xzshuji"), subject_id=other.pk, data=_input(id_number="21068219700101123x")
        )
    with pytest.raises(ValidationFailed):
        services.update_subject(actor=demo_actor("xzshuji"), subject_id=other.pk, data=_input(id_number="123"))


def test_only_those_who_work_the_clues_may_correct_and_outsiders_get_not_found(demo):
    subject = _subject()
    with pytest.raises(NotFound):
        services.update_subject(actor=demo_actor("xzshuji4"), subject_id=subject.pk, data=_input())
    with pytest.raises(NotPermitted):
        services.update_subject(actor=demo_actor("shuji"), subject_id=subject.pk, data=_input(position="改"))
    services.update_subject(actor=demo_actor("anguan"), subject_id=subject.pk, data=_input(position="案管更正"))


def test_the_subject_page_form_and_the_api_correct_the_entry(demo, client: Client):
    subject = _subject()
    login(client, "xzshuji")
    page = client.get(f"/clues/subjects/{subject.pk}/").content.decode()
    assert "更正被反映人信息" in page
    response = client.post(
        f"/clues/subjects/{subject.pk}/edit/",
        {"name": "", "rank": "village", "supervision_category": "grassroots"},
        follow=True,
    )
    assert "请填写被反映人姓名" in response.content.decode()
    token = api_token(demo.user("xzshuji"))
    response = client.put(
        f"/api/v1/clues/subjects/{subject.pk}",
        {"name": "赵某某", "rank": "village", "supervision_category": "grassroots", "is_village_cadre": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    subject.refresh_from_db()
    assert subject.rank == "village" and subject.supervision_category == "grassroots"
    login(client, "xzshuji4")
    assert "更正被反映人信息" not in client.get(f"/clues/subjects/{subject.pk}/").content.decode()
