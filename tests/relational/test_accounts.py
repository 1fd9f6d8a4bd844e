"""Accounts as allauth runs them here: email login, mandatory verification, codes, resets."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import Client

from relational.models import User
from tests.factories import PASSWORD, UserFactory
from tests.harness.mail import Outbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quiet river runs past the library"


def _path(url: str) -> str:
    return urlparse(url).path


def _signed_in_as(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


# --- Password reset ---------------------------------------------------------------------------


def test_a_password_reset_link_is_emailed_and_sets_a_new_password(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    response = anonymous.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"

    link = outbox.link(to=user.email, contains="/accounts/password/reset/key/")
    assert outbox.count(to=user.email) == 1

    # allauth moves the key into the session and redirects to a key-less form URL.
    response = anonymous.get(_path(link))
    assert response.status_code == 302
    form_url = response["Location"]
    assert anonymous.get(form_url).status_code == 200
    response = anonymous.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    # The used link does not work a second time.
    response = anonymous.get(_path(link), follow=True)
    assert user.check_password(NEW_PASSWORD)
    assert b"password1" not in response.content


def test_a_password_reset_for_an_unknown_address_looks_the_same_and_says_so_by_email(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    known = anonymous.post("/accounts/password/reset/", {"email": user.email})
    unknown = anonymous.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    message = outbox.last(to="nobody@example.org")
    assert not outbox.links(message, "/accounts/password/reset/key/")


# --- Sign-up does not reveal who has an account --------------------------------------------------


def test_signing_up_with_an_address_already_registered_reveals_nothing(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    form = {"display_name": "Someone Else", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    fresh = Client().post("/accounts/signup/", {**form, "email": "fresh@example.org"})
    taken = anonymous.post("/accounts/signup/", {**form, "email": user.email.upper()})

    # Same answer as for a new address: off to "check your email".
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert taken["Location"] == "/accounts/confirm-email/"
    # No second account, the first unchanged, and its owner is told by email instead.
    assert User.objects.filter(email__iexact=user.email).count() == 1
    user.refresh_from_db()
    assert user.display_name == "Sam Signed-In"
    assert user.check_password(PASSWORD)
    assert "already have an account" in outbox.last(to=user.email).subject.lower()
    assert _signed_in_as(anonymous) is None


# --- Mandatory verification ----------------------------------------------------------------------


def test_a_person_who_has_not_confirmed_their_address_cannot_sign_in(
    anonymous: Client, outbox: Outbox
) -> None:
    person = UserFactory(verified=False)
    response = anonymous.post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    # allauth sends them to "check your email" with a fresh confirmation link, not signed in.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _signed_in_as(anonymous) is None
    assert outbox.link(to=person.email, contains="/accounts/confirm-email/")
    assert anonymous.get("/accounts/email/")["Location"].startswith("/accounts/login/")
    assert not EmailAddress.objects.get(user=person).verified


def test_confirming_the_address_then_lets_them_sign_in(anonymous: Client, outbox: Outbox) -> None:
    person = UserFactory(verified=False)
    anonymous.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    link = outbox.link(to=person.email, contains="/accounts/confirm-email/")
    assert anonymous.post(_path(link)).status_code == 302
    assert EmailAddress.objects.get(user=person).verified

    response = anonymous.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(anonymous) == person.pk


def test_a_wrong_password_is_refused_with_a_form_error(anonymous: Client, user: User) -> None:
    response = anonymous.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _signed_in_as(anonymous) is None


# --- Sign-in by emailed code ---------------------------------------------------------------------


def _request_code(client: Client, email: str) -> None:
    response = client.post("/accounts/login/code/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/confirm/"


def test_signing_in_with_the_emailed_code_works(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    _request_code(anonymous, user.email)
    response = anonymous.post("/accounts/login/code/confirm/", {"code": outbox.code(to=user.email)})
    assert response.status_code == 302
    assert _signed_in_as(anonymous) == user.pk


def test_a_wrong_code_is_refused_with_a_form_error(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    _request_code(anonymous, user.email)
    response = anonymous.post("/accounts/login/code/confirm/", {"code": "WRNG-CODE"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert _signed_in_as(anonymous) is None
    # The right code still works afterwards.
    response = anonymous.post("/accounts/login/code/confirm/", {"code": outbox.code(to=user.email)})
    assert _signed_in_as(anonymous) == user.pk


def test_too_many_wrong_codes_end_the_attempt_without_an_error_page(
    anonymous: Client, user: User, outbox: Outbox
) -> None:
    _request_code(anonymous, user.email)
    statuses = [
        anonymous.post("/accounts/login/code/confirm/", {"code": "WRNG-CODE"}).status_code
        for _ in range(6)
    ]
    assert all(status < 500 for status in statuses), statuses
    # Once the attempts are used up, even the right code no longer signs in.
    response = anonymous.post("/accounts/login/code/confirm/", {"code": outbox.code(to=user.email)})
    assert response.status_code < 500
    assert _signed_in_as(anonymous) is None


def test_asking_for_a_code_for_an_unknown_address_reveals_nothing(
    anonymous: Client, outbox: Outbox
) -> None:
    _request_code(anonymous, "nobody@example.org")
    message = outbox.last(to="nobody@example.org")
    assert "no account" in message.subject.lower()
    response = anonymous.post("/accounts/login/code/confirm/", {"code": "ABCD-EFGH"})
    assert response.status_code < 500
    assert _signed_in_as(anonymous) is None
