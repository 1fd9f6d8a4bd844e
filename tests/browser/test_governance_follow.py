"""Following a decision through, in the browser: the steward names who is responsible for a
decided decision, adds a dated milestone and posts a progress update, and anyone can see it on
the implementation record and the place's timeline; then the steward rescinds the decision with
a reason, and it stays on the record, rescinded, in the decision log and its history. axe checks
the implementation record (as the steward and as anyone) and the rescind form (empty and with
errors); screenshots go to var/screenshots/governance-follow-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Decision, Implementation, Milestone, ProgressUpdate, Status
from places.models import Activity
from tests.governance.cast import make_decision

pytestmark = pytest.mark.browser

TITLE = "A warm welcome desk at the library"


def _as(page, login, person) -> None:
    page.context.clear_cookies()
    if person is not None:
        login(page, person)


def test_a_decision_is_followed_through_then_rescinded_in_the_open(
    page, login, axe_check, screenshot, browser_errors, place, steward, member, decider
) -> None:
    decision = make_decision(
        place,
        steward,
        title=TITLE,
        status=Status.DECIDED,
        deciders=[decider],
        inputs=[(member, "support")],
    )
    implementation_url = f"{decision.get_absolute_url()}implementation/"

    # The steward opens the implementation record from the decision page.
    _as(page, login, steward)
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="Implementation record").click()
    page.wait_for_url(f"**{implementation_url}")
    assert "Nobody named yet" in page.locator("main").inner_text()
    axe_check(page)

    # Names who is responsible.
    page.get_by_role("link", name="Change who is responsible").click()
    page.wait_for_url("**/implementation/responsible/")
    page.get_by_label("Who is responsible for carrying it out?").select_option(
        label=member.display_name
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{implementation_url}")
    record = Implementation.objects.get(decision=decision)
    assert record.responsible == member

    # Adds a dated milestone.
    due = timezone.localdate() + timedelta(days=21)
    page.get_by_role("link", name="Add a milestone").click()
    page.wait_for_url("**/milestones/new/")
    page.fill("#id_title", "Volunteers trained for the desk")
    page.fill("#id_due_on", due.isoformat())
    page.get_by_role("button", name="Add the milestone").click()
    page.wait_for_url(f"**{implementation_url}")
    milestone = Milestone.objects.get(implementation=record)
    assert (milestone.title, milestone.due_on, milestone.done_on) == (
        "Volunteers trained for the desk",
        due,
        None,
    )

    # Posts a progress update.
    page.get_by_label("In progress").check()
    page.fill("#id_progress", "40")
    page.fill("#id_text", "Six volunteers signed up; the desk opens on Tuesday mornings.")
    page.get_by_role("button", name="Post the update").click()
    page.wait_for_url(f"**{implementation_url}")
    record.refresh_from_db()
    assert (record.status, record.progress) == ("in_progress", 40)
    update = ProgressUpdate.objects.get(implementation=record)
    assert update.author == steward and update.progress == 40
    assert Activity.objects.filter(
        place=place, summary__contains="Six volunteers signed up"
    ).exists()
    axe_check(page)
    screenshot(page, "governance-follow-01-implementation-steward")

    # Anyone, signed out, sees the progress on the record and the update on the timeline.
    _as(page, login, None)
    page.goto(implementation_url)
    main = page.locator("main").inner_text()
    assert member.display_name in main
    assert "In progress" in main and "40%" in main
    assert "Volunteers trained for the desk" in main
    assert due.strftime("%-d %b %Y") in main
    assert "Six volunteers signed up" in main
    assert page.locator("#progress-meter").get_attribute("value") == "40"
    assert page.get_by_role("button", name="Post the update").count() == 0
    axe_check(page)
    screenshot(page, "governance-follow-02-implementation-anyone")
    page.goto(decision.get_absolute_url())
    assert "Implementation record: in progress, 40%" in page.locator("main").inner_text()
    page.goto(f"/places/{place.slug}/")
    timeline = page.locator("#timeline-list").inner_text()
    assert f"Progress on “{TITLE}”: in progress, 40%." in timeline
    assert "Six volunteers signed up" in timeline

    # The steward rescinds it; a reason is required.
    _as(page, login, steward)
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="Rescind it").click()
    page.wait_for_url("**/rescind/")
    assert "Nothing is deleted" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Rescind it").click()
    page.wait_for_load_state()
    assert "Say why the decision is rescinded." in page.locator(".govuk-error-summary").inner_text()
    decision.refresh_from_db()
    assert decision.status == Status.DECIDED
    axe_check(page)
    screenshot(page, "governance-follow-03-rescind-errors")
    reason = "The library is closing for repairs until spring; we will decide again then."
    page.fill("#id_reason", reason)
    page.get_by_role("button", name="Rescind it").click()
    page.wait_for_url(f"**{decision.get_absolute_url()}*")
    decision.refresh_from_db()
    assert decision.status == Status.RESCINDED and decision.rescind_reason == reason

    # Anyone sees it rescinded with the reason, still in the decision log, nothing deleted.
    _as(page, login, None)
    page.goto(decision.get_absolute_url())
    warning = page.locator(".govuk-warning-text").inner_text()
    assert "Rescinded" in warning and reason in warning
    assert "Open on Sundays with volunteers." in page.locator("main").inner_text()
    screenshot(page, "governance-follow-04-rescinded")
    page.goto(f"/places/{place.slug}/decisions/")
    assert page.locator("#decision-results a", has_text=TITLE).count() == 1
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()
    assert Milestone.objects.filter(pk=milestone.pk).exists()

    # The history shows the change, with its reason.
    page.goto(decision.get_absolute_url())
    page.get_by_role("link", name="Version history").click()
    page.wait_for_url("**/history/")
    history = page.locator("#history").inner_text()
    assert "Moved to “Rescinded”" in history
    assert reason in history
    axe_check(page)
    screenshot(page, "governance-follow-05-history")
    # The only error is the refused rescind form answering 400 on purpose.
    unexpected = [e for e in browser_errors if "status of 400" not in e]
    assert unexpected == [] and len(browser_errors) == 1
