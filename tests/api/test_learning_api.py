"""The JSON API's learning: cycles, entries by their own visibility, measures and readings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from learning import services
from learning.models import EntryVisibility, LearningCycle
from places.flags import content_hide
from places.models import Place
from places.registry import registry
from relational.models import User
from tests.harness.permissions_table import PRIVATE_MARKER
from tests.harness.queries import assert_constant_queries
from tests.learning.cast import PARTICIPANT_MARKER, LearningMarkers, log

from .openapi import assert_conforms

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]


def _entries_url(cycle: LearningCycle) -> str:
    return f"/api/v1/places/{cycle.place.slug}/cycles/{cycle.pk}/entries"


# --- Cycles ---------------------------------------------------------------------------------------


def test_anyone_reads_the_cycles_of_a_public_place(anonymous: Client, cycle: LearningCycle) -> None:
    body = assert_conforms(anonymous.get("/api/v1/places/millbrook/cycles"))

    (shown,) = body["items"]
    assert shown["id"] == cycle.pk
    assert shown["status"] == "testing"
    assert shown["missions"] == ["To have a safe and nurturing place to live"]
    assert shown["participant_count"] == 1
    assert shown["url"].endswith(f"/places/millbrook/cycles/{cycle.pk}/")

    one = assert_conforms(anonymous.get(f"/api/v1/places/millbrook/cycles/{cycle.pk}"))
    assert one == shown


def test_cycles_filter_by_status_and_refuse_an_unknown_one(
    anonymous: Client, cycle: LearningCycle
) -> None:
    testing = assert_conforms(anonymous.get("/api/v1/places/millbrook/cycles?status=testing"))
    framing = assert_conforms(anonymous.get("/api/v1/places/millbrook/cycles?status=framing"))
    bad = anonymous.get("/api/v1/places/millbrook/cycles?status=sleeping")

    assert testing["count"] == 1 and framing["count"] == 0
    assert bad.status_code == 422
    assert assert_conforms(bad)["detail"][0]["loc"] == ["query", "status"]


def test_a_members_only_places_learning_is_a_404_to_outsiders(
    anonymous: Client,
    client_for: ClientFor,
    outsider: User,
    member: User,
    learning_markers: LearningMarkers,
    private_cycle: LearningCycle,
) -> None:
    measure = learning_markers.measures["private"]
    entry = learning_markers.entries[("private", "members")]
    base = "/api/v1/places/hidden-hollow"
    urls = [
        f"{base}/cycles",
        f"{base}/cycles/{private_cycle.pk}",
        f"{base}/cycles/{private_cycle.pk}/entries",
        f"{base}/cycles/{private_cycle.pk}/entries/{entry.pk}",
        f"{base}/measures",
        f"{base}/measures/{measure.pk}",
        f"{base}/measures/{measure.pk}/readings",
    ]
    for url in urls:
        for client in (anonymous, client_for(outsider)):
            refused = client.get(url)
            assert refused.status_code == 404, url
            assert assert_conforms(refused) == {"detail": "Not found"}
        shown = client_for(member).get(url)
        assert shown.status_code == 200, url
        assert_conforms(shown)


def test_a_cycle_of_another_place_is_a_404(
    anonymous: Client, private_cycle: LearningCycle, place: Place
) -> None:
    response = anonymous.get(f"/api/v1/places/millbrook/cycles/{private_cycle.pk}")

    assert response.status_code == 404
    assert PRIVATE_MARKER not in response.content.decode()


# --- Entries, each by its own visibility ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (None, {"public"}),
        ("outsider", {"public"}),
        ("member", {"public", "members"}),
        ("participant", {"public", "members", "participants"}),
    ],
)
def test_each_reader_gets_the_entries_their_view_allows(
    request: pytest.FixtureRequest,
    client_for: ClientFor,
    learning_markers: LearningMarkers,
    cycle: LearningCycle,
    who: str | None,
    sees: set[str],
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)

    response = client.get(_entries_url(cycle), {"limit": 100})

    body = assert_conforms(response)
    logged = [e for e in body["items"] if e["kind"] != "status"]
    assert {e["visibility"] for e in logged} == sees
    content = response.content.decode()
    assert (PRIVATE_MARKER in content) == ("members" in sees)
    assert (PARTICIPANT_MARKER in content) == ("participants" in sees)
    for visibility in EntryVisibility.values:
        entry = learning_markers.entries.get(("public", visibility))
        if entry is None:
            continue
        one = client.get(f"{_entries_url(cycle)}/{entry.pk}")
        if visibility in sees:
            assert assert_conforms(one)["body"] == entry.body
        else:
            assert one.status_code == 404
            assert assert_conforms(one) == {"detail": "Not found"}


def test_an_adaptation_lists_only_the_sources_the_reader_may_see(
    anonymous: Client,
    client_for: ClientFor,
    participant: User,
    learning_markers: LearningMarkers,
    cycle: LearningCycle,
) -> None:
    public = learning_markers.entries[("public", "public")]
    secret = learning_markers.entries[("public", "participants")]
    adaptation = services.entry_create(
        cycle=cycle,
        author=participant,
        kind="adaptation",
        body="We will visit first from now on.",
        visibility=EntryVisibility.PUBLIC,
        sources=[public, secret],
    )
    url = f"{_entries_url(cycle)}/{adaptation.pk}"

    seen_by_anyone = assert_conforms(anonymous.get(url))
    seen_by_participant = assert_conforms(client_for(participant).get(url))

    assert seen_by_anyone["source_ids"] == [public.pk]
    assert seen_by_anyone["sources_not_shown"] == 1
    assert sorted(seen_by_participant["source_ids"]) == sorted([public.pk, secret.pk])
    assert seen_by_participant["sources_not_shown"] == 0
    listed = assert_conforms(anonymous.get(_entries_url(cycle), {"kind": "adaptation"}))
    assert listed["items"][0]["source_ids"] == [public.pk]


def test_a_hidden_entry_keeps_its_place_but_not_its_words(
    anonymous: Client,
    steward: User,
    participant: User,
    cycle: LearningCycle,
) -> None:
    entry = log(cycle, participant, EntryVisibility.PUBLIC, "Words a steward hid")
    content_hide(kind=registry.flaggable("entry"), obj=entry, by=steward, reason="Names a child")

    response = anonymous.get(f"{_entries_url(cycle)}/{entry.pk}")

    body = assert_conforms(response)
    assert body["body"] is None
    assert body["hidden"]["reason"] == "Names a child"
    assert "Words a steward hid" not in response.content.decode()


def test_an_entry_shows_its_author_by_display_name_and_never_an_email(
    anonymous: Client, participant: User, learning_markers: LearningMarkers, cycle: LearningCycle
) -> None:
    response = anonymous.get(_entries_url(cycle), {"limit": 100})

    body = assert_conforms(response)
    assert {e["author"] for e in body["items"]} == {"Pat Participant"}
    assert participant.email not in response.content.decode()


@pytest.mark.parametrize("entry_id", ["x", "0", str(2**63)])
def test_an_entry_id_that_cannot_be_one_is_a_422(
    anonymous: Client, cycle: LearningCycle, entry_id: str
) -> None:
    response = anonymous.get(f"{_entries_url(cycle)}/{entry_id}")

    assert response.status_code == 422
    assert assert_conforms(response)["detail"][0]["loc"] == ["path", "entry_id"]


def test_the_entries_list_costs_the_same_queries_for_5_and_50(
    client_for: ClientFor, participant: User, cycle: LearningCycle,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    made: list[int] = []

    def make_rows(n: int) -> None:
        for i in range(n):
            visibility = EntryVisibility.values[i % 3]
            entry = log(cycle, participant, visibility, f"Entry {len(made)}")
            made.append(entry.pk)
            if i % 5 == 0:
                services.entry_create(
                    cycle=cycle, author=participant, kind="adaptation", body="So we changed",
                    visibility=EntryVisibility.PUBLIC, sources=made[-2:],
                )  # fmt: skip

    client = client_for(participant)
    url = _entries_url(cycle)
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert body["count"] > 50


# --- Measures and readings ------------------------------------------------------------------------


def test_measures_and_their_readings_in_date_order(
    anonymous: Client, member: User, place: Place, participant: User, cycle: LearningCycle
) -> None:
    measure = services.measure_define(
        place=place, by=participant, cycle=cycle, name="People seen", unit="people",
        kind="outcome", better="higher",
    )  # fmt: skip
    today = timezone.localdate()
    for days, value in ((3, "4"), (10, "2.5"), (1, "7")):
        services.reading_record(
            measure=measure, by=participant, value=Decimal(value), on=today - timedelta(days=days)
        )

    listed = assert_conforms(anonymous.get(f"/api/v1/places/millbrook/measures?cycle={cycle.pk}"))
    one = assert_conforms(anonymous.get(f"/api/v1/places/millbrook/measures/{measure.pk}"))
    readings = assert_conforms(anonymous.get(one["readings_url"].split("testserver")[-1]))

    assert [m["id"] for m in listed["items"]] == [measure.pk]
    assert one["reading_count"] == 3
    assert one["last_reading_on"] == str(today - timedelta(days=1))
    assert one["cycle_id"] == cycle.pk
    assert [r["value"] for r in readings["items"]] == [2.5, 4.0, 7.0]


def test_the_readings_list_costs_the_same_queries_for_5_and_50(
    client_for: ClientFor, member: User, steward: User, place: Place,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    measure = services.measure_define(
        place=place, by=steward, name="Trust", unit="score out of 10", kind="relational",
        better="higher",
    )  # fmt: skip
    made = [0]

    def make_rows(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            services.reading_record(
                measure=measure, by=member, value=Decimal(made[0] % 10),
                on=date(2025, 1, 1) + timedelta(days=made[0]), note="A note",
            )  # fmt: skip

    client = client_for(member)
    url = f"/api/v1/places/millbrook/measures/{measure.pk}/readings"
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert body["count"] == 50


def test_the_measures_list_costs_the_same_queries_for_5_and_50(
    client_for: ClientFor, member: User, steward: User, place: Place,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    made = [0]

    def make_rows(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            measure = services.measure_define(
                place=place, by=steward, name=f"Measure {made[0]}", unit="people",
                kind="outcome", better="higher",
            )  # fmt: skip
            services.reading_record(
                measure=measure, by=member, value=Decimal(3), on=date(2026, 1, 2)
            )

    client = client_for(member)
    url = "/api/v1/places/millbrook/measures"
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert {m["reading_count"] for m in body["items"]} == {1}


def test_the_cycles_list_costs_the_same_queries_for_5_and_50(
    client_for: ClientFor, participant: User, place: Place, django_assert_max_num_queries
) -> None:
    from tests.learning.cast import make_cycle

    client = client_for(participant)
    url = "/api/v1/places/millbrook/cycles"
    count = assert_constant_queries(
        client, url, lambda n: [make_cycle(place, participant) for _ in range(n)],
        data={"limit": 100},
    )  # fmt: skip
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert body["count"] == 50
