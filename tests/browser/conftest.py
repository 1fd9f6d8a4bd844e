"""Browser tests: the live server driven by Debian's Chromium through Playwright's sync API.

Fixtures and helpers:

* ``page`` — a new browser context and page per test (1280×900), its base URL the live server,
  so ``page.goto("/accounts/login/")`` works. Database access is transactional (the live server
  runs in another thread with its own connection).
* ``browser_errors`` — console errors, uncaught page errors and failed stylesheet, script,
  image or font loads seen by ``page`` (CSP refusals show up here); assert it is empty.
* ``login(page, user)`` — signs ``user`` in by giving the browser a session cookie (for tests
  that are not about logging in).
* ``axe_check(page)`` — runs axe-core with the WCAG 2.2 AA rules and fails listing each
  violation.
* ``screenshot(page, name)`` — writes ``var/screenshots/<name>.png`` (full page).

Mark browser tests ``@pytest.mark.browser``. Without Chromium the tests skip, saying why
(under CI=true a skip counts as a failure). Playwright's sync API keeps an event loop running
in the test's thread, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while these tests run, and only
then: the browser is started per package and closed after the last browser test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from relational.models import User
from tests.harness.clients import sign_in

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORT = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    """``CHROMIUM`` if set, else Debian's ``/usr/bin/chromium``, else ``chromium`` on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """One headless Chromium for all browser tests in this package."""
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "Chromium not found at /usr/bin/chromium or on PATH (apt-get install -y chromium, "
            "or set CHROMIUM=/path/to/chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _no_email_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live-server requests commit, so the outbox would queue a Celery send to Redis for every
    email; browser tests read the outbox table instead, so nothing is queued."""
    monkeypatch.setattr("places.outbox.publish_delivery", lambda message_id: None)


@pytest.fixture
def browser_errors() -> list[str]:
    return []


@pytest.fixture
def page(
    chromium: Any, live_server: Any, transactional_db: None, browser_errors: list[str]
) -> Iterator[Any]:
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            browser_errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda error: browser_errors.append(f"page error: {error}"))
    # A stylesheet, script, image or font that fails to load (a missing static file).
    tab.on(
        "response",
        lambda response: (
            browser_errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            and response.request.resource_type in {"stylesheet", "script", "image", "font"}
            else None
        ),
    )
    yield tab
    context.close()


@pytest.fixture
def login(live_server: Any) -> Callable[[Any, User], None]:
    """``login(page, user)``: the browser becomes ``user`` by taking a fresh session cookie."""

    def do_login(tab: Any, person: User) -> None:
        client = sign_in(Client(), person)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        tab.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return do_login


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'no impact given'}): {v['help']}")
        lines.append(f"  {v.get('helpUrl', '')}")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def run_axe(tab: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"{AXE_JS.relative_to(BASE_DIR)} is missing: copy node_modules/axe-core/axe.min.js "
            "there (npm install axe-core)"
        )
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    results = tab.evaluate(
        "async (tags) => await window.axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(results["violations"])


def axe_check(tab: Any) -> None:
    """Fail the test if axe-core finds any WCAG 2.2 AA violation on the page."""
    violations = run_axe(tab)
    if violations:
        pytest.fail(_format_violations(tab.url, violations), pytrace=False)


def screenshot(tab: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page to ``var/screenshots/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(name="axe_check")
def axe_check_fixture() -> Callable[[Any], None]:
    return axe_check


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Callable[..., Path]:
    return screenshot
