"""Input the pages and the API cannot use is refused in Chinese (or, for a ledger filter, ignored) and
never reaches the database as a 500: the period of a changed sanction, the ledger's zone filter. And the
API's reads of terms are on record like the pages' (the ledger rows name people and cases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.intake.conftest import api_token, demo_actor, login
from tests.sanctions.conftest import announced, appealed, decided_with, decision_of, term_of, terms_of
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.cases.models import Case
from xiezuoqu.errors import ValidationFailed
from xiezuoqu.org.models import Zone
from xiezuoqu.sanctions.models import ChangeState, SanctionChange, SanctionTerm, TermState
from xiezuoqu.sanctions.rules import plus_months
from xiezuoqu.sanctions.selectors import LedgerFilters
from xiezuoqu.sanctions.services import ChangeInput, register_change

pytestmark = pytest.mark.django_db

# What a zone filter must not be read as: a superscript digit (``isdigit`` but not ``int``), an
# Arabic-Indic digit (``int`` reads it as 1), a number beyond any id (SQLite cannot even compare it),
# a sign, a decimal, zero.
UNREADABLE_ZONES = ("²", "١", "99999999999999999999999", "-1", "1.0", "0")


def _api(username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = api_token(User.objects.get(username=username))
    call = getattr(Client(), method)
    if method == "get":
        return call("/api/v1/sanctions" + path, HTTP_AUTHORIZATION=f"Bearer {token}")
    return call(
        "/api/v1/sanctions" + path, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _pending_change() -> tuple[Case, SanctionChange]:
    case = announced(decided_with("party_serious_warning"))
    return case, SanctionChange.objects.get(appeal=appealed(case, "changed"))


def _data(case: Case, *codes: str, months: int | None) -> ChangeInput:
    return ChangeInput(codes=codes, start=decision_of(case).decided_on, reference="凤纪复〔2026〕2号", months=months)


# --- the period of a changed sanction ------------------------------------------------------------------


def test_a_period_out_of_range_is_refused_with_a_field_error_and_nothing_is_registered(demo):
    case, change = _pending_change()
    for months in (-5, 0, 49, 70000):
        with pytest.raises(ValidationFailed, match="1 至 48 个月") as caught:
            register_change(
                actor=demo_actor("shenli"), change_id=change.pk, data=_data(case, "party_warning", months=months)
            )
        assert caught.value.field_errors["months"], months
    with pytest.raises(ValidationFailed, match="一年或者二年") as caught:
        register_change(actor=demo_actor("shenli"), change_id=change.pk, data=_data(case, "party_probation", months=36))
    assert "months" in caught.value.field_errors
    change.refresh_from_db()
    assert (change.state, change.months) == (ChangeState.PENDING, None)
    assert [t.state for t in terms_of(case)] == [TermState.SUPERSEDED]


def test_a_period_is_kept_only_for_a_sanction_that_takes_one(demo):
    case, change = _pending_change()
    # 党内警告 runs its statutory year: a period typed with it means nothing and is not kept.
    register_change(actor=demo_actor("shenli"), change_id=change.pk, data=_data(case, "party_warning", months=24))
    change.refresh_from_db()
    assert (change.state, change.months) == (ChangeState.REGISTERED, None)
    start = decision_of(case).decided_on
    warning = term_of(case, "party_warning")
    assert (warning.months, warning.end) == (12, plus_months(start, 12))

    case, change = _pending_change()
    register_change(actor=demo_actor("shenli"), change_id=change.pk, data=_data(case, "party_probation", months=24))
    change.refresh_from_db()
    assert change.months == 24
    probation = term_of(case, "party_probation")
    assert (probation.months, probation.end) == (24, plus_months(decision_of(case).decided_on, 24))


def test_the_page_refuses_a_period_it_cannot_use(demo):
    case, change = _pending_change()
    client = login(Client(), "shenli")
    start = decision_of(case).decided_on.isoformat()
    for codes, months, message in (
        ("party_warning", "-5", "期限请填写整数月数"),
        ("party_warning", "²", "期限请填写整数月数"),
        ("party_warning", "70000", "1 至 48 个月"),
        ("party_warning", "9" * 40, "1 至 48 个月"),
        ("party_warning", "49", "1 至 48 个月"),
        ("party_probation", "18", "一年或者二年"),
    ):
        response = client.post(
            f"/sanctions/changes/{change.pk}/",
            {"codes": [codes], "start": start, "reference": "凤纪复〔2026〕2号", "months": months},
            follow=True,
        )
        assert response.status_code == 200 and message in response.content.decode(), months
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING
    response = client.post(
        f"/sanctions/changes/{change.pk}/",
        {"codes": ["party_probation"], "start": start, "reference": "凤纪复〔2026〕2号", "months": "24"},
        follow=True,
    )
    assert "已登记变更后的处分" in response.content.decode()
    change.refresh_from_db()
    assert (change.state, change.months) == (ChangeState.REGISTERED, 24)


def test_the_api_refuses_a_period_out_of_range_as_problem_json(demo):
    case, change = _pending_change()
    body = {"codes": ["party_warning"], "start": decision_of(case).decided_on.isoformat(), "reference": "文号"}
    path = f"/changes/{change.pk}/registration"
    for months in (-5, 0, 49, 70000):
        response = _api("shenli", "post", path, {**body, "months": months})
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json", months
        assert "months" in response.json()["errors"]
    response = _api("shenli", "post", path, {**body, "codes": ["party_probation"], "months": 36})
    assert response.status_code == 422 and "一年或者二年" in response.json()["detail"]
    assert response.json()["errors"]["months"]
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING
    done = _api("shenli", "post", path, {**body, "months": 12})
    assert done.status_code == 201, done.content
    change.refresh_from_db()
    assert (change.state, change.months) == (ChangeState.REGISTERED, None)


# --- the ledger's zone filter ---------------------------------------------------------------------------


def test_the_zone_filter_reads_only_plain_digits(demo):
    assert LedgerFilters.of("", "", "12").zone == 12
    assert LedgerFilters.of("", "", " 7 ").zone == 7
    assert LedgerFilters.of("", "", "9" * 18).zone == int("9" * 18)
    assert LedgerFilters.of("", "", "9" * 19).zone is None
    for zone in (*UNREADABLE_ZONES, "", None):
        assert LedgerFilters.of("", "", zone).zone is None, zone


def _zones(term: SanctionTerm) -> tuple[int, int]:
    other = Zone.objects.filter(commission_id=term.commission_id).exclude(pk=term.case.zone_id).order_by("id").first()
    assert other is not None and term.case.zone_id is not None
    return term.case.zone_id, other.pk


def test_an_unreadable_zone_filter_is_ignored_by_the_ledger_and_the_export(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    own, other = _zones(term)
    client = login(Client(), "anguan")
    link = f"/sanctions/{term.pk}/"
    for zone in UNREADABLE_ZONES:
        page = client.get("/sanctions/", {"zone": zone})
        assert page.status_code == 200 and link in page.content.decode(), zone
        assert client.get("/sanctions/export.xlsx", {"zone": zone}).status_code == 200, zone
    # The filter still works when it can be read (so the check above is not vacuous).
    assert link in client.get("/sanctions/", {"zone": str(own)}).content.decode()
    assert link not in client.get("/sanctions/", {"zone": str(other)}).content.decode()


def test_the_api_refuses_a_zone_that_is_not_an_id(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    own, other = _zones(term)
    # ("1.0" the API's schema reads as 1, as it reads any integer-valued number.)
    for zone in [z for z in UNREADABLE_ZONES if z != "1.0"]:
        response = _api("anguan", "get", f"/terms?zone={zone}")
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json", zone
        assert "zone" in response.json()["errors"], zone
    listed = {item["id"] for item in _api("anguan", "get", f"/terms?zone={own}&limit=100").json()["items"]}
    assert term.pk in listed
    listed = {item["id"] for item in _api("anguan", "get", f"/terms?zone={other}&limit=100").json()["items"]}
    assert term.pk not in listed


# --- the API's reads on record ----------------------------------------------------------------------------


def _events(action: str, username: str) -> list[AuditEvent]:
    user = User.objects.get(username=username)
    events = AuditEvent.objects.filter(action=action, actor_id=user.pk, outcome=AuditEvent.Outcome.ALLOWED)
    return list(events.order_by("seq"))


def test_the_api_ledger_is_on_record_like_the_page(demo):
    term = term_of(decided_with("party_warning", "gov_demerit"), "party_warning")
    response = _api("zuzhang1", "get", "/terms?kind=party&limit=100")
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert term.pk in ids
    [event] = _events("sanction.ledger_viewed", "zuzhang1")
    assert event.detail["terms"] == ids and event.detail["filters"] == {"kind": "party"}
    assert event.target_type == "sanctions.sanctionterm"
    # The page records the same rows under the same filters.
    assert login(Client(), "zuzhang1").get("/sanctions/", {"kind": "party"}).status_code == 200
    page_event = _events("sanction.ledger_viewed", "zuzhang1")[-1]
    assert (page_event.detail["terms"], page_event.detail["filters"]) == (ids, {"kind": "party"})
    # Nothing shown, nothing to record.
    assert _api("zuzhang1", "get", "/terms?bucket=appeal").json()["items"] == []
    assert len(_events("sanction.ledger_viewed", "zuzhang1")) == 2


def test_the_api_term_is_on_record_like_the_page(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    assert _api("zuzhang1", "get", f"/terms/{term.pk}").status_code == 200
    [event] = _events("sanctionterm.viewed", "zuzhang1")
    assert (event.target_type, event.target_id) == ("sanctions.sanctionterm", str(term.pk))
    assert login(Client(), "zuzhang1").get(f"/sanctions/{term.pk}/").status_code == 200
    assert [e.target_id for e in _events("sanctionterm.viewed", "zuzhang1")] == [str(term.pk)] * 2
    # Out of reach: a 404, and no read on record (the refusal is, as a refusal).
    assert _api("xzshuji2", "get", f"/terms/{term.pk}").status_code == 404
    assert _events("sanctionterm.viewed", "xzshuji2") == []
