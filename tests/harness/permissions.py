"""The machinery of the URL permission test: roles, rules and what each outcome must look like.

The table itself (which URL is for whom) is in :mod:`tests.harness.permissions_table`.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from tests.harness.clients import sign_in

if TYPE_CHECKING:
    from relational.models import User

#: Who may do something. The built-in audiences are "anyone", "signed_in", "member",
#: "steward", "staff" and "nobody"; a role may grant any other word a later feature needs
#: ("participant", "decider", "allocator", …).
Audience = str


class SkipRequest(Exception):  # noqa: N818 - read as "skip this request", not an error
    """Raised by a rule's ``kwargs`` when the URL cannot be built yet (no row of that kind)."""


@dataclass(frozen=True)
class RoleSpec:
    """A person the permission test acts as.

    ``fixture`` names the pytest fixture returning the ``User`` (``None``: signed out).
    ``grants`` are the audiences this person belongs to. ``sees_everything`` marks a role allowed
    to see every private thing (staff in the admin), so the marker check skips it.
    """

    name: str
    fixture: str | None
    grants: frozenset[Audience]
    sees_everything: bool = False

    def __init__(
        self,
        name: str,
        fixture: str | None,
        grants: Iterable[Audience],
        sees_everything: bool = False,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "fixture", fixture)
        object.__setattr__(self, "grants", frozenset(grants))
        object.__setattr__(self, "sees_everything", sees_everything)

    @property
    def signed_in(self) -> bool:
        return self.fixture is not None

    def may(self, audience: Audience | Iterable[Audience]) -> bool:
        wanted = {audience} if isinstance(audience, str) else set(audience)
        return bool(wanted & self.grants)


@dataclass
class Cast:
    """What a rule's callables get: the acting person and any fixture, by name.

    ``twins`` maps a fixture name to the fixture that stands in for it (on the public-place pass
    of the permission test, ``private_place`` is answered with ``place`` and so on:
    ``permissions_table.PUBLIC_TWINS``). ``touched`` records every name asked for.
    """

    request: pytest.FixtureRequest
    role: RoleSpec | None = None
    actor: User | None = None
    twins: Mapping[str, str] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def fixture(self, name: str) -> Any:
        self.touched.add(name)
        return self.request.getfixturevalue(self.twins.get(name, name))


@dataclass(frozen=True)
class Rule:
    """Who may read (GET) and who may act on (POST) one URL, and how to build it.

    * ``read`` / ``write``: an audience, or several (``{"steward", "staff"}``). ``write="nobody"``
      (the default) means the URL takes no POST from anyone.
    * ``kwargs(cast)``: the URL's keyword arguments, built from fixtures
      (``cast.fixture("place")``). It may raise :class:`SkipRequest` when there is nothing to
      point at yet.
    * ``query(cast)`` / ``post_data(cast)``: a query string for the GET and a body for the POST.
    * ``prepare(cast)``: runs before each role's requests, with ``cast.actor`` set (for example to
      give the actor the authenticator a page needs).
    * ``private``: a person who may not see it must get 404, never 403 (anonymous may also be
      sent to log in).
    * ``login_url``: where a refused, signed-out person is sent (a URL name).
    * ``refused_signed_in_redirect``: refused signed-in people are sent to ``login_url`` too
      (Django's admin does this) instead of getting 403/404.
    * ``public``: what differs on a public place, for a rule written against the members-only
      place (``{"read": "anyone"}``): see :meth:`on_public`.
    """

    read: Audience | frozenset[Audience]
    write: Audience | frozenset[Audience] = "nobody"
    kwargs: Callable[[Cast], dict[str, Any]] | None = None
    query: Callable[[Cast], dict[str, Any]] | None = None
    post_data: Callable[[Cast], dict[str, Any]] | None = None
    prepare: Callable[[Cast], None] | None = None
    private: bool = False
    login_url: str = "account_login"
    refused_signed_in_redirect: bool = False
    note: str = ""
    public: dict[str, Any] | None = None

    def audience(self, method: str) -> Audience | frozenset[Audience]:
        return self.read if method == "GET" else self.write

    def on_public(self) -> Rule:
        """The rule on the public place: the same audiences unless ``public`` says otherwise,
        and not ``private`` (a public place is no secret, so a refusal may be 403 or 404)."""
        return replace(self, private=False, **{**(self.public or {}), "public": None})

    @property
    def takes_posts(self) -> bool:
        return self.write != "nobody"


def response_body(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", errors="replace")


def _redirects_to(response: HttpResponseBase, url_name: str) -> bool:
    location = response.get("Location", "")
    return response.status_code in (301, 302, 303, 307) and location.startswith(reverse(url_name))


def judge(rule: Rule, role: RoleSpec, method: str, response: HttpResponseBase) -> str | None:
    """Why this response is wrong for this role, or ``None`` when it is what the rule says."""
    status = response.status_code
    audience = rule.audience(method)
    if status >= 500:
        return f"server error {status}"
    if role.may(audience):
        if status in (403, 404, 405, 429):
            return f"allowed, but got {status}"
        if role.signed_in and _redirects_to(response, rule.login_url):
            return f"allowed, but sent to log in ({response['Location']})"
        return None
    # Refused.
    nobody = audience == "nobody"
    if not role.signed_in:
        if _redirects_to(response, rule.login_url) or status == 404 or (nobody and status == 405):
            return None
        return f"refused, so expected a redirect to {reverse(rule.login_url)} or 404; got {status}"
    if rule.refused_signed_in_redirect and _redirects_to(response, rule.login_url):
        return None
    expected = {404} if rule.private else {403, 404}
    if nobody:
        expected.add(405)
    if status in expected:
        return None
    return f"refused, so expected {' or '.join(map(str, sorted(expected)))}; got {status}"


def leaked_markers(body: str, role: RoleSpec, markers: dict[str, Audience]) -> list[str]:
    """The private markers in ``body`` that ``role`` may not see."""
    if role.sees_everything:
        return []
    return [
        marker for marker, audience in markers.items() if marker in body and not role.may(audience)
    ]


# --- CSRF -----------------------------------------------------------------------------------------

CSRF_CHARS = string.ascii_letters + string.digits


def csrf_client(person: User | None) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, holding a valid CSRF cookie and its token.

    The person is signed in as having just re-entered their password, so allauth's "confirm it
    is you" step does not stand between the request and the view being checked.

    The cookie is the CSRF secret Django would have set; Django accepts the unmasked secret as
    the form token, so POSTs carrying ``csrfmiddlewaretoken=<token>`` pass the real middleware.
    """
    from django.conf import settings

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if person is not None:
        sign_in(client, person, reauthenticated=True)
    token = get_random_string(32, CSRF_CHARS)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client, token


@dataclass
class Findings:
    """Problems collected across roles and methods, reported together."""

    lines: list[str] = field(default_factory=list)

    def add(self, role: RoleSpec, method: str, url: str, problem: str) -> None:
        self.lines.append(f"  {role.name:>10} {method:<4} {url}: {problem}")

    def __bool__(self) -> bool:
        return bool(self.lines)
