from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True
    except Exception:  # noqa: BLE001
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
