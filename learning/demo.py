"""Demo learning for the demo place (registered as a demo seeder, run by ``seed_demo``).

Seven learning cycles in Kirkby Vale, one or more in every status (framing, testing,
reflecting, adapting, two concluded and one stopped, so the library has three to show),
about 200 entries in the words of the people doing the work, measures with a year of
readings, links between cycles, and reflection prompts sent and answered.

Everything goes through the services, so the timeline, the search vectors and the rules are
what real use makes; afterwards each row is dated to when it would have happened. Idempotent:
a cycle whose title is already in the place is left alone. Prompts are written without
emails (nobody should get a year of old prompts when the demo starts).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from places.models import Activity, Membership, Mission, Place
from relational.models import User

from . import services
from .models import (
    CycleLink,
    Entry,
    LearningCycle,
    Measure,
    PromptDelivery,
    Reading,
)
from .periods import answer_window, period_for

DEMO_DOMAIN = "demo.relational.local"


@dataclass
class E:
    """One entry: ``days`` ago, by whom, what kind, and its words."""

    days: float
    who: str
    kind: str
    body: str
    visibility: str = "public"
    world: str = ""
    swimlane: str = ""
    consent: str = ""
    consent_note: str = ""
    about_person: bool = False
    person_agreed: bool | None = None
    told_by: str = ""


@dataclass
class M:
    """A move to a status ``days`` ago."""

    days: float
    who: str
    to: str
    note: str = ""
    reason: str = ""
    learned: str = ""
    differently: str = ""


@dataclass
class MeasureSpec:
    name: str
    unit: str
    kind: str
    better: str
    description: str
    start: float  # value at the first reading
    end: float  # value at the last
    every_days: int
    first_days_ago: int
    last_days_ago: int = 3
    wobble: float = 0.0
    who: str = ""
    notes: dict[int, str] = field(default_factory=dict)  # reading index -> note


@dataclass
class CycleSpec:
    title: str
    question: str
    intent: str
    level: str
    horizon: str
    scale: str
    rhythm: str
    missions: list[int]
    framed_days: float
    creator: str
    participants: list[str]
    moves: list[M]
    entries: list[E]
    measures: list[MeasureSpec] = field(default_factory=list)


def _action(days: float, who: str, body: str, world: str, swimlane: str, **extra: Any) -> E:
    return E(days, who, "action", body, world=world, swimlane=swimlane, **extra)


# --- The cycles -----------------------------------------------------------------------------

TEA = CycleSpec(
    title="Tea before the assessment",
    question="What changes when we meet people over a cup of tea before any assessment form "
    "comes out?",
    intent="We think that meeting people first at the community centre, with no form and no "
    "agenda, will mean they tell us what actually matters to them, because they will know who "
    "we are before we ask them anything.",
    level="practitioner_person",
    horizon="h2",
    scale="team",
    rhythm="weekly",
    missions=[0],
    framed_days=330,
    creator="frontline",
    participants=["gemma.shaw", "sunita.patel", "rachel.dunn", "steward"],
    moves=[
        M(
            318,
            "frontline",
            "testing",
            "Starting on Tuesdays at the community centre. Joanne has "
            "booked the small room and there will be biscuits.",
        ),
        M(
            150,
            "gemma.shaw",
            "reflecting",
            "Six months in. Time to stop and look at what the "
            "stories and the numbers are telling us before we change anything.",
        ),
        M(
            120,
            "rachel.dunn",
            "adapting",
            "We agreed three changes at the learning session. Moving on to try them.",
        ),
    ],
    entries=[
        _action(
            316,
            "frontline",
            "First Tuesday. Four people came for tea after we rang round "
            "the people waiting for an assessment. No forms on the table, just a pot of tea.",
            "with",
            "help",
        ),
        E(
            316,
            "frontline",
            "story",
            "One gentleman asked three times whether this was 'the "
            "assessment'. When we said no, he relaxed and talked for forty minutes about his late "
            "wife's garden.",
        ),
        E(
            309,
            "gemma.shaw",
            "reflection",
            "It feels odd not to be writing anything down. I caught myself reaching for my "
            "notebook twice. Need to trust that we will remember what matters.",
        ),
        _action(
            302,
            "sunita.patel",
            "Offered to walk back with Mrs D. because the pavement on "
            "Mill Lane is broken. She said yes.",
            "for",
            "help",
        ),
        E(
            302,
            "sunita.patel",
            "story",
            "On the walk home she told me the reason she hasn't been "
            "to the doctor is the steps at the surgery, not her knee. That was never going to come "
            "up in a form.",
            about_person=True,
            person_agreed=True,
        ),
        E(
            295,
            "steward",
            "story",
            "A couple of the regulars from the Thursday lunch club came in "
            "by mistake and stayed. They know half the people on our waiting list.",
            told_by="",
        ),
        _action(
            288,
            "frontline",
            "Asked people how they would like us to get in touch. Most "
            "said a phone call from a named person, not a letter.",
            "with",
            "ourselves",
        ),
        E(
            281,
            "gemma.shaw",
            "story",
            "Mr Okafor's daughter rang to say he had enjoyed the tea "
            "and wanted to know if he could bring his neighbour next week.",
            told_by="Mr Okafor's daughter",
            about_person=True,
            person_agreed=True,
        ),
        E(
            274,
            "rachel.dunn",
            "reflection",
            "From the manager's seat: the team is spending about "
            "an hour more per person in the first fortnight, but I have not seen a single "
            "repeat referral yet. Too early to say, but worth watching.",
        ),
        _action(
            267,
            "sunita.patel",
            "Booked a carer's break for Mrs K. through the voluntary "
            "sector sitting service instead of waiting for the full assessment.",
            "for",
            "done_for",
        ),
        E(
            260,
            "frontline",
            "story",
            "A woman who has been on our list for nine weeks said it "
            "was the first time anyone had asked her what a good day looks like.",
            visibility="members",
        ),
        E(
            253,
            "gemma.shaw",
            "story",
            "He lives alone above the bookmaker's and has not been "
            "downstairs since February. His nephew does his shopping. He did not want any of "
            "this written down in detail and we have not.",
            visibility="participants",
            about_person=True,
            person_agreed=False,
        ),
        _action(
            246,
            "steward",
            "Started a lift share for people coming from the Moorside "
            "estate, with two volunteers from the church.",
            "by",
            "ourselves",
        ),
        E(
            239,
            "frontline",
            "reflection",
            "We are hearing the same three things again and "
            "again: transport, loneliness at weekends, and not knowing who to ring. None of them "
            "is on our assessment form.",
        ),
        _action(
            232,
            "gemma.shaw",
            "Gave people a card with our names and a direct number rather than the duty line.",
            "for",
            "help",
        ),
        E(
            225,
            "sunita.patel",
            "story",
            "A man told us he had stopped answering the phone "
            "because the calls were always about money he owed. The card with a name on it "
            "mattered.",
            told_by="Des, who lives on Station Road",
        ),
        E(
            218,
            "rachel.dunn",
            "reflection",
            "I have had two calls from the area office asking "
            "why our assessment times have gone up. I explained, and asked them to come to a "
            "Tuesday. They said they would think about it.",
            visibility="members",
        ),
        _action(
            211,
            "frontline",
            "Put a notice in the GP surgery and the library saying anyone "
            "can drop in on Tuesdays, not just people on our list.",
            "with",
            "ourselves",
        ),
        E(
            204,
            "steward",
            "story",
            "Eleven people this week. We ran out of cups. A lady from "
            "Alma Street brought a tin of flapjack she had made for everyone.",
        ),
        E(
            197,
            "gemma.shaw",
            "reflection",
            "The drop-in is becoming something the people who "
            "come own, not something we run. Is that a problem for us or the point?",
        ),
        _action(
            190,
            "sunita.patel",
            "Helped Mr and Mrs T. fill in the blue badge form at the "
            "table, with them holding the pen.",
            "with",
            "help",
        ),
        E(
            183,
            "frontline",
            "story",
            "Someone said: 'You're the first lot from the council "
            "who haven't made me feel like a problem.' I wrote it down with her permission.",
            about_person=True,
            person_agreed=True,
        ),
        _action(
            176,
            "rachel.dunn",
            "Agreed with the team that anyone who has been to two teas "
            "gets their assessment done at home, at a time they choose.",
            "with",
            "help",
        ),
        E(
            169,
            "gemma.shaw",
            "reflection",
            "I am worried we are only reaching people who can get "
            "to the centre. Who are we missing?",
        ),
        _action(
            162,
            "steward",
            "Asked the Moorside residents' group to tell us who on their "
            "street might want to come but can't.",
            "by",
            "ourselves",
        ),
        E(
            155,
            "sunita.patel",
            "story",
            "Three names came back from the residents' group, all people we had never heard of.",
            visibility="members",
        ),
        E(
            145,
            "frontline",
            "reflection",
            "Looking at the six months: people say they feel "
            "listened to more often, and almost nobody has come back through the front door. But "
            "it takes longer to start, and the area office measures how quickly we start.",
        ),
        E(
            140,
            "rachel.dunn",
            "reflection",
            "The numbers we are judged on and the numbers that "
            "matter to people are pulling in different directions. We need to show both.",
        ),
        E(
            132,
            "gemma.shaw",
            "story",
            "At the learning session Mrs D. came along and told the "
            "commissioners about the surgery steps herself. Nobody from our team said a word.",
            told_by="Mrs D.",
            about_person=True,
            person_agreed=True,
        ),
        E(
            118,
            "frontline",
            "adaptation",
            "From now on: home visits after the second tea are "
            "the default, the card with our names goes to everyone, and we keep a list of the "
            "things people raise that are not ours to fix, to pass on each month.",
        ),
        _action(
            111,
            "sunita.patel",
            "Took the first monthly 'not ours to fix' list to the "
            "surgery practice manager. The ramp is now on their plan.",
            "for",
            "done_for",
        ),
        _action(
            97,
            "gemma.shaw",
            "Trialled a Saturday morning tea for people who work.",
            "with",
            "ourselves",
        ),
        E(
            90,
            "gemma.shaw",
            "reflection",
            "Saturday was quiet: two people. But both were carers "
            "who could never make a Tuesday. Keep it going for a month before we decide.",
        ),
        _action(
            76,
            "frontline",
            "Handed the Saturday tea over to two carers who offered to host it. We pop in.",
            "by",
            "ourselves",
        ),
        E(
            62,
            "steward",
            "story",
            "The carers have renamed it 'Saturday Brew' and made their own "
            "sign. Eight people last week.",
        ),
        _action(
            48,
            "rachel.dunn",
            "Asked for consent before sharing a summary of people's "
            "stories with the commissioners, and left out anyone who said no.",
            "to",
            "done_for",
            consent="given",
            consent_note="Asked each person at the table and again by phone a week later.",
        ),
        E(
            34,
            "sunita.patel",
            "reflection",
            "Our waiting list is the shortest it has been for "
            "three years, even though each first conversation takes longer. I did not expect "
            "that.",
        ),
        E(
            20,
            "gemma.shaw",
            "story",
            "A man who came to the first tea last year now volunteers "
            "on Tuesdays. He makes the tea and tells newcomers 'it's not an assessment'.",
        ),
        E(
            6,
            "frontline",
            "reflection",
            "Next step is to write this up for the place so other "
            "teams can try it, and to ask the area office to measure what happens after we start, "
            "not just how fast.",
        ),
    ],
    measures=[
        MeasureSpec(
            name="People who felt listened to",
            unit="score out of 10",
            kind="relational",
            better="higher",
            description="Average answer to 'Did we listen to what matters to you?' asked at the "
            "end of each tea, on a card people fill in themselves.",
            start=5.4,
            end=8.3,
            every_days=14,
            first_days_ago=315,
            wobble=0.5,
            who="frontline",
            notes={
                0: "First cards in. Only four filled in.",
                8: "Quieter week, the bus was off.",
                12: "After the learning session.",
                20: "Saturday Brew cards included.",
            },
        ),
        MeasureSpec(
            name="Days from first contact to support starting",
            unit="days",
            kind="outcome",
            better="lower",
            description="Median for people who first came through the Tuesday tea that month.",
            start=41,
            end=26,
            every_days=30,
            first_days_ago=300,
            wobble=3,
            who="rachel.dunn",
        ),
    ],
)

WARM = CycleSpec(
    title="Warm homes on the Moorside estate",
    question="Can we get every home on the Moorside estate warm this winter by letting "
    "residents decide what help is needed, rather than offering a fixed scheme?",
    intent="We think that giving the residents' group a small budget and the names of the "
    "people who can fix things will reach more cold homes than our grant scheme did, because "
    "neighbours know who is struggling and who will not ask.",
    level="commissioner_leader",
    horizon="h2",
    scale="place",
    rhythm="fortnightly",
    missions=[0],
    framed_days=400,
    creator="commissioner",
    participants=[
        "nadia.rahman",
        "pete.gallagher",
        "resident",
        "shirley.barraclough",
        "fatima.ali",
    ],
    moves=[
        M(
            385,
            "commissioner",
            "testing",
            "The residents' group has the budget from today: "
            "£18,000 for the winter, spent as they decide, written up in the open.",
        ),
        M(
            230,
            "pete.gallagher",
            "reflecting",
            "Winter is over. Looking back together before we decide what to do next year.",
        ),
        M(
            200,
            "commissioner",
            "concluded",
            learned="Neighbours found the cold homes we never "
            "would have, and most of what people needed was small and quick: a boiler service, a "
            "curtain, a hand with a form. The fixed scheme spent more per home and reached fewer. "
            "What made the difference was trust: people let a neighbour in when they would not "
            "let us in.",
            differently="Next winter the residents' group holds the budget again and we commission "
            "the repairs they ask for within a week. We stop the application form altogether and "
            "report what we spent, home by home, on the place's page.",
        ),
    ],
    entries=[
        E(
            398,
            "commissioner",
            "reflection",
            "Last winter our grant scheme had 31 applications "
            "from an estate of 640 homes. We know there were more cold homes than that.",
        ),
        _action(
            384,
            "pete.gallagher",
            "Residents' group met in the Moorside Tavern back room to "
            "decide how to spend the first £5,000.",
            "by",
            "ourselves",
        ),
        E(
            380,
            "resident",
            "story",
            "We split the estate into streets and each of us took one. I "
            "have got Heather Close, where I grew up.",
        ),
        _action(
            373,
            "shirley.barraclough",
            "Knocked on every door in Alder Way with a flask and a leaflet we wrote ourselves.",
            "by",
            "ourselves",
        ),
        E(
            366,
            "shirley.barraclough",
            "story",
            "Number 14 has had no heating since October. She "
            "thought it was her own fault for not paying the service. It was a £40 part.",
            told_by="the lady at number 14",
            about_person=True,
            person_agreed=True,
        ),
        _action(
            360,
            "pete.gallagher",
            "Paid a local heating engineer directly for eleven repairs in the first fortnight.",
            "for",
            "done_for",
        ),
        E(
            352,
            "nadia.rahman",
            "reflection",
            "Procurement asked why we are paying a sole trader "
            "without three quotes. I have written down why, and asked the place to look at it in "
            "the open.",
            visibility="members",
        ),
        _action(
            345,
            "fatima.ali",
            "Ran a Saturday session on bleeding radiators and reading "
            "meters, taught by a resident who used to be a plumber.",
            "by",
            "ourselves",
        ),
        E(
            338,
            "resident",
            "story",
            "Old Mr Harrison would not let the engineer in. He let me in "
            "because he knew my grandad. Now he has let the engineer in too.",
            told_by="",
        ),
        _action(
            331,
            "commissioner",
            "Changed the payment rules so the group can pay for small "
            "things the same day, up to £250, and tell us afterwards.",
            "with",
            "help",
        ),
        E(
            324,
            "shirley.barraclough",
            "reflection",
            "Half of what people need is not heating at "
            "all. It's thick curtains, a draught excluder, somebody to sort the energy company out "
            "on the phone.",
        ),
        _action(
            317,
            "fatima.ali",
            "Set up a curtain swap at the community centre with the Thursday sewing group.",
            "by",
            "ourselves",
        ),
        E(
            310,
            "pete.gallagher",
            "story",
            "A young dad on Birch Road told us he had been heating "
            "one room and putting the kids to bed in their coats. He asked us not to put his name "
            "anywhere and we have not.",
            visibility="participants",
            about_person=True,
            person_agreed=False,
        ),
        _action(
            296,
            "nadia.rahman",
            "Asked the energy company's vulnerable customers team to "
            "come to the estate rather than the other way round.",
            "with",
            "help",
        ),
        E(
            289,
            "resident",
            "story",
            "The energy company came. Twenty-three people queued in the "
            "rain. Eight of them got their debt written off on the spot.",
        ),
        E(
            275,
            "commissioner",
            "reflection",
            "We have reached 212 homes with £11,400 spent. "
            "The old scheme reached 31 with £26,000. I need to understand why before I believe "
            "it.",
        ),
        _action(
            261,
            "pete.gallagher",
            "Published every payment, street by street, on the "
            "residents' group noticeboard and here.",
            "by",
            "ourselves",
        ),
        E(
            254,
            "shirley.barraclough",
            "story",
            "Somebody complained that their neighbour got "
            "help and they did not. We sat down with both of them. It turned out they both needed "
            "help. Nobody was cross by the end.",
        ),
        E(
            240,
            "fatima.ali",
            "reflection",
            "The money was never the main thing. It was the "
            "knocking on doors, and who did the knocking.",
        ),
        E(
            225,
            "nadia.rahman",
            "reflection",
            "What I will take to the commissioning board: the "
            "cost per warm home was about a fifth of the grant scheme, and we have names and "
            "stories instead of a spreadsheet of applications.",
            visibility="members",
        ),
        E(
            214,
            "resident",
            "reflection",
            "We should have started in September, not November. People were already cold.",
        ),
        E(
            206,
            "pete.gallagher",
            "adaptation",
            "Next year starts in September, the same-day "
            "payments stay, and we hand the noticeboard over to the residents' group to keep.",
        ),
    ],
    measures=[
        MeasureSpec(
            name="Homes on the estate reached this winter",
            unit="homes",
            kind="outcome",
            better="higher",
            description="Running total of homes where a resident or volunteer visited and "
            "something was done.",
            start=9,
            end=212,
            every_days=28,
            first_days_ago=380,
            last_days_ago=215,
            wobble=0,
            who="pete.gallagher",
            notes={2: "Curtain swap started.", 4: "Energy company day."},
        ),
    ],
)

HUDDLE = CycleSpec(
    title="Managers' huddle: permission to do the right thing",
    question="What happens when practitioners can spend up to £200 on what a person needs "
    "without asking a manager first?",
    intent="We think that giving practitioners a small spending permission, and a weekly "
    "huddle to talk about what they spent and why, will get help to people faster and build "
    "trust between managers and practitioners, because decisions will sit with the person who "
    "knows the situation.",
    level="manager_practitioner",
    horizon="h2",
    scale="team",
    rhythm="fortnightly",
    missions=[0],
    framed_days=210,
    creator="rachel.dunn",
    participants=["imran.hussain", "frontline", "liam.oconnor", "catherine.bell"],
    moves=[
        M(
            196,
            "rachel.dunn",
            "testing",
            "Permission starts Monday. Huddle is Fridays at 9, fifteen minutes, standing up.",
        ),
        M(
            40,
            "imran.hussain",
            "reflecting",
            "We have enough to talk about properly. No new changes until we have.",
        ),
    ],
    entries=[
        E(
            205,
            "catherine.bell",
            "reflection",
            "As the senior leader I need to be honest that "
            "this makes me nervous. I have agreed to it because the alternative is the three-week "
            "wait for a panel decision on a £60 microwave.",
        ),
        _action(
            194,
            "liam.oconnor",
            "Bought a second-hand washing machine for a family whose "
            "had broken, the same afternoon.",
            "for",
            "done_for",
        ),
        E(
            189,
            "liam.oconnor",
            "story",
            "Before this it would have gone to panel and they would "
            "have waited three weeks washing school uniforms in the bath.",
        ),
        _action(
            187,
            "frontline",
            "Paid for a taxi so a man could get to his sister's funeral in Skipton.",
            "for",
            "done_for",
        ),
        E(
            182,
            "imran.hussain",
            "reflection",
            "First huddle. Everyone explained what they spent "
            "and why. Nobody asked 'was that allowed?'. Good start.",
        ),
        _action(
            175,
            "liam.oconnor",
            "Asked the family what they wanted before buying anything. "
            "They wanted a lift to the food bank, not a voucher.",
            "with",
            "help",
        ),
        E(
            168,
            "rachel.dunn",
            "reflection",
            "Total spend in three weeks: £640 across nine "
            "people. Panel would have taken longer than that to meet.",
        ),
        E(
            161,
            "frontline",
            "story",
            "Someone asked me if I was 'allowed' to buy her a kettle. I "
            "said yes. She cried. It was about more than the kettle.",
            about_person=True,
            person_agreed=True,
            visibility="members",
        ),
        E(
            154,
            "catherine.bell",
            "reflection",
            "Finance have asked for an audit trail. The "
            "huddle notes are the audit trail, and frankly they are better than what panel "
            "produced.",
        ),
        _action(
            140,
            "imran.hussain",
            "Wrote the reasons for every purchase into the huddle "
            "notes, in the practitioner's words.",
            "with",
            "ourselves",
        ),
        E(
            126,
            "liam.oconnor",
            "reflection",
            "I notice I spend less than I expected. Most of the time what people need isn't money.",
        ),
        _action(
            112,
            "rachel.dunn",
            "Raised the limit to £300 for one practitioner who is "
            "working with a family in temporary accommodation, after asking the huddle.",
            "with",
            "help",
        ),
        E(
            98,
            "imran.hussain",
            "story",
            "A practitioner told the huddle she had refused "
            "something a family asked for and explained why. The huddle backed her. That felt "
            "like the real test.",
            visibility="participants",
        ),
        E(
            84,
            "catherine.bell",
            "reflection",
            "Six months: 71 people helped, £9,100 spent, not "
            "one purchase anyone at the huddle thought was wrong.",
        ),
        E(
            63,
            "frontline",
            "reflection",
            "The huddle is the bit I would keep even without the "
            "money. It's the only meeting where managers ask what we learned.",
        ),
        E(
            38,
            "imran.hussain",
            "reflection",
            "What we need to decide: does this stay a "
            "permission for our team, or do we ask for it across the service?",
        ),
        E(
            12,
            "rachel.dunn",
            "reflection",
            "Taking it to the senior leaders' meeting next month "
            "with the huddle notes and the families' own words.",
        ),
    ],
    measures=[
        MeasureSpec(
            name="Days from asking to getting practical help",
            unit="days",
            kind="outcome",
            better="lower",
            description="Median days from a person asking for something practical to having it.",
            start=19,
            end=2,
            every_days=14,
            first_days_ago=200,
            wobble=1.5,
            who="imran.hussain",
        ),
    ],
)

YOUTH = CycleSpec(
    title="After-school space at the youth hut",
    question="If young people run the youth hut on two afternoons a week, who comes, and what "
    "do they need from us?",
    intent="We think that handing two afternoons to a group of young people, with a youth "
    "worker around but not in charge, will bring in teenagers who do not come to anything we "
    "organise, because it will be theirs.",
    level="practitioner_person",
    horizon="h3",
    scale="organisation",
    rhythm="monthly",
    missions=[1],
    framed_days=95,
    creator="pete.gallagher",
    participants=["aisha.begum", "kelly.marsden", "susan.thornton"],
    moves=[
        M(
            70,
            "pete.gallagher",
            "testing",
            "The young people's group has the keys on Wednesdays and Fridays from this week.",
        )
    ],
    entries=[
        E(
            92,
            "kelly.marsden",
            "story",
            "My lad says there's nothing to do here after school "
            "except sit at the bus station. He's not wrong.",
        ),
        E(
            88,
            "susan.thornton",
            "reflection",
            "As ward councillor I have had complaints about "
            "young people at the bus station. I would rather they had somewhere of their own.",
        ),
        _action(
            69,
            "aisha.begum",
            "The young people's group chose the opening hours, the "
            "music rule and the name: 'The Hut'.",
            "by",
            "ourselves",
        ),
        E(
            62,
            "pete.gallagher",
            "story",
            "Fourteen came on the first Wednesday. Nine had never "
            "been to anything at the hut before.",
        ),
        _action(
            55,
            "pete.gallagher",
            "Left the youth worker's office door open and stayed out "
            "of the main room unless asked.",
            "with",
            "ourselves",
        ),
        E(
            48,
            "aisha.begum",
            "story",
            "A girl asked if she could do her homework there because "
            "there is no quiet at home. Now there's a homework corner.",
            told_by="a Year 10 student",
        ),
        _action(
            34,
            "susan.thornton",
            "Asked the bus company to move the late bus stop nearer "
            "the hut, as the young people asked.",
            "for",
            "done_for",
        ),
        E(
            27,
            "kelly.marsden",
            "reflection",
            "It's not perfect. There was a row over the pool table. But they sorted it themselves.",
        ),
        E(
            13,
            "aisha.begum",
            "story",
            "Someone's nan brought a tray of samosas. Now there is a "
            "rota of parents who bring food on Fridays.",
        ),
        E(
            4,
            "pete.gallagher",
            "reflection",
            "Question for the next month: how do we reach the ones who still don't come?",
        ),
    ],
)

COMMISSIONING = CycleSpec(
    title="Commissioning for trust, not outputs",
    question="What would it take to commission the voluntary groups in Kirkby Vale on trust "
    "and learning rather than counts of outputs?",
    intent="We think that replacing output targets with a shared learning review twice a year "
    "will free the groups to do what people need and tell us more than the returns do, because "
    "they will not be spending time feeding numbers upwards.",
    level="commissioner_leader",
    horizon="h3",
    scale="place",
    rhythm="monthly",
    missions=[0, 1],
    framed_days=18,
    creator="nadia.rahman",
    participants=["commissioner", "fatima.ali", "pete.gallagher", "centre"],
    moves=[],
    entries=[
        E(
            17,
            "fatima.ali",
            "reflection",
            "Our quarterly return takes two days. I have never "
            "had a question back about what is in it.",
        ),
        E(
            12,
            "centre",
            "reflection",
            "From the centre: we are interested in whether this "
            "could work elsewhere. We will not ask for a report; we will read what you write "
            "here.",
            visibility="members",
        ),
        E(
            5,
            "nadia.rahman",
            "reflection",
            "Still framing. We need the groups to write the "
            "questions for the learning review, not us.",
        ),
    ],
)

DISCHARGE = CycleSpec(
    title="Home from hospital by Friday",
    question="Can we get older people home from the district hospital before the weekend if "
    "the ward, the care agency and the family plan it together from Monday?",
    intent="We think that a Monday call between the ward, the agency and the family will get "
    "more people home by Friday, because the plan will not wait for the weekly discharge "
    "meeting.",
    level="leader_manager",
    horizon="h1",
    scale="organisation",
    rhythm="weekly",
    missions=[0],
    framed_days=260,
    creator="andrew.pickering",
    participants=["imran.hussain", "sunita.patel"],
    moves=[
        M(250, "andrew.pickering", "testing", "Monday calls start this week on Ward 7."),
        M(
            160,
            "andrew.pickering",
            "stopped",
            reason="The hospital trust reorganised its "
            "discharge team and Ward 7 closed for refurbishment. We learned enough to start "
            "again with the new team, as a new cycle, rather than carry on with this one.",
        ),
    ],
    entries=[
        _action(
            249,
            "sunita.patel",
            "First Monday call: the ward sister, the agency and Mrs A.'s son.",
            "with",
            "help",
        ),
        E(
            243,
            "sunita.patel",
            "story",
            "Her son said it was the first time anyone had asked "
            "him what day would work for the family.",
            told_by="Mrs A.'s son",
        ),
        E(
            236,
            "imran.hussain",
            "reflection",
            "The calls work when the ward sister is on. When she isn't, nobody picks up.",
        ),
        _action(
            229,
            "andrew.pickering",
            "Asked the trust to name a deputy for the Monday call.",
            "for",
            "done_for",
        ),
        E(
            215,
            "sunita.patel",
            "story",
            "Mr B. went home on a Thursday. He said the best bit "
            "was sleeping in his own bed before the weekend, not the care package.",
        ),
        E(
            201,
            "imran.hussain",
            "reflection",
            "Four weeks of good calls, then the agency lost "
            "two carers and everything slid back to the old way.",
        ),
        E(
            187,
            "andrew.pickering",
            "reflection",
            "The idea holds. The system around it keeps "
            "shifting. We need the trust in the room, not just the ward.",
        ),
        _action(
            174,
            "andrew.pickering",
            "Invited the trust's discharge lead to join the place.",
            "with",
            "help",
        ),
    ],
)

COOKING = CycleSpec(
    title="Cooking together at St Anne's",
    question="Does cooking a meal together once a fortnight help isolated older men get to know "
    "each other and keep well?",
    intent="We think that cooking together, rather than being served lunch, will build "
    "friendships that last between sessions, because people will have done something together "
    "rather than just sat together.",
    level="practitioner_person",
    horizon="h2",
    scale="team",
    rhythm="fortnightly",
    missions=[0],
    framed_days=300,
    creator="fatima.ali",
    participants=["bernard.lowe", "tom.fenwick", "liam.oconnor"],
    moves=[
        M(
            290,
            "fatima.ali",
            "testing",
            "First session at St Anne's church hall kitchen. Shepherd's pie.",
        ),
        M(
            120,
            "liam.oconnor",
            "reflecting",
            "Let's look at what happened before deciding on next year.",
        ),
        M(
            90,
            "fatima.ali",
            "concluded",
            learned="Doing something together built friendships "
            "that sitting together never did: by the third month the men were meeting between "
            "sessions, and two now shop together weekly. It mattered that the men chose the menu "
            "and taught each other, and that we stepped back.",
            differently="We will hand the sessions to the men themselves with a small kitty, keep "
            "the hall booking in their name, and only come when invited. We will try the same "
            "idea with the young carers' group.",
        ),
    ],
    entries=[
        _action(
            289,
            "fatima.ali",
            "Seven men, one kitchen, one shepherd's pie. We bought the ingredients; they cooked.",
            "with",
            "help",
        ),
        E(
            289,
            "bernard.lowe",
            "story",
            "I haven't cooked since my wife died. I had forgotten I like it.",
        ),
        E(
            275,
            "tom.fenwick",
            "story",
            "We argued about whether you put carrots in a "
            "shepherd's pie for twenty minutes. Best afternoon I've had in ages.",
        ),
        _action(
            261,
            "liam.oconnor",
            "Let the men plan the next six menus themselves.",
            "by",
            "ourselves",
        ),
        E(
            247,
            "fatima.ali",
            "reflection",
            "Nobody has missed a session. That never happens with the lunch club.",
        ),
        E(
            233,
            "bernard.lowe",
            "story",
            "Tom and I went to the market together on Tuesday to get "
            "the mince cheaper. We had a pint after.",
        ),
        _action(
            219,
            "tom.fenwick",
            "Taught the others how to make bread. Two of them are making it at home now.",
            "by",
            "ourselves",
        ),
        E(
            205,
            "liam.oconnor",
            "story",
            "One of the men told me he had been thinking about "
            "ending things before Christmas. He said Tuesdays gave him a reason to get up. We have "
            "made sure he has support.",
            visibility="participants",
            about_person=True,
            person_agreed=False,
        ),
        E(
            191,
            "fatima.ali",
            "reflection",
            "It's the doing, not the eating. When we tried "
            "serving the meal ready-made one week because the oven broke, half of them went home "
            "early.",
        ),
        _action(
            177,
            "fatima.ali",
            "Gave the group a kitty of £40 a session to spend as they decide.",
            "by",
            "ourselves",
        ),
        E(
            163,
            "tom.fenwick",
            "story",
            "We're doing a curry night for the church in March. "
            "Bernard's in charge of rice. God help us.",
        ),
        E(
            149,
            "liam.oconnor",
            "reflection",
            "GP appointments among the group are down, but it's "
            "eight men and I don't trust the number on its own. The stories say more.",
        ),
        E(
            133,
            "bernard.lowe",
            "story",
            "Forty people came to the curry night. The vicar had seconds.",
        ),
        E(
            112,
            "fatima.ali",
            "reflection",
            "The men want to keep going without us. That is the "
            "result we hoped for and it still feels strange.",
        ),
        E(
            100,
            "liam.oconnor",
            "adaptation",
            "The men take over the booking and the kitty from April. We come when invited.",
        ),
    ],
    measures=[
        MeasureSpec(
            name="Men who met up between sessions",
            unit="men",
            kind="relational",
            better="higher",
            description="How many of the group said they had seen another member between "
            "sessions, asked at the start of each session.",
            start=0,
            end=7,
            every_days=14,
            first_days_ago=287,
            last_days_ago=95,
            wobble=0.6,
            who="liam.oconnor",
        ),
    ],
)

CYCLES = [TEA, WARM, HUDDLE, YOUTH, COMMISSIONING, DISCHARGE, COOKING]

# Links: (from, kind, to)
LINKS = [
    (HUDDLE.title, "feeds", TEA.title),
    (TEA.title, "feeds", COMMISSIONING.title),
    (COOKING.title, "peer", YOUTH.title),
]

PLACE_MEASURES = [
    MeasureSpec(
        name="Residents who say they can get help when they need it",
        unit="%",
        kind="relational",
        better="higher",
        description="From the residents' survey at the library, the surgery and the community "
        "centre each month (about 200 answers a month).",
        start=46,
        end=61,
        every_days=30,
        first_days_ago=360,
        wobble=2.5,
        who="steward",
        notes={0: "First month of the survey.", 6: "Summer: fewer answers than usual."},
    ),
    MeasureSpec(
        name="Emergency hospital admissions of people over 75",
        unit="admissions a month",
        kind="outcome",
        better="lower",
        description="From the district hospital's monthly figures for Kirkby Vale postcodes.",
        start=58,
        end=47,
        every_days=30,
        first_days_ago=365,
        wobble=4,
        who="commissioner",
        notes={3: "Includes the flu spike.", 9: "Ward 7 closed: some admissions went elsewhere."},
    ),
    MeasureSpec(
        name="Spend on crisis placements",
        unit="£ thousand",
        kind="cost",
        better="lower",
        description="Adult social care spend on emergency residential placements, per month.",
        start=96,
        end=71,
        every_days=30,
        first_days_ago=365,
        wobble=6,
        who="nadia.rahman",
    ),
]

# Participants' answers to reflection prompts in the tea cycle (weeks ago, who, answer).
PROMPT_ANSWERS = [
    (
        5,
        "gemma.shaw",
        "That the people who come on Saturdays are completely different from the "
        "Tuesday group. We had been thinking of 'the people on our list' as one group.",
    ),
    (4, "frontline", "The surgery practice manager. She keeps hearing the same things we do."),
    (3, "sunita.patel", "How much people want to help each other if we make a bit of room for it."),
    (
        2,
        "gemma.shaw",
        "I stopped apologising for the assessment form. We only bring it out when "
        "people are ready, and then it takes half the time.",
    ),
    (1, "rachel.dunn", "The area office finally came to a Tuesday. They stayed for an hour."),
]


# --- Seeding ----------------------------------------------------------------------------------


def _people(place: Place) -> dict[str, User]:
    members = Membership.objects.filter(place=place).select_related("user")
    return {m.user.email.split("@")[0]: m.user for m in members}


def _when(days: float, hour: int = 10) -> datetime:
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=hour, minute=int((days * 37) % 60), second=0, microsecond=0)


def _date_entry(entry: Entry, when: datetime) -> None:
    Entry.objects.filter(pk=entry.pk).update(created_at=when)
    Activity.objects.filter(
        target_type=ContentType.objects.get_for_model(Entry), target_id=entry.pk
    ).update(created_at=when)


def _date_target(obj: Any, when: datetime, **filters: Any) -> None:
    Activity.objects.filter(
        target_type=ContentType.objects.get_for_model(type(obj)), target_id=obj.pk, **filters
    ).update(created_at=when)


def _value(spec: MeasureSpec, index: int, count: int) -> Decimal:
    share = index / max(count - 1, 1)
    # An honest-looking curve: most of the change early, a little noise, never below zero.
    value = spec.start + (spec.end - spec.start) * (1 - (1 - share) ** 1.6)
    value += spec.wobble * math.sin(index * 2.3)
    value = max(value, 0)
    places = 1 if isinstance(spec.start, float) and spec.start != int(spec.start) else 0
    return Decimal(str(round(value, places)))


def _seed_measure(
    place: Place, cycle: LearningCycle | None, spec: MeasureSpec, people: dict[str, User]
) -> None:
    by = people.get(spec.who) or next(iter(people.values()))
    measure = Measure.objects.filter(place=place, cycle=cycle, name=spec.name).first()
    if measure is not None:
        return
    measure = services.measure_define(
        place=place, cycle=cycle, by=by, name=spec.name, unit=spec.unit, kind=spec.kind,
        better=spec.better, description=spec.description,
    )  # fmt: skip
    first = _when(spec.first_days_ago + 2)
    Measure.objects.filter(pk=measure.pk).update(created_at=first)
    _date_target(measure, first)
    days = list(range(spec.first_days_ago, spec.last_days_ago - 1, -spec.every_days))
    # For a cycle's measure the readings are data points in its timeline, which only take
    # entries while the cycle is open: the seeder records them before closing it.
    for index, days_ago in enumerate(days):
        on = (timezone.localtime() - timedelta(days=days_ago)).date()
        reading = services.reading_record(
            measure=measure, by=by, value=_value(spec, index, len(days)), on=on,
            note=spec.notes.get(index, ""),
        )  # fmt: skip
        when = _when(days_ago, hour=16)
        Reading.objects.filter(pk=reading.pk).update(created_at=when)
        _date_target(reading, when)
        entry = Entry.objects.filter(reading=reading).first()
        if entry is not None:
            _date_entry(entry, when)


def _seed_cycle(place: Place, spec: CycleSpec, people: dict[str, User]) -> LearningCycle | None:
    if LearningCycle.objects.filter(place=place, title=spec.title).exists():
        return None
    creator = people[spec.creator]
    missions = list(Mission.objects.filter(place=place).order_by("position", "id"))
    cycle = services.cycle_create(
        place=place,
        by=creator,
        title=spec.title,
        question=spec.question,
        intent=spec.intent,
        relationship_level=spec.level,
        horizon=spec.horizon,
        rhythm=spec.rhythm,
        scale=spec.scale,
        missions=[missions[i] for i in spec.missions if i < len(missions)],
        participants=[people[p] for p in spec.participants if p in people],
    )
    framed = _when(spec.framed_days, hour=9)
    LearningCycle.objects.filter(pk=cycle.pk).update(created_at=framed, updated_at=framed)
    cycle.participations.update(joined_at=framed)
    _date_target(cycle, framed, verb="framed")

    # Moves and entries in date order; the closing move comes after its cycle's readings.
    closing = [m for m in spec.moves if m.to in ("concluded", "stopped")]
    timeline: list[tuple[float, int, Any]] = [
        (m.days, 0, m) for m in spec.moves if m not in closing
    ]
    timeline += [(e.days, 1, e) for e in spec.entries]
    for days, _order, item in sorted(timeline, key=lambda t: (-t[0], t[1])):
        _seed_item(cycle, item, people, days)
    for spec_measure in spec.measures:
        _seed_measure(place, cycle, spec_measure, people)
    for move in closing:
        _seed_item(cycle, move, people, move.days)
    return cycle


def _seed_item(cycle: LearningCycle, item: Any, people: dict[str, User], days: float) -> None:
    when = _when(days, hour=11 if isinstance(item, M) else 14)
    by = people.get(item.who)
    if by is None:
        return
    if isinstance(item, M):
        entry = services.cycle_move(
            cycle=cycle, by=by, to=item.to, note=item.note, reason=item.reason,
            learned=item.learned, differently=item.differently,
        )  # fmt: skip
        Entry.objects.filter(pk=entry.pk).update(created_at=when)
        updates: dict[str, Any] = {"updated_at": when}
        if (
            item.to == "testing"
            and not LearningCycle.objects.filter(pk=cycle.pk, testing_started_at__lt=when).exists()
        ):
            updates["testing_started_at"] = when
        if item.to in ("concluded", "stopped"):
            updates["closed_at"] = when
        LearningCycle.objects.filter(pk=cycle.pk).update(**updates)
        _date_target(cycle, when, verb=item.to)
        return
    entry = services.entry_create(
        cycle=cycle,
        author=by,
        kind=item.kind,
        body=item.body,
        visibility=item.visibility,
        world=item.world,
        swimlane=item.swimlane,
        consent=item.consent or ("given" if item.world == "to" else ""),
        consent_note=item.consent_note,
        about_person=item.about_person,
        person_agreed=item.person_agreed,
        told_by=item.told_by,
        told_by_consent=bool(item.told_by),
        sources=_recent_sources(cycle) if item.kind == "adaptation" else [],
    )
    _date_entry(entry, when)


def _recent_sources(cycle: LearningCycle) -> list[int]:
    """An adaptation rests on the latest reflections and stories before it."""
    return list(
        Entry.objects.filter(cycle=cycle, kind__in=["reflection", "story"], visibility="public")
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:3]
    )


def _seed_prompts(cycle: LearningCycle, people: dict[str, User]) -> None:
    """Weekly prompts for the tea cycle's participants over the last six weeks: most answered
    (each answer a reflection linked to its prompt), one still waiting for Priya."""
    if PromptDelivery.objects.filter(cycle=cycle).exists():
        return
    cycle.refresh_from_db()
    answers = {(weeks, who): text for weeks, who, text in PROMPT_ANSWERS}
    participants = list(cycle.participants.all())
    began = (cycle.testing_started_at or timezone.now()).date()
    for weeks in range(6, -1, -1):
        day = timezone.localdate() - timedelta(weeks=weeks)
        period = period_for(cycle.rhythm, day, testing_began=began)
        if period is None:
            continue
        question = services.prompt_question_for(cycle, period.key)
        sent = datetime.combine(period.start, datetime.min.time()).replace(
            hour=8, tzinfo=timezone.get_current_timezone()
        )
        for person in participants:
            key = person.email.split("@")[0]
            if weeks == 0 and key != "frontline":
                continue
            delivery = PromptDelivery.objects.create(
                cycle=cycle,
                user=person,
                period_key=period.key,
                question=question,
                question_text=question.text if question else "What have you noticed?",
                nonce=secrets.token_hex(16),
                email_key=services.prompt_email_key(cycle.pk, person.pk, period.key),
                created_at=sent,
                expires_at=sent + answer_window(cycle.rhythm),
            )
            text = answers.get((weeks, key))
            if text is None:
                continue
            entry = services.entry_create(
                cycle=cycle, author=person, kind="reflection",
                body=f"> {delivery.question_text}\n\n{text}", visibility="public", prompt=delivery,
            )  # fmt: skip
            answered = sent + timedelta(hours=5, minutes=20)
            _date_entry(entry, answered)
            PromptDelivery.objects.filter(pk=delivery.pk).update(answered_at=answered)


@transaction.atomic
def seed_learning(place: Place, result: Any = None) -> None:
    people = _people(place)
    if "frontline" not in people:
        return  # not the demo place (or its people are missing): nothing to add to
    made = {spec.title: _seed_cycle(place, spec, people) for spec in CYCLES}
    titles = {c.title: c for c in LearningCycle.objects.filter(place=place)}
    for source, kind, target in LINKS:
        if source in titles and target in titles:
            CycleLink.objects.get_or_create(
                from_cycle=titles[source],
                to_cycle=titles[target],
                defaults={"kind": kind, "created_by": titles[source].created_by},
            )
    for spec in PLACE_MEASURES:
        _seed_measure(place, None, spec, people)
    tea = made.get(TEA.title)
    if tea is not None:
        _seed_prompts(tea, people)
    for cycle in titles.values():
        services.cycle_refresh_search(cycle.pk)


def demo_counts(place: Place) -> dict[str, Any]:
    """What the seeder made, for tests and the README."""
    cycles = LearningCycle.objects.filter(place=place)
    return {
        "cycles": cycles.count(),
        "statuses": set(cycles.values_list("status", flat=True)),
        "entries": Entry.objects.filter(cycle__place=place).count(),
        "library": LearningCycle.objects.in_library().filter(place=place).count(),
        "readings_span_days": _span(place),
        "prompts": PromptDelivery.objects.filter(cycle__place=place).count(),
        "answered": PromptDelivery.objects.filter(
            cycle__place=place, answered_at__isnull=False
        ).count(),
    }


def _span(place: Place) -> int:
    dates = list(
        Reading.objects.filter(measure__place=place, measure__cycle=None).values_list(
            "date", flat=True
        )
    )
    if not dates:
        return 0
    first: date = min(dates)
    last: date = max(dates)
    return (last - first).days
