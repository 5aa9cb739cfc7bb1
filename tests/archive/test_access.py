"""Building an archive package is a sensitive action on record, for whoever sees the matter and holds
案管, 纪委书记 or 分管领导, or works it; the package is recorded (SHA-256, SM3, size) and kept, so a
download returns exactly what was built. Everyone else is refused: 404 outside the scope, 403 inside."""

from __future__ import annotations

import hashlib

import pytest

from tests.archive.conftest import closed_clue, filed_case
from tests.clues.conftest import demo_actor
from tests.verification.conftest import confirmed_team
from xiezuoqu.archive import services
from xiezuoqu.archive.models import ArchivePackage
from xiezuoqu.archive.package import verify_package
from xiezuoqu.archive.selectors import may_build, packages_visible_to
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.errors import InvalidTransition, NotFound, NotPermitted, RuleViolation, ValidationFailed
from xiezuoqu.public.files import sm3_hex

pytestmark = pytest.mark.django_db

OFFICE = "第一纪检监察室"


@pytest.fixture
def case(demo):
    return filed_case()


@pytest.mark.parametrize("username", ["anguan", "shuji", "fenguan", "xzshuji", "zuzhang1"])
def test_case_management_leadership_and_those_who_work_the_matter_build(case, username):
    filename, data = services.build_archive_package(actor=demo_actor(username), case_id=case.pk)
    assert filename.startswith(f"归档包-{case.case_number}-") and filename.endswith(".zip")
    package = ArchivePackage.objects.get()
    assert (package.sha256, package.sm3, package.size) == (hashlib.sha256(data).hexdigest(), sm3_hex(data), len(data))
    assert package.case == case and package.clue == case.clue and package.built_by.username == username
    event = AuditEvent.objects.get(action="archive.package_built")
    assert event.actor_name == username and event.target_id == str(package.pk)
    assert event.detail["sha256"] == package.sha256 and event.detail["number"] == case.case_number


def test_the_download_is_the_package_as_built_and_on_record(case):
    _name, data = services.build_archive_package(actor=demo_actor("anguan"), case_id=case.pk)
    package = ArchivePackage.objects.get()
    filename, again = services.download_package(actor=demo_actor("xzshuji"), package_id=package.pk)
    assert again == data and filename == package.filename
    assert AuditEvent.objects.filter(action="archive.package_downloaded", actor_name="xzshuji").exists()
    assert verify_package(again, check_live=True).ok


def test_an_outsider_gets_not_found(case):
    with pytest.raises(NotFound):
        services.build_archive_package(actor=demo_actor("xzshuji2"), case_id=case.pk)
    services.build_archive_package(actor=demo_actor("anguan"), case_id=case.pk)
    package = ArchivePackage.objects.get()
    with pytest.raises(NotFound):
        services.download_package(actor=demo_actor("xzshuji2"), package_id=package.pk)
    assert not packages_visible_to(demo_actor("xzshuji2")).exists()


@pytest.mark.parametrize("username", ["xitong", "anquan", "shenji"])
def test_the_administrators_see_no_package(case, username):
    services.build_archive_package(actor=demo_actor("anguan"), case_id=case.pk)
    with pytest.raises(NotFound):
        services.build_archive_package(actor=demo_actor(username), case_id=case.pk)
    assert not packages_visible_to(demo_actor(username)).exists()


def test_a_township_cadre_on_the_team_who_does_not_work_the_matter_is_refused(demo):
    """宝山's cadre sits on the team of a matter of zone 1's inspection office: sees it, but does not
    handle it (``may_work``: the handling unit's staff and the zone's leadership and office)."""
    clue = closed_clue(username="jianchashi1", unit=OFFICE)
    confirmed_team(clue, ("jianchashi1", "xzganbu"))
    assert may_build(demo_actor("jianchashi1"), clue) and not may_build(demo_actor("xzganbu"), clue)
    with pytest.raises(NotPermitted, match="限于案件监督管理室"):
        services.build_archive_package(actor=demo_actor("xzganbu"), clue_id=clue.pk)
    services.build_archive_package(actor=demo_actor("jianchashi1"), clue_id=clue.pk)
    package = ArchivePackage.objects.get()
    assert packages_visible_to(demo_actor("xzganbu")).filter(pk=package.pk).exists()
    with pytest.raises(NotPermitted):
        services.download_package(actor=demo_actor("xzganbu"), package_id=package.pk)
    assert not ArchivePackage.objects.filter(built_by__username="xzganbu").exists()


def test_a_clue_is_archived_on_its_own_only_when_closed_without_a_case(case):
    with pytest.raises(RuleViolation, match="已立案"):
        services.build_archive_package(actor=demo_actor("anguan"), clue_id=case.clue_id)
    from tests.clues.conftest import analysed, open_other

    open_clue = analysed(open_other())
    with pytest.raises(InvalidTransition, match="予以了结后才能单独归档"):
        services.build_archive_package(actor=demo_actor("anguan"), clue_id=open_clue.pk)
    with pytest.raises(ValidationFailed):
        services.build_archive_package(actor=demo_actor("anguan"))
    assert not ArchivePackage.objects.exists()


def test_verifying_an_upload_names_the_record_it_matches(case):
    _name, data = services.build_archive_package(actor=demo_actor("anguan"), case_id=case.pk)
    result, records = services.verify_uploaded(actor=demo_actor("xzshuji"), data=data)
    assert result.ok and result.live_checked
    assert [r.pk for r in records] == [ArchivePackage.objects.get().pk]
    event = AuditEvent.objects.get(action="archive.package_verified")
    assert event.detail["ok"] is True and event.detail["sha256"] == result.sha256
    # Someone who cannot see the matter learns whether the package is intact, not whose it is.
    result, records = services.verify_uploaded(actor=demo_actor("xzshuji2"), data=data)
    assert result.ok and records == []
