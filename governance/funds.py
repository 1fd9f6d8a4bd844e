"""Operations on the community fund: every write of a fund, round, idea, point or award.

Each service is ``@transaction.atomic``, checks the round's state again under a row lock (the
page that sent the request may be stale: ideas close, allocation closes), writes the activity
row of what happened and any notifications in the same transaction, and refuses with a
:class:`FundError` carrying a message for the person, the form field it belongs to and the HTTP
status the view answers with (400 for bad input, 403 for someone who may not, 409 for a request
the round's state no longer allows).

The rule that turns points into awards is :data:`ALLOCATION_RULE` (shown on the fund page before
allocation opens) and :func:`rank_ideas` (which applies it); :func:`round_close` applies it once
per round, whoever calls it and however often: it locks the round's row, and a round whose
result exists is left alone (the result's primary key is the round, so a second result cannot
be written even by code that skipped the lock).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.timezone import localtime

from places.activity import activity_record
from places.models import Interest, Membership, Place
from places.notifications import notification_create
from places.templatetags.places_tags import pounds

from .fund_models import (
    MAX_POINTS_PER_MEMBER,
    MAX_POT,
    Allocator,
    Award,
    CoDesigner,
    Fund,
    Idea,
    IdeaComment,
    IdeaVersion,
    InterestTie,
    Points,
    Round,
    RoundResult,
    RoundState,
    TieKind,
)
from .fund_rules import forget_round_caches

#: Activity rows of the fund all have this kind (registered with the timeline and digests).
ACTIVITY_KIND = "fund"

#: How far ahead a round's dates may be set (anything later is almost certainly a slip).
FURTHEST_AHEAD = timedelta(days=3 * 366)

#: The published rule, in the words shown on every fund page before allocation opens.
ALLOCATION_RULE: tuple[str, ...] = (
    "When allocation closes, the ideas are put in order of the points they received, most first.",
    "If two ideas have the same points, the one proposed first comes first.",
    "Going down that list, each idea is funded in full if what is left of the round's pot "
    "covers the amount it asked for. If it does not, the idea is not funded and the next one "
    "is tried.",
    "Nobody gets part of what they asked for: an idea is funded in full or not at all.",
    "Ideas that received no points, and ideas a steward hid for breaking the house rules, are "
    "not funded.",
    "The result is computed once, by the platform, and published as a decision in the "
    "decision log, with the points each idea received.",
)

#: An org-id: a list code from org-id.guide (GB-CHC, GB-COH, GB-SC, XI-IATI…) and the
#: identifier from that list, or a 360Giving-prefixed identifier (360G-…).
ORG_ID = re.compile(r"^(?:[A-Z]{2}-[A-Z0-9]{2,12}|360G-[A-Za-z0-9_]+)-[A-Za-z0-9][A-Za-z0-9._/-]*$")
ORG_ID_HELP = (
    "Enter an org-id such as GB-CHC-1234567 for a registered charity or GB-COH-01234567 for a "
    "company (see org-id.guide), or leave it blank if the organisation has none."
)
PENNY = Decimal("0.01")


class FundError(Exception):
    """A refusal with a message for the person, the field it belongs to, and an HTTP status.

    ``fields`` holds further messages by field name (the allocation form has one per idea).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.fields = dict(fields or {})


# --- Shared checks (the forms use them too) -------------------------------------------------------


def parse_money(value: Any, *, field: str, what: str = "the amount") -> Decimal:
    """Pounds and pence as an exact ``Decimal``: "£1,250.50" → Decimal("1250.50")."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value or "").strip().replace(",", "").replace("£", "").replace(" ", "")
        if not text:
            raise FundError(f"Enter {what} in pounds, for example 1250 or 1250.50.", field=field)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise FundError(
                f"Enter {what} as a number of pounds, for example 1250 or 1250.50.", field=field
            ) from None
    if not amount.is_finite():
        raise FundError(f"Enter {what} as a number of pounds.", field=field)
    # The range first: quantizing a huge number ("1E26") overflows Decimal's precision.
    if amount <= 0:
        raise FundError(f"{what.capitalize()} must be more than £0.", field=field)
    if amount > MAX_POT:
        raise FundError(f"{what.capitalize()} must be {pounds(MAX_POT)} or less.", field=field)
    if amount != amount.quantize(PENNY, rounding=ROUND_HALF_UP):
        raise FundError(f"Enter {what} in pounds and pence, with at most two decimal places.",
                        field=field)  # fmt: skip
    return amount.quantize(PENNY)


def clean_org_id(value: str, *, field: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    candidate = text.upper() if not text.upper().startswith("360G-") else text
    # Scheme codes are upper case; the identifier part keeps its case.
    scheme_end = candidate.find("-", candidate.find("-") + 1)
    if scheme_end > 0 and not candidate.startswith("360G-"):
        candidate = candidate[:scheme_end].upper() + text[scheme_end:]
    if not ORG_ID.match(candidate) or len(candidate) > 100:
        raise FundError(ORG_ID_HELP, field=field)
    return candidate


def check_round_dates(
    *,
    ideas_open_at: datetime,
    ideas_close_at: datetime,
    allocation_opens_at: datetime,
    allocation_closes_at: datetime,
    now: datetime | None = None,
) -> None:
    """Ideas open < ideas close ≤ allocation opens < allocation closes; closing in the future."""
    now = now or timezone.now()
    if ideas_close_at <= ideas_open_at:
        raise FundError("Ideas must close after they open.", field="ideas_close_at")
    if allocation_opens_at < ideas_close_at:
        raise FundError(
            "Allocation cannot open before ideas close: people need to see every idea first.",
            field="allocation_opens_at",
        )
    if allocation_closes_at <= allocation_opens_at:
        raise FundError("Allocation must close after it opens.", field="allocation_closes_at")
    if allocation_closes_at <= now:
        raise FundError("Allocation must close in the future.", field="allocation_closes_at")
    if allocation_closes_at > now + FURTHEST_AHEAD:
        raise FundError(
            "That is more than three years ahead: check the year.", field="allocation_closes_at"
        )


def check_points_per_member(value: Any) -> int:
    try:
        points = int(value)
    except (TypeError, ValueError):
        raise FundError("Enter the points each member gets as a whole number.",
                        field="points_per_member") from None  # fmt: skip
    if not 1 <= points <= MAX_POINTS_PER_MEMBER:
        raise FundError(
            f"Give each member between 1 and {MAX_POINTS_PER_MEMBER} points.",
            field="points_per_member",
        )
    return points


# --- Small helpers --------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return (getattr(user, "display_name", "") or "A member") if user is not None else "Relational"


def _activity(
    place: Place, actor: Any, verb: str, summary: str, *, url: str, target: Any,
    when: datetime | None = None,
) -> None:  # fmt: skip
    """Write the timeline row, dated when it happened (a service told another moment, as the
    demo and tests do, dates its row then too)."""
    row = activity_record(
        place=place,
        actor=actor,
        kind=ACTIVITY_KIND,
        verb=verb,
        summary=summary,
        url=url,
        target=target,
    )
    if when is not None and abs(row.created_at - when) > timedelta(minutes=1):
        type(row).objects.filter(pk=row.pk).update(created_at=when)


def _require_member(place: Place, user: Any, what: str) -> None:
    if not Membership.objects.filter(place=place, user=user).exists():
        raise FundError(f"Only members of {place.name} can {what}.", status=403)


def _lock_round(round_: Round) -> Round:
    locked = (
        Round.objects.select_for_update(of=("self",))
        .select_related("fund__place")
        .get(pk=round_.pk)
    )
    forget_round_caches(round_)
    return locked


def _require_state(round_: Round, allowed: Iterable[RoundState], what: str, now: Any) -> None:
    state = round_.state(now)
    if state in allowed:
        return
    messages = {
        RoundState.UPCOMING: f"{round_.title} has not opened yet, so you cannot {what}.",
        RoundState.IDEAS: f"{round_.title} is still open for ideas, so you cannot {what} yet.",
        RoundState.BETWEEN: f"Ideas have closed in {round_.title}, so you cannot {what}.",
        RoundState.ALLOCATING: f"{round_.title} is open for points, so you cannot {what}.",
        RoundState.COUNTING: f"Allocation has closed in {round_.title}, so you cannot {what}.",
        RoundState.CLOSED: f"{round_.title} has closed, so you cannot {what}.",
    }
    raise FundError(messages[state], status=409)


def fund_awarded(fund: Fund) -> Decimal:
    return Award.objects.filter(round__fund=fund).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def round_awarded(round_: Round) -> Decimal:
    return Award.objects.filter(round=round_).aggregate(t=Sum("amount"))["t"] or Decimal("0")


# --- Funds and rounds -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPlan:
    """What a steward sets for a round."""

    pot: Decimal
    ideas_open_at: datetime
    ideas_close_at: datetime
    allocation_opens_at: datetime
    allocation_closes_at: datetime
    points_per_member: int = 100


def _check_plan(plan: RoundPlan, *, available: Decimal, now: datetime) -> None:
    check_round_dates(
        ideas_open_at=plan.ideas_open_at,
        ideas_close_at=plan.ideas_close_at,
        allocation_opens_at=plan.allocation_opens_at,
        allocation_closes_at=plan.allocation_closes_at,
        now=now,
    )
    check_points_per_member(plan.points_per_member)
    pot = parse_money(plan.pot, field="round_pot", what="the round's pot")
    if pot > available:
        raise FundError(
            f"The round's pot cannot be more than what is left in the fund ({pounds(available)}).",
            field="round_pot",
        )


@transaction.atomic
def fund_create(
    *,
    place: Place,
    by: Any,
    name: str,
    purpose: str,
    pot: Any,
    funder_name: str,
    funder_org_id: str = "",
    first_round: RoundPlan,
    now: datetime | None = None,
) -> Fund:
    """A steward opens a fund with its first round."""
    now = now or timezone.now()
    if not Membership.objects.filter(place=place, user=by, role="steward").exists():
        raise FundError("Only the stewards of this place can open a fund.", status=403)
    name, purpose, funder_name = name.strip(), purpose.strip(), funder_name.strip()
    if not name:
        raise FundError("Give the fund a name.", field="name")
    if not purpose:
        raise FundError("Say what the fund is for.", field="purpose")
    if not funder_name:
        raise FundError("Name the organisation the money comes from.", field="funder_name")
    amount = parse_money(pot, field="pot", what="the pot")
    org_id = clean_org_id(funder_org_id, field="funder_org_id")
    _check_plan(first_round, available=amount, now=now)
    fund = Fund.objects.create(
        place=place,
        name=name,
        purpose=purpose,
        pot=amount,
        funder_name=funder_name,
        funder_org_id=org_id,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    round_ = _round_insert(fund, by, first_round, number=1, now=now)
    _activity(
        place,
        by,
        "opened",
        f"{_name(by)} opened the fund “{fund.name}” with {pounds(amount)}; ideas open "
        f"{localtime(round_.ideas_open_at):%-d %B}",
        url=fund.get_absolute_url(),
        target=fund,
        when=now,
    )
    return fund


def _round_insert(fund: Fund, by: Any, plan: RoundPlan, *, number: int, now: datetime) -> Round:
    return Round.objects.create(
        fund=fund,
        number=number,
        pot=parse_money(plan.pot, field="round_pot", what="the round's pot"),
        ideas_open_at=plan.ideas_open_at,
        ideas_close_at=plan.ideas_close_at,
        allocation_opens_at=plan.allocation_opens_at,
        allocation_closes_at=plan.allocation_closes_at,
        points_per_member=check_points_per_member(plan.points_per_member),
        created_by=by,
        created_at=now,
    )


def fund_available(fund: Fund) -> Decimal:
    """What is left in the fund: its pot less everything awarded."""
    return fund.pot - fund_awarded(fund)


@transaction.atomic
def round_create(*, fund: Fund, by: Any, plan: RoundPlan, now: datetime | None = None) -> Round:
    """A steward adds a round to a fund (its pot at most what is left in the fund)."""
    now = now or timezone.now()
    locked = Fund.objects.select_for_update().select_related("place").get(pk=fund.pk)
    if not Membership.objects.filter(place=locked.place, user=by, role="steward").exists():
        raise FundError("Only the stewards of this place can add a round.", status=403)
    available = fund_available(locked)
    if available <= 0:
        raise FundError("Everything in this fund has been awarded, so it cannot have another "
                        "round.", status=409)  # fmt: skip
    _check_plan(plan, available=available, now=now)
    number = (locked.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    round_ = _round_insert(locked, by, plan, number=number, now=now)
    _activity(
        locked.place,
        by,
        "round_added",
        f"{_name(by)} added {round_.title} to “{locked.name}”: ideas open "
        f"{localtime(round_.ideas_open_at):%-d %B}, {pounds(round_.pot)} to allocate",
        url=round_.get_absolute_url(),
        target=locked,
        when=now,
    )
    return round_


# --- Ideas ----------------------------------------------------------------------------------------


@dataclass
class IdeaFields:
    """What a proposer writes (the idea form's cleaned data)."""

    title: str
    description: str
    amount: Any
    learning: str
    who: str = ""
    organisation_name: str = ""
    organisation_org_id: str = ""
    missions: list[Any] = field(default_factory=list)
    cycle: Any = None


def _clean_idea(round_: Round, data: IdeaFields) -> IdeaFields:
    place = round_.fund.place
    title = data.title.strip()
    if not title:
        raise FundError("Give the idea a short title.", field="title")
    description = data.description.strip()
    if not description:
        raise FundError("Say what the idea would do.", field="description")
    learning = data.learning.strip()
    if not learning:
        raise FundError("Say what we would learn from it.", field="learning")
    amount = parse_money(data.amount, field="amount", what="the amount asked")
    if amount > round_.pot:
        raise FundError(
            f"The amount asked cannot be more than the round's whole pot ({pounds(round_.pot)}).",
            field="amount",
        )
    organisation_name = data.organisation_name.strip()
    org_id = clean_org_id(data.organisation_org_id, field="organisation_org_id")
    if org_id and not organisation_name:
        raise FundError("Name the organisation this org-id belongs to.", field="organisation_name")
    missions = list(data.missions)
    if any(m.place_id != place.pk for m in missions):
        raise FundError("Choose missions of this place.", field="missions")
    cycle = data.cycle
    if cycle is not None and cycle.place_id != place.pk:
        raise FundError("Choose a learning cycle of this place.", field="cycle")
    return IdeaFields(
        title=title,
        description=description,
        amount=amount,
        learning=learning,
        who=data.who.strip(),
        organisation_name=organisation_name,
        organisation_org_id=org_id,
        missions=missions,
        cycle=cycle,
    )


def _snapshot(idea: Idea, data: IdeaFields, *, by: Any, note: str, now: datetime) -> IdeaVersion:
    return IdeaVersion.objects.create(
        idea=idea,
        number=idea.version,
        title=data.title,
        description=data.description,
        amount=data.amount,
        who=data.who,
        organisation_name=data.organisation_name,
        organisation_org_id=data.organisation_org_id,
        learning=data.learning,
        missions=[m.text for m in data.missions],
        cycle_title=data.cycle.title if data.cycle is not None else "",
        note=note[:300],
        edited_by=by,
        created_at=now,
    )


@transaction.atomic
def idea_propose(*, round_: Round, by: Any, data: IdeaFields, now: datetime | None = None) -> Idea:
    """A member proposes an idea while ideas are open; they are tied to it as its proposer."""
    now = now or timezone.now()
    locked = _lock_round(round_)
    place = locked.fund.place
    _require_member(place, by, "propose ideas")
    _require_state(locked, [RoundState.IDEAS], "propose an idea", now)
    clean = _clean_idea(locked, data)
    idea = Idea.objects.create(
        round=locked,
        proposer=by,
        title=clean.title,
        description=clean.description,
        amount=clean.amount,
        who=clean.who,
        organisation_name=clean.organisation_name,
        organisation_org_id=clean.organisation_org_id,
        learning=clean.learning,
        cycle=clean.cycle,
        created_at=now,
        updated_at=now,
    )
    idea.missions.set(clean.missions)
    _snapshot(idea, clean, by=by, note="First proposed", now=now)
    InterestTie.objects.create(idea=idea, user=by, kind=TieKind.PROPOSER, created_at=now)
    _activity(
        place,
        by,
        "proposed",
        f"{_name(by)} proposed “{idea.title}” ({pounds(idea.amount)}) for {locked.fund.name}",
        url=idea.get_absolute_url(),
        target=idea,
        when=now,
    )
    return idea


class StaleIdea(FundError):
    def __init__(self, current: Idea) -> None:
        super().__init__(
            "This idea changed while you were editing it, so your changes have not been saved. "
            "What you typed is still below: compare it with the idea, then save again.",
            status=409,
        )
        self.current = current


@transaction.atomic
def idea_revise(
    *,
    idea: Idea,
    by: Any,
    data: IdeaFields,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Idea:
    """Its proposer revises an idea until ideas close; every version is kept."""
    now = now or timezone.now()
    locked = (
        Idea.objects.select_for_update(of=("self",))
        .select_related("round__fund__place")
        .get(pk=idea.pk)
    )
    round_ = locked.round
    _require_member(round_.fund.place, by, "revise ideas")
    if locked.proposer_id != getattr(by, "pk", None):
        raise FundError("Only the person who proposed this idea can revise it.", status=403)
    if locked.is_hidden:
        raise FundError("A steward has hidden this idea, so it cannot be revised.", status=409)
    _require_state(round_, [RoundState.IDEAS], "revise an idea", now)
    if expected_version is not None and expected_version != locked.version:
        raise StaleIdea(locked)
    clean = _clean_idea(round_, data)
    locked.title = clean.title
    locked.description = clean.description
    locked.amount = clean.amount
    locked.who = clean.who
    locked.organisation_name = clean.organisation_name
    locked.organisation_org_id = clean.organisation_org_id
    locked.learning = clean.learning
    locked.cycle = clean.cycle
    locked.version += 1
    locked.updated_at = now
    locked.save()
    locked.missions.set(clean.missions)
    _snapshot(locked, clean, by=by, note=note.strip() or "Revised", now=now)
    _activity(
        round_.fund.place,
        by,
        "revised",
        f"{_name(by)} revised “{locked.title}” (version {locked.version})",
        url=locked.get_absolute_url(),
        target=locked,
        when=now,
    )
    return locked


def _idea_people(idea: Idea) -> set[int]:
    ids = set(idea.codesigners.values_list("user_id", flat=True))
    if idea.proposer_id:
        ids.add(idea.proposer_id)
    return ids


@transaction.atomic
def idea_comment(*, idea: Idea, by: Any, text: str, now: datetime | None = None) -> IdeaComment:
    """A member comments on an idea until allocation closes; its proposer and co-designers
    are told."""
    now = now or timezone.now()
    round_ = _lock_round(idea.round)
    place = round_.fund.place
    _require_member(place, by, "comment on ideas")
    _require_state(
        round_, [RoundState.IDEAS, RoundState.BETWEEN, RoundState.ALLOCATING], "comment", now
    )
    if idea.is_hidden:
        raise FundError("A steward has hidden this idea, so it cannot take comments.", status=409)
    words = (text or "").strip()
    if not words:
        raise FundError("Write your comment.", field="text")
    if len(words) > 3000:
        raise FundError("Keep your comment to 3,000 characters or fewer.", field="text")
    comment = IdeaComment.objects.create(idea=idea, author=by, text=words, created_at=now)
    url = comment.get_absolute_url()
    _activity(
        place,
        by,
        "commented",
        f"{_name(by)} commented on the idea “{idea.title}”",
        url=url,
        target=comment,
        when=now,
    )
    for user_id in _idea_people(idea) - {by.pk}:
        notification_create(
            recipient=_user(user_id),
            kind="fund_comment",
            text=f"{_name(by)} commented on “{idea.title}”",
            url=url,
            place=place,
            actor=by,
            key=f"fund-comment:{comment.pk}:{user_id}",
        )
    return comment


def _user(user_id: int) -> Any:
    from relational.models import User

    return User.objects.get(pk=user_id)


@transaction.atomic
def idea_join(*, idea: Idea, by: Any, now: datetime | None = None) -> CoDesigner:
    """A member joins an idea as a co-designer while ideas are open; they are tied to it."""
    now = now or timezone.now()
    round_ = _lock_round(idea.round)
    place = round_.fund.place
    _require_member(place, by, "co-design ideas")
    _require_state(round_, [RoundState.IDEAS], "join an idea", now)
    if idea.is_hidden:
        raise FundError("A steward has hidden this idea, so nobody can join it.", status=409)
    if idea.proposer_id == by.pk:
        raise FundError("You proposed this idea, so you already shape it.", status=409)
    if CoDesigner.objects.filter(idea=idea, user=by).exists():
        raise FundError("You already co-design this idea.", status=409)
    codesigner = CoDesigner.objects.create(idea=idea, user=by, joined_at=now)
    InterestTie.objects.get_or_create(
        idea=idea, user=by, kind=TieKind.CODESIGNER, defaults={"created_at": now}
    )
    _activity(
        place,
        by,
        "joined_idea",
        f"{_name(by)} joined “{idea.title}” as a co-designer",
        url=idea.get_absolute_url(),
        target=idea,
        when=now,
    )
    return codesigner


@transaction.atomic
def interest_tie(
    *, idea: Idea, by: Any, interest: Interest, now: datetime | None = None
) -> InterestTie:
    """A member ties one of their declared interests to an idea (shown to everyone); any points
    they had put on it are taken off, since they may no longer place them."""
    now = now or timezone.now()
    round_ = _lock_round(idea.round)
    place = round_.fund.place
    _require_member(place, by, "tie interests to ideas")
    _require_state(
        round_, [RoundState.IDEAS, RoundState.BETWEEN, RoundState.ALLOCATING],
        "tie an interest to an idea", now,
    )  # fmt: skip
    if interest.user_id != by.pk or interest.place_id != place.pk:
        raise FundError("Choose one of your own declared interests in this place.",
                        field="interest")  # fmt: skip
    if interest.withdrawn_at is not None:
        raise FundError("That interest has been withdrawn; choose a current one.",
                        field="interest")  # fmt: skip
    if InterestTie.objects.filter(idea=idea, interest=interest).exists():
        raise FundError("You have already tied that interest to this idea.", field="interest",
                        status=409)  # fmt: skip
    tie = InterestTie.objects.create(
        idea=idea, user=by, kind=TieKind.INTEREST, interest=interest, created_at=now
    )
    removed = Points.objects.filter(idea=idea, allocator__user=by).delete()[0]
    _activity(
        place,
        by,
        "tied_interest",
        f"{_name(by)} tied a declared interest to “{idea.title}” "
        f"({interest.get_kind_display().lower()}: {interest.description})",
        url=idea.get_absolute_url(),
        target=idea,
        when=now,
    )
    tie.points_removed = removed  # type: ignore[attr-defined]
    return tie


# --- Allocation -----------------------------------------------------------------------------------


@transaction.atomic
def round_fix_electorate(*, round_: Round, now: datetime | None = None) -> int:
    """Fix who may allocate: the place's members at this moment (once; later calls do nothing).

    Called by beat as soon as allocation opens, and by the allocation page if beat has not run
    yet. Returns how many members were added (0 when it was already fixed).
    """
    now = now or timezone.now()
    locked = _lock_round(round_)
    if locked.electorate_fixed_at is not None:
        return 0
    if locked.state(now) != RoundState.ALLOCATING:
        return 0  # not open yet; or closed, when the close counts whoever is a member then
    members = list(
        Membership.objects.filter(place=locked.fund.place).values_list("user_id", flat=True)
    )
    Allocator.objects.bulk_create(
        [Allocator(round=locked, user_id=uid, fixed_at=now) for uid in members],
        ignore_conflicts=True,
    )
    locked.electorate_fixed_at = now
    locked.save(update_fields=["electorate_fixed_at"])
    round_.electorate_fixed_at = now
    forget_round_caches(round_)
    ideas = locked.ideas.shown().count()
    _activity(
        locked.fund.place,
        None,
        "allocation_opened",
        f"Points are open in {locked.fund.name}, {locked.title}: {len(members)} members can "
        f"spread {locked.points_per_member} points each over {ideas} ideas",
        url=locked.get_absolute_url(),
        target=locked.fund,
        when=now,
    )
    return len(members)


@dataclass
class Spread:
    """A person's points in a round, as saved or as typed."""

    allowance: int
    points: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def left(self) -> int:
        return self.allowance - self.total

    @property
    def over(self) -> int:
        return max(0, self.total - self.allowance)


def spread_of(*, round_: Round, user: Any) -> Spread:
    """The points this person has placed in the round (only ever shown to them)."""
    rows = Points.objects.filter(allocator__round=round_, allocator__user=user).values_list(
        "idea_id", "points"
    )
    return Spread(allowance=round_.points_per_member, points=dict(rows))


def parse_spread(
    values: Mapping[str, Any], idea_ids: Iterable[int]
) -> tuple[dict[int, int], dict[str, str]]:
    """Read ``points-<idea id>`` fields: whole numbers from 0; returns points and field errors."""
    points: dict[int, int] = {}
    errors: dict[str, str] = {}
    for idea_id in idea_ids:
        name = f"points-{idea_id}"
        raw = str(values.get(name, "") or "").strip()
        if raw == "":
            continue
        try:
            number = int(raw)
        except ValueError:
            errors[name] = "Enter points as a whole number, such as 0, 5 or 20."
            continue
        if number < 0:
            errors[name] = "Points cannot be less than 0."
            continue
        if number > MAX_POINTS_PER_MEMBER:
            errors[name] = f"That is more points than anyone has ({number})."
            continue
        if number:
            points[idea_id] = number
    return points, errors


@transaction.atomic
def points_spread(
    *, round_: Round, by: Any, points: Mapping[int, int], now: datetime | None = None
) -> Spread:
    """Save a person's whole spread of points for the round (replacing what they had).

    Refused: outside allocation, for people outside the fixed electorate or no longer members,
    for ideas not in the round or hidden, for ideas the person is tied to, and for a total over
    the allowance. The round's row is locked (shared with other savers, exclusive against the
    close), so a spread is either counted in the result or refused as too late — never lost.
    """
    now = now or timezone.now()
    locked = (
        Round.objects.select_for_update(no_key=True, of=("self",))
        .select_related("fund__place")
        .get(pk=round_.pk)
    )
    forget_round_caches(round_)
    place = locked.fund.place
    _require_state(locked, [RoundState.ALLOCATING], "place or change points", now)
    allocator = (
        Allocator.objects.select_for_update().filter(round=locked, user=by).first()
        if getattr(by, "is_authenticated", False)
        else None
    )
    if allocator is None:
        raise FundError(
            "The members who may spread points were fixed when allocation opened; you were not "
            "one of them, so you cannot place points in this round.",
            status=403,
        )
    _require_member(place, by, "spread points")
    ideas = {
        i.pk: i for i in Idea.objects.filter(round=locked, pk__in=list(points)).only(
            "id", "title", "hidden_at", "round_id"
        )
    }  # fmt: skip
    errors: dict[str, str] = {}
    for idea_id, number in points.items():
        name = f"points-{idea_id}"
        if idea_id not in ideas:
            raise FundError("That idea is not part of this round.", status=400)
        if number < 0:
            errors[name] = "Points cannot be less than 0."
        elif ideas[idea_id].is_hidden and number:
            errors[name] = "A steward has hidden this idea, so it cannot take points."
    tied: dict[int, list[str]] = {}
    for tie in InterestTie.objects.filter(idea__in=list(ideas), user=by):
        tied.setdefault(tie.idea_id, []).append(tie.get_kind_display().lower())
    for idea_id, number in points.items():
        if number and idea_id in tied:
            errors[f"points-{idea_id}"] = (
                f"You cannot put points on “{ideas[idea_id].title}”: you are tied to it "
                f"({', '.join(tied[idea_id])})."
            )
    total = sum(n for n in points.values() if n > 0)
    if total > locked.points_per_member:
        raise FundError(
            f"You have placed {total} points, {total - locked.points_per_member} more than your "
            f"{locked.points_per_member}. Take some off and save again.",
            status=400,
            fields=errors,
        )
    if errors:
        first = next(iter(errors.values()))
        raise FundError(first, status=400, fields=errors)
    Points.objects.filter(allocator=allocator).delete()
    Points.objects.bulk_create(
        [
            Points(allocator=allocator, idea_id=idea_id, points=number, updated_at=now)
            for idea_id, number in points.items()
            if number > 0
        ]
    )
    first_time = allocator.first_placed_at is None and total > 0
    if first_time:
        allocator.first_placed_at = now
    allocator.updated_at = now
    allocator.save(update_fields=["first_placed_at", "updated_at"])
    if first_time:
        # Once per person: that they took part is public (they are listed as deciders of the
        # result); where their points went is not.
        _activity(
            place,
            by,
            "allocated",
            f"{_name(by)} spread their points in {locked.fund.name}, {locked.title}",
            url=locked.get_absolute_url(),
            target=locked.fund,
            when=now,
        )
    return Spread(
        allowance=locked.points_per_member,
        points={k: v for k, v in points.items() if v > 0},
    )


# --- The result -----------------------------------------------------------------------------------


@dataclass
class Ranked:
    idea: Idea
    points: int
    rank: int
    funded: bool
    why: str
    left_after: Decimal


def rank_ideas(
    ideas: Iterable[Idea], totals: Mapping[int, int], available: Decimal
) -> list[Ranked]:
    """Apply :data:`ALLOCATION_RULE`: most points first, ties to the idea proposed first, each
    funded in full if what is left covers it, otherwise skipped; no points, no award."""
    ordered = sorted(ideas, key=lambda i: (-totals.get(i.pk, 0), i.created_at, i.pk))
    left = available
    ranked = []
    for position, idea in enumerate(ordered, start=1):
        points = totals.get(idea.pk, 0)
        if points <= 0:
            funded, why = False, "Not funded: it received no points."
        elif idea.amount <= left:
            left -= idea.amount
            funded, why = True, f"Funded in full: {pounds(idea.amount)}."
        else:
            funded = False
            why = (
                f"Not funded: the {pounds(left)} left could not cover the "
                f"{pounds(idea.amount)} it asked for."
            )
        ranked.append(
            Ranked(idea=idea, points=points, rank=position, funded=funded, why=why, left_after=left)
        )
    return ranked


def _recipient(idea: Idea) -> tuple[str, str, bool]:
    if idea.organisation_name:
        return idea.organisation_name, idea.organisation_org_id, False
    return "Individual recipient", "", True


def round_close(*, round_id: int, now: datetime | None = None) -> RoundResult | None:
    """Compute and publish a round's result, once. Returns the result, or None when there was
    nothing to do (already closed by an earlier run, or not yet due).

    A second run at the same moment waits on the round's row lock, then finds the result and
    returns None; a run that somehow skipped the lock would fail on the result's primary key
    and roll back everything it wrote.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _close(round_id, now)
    except IntegrityError:
        if RoundResult.objects.filter(round_id=round_id).exists():
            return None  # another run won; what it wrote stands
        raise


def _close(round_id: int, now: datetime) -> RoundResult | None:
    from .services import decision_record_allocation

    locked = (
        Round.objects.select_for_update(of=("self",)).select_related("fund__place")
        .filter(pk=round_id).first()
    )  # fmt: skip
    if locked is None or locked.closed_at is not None:
        return None
    if now < locked.allocation_closes_at:
        return None
    if RoundResult.objects.filter(round=locked).exists():
        return None
    fund = Fund.objects.select_for_update().select_related("place").get(pk=locked.fund_id)
    place = fund.place
    if locked.electorate_fixed_at is None:
        # Beat never ran while allocation was open (the worker was down throughout): nobody
        # could place points, so the electorate is fixed now only to be counted.
        members = Membership.objects.filter(place=place).values_list("user_id", flat=True)
        Allocator.objects.bulk_create(
            [Allocator(round=locked, user_id=uid, fixed_at=now) for uid in members],
            ignore_conflicts=True,
        )
        locked.electorate_fixed_at = now

    ideas = list(locked.ideas.shown().in_proposal_order())
    totals = dict(
        Points.objects.filter(idea__in=[i.pk for i in ideas])
        .values_list("idea_id")
        .annotate(total=Sum("points"))
        .values_list("idea_id", "total")
    )
    available = min(locked.pot - round_awarded(locked), fund.pot - fund_awarded(fund))
    available = max(available, Decimal("0"))
    ranking = rank_ideas(ideas, totals, available)
    funded = [r for r in ranking if r.funded]
    awarded_total = sum((r.idea.amount for r in funded), Decimal("0"))
    electorate = Allocator.objects.filter(round=locked).count()
    took_part = list(
        Allocator.objects.filter(round=locked, first_placed_at__isnull=False, points__isnull=False)
        .distinct()
        .values_list("user_id", flat=True)
    )
    points_total = sum(totals.values())
    still_members = set(
        Membership.objects.filter(place=place, user_id__in=took_part).values_list(
            "user_id", flat=True
        )
    )
    from relational.models import User

    deciders = list(User.objects.filter(pk__in=still_members).order_by("pk"))

    title = f"{fund.name}, {locked.title}: how the money is shared"
    if funded:
        outcome = (
            f"{len(funded)} of {len(ideas)} ideas funded, {pounds(awarded_total)} in all: "
            + "; ".join(f"{r.idea.title} ({pounds(r.idea.amount)})" for r in funded)
            + "."
        )
    elif not ideas:
        outcome = "No ideas were proposed in this round, so nothing was awarded."
    else:
        outcome = "No idea was funded: " + (
            "nobody placed points." if points_total == 0 else "none fitted what was left."
        )
    reasoning = (
        "The platform applied the fund's published rule to the points members placed:\n\n"
        + "\n".join(f"- {line}" for line in ALLOCATION_RULE)
        + "\n\nThe ranking, with the points each idea received:\n\n"
        + "\n".join(
            f"{r.rank}. {r.idea.title}: {r.points} points, asked {pounds(r.idea.amount)}. {r.why}"
            for r in ranking
        )
    )
    method_result = (
        f"{len(ideas)} ideas; {len(took_part)} of {electorate} members allocated "
        f"{points_total:,} points; {len(funded)} funded "
        f"({pounds(awarded_total)} of {pounds(available)})"
    )
    options = [
        {
            "title": r.idea.title[:150],
            "description": f"Rank {r.rank}, {r.points} points, asked {pounds(r.idea.amount)}. "
            f"{r.why}",
            "pros": "",
            "cons": "",
        }
        for r in ranking
    ]
    decision = decision_record_allocation(
        place=place,
        title=title[:150],
        question=(
            f"How should the {pounds(available)} available in {locked.title} of "
            f"“{fund.name}” be shared among the ideas members proposed?"
        ),
        outcome=outcome[:5000],
        reasoning=reasoning[:10000],
        method_result=method_result[:300],
        deciders=deciders,
        decided_on=timezone.localdate(now),
        options=options,
        mandate=(
            f"{fund.funder_name} provides the money; the fund's rule was published on its page "
            "before allocation opened, and every member of the place when allocation opened "
            "could allocate."
        ),
    )
    awarded_on = timezone.localdate(now)
    for r in funded:
        name, org_id, individuals = _recipient(r.idea)
        Award.objects.create(
            round=locked,
            idea=r.idea,
            amount=r.idea.amount,
            recipient_name=name,
            recipient_org_id=org_id,
            to_individuals=individuals,
            awarded_on=awarded_on,
            rank=r.rank,
            points=r.points,
            decision=decision,
            cycle=r.idea.cycle,
            created_at=now,
        )
    result = RoundResult.objects.create(
        round=locked,
        computed_at=now,
        ranking=[
            {
                "idea": r.idea.pk,
                "title": r.idea.title,
                "amount": str(r.idea.amount),
                "points": r.points,
                "rank": r.rank,
                "funded": r.funded,
                "why": r.why,
            }
            for r in ranking
        ],
        allocators=len(took_part),
        electorate=electorate,
        points_total=points_total,
        awarded_total=awarded_total,
        decision=decision,
    )
    locked.closed_at = now
    locked.save(update_fields=["closed_at", "electorate_fixed_at"])
    _activity(
        place,
        None,
        "awarded",
        f"{fund.name}, {locked.title} closed: {len(funded)} "
        f"idea{'' if len(funded) == 1 else 's'} funded, "
        f"{pounds(awarded_total)} awarded",
        url=locked.get_absolute_url(),
        target=fund,
        when=now,
    )
    for r in funded:
        if r.idea.proposer_id:
            notification_create(
                recipient=_user(r.idea.proposer_id),
                kind="fund_result",
                text=f"“{r.idea.title}” is funded: {pounds(r.idea.amount)} from {fund.name}",
                url=r.idea.get_absolute_url(),
                place=place,
                key=f"fund-award:{r.idea.pk}",
            )
    return result


# --- After the award ------------------------------------------------------------------------------


@transaction.atomic
def award_link_cycle(*, award: Award, by: Any, cycle: Any) -> Award:
    """Link (or unlink, with None) the learning cycle that follows what was funded."""
    place = award.round.fund.place
    if cycle is not None and cycle.place_id != place.pk:
        raise FundError("Choose a learning cycle of this place.", field="cycle")
    award.cycle = cycle
    award.save(update_fields=["cycle"])
    if cycle is not None:
        _activity(
            place,
            by,
            "award_cycle",
            f"{_name(by)} linked the learning cycle “{cycle.title}” to the award for "
            f"“{award.idea.title}”",
            url=award.round.fund.get_absolute_url() + f"#award-{award.pk}",
            target=award.idea,
        )
    return award


# --- Beat -----------------------------------------------------------------------------------------


def rounds_due(now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Ids of rounds whose electorate is due to be fixed, and of rounds due to close."""
    now = now or timezone.now()
    return (
        list(Round.objects.due_to_fix_electorate(now).values_list("pk", flat=True)),
        list(Round.objects.due_to_close(now).values_list("pk", flat=True)),
    )
