"""The scope of every protected object type agrees with its predicate, for every role of the demo.

One place of truth: ``policy.scope(actor)`` (what lists, exports and the API show) and
``policy.can_view(actor, obj)`` (what a detail page allows) must pick exactly the same rows.
"""

from __future__ import annotations

import pytest

from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.roles import Role
from xiezuoqu.demo.data import DEMO_LOGINS

pytestmark = pytest.mark.django_db

LOGINS = [username for username, _, _ in DEMO_LOGINS]


def test_every_role_has_a_demo_login(demo):
    covered = set()
    for username in LOGINS:
        covered |= demo.actor(username).roles
    assert covered >= set(Role.values)


def test_every_object_type_is_under_a_policy():
    from xiezuoqu.accounts.models import ApiToken, User
    from xiezuoqu.audit.models import AuditEvent
    from xiezuoqu.org import models as org

    expected = {
        org.Unit,
        org.Village,
        org.Zone,
        org.ZoneMembership,
        org.StaffMember,
        org.DeclaredRelationship,
        org.MentoringPair,
        org.VillageSupervisor,
        User,
        ApiToken,
        AuditEvent,
    }
    assert expected <= set(POLICIES)


@pytest.mark.parametrize("username", LOGINS)
def test_scope_and_predicate_agree_for_every_object_type(demo, username):
    actor = demo.actor(username)
    for model, policy in POLICIES.items():
        scoped = set(policy.scope(actor).values_list("pk", flat=True))
        predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
        assert scoped == predicate, f"{username} × {model.__name__}: scope and predicate disagree"


def _visible(demo, username, model):
    return POLICIES[model].scope(demo.actor(username))


def test_administrators_see_no_case_matter_and_the_audit_log_is_the_auditors_alone(demo):
    from xiezuoqu.audit.models import AuditEvent
    from xiezuoqu.org.models import DeclaredRelationship

    for admin in ("xitong", "anquan"):
        assert not _visible(demo, admin, AuditEvent).exists()
        assert not _visible(demo, admin, DeclaredRelationship).exists()
    assert _visible(demo, "shenji", AuditEvent).exists()
    for model, policy in POLICIES.items():
        if getattr(policy, "case_content", False):
            for admin in ("xitong", "anquan", "shenji"):
                assert not _visible(demo, admin, model).exists(), model


def test_a_village_supervisor_sees_the_org_chart_but_no_people(demo):
    from xiezuoqu.org.models import StaffMember, VillageSupervisor, Zone

    assert _visible(demo, "jianduyuan", Zone).count() == 4
    assert not _visible(demo, "jianduyuan", StaffMember).exists()
    assert list(_visible(demo, "jianduyuan", VillageSupervisor)) == [demo.user("jianduyuan").village_supervisor]


def test_township_staff_see_their_own_unit_zone_roles_their_zone_leaders_everything(demo):
    from xiezuoqu.org.models import VillageSupervisor

    township = set(_visible(demo, "xzganbu", VillageSupervisor).values_list("village__township_id", flat=True))
    assert township <= set(demo.actor("xzganbu").role_unit_ids)
    zone = set(_visible(demo, "jianchashi1", VillageSupervisor).values_list("pk", flat=True))
    everyone = set(_visible(demo, "shuji", VillageSupervisor).values_list("pk", flat=True))
    assert set(_visible(demo, "xzganbu", VillageSupervisor).values_list("pk", flat=True)) < zone < everyone


def test_declared_relationships_are_seen_by_the_declarant_leadership_and_zone_leaders_only(demo):
    from xiezuoqu.org.models import DeclaredRelationship

    all_rows = DeclaredRelationship.objects.count()
    assert _visible(demo, "shuji", DeclaredRelationship).count() == all_rows
    zone_leader = set(_visible(demo, "zuzhang1", DeclaredRelationship).values_list("pk", flat=True))
    assert 0 < len(zone_leader) < all_rows
    for username in ("xinfang", "anguan", "shenli", "dengji", "jianduyuan"):
        own = demo.user(username).staff_id
        assert set(_visible(demo, username, DeclaredRelationship).values_list("staff_id", flat=True)) <= {own}


def test_scope_and_predicate_agree_with_a_demo_year_of_reports_and_clues(demo):
    """The same agreement with case matters present: reports, identities, deadlines, clues, subjects,
    teams, recusal records, verifications with measures and evidence, meetings, filing, cases in all four
    zones at different stages (a small demo caseload), clearings, inquiries."""
    from xiezuoqu.demo.caseload import load_demo_caseload
    from xiezuoqu.demo.casework import load_demo_casework
    from xiezuoqu.demo.reports import load_demo_reports

    summary = load_demo_reports(count=60)
    assert summary.created == 60 and summary.clues > 0
    casework = load_demo_casework()
    assert casework.cases == 1 and casework.verifications == 2 and casework.clearings == 1
    caseload = load_demo_caseload(cases=4)
    assert caseload.cases == 4 and caseload.verifications > 4 and caseload.inquiries > 0
    for username in _first_and_last_of_each_kind(demo):
        actor = demo.actor(username)
        for model, policy in POLICIES.items():
            scoped = set(policy.scope(actor).values_list("pk", flat=True))
            predicate = {obj.pk for obj in model._default_manager.all() if policy.can_view(actor, obj)}
            assert scoped == predicate, f"{username} × {model.__name__}: scope and predicate disagree"
            if policy.case_content and actor.is_admin:
                assert not scoped, f"{username} (administrator) sees {model.__name__}"


def _first_and_last_of_each_kind(demo) -> list[str]:
    """The first and the last login holding each set of roles: every role, zone 1's and zone 4's
    leadership and office, a township of zone 1 and one of zone 4. (The predicate is evaluated row by row,
    so the check above, with a year of matters, runs for these; the parametrized test runs every login.)"""
    kinds: dict[frozenset[str], list[str]] = {}
    for username in LOGINS:
        kinds.setdefault(frozenset(demo.actor(username).roles), []).append(username)
    return sorted({name for names in kinds.values() for name in (names[0], names[-1])}, key=LOGINS.index)
