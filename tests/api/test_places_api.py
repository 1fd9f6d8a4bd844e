"""The JSON API's places and gatherings: shapes, who sees what, refusals and query counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from places.flags import content_hide
from places.gatherings import gathering_cancel
from places.models import Membership, Mission, Place, PlaceVisibility
from places.registry import registry
from relational.models import User
from tests.harness.permissions_table import PRIVATE_MARKER
from tests.harness.queries import assert_constant_queries
from tests.places.gathering_helpers import arrange

from .openapi import assert_conforms

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]


# --- The list of places ---------------------------------------------------------------------------


def test_anonymous_people_see_public_places_only(
    anonymous: Client, place: Place, private_place: Place
) -> None:
    response = anonymous.get("/api/v1/places")

    assert response.status_code == 200
    body = assert_conforms(response)
    assert [p["slug"] for p in body["items"]] == ["millbrook"]
    assert body["count"] == 1
    assert body["items"][0]["member_count"] == 3
    assert body["items"][0]["url"].endswith("/places/millbrook/")
    assert PRIVATE_MARKER not in response.content.decode()


def test_an_outsider_does_not_see_a_members_only_place_in_the_list(
    client_for: ClientFor, outsider: User, place: Place, private_place: Place
) -> None:
    response = client_for(outsider).get("/api/v1/places")

    body = assert_conforms(response)
    assert [p["slug"] for p in body["items"]] == ["millbrook"]
    assert PRIVATE_MARKER not in response.content.decode()


def test_a_member_sees_their_members_only_place_in_the_list(
    client_for: ClientFor, member: User, place: Place, private_place: Place
) -> None:
    body = assert_conforms(client_for(member).get("/api/v1/places"))

    by_slug = {p["slug"]: p for p in body["items"]}
    assert set(by_slug) == {"millbrook", "hidden-hollow"}
    assert by_slug["hidden-hollow"]["visibility"] == "members"
    assert by_slug["hidden-hollow"]["member_count"] == 3  # counted once each, not per join
    assert body["count"] == 2


def test_the_list_pages_with_limit_and_offset(anonymous: Client, steward: User) -> None:
    for name in ("Ashby", "Bramley", "Crowthorne"):
        Place.objects.create(name=name, slug=name.lower(), summary="A town", created_by=steward)

    body = assert_conforms(anonymous.get("/api/v1/places", {"limit": 2, "offset": 1}))

    assert [p["slug"] for p in body["items"]] == ["bramley", "crowthorne"]
    assert body["count"] == 4  # with Millbrook


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 2**40},
    ],
)
def test_it_refuses_a_bad_page_with_a_clear_422(anonymous: Client, query: dict) -> None:
    response = anonymous.get("/api/v1/places", query)

    assert response.status_code == 422
    body = assert_conforms(response)
    (problem,) = body["detail"]
    assert problem["loc"] == ["query", next(iter(query))]
    assert problem["msg"]


def test_the_list_costs_the_same_queries_for_5_and_50_places(
    client_for: ClientFor, member: User, steward: User, django_assert_max_num_queries
) -> None:
    made = [0]

    def make_rows(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            new = Place.objects.create(
                name=f"Town {made[0]:03}", slug=f"town-{made[0]}", summary="A town",
                created_by=steward,
            )  # fmt: skip
            Membership.objects.create(place=new, user=member, perspectives=["frontline"])
            Membership.objects.create(place=new, user=steward, perspectives=["manager"])

    client = client_for(member)
    count = assert_constant_queries(client, "/api/v1/places", make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get("/api/v1/places", {"limit": 100}))
    assert len(body["items"]) == 51


# --- One place ------------------------------------------------------------------------------------


def test_anyone_reads_a_public_place_with_its_missions_and_perspective_counts(
    anonymous: Client, place: Place
) -> None:
    Mission.objects.create(place=place, text="Nobody waits alone", position=1)

    response = anonymous.get("/api/v1/places/millbrook")

    body = assert_conforms(response)
    assert body["name"] == "Millbrook"
    assert [m["text"] for m in body["missions"]] == [
        "To have a safe and nurturing place to live",
        "Nobody waits alone",
    ]
    counts = {row["perspective"]: row["count"] for row in body["members"]["by_perspective"]}
    assert counts["commissioner"] == counts["frontline"] == counts["resident"] == 1
    assert counts["centre"] == 0
    assert body["members"]["total"] == 3
    assert "centre" in body["members"]["missing_perspectives"]
    assert "resident" not in body["members"]["missing_perspectives"]
    assert body["gatherings_url"].endswith("/api/v1/places/millbrook/gatherings")


def test_a_place_never_shows_email_addresses_or_member_names(
    anonymous: Client, place: Place, steward: User, member: User
) -> None:
    content = anonymous.get("/api/v1/places/millbrook").content.decode()

    for person in (steward, member):
        assert person.email not in content
        assert person.display_name not in content
    assert "@" not in content


def test_a_members_only_place_is_a_404_to_anonymous_people_and_outsiders_like_an_unknown_one(
    anonymous: Client, client_for: ClientFor, outsider: User, private_place: Place
) -> None:
    unknown = anonymous.get("/api/v1/places/no-such-place")
    assert unknown.status_code == 404
    assert assert_conforms(unknown) == {"detail": "Not found"}

    for client in (anonymous, client_for(outsider)):
        response = client.get("/api/v1/places/hidden-hollow")
        assert response.status_code == 404
        assert response.content == unknown.content
        assert PRIVATE_MARKER not in response.content.decode()


def test_a_member_reads_their_members_only_place(
    client_for: ClientFor, member: User, private_place: Place
) -> None:
    response = client_for(member).get("/api/v1/places/hidden-hollow")

    body = assert_conforms(response)
    assert body["name"] == private_place.name
    assert body["visibility"] == "members"


def test_a_slug_that_cannot_be_a_slug_is_a_422_not_a_server_error(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/places/caf%C3%A9%00")

    assert response.status_code == 422
    assert assert_conforms(response)["detail"][0]["loc"] == ["path", "slug"]


# --- Gatherings -----------------------------------------------------------------------------------


def test_gatherings_are_upcoming_by_default_and_past_on_request(
    anonymous: Client, place: Place, resident: User, member: User, steward: User
) -> None:
    later = arrange(place, resident, days=9, title="Later tea")
    sooner = arrange(place, resident, days=2, title="Sooner tea")
    old = arrange(place, resident, days=-5, title="Last week's tea")
    older = arrange(place, resident, days=-30, title="Last month's tea")
    later.answers.update_or_create(user=member, defaults={"answer": "going"})
    later.answers.update_or_create(user=steward, defaults={"answer": "maybe"})
    going = later.answers.filter(answer="going").count()

    upcoming = assert_conforms(anonymous.get("/api/v1/places/millbrook/gatherings"))
    past = assert_conforms(anonymous.get("/api/v1/places/millbrook/gatherings", {"when": "past"}))

    assert [g["id"] for g in upcoming["items"]] == [sooner.pk, later.pk]
    assert [g["id"] for g in past["items"]] == [old.pk, older.pk]
    shown = upcoming["items"][1]
    assert shown["title"] == "Later tea"
    assert shown["going_count"] == going and shown["maybe_count"] == 1
    assert shown["organiser"] == "Rhiannon Resident"
    assert shown["status"] == "scheduled"
    assert shown["hidden"] is None
    assert shown["ics_url"].endswith(f"/places/millbrook/gatherings/{later.pk}/gathering.ics")


def test_an_unknown_when_is_a_422(anonymous: Client, place: Place) -> None:
    response = anonymous.get("/api/v1/places/millbrook/gatherings", {"when": "yesterday"})

    assert response.status_code == 422
    assert assert_conforms(response)["detail"][0]["loc"] == ["query", "when"]


def test_one_gathering_with_its_notes_and_a_cancelled_one(
    anonymous: Client, place: Place, resident: User, steward: User
) -> None:
    gathering = arrange(place, resident, days=4, title="Walk round the estate")
    gathering_cancel(gathering=gathering, by=steward, reason="The hall flooded.")

    body = assert_conforms(anonymous.get(f"/api/v1/places/millbrook/gatherings/{gathering.pk}"))

    assert body["status"] == "cancelled"
    assert body["cancelled_reason"] == "The hall flooded."
    assert body["title"] == "Walk round the estate"
    assert body["notes"] == "" and body["notes_recorded_at"] is None


def test_a_hidden_gathering_keeps_its_place_but_not_its_words(
    anonymous: Client, place: Place, resident: User, steward: User
) -> None:
    gathering = arrange(place, resident, days=4, title="Something rude", agenda="Rude agenda")
    content_hide(
        kind=registry.flaggable("gathering"), obj=gathering, by=steward, reason="It breaks rule 2"
    )

    response = anonymous.get(f"/api/v1/places/millbrook/gatherings/{gathering.pk}")

    body = assert_conforms(response)
    assert body["hidden"]["reason"] == "It breaks rule 2"
    assert body["title"] is None and body["agenda"] is None and body["purpose"] is None
    assert "Rude" not in response.content.decode()
    listed = assert_conforms(anonymous.get("/api/v1/places/millbrook/gatherings"))
    assert listed["items"][0]["title"] is None


def test_a_members_only_places_gatherings_are_404_to_outsiders_and_shown_to_members(
    anonymous: Client,
    client_for: ClientFor,
    outsider: User,
    member: User,
    resident: User,
    private_place: Place,
) -> None:
    gathering = arrange(private_place, resident, title=f"Secret supper {PRIVATE_MARKER}")
    urls = [
        "/api/v1/places/hidden-hollow/gatherings",
        f"/api/v1/places/hidden-hollow/gatherings/{gathering.pk}",
    ]

    for url in urls:
        for client in (anonymous, client_for(outsider)):
            response = client.get(url)
            assert response.status_code == 404, url
            assert PRIVATE_MARKER not in response.content.decode()
        shown = client_for(member).get(url)
        assert shown.status_code == 200
        assert_conforms(shown)
        assert PRIVATE_MARKER in shown.content.decode()


def test_a_gathering_of_another_place_or_an_unknown_id_is_a_404(
    anonymous: Client, place: Place, resident: User, steward: User
) -> None:
    elsewhere = Place.objects.create(
        name="Elsewhere", slug="elsewhere", summary="Another town", created_by=steward,
        visibility=PlaceVisibility.PUBLIC,
    )  # fmt: skip
    theirs = arrange(elsewhere, resident)

    for gathering_id in (theirs.pk, 999_999):
        response = anonymous.get(f"/api/v1/places/millbrook/gatherings/{gathering_id}")
        assert response.status_code == 404
        assert assert_conforms(response) == {"detail": "Not found"}


@pytest.mark.parametrize("gathering_id", ["abc", "0", "-3", str(2**63), "1e3"])
def test_a_gathering_id_that_cannot_be_an_id_is_a_422(
    anonymous: Client, place: Place, gathering_id: str
) -> None:
    response = anonymous.get(f"/api/v1/places/millbrook/gatherings/{gathering_id}")

    assert response.status_code == 422
    assert assert_conforms(response)["detail"][0]["loc"] == ["path", "gathering_id"]


def test_the_gatherings_list_costs_the_same_queries_for_5_and_50(
    client_for: ClientFor, member: User, resident: User, place: Place,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    def make_rows(n: int) -> None:
        for i in range(n):
            gathering = arrange(place, resident, days=1 + i % 20)
            gathering.answers.update_or_create(user=member, defaults={"answer": "going"})
            gathering.attendees.add(member)

    client = client_for(member)
    url = "/api/v1/places/millbrook/gatherings"
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert len(body["items"]) == 50
    assert len({g["going_count"] for g in body["items"]}) == 1
    assert {g["attendee_count"] for g in body["items"]} == {1}


# --- Read-only --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_takes_no_writes(
    client_for: ClientFor, steward: User, place: Place, method: str
) -> None:
    client = client_for(steward)

    response = getattr(client, method)("/api/v1/places/millbrook", {"name": "Renamed"})

    assert response.status_code == 405
    place.refresh_from_db()
    assert place.name == "Millbrook"
