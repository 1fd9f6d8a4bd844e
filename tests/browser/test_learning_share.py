"""Sharing learning safely, in the browser: a participant logs one story for the cycle's
participants only and one for anyone, and each reader sees only what is theirs to see; a
participant concludes a cycle, saying what was learned and what will change, and an anonymous
visitor finds it in the learning library by a word from that conclusion. axe checks the cycle
page as each reader sees it and the conclude form (empty and with errors); screenshots go to
var/screenshots/learning-share-*.png."""

from __future__ import annotations

import re

import pytest

from learning.models import Entry, LearningCycle
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.browser

PUBLIC_WORDS = "Mr Okafor brought his own biscuits and stayed for an hour."
PARTICIPANT_WORDS = "Quietly, the family at number 9 told us the rent is three months behind."


def unexpected(errors: list[str]) -> list[str]:
    """Browser errors other than the 4xx answers these tests provoke on purpose (a form sent
    back with errors is a 400, an entry hidden from the reader a 404)."""
    return [e for e in errors if not re.search(r"status of 40[04] ", e)]


def _as(page, login, person) -> None:
    page.context.clear_cookies()
    if person is not None:
        login(page, person)


def _log_story(page, body: str, visibility_label: str) -> None:
    """Log a story through the form that opens in place on the cycle page."""
    page.get_by_role("button", name="Log an entry").click()
    page.wait_for_function("() => document.activeElement.id === 'entry-form-heading'")
    page.get_by_label("Story: what happened, in someone’s words").check()
    page.fill("#id_body", body)
    page.get_by_label(visibility_label, exact=True).check()
    page.get_by_role("button", name="Add to the timeline").click()
    page.wait_for_function(
        "(body) => document.getElementById('timeline-list').textContent.includes(body)",
        arg=body[:30],
    )
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent"
        ".includes('Your story is in the timeline')"
    )


def test_each_reader_sees_only_the_stories_shared_with_them(
    page, login, axe_check, screenshot, browser_errors, cycle, participant, member
) -> None:
    _as(page, login, participant)
    page.goto(cycle.get_absolute_url())
    _log_story(page, PARTICIPANT_WORDS, "The cycle’s participants")
    _log_story(page, PUBLIC_WORDS, "Anyone who can read the place")
    kept = Entry.objects.get(cycle=cycle, kind="story", body=PARTICIPANT_WORDS)
    shared = Entry.objects.get(cycle=cycle, kind="story", body=PUBLIC_WORDS)
    assert (kept.visibility, kept.author) == ("participants", participant)
    assert (shared.visibility, shared.author) == ("public", participant)
    # The participant sees both, the narrower one marked as such.
    timeline = page.locator("#timeline-list").inner_text()
    assert PARTICIPANT_WORDS in timeline and PUBLIC_WORDS in timeline
    screenshot(page, "learning-share-01-participant")

    # An anonymous visitor of the public place's cycle sees only the public story.
    _as(page, login, None)
    page.goto(cycle.get_absolute_url())
    assert "Sign in" in page.locator("header").inner_text()
    text = page.locator("main").inner_text()
    assert PUBLIC_WORDS in text
    assert "rent is three months behind" not in text
    assert "rent is three months behind" not in page.content()
    axe_check(page)
    screenshot(page, "learning-share-02-anonymous")
    response = page.goto(f"{cycle.get_absolute_url()}entries/{kept.pk}/")
    assert response is not None and response.status == 404
    assert "rent is three months behind" not in page.content()
    # Nor does the place's own timeline carry it.
    page.goto(f"/places/{cycle.place.slug}/")
    assert "rent is three months behind" not in page.content()

    # A member of the place who does not take part in the cycle sees the public story only.
    _as(page, login, member)
    page.goto(cycle.get_absolute_url())
    text = page.locator("main").inner_text()
    assert PUBLIC_WORDS in text
    assert "rent is three months behind" not in page.content()
    axe_check(page)
    response = page.goto(f"{cycle.get_absolute_url()}entries/{kept.pk}/")
    assert response is not None and response.status == 404
    assert "rent is three months behind" not in page.content()
    page.goto(f"/places/{cycle.place.slug}/")
    assert "rent is three months behind" not in page.content()
    kept.refresh_from_db()
    assert kept.visibility == "participants"  # nothing widened along the way
    assert unexpected(browser_errors) == []


def test_a_concluded_cycle_is_found_in_the_library_by_its_conclusion(
    page, login, axe_check, screenshot, browser_errors, place, participant
) -> None:
    reflecting = make_cycle(
        place, participant, title="Home visits before the first letter", status="reflecting"
    )
    _as(page, login, participant)
    page.goto(reflecting.get_absolute_url())
    page.get_by_role("link", name="Move the cycle on").click()
    page.wait_for_url("**/move/")
    axe_check(page)

    # Concluding without saying what was learned is refused, clearly, and the typing stays.
    page.get_by_label("Concluded").check()
    page.fill("#id_differently", "Send the letter only after someone has knocked.")
    page.get_by_role("button", name="Move the cycle").click()
    page.wait_for_load_state()
    assert "Say what you learned." in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value("#id_differently") == "Send the letter only after someone has knocked."
    reflecting.refresh_from_db()
    assert reflecting.status == "reflecting"
    axe_check(page)
    screenshot(page, "learning-share-03-conclude-errors")

    page.get_by_label("Concluded").check()
    page.fill(
        "#id_learned",
        "Doorstep conversations about kettles and boilers built more trust than any leaflet.",
    )
    page.get_by_role("button", name="Move the cycle").click()
    page.wait_for_url(f"**{reflecting.get_absolute_url()}")
    reflecting.refresh_from_db()
    assert reflecting.status == "concluded"
    assert "kettles and boilers" in reflecting.learned
    assert reflecting.differently == "Send the letter only after someone has knocked."
    main = page.locator("main").inner_text()
    assert "What we learned" in main and "kettles and boilers" in main

    # Anyone, signed out, finds it in the library by a word from its conclusion.
    make_cycle(place, participant, title="Cooking together at St Anne's", status="stopped")
    _as(page, login, None)
    page.goto("/learning/")
    assert "Home visits before the first letter" in page.locator("#library-results").inner_text()
    page.fill("#library-q", "boilers")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "() => document.getElementById('library-results').textContent.includes('1 cycle found')"
    )
    assert "q=boilers" in page.url
    results = page.locator("#library-results").inner_text()
    assert "Home visits before the first letter" in results
    assert "Cooking together" not in results
    axe_check(page)
    screenshot(page, "learning-share-04-library")
    page.get_by_role("link", name="Home visits before the first letter").click()
    page.wait_for_url(f"**{reflecting.get_absolute_url()}")
    assert "Send the letter only after someone has knocked." in page.locator("main").inner_text()
    assert LearningCycle.objects.get(pk=reflecting.pk).status == "concluded"
    assert unexpected(browser_errors) == []
