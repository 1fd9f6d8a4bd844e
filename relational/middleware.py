"""A friendly page, not a stack trace, while PostgreSQL is away."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("relational.database")

RETRY_AFTER_SECONDS = 5

# Used only if 503.html itself cannot be rendered (a missing template or static manifest entry):
# the answer must still be a 503 that says what is happening, never a second error.
FALLBACK_PAGE = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Sorry, Relational is not available right now</title></head><body>"
    "<h1>Sorry, Relational is not available right now</h1>"
    "<p>We cannot reach our database. Nothing you have saved is lost. "
    "Please try again in a few seconds.</p></body></html>"
)


class DatabaseUnavailableMiddleware:
    """Turn a database connection error raised by a view into a 503 with ``Retry-After``.

    The page is rendered without the request, so no context processor runs: the signed-in user,
    the session and messages all live in the database that has just failed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable while serving %s %s",
            request.method,
            request.path,
            exc_info=exception,
        )
        return database_unavailable_response()


def database_unavailable_response() -> HttpResponse:
    body: str
    try:
        body = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    except Exception:  # noqa: BLE001 - the fallback page is better than a 500 here
        logger.exception("Could not render 503.html; sending the plain fallback page")
        body = FALLBACK_PAGE
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
