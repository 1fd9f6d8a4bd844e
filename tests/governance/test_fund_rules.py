"""Every fund predicate, in every round state, over anonymous, outsider, member, steward and
allocator, on a public place and a members-only one (as adhocracy-plus tests its rules).

In each round the member proposed the idea, the allocator is the whole electorate (a member
when allocation opened), and in a closed round the member's idea was funded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from governance import fund_rules as rules
from governance import funds
from governance.fund_models import Award, RoundState
from places.models import Interest
from tests.governance.fund_cast import (
    close_round,
    fix_electorate,
    make_fund,
    make_idea,
    make_round,
)

ROLES = ("anonymous", "outsider", "member", "steward", "allocator")
MEMBERS = {"member", "steward", "allocator"}
TALKING = {RoundState.IDEAS, RoundState.BETWEEN, RoundState.ALLOCATING}

# predicate name → (state, role, public place) → expected answer
EXPECTED: dict[str, Callable[[str, str, bool], bool]] = {
    "view_fund": lambda s, r, public: public or r in MEMBERS,
    "view_idea": lambda s, r, public: public or r in MEMBERS,
    "create_fund": lambda s, r, public: r == "steward",
    "add_round": lambda s, r, public: r == "steward",
    "propose_idea": lambda s, r, public: s == RoundState.IDEAS and r in MEMBERS,
    "revise_idea": lambda s, r, public: s == RoundState.IDEAS and r == "member",
    "join_idea": lambda s, r, public: s == RoundState.IDEAS and r in {"steward", "allocator"},
    "comment": lambda s, r, public: s in TALKING and r in MEMBERS,
    "tie_interest": lambda s, r, public: s in TALKING and r in MEMBERS,
    "allocate": lambda s, r, public: s == RoundState.ALLOCATING and r == "allocator",
    "see_points_totals": lambda s, r, public: s == RoundState.CLOSED and (public or r in MEMBERS),
    "link_award_cycle": lambda s, r, public: s == RoundState.CLOSED and r in {"steward", "member"},
}


def _ask(name: str, user: Any, fund: Any, round_: Any, idea: Any, award: Any) -> bool:
    place = fund.place
    return {
        "view_fund": lambda: rules.can_view_fund(user, fund),
        "view_idea": lambda: rules.can_view_idea(user, idea),
        "create_fund": lambda: rules.can_create_fund(user, place),
        "add_round": lambda: rules.can_add_round(user, fund),
        "propose_idea": lambda: rules.can_propose_idea(user, round_),
        "revise_idea": lambda: rules.can_revise_idea(user, idea),
        "join_idea": lambda: rules.can_join_idea(user, idea),
        "comment": lambda: rules.can_comment_on_idea(user, idea),
        "tie_interest": lambda: rules.can_tie_interest(user, idea),
        "allocate": lambda: rules.can_allocate(user, round_),
        "see_points_totals": lambda: rules.can_see_points_totals(user, round_),
        "link_award_cycle": lambda: award is not None and rules.can_link_award_cycle(user, award),
    }[name]()


@pytest.mark.parametrize("public", [True, False], ids=["public", "members-only"])
@pytest.mark.parametrize("state", list(RoundState), ids=[s.value for s in RoundState])
def test_each_predicate_answers_each_role_as_the_table_says(
    request, state, public, place_people, outsider, allocator
) -> None:
    where = request.getfixturevalue("place" if public else "private_place")
    steward, member = place_people["steward"], place_people["member"]
    fund = make_fund(where, steward)
    build = RoundState.COUNTING if state == RoundState.CLOSED else state
    round_ = make_round(fund, build)
    idea = make_idea(round_, member)
    if state in (RoundState.ALLOCATING, RoundState.COUNTING, RoundState.CLOSED):
        fix_electorate(round_, [allocator])
    if state == RoundState.CLOSED:
        funds.points_spread(
            round_=round_,
            by=allocator,
            points={idea.pk: 10},
            now=round_.allocation_opens_at + timedelta(minutes=1),
        )
        close_round(round_)
    round_.refresh_from_db()
    round_.fund = fund
    idea.refresh_from_db()
    idea.round = round_
    assert round_.state() == state
    award = Award.objects.filter(idea=idea).first()
    if award is not None:
        award.round = round_
        award.idea = idea
    people = {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "steward": steward,
        "allocator": allocator,
    }
    wrong = []
    for name, expected in EXPECTED.items():
        for role, person in people.items():
            user = person or AnonymousUser()
            rules.forget_round_caches(round_)
            got = _ask(name, user, fund, round_, idea, award)
            want = expected(state, role, public)
            if got != want:
                wrong.append(f"{name} for {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_member_who_joined_after_points_opened_is_told_why_they_cannot_allocate(
    place, steward, member, allocator
) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.ALLOCATING)
    fix_electorate(round_, [allocator])
    why = rules.why_not_allocate(member, round_)
    assert "fixed when allocation opened" in why
    assert rules.why_not_allocate(allocator, round_) == ""


def test_the_reasons_a_person_cannot_put_points_on_an_idea_are_given_in_words(
    place, steward, member, resident
) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.IDEAS)
    idea = make_idea(round_, member)
    funds.idea_join(idea=idea, by=resident, now=round_.ideas_open_at)
    interest = Interest.objects.create(
        place=place, user=steward, kind="employment", description="Chairs the library trust"
    )
    funds.interest_tie(idea=idea, by=steward, interest=interest, now=round_.ideas_open_at)
    rules.forget_round_caches(round_)
    assert rules.why_not_points_on(member, idea) == "you proposed it"
    assert rules.why_not_points_on(resident, idea) == "you co-design it"
    assert "Chairs the library trust" in rules.why_not_points_on(steward, idea)
