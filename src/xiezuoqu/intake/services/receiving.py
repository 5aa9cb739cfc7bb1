"""Receiving (收件): the public site's report with its receipt code, and the village supervisor's
observation; both wait for a registrar.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.access.actor import Actor
from xiezuoqu.audit.services import deferred_events
from xiezuoqu.errors import NotPermitted, RuleViolation
from xiezuoqu.intake.models import Channel, Report
from xiezuoqu.intake.workflow import Action, next_state
from xiezuoqu.org.models import Commission, Unit

from ._common import _event, _text
from .inputs import AccusedInput, IdentityInput, ReportInput, _clean, _write_accused, _write_identity
from .notifications import _notify, _registrars_for


def _new_receipt() -> tuple[str, str, str]:
    code = f"{secrets.randbelow(10**16):016d}"
    return code, code[:6], make_password(code)


def submit_public_report(
    *,
    commission: Commission,
    content: str,
    category: str,
    summary: str = "",
    township_id: int | None = None,
    village_id: int | None = None,
    accused: Sequence[AccusedInput] = (),
    is_real_name: bool = False,
    identity: IdentityInput | None = None,
    request: HttpRequest | None = None,
) -> tuple[Report, str]:
    """网络举报: the public site's submission. Lands with the commission's 信访室 as *received*.

    Returns the report and its 16-digit receipt code — shown to the reporter once, stored only as an
    argon2 hash (plus its first six digits, which are not secret and index the lookup).
    """
    content = _text(content)
    data = ReportInput(
        channel=Channel.ONLINE,
        received_on=timezone.localdate(),
        summary=_text(summary) or content[:60],
        content=content,
        category=category,
        township_id=township_id,
        village_id=village_id,
        is_real_name=is_real_name,
        identity=identity,
        accused=accused,
    )
    cleaned = _clean(commission.pk, data)
    office = Unit.objects.filter(commission=commission, kind=Unit.Kind.PETITION_OFFICE, is_active=True).first()
    if office is None:
        raise RuleViolation("该纪委监委尚未设立信访室，暂不能受理网络举报。")
    code, prefix, digest = _new_receipt()
    with deferred_events():
        report = Report.objects.create(
            commission=commission,
            ledger_unit=office,
            channel=cleaned.channel,
            received_on=cleaned.received_on,
            state=next_state(None, Action.RECEIVE),
            summary=cleaned.summary[:200],
            content=cleaned.content,
            category=cleaned.category,
            township=cleaned.township,
            village=cleaned.village,
            is_real_name=cleaned.is_real_name,
            source_public=True,
            receipt_prefix=prefix,
            receipt_digest=digest,
        )
        _write_accused(report, cleaned.accused)
        if cleaned.is_real_name:
            _write_identity(report, cleaned.identity)
        _event(None, "received", report, None, request, channel=report.channel, real_name=report.is_real_name)
        _notify(report, _registrars_for(office), f"网络举报待登记（收件 {report.received_on:%Y-%m-%d}）")
    return report, code


RECEIPT_DIGITS = re.compile(r"\D+")


def find_report_by_receipt(code: str) -> Report | None:
    """The report a receipt code belongs to, or ``None``. Costs one argon2 check per candidate with the
    same six-digit prefix (one on average), and one even when there is none, so timing tells nothing."""
    digits = RECEIPT_DIGITS.sub("", code or "")
    if len(digits) != 16:
        make_password(digits or "0")
        return None
    candidates = list(
        Report.objects.filter(receipt_prefix=digits[:6]).exclude(receipt_digest="").only("pk", "receipt_digest")[:20]
    )
    if not candidates:
        make_password(digits)
        return None
    for candidate in candidates:
        if check_password(digits, candidate.receipt_digest):
            return Report.objects.get(pk=candidate.pk)
    return None


def submit_village_report(
    *,
    actor: Actor,
    content: str,
    category: str,
    summary: str = "",
    accused: Sequence[AccusedInput] = (),
    request: HttpRequest | None = None,
) -> Report:
    """村级监督员: an observation from the supervisor's village, received at the township's ledger and
    waiting for its registrar (the petition office's registrar when the township has none)."""
    from xiezuoqu.org.models import VillageSupervisor

    if actor.village_supervisor_id is None or actor.user_id is None:
        raise NotPermitted("只有村级正风肃纪监督员可以通过此页面提交。")
    supervisor = VillageSupervisor.objects.select_related("village", "village__township").get(
        pk=actor.village_supervisor_id
    )
    today = timezone.localdate()
    if supervisor.end_date is not None and supervisor.end_date < today:
        raise RuleViolation("您的监督员聘任已结束，不能再提交。")
    township = supervisor.village.township
    content = _text(content)
    data = ReportInput(
        channel=Channel.VILLAGE_SUPERVISOR,
        received_on=today,
        summary=_text(summary) or content[:60],
        content=content,
        category=category,
        township_id=township.pk,
        village_id=supervisor.village_id,
        accused=[
            AccusedInput(a.name, a.unit_text, a.position, township.pk, a.village_id or supervisor.village_id)
            for a in accused
        ],
    )
    cleaned = _clean(township.commission_id, data)
    with deferred_events():
        report = Report.objects.create(
            commission_id=township.commission_id,
            ledger_unit=township,
            channel=cleaned.channel,
            received_on=cleaned.received_on,
            state=next_state(None, Action.RECEIVE),
            summary=cleaned.summary[:200],
            content=cleaned.content,
            category=cleaned.category,
            township=cleaned.township,
            village=cleaned.village,
            submitted_by_id=actor.user_id,
        )
        _write_accused(report, cleaned.accused)
        _event(actor, "received", report, None, request, channel=report.channel, village=supervisor.village_id)
        _notify(
            report,
            _registrars_for(township),
            f"村级监督员反映待登记（{supervisor.village.name}，{today:%Y-%m-%d}）",
            exclude=[actor.user_id],
        )
    return report
