"""The fund's pages cost the same number of queries with 5 ideas as with 50."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from governance import funds
from governance.fund_models import Award, CoDesigner, Idea, IdeaComment, RoundResult, RoundState
from learning import services as learning
from tests.governance.fund_cast import (
    close_round,
    fix_electorate,
    make_fund,
    make_idea,
    make_round,
)
from tests.harness.queries import assert_constant_queries
from tests.learning.cast import make_cycle


def _ideas(round_, people, n: int, start: int) -> list[Idea]:
    made = []
    for i in range(start, start + n):
        idea = make_idea(round_, people[i % len(people)], title=f"Idea {i}", amount="10")
        IdeaComment.objects.create(idea=idea, author=people[0], text=f"Comment {i}")
        CoDesigner.objects.create(idea=idea, user=people[(i + 1) % len(people)])
        made.append(idea)
    return made


def test_the_fund_page_costs_the_same_with_5_and_50_open_ideas(
    client_for, place, steward, member, resident
) -> None:
    fund = make_fund(place, steward, pot=Decimal("100000.00"))
    round_ = fund.rounds.get()
    round_.fund = fund
    people = [steward, member, resident]
    made: list[int] = [0]

    def more(n: int) -> None:
        _ideas(round_, people, n, made[0])
        made[0] += n

    count = assert_constant_queries(client_for(member), fund.get_absolute_url(), more)
    assert count < 25


def test_the_fund_page_costs_the_same_with_5_and_50_awards_and_their_learning(
    anonymous, place, steward, member, resident, allocator, participant
) -> None:
    fund = make_fund(place, steward, pot=Decimal("100000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("100000.00"))
    fix_electorate(round_, [allocator])
    close_round(round_)  # no ideas yet: a result and its decision to hang awards on
    result = RoundResult.objects.get(round=round_)
    people = [steward, member, resident]
    made: list[int] = [0]

    def more(n: int) -> None:
        ideas = []
        for i in range(made[0], made[0] + n):
            idea = Idea.objects.create(
                round=round_, proposer=people[i % 3], title=f"Funded {i}", description="x",
                amount=Decimal("10.00"), learning="y",
            )  # fmt: skip
            cycle = make_cycle(place, participant, title=f"Following {i}")
            learning.entry_create(
                cycle=cycle, author=participant, kind="reflection", body=f"Reflection {i}",
                visibility="public",
            )  # fmt: skip
            Award.objects.create(
                round=round_, idea=idea, amount=idea.amount, recipient_name="A group",
                awarded_on=timezone.localdate(), rank=i + 1, points=1,
                decision=result.decision, cycle=cycle,
            )  # fmt: skip
            ideas.append(idea)
            result.ranking.append(
                {"idea": idea.pk, "title": idea.title, "amount": "10.00", "points": 1,
                 "rank": i + 1, "funded": True, "why": "Funded in full: £10."}
            )  # fmt: skip
        result.save()
        made[0] += n

    assert_constant_queries(anonymous, fund.get_absolute_url(), more)


def test_the_allocation_page_costs_the_same_with_5_and_50_ideas(
    client_for, place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("100000.00"))
    round_ = make_round(fund, RoundState.ALLOCATING, pot=Decimal("100000.00"), points=1000)
    fix_electorate(round_, [allocator])
    people = [steward, member, resident, allocator]
    made: list[int] = [0]

    def more(n: int) -> None:
        at = round_.ideas_open_at
        ideas = [
            make_idea(round_, people[i % 4], title=f"Idea {i}", amount="10", at=at)
            for i in range(made[0], made[0] + n)
        ]
        made[0] += n
        spread = funds.spread_of(round_=round_, user=allocator).points
        spread.update({i.pk: 1 for i in ideas if i.proposer_id != allocator.pk})
        funds.points_spread(
            round_=round_, by=allocator, points=spread, now=round_.allocation_opens_at
        )

    url = reverse(
        "funds:allocate", kwargs={"slug": place.slug, "fund_id": fund.pk, "round_id": round_.pk}
    )
    assert_constant_queries(client_for(allocator), url, more)


def test_an_idea_page_costs_the_same_with_5_and_50_comments(
    anonymous, place, steward, member
) -> None:
    fund = make_fund(place, steward)
    round_ = fund.rounds.get()
    round_.fund = fund
    idea = make_idea(round_, member)

    def more(n: int) -> None:
        for i in range(n):
            IdeaComment.objects.create(idea=idea, author=steward, text=f"Comment {i}")

    assert_constant_queries(anonymous, idea.get_absolute_url(), more)
