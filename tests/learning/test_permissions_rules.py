"""Who may do what with learning cycles, table-driven over anonymous, an outsider, a member,
the steward (a member who does not take part) and a participant, on a public place and on a
members-only one: first the rules in ``learning/permissions.py``, then the pages that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from learning import permissions as perms
from learning import services
from learning.models import Entry, LearningCycle

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "steward", "participant"]
EVERYONE = set(ROLES)
MEMBERS = {"member", "steward", "participant"}
PARTICIPANT = {"participant"}
STEWARD = {"steward"}
NOBODY: set[str] = set()

# rule → (who may on the public place, who may on the members-only place)
RULES: dict[str, tuple[Callable[[Any, LearningCycle], bool], set[str], set[str]]] = {
    "read the cycle": (perms.can_read_cycle, EVERYONE, MEMBERS),
    "start a cycle": (lambda u, c: perms.can_create_cycle(u, c.place), MEMBERS, MEMBERS),
    "log an entry": (perms.can_add_entry, PARTICIPANT, PARTICIPANT),
    "move it on": (perms.can_move_cycle, PARTICIPANT, PARTICIPANT),
    "reframe it": (perms.can_edit_cycle, PARTICIPANT, PARTICIPANT),
    "link another cycle": (perms.can_link_cycle, PARTICIPANT, PARTICIPANT),
    "ask to join": (perms.can_ask_to_join, {"member", "steward"}, {"member", "steward"}),
    "answer join requests": (perms.can_decide_join_requests, PARTICIPANT, PARTICIPANT),
    "define its measures": (
        lambda u, c: perms.can_define_measure(u, c.place, c),
        PARTICIPANT,
        PARTICIPANT,
    ),
    "define the place's measures": (
        lambda u, c: perms.can_define_measure(u, c.place),
        STEWARD,
        STEWARD,
    ),
    "extend the prompt questions": (
        lambda u, c: perms.can_manage_prompt_questions(u, c.place),
        STEWARD,
        STEWARD,
    ),
}


@pytest.fixture
def cast(request, learning_markers) -> dict[str, Any]:
    return {
        role: (None if role == "anonymous" else request.getfixturevalue(role)) for role in ROLES
    }


def _actor(person: Any) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return person if person is not None else AnonymousUser()


@pytest.mark.parametrize("where", ["public", "members-only"])
@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_for_each_person(rule: str, where: str, cast, cycle, private_cycle) -> None:
    check, public_allowed, private_allowed = RULES[rule]
    target = cycle if where == "public" else private_cycle
    allowed = public_allowed if where == "public" else private_allowed
    for role, person in cast.items():
        fresh = LearningCycle.objects.select_related("place").get(pk=target.pk)
        assert check(_actor(person), fresh) is (role in allowed), f"{role} / {rule} / {where}"


@pytest.mark.parametrize("where", ["public", "members-only"])
def test_entries_are_seen_by_their_own_visibility(where: str, cast, learning_markers) -> None:
    which = "public" if where == "public" else "private"
    readable = MEMBERS if where == "members-only" else EVERYONE
    audiences = {"public": readable, "members": MEMBERS, "participants": PARTICIPANT}
    for (cycle_name, visibility), entry in learning_markers.entries.items():
        if cycle_name != which:
            continue
        for role, person in cast.items():
            fresh = Entry.objects.select_related("cycle__place").get(pk=entry.pk)
            assert perms.can_see_entry(_actor(person), fresh) is (role in audiences[visibility]), (
                role,
                visibility,
                where,
            )


def test_nobody_adds_to_or_moves_a_closed_cycle(cast, cycle, participant) -> None:
    services.cycle_move(cycle=cycle, by=participant, to="stopped", reason="Paused by the board")
    cycle.refresh_from_db()
    for role, person in cast.items():
        for check in (
            perms.can_add_entry,
            perms.can_move_cycle,
            perms.can_edit_cycle,
            perms.can_ask_to_join,
        ):
            assert check(_actor(person), LearningCycle.objects.get(pk=cycle.pk)) is False, role
        assert perms.can_read_cycle(_actor(person), cycle) is True


def test_a_participant_who_leaves_the_place_loses_the_cycle_too(cycle, participant) -> None:
    cycle.place.memberships.filter(user=participant).delete()
    fresh = LearningCycle.objects.get(pk=cycle.pk)
    assert perms.is_participant(participant, fresh) is False
    assert perms.can_add_entry(participant, fresh) is False


# --- The pages: refused people get 404 where the thing is hidden from them, else 403 ----------


def _urls(cycle: LearningCycle, markers: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    slug, pk = cycle.place.slug, cycle.pk
    which = "public" if cycle.place.is_public else "private"
    return {
        "read the cycle": ("GET", reverse("learning:cycle", kwargs={"slug": slug, "pk": pk}), {}),
        "read the cycles": ("GET", reverse("learning:cycles", kwargs={"slug": slug}), {}),
        "read the measures": ("GET", reverse("learning:measures", kwargs={"slug": slug}), {}),
        "start a cycle": ("GET", reverse("learning:cycle_create", kwargs={"slug": slug}), {}),
        "log an entry": (
            "POST",
            reverse("learning:entry_new", kwargs={"slug": slug, "pk": pk}),
            {"kind": "reflection", "body": "Thinking aloud", "visibility": "members"},
        ),
        "move it on": ("GET", reverse("learning:cycle_move", kwargs={"slug": slug, "pk": pk}), {}),
        "reframe it": ("GET", reverse("learning:cycle_edit", kwargs={"slug": slug, "pk": pk}), {}),
        "define its measures": (
            "GET",
            reverse("learning:cycle_measure_new", kwargs={"slug": slug, "pk": pk}),
            {},
        ),  # fmt: skip
        "define the place's measures": (
            "GET",
            reverse("learning:measure_new", kwargs={"slug": slug}),
            {},
        ),
        "extend the prompt questions": (
            "GET",
            reverse("learning:prompt_questions", kwargs={"slug": slug}),
            {},
        ),
        "record a place reading": (
            "POST",
            reverse(
                "learning:reading_new", kwargs={"slug": slug, "pk": markers.measures[which].pk}
            ),
            {"value": "3", "date": "2026-01-02"},
        ),
    }


PAGE_ALLOWED = {
    "read the cycle": (EVERYONE, MEMBERS),
    "read the cycles": (EVERYONE, MEMBERS),
    "read the measures": (EVERYONE, MEMBERS),
    "start a cycle": (MEMBERS, MEMBERS),
    "log an entry": (PARTICIPANT, PARTICIPANT),
    "move it on": (PARTICIPANT, PARTICIPANT),
    "reframe it": (PARTICIPANT, PARTICIPANT),
    "define its measures": (PARTICIPANT, PARTICIPANT),
    "define the place's measures": (STEWARD, STEWARD),
    "extend the prompt questions": (STEWARD, STEWARD),
    "record a place reading": (MEMBERS, MEMBERS),
}


@pytest.mark.parametrize("where", ["public", "members-only"])
@pytest.mark.parametrize("action", list(PAGE_ALLOWED))
def test_each_page_for_each_person(
    action: str, where: str, cast, client_for, cycle, private_cycle, learning_markers
) -> None:
    target = cycle if where == "public" else private_cycle
    method, url, data = _urls(target, learning_markers)[action]
    allowed = PAGE_ALLOWED[action][0 if where == "public" else 1]
    for role, person in cast.items():
        client = client_for(person)
        response = client.get(url) if method == "GET" else client.post(url, data)
        status = response.status_code
        if role in allowed:
            assert status in (200, 302) and "/accounts/login/" not in response.get(
                "Location", ""
            ), (role, action, where, status)
        elif where == "members-only" and role in ("anonymous", "outsider"):
            # The place is hidden from them: never a 403 that says it exists.
            assert status == 404 or (
                role == "anonymous" and "/accounts/login/" in response.get("Location", "")
            ), (role, action, where, status)
        else:
            assert status in (403, 404) or (
                role == "anonymous" and "/accounts/login/" in response.get("Location", "")
            ), (role, action, where, status)
