"""schemathesis over the served OpenAPI document (issue 16), logged in as three demo roles.

The document is loaded from the application itself (``/api/v1/openapi.json``) and every operation in it
is called through schemathesis' WSGI transport, with the Django test client's handler as the application
(CSRF is the test client's: not enforced; the session is the login's real session cookie). Logins: the
commission head, a zone leader and a township secretary, on the demo county with its casework, caseload
and funds (``DemoCountyApiTestCase`` of the hypothesis fuzzer). Every answer must pass:

- ``not_a_server_error`` — never a 5xx;
- ``status_code_conformance`` — only statuses the operation documents;
- ``content_type_conformance`` and ``response_schema_conformance`` — the body is what the document says;
- ``problem_in_chinese`` (here) — every 4xx is ``application/problem+json`` with its own ``status``, a
  ``title`` and a ``detail`` in Chinese.

Inputs are schemathesis' positive data (valid by the document), half of them with the path ids of real
demo objects (inside and outside the login's scope) so the handlers run past the 404. Hypothesis is
derandomized and bounded to ``EXAMPLES`` per login and operation; each example runs in a savepoint rolled
back afterwards, so no write leaks into the next. Every failure is collected and reported, one test per
router.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import schemathesis
from django.conf import settings as django_settings
from django.core.signals import got_request_exception
from django.db import transaction
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import tests.battery.test_api_fuzz as fuzz
from tests.access.test_route_matrix import VALUES

EXAMPLES = int(os.environ.get("XIEZUOQU_SCHEMATHESIS_EXAMPLES", "6"))  # per login and operation


class ClientHandlerApp:
    """A WSGI application around the Django test client's handler.

    The handler keeps the test's database connection open (no ``close_old_connections`` between
    requests) and skips CSRF, as ``django.test.Client`` does; a crash inside a view is kept in
    ``crashes`` with its traceback, for the report.
    """

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)
        self.crashes: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def on_crash(**_kwargs: Any) -> None:
            self.crashes.append(traceback.format_exc(limit=-6))

        got_request_exception.connect(on_crash, dispatch_uid="schemathesis-crash")
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid="schemathesis-crash")
        headers = list(response.items()) + [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response)] if response.streaming else [response.content]


@schemathesis.check
def problem_in_chinese(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any) -> bool | None:
    """Every 4xx is problem JSON whose ``status`` is the answer's, with a title and a Chinese detail."""
    if not 400 <= response.status_code < 500:
        return None
    problem = fuzz.check(case.method, case.path, {"responses": {}}, _AsDjango(response))
    if problem:
        raise Failure(operation=case.operation.label, title="Refusal is not a Chinese problem", message=problem)
    return True


class _AsDjango:
    """The two things ``test_api_fuzz.check`` reads from a response, on a schemathesis response."""

    def __init__(self, response: schemathesis.Response) -> None:
        self.status_code = response.status_code
        self.content = response.content
        self._type = (response.headers.get("content-type") or [""])[0]

    def get(self, name: str, default: str = "") -> str:
        return self._type if name == "Content-Type" else default


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    problem_in_chinese,
]


class SchemathesisTests(fuzz.DemoCountyApiTestCase):
    app: ClientHandlerApp
    schema: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.app = ClientHandlerApp()
        cls.schema = schemathesis.openapi.from_wsgi(f"{fuzz.PREFIX}/openapi.json", cls.app)

    def strategy(self, operation: Any) -> st.SearchStrategy:
        """schemathesis' cases, half of them with real ids in every path parameter that names an object."""
        generated = operation.as_strategy()
        names = [p.name for p in operation.path_parameters]
        real = {n: self.ids.get(n) or ([VALUES[n]] if n in VALUES else []) for n in names}
        if not names or not all(real.values()):
            return generated
        ids = st.fixed_dictionaries({n: st.sampled_from(real[n]) for n in names})
        return st.one_of(generated, ids.flatmap(lambda chosen: operation.as_strategy(path_parameters=chosen)))

    def run_router(self, router: str) -> None:
        operations = [
            result.ok()
            for result in self.schema.get_all_operations()
            if fuzz.router_of(
                result.ok().path if result.ok().path.startswith(fuzz.PREFIX) else fuzz.PREFIX + result.ok().path
            )
            == router
        ]
        assert operations, router
        found: list[str] = []
        for operation in operations:
            strategy = self.strategy(operation)
            for username in fuzz.LOGINS:
                found.extend(self.run_operation(operation, strategy, username))
        assert not found, f"{len(found)} findings:\n" + "\n\n".join(sorted(set(found)))

    def run_operation(self, operation: Any, strategy: st.SearchStrategy, username: str) -> list[str]:
        found: list[str] = []
        cookies = {
            django_settings.SESSION_COOKIE_NAME: self.clients[username]
            .cookies[django_settings.SESSION_COOKIE_NAME]
            .value
        }

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def attempt(case: Any) -> None:
            with transaction.atomic():
                del self.app.crashes[:]
                try:
                    response = case.call(cookies=cookies)
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as group:
                    found.append(f"{operation.label} as {username}: {_first_lines(str(group))}{_crash(self.app)}")
                except Failure as failure:
                    found.append(f"{operation.label} as {username}: {failure.title}: {failure.message[:400]}")
                transaction.set_rollback(True)

        attempt()
        return found


def _first_lines(text: str, lines: int = 14) -> str:
    return "\n".join(text.strip().splitlines()[:lines])


def _crash(app: ClientHandlerApp) -> str:
    return ("\n" + app.crashes[-1]) if app.crashes else ""


def _router_test(router: str) -> Callable[[SchemathesisTests], None]:
    def test(self: SchemathesisTests) -> None:
        self.run_router(router)

    test.__name__ = f"test_{router}"
    test.__doc__ = f"schemathesis over every operation under {fuzz.PREFIX}/{router}/."
    return test


for _router in sorted({fuzz.router_of(p) for _m, p, _op in fuzz.operations()}):
    setattr(SchemathesisTests, f"test_{_router.replace('-', '_')}", _router_test(_router))
