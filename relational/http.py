"""Typed request classes, free text read from a query string, and the client address as the
rate limits see it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str:
    """The caller's address, trusting exactly TRUSTED_PROXY_COUNT proxies in X-Forwarded-For."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def query_text(query: Any, name: str, limit: int) -> str:
    """A free-text value of a query string (a search, a slug), stripped and cut to ``limit``.
    NUL characters are dropped: nobody types one, and PostgreSQL refuses them in text, so a
    search carrying one would otherwise fail instead of searching."""
    return str(query.get(name, "") or "").replace("\x00", "").strip()[:limit]
