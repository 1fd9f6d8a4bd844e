"""A rate limit for write endpoints: too many POSTs → 429 with ``Retry-After``.

    @rate_limited("30/m")
    @require_http_methods(["GET", "POST"])
    def entry_create(request, slug): ...

Only POSTs are counted, so reading a form never uses up the allowance. Counts live in the
default cache (Redis). If Redis cannot be reached the request goes through (``RATELIMIT_FAIL_OPEN``)
and a warning is logged: an outage of the cache must not stop people from saving their work.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
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
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
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
                usage = get_usage(
                    request, group=group, key=key_fn, rate=rate, method="POST", increment=True
                )
                if usage is None:
                    # get_usage answers None only when the cache did not (fail open).
                    log.warning("rate limit for %s not checked: the cache is unavailable", group)
                elif usage["should_limit"]:
                    return too_many_requests(request, max(1, int(usage["time_left"])))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
