"""The anonymous page cache: public read pages served from Redis to people who are not signed in.

A request is answered from the cache only when all of these hold:

* it is a GET or HEAD from someone signed out: no session cookie, no pending message, no
  ``Authorization`` header (a CSRF cookie from an earlier sign-in form is fine: no cached page
  renders a token);
* its URL is one of :data:`PLACE_PAGES` of a **public** place, or one of :data:`SITE_PAGES`
  (sign-in, sign-up, a prompt's answer page and every other form are not: they set the CSRF
  cookie);
* the page version can be read from PostgreSQL (:mod:`relational.pageversions`): the place's,
  or for a page showing several places, the site's. It is part of the key, so any change to
  what the page shows gives it a new key on the next request, on every app server.

The key also holds the address (scheme, host, path and query), the language, the htmx headers
the views read, and the release (a hash of the code, templates and static files: a deploy never
serves the previous release's pages). A response is kept only if it is a 200 that sets no
cookie, is not private or streamed, and varies on nothing outside the key; only once its key has
been asked for twice within :data:`SEEN_SECONDS` (so made-up addresses cannot fill Redis, which
is also the Celery broker); and for at most ``PAGE_CACHE_SECONDS`` (``0`` turns the cache off).
Hits and misses say so in ``X-Cache``. Kept pages are stored gzip-compressed and sent that way
to clients that take gzip.

It is the outermost middleware, so a hit costs one query (the version) and one Redis read, and
runs no other middleware: a kept page carries the headers the others gave it. Each process also
remembers the pages it last read from Redis (:class:`RecentPages`, within
``PAGE_CACHE_LOCAL_BYTES``): a hit on one of them skips the Redis read, and is as fresh, since
its key holds the version this very request read from PostgreSQL and it expires when its Redis
copy does. Redis being away makes every request a miss (django-redis ignores its errors), but
for the pages a process already remembers; PostgreSQL being away gets the same 503 page the
views give then, without trying to reach it twice.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache as django_cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import pageversions
from .middleware import database_unavailable_response

log = logging.getLogger(__name__)

#: Pages of one place, cached for anonymous visitors when the place is public.
PLACE_PAGES = frozenset(
    {
        "places:home",
        "places:power_map",
        "places:directory",
        "places:member",
        "places:gatherings",
        "places:gathering",
        "places:gathering_ics",
        "places:calendar",
        "places:calendar_feed",
        "places:house_rules",
        "learning:cycles",
        "learning:cycle",
        "learning:entry",
        "learning:measures",
        "learning:measure",
        "governance:log",
        "governance:feed",
        "governance:feed_page",
        "governance:csv",
        "governance:decision",
        "governance:history",
        "governance:implementation",
        "funds:list",
        "funds:fund",
        "funds:idea",
        "funds:idea_history",
        "funds:awards_csv",
        "funds:awards_360",
        "api:place",
        "api:place_gatherings",
        "api:place_gathering",
        "api:place_cycles",
        "api:place_cycle",
        "api:place_cycle_entries",
        "api:place_cycle_entry",
        "api:place_measures",
        "api:place_measure",
        "api:place_measure_readings",
        "api:place_decisions",
        "api:place_decision",
        "api:place_decision_inputs",
    }
)

#: Pages showing several places (or none), keyed by the site's version.
SITE_PAGES = frozenset({"home", "learning:library", "privacy", "accessibility", "api:places"})

#: Request headers the views read (htmx swaps answer with a part of the page).
HTMX_HEADERS = (
    "HX-Request",
    "HX-Target",
    "HX-Trigger",
    "HX-Trigger-Name",
    "HX-Boosted",
    "HX-History-Restore-Request",
)
#: The same headers as WSGI names them: read from ``request.META`` directly, since building
#: ``request.headers`` walks every header of the request and a hit needs only these.
HTMX_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in HTMX_HEADERS)

#: A response varying on anything else is not kept (the key would not tell its variants apart).
KEYED_VARY = frozenset({"cookie", "hx-request", "accept-encoding"})

#: An Accept-Encoding that takes gzip (as Django's GZipMiddleware reads it).
ACCEPTS_GZIP = re.compile(r"\bgzip\b")

#: A page is kept only when it is asked for again within this many seconds: addresses nobody
#: asks for twice (a flood of made-up searches, say) cost Redis a small marker, never a page.
SEEN_SECONDS = 60

#: Directories whose files make up a release (relative to BASE_DIR).
RELEASE_DIRS = ("relational", "places", "learning", "governance", "templates", "static")


@cache
def release() -> str:
    """A hash of the code, templates and static files: identical on every server of a release."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in RELEASE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _signed_out(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


@lru_cache(maxsize=4096)
def _page(urlconf: str, path: str) -> tuple[str, str | None] | None:
    """(view name, place slug) of a path, or None for a path no view answers. Kept per path:
    resolving walks the URL patterns, a sixteenth of a hit's time, and a path always resolves
    the same way under the same URLconf."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    slug = match.kwargs.get("slug")
    return match.view_name, slug if isinstance(slug, str) else None


def _version(request: HttpRequest) -> str | None:
    """The version of the page this request asks for, or None if it is not to be cached."""
    page = _page(get_urlconf() or settings.ROOT_URLCONF, request.path_info)
    if page is None:
        return None
    view_name, slug = page
    try:
        if view_name in SITE_PAGES:
            return f"site:{pageversions.site_version()}"
        if view_name in PLACE_PAGES and slug is not None:
            found = pageversions.place_version(slug)
            if found is None or not found[0]:  # unknown, or members only
                return None
            return f"place:{slug}:{found[1]}"
    except (OperationalError, InterfaceError):
        raise  # PostgreSQL is away: the middleware answers 503 without asking it twice
    except DatabaseError:
        log.warning("page cache: no version for %s (database error)", request.path)
    return None


def _key(request: HttpRequest, version: str) -> str:
    parts = [
        release(),
        version,
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        *(request.META.get(name, "") for name in HTMX_META),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keepable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Set-Cookie"):
        return False
    control = {part.split("=")[0] for part in _header_words(response, "Cache-Control")}
    if control & {"private", "no-store", "no-cache"}:
        return False
    return _header_words(response, "Vary") <= KEYED_VARY


def _header_words(response: HttpResponse, name: str) -> set[str]:
    return {word.strip().lower() for word in response.get(name, "").split(",") if word.strip()}


#: A kept page: status, headers, the gzip-compressed body, and when it was kept (epoch seconds).
Stored = tuple[int, list[tuple[str, str]], bytes, float]


def _pack(response: HttpResponse) -> Stored:
    """Kept compressed: a fifth of the bytes to move out of Redis, and ready for the browsers
    that take gzip (all of them). A cached page holds no secret - no CSRF token, no nonce, no
    cookie - so compressing it exposes nothing (BREACH needs a secret in the body)."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
    body = gzip.compress(response.content, compresslevel=6)
    return response.status_code, headers, body, _now()


def _unpack(stored: Any, request: HttpRequest) -> HttpResponse | None:
    try:
        status, headers, compressed, _kept_at = stored
        takes_gzip = ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None
        response = HttpResponse(
            compressed if takes_gzip else gzip.decompress(compressed), status=status
        )
        for name, value in headers:
            response[name] = value
    except (TypeError, ValueError, OSError, EOFError):
        return None
    if takes_gzip:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _now() -> float:
    return time.time()


class RecentPages:
    """The pages this process last read from Redis, by key, least recently used first out once
    they pass ``PAGE_CACHE_LOCAL_BYTES`` (``0``: none are remembered). Only what Redis gave is
    remembered, so a process holds no page Redis never had; each leaves when its Redis copy
    expires (``PAGE_CACHE_SECONDS`` after it was kept)."""

    def __init__(self) -> None:
        self._pages: OrderedDict[str, tuple[float, int, Stored]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # threaded servers (runserver, gthread) share it

    def get(self, key: str) -> Stored | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            expires, size, stored = found
            if expires <= _now():
                del self._pages[key]
                self._bytes -= size
                return None
            self._pages.move_to_end(key)
            return stored

    def put(self, key: str, stored: Stored) -> None:
        budget = settings.PAGE_CACHE_LOCAL_BYTES
        try:
            size = len(stored[2]) + sum(len(k) + len(v) for k, v in stored[1]) + 200
            expires = float(stored[3]) + settings.PAGE_CACHE_SECONDS
        except (TypeError, ValueError, IndexError):
            return
        if size > budget or expires <= _now():
            return
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self._bytes -= old[1]
            self._pages[key] = (expires, size, stored)
            self._bytes += size
            while self._bytes > budget:
                _, (_, dropped, _) = self._pages.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


recent_pages = RecentPages()


class AnonymousPageCacheMiddleware:
    """Serve and keep public read pages for signed-out visitors (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The 503 page is answered here, outside the middleware that add the security and CSP
        # headers, so it goes through them on its way out as any page does.
        self.unavailable = SecurityMiddleware(
            ContentSecurityPolicyMiddleware(lambda request: database_unavailable_response())
        )
        release()  # worked out as the server starts, not on its first request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or not _signed_out(request)
            # Inside a transaction that is not committed (only ever a test's), a change made in
            # it has not bumped its version yet: the version cannot be trusted.
            or connection.in_atomic_block
        ):
            return self.get_response(request)
        try:
            version = _version(request)
        except (OperationalError, InterfaceError):
            log.error("Database unavailable while serving %s %s", request.method, request.path)
            return cast(HttpResponse, self.unavailable(request))  # sync: never awaitable
        if version is None:
            return self.get_response(request)
        key = _key(request, version)
        stored: Any = recent_pages.get(key)
        if stored is None:
            stored = django_cache.get(key)
            if stored is not None:
                recent_pages.put(key, stored)
        if stored is not None:
            hit = _unpack(stored, request)
            if hit is not None:
                hit["X-Cache"] = "hit"
                return hit
        response = self.get_response(request)
        if (
            request.method == "GET"
            and _keepable(response)
            and not django_cache.add(f"seen:{key}", 1, SEEN_SECONDS)  # asked for before
        ):
            django_cache.set(key, _pack(response), seconds)
        response["X-Cache"] = "miss"
        return response
