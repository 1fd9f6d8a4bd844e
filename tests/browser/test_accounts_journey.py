"""A person signs up, confirms their address, signs out and signs in with an emailed code."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress

from relational.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

NAME = "Priya Shah"
EMAIL = "priya.shah@example.org"


def _path(url: str) -> str:
    parts = urlparse(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_person_signs_up_confirms_and_signs_in_with_a_code(
    page, outbox, screenshot, browser_errors
) -> None:
    # Sign up with a name, an email address and a password.
    page.goto("/accounts/signup/")
    page.fill("input[name=display_name]", NAME)
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    screenshot(page, "accounts-01-signup-filled")
    page.locator("main form[action='/accounts/signup/'] button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    screenshot(page, "accounts-02-check-your-email")

    person = User.objects.get(email=EMAIL)
    assert person.display_name == NAME
    assert not EmailAddress.objects.get(user=person).verified

    # The confirmation email is in the outbox; its link confirms the address.
    link = outbox.link(to=EMAIL, contains="/accounts/confirm-email/")
    page.goto(_path(link))
    screenshot(page, "accounts-03-confirm-address")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert EmailAddress.objects.get(user=person).verified

    # Confirming does not sign the person in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off): they
    # are sent to sign in, and do so with their password.
    header = page.locator("header")
    assert urlparse(page.url).path == "/accounts/login/"
    screenshot(page, "accounts-03b-confirmed")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert NAME in header.inner_text()

    # Sign out with the header's button (a POST form).
    header.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert header.get_by_role("link", name="Sign in").is_visible()
    assert NAME not in header.inner_text()

    # Sign in with a code sent by email.
    page.goto("/accounts/login/code/")
    page.fill("input[name=email]", EMAIL)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/login/code/confirm/")
    code = outbox.code(to=EMAIL, subject="code")
    page.fill("input[name=code]", code)
    screenshot(page, "accounts-04-enter-code")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    assert urlparse(page.url).path == "/"
    assert NAME in header.inner_text()
    screenshot(page, "accounts-05-signed-in")
    person.refresh_from_db()
    assert person.last_login is not None
    assert not browser_errors, browser_errors


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "home"), ("/accounts/signup/", "signup"), ("/accounts/login/", "login")],
)
def test_the_page_has_no_wcag_violations(
    page, axe_check, screenshot, browser_errors, path, name
) -> None:
    page.goto(path)
    screenshot(page, f"axe-{name}")
    axe_check(page)
    # Its CSS and scripts loaded, and nothing broke the content security policy.
    assert page.evaluate("() => document.styleSheets.length") >= 1
    assert not browser_errors, browser_errors


def test_a_signed_in_person_sees_their_name_in_the_header(page, login, user) -> None:
    login(page, user)
    page.goto("/")
    assert user.display_name in page.locator("header").inner_text()
