"""The rules of governance/permissions.py, per status, over anonymous, outsider, member,
steward (the owner) and decider, on a public and a members-only place — table-driven, as in
adhocracy-plus's rules tests."""

from __future__ import annotations

from typing import Any

import pytest

from governance import permissions
from governance.models import Status
from places.permissions import forget_membership

from .cast import make_decision

ALL = {"anonymous", "outsider", "member", "steward", "decider"}
MEMBERS = {"member", "steward", "decider"}
PRE = {Status.DRAFT, Status.OPEN, Status.DECIDING}
STATES = [s.value for s in Status]


def _only(roles: set[str], states: set[str]) -> dict[str, set[str]]:
    return {s: (roles if s in states else set()) for s in STATES}


#: predicate → status → who may, on a public place. On a members-only place, the same minus
#: anonymous and outsider.
TABLE: dict[str, dict[str, set[str]]] = {
    "can_view_decision": {
        s: ({"steward", "decider"} if s == Status.DRAFT else ALL) for s in STATES
    },
    "can_view_history": {s: ({"steward", "decider"} if s == Status.DRAFT else ALL) for s in STATES},
    "can_edit_decision": _only({"steward"}, PRE),
    "can_change_evidence": _only({"steward"}, PRE),
    "can_hand_over": _only({"steward"}, set(STATES) - {Status.REVISED, Status.RESCINDED}),
    "can_open_for_input": _only({"steward"}, {Status.DRAFT}),
    "can_mark_decided": _only({"steward"}, {Status.OPEN, Status.DECIDING}),
    "can_start_review": _only({"steward"}, {Status.DECIDED}),
    "can_conclude_review": _only({"steward"}, {Status.UNDER_REVIEW}),
    "can_revise": _only({"steward"}, {Status.DECIDED, Status.UNDER_REVIEW}),
    "can_rescind": _only({"steward"}, set(STATES) - {Status.REVISED, Status.RESCINDED}),
    "can_redact": _only({"steward"}, set(STATES) - {Status.DRAFT}),
    "can_give_input": _only(MEMBERS, {Status.OPEN}),
    "can_respond": _only({"steward", "decider"}, {Status.OPEN, Status.DECIDING}),
    "can_state_interests": _only({"decider"}, PRE),
    # The decider speaks from the centre/policy perspective; nobody else in the cast does.
    "can_write_centre_view": _only({"decider"}, PRE),
    # The member has not objected, so only the decider may record dissent.
    "can_record_dissent": _only({"decider"}, {Status.OPEN, Status.DECIDING, Status.DECIDED}),
}


@pytest.fixture
def people(steward: Any, member: Any, decider: Any, outsider: Any) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "outsider": outsider,
        "member": member,
        "steward": steward,
        "decider": decider,
    }


@pytest.mark.parametrize("where", ["public", "members-only"])
@pytest.mark.parametrize("status", STATES)
def test_rules_per_status_and_role(
    status: str, where: str, place: Any, private_place: Any, people: dict[str, Any]
) -> None:
    target = place if where == "public" else private_place
    decision = make_decision(target, people["steward"], status=status, deciders=[people["decider"]])
    decision.refresh_from_db()
    forget_membership(decision.place)
    wrong = []
    for question, by_status in TABLE.items():
        allowed = set(by_status[status])
        if where == "members-only":
            allowed -= {"anonymous", "outsider"}
        check = getattr(permissions, question)
        for role, person in people.items():
            got = bool(check(person, decision))
            if got != (role in allowed):
                wrong.append(f"{question} for {role}: {got}, expected {role in allowed}")
    assert not wrong, f"{where} decision, {status}:\n  " + "\n  ".join(wrong)


def test_a_decider_handed_the_decision_becomes_its_owner(
    place: Any, steward: Any, decider: Any
) -> None:
    from governance import services

    decision = make_decision(place, steward, deciders=[decider])
    assert not permissions.can_mark_decided(decider, decision)
    decision = services.decision_hand_over(decision=decision, by=steward, to=decider)
    assert permissions.is_owner(decider, decision)
    assert permissions.can_mark_decided(decider, decision)
    assert permissions.can_edit_decision(decider, decision)


def test_a_member_who_objected_may_record_dissent(place: Any, steward: Any, member: Any) -> None:
    from governance import services

    decision = make_decision(place, steward)
    assert not permissions.can_record_dissent(member, decision)
    services.input_give(decision=decision, by=member, stance="objection", text="No.")
    assert permissions.can_record_dissent(member, decision)


def test_an_owner_who_left_the_place_loses_the_owner_rights(
    place: Any, steward: Any, decider: Any
) -> None:
    from governance import services
    from places.models import Membership

    decision = make_decision(place, steward, deciders=[decider])
    decision = services.decision_hand_over(decision=decision, by=steward, to=decider)
    Membership.objects.filter(place=place, user=decider).delete()
    forget_membership(place)
    assert not permissions.is_owner(decider, decision)
    assert not permissions.can_edit_decision(decider, decision)


def test_nobody_edits_a_decision_the_platform_recorded(
    place: Any, steward: Any, member: Any
) -> None:
    from governance import services

    decision = services.decision_record_allocation(
        place=place,
        title="Round 1 awards",
        question="Which ideas does the fund back?",
        outcome="Five ideas funded.",
        reasoning="Points in order; the pot ran out at six.",
        method_result="20 members allocated 2,000 points",
        deciders=[member],
    )
    for question in (
        "can_edit_decision",
        "can_rescind",
        "can_revise",
        "can_hand_over",
        "can_start_review",
        "can_respond",
    ):
        assert not getattr(permissions, question)(steward, decision), question
    assert permissions.can_view_decision(member, decision)
