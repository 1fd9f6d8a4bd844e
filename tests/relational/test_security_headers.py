"""What a browser is told to enforce: the Content-Security-Policy on every page (no inline
script allowed, and none needed), and under production settings secure, HttpOnly, SameSite
cookies, HSTS and the redirect to HTTPS. Production settings are read in a fresh process from a
production environment (``tests.relational.test_settings.production_env``), then applied here."""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from places.models import Place
from relational.models import User
from tests.factories import PASSWORD
from tests.relational.test_settings import production_env, run

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


class Scripts(HTMLParser):
    """The page's <script> tags without a ``src`` and its inline event handlers (onclick=…)."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and not found.get("src"):
            self.inline.append(found)
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]


def _pages(place: Place, signed_in: bool) -> list[str]:
    """Pages of the site and of a public place, and a form (each sets the CSRF cookie)."""
    return [
        reverse("home"),
        reverse("places:home", kwargs={"slug": place.slug}),
        reverse("governance:log", kwargs={"slug": place.slug}),
        reverse("preferences" if signed_in else "account_login"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_page_has_a_csp_that_allows_no_inline_script_and_needs_none(
    who: str, place: Place, member: User, client_for
) -> None:
    client = client_for(member if who == "member" else None)
    for url in _pages(place, signed_in=who == "member"):
        # Asked three times: the anonymous page cache keeps a page once asked for twice, and a
        # page from the cache must carry the policy too.
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Content-Security-Policy-Report-Only" not in response, url
            policy = directives(response["Content-Security-Policy"])
            for name in ("default-src", "script-src", "style-src"):
                assert "'unsafe-inline'" not in policy[name], (url, name)
                assert "'unsafe-eval'" not in policy[name], (url, name)
            assert "'self'" in policy["script-src"], url
            assert policy["object-src"] == ["'none'"], url
            assert policy["frame-ancestors"] == ["'none'"], url
            assert policy["base-uri"] == ["'self'"], url
        nonces = {w[7:-1] for w in policy["script-src"] if w.startswith("'nonce-")}
        scripts = Scripts()
        scripts.feed(response.content.decode())
        unallowed = [s for s in scripts.inline if s.get("nonce") not in nonces]
        assert not unallowed, f"{url}: inline scripts the policy would block: {unallowed}"
        assert not scripts.handlers, f"{url}: inline event handlers: {scripts.handlers}"


SHOW_SECURITY = textwrap.dedent(
    """
    import json
    from django.conf import settings
    print(json.dumps({name: getattr(settings, name) for name in [
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "X_FRAME_OPTIONS",
    ]}))
    """
)


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """The security settings a production environment gives (a fresh process reads them)."""
    result = run(["-c", SHOW_SECURITY], production_env())
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_production_asks_for_hsts_on_subdomains_for_a_year_or_more(
    production: dict[str, Any],
) -> None:
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True


def test_under_production_settings_cookies_are_secure_httponly_and_same_site(
    production: dict[str, Any], settings: Settings, user: User
) -> None:
    for name, value in production.items():
        setattr(settings, name, value)
    client = Client()

    plain = client.get(reverse("account_login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")

    form = client.get(reverse("account_login"), secure=True)
    assert form.status_code == 200
    hsts = form["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains(; preload)?", hsts), hsts
    assert int(hsts.split(";")[0].split("=")[1]) >= 31536000
    assert form["X-Content-Type-Options"] == "nosniff"
    assert form["X-Frame-Options"] == "DENY"
    assert form["Referrer-Policy"] == "same-origin"
    csrf = form.cookies[settings.CSRF_COOKIE_NAME]
    signed_in = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]

    for cookie in (csrf, session):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] in ("Lax", "Strict"), cookie.key


def test_check_deploy_is_clean_behind_a_proxy_with_trusted_origins() -> None:
    env = production_env(
        TRUSTED_PROXY_COUNT="1", CSRF_TRUSTED_ORIGINS="https://relational.example.org"
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
