"""People's data in the browser: asking for a download and downloading it, a steward recording
withdrawn consent, and deleting an account (and being stopped as the only steward). Every page
passes axe and is screenshotted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learning import services as learning
from places import rights
from places.models import DataExport, Membership
from tests.factories import PASSWORD
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _no_task_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server commits, so asking for a download would queue a Celery task to Redis;
    the test builds it itself instead (the real worker's path is tests/places/
    test_data_export_worker.py)."""
    monkeypatch.setattr("places.rights.publish_export", lambda export_id: None)


def test_a_member_downloads_their_data(
    page, login, axe_check, screenshot, browser_errors, place, member
) -> None:
    login(page, member)
    page.goto("/accounts/email/")
    page.get_by_role("link", name="Your data").click()
    page.get_by_role("heading", name="Your data").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-your-data")

    page.get_by_role("button", name="Prepare a download").click()
    page.get_by_text("We are preparing your data").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-preparing")

    export = DataExport.objects.get(user=member)
    assert rights.export_build(export.pk)
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data from").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["data"]["places.account"]["email"] == member.email
    assert download.value.suggested_filename.startswith("relational-data-")
    axe_check(page)
    screenshot(page, "data-rights-ready")

    page.goto("/settings/data/download/not-a-real-link/data.json")
    page.get_by_role("heading", name="This download link does not work").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-link-does-not-work")
    assert [e for e in browser_errors if "404" not in e] == []


def test_a_steward_records_that_a_member_withdrew_consent(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    cycle = make_cycle(place, steward, participants=[member])
    entry = learning.entry_create(
        cycle=cycle,
        author=member,
        kind="story",
        body="My neighbour's story, told at the tea.",
        visibility="public",
    )
    membership = Membership.objects.get(place=place, user=member)
    login(page, steward)
    page.goto(f"/places/{place.slug}/members/{membership.pk}/")
    page.get_by_role("link", name="Record that Mo Member withdrew consent").click()
    page.get_by_role("heading", name="Record that Mo Member withdrew their consent").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-consent-withdraw")

    page.get_by_role("button", name="Withdraw their words").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-consent-withdraw-errors")

    page.get_by_label("How and when did they withdraw their consent?").fill(
        "Asked me at the gathering on 3 March."
    )
    page.get_by_label("They asked for this").check()
    page.get_by_role("button", name="Withdraw their words").click()
    page.get_by_text("now says that they withdrew their consent").wait_for()
    axe_check(page)
    entry.refresh_from_db()
    assert "withdrawn their consent" in entry.body
    assert [e for e in browser_errors if "400 (Bad Request)" not in e] == []


def test_a_member_deletes_their_account_and_the_only_steward_cannot_yet(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    login(page, steward)
    page.goto("/settings/delete/")
    page.get_by_text("You are the only steward of Millbrook").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-delete-only-steward")

    page.context.clear_cookies()
    login(page, member)
    page.goto("/accounts/email/")
    page.get_by_role("link", name="Delete your account").click()
    page.get_by_role("heading", name="Delete your account").wait_for()
    axe_check(page)
    screenshot(page, "data-rights-delete")

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("That is not your password").first.wait_for()
    axe_check(page)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account is deleted").wait_for()
    assert page.locator(".rel-header").get_by_role("link", name="Sign in").count() == 1
    axe_check(page)
    screenshot(page, "data-rights-deleted")
    member.refresh_from_db()
    assert member.display_name == "Former member" and not member.is_active
    assert [e for e in browser_errors if "400 (Bad Request)" not in e] == []
