"""A recused cadre loses the whole matter at once: the clue's team, its verification, evidence and
inventory, the measure ledger, the filing proposal and its document, the meeting item, the case — on
pages, API, exports. The same URLs answer the cadre before the recusal, so the test can fail."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clues.conftest import api_token, login
from tests.filing.conftest import zone_agreed
from tests.intake.conftest import demo_actor
from tests.verification.conftest import LEAD, concluded
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import Case
from xiezuoqu.filing import services as filing
from xiezuoqu.recusal import services as recusal
from xiezuoqu.recusal.models import Ground
from xiezuoqu.verification.models import EvidenceItem

pytestmark = pytest.mark.django_db


def _matter():
    """A verification concluded 拟立案 by its team (lead: jianchashi1), filed through the zone and the body."""
    verification = concluded("file")
    clue = verification.clue
    proposal = zone_agreed(clue)
    filing.decide_as_body(actor=demo_actor("shuji"), proposal_id=proposal.pk, decision="file", reason="同意立案")
    case = Case.objects.get(clue=clue)
    evidence = EvidenceItem.objects.filter(clue=clue).first()
    item = proposal.agenda_items.first() if hasattr(proposal, "agenda_items") else None
    return verification, clue, proposal, case, evidence, item


def _urls(verification, clue, proposal, case, evidence):
    pages = [
        f"/clues/{clue.pk}/",
        f"/teams/clue/{clue.pk}/",
        f"/verification/{verification.pk}/",
        f"/verification/clue/{clue.pk}/evidence/",
        f"/verification/clue/{clue.pk}/evidence/inventory.xlsx",
        f"/verification/evidence/{evidence.pk}/",
        f"/verification/evidence/{evidence.pk}/download/",
        f"/filing/{proposal.pk}/",
        f"/filing/{proposal.pk}/report.docx",
        f"/cases/{case.pk}/",
        f"/recusal/clue/{clue.pk}/",
    ]
    api = [
        f"/api/v1/clues/{clue.pk}",
        f"/api/v1/teams/clues/{clue.pk}/",
        f"/api/v1/verification/{verification.pk}",
        f"/api/v1/verification/clues/{clue.pk}/evidence",
        f"/api/v1/verification/evidence/{evidence.pk}/download",
        f"/api/v1/filing/{proposal.pk}",
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/recusal/clues/{clue.pk}",
    ]
    return pages, api


def test_the_team_lead_reaches_every_part_of_the_matter_until_recused_then_none(demo, client: Client):
    verification, clue, proposal, case, evidence, _ = _matter()
    pages, api = _urls(verification, clue, proposal, case, evidence)
    login(client, LEAD)
    token = api_token(demo.user(LEAD))
    for url in pages:
        assert client.get(url).status_code == 200, url
    lists = ("/verification/", "/filing/", "/cases/")
    for url in lists:
        assert clue.ledger_number in client.get(url).content.decode(), url
    for url in api:
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200, url

    recusal.withdraw_self(actor=demo_actor(LEAD), clue_id=clue.pk, ground=Ground.INTEREST, detail="与被反映人系远亲")

    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in api:
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404, url
    # Lists and exports leave the matter out.
    for url in lists:
        assert clue.ledger_number not in client.get(url).content.decode(), url
    listed = client.get("/api/v1/verification/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert verification.pk not in [row["id"] for row in listed["items"]]
    # The refusals are on record.
    assert AuditEvent.objects.filter(actor_id=demo.user(LEAD).pk, outcome="refused").exists()
