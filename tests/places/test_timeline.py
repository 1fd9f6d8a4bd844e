"""The shared timeline on the place home: visibility per item, filters, htmx, pages, queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from places.activity import activity_record
from places.models import Activity, Visibility
from places.registry import ScopeCheck, registry
from places.timeline import PAGE_SIZE
from tests.harness.queries import assert_constant_queries
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.django_db

ITEM = re.compile(r"TL-ITEM-(\w+)")


def home(place) -> str:
    return reverse("places:home", kwargs={"slug": place.slug})


def shown(response) -> list[str]:
    assert response.status_code == 200
    return ITEM.findall(response.content.decode())


def record(place, actor, name, *, visibility=Visibility.PUBLIC, scope="", kind="note", **kw):
    return activity_record(
        place=place,
        actor=actor,
        kind=kind,
        verb="did",
        summary=f"TL-ITEM-{name}",
        visibility=visibility,
        scope=scope,
        **kw,
    )


@pytest.fixture
def cycle_scope(monkeypatch, member):
    """A registered scope: only ``member`` takes part in cycle 7."""
    monkeypatch.setitem(
        registry.scope_checks,
        "cycle",
        ScopeCheck("cycle", lambda user, place, scope_id: scope_id == "7" and user == member),
    )


@pytest.fixture
def mixed_timeline(place, steward, member, resident, cycle_scope):
    record(place, steward, "public")
    record(place, steward, "members", visibility=Visibility.MEMBERS)
    record(place, member, "cycle7", visibility=Visibility.SCOPED, scope="cycle:7")
    record(place, member, "cycle8", visibility=Visibility.SCOPED, scope="cycle:8")
    record(place, member, "unknownscope", visibility=Visibility.SCOPED, scope="mystery:1")


def test_each_item_is_shown_by_its_own_visibility(
    client_for, place, mixed_timeline, outsider, member, resident, steward
):
    assert shown(client_for(None).get(home(place))) == ["public"]
    assert shown(client_for(outsider).get(home(place))) == ["public"]
    assert shown(client_for(resident).get(home(place))) == ["members", "public"]
    assert shown(client_for(member).get(home(place))) == ["cycle7", "members", "public"]


def test_people_with_the_same_access_see_the_same_timeline_whatever_their_role(
    client_for, place, mixed_timeline, steward, resident
):
    # The steward and the resident are both members and neither is in cycle 7.
    assert shown(client_for(steward).get(home(place))) == shown(
        client_for(resident).get(home(place))
    )


def test_it_is_newest_first_and_pages_by_25(client_for, place, steward):
    for i in range(PAGE_SIZE + 3):
        record(place, steward, f"n{i:02d}")
    client = client_for(None)

    first = shown(client.get(home(place)))
    second = shown(client.get(home(place), {"page": 2}))

    assert len(first) == PAGE_SIZE and first[0] == f"n{PAGE_SIZE + 2:02d}"
    assert second == ["n02", "n01", "n00"]
    assert shown(client.get(home(place), {"page": "lots"})) == first  # a bad page is not an error


def test_it_filters_by_kind_and_by_perspective(client_for, place, steward, member, resident):
    record(place, steward, "plan", kind="gathering")
    record(place, member, "frontline", kind="note")
    record(place, resident, "resident", kind="note")
    client = client_for(None)

    assert shown(client.get(home(place), {"kind": "gathering"})) == ["plan"]
    assert shown(client.get(home(place), {"perspective": "resident"})) == ["resident"]
    assert shown(client.get(home(place), {"kind": "note", "perspective": "frontline"})) == [
        "frontline"
    ]
    # Values nobody offered are ignored rather than an error.
    assert len(shown(client.get(home(place), {"kind": "<script>", "perspective": "king"}))) == 3


def test_the_filter_answers_htmx_with_only_the_list(client_for, place, steward, member):
    record(place, steward, "plan", kind="gathering")
    record(place, member, "other", kind="note")

    response = client_for(None).get(
        home(place),
        {"kind": "gathering"},
        headers={"HX-Request": "true", "HX-Target": "timeline"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert ITEM.findall(body) == ["plan"]
    assert 'data-swap-announce="1 item shown"' in body
    assert "HX-Request" in response["Vary"]


def test_without_htmx_the_same_address_is_the_whole_page(client_for, place, steward):
    record(place, steward, "plan", kind="gathering")
    response = client_for(None).get(home(place), {"kind": "gathering"})
    body = response.content.decode()
    assert "<html" in body and 'hx-get="/places/millbrook/"' in body and 'href="' in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client_for, place):
    response = client_for(None).get(
        home(place),
        headers={
            "HX-Request": "true",
            "HX-Target": "timeline",
            "HX-History-Restore-Request": "true",
        },
    )
    assert "<html" in response.content.decode()


def test_an_item_whose_content_was_hidden_says_so_without_its_words(
    client_for, place, member, steward
):
    from places.flags import content_hide

    gathering = arrange(place, member, title="Something rude")
    content_hide(kind=registry.flaggable("gathering"), obj=gathering, by=steward, reason="rule 2")

    body = client_for(None).get(home(place)).content.decode()

    assert "Something rude" not in body
    assert "hidden by a steward" in body


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_place_home_costs_the_same_queries_for_5_and_50_items(
    request, client_for, place, steward, member, who, cycle_scope
):
    client = client_for(None if who == "anonymous" else member)
    counter = iter(range(1000))

    def make(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            visibility = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.SCOPED][i % 3]
            record(
                place,
                steward,
                f"q{i}",
                visibility=visibility,
                scope="cycle:7" if i % 3 == 2 else "",
            )
            if i % 10 == 0:
                arrange(place, member, title=f"Gathering {i}")

    assert_constant_queries(client, home(place), make, 5, 50)
    assert Activity.objects.count() > 50


def test_members_only_places_show_their_home_only_to_members(
    client_for, private_place, outsider, member
):
    assert client_for(None).get(home(private_place)).status_code == 404
    assert client_for(outsider).get(home(private_place)).status_code == 404
    assert client_for(member).get(home(private_place)).status_code == 200
