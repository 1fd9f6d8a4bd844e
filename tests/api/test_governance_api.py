"""The JSON API's decisions: the log, one decision, its inputs; drafts and members-only places
stay out of sight; evidence by its own visibility; query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from governance import services
from governance.models import Decision
from learning.models import LearningCycle
from places.flags import content_hide
from places.models import Interest, Place
from places.registry import registry
from relational.models import User
from tests.harness.permissions_table import PRIVATE_MARKER
from tests.harness.queries import assert_constant_queries
from tests.learning.cast import PARTICIPANT_MARKER, LearningMarkers

from .openapi import assert_conforms

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], Client]
DRAFT_MARKER = "ZZ-DRAFT-DECISION-3b1e"


def draft(place: Place, steward: User, title: str = "Move the hub", **fields: object) -> Decision:
    return services.decision_create(
        place=place,
        by=steward,
        title=title,
        question="Should the hub move to the library?",
        method="consent",
        options=[{"title": "Move", "pros": "Central", "cons": "Smaller"}, {"title": "Stay"}],
        mandate="The hub board's terms of reference.",
        place_view="People want it nearer the bus stop.",
        **fields,  # type: ignore[arg-type]
    )


def opened(place: Place, steward: User, title: str = "Move the hub", **fields: object) -> Decision:
    decision = draft(place, steward, title, **fields)
    return services.decision_open(
        decision=decision, by=steward, input_closes_on=timezone.localdate() + timedelta(days=7)
    )


@pytest.fixture
def decided(place: Place, steward: User, member: User, resident: User) -> Decision:
    """A decided decision: two inputs, each answered; the member decides, with an interest."""
    interest = Interest.objects.create(
        place=place, user=member, kind="employment", description="I work at the library"
    )
    decision = opened(place, steward, deciders=[member])
    concern = services.input_give(
        decision=decision, by=resident, stance="concern", text="The library shuts at five."
    )
    question = services.input_give(
        decision=decision, by=member, stance="question", text="Is there parking?"
    )
    services.response_give(
        item=concern, by=steward, disposition="adapted", text="We will ask for late opening."
    )
    services.response_give(item=question, by=steward, disposition="answered", text="Two spaces.")
    services.decider_state(
        decision=decision, by=member, interest_ids=[interest.pk], no_interest=False
    )
    return services.decision_decide(
        decision=decision,
        by=steward,
        outcome="The hub moves to the library.",
        reasoning="Most people said it is easier to reach.",
        method_result="consent, no objections",
        decided_on=timezone.localdate(),
    )


# --- The log --------------------------------------------------------------------------------------


def test_anyone_reads_a_public_places_decision_log_but_not_its_drafts(
    anonymous: Client, client_for: ClientFor, resident: User, steward: User,
    decided: Decision, place: Place,
) -> None:  # fmt: skip
    hidden_draft = draft(place, steward, f"Close the café {DRAFT_MARKER}")

    for client in (anonymous, client_for(resident)):
        response = client.get("/api/v1/places/millbrook/decisions")
        body = assert_conforms(response)
        assert [d["id"] for d in body["items"]] == [decided.pk]
        assert DRAFT_MARKER not in response.content.decode()
        refused = client.get(f"/api/v1/places/millbrook/decisions/{hidden_draft.pk}")
        assert refused.status_code == 404
        assert DRAFT_MARKER not in refused.content.decode()

    shown = body["items"][0]
    assert shown["status"] == "decided"
    assert shown["owner"] == "Stevie Steward"
    assert shown["deciders"] == ["Mo Member"]
    assert shown["options"][0] == {"title": "Move", "description": "", "pros": "Central",
                                   "cons": "Smaller"}  # fmt: skip
    assert shown["inputs"] == {
        "total": 2, "adopted": 0, "adapted": 1, "not_adopted": 0, "answered": 1, "waiting": 0
    }  # fmt: skip
    assert shown["inputs_url"].endswith(f"/decisions/{decided.pk}/inputs")


def test_a_steward_sees_drafts_in_the_log(
    client_for: ClientFor, steward: User, decided: Decision, place: Place
) -> None:
    hidden_draft = draft(place, steward, f"Close the café {DRAFT_MARKER}")

    body = assert_conforms(client_for(steward).get("/api/v1/places/millbrook/decisions"))

    assert {d["id"] for d in body["items"]} == {decided.pk, hidden_draft.pk}


def test_the_log_filters_by_status_method_words_and_dates(
    anonymous: Client, decided: Decision, place: Place, steward: User
) -> None:
    other = opened(place, steward, "Paint the bus shelter")
    url = "/api/v1/places/millbrook/decisions"

    def ids(**query: object) -> list[int]:
        return [d["id"] for d in assert_conforms(anonymous.get(url, query))["items"]]

    assert ids(status="open") == [other.pk]
    assert ids(method="majority") == []
    assert ids(q="reach") == [decided.pk]
    assert ids(date_from=str(timezone.localdate() + timedelta(days=1))) == []
    assert set(ids(date_to=str(timezone.localdate()))) == {decided.pk, other.pk}


@pytest.mark.parametrize(
    "query",
    [{"status": "pending"}, {"method": "coin"}, {"date_from": "31/12/2026"}, {"q": "a\x00b"},
     {"q": "x" * 201}],
)  # fmt: skip
def test_a_bad_log_filter_is_a_422(anonymous: Client, place: Place, query: dict) -> None:
    response = anonymous.get("/api/v1/places/millbrook/decisions", query)

    assert response.status_code == 422
    assert assert_conforms(response)["detail"][0]["loc"] == ["query", next(iter(query))]


# --- One decision ---------------------------------------------------------------------------------


def test_one_decision_with_its_deciders_interests_and_implementation(
    anonymous: Client, decided: Decision, member: User
) -> None:
    response = anonymous.get(f"/api/v1/places/millbrook/decisions/{decided.pk}")

    body = assert_conforms(response)
    (statement,) = body["decider_statements"]
    assert statement["name"] == "Mo Member"
    assert [i["description"] for i in statement["stated_interests"]] == ["I work at the library"]
    assert body["outcome"] == "The hub moves to the library."
    assert body["method_result"] == "consent, no objections"
    assert body["decided_on"] == str(timezone.localdate())
    assert body["implementation"]["status"] == "not_started"
    assert member.email not in response.content.decode()


def test_evidence_is_listed_only_for_readers_who_may_see_it(
    anonymous: Client,
    client_for: ClientFor,
    participant: User,
    steward: User,
    place: Place,
    cycle: LearningCycle,
    learning_markers: LearningMarkers,
) -> None:
    decision = draft(place, steward, "Keep the tea visits")
    services.evidence_add(decision=decision, by=steward, cycle=cycle, note="The whole cycle")
    secret = learning_markers.entries[("public", "participants")]
    services.evidence_add(decision=decision, by=steward, entry=secret, note="A family's story")
    services.decision_open(
        decision=decision, by=steward, input_closes_on=timezone.localdate() + timedelta(days=3)
    )
    url = f"/api/v1/places/millbrook/decisions/{decision.pk}"

    seen_by_anyone = anonymous.get(url)
    seen_by_participant = client_for(participant).get(url)

    assert [e["kind"] for e in assert_conforms(seen_by_anyone)["evidence"]] == ["learning cycle"]
    assert PARTICIPANT_MARKER not in seen_by_anyone.content.decode()
    assert [e["kind"] for e in assert_conforms(seen_by_participant)["evidence"]] == [
        "learning cycle",
        "log entry",
    ]


def test_a_members_only_places_decisions_are_404_to_outsiders(
    anonymous: Client,
    client_for: ClientFor,
    outsider: User,
    member: User,
    steward: User,
    private_place: Place,
) -> None:
    decision = opened(private_place, steward, f"Members' budget {PRIVATE_MARKER}")
    base = "/api/v1/places/hidden-hollow/decisions"
    urls = [base, f"{base}/{decision.pk}", f"{base}/{decision.pk}/inputs"]

    for url in urls:
        for client in (anonymous, client_for(outsider)):
            refused = client.get(url)
            assert refused.status_code == 404, url
            assert PRIVATE_MARKER not in refused.content.decode()
        shown = client_for(member).get(url)
        assert shown.status_code == 200
        assert_conforms(shown)


def test_a_decision_of_another_place_is_a_404(
    anonymous: Client, place: Place, private_place: Place, steward: User
) -> None:
    theirs = opened(private_place, steward, f"Members' budget {PRIVATE_MARKER}")

    response = anonymous.get(f"/api/v1/places/millbrook/decisions/{theirs.pk}")

    assert response.status_code == 404
    assert assert_conforms(response) == {"detail": "Not found"}


# --- Inputs ---------------------------------------------------------------------------------------


def test_inputs_come_beside_their_responses_and_hidden_words_stay_hidden(
    anonymous: Client, decided: Decision, steward: User
) -> None:
    concern = decided.inputs.get(stance="concern")
    content_hide(
        kind=registry.flaggable("decision_input"), obj=concern, by=steward, reason="Names someone"
    )

    response = anonymous.get(f"/api/v1/places/millbrook/decisions/{decided.pk}/inputs")

    body = assert_conforms(response)
    first, second = body["items"]
    assert first["stance"] == "concern"
    assert first["text"] is None
    assert first["hidden"]["reason"] == "Names someone"
    assert first["response"]["disposition"] == "adapted"
    assert first["author"] == "Rhiannon Resident"
    assert second["text"] == "Is there parking?"
    assert second["response"]["text"] == "Two spaces."
    assert "The library shuts at five." not in response.content.decode()


# --- Query counts ---------------------------------------------------------------------------------


def test_the_log_costs_the_same_queries_for_5_and_50_decisions(
    client_for: ClientFor, steward: User, member: User, resident: User, place: Place,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    def make_rows(n: int) -> None:
        for i in range(n):
            decision = opened(place, steward, f"Decision {i}", deciders=[member])
            item = services.input_give(decision=decision, by=resident, stance="support", text="Yes")
            services.response_give(item=item, by=steward, disposition="answered", text="Thanks")

    client = client_for(steward)
    url = "/api/v1/places/millbrook/decisions"
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert body["count"] == 50


def test_the_inputs_cost_the_same_queries_for_5_and_50(
    client_for: ClientFor, steward: User, resident: User, place: Place,
    django_assert_max_num_queries,
) -> None:  # fmt: skip
    decision = opened(place, steward)

    def make_rows(n: int) -> None:
        for i in range(n):
            item = services.input_give(decision=decision, by=resident, stance="concern", text="Hm")
            if i % 2:
                services.response_give(item=item, by=steward, disposition="answered", text="Ok")

    client = client_for(resident)
    url = f"/api/v1/places/millbrook/decisions/{decision.pk}/inputs"
    count = assert_constant_queries(client, url, make_rows, data={"limit": 100})
    with django_assert_max_num_queries(count):
        body = assert_conforms(client.get(url, {"limit": 100}))
    assert body["count"] == 50
