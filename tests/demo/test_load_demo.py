"""``load_demo`` is idempotent, fills in only what is missing, records itself once, and never touches a
real commission."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xiezuoqu.accounts.models import RoleAssignment, User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.demo.services import load_demo
from xiezuoqu.errors import RuleViolation
from xiezuoqu.org.models import (
    Commission,
    DeclaredRelationship,
    MentoringPair,
    StaffMember,
    Unit,
    Village,
    VillageSupervisor,
    Zone,
    ZoneDeputy,
    ZoneMembership,
)

pytestmark = pytest.mark.django_db

COUNTED = [
    Commission,
    Unit,
    Village,
    StaffMember,
    Zone,
    ZoneMembership,
    ZoneDeputy,
    DeclaredRelationship,
    MentoringPair,
    VillageSupervisor,
    User,
    RoleAssignment,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_a_second_run_creates_nothing_and_records_nothing(demo):
    """On a loaded county, ``load_demo`` finds every row by its natural key and writes nothing."""
    before = counts()
    events = AuditEvent.objects.count()
    summary = load_demo()
    assert summary.created == {}
    assert summary.created_total == 0
    assert counts() == before
    assert AuditEvent.objects.count() == events


def test_the_load_is_recorded_once_with_its_counts(demo):
    """The load that created the county wrote one ``demo.loaded`` event, without actor, with its counts."""
    commission = Commission.objects.get(name="凤城市纪委监委")
    event = AuditEvent.objects.get(action="demo.loaded", target_id=str(commission.pk))
    assert event.actor_id is None
    assert event.commission_id == commission.pk
    created = event.detail["created"]
    assert created["纪委监委"] == 1
    assert created["干部"] == StaffMember.objects.filter(commission=commission).count()
    assert created["协作区"] == 4


def test_missing_rows_are_filled_in_and_nothing_else(demo):
    """Rows removed since the last load are recreated; everything present is left alone."""
    pair = MentoringPair.objects.filter(end_date__isnull=True).first()
    tie = DeclaredRelationship.objects.filter(kind=DeclaredRelationship.Kind.FORMER_POSTING).first()
    RoleAssignment.objects.filter(user__username="xinfang").delete()
    pair.delete()
    tie.delete()
    before = counts()
    summary = load_demo()
    assert summary.created == {"一帮二结对": 1, "利害关系申报": 1, "角色授予": 1}
    after = counts()
    assert after["MentoringPair"] == before["MentoringPair"] + 1
    assert after["DeclaredRelationship"] == before["DeclaredRelationship"] + 1
    assert after["RoleAssignment"] == before["RoleAssignment"] + 1
    assert AuditEvent.objects.filter(action="demo.loaded").count() == 2


def test_an_account_of_the_same_name_that_is_not_a_demo_account_is_left_alone(demo):
    """A real account that happens to be called like a demo login gets no demo role."""
    real = User.objects.get(username="anguan")
    User.objects.filter(pk=real.pk).update(is_demo=False)
    RoleAssignment.objects.filter(user=real).delete()
    load_demo()
    assert not RoleAssignment.objects.filter(user=real).exists()


def test_a_real_commission_of_the_same_name_is_refused(demo):
    """Demo data is never loaded into a commission that is not marked as demo."""
    Commission.objects.filter(name="凤城市纪委监委").update(is_demo=False)
    with pytest.raises(RuleViolation, match="非演示"):
        load_demo()


def test_the_command_reports_what_it_did(demo):
    """``xiezuoqu load_demo`` prints a one-line summary, and refuses cleanly where the service does."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "演示数据已齐全" in out.getvalue()
    Commission.objects.filter(name="凤城市纪委监委").update(is_demo=False)
    with pytest.raises(CommandError, match="非演示"):
        call_command("load_demo", stdout=StringIO())
