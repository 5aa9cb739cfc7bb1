"""The red warning: a live verification without measure, evidence or report activity for 6 months."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xiezuoqu.verification.selectors import is_stalled, stalled_verifications

from .conftest import approved, demo_actor, login, measured

pytestmark = pytest.mark.django_db


def test_six_months_without_progress_is_a_red_warning_and_progress_clears_it(demo, client):
    verification = approved()
    actor = demo_actor("zuzhang1")
    assert verification not in stalled_verifications(actor)
    later = timezone.now() + timedelta(days=185)
    with time_machine.travel(later, tick=False):
        assert verification in stalled_verifications(actor)
        verification.refresh_from_db()
        assert is_stalled(verification)
        login(client, "zuzhang1")
        body = client.get("/verification/?stalled=1").content.decode()
        assert "6个月无进展" in body and verification.clue.ledger_number in body
        measured(verification)
        assert verification not in stalled_verifications(actor)


def test_five_months_without_progress_is_not_yet_red(demo):
    verification = approved()
    with time_machine.travel(timezone.now() + timedelta(days=150), tick=False):
        assert verification not in stalled_verifications(demo_actor("zuzhang1"))
