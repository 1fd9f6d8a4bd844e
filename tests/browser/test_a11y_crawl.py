"""Every page, as every kind of person, checked by axe-core in a real browser (WCAG 2.2 AA).

The URL names come from the permission harness (``tests.harness.urls.named_urls`` and the
rules in ``tests.harness.permissions_table``, which also know how to build each URL's keyword
arguments from the test cast), so a new URL is crawled as soon as it has a rule. Each role is
one browser context and one tab, reused for every page. After the cast's pages, each role
visits the main pages of the seeded demo place (``places.demo.seed_demo``) as the matching
demo account, so the crawl also sees pages full of believable content.

Never visited: URLs that act (log out, unsubscribe) and URLs that take no GET. Machine
formats (admin, the JSON API, calendar and Atom feeds, CSV and JSON downloads, fragments for
scripts) are requested for their status only: no server error.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse

from governance.models import Decider
from places.demo import seed_demo
from relational import views as relational_views
from relational.models import User
from tests.browser.conftest import AXE_JS, VIEWPORT, _format_violations, run_axe
from tests.browser.screenshots import demo_user, main_pages
from tests.harness.clients import sign_in
from tests.harness.permissions import Cast, RoleSpec, SkipRequest
from tests.harness.permissions_table import MARKER_FIXTURES, ROLES, rule_for
from tests.harness.urls import named_urls

pytestmark = pytest.mark.browser

#: The people the crawl acts as: the cast's fixture, and the demo account for the demo pages.
CRAWL_ROLES: list[tuple[str, str | None, str | None]] = [
    # (role, cast fixture, demo account email name; "decider" is looked up)
    ("anonymous", None, None),
    ("resident member", "resident", "resident"),
    ("frontline member", "member", "frontline"),
    ("steward", "steward", "steward"),
    ("decider", "decider", "decider"),
]

#: URL names never requested: following them would act (sign out, stop emails).
NEVER_VISIT = {"account_logout", "unsubscribe"}

#: Not HTML pages for people: requested for their status only.
STATUS_ONLY_NAMESPACES = {"admin", "api"}
STATUS_ONLY_NAMES = {
    "healthz",
    "notifications_badge",  # a fragment htmx swaps into the header
    "places:mention_candidates",  # a fragment for the mentions script
    "mfa_download_recovery_codes",  # a text file
}
STATUS_ONLY_ROUTE = re.compile(r"\.(ics|atom|csv|json)$|feed\.atom")


@dataclass
class Tally:
    axe: int = 0
    status_only: int = 0
    problems: list[str] = field(default_factory=list)
    seen: set[tuple[str, int]] = field(default_factory=set)


def _absolute(tab: Any, path: str) -> str:
    from urllib.parse import urljoin

    return urljoin(tab.url, path.split("?")[0])


def _role_spec(fixture: str | None) -> RoleSpec:
    for spec in ROLES:
        if spec.fixture == fixture:
            return spec
    return RoleSpec("resident", fixture=fixture, grants={"anyone", "signed_in", "member"})


def _sign_in(tab: Any, person: User | None, base_url: str) -> None:
    tab.context.clear_cookies()
    if person is None:
        return
    client = sign_in(Client(), person, reauthenticated=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    tab.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": base_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def _check_page(tab: Any, path: str, tally: Tally, label: str, expect: int | None = None) -> None:
    response = tab.goto(path, wait_until="load")
    status = response.status if response is not None else 0
    if (status >= 500 or status == 0) if expect is None else status != expect:
        tally.problems.append(f"{label} {path}: status {status}")
        return
    content_type = (response.headers.get("content-type") or "") if response else ""
    if "html" not in content_type:
        tally.status_only += 1
        return
    # A refusal, or a redirect to a page already checked (log in, a 404), is the same page
    # again: its status is checked, axe has seen it.
    redirected = tab.url.split("?")[0] != _absolute(tab, path)
    seen_key = (tab.url.split("?")[0], status)
    if (status in (403, 404) or redirected) and seen_key in tally.seen:
        tally.status_only += 1
        return
    tally.seen.add(seen_key)
    violations = run_axe(tab)
    tally.axe += 1
    if violations:
        tally.problems.append(f"[{label}] " + _format_violations(tab.url, violations))


def _status_only(tab: Any, path: str, tally: Tally, label: str) -> None:
    response = tab.context.request.get(path, max_redirects=0)
    if response.status >= 500:
        tally.problems.append(f"{label} {path}: status {response.status}")
    tally.status_only += 1


def _error_page(tab: Any, html: str, status: int, path: str, tally: Tally, label: str) -> None:
    """Serve an error page as the handler renders it, at a path of the live server (so its
    styles and scripts load as on any page)."""
    tab.route(
        f"**{path}",
        lambda route: route.fulfill(status=status, body=html, content_type="text/html"),
    )
    _check_page(tab, path, tally, label, expect=status)
    tab.unroute(f"**{path}")


def _prepare(rule: Any, cast: Cast) -> None:
    if rule.prepare is None:
        return
    try:
        with transaction.atomic():
            rule.prepare(cast)
    except IntegrityError:
        pass  # already done for this person by an earlier URL (two-factor set up)


def test_every_page_for_every_role_has_no_axe_violations(
    chromium: Any, live_server: Any, transactional_db: None, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    seed_demo()
    for name in MARKER_FIXTURES:
        request.getfixturevalue(name)
    demo_decider = (
        Decider.objects.filter(decision__place__slug="kirkby-vale")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    mains = main_pages()
    entries = [e for e in named_urls() if e.name]
    rf = RequestFactory()

    counts: dict[str, Tally] = {}
    for role_name, fixture, demo_name in CRAWL_ROLES:
        tally = counts.setdefault(role_name, Tally())
        spec = _role_spec(fixture)
        actor = request.getfixturevalue(fixture) if fixture else None
        context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        # axe-core loads with every page (through the DevTools protocol: the CSP allows it).
        context.add_init_script(path=str(AXE_JS))
        tab = context.new_page()
        try:
            _sign_in(tab, actor, live_server.url)
            cast = Cast(request=request, role=spec, actor=actor)
            for entry in entries:
                name = entry.name or ""
                rule = rule_for(name, entry.kwarg_names)
                if rule is None or name in NEVER_VISIT or rule.read == "nobody":
                    continue
                _prepare(rule, cast)
                try:
                    kwargs = rule.kwargs(cast) if rule.kwargs else {}
                except SkipRequest:
                    continue
                path = reverse(name, kwargs=kwargs)
                if rule.query:
                    from urllib.parse import urlencode

                    path = f"{path}?{urlencode(rule.query(cast))}"
                namespace = name.split(":", 1)[0] if ":" in name else ""
                if (
                    namespace in STATUS_ONLY_NAMESPACES
                    or name in STATUS_ONLY_NAMES
                    or STATUS_ONLY_ROUTE.search(path.split("?")[0])
                ):
                    _status_only(tab, path, tally, f"{role_name} {name}")
                else:
                    _check_page(tab, path, tally, f"{role_name} {name}")

            # The error pages, each as the handler renders it for this person.
            fake = rf.get("/")
            fake.user = actor if actor is not None else _anonymous()
            fake.session = {}  # type: ignore[assignment]
            tally.seen.clear()  # the error pages are checked as such, even if seen before
            _check_page(tab, "/no-such-page-for-the-crawl/", tally, f"{role_name} 404", 404)
            for status, handler in ((403, relational_views.permission_denied),):
                html = handler(fake).content.decode()
                _error_page(tab, html, status, "/crawl-403/", tally, f"{role_name} 403")
            html = relational_views.server_error(fake).content.decode()
            _error_page(tab, html, 500, "/crawl-500/", tally, f"{role_name} 500")

            # The demo place's main pages, as the matching demo account.
            if demo_name == "decider":
                demo_person = demo_decider.user if demo_decider else None
            else:
                demo_person = demo_user(demo_name) if demo_name else None
            _sign_in(tab, demo_person, live_server.url)
            for main in mains:
                _check_page(tab, main.path, tally, f"{role_name} demo {main.name}")
        finally:
            context.close()

    took = time.monotonic() - started
    total = sum(t.axe for t in counts.values())
    print(f"\naxe crawl: {total} HTML pages checked in {took:.0f}s over {len(counts)} roles")
    for role_name, tally in counts.items():
        print(f"  {role_name:>17}: {tally.axe} pages checked by axe, {tally.status_only} by status")
    problems = [p for t in counts.values() for p in t.problems]
    assert not problems, "\n\n".join(problems)


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
