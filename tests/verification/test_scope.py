"""Scope: who sees a clue sees its verification; an outsider gets 404 on the pages and the API, the
administrators see nothing, and list pages run a bounded number of queries."""

from __future__ import annotations

import pytest

from xiezuoqu.errors import NotFound
from xiezuoqu.verification import services
from xiezuoqu.verification.selectors import evidence_visible_to, get_verification_for, verifications_visible_to

from .conftest import LEAD, OUTSIDER, api_token, approved, demo_actor, evidence, login, measured

pytestmark = pytest.mark.django_db


def test_an_outsider_gets_404_on_every_page(demo, client):
    verification = approved()
    item = evidence(verification)
    measured(verification)
    login(client, OUTSIDER)
    for path in (
        f"/verification/{verification.pk}/",
        f"/verification/{verification.pk}/measures/new/",
        f"/verification/{verification.pk}/evidence/new/",
        f"/verification/{verification.pk}/report/",
        f"/verification/clue/{verification.clue_id}/plan/",
        f"/verification/clue/{verification.clue_id}/evidence/",
        f"/verification/clue/{verification.clue_id}/evidence/inventory.xlsx",
        f"/verification/evidence/{item.pk}/",
        f"/verification/evidence/{item.pk}/download/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/verification/{verification.pk}/act/", {"action": "submit_plan"}).status_code == 404
    assert verification.clue.ledger_number not in client.get("/verification/").content.decode()


def test_an_outsider_gets_404_from_the_api(demo, client):
    verification = approved()
    item = evidence(verification)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(demo.user(OUTSIDER))}"}
    assert client.get(f"/api/v1/verification/{verification.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/verification/evidence/{item.pk}/download", **auth).status_code == 404
    assert client.get(f"/api/v1/verification/clues/{verification.clue_id}/evidence", **auth).status_code == 404
    assert client.post(f"/api/v1/verification/{verification.pk}/report/confirm", **auth).status_code == 404
    assert client.get("/api/v1/verification/", **auth).json()["items"] == []
    own = {"HTTP_AUTHORIZATION": f"Bearer {api_token(demo.user(LEAD))}"}
    body = client.get(f"/api/v1/verification/{verification.pk}", **own).json()
    assert body["state"] == "in_progress" and len(body["team"]) == 3


def test_the_administrators_see_no_verification(demo):
    verification = approved()
    evidence(verification)
    for admin in ("xitong", "anquan", "shenji"):
        actor = demo_actor(admin)
        assert not verifications_visible_to(actor).exists()
        assert not evidence_visible_to(actor).exists()
        with pytest.raises(NotFound):
            get_verification_for(actor, verification.pk)


def test_an_outsider_cannot_download_through_the_service(demo):
    verification = approved()
    item = evidence(verification)
    with pytest.raises(NotFound):
        services.download_evidence(actor=demo_actor(OUTSIDER), evidence_id=item.pk)


def test_the_list_and_the_page_run_a_bounded_number_of_queries(demo, client, django_assert_max_num_queries):
    for _ in range(3):
        verification = approved()
        measured(verification)
        evidence(verification)
    login(client, "anguan")
    with django_assert_max_num_queries(12):
        response = client.get("/verification/")
    assert response.status_code == 200
    assert response.content.decode().count("/verification/") >= 3
    login(client, LEAD)
    with django_assert_max_num_queries(30):
        assert client.get(f"/verification/{verification.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/verification/clue/{verification.clue_id}/evidence/").status_code == 200


def test_the_api_list_runs_a_bounded_number_of_queries(demo, client, django_assert_max_num_queries):
    for _ in range(3):
        approved()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(demo.user('anguan'))}"}
    with django_assert_max_num_queries(15):
        body = client.get("/api/v1/verification/", **auth).json()
    assert len(body["items"]) >= 3


@pytest.mark.parametrize("username", ["shuji", "anguan", "zuzhang1", LEAD, "xzshuji", OUTSIDER, "shenli", "xitong"])
def test_scope_and_predicate_agree_on_verification_data(demo, username):
    """The matrix of tests/access, on rows the demo county does not have: every verification model."""
    from xiezuoqu.access.registry import POLICIES
    from xiezuoqu.verification import models

    from .conftest import confirm_all, reported

    verification = approved()
    measured(verification)
    evidence(verification)
    reported(verification)
    confirm_all(verification)
    actor = demo_actor(username)
    for model in (
        models.Verification,
        models.VerificationPlan,
        models.Measure,
        models.EvidenceItem,
        models.CustodyEvent,
        models.VerificationReport,
        models.ReportConfirmation,
    ):
        policy = POLICIES[model]
        assert policy.case_content
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
        assert scoped == predicate, f"{username} × {model.__name__}"
        assert bool(scoped) == (username not in (OUTSIDER, "shenli", "xitong")), f"{username} × {model.__name__}"
