"""Logging entries: the rules of each kind, the htmx form, editing and versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import Entry, EntryKind, EntryVersion
from places.models import Activity

pytestmark = pytest.mark.django_db


def new_url(cycle) -> str:
    return reverse("learning:entry_new", kwargs={"slug": cycle.place.slug, "pk": cycle.pk})


def test_a_participant_logs_an_action_with_its_world_and_swimlane(
    client_for, cycle, participant
) -> None:
    response = client_for(participant).post(
        new_url(cycle),
        {
            "kind": "action",
            "body": "Sat with **three** families at the drop-in <script>alert(1)</script>",
            "world": "with",
            "swimlane": "help",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind=EntryKind.ACTION)
    assert (entry.world, entry.swimlane, entry.author) == ("with", "help", participant)
    assert entry.author_perspectives == ["frontline"]
    activity = Activity.objects.get(kind="entry", target_id=entry.pk)
    assert activity.visibility == "public" and "an action" in activity.summary
    page = client_for(None).get(cycle.get_absolute_url()).content.decode()
    assert "<strong>three</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Done with people" in page


def test_an_action_done_to_people_must_say_whether_there_was_consent(
    client_for, cycle, participant
) -> None:
    data = {
        "kind": "action",
        "body": "Moved the appointment",
        "world": "to",
        "swimlane": "done_for",
    }
    response = client_for(participant).post(new_url(cycle), {**data, "visibility": "public"})
    assert response.status_code == 400
    assert "Say whether there was." in response.content.decode()
    assert not Entry.objects.filter(kind=EntryKind.ACTION).exists()

    response = client_for(participant).post(
        new_url(cycle),
        {**data, "visibility": "public", "consent": "none", "consent_note": "It was urgent"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind=EntryKind.ACTION)
    assert (entry.consent, entry.consent_note) == ("none", "It was urgent")
    assert "Done without consent" in client_for(None).get(cycle.get_absolute_url()).content.decode()


def test_an_action_needs_a_world_and_a_swimlane(client_for, cycle, participant) -> None:
    response = client_for(participant).post(
        new_url(cycle), {"kind": "action", "body": "Did a thing", "visibility": "public"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose whether this was done to, for, with or by people." in body
    assert "Choose the swimlane this action sits in." in body
    assert "Did a thing" in body  # what was typed is kept


def test_a_story_about_a_person_without_their_agreement_stays_with_participants(
    client_for, cycle, participant
) -> None:
    response = client_for(participant).post(
        new_url(cycle),
        {
            "kind": "story",
            "body": "Mr Okoro told us about his hospital discharge.",
            "about_person": "on",
            "person_agreed": "no",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind=EntryKind.STORY)
    assert entry.visibility == "participants"
    assert entry.person_agreed is False
    activity = Activity.objects.get(kind="entry", target_id=entry.pk)
    assert (activity.visibility, activity.scope) == ("scoped", f"cycle:{cycle.pk}")
    assert "Mr Okoro" not in client_for(None).get(cycle.get_absolute_url()).content.decode()


def test_a_story_about_a_person_must_say_whether_they_agreed(
    client_for, cycle, participant
) -> None:
    response = client_for(participant).post(
        new_url(cycle),
        {"kind": "story", "body": "A story", "about_person": "on", "visibility": "members"},
    )
    assert response.status_code == 400
    assert "Say whether the person agreed" in response.content.decode()


def test_an_entry_told_by_a_resident_records_their_consent(client_for, cycle, participant) -> None:
    data = {
        "kind": "story",
        "body": "The bus times changed and nobody told us.",
        "told_by": "Maureen from Station Road",
        "visibility": "public",
    }
    response = client_for(participant).post(new_url(cycle), data)
    assert response.status_code == 400
    assert "agreed to it being written here" in response.content.decode()
    response = client_for(participant).post(new_url(cycle), {**data, "told_by_consent": "on"})
    assert response.status_code == 302
    entry = Entry.objects.get(told_by="Maureen from Station Road")
    assert entry.told_by_consent is True
    page = client_for(None).get(cycle.get_absolute_url()).content.decode()
    assert "Told by Maureen from Station Road to Pat Participant" in page


def test_an_adaptation_links_the_entries_that_led_to_it(client_for, cycle, participant) -> None:
    story = services.entry_create(
        cycle=cycle,
        author=participant,
        kind="story",
        body="People missed the letters.",
        visibility="public",
    )
    hidden = services.entry_create(
        cycle=cycle,
        author=participant,
        kind="reflection",
        body="Letters are the wrong tool.",
        visibility="participants",
    )
    response = client_for(participant).post(
        new_url(cycle),
        {
            "kind": "adaptation",
            "body": "We phone first now.",
            "sources": [story.pk, hidden.pk],
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    adaptation = Entry.objects.get(kind=EntryKind.ADAPTATION)
    assert set(adaptation.sources.all()) == {story, hidden}
    # Someone who cannot see one of the sources is told it exists, not what it says.
    page = client_for(None).get(cycle.get_absolute_url()).content.decode()
    assert "People missed the letters." in page
    assert "Letters are the wrong tool." not in page
    assert "1 entry you cannot see" in page


def test_the_form_opens_in_place_with_htmx_and_a_saved_entry_refreshes_the_log(
    client_for, cycle, participant
) -> None:
    client = client_for(participant)
    form = client.get(
        new_url(cycle), headers={"HX-Request": "true", "HX-Target": "entry-form-slot"}
    )
    assert form.status_code == 200
    html = form.content.decode()
    assert "<html" not in html and 'hx-post="' in html and "What are you logging?" in html

    bad = client.post(new_url(cycle), {"kind": "reflection"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert bad["HX-Retarget"] == "#entry-form-slot"
    assert "Write something in the entry." in bad.content.decode()

    good = client.post(
        new_url(cycle),
        {
            "kind": "reflection",
            "body": "The kettle does more than the leaflet.",
            "visibility": "members",
        },
        headers={"HX-Request": "true"},
    )
    assert good.status_code == 200
    html = good.content.decode()
    assert "<html" not in html
    assert "The kettle does more than the leaflet." in html
    assert "Your reflection is in the timeline" in html
    assert Entry.objects.filter(kind="reflection", visibility="members").count() == 1


def test_without_javascript_the_form_is_a_page_and_saving_goes_back_to_the_cycle(
    client_for, cycle, participant
) -> None:
    page = client_for(participant).get(new_url(cycle))
    assert page.status_code == 200
    assert "<h1" in page.content.decode() and "hx-post" not in page.content.decode()


def test_an_entry_for_a_concluded_cycle_is_refused_with_a_reason(
    client_for, cycle, participant
) -> None:
    services.cycle_move(cycle=cycle, by=participant, to="reflecting")
    services.cycle_move(cycle=cycle, by=participant, to="concluded", learned="a", differently="b")
    response = client_for(participant).post(
        new_url(cycle), {"kind": "reflection", "body": "Late", "visibility": "public"}
    )
    assert response.status_code == 409
    assert "concluded, so it takes no new entries" in response.content.decode()
    assert not Entry.objects.filter(body="Late").exists()
    with pytest.raises(services.CycleClosed):
        services.entry_create(cycle=cycle, author=participant, kind="reflection", body="Late")


def test_only_participants_add_entries(client_for, cycle, member, steward, outsider) -> None:
    data = {"kind": "reflection", "body": "Not mine to add", "visibility": "public"}
    for person, status in ((member, 403), (steward, 403), (outsider, 403)):
        assert client_for(person).post(new_url(cycle), data).status_code == status
    assert not Entry.objects.filter(body="Not mine to add").exists()


def test_a_members_only_place_offers_no_public_entries(
    client_for, private_cycle, participant
) -> None:
    response = client_for(participant).post(
        new_url(private_cycle), {"kind": "reflection", "body": "Hello", "visibility": "public"}
    )
    assert response.status_code == 400
    assert "Choose who can see this entry." in response.content.decode()


def test_edits_within_fifteen_minutes_replace_the_words_without_a_version(
    cycle, participant
) -> None:
    entry = services.entry_create(
        cycle=cycle, author=participant, kind="reflection", body="First go", visibility="public"
    )
    services.entry_edit(entry=entry, by=participant, body="Second go", visibility="public")
    entry.refresh_from_db()
    assert entry.body == "Second go" and entry.version_count == 0
    assert not EntryVersion.objects.exists()


def test_later_edits_keep_each_earlier_version_visibly(client_for, cycle, participant) -> None:
    entry = services.entry_create(
        cycle=cycle,
        author=participant,
        kind="reflection",
        body="What I first thought",
        visibility="public",
    )
    Entry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    url = reverse(
        "learning:entry_edit",
        kwargs={"slug": cycle.place.slug, "pk": cycle.pk, "entry_id": entry.pk},
    )
    client = client_for(participant)
    assert "will stay readable as an earlier version" in client.get(url).content.decode()
    assert client.post(url, {"body": "What I think now", "visibility": "public"}).status_code == 302
    assert (
        client.post(url, {"body": "What I think a day later", "visibility": "members"}).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.body == "What I think a day later" and entry.version_count == 2
    versions = list(entry.versions.order_by("number"))
    assert [v.body for v in versions] == ["What I first thought", "What I think now"]
    # The activity row follows the narrower visibility.
    assert Activity.objects.get(kind="entry", target_id=entry.pk).visibility == "members"
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Earlier versions" in page and "What I first thought" in page


def test_only_the_author_edits_an_entry(
    client_for, cycle, participant, member, learning_markers
) -> None:
    entry = learning_markers.entries[("public", "public")]
    url = reverse(
        "learning:entry_edit",
        kwargs={"slug": cycle.place.slug, "pk": cycle.pk, "entry_id": entry.pk},
    )
    assert (
        client_for(member).post(url, {"body": "Mine now", "visibility": "public"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.body != "Mine now"


def test_status_entries_are_not_edited(client_for, cycle, participant) -> None:
    move = Entry.objects.get(cycle=cycle, kind=EntryKind.STATUS)
    url = reverse(
        "learning:entry_edit",
        kwargs={"slug": cycle.place.slug, "pk": cycle.pk, "entry_id": move.pk},
    )
    assert client_for(participant).get(url).status_code == 403
