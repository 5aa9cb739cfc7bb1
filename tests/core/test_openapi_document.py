"""The OpenAPI document describes what each endpoint really accepts.

django-ninja files every schema under ``components/schemas`` by its class name, one operation after
another, so two schema classes with the same name (``DecisionIn`` in filing, meetings, recusal ...)
silently overwrite each other and every operation but one documents the wrong body. These tests walk
every operation of the one NinjaAPI: no two schema classes share a component name; each JSON request
body's documented component has exactly the fields of the body the endpoint reads; and a well-formed
example generated from the documented schema is accepted by the endpoint's own body model, parsed
the way ninja parses a request (so it would not answer 422).
"""

from __future__ import annotations

import functools
import json
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from ninja.openapi.schema import BODY_CONTENT_TYPES, REF_TEMPLATE
from ninja.operation import Operation
from ninja.params.models import ParamModel
from ninja.schema import NinjaGenerateJsonSchema
from ninja.utils import normalize_path
from pydantic import BaseModel, ValidationError, create_model

from xiezuoqu.api import api

WRITE_METHODS = {"POST", "PUT", "PATCH"}


def _operations() -> Iterator[tuple[str, str, Operation]]:
    """Every documented (method, path, operation), the path spelled as in the document's ``paths``."""
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            full_path = normalize_path("/" + "/".join(i for i in (router.prefix, path) if i))
            full_path = re.sub(r"{[^}:]+:", "{", full_path)
            for operation in path_view.operations:
                if operation.include_in_schema:
                    for method in operation.methods:
                        yield method, full_path, operation


@functools.cache
def _document() -> dict[str, Any]:
    return dict(api.get_openapi_schema(path_prefix=""))


def _json_body_model(operation: Operation) -> type[ParamModel] | None:
    models = [m for m in operation.models if m.__ninja_param_source__ in BODY_CONTENT_TYPES]
    if len(models) == 1 and models[0].__ninja_param_source__ == "body":
        return models[0]
    return None


def _json_body_operations() -> list[tuple[str, str, Operation, type[ParamModel]]]:
    found = []
    for method, path, operation in _operations():
        model = _json_body_model(operation)
        if model is not None and method in WRITE_METHODS:
            found.append((method, path, operation, model))
    return found


# -- which classes the document names --------------------------------------------------------------


class _RecordingGenerator(NinjaGenerateJsonSchema):
    """Ninja's schema generator, remembering which class each ``$defs`` entry was generated from."""

    generated: typing.ClassVar[list[tuple[str, str]]] = []

    def generate(self, schema: Any, mode: Any = "validation") -> Any:
        result = super().generate(schema, mode=mode)
        names = set(result.get("$defs", {}))
        for (core_ref, _mode), defs_ref in self.core_to_defs_refs.items():
            name = self._remapping.defs_remapping.get(defs_ref, defs_ref)
            if name in names:
                _RecordingGenerator.generated.append((name, core_ref))
        return result

    def _build_definitions_remapping(self) -> Any:
        self._remapping = super()._build_definitions_remapping()
        return self._remapping


def _classes_by_component_name() -> dict[str, set[str]]:
    """Every component name of the document, with the classes (module.qualname:id) filed under it.

    Generates each operation's schemas the way ninja's document does (parameters and bodies for
    validation, responses for serialization), one generation after another.
    """
    _RecordingGenerator.generated = []
    for _method, _path, operation in _operations():
        for model in operation.models:
            model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=_RecordingGenerator)
        for model in operation.response_models.values():
            if isinstance(model, type) and issubclass(model, BaseModel):
                model.model_json_schema(
                    ref_template=REF_TEMPLATE,
                    by_alias=operation.by_alias,
                    schema_generator=_RecordingGenerator,
                    mode="serialization",
                )
    by_name: dict[str, set[str]] = defaultdict(set)
    for name, core_ref in _RecordingGenerator.generated:
        by_name[name].add(core_ref)
    return by_name


def test_no_two_schema_classes_share_a_component_name():
    by_name = _classes_by_component_name()
    assert by_name, "the walk found no schema classes"
    shared = {
        name: sorted(ref.rsplit(":", 1)[0] for ref in classes) for name, classes in by_name.items() if len(classes) > 1
    }
    assert shared == {}


# -- the documented body is the accepted body ------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _body_schema(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    body = doc["paths"][path][method.lower()]["requestBody"]
    return dict(body["content"]["application/json"]["schema"])


@pytest.mark.parametrize(
    ("method", "path", "operation", "model"),
    _json_body_operations(),
    ids=[f"{m} {p}" for m, p, _o, _b in _json_body_operations()],
)
def test_the_documented_component_has_the_fields_of_the_accepted_body(method, path, operation, model):
    doc = _document()
    components = doc["components"]["schemas"]
    (field,) = model.model_fields.values()
    own = create_model("Holder", value=(field.annotation, ...)).model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    documented = _object_schema(_body_schema(doc, method, path), components)
    accepted = _object_schema(own["properties"]["value"], own.get("$defs", {}))
    assert sorted(documented.get("properties", {})) == sorted(accepted.get("properties", {}))
    assert sorted(documented.get("required", [])) == sorted(accepted.get("required", []))
    assert documented == accepted


def _object_schema(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The object a body schema describes (a list body describes its items)."""
    schema = _resolve(schema, definitions)
    if schema.get("type") == "array":
        schema = _resolve(schema["items"], definitions)
    return schema


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A well-formed value for ``schema``: its required fields, each with a value of its type."""
    schema = _resolve(schema, components)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):  # the document's own example (a value with a pattern, such as a clock time)
        return schema["examples"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, components).get("type") != "null"]
            return _example(options[0], components)
    if "allOf" in schema:
        return _example(schema["allOf"][0], components)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {name: _example(schema["properties"][name], components) for name in required}
    if kind == "array":
        return [_example(schema.get("items", {}), components) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return float(max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1))
    if kind == "boolean":
        return True
    if kind == "string":
        value = {
            "date": "2026-03-02",
            "date-time": "2026-03-02T09:00:00+08:00",
            "time": "09:00:00",
            "uuid": "3f1c3a4e-2b7d-4c59-9a4e-1d2b3c4d5e6f",
            "email": "xzq@example.cn",
            "decimal": "1.00",
        }.get(schema.get("format", ""), "示例")
        value = value.ljust(schema.get("minLength", 0), "例")
        return value[: schema["maxLength"]] if "maxLength" in schema else value
    raise AssertionError(f"no example for schema {schema!r}")


@pytest.mark.parametrize(
    ("method", "path", "operation", "model"),
    _json_body_operations(),
    ids=[f"{m} {p}" for m, p, _o, _b in _json_body_operations()],
)
def test_an_example_of_the_documented_body_is_accepted(method, path, operation, model):
    doc = _document()
    example = _example(_body_schema(doc, method, path), doc["components"]["schemas"])
    data = json.loads(json.dumps(example))
    attr = getattr(model, "__read_from_single_attr__", None)
    try:
        model.model_validate({attr: data} if attr else data, context={"request": None})
    except ValidationError as exc:
        pytest.fail(f"{method} {path} refuses the example of its documented body {data!r}: {exc}")


def _url(doc: dict[str, Any], method: str, path: str) -> str:
    """The operation's URL with every path parameter naming an object that does not exist."""
    components = doc["components"]["schemas"]
    for parameter in doc["paths"][path][method.lower()].get("parameters", []):
        if parameter["in"] == "path":
            value = _example(parameter["schema"], components)
            if isinstance(value, int):
                value = 987654321
            path = path.replace("{" + parameter["name"] + "}", str(value))
    return "/api/v1" + path


def test_posting_each_documented_example_passes_the_endpoints_input_check(client, demo):
    """Each body gets past ninja's parsing: whatever the endpoint answers next (404 for the missing
    object, 403, a domain refusal), it is not the 422 problem listing the body's invalid fields."""
    client.force_login(demo.user("shuji"))
    doc = _document()
    refused = {}
    for method, path, _operation, _model in _json_body_operations():
        example = _example(_body_schema(doc, method, path), doc["components"]["schemas"])
        url = _url(doc, method, path)
        response = client.generic(method, url, json.dumps(example), content_type="application/json")
        problem = response.json() if response["Content-Type"].endswith("json") else {}
        if response.status_code in (400, 422) and problem.get("type") == "about:blank":
            refused[f"{method} {path}"] = problem.get("errors")
    assert refused == {}


def test_every_json_write_is_covered():
    covered = {(m, p) for m, p, _o, _b in _json_body_operations()}
    assert ("POST", "/filing/{proposal_id}/decision") in covered
    assert ("POST", "/verification/{verification_id}/report") in covered
    assert len(covered) > 50
