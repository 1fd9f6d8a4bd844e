"""Parts of a place's pages kept in the cache under the place's page version (places/parts.py).

These tests commit (``transactional_db``): a page version moves only when a change commits, as in
production. Everywhere else the tests run with the parts cache off (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from places.access import get_place_for_user
from places.models import Membership, Place
from places.parts import place_part, site_part
from relational.models import User
from tests.factories import UserFactory


@pytest.fixture
def parts_on(settings: Settings) -> None:
    settings.PLACE_PARTS_SECONDS = 600


def _home(client: Client, place: Place) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/places/{place.slug}/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_signed_in_home_page_reads_its_panels_from_the_cache_until_the_place_changes(
    transactional_db: None,
    parts_on: None,
    place: Place,
    member: User,
    client_for: Callable[[User | None], Client],
) -> None:
    client = client_for(member)
    client.get(f"/places/{place.slug}/")  # sessions and content types once; the parts are kept
    kept, page = _home(client, place)
    assert "3 members" in page

    # A member joins (committed): the place's version moves, so the parts are read afresh…
    Membership.objects.create(place=place, user=UserFactory(), perspectives=["resident"])
    afresh, page = _home(client, place)
    assert "4 members" in page
    # …and kept again.
    kept_again, page = _home(client, place)
    assert "4 members" in page
    assert kept == kept_again < afresh


def test_a_part_is_built_each_time_when_the_cache_is_off(
    transactional_db: None, settings: Settings, place: Place, member: User
) -> None:
    settings.PLACE_PARTS_SECONDS = 0
    found, _ = get_place_for_user(member, place.slug)
    built: list[int] = []
    assert place_part(found, "x", lambda: built.append(1) or len(built)) == 1
    assert place_part(found, "x", lambda: built.append(1) or len(built)) == 2


def test_a_part_is_kept_per_place_version_and_only_for_a_place_read_with_its_version(
    transactional_db: None, parts_on: None, place: Place, member: User
) -> None:
    found, _ = get_place_for_user(member, place.slug)
    assert "page_version" in found.__dict__
    assert place_part(found, "answer", lambda: ["first"]) == ["first"]
    assert place_part(found, "answer", lambda: ["second"]) == ["first"]
    # A place loaded without its version (any other query) has its parts built every time.
    plain = Place.objects.get(pk=place.pk)
    assert place_part(plain, "answer", lambda: ["third"]) == ["third"]
    # A committed change to the place gives a new version, and so a new part.
    Place.objects.filter(pk=place.pk).update(summary="Changed")
    found, _ = get_place_for_user(member, place.slug)
    assert place_part(found, "answer", lambda: ["fourth"]) == ["fourth"]


def test_kept_counts_still_follow_what_each_reader_may_see(
    transactional_db: None,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    participant: User,
    member: User,
    outsider: User,
) -> None:
    """The four worlds are kept as counts by cycle and visibility, the same for everyone; each
    reader's page adds up only what they may see, from the cache as from the database."""
    from learning import services

    for visibility in ("public", "members", "participants"):
        services.entry_create(
            cycle=cycle, author=participant, kind="action", body="Tried", world="by",
            swimlane="ourselves", visibility=visibility,
        )  # fmt: skip
    home = f"/places/{cycle.place.slug}/"
    readers = [(None, 1), (outsider, 1), (member, 2), (participant, 3)]
    for _ in range(2):  # built by the first reader, then kept
        for person, n in readers:
            body = client_for(person).get(home).content.decode()
            assert f"{n} action{'s' if n != 1 else ''} logged" in body, person


def test_a_site_part_is_kept_until_any_place_changes_and_built_inside_a_transaction(
    transactional_db: None, parts_on: None, place: Place
) -> None:
    assert site_part("answer", lambda: ["first"]) == ["first"]
    assert site_part("answer", lambda: ["second"]) == ["first"]
    # A committed change to any place moves the site's version: the part is built again.
    Place.objects.filter(pk=place.pk).update(summary="Changed")
    assert site_part("answer", lambda: ["third"]) == ["third"]
    # An open transaction has not bumped anything yet, so nothing kept can be trusted.
    with transaction.atomic():
        assert site_part("answer", lambda: ["fourth"]) == ["fourth"]


def test_the_library_place_filter_shows_a_place_once_its_first_cycle_reaches_the_library(
    transactional_db: None,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
) -> None:
    from django.utils import timezone

    from learning.models import CycleStatus, LearningCycle

    anonymous = client_for(None)
    option = f'value="{cycle.place.slug}"'
    assert option not in anonymous.get("/learning/").content.decode()  # kept: no place yet
    assert option not in anonymous.get("/learning/").content.decode()
    LearningCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.CONCLUDED, closed_at=timezone.now()
    )
    assert option in anonymous.get("/learning/").content.decode()


def test_a_kept_library_search_shows_a_cycle_that_reaches_the_library_on_the_next_request(
    transactional_db: None,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    member: User,
) -> None:
    """Library results are the same for every reader, so a signed-in reader's search is kept
    under the site's version; a cycle concluding moves it."""
    from django.utils import timezone

    from learning.models import CycleStatus, LearningCycle
    from learning.services import cycle_refresh_search

    reader = client_for(member)
    LearningCycle.objects.filter(pk=cycle.pk).update(title="Marmalade mornings")
    cycle_refresh_search(cycle.pk)

    def found(q: str) -> bool:
        response = reader.get("/learning/", {"q": q})
        assert response.status_code == 200
        return "Marmalade mornings" in response.content.decode()

    assert not found("marmalade") and not found("marmalade")  # kept, and nothing found
    LearningCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.CONCLUDED, closed_at=timezone.now()
    )
    assert found("marmalade")
    assert not found("porridge")  # another search is kept apart


def test_a_library_page_asks_the_site_s_version_once_and_anew_on_each_request(
    transactional_db: None,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    member: User,
    place: Place,
) -> None:
    """The place filter and the results are both kept under the site's version; the page asks
    for it once, and the next request asks again, so a change still shows at once."""
    from relational.pageversions import one_site_version, site_version

    reader = client_for(member)

    def versions_asked() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get("/learning/", {"q": "repairs"}).status_code == 200
        return sum("relational_pageversion" in q["sql"] for q in captured)

    assert versions_asked() == 1
    assert versions_asked() == 1
    with CaptureQueriesContext(connection) as captured, one_site_version():
        first = site_version()
        Place.objects.filter(pk=place.pk).update(summary="Changed")
        assert site_version() == first  # kept for the block: never around a write
    assert len(captured) == 2
    assert site_version() != first  # outside the block, asked again
