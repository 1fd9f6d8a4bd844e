"""Gatherings in the browser: a member arranges one, another answers "going" (htmx), the
organiser reschedules it and the answerer's email is in the outbox; the timeline filter swaps
the list in place (htmx), moves focus and announces the count. axe checks the gathering form
(empty and with errors), the gathering page and the place home."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from places.models import RSVP, Activity, Answer, Gathering
from tests.harness.mail import Outbox

pytestmark = pytest.mark.browser


def _local(days: int, hour: int) -> str:
    when = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0)
    return when.strftime("%Y-%m-%dT%H:%M")


def test_members_arrange_answer_and_reschedule_a_gathering(
    page, login, axe_check, screenshot, browser_errors, place, member, resident
) -> None:
    outbox = Outbox()

    # A member finds the gatherings from the place home and opens the form.
    login(page, member)
    page.goto(f"/places/{place.slug}/")
    page.get_by_role("link", name="Gatherings", exact=True).click()
    page.get_by_role("link", name="Arrange a gathering").click()
    page.wait_for_url("**/gatherings/new/")
    axe_check(page)

    # Ending before it starts is refused, clearly, and what was typed stays.
    page.get_by_label("Learning session").check()
    page.fill("#id_title", "What the warm evenings taught us")
    page.fill("#id_purpose", "Look at the stories and the numbers together.")
    page.fill("#id_starts_at", _local(9, 18))
    page.fill("#id_ends_at", _local(9, 17))
    page.fill("#id_location", "Community centre, Station Road")
    page.get_by_role("button", name="Arrange the gathering").click()
    page.wait_for_load_state()
    assert "The end must be after the start." in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value("#id_title") == "What the warm evenings taught us"
    axe_check(page)
    screenshot(page, "gatherings-01-form-errors")

    page.fill("#id_ends_at", _local(9, 20))
    page.get_by_role("button", name="Arrange the gathering").click()
    page.wait_for_url("**/gatherings/*/")
    gathering = Gathering.objects.get()
    assert gathering.organiser == member
    assert "Your gathering is arranged" in page.locator("main").inner_text()
    axe_check(page)

    # Another member answers "going": the buttons are swapped in place, without a reload.
    page.context.clear_cookies()
    login(page, resident)
    page.goto(gathering.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Going", exact=True).click()
    page.wait_for_selector("#gathering-answer button[value=going][aria-pressed=true]")
    assert page.evaluate("window.__notReloaded === true")
    assert RSVP.objects.get(gathering=gathering, user=resident).answer == Answer.GOING
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('Your answer is saved')"
    )
    assert page.evaluate("document.activeElement.getAttribute('value')") == "going"
    assert resident.display_name in page.locator("#gathering-answer").inner_text()
    axe_check(page)
    screenshot(page, "gatherings-02-answered")

    # The organiser moves it by a day; the answerer is emailed.
    page.context.clear_cookies()
    login(page, member)
    page.goto(gathering.get_absolute_url())
    page.get_by_role("link", name="Change or reschedule").click()
    axe_check(page)
    page.fill("#id_starts_at", _local(10, 18))
    page.fill("#id_ends_at", _local(10, 20))
    page.fill("#id_message", "The hall is booked on the Tuesday.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**{gathering.get_absolute_url()}")
    gathering.refresh_from_db()
    assert gathering.sequence == 1
    assert timezone.localtime(gathering.starts_at).strftime("%Y-%m-%dT%H:%M") == _local(10, 18)
    message = outbox.last(to=resident.email, subject="Changed:")
    assert "The hall is booked on the Tuesday." in message.body
    assert outbox.count(to=member.email) == 0
    # A form with errors answers 400 (bad input is a 4xx), which Chromium logs; nothing else.
    assert [e for e in browser_errors if "status of 400" not in e] == []


def test_the_timeline_filter_swaps_the_list_in_place(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    from tests.places.gathering_helpers import arrange

    arrange(place, member, title="Tea at the Old Library")
    for i in range(3):
        Activity.objects.create(
            place=place, actor=steward, kind="member", verb="joined", summary=f"Person {i} joined"
        )

    login(page, member)
    page.goto(f"/places/{place.slug}/")
    axe_check(page)
    assert "Person 2 joined" in page.locator("#timeline").inner_text()
    page.evaluate("window.__notReloaded = true")

    page.select_option("#timeline-kind", "gathering")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function(
        "() => !document.getElementById('timeline').innerText.includes('Person 2 joined')"
    )

    timeline = page.locator("#timeline").inner_text()
    assert "Tea at the Old Library" in timeline
    assert page.evaluate("window.__notReloaded === true")  # swapped, not reloaded
    assert parse_qs(urlparse(page.url).query)["kind"] == ["gathering"]  # the address follows
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent === '1 item shown'"
    )
    assert page.evaluate("document.activeElement.id") == "timeline-results"
    axe_check(page)
    screenshot(page, "gatherings-03-timeline-filtered")

    # The address works on its own: reloading it shows the same filtered list.
    page.reload()
    assert "Person 2 joined" not in page.locator("#timeline").inner_text()
    assert page.input_value("#timeline-kind") == "gathering"
    assert browser_errors == []
