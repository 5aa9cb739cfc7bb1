"""A term is seen by whoever sees its case: a cadre outside the zone never sees it, and a cadre who
withdrew from the matter (回避) loses it at once — on the ledger, the term's page, the API and the
export alike (each checked before the recusal too, so the check cannot pass vacuously)."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tests.intake.conftest import api_token, demo_actor, login
from tests.sanctions.conftest import announced, appealed, day_after, decided_with, term_of
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.models import User
from xiezuoqu.recusal.services import withdraw_self
from xiezuoqu.sanctions.models import ChangeState, Outcome, SanctionChange, SanctionFollowUp, SanctionTerm
from xiezuoqu.sanctions.selectors import can_view_term, terms_visible_to
from xiezuoqu.sanctions.services import FollowUpInput, record_follow_up

pytestmark = pytest.mark.django_db


def _sees(username: str, term: SanctionTerm) -> dict[str, bool]:
    """Whether ``username`` finds the term on each surface."""
    client = login(Client(), username)
    ledger = client.get("/sanctions/").content.decode()
    page = client.get(f"/sanctions/{term.pk}/")
    export = load_workbook(io.BytesIO(client.get("/sanctions/export.xlsx").content)).active
    assert export is not None
    numbers = {row[1] for row in export.iter_rows(min_row=3, values_only=True)}
    token = api_token(User.objects.get(username=username))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = Client().get("/api/v1/sanctions/terms?limit=100", **auth).json()["items"]
    one = Client().get(f"/api/v1/sanctions/terms/{term.pk}", **auth)
    assert page.status_code in (200, 404) and one.status_code in (200, 404)
    return {
        "ledger": f"/sanctions/{term.pk}/" in ledger,
        "page": page.status_code == 200,
        "export": term.case.case_number in numbers,
        "api_list": term.pk in {item["id"] for item in listed},
        "api_detail": one.status_code == 200,
        "selector": terms_visible_to(demo_actor(username)).filter(pk=term.pk).exists(),
        "predicate": can_view_term(demo_actor(username), term),
    }


ALL = dict.fromkeys(("ledger", "page", "export", "api_list", "api_detail", "selector", "predicate"), True)
NONE = dict.fromkeys(ALL, False)


def test_the_handling_unit_zone_and_case_management_see_the_term_and_other_zones_do_not(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    for username in ("xzshuji", "zuzhang1", "anguan"):
        assert _sees(username, term) == ALL, username
    for username in ("xzshuji2", "xzshuji3"):
        assert _sees(username, term) == NONE, username


def test_a_recused_cadre_loses_the_term_everywhere(demo):
    term = term_of(decided_with("party_warning"), "party_warning")
    assert _sees("anguan", term) == ALL
    withdraw_self(
        actor=demo_actor("anguan"), clue_id=term.case.clue_id, ground="kin_of_subject", detail="系被审查调查人的表兄。"
    )
    assert _sees("anguan", term) == NONE
    page = login(Client(), "anguan").get(f"/cases/{term.case_id}/")
    assert page.status_code == 404


def _policy_sees(username: str, obj: SanctionTerm | SanctionFollowUp | SanctionChange) -> bool:
    """Whether the registry's policy lets ``username`` see ``obj``, once its scope queryset and its
    predicate have been checked to agree on every row of the type (as tests/access/test_scope_matrix)."""
    policy = POLICIES[type(obj)]
    actor = demo_actor(username)
    model = type(obj)
    scoped = set(policy.scope(actor).values_list("pk", flat=True))
    predicate = {row.pk for row in model._default_manager.all() if policy.can_view(actor, row)}
    assert scoped == predicate, f"{username} × {model.__name__}: scope and predicate disagree"
    return obj.pk in scoped


def test_follow_ups_and_changes_are_seen_by_whoever_sees_the_case_under_the_registry_policies(demo):
    """The demo county has no follow-up and no change, so the scope matrix compares those two policies
    on empty tables; here a case of zone 1 carries both."""
    case = announced(decided_with("party_warning", "gov_demerit"))
    warning = term_of(case, "party_warning")
    with time_machine.travel(day_after(warning), tick=False):
        follow_up = record_follow_up(
            actor=demo_actor("xzshuji"),
            term_id=warning.pk,
            data=FollowUpInput(outcome=Outcome.LAPSED, decided_on=day_after(warning).date()),
        )
        change = SanctionChange.objects.get(appeal=appealed(case, "changed"))
    assert change.state == ChangeState.PENDING
    objects = (warning, follow_up, change)
    for username in ("xzshuji", "zuzhang1", "anguan"):  # the handling side, the zone, case management
        assert [_policy_sees(username, obj) for obj in objects] == [True] * 3, username
    for username in ("xzshuji2", "xzshuji3"):  # other zones
        assert [_policy_sees(username, obj) for obj in objects] == [False] * 3, username
    withdraw_self(
        actor=demo_actor("anguan"), clue_id=case.clue_id, ground="kin_of_subject", detail="系被审查调查人的表兄。"
    )
    assert [_policy_sees("anguan", obj) for obj in objects] == [False] * 3
    assert [_policy_sees("zuzhang1", obj) for obj in objects] == [True] * 3  # the recusal is anguan's alone
