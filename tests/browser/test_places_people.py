"""A steward starts a place in the browser and invites someone; a real Celery worker writes the
invitation email; the invitee opens the link, accepts with their perspectives, and the steward
finds them in the directory. axe checks the create form (empty and with errors), the invite
page, the invitation pages and the directory."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from places.models import Invitation, Membership, Place, Role
from tests.browser.conftest import VIEWPORT
from tests.factories import UserFactory
from tests.harness.mail import Outbox
from tests.workers import wait_for

pytestmark = pytest.mark.browser

INVITEE_EMAIL = "ife.invitee@example.org"


def _path(url: str) -> str:
    parts = urlparse(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_steward_starts_a_place_invites_someone_and_sees_them_join(
    page, login, axe_check, screenshot, browser_errors, celery_worker, live_server
) -> None:
    steward = UserFactory(display_name="Sadia Steward")
    invitee = UserFactory(email=INVITEE_EMAIL, display_name="Ife Invitee")
    celery_worker()
    outbox = Outbox()

    # The steward opens the form; an empty submit shows the errors, accessibly.
    login(page, steward)
    page.goto("/places/new/")
    axe_check(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the name of the place." in summary.inner_text()
    assert "Choose at least one perspective." in summary.inner_text()
    axe_check(page)
    screenshot(page, "places-01-create-errors")

    # Filled in properly, the place is started and the steward is its first steward.
    page.fill("#id_name", "Thornbury Green")
    page.fill("#id_summary", "The estate around Thornbury Green and its park.")
    page.fill(
        "#id_missions", "To feel safe in the park after dark\nFor older people not to be lonely"
    )
    page.get_by_label("Voluntary and community sector").check()
    page.get_by_label("Public: anyone can read it").check()
    page.get_by_label("A steward approves each request").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/places/thornbury-green/")
    place = Place.objects.get(slug="thornbury-green")
    assert Membership.objects.get(place=place, user=steward).role == Role.STEWARD
    assert [m.text for m in place.missions.all()] == [
        "To feel safe in the park after dark",
        "For older people not to be lonely",
    ]
    assert "You have started Thornbury Green" in page.locator("main").inner_text()

    # The steward invites someone from the invite page.
    page.goto("/places/thornbury-green/invite/")
    axe_check(page)
    page.fill("#id_email", INVITEE_EMAIL)
    page.fill("#id_message", "Come and help us with the park, Ife.")
    page.locator("main form[action$='/invite/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert f"We are sending an invitation to {INVITEE_EMAIL}" in page.locator("main").inner_text()
    screenshot(page, "places-02-invited")

    # The worker writes the email; its link is the invitation.
    def emailed() -> bool:
        """the invitation email is in the outbox"""
        return outbox.count(to=INVITEE_EMAIL) > 0

    wait_for(emailed, timeout=30)
    assert Invitation.objects.get(place=place).sent_at is not None
    link = _path(outbox.link(to=INVITEE_EMAIL, contains="/places/invitations/"))

    # The invitee, in their own browser, opens the link and accepts with perspectives.
    context = page.context.browser.new_context(
        viewport=VIEWPORT, base_url=live_server.url, locale="en-GB"
    )
    theirs = context.new_page()
    login(theirs, invitee)
    theirs.goto(link)
    assert "You are invited to join Thornbury Green" in theirs.locator("h1").inner_text()
    assert "Come and help us with the park, Ife." in theirs.locator("main").inner_text()
    axe_check(theirs)
    screenshot(theirs, "places-03-invitation")
    theirs.get_by_label("Resident or citizen").check()
    theirs.get_by_label("Elected member").check()
    theirs.locator("main form button[type=submit]").click()
    theirs.wait_for_url("**/places/thornbury-green/")
    joined = Membership.objects.get(place=place, user=invitee)
    assert joined.perspectives == ["resident", "elected_member"]

    # The same link again: a clear page saying it has been used.
    response = theirs.goto(link)
    assert response is not None and response.status == 410
    assert "This invitation has been used" in theirs.locator("h1").inner_text()
    axe_check(theirs)
    context.close()

    # The inviter is told, and finds the new member in the directory (no email addresses).
    assert outbox.last(to=steward.email).subject == (
        "Ife Invitee accepted your invitation to Thornbury Green"
    )
    page.goto("/places/thornbury-green/members/")
    table = page.locator("#directory-results table")
    assert "Ife Invitee" in table.inner_text()
    assert "Elected member" in table.inner_text()
    assert INVITEE_EMAIL not in page.content()
    axe_check(page)

    # Filtering by perspective with htmx updates the list and the address.
    page.select_option("#perspective", "elected_member")
    page.wait_for_url("**/members/?perspective=elected_member")
    assert "Ife Invitee" in page.locator("#directory-results").inner_text()
    assert "Sadia Steward" not in page.locator("#directory-results").inner_text()
    screenshot(page, "places-04-directory")
    axe_check(page)
    # A failed submit answers 400 and a used link 410 on purpose; Chromium logs those loads.
    unexpected = [
        e for e in browser_errors if "status of 400" not in e and "status of 410" not in e
    ]
    assert not unexpected, unexpected
