"""The learning cast: a cycle participant, a cycle in each place, and entries of every
visibility carrying markers (loaded for every test from ``tests/conftest.py``).

* ``participant`` — Pat Participant, a member (frontline practitioner) of ``place`` and of
  ``private_place``, taking part in ``cycle`` and ``private_cycle``. The steward, the member
  and the resident are members who do *not* take part.
* ``cycle`` — a public place's cycle in testing; ``private_cycle`` — the same in the
  members-only place (its title carries the members-only marker).
* ``learning_markers`` — in both cycles, one entry of each visibility: public (no marker),
  members (``PRIVATE_MARKER``) and participants (``PARTICIPANT_MARKER``); a concluded cycle
  of the public place in the library with the same; a place-wide measure in each place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from learning import services
from learning.models import (
    EntryVisibility,
    Horizon,
    LearningCycle,
    Measure,
    RelationshipLevel,
    Rhythm,
    Scale,
)
from places.models import Membership, Place
from relational.models import User
from tests.factories import UserFactory
from tests.harness.permissions_table import PRIVATE_MARKER

#: Only a cycle's participants may see text carrying this marker.
PARTICIPANT_MARKER = "ZZ-PARTICIPANT-MARKER-51c9"


def make_cycle(
    place: Place,
    by: User,
    *,
    title: str = "Tea and a chat before assessments",
    status: str = "testing",
    rhythm: str = Rhythm.WEEKLY,
    participants: list[User] | None = None,
) -> LearningCycle:
    cycle = services.cycle_create(
        place=place,
        by=by,
        title=title,
        question="Does meeting people first, over a cup of tea, change what they tell us?",
        intent="We think that meeting first will help people say what matters, because they "
        "will know who they are talking to.",
        relationship_level=RelationshipLevel.PRACTITIONER_PERSON,
        horizon=Horizon.H2,
        rhythm=rhythm,
        scale=Scale.TEAM,
        missions=list(place.missions.all()),
        participants=participants or [],
    )
    path = {
        "framing": [],
        "testing": ["testing"],
        "reflecting": ["testing", "reflecting"],
        "adapting": ["testing", "reflecting", "adapting"],
        "concluded": ["testing", "reflecting", "concluded"],
        "stopped": ["stopped"],
    }[status]
    for step in path:
        services.cycle_move(
            cycle=cycle,
            by=by,
            to=step,
            reason="The team was reorganised." if step == "stopped" else "",
            learned="People told us more when they knew us first." if step == "concluded" else "",
            differently="Start every assessment with a visit." if step == "concluded" else "",
        )
    cycle.refresh_from_db()
    return cycle


def log(cycle: LearningCycle, by: User, visibility: str, body: str, kind: str = "story") -> Any:
    return services.entry_create(
        cycle=cycle, author=by, kind=kind, body=body, visibility=visibility
    )


@pytest.fixture
def participant(place: Place, private_place: Place) -> User:
    person = UserFactory(display_name="Pat Participant")
    for where in (place, private_place):
        Membership.objects.create(place=where, user=person, perspectives=["frontline"])
    return person


@pytest.fixture
def cycle(place: Place, participant: User) -> LearningCycle:
    return make_cycle(place, participant)


@pytest.fixture
def private_cycle(private_place: Place, participant: User) -> LearningCycle:
    return make_cycle(private_place, participant, title=f"Warm spaces over winter {PRIVATE_MARKER}")


@dataclass
class LearningMarkers:
    entries: dict[tuple[str, str], Any]  # (which cycle, visibility) -> entry
    library_cycle: LearningCycle
    measures: dict[str, Measure]


@pytest.fixture
def learning_markers(
    cycle: LearningCycle, private_cycle: LearningCycle, participant: User
) -> LearningMarkers:
    entries: dict[tuple[str, str], Any] = {}
    library_cycle = make_cycle(
        cycle.place, participant, title="Knocking on doors after floods", status="reflecting"
    )
    for name, c in (("public", cycle), ("private", private_cycle), ("library", library_cycle)):
        if c.place.is_public:  # a members-only place offers no wider than its members
            entries[(name, "public")] = log(
                c, participant, EntryVisibility.PUBLIC, "We met Mrs Patel at the community centre."
            )
        entries[(name, "members")] = log(
            c, participant, EntryVisibility.MEMBERS, f"Members only: rota notes {PRIVATE_MARKER}"
        )
        entries[(name, "participants")] = log(
            c,
            participant,
            EntryVisibility.PARTICIPANTS,
            f"Participants only: a family's story {PARTICIPANT_MARKER}",
        )
    services.cycle_move(
        cycle=library_cycle,
        by=participant,
        to="concluded",
        learned="Going back a week later mattered more than the first visit.",
        differently="Book the return visit before leaving.",
    )
    library_cycle.refresh_from_db()
    measures = {
        "public": services.measure_define(
            place=cycle.place,
            by=participant,
            name="Visits made",
            unit="visits",
            kind="outcome",
            better="higher",
        ),
        "private": services.measure_define(
            place=private_cycle.place,
            by=participant,
            name="Warm space visitors",
            unit="people",
            kind="outcome",
            better="higher",
        ),
    }
    for m in measures.values():
        services.reading_record(measure=m, by=participant, value=Decimal(12), on=date(2026, 1, 5))
    return LearningMarkers(entries=entries, library_cycle=library_cycle, measures=measures)
