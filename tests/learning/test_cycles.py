"""Framing a cycle, moving it through its statuses, joining it, and linking cycles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning import services
from learning.models import (
    CycleJoinRequest,
    CycleLink,
    CycleParticipant,
    Entry,
    EntryKind,
    JoinStatus,
    LearningCycle,
)
from places.models import Activity, Notification
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.django_db

FRAMING = {
    "title": "Warm welcome at the food bank",
    "question": "What happens when volunteers sit with people rather than hand over a parcel?",
    "intent": "We think that sitting down together will help people say what else they need, "
    "because it feels less like a transaction.",
    "relationship_level": "practitioner_person",
    "horizon": "h2",
    "scale": "team",
    "rhythm": "fortnightly",
}


def test_a_member_frames_a_cycle_and_names_participants_who_are_told(
    client_for, place, member, resident
) -> None:
    mission = place.missions.first()
    resident_membership = place.memberships.get(user=resident)
    response = client_for(member).post(
        reverse("learning:cycle_create", kwargs={"slug": place.slug}),
        {**FRAMING, "missions": [mission.pk], "participants": [resident_membership.pk]},
    )
    cycle = LearningCycle.objects.get(title=FRAMING["title"])
    assert response.status_code == 302
    assert response["Location"] == cycle.get_absolute_url()
    assert cycle.status == "framing"
    assert cycle.created_by == member
    assert list(cycle.missions.all()) == [mission]
    assert set(cycle.participants.all()) == {member, resident}
    activity = Activity.objects.get(kind="cycle", verb="framed")
    assert activity.visibility == "public" and cycle.title in activity.summary
    note = Notification.objects.get(recipient=resident, kind="cycle_participant")
    assert cycle.title in note.text
    assert not Notification.objects.filter(recipient=member, kind="cycle_participant").exists()


def test_framing_with_missing_answers_is_refused_and_keeps_what_was_typed(
    client_for, place, member
) -> None:
    response = client_for(member).post(
        reverse("learning:cycle_create", kwargs={"slug": place.slug}),
        {"title": "Half a thought", "horizon": "h9"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what you are trying to learn." in body
    assert "Choose the relationship it is about." in body
    assert 'value="Half a thought"' in body
    assert not LearningCycle.objects.exists()


def test_a_forged_participant_from_another_place_is_refused(
    client_for, place, private_place, member
) -> None:
    foreign = private_place.memberships.first()
    response = client_for(member).post(
        reverse("learning:cycle_create", kwargs={"slug": place.slug}),
        {**FRAMING, "participants": [foreign.pk]},
    )
    assert response.status_code == 400
    assert "Choose members of this place." in response.content.decode()
    assert not LearningCycle.objects.exists()


def test_an_outsider_cannot_frame_a_cycle(client_for, place, outsider) -> None:
    response = client_for(outsider).post(
        reverse("learning:cycle_create", kwargs={"slug": place.slug}), FRAMING
    )
    assert response.status_code == 403
    assert not LearningCycle.objects.exists()


def test_each_move_is_a_status_entry_and_an_activity_and_testing_is_stamped_once(
    cycle, participant
) -> None:
    # `cycle` began testing when it was made; go round the loop once more.
    first_started = cycle.testing_started_at
    assert first_started is not None
    for step in ("reflecting", "adapting", "testing", "reflecting"):
        services.cycle_move(cycle=cycle, by=participant, to=step, note=f"Now {step}")
    cycle.refresh_from_db()
    assert cycle.status == "reflecting"
    assert cycle.testing_started_at == first_started
    moves = list(
        Entry.objects.filter(cycle=cycle, kind=EntryKind.STATUS).order_by("created_at", "id")
    )
    assert [(m.status_from, m.status_to) for m in moves] == [
        ("framing", "testing"),
        ("testing", "reflecting"),
        ("reflecting", "adapting"),
        ("adapting", "testing"),
        ("testing", "reflecting"),
    ]
    assert moves[-1].body == "Now reflecting"
    assert Activity.objects.filter(kind="cycle", target_id=cycle.pk).count() == 6  # framed + 5


def test_a_move_that_skips_a_step_is_refused(client_for, cycle, participant) -> None:
    response = client_for(participant).post(
        reverse("learning:cycle_move", kwargs={"slug": cycle.place.slug, "pk": cycle.pk}),
        {"to": "adapting"},
    )
    assert response.status_code == 400
    assert "cannot move there" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "testing"
    with pytest.raises(services.LearningError):
        services.cycle_move(cycle=cycle, by=participant, to="concluded")


def test_stopping_needs_a_reason_and_concluding_needs_the_learning(
    client_for, cycle, participant
) -> None:
    client = client_for(participant)
    url = reverse("learning:cycle_move", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    response = client.post(url, {"to": "stopped"})
    assert response.status_code == 400
    assert "Say why the cycle is stopping." in response.content.decode()
    services.cycle_move(cycle=cycle, by=participant, to="reflecting")
    response = client.post(url, {"to": "concluded", "learned": "Quite a lot"})
    assert response.status_code == 400
    assert "Say what you will do differently." in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "reflecting"

    response = client.post(
        url,
        {"to": "concluded", "learned": "Quite a lot", "differently": "Ask earlier"},
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.status, cycle.learned, cycle.differently) == (
        "concluded",
        "Quite a lot",
        "Ask earlier",
    )
    assert cycle.closed_at is not None
    concluded = Activity.objects.get(kind="cycle", verb="concluded")
    assert "What we learned: Quite a lot" in concluded.summary
    # A closed cycle moves no further and cannot be reframed.
    assert client.get(url).status_code == 409
    edit = reverse("learning:cycle_edit", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    assert client.post(edit, FRAMING).status_code == 409


def test_a_stopped_cycle_keeps_its_reason(cycle, participant) -> None:
    services.cycle_move(cycle=cycle, by=participant, to="stopped", reason="The funding ended.")
    cycle.refresh_from_db()
    assert cycle.status == "stopped" and cycle.stopped_reason == "The funding ended."
    entry = Entry.objects.filter(cycle=cycle, status_to="stopped").get()
    assert entry.body == "The funding ended."


def test_only_participants_move_a_cycle(client_for, cycle, member, steward) -> None:
    url = reverse("learning:cycle_move", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    for person in (member, steward):
        assert client_for(person).post(url, {"to": "reflecting"}).status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == "testing"


def test_participants_reframe_and_add_participants(client_for, cycle, participant, member) -> None:
    membership = cycle.place.memberships.get(user=member)
    response = client_for(participant).post(
        reverse("learning:cycle_edit", kwargs={"slug": cycle.place.slug, "pk": cycle.pk}),
        {**FRAMING, "title": "Reframed", "participants": [membership.pk]},
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.title == "Reframed" and cycle.rhythm == "fortnightly"
    assert CycleParticipant.objects.filter(cycle=cycle, user=member).exists()
    assert Notification.objects.filter(recipient=member, kind="cycle_participant").exists()


def test_a_member_asks_to_join_and_a_participant_accepts(
    client_for, cycle, participant, member
) -> None:
    join = reverse("learning:cycle_join", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    response = client_for(member).post(join, {"message": "I run the Tuesday drop-in."})
    assert response.status_code == 302
    request = CycleJoinRequest.objects.get(cycle=cycle, user=member)
    assert request.status == JoinStatus.PENDING
    assert Notification.objects.filter(recipient=participant, kind="cycle_join_request").exists()
    # Asking twice leaves one request.
    client_for(member).post(join, {"message": "again"})
    assert CycleJoinRequest.objects.filter(cycle=cycle, user=member).count() == 1

    decide = reverse("learning:join_requests", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    # The person asking cannot accept themselves.
    assert (
        client_for(member)
        .post(decide, {"request_id": request.pk, "decision": "accept"})
        .status_code
        == 403
    )
    response = client_for(participant).post(
        decide, {"request_id": request.pk, "decision": "accept"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == JoinStatus.ACCEPTED and request.decided_by == participant
    assert CycleParticipant.objects.filter(cycle=cycle, user=member).exists()
    assert Activity.objects.filter(kind="cycle", verb="joined", actor=member).exists()


def test_a_forged_join_request_id_is_a_404(
    client_for, cycle, private_cycle, participant, member
) -> None:
    other = CycleJoinRequest.objects.create(cycle=private_cycle, user=member)
    decide = reverse("learning:join_requests", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    response = client_for(participant).post(decide, {"request_id": other.pk, "decision": "accept"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == JoinStatus.PENDING


def test_a_forged_cycle_id_is_a_404(client_for, cycle, private_cycle, participant, place) -> None:
    # The private cycle's id under the public place's address.
    url = reverse("learning:cycle", kwargs={"slug": place.slug, "pk": private_cycle.pk})
    assert client_for(participant).get(url).status_code == 404
    url = reverse("learning:entry_new", kwargs={"slug": place.slug, "pk": private_cycle.pk})
    response = client_for(participant).post(url, {"kind": "reflection", "body": "x"})
    assert response.status_code == 404
    assert not Entry.objects.filter(cycle=private_cycle, body="x").exists()
    assert client_for(participant).get(f"/places/{place.slug}/cycles/999999/").status_code == 404


def test_links_show_on_both_pages_but_never_reveal_a_private_place(
    client_for, anonymous, cycle, private_cycle, participant, member, outsider, place
) -> None:
    team = make_cycle(place, participant, title="Eastfield team huddles")
    response = client_for(participant).post(
        reverse("learning:cycle_link", kwargs={"slug": place.slug, "pk": team.pk}),
        {"to_cycle": cycle.pk, "kind": "feeds"},
    )
    assert response.status_code == 302
    link = CycleLink.objects.get()
    assert (link.from_cycle, link.to_cycle, link.kind) == (team, cycle, "feeds")
    assert "Feeds into" in anonymous.get(team.get_absolute_url()).content.decode()
    page = anonymous.get(cycle.get_absolute_url()).content.decode()
    assert "Fed by" in page and "Eastfield team huddles" in page

    services.cycle_link_create(
        from_cycle=cycle, to_cycle=private_cycle, kind="peer", by=participant
    )
    assert private_cycle.title not in anonymous.get(cycle.get_absolute_url()).content.decode()
    signed_in_outsider = client_for(outsider).get(cycle.get_absolute_url()).content.decode()
    assert private_cycle.title not in signed_in_outsider
    assert private_cycle.title in client_for(member).get(cycle.get_absolute_url()).content.decode()
    with pytest.raises(services.LearningError):
        services.cycle_link_create(
            from_cycle=private_cycle, to_cycle=cycle, kind="peer", by=participant
        )


@pytest.mark.django_db
def test_the_cycle_page_asks_for_a_reader_s_pending_request_only_when_there_is_one(
    client_for, cycle, member
) -> None:
    """Whether the reader has a prompt waiting or a request pending is read with the cycle, so a
    member with neither costs the page no question for them; one who asked sees it."""
    url = cycle.get_absolute_url()
    reader = client_for(member)
    reader.get(url)  # the session and the user, as on any later visit
    with CaptureQueriesContext(connection) as without:
        page = reader.get(url).content.decode()
    assert "Ask to take part in this cycle" in page
    asked = [q["sql"] for q in without.captured_queries if "learning_cyclejoinrequest" in q["sql"]]
    assert len(asked) == 1 and "EXISTS" in asked[0]  # the flag, within the cycle's own query
    assert not any("learning_promptdelivery" in q["sql"] and "EXISTS" not in q["sql"]
                   for q in without.captured_queries)  # fmt: skip

    join = reverse("learning:cycle_join", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})
    assert reader.post(join, {"message": "I run the Tuesday drop-in."}).status_code == 302
    reader.get(url)  # shows the message the request left
    with CaptureQueriesContext(connection) as with_request:
        page = reader.get(url).content.decode()
    assert "You have asked to join this cycle." in page
    assert len(with_request) == len(without) + 1  # now the request itself is read
