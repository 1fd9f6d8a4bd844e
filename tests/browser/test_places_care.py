"""Seeing the whole system, declaring interests and power, and caring for the space, in the
browser: the place home's "Who is in the room" picture and the stewards' prompt to invite the
missing perspectives; a member declares an interest (through its errors), records a budget and
withdraws the interest, and an anonymous visitor sees each on the member page, the directory
and the power map; a member flags a gathering, a steward hides it with a reason, others see the
reason and not the words, its organiser is emailed, and the steward shows it again. axe checks
the place home, the declaration form (empty and with errors), the power map, the flag form and
the flags queue."""

from __future__ import annotations

import pytest

from places.models import Flag, FlagStatus, Gathering, Hiding, Interest, Membership, Power
from tests.harness.mail import Outbox

pytestmark = pytest.mark.browser


def test_the_place_home_shows_who_is_in_the_room_and_who_is_missing(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    # Anyone reading the place sees the picture, with the missing perspectives in words.
    page.goto(f"/places/{place.slug}/")
    room = page.locator("section.whole-system")
    assert "Who is in the room" in room.locator("h2").inner_text()
    assert "3 members, speaking from 3 of the 9 parts of the system." in room.inner_text()
    assert "Nobody here yet speaks as:" in room.inner_text()
    chart = room.locator("svg[role=img]")
    assert "Manager: nobody yet." in chart.locator("desc").text_content()
    assert "Frontline practitioner: 1." in chart.locator("desc").text_content()
    assert chart.locator("text", has_text="Nobody yet").count() == 6

    # The numbers as a table, behind a details summary.
    room.get_by_text("The numbers as a table").click()
    table = room.locator("table")
    assert table.is_visible()
    manager = table.locator("tr", has=page.get_by_role("rowheader", name="Manager"))
    assert "Missing" in manager.inner_text()
    assert manager.locator("td").all_inner_texts() == ["0", "0%"]
    resident_row = table.locator("tr", has_text="Resident or citizen")
    assert resident_row.locator("td").all_inner_texts() == ["1", "33%"]
    # Nobody signed in, so no prompt to invite.
    assert room.get_by_role("link", name="Invite someone to Millbrook").count() == 0
    axe_check(page)

    # A plain member sees the same picture but no prompt.
    login(page, member)
    page.goto(f"/places/{place.slug}/")
    assert page.locator("section.whole-system svg[role=img]").is_visible()
    assert "The room is missing" not in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Invite someone to Millbrook").count() == 0

    # A steward is asked who they know from the missing perspectives; the link opens the form.
    page.context.clear_cookies()
    login(page, steward)
    page.goto(f"/places/{place.slug}/")
    prompt = page.locator("section.whole-system .govuk-inset-text")
    assert "The room is missing 6 perspectives." in prompt.inner_text()
    assert "senior leader" in prompt.inner_text()
    axe_check(page)
    screenshot(page, "care-01-whole-system-steward")
    prompt.get_by_role("link", name="Invite someone to Millbrook").click()
    page.wait_for_url(f"**/places/{place.slug}/invite/")
    assert page.locator("#id_email").is_visible()
    assert browser_errors == []


def test_a_member_declares_an_interest_and_power_and_withdraws_the_interest(
    page, login, axe_check, screenshot, browser_errors, place, member
) -> None:
    membership = Membership.objects.get(place=place, user=member)
    member_page = f"/places/{place.slug}/members/{membership.pk}/"

    # The member finds their own page from the directory and opens the declaration form.
    login(page, member)
    page.goto(f"/places/{place.slug}/")
    page.get_by_role("link", name="Members", exact=True).click()
    page.locator("#directory-results").get_by_role("link", name="Mo Member").click()
    page.wait_for_url(f"**{member_page}")
    page.get_by_role("link", name="Declare an interest").click()
    page.wait_for_url("**/interests/new/")
    axe_check(page)

    # Sent empty: the error summary lists what is needed.
    page.get_by_role("button", name="Declare it").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Choose what kind of interest it is." in summary.inner_text()
    assert "Describe the interest." in summary.inner_text()
    axe_check(page)

    # Partly filled in: what was typed and chosen stays for the next go.
    page.get_by_label("Funding received").check()
    page.fill("#id_since", "2021-03-01")
    page.get_by_role("button", name="Declare it").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Describe the interest." in summary.inner_text()
    assert "Choose what kind of interest it is." not in summary.inner_text()
    assert page.get_by_label("Funding received").is_checked()
    assert page.input_value("#id_since") == "2021-03-01"
    assert not Interest.objects.filter(user=member).exists()
    screenshot(page, "care-02-interest-errors")

    page.fill("#id_description", "My charity gets a grant from the Millbrook Trust")
    page.get_by_role("button", name="Declare it").click()
    page.wait_for_url(f"**{member_page}")
    interest = Interest.objects.get(place=place, user=member)
    assert interest.kind == "funding"
    assert interest.since is not None and interest.since.isoformat() == "2021-03-01"
    assert "Your interest is declared." in page.locator("main").inner_text()
    assert "My charity gets a grant from the Millbrook Trust" in page.locator("main").inner_text()

    # The member records a budget; it goes on the power map.
    page.get_by_role("link", name="Record power you hold").first.click()
    page.wait_for_url("**/power/new/")
    page.get_by_label("Budget controlled").check()
    page.fill("#id_description", "Early help commissioning budget")
    page.fill("#id_amount", "£1,250,000")
    page.get_by_role("button", name="Record it").click()
    page.wait_for_url(f"**/places/{place.slug}/power/")
    power = Power.objects.get(place=place, user=member)
    assert power.kind == "budget" and power.amount == 1_250_000

    # Signed out, anyone sees the interest on the member page and in the directory, and the
    # budget on the power map.
    page.context.clear_cookies()
    page.goto(member_page)
    assert "My charity gets a grant from the Millbrook Trust" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Declare an interest").count() == 0
    page.goto(f"/places/{place.slug}/members/")
    row = page.locator("#directory-results tr", has_text="Mo Member")
    assert "Funding received: My charity gets a grant from the Millbrook Trust" in (
        row.inner_text().replace("\n", " ")
    )
    page.goto(f"/places/{place.slug}/power/")
    budgets = page.locator("main table")
    budget_row = budgets.locator("tr", has_text="Early help commissioning budget")
    assert "Mo Member" in budget_row.inner_text()
    assert "1,250,000" in budget_row.inner_text()
    axe_check(page)
    screenshot(page, "care-03-power-map")

    # The member withdraws the interest: it is marked withdrawn, and still on the record.
    login(page, member)
    page.goto(member_page)
    page.get_by_role("link", name="Withdraw the interest").click()
    page.wait_for_url("**/withdraw/")
    page.get_by_role("button", name="Withdraw it").click()
    page.wait_for_url(f"**{member_page}")
    interest.refresh_from_db()
    assert interest.withdrawn_at is not None

    page.context.clear_cookies()
    page.goto(member_page)
    main = page.locator("main")
    assert "Mo Member has not declared any interests in Millbrook." in main.inner_text()
    page.get_by_text("Withdrawn interests (1)").click()
    withdrawn = main.locator(".govuk-details", has_text="Withdrawn interests")
    assert "My charity gets a grant from the Millbrook Trust" in withdrawn.inner_text()
    assert "withdrawn" in withdrawn.inner_text()
    # A form with errors answers 400 on purpose, which Chromium logs; nothing else.
    assert [e for e in browser_errors if "status of 400" not in e] == []


def test_a_member_flags_a_gathering_and_a_steward_hides_it_then_shows_it_again(
    page, login, axe_check, screenshot, browser_errors, place, steward, member, resident
) -> None:
    from tests.places.gathering_helpers import arrange

    outbox = Outbox()
    gathering = arrange(
        place,
        member,
        title="Tea at the Old Library",
        purpose="Bring your complaints about the people at number 12, by name.",
    )
    url = gathering.get_absolute_url()

    # A member flags it from the gathering page, with a rule and a reason (after an empty go).
    login(page, resident)
    page.goto(url)
    page.get_by_role("link", name="Flag this gathering to the stewards").click()
    page.wait_for_url("**/flag/gathering/*/")
    axe_check(page)
    page.get_by_role("button", name="Send to the stewards").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Choose the house rule it breaks." in summary.inner_text()
    assert "Say what the problem is." in summary.inner_text()
    axe_check(page)
    rules = page.locator("input[name=house_rule]")
    rules.first.check()
    rule = rules.first.get_attribute("value")
    page.fill("#id_reason", "It names a family on the estate and invites people to complain.")
    page.get_by_role("button", name="Send to the stewards").click()
    page.wait_for_url(f"**{url}")
    assert "The stewards of this place will look at it." in page.locator("main").inner_text()
    flag = Flag.objects.get(place=place, kind="gathering", object_id=gathering.pk)
    assert flag.flagged_by == resident and flag.house_rule == rule
    assert flag.status == FlagStatus.OPEN

    # The steward finds it in the queue from the place home and hides it with a reason.
    page.context.clear_cookies()
    login(page, steward)
    page.goto(f"/places/{place.slug}/")
    page.get_by_role("link", name="Flags to look at (1 open)").click()
    page.wait_for_url(f"**/places/{place.slug}/flags/")
    axe_check(page)
    screenshot(page, "care-04-flags-queue")
    page.get_by_role("link", name="Gathering: Tea at the Old Library").click()
    page.wait_for_url("**/flags/*/")
    assert rule in page.locator("main").inner_text()
    page.fill("#id_reason", "it names a neighbour, which breaks our rule on respect")
    page.get_by_role("button", name="Hide it and tell its author").click()
    page.wait_for_url(f"**/places/{place.slug}/flags/")
    assert "Its author has been sent an email" in page.locator("main").inner_text()
    gathering.refresh_from_db()
    flag.refresh_from_db()
    assert gathering.hidden_at is not None and gathering.hidden_by == steward
    assert flag.status != FlagStatus.OPEN
    assert Hiding.objects.filter(place=place, kind="gathering", object_id=gathering.pk).count() == 1
    axe_check(page)

    # Its organiser is told, with the reason.
    message = outbox.last(to=member.email)
    assert message.subject == "A steward hid your gathering in Millbrook"
    assert "it names a neighbour, which breaks our rule on respect" in message.body

    # Someone signed out sees the reason in its place, and not the words.
    page.context.clear_cookies()
    page.goto(url)
    main = page.locator("main").inner_text()
    assert "Hidden by a steward because it names a neighbour" in main.replace("\n", " ")
    assert "number 12" not in page.content()
    assert "Tea at the Old Library" not in main
    axe_check(page)
    screenshot(page, "care-05-hidden-gathering")
    # Its calendar file keeps the time but not the words either.
    ics = page.request.get(f"{url}gathering.ics")
    assert ics.ok and "number 12" not in ics.text()
    # Nor on the place home: its panel and timeline say it was hidden, without its title.
    page.goto(f"/places/{place.slug}/")
    home = page.locator("main").inner_text()
    assert "Tea at the Old Library" not in home
    assert "Hidden by a steward" in home
    assert "A gathering here was hidden by a steward." in home

    # The steward shows it again; the words are back for everyone.
    login(page, steward)
    page.goto(f"/places/{place.slug}/flags/")
    page.get_by_role("link", name="Show it again").click()
    page.wait_for_url(f"**/hidden/gathering/{gathering.pk}/")
    page.fill("#id_reason", "The organiser has rewritten the purpose.")
    page.get_by_role("button", name="Show it again").click()
    page.wait_for_url(f"**/places/{place.slug}/flags/")
    gathering.refresh_from_db()
    assert gathering.hidden_at is None
    assert Hiding.objects.filter(place=place, kind="gathering", object_id=gathering.pk).count() == 2
    assert outbox.last(to=member.email).subject == "Your gathering in Millbrook is shown again"

    page.context.clear_cookies()
    page.goto(url)
    main = page.locator("main").inner_text()
    assert "Tea at the Old Library" in main
    assert "number 12" in main
    assert "Hidden by a steward" not in main
    assert Gathering.objects.get(pk=gathering.pk).title == "Tea at the Old Library"
    # A form with errors answers 400 on purpose, which Chromium logs; nothing else.
    assert [e for e in browser_errors if "status of 400" not in e] == []
