"""The community fund's cast: an allocator, and funds with a round in every state (loaded for
every test from ``tests/conftest.py``).

* ``allocator`` — Ada Allocator, a member (resident) of ``place`` and ``private_place``. In the
  cast's rounds she is the whole electorate: she was a member when allocation opened, while
  the steward, the member and the other people of the cast stand for members who joined after
  it opened (so they may read everything and comment, but not place points).
* ``fund_markers`` — in the members-only place, a fund whose name and ideas carry
  ``PRIVATE_MARKER``, with: round 1 closed (an idea by the resident funded, with its award
  and decision), round 2 open for points (electorate: the allocator) and round 3 open for
  ideas (an idea proposed by the allocator).

:func:`make_round` puts a round in any state by its dates; :func:`make_idea` proposes an idea
through the service at a moment when ideas are open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from governance import funds
from governance.fund_models import Allocator, Award, Fund, Idea, Round, RoundState
from places.models import Membership, Place, Role
from relational.models import User
from tests.factories import UserFactory
from tests.harness.permissions_table import PRIVATE_MARKER

DAY = timedelta(days=1)

#: Offsets from now of (ideas open, ideas close, allocation opens, allocation closes).
STATE_DATES: dict[str, tuple[timedelta, timedelta, timedelta, timedelta]] = {
    RoundState.UPCOMING: (DAY, 5 * DAY, 6 * DAY, 10 * DAY),
    RoundState.IDEAS: (-DAY, 5 * DAY, 6 * DAY, 10 * DAY),
    RoundState.BETWEEN: (-5 * DAY, -DAY, DAY, 5 * DAY),
    RoundState.ALLOCATING: (-10 * DAY, -5 * DAY, -DAY, 5 * DAY),
    RoundState.COUNTING: (-10 * DAY, -6 * DAY, -5 * DAY, -timedelta(hours=1)),
    RoundState.CLOSED: (-10 * DAY, -6 * DAY, -5 * DAY, -timedelta(hours=1)),
}


def make_fund(
    place: Place, steward: User, *, name: str = "Millbrook Community Fund",
    pot: Decimal = Decimal("10000.00"), funder_org_id: str = "GB-CHC-1234567",
) -> Fund:  # fmt: skip
    """A fund whose first round is open for ideas (made through the service)."""
    now = timezone.now()
    return funds.fund_create(
        place=place,
        by=steward,
        name=name,
        purpose="Small sums for things that bring neighbours together.",
        pot=pot,
        funder_name="Millbrook Community Trust",
        funder_org_id=funder_org_id,
        first_round=funds.RoundPlan(
            pot=pot,
            ideas_open_at=now - DAY,
            ideas_close_at=now + 5 * DAY,
            allocation_opens_at=now + 6 * DAY,
            allocation_closes_at=now + 10 * DAY,
            points_per_member=100,
        ),
    )


def make_round(
    fund: Fund,
    state: str,
    *,
    pot: Decimal | None = None,
    points: int = 100,
    number: int | None = None,
) -> Round:
    """A round of ``fund`` whose dates put it in ``state`` now (CLOSED is left COUNTING: close
    it with :func:`close_round`)."""
    now = timezone.now()
    offsets = STATE_DATES[state]
    if number is None:
        number = (fund.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    round_ = Round.objects.create(
        fund=fund,
        number=number,
        pot=pot or fund.pot,
        ideas_open_at=now + offsets[0],
        ideas_close_at=now + offsets[1],
        allocation_opens_at=now + offsets[2],
        allocation_closes_at=now + offsets[3],
        points_per_member=points,
    )
    round_.fund = fund
    return round_


def during_ideas(round_: Round) -> datetime:
    return round_.ideas_open_at + timedelta(minutes=1)


def during_allocation(round_: Round) -> datetime:
    return round_.allocation_opens_at + timedelta(minutes=1)


def make_idea(
    round_: Round,
    proposer: User,
    *,
    title: str = "Warm Wednesdays at the library",
    amount: Decimal | str = Decimal("1500.00"),
    organisation_name: str = "",
    organisation_org_id: str = "",
    at: datetime | None = None,
    cycle: Any = None,
) -> Idea:
    """An idea proposed through the service, at a moment when the round's ideas are open."""
    idea = funds.idea_propose(
        round_=round_,
        by=proposer,
        data=funds.IdeaFields(
            title=title,
            description="Open the library's back room with tea and the heating on.",
            amount=amount,
            learning="Whether a warm room brings out people we never see.",
            organisation_name=organisation_name,
            organisation_org_id=organisation_org_id,
            missions=list(round_.fund.place.missions.all()),
            cycle=cycle,
        ),
        now=at or during_ideas(round_),
    )
    idea.round = round_
    return idea


def fix_electorate(round_: Round, people: list[User]) -> None:
    """The electorate, fixed when allocation opened, is exactly ``people``."""
    when = during_allocation(round_)
    for person in people:
        Allocator.objects.get_or_create(round=round_, user=person, defaults={"fixed_at": when})
    Round.objects.filter(pk=round_.pk).update(electorate_fixed_at=when)
    round_.electorate_fixed_at = when


def give_points(round_: Round, person: User, spread: dict[Idea, int]) -> None:
    funds.points_spread(
        round_=round_,
        by=person,
        points={idea.pk: n for idea, n in spread.items()},
        now=during_allocation(round_),
    )


def close_round(round_: Round) -> Any:
    result = funds.round_close(
        round_id=round_.pk, now=round_.allocation_closes_at + timedelta(minutes=1)
    )
    round_.refresh_from_db()
    return result


def add_member(place: Place, name: str, role: str = Role.MEMBER) -> User:
    person = UserFactory(display_name=name)
    Membership.objects.create(place=place, user=person, perspectives=["resident"], role=role)
    return person


@pytest.fixture
def allocator(place: Place, private_place: Place) -> User:
    person = UserFactory(display_name="Ada Allocator")
    for where in (place, private_place):
        Membership.objects.create(place=where, user=person, perspectives=["resident"])
    return person


@dataclass
class FundMarkers:
    fund: Fund
    closed_round: Round
    points_round: Round
    ideas_round: Round
    funded_idea: Idea
    points_idea: Idea
    open_idea: Idea
    award: Award


def make_fund_markers(
    place: Place, place_people: dict[str, User], allocator: User, *, name: str, marker: str
) -> FundMarkers:
    """The cast's fund in ``place``, its ideas' titles ending with ``marker`` (the members-only
    marker in a members-only place; the URL permission test makes a public twin with none)."""
    steward, resident = place_people["steward"], place_people["resident"]
    fund = make_fund(place, steward, name=name)
    Round.objects.filter(fund=fund).delete()  # its rounds are made below, one per state
    closed = make_round(fund, RoundState.COUNTING, pot=Decimal("3000.00"), number=1)
    funded = make_idea(closed, resident, title=f"Lunch club {marker}".strip(),
                       amount="1200.00", organisation_name="Hollow Lunch Club",
                       organisation_org_id="GB-CHC-7654321")  # fmt: skip
    fix_electorate(closed, [allocator])
    give_points(closed, allocator, {funded: 60})
    close_round(closed)
    points = make_round(fund, RoundState.ALLOCATING, pot=Decimal("3000.00"), number=2)
    points_idea = make_idea(points, resident, title=f"Bus buddies {marker}".strip(), amount="800")
    fix_electorate(points, [allocator])
    ideas = make_round(fund, RoundState.IDEAS, pot=Decimal("3000.00"), number=3)
    open_idea = make_idea(ideas, allocator, title=f"Seed swap {marker}".strip(), amount="300")
    award = Award.objects.get(idea=funded)
    return FundMarkers(
        fund=fund,
        closed_round=closed,
        points_round=points,
        ideas_round=ideas,
        funded_idea=funded,
        points_idea=points_idea,
        open_idea=open_idea,
        award=award,
    )


@pytest.fixture
def fund_markers(
    private_place: Place, place_people: dict[str, User], allocator: User
) -> FundMarkers:
    return make_fund_markers(
        private_place, place_people, allocator, name=f"Hollow Fund {PRIVATE_MARKER}",
        marker=PRIVATE_MARKER,
    )  # fmt: skip
