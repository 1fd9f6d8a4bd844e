"""PostgreSQL going away is a friendly 503 wherever the error is raised, not only in a view.

``DatabaseUnavailableMiddleware`` turns a view's database error into the 503 page; an error
raised by a middleware (say, rendering a 429 page that reads the signed-in person) reaches the
500 handler instead, which answers the same 503 for a database error. Found by the PostgreSQL
fault drill (bench/drills), where writers over their write limit got 500s while it was away.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from pytest_django.fixtures import Settings

FAILURES: dict[str, Exception] = {
    "database": OperationalError('connection to server at "127.0.0.1", port 1 failed'),
    "other": ValueError("not a database problem"),
}


class FailingMiddleware:
    """Raises the exception named by the X-Fail header before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise FAILURES[request.headers["X-Fail"]]


@pytest.fixture
def failing(settings: Settings) -> Client:
    # Outermost: nothing else runs, so nothing else can fail first.
    settings.MIDDLEWARE = [f"{__name__}.FailingMiddleware", *settings.MIDDLEWARE]
    return Client(raise_request_exception=False)


def test_a_database_error_in_a_middleware_is_the_friendly_503(failing: Client) -> None:
    response = failing.get("/", headers={"X-Fail": "database"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Sorry, Relational is not available right now" in body
    assert "Traceback" not in body and "127.0.0.1" not in body


def test_any_other_error_in_a_middleware_is_still_the_500_page(failing: Client) -> None:
    response = failing.get("/", headers={"X-Fail": "other"})
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
