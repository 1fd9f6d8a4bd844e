"""One-click unsubscribe (RFC 8058): a signed link in every digest, prompt and notification
email, and the List-Unsubscribe headers; the POST needs no login and no CSRF token."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from places import notifications, unsubscribe
from places.models import DigestPreference, Frequency, NotificationPreference

pytestmark = pytest.mark.django_db


def path_for(person, topic: str) -> str:
    return reverse("unsubscribe", kwargs={"token": unsubscribe.token_for(person, topic)})


def test_the_link_shows_what_it_stops_and_changes_nothing_until_the_button(
    place, member, anonymous
) -> None:
    response = anonymous.get(path_for(member, f"digest:{place.pk}"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Stop getting the email digest of Millbrook?" in body
    assert "csrfmiddlewaretoken" not in body
    assert not DigestPreference.objects.exists()  # link scanners that follow links change nothing


def test_one_click_stops_the_digest_without_signing_in_or_a_csrf_token(place, member) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(path_for(member, f"digest:{place.pk}"))
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    preference = DigestPreference.objects.get(user=member, place=place)
    assert preference.frequency == Frequency.NEVER


def test_a_mail_clients_rfc_8058_post_works_and_repeating_it_is_harmless(place, member) -> None:
    client = Client(enforce_csrf_checks=True)
    url = path_for(member, f"digest:{place.pk}")
    for _ in range(2):
        response = client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    assert DigestPreference.objects.filter(user=member, place=place, frequency="never").count() == 1


def test_it_stops_only_that_place_for_that_person(place, private_place, member, resident) -> None:
    Client().post(path_for(member, f"digest:{place.pk}"))
    assert list(DigestPreference.objects.values_list("user", "place", "frequency")) == [
        (member.pk, place.pk, "never")
    ]


def test_a_notification_email_link_stops_that_kind_of_email(member) -> None:
    Client().post(path_for(member, "notify:mention"))
    assert NotificationPreference.objects.get(user=member).email == {"mention": False}
    assert notifications.wants_email(member, "mention") is False
    assert notifications.wants_email(member, "gathering_tomorrow") is True


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"u": 1, "t": "digest:1"}, salt="another.salt"),
        signing.dumps({"u": 999999, "t": "digest:1"}, salt=unsubscribe.SALT),
        signing.dumps(["not", "a", "dict"], salt=unsubscribe.SALT),
    ],
)
def test_a_forged_or_broken_link_gets_a_clear_page(token: str, member) -> None:
    url = reverse("unsubscribe", kwargs={"token": token})
    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 404
        assert "This unsubscribe link does not work" in response.content.decode()
    assert not DigestPreference.objects.exists()


def test_an_altered_link_for_someone_else_is_refused(place, member, resident) -> None:
    token = unsubscribe.token_for(member, f"digest:{place.pk}")
    value, _, signature = token.partition(":")
    forged = signing.dumps({"u": resident.pk, "t": f"digest:{place.pk}"}, salt=unsubscribe.SALT)
    altered = forged.split(":")[0] + ":" + signature
    response = Client().post(reverse("unsubscribe", kwargs={"token": altered}))
    assert response.status_code == 404
    assert not DigestPreference.objects.exists()


def test_a_link_for_a_place_that_no_longer_exists_is_refused(place, member) -> None:
    url = path_for(member, f"digest:{place.pk}")
    place.delete()
    assert Client().get(url).status_code == 404


def test_the_headers_name_the_same_link(member) -> None:
    headers = unsubscribe.headers_for(member, "notify:mention")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<http") and link.endswith(">")
    assert reverse("unsubscribe", kwargs={"token": "x"}).split("x")[0] in link


def test_other_apps_register_their_own_topics(member) -> None:
    stopped = []
    unsubscribe.register_topic(
        "testprompts",
        describe=lambda user, rest: f"prompts for cycle {rest}",
        apply=lambda user, rest: stopped.append((user.pk, rest)),
    )
    Client().post(path_for(member, "testprompts:7"))
    assert stopped == [(member.pk, "7")]
