import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_look(page, login, screenshot, browser_errors, learning_markers, participant, cycle, place):
    login(page, participant)
    page.goto(cycle.get_absolute_url())
    screenshot(page, "look-cycle")
    page.get_by_role("button", name="Log an entry").click()
    page.wait_for_selector("#entry-form-heading")
    screenshot(page, "look-cycle-form")
    page.goto(reverse("learning:library"))
    screenshot(page, "look-library")
    page.goto(place.get_absolute_url())
    screenshot(page, "look-home")
    page.goto(reverse("learning:measure", kwargs={"slug": place.slug, "pk": learning_markers.measures["public"].pk}))
    screenshot(page, "look-measure")
    print(browser_errors)
