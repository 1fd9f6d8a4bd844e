"""The community fund in Chromium: a member proposes an idea, an allocator spreads points with
the live running total (htmx), and after the close everyone sees the awards, the pot chart and
the rule. axe checks the fund page, the idea page and the allocation page; screenshots are in
var/screenshots/funds-*.png."""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance import funds
from governance.fund_models import Award, Idea, Points, RoundState
from tests.governance.fund_cast import (
    close_round,
    fix_electorate,
    give_points,
    make_fund,
    make_idea,
    make_round,
)

pytestmark = pytest.mark.browser


def _unexpected(errors: list[str]) -> list[str]:
    """Browser errors other than the page answering a refused form with a 4xx on purpose."""
    return [e for e in errors if not ("status of 400" in e or "status of 409" in e)]


def test_a_member_proposes_an_idea_and_revises_it(
    page, login, axe_check, screenshot, browser_errors, place, steward, member
) -> None:
    fund = make_fund(place, steward, pot=Decimal("5000.00"))
    login(page, member)
    page.goto(fund.get_absolute_url())
    axe_check(page)
    screenshot(page, "funds-01-fund-open-for-ideas")
    assert "How the money is shared" in page.locator("main").inner_text()

    page.get_by_role("link", name="Propose an idea").click()
    page.wait_for_url("**/ideas/new/")
    axe_check(page)
    # Asking for more than the round's pot is refused, clearly, and what was typed stays.
    page.fill("#id_title", "Warm Wednesdays at the library")
    page.fill("#id_description", "Open the back room with tea and the heating on.")
    page.get_by_label("To have a safe and nurturing place to live").check()
    page.fill("#id_amount", "£6,000")
    page.fill("#id_learning", "Whether a warm room brings out people we never see.")
    page.get_by_role("button", name="Propose the idea").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "cannot be more than the round’s whole pot" in summary
    assert page.input_value("#id_title") == "Warm Wednesdays at the library"
    axe_check(page)
    screenshot(page, "funds-02-idea-form-errors")

    page.fill("#id_amount", "1,250.50")
    page.get_by_role("button", name="Propose the idea").click()
    page.wait_for_url("**/ideas/*/")
    idea = Idea.objects.get()
    assert idea.amount == Decimal("1250.50") and idea.proposer == member
    text = page.locator("main").inner_text()
    assert "Your idea “Warm Wednesdays at the library” is proposed." in text
    assert "Mo Member: proposed it" in text
    axe_check(page)
    screenshot(page, "funds-03-idea")

    page.get_by_role("link", name="Revise your idea").click()
    page.fill("#id_amount", "1100")
    page.fill("#id_note", "Asked for less after talking to the library")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**{idea.get_absolute_url()}")
    idea.refresh_from_db()
    assert idea.version == 2 and idea.amount == Decimal("1100.00")
    page.get_by_role("link", name="See every version").click()
    assert "Asked for less after talking to the library" in page.locator("main").inner_text()
    axe_check(page)
    assert not _unexpected(browser_errors), browser_errors


def test_an_allocator_spreads_points_with_a_live_running_total(
    page, login, axe_check, screenshot, browser_errors, place, steward, member, resident,
    allocator,
) -> None:  # fmt: skip
    fund = make_fund(place, steward, pot=Decimal("3000.00"))
    round_ = make_round(fund, RoundState.ALLOCATING, pot=Decimal("3000.00"))
    at = round_.ideas_open_at
    lunch = make_idea(round_, member, title="Lunch club", amount="1200", at=at)
    bus = make_idea(round_, resident, title="Bus buddies", amount="800", at=at)
    seeds = make_idea(round_, allocator, title="Seed swap", amount="300", at=at)
    fix_electorate(round_, [allocator])

    login(page, allocator)
    page.goto(fund.get_absolute_url())
    page.get_by_role("link", name="Spread your points").click()
    page.wait_for_url("**/points/")
    assert f"#points-{seeds.pk}" and page.locator(f"#points-{seeds.pk}").count() == 0
    assert (
        "You cannot put points on this idea: you proposed it." in page.locator("main").inner_text()
    )
    axe_check(page)

    # Typing updates the running total in place (htmx), without saving anything.
    page.evaluate("window.__notReloaded = true")
    page.fill(f"#points-{lunch.pk}", "60")
    page.wait_for_function(
        "() => document.getElementById('running-total').textContent"
        ".includes('You have placed 60 of your 100 points')"
    )
    page.fill(f"#points-{bus.pk}", "55")
    page.wait_for_function(
        "() => document.getElementById('running-total').textContent.includes('15 more than')"
    )
    assert page.evaluate("window.__notReloaded === true")
    assert not Points.objects.exists()
    axe_check(page)
    screenshot(page, "funds-04-allocation-over")

    # Saving over the allowance is refused and the typed points stay.
    page.get_by_role("button", name="Save my points").click()
    page.wait_for_load_state()
    assert "more than your 100" in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value(f"#points-{bus.pk}") == "55"
    axe_check(page)

    page.fill(f"#points-{bus.pk}", "40")
    page.get_by_role("button", name="Save my points").click()
    page.wait_for_load_state()
    assert "Your points are saved." in page.locator("main").inner_text()
    assert funds.spread_of(round_=round_, user=allocator).points == {lunch.pk: 60, bus.pk: 40}
    assert page.input_value(f"#points-{lunch.pk}") == "60"
    assert "You have placed 100 of your 100 points." in page.locator("#running-total").inner_text()
    axe_check(page)
    screenshot(page, "funds-05-allocation-saved")
    assert not _unexpected(browser_errors), browser_errors


def test_everyone_sees_the_awards_the_pot_and_the_learning_after_the_close(
    page, axe_check, screenshot, browser_errors, place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("2000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("2000.00"))
    lunch = make_idea(round_, member, title="Lunch club", amount="1200.50",
                      organisation_name="Millbrook Lunch Club",
                      organisation_org_id="GB-CHC-1234567")  # fmt: skip
    bus = make_idea(round_, resident, title="Bus buddies", amount="900")
    make_idea(round_, steward, title="Seed swap", amount="300")
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {lunch: 60, bus: 40})
    close_round(round_)
    assert Award.objects.count() == 1  # the bus (900) did not fit in the 799.50 left

    page.goto(fund.get_absolute_url())
    main = page.locator("main").inner_text()
    assert "Ideas in order of points" in main
    assert "£1,200.50 of the £2,000 pot is awarded (60%); £799.50 remains (40%)." in main
    assert "Millbrook Lunch Club" in main
    assert "Not funded: the £799.50 left could not cover the £900 it asked for." in main
    svg = page.locator("svg[role=img]")
    assert svg.get_attribute("aria-labelledby") == "pot-title pot-desc"
    axe_check(page)
    screenshot(page, "funds-06-fund-closed")

    page.get_by_role("link", name="Lunch club").first.click()
    page.wait_for_url(f"**{lunch.get_absolute_url()}")
    assert "Funded: £1,200.50" in page.locator("main").inner_text()
    axe_check(page)
    screenshot(page, "funds-07-idea-funded")
    assert not _unexpected(browser_errors), browser_errors
