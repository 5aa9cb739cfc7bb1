"""The access matrix: every route of the URL conf and the API × every demo login × an object inside and
one outside the login's scope.

Generated from the URL conf, not listed by hand: each path parameter names the kind of object it takes
(``OBJECTS``) or a plain value (``VALUES``), so a new route is covered the day it is added — and a new
kind of parameter fails ``test_every_path_parameter_is_known`` until it is given its object. For each
login, the object "outside" is one its scope policy (``access.registry.POLICIES``) does not return:

- an object outside answers 403, 404 or 405 to GET and to POST, never a page, a file or a write (no
  ``allowed`` audit event is recorded by the attempt), and the refusal of a detail read is in the audit
  chain;
- an object inside never answers 5xx, whatever the route;
- an API list never holds a row outside the login's scope, and a new list that returns rows with ids
  fails until ``LISTS`` names its kind of object;
- no page or API answer carries a real-name reporter's telephone or ID number, except the identity
  view itself, and that only to those the rules allow (信访室, or a grant holder);
- with CSRF enforced, every POST without the token is refused and changes nothing.

The demo county with reports, casework and a small caseload is loaded once for the class (as in
tests/web/test_home.py), so every kind of object exists inside and outside someone's scope.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.test import Client, TestCase, override_settings
from django.urls import URLResolver, get_resolver

from xiezuoqu.access.actor import build_actor
from xiezuoqu.access.registry import POLICIES
from xiezuoqu.accounts.models import User
from xiezuoqu.audit.models import AuditEvent
from xiezuoqu.demo.caseload import load_demo_caseload
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.data import DEMO_LOGINS
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.demo.inspections import load_demo_inspections
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.screening import load_demo_screening
from xiezuoqu.demo.services import load_demo

# One login of every role, and a second zone leader and township secretary (another zone, another township).
LOGINS = [*{role: username for username, role, _ in reversed(DEMO_LOGINS)}.values(), "zuzhang2", "xzshuji2"]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

# Each path parameter → the kind of object it takes, and (for kinds without a policy of their own) the
# field that leads to the object whose policy decides.
OBJECTS: dict[str, tuple[str, str]] = {
    "approval_id": ("approvals.ApprovalRequest", ""),
    "attachment_id": ("public.Attachment", ""),
    "appeal_id": ("cases.Appeal", "case"),
    "assignment_id": ("inspections.Assignment", ""),
    "booking_id": ("funds.Booking", ""),
    "budget_id": ("funds.ZoneBudget", ""),
    "campaign_id": ("inspections.Campaign", ""),
    "claim_id": ("funds.Claim", ""),
    "finding_id": ("inspections.Finding", ""),
    "hit_id": ("screening.Hit", ""),
    "ledger_id": ("statistics.MonthlyLedger", ""),
    "receipt_id": ("funds.Receipt", ""),
    "rectification_id": ("inspections.Rectification", ""),
    "vehicle_id": ("funds.Vehicle", ""),
    "case_id": ("cases.Case", ""),
    "change_id": ("sanctions.SanctionChange", ""),
    "clearing_id": ("clearing.Clearing", ""),
    "clue_id": ("clues.Clue", ""),
    "deadline_id": ("deadlines.Deadline", ""),
    "decision_id": ("cases.PersonDecision", "case"),
    "demand_id": ("recusal.RecusalDemand", ""),
    "detention_id": ("cases.Detention", "case"),
    "evidence_id": ("verification.EvidenceItem", ""),
    "flag_id": ("clearing.FalseAccusationFlag", ""),
    "follow_up_id": ("meetings.FollowUp", ""),
    "item_id": ("meetings.AgendaItem", ""),
    "measure_id": ("verification.Measure", ""),
    "meeting_id": ("meetings.Meeting", ""),
    "package_id": ("archive.ArchivePackage", ""),
    "proposal_id": ("filing.FilingProposal", ""),
    "recusal_id": ("recusal.Recusal", ""),
    "report_id": ("intake.Report", ""),
    "request_id": ("teams.HandlingRequest", ""),
    "seq": ("audit.AuditEvent", ""),
    "seat_id": ("teams.TeamMember", ""),
    "slip_id": ("deadlines.SupervisionSlip", ""),
    "staff_id": ("org.StaffMember", ""),
    "subject_id": ("clues.Subject", ""),
    "team_id": ("teams.Team", ""),
    "term_id": ("sanctions.SanctionTerm", ""),
    "token_id": ("accounts.ApiToken", ""),
    "unit_id": ("org.Unit", ""),
    "user_id": ("accounts.User", ""),
    "verification_id": ("verification.Verification", ""),
    "zone_id": ("org.Zone", ""),
}
# Parameters that are values, not objects in anyone's scope (the reporter's own question is reached by
# the receipt code held in the anonymous reporter's session, not by a login).
MISSING = "987654321"  # no object has this id
VALUES: dict[str, str] = {"day": "2026-10-01", "matter_type": "case_filing", "question_id": "1"}

# API lists → the kind of object their rows are (the rows' ``id``).
LISTS: dict[str, str] = {
    "/api/v1/accounts/tokens": "accounts.ApiToken",
    "/api/v1/approvals/chains": "approvals.ApprovalChain",
    "/api/v1/approvals/requests": "approvals.ApprovalRequest",
    "/api/v1/audit/events": "audit.AuditEvent",
    "/api/v1/calendar/years": "workdays.CalendarYear",
    "/api/v1/cases/": "cases.Case",
    "/api/v1/clearing/": "clearing.Clearing",
    "/api/v1/clues/": "clues.Clue",
    "/api/v1/deadlines/overdue": "deadlines.Deadline",
    "/api/v1/deadlines/queue": "deadlines.Deadline",
    "/api/v1/filing/": "filing.FilingProposal",
    "/api/v1/funds/bookings": "funds.Booking",
    "/api/v1/funds/budgets": "funds.ZoneBudget",
    "/api/v1/funds/claims": "funds.Claim",
    "/api/v1/funds/vehicles": "funds.Vehicle",
    "/api/v1/inspections/campaigns": "inspections.Campaign",
    "/api/v1/intake/notifications": "intake.Notification",
    "/api/v1/intake/received": "intake.Report",
    "/api/v1/intake/reports": "intake.Report",
    "/api/v1/meetings/": "meetings.Meeting",
    "/api/v1/meetings/schedules": "meetings.RegularSchedule",
    "/api/v1/org/mentoring-pairs": "org.MentoringPair",
    "/api/v1/org/staff": "org.StaffMember",
    "/api/v1/org/units": "org.Unit",
    "/api/v1/org/village-supervisors": "org.VillageSupervisor",
    "/api/v1/org/villages": "org.Village",
    "/api/v1/org/zones": "org.Zone",
    "/api/v1/sanctions/terms": "sanctions.SanctionTerm",
    "/api/v1/screening/hits": "screening.Hit",
    "/api/v1/screening/imports": "screening.ImportBatch",
    "/api/v1/teams/workload/": "org.StaffMember",
    "/api/v1/verification/": "verification.Verification",
    "/api/v1/verification/measures": "verification.Measure",
}


@dataclass(frozen=True)
class Route:
    pattern: str  # "/clues/<int:clue_id>/"
    name: str
    params: tuple[str, ...]

    def url(self, values: dict[str, Any]) -> str:
        return PARAM.sub(lambda m: str(values[m.group(1)]), self.pattern)


def routes() -> list[Route]:
    def walk(resolver: Any, prefix: str) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            else:
                pattern = "/" + prefix + str(entry.pattern)
                yield Route(pattern, entry.name or "", tuple(PARAM.findall(pattern)))

    return [r for r in walk(get_resolver(), "") if "^" not in r.pattern and "(?P" not in r.pattern]


def _model(label: str) -> Any:
    return apps.get_model(label)


def visible_pks(actor: Any, param: str) -> tuple[set[Any], set[Any]]:
    """(inside, all) primary keys of the parameter's kind of object for this actor."""
    label, via = OBJECTS[param]
    model = _model(label)
    everything = set(model._default_manager.values_list("pk", flat=True))
    if via:
        parent = model._meta.get_field(via).related_model
        inside = set(
            model._default_manager.filter(**{f"{via}__in": POLICIES[parent].scope(actor)}).values_list("pk", flat=True)
        )
    else:
        inside = set(POLICIES[model].scope(actor).values_list("pk", flat=True))
    if label == "audit.AuditEvent":  # the route takes the chain's sequence number, not the row's id
        by_pk = dict(model._default_manager.values_list("pk", "seq"))
        return {by_pk[pk] for pk in inside}, set(by_pk.values())
    return inside, everything


def rows(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict):
        payload = payload.get("items", payload.get("results"))
    if isinstance(payload, list):
        return [row for row in payload if isinstance(row, dict)]
    return []


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="xiezuoqu-matrix-"))
class RouteMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_demo()
        load_demo_reports(count=60)
        load_demo_casework()
        load_demo_caseload(cases=8)
        load_demo_funds()
        load_demo_inspections()
        load_demo_screening()

    def login(self, username: str, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        client.force_login(User.objects.get(username=username))
        return client

    def test_every_list_named_is_a_route(self) -> None:
        assert set(LISTS) <= {r.pattern for r in routes()}, set(LISTS) - {r.pattern for r in routes()}

    def test_every_path_parameter_is_known(self) -> None:
        unknown = {p for r in routes() for p in r.params if p not in OBJECTS and p not in VALUES}
        assert not unknown, f"new path parameters need an entry in OBJECTS or VALUES: {sorted(unknown)}"
        for label, via in OBJECTS.values():
            model = _model(label)
            assert model in POLICIES or (via and model._meta.get_field(via).related_model in POLICIES), label

    def test_an_object_outside_the_scope_is_refused_to_every_login_on_every_route(self) -> None:
        object_routes = [r for r in routes() if any(p in OBJECTS for p in r.params)]
        assert len(object_routes) > 150  # the walk found the URL conf and the API
        problems: list[str] = []
        for username in LOGINS:
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            sets = {p: visible_pks(actor, p) for p in OBJECTS}
            allowed_before = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.ALLOWED).count()
            for route in object_routes:
                primary = next(p for p in route.params if p in OBJECTS)
                inside, everything = sets[primary]
                outside = sorted(everything - inside, key=str)
                if not outside:
                    continue
                values = {p: VALUES.get(p) or min(sets[p][1] or {1}, key=str) for p in route.params}
                values[primary] = outside[0]
                url = route.url(values)
                for method in ("get", "post"):
                    answer = getattr(client, method)(url)
                    if answer.status_code in (403, 404, 405):
                        continue
                    # A POST whose body is checked before its object (400/422 for an empty form) must
                    # answer an object outside exactly as an object that does not exist: nothing told.
                    missing = getattr(client, method)(route.url({**values, primary: MISSING}))
                    same = (answer.status_code, answer.get("Location", "").replace(str(outside[0]), "#")) == (
                        missing.status_code,
                        missing.get("Location", "").replace(MISSING, "#"),
                    )
                    if method == "get" or not same or answer.status_code < 300:
                        problems.append(f"{username} {method.upper()} {url} → {answer.status_code}")
            allowed_after = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.ALLOWED).count()
            if allowed_after != allowed_before:
                problems.append(f"{username}: {allowed_after - allowed_before} change(s) on objects outside the scope")
        assert not problems, "\n".join(problems[:60])

    def test_a_refused_detail_read_is_in_the_audit_chain(self) -> None:
        details = [
            "/clues/<int:clue_id>/",
            "/cases/<int:case_id>/",
            "/intake/<int:report_id>/",
            "/verification/<int:verification_id>/",
            "/api/v1/clues/<clue_id>",
            "/api/v1/cases/<case_id>",
            "/api/v1/intake/reports/<report_id>",
        ]
        for username in ("xzshuji", "zuzhang1", "jianchashi1", "dengji"):
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            for pattern in details:
                (param,) = PARAM.findall(pattern)
                inside, everything = visible_pks(actor, param)
                if not everything - inside:
                    continue
                outside = min(everything - inside)
                url = PARAM.sub(str(outside), pattern)
                before = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.REFUSED, target_id=str(outside)).count()
                assert client.get(url).status_code == 404, (username, url)
                after = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.REFUSED, target_id=str(outside)).count()
                assert after == before + 1, (username, url)

    def test_an_object_inside_the_scope_never_answers_5xx(self) -> None:
        problems: list[str] = []
        for username in LOGINS:
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            sets = {p: visible_pks(actor, p) for p in OBJECTS}
            for route in routes():
                if any(p in OBJECTS and not sets[p][0] for p in route.params):
                    continue
                values = {p: VALUES.get(p) or min(sets[p][0], key=str) for p in route.params}
                answer = client.get(route.url(values))
                if answer.status_code >= 500:
                    problems.append(f"{username} GET {route.url(values)} → {answer.status_code}")
        assert not problems, "\n".join(problems[:60])

    def test_api_lists_hold_only_rows_inside_the_scope(self) -> None:
        lists = [r for r in routes() if r.pattern.startswith("/api/") and not r.params]
        for username in LOGINS:
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            for route in lists:
                answer = client.get(route.pattern)
                if answer.status_code != 200 or not answer.get("Content-Type", "").startswith("application/json"):
                    continue
                items = [row for row in rows(answer.json()) if "id" in row]
                if not items:
                    continue
                assert route.pattern in LISTS, f"{route.pattern} lists rows: name their kind of object in LISTS"
                model = _model(LISTS[route.pattern])
                inside = set(POLICIES[model].scope(actor).values_list("pk", flat=True))
                if model is AuditEvent:
                    inside = set(AuditEvent.objects.filter(pk__in=inside).values_list("seq", flat=True))
                    ids = {row.get("seq", row["id"]) for row in items}
                else:
                    ids = {row["id"] for row in items}
                assert ids <= inside, (username, route.pattern, sorted(ids - inside)[:5])

    def test_no_answer_carries_a_real_name_reporters_contact_except_the_identity_view_to_those_allowed(self) -> None:
        from xiezuoqu.intake.models import ReporterIdentity
        from xiezuoqu.intake.selectors import may_view_identity

        secrets: dict[int, list[str]] = {}
        for identity in ReporterIdentity.objects.select_related("report"):
            plain = identity.opened()
            found = [v for v in (plain["phone"], plain["id_number"]) if v and len(v) >= 7]
            if found:
                secrets[identity.report_id] = found
        assert secrets, "the demo has real-name reporters"
        identity_routes = {"/intake/<int:report_id>/identity/", "/api/v1/intake/reports/<report_id>/identity"}
        report_routes = [r for r in routes() if "report_id" in r.params and "post" not in r.name]
        for username in LOGINS:
            client = self.login(username)
            actor = build_actor(User.objects.get(username=username))
            inside, _ = visible_pks(actor, "report_id")
            for report_id in sorted(set(secrets) & inside)[:3]:
                from xiezuoqu.intake.models import Report

                allowed = may_view_identity(actor, Report.objects.get(pk=report_id))
                for route in report_routes:
                    body = client.get(route.url({"report_id": report_id})).content.decode(errors="replace")
                    leaked = any(secret in body for secret in secrets[report_id])
                    if route.pattern in identity_routes and allowed:
                        continue
                    assert not leaked, (username, route.pattern, report_id)

    def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(self) -> None:
        client = self.login("anguan", enforce_csrf_checks=True)
        actor = build_actor(User.objects.get(username="anguan"))
        sets = {p: visible_pks(actor, p) for p in OBJECTS}
        allowed = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.ALLOWED).count()
        for route in routes():
            if route.pattern.startswith("/report/") or route.name in ("login", "login_totp"):
                continue  # the anonymous portal and login carry their own token check (tests/public, tests/accounts)
            values = {p: VALUES.get(p) or min(sets[p][0] or sets[p][1] or {1}, key=str) for p in route.params}
            answer = client.post(route.url(values))
            assert answer.status_code in (401, 403, 405), (route.pattern, answer.status_code)
        # Refusals may be recorded; nothing is done.
        assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.ALLOWED).count() == allowed
