"""The OpenAPI document itself, and the promises it makes for every operation: read-only,
documented shapes with described fields, no personal contact details, and no server errors
whatever is put in a path or a query."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from governance import services as governance
from learning.models import LearningCycle
from places.models import Place
from relational.models import User
from tests.learning.cast import LearningMarkers
from tests.places.gathering_helpers import arrange

from .openapi import assert_conforms, openapi_document

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]

DOC = openapi_document
OUR_SCHEMA = re.compile(r"Out$|^(NotFound|InvalidRequest|Problem|Hidden|PageQuery)$")


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op) for path, item in DOC()["paths"].items() for method, op in item.items()
    ]


def test_the_schema_is_served_as_openapi_3_json(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Relational API"
    assert set(doc["paths"]) >= {
        "/api/v1/places",
        "/api/v1/places/{slug}",
        "/api/v1/places/{slug}/gatherings",
        "/api/v1/places/{slug}/gatherings/{gathering_id}",
    }


def test_every_operation_is_a_documented_get_with_its_errors() -> None:
    for path, method, op in _operations():
        assert method == "get", f"{method.upper()} {path}: the API is read-only"
        assert op.get("summary"), path
        assert {"200", "422"} <= set(op["responses"]), path
        if "{" in path:
            assert "404" in op["responses"], f"{path} takes a path value but documents no 404"
        for parameter in op.get("parameters", []):
            assert parameter.get("description"), f"{path}: {parameter['name']} is undescribed"


def test_every_field_of_every_shape_is_described_and_none_is_an_email() -> None:
    for name, schema in DOC()["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            assert "email" not in field.lower(), f"{name}.{field}"
            assert "phone" not in field.lower(), f"{name}.{field}"
            if OUR_SCHEMA.search(name):
                assert spec.get("description"), f"{name}.{field} has no description"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_schema_is_read_only_too(client_for: ClientFor, steward: User, method: str) -> None:
    assert getattr(client_for(steward), method)("/api/v1/openapi.json").status_code == 405


def test_there_is_no_docs_page_loading_scripts_from_a_cdn(anonymous: Client) -> None:
    assert anonymous.get("/api/v1/docs").status_code == 404
    assert anonymous.get("/api/v1/").status_code == 404


# --- Every operation, filled in with real and with nasty values ----------------------------------


@pytest.fixture
def real_values(
    place: Place,
    resident: User,
    steward: User,
    cycle: LearningCycle,
    learning_markers: LearningMarkers,
) -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    decision = governance.decision_create(
        place=place, by=steward, title="Open the hall on Sundays", question="Should we?",
        method="consent",
    )  # fmt: skip
    governance.decision_open(
        decision=decision, by=steward, input_closes_on=timezone.localdate() + timedelta(days=2)
    )
    return {
        "slug": place.slug,
        "gathering_id": str(arrange(place, resident).pk),
        "cycle_id": str(cycle.pk),
        "entry_id": str(learning_markers.entries[("public", "public")].pk),
        "measure_id": str(learning_markers.measures["public"].pk),
        "decision_id": str(decision.pk),
    }


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(values[m.group(1)], safe=""), template)


def test_every_operation_answers_anyone_with_its_documented_shape(
    anonymous: Client, real_values: dict[str, str]
) -> None:
    for path, _method, _op in _operations():
        response = anonymous.get(_fill(path, real_values))
        assert response.status_code == 200, path
        assert_conforms(response)


NASTY = ["0", "-1", str(2**63), str(2**64), "1.5", "x" * 300, "a\x00b", "é", "' OR 1=1 --", " "]


def test_no_value_in_a_path_or_query_makes_a_server_error(
    client_for: ClientFor, member: User, real_values: dict[str, str]
) -> None:
    client = client_for(member)
    for path, _method, op in _operations():
        for parameter in op.get("parameters", []):
            for nasty in NASTY:
                if parameter["in"] == "path":
                    url = _fill(path, {**real_values, parameter["name"]: nasty})
                    response = client.get(url)
                else:
                    url = _fill(path, real_values)
                    response = client.get(url, {parameter["name"]: nasty})
                assert response.status_code in (200, 404, 422), (
                    f"GET {url} with {parameter['name']}={nasty!r}: {response.status_code}"
                )
                assert_conforms(response)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_every_operation_refuses_other_methods(
    client_for: ClientFor, steward: User, real_values: dict[str, str], method: str
) -> None:
    client = client_for(steward)
    for path, _method, _op in _operations():
        response = getattr(client, method)(_fill(path, real_values))
        assert response.status_code == 405, f"{method.upper()} {path}"
