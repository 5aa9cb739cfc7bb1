"""Helpers for the sanction-term tests: a township case of 宝山镇 (zone 1) decided with the given
sanctions (the case tests' fixtures up to 复审), announced, appealed, archived; the day after a term."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tests.cases.conftest import approve_decision, second_reviewed
from tests.intake.conftest import demo_actor
from xiezuoqu.cases import services as cases
from xiezuoqu.cases.models import Appeal, Case, PersonDecision
from xiezuoqu.sanctions.models import SanctionTerm


def decided_with(
    *codes: str,
    body: str = "township_committee",
    months: int | None = None,
    village_cadre: bool | None = None,
) -> Case:
    """A case whose decision (``codes``) the trial office proposed and the chain approved today."""
    case = second_reviewed()
    if village_cadre is not None:
        case.subject.is_village_cadre = village_cadre
        case.subject.save(update_fields=["is_village_cadre"])
    decision = cases.propose_decision(
        actor=demo_actor("shenli"),
        case_id=case.pk,
        data=cases.DecisionInput(codes=codes, body=body, grounds="冒领耕地地力保护补贴1.2万元。", months=months),
    )
    approve_decision(decision)
    case.refresh_from_db()
    return case


def decision_of(case: Case) -> PersonDecision:
    return PersonDecision.objects.get(case=case, state="approved")


def terms_of(case: Case) -> list[SanctionTerm]:
    return list(SanctionTerm.objects.filter(case=case).order_by("id"))


def term_of(case: Case, code: str) -> SanctionTerm:
    return SanctionTerm.objects.filter(case=case, code=code).order_by("-id").first()  # type: ignore[return-value]


def announced(case: Case) -> Case:
    cases.announce_decision(
        actor=demo_actor("xzshuji"),
        case_id=case.pk,
        announced_on=timezone.localdate(),
        place="宝山镇会议室",
        attendees="本人、支部全体党员",
    )
    case.refresh_from_db()
    return case


def archived(case: Case) -> Case:
    announced(case)
    cases.record_execution(
        actor=demo_actor("xzshuji"),
        case_id=case.pk,
        executed_on=timezone.localdate(),
        executing_unit="宝山镇党委",
        details="处分决定存入本人档案。",
    )
    cases.archive_case(actor=demo_actor("anguan"), case_id=case.pk)
    case.refresh_from_db()
    return case


def appealed(case: Case, result: str, kind: str = "review") -> Appeal:
    """An appeal received and decided today by the trial office."""
    today = timezone.localdate()
    appeal = cases.file_appeal(
        actor=demo_actor("shenli"), case_id=case.pk, kind=kind, received_on=today, grounds="处分过重。"
    )
    return cases.decide_appeal(
        actor=demo_actor("shenli"), appeal_id=appeal.pk, result=result, result_text="经复审。", decided_on=today
    )


def moment(day: date) -> datetime:
    """Noon of ``day`` in the project's time zone (for ``time_machine.travel``)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def day_after(term: SanctionTerm) -> datetime:
    return moment(term.end + timedelta(days=1))
