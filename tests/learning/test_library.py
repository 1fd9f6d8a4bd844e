"""The learning library: concluded and stopped cycles of public places, searchable with
PostgreSQL full-text search and filterable by mission words, relationship level, horizon,
world of service and place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learning import services
from learning.models import LearningCycle
from places.models import Mission, Place
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.django_db

LIBRARY = "/learning/"


@pytest.fixture
def shelf(place, participant) -> dict[str, LearningCycle]:
    other = Place.objects.create(name="Eastbrook", slug="eastbrook", summary="Another town")
    other.memberships.create(user=participant, perspectives=["manager"])
    Mission.objects.create(place=other, text="For older people to live well at home")
    cycles = {
        "doors": make_cycle(place, participant, title="Knocking on doors", status="concluded"),
        "warm": make_cycle(place, participant, title="Warm spaces", status="stopped"),
        "home": make_cycle(other, participant, title="Home from hospital", status="concluded"),
        "open": make_cycle(place, participant, title="Still testing"),
    }
    LearningCycle.objects.filter(pk=cycles["warm"].pk).update(
        horizon="h3", relationship_level="commissioner_leader"
    )
    services.cycle_refresh_search(cycles["warm"].pk)
    return cycles


def titles(response) -> str:
    return response.content.decode()


def test_it_lists_closed_cycles_of_public_places_only(client_for, shelf) -> None:
    body = titles(client_for(None).get(LIBRARY))
    assert "Knocking on doors" in body and "Warm spaces" in body and "Home from hospital" in body
    assert "Still testing" not in body
    assert "3 cycles" in body


def test_full_text_search_finds_words_in_conclusions_and_public_entries(
    client_for, shelf, participant
) -> None:
    body = titles(client_for(None).get(LIBRARY, {"q": "leaving"}))  # stemmed: "Start every…"? no
    assert "No cycles found" in body
    # "visit" is in what every concluded cycle will do differently; stemming finds "visits".
    body = titles(client_for(None).get(LIBRARY, {"q": "visits"}))
    assert "Knocking on doors" in body and "Home from hospital" in body
    assert "Warm spaces" not in body  # stopped: no conclusion
    # Websearch syntax: a quoted phrase and an excluded word.
    body = titles(client_for(None).get(LIBRARY, {"q": '"new rota" -hospital'}))
    assert "No cycles found" in body
    body = titles(client_for(None).get(LIBRARY, {"q": "reorganised"}))  # the stop reason
    assert "Warm spaces" in body and "Knocking on doors" not in body


def test_filters_narrow_the_shelf(client_for, shelf) -> None:
    client = client_for(None)
    assert "Warm spaces" in titles(client.get(LIBRARY, {"horizon": "h3"}))
    assert "Knocking on doors" not in titles(client.get(LIBRARY, {"horizon": "h3"}))
    by_level = titles(client.get(LIBRARY, {"level": "commissioner_leader"}))
    assert "Warm spaces" in by_level and "Home from hospital" not in by_level
    by_mission = titles(client.get(LIBRARY, {"mission": "older home"}))
    assert "Home from hospital" in by_mission and "Knocking on doors" not in by_mission
    by_place = titles(client.get(LIBRARY, {"place": "eastbrook"}))
    assert "Home from hospital" in by_place and "Warm spaces" not in by_place


def test_the_world_of_service_filter_uses_public_actions_only(
    client_for, place, participant
) -> None:
    with_people = make_cycle(place, participant, title="Cooking together", status="reflecting")
    services.entry_create(
        cycle=with_people,
        author=participant,
        kind="action",
        body="We cooked",
        world="with",
        swimlane="ourselves",
        visibility="public",
    )
    services.entry_create(
        cycle=with_people,
        author=participant,
        kind="action",
        body="Quietly",
        world="to",
        swimlane="done_for",
        consent="given",
        visibility="participants",
    )
    services.cycle_move(
        cycle=with_people,
        by=participant,
        to="concluded",
        learned="Food brings people",
        differently="Cook monthly",
    )
    client = client_for(None)
    assert "Cooking together" in titles(client.get(LIBRARY, {"world": "with"}))
    assert "Cooking together" not in titles(client.get(LIBRARY, {"world": "to"}))


def test_unknown_filter_values_are_ignored_and_said_never_an_error(client_for, shelf) -> None:
    response = client_for(None).get(
        LIBRARY, {"horizon": "h9", "level": "'; drop table", "world": "x", "page": "nope"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "We ignored the horizon filter" in body and "3 cycles" in body


def test_a_nul_character_in_a_search_is_dropped_never_an_error(
    client_for, shelf, participant
) -> None:
    """Nobody types one, and PostgreSQL refuses it in text: the rest is searched."""
    for who in (None, participant):
        response = client_for(who).get(LIBRARY, {"q": "vis\x00its", "mission": "\x00"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Knocking on doors" in body and "Warm spaces" not in body
        place = client_for(who).get(LIBRARY, {"place": "eastbrook\x00"}).content.decode()
        assert "Home from hospital" in place and "Knocking on doors" not in place


def test_an_htmx_search_returns_just_the_results(client_for, shelf) -> None:
    response = client_for(None).get(
        LIBRARY, {"q": "doors"}, headers={"HX-Request": "true", "HX-Target": "library-results"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Knocking on doors" in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_a_concluded_members_only_cycle_never_reaches_the_library(
    client_for, private_cycle, participant
) -> None:
    services.cycle_move(cycle=private_cycle, by=participant, to="reflecting")
    services.cycle_move(
        cycle=private_cycle,
        by=participant,
        to="concluded",
        learned="Secret learning",
        differently="x",
    )
    assert "Secret learning" not in titles(client_for(participant).get(LIBRARY))
    assert "No cycles found" in titles(client_for(participant).get(LIBRARY, {"q": "secret"}))


def test_the_search_vector_has_a_gin_index() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "select indexdef from pg_indexes"
            " where tablename = 'learning_learningcycle' and indexname = 'cycle_search'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition


def test_the_library_is_linked_from_a_place(client_for, shelf, place) -> None:
    body = (
        client_for(None)
        .get(reverse("learning:cycles", kwargs={"slug": place.slug}))
        .content.decode()
    )
    assert f"{LIBRARY}?place={place.slug}" in body
