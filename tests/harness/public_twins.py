"""The public place's twins of the members-only fixtures the URL rules are written against.

Rules point their URLs at ``private_place`` and the private things in it. The permission test then
requests each of those URLs a second time on the public place, answering every fixture named in
``permissions_table.PUBLIC_TWINS`` with its twin here: the same kind of row, in the same state,
in ``place``. Titles carry no members-only marker (nothing in a public place is private), except
what is members-only even there (an entry for members, a draft) which keeps its own marker.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services
from governance.models import Status
from places.models import Place
from relational.models import User
from tests.governance.cast import GovernanceMarkers, make_decision
from tests.governance.fund_cast import FundMarkers, make_fund_markers
from tests.learning.cast import LearningMarkers


@pytest.fixture
def public_learning_markers(learning_markers: LearningMarkers) -> LearningMarkers:
    """``learning_markers`` with the public cycle's entries and measure where the members-only
    cycle's stood (the rules read ``entries[("private", …)]`` and ``measures["private"]``)."""
    entries = dict(learning_markers.entries)
    for (side, visibility), entry in learning_markers.entries.items():
        if side == "public":
            entries[("private", visibility)] = entry
    return LearningMarkers(
        entries=entries,
        library_cycle=learning_markers.library_cycle,
        measures={**learning_markers.measures, "private": learning_markers.measures["public"]},
    )


@pytest.fixture
def public_governance_markers(
    governance_markers: GovernanceMarkers,
    place: Place,
    steward: User,
    decider: User,
    member: User,
) -> GovernanceMarkers:
    """In the public place: a decision open for input with the decider's input, the public draft
    (whose title carries the draft marker), and a decided one with a milestone."""
    open_decision = make_decision(
        place, steward, title="Warm spaces in Millbrook", deciders=[decider]
    )
    given = services.input_give(
        decision=open_decision, by=decider, stance="concern", text="Who pays the heating?"
    )
    decided = make_decision(
        place,
        steward,
        title="The Millbrook lunch club cooks for itself",
        status=Status.DECIDED,
        deciders=[decider],
        inputs=[(member, "support")],
    )
    milestone = services.milestone_add(
        decision=decided,
        by=steward,
        title="Cook recruited",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    return GovernanceMarkers(
        private_decision=open_decision,
        private_input=given,
        private_draft=governance_markers.public_draft,
        private_decided=decided,
        milestone=milestone,
        public_draft=governance_markers.public_draft,
    )


@pytest.fixture
def public_fund_markers(
    fund_markers: FundMarkers, place: Place, place_people: dict[str, User], allocator: User
) -> FundMarkers:
    """The cast's fund again, with its three rounds, in the public place."""
    return make_fund_markers(place, place_people, allocator, name="Millbrook Seed Fund", marker="")
