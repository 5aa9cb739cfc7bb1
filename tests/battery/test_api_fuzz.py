"""The OpenAPI fuzzer (issue 16): every operation of the served document, called as three demo logins with
inputs generated from the document itself.

schemathesis itself runs over the same document in test_schemathesis.py; this fuzzer stays for what it
adds — path and body ids drawn half from the demo county's real objects (inside and outside the login's
scope), in every body field that names a kind of object. Done with hypothesis and hypothesis-jsonschema:
for every (method, path) of ``/api/v1/openapi.json``, path and query parameters and the JSON (or
multipart) body are drawn from their documented schemas, ids half from the real objects and half from the
schema, and sent through the Django test client, logged in as the commission head, a zone leader and a
township secretary. Each answer must be:

- never a 5xx;
- a 2xx with a status the operation documents, whose JSON body validates (jsonschema) against the
  documented response schema;
- a 4xx as problem JSON (``application/problem+json``, ``status`` equal to the answer's) with a ``detail``
  in Chinese.

Each example runs in a savepoint rolled back afterwards, so every example starts from the same county.
Hypothesis is derandomized (the same inputs on every run) and bounded to ``EXAMPLES`` per login and
operation; every failure of an operation is collected and reported together, not only the first.
One test per API router, so a finding names its router.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Callable
from typing import Any

import jsonschema
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.access.test_route_matrix import OBJECTS, VALUES, _model
from xiezuoqu.accounts.models import User
from xiezuoqu.api import api
from xiezuoqu.demo.caseload import load_demo_caseload
from xiezuoqu.demo.casework import load_demo_casework
from xiezuoqu.demo.funds import load_demo_funds
from xiezuoqu.demo.reports import load_demo_reports
from xiezuoqu.demo.services import load_demo

PREFIX = "/api/v1"
LOGINS = ("shuji", "zuzhang1", "xzshuji")
EXAMPLES = int(os.environ.get("XIEZUOQU_FUZZ_EXAMPLES", "8"))  # per login and operation
CHINESE = re.compile(r"[\u4e00-\u9fff]")
REAL_IDS = 40  # the first ids of each kind of object offered to the generator


def document() -> dict[str, Any]:
    return dict(api.get_openapi_schema(path_prefix=PREFIX))


DOCUMENT = document()
COMPONENTS: dict[str, Any] = DOCUMENT["components"]["schemas"]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()]


def router_of(path: str) -> str:
    return path.removeprefix(PREFIX + "/").split("/", 1)[0]


# -- schemas -------------------------------------------------------------------------------------------


def inline(node: Any, seen: tuple[str, ...] = ()) -> Any:
    """The schema with every ``#/components/schemas/`` reference replaced by its target (a cycle → any)."""
    if isinstance(node, list):
        return [inline(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        target = {} if name in seen else inline(COMPONENTS[name], (*seen, name))
        rest = {k: inline(v, seen) for k, v in node.items() if k != "$ref"}
        return {**target, **rest}
    return {k: inline(v, seen) for k, v in node.items()}


def with_real_ids(schema: Any, ids: dict[str, list[int]]) -> Any:
    """Offer the demo county's real ids wherever a property names a kind of object (``unit_id``, ``staff_ids``)."""
    if isinstance(schema, list):
        return [with_real_ids(item, ids) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: with_real_ids(v, ids) for k, v in schema.items()}
    for name, prop in list(out.get("properties", {}).items()):
        kind = name if name in ids else name[:-1] if name.endswith("_ids") and name[:-1] in ids else ""
        if not kind or not ids[kind]:
            continue
        real = {"enum": ids[kind]}
        if name == kind:
            out["properties"][name] = {"anyOf": [real, prop]}
        elif isinstance(prop, dict) and prop.get("type") == "array":
            out["properties"][name] = {**prop, "items": {"anyOf": [real, prop.get("items", {})]}}
    return out


def for_generation(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop what hypothesis-jsonschema cannot use (binary file parts are sent as files, not generated)."""
    schema = copy.deepcopy(schema)
    for name, prop in list(schema.get("properties", {}).items()):
        if prop.get("format") == "binary":
            schema["properties"].pop(name)
            schema["required"] = [r for r in schema.get("required", []) if r != name]
    return schema


def strategy_for(schema: Any) -> st.SearchStrategy:
    """A strategy for an (inlined) schema: objects, arrays and unions built here, scalars by hypothesis-jsonschema.

    hypothesis-jsonschema 0.23.1 draws objects through a Hypothesis internal that 6.170 no longer has, so
    its object strategy cannot be used; every scalar (with its formats, bounds and patterns) still is.
    """
    if not isinstance(schema, dict) or not schema:
        return st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return st.one_of([strategy_for({**_base(schema), **choice}) for choice in schema[union]])
    if "allOf" in schema:
        merged: dict[str, Any] = _base(schema)
        for part in schema["allOf"]:
            merged.update(part)
        return strategy_for(merged)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([strategy_for({**schema, "type": one}) for one in kind])
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = {name: strategy_for(props[name]) for name in props if name in required}
        optional = {name: strategy_for(props[name]) for name in props if name not in required}
        if props:
            return st.fixed_dictionaries(fixed, optional=optional)
        values = schema.get("additionalProperties", {})
        return st.dictionaries(
            st.text(max_size=10), strategy_for(values if isinstance(values, dict) else {}), max_size=3
        )
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 4), low + 4)
        return st.lists(strategy_for(schema.get("items", {})), min_size=low, max_size=high)
    return from_schema(schema)


def _base(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "allOf", "default", "title")}


def binary_parts(schema: dict[str, Any]) -> list[str]:
    return [name for name, prop in schema.get("properties", {}).items() if prop.get("format") == "binary"]


# -- one call ------------------------------------------------------------------------------------------


def request_strategy(method: str, path: str, op: dict[str, Any], ids: dict[str, list[int]]) -> st.SearchStrategy:
    path_params: dict[str, st.SearchStrategy] = {}
    query_params: dict[str, st.SearchStrategy] = {}
    for param in op.get("parameters", []):
        schema = inline(param.get("schema", {}))
        generated = strategy_for(schema)
        if param["in"] == "path":
            real = ids.get(param["name"]) or ([VALUES[param["name"]]] if param["name"] in VALUES else [])
            path_params[param["name"]] = st.one_of(st.sampled_from(real), generated) if real else generated
        elif param["in"] == "query":
            query_params[param["name"]] = generated if param.get("required") else st.none() | generated
    body: st.SearchStrategy = st.none()
    files: list[str] = []
    content = op.get("requestBody", {}).get("content", {})
    kind = next(iter(content), "")
    if kind:
        schema = with_real_ids(inline(content[kind]["schema"]), ids)
        files = binary_parts(schema)
        body = strategy_for(for_generation(schema))
    return st.fixed_dictionaries(
        {
            "path": st.fixed_dictionaries(path_params),
            "query": st.fixed_dictionaries(query_params),
            "body": body,
            "kind": st.just(kind),
            "files": st.just(files),
        }
    )


def send(client: Client, method: str, path: str, call: dict[str, Any]) -> Any:
    url = path
    for name, value in call["path"].items():
        url = url.replace("{" + name + "}", str(value))
    query = {k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in call["query"].items() if v is not None}
    query = {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items()}
    if method == "GET":
        return client.get(url, query)
    if query:
        from urllib.parse import urlencode

        url = f"{url}?{urlencode(query)}"
    if call["kind"] == "multipart/form-data":
        data = {
            k: ("" if v is None else json.dumps(v) if isinstance(v, dict | list) else v)
            for k, v in call["body"].items()
        }
        for name in call["files"]:
            data[name] = SimpleUploadedFile("材料.txt", "核查材料".encode(), content_type="text/plain")
        return client.post(url, data)
    if call["kind"]:
        return client.generic(method, url, json.dumps(call["body"]), content_type="application/json")
    return client.generic(method, url)


def check(method: str, path: str, op: dict[str, Any], response: Any) -> str:
    """What is wrong with the answer ("" if nothing)."""
    status = response.status_code
    ctype = response.get("Content-Type", "")
    if status >= 500:
        return f"{status}"
    if 200 <= status < 300:
        documented = op["responses"].get(status) or op["responses"].get(str(status))
        if documented is None:
            return f"{status} not documented (documented: {sorted(map(str, op['responses']))})"
        content = documented.get("content", {})
        if not content:
            return "" if not response.content else f"{status} with an undocumented body"
        if "application/json" not in content:
            media = ctype.split(";")[0].strip()
            return "" if media in content else f"{status} as {ctype}, documented as {sorted(content)}"
        schema = content["application/json"]["schema"]
        if not ctype.startswith("application/json"):
            return f"{status} as {ctype}, documented as JSON"
        try:
            jsonschema.validate(json.loads(response.content), inline(schema))
        except jsonschema.ValidationError as exc:
            return f"{status} body does not match its schema: {exc.message[:300]} at {list(exc.absolute_path)}"
        return ""
    if 400 <= status < 500:
        if ctype != "application/problem+json":
            return f"{status} as {ctype or 'no content type'}: {response.content[:200]!r}"
        body = json.loads(response.content)
        if body.get("status") != status or not body.get("title"):
            return f"{status} problem without its status or title: {body}"
        if not CHINESE.search(str(body.get("detail", ""))):
            return f"{status} problem without a Chinese detail: {body}"
        return ""
    return f"unexpected {status}"


# -- the tests -----------------------------------------------------------------------------------------


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="xiezuoqu-fuzz-"))
class DemoCountyApiTestCase(TestCase):
    """The demo county with its casework, caseload and funds, and a logged-in client per login of ``LOGINS``.

    ``ids`` holds the first real ids of each kind of object, keyed by the path parameter that names it.
    Shared with the schemathesis run (test_schemathesis.py).
    """

    ids: dict[str, list[int]]
    clients: dict[str, Client]

    @classmethod
    def setUpTestData(cls) -> None:
        load_demo()
        load_demo_reports(count=60)
        load_demo_casework()
        load_demo_caseload(cases=8)
        load_demo_funds()
        cls.ids = {}
        for param, (label, _via) in OBJECTS.items():
            pks = _model(label)._default_manager.order_by("pk").values_list("pk", flat=True)[:REAL_IDS]
            cls.ids[param] = list(pks)

    def setUp(self) -> None:
        self.clients = {}
        for username in LOGINS:
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[username] = client


class ApiFuzzTests(DemoCountyApiTestCase):
    def fuzz(self, router: str) -> None:
        found: list[str] = []
        ops = [(m, p, op) for m, p, op in operations() if router_of(p) == router]
        assert ops, router
        for method, path, op in ops:
            strategy = request_strategy(method, path, op, self.ids)
            for username in LOGINS:
                found.extend(self.run_operation(method, path, op, strategy, username))
        assert not found, f"{len(found)} findings:\n" + "\n".join(sorted(set(found)))

    def run_operation(
        self, method: str, path: str, op: dict[str, Any], strategy: st.SearchStrategy, username: str
    ) -> list[str]:
        found: list[str] = []
        client = self.clients[username]

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(call=strategy)
        def attempt(call: dict[str, Any]) -> None:
            with transaction.atomic():
                try:
                    response = send(client, method, path, call)
                    problem = check(method, path, op, response)
                except Exception as exc:  # a crash inside the handler reaches the test client
                    problem = f"raised {type(exc).__name__}: {str(exc)[:200]}"
                if problem:
                    found.append(f"{method} {path} as {username}: {problem} — input {_short(call)}")
                transaction.set_rollback(True)

        attempt()
        return found


MALFORMED = ("{not json", "[]", "null", '"text"')


def malformed_bodies(schema: dict[str, Any]) -> list[str]:
    """Bodies that break the schema: not JSON, not an object, every documented field of the wrong type."""
    wrong = {name: {"\u0000": [None]} for name in schema.get("properties", {})}
    return [*MALFORMED, json.dumps(wrong)]


class MalformedBodyTests(TestCase):
    """Bodies no client should send (negative testing): each is a 4xx problem in Chinese, never a 5xx."""

    @classmethod
    def setUpTestData(cls) -> None:
        load_demo()

    def test_every_json_body_refuses_malformed_input_with_a_problem(self) -> None:
        client = Client()
        client.force_login(User.objects.get(username="shuji"))
        found: list[str] = []
        for method, path, op in operations():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            url = re.sub(r"{[^}]+}", "1", path)
            for body in malformed_bodies(inline(content["application/json"]["schema"])):
                with transaction.atomic():
                    response = client.generic(method, url, body, content_type="application/json")
                    problem = check(method, path, op, response) or (
                        "" if response.status_code >= 400 else f"{response.status_code} accepted a malformed body"
                    )
                    if problem:
                        found.append(f"{method} {path}: {problem} — body {body[:80]}")
                    transaction.set_rollback(True)
        assert not found, f"{len(found)} findings:\n" + "\n".join(found)


def _short(call: dict[str, Any]) -> str:
    text = json.dumps({k: call[k] for k in ("path", "query", "body")}, ensure_ascii=False, default=str)
    return text[:300]


def _router_test(router: str) -> Callable[[ApiFuzzTests], None]:
    def test(self: ApiFuzzTests) -> None:
        self.fuzz(router)

    test.__name__ = f"test_{router}"
    test.__doc__ = f"Every operation under {PREFIX}/{router}/."
    return test


for _router in sorted({router_of(p) for _m, p, _op in operations()}):
    setattr(ApiFuzzTests, f"test_{_router.replace('-', '_')}", _router_test(_router))
