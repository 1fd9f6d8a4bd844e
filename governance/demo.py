"""Demo decisions for Kirkby Vale (``manage.py seed_demo``; registered as a demo seeder).

Eleven decisions in every status — a draft, one open for input, one whose input has closed,
five decided, one under review, one revised (with its second version decided) and one
rescinded — with 68 inputs and their responses, deciders' statements of interest, dissent,
evidence linked to the demo learning cycles, views from the centre, and implementation
records with milestones and progress updates.

Everything goes through the services, as a person would do it, on a clock set back to when it
"happened" (so dates, the timeline and the rules about dates all line up); the history rows
themselves are stamped by the database at the time the demo is seeded. Idempotent: a decision
whose title is already in the place is left alone. Notifications are not sent while seeding.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock

from django.db.models import Max
from django.utils import timezone

from places.models import Activity, Interest, Membership, Place
from relational.models import User

from . import services
from .models import Decision, Input, ProgressUpdate, Response, Status

# --- The clock --------------------------------------------------------------------------------

_real_now = timezone.now


@contextlib.contextmanager
def _at(place: Place, days_ago: float, hour: int = 10) -> Iterator[datetime]:
    """Run services as if it were ``days_ago`` days ago; rows they create are dated then."""
    moment = timezone.localtime(_real_now()) - timedelta(days=days_ago)
    moment = moment.replace(hour=hour, minute=int((days_ago * 37) % 60), second=0, microsecond=0)
    before = Activity.objects.filter(place=place).aggregate(m=Max("pk"))["m"] or 0
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment
    Activity.objects.filter(place=place, pk__gt=before).update(created_at=moment)


def _day(days_ago: float) -> date:
    return (timezone.localtime(_real_now()) - timedelta(days=days_ago)).date()


# --- The content ------------------------------------------------------------------------------


@dataclass
class InputSpec:
    who: str
    stance: str
    text: str
    disposition: str = ""
    response: str = ""
    responder: str = ""  # default: the owner


@dataclass
class Spec:
    title: str
    question: str
    method: str
    owner: str
    deciders: list[tuple[str, bool]]  # (person, whether their declared interests relate)
    options: list[dict[str, str]]
    inputs: list[InputSpec]
    status: str
    opened: float = 0  # days ago
    closes: float = 0  # days ago (negative: still to come)
    decided: float = 0
    review_in: int | None = None  # days after the decision
    mandate: str = ""
    body: str = ""
    place_view: str = ""
    centre_view: str = ""
    centre_by: str = "centre"
    outcome: str = ""
    reasoning: str = ""
    method_result: str = ""
    evidence: list[str] = field(default_factory=list)  # learning cycle titles
    dissent: list[tuple[str, str]] = field(default_factory=list)
    responsible: str = ""
    milestones: list[tuple[str, int, int | None]] = field(default_factory=list)  # title, due, done
    progress: list[tuple[int, str, int, str]] = field(default_factory=list)  # days, status, %, text
    review_started: float | None = None  # days ago, moved by the schedule
    rescinded: tuple[float, str] | None = None
    hand_to: str = ""


def _o(title: str, description: str, pros: str, cons: str) -> dict[str, str]:
    return {"title": title, "description": description, "pros": pros, "cons": cons}


SUNDAYS = Spec(
    title="Open the community centre on Sunday afternoons this winter",
    question="Sunday is the loneliest day for many older people in the Vale: the lunch club, the "
    "library and the surgery are all shut. Should the community centre open from 12 to 4 on "
    "Sundays from December to February, and who should run it?",
    method="consent",
    owner="steward",
    deciders=[("rachel.dunn", False), ("pete.gallagher", True)],
    options=[
        _o(
            "Volunteers run it",
            "A rota of eight volunteers, two each Sunday.",
            "Costs only heating and insurance; builds the volunteer base.",
            "Rotas fall apart in January; needs a key-holder every week.",
        ),
        _o(
            "Paid sessional worker",
            "A sessional worker on four hours a week.",
            "Reliable; someone trained in safeguarding is always there.",
            "About £2,400 for the winter, which we have not found yet.",
        ),
        _o(
            "Stay closed",
            "Point people to the church hall tea on Sunday mornings.",
            "No cost.",
            "The church hall is up the hill and closes at noon.",
        ),
    ],
    mandate="The community centre's trustees delegated opening hours to the steering group "
    "in March 2024.",
    place_view="People tell us the long Sunday is the hardest part of the week. The volunteers "
    "are willing if someone else holds the keys.",
    status=Status.OPEN,
    opened=5,
    closes=-12,
    inputs=[
        InputSpec(
            "shirley.barraclough",
            "support",
            "Yes please. My husband and I would come "
            "every week, and I can bake for it on the first Sunday of the month.",
            "adopted",
            "Thank you, Shirley. We have added a baking rota to the plan.",
        ),
        InputSpec(
            "bernard.lowe",
            "concern",
            "Who is going to lock up at four? Last time the "
            "alarm went off at midnight and nobody answered the phone.",
            "adapted",
            "Fair point. Whatever option we choose, a named key-holder will "
            "be on the rota each week, with the alarm company's number.",
        ),
        InputSpec(
            "gemma.shaw",
            "question",
            "Would people be able to get there? The 42 bus does not run on Sundays.",
            "answered",
            "Vale Community Transport has "
            "offered two minibus runs, at 11.30 and 4.15, if we confirm by November.",
        ),
        InputSpec(
            "tom.fenwick",
            "support",
            "I will volunteer one Sunday a month. Happy to do the tea urn.",
        ),
        InputSpec(
            "kelly.marsden",
            "concern",
            "Please make sure it is not only for older "
            "people. Young mums are lonely on Sundays too.",
        ),
        InputSpec(
            "mohammed.iqbal",
            "objection",
            "The heating bill will eat the money we were "
            "saving for the roof. Open Saturdays instead, when the building is warm "
            "already.",
            "not_adopted",
            "We looked at Saturdays, but the building is "
            "let to the dance school then, and Sunday is the day people say is hardest.",
        ),
        InputSpec(
            "aisha.begum",
            "question",
            "Can we use the kitchen to cook a hot meal, or is it tea and biscuits only?",
        ),
    ],
)

WARM_SPACES = Spec(
    title="Which buildings become warm spaces from November",
    question="Last winter's warm spaces were busy in two buildings and empty in two others. "
    "Which buildings should be warm spaces this winter, for how many hours, and who pays the "
    "extra heating?",
    method="consensus",
    owner="rachel.dunn",
    deciders=[("commissioner", True), ("fatima.ali", False), ("rachel.dunn", False)],
    options=[
        _o(
            "Keep all four",
            "Library, community centre, St Anne's hall and the Moorside flat.",
            "Nobody loses a place they know.",
            "Two were nearly empty; the money is spread thin.",
        ),
        _o(
            "The two that were used",
            "Community centre and the Moorside flat, longer hours.",
            "Follows what people actually did.",
            "The library is the only one in the town centre.",
        ),
        _o(
            "Two plus the library at weekends",
            "As above, and the library on Saturdays.",
            "Keeps a town-centre option.",
            "Library staff overtime at weekends.",
        ),
    ],
    place_view="The Moorside flat worked because the people running it live on the estate.",
    centre_view="Warm spaces funding nationally ends in March. Whatever is decided should not "
    "depend on money that may not be there next year; the Household Support Fund guidance "
    "allows heating costs for community venues.",
    status=Status.DECIDING,
    opened=24,
    closes=3,
    evidence=["Warm homes on the Moorside estate"],
    inputs=[
        InputSpec(
            "kelly.marsden",
            "support",
            "The Moorside flat was a lifeline for me and the "
            "kids. Please keep it and make it open later than three.",
            "adopted",
            "The flat will open until six on weekdays this winter.",
        ),
        InputSpec(
            "darren.holt",
            "concern",
            "The library was empty because nobody knew it was "
            "a warm space. The sign was inside the door.",
            "adapted",
            "Agreed. The library stays on Saturdays, with a sign outside and on the bus shelter.",
        ),
        InputSpec(
            "liam.oconnor",
            "support",
            "From the front line: people came to the flat for "
            "warmth and then told us things they would never say at an appointment.",
            "adopted",
            "This is why the flat is the first building on the list.",
        ),
        InputSpec(
            "mohammed.iqbal",
            "question",
            "Who pays the heating at St Anne's if it stays on the list? The church cannot.",
            "answered",
            "If St Anne's stays, the "
            "council's community wellbeing grant covers its heating up to £1,500.",
        ),
        InputSpec(
            "bernard.lowe",
            "objection",
            "Dropping St Anne's leaves the top of the town "
            "with nothing. It is a long walk down the hill in the frost.",
            "not_adopted",
            "St Anne's had three visitors across the whole winter. We will ask the "
            "community transport scheme to run a Tuesday and Thursday loop instead.",
        ),
        InputSpec(
            "aisha.begum",
            "support",
            "Please have something for children to do at the community centre. Then parents come.",
            "adopted",
            "The toy library will run from the centre on Wednesday afternoons.",
        ),
        InputSpec(
            "pete.gallagher",
            "question",
            "Can the food bank hand out parcels at the "
            "warm spaces so people do not have to come to us separately?",
            "answered",
            "Yes, at the community centre on Fridays, in the side room for privacy.",
        ),
    ],
)

TEA = Spec(
    title="Tea and a chat before every adult social care assessment",
    question="The learning cycle ‘Tea before the assessment’ found that people tell us far more "
    "when they meet the social worker first, informally, before the assessment itself. Should "
    "this become how every adult social care assessment in the Vale starts?",
    method="delegated",
    owner="steward",
    hand_to="catherine.bell",
    deciders=[("catherine.bell", True)],
    mandate="The council's scheme of delegation gives the Director of Adult Social Care the "
    "power to set assessment practice, within the Care Act 2014 and its statutory guidance.",
    options=[
        _o(
            "Every assessment",
            "A first visit, tea and no forms, before every assessment.",
            "The cycle showed better assessments and fewer repeat visits.",
            "Adds about 45 minutes of social work time per person at first.",
        ),
        _o(
            "Only for people who ask",
            "Offer it; do it when people want it.",
            "Cheaper at first.",
            "The people who would gain most are least likely to ask.",
        ),
        _o(
            "Another cycle first",
            "Run the test for six more months in a second team.",
            "More evidence.",
            "Delays something the first team will not give up now.",
        ),
    ],
    place_view="Residents who took part said it was the first time they felt the assessment "
    "was about them, not about the form.",
    centre_view="The Care Act statutory guidance already expects assessments to be "
    "person-centred and proportionate; this is a way of doing what it asks. Nationally we "
    "would like to learn from the repeat-visit numbers over the next year.",
    status=Status.DECIDED,
    opened=70,
    closes=52,
    decided=45,
    review_in=180,
    evidence=["Tea before the assessment", "Managers' huddle: permission to do the right thing"],
    outcome="From next month every adult social care assessment in the Vale starts with an "
    "informal first visit: a cup of tea, no forms, and the social worker listening. People can "
    "say no to it.",
    reasoning="The cycle's stories and numbers both pointed the same way: people said more, "
    "assessments were more accurate, and repeat visits fell. The extra time at the start was "
    "repaid within three months. Offering it only to those who ask would miss the people who "
    "need it most. The input asked us to protect the time in caseloads and to let people "
    "refuse; both are in the decision.",
    method_result="Decided by the Director of Adult Social Care under delegated authority",
    dissent=[
        (
            "andrew.pickering",
            "I support the aim, but we are committing social work time "
            "we do not have. Without extra posts this will quietly stop by the summer.",
        )
    ],
    responsible="imran.hussain",
    milestones=[
        ("Team briefings done", 40, 38),
        ("First-visit guidance published", 30, 28),
        ("Three-month check of repeat visits", -45, None),
    ],
    progress=[
        (
            35,
            "in_progress",
            30,
            "All three adult teams briefed; guidance agreed with "
            "the practitioners who ran the cycle.",
        ),
        (
            12,
            "in_progress",
            60,
            "First visits happening in two of three teams. The "
            "third is short of two social workers; we are covering with agency staff.",
        ),
    ],
    inputs=[
        InputSpec(
            "frontline",
            "support",
            "I ran the test. The cups of tea were the best use "
            "of my time all year. Please protect the time in our caseloads.",
            "adopted",
            "The 45 minutes is now counted in caseload weighting.",
        ),
        InputSpec(
            "resident",
            "support",
            "When my mum was assessed it felt like an exam. This would have helped her.",
            "adopted",
            "Thank you for telling us. This is exactly what the change is for.",
        ),
        InputSpec(
            "gemma.shaw",
            "concern",
            "Some people will see a visit without forms as "
            "wasting their time. They should be able to skip it.",
            "adopted",
            "People can say no to the first visit; it is offered, not imposed.",
        ),
        InputSpec(
            "andrew.pickering",
            "objection",
            "We have not costed the extra social work time across the whole service.",
            "not_adopted",
            "The cycle measured it: "
            "extra time at the start, less later. We will check the numbers at three "
            "months and report them here.",
        ),
        InputSpec(
            "sunita.patel",
            "question",
            "Does this apply to carers' assessments too?",
            "answered",
            "Yes, carers' assessments start the same way.",
        ),
        InputSpec(
            "susan.thornton",
            "support",
            "Councillors hear complaints about assessments "
            "every week. This is the first change I have seen that answers them.",
            "adopted",
            "Thank you. We will share the three-month numbers with members.",
        ),
        InputSpec(
            "nadia.rahman",
            "question",
            "Will the NHS discharge team be told? They sometimes book assessments in hospital.",
            "adapted",
            "Good point: the "
            "discharge team has agreed to do the first visit on the ward when that is "
            "where the person is.",
        ),
        InputSpec(
            "shirley.barraclough",
            "concern",
            "Please do not send a different person for the tea and for the assessment.",
            "adopted",
            "The same social worker does both; that is the point.",
        ),
    ],
)

LUNCH = Spec(
    title="Lunch club: who cooks, and who pays",
    question="The lunch club's caterer has given notice. Should the club cook for itself with "
    "volunteers, buy meals from the Market Street café, or join the meals service at St "
    "Anne's?",
    method="advice",
    owner="rachel.dunn",
    deciders=[("pete.gallagher", True), ("fatima.ali", False)],
    mandate="The lunch club committee asked the steering group to decide, taking advice from "
    "everyone affected, in July.",
    options=[
        _o(
            "Cook ourselves",
            "Volunteers cook in the centre kitchen, with one paid cook.",
            "Fresh food; people help cook.",
            "Needs food hygiene training for volunteers.",
        ),
        _o(
            "Buy from the café",
            "The Market Street café delivers 30 meals twice a week.",
            "Simple; supports a local business.",
            "Costs £1.20 more per meal.",
        ),
        _o(
            "Join St Anne's",
            "Members go up to St Anne's on Tuesdays.",
            "Cheapest.",
            "The hill; and people lose their own club.",
        ),
    ],
    status=Status.DECIDED,
    opened=60,
    closes=46,
    decided=40,
    review_in=200,
    evidence=["Cooking together at St Anne's"],
    outcome="The lunch club cooks for itself: a paid cook two mornings a week, and volunteers "
    "who help in the kitchen after food hygiene training.",
    reasoning="The advice was clear that people value cooking and eating together as much as "
    "the meal. The café option was dearer for every meal, for ever; the training is a one-off. "
    "A business interest was declared by a café owner in the wider discussion and their input "
    "was weighed with that in mind.",
    method_result="Advice process: 7 pieces of advice taken; the deciders followed most of it",
    responsible="pete.gallagher",
    milestones=[
        ("Cook recruited", 30, 26),
        ("Eight volunteers trained", 20, 15),
        ("First cooked lunch", 14, 12),
    ],
    progress=[
        (25, "in_progress", 40, "Cook started; six volunteers booked on the training."),
        (
            10,
            "done",
            100,
            "Lunch club cooking for itself since the 12th. 28 people came to the first one.",
        ),
    ],
    inputs=[
        InputSpec(
            "darren.holt",
            "support",
            "I declared my interest: I used to run the café. I still think buying in is simpler.",
            "not_adopted",
            "Thank you for "
            "declaring it. Most advice preferred cooking together; the cost per meal "
            "also decided it.",
        ),
        InputSpec(
            "shirley.barraclough",
            "support",
            "Cook ourselves. Half of us used to cook for big families and miss it.",
            "adopted",
            "This was the heart of the decision.",
        ),
        InputSpec(
            "tom.fenwick",
            "concern",
            "Food hygiene training takes a day. Some volunteers cannot do a whole day.",
            "adapted",
            "The training is split into two half-days, on a weekday and a Saturday.",
        ),
        InputSpec(
            "aisha.begum",
            "question",
            "Will there be halal meals?",
            "answered",
            "Yes: the cook will plan a halal option every session.",
        ),
        InputSpec(
            "bernard.lowe",
            "objection",
            "St Anne's is cheaper and the food is good. We "
            "should not run two lunch clubs in one small town.",
            "not_adopted",
            "The hill makes St Anne's hard for most of our members to reach.",
        ),
        InputSpec(
            "fatima.ali",
            "support",
            "The women's group would love to cook one week a month.",
            "adopted",
            "The women's group cooks on the last Thursday.",
        ),
        InputSpec(
            "kelly.marsden",
            "question",
            "Can children come in the holidays?",
            "answered",
            "Yes, in school holidays children eat free with a grown-up.",
        ),
    ],
)

BUS = Spec(
    title="What we ask the county council for about the hospital bus",
    question="The 42 bus to the district hospital runs every two hours and not at all on "
    "Sundays. What should the Health and Wellbeing Board ask the county council for?",
    method="majority",
    owner="steward",
    body="Kirkby Vale Health and Wellbeing Board",
    deciders=[("andrew.pickering", True), ("catherine.bell", True), ("susan.thornton", True)],
    mandate="The board's terms of reference let it make representations to the county "
    "council on access to health services.",
    options=[
        _o(
            "An hourly 42",
            "Ask for the 42 every hour, 7am to 7pm.",
            "Simple to understand.",
            "The county says it cannot afford it.",
        ),
        _o(
            "Demand-responsive minibus",
            "A bookable minibus for hospital appointments.",
            "Door to door; cheaper than a full bus.",
            "Booking is hard for some people.",
        ),
        _o(
            "Appointments in the Vale",
            "Ask the hospital to run clinics here instead.",
            "Fewer journeys at all.",
            "Not a bus decision; slower.",
        ),
    ],
    status=Status.UNDER_REVIEW,
    opened=230,
    closes=215,
    decided=205,
    review_in=195,
    review_started=10,
    outcome="The board asks the county council for a bookable minibus to the hospital for "
    "appointments, and the hospital trust for two outpatient clinics a month in the Vale.",
    reasoning="An hourly bus was the most popular option, but the county has said twice that "
    "it will not fund it; the minibus can start within a year. Asking for clinics in the Vale "
    "came from the input and gained the most support on the board.",
    method_result="Carried 7–3 at the board meeting",
    dissent=[
        (
            "susan.thornton",
            "I voted against. Asking for a minibus lets the county off the "
            "hook for a proper bus service, which people need for work as well as hospital.",
        )
    ],
    responsible="andrew.pickering",
    milestones=[
        ("Letter to the county council", 190, 188),
        ("Meeting with the trust", 150, 160),
        ("Minibus starts", 30, None),
    ],
    progress=[
        (180, "in_progress", 20, "Letter sent; county transport officers will meet us."),
        (
            60,
            "stalled",
            35,
            "The county's budget is frozen until April. The trust has "
            "agreed one clinic a month from the spring.",
        ),
    ],
    inputs=[
        InputSpec(
            "shirley.barraclough",
            "support",
            "A minibus that picks you up at the door "
            "would change everything for people who cannot walk to the stop.",
            "adopted",
            "This is the main ask.",
        ),
        InputSpec(
            "mohammed.iqbal",
            "objection",
            "Young people need the bus for college and work, not only for the hospital.",
            "not_adopted",
            "We agree it matters, but "
            "this board's remit is health; we have passed it to the transport forum.",
        ),
        InputSpec(
            "gemma.shaw",
            "question",
            "How would people without a phone book the minibus?",
            "answered",
            "The surgery and the community centre will book it for people.",
        ),
        InputSpec(
            "nadia.rahman",
            "support",
            "Clinics in the Vale would cut missed appointments, which cost the trust a lot.",
            "adopted",
            "Included as the second ask.",
        ),
        InputSpec(
            "resident",
            "concern",
            "A minibus will be full on clinic days and empty the rest of the week.",
            "adapted",
            "We will ask for it to be booked across the week, not only for clinics.",
        ),
        InputSpec(
            "tom.fenwick",
            "support",
            "Hourly bus please. Anything else is second best.",
            "not_adopted",
            "The county has refused the hourly bus twice; we chose what can happen within a year.",
        ),
        InputSpec(
            "liam.oconnor",
            "question",
            "Will carers be able to travel with the person?",
            "answered",
            "Yes, a carer travels free.",
        ),
    ],
)

HOUSING_V1 = Spec(
    title="Keep emergency housing placements inside the town",
    question="Families made homeless are often placed in bed and breakfasts 30 miles away, "
    "away from school and work. Should emergency placements stay inside the Vale?",
    method="delegated",
    owner="rachel.dunn",
    deciders=[("rachel.dunn", False), ("susan.thornton", True)],
    mandate="The cabinet member for housing delegated emergency placements to the housing "
    "options manager in 2023.",
    options=[
        _o(
            "Always in the Vale",
            "Never place a family outside the Vale.",
            "Children stay at their school.",
            "There are not enough rooms in the Vale.",
        ),
        _o(
            "In the Vale where possible",
            "Place in the Vale unless nothing is free that night.",
            "Realistic.",
            "‘Where possible’ can become ‘rarely’.",
        ),
    ],
    status=Status.REVISED,
    opened=330,
    closes=318,
    decided=310,
    review_in=270,
    review_started=40,
    outcome="Emergency placements are made inside the Vale where possible; any placement "
    "outside is reviewed within a week.",
    reasoning="There are not enough rooms in the Vale to promise every family a place here. "
    "The weekly review makes ‘where possible’ something we check.",
    method_result="Decided by the housing options manager under delegated authority",
    responsible="rachel.dunn",
    progress=[(300, "in_progress", 50, "Weekly review running.")],
    inputs=[
        InputSpec(
            "kelly.marsden",
            "support",
            "We were sent to a B&B by the coast. My son missed six weeks of school.",
            "adopted",
            "This is why the decision was taken. Thank you for telling us.",
        ),
        InputSpec(
            "andrew.pickering",
            "concern",
            "Vale Homes could hold two flats empty for emergencies, but we would lose the rent.",
            "adapted",
            "The council will cover the rent on two held flats for a year.",
        ),
        InputSpec(
            "frontline",
            "question",
            "Who does the weekly review?",
            "answered",
            "The housing options manager with the family's social worker, if they have one.",
        ),
        InputSpec(
            "bernard.lowe",
            "objection",
            "Local people on the waiting list will lose out to emergency placements.",
            "not_adopted",
            "Emergency placements do not come from the waiting list; the held flats are extra.",
        ),
        InputSpec(
            "aisha.begum",
            "support",
            "Please think about women leaving violence, who may need to be placed away for safety.",
            "adapted",
            "Safety comes first: "
            "the decision now says a placement outside the Vale is right when it keeps "
            "someone safe.",
        ),
        InputSpec(
            "sunita.patel",
            "question",
            "What about single people?",
            "answered",
            "This decision covers families; single people are in the rough sleeping plan.",
        ),
        InputSpec(
            "gary.metcalfe",
            "support",
            "I declared my interest in Vale Homes repairs. "
            "The two held flats would need work first, and quickly.",
            "answered",
            "Thank you for declaring it. Vale Homes will use its own repair contract.",
        ),
    ],
)

HOUSING_V2 = Spec(
    title="Keep emergency housing placements inside the town",
    question="A year on, 11 of 17 families were placed in the Vale, but six still went to the "
    "coast, and the weekly review found most of those could have stayed with more notice. "
    "Should we hold more rooms, and promise a placement within the Vale for every family with "
    "children at a Vale school?",
    method="delegated",
    owner="rachel.dunn",
    deciders=[("rachel.dunn", False), ("susan.thornton", True)],
    mandate="The cabinet member for housing delegated emergency placements to the housing "
    "options manager in 2023.",
    options=[
        _o(
            "Promise for school-age children",
            "Every family with children at a Vale school is placed in the Vale.",
            "Protects schooling.",
            "Needs four held flats, not two.",
        ),
        _o(
            "Keep ‘where possible’",
            "Carry on as now.",
            "No cost.",
            "Six families a year still go to the coast.",
        ),
    ],
    status=Status.DECIDED,
    opened=38,
    closes=28,
    decided=20,
    review_in=365,
    evidence=["Warm homes on the Moorside estate"],
    outcome="Every family with children at a Vale school is placed inside the Vale. Vale Homes "
    "holds four flats for emergencies; the council covers their rent.",
    reasoning="The review showed the weekly check works but cannot create rooms that are not "
    "there. Four held flats would have kept all six families in the Vale last year.",
    method_result="Decided by the housing options manager under delegated authority",
    responsible="rachel.dunn",
    milestones=[("Two more flats ready", 10, None)],
    progress=[(5, "in_progress", 50, "Two of four flats held; two more being repaired.")],
    inputs=[
        InputSpec(
            "kelly.marsden",
            "support",
            "Yes. A promise means families can plan.",
            "adopted",
            "The promise is the heart of version two.",
        ),
        InputSpec(
            "andrew.pickering",
            "concern",
            "Four flats is manageable if the rent is covered for three years, not one.",
            "adapted",
            "The council has agreed two years, reviewed with this decision.",
        ),
        InputSpec(
            "nadia.rahman",
            "question",
            "Could health visitors be told when a family is placed?",
            "adopted",
            "Yes: with the family's agreement, the health visiting team is told the same day.",
        ),
        InputSpec(
            "bernard.lowe",
            "objection",
            "Four empty flats while people wait is wrong.",
            "not_adopted",
            "They are rarely empty: last year they would have been used for 300 nights.",
        ),
        InputSpec(
            "frontline",
            "support",
            "Keeping children at their school keeps them safe.",
            "adopted",
            "Agreed.",
        ),
        InputSpec(
            "susan.thornton",
            "question",
            "Will members see the numbers each quarter?",
            "answered",
            "Yes, on the implementation record of this decision.",
        ),
    ],
)

YOUTH = Spec(
    title="Route the youth club grant through the council",
    question="The national youth investment grant could come to the Vale through the council, "
    "which would hold it for the youth hut. Should we ask the council to apply?",
    method="consent",
    owner="steward",
    deciders=[("imran.hussain", True), ("fatima.ali", False)],
    options=[
        _o(
            "Council applies",
            "The council applies and passes the money on.",
            "The council can meet the match-funding rules.",
            "Adds a layer of paperwork.",
        ),
        _o(
            "Youth hut applies",
            "The youth hut's own charity applies.",
            "Young people stay in charge.",
            "Too small to meet the match-funding rules.",
        ),
    ],
    status=Status.RESCINDED,
    opened=120,
    closes=108,
    decided=100,
    review_in=365,
    outcome="The council applies for the grant on the youth hut's behalf.",
    reasoning="Only the council can meet the match-funding rules this year.",
    method_result="Consent: no objections from the deciders",
    rescinded=(
        50,
        "The national grant round was withdrawn before applications opened, so "
        "there is nothing to apply for. The youth hut is now part of the learning "
        "cycle ‘After-school space at the youth hut’ instead.",
    ),
    inputs=[
        InputSpec(
            "mohammed.iqbal",
            "support",
            "Anything that keeps the hut open.",
            "adopted",
            "Thank you.",
        ),
        InputSpec(
            "kelly.marsden",
            "concern",
            "Make sure young people still decide what the money is for.",
            "adopted",
            "The young people's committee will agree the spending.",
        ),
        InputSpec(
            "tom.fenwick",
            "question",
            "What is the match funding?",
            "answered",
            "25% from local sources; the council's youth budget would cover it.",
        ),
        InputSpec(
            "fatima.ali",
            "objection",
            "The council will take a management fee.",
            "not_adopted",
            "The council has agreed to take no fee.",
        ),
        InputSpec(
            "liam.oconnor",
            "support",
            "The hut is where I meet young people I would never see otherwise.",
            "adopted",
            "Noted in the reasoning.",
        ),
        InputSpec(
            "gemma.shaw",
            "question",
            "When would money arrive?",
            "answered",
            "If granted, in the spring.",
        ),
    ],
)

DATA = Spec(
    title="Sharing information between the GP practice and early help",
    question="Early help and the Vale Medical Practice both see the same families. Should they "
    "agree a way to share information, with families' consent, so families tell their story "
    "once?",
    method="consent",
    owner="steward",
    deciders=[("imran.hussain", True), ("nadia.rahman", True)],
    options=[
        _o(
            "A shared consent form",
            "Families agree once; both services can talk.",
            "Families tell their story once.",
            "Needs an information sharing agreement.",
        ),
        _o(
            "Carry on case by case",
            "Ask each time.",
            "No new paperwork.",
            "Families repeat themselves.",
        ),
    ],
    status=Status.DRAFT,
    inputs=[],
)

FRONT_LINE = Spec(
    title="Commissioners spend a day a quarter on the front line",
    question="The cycle ‘Commissioning for trust, not outputs’ found commissioners trusted "
    "providers more after seeing the work. Should every commissioner in the Vale spend a day "
    "each quarter alongside front-line staff?",
    method="consent",
    owner="steward",
    deciders=[("commissioner", True), ("nadia.rahman", True)],
    options=[
        _o(
            "A day a quarter",
            "Every commissioner, every quarter.",
            "Regular and expected.",
            "Four days a year of commissioner time.",
        ),
        _o("When they choose", "Encouraged, not expected.", "Flexible.", "Easily dropped."),
    ],
    centre_view="We would like national policy colleagues to join some of these days. It is "
    "how the centre can learn from places without asking for another report.",
    status=Status.DECIDED,
    opened=90,
    closes=75,
    decided=65,
    review_in=300,
    evidence=["Commissioning for trust, not outputs", "Home from hospital by Friday"],
    outcome="Every commissioner working in the Vale spends one day each quarter alongside "
    "front-line staff, chosen by the staff, and writes what they saw in a learning cycle.",
    reasoning="The cycle showed that seeing the work changed what commissioners asked "
    "providers for. A day a quarter is small enough to keep and regular enough to matter.",
    method_result="Consent: no objections from the deciders",
    responsible="commissioner",
    milestones=[("First round of days", 40, 35), ("Second round", -25, None)],
    progress=[
        (
            30,
            "in_progress",
            50,
            "All four commissioners have done their first day; two "
            "wrote it up as entries in the cycle.",
        )
    ],
    inputs=[
        InputSpec(
            "frontline",
            "support",
            "Please let us choose the day, so you see a normal one and not a show.",
            "adopted",
            "Staff choose the day.",
        ),
        InputSpec(
            "sunita.patel",
            "concern",
            "People we visit must agree to a commissioner coming along.",
            "adopted",
            "Yes: nobody is visited by a commissioner without agreeing first.",
        ),
        InputSpec(
            "james.whitaker",
            "question",
            "Can people from the centre join?",
            "answered",
            "Yes, with the same rules about agreement.",
        ),
        InputSpec(
            "catherine.bell",
            "support",
            "Directors should do it too.",
            "adapted",
            "Directors are invited; it is expected of commissioners.",
        ),
        InputSpec(
            "imran.hussain",
            "concern",
            "Managers need to cover the time staff spend explaining their work.",
            "answered",
            "The day is part of the job for both; no one is asked to make up the time.",
        ),
        InputSpec(
            "pete.gallagher",
            "support",
            "Include the voluntary sector's front line.",
            "adopted",
            "Voluntary sector staff are on the list of hosts.",
        ),
        InputSpec(
            "andrew.pickering",
            "objection",
            "This will become a box-ticking exercise.",
            "not_adopted",
            "Writing it up in the learning cycle is how we stop that; "
            "the review will look at what changed.",
        ),
    ],
)

SMALL_GRANTS = Spec(
    title="Small grants under £500 decided by the advice process",
    question="Small community grants take eight weeks to decide through the panel. Should "
    "grants under £500 be decided by any steward, after taking advice from the people "
    "affected and someone with expertise?",
    method="advice",
    owner="steward",
    deciders=[("steward", True), ("rachel.dunn", False)],
    mandate="The community wellbeing grant conditions allow the steering group to set its own "
    "process for awards under £1,000.",
    options=[
        _o(
            "Advice process",
            "Any steward decides after taking advice, published here.",
            "Decisions in days, in the open.",
            "Relies on stewards seeking real advice.",
        ),
        _o("Keep the panel", "The panel meets every two months.", "Familiar.", "Slow."),
    ],
    status=Status.DECIDED,
    opened=30,
    closes=18,
    decided=12,
    review_in=365,
    outcome="Grants under £500 are decided by a steward using the advice process; every one "
    "is published in this decision log with the advice taken.",
    reasoning="Speed matters for small groups, and publishing each grant here keeps it open. "
    "The input asked for a conflict-of-interest rule, which is now part of it.",
    method_result="Advice process: advice from 6 members and the grant officer",
    inputs=[
        InputSpec(
            "fatima.ali",
            "support",
            "Eight weeks is too long for a £200 grant for a trip.",
            "adopted",
            "Thank you.",
        ),
        InputSpec(
            "gary.metcalfe",
            "concern",
            "What stops a steward giving money to their own group?",
            "adopted",
            "Stewards cannot decide a grant where they have a "
            "declared interest; another steward must.",
        ),
        InputSpec(
            "commissioner",
            "question",
            "Will the council's grant officer be asked?",
            "answered",
            "Yes, the grant officer is always one of the advisers.",
        ),
        InputSpec(
            "bernard.lowe",
            "objection",
            "Stewards are not elected.",
            "not_adopted",
            "Every grant is published with the advice, and the panel can review any of them.",
        ),
        InputSpec(
            "susan.thornton",
            "support",
            "Members should be told of each grant.",
            "adopted",
            "Each grant is published here, and the digest lists them.",
        ),
        InputSpec(
            "aisha.begum",
            "question",
            "Can individuals apply?",
            "answered",
            "No, only community groups.",
        ),
    ],
)

SPECS = [SUNDAYS, WARM_SPACES, TEA, LUNCH, BUS, HOUSING_V1, YOUTH, DATA, FRONT_LINE, SMALL_GRANTS]


# --- Seeding ----------------------------------------------------------------------------------


def _people(place: Place) -> dict[str, User]:
    members = Membership.objects.filter(place=place).select_related("user")
    return {m.user.email.split("@")[0]: m.user for m in members}


def _cycles(place: Place) -> dict[str, Any]:
    from learning.models import LearningCycle

    return {c.title: c for c in LearningCycle.objects.filter(place=place)}


def _stamp(model: Any, pk: int, when: datetime) -> None:
    model.objects.filter(pk=pk).update(created_at=when)


def _seed(
    place: Place, spec: Spec, people: dict[str, User], *, previous: Decision | None = None
) -> Decision | None:
    p = people.get
    owner = p(spec.owner)
    if owner is None:
        return None
    created = spec.opened + 4 if spec.opened else 3
    with _at(place, created, hour=9) as when:
        if previous is None:
            decision = services.decision_create(
                place=place,
                by=owner,
                title=spec.title,
                question=spec.question,
                method=spec.method,
                options=spec.options,
                body_name=spec.body,
                mandate=spec.mandate,
                place_view=spec.place_view,
                deciders=[p(name) for name, _ in spec.deciders if p(name)],
            )
        else:
            decision = services.decision_revise(decision=previous, by=owner)
            decision = services.decision_update(
                decision=decision,
                by=owner,
                expected_version=decision.version,
                question=spec.question,
                options=spec.options,
            )
        _stamp(Decision, decision.pk, when)
        cycles = _cycles(place)
        for title in spec.evidence:
            cycle = cycles.get(title)
            if cycle is not None and not decision.evidence.filter(cycle=cycle).exists():
                services.evidence_add(decision=decision, by=owner, cycle=cycle)
    if spec.status == Status.DRAFT:
        return decision
    with _at(place, spec.opened, hour=9):
        closes = _day(spec.closes) if spec.closes else timezone.localdate() + timedelta(days=14)
        decision = services.decision_open(decision=decision, by=owner, input_closes_on=closes)
    if spec.centre_view and p(spec.centre_by):
        with _at(place, spec.opened - 1, hour=15):
            services.centre_view_write(
                decision=decision, by=p(spec.centre_by), text=spec.centre_view
            )
    _seed_inputs(place, decision, spec, people)
    _seed_statements(place, decision, spec, people)
    if spec.status == Status.OPEN:
        return decision
    with _at(place, spec.closes - 1, hour=6):
        services.decision_close_input(decision=decision, by=None)
    if spec.status == Status.DECIDING:
        return decision
    if spec.hand_to and p(spec.hand_to):
        with _at(place, spec.decided + 1, hour=11):
            services.decision_hand_over(decision=decision, by=owner, to=p(spec.hand_to))
        owner = people[spec.hand_to]
    with _at(place, spec.decided, hour=14):
        review = _day(spec.decided) + timedelta(days=spec.review_in) if spec.review_in else None
        decision = services.decision_decide(
            decision=decision,
            by=owner,
            outcome=spec.outcome,
            reasoning=spec.reasoning,
            method_result=spec.method_result,
            decided_on=timezone.localdate(),
            review_by=review,
        )
    for name, text in spec.dissent:
        if p(name) is None:
            continue
        if (
            not decision.deciders.filter(user=p(name)).exists()
            and not decision.inputs.filter(author=p(name), stance="objection").exists()
        ):
            continue
        with _at(place, spec.decided - 0.5, hour=16):
            services.dissent_record(decision=decision, by=p(name), text=text)
    _seed_implementation(place, decision, spec, people, owner)
    if spec.review_started is not None:
        with _at(place, spec.review_started, hour=7):
            services.decision_review_start(decision=decision, by=None)
    if spec.rescinded is not None:
        days, reason = spec.rescinded
        with _at(place, days, hour=12):
            services.decision_rescind(decision=decision, by=owner, reason=reason)
    decision.refresh_from_db()
    return decision


def _seed_inputs(place: Place, decision: Decision, spec: Spec, people: dict[str, User]) -> None:
    span = max(spec.opened - max(spec.closes, 0) - 1, 1)
    for i, item in enumerate(spec.inputs):
        author = people.get(item.who)
        if author is None:
            continue
        days = spec.opened - span * (i + 0.5) / max(len(spec.inputs), 1)
        with _at(place, days, hour=10 + i % 8) as when:
            given = services.input_give(
                decision=decision, by=author, stance=item.stance, text=item.text
            )
            _stamp(Input, given.pk, when)
        if not item.disposition:
            continue
        responder = people.get(item.responder) or decision.owner
        with _at(place, max(days - 1.5, spec.closes if spec.closes > 0 else 0.2), hour=17) as when:
            response = services.response_give(
                item=given, by=responder, disposition=item.disposition, text=item.response
            )
            _stamp(Response, response.pk, when)


def _seed_statements(place: Place, decision: Decision, spec: Spec, people: dict[str, User]) -> None:
    for name, relates in spec.deciders:
        person = people.get(name)
        if person is None:
            continue
        interests = list(
            Interest.objects.current().filter(place=place, user=person).values_list("pk", flat=True)
        )
        related = interests if relates else []
        with _at(place, max(spec.closes, 0) + 0.5, hour=12):
            services.decider_state(
                decision=decision, by=person, interest_ids=related, no_interest=not related
            )


def _seed_implementation(
    place: Place, decision: Decision, spec: Spec, people: dict[str, User], owner: User
) -> None:
    if spec.responsible and people.get(spec.responsible):
        with _at(place, spec.decided - 1, hour=9):
            services.implementation_set_responsible(
                decision=decision, by=owner, responsible=people[spec.responsible]
            )
    for title, due_days_ago, done_days_ago in spec.milestones:
        with _at(place, spec.decided - 1, hour=9):
            milestone = services.milestone_add(
                decision=decision, by=owner, title=title, due_on=_day(due_days_ago)
            )
        if done_days_ago is not None:
            with _at(place, done_days_ago, hour=15):
                services.milestone_done(milestone=milestone, by=owner)
    for days, status, percent, text in spec.progress:
        with _at(place, days, hour=16) as when:
            update = services.progress_post(
                decision=decision, by=owner, status=status, progress=percent, text=text
            )
            _stamp(ProgressUpdate, update.pk, when)


def seed_governance(place: Place, result: Any = None) -> None:
    """Add the demo decisions to the demo place (after its learning cycles, for evidence)."""
    people = _people(place)
    if "steward" not in people or "commissioner" not in people:
        return  # not the demo place
    from places.registry import registry

    learning = registry.demo_seeders.get("learning")
    if learning is not None and not _cycles(place):
        learning(place, result)  # idempotent: the evidence needs the cycles
    existing = set(Decision.objects.filter(place=place).values_list("title", "revision"))
    with mock.patch.object(services, "_notify", lambda *args, **kwargs: None):
        for spec in SPECS:
            if (spec.title, 1) in existing:
                continue
            first = _seed(place, spec, people)
            if spec is HOUSING_V1 and first is not None:
                _seed(place, HOUSING_V2, people, previous=first)


def demo_counts(place: Place) -> dict[str, Any]:
    """What the seeder made, for tests and the README."""
    decisions = Decision.objects.filter(place=place)
    return {
        "decisions": decisions.count(),
        "statuses": set(decisions.values_list("status", flat=True)),
        "inputs": Input.objects.filter(decision__place=place).count(),
        "responses": Response.objects.filter(input__decision__place=place).count(),
        "revised": decisions.filter(status=Status.REVISED).count(),
        "rescinded": decisions.filter(status=Status.RESCINDED).count(),
    }
