"""How the community fund shows up in places, through ``places.registry``.

Registered from :meth:`governance.apps.GovernanceConfig.ready`:

* the "Community fund" panel on the place home;
* ideas and comments on ideas as flaggable content;
* the activity kind ``fund`` and its digest section (with rounds whose ideas or points close
  in the next fortnight as "coming up");
* the notification kinds people are told about;
* the demo seeder (one fund with a completed round and a round open for ideas);
* the person's data export, erasure and consent withdrawal for what they wrote in the fund.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpRequest

from places.models import Place
from places.registry import FlaggableKind, Registry

from .fund_models import (
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
)

ACTIVITY_KIND = "fund"
UPCOMING_DAYS = 14


def fund_panel_context(request: HttpRequest, place: Place) -> dict[str, Any] | None:
    """Two queries whatever the size of the place: the funds (with counts), and their rounds."""
    from places.parts import place_part

    from .fund_rules import can_create_fund

    # The same for every reader, so kept in the cache while the place is unchanged.
    funds = place_part(place, "fund-panel", lambda: _funds_with_latest_round(place))
    may_create = can_create_fund(request.user, place)
    if not funds and not may_create:
        return None
    for fund in funds:
        fund.place = place
    return {"funds": funds, "may_create": may_create}


def fund_panel_reader(request: HttpRequest, place: Place) -> bool:
    """All the panel shows that depends on the reader: the link to open a fund."""
    from .fund_rules import can_create_fund

    return can_create_fund(request.user, place)


#: What the panel shows of a fund's latest round: its number and the moments its state follows.
_ROUND_FIELDS = (
    "id",
    "number",
    "ideas_open_at",
    "ideas_close_at",
    "allocation_opens_at",
    "allocation_closes_at",
    "closed_at",
)
_ROUND_MOMENTS = _ROUND_FIELDS[2:]


def _funds_with_latest_round(place: Place) -> list[Fund]:
    """The three newest funds, each with its latest round, in one query (the latest round comes
    as JSON from a subquery): a place's home page reads a dozen things when none is kept."""
    latest = (
        Round.objects.filter(fund=OuterRef("pk"))
        .order_by("-number")
        .values(data=JSONObject(**{name: name for name in _ROUND_FIELDS}))[:1]
    )
    funds: list[Fund] = list(
        Fund.objects.for_place(place)
        .annotate(
            award_count=Count("rounds__awards", distinct=True),
            latest_round_data=Subquery(latest, output_field=JSONField()),
        )
        .order_by("-created_at", "-id")[:3]
    )
    for fund in funds:
        data = fund.latest_round_data  # type: ignore[attr-defined]
        fund.latest_round = None  # type: ignore[attr-defined]
        if data:
            for name in _ROUND_MOMENTS:
                data[name] = datetime.fromisoformat(data[name]) if data[name] else None
            fund.latest_round = Round(fund=fund, **data)  # type: ignore[attr-defined]
    return funds


class _Upcoming:
    def __init__(self, text: str, url: str, when: datetime) -> None:
        self.text, self.url, self.when = text, url, when


def closing_soon(place: Place, now: datetime) -> list[Any]:
    """Rounds whose ideas or points close in the next fortnight, for the digest."""
    soon = now + timedelta(days=UPCOMING_DAYS)
    rows = (
        Round.objects.filter(fund__place=place, closed_at__isnull=True)
        .filter(
            Q(ideas_close_at__gt=now, ideas_close_at__lte=soon, ideas_open_at__lte=now)
            | Q(allocation_closes_at__gt=now, allocation_closes_at__lte=soon)
        )
        .select_related("fund")
        .order_by("allocation_closes_at", "id")[:5]
    )
    items = []
    for round_ in rows:
        round_.fund.place = place
        url = f"{settings.SITE_URL}{round_.get_absolute_url()}"
        if round_.ideas_open_at <= now < round_.ideas_close_at:
            items.append(
                _Upcoming(
                    f"Ideas close in {round_.fund.name}, {round_.title}", url, round_.ideas_close_at
                )  # fmt: skip
            )
        elif round_.allocation_opens_at <= now < round_.allocation_closes_at:
            items.append(
                _Upcoming(
                    f"Points close in {round_.fund.name}, {round_.title}",
                    url,
                    round_.allocation_closes_at,
                )  # fmt: skip
            )
    return items


IDEA_FLAGGABLE = FlaggableKind(
    key="fund_idea",
    label="idea for the fund",
    model=Idea,
    author=lambda idea: idea.proposer,
    excerpt=lambda idea: idea.excerpt,
    place=lambda idea: idea.round.fund.place,
    place_lookup="round__fund__place",
)

COMMENT_FLAGGABLE = FlaggableKind(
    key="fund_comment",
    label="comment on an idea",
    model=IdeaComment,
    author=lambda comment: comment.author,
    excerpt=lambda comment: comment.excerpt,
    place=lambda comment: comment.idea.round.fund.place,
    place_lookup="idea__round__fund__place",
)


def export(user: Any) -> dict[str, Any]:
    """What the fund holds about a person (never anyone else's points)."""

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "ideas_proposed": [
            {
                "fund": i.round.fund.name,
                "round": i.round.number,
                "title": i.title,
                "description": i.description,
                "who": i.who,
                "learning": i.learning,
                "amount": str(i.amount),
                "created_at": when(i.created_at),
                "versions": [
                    {
                        "number": v.number,
                        "title": v.title,
                        "description": v.description,
                        "note": v.note,
                        "saved_at": when(v.created_at),
                    }
                    for v in i.versions.all()
                ],
            }
            for i in Idea.objects.filter(proposer=user)
            .select_related("round__fund")
            .prefetch_related("versions")
        ],
        "rounds_allocated_in": [
            {"fund": a.round.fund.name, "round": a.round.number, "fixed_at": when(a.fixed_at)}
            for a in Allocator.objects.filter(user=user).select_related("round__fund")
        ],
        "ideas_codesigned": [
            {"idea": c.idea.title, "joined_at": when(c.joined_at)}
            for c in CoDesigner.objects.filter(user=user).select_related("idea")
        ],
        "comments": [
            {"idea": c.idea.title, "text": c.text, "created_at": when(c.created_at)}
            for c in IdeaComment.objects.filter(author=user).select_related("idea")
        ],
        "ties": [
            {"idea": t.idea.title, "kind": t.kind, "interest_id": t.interest_id}
            for t in InterestTie.objects.filter(user=user).select_related("idea")
        ],
        "points": [
            {"idea": p.idea.title, "points": p.points, "updated_at": when(p.updated_at)}
            for p in Points.objects.filter(allocator__user=user).select_related("idea")
        ],
    }


WITHDRAWN = "[Withdrawn by the person who wrote it.]"


@transaction.atomic
def redact(user: Any, place: Any = None) -> None:
    """Consent withdrawn (in ``place``, or everywhere): the words of their comments, and of
    the ideas they proposed — what it would do, who would do it, what we would learn, in every
    version — are replaced with a note. An idea's title, amount and organisation stay: they are
    the record of what public money was asked for and given, which others allocated to."""
    ideas = Idea.objects.filter(proposer=user)
    comments = IdeaComment.objects.filter(author=user)
    if place is not None:
        ideas = ideas.filter(round__fund__place=place)
        comments = comments.filter(idea__round__fund__place=place)
    comments.update(text=WITHDRAWN)
    IdeaVersion.objects.filter(idea__in=ideas).update(
        description=WITHDRAWN, who="", learning=WITHDRAWN, note=""
    )
    ideas.update(description=WITHDRAWN, who="", learning=WITHDRAWN)


@transaction.atomic
def erase(user: Any) -> None:
    """Account erased: the person's ideas, comments, points and ties stay (ids only: the fund's
    record and its allocation must add up); their name and email address leave every text
    column of the fund's tables (an award to an individual, a comment naming them)."""
    from places.scrub import scrub_person

    scrub_person(user, FUND_MODELS)


#: The fund's tables (every one is scrubbed on erasure; those naming a person are accounted for
#: in the data handler's ``models``).
FUND_MODELS = (Fund, Round, Allocator, Idea, IdeaVersion, CoDesigner, IdeaComment, InterestTie,
               Points, RoundResult, Award)  # fmt: skip


def seed_demo(place: Place, result: Any) -> None:
    from places.registry import registry

    from .fund_demo import seed_fund

    # The awards are followed by the demo's learning cycles, so those come first (the learning
    # seeder is idempotent; registry order alone would run it after this one).
    learning = registry.demo_seeders.get("learning")
    if learning is not None:
        learning(place, result)
    seed_fund(place, result)


def register(registry: Registry) -> None:
    from places.notifications import register_kind

    registry.register_panel(
        "governance.funds",
        title="Community fund",
        template="governance/fund_panel.html",
        context=fund_panel_context,
        order=35,
        reader=fund_panel_reader,
    )
    registry.register_flaggable(IDEA_FLAGGABLE)
    registry.register_flaggable(COMMENT_FLAGGABLE)
    registry.register_activity_kind(ACTIVITY_KIND, "Community fund")
    registry.register_digest_section(
        "governance.funds",
        title="The community fund",
        activity_kinds=(ACTIVITY_KIND,),
        order=45,
        upcoming=closing_soon,
    )
    registry.register_demo_seeder("governance.funds", seed_demo)
    registry.register_data_handler(
        "governance.funds",
        export=export,
        erase=erase,
        redact=redact,
        models=(
            "governance.Fund", "governance.Round", "governance.Allocator", "governance.Idea",
            "governance.IdeaVersion", "governance.CoDesigner", "governance.IdeaComment",
            "governance.InterestTie",
        ),
    )  # fmt: skip
    register_kind("fund_comment", "Someone comments on an idea you proposed or co-design")
    register_kind("fund_result", "An idea you proposed is funded", email_default=True)
