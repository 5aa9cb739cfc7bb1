"""Reporter protection: the identity is sealed at rest, shown only to the petition office (every view
on record), and to a handler only after the commission head approved a reasoned request, for a
limited time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests.intake.conftest import REAL_NAME, api_get, demo_actor, login, register, unit_named
from xiezuoqu.approvals import services as approvals
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import NotPermitted, RuleViolation
from xiezuoqu.intake import rules, services
from xiezuoqu.intake.models import IdentityGrant, ReporterIdentity
from xiezuoqu.intake.selectors import reveal_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def real(demo):
    report = register("dengji", is_real_name=True, identity=REAL_NAME)
    services.accept_report(
        actor=demo_actor("xinfang"), report_id=report.pk, handling_unit_id=unit_named("凤凰城街道纪工委").pk
    )
    return report


def test_no_identity_column_holds_the_plaintext(real):
    table = ReporterIdentity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    for secret in (REAL_NAME.name, REAL_NAME.phone, REAL_NAME.id_number, REAL_NAME.address):
        assert secret not in stored
    identity = ReporterIdentity.objects.get(report=real)
    assert identity.name_sealed.startswith("v1:sm4gcm:")
    assert identity.opened()["name"] == REAL_NAME.name


def test_a_sealed_field_cannot_be_moved_to_another_report(real):
    from xiezuoqu.crypto import DecryptionFailed

    other = register("dengji", is_real_name=True, identity=REAL_NAME)
    moved = ReporterIdentity.objects.get(report=other)
    moved.name_sealed = ReporterIdentity.objects.get(report=real).name_sealed
    with pytest.raises(DecryptionFailed):
        moved.opened()


@pytest.mark.parametrize("username", ["xinfang", "dengji"])
def test_the_petition_office_sees_the_identity_and_every_view_is_on_record(real, username):
    revealed = reveal_identity(demo_actor(username), real.pk)
    assert (revealed.name, revealed.phone, revealed.id_number) == (REAL_NAME.name, REAL_NAME.phone, REAL_NAME.id_number)
    reveal_identity(demo_actor(username), real.pk)
    events = AuditEvent.objects.filter(action="reporter_identity.viewed", actor_name=username, outcome="allowed")
    assert events.count() == 2


@pytest.mark.parametrize("username", ["xzdengji", "zuzhang1", "anguan", "shuji", "fenguan", "jianchashi1"])
def test_everyone_else_who_sees_the_report_sees_only_real_name_and_a_reference(real, client, username):
    with pytest.raises(NotPermitted):
        reveal_identity(demo_actor(username), real.pk)
    login(client, username)
    page = client.get(f"/intake/{real.pk}/").content.decode()
    assert "实名" in page and real.reporter_reference in page
    assert REAL_NAME.name not in page and REAL_NAME.phone not in page
    assert client.post(f"/intake/{real.pk}/identity/").status_code == 403
    assert AuditEvent.objects.filter(action="reporter_identity.viewed", actor_name=username, outcome="refused").exists()
    assert api_get(client, username, f"/reports/{real.pk}/identity").status_code == 403


def test_the_petition_office_page_reveals_the_identity_on_request_only(real, client):
    login(client, "xinfang")
    page = client.get(f"/intake/{real.pk}/").content.decode()
    assert REAL_NAME.name not in page and "查看举报人身份" in page
    partial = client.post(f"/intake/{real.pk}/identity/", HTTP_HX_REQUEST="true")
    assert REAL_NAME.name in partial.content.decode()
    assert partial["Cache-Control"] == "no-store"


def test_the_api_gives_the_identity_to_the_petition_office_on_record(real, client):
    response = api_get(client, "xinfang", f"/reports/{real.pk}/identity")
    assert response.status_code == 200 and response.json()["name"] == REAL_NAME.name
    detail = api_get(client, "xinfang", f"/reports/{real.pk}").json()
    assert detail["reporter"] == "实名" and REAL_NAME.name not in str(detail)


def test_a_handler_gets_the_identity_after_the_head_approves_for_a_limited_time(real, client):
    handler = demo_actor("xzdengji")
    approval = services.request_identity(actor=handler, report_id=real.pk, reason="需核实举报人所述时间地点")
    assert approval.matter_type == "reporter_identity.request"
    with pytest.raises(NotPermitted):
        reveal_identity(handler, real.pk)
    approvals.decide(actor=demo_actor("shuji"), approval_id=approval.pk, decision="approve", comment="同意")
    grant = IdentityGrant.objects.get(report=real, user__username="xzdengji")
    assert grant.expires_at - grant.granted_at == timedelta(days=rules.IDENTITY_GRANT_DAYS)
    assert AuditEvent.objects.filter(action="reporter_identity.granted", target_id=str(real.pk)).exists()
    assert reveal_identity(handler, real.pk).name == REAL_NAME.name
    login(client, "xzdengji")
    assert REAL_NAME.name in client.post(f"/intake/{real.pk}/identity/").content.decode()
    with time_machine.travel(grant.expires_at + timedelta(minutes=1)), pytest.raises(NotPermitted):
        reveal_identity(handler, real.pk)


def test_a_rejected_request_grants_nothing(real):
    approval = services.request_identity(actor=demo_actor("xzdengji"), report_id=real.pk, reason="需要")
    approvals.decide(actor=demo_actor("shuji"), approval_id=approval.pk, decision="reject", comment="理由不足")
    assert not IdentityGrant.objects.exists()


def test_a_request_needs_a_reason_and_the_petition_office_needs_none(real):
    from xiezuoqu.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.request_identity(actor=demo_actor("xzdengji"), report_id=real.pk, reason=" ")
    with pytest.raises(RuleViolation):
        services.request_identity(actor=demo_actor("xinfang"), report_id=real.pk, reason="需要")


def test_an_anonymous_report_has_no_identity_to_request(demo):
    report = register("xzdengji")
    with pytest.raises(RuleViolation):
        services.request_identity(actor=demo_actor("zuzhang1"), report_id=report.pk, reason="需要")


def test_the_identity_page_of_a_grant_holder_is_refused_once_the_grant_expired(real, client):
    approval = services.request_identity(actor=demo_actor("zuzhang1"), report_id=real.pk, reason="需要核实")
    approvals.decide(actor=demo_actor("shuji"), approval_id=approval.pk, decision="approve")
    login(client, "zuzhang1")
    assert client.post(f"/intake/{real.pk}/identity/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=rules.IDENTITY_GRANT_DAYS, hours=1)):
        login(client, "zuzhang1")
        assert client.post(f"/intake/{real.pk}/identity/").status_code == 403
