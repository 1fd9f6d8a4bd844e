"""Permission-table rules for the community fund (merged into
``tests.harness.permissions_table``).

Every URL is checked on ``fund_markers`` in the members-only place, whose fund name and ideas
carry ``PRIVATE_MARKER``: outsiders and anonymous people must get 404 (or be sent to log in)
and never see the marker. The allocator role is the whole electorate of the cast's open round,
and proposed the idea of the round open for ideas (so it also stands for a proposer). The same
views on a public place, and every predicate in every round state, are checked in
``tests/governance/test_fund_rules.py``.

====================  ======  =========  =====================================================
URL name              read    write      why
====================  ======  =========  =====================================================
funds:list            member  —          a place's funds: anyone who can read the place
funds:create          steward steward    stewards open funds
funds:fund            member  —          the fund page: anyone who can read the place
funds:awards_csv      member  —          open data, as readable as the place
funds:awards_360      member  —          open data, as readable as the place
funds:round_create    steward steward    stewards add rounds
funds:idea_create     member  member     members propose while ideas are open
funds:idea            member  —          anyone who can read the place
funds:idea_edit       proposer proposer  its proposer, until ideas close
funds:idea_history    member  —          anyone who can read the place
funds:idea_comment    —       member     members comment until points close
funds:idea_join       —       member     members join as co-designers while ideas are open
funds:idea_tie        —       member     members tie a declared interest until points close
funds:allocate        member  allocator  members read why they may or may not; the fixed
                                         electorate places points
funds:award_cycle     steward steward    a steward (or the awarded idea's proposer) links the
                                         learning cycle that follows an award
====================  ======  =========  =====================================================
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from places.models import Interest, Membership
from tests.harness.permissions import Cast, RoleSpec, Rule

ROLES = [
    RoleSpec(
        "allocator",
        fixture="allocator",
        grants={"anyone", "signed_in", "member", "allocator", "proposer"},
    ),
]
MARKERS: dict[str, str] = {}
MARKER_FIXTURES = ["fund_markers"]


def _m(cast: Cast) -> Any:
    return cast.fixture("fund_markers")


def _place(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _fund(cast: Cast) -> dict[str, Any]:
    m = _m(cast)
    return {"slug": m.fund.place.slug, "fund_id": m.fund.pk}


def _ideas_round(cast: Cast) -> dict[str, Any]:
    m = _m(cast)
    return {**_fund(cast), "round_id": m.ideas_round.pk}


def _points_round(cast: Cast) -> dict[str, Any]:
    m = _m(cast)
    return {**_fund(cast), "round_id": m.points_round.pk}


def _open_idea(cast: Cast) -> dict[str, Any]:
    return {**_fund(cast), "idea_id": _m(cast).open_idea.pk}


def _award(cast: Cast) -> dict[str, Any]:
    return {**_fund(cast), "award_id": _m(cast).award.pk}


def _dates() -> dict[str, str]:
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "ideas_open_at": (now + timedelta(days=1)).strftime(fmt),
        "ideas_close_at": (now + timedelta(days=8)).strftime(fmt),
        "allocation_opens_at": (now + timedelta(days=8)).strftime(fmt),
        "allocation_closes_at": (now + timedelta(days=15)).strftime(fmt),
        "points_per_member": "100",
    }


def _fund_data(cast: Cast) -> dict[str, Any]:
    return {
        "name": "A second fund",
        "purpose": "More small sums.",
        "pot": "2,500.00",
        "funder_name": "Hollow Trust",
        "funder_org_id": "GB-CHC-1112223",
        **_dates(),
    }


def _round_data(cast: Cast) -> dict[str, Any]:
    return {"round_pot": "500", **_dates()}


def _idea_data(cast: Cast) -> dict[str, Any]:
    return {
        "title": "Repair café",
        "description": "Fix things together on Saturday mornings.",
        "amount": "250",
        "learning": "Whether fixing things together builds friendships.",
        "version": "",
    }


def _points_data(cast: Cast) -> dict[str, Any]:
    return {f"points-{_m(cast).points_idea.pk}": "10", "action": "save"}


def _tie_data(cast: Cast) -> dict[str, Any]:
    """One of the actor's own declared interests (made for members; others post a forged id)."""
    place = cast.fixture("private_place")
    actor = cast.actor
    if actor is not None and Membership.objects.filter(place=place, user=actor).exists():
        interest = Interest.objects.create(
            place=place, user=actor, kind="employment", description="Works for the library"
        )
        return {"interest": interest.pk}
    return {"interest": "999999"}


#: On the public place, what members read there anyone may read.
PUBLIC_READ = {"read": "anyone"}

RULES: dict[str, Rule] = {
    "funds:list": Rule(read="member", kwargs=_place, private=True, public=PUBLIC_READ),
    "funds:create": Rule(read="steward", write="steward", kwargs=_place, post_data=_fund_data),
    "funds:fund": Rule(read="member", kwargs=_fund, private=True, public=PUBLIC_READ),
    "funds:awards_csv": Rule(read="member", kwargs=_fund, private=True, public=PUBLIC_READ),
    "funds:awards_360": Rule(read="member", kwargs=_fund, private=True, public=PUBLIC_READ),
    "funds:round_create": Rule(
        read="steward", write="steward", kwargs=_fund, post_data=_round_data
    ),
    "funds:idea_create": Rule(
        read="member", write="member", kwargs=_ideas_round, post_data=_idea_data
    ),
    "funds:idea": Rule(read="member", kwargs=_open_idea, private=True, public=PUBLIC_READ),
    "funds:idea_edit": Rule(
        read="proposer",
        write="proposer",
        kwargs=_open_idea,
        post_data=_idea_data,
        note="its proposer only (the allocator proposed the cast's open idea)",
    ),
    "funds:idea_history": Rule(read="member", kwargs=_open_idea, private=True, public=PUBLIC_READ),
    "funds:idea_comment": Rule(
        read="nobody",
        write="member",
        kwargs=_open_idea,
        post_data=lambda cast: {"text": "Could it run on Saturdays too?"},
    ),
    "funds:idea_join": Rule(
        read="nobody",
        write="member",
        kwargs=_open_idea,
        note="its proposer is answered 409 (already shapes it), which counts as allowed",
    ),
    "funds:idea_tie": Rule(read="nobody", write="member", kwargs=_open_idea, post_data=_tie_data),
    "funds:allocate": Rule(
        read="member",
        write="allocator",
        kwargs=_points_round,
        post_data=_points_data,
        note="members who joined after points opened read why they cannot place points",
    ),
    "funds:award_cycle": Rule(
        read="steward",
        write="steward",
        kwargs=_award,
        post_data=lambda cast: {"cycle": ""},
        note="the awarded idea's proposer may too (the resident, not a role here)",
    ),
}

ADMIN_ROWS: dict[str, Any] = {
    "governance.fund": lambda cast: _m(cast).fund,
    "governance.idea": lambda cast: _m(cast).open_idea,
    "governance.ideacomment": lambda cast: _comment(cast),
    "governance.award": lambda cast: _m(cast).award,
    "governance.roundresult": lambda cast: _m(cast).closed_round.result,
}


def _comment(cast: Cast) -> Any:
    from governance.fund_models import IdeaComment

    m = _m(cast)
    return IdeaComment.objects.create(idea=m.open_idea, author=cast.fixture("member"), text="Yes!")
