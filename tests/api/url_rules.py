"""Permission-table rules for the read-only JSON API under /api/v1/ (merged into
``tests.harness.permissions_table.URL_RULES``).

Everything is a GET; a POST from anyone answers 405 (``write="nobody"``). The schema and the
list of places are for anyone (the list is leak-checked: a members-only place's name carries the
private marker). Everything under a place is checked on ``private_place``, whose rows carry the
members-only marker: members (and the cycle participant, also a member) read them; anonymous
people, outsiders and staff get 404 (``private=True``), never 403. Entries are checked on the
members-only entry of ``private_cycle``; the cycle's entry list also holds its participants-only
entry, so the participant marker must not reach members who do not take part.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from governance import services as governance
from governance.models import Decision
from tests.harness.permissions import Cast, Rule
from tests.harness.permissions_table import titled
from tests.places.gathering_helpers import arrange


def _place(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _gathering(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    gathering = arrange(place, cast.fixture("resident"), title=titled(place, "Supper club"))
    return {"slug": place.slug, "gathering_id": gathering.pk}


def _cycle(cast: Cast) -> dict[str, Any]:
    cycle = cast.fixture("private_cycle")
    return {"slug": cycle.place.slug, "cycle_id": cycle.pk}


def _entry(cast: Cast) -> dict[str, Any]:
    cycle = cast.fixture("private_cycle")
    entry = cast.fixture("learning_markers").entries[("private", "members")]
    return {"slug": cycle.place.slug, "cycle_id": cycle.pk, "entry_id": entry.pk}


def _measure(cast: Cast) -> dict[str, Any]:
    measure = cast.fixture("learning_markers").measures["private"]
    return {"slug": measure.place.slug, "measure_id": measure.pk}


def _decision(cast: Cast) -> dict[str, Any]:
    """An open decision of the members-only place, with one input (made once per test)."""
    place = cast.fixture("private_place")
    title = titled(place, "Members' budget for the winter")
    decision = Decision.objects.filter(place=place, title=title).first()
    if decision is None:
        steward = cast.fixture("steward")
        decision = governance.decision_create(
            place=place, by=steward, title=title, question="How do we spend it?",
            method="consent",
        )  # fmt: skip
        governance.decision_open(
            decision=decision, by=steward, input_closes_on=timezone.localdate() + timedelta(days=5)
        )
        governance.input_give(
            decision=decision, by=cast.fixture("resident"), stance="question",
            text=titled(place, "Who holds the money?"),
        )  # fmt: skip
    return {"slug": place.slug, "decision_id": decision.pk}


def _members(kwargs: Any, note: str = "", on_public: str = "anyone") -> Rule:
    """Members of the members-only place; ``on_public`` in the public place."""
    return Rule(
        read="member",
        kwargs=kwargs,
        private=True,
        note=note or "members-only place",
        public={"read": on_public},
    )


RULES: dict[str, Rule] = {
    "api:openapi-json": Rule(read="anyone", note="the OpenAPI schema"),
    "api:api-root": Rule(
        read="nobody", note="ninja's root, only there to anchor the API's URLs: always 404"
    ),
    "api:places": Rule(read="anyone", note="public places, plus the reader's own"),
    "api:place": _members(_place),
    "api:place_gatherings": _members(_place),
    "api:place_gathering": _members(_gathering),
    "api:place_cycles": _members(_place),
    "api:place_cycle": _members(_cycle),
    "api:place_cycle_entries": _members(
        _cycle, "entries by their own visibility; participants-only ones to participants"
    ),
    "api:place_cycle_entry": _members(_entry, "a members-only entry", on_public="member"),
    "api:place_measures": _members(_place),
    "api:place_measure": _members(_measure),
    "api:place_measure_readings": _members(_measure),
    "api:place_decisions": _members(_place),
    "api:place_decision": _members(_decision),
    "api:place_decision_inputs": _members(_decision),
}
