"""The governance cast: a decider, decisions in every state, and private ones carrying markers
(loaded for every test from ``tests/conftest.py``).

* ``decider`` — Dee Decider, a member of ``place`` and ``private_place`` who speaks from the
  centre/policy perspective, named to decide the cast's decisions (the steward owns them).
* ``decision`` — a public place's decision, open for input.
* ``governance_markers`` — in the members-only place: an open decision (title and the
  decider's input carry ``PRIVATE_MARKER``), a draft and a decided one with an implementation
  record and a milestone; in the public place, a draft whose title carries ``DRAFT_MARKER``
  (only stewards and its deciders may see it).

:func:`make_decision` takes a decision to any status through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from governance import services
from governance.models import Decision, Input, Milestone, Status
from places.models import Membership, Place
from relational.models import User
from tests.factories import UserFactory
from tests.harness.permissions_table import PRIVATE_MARKER

from .markers import DRAFT_MARKER

__all__ = ["DRAFT_MARKER", "make_decision"]


def make_decision(
    place: Place,
    owner: User,
    *,
    title: str = "Open the community centre on Sundays",
    status: str = Status.OPEN,
    deciders: list[User] | None = None,
    inputs: list[tuple[User, str]] | None = None,
    answer: bool = True,
    method: str = "consent",
    question: str = "Should the centre open from 12 to 4 on Sundays this winter?",
) -> Decision:
    """A decision taken to ``status`` by its owner through the services. ``inputs`` are
    (author, stance) pairs given while it is open; ``answer`` responds to each before it is
    decided (deciding needs that)."""
    deciders = deciders or []
    decision = services.decision_create(
        place=place,
        by=owner,
        title=title,
        question=question,
        method=method,
        options=[
            {"title": "Volunteers run it", "pros": "Cheap", "cons": "Rotas fall apart"},
            {"title": "Stay closed", "pros": "No cost", "cons": "Lonely Sundays"},
        ],
        mandate="Delegated by the trustees in March.",
        deciders=deciders,
    )
    if status == Status.DRAFT:
        return decision
    decision = services.decision_open(
        decision=decision, by=owner, input_closes_on=timezone.localdate() + timedelta(days=7)
    )
    for author, stance in inputs or []:
        item = services.input_give(
            decision=decision, by=author, stance=stance, text=f"{stance.title()}: think again."
        )
        if answer:
            services.response_give(item=item, by=owner, disposition="answered", text="Thank you.")
    if status == Status.OPEN:
        return decision
    if status == Status.RESCINDED:
        return services.decision_rescind(decision=decision, by=owner, reason="Overtaken.")
    if status == Status.DECIDING:
        return services.decision_close_input(decision=decision, by=None) or decision
    for person in deciders:
        services.decider_state(decision=decision, by=person, interest_ids=[], no_interest=True)
    decision = services.decision_decide(
        decision=decision,
        by=owner,
        outcome="Open on Sundays with volunteers.",
        reasoning="People said Sundays are the loneliest day.",
        method_result="Consent, no objections",
        decided_on=timezone.localdate(),
        review_by=timezone.localdate() + timedelta(days=180),
    )
    if status == Status.DECIDED:
        return decision
    if status == Status.UNDER_REVIEW:
        return services.decision_review_start(decision=decision, by=owner) or decision
    if status == Status.REVISED:
        revision = services.decision_revise(decision=decision, by=owner)
        revision = services.decision_open(
            decision=revision, by=owner, input_closes_on=timezone.localdate()
        )
        for person in deciders:
            services.decider_state(decision=revision, by=person, interest_ids=[], no_interest=True)
        services.decision_decide(
            decision=revision,
            by=owner,
            outcome="Open on Sundays, paid staff.",
            reasoning="The rota fell apart.",
            method_result="Consent",
            decided_on=timezone.localdate(),
        )
        decision.refresh_from_db()
        return decision
    raise ValueError(status)


@pytest.fixture
def decider(place: Place, private_place: Place) -> User:
    person = UserFactory(display_name="Dee Decider")
    for where in (place, private_place):
        Membership.objects.create(place=where, user=person, perspectives=["centre"])
    return person


@pytest.fixture
def decision(place: Place, steward: User, decider: User) -> Decision:
    return make_decision(place, steward, deciders=[decider])


@dataclass
class GovernanceMarkers:
    private_decision: Decision  # open, in the members-only place
    private_input: Input  # the decider's input on it
    private_draft: Decision
    private_decided: Decision
    milestone: Milestone
    public_draft: Decision


@pytest.fixture
def governance_markers(
    place: Place, private_place: Place, steward: User, decider: User, member: User
) -> GovernanceMarkers:
    private_decision = make_decision(
        private_place,
        steward,
        title=f"Warm spaces this winter {PRIVATE_MARKER}",
        deciders=[decider],
    )
    private_input = services.input_give(
        decision=private_decision,
        by=decider,
        stance="concern",
        text=f"Who pays the heating? {PRIVATE_MARKER}",
    )
    private_draft = make_decision(
        private_place,
        steward,
        title=f"Draft {DRAFT_MARKER} {PRIVATE_MARKER}",
        status=Status.DRAFT,
        deciders=[decider],
    )
    private_decided = make_decision(
        private_place,
        steward,
        title=f"Lunch club cooks for itself {PRIVATE_MARKER}",
        status=Status.DECIDED,
        deciders=[decider],
        inputs=[(member, "support")],
    )
    milestone = services.milestone_add(
        decision=private_decided,
        by=steward,
        title="Cook recruited",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    public_draft = make_decision(
        place,
        steward,
        title=f"Sharing data {DRAFT_MARKER}",
        status=Status.DRAFT,
        deciders=[decider],
    )
    return GovernanceMarkers(
        private_decision=private_decision,
        private_input=private_input,
        private_draft=private_draft,
        private_decided=private_decided,
        milestone=milestone,
        public_draft=public_draft,
    )


def kwargs_for(decision: Decision, **extra: Any) -> dict[str, Any]:
    return {"slug": decision.place.slug, "pk": decision.pk, **extra}
