"""Gatherings: arranging, answering, rescheduling, cancelling and notes — saved state, activity
rows, emails and refusals, through the services and through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from places.gatherings import (
    GatheringClosed,
    gathering_answer,
    gathering_cancel,
    gathering_record_notes,
    gathering_update,
)
from places.models import (
    RSVP,
    Activity,
    Answer,
    Gathering,
    GatheringStatus,
    Membership,
    OutboxMessage,
)
from tests.factories import UserFactory
from tests.places.gathering_helpers import arrange, form_data, soon

pytestmark = pytest.mark.django_db


def url(name: str, gathering: Gathering | None = None, **kwargs: object) -> str:
    if gathering is not None:
        kwargs.update(slug=gathering.place.slug, pk=gathering.pk)
    return reverse(f"places:{name}", kwargs=kwargs)


# --- Arranging ---------------------------------------------------------------------------------


def test_a_member_arranges_a_gathering_and_it_is_on_the_timeline(place, member):
    gathering = arrange(place, member, title="Tea at the Old Library")

    gathering.refresh_from_db()
    assert gathering.place == place
    assert gathering.organiser == member
    assert gathering.sequence == 0
    assert gathering.status == GatheringStatus.SCHEDULED
    # The organiser is going to their own gathering.
    assert RSVP.objects.get(gathering=gathering).user == member
    row = Activity.objects.get(kind="gathering", verb="arranged")
    assert row.place == place and row.actor == member and row.target == gathering
    assert "Tea at the Old Library" in row.summary
    assert row.url == gathering.get_absolute_url()
    assert row.perspectives == ["frontline"]


def test_it_refuses_an_end_before_the_start(place, member):
    start = soon()
    with pytest.raises(ValidationError) as error:
        arrange(place, member, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in error.value.message_dict
    assert not Gathering.objects.exists()


def test_it_needs_a_place_to_meet_or_an_online_link(place, member):
    with pytest.raises(ValidationError) as error:
        arrange(place, member, location="", online_url="")
    assert "location" in error.value.message_dict
    online = arrange(place, member, location="", online_url="https://meet.example.org/abc")
    assert online.online_url == "https://meet.example.org/abc"


def test_the_form_arranges_a_gathering_and_shows_it(client_for, place, member):
    client = client_for(member)
    response = client.post(url("gathering_new", slug=place.slug), form_data())

    gathering = Gathering.objects.get()
    assert response.status_code == 302
    assert response["Location"] == gathering.get_absolute_url()
    assert gathering.title == "What we learnt from the hub pilot"
    assert gathering.kind == "learning"
    assert gathering.ends_at - gathering.starts_at == timedelta(hours=1, minutes=30)
    page = client.get(gathering.get_absolute_url())
    assert "What we learnt from the hub pilot" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": ""}, "ends_at", "Enter when it ends."),
        ({"starts_at": "2027-02-30T10:00"}, "starts_at", "as a real date and time"),
        ({"starts_at": "not a date"}, "starts_at", "as a real date and time"),
        ({"location": "", "online_url": ""}, "location", "Give a place to meet"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "full web address"),
        ({"title": "x" * 121}, "title", "at most 120"),
        ({"kind": "party"}, "kind", "Select a valid choice"),
    ],
)
def test_the_form_refuses_bad_input_with_a_400_and_keeps_what_was_typed(
    client_for, place, member, overrides, field, message
):
    data = form_data(**overrides)
    response = client_for(member).post(url("gathering_new", slug=place.slug), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "There is a problem" in body
    assert data["purpose"] in body  # what was typed is kept
    assert not Gathering.objects.exists()


def test_the_form_refuses_an_end_before_the_start(client_for, place, member):
    start = soon()
    data = form_data(
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client_for(member).post(url("gathering_new", slug=place.slug), data)
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not Gathering.objects.exists()


# --- Answering ---------------------------------------------------------------------------------


def test_each_member_has_one_answer_and_can_change_it(place, member, resident):
    gathering = arrange(place, member)

    gathering_answer(gathering=gathering, user=resident, answer=Answer.MAYBE)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.GOING)

    answers = RSVP.objects.filter(gathering=gathering, user=resident)
    assert answers.count() == 1
    assert answers.get().answer == Answer.GOING


def test_answers_close_when_it_is_cancelled(place, member, resident):
    gathering = gathering_cancel(gathering=arrange(place, member), by=member)
    with pytest.raises(GatheringClosed):
        gathering_answer(gathering=gathering, user=resident, answer=Answer.GOING)
    assert not RSVP.objects.filter(user=resident).exists()


def test_answering_with_htmx_returns_only_the_answer_buttons(client_for, place, member, resident):
    gathering = arrange(place, member)
    client = client_for(resident)

    response = client.post(
        url("gathering_answer", gathering),
        {"answer": "going"},
        headers={"HX-Request": "true", "HX-Target": "gathering-answer"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'aria-pressed="true"' in body
    assert "Your answer is saved: going." in body
    assert "HX-Request" in response["Vary"]
    assert RSVP.objects.get(gathering=gathering, user=resident).answer == Answer.GOING


def test_answering_a_cancelled_gathering_with_htmx_says_it_is_closed(
    client_for, place, member, resident
):
    gathering = gathering_cancel(gathering=arrange(place, member), by=member)
    response = client_for(resident).post(
        url("gathering_answer", gathering),
        {"answer": "going"},
        headers={"HX-Request": "true", "HX-Target": "gathering-answer"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "no longer taking answers" in body and "<button" not in body
    assert not RSVP.objects.filter(user=resident).exists()


def test_answering_without_javascript_redirects_back(client_for, place, member, resident):
    gathering = arrange(place, member)
    response = client_for(resident).post(url("gathering_answer", gathering), {"answer": "maybe"})
    assert response.status_code == 302
    assert response["Location"] == gathering.get_absolute_url()
    assert RSVP.objects.get(gathering=gathering, user=resident).answer == Answer.MAYBE


def test_a_made_up_answer_is_a_400(client_for, place, member, resident):
    gathering = arrange(place, member)
    response = client_for(resident).post(url("gathering_answer", gathering), {"answer": "yes!"})
    assert response.status_code == 400
    assert not RSVP.objects.filter(user=resident).exists()


def test_a_gathering_of_another_place_is_a_404(client_for, place, private_place, member):
    elsewhere = arrange(private_place, member)
    response = client_for(member).get(
        reverse("places:gathering", kwargs={"slug": place.slug, "pk": elsewhere.pk})
    )
    assert response.status_code == 404


# --- Rescheduling and cancelling -----------------------------------------------------------------


def test_rescheduling_bumps_the_sequence_and_emails_everyone_who_answered(
    place, member, resident, steward, outbox
):
    gathering = arrange(place, member)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.GOING)
    gathering_answer(gathering=gathering, user=steward, answer=Answer.NOT_GOING)
    outsider_of_it = UserFactory()
    Membership.objects.create(place=place, user=outsider_of_it, perspectives=["manager"])
    later = gathering.starts_at + timedelta(days=2)

    moved = gathering_update(
        gathering=gathering,
        by=member,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        message="The library is closed that day.",
    )

    moved.refresh_from_db()
    assert moved.sequence == 1
    assert moved.starts_at == later
    # Everyone who answered, whatever they answered, but not the person who moved it, and not
    # members who never answered.
    recipients = sorted(address for m in OutboxMessage.objects.all() for address in m.to)
    assert recipients == sorted([resident.email, steward.email])
    message = outbox.last(to=resident.email)
    assert message.subject.startswith("Changed: Tea at the Old Library")
    assert (message.kind, message.place, message.recipient) == ("place", place, resident)
    assert "The library is closed that day." in message.body
    assert moved.get_absolute_url() in message.body
    assert Activity.objects.filter(
        kind="gathering", verb="rescheduled", target_id=moved.pk
    ).exists()


def test_a_steward_moving_it_tells_the_organiser_too(place, member, steward, outbox):
    gathering = arrange(place, member)
    gathering_update(gathering=gathering, by=steward, location="The Town Hall")
    assert outbox.count(to=member.email) == 1
    gathering.refresh_from_db()
    assert gathering.sequence == 1
    # Only the place changed: no "rescheduled" activity.
    assert not Activity.objects.filter(verb="rescheduled").exists()


def test_changing_only_the_words_emails_nobody_and_keeps_the_sequence(
    place, member, resident, outbox
):
    gathering = arrange(place, member)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.GOING)
    gathering_update(gathering=gathering, by=member, title="Tea and cake at the Old Library")
    gathering.refresh_from_db()
    assert gathering.title == "Tea and cake at the Old Library"
    assert gathering.sequence == 0
    assert outbox.count() == 0


def test_the_change_form_reschedules_and_the_answerer_gets_an_email(
    client_for, place, member, resident, outbox
):
    gathering = arrange(place, member)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.GOING)
    start = soon(14, hour=10)
    data = form_data(
        kind=gathering.kind,
        title=gathering.title,
        purpose=gathering.purpose,
        location=gathering.location,
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )

    response = client_for(member).post(url("gathering_edit", gathering), data)

    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.starts_at == start
    assert gathering.sequence == 1
    assert outbox.count(to=resident.email) == 1


def test_only_the_organiser_or_a_steward_may_change_it(
    client_for, place, member, resident, steward
):
    gathering = arrange(place, member)
    assert client_for(resident).get(url("gathering_edit", gathering)).status_code == 403
    assert client_for(resident).post(url("gathering_cancel", gathering)).status_code == 403
    assert client_for(steward).get(url("gathering_edit", gathering)).status_code == 200
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.SCHEDULED


def test_cancelling_tells_everyone_who_answered_and_is_done_once(
    client_for, place, member, resident, outbox
):
    gathering = arrange(place, member)
    gathering_answer(gathering=gathering, user=resident, answer=Answer.MAYBE)
    client = client_for(member)

    response = client.post(url("gathering_cancel", gathering), {"reason": "Storm warning."})
    client.post(url("gathering_cancel", gathering), {"reason": "Double click."})

    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.CANCELLED
    assert gathering.cancelled_reason == "Storm warning."
    assert gathering.sequence == 1
    message = outbox.last(to=resident.email)
    assert message.subject.startswith("Cancelled: ")
    assert "Storm warning." in message.body
    assert outbox.count() == 1
    assert Activity.objects.filter(verb="cancelled").count() == 1
    # A cancelled gathering cannot be changed any more.
    assert client.get(url("gathering_edit", gathering)).status_code == 403


# --- Notes ----------------------------------------------------------------------------------------


def test_notes_wait_until_it_is_over(place, member):
    gathering = arrange(place, member)
    with pytest.raises(GatheringClosed):
        gathering_record_notes(gathering=gathering, by=member, notes="Too early", attendees=[])


def test_the_organiser_records_notes_and_who_was_there(client_for, place, member, resident):
    gathering = arrange(place, member, days=-3)
    client = client_for(member)

    form = client.get(url("gathering_notes", gathering))
    response = client.post(
        url("gathering_notes", gathering),
        {"notes": "We agreed to meet monthly.", "attendees": [member.pk, resident.pk]},
    )
    client.post(
        url("gathering_notes", gathering),
        {"notes": "We agreed to meet monthly, on Tuesdays.", "attendees": [member.pk]},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.notes == "We agreed to meet monthly, on Tuesdays."
    assert gathering.notes_recorded_by == member
    assert list(gathering.attendees.all()) == [member]
    # The timeline says so once, not at every correction.
    assert Activity.objects.filter(verb="notes_recorded").count() == 1
    page = client_for(None).get(gathering.get_absolute_url()).content.decode()
    assert "We agreed to meet monthly, on Tuesdays." in page


def test_a_forged_attendee_is_refused(client_for, place, member, outsider):
    gathering = arrange(place, member, days=-3)
    response = client_for(member).post(
        url("gathering_notes", gathering), {"notes": "Notes", "attendees": [outsider.pk]}
    )
    assert response.status_code == 400
    assert "Choose only members of this place." in response.content.decode()
    gathering.refresh_from_db()
    assert not gathering.has_notes
    assert not gathering.attendees.exists()
    with pytest.raises(ValidationError):
        gathering_record_notes(gathering=gathering, by=member, notes="x", attendees=[outsider])


def test_other_members_cannot_record_notes(client_for, place, member, resident):
    gathering = arrange(place, member, days=-3)
    assert client_for(resident).get(url("gathering_notes", gathering)).status_code == 403


# --- Lists ----------------------------------------------------------------------------------------


def test_the_list_separates_upcoming_and_past(client_for, place, member):
    arrange(place, member, title="Next week's tea")
    arrange(place, member, days=-10, title="Last month's visit")
    client = client_for(None)

    upcoming = client.get(url("gatherings", slug=place.slug)).content.decode()
    past = client.get(url("gatherings", slug=place.slug), {"when": "past"}).content.decode()

    assert "Next week&#x27;s tea" in upcoming and "Last month" not in upcoming
    assert "Last month&#x27;s visit" in past and "Next week" not in past


def test_the_list_pages_and_its_queries_do_not_grow(client_for, place, member):
    from tests.harness.queries import assert_constant_queries

    def make(n: int) -> None:
        for i in range(n):
            arrange(place, member, days=2 + i, title=f"Gathering {i}")

    assert_constant_queries(client_for(member), url("gatherings", slug=place.slug), make, 5, 50)


# --- Who may do what, on public and members-only places ----------------------------------------

PEOPLE = ["anonymous", "outsider", "member", "steward"]


def _person(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("public", [True, False], ids=["public", "members-only"])
def test_who_may_read_and_arrange_gatherings(
    request, client_for, who, public, place, private_place
):
    target = place if public else private_place
    organiser = request.getfixturevalue("resident")
    gathering = arrange(target, organiser)
    client = client_for(_person(request, who))
    is_member = who in {"member", "steward"}

    read = {
        name: client.get(u).status_code
        for name, u in {
            "list": url("gatherings", slug=target.slug),
            "detail": gathering.get_absolute_url(),
            "ics": url("gathering_ics", gathering),
            "calendar": url("calendar", slug=target.slug),
        }.items()
    }
    arrange_page = client.get(url("gathering_new", slug=target.slug)).status_code
    answer = client.post(url("gathering_answer", gathering), {"answer": "going"}).status_code
    edit = client.get(url("gathering_edit", gathering)).status_code

    if public or is_member:
        assert set(read.values()) == {200}, read
    else:
        assert set(read.values()) == {404}, read  # its existence does not leak
    if is_member:
        assert arrange_page == 200 and answer == 302
        assert edit == (200 if who == "steward" else 403)
    elif who == "anonymous":
        assert arrange_page == 302 and answer == 302 and edit == 302  # to sign in
        assert not RSVP.objects.filter(user__isnull=True).exists()
    else:
        expected = 403 if public else 404
        assert (arrange_page, answer, edit) == (expected, expected, expected)
    assert RSVP.objects.filter(gathering=gathering).count() == (2 if is_member else 1)
