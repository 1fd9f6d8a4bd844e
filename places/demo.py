"""Demo data: a believable fictional place for newcomers to explore (``manage.py seed_demo``).

Idempotent: running it again finds what is there and adds only what is missing. Later apps add
their own demo content through ``places.registry``'s demo seeders (they run after the place
exists). All demo accounts share one password, which is why the command refuses to run with
``DEBUG`` off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from relational.models import User

from .activity import activity_record
from .models import (
    DEFAULT_HOUSE_RULES,
    Activity,
    Interest,
    JoinPolicy,
    Membership,
    Mission,
    Perspective,
    Place,
    PlaceVisibility,
    Power,
    Role,
)

DEMO_PASSWORD = "relational-demo"
DEMO_DOMAIN = "demo.relational.local"


@dataclass
class DemoResult:
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, what they are)
    created: int = 0


def demo_user(email_name: str, display_name: str, result: DemoResult, note: str = "") -> User:
    """Find or create a verified demo account."""
    email = f"{email_name}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=display_name
        )
        result.created += 1
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if note:
        result.accounts.append((email, note))
    return user


@transaction.atomic
def seed_demo() -> DemoResult:
    result = DemoResult()
    demo_user("admin", "Site administrator", result, "site administrator (Django admin)")
    User.objects.filter(email=f"admin@{DEMO_DOMAIN}").update(is_staff=True, is_superuser=True)
    place = seed_demo_place(result)
    from .registry import registry

    registry.run_demo_seeders(place, result)
    return result


# --- The demo place: Kirkby Vale, a fictional market town ----------------------------------------

DEMO_PLACE_SLUG = "kirkby-vale"

DEMO_MISSIONS = [
    "To have a safe, warm home, and people nearby who look out for us",
    "For our children to grow up healthy, with somewhere to go and someone to talk to",
]

DEMO_DESCRIPTION = """\
Kirkby Vale is a market town of about 30,000 people at the head of the dale. The mill closed
in 2009; the bus to the hospital runs every two hours; the community centre on Station Road is
open six days a week.

This is where the people who make the town's public services work meet in the open:
residents, the practitioners who knock on doors, their managers, the council and the NHS
commissioners, the voluntary groups, our councillors, and people from Whitehall who want to
learn from us rather than ask us for another report.

**How we work**

- We start from what people's lives are like, not from the services we happen to run.
- We try things in small steps, write down what happened, and change course together.
- Decisions are taken here, in the open, with the reasons written down.
"""

# (email name, display name, perspectives, role, note for result.accounts or "")
DEMO_PEOPLE: list[tuple[str, str, list[str], str, str]] = [
    ("steward", "Joanne Whitfield", ["vcs", "resident"], Role.STEWARD,
     "steward of Kirkby Vale (runs the community centre)"),
    ("resident", "Callum Reid", ["resident"], Role.MEMBER, "resident of Kirkby Vale"),
    ("frontline", "Priya Nair", ["frontline"], Role.MEMBER,
     "frontline practitioner (social worker)"),
    ("commissioner", "Martin Ashworth", ["commissioner"], Role.MEMBER,
     "commissioner holding a £1.2m budget"),
    ("centre", "Helen Okafor", ["centre"], Role.MEMBER,
     "from the centre (national policy)"),
    ("shirley.barraclough", "Shirley Barraclough", ["resident"], Role.MEMBER, ""),
    ("darren.holt", "Darren Holt", ["resident"], Role.MEMBER, ""),
    ("aisha.begum", "Aisha Begum", ["resident"], Role.MEMBER, ""),
    ("tom.fenwick", "Tom Fenwick", ["resident"], Role.MEMBER, ""),
    ("kelly.marsden", "Kelly Marsden", ["resident"], Role.MEMBER, ""),
    ("bernard.lowe", "Bernard Lowe", ["resident"], Role.MEMBER, ""),
    ("mohammed.iqbal", "Mohammed Iqbal", ["resident"], Role.MEMBER, ""),
    ("gemma.shaw", "Gemma Shaw", ["frontline"], Role.MEMBER, ""),
    ("liam.oconnor", "Liam O'Connor", ["frontline", "resident"], Role.MEMBER, ""),
    ("sunita.patel", "Sunita Patel", ["frontline"], Role.MEMBER, ""),
    ("rachel.dunn", "Rachel Dunn", ["manager"], Role.STEWARD, ""),
    ("imran.hussain", "Imran Hussain", ["manager"], Role.MEMBER, ""),
    ("catherine.bell", "Catherine Bell", ["senior_leader"], Role.MEMBER, ""),
    ("andrew.pickering", "Andrew Pickering", ["senior_leader"], Role.MEMBER, ""),
    ("nadia.rahman", "Nadia Rahman", ["commissioner"], Role.MEMBER, ""),
    ("james.whitaker", "James Whitaker", ["centre"], Role.MEMBER, ""),
    ("pete.gallagher", "Pete Gallagher", ["vcs"], Role.MEMBER, ""),
    ("fatima.ali", "Fatima Ali", ["vcs"], Role.MEMBER, ""),
    ("susan.thornton", "Cllr Susan Thornton", ["elected_member", "resident"], Role.MEMBER, ""),
    ("gary.metcalfe", "Cllr Gary Metcalfe", ["elected_member"], Role.MEMBER, ""),
]  # fmt: skip

# (email name, kind, description, since (y, m, d) or None, withdrawn days ago or None)
DEMO_INTERESTS: list[tuple[str, str, str, tuple[int, int, int] | None, int | None]] = [
    ("commissioner", "employment",
     "Employed by Kirkby Vale Council as head of commissioning for adults and communities",
     (2019, 4, 1), None),
    ("nadia.rahman", "employment",
     "Employed by North Dales Integrated Care Board as a health inequalities commissioner",
     (2022, 7, 1), None),
    ("steward", "funding",
     "Kirkby Vale Community Centre, which I manage, gets £45,000 a year from the council's "
     "community wellbeing grant", (2021, 4, 1), None),
    ("pete.gallagher", "funding",
     "The Vale Food Bank, where I volunteer as coordinator, had a £6,000 grant from the ICB "
     "this year", (2024, 1, 15), None),
    ("andrew.pickering", "employment",
     "Chief executive of Vale Homes, the housing association that owns most social homes in "
     "the town", (2017, 9, 1), None),
    ("catherine.bell", "employment",
     "Director of adult social care at Kirkby Vale Council", (2020, 2, 1), None),
    ("imran.hussain", "employment",
     "Early help service manager at Kirkby Vale Council", (2018, 6, 1), None),
    ("susan.thornton", "personal",
     "My daughter works in the council's early help team", None, None),
    ("gary.metcalfe", "business",
     "I own Metcalfe Builders, which has done repair work for Vale Homes", (2012, 1, 1), None),
    ("darren.holt", "business",
     "I ran the Market Street café, which bid to supply the lunch club", (2022, 3, 1), 60),
    ("frontline", "employment",
     "Employed by Kirkby Vale Council as a social worker in the adults team", (2016, 9, 1),
     None),
]  # fmt: skip

# (email name, kind, description, amount in pounds or None)
DEMO_POWERS: list[tuple[str, str, str, str | None]] = [
    ("commissioner", "budget",
     "Community-based adult social care prevention budget for the Vale", "1200000"),
    ("nadia.rahman", "budget", "ICB health inequalities fund for the Vale", "350000"),
    ("catherine.bell", "duty",
     "Duty under the Care Act 2014 to assess and meet the eligible care needs of adults in "
     "Kirkby Vale", None),
    ("imran.hussain", "duty",
     "Duty to provide early help to children and families under the Children Act 2004", None),
    ("susan.thornton", "decision_right",
     "Cabinet member for housing: signs off the council's housing allocations policy", None),
    ("rachel.dunn", "decision_right", "Decides emergency housing placements for the town", None),
    ("andrew.pickering", "board_seat", "Seat on the Kirkby Vale health and wellbeing board",
     None),
    ("catherine.bell", "board_seat", "Seat on the Kirkby Vale health and wellbeing board", None),
]  # fmt: skip


def seed_demo_place(result: DemoResult) -> Place:
    """Kirkby Vale: public, two missions, 25 members from every perspective but one
    (nobody speaks as a researcher yet, so the "missing" picture shows), interests, power, and
    join activity spread over the past eight months. Idempotent."""
    now = timezone.now()
    started = now - timedelta(days=240)
    people = {
        name: demo_user(name, display, result, note) for name, display, _p, _r, note in DEMO_PEOPLE
    }
    founder = people["steward"]

    place = Place.objects.filter(slug=DEMO_PLACE_SLUG).first()
    if place is None:
        place = Place.objects.create(
            name="Kirkby Vale",
            slug=DEMO_PLACE_SLUG,
            summary="A market town at the head of the dale, where residents, services and "
            "the council are learning to work differently, together.",
            description=DEMO_DESCRIPTION,
            visibility=PlaceVisibility.PUBLIC,
            join_policy=JoinPolicy.APPROVAL,
            house_rules=DEFAULT_HOUSE_RULES,
            created_by=founder,
            created_at=started,
            updated_at=started,
        )
        for position, text in enumerate(DEMO_MISSIONS):
            Mission.objects.create(place=place, text=text, position=position)
        created = activity_record(
            place=place,
            actor=founder,
            kind="place",
            verb="created",
            summary=f"{founder} started Kirkby Vale",
            url=place.get_absolute_url(),
            target=place,
            perspectives=["vcs", "resident"],
        )
        Activity.objects.filter(pk=created.pk).update(created_at=started)

    # Joins spread over the months since the place started, a little unevenly, as in life.
    rng = random.Random(20240611)
    for index, (name, _display, perspectives, role, _note) in enumerate(DEMO_PEOPLE):
        person = people[name]
        if Membership.objects.filter(place=place, user=person).exists():
            continue
        joined = started + timedelta(
            days=min(235, index * 9 + rng.randint(0, 6)), hours=rng.randint(8, 19),
            minutes=rng.randint(0, 59),
        )  # fmt: skip
        membership = Membership.objects.create(
            place=place, user=person, perspectives=perspectives, role=role, joined_at=joined
        )
        labels = ", ".join(Perspective(p).label.lower() for p in perspectives)
        row = activity_record(
            place=place,
            actor=person,
            kind="member",
            verb="joined",
            summary=f"{person} joined as {labels}",
            url=reverse(
                "places:member", kwargs={"slug": place.slug, "membership_id": membership.pk}
            ),
            target=membership,
            perspectives=perspectives,
        )
        Activity.objects.filter(pk=row.pk).update(created_at=joined)

    joined_at = dict(Membership.objects.filter(place=place).values_list("user_id", "joined_at"))
    for name, kind, description, since, withdrawn_days in DEMO_INTERESTS:
        person = people[name]
        if Interest.objects.filter(place=place, user=person, description=description).exists():
            continue
        declared = joined_at[person.pk] + timedelta(hours=2)
        withdrawn = now - timedelta(days=withdrawn_days) if withdrawn_days else None
        interest = Interest.objects.create(
            place=place,
            user=person,
            kind=kind,
            description=description,
            since=date(*since) if since else None,
            declared_at=declared,
            withdrawn_at=withdrawn,
        )
        row = activity_record(
            place=place,
            actor=person,
            kind="interest",
            verb="declared",
            summary=f"{person} declared an interest ({interest.get_kind_display().lower()}): "
            f"{description}",
            target=interest,
        )
        Activity.objects.filter(pk=row.pk).update(created_at=declared)

    for name, kind, description, amount in DEMO_POWERS:
        person = people[name]
        if Power.objects.filter(place=place, user=person, description=description).exists():
            continue
        declared = joined_at[person.pk] + timedelta(hours=3)
        power = Power.objects.create(
            place=place,
            user=person,
            kind=kind,
            description=description,
            amount=Decimal(amount) if amount else None,
            declared_at=declared,
        )
        what = power.get_kind_display().lower()
        if power.amount is not None:
            what = f"{what} of £{power.amount:,.0f}"
        row = activity_record(
            place=place,
            actor=person,
            kind="power",
            verb="declared",
            summary=f"{person} recorded a {what}: {description}",
            url=reverse("places:power_map", kwargs={"slug": place.slug}),
            target=power,
        )
        Activity.objects.filter(pk=row.pk).update(created_at=declared)
    return place
