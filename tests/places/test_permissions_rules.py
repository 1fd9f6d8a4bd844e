"""The rules in ``places.permissions`` over anonymous, a signed-in outsider, a member and a
steward, on a public place and on a members-only one; then the same people at the pages of
the public place (the URL permission test covers the members-only place)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from places import permissions
from places.models import Interest, JoinPolicy, Membership

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "outsider", "member", "steward"]


@pytest.fixture
def people(request: pytest.FixtureRequest, place, private_place) -> dict[str, Any]:
    found: dict[str, Any] = {"anonymous": AnonymousUser()}
    for name in PEOPLE[1:]:
        found[name] = request.getfixturevalue(name)
    return found


def allowed(*who: str) -> dict[str, bool]:
    return {name: name in who for name in PEOPLE}


# question → (public place, members-only place)
PLACE_RULES: dict[str, tuple[dict[str, bool], dict[str, bool]]] = {
    "can_read_place": (allowed(*PEOPLE), allowed("member", "steward")),
    "is_member": (allowed("member", "steward"), allowed("member", "steward")),
    "is_steward": (allowed("steward"), allowed("steward")),
    "can_manage_place": (allowed("steward"), allowed("steward")),
    "can_view_directory": (allowed(*PEOPLE), allowed("member", "steward")),
    "can_view_power_map": (allowed(*PEOPLE), allowed("member", "steward")),
    "can_invite": (allowed("steward"), allowed("steward")),
    "can_decide_join_requests": (allowed("steward"), allowed("steward")),
    "can_leave": (allowed("member", "steward"), allowed("member", "steward")),
    "can_declare": (allowed("member", "steward"), allowed("member", "steward")),
    # The public fixture place asks stewards to approve; the private one is by invitation.
    "can_request_to_join": (allowed("outsider"), allowed()),
    "can_join_directly": (allowed(), allowed()),
}


@pytest.mark.parametrize("question", PLACE_RULES)
@pytest.mark.parametrize("which", ["public", "private"])
def test_place_rules(question, which, people, place, private_place):
    target = place if which == "public" else private_place
    expected = PLACE_RULES[question][0 if which == "public" else 1]

    got = {name: getattr(permissions, question)(people[name], target) for name in PEOPLE}

    assert got == expected


def test_an_open_public_place_lets_outsiders_join_directly_and_nobody_else(people, place):
    place.join_policy = JoinPolicy.OPEN
    place.save()
    permissions.forget_membership(place)

    got = {name: permissions.can_join_directly(people[name], place) for name in PEOPLE}

    assert got == allowed("outsider")
    assert not permissions.can_request_to_join(people["outsider"], place)


def test_an_open_members_only_place_still_takes_nobody_directly(people, private_place):
    private_place.join_policy = JoinPolicy.OPEN
    private_place.save()

    assert not any(permissions.can_join_directly(people[n], private_place) for n in PEOPLE)


@pytest.mark.parametrize("which", ["public", "private"])
def test_membership_rules(which, people, place, private_place, resident):
    target = place if which == "public" else private_place
    theirs = Membership.objects.get(place=target, user=resident)
    own = Membership.objects.get(place=target, user=people["steward"])

    change = {n: permissions.can_change_role(people[n], theirs) for n in PEOPLE}
    remove = {n: permissions.can_remove_member(people[n], theirs) for n in PEOPLE}

    assert change == allowed("steward")
    assert remove == allowed("steward")
    assert not permissions.can_remove_member(people["steward"], own)  # leave instead


def test_only_the_declarer_changes_a_declaration(people, place):
    interest = Interest.objects.create(
        place=place, user=people["member"], kind="personal", description="x"
    )

    got = {n: permissions.can_change_declaration(people[n], interest) for n in PEOPLE}

    assert got == allowed("member")


def test_a_membership_is_looked_up_once_per_place_object(people, place, django_assert_num_queries):
    permissions.forget_membership(place)
    with django_assert_num_queries(1):
        for question in ("is_member", "is_steward", "can_read_place", "can_invite", "can_declare"):
            getattr(permissions, question)(people["member"], place)


# --- The same people at the public place's pages ---------------------------------------------

# name → (extra kwargs maker, GET status per person, POST status per person). POSTs carry no
# data, so an allowed POST is a 400 (the form's errors) or a redirect, never a 403/404/500.
LOGIN = "login"


def _page_cases(place, member_membership) -> dict[str, tuple[dict, dict[str, Any], dict[str, Any]]]:
    m = {"membership_id": member_membership.pk}
    return {
        "directory": ({}, dict.fromkeys(PEOPLE, 200), dict.fromkeys(PEOPLE, 405)),
        "power_map": ({}, dict.fromkeys(PEOPLE, 200), dict.fromkeys(PEOPLE, 405)),
        "member": (m, dict.fromkeys(PEOPLE, 200), dict.fromkeys(PEOPLE, 405)),
        "edit": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 400},
        ),
        "invite": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 400},
        ),
        "requests": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 200},
            {"anonymous": LOGIN, "outsider": 405, "member": 405, "steward": 405},
        ),
        "member_role": (
            m,
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 403, "steward": 400},
        ),
        "join": (
            {},
            {"anonymous": LOGIN, "outsider": 200, "member": 302, "steward": 302},
            {"anonymous": LOGIN, "outsider": 400, "member": 302, "steward": 302},
        ),
        "my_perspectives": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 200, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 400, "steward": 400},
        ),
        "interest_declare": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 200, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 400, "steward": 400},
        ),
        "power_declare": (
            {},
            {"anonymous": LOGIN, "outsider": 403, "member": 200, "steward": 200},
            {"anonymous": LOGIN, "outsider": 403, "member": 400, "steward": 400},
        ),
    }


CASES = [
    "directory", "power_map", "member", "edit", "invite", "requests", "member_role", "join",
    "my_perspectives", "interest_declare", "power_declare",
]  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_public_place_pages_answer_each_person_as_the_rules_say(
    name, people, place, member, client_for
):
    extra, gets, posts = _page_cases(place, Membership.objects.get(place=place, user=member))[name]
    path = reverse(f"places:{name}", kwargs={"slug": place.slug, **extra})
    problems = []
    for person in PEOPLE:
        client = client_for(None if person == "anonymous" else people[person])
        for method, expected in (("GET", gets[person]), ("POST", posts[person])):
            response = client.get(path) if method == "GET" else client.post(path, {})
            if expected == LOGIN:
                ok = response.status_code == 302 and response["Location"].startswith(
                    reverse("account_login")
                )
            else:
                ok = response.status_code == expected
            if not ok:
                problems.append(
                    f"{person} {method}: expected {expected}, got {response.status_code}"
                )
    assert not problems, "\n".join(problems)
