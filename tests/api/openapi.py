"""Check API responses against the OpenAPI document the API itself serves.

``assert_conforms(response)`` finds the operation for the request's path in
``/api/v1/openapi.json``, takes the schema documented for the response's status code and
validates the body with ``jsonschema`` (OpenAPI 3.1 schemas are JSON Schema 2020-12). The
check is strict: every object schema is closed (``additionalProperties: false``), so a field
the schema does not document — an email address, say — fails the test; and ``date-time`` and
``date`` values must parse as ISO 8601 (times with a time zone).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from functools import cache
from typing import Any

from django.http import HttpResponse
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker

OPENAPI_URL = "/api/v1/openapi.json"

_checker = FormatChecker()


@_checker.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return True


@_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        dt.date.fromisoformat(value)
    return True


@cache
def openapi_document() -> dict[str, Any]:
    """The served document (it does not depend on who asks, or on the database)."""
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200, response.status_code
    return json.loads(response.content)


def _closed(schema: Any) -> Any:
    """A copy of ``schema`` in which every object with properties allows no others."""
    if isinstance(schema, dict):
        out = {key: _closed(value) for key, value in schema.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@cache
def _components() -> dict[str, Any]:
    return _closed(copy.deepcopy(openapi_document()["components"]))


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def operation_for(path: str, method: str = "get") -> tuple[str, dict[str, Any]]:
    """The path template and operation that serve ``path``."""
    for template, item in openapi_document()["paths"].items():
        if _template_regex(template).match(path) and method in item:
            return template, item[method]
    raise AssertionError(f"No operation in {OPENAPI_URL} serves {method.upper()} {path}")


def schema_for(path: str, status: int) -> dict[str, Any]:
    template, operation = operation_for(path)
    documented = operation["responses"].get(str(status))
    assert documented is not None, (
        f"GET {template} answered {status}, which its operation does not document "
        f"(documented: {sorted(operation['responses'])})"
    )
    return documented["content"]["application/json"]["schema"]


def validate(body: Any, schema: dict[str, Any]) -> None:
    root = {**schema, "components": _components()}
    validator = Draft202012Validator(root, format_checker=_checker)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:10]
    )


def component(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def assert_conforms(response: HttpResponse) -> Any:
    """Validate the response body against its documented schema; return the parsed body."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    path = response.wsgi_request.path  # type: ignore[attr-defined]
    validate(body, schema_for(path, response.status_code))
    return body
