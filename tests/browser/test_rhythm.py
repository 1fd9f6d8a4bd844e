"""The rhythm in the browser: the header's notification badge updates without a reload (htmx
polling, and at once when something is marked read); the notifications, email preferences and
unsubscribe pages pass axe; the unsubscribe link in a digest works with one click and says so
clearly; the mention autocomplete picks a member by keyboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from places.digests import digest_batch_build, last_due_period
from places.models import (
    Activity,
    DigestPreference,
    Frequency,
    Membership,
    Notification,
    OutboxMessage,
)
from places.notifications import notification_create
from tests.harness.mail import Outbox
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.browser


def badge_count(page) -> str | None:
    return (
        page.locator("#notifications-badge .rel-badge").get_attribute("data-unread")
        if (page.locator("#notifications-badge .rel-badge").count())
        else None
    )


def test_the_badge_updates_without_a_reload_and_marking_read_updates_it(
    page, login, axe_check, screenshot, browser_errors, settings, place, member, steward
) -> None:
    settings.NOTIFICATION_POLL_SECONDS = 1
    login(page, member)
    page.goto("/")
    assert badge_count(page) is None
    page.evaluate("window.__notReloaded = true")

    # Something happens elsewhere: the badge shows it within a poll, the page is not reloaded.
    notification_create(
        recipient=member,
        kind="mention",
        text="Stevie Steward mentioned you in the notes",
        url=place.get_absolute_url(),
        place=place,
        actor=steward,
    )
    notification_create(
        recipient=member,
        kind="gathering_tomorrow",
        text="Tea at the hub is tomorrow at 18:00",
        url=place.get_absolute_url(),
        place=place,
    )
    page.wait_for_selector("#notifications-badge .rel-badge[data-unread='2']", timeout=8000)
    assert page.evaluate("window.__notReloaded === true")
    assert " ".join(page.locator("#notifications-badge").inner_text().split()) == (
        "Notifications 2 unread"
    )

    # The badge is a real link to the notifications page.
    page.locator("#notifications-badge").click()
    page.wait_for_url("**/notifications/")
    assert "You have 2 unread notifications." in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "rhythm-01-notifications")

    # Marking one read swaps it in place; the header's count follows at once.
    settings.NOTIFICATION_POLL_SECONDS = 3600  # from now on only the event can update it
    page.goto("/notifications/")
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name=re.compile(r"^Mark as read\W+Tea at the hub")).click()
    page.wait_for_selector("#notifications-badge .rel-badge[data-unread='1']")
    assert page.evaluate("window.__notReloaded === true")
    assert "You have 1 unread notification." in page.locator("#unread-summary").inner_text()
    assert page.evaluate("document.activeElement.textContent").startswith("Tea at the hub")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('Marked as read')"
    )
    axe_check(page)

    # Mark all as read: the badge empties.
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_selector("#notifications-badge .rel-badge", state="detached")
    assert page.evaluate("window.__notReloaded === true")
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    screenshot(page, "rhythm-02-all-read")

    # Following a notification marks it read and goes to the thing itself.
    fresh = notification_create(
        recipient=member,
        kind="mention",
        text="Ana mentioned you",
        url=place.get_absolute_url(),
        place=place,
        actor=steward,
    )
    page.goto("/notifications/")
    page.get_by_role("link", name="Ana mentioned you").click()
    page.wait_for_url(f"**{place.get_absolute_url()}")
    fresh.refresh_from_db()
    assert fresh.read_at is not None
    assert browser_errors == []


def test_email_preferences_are_chosen_and_saved(
    page, login, axe_check, screenshot, browser_errors, place, member
) -> None:
    login(page, member)
    page.goto("/settings/email/")
    assert page.get_by_role("group", name="Millbrook").is_visible()
    axe_check(page)
    screenshot(page, "rhythm-03-preferences")

    page.get_by_role("group", name="Millbrook").get_by_label("Every day").check()
    page.get_by_label("Someone mentions you").uncheck()
    page.select_option("#id_time_zone", "Europe/Dublin")
    page.get_by_role("button", name="Save your choices").click()
    page.wait_for_url("**/settings/email/")
    assert "Your email choices are saved." in page.locator("main").inner_text()
    assert DigestPreference.objects.get(user=member, place=place).frequency == Frequency.DAILY
    member.refresh_from_db()
    assert member.time_zone == "Europe/Dublin"
    assert page.get_by_role("group", name="Millbrook").get_by_label("Every day").is_checked()
    axe_check(page)
    assert browser_errors == []


def test_the_unsubscribe_link_in_a_digest_works_with_one_click(
    page, axe_check, screenshot, browser_errors, place, member
) -> None:
    Membership.objects.filter(place=place).update(joined_at=timezone.now() - timedelta(days=60))
    week = last_due_period("weekly", member_zone(member), timezone.now())
    Activity.objects.create(
        place=place,
        kind="member",
        verb="joined",
        summary="Ann joined as a resident",
        perspectives=["resident"],
        created_at=week.start + timedelta(hours=10),
    )
    digest_batch_build(
        place_id=place.pk,
        frequency="weekly",
        time_zone=member.time_zone,
        period=week.name,
        user_ids=[member.pk],
    )
    digest = OutboxMessage.objects.get(recipient=member)
    link = Outbox.links(digest, contains="/unsubscribe/")[0]
    assert digest.headers["List-Unsubscribe"] == f"<{link}>"

    # Signed out, as from an email: the link says what it stops, with one button.
    page.goto(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert "Stop getting the email digest of Millbrook?" in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "rhythm-04-unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "You have unsubscribed"
    assert (
        "You will not get the email digest of Millbrook any more."
        in page.locator(".govuk-panel").inner_text()
    )
    axe_check(page)
    screenshot(page, "rhythm-05-unsubscribed")
    assert DigestPreference.objects.get(user=member, place=place).frequency == Frequency.NEVER

    # A broken link gets a clear page.
    page.goto("/unsubscribe/not-a-real-link/")
    assert page.locator("h1").inner_text() == "This unsubscribe link does not work"
    axe_check(page)
    assert [e for e in browser_errors if "404" not in e] == []


def member_zone(person):
    from places.digests import zone

    return zone(person.time_zone)


def test_a_member_is_mentioned_by_picking_them_from_the_list(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    gathering = arrange(place, steward, days=-2, title="Tea at the hub")
    here = Membership.objects.get(place=place, user=member)
    login(page, steward)
    page.goto(f"/places/{place.slug}/gatherings/{gathering.pk}/notes/")
    notes = page.locator("#id_notes")
    notes.click()
    notes.press_sequentially("Thanks to @Mo", delay=30)
    page.wait_for_selector(".rel-mentions__option[aria-selected='true']")
    assert "Mo Member" in page.locator(".rel-mentions__list").inner_text()
    axe_check(page)
    screenshot(page, "rhythm-06-mention-list")
    notes.press("Enter")
    notes.press_sequentially("for the minutes.", delay=10)
    assert notes.input_value() == f"Thanks to @[Mo Member](member:{here.pk}) for the minutes."
    page.get_by_role("button", name="Save notes").click()
    page.wait_for_url(f"**/gatherings/{gathering.pk}/")
    assert page.get_by_role("link", name="@Mo Member").is_visible()
    assert Notification.objects.get(recipient=member, kind="mention").url == (
        gathering.get_absolute_url()
    )
    assert browser_errors == []
