"""In-app notifications: what people are told, the list and badge, marking read, mentions,
and the email some notifications also send."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from places import mentions, notifications, services
from places.flags import content_hide
from places.gatherings import gathering_answer, gathering_cancel, gathering_update
from places.models import (
    Answer,
    Membership,
    Mention,
    Notification,
    NotificationPreference,
    OutboxKind,
    OutboxMessage,
)
from places.registry import registry
from tests.factories import UserFactory
from tests.harness.queries import assert_constant_queries
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.django_db


def notify(person, text="Something happened", **kwargs):
    kwargs.setdefault("kind", "mention")
    return notifications.notification_create(recipient=person, text=text, url="/", **kwargs)


# --- What people are told -----------------------------------------------------------------------


def test_the_inviter_is_told_when_an_invitation_is_accepted(place, steward) -> None:
    invitation = services.invitation_create(place=place, inviter=steward, email="new@example.org")
    newcomer = UserFactory(email="new@example.org", display_name="Nadia New")

    membership = services.invitation_accept(
        invitation=invitation, user=newcomer, perspectives=["resident"]
    )

    told = Notification.objects.get(recipient=steward)
    assert told.kind == "invitation_accepted"
    assert told.text == "Nadia New accepted your invitation to join Millbrook"
    assert told.url == reverse(
        "places:member", kwargs={"slug": place.slug, "membership_id": membership.pk}
    )
    assert told.place == place and told.actor == newcomer and told.is_unread


def test_people_going_to_a_gathering_are_told_when_it_moves_or_is_cancelled(
    place, steward, member, resident
) -> None:
    gathering = arrange(place, steward, days=5)
    gathering_answer(gathering=gathering, user=member, answer=Answer.GOING)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.MAYBE)

    gathering_update(
        gathering=gathering,
        by=steward,
        starts_at=gathering.starts_at + timedelta(days=1),
        ends_at=gathering.ends_at + timedelta(days=1),
    )
    gathering_cancel(gathering=gathering, by=steward, reason="The hall flooded")

    told = list(Notification.objects.filter(kind="gathering_changed").order_by("id"))
    assert [n.recipient for n in told] == [member, member]  # not the maybe, not the steward
    assert "has changed: it is now on" in told[0].text
    assert told[1].text == "Tea at the Old Library (Millbrook) has been cancelled"
    assert told[0].url == gathering.get_absolute_url()


def test_a_change_that_moves_nothing_tells_nobody(place, steward, member) -> None:
    gathering = arrange(place, steward, days=5)
    gathering_answer(gathering=gathering, user=member, answer=Answer.GOING)
    gathering_update(gathering=gathering, by=steward, title="A new title")
    assert not Notification.objects.exists()


def test_people_going_are_reminded_the_day_before_once(place, steward, member, resident) -> None:
    now = timezone.now()
    tomorrow = timezone.localtime(now + timedelta(days=1)).replace(hour=18, minute=0)
    gathering = arrange(place, steward, starts_at=tomorrow)
    later = arrange(place, steward, days=4, title="Next week")
    gathering_answer(gathering=gathering, user=member, answer=Answer.GOING)
    gathering_answer(gathering=later, user=member, answer=Answer.GOING)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.NOT_GOING)

    first = notifications.notify_gatherings_tomorrow(now=now)
    second = notifications.notify_gatherings_tomorrow(now=now)

    # The organiser (steward) is going too.
    assert (first, second) == (2, 0)
    reminders = Notification.objects.filter(kind="gathering_tomorrow")
    assert {n.recipient for n in reminders} == {member, steward}
    assert all("is tomorrow at 18:00" in n.text for n in reminders)


def test_the_author_is_told_when_a_steward_hides_what_they_wrote(place, steward, member) -> None:
    gathering = arrange(place, member, days=5, title="Selling double glazing")
    content_hide(
        kind=registry.flaggable("gathering"), obj=gathering, by=steward, reason="it is an advert"
    )
    told = Notification.objects.get(recipient=member)
    assert told.kind == "content_hidden"
    assert told.text == "A steward hid your gathering in Millbrook because it is an advert"
    assert told.actor == steward


def test_nobody_is_told_about_what_they_did_themselves_or_when_inactive(place, member) -> None:
    assert notify(member, actor=member) is None
    member.is_active = False
    member.save()
    assert notify(member) is None
    assert not Notification.objects.exists()


def test_a_keyed_notification_is_made_once(member) -> None:
    assert notify(member, key="once:1") is not None
    assert notify(member, key="once:1") is None
    assert Notification.objects.count() == 1


# --- Mentions -------------------------------------------------------------------------------


def test_a_mention_is_kept_by_member_id_and_a_forged_one_becomes_plain_text(
    place, private_place, member, resident, outsider
) -> None:
    here = Membership.objects.get(place=place, user=member)
    elsewhere = Membership.objects.get(place=private_place, user=resident)
    text = (
        f"Thanks @[Mo](member:{here.pk}) and @[Someone](member:{elsewhere.pk}) "
        "and @[Ghost](member:999999) and @Rhiannon"
    )
    resolved = mentions.resolve(place, text)
    assert resolved.members == [here]
    assert resolved.text == (
        f"Thanks @[Mo Member](member:{here.pk}) and @Someone and @Ghost and @Rhiannon"
    )


def test_mentioned_members_are_told_once_per_writing(place, steward, member, resident) -> None:
    here = Membership.objects.get(place=place, user=member)
    me = Membership.objects.get(place=place, user=steward)
    text = f"Great point from @[Mo Member](member:{here.pk}), said @[Stevie](member:{me.pk})"
    for _ in range(2):
        made = mentions.mentions_record(
            place=place,
            by=steward,
            text=text,
            source_key="test:1:notes",
            url="/places/millbrook/",
            what="the notes of Tea at the Old Library",
        )
    assert made == []  # the second save tells nobody again
    told = Notification.objects.get(recipient=member)
    assert told.text == "Stevie Steward mentioned you in the notes of Tea at the Old Library"
    assert Mention.objects.filter(source_key="test:1:notes").count() == 1
    assert not Notification.objects.filter(recipient=steward).exists()  # not self


def test_mentions_render_as_links_and_everything_typed_is_escaped(place, member) -> None:
    here = Membership.objects.get(place=place, user=member)
    html = mentions.render_html(place, f"<script>x</script> hi @[Mo](member:{here.pk})\nnext")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert f'href="/places/millbrook/members/{here.pk}/">@Mo Member</a>' in html
    assert "<br>" in html
    assert mentions.render_plain(f"hi @[Mo](member:{here.pk})") == "hi @Mo"


def test_the_autocomplete_lists_members_of_the_place_for_members_only(
    place, private_place, member, outsider, client_for
) -> None:
    url = reverse("places:mention_candidates", kwargs={"slug": place.slug})
    response = client_for(member).get(url, {"q": "rh"})
    assert response.status_code == 200
    found = json.loads(response.content)["members"]
    resident = Membership.objects.get(place=place, user__display_name="Rhiannon Resident")
    assert found == [
        {
            "id": resident.pk,
            "name": "Rhiannon Resident",
            "perspectives": "Resident or citizen",
            "token": f"@[Rhiannon Resident](member:{resident.pk})",
        }
    ]
    assert "@example.org" not in response.content.decode()
    # A word inside the name matches too; nobody is a match for nonsense.
    assert [
        m["name"] for m in json.loads(client_for(member).get(url, {"q": "res"}).content)["members"]
    ] == ["Rhiannon Resident"]
    assert json.loads(client_for(member).get(url, {"q": "zzz"}).content)["members"] == []
    nul = client_for(member).get(url, {"q": "rh\x00"})  # dropped, never an error
    assert [m["name"] for m in json.loads(nul.content)["members"]] == ["Rhiannon Resident"]
    assert client_for(outsider).get(url).status_code == 403
    private = reverse("places:mention_candidates", kwargs={"slug": private_place.slug})
    assert client_for(outsider).get(private).status_code == 404


# --- The list, the badge, marking read --------------------------------------------------------


def test_the_list_shows_my_notifications_newest_first_with_links(member, user, client_for):
    notify(member, text="First thing")
    notify(member, text="Second thing")
    notify(user, text="Someone else's")
    response = client_for(member).get(reverse("notifications"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Second thing") < body.index("First thing")
    assert "Someone else" not in body
    assert "You have 2 unread notifications." in body
    first = Notification.objects.get(text="First thing")
    assert reverse("notification_open", args=[first.pk]) in body


def test_the_list_costs_the_same_queries_for_5_and_50(member, client_for, place) -> None:
    client = client_for(member)

    def make(n: int) -> None:
        for i in range(n):
            notify(member, text=f"Thing {i}", place=place)

    assert_constant_queries(client, reverse("notifications"), make)


def test_opening_a_notification_marks_it_read_and_follows_its_link(member, client_for) -> None:
    notification = notify(member)
    notification.url = "/places/millbrook/"
    notification.save()
    response = client_for(member).get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/places/millbrook/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_elsewhere_is_not_followed(member, client_for) -> None:
    notification = notify(member)
    Notification.objects.filter(pk=notification.pk).update(url="https://evil.example/")
    response = client_for(member).get(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications")


def test_someone_elses_notification_is_a_404(member, user, client_for) -> None:
    notification = notify(member)
    client = client_for(user)
    assert client.get(reverse("notification_open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_one_read_with_htmx_swaps_it_and_tells_the_badge(member, client_for) -> None:
    one = notify(member, text="One")
    notify(member, text="Two")
    response = client_for(member).post(
        reverse("notification_read", args=[one.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{one.pk}"' in body
    assert "Mark as read" not in body
    assert "You have 1 unread notification." in body  # the summary, out of band
    one.refresh_from_db()
    assert one.read_at is not None


def test_marking_read_without_javascript_goes_back_to_the_list(member, client_for) -> None:
    one = notify(member)
    response = client_for(member).post(reverse("notification_read", args=[one.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    one.refresh_from_db()
    assert one.read_at is not None


def test_mark_all_read(member, user, client_for) -> None:
    notify(member)
    notify(member)
    other = notify(user)
    response = client_for(member).post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    htmx = client_for(member).post(reverse("notifications_read_all"), HTTP_HX_REQUEST="true")
    assert "Nothing was unread." in htmx.content.decode()


def test_the_badge_counts_unread_and_stops_polling_when_signed_out(
    member, client_for, anonymous
) -> None:
    for _ in range(3):
        notify(member)
    badge = client_for(member).get(reverse("notifications_badge"))
    body = badge.content.decode()
    assert badge.status_code == 200
    assert 'data-unread="3"' in body and '3<span class="govuk-visually-hidden"> unread' in body
    assert f'href="{reverse("notifications")}"' in body
    assert f'hx-get="{reverse("notifications_badge")}"' in body
    assert anonymous.get(reverse("notifications_badge")).status_code == 286
    page = client_for(member).get(reverse("home")).content.decode()
    assert 'id="notifications-badge"' in page and 'data-unread="3"' in page
    assert 'id="notifications-badge"' not in anonymous.get(reverse("home")).content.decode()
    # Only the reader's own unread ones count: not what they have read, nor someone else's.
    notify(UserFactory())
    notifications.notifications_mark_read(user=member, ids=[notify(member).pk])
    page = client_for(member).get(reverse("home")).content.decode()
    assert 'data-unread="3"' in page


# --- Email -----------------------------------------------------------------------------------


def test_a_mention_also_comes_by_email_unless_turned_off(member, resident, place) -> None:
    notify(member, text="Ana mentioned you in the notes", place=place)
    row = OutboxMessage.objects.get(recipient=member)
    assert row.kind == OutboxKind.NOTIFICATION and row.place == place
    assert row.subject == "Ana mentioned you in the notes"
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in row.body and "Ana mentioned you in the notes" in row.html

    NotificationPreference.objects.create(user=resident, email={"mention": False})
    notify(resident)
    assert not OutboxMessage.objects.filter(recipient=resident).exists()
    assert Notification.objects.filter(recipient=resident).exists()


def test_kinds_the_service_already_emails_send_no_second_email(place, steward) -> None:
    notify(steward, kind="invitation_accepted")
    assert not OutboxMessage.objects.filter(kind=OutboxKind.NOTIFICATION).exists()


# --- Preferences ----------------------------------------------------------------------------


def test_the_preferences_page_saves_frequency_email_choices_and_time_zone(
    place, private_place, member, client_for
) -> None:
    client = client_for(member)
    page = client.get(reverse("preferences")).content.decode()
    assert "Millbrook" in page and "Hidden Hollow" in page
    assert 'value="weekly" checked' in page  # the default

    response = client.post(
        reverse("preferences"),
        {
            f"digest_{place.pk}": "daily",
            f"digest_{private_place.pk}": "never",
            "email_kinds": ["gathering_tomorrow"],
            "time_zone": "Pacific/Auckland",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.time_zone == "Pacific/Auckland"
    frequencies = dict(member.digest_preferences.values_list("place__slug", "frequency"))
    assert frequencies == {"millbrook": "daily", "hidden-hollow": "never"}
    choices = notifications.email_choices(member)
    assert choices["gathering_tomorrow"] is True
    # Every optional kind left unticked is now off, whatever its default was.
    assert {kind for kind, on in choices.items() if on} == {"gathering_tomorrow"}


def test_bad_preferences_are_refused_with_clear_errors_and_what_was_typed_kept(
    place, member, client_for
) -> None:
    response = client_for(member).post(
        reverse("preferences"),
        {f"digest_{place.pk}": "hourly", "time_zone": "Mars/Base", "email_kinds": ["nonsense"]},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Choose a time zone from the list." in body
    assert "Choose how often to get the digest of Millbrook." in body
    member.refresh_from_db()
    assert member.time_zone == "Europe/London"
    assert not member.digest_preferences.exists()


def test_preferences_ignore_places_the_person_is_not_in(
    place, private_place, outsider, client_for
) -> None:
    response = client_for(outsider).post(
        reverse("preferences"),
        {f"digest_{place.pk}": "daily", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302
    assert not outsider.digest_preferences.exists()


def test_mentions_in_a_gatherings_notes_tell_the_member_and_link_to_them(
    place, private_place, steward, member, resident, client_for
) -> None:
    gathering = arrange(place, steward, days=-3, title="Tea at the hub")
    here = Membership.objects.get(place=place, user=member)
    elsewhere = Membership.objects.get(place=private_place, user=resident)
    url = reverse("places:gathering_notes", kwargs={"slug": place.slug, "pk": gathering.pk})
    client = client_for(steward)

    form = client.get(url).content.decode()
    notes = f"Thanks @[Mo](member:{here.pk}); @[Not here](member:{elsewhere.pk}) and @Rhiannon"
    response = client.post(url, {"notes": notes, "attendees": [steward.pk]})
    client.post(url, {"notes": notes + " Edited.", "attendees": [steward.pk]})

    assert 'data-mentions-url="/places/millbrook/members/mentions/"' in form
    assert "js/mentions.js" in form
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.notes == (
        f"Thanks @[Mo Member](member:{here.pk}); @Not here and @Rhiannon Edited."
    )
    told = Notification.objects.get(kind="mention")  # once, though the notes were saved twice
    assert told.recipient == member
    assert told.text == "Stevie Steward mentioned you in the notes of Tea at the hub"
    assert told.url == gathering.get_absolute_url()
    page = client_for(None).get(gathering.get_absolute_url()).content.decode()
    assert f'href="/places/millbrook/members/{here.pk}/">@Mo Member</a>' in page
    assert "@Not here" in page and "member:" not in page


def test_a_persons_notifications_and_email_choices_are_exported_and_erased(place, member):
    notify(member, text="Hello there", place=place)
    NotificationPreference.objects.create(user=member, email={"mention": False})
    handler = registry.data_handlers["places.rhythm"]

    exported = handler.export(member)

    assert [n["text"] for n in exported["notifications"]] == ["Hello there"]
    assert exported["notification_emails"] == {"mention": False}
    assert exported["time_zone"] == "Europe/London"
    handler.erase(member)
    assert not Notification.objects.filter(recipient=member).exists()
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_a_place_page_reads_the_badge_s_count_with_the_place_and_asks_no_more(
    member, outsider, place, client_for
) -> None:
    """On a place's pages the unread count comes in the query that finds the place (for a
    member and for a signed-in visitor of a public place alike), so the badge asks nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for person, unread in ((member, 2), (outsider, 1)):
        for _ in range(unread):
            notify(person)
        client = client_for(person)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("places:home", kwargs={"slug": place.slug}))
        assert f'data-unread="{unread}"' in page.content.decode()
        counts = [q["sql"] for q in captured if "places_notification" in q["sql"]]
        assert counts and all("places_place" in sql for sql in counts), counts
    Notification.objects.filter(recipient=member).update(read_at=timezone.now())
    page = client_for(member).get(reverse("places:home", kwargs={"slug": place.slug}))
    assert 'id="notifications-badge"' in page.content.decode()
    assert "data-unread" not in page.content.decode()  # nothing unread: no number
