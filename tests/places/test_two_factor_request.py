"""A place can ask its stewards to turn on two-factor authentication."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from places.models import Place

ASK = "asks its stewards to turn on two-factor authentication"


@pytest.mark.django_db
def test_a_steward_can_turn_the_request_on_when_describing_the_place(
    place: Place, steward, client_for
) -> None:
    client = client_for(steward)
    form = client.get(reverse("places:edit", args=[place.slug])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["stewards_use_two_factor"] = "on"
    response = client.post(reverse("places:edit", args=[place.slug]), data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.stewards_use_two_factor is True


@pytest.mark.django_db
def test_stewards_without_two_factor_are_asked_and_others_are_not(
    place: Place, steward, member, client_for
) -> None:
    place.stewards_use_two_factor = True
    place.save(update_fields=["stewards_use_two_factor"])
    home = reverse("places:home", args=[place.slug])

    asked = client_for(steward).get(home)
    assert ASK in asked.content.decode()
    assert reverse("mfa_index") in asked.content.decode()
    assert ASK not in client_for(member).get(home).content.decode()

    Authenticator.objects.create(user=steward, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert ASK not in client_for(steward).get(home).content.decode()


@pytest.mark.django_db
def test_nobody_is_asked_when_the_place_does_not_ask(place: Place, steward, client_for) -> None:
    response = client_for(steward).get(reverse("places:home", args=[place.slug]))
    assert response.status_code == 200
    assert ASK not in response.content.decode()
