"""No surface shows an entry beyond its visibility: the cycle page, the entry page, the
learning library and its search, the place's timeline, the digest and the four-worlds count.

Entries carry markers: ``PRIVATE_MARKER`` on members-only ones, ``PARTICIPANT_MARKER`` on
participants-only ones. Each surface is read as anonymous, an outsider, a member, the steward
(a member who does not take part) and the participant.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import Entry
from places.digests import digest_batch_build, period_containing
from places.flags import content_hide
from places.models import Membership, OutboxMessage
from places.registry import registry
from tests.harness.permissions_table import PRIVATE_MARKER
from tests.learning.cast import PARTICIPANT_MARKER

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "steward", "participant"]
# What each role may see in the public place's cycle: marker → roles allowed.
ALLOWED = {
    PRIVATE_MARKER: {"member", "steward", "participant"},
    PARTICIPANT_MARKER: {"participant"},
}


@pytest.fixture
def people(request, learning_markers) -> dict[str, object]:
    return {
        role: (None if role == "anonymous" else request.getfixturevalue(role)) for role in ROLES
    }


def check(body: str, role: str, surface: str) -> None:
    for marker, allowed in ALLOWED.items():
        if role in allowed:
            assert marker in body, f"{role} should see {marker} on {surface}"
        else:
            assert marker not in body, f"{role} sees {marker} on {surface}"


def test_the_cycle_page_shows_each_entry_only_to_its_audience(client_for, people, cycle) -> None:
    for role, person in people.items():
        body = client_for(person).get(cycle.get_absolute_url()).content.decode()
        check(body, role, "the cycle page")


def test_an_entry_page_beyond_its_visibility_is_a_404(
    client_for, people, cycle, learning_markers
) -> None:
    for (which, visibility), entry in learning_markers.entries.items():
        if which != "public":
            continue
        allowed = {
            "public": set(ROLES),
            "members": ALLOWED[PRIVATE_MARKER],
            "participants": ALLOWED[PARTICIPANT_MARKER],
        }[visibility]
        for role, person in people.items():
            response = client_for(person).get(entry.get_absolute_url())
            assert response.status_code == (200 if role in allowed else 404), (role, visibility)


def test_the_library_and_its_search_show_public_words_only(
    client_for, people, learning_markers
) -> None:
    library = reverse("learning:library")
    for role, person in people.items():
        client = client_for(person)
        for query in ({}, {"q": "rota"}, {"q": "family story"}):
            body = client.get(library, query).content.decode()
            assert PRIVATE_MARKER not in body and PARTICIPANT_MARKER not in body, (role, query)
        # Searching for a marker finds nothing (only the results are read: the page repeats
        # what was typed in its title and search box).
        for marker in (PRIVATE_MARKER, PARTICIPANT_MARKER):
            results = client.get(
                library,
                {"q": marker},
                headers={"HX-Request": "true", "HX-Target": "library-results"},
            ).content.decode()
            assert "No cycles found" in results and marker not in results, (role, marker)
        # Public words find it; words only in members' or participants' entries do not.
        assert (
            "Knocking on doors after floods"
            in client.get(library, {"q": "Mrs Patel"}).content.decode()
        )
        assert "No cycles found" in client.get(library, {"q": "rota"}).content.decode()
        assert "No cycles found" in client.get(library, {"q": "family"}).content.decode()


def test_the_library_leaves_out_members_only_places_and_open_cycles(
    client_for, participant, private_cycle, cycle
) -> None:
    services.cycle_move(cycle=private_cycle, by=participant, to="stopped", reason="Winter ended")
    services.cycle_move(cycle=cycle, by=participant, to="stopped", reason="Summer came")
    body = client_for(participant).get(reverse("learning:library")).content.decode()
    assert cycle.title in body
    assert private_cycle.title not in body and "Winter ended" not in body


def _told_by_entries(cycle, participant) -> None:
    """Entries whose activity summaries name who told them, so the markers reach the timeline."""
    for visibility, marker in (("members", PRIVATE_MARKER), ("participants", PARTICIPANT_MARKER)):
        services.entry_create(
            cycle=cycle,
            author=participant,
            kind="story",
            body="A resident's words",
            visibility=visibility,
            told_by=f"Maureen {marker}",
            told_by_consent=True,
        )


def test_the_place_timeline_shows_each_item_only_to_its_audience(
    client_for, people, cycle, participant
) -> None:
    _told_by_entries(cycle, participant)
    home = reverse("places:home", kwargs={"slug": cycle.place.slug})
    for role, person in people.items():
        body = client_for(person).get(home).content.decode()
        check(body, role, "the place timeline")


def test_the_digest_shows_each_item_only_to_its_audience(people, cycle, participant) -> None:
    _told_by_entries(cycle, participant)
    place = cycle.place
    Membership.objects.filter(place=place).update(
        joined_at=timezone.now() - timezone.timedelta(days=90)
    )
    period = period_containing("weekly", timezone.localdate(), timezone.get_current_timezone())
    members = [people[r] for r in ("member", "steward", "participant")]
    digest_batch_build(
        place_id=place.pk,
        frequency="weekly",
        time_zone="Europe/London",
        period=period.name,
        user_ids=[m.pk for m in members],
    )
    learning_title = registry.digest_sections_by_key["learning"].title
    for role in ("member", "steward", "participant"):
        message = OutboxMessage.objects.get(recipient=people[role], kind="digest")
        assert learning_title in message.html
        check(message.body + message.html, role, "the digest")


def test_the_four_worlds_count_only_what_the_reader_may_see(
    client_for, people, cycle, participant
) -> None:
    for visibility in ("public", "members", "participants"):
        services.entry_create(
            cycle=cycle, author=participant, kind="action", body="Tried", world="by",
            swimlane="ourselves", visibility=visibility,
        )  # fmt: skip
    home = reverse("places:home", kwargs={"slug": cycle.place.slug})
    expected = {"anonymous": 1, "outsider": 1, "member": 2, "steward": 2, "participant": 3}
    for role, person in people.items():
        body = client_for(person).get(home).content.decode()
        n = expected[role]
        assert f"{n} action{'s' if n != 1 else ''} logged" in body, role


def test_a_hidden_entry_shows_its_reason_and_leaves_the_library(
    client_for, steward, learning_markers
) -> None:
    entry = learning_markers.entries[("library", "public")]
    content_hide(kind=registry.flaggable("entry"), obj=entry, by=steward, reason="it names a child")
    entry.refresh_from_db()
    assert entry.is_hidden
    page = client_for(None).get(entry.cycle.get_absolute_url()).content.decode()
    assert "Hidden by a steward because it names a child" in page
    assert "We met Mrs Patel" not in page
    assert (
        "No cycles found"
        in client_for(None).get(reverse("learning:library"), {"q": "Mrs Patel"}).content.decode()
    )
    # Shown again, it is found again.
    from places.flags import content_unhide

    content_unhide(kind=registry.flaggable("entry"), obj=Entry.objects.get(pk=entry.pk), by=steward)
    assert (
        "No cycles found"
        not in client_for(None)
        .get(reverse("learning:library"), {"q": "Mrs Patel"})
        .content.decode()
    )


def test_flagging_an_entry_never_copies_words_beyond_its_visibility(
    client_for, member, steward, participant, learning_markers
) -> None:
    from places.models import Flag

    secret = learning_markers.entries[("public", "participants")]
    url = reverse(
        "places:flag_new",
        kwargs={"slug": secret.cycle.place.slug, "kind": "entry", "object_id": secret.pk},
    )
    page = client_for(member).get(url).content.decode()
    assert PARTICIPANT_MARKER not in page
    client_for(participant).post(
        url, {"reason": "It names a family", "house_rule": "Keep people's stories safe"}
    )
    queue = client_for(steward).get(
        reverse("places:flags", kwargs={"slug": secret.cycle.place.slug})
    )
    assert PARTICIPANT_MARKER not in queue.content.decode()
    assert all(PARTICIPANT_MARKER not in f.excerpt for f in Flag.objects.all())
