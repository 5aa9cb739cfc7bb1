"""Registration holds its two serialising locks — the unit's ledger counter and the audit chain
head — only for its last statements: the number is drawn after the report, its accused, identity and
duplicate index are written, and the audit events go in together at the end, in one INSERT, still in
the registration's transaction. The unit's zone and ledger format are read before the transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.audit.verify import verify_chain
from xiezuoqu.intake import services
from xiezuoqu.intake.models import LedgerFormat, Report
from xiezuoqu.intake.services import registration
from xiezuoqu.intake.workflow import State
from xiezuoqu.org.models import Unit

from .conftest import REAL_NAME, register, unit_named

pytestmark = pytest.mark.django_db


def _index(statements: list[str], prefix: str) -> int:
    return next(i for i, sql in enumerate(statements) if sql.startswith(prefix))


def test_the_counter_and_the_chain_head_are_taken_last(demo):
    with CaptureQueriesContext(connection) as ctx:
        report = register(is_real_name=True, identity=REAL_NAME)
    statements = [q["sql"] for q in ctx.captured_queries]
    counter = _index(statements, 'UPDATE "intake_ledgercounter"')
    head = _index(statements, 'SELECT "seq", "mac" FROM "audit_auditchainhead"')
    assert _index(statements, 'INSERT INTO "intake_report"') < counter
    assert _index(statements, 'INSERT INTO "intake_reportaccused"') < counter
    assert _index(statements, 'INSERT INTO "intake_reporteridentity"') < counter
    assert _index(statements, 'INSERT INTO "dedup_lshbucket"') < counter
    assert counter < head
    audit_inserts = [s for s in statements if s.startswith('INSERT INTO "audit_auditevent"')]
    assert len(audit_inserts) == 1  # the registration and the real-name deadline's events together
    after_head = [s.split(" ")[0] for s in statements[head:]]
    assert after_head[:3] == ["SELECT", "INSERT", "UPDATE"]
    assert all(word in ("COMMIT", "RELEASE") for word in after_head[3:])
    report.refresh_from_db()
    assert report.state == State.REGISTERED and report.ledger_seq is not None
    actions = set(
        AuditEvent.objects.filter(target_type="intake.report", target_id=str(report.pk)).values_list(
            "action", flat=True
        )
    )
    assert "report.registered" in actions
    assert verify_chain().ok


def test_a_failed_registration_leaves_no_number_report_or_event(demo, monkeypatch):
    last = register().ledger_seq
    before = (Report.objects.count(), AuditEvent.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("通知失败")

    # Registration looks ``_notify`` up in its own module (services.registration), so it is patched there.
    monkeypatch.setattr(registration, "_notify", broken)
    with pytest.raises(RuntimeError):
        register()
    assert (Report.objects.count(), AuditEvent.objects.count()) == before
    monkeypatch.undo()
    assert register().ledger_seq == last + 1  # the failed one's number was not used up


def test_the_ledger_context_is_the_units_zone_and_format(demo):
    """One query instead of three: the same zone and pattern as ``zone_of_unit`` and ``pattern_for``."""
    today = timezone.localdate()
    unit = unit_named("宝山镇纪委")
    LedgerFormat.objects.create(unit=unit, pattern="{unit}登〔{year}〕{seq:03d}号")
    for unit in Unit.objects.filter(commission__is_demo=True):
        zone, pattern = services._ledger_context(unit, today)
        assert zone == services.zone_of_unit(unit, today), unit.name
        assert pattern == services.pattern_for(unit), unit.name


def test_the_recipients_statement_is_the_orm_rule(demo):
    """The plain statement names exactly the users the ORM form of the rule names, for every zone,
    for no zone, and without the deactivated."""
    from xiezuoqu.accounts.models import User
    from xiezuoqu.org.models import Zone

    commission_id = unit_named("信访室").commission_id
    zones = [None, *Zone.objects.filter(commission_id=commission_id)]
    User.objects.filter(username="jianchashi1").update(is_active=False)
    for zone in zones:
        expected = services._registration_recipients_orm(commission_id, zone)
        assert services._registration_recipients(commission_id, zone) == expected
        assert expected  # the petition office at least
    assert services._registration_recipients(commission_id, zones[1]) != services._registration_recipients(
        commission_id, None
    )
