"""Rate limits on writes: too many → 429 with ``Retry-After`` and a page saying how long to wait.

Every write is limited, so none can be forgotten: :class:`WriteRateLimitMiddleware` counts each
POST, PUT, PATCH and DELETE against its sender's budget (``RATE_LIMIT_WRITES``, the signed-in
person, else their address), and against a tighter budget of its own for the URL names in
``RATE_LIMITS_BY_URL`` (sign-up, password reset, invitations…). A view may add one more:

    @rate_limited("30/m")
    @require_http_methods(["GET", "POST"])
    def entry_create(request, slug): ...

Only writes are counted, so reading a form never uses up the allowance. Counts live in the
default cache (Redis). If Redis cannot be reached the request goes through (``RATELIMIT_FAIL_OPEN``)
and a warning is logged: an outage of the cache must not stop people from saving their work.
README "Security" lists every budget.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_ratelimit import UNSAFE
from django_ratelimit.core import get_usage

from .http import client_ip

log = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def _ip_key(request: HttpRequest) -> str:
    """The client's address, IPv6 grouped by /64 (one home or phone network); never raises."""
    ip = client_ip(request)
    try:
        network = ipaddress.ip_network(f"{ip}/{64 if ':' in ip else 32}", strict=False)
    except ValueError:
        return f"ip:{ip}"
    return f"ip:{network.network_address}"


def _user_or_ip_key(group: str, request: HttpRequest) -> str:
    try:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
    except DatabaseError:
        # PostgreSQL is away (the user lives there): count by address; the view answers 503.
        pass
    return _ip_key(request)


KEYS: dict[str, Callable[[str, HttpRequest], str]] = {
    "user_or_ip": _user_or_ip_key,
    "ip": lambda group, request: _ip_key(request),
}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    body = render_to_string("429.html", {"retry_after": retry_after}, request=request)
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def over_limit(
    request: HttpRequest, group: str, rate: str, key: Any = _user_or_ip_key, method: Any = UNSAFE
) -> HttpResponse | None:
    """Count this request against ``group``'s ``rate``: the 429 to answer, or ``None`` to go on.

    ``RATELIMIT_ENABLE = False`` (django-ratelimit's switch; the fuzz tests use it) counts nothing.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    usage = get_usage(request, group=group, key=key, rate=rate, method=method, increment=True)
    if usage is None:
        # get_usage answers None only when the cache did not (fail open).
        log.warning("rate limit for %s not checked: the cache is unavailable", group)
        return None
    if usage["should_limit"]:
        return too_many_requests(request, max(1, int(usage["time_left"])))
    return None


class WriteRateLimitMiddleware:
    """Every write (POST, PUT, PATCH, DELETE) counts against the sender's budget.

    ``RATE_LIMIT_WRITES`` is the budget of every write, whatever its URL (an unknown URL and a
    request refused for its missing CSRF token count too); ``RATE_LIMITS_BY_URL`` gives some URL
    names a tighter one of their own, counted once the URL is resolved. Both count the signed-in
    person, else the address (IPv6 by /64). Listed after ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in UNSAFE:
            limited = over_limit(request, "writes", settings.RATE_LIMIT_WRITES)
            if limited is not None:
                return limited
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method not in UNSAFE or match is None:
            return None
        rate = settings.RATE_LIMITS_BY_URL.get(match.view_name)
        if rate is None:
            return None
        return over_limit(request, f"url:{match.view_name}", rate)


def rate_limited(rate: str = "30/m", key: str = "user_or_ip") -> Callable[[View], View]:
    """Allow ``rate`` POSTs (``"30/m"``, ``"5/10m"``, ``"100/h"``) per ``key`` to the view.

    ``key`` is ``"user_or_ip"`` (the signed-in person, else their address), ``"ip"``, or any key
    django-ratelimit understands (``"post:email"``, a dotted path to a function).
    """
    key_fn: Any = KEYS.get(key, key)

    def decorator(view: View) -> View:
        group = f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                limited = over_limit(request, group, rate, key_fn, method="POST")
                if limited is not None:
                    return limited
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
