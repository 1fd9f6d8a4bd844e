"""iCalendar: each gathering's .ics, the place feed, and members' secret feed addresses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from places.calendar import calendar_token_renew, calendar_token_revoke
from places.gatherings import gathering_cancel, gathering_update
from places.models import CalendarFeedToken, Membership
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.django_db


def events(content: bytes) -> list:
    calendar = Calendar.from_ical(content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


def ics(client, gathering) -> list:
    response = client.get(
        reverse("places:gathering_ics", kwargs={"slug": gathering.place.slug, "pk": gathering.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    return events(response.content)


def test_a_gathering_downloads_as_one_event(client_for, place, member):
    gathering = arrange(place, member, title="Tea at the Old Library")

    [event] = ics(client_for(None), gathering)

    assert str(event["UID"]) == f"gathering-{gathering.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == gathering.starts_at
    assert event.decoded("DTEND") == gathering.ends_at
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Tea at the Old Library (Millbrook)"
    assert str(event["LOCATION"]) == "The Old Library, Church Street"
    assert "Introductions" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(gathering.get_absolute_url())


def test_a_rescheduled_gathering_keeps_its_uid_with_a_new_time_and_higher_sequence(
    client_for, place, member
):
    gathering = arrange(place, member)
    [before] = ics(client_for(None), gathering)
    later = gathering.starts_at + timedelta(days=1)
    gathering_update(
        gathering=gathering, by=member, starts_at=later, ends_at=later + timedelta(hours=1)
    )

    [after] = ics(client_for(None), gathering)

    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == later


def test_a_cancelled_gathering_says_cancelled_with_a_higher_sequence(client_for, place, member):
    gathering = arrange(place, member)
    [before] = ics(client_for(None), gathering)
    gathering_cancel(gathering=gathering, by=member, reason="The hall flooded.")

    [after] = ics(client_for(None), gathering)

    assert after["UID"] == before["UID"]
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "The hall flooded." in str(after["DESCRIPTION"])


def test_the_public_feed_lists_upcoming_and_recent_gatherings_cancelled_ones_included(
    client_for, place, member
):
    coming = arrange(place, member, title="Coming up")
    called_off = gathering_cancel(gathering=arrange(place, member, title="Called off"), by=member)
    arrange(place, member, days=-7, title="Last week")
    arrange(place, member, days=-90, title="Long ago")

    response = client_for(None).get(reverse("places:calendar_feed", kwargs={"slug": place.slug}))

    assert response.status_code == 200
    found = {str(e["SUMMARY"]).split(" (")[0]: e for e in events(response.content)}
    assert set(found) == {"Coming up", "Called off", "Last week"}
    assert str(found["Called off"]["STATUS"]) == "CANCELLED"
    assert str(found["Coming up"]["UID"]).startswith(f"gathering-{coming.pk}@")
    assert called_off.sequence == 1
    assert "public" in response["Cache-Control"]


def test_a_members_only_feed_is_a_404_at_its_plain_address_to_non_members(
    client_for, private_place, member, outsider
):
    arrange(private_place, member)
    feed = reverse("places:calendar_feed", kwargs={"slug": private_place.slug})
    assert client_for(None).get(feed).status_code == 404
    assert client_for(outsider).get(feed).status_code == 404
    response = client_for(member).get(feed)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def _secret_feed(token: CalendarFeedToken) -> str:
    return reverse(
        "places:calendar_feed_private", kwargs={"slug": token.place.slug, "token": token.token}
    )


def test_a_member_makes_revokes_and_renews_their_secret_address(client_for, private_place, member):
    arrange(private_place, member, title="Steering group")
    client = client_for(member)
    anyone = client_for(None)  # a calendar app has no session

    client.post(reverse("places:calendar_token_renew", kwargs={"slug": private_place.slug}))
    first = CalendarFeedToken.objects.get(place=private_place, user=member)
    response = anyone.get(_secret_feed(first))
    assert response.status_code == 200
    assert [str(e["SUMMARY"]).startswith("Steering group") for e in events(response.content)] == [
        True
    ]
    page = client.get(reverse("places:calendar", kwargs={"slug": private_place.slug}))
    assert first.token in page.content.decode()
    first.refresh_from_db()
    assert first.last_used_at is not None

    client.post(reverse("places:calendar_token_revoke", kwargs={"slug": private_place.slug}))
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert anyone.get(_secret_feed(first)).status_code == 404

    client.post(reverse("places:calendar_token_renew", kwargs={"slug": private_place.slug}))
    second = CalendarFeedToken.objects.active().get(place=private_place, user=member)
    assert second.token != first.token
    assert anyone.get(_secret_feed(second)).status_code == 200
    assert anyone.get(_secret_feed(first)).status_code == 404


def test_renewing_replaces_the_old_address(private_place, member):
    first = calendar_token_renew(place=private_place, user=member)
    second = calendar_token_renew(place=private_place, user=member)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert CalendarFeedToken.objects.active().filter(user=member).count() == 1
    assert calendar_token_revoke(place=private_place, user=member) == 1
    assert calendar_token_revoke(place=private_place, user=member) == 0


def test_a_secret_address_stops_working_when_its_member_leaves(client_for, private_place, member):
    token = calendar_token_renew(place=private_place, user=member)
    Membership.objects.filter(place=private_place, user=member).delete()
    assert client_for(None).get(_secret_feed(token)).status_code == 404


def test_a_secret_address_works_only_for_its_own_place(client_for, place, private_place, member):
    token = calendar_token_renew(place=private_place, user=member)
    wrong = reverse(
        "places:calendar_feed_private", kwargs={"slug": place.slug, "token": token.token}
    )
    assert client_for(None).get(wrong).status_code == 404
    made_up = reverse(
        "places:calendar_feed_private", kwargs={"slug": private_place.slug, "token": "x" * 43}
    )
    assert client_for(None).get(made_up).status_code == 404


def test_only_members_get_a_secret_address(client_for, place, private_place, outsider):
    renew_public = reverse("places:calendar_token_renew", kwargs={"slug": place.slug})
    renew_private = reverse("places:calendar_token_renew", kwargs={"slug": private_place.slug})
    assert client_for(outsider).post(renew_public).status_code == 403
    assert client_for(outsider).post(renew_private).status_code == 404
    assert client_for(None).post(renew_private).status_code == 302  # to sign in
    assert not CalendarFeedToken.objects.exists()


def test_a_hidden_gathering_keeps_its_time_but_not_its_words(client_for, place, member, steward):
    from places.flags import content_hide
    from places.registry import registry

    gathering = arrange(place, member, title="Something rude")
    content_hide(kind=registry.flaggable("gathering"), obj=gathering, by=steward, reason="rule 2")

    [event] = ics(client_for(None), gathering)

    assert "rude" not in event.to_ical().decode()
    assert str(event["SUMMARY"]) == "Hidden by a steward"
    assert event.decoded("DTSTART") == gathering.starts_at
