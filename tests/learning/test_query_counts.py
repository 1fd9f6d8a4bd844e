"""The cycle page, the library, the measures page and the place home cost the same number of
queries with 5 and with 50 rows."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from learning import services
from learning.models import EntryVisibility
from tests.harness.queries import assert_constant_queries
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.django_db

KINDS = itertools.cycle(["action", "story", "reflection", "adaptation", "data"])
VISIBILITIES = itertools.cycle(list(EntryVisibility))


@pytest.fixture
def entry_maker(cycle, participant):
    measure = services.measure_define(
        place=cycle.place, cycle=cycle, by=participant, name="Visits", unit="visits",
        kind="outcome", better="higher",
    )  # fmt: skip
    made = []

    def make(n: int) -> None:
        for i in range(n):
            kind = next(KINDS)
            visibility = next(VISIBILITIES)
            if kind == "data":
                services.reading_record(
                    measure=measure,
                    by=participant,
                    value=Decimal(i),
                    on=date(2026, 1, 1) + timedelta(days=len(made)),
                    note="Counted at the door",
                    visibility=visibility,
                )
                made.append(None)
                continue
            entry = services.entry_create(
                cycle=cycle,
                author=participant,
                kind=kind,
                body=f"Entry {len(made)}: what happened **today**",
                visibility=visibility,
                world="with" if kind == "action" else "",
                swimlane="help" if kind == "action" else "",
                sources=[e.pk for e in made[-3:] if e is not None] if kind == "adaptation" else [],
                told_by="Maureen" if kind == "story" else "",
                told_by_consent=kind == "story",
            )
            made.append(entry)

    return make


@pytest.mark.parametrize("who", ["anonymous", "member", "participant"])
def test_the_cycle_page_costs_the_same_with_5_and_50_entries(
    request, client_for, cycle, entry_maker, who
) -> None:
    person = None if who == "anonymous" else request.getfixturevalue(who)
    assert_constant_queries(client_for(person), cycle.get_absolute_url(), entry_maker)


def test_the_second_page_of_the_timeline_costs_the_same(
    client_for, participant, cycle, entry_maker
) -> None:
    entry_maker(25)  # a second page exists from here on
    assert_constant_queries(
        client_for(participant), cycle.get_absolute_url(), entry_maker, data={"page": 2}
    )


def test_the_library_costs_the_same_with_5_and_50_cycles(client_for, place, participant) -> None:
    def make(n: int) -> None:
        for i in range(n):
            make_cycle(
                place, participant, title=f"Closed cycle {i} about floods", status="concluded"
            )

    assert_constant_queries(client_for(None), reverse("learning:library"), make)


def test_a_library_search_costs_the_same_with_5_and_50_cycles(
    client_for, place, participant
) -> None:
    def make(n: int) -> None:
        for i in range(n):
            make_cycle(place, participant, title=f"Door knocking {i}", status="concluded")

    assert_constant_queries(
        client_for(participant), reverse("learning:library"), make,
        data={"q": "door", "horizon": "h2", "mission": "safe", "world": ""},
    )  # fmt: skip


def test_the_place_home_costs_the_same_with_5_and_50_cycles(client_for, place, participant) -> None:
    def make(n: int) -> None:
        for i in range(n):
            cycle = make_cycle(place, participant, title=f"Cycle {i}")
            services.entry_create(
                cycle=cycle, author=participant, kind="action", body="Tried", world="by",
                swimlane="ourselves", visibility="participants",
            )  # fmt: skip

    assert_constant_queries(
        client_for(participant), reverse("places:home", kwargs={"slug": place.slug}), make
    )


def test_the_measures_page_costs_the_same_with_5_and_50_readings(
    client_for, place, steward
) -> None:
    measure = services.measure_define(
        place=place, by=steward, name="Empty homes", unit="homes", kind="outcome", better="lower"
    )
    start = date(2025, 1, 1)

    def make(n: int) -> None:
        count = measure.readings.count()
        for i in range(n):
            services.reading_record(
                measure=measure,
                by=steward,
                value=Decimal(30 - i % 7),
                on=start + timedelta(days=count + i),
            )

    assert_constant_queries(
        client_for(None), reverse("learning:measures", kwargs={"slug": place.slug}), make
    )
    assert_constant_queries(client_for(None), measure.get_absolute_url(), make)
