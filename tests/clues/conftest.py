"""Helpers for the clue tests: accepted reports in the demo county, a clue opened from them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.intake.conftest import api_token, demo_actor, login, register, unit_named  # noqa: F401
from xiezuoqu.approvals.services import decide
from xiezuoqu.clues import services
from xiezuoqu.clues.models import Clue, Source
from xiezuoqu.intake import services as intake
from xiezuoqu.intake.models import Category, Report

BAOSHAN = "宝山镇纪委"
DONGTANG = "东汤镇纪委"


def accepted_report(unit: str = BAOSHAN, **kw: Any) -> Report:
    """A report registered by the petition office, accepted and assigned to ``unit``."""
    report = register(**kw)
    intake.accept_report(
        actor=demo_actor("xinfang"), report_id=report.pk, reason="属本机关管辖", handling_unit_id=unit_named(unit).pk
    )
    report.refresh_from_db()
    return report


def open_from_reports(*reports: Report, username: str = "xzshuji", unit: str = BAOSHAN) -> Clue:
    return services.open_clue(
        actor=demo_actor(username),
        data=services.ClueInput(
            handling_unit_id=unit_named(unit).pk,
            source=Source.REPORTS,
            category=Category.FARM_SUBSIDY,
            summary="反映村党支部书记冒领惠农补贴",
            report_ids=[r.pk for r in reports],
        ),
    )


def open_other(username: str = "xzshuji", unit: str = BAOSHAN, source: str = Source.INSPECTION) -> Clue:
    return services.open_clue(
        actor=demo_actor(username),
        data=services.ClueInput(
            handling_unit_id=unit_named(unit).pk,
            source=source,
            category=Category.COLLECTIVE_ASSETS,
            summary="专项检查发现村集体资金收支不入账",
            received_on=timezone.localdate() - timedelta(days=3),
        ),
    )


def with_subject(clue: Clue, username: str = "xzshuji", name: str = "赵某某", **kw: Any) -> Clue:
    services.add_subject(
        actor=demo_actor(username),
        clue_id=clue.pk,
        data=services.SubjectInput(name=name, unit_text="双山子村党支部", position="书记", **kw),
    )
    return clue


def analysed(clue: Clue, username: str = "xzshuji") -> Clue:
    with_subject(clue, username)
    services.start_analysis(actor=demo_actor(username), clue_id=clue.pk)
    clue.refresh_from_db()
    return clue


def approve_all(approval_id: int) -> None:
    """The default chain: zone 1 leader, then the commission leader in charge."""
    decide(actor=demo_actor("zuzhang1"), approval_id=approval_id, decision="approve", comment="同意")
    decide(actor=demo_actor("fenguan"), approval_id=approval_id, decision="approve", comment="同意")


def disposed(method: str, username: str = "xzshuji", **kw: Any) -> Clue:
    clue = analysed(open_other(username))
    disposal = services.propose_disposal(
        actor=demo_actor(username), clue_id=clue.pk, method=method, reason="经集体研判", **kw
    )
    assert disposal.approval_id is not None
    approve_all(disposal.approval_id)
    clue.refresh_from_db()
    return clue
