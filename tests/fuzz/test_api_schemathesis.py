"""schemathesis against the read-only JSON API: every operation of ``/api/v1/openapi.json``,
called in-process through Django's WSGI app, signed out, with generated paths and queries (valid
and invalid). No server errors, and every response conforms to the schema documented for its
status code (status, content type, headers and body). ``call_and_validate`` runs all of
schemathesis's checks, among them ``not_a_server_error``, ``response_schema_conformance``,
``negative_data_rejection`` (invalid input answers 4xx) and ``unsupported_method`` (405).

Examples: ``FUZZ_API`` per operation (40 locally, 150 under CI), plus schemathesis's own
coverage cases for each parameter; about 1,300 requests locally.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import settings

from places.models import Place
from tests.api.openapi import OPENAPI_URL

from .strategies import FUZZ_API

#: The schema as the app serves it, bound to the app. Fetching it needs no database.
schema = schemathesis.openapi.from_wsgi(OPENAPI_URL, WSGIHandler())


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    """A real WSGI handler closes the database connection at the end of each request, which
    would end the test's transaction; Django's test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(FUZZ_API)
@pytest.mark.usefixtures("_keep_the_test_connection")
def test_every_api_operation_conforms_to_its_schema(case: schemathesis.Case, place: Place) -> None:
    """``place`` is a public place, so list operations have something to show."""
    case.call_and_validate()
