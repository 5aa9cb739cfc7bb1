"""Helpers for the team tests: a clue of the demo county in 初步核实, with its township and subject."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.clues.conftest import approve_all, demo_actor, login, unit_named  # noqa: F401
from xiezuoqu.clues import services as clues
from xiezuoqu.clues.models import Clue, DisposalMethod, Source
from xiezuoqu.intake.models import Category
from xiezuoqu.org.models import StaffMember

BAOSHAN = "宝山镇纪委"


def verifying_clue(
    unit: str = BAOSHAN, township: str | None = BAOSHAN, username: str = "xzshuji", subject_township: str | None = None
) -> Clue:
    """A clue of ``unit``'s ledger about a village cadre of ``township``, approved for 初步核实."""
    actor = demo_actor(username)
    clue = clues.open_clue(
        actor=actor,
        data=clues.ClueInput(
            handling_unit_id=unit_named(unit).pk,
            source=Source.INSPECTION,
            category=Category.COLLECTIVE_ASSETS,
            summary="专项检查发现村集体资金收支不入账",
            received_on=timezone.localdate() - timedelta(days=3),
            township_id=unit_named(township).pk if township else None,
        ),
    )
    clues.add_subject(
        actor=actor,
        clue_id=clue.pk,
        data=clues.SubjectInput(
            name="赵某某",
            unit_text="双山子村党支部",
            position="书记",
            township_id=unit_named(subject_township).pk if subject_township else None,
        ),
    )
    clues.start_analysis(actor=actor, clue_id=clue.pk)
    disposal = clues.propose_disposal(
        actor=actor, clue_id=clue.pk, method=DisposalMethod.PRELIMINARY_VERIFICATION, reason="问题具体，可查性强"
    )
    assert disposal.approval_id is not None
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    return clue


def staff_of(unit: str) -> list[StaffMember]:
    return list(StaffMember.objects.filter(home_unit=unit_named(unit), is_active=True).order_by("pk"))
