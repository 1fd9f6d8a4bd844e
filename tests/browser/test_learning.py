"""Learning in the browser: frame a cycle and move it to testing, log an entry through the
form that opens in place (htmx), record a reading and see the chart, answer a prompt from the
emailed link without signing in, and search the library. Screenshots of each page are saved,
and axe checks the cycle, library and prompt-answer pages (and the forms, with errors)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learning import services
from learning.models import Entry, LearningCycle, Measure, PromptDelivery, Reading
from tests.harness.mail import Outbox
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.browser


def unexpected(errors: list[str]) -> list[str]:
    """Browser errors other than the 4xx answers these tests provoke on purpose (a form sent
    back with errors is a 400, a used prompt link a 410, and Chromium logs each)."""
    return [e for e in errors if not re.search(r"status of 4(00|09|10) ", e)]


def test_a_member_frames_a_cycle_and_logs_an_entry_in_place(
    page, login, axe_check, screenshot, browser_errors, place, member, resident
) -> None:
    login(page, member)
    page.goto(f"/places/{place.slug}/cycles/")
    page.get_by_role("link", name="Start a learning cycle").click()
    page.wait_for_url("**/cycles/new/")
    axe_check(page)

    # Missing answers are refused clearly, and what was typed stays.
    page.fill("#id_title", "Tea before the assessment")
    page.get_by_role("button", name="Start the cycle").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Say what you are trying to learn." in summary
    assert page.input_value("#id_title") == "Tea before the assessment"
    axe_check(page)
    screenshot(page, "learning-01-frame-errors")

    page.fill("#id_question", "What changes when we meet people over tea before any form?")
    page.fill(
        "#id_intent",
        "We think meeting first will help people say what matters, because they know us.",
    )
    page.get_by_label("To have a safe and nurturing place to live").check()
    page.get_by_label("Practitioner and person").check()
    page.get_by_label("H2: the transition").check()
    page.get_by_label("A team").check()
    page.get_by_label("Weekly").check()
    page.get_by_label("Rhiannon Resident (Resident or citizen)").check()
    page.get_by_role("button", name="Start the cycle").click()
    page.wait_for_url("**/cycles/*/")
    cycle = LearningCycle.objects.get(title="Tea before the assessment")
    assert set(cycle.participants.all()) == {member, resident}
    assert "Your learning cycle is framed" in page.locator("main").inner_text()

    # Move it to testing: the move is an entry in the timeline.
    page.get_by_role("link", name="Move the cycle on").click()
    page.get_by_label("Testing").check()
    page.fill("#id_note", "Starting on Tuesdays at the community centre.")
    page.get_by_role("button", name="Move the cycle").click()
    page.wait_for_url(f"**{cycle.get_absolute_url()}")
    assert "Moved on to testing" in page.locator("#timeline").inner_text()
    axe_check(page)

    # The log form opens in place, without a page load.
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Log an entry").click()
    page.wait_for_function("() => document.activeElement.id === 'entry-form-heading'")
    assert page.locator("#id_world_0").is_hidden()  # the action's questions wait for "Action"
    page.get_by_label("Action: what we tried").check()
    assert page.locator("#id_world_0").is_visible()
    page.fill("#id_body", "Four people came for tea. No forms on the table.")
    page.get_by_role("button", name="Add to the timeline").click()
    page.wait_for_selector(".govuk-error-summary")
    assert (
        "Choose whether this was done to, for, with or by people."
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.input_value("#id_body") == "Four people came for tea. No forms on the table."
    assert page.evaluate("window.__notReloaded === true")
    axe_check(page)
    screenshot(page, "learning-02-entry-form-errors")

    page.get_by_label("Done with people", exact=True).check()
    page.get_by_label("Something people need help with").check()
    page.get_by_role("button", name="Add to the timeline").click()
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent"
        ".includes('Your action is in the timeline')"
    )
    assert page.evaluate("window.__notReloaded === true")
    entry = Entry.objects.get(cycle=cycle, kind="action")
    assert (entry.world, entry.swimlane, entry.author) == ("with", "help", member)
    page.wait_for_function(f"() => document.activeElement.id === 'entry-{entry.pk}-heading'")
    assert "Four people came for tea" in page.locator("#timeline-list").inner_text()
    # The button is back for the next entry.
    assert page.get_by_role("button", name="Log an entry").is_visible()
    axe_check(page)
    screenshot(page, "learning-03-cycle-with-entry")
    assert unexpected(browser_errors) == []


def test_a_participant_records_a_reading_and_sees_the_chart(
    page, login, axe_check, screenshot, browser_errors, cycle, participant
) -> None:
    login(page, participant)
    page.goto(cycle.get_absolute_url())
    page.get_by_role("link", name="Add a measure").first.click()
    page.fill("#id_name", "People who felt listened to")
    page.fill("#id_unit", "score out of 10")
    page.get_by_label("Relational (such as trust or wellbeing)").check()
    page.get_by_label("Higher is better").check()
    page.get_by_role("button", name="Add the measure").click()
    page.wait_for_url("**/measures/*/")
    measure = Measure.objects.get(name="People who felt listened to")

    # A reading that is not a number, dated in the future, is refused with clear messages.
    page.get_by_role("link", name="Record a reading").click()
    page.fill("#id_value", "lots")
    page.fill("#id_date", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record the reading").click()
    page.wait_for_load_state()
    errors = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the reading as a number, like 12 or 3.5." in errors
    assert "The date of a reading cannot be in the future." in errors
    axe_check(page)

    for days, value in ((42, "5.5"), (28, "6"), (0, "7.5")):
        page.goto(f"/places/{cycle.place.slug}/measures/{measure.pk}/readings/new/")
        page.fill("#id_value", value)
        page.fill("#id_date", (timezone.localdate() - timedelta(days=days)).isoformat())
        page.fill("#id_note", "Cards from the Tuesday tea")
        page.get_by_role("button", name="Record the reading").click()
        page.wait_for_url(f"**{measure.get_absolute_url()}")
    assert Reading.objects.filter(measure=measure).count() == 3
    chart = page.locator("svg[role=img]")
    assert chart.locator("circle").count() == 3
    assert (
        "It is up 2 since the first reading, which is better." in page.locator("main").inner_text()
    )
    assert page.locator("table.govuk-table tbody tr").count() == 3
    axe_check(page)
    screenshot(page, "learning-04-measure")

    # The readings are data points in the cycle's timeline, and the chart is on its page too.
    page.goto(cycle.get_absolute_url())
    assert page.locator("#timeline-list").inner_text().count("People who felt listened to") == 3
    assert page.locator("#measures-heading ~ div svg[role=img]").count() == 1
    axe_check(page)
    screenshot(page, "learning-05-cycle-with-measure")
    assert unexpected(browser_errors) == []


def test_a_participant_answers_a_prompt_from_the_emailed_link(
    page, axe_check, screenshot, browser_errors, cycle, participant
) -> None:
    midnight = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)
    LearningCycle.objects.filter(pk=cycle.pk).update(
        rhythm="fortnightly", testing_started_at=midnight - timedelta(days=7)
    )
    ((cycle_id, user_id, key),) = services.prompts_due()
    delivery = services.prompt_deliver(cycle_id=cycle_id, user_id=user_id, period_key=key)
    link = Outbox().link(to=participant.email, contains="/learning/prompts/")

    # Not signed in: the link opens the answer form for this prompt only.
    page.goto(link.replace("http://127.0.0.1:8000", ""))
    assert delivery.question_text in page.locator("h1").inner_text()
    assert "Sign in" in page.locator("header").inner_text()
    axe_check(page)
    screenshot(page, "learning-06-prompt-answer")

    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_load_state()
    assert (
        "Write your answer before sending it." in page.locator(".govuk-error-summary").inner_text()
    )
    axe_check(page)

    page.fill("#id_body", "How much people want to help each other if we make room for it.")
    page.get_by_label("Members of the place").check()
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_selector(".govuk-panel")
    assert "Your reflection is in the timeline" in page.locator(".govuk-panel").inner_text()
    axe_check(page)
    entry = Entry.objects.get(prompt=delivery)
    assert (entry.kind, entry.author, entry.visibility) == ("reflection", participant, "members")
    delivery.refresh_from_db()
    assert delivery.answered_at is not None
    # Still signed out, and the link does not work a second time.
    assert "Sign in" in page.locator("header").inner_text()
    page.goto(link.replace("http://127.0.0.1:8000", ""))
    assert "This prompt cannot be answered" in page.locator("h1").inner_text()
    assert PromptDelivery.objects.get(pk=delivery.pk).answered_at == delivery.answered_at
    assert unexpected(browser_errors) == []


def test_anyone_searches_the_learning_library(
    page, axe_check, screenshot, browser_errors, place, participant
) -> None:
    floods = make_cycle(
        place, participant, title="Knocking on doors after the floods", status="concluded"
    )
    make_cycle(place, participant, title="Cooking together at St Anne's", status="stopped")
    LearningCycle.objects.filter(pk=floods.pk).update(horizon="h1")
    services.cycle_refresh_search(floods.pk)

    page.goto("/learning/")
    assert "2 cycles" in page.locator("#library-results").inner_text()
    axe_check(page)
    page.evaluate("window.__notReloaded = true")
    page.fill("#library-q", "floods")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "() => document.getElementById('library-results').textContent.includes('1 cycle found')"
    )
    assert page.evaluate("window.__notReloaded === true")
    assert "q=floods" in page.url
    results = page.locator("#library-results").inner_text()
    assert "Knocking on doors after the floods" in results and "Cooking together" not in results
    axe_check(page)
    screenshot(page, "learning-07-library-search")

    page.fill("#library-q", "")
    page.select_option("#library-horizon", "h1")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "() => document.getElementById('library-results').textContent.includes('1 cycle found')"
    )
    assert "Knocking on doors" in page.locator("#library-results").inner_text()
    page.get_by_role("link", name="Knocking on doors after the floods").click()
    page.wait_for_url(f"**{floods.get_absolute_url()}")
    assert "What we learned" in page.locator("main").inner_text()
    axe_check(page)
    assert unexpected(browser_errors) == []
