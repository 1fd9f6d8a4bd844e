"""The main journeys with a keyboard alone: Tab, Shift+Tab, Enter, Space and the arrow keys.

Nothing is clicked or filled by the test: focus moves with Tab (checked visible at every stop:
an outline or GOV.UK's yellow focus shadow), radios are chosen with the arrow keys, boxes with
Space, text is typed, buttons and links are pressed with Enter. After an htmx swap focus is
somewhere useful (never ``<body>``) and the change is announced in a live region.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from governance import funds
from governance.fund_models import RoundState
from governance.models import Input, Response, Status
from learning.models import Entry
from tests.governance.cast import make_decision
from tests.governance.fund_cast import fix_electorate, make_fund, make_idea, make_round
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.browser

#: Why the focused element's focus is not visible, or "" when it is.
FOCUS_PROBLEM = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'focus is on <body>';
  const shows = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 &&
                        s.outlineColor !== 'rgba(0, 0, 0, 0)') ||
                       (s.boxShadow && s.boxShadow !== 'none');
  if (shows(getComputedStyle(el))) return '';
  // GOV.UK radios and checkboxes draw the ring on the label's ::before (the input is hidden).
  const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
  if (label && (shows(getComputedStyle(label, '::before')) ||
                shows(getComputedStyle(label, '::after')))) return '';
  return `no visible focus on <${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}>`;
}"""


def focus_visible(page: Any) -> None:
    problem = page.evaluate(FOCUS_PROBLEM)
    assert not problem, f"{problem} at {page.url}"


def tab_to(page: Any, target: Any, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has focus, checking focus is visible at every
    stop on the way."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("() => document.activeElement !== document.body"):
            focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def choose_radio(page: Any, group_first: Any, wanted: Any) -> None:
    """Tab into a radio group and move with the arrow keys until ``wanted`` is chosen."""
    page.keyboard.press("Tab")
    for _ in range(120):
        name = group_first.get_attribute("name")
        if page.evaluate(f"() => document.activeElement.name === {name!r}"):
            break
        page.keyboard.press("Tab")
    for _ in range(12):
        focus_visible(page)
        if wanted.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {wanted}")


def live_region_text(page: Any) -> str:
    return page.evaluate("() => document.getElementById('live-region').textContent")


def test_log_an_entry_with_the_keyboard(page, login, place, participant, browser_errors) -> None:
    cycle = make_cycle(place, participant)
    login(page, participant)
    page.goto(cycle.get_absolute_url())
    page.evaluate("window.__notReloaded = true")

    tab_to(page, page.get_by_role("button", name="Log an entry"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'entry-form-heading'")

    kinds = page.locator("input[name=kind]")
    choose_radio(page, kinds.first, page.get_by_label("Action: what we tried"))
    page.locator("#id_world_0").wait_for(state="visible")
    choose_radio(
        page, page.locator("#id_world_0"), page.get_by_label("Done with people", exact=True)
    )
    swimlanes = page.locator("input[name=swimlane]")
    choose_radio(page, swimlanes.first, page.get_by_label("Something people need help with"))
    tab_to(page, page.locator("#id_body"), backwards=True)
    page.keyboard.type("Four people came for tea. No forms on the table.")
    before = live_region_text(page)
    tab_to(page, page.get_by_role("button", name="Add to the timeline"))
    page.keyboard.press("Enter")

    page.wait_for_function(
        "() => document.getElementById('live-region').textContent"
        ".includes('Your action is in the timeline')"
    )
    assert live_region_text(page) != before
    entry = Entry.objects.get(cycle=cycle, kind="action")
    assert (entry.world, entry.swimlane, entry.author) == ("with", "help", participant)
    page.wait_for_function(f"() => document.activeElement.id === 'entry-{entry.pk}-heading'")
    assert page.evaluate("window.__notReloaded === true")
    # From the new entry, the keyboard carries on: the next stop is visibly focused.
    page.keyboard.press("Tab")
    focus_visible(page)


def test_spread_fund_points_with_the_keyboard(
    page, login, place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("3000.00"))
    round_ = make_round(fund, RoundState.ALLOCATING, pot=Decimal("3000.00"))
    at = round_.ideas_open_at
    lunch = make_idea(round_, member, title="Lunch club", amount="1200", at=at)
    bus = make_idea(round_, resident, title="Bus buddies", amount="800", at=at)
    fix_electorate(round_, [allocator])

    login(page, allocator)
    page.goto(fund.get_absolute_url())
    tab_to(page, page.get_by_role("link", name="Spread your points"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/points/")

    tab_to(page, page.locator(f"#points-{lunch.pk}"))
    page.keyboard.type("60")
    page.wait_for_function(
        "() => document.getElementById('running-total').textContent"
        ".includes('You have placed 60 of your 100 points')"
    )
    # The running total is itself a polite live region, and focus stayed in the field.
    assert page.get_attribute("#running-total", "aria-live") == "polite"
    assert page.evaluate(f"() => document.activeElement.id === 'points-{lunch.pk}'")
    tab_to(page, page.locator(f"#points-{bus.pk}"))
    page.keyboard.type("40")
    page.wait_for_function(
        "() => document.getElementById('running-total').textContent"
        ".includes('You have placed 100 of your 100 points')"
    )
    focus_visible(page)
    tab_to(page, page.get_by_role("button", name="Save my points"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.get_by_text("Your points are saved.").wait_for()
    assert funds.spread_of(round_=round_, user=allocator).points == {lunch.pk: 60, bus.pk: 40}


def test_give_input_and_respond_to_it_with_the_keyboard(
    page, login, place, steward, member, decider
) -> None:
    decision = make_decision(place, steward, status=Status.OPEN, deciders=[decider])

    login(page, member)
    page.goto(decision.get_absolute_url())
    tab_to(page, page.get_by_role("link", name="Give your input"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/inputs/new/")
    choose_radio(page, page.locator("input[name=stance]").first, page.get_by_label("Concern"))
    tab_to(page, page.locator("#id_text"), backwards=True)
    page.keyboard.type("Who will lock up at four?")
    tab_to(page, page.get_by_role("button", name="Send my input"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{decision.get_absolute_url()}*")
    item = Input.objects.get(decision=decision)
    assert (item.author, item.stance) == (member, "concern")

    page.context.clear_cookies()
    login(page, steward)
    page.goto(decision.get_absolute_url())
    tab_to(page, page.locator(f"#input-{item.pk}").get_by_role("link", name="Respond"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/respond/")
    choose_radio(page, page.locator("input[name=disposition]").first, page.get_by_label("Adapted"))
    tab_to(page, page.locator("#id_text"))
    page.keyboard.type("A named key-holder will be on the rota every week.")
    tab_to(page, page.get_by_role("button", name="Publish the response"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{decision.get_absolute_url()}#input-{item.pk}")
    assert Response.objects.get(input=item).disposition == "adapted"


def test_join_a_place_from_an_invitation_with_the_keyboard(page, login, place, steward) -> None:
    from django.urls import reverse

    from places import services as place_services
    from places.models import Membership
    from tests.factories import UserFactory

    invitee = UserFactory(display_name="Ife Invitee")
    invitation = place_services.invitation_create(
        place=place, inviter=steward, email=invitee.email, message="Come and help, Ife."
    )
    token = place_services.invitation_token(invitation)

    login(page, invitee)
    page.goto(reverse("places:invitation", kwargs={"token": token}))
    assert "You are invited to join" in page.locator("h1").inner_text()
    # Perspectives are checkboxes: Tab to each, Space to tick it.
    for label in ("Resident or citizen", "Elected member"):
        box = page.get_by_label(label)
        tab_to(page, box)
        page.keyboard.press("Space")
        assert box.is_checked()
    # Shift+Tab back to the first box and on again: focus stays visible both ways.
    tab_to(page, page.get_by_label("Resident or citizen"), backwards=True)
    tab_to(page, page.locator("main form button[type=submit]"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/places/{place.slug}/")
    joined = Membership.objects.get(place=place, user=invitee)
    assert joined.perspectives == ["resident", "elected_member"]


def test_answer_a_prompt_with_the_keyboard(page, cycle, participant) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from learning import services as learning_services
    from learning.models import LearningCycle, PromptDelivery
    from tests.harness.mail import Outbox

    midnight = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)
    LearningCycle.objects.filter(pk=cycle.pk).update(
        rhythm="fortnightly", testing_started_at=midnight - timedelta(days=7)
    )
    ((cycle_id, user_id, key),) = learning_services.prompts_due()
    delivery = learning_services.prompt_deliver(cycle_id=cycle_id, user_id=user_id, period_key=key)
    link = Outbox().link(to=participant.email, contains="/learning/prompts/")

    page.goto(link.replace("http://127.0.0.1:8000", ""))
    tab_to(page, page.locator("#id_body"))
    page.keyboard.type("How much people want to help each other.")
    visibility = page.locator("input[name=visibility]")
    choose_radio(page, visibility.first, page.get_by_label("Members of the place"))
    tab_to(page, page.get_by_role("button", name="Send my answer"))
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-panel")
    entry = Entry.objects.get(prompt=delivery)
    assert (entry.kind, entry.author, entry.visibility) == ("reflection", participant, "members")
    assert PromptDelivery.objects.get(pk=delivery.pk).answered_at is not None


def test_the_focus_check_notices_focus_that_cannot_be_seen(page) -> None:
    page.set_content(
        "<style>a:focus{outline:none;box-shadow:none}</style>"
        "<a href='#x' id='bare'>no ring</a><a href='#y' id='ringed'>ring</a>"
        "<style>#ringed:focus{outline:3px solid #fd0}</style>"
    )
    page.keyboard.press("Tab")
    assert "no visible focus" in page.evaluate(FOCUS_PROBLEM)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_PROBLEM) == ""
