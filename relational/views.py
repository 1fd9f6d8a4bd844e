from __future__ import annotations

import sys

import kombu
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.exceptions import Ratelimited

from places.models import Place

from .middleware import database_unavailable_response
from .ratelimit import too_many_requests


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Public places for everyone; a signed-in person also sees their own (members-only too).
    places = list(Place.objects.public().order_by("name")[:100])
    mine = list(Place.objects.of_member(request.user).order_by("name"))
    return render(request, "home.html", {"places": places, "my_places": mine})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _broker_ok(timeout: int = 1) -> bool:
    """One attempt at ``CELERY_BROKER_URL`` (connect and PING), bounded by ``timeout`` seconds.

    A fresh kombu connection rather than Celery's pool: no retry loop, no sleeping between
    attempts, and a hung Redis (accepting connections, never answering) costs one socket timeout.
    """
    options = {
        **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
    }
    try:
        with kombu.Connection(
            settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database decides the status code; a broker that is down is reported, not fatal."""
    database = _database_ok()
    broker = _broker_ok()
    return JsonResponse(
        {
            "status": "ok" if database and broker else ("degraded" if database else "down"),
            "database": "ok" if database else "down",
            "broker": "ok" if broker else "down",
        },
        status=200 if database else 503,
    )


# --- Error pages (wired up as handler403/404/500/429 in relational/urls.py) --------------------
# 403, 404 and 429 are full pages in the product's frame; a 500 is a static page that needs
# neither the database nor the request, so showing it cannot fail in turn.

RATE_LIMIT_RETRY_AFTER_SECONDS = 60


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except (OperationalError, InterfaceError):
        # The page frame reads the signed-in user, which lives in the database.
        return database_unavailable_response()


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, Ratelimited):
        return too_many_requests(request, RATE_LIMIT_RETRY_AFTER_SECONDS)
    return _error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def rate_limit_exceeded(request: HttpRequest) -> HttpResponse:
    """allauth's rate limits answer through ``handler429`` in the root URLconf."""
    return too_many_requests(request, RATE_LIMIT_RETRY_AFTER_SECONDS)


def server_error(request: HttpRequest) -> HttpResponse:
    # A database error raised outside a view (in a middleware, say while rendering a 429 page
    # for the signed-in person) reaches here, not DatabaseUnavailableMiddleware: it is still
    # PostgreSQL being away, so the friendly 503. Django calls this inside its except block.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable_response()
    return HttpResponse(render_to_string("500.html"), status=500)
