"""The decision log and a decision's page cost the same number of queries with 5 and with 50
inputs (and decisions)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from governance import services
from governance.models import Evidence, Status
from places.models import Membership
from tests.factories import UserFactory
from tests.harness.queries import assert_constant_queries

from .cast import make_decision


def _members(place: Any, n: int) -> list[Any]:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        Membership.objects.create(place=place, user=person, perspectives=["resident"])
    return people


def test_a_decision_page_costs_the_same_with_5_and_50_inputs(
    place: Any, steward: Any, decider: Any, member: Any, client_for: Any, cycle: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    Evidence.objects.create(decision=decision, cycle=cycle)
    services.input_give(decision=decision, by=member, stance="objection", text="No")

    def more_inputs(n: int) -> None:
        for i, person in enumerate(_members(place, n)):
            item = services.input_give(decision=decision, by=person, stance="support", text="Yes")
            if i % 2:
                services.response_give(item=item, by=steward, disposition="adopted", text="Thanks")

    assert_constant_queries(client_for(member), decision.get_absolute_url(), more_inputs)


def test_a_decision_page_costs_the_same_with_5_and_50_pieces_of_evidence(
    place: Any, steward: Any, participant: Any, client_for: Any
) -> None:
    """Cycles and log entries (each visibility) as evidence: what the list shows is read with
    the links, so none costs a query of its own (the kept links hold only those fields)."""
    from learning.models import EntryVisibility
    from tests.learning.cast import log, make_cycle

    decision = make_decision(place, steward, status=Status.DRAFT)
    visibilities = list(EntryVisibility.values)

    def more_evidence(n: int) -> None:
        for i in range(n):
            cycle = make_cycle(place, participant, title=f"Evidence cycle {i}")
            services.evidence_add(decision=decision, by=steward, cycle=cycle, note=f"Note {i}")
            entry = log(cycle, participant, visibilities[i % len(visibilities)], f"Entry {i}")
            services.evidence_add(decision=decision, by=steward, entry=entry)

    # A draft (evidence is added before it opens) is its steward's to see.
    assert_constant_queries(client_for(steward), decision.get_absolute_url(), more_evidence)
    page = client_for(steward).get(decision.get_absolute_url()).content.decode()
    # make_rows adds 5, then 45: the last added is number 44.
    assert "Evidence cycle 44" in page and "Note 44" in page and "Story in" in page


def test_the_decision_log_costs_the_same_with_5_and_50_decisions(
    place: Any, steward: Any, member: Any, anonymous: Any
) -> None:
    def more_decisions(n: int) -> None:
        for i in range(n):
            d = make_decision(place, steward, title=f"Decision {i}")
            services.input_give(decision=d, by=member, stance="support", text="Yes")

    assert_constant_queries(
        anonymous, reverse("governance:log", kwargs={"slug": place.slug}), more_decisions
    )


def test_the_decision_log_costs_the_same_with_5_and_50_inputs(
    place: Any, steward: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward)

    def more_inputs(n: int) -> None:
        for person in _members(place, n):
            services.input_give(decision=decision, by=person, stance="support", text="Yes")

    assert_constant_queries(
        client_for(steward), reverse("governance:log", kwargs={"slug": place.slug}), more_inputs
    )


def test_the_history_and_the_csv_cost_the_same_with_5_and_50_inputs(
    place: Any, steward: Any, anonymous: Any
) -> None:
    decision = make_decision(place, steward)

    def more_inputs(n: int) -> None:
        for person in _members(place, n):
            item = services.input_give(decision=decision, by=person, stance="support", text="Yes")
            services.response_give(item=item, by=steward, disposition="adopted", text="Thanks")

    assert_constant_queries(
        anonymous,
        reverse("governance:history", kwargs={"slug": place.slug, "pk": decision.pk}),
        more_inputs,
    )
    assert_constant_queries(
        anonymous,
        reverse("governance:csv", kwargs={"slug": place.slug}),
        more_inputs,
        small=50,
        large=60,
    )
