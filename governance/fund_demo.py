"""Demo content for the community fund in Kirkby Vale (``manage.py seed_demo``).

One fund, the Kirkby Vale Community Fund, with a completed round (12 ideas, points from 20
members, awards published as a decision, the first awards followed by the demo's learning
cycles) and a second round open for ideas. Everything goes through ``governance.funds``, told
the moment each step happened, so the timeline reads as it would have. Idempotent: a place
that already has the fund is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from places.demo import DEMO_DOMAIN
from places.models import Interest, Membership, Place, Role
from relational.models import User

from . import funds
from .fund_models import Allocator, Award, Fund, Idea

FUND_NAME = "Kirkby Vale Community Fund"

PURPOSE = """\
Money for things people in Kirkby Vale want to try, to make the town a place where
nobody is left on their own. Ideas are proposed and shaped together, not bid against each
other; every member spreads points over the ideas they think will do most good and teach us
most, and the rule that turns points into awards is published before anyone places one.

Every funded idea says what we will learn from it, and is followed by a learning cycle so the
whole town can see what the money achieved.
"""

# (proposer, title, amount, organisation, what it would do, what we would learn, co-designers)
ROUND_ONE: list[tuple[str, str, str, str, str, str, list[str]]] = [
    ("shirley.barraclough", "Warm Wednesdays at the library", "1800", "",
     "Open the library's back room every Wednesday afternoon over the winter, heating on, "
     "kettle on, with a volunteer who knows everyone.",
     "Whether a warm room with a familiar face brings out people the services never see.",
     ["aisha.begum", "bernard.lowe"]),
    ("pete.gallagher", "Cook and eat at the food bank", "2400", "The Vale Food Bank",
     "Turn Friday food bank sessions into a shared meal cooked by the people who come, with "
     "a cook from the college helping.",
     "Whether eating together changes who comes back, and what they tell us.",
     ["fatima.ali"]),
    ("kelly.marsden", "After-school space at the youth hut", "3500",
     "Dale Youth Football Club",
     "Keep the youth hut open until seven on school days, with two paid youth workers.",
     "Whether having somewhere to go cuts the calls to the police about the park.",
     ["liam.oconnor"]),
    ("frontline", "Tea before the assessment", "900", "",
     "Pay for the tea, biscuits and room hire so social workers can meet families before "
     "any assessment starts.",
     "Whether families tell us more when they have met us first.", ["gemma.shaw"]),
    ("tom.fenwick", "Lift share to the hospital", "1200", "",
     "Fuel money and insurance for volunteer drivers taking people to appointments at "
     "Dalesbridge General.",
     "How many missed appointments a lift scheme prevents, and what it costs per trip.", []),
    ("aisha.begum", "Sewing circle at St Anne's", "650", "",
     "Machines, fabric and a room at St Anne's for a weekly sewing circle.",
     "Whether making things together helps women new to the town find friends.", []),
    ("gary.metcalfe", "Small repairs for older tenants", "2800", "",
     "A handyperson for small jobs older tenants never report: dripping taps, loose rails.",
     "Whether fixing small things early prevents falls and bigger repairs.", []),
    ("mohammed.iqbal", "Walking football for over-50s", "400", "",
     "Hire the astroturf on Sunday mornings and buy balls and bibs.",
     "Whether a weekly game keeps people active who would not join a gym.", []),
    ("sunita.patel", "Home from hospital welcome packs", "750", "",
     "A box of basics and a phone call the day after people come home from hospital alone.",
     "Whether a call on day one catches problems before they become readmissions.",
     ["frontline"]),
    ("bernard.lowe", "Men's shed in the old mill yard", "3200", "",
     "Tools, a container and insurance for a men's shed in the mill yard.",
     "Whether men who will not talk about how they feel will talk while they work.", []),
    ("fatima.ali", "English conversation café", "600", "",
     "Volunteers and refreshments for a weekly conversation café at the community centre.",
     "Whether practising English over tea helps people use services without an interpreter.",
     ["aisha.begum"]),
    ("callum.reid", "Free bus for the Thursday market", "1500", "",
     "A minibus loop from the estates to the Thursday market for three months.",
     "Whether the market bus brings isolated people into town, and who uses it.", []),
]  # fmt: skip

ROUND_TWO: list[tuple[str, str, str, str, str, str, list[str]]] = [
    ("kelly.marsden", "Holiday lunches at the youth hut", "2200", "",
     "Lunch and activities at the youth hut through the summer holidays.",
     "Whether children who get free school meals come, and what else they need.", []),
    ("susan.thornton", "Benches on the hill road", "1100", "",
     "Three benches on the steep road from the Moorside estate to the shops.",
     "Whether older residents walk into town more when they can rest on the way.", []),
    ("nadia.rahman", "Carers' evening out", "800", "",
     "A monthly evening out for unpaid carers, with sitters arranged for the people they "
     "look after.",
     "What carers say they need when they finally have an evening to think about it.", []),
]  # fmt: skip

# Comments on the completed round's ideas: (idea index, author, words).
COMMENTS = [
    (0, "callum.reid", "My nan would go to this. Could it start before Christmas?"),
    (0, "steward", "The community centre could lend chairs if the library is short."),
    (2, "imran.hussain", "Early help would send a worker along on Tuesdays if that helps."),
    (6, "andrew.pickering", "Vale Homes would want to know about the jobs: happy to talk."),
    (9, "kelly.marsden", "My dad would love this. Does it have to be just men?"),
]


def _person(name: str) -> User | None:
    if name == "callum.reid":
        name = "resident"
    return User.objects.filter(email=f"{name}@{DEMO_DOMAIN}").first()


def _fields(spec: tuple[str, str, str, str, str, str, list[str]], place: Place) -> Any:
    _who, title, amount, organisation, description, learning, _co = spec
    return funds.IdeaFields(
        title=title,
        description=description,
        amount=Decimal(amount),
        learning=learning,
        organisation_name=organisation,
        missions=list(place.missions.all()[:1]),
    )


def seed_fund(place: Place, result: Any) -> None:
    if Fund.objects.filter(place=place, name=FUND_NAME).exists():
        return
    steward = (
        Membership.objects.filter(place=place, role=Role.STEWARD)
        .order_by("joined_at")
        .select_related("user")
        .first()
    )
    if steward is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    rng = random.Random(20251125)

    # The fund and its first round: ideas from 80 to 45 days ago, points from 45 to 31.
    plan = funds.RoundPlan(
        pot=Decimal("12000.00"),
        ideas_open_at=now - timedelta(days=80),
        ideas_close_at=now - timedelta(days=45),
        allocation_opens_at=now - timedelta(days=45),
        allocation_closes_at=now - timedelta(days=31),
        points_per_member=100,
    )
    fund = Fund.objects.create(
        place=place,
        name=FUND_NAME,
        purpose=PURPOSE,
        pot=Decimal("25000.00"),
        funder_name="Kirkby Vale Community Foundation",
        funder_org_id="",
        created_by=steward.user,
        created_at=now - timedelta(days=82),
        updated_at=now - timedelta(days=82),
    )
    round_one = funds._round_insert(fund, steward.user, plan, number=1, now=fund.created_at)
    round_one.fund = fund
    ideas = _propose(round_one, ROUND_ONE, place, rng)
    for index, author, words in COMMENTS:
        person = _person(author)
        if person is not None and index < len(ideas):
            funds.idea_comment(
                idea=ideas[index], by=person, text=words,
                now=round_one.ideas_open_at + timedelta(days=10 + index),
            )  # fmt: skip
    _tie_interests(place, ideas, round_one)

    # The electorate: everyone who was a member when points opened (people who joined later
    # are not in it); twenty of them spread their points.
    opened = round_one.allocation_opens_at
    electorate = list(
        Membership.objects.filter(place=place, joined_at__lte=opened).values_list(
            "user_id", flat=True
        )
    )
    Allocator.objects.bulk_create(
        [Allocator(round=round_one, user_id=uid, fixed_at=opened) for uid in electorate],
        ignore_conflicts=True,
    )
    round_one.electorate_fixed_at = opened
    round_one.save(update_fields=["electorate_fixed_at"])
    voters = list(User.objects.filter(pk__in=electorate).order_by("pk"))
    rng.shuffle(voters)
    placed = 0
    for number, person in enumerate(voters):
        if placed == 20:
            break
        tied = set(
            Idea.objects.filter(round=round_one, ties__user=person).values_list("pk", flat=True)
        )
        choices = [i for i in ideas if i.pk not in tied]
        if len(choices) < 2:
            continue
        picked = rng.sample(choices, k=min(len(choices), rng.randint(2, 4)))
        weights = [rng.randint(1, 5) for _ in picked]
        shares = [100 * w // sum(weights) for w in weights]
        funds.points_spread(
            round_=round_one,
            by=person,
            points={idea.pk: share for idea, share in zip(picked, shares, strict=True) if share},
            now=opened + timedelta(days=1, hours=number * 7),
        )
        placed += 1
    funds.round_close(
        round_id=round_one.pk, now=round_one.allocation_closes_at + timedelta(minutes=5)
    )
    _follow_with_cycles(place, round_one)

    # The second round, open for ideas now.
    available = funds.fund_available(fund)
    round_two = funds._round_insert(
        fund,
        steward.user,
        funds.RoundPlan(
            pot=min(available, Decimal("10000.00")),
            ideas_open_at=now - timedelta(days=3),
            ideas_close_at=now + timedelta(days=18),
            allocation_opens_at=now + timedelta(days=18),
            allocation_closes_at=now + timedelta(days=25),
            points_per_member=100,
        ),
        number=2,
        now=now - timedelta(days=4),
    )
    round_two.fund = fund
    _propose(round_two, ROUND_TWO, place, rng)


def _propose(round_: Any, specs: list[Any], place: Place, rng: random.Random) -> list[Idea]:
    """The ideas, spread over the time ideas have been open, each with its co-designers."""
    latest = min(round_.ideas_close_at, timezone.now()) - timedelta(minutes=5)
    span = (latest - round_.ideas_open_at) / (len(specs) + 1)
    ideas = []
    for position, spec in enumerate(specs):
        proposer = _person(spec[0])
        if proposer is None:
            continue
        at = round_.ideas_open_at + span * (position + 1) - timedelta(hours=rng.randint(0, 3))
        idea = funds.idea_propose(round_=round_, by=proposer, data=_fields(spec, place), now=at)
        idea.round = round_
        for co in spec[6]:
            person = _person(co)
            if person is not None and person.pk != proposer.pk:
                joined = min(at + timedelta(days=2), latest)
                funds.idea_join(idea=idea, by=person, now=joined)
        ideas.append(idea)
    return ideas


def _tie_interests(place: Place, ideas: list[Idea], round_: Any) -> None:
    """Members whose declared interests touch an idea tie them to it, in the open."""
    ties = {
        "pete.gallagher": "Cook and eat at the food bank",
        "gary.metcalfe": "Small repairs for older tenants",
        "andrew.pickering": "Small repairs for older tenants",
    }
    by_title = {i.title: i for i in ideas}
    for name, title in ties.items():
        person, idea = _person(name), by_title.get(title)
        if person is None or idea is None:
            continue
        interest = Interest.objects.current().filter(place=place, user=person).first()
        if interest is None or idea.proposer_id == person.pk:
            continue
        funds.interest_tie(
            idea=idea, by=person, interest=interest,
            now=round_.ideas_close_at - timedelta(days=3),
        )  # fmt: skip


def _follow_with_cycles(place: Place, round_: Any) -> None:
    """The first awards are followed by the demo's learning cycles (when they exist)."""
    cycle_model = apps.get_model("learning", "LearningCycle")
    links = {
        "Tea before the assessment": "Tea before the assessment",
        "After-school space at the youth hut": "After-school space at the youth hut",
        "Home from hospital welcome packs": "Home from hospital by Friday",
        "Warm Wednesdays at the library": "Warm homes on the Moorside estate",
        "Cook and eat at the food bank": "Cooking together at St Anne's",
    }
    for award in Award.objects.filter(round=round_).select_related("idea"):
        title = links.get(award.idea.title)
        cycle = cycle_model.objects.filter(place=place, title=title).first() if title else None
        if cycle is not None and award.cycle_id is None:
            award.cycle = cycle
            award.save(update_fields=["cycle"])
