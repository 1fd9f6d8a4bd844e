"""Who may do what with a fund, one readable function per question, by round state.

Reading follows the place: anyone who can read a place reads its funds, rounds, ideas, comments,
ties and awards. Nobody reads anyone else's points while a round is open; once its result is
published, everyone reads the points each idea received (never one person's spread).

What a person may *do* depends on the round's state (:class:`RoundState`) and who they are:

============  ==================================================================================
state         who may do what
============  ==================================================================================
any           stewards open funds and add rounds
upcoming      (nothing yet: the round is announced)
ideas         members propose ideas; a proposer revises theirs; members join an idea as
              co-designers; members comment; members tie a declared interest to an idea
between       members comment and tie interests
allocating    the round's **allocators** (members when allocation opened, still members) spread
              points over ideas they are not tied to; members comment and tie interests
counting      (nothing: the result is being computed)
closed        stewards and an awarded idea's proposer link the learning cycle that follows it
============  ==================================================================================

``tests/governance/test_fund_rules.py`` checks these over anonymous, outsider, member, steward
and allocator, in every state, on a public and a members-only place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.timezone import localtime

from places.permissions import can_read_place, is_member, is_steward

from .fund_models import Allocator, Award, Fund, Idea, InterestTie, Round, RoundState, TieKind

_ALLOCATORS_ATTR = "_allocator_ids"
_TIES_ATTR = "_tied_idea_reasons"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- Cached facts about a round (one query each per round object) --------------------------------


def allocator_ids(round_: Round) -> set[int]:
    """The ids of the people in the round's fixed electorate (empty until it is fixed)."""
    if _ALLOCATORS_ATTR not in round_.__dict__:
        round_.__dict__[_ALLOCATORS_ATTR] = set(
            Allocator.objects.filter(round=round_).values_list("user_id", flat=True)
        )
    return round_.__dict__[_ALLOCATORS_ATTR]


def forget_round_caches(round_: Round) -> None:
    for attr in (_ALLOCATORS_ATTR, _TIES_ATTR, "_round_state_now"):
        round_.__dict__.pop(attr, None)


def tie_reasons(user: Any, round_: Round) -> dict[int, list[str]]:
    """For each idea of the round the person is tied to, why (in words for the person)."""
    if not _signed_in(user):
        return {}
    cache: dict[int, dict[int, list[str]]] = round_.__dict__.setdefault(_TIES_ATTR, {})
    if user.pk not in cache:
        reasons: dict[int, list[str]] = {}
        ties = InterestTie.objects.filter(idea__round=round_, user=user).select_related("interest")
        for tie in ties:
            reasons.setdefault(tie.idea_id, []).append(_why(tie))
        cache[user.pk] = reasons
    return cache[user.pk]


def _why(tie: InterestTie) -> str:
    if tie.kind == TieKind.PROPOSER:
        return "you proposed it"
    if tie.kind == TieKind.CODESIGNER:
        return "you co-design it"
    interest = tie.interest
    return (
        f"you tied your declared interest to it ({interest.description})"
        if interest
        else ("you tied a declared interest to it")
    )


# --- Reading --------------------------------------------------------------------------------------


def can_view_fund(user: Any, fund: Fund) -> bool:
    return can_read_place(user, fund.place)


def can_view_idea(user: Any, idea: Idea) -> bool:
    return can_read_place(user, idea.round.fund.place)


def can_see_points_totals(user: Any, round_: Round) -> bool:
    """The points each idea received: for everyone who can read the place, once published."""
    return round_.closed_at is not None and can_read_place(user, round_.fund.place)


def can_see_own_points(user: Any, round_: Round) -> bool:
    return _signed_in(user) and user.pk in allocator_ids(round_)


# --- Stewards -------------------------------------------------------------------------------------


def can_create_fund(user: Any, place: Any) -> bool:
    return is_steward(user, place)


def can_add_round(user: Any, fund: Fund) -> bool:
    return is_steward(user, fund.place)


# --- Ideas ----------------------------------------------------------------------------------------


def can_propose_idea(user: Any, round_: Round) -> bool:
    return round_.current_state == RoundState.IDEAS and is_member(user, round_.fund.place)


def is_proposer(user: Any, idea: Idea) -> bool:
    return _signed_in(user) and idea.proposer_id == user.pk


def can_revise_idea(user: Any, idea: Idea) -> bool:
    """Its proposer, while a member, until ideas close (and not while a steward hides it)."""
    return (
        idea.round.current_state == RoundState.IDEAS
        and not idea.is_hidden
        and is_proposer(user, idea)
        and is_member(user, idea.round.fund.place)
    )


def can_join_idea(user: Any, idea: Idea, *, codesigner_ids: set[int] | None = None) -> bool:
    """Members other than its proposer join as co-designers while ideas are open."""
    if idea.round.current_state != RoundState.IDEAS or idea.is_hidden:
        return False
    if not is_member(user, idea.round.fund.place) or is_proposer(user, idea):
        return False
    ids = (
        codesigner_ids
        if codesigner_ids is not None
        else set(idea.codesigners.values_list("user_id", flat=True))
    )
    return user.pk not in ids


_TALKING_STATES = (RoundState.IDEAS, RoundState.BETWEEN, RoundState.ALLOCATING)


def can_comment_on_idea(user: Any, idea: Idea) -> bool:
    """Members discuss an idea from when it is proposed until allocation closes."""
    return (
        idea.round.current_state in _TALKING_STATES
        and not idea.is_hidden
        and is_member(user, idea.round.fund.place)
    )


def can_tie_interest(user: Any, idea: Idea) -> bool:
    """Members tie one of their declared interests to an idea until allocation closes."""
    return idea.round.current_state in _TALKING_STATES and is_member(user, idea.round.fund.place)


# --- Points ---------------------------------------------------------------------------------------


def is_allocator(user: Any, round_: Round) -> bool:
    """In the round's fixed electorate, and still a member of the place."""
    return (
        _signed_in(user) and user.pk in allocator_ids(round_) and is_member(user, round_.fund.place)
    )


def can_allocate(user: Any, round_: Round) -> bool:
    return round_.current_state == RoundState.ALLOCATING and is_allocator(user, round_)


def why_not_allocate(user: Any, round_: Round) -> str:
    """Why this person cannot spread points in the round now, in words for them ("" if they can)."""
    state = round_.current_state
    if state in (RoundState.UPCOMING, RoundState.IDEAS, RoundState.BETWEEN):
        return f"Points open on {localtime(round_.allocation_opens_at):%-d %B %Y at %H:%M}."
    if state in (RoundState.COUNTING, RoundState.CLOSED):
        return "Allocation has closed, so points can no longer be placed or changed."
    if not _signed_in(user):
        return "Sign in to spread your points."
    if not is_member(user, round_.fund.place):
        return "Only members of this place can spread points."
    if user.pk not in allocator_ids(round_):
        return (
            "The members who may spread points were fixed when allocation opened, "
            f"on {localtime(round_.allocation_opens_at):%-d %B %Y}; you joined after that, so you "
            "cannot place points in this round. You can still comment on ideas."
        )
    return ""


def why_not_points_on(user: Any, idea: Idea) -> str:
    """Why this person may not put points on this idea ("" if they may)."""
    if idea.is_hidden:
        return "a steward has hidden it"
    reasons = tie_reasons(user, idea.round).get(idea.pk)
    return " and ".join(reasons) if reasons else ""


# --- Awards ---------------------------------------------------------------------------------------


def can_link_award_cycle(user: Any, award: Award) -> bool:
    """A steward, or the awarded idea's proposer (while a member), links the cycle that follows."""
    place = award.round.fund.place
    return award.pk in linkable_awards(user, place, [(award.pk, award.idea.proposer_id)])


def linkable_awards(user: Any, place: Any, awards: Iterable[tuple[int, int | None]]) -> set[int]:
    """Of a place's awards, given as (id, the awarded idea's proposer id), those whose learning
    cycle this person may link (:func:`can_link_award_cycle`), with no award row read."""
    if is_steward(user, place):
        return {pk for pk, _ in awards}
    if not (_signed_in(user) and is_member(user, place)):
        return set()
    return {pk for pk, proposer_id in awards if proposer_id == user.pk}
