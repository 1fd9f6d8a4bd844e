"""Decisions in the browser: a steward drafts a decision and opens it for input, a member gives
input, the owner responds, the deciders state their interests, the owner records the decision,
and the history and implementation record show what happened. axe checks the decision log, a
decision page, its history, its implementation record and the input form (empty and with
errors); each is screenshotted to var/screenshots/governance-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Decision, Input, Response, Status
from places.models import Interest, Notification

pytestmark = pytest.mark.browser


def _as(page, login, person) -> None:
    page.context.clear_cookies()
    login(page, person)


def test_a_decision_from_draft_to_decided_in_the_open(
    page, login, axe_check, screenshot, browser_errors, place, steward, member, decider
) -> None:
    Interest.objects.create(
        place=place,
        user=decider,
        kind="employment",
        description="Policy adviser on adult social care at the department",
    )

    # The steward finds the decision log from the place home and starts a draft.
    _as(page, login, steward)
    page.goto(f"/places/{place.slug}/")
    page.get_by_role("link", name="The decision log").click()
    page.wait_for_url("**/decisions/")
    page.get_by_role("link", name="Draft a decision").click()
    page.wait_for_url("**/decisions/new/")
    axe_check(page)

    # Without a title it is refused, clearly, and what was typed stays.
    page.fill("#id_question", "Should the community centre open on Sunday afternoons this winter?")
    page.get_by_label("Consent").check()
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    assert "Give the decision a title." in page.locator(".govuk-error-summary").inner_text()
    assert "Sunday afternoons" in page.input_value("#id_question")
    axe_check(page)

    page.fill("#id_title", "Open the centre on Sunday afternoons")
    page.fill("#id_options-0-title", "Volunteers run it")
    page.fill("#id_options-0-pros", "Costs only the heating")
    page.fill("#id_options-0-cons", "Rotas fall apart in January")
    page.get_by_label(steward.display_name).check()
    page.get_by_label(decider.display_name).check()
    page.fill("#id_mandate", "The trustees delegated opening hours to the steering group.")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url("**/decisions/*/")
    decision = Decision.objects.get()
    assert decision.status == Status.DRAFT and decision.owner == steward
    assert "This is a draft" in page.locator("main").inner_text()

    # Open it for input.
    page.get_by_role("link", name="Open for input").click()
    page.fill("#id_input_closes_on", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Open it for input").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")
    decision.refresh_from_db()
    assert decision.status == Status.OPEN

    # A member gives input; an empty submission is refused on the input form first.
    _as(page, login, member)
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="Give your input").click()
    page.wait_for_url("**/inputs/new/")
    axe_check(page)
    screenshot(page, "governance-04-input-form")
    page.fill("#id_text", "Who will lock up at four? Last winter the alarm went off at midnight.")
    page.get_by_role("button", name="Send my input").click()
    page.wait_for_load_state()
    assert "Choose whether you support it" in page.locator(".govuk-error-summary").inner_text()
    assert "alarm went off" in page.input_value("#id_text")
    axe_check(page)
    page.get_by_label("Concern").check()
    page.get_by_role("button", name="Send my input").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")
    item = Input.objects.get()
    assert item.author == member and item.stance == "concern"
    assert "Waiting for a response." in page.locator(f"#input-{item.pk}").inner_text()

    # The owner responds; the member is told.
    _as(page, login, steward)
    page.goto(decision.get_absolute_url())
    page.locator(f"#input-{item.pk}").get_by_role("link", name="Respond").click()
    page.get_by_label("Adapted").check()
    page.fill("#id_text", "A named key-holder will be on the rota every week.")
    page.get_by_role("button", name="Publish the response").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}#input-{item.pk}")
    assert Response.objects.get(input=item).disposition == "adapted"
    assert Notification.objects.filter(recipient=member, kind="decision_response").exists()
    assert "1 input: 1 adapted" in page.locator("#input-summary").inner_text()

    # Deciding waits for the deciders' statements of interest.
    page.get_by_role("link", name="Mark as decided").click()
    assert "Waiting for" in page.locator(".govuk-warning-text").inner_text()

    _as(page, login, decider)
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="State your interests").click()
    page.get_by_label("Employment: Policy adviser on adult social care at the department").check()
    page.get_by_role("button", name="Save my statement").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")

    _as(page, login, steward)
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="State your interests").click()
    page.get_by_label("None of my interests relate to this decision").check()
    page.get_by_role("button", name="Save my statement").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")

    page.get_by_role("link", name="Mark as decided").click()
    page.fill("#id_outcome", "The centre opens from 12 to 4 on Sundays, December to February.")
    page.fill(
        "#id_reasoning",
        "Sunday is the loneliest day. The input asked for a key-holder; "
        "there is one on every rota.",
    )
    page.fill("#id_method_result", "Consent: no objections from the deciders")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")
    decision.refresh_from_db()
    assert decision.status == Status.DECIDED
    deciders = page.locator("#deciders").inner_text()
    assert "Policy adviser on adult social care" in deciders
    assert "Stated that none of their interests relates" in deciders
    axe_check(page)
    screenshot(page, "governance-02-decision")

    # The history shows who changed what, before and after.
    page.get_by_role("link", name="Version history").click()
    page.wait_for_url("**/history/")
    history = page.locator("#history").inner_text()
    assert "Opened for input" in history and "Moved to “Decided”" in history
    assert f"by {member.display_name}" in history and "Response: adapted" in history
    axe_check(page)
    screenshot(page, "governance-03-history")

    # The implementation record takes a progress update.
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="Implementation record").click()
    page.wait_for_url("**/implementation/")
    page.get_by_label("In progress").check()
    page.fill("#id_progress", "25")
    page.fill("#id_text", "Key-holder rota agreed; first Sunday booked.")
    page.get_by_role("button", name="Post the update").click()
    page.wait_for_url("**/implementation/")
    assert "Key-holder rota agreed" in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "governance-05-implementation")
    # The only errors are the two refused forms answering 400 on purpose.
    unexpected = [e for e in browser_errors if "status of 400" not in e]
    assert unexpected == [] and len(browser_errors) == 2


def test_the_decision_log_searches_in_place_with_htmx(
    page, axe_check, screenshot, browser_errors, place, steward
) -> None:
    from governance.reads import LOG_PAGE_SIZE
    from tests.governance.cast import make_decision

    routine = LOG_PAGE_SIZE + 2  # two pages
    for i in range(routine):
        make_decision(place, steward, title=f"Routine decision {i}", status=Status.DECIDED)
    make_decision(
        place,
        steward,
        title="Warm spaces this winter",
        question="Which halls should be warm spaces?",
    )
    page.goto(f"/places/{place.slug}/decisions/")
    axe_check(page)
    screenshot(page, "governance-01-log")
    assert page.locator("link[rel=alternate][type='application/atom+xml']").count() == 1
    assert f"{routine + 1} decisions" in page.locator("#log-count").inner_text()
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("link", name="Next page of decisions").click()
    page.wait_for_function("() => location.search.includes('page=2')")
    assert page.evaluate("window.__notReloaded === true")
    page.fill("#log-q", "warm halls")
    page.get_by_role("button", name="Show decisions").click()
    page.wait_for_function(
        "() => document.getElementById('log-count').textContent.includes('1 decision')"
    )
    assert page.evaluate("window.__notReloaded === true")
    assert "q=warm" in page.url
    assert page.locator("#decision-results a", has_text="Warm spaces this winter").count() == 1
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('1 decision found')"
    )
    axe_check(page)
    assert browser_errors == []
