"""Typed request classes, and the client address as the rate limits see it."""

from __future__ import annotations

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
