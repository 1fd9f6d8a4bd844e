"""The main pages of the demo place, and ``make screenshots``: each at 320 px and 1280 px wide.

:func:`main_pages` lists the pages people use most, on the demo place Kirkby Vale
(``places.demo.seed_demo``); the small-screen test, the HTML checker and the screenshots all use
it. ``make screenshots`` runs :func:`test_write_screenshots` (it is not named ``test_*.py``, so
``make test`` does not collect it) and writes ``var/screenshots/<page>-320.png`` and
``-1280.png`` for people to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from relational.models import User

#: The widths the screenshots are taken at: the smallest phone WCAG reflow asks for, a laptop.
WIDTHS = (320, 1280)


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    as_who: str | None  # a demo account's email name (see places.demo.DEMO_PEOPLE), or None


def demo_user(name: str) -> User:
    from places.demo import DEMO_DOMAIN

    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def main_pages() -> list[MainPage]:
    """The main pages, on the seeded demo place, each with who sees it (``None``: anyone)."""
    from governance.fund_models import Fund
    from governance.models import Decision
    from learning.models import LearningCycle, Measure
    from places.demo import DEMO_PLACE_SLUG
    from places.models import Gathering, Place

    place = Place.objects.get(slug=DEMO_PLACE_SLUG)
    slug = {"slug": place.slug}
    pages = [
        MainPage("home", reverse("home"), None),
        MainPage("login", reverse("account_login"), None),
        MainPage("signup", reverse("account_signup"), None),
        MainPage("library", reverse("learning:library"), None),
        MainPage("privacy", reverse("privacy"), None),
        MainPage("accessibility", reverse("accessibility"), None),
        MainPage("place", reverse("places:home", kwargs=slug), "resident"),
        MainPage("members", reverse("places:directory", kwargs=slug), "resident"),
        MainPage("power", reverse("places:power_map", kwargs=slug), "resident"),
        MainPage("gatherings", reverse("places:gatherings", kwargs=slug), "resident"),
        MainPage("cycles", reverse("learning:cycles", kwargs=slug), "frontline"),
        MainPage("measures", reverse("learning:measures", kwargs=slug), "frontline"),
        MainPage("decisions", reverse("governance:log", kwargs=slug), "resident"),
        MainPage("funds", reverse("funds:list", kwargs=slug), "resident"),
        MainPage("notifications", reverse("notifications"), "resident"),
        MainPage("email-settings", reverse("preferences"), "resident"),
    ]
    cycle = LearningCycle.objects.filter(place=place).order_by("pk").first()
    if cycle is not None:
        kwargs = {**slug, "pk": cycle.pk}
        pages.append(MainPage("cycle", reverse("learning:cycle", kwargs=kwargs), "frontline"))
        entry = cycle.entries.order_by("pk").first()
        if entry is not None:
            url = reverse("learning:entry", kwargs={**kwargs, "entry_id": entry.pk})
            pages.append(MainPage("entry", url, "frontline"))
    measure = Measure.objects.filter(place=place).order_by("pk").first()
    if measure is not None:
        url = reverse("learning:measure", kwargs={**slug, "pk": measure.pk})
        pages.append(MainPage("measure", url, "frontline"))
    decision = Decision.objects.filter(place=place).exclude(status="draft").order_by("pk").first()
    if decision is not None:
        url = reverse("governance:decision", kwargs={**slug, "pk": decision.pk})
        pages.append(MainPage("decision", url, "resident"))
    fund = Fund.objects.filter(place=place).order_by("pk").first()
    if fund is not None:
        url = reverse("funds:fund", kwargs={**slug, "fund_id": fund.pk})
        pages.append(MainPage("fund", url, "resident"))
    gathering = Gathering.objects.filter(place=place).order_by("pk").first()
    if gathering is not None:
        url = reverse("places:gathering", kwargs={**slug, "pk": gathering.pk})
        pages.append(MainPage("gathering", url, "resident"))
    return pages


def contexts_by_person(
    chromium: Any, base_url: str, login: Callable[[Any, User], None], width: int
) -> Callable[[str | None], Any]:
    """A page per demo person (signed in) at ``width`` px, made on first use."""
    made: dict[str | None, Any] = {}

    def page_for(who: str | None) -> Any:
        if who not in made:
            context = chromium.new_context(
                viewport={"width": width, "height": 800}, base_url=base_url, locale="en-GB"
            )
            context.set_default_timeout(15_000)
            tab = context.new_page()
            if who is not None:
                login(tab, demo_user(who))
            made[who] = tab
        return made[who]

    page_for.close_all = lambda: [tab.context.close() for tab in made.values()]  # type: ignore[attr-defined]
    return page_for


@pytest.mark.browser
def test_write_screenshots(
    chromium: Any, live_server: Any, transactional_db: None, login: Any
) -> None:
    """``make screenshots``: every main page at each width, into var/screenshots/."""
    from places.demo import seed_demo
    from tests.browser.conftest import screenshot

    seed_demo()
    pages = main_pages()
    written = 0
    for width in WIDTHS:
        page_for = contexts_by_person(chromium, live_server.url, login, width)
        try:
            for main in pages:
                tab = page_for(main.as_who)
                response = tab.goto(main.path)
                assert response is not None and response.status == 200, main
                screenshot(tab, f"{main.name}-{width}")
                written += 1
        finally:
            page_for.close_all()  # type: ignore[attr-defined]
    print(f"wrote {written} screenshots to var/screenshots/")
