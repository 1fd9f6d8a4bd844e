"""Word and phrase banks for the scale data (``manage.py seed_scale``), and the sentences built
from them.

Everything is drawn from a :class:`random.Random` the caller seeds, so the same seed writes the
same words. Each learning cycle and decision is about one :class:`Topic`; its words (the topic's
name, the people it is for, what is tried and where) run through the cycle's title, question,
entries and conclusions, so a library search for a topic word finds the cycles about it.
:data:`SEARCH_TERMS` lists words every seeded database contains in its library (the benchmark
draws its searches from them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str  # a word the library search finds ("loneliness")
    theme: str  # a phrase for titles ("loneliness in later life")
    groups: tuple[str, ...]  # who it is for
    tries: tuple[str, ...]  # what is tried (a verb phrase after "we")
    measures: tuple[tuple[str, str, str, str], ...]  # (name, unit, kind, better)
    sayings: tuple[str, ...]  # what people told us (after "that")


TOPICS: tuple[Topic, ...] = (
    Topic(
        "loneliness",
        "loneliness in later life",
        ("older people living alone", "widowed neighbours", "people who rarely leave the house"),
        (
            "ran a weekly lunch club",
            "paired volunteers with neighbours for a phone call",
            "opened the community centre for a Sunday tea",
            "took a minibus to the market",
        ),
        (
            ("People with someone to talk to", "people", "relational", "higher"),
            ("Lunch club attendance", "people", "outcome", "higher"),
        ),
        (
            "the phone call was the only conversation they had all week",
            "they would come more often if someone walked with them",
            "they felt like a bother asking for help",
        ),
    ),
    Topic(
        "damp",
        "damp and mould in rented homes",
        ("families in private rented flats", "tenants on the Eastfield estate", "new parents"),
        (
            "visited homes with the housing officer",
            "lent out dehumidifiers",
            "ran a drop-in with the environmental health team",
            "wrote to landlords together",
        ),
        (
            ("Homes with damp fixed", "homes", "outcome", "higher"),
            ("Children's GP visits for chest infections", "visits", "outcome", "lower"),
        ),
        (
            "the landlord stopped answering after the second letter",
            "the children had been sleeping in the living room all winter",
            "they were scared of being evicted if they complained",
        ),
    ),
    Topic(
        "discharge",
        "getting home from hospital",
        ("patients waiting to go home", "carers of people leaving hospital", "frail older people"),
        (
            "met patients on the ward before discharge",
            "arranged a welcome-home visit",
            "shared one plan between the ward and the district nurses",
            "checked the heating and food were in before people got home",
        ),
        (
            ("Days waiting to leave hospital", "days", "outcome", "lower"),
            ("Readmissions within 30 days", "people", "outcome", "lower"),
        ),
        (
            "nobody told them who would come on the first night",
            "the pharmacy was shut when they got home",
            "they were sent home to an empty fridge",
        ),
    ),
    Topic(
        "attendance",
        "children missing school",
        ("pupils who miss a day a week", "families new to the area", "young carers"),
        (
            "knocked on doors with the school's family worker",
            "started a walking bus",
            "offered breakfast before registration",
            "met parents at the school gate",
        ),
        (
            ("Pupils attending 90% of the time", "pupils", "outcome", "higher"),
            ("Unexplained absences", "days", "outcome", "lower"),
        ),
        (
            "mornings were the hardest part of the day at home",
            "their son was being picked on at the bus stop",
            "nobody had asked why she stopped coming",
        ),
    ),
    Topic(
        "food",
        "food on the table",
        (
            "families using the food bank",
            "people waiting for their first benefit payment",
            "students in shared houses",
        ),
        (
            "opened a community pantry",
            "cooked together on Thursday evenings",
            "put a benefits adviser in the food bank",
            "shared surplus from the market stalls",
        ),
        (
            ("Food parcels given out", "parcels", "outcome", "lower"),
            ("Pantry members", "households", "outcome", "higher"),
        ),
        (
            "they skipped meals so the children could eat",
            "the pantry felt like a shop, not a handout",
            "they had never cooked from fresh before",
        ),
    ),
    Topic(
        "debt",
        "money worries and debt",
        ("people behind on council tax", "families with rent arrears", "people on zero-hours work"),
        (
            "put a debt adviser in the GP surgery",
            "paused enforcement while advice was given",
            "held a money clinic in the library",
            "rang people before their arrears grew",
        ),
        (
            ("Households with a repayment plan", "households", "outcome", "higher"),
            ("Cases sent to enforcement agents", "cases", "cost", "lower"),
        ),
        (
            "the letters made them too frightened to open the post",
            "a single phone call sorted what months of letters had not",
            "they did not know they could ask for more time",
        ),
    ),
    Topic(
        "youth",
        "somewhere for young people to go",
        ("teenagers on the estate", "young people leaving school", "young people out after dark"),
        (
            "opened the youth club on Friday nights",
            "ran football at the rec",
            "asked young people to design the space",
            "trained older teenagers as mentors",
        ),
        (
            ("Young people at the youth club", "young people", "outcome", "higher"),
            ("Reports of antisocial behaviour", "reports", "outcome", "lower"),
        ),
        (
            "there was nowhere warm to go after school",
            "they wanted to be asked, not told",
            "the club was the first place an adult listened to them",
        ),
    ),
    Topic(
        "crisis",
        "mental health crisis support",
        ("people in crisis at night", "people waiting for therapy", "men who will not see a GP"),
        (
            "opened a crisis café in the evenings",
            "sent a peer worker with the police",
            "set up a text line staffed by people with lived experience",
            "held a walk-and-talk group on Saturdays",
        ),
        (
            ("Crisis café visits", "visits", "outcome", "higher"),
            ("A&E attendances for mental health", "attendances", "outcome", "lower"),
        ),
        (
            "the café was somewhere to go that was not A&E",
            "talking to someone who had been there made the difference",
            "the waiting list felt like being told to go away",
        ),
    ),
    Topic(
        "carers",
        "support for unpaid carers",
        ("people caring for a parent", "young carers", "carers of people with dementia"),
        (
            "offered a sitting service so carers could have a break",
            "ran a carers' coffee morning",
            "gave carers a named contact at the surgery",
            "helped carers claim what they are owed",
        ),
        (
            ("Carers with a break each month", "carers", "relational", "higher"),
            ("Carer wellbeing score", "score out of 10", "relational", "higher"),
        ),
        (
            "it was the first time in two years they had an afternoon to themselves",
            "nobody had ever asked how they were coping",
            "they did not think of themselves as a carer",
        ),
    ),
    Topic(
        "homelessness",
        "keeping people in their homes",
        (
            "people served notice by their landlord",
            "young people sofa surfing",
            "people leaving prison",
        ),
        (
            "met people the day their notice arrived",
            "kept a flat ready for emergencies",
            "worked with landlords before evictions",
            "gave people one worker from start to finish",
        ),
        (
            ("Households kept in their home", "households", "outcome", "higher"),
            ("Nights in temporary accommodation", "nights", "cost", "lower"),
        ),
        (
            "they had told their story to seven different people",
            "the landlord agreed to wait once someone rang him",
            "the bed and breakfast was an hour from the children's school",
        ),
    ),
    Topic(
        "prescribing",
        "social prescribing",
        ("people who visit the GP most often", "people with long-term pain", "isolated patients"),
        (
            "had link workers take referrals from the surgery",
            "started a gardening group",
            "ran a walking group from the health centre",
            "linked patients to the choir",
        ),
        (
            ("People referred to a link worker", "people", "outcome", "higher"),
            ("GP appointments by frequent attenders", "appointments", "cost", "lower"),
        ),
        (
            "the gardening group got them out of bed in the morning",
            "the doctor had never asked what mattered to them",
            "they found out about the choir from the receptionist",
        ),
    ),
    Topic(
        "employment",
        "finding good work",
        (
            "people out of work for a year or more",
            "parents returning to work",
            "disabled people looking for work",
        ),
        (
            "met employers on the high street",
            "offered work trials with local firms",
            "ran CV sessions in the library",
            "paid for bus fares for the first month",
        ),
        (
            ("People in work after six months", "people", "outcome", "higher"),
            ("Work trials offered", "trials", "outcome", "higher"),
        ),
        (
            "the bus fare for the first month was what stopped them",
            "the employer cared more about turning up than about the CV",
            "they had been told they were not ready for years",
        ),
    ),
    Topic(
        "fuel",
        "staying warm in winter",
        (
            "households on prepayment meters",
            "older people in cold homes",
            "families with a disabled child",
        ),
        (
            "opened warm spaces in libraries and churches",
            "fitted draught-proofing for free",
            "helped people switch to a fairer tariff",
            "gave out hot water bottles and blankets",
        ),
        (
            ("Homes insulated", "homes", "outcome", "higher"),
            ("Visits to the warm spaces", "visits", "outcome", "higher"),
        ),
        (
            "they had been sitting in their coats to save the meter",
            "the warm space became where they met their friends",
            "they did not know the grant existed",
        ),
    ),
    Topic(
        "digital",
        "getting online",
        (
            "older people without the internet",
            "people applying for benefits online",
            "families sharing one phone",
        ),
        (
            "lent out tablets with data",
            "held digital drop-ins at the library",
            "trained volunteers as digital champions",
            "helped people set up their NHS app",
        ),
        (
            ("People who can use the NHS app", "people", "outcome", "higher"),
            ("Digital drop-in visits", "visits", "outcome", "higher"),
        ),
        (
            "they were embarrassed to ask their grandchildren again",
            "booking the GP online meant they no longer waited on the phone at eight",
            "the tablet let them see their family abroad",
        ),
    ),
    Topic(
        "dementia",
        "living well with dementia",
        (
            "people with a new diagnosis of dementia",
            "families caring for someone with dementia",
            "people living alone with memory loss",
        ),
        (
            "started a memory café",
            "trained shop staff to be dementia friendly",
            "ran singing sessions in the care home",
            "gave families a named nurse",
        ),
        (
            ("Memory café members", "people", "relational", "higher"),
            ("Emergency admissions of people with dementia", "admissions", "outcome", "lower"),
        ),
        (
            "the singing brought back songs she had not sung in years",
            "the diagnosis came with a leaflet and nothing else",
            "the shop staff now know him by name",
        ),
    ),
    Topic(
        "recovery",
        "recovery from drugs and alcohol",
        ("people leaving rehab", "people drinking at home", "families of people using drugs"),
        (
            "ran a recovery café on Sunday",
            "offered peer mentors from the first day",
            "met people at the pharmacy",
            "kept the door open for people who relapse",
        ),
        (
            ("People in recovery after a year", "people", "outcome", "higher"),
            ("Drug-related deaths", "deaths", "outcome", "lower"),
        ),
        (
            "Sunday was the loneliest day of the week",
            "the mentor had been through it and did not judge",
            "being turned away after a relapse nearly finished them",
        ),
    ),
    Topic(
        "speech",
        "early speech and language",
        ("toddlers with delayed speech", "parents of babies", "families who speak two languages"),
        (
            "ran stay-and-play sessions with a speech therapist",
            "gave books to every new baby",
            "trained nursery staff in language games",
            "visited families at home",
        ),
        (
            ("Children at the expected level at two", "children", "outcome", "higher"),
            ("Families at stay-and-play", "families", "outcome", "higher"),
        ),
        (
            "they did not know talking to a baby made a difference",
            "the library sessions were the first time they met other parents",
            "they worried speaking two languages would confuse their child",
        ),
    ),
    Topic(
        "transport",
        "getting around without a car",
        ("people in the villages", "people who cannot drive", "shift workers"),
        (
            "ran a community minibus",
            "mapped the routes people actually need",
            "asked the bus company to change the timetable",
            "started a lift-share scheme",
        ),
        (
            ("Minibus journeys", "journeys", "outcome", "higher"),
            ("Missed hospital appointments", "appointments", "outcome", "lower"),
        ),
        (
            "the last bus left before their shift ended",
            "the minibus driver waits while they do their shopping",
            "a hospital appointment took the whole day",
        ),
    ),
    Topic(
        "falls",
        "preventing falls at home",
        ("older people who have fallen before", "people living alone", "people leaving hospital"),
        (
            "ran strength and balance classes",
            "fitted grab rails within a week",
            "checked medicines that cause dizziness",
            "gave out pendant alarms",
        ),
        (
            ("Falls reported", "falls", "outcome", "lower"),
            ("People at balance classes", "people", "outcome", "higher"),
        ),
        (
            "they lay on the floor for hours before anyone came",
            "the classes gave them the confidence to go out again",
            "the rails went up the day after they asked",
        ),
    ),
    Topic(
        "refugees",
        "welcoming refugees and asylum seekers",
        ("families newly arrived", "young people on their own", "people waiting for a decision"),
        (
            "ran English conversation clubs",
            "paired families with local volunteers",
            "held a welcome meal every month",
            "helped people register with a GP",
        ),
        (
            ("People registered with a GP", "people", "outcome", "higher"),
            ("Conversation club attendance", "people", "outcome", "higher"),
        ),
        (
            "the welcome meal was the first time they felt part of the town",
            "they had been waiting two years for a decision",
            "the volunteer helped them find the school",
        ),
    ),
    Topic(
        "leavers",
        "care leavers starting out",
        ("young people leaving care", "care leavers at college", "young parents who were in care"),
        (
            "gave every care leaver a mentor",
            "paid for a first home starter pack",
            "kept the door open until 25",
            "let care leavers shape the support offer",
        ),
        (
            ("Care leavers in education or work", "young people", "outcome", "higher"),
            ("Care leavers with a trusted adult", "young people", "relational", "higher"),
        ),
        (
            "at eighteen they were handed a key and left on their own",
            "the mentor was the only person who remembered their birthday",
            "they wanted someone to ring when the boiler broke",
        ),
    ),
    Topic(
        "safety",
        "feeling safe in the neighbourhood",
        ("women walking home at night", "shop owners on the high street", "older residents"),
        (
            "walked the neighbourhood with residents at night",
            "fixed the broken street lights",
            "held a street meeting with the police",
            "opened the community hub late",
        ),
        (
            ("Residents who feel safe after dark", "per cent", "relational", "higher"),
            ("Reports of crime on the high street", "reports", "outcome", "lower"),
        ),
        (
            "the alley by the station had been dark for a year",
            "they had stopped going to the evening class",
            "meeting the officer by name made it easier to report things",
        ),
    ),
)

VENUES = (
    "the community centre",
    "the library",
    "St Mark's church hall",
    "the health centre",
    "the leisure centre",
    "the Miners' Welfare",
    "the primary school",
    "the family hub",
    "the market hall",
    "the sports club",
    "the mosque",
    "the children's centre",
    "the job centre",
    "the youth club",
    "the town hall",
    "the GP surgery",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
COUNTS = ("six", "eight", "a dozen", "fifteen", "twenty", "about thirty", "forty")
REFLECTIONS = (
    "the people who came were not the ones we expected",
    "trust took longer to build than we planned for",
    "it worked best when residents led the conversation",
    "our own rules got in the way more than once",
    "small practical help opened the door to bigger conversations",
    "people came back because someone remembered their name",
    "the referral forms put people off before we met them",
    "what we counted did not show what changed for people",
    "staff needed permission to spend a little time and money",
    "the same few people did most of the work, and they are tired",
)
CHANGES = (
    "meet people where they already are instead of asking them to come to us",
    "drop the referral form and take people as they come",
    "ask residents to co-host every session",
    "keep one worker with each family from start to finish",
    "move the session to the evening so people in work can come",
    "share one record between the teams instead of three",
    "give frontline staff a small budget they can spend without asking",
    "count what people tell us matters, not only attendance",
    "hand the running of it to the residents' group",
    "stop the part nobody used and put the time into visits",
)
FOLLOW_UPS = (
    "We want to test whether that holds for the next month.",
    "Next time we will ask people what they would change.",
    "The team agreed to write down what surprised us each week.",
    "We should talk to the commissioners about what this costs.",
    "Two residents offered to help run the next one.",
    "We need to check this with the people who did not come.",
)
STOP_REASONS = (
    "The funding for the worker ended and nobody could cover the sessions.",
    "We learned the need was being met better by the residents' own group.",
    "The venue closed for repairs and we could not find another one nearby.",
    "People told us it was the wrong thing to try; we will start again with them.",
    "The team changed and the cycle lost its champion.",
)
STANCE_OPENINGS = {
    "support": ("I support this.", "Yes, please do this.", "This would help a lot of people."),
    "concern": ("I have a worry about this.", "I am not sure this will work as written.",
                "Please think again about one part of this."),
    "objection": ("I object to this.", "I cannot support this as it stands.",
                  "This would cause harm and I object."),
    "question": ("I have a question.", "Can someone explain how this would work?",
                 "What happens to people who miss out?"),
}  # fmt: skip
RESPONSES = {
    "adopted": ("Thank you: we have added this to the decision.",
                "Agreed, and the plan now says so."),
    "adapted": ("We have taken part of this on board and changed the wording.",
                "We have changed the timing to meet this halfway."),
    "not_adopted": ("We have not taken this on because the budget cannot stretch to it.",
                    "Not adopted: the evidence from the cycle pointed the other way."),
    "answered": ("Good question: the answer is now in the decision's reasoning.",
                 "It would run for a year and then be reviewed with residents."),
}  # fmt: skip
METHOD_RESULTS = {
    "consent": "consent, no objections remaining",
    "consensus": "consensus reached at the open meeting",
    "majority": "carried {yes} to {no}",
    "delegated": "decided under delegated authority",
    "advice": "decided after the advice process",
}
FUNDERS = (
    ("The National Lottery Community Fund", "GB-CHC-1036733"),
    ("The Kirkdale Community Foundation", ""),
    ("Northern Housing Trust", "GB-COH-04512345"),
    ("The Ashworth Family Trust", "GB-CHC-1101234"),
    ("The town council", ""),
    ("The integrated care board", ""),
)
ORGANISATIONS = (
    "Eastfield Residents' Association",
    "Friends of the Rec",
    "Home-Start",
    "The Pantry Project",
    "Age UK",
    "The Youth Hub CIO",
    "Carers Together",
    "Recovery Café CIC",
    "Men's Shed",
    "Mind",
    "The Bike Kitchen",
    "Talking Tots",
    "The Warm Welcome Network",
)
MISSIONS = (
    "To have a safe, warm home, and people nearby who look out for us",
    "For our children to grow up healthy, with somewhere to go and someone to talk to",
    "To get the help we need the first time we ask, from people who know us",
    "To have good work, and enough money to live on",
    "To grow old in our own homes, with friends close by",
    "For nobody to face a crisis on their own",
    "To feel safe walking around our own streets",
    "To be able to get where we need to go without a car",
)
INTEREST_TEXTS = (
    ("employment", "I work for the council's housing team"),
    ("employment", "I am employed by the NHS trust"),
    ("funding", "My charity receives a grant from the council"),
    ("business", "I run a café on the high street"),
    ("personal", "My mother lives in one of the care homes"),
    ("personal", "My children go to the primary school"),
    ("other", "I am a trustee of the residents' association"),
)
POWER_TEXTS = (
    ("budget", "The council's prevention budget"),
    ("duty", "The statutory duty to assess carers' needs"),
    ("decision_right", "Signs off changes to bus routes"),
    ("board_seat", "Sits on the health and wellbeing board"),
)

FIRST_NAMES = (
    "Aisha",
    "Alan",
    "Amir",
    "Amy",
    "Andrew",
    "Angela",
    "Anita",
    "Barbara",
    "Ben",
    "Bernard",
    "Bethany",
    "Bilal",
    "Brenda",
    "Callum",
    "Carol",
    "Chloe",
    "Chris",
    "Claire",
    "Connor",
    "Craig",
    "Dan",
    "Darren",
    "David",
    "Dawn",
    "Deborah",
    "Declan",
    "Derek",
    "Eileen",
    "Ella",
    "Emma",
    "Eve",
    "Farah",
    "Fatima",
    "Fiona",
    "Gareth",
    "Gemma",
    "Glenys",
    "Graham",
    "Hamza",
    "Hannah",
    "Harry",
    "Hassan",
    "Helen",
    "Ian",
    "Imran",
    "Irene",
    "Jack",
    "Jade",
    "James",
    "Jan",
    "Jason",
    "Jean",
    "Jenny",
    "Joanne",
    "John",
    "Jordan",
    "Joy",
    "Julie",
    "Karen",
    "Kate",
    "Kelly",
    "Kevin",
    "Kieran",
    "Kwame",
    "Laura",
    "Leanne",
    "Lee",
    "Liam",
    "Linda",
    "Lisa",
    "Lucy",
    "Maggie",
    "Malik",
    "Margaret",
    "Mark",
    "Martin",
    "Mary",
    "Maureen",
    "Megan",
    "Michael",
    "Mohammed",
    "Molly",
    "Nadia",
    "Naomi",
    "Neil",
    "Nicola",
    "Noor",
    "Oliver",
    "Olivia",
    "Omar",
    "Pat",
    "Paul",
    "Pauline",
    "Peter",
    "Priya",
    "Rachel",
    "Rajesh",
    "Rebecca",
    "Rhys",
    "Richard",
    "Rob",
    "Ruth",
    "Ryan",
    "Sadia",
    "Sam",
    "Sandra",
    "Sarah",
    "Sean",
    "Shabana",
    "Sharon",
    "Shirley",
    "Simon",
    "Sophie",
    "Stacey",
    "Stephen",
    "Steve",
    "Sue",
    "Tariq",
    "Terry",
    "Tom",
    "Tony",
    "Tracey",
    "Usha",
    "Vikram",
    "Wendy",
    "Yasmin",
    "Zainab",
    "Zoe",
)
SURNAMES = (
    "Ahmed",
    "Akhtar",
    "Ali",
    "Allen",
    "Ashworth",
    "Atkinson",
    "Bailey",
    "Baker",
    "Barker",
    "Barraclough",
    "Begum",
    "Bell",
    "Bennett",
    "Booth",
    "Bradley",
    "Brown",
    "Butler",
    "Campbell",
    "Carter",
    "Chapman",
    "Clarke",
    "Collins",
    "Cooper",
    "Cox",
    "Davies",
    "Dawson",
    "Dixon",
    "Edwards",
    "Evans",
    "Fenwick",
    "Fisher",
    "Fletcher",
    "Foster",
    "Gibson",
    "Graham",
    "Green",
    "Hall",
    "Harris",
    "Harrison",
    "Hill",
    "Holt",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "King",
    "Knight",
    "Lee",
    "Lewis",
    "Lowe",
    "Marsden",
    "Marshall",
    "Martin",
    "Mason",
    "Mills",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Nair",
    "Nowak",
    "Okafor",
    "Owen",
    "Palmer",
    "Parker",
    "Patel",
    "Pearson",
    "Phillips",
    "Price",
    "Rahman",
    "Reid",
    "Richards",
    "Roberts",
    "Robinson",
    "Rogers",
    "Scott",
    "Shah",
    "Shaw",
    "Singh",
    "Smith",
    "Stevens",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Walsh",
    "Ward",
    "Watson",
    "White",
    "Whitfield",
    "Wilkinson",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
)
PLACE_STARTS = (
    "Ash",
    "Bar",
    "Black",
    "Brad",
    "Bram",
    "Brook",
    "Burn",
    "Cal",
    "Castle",
    "Clay",
    "Cold",
    "Craw",
    "Dun",
    "East",
    "Elm",
    "Fair",
    "Fern",
    "Glen",
    "Hal",
    "Hart",
    "Heath",
    "Hol",
    "Kirk",
    "Lang",
    "Lin",
    "Long",
    "Mar",
    "Mill",
    "Moss",
    "New",
    "North",
    "Oak",
    "Red",
    "Roth",
    "Sand",
    "Shaw",
    "South",
    "Stan",
    "Stock",
    "Thorn",
    "Upper",
    "Wal",
    "West",
    "Whit",
    "Wick",
    "Wood",
)
PLACE_ENDS = (
    "borough",
    "bridge",
    "bury",
    "by",
    "cliffe",
    "combe",
    "dale",
    "den",
    "field",
    "ford",
    "gate",
    "ham",
    "holme",
    "hurst",
    "ley",
    "mouth",
    "port",
    "stead",
    "thorpe",
    "ton",
    "wick",
    "worth",
)
PLACE_QUALIFIERS = (
    "",
    "",
    "",
    "",
    " Vale",
    " Green",
    " Moor",
    " on Sea",
    " Bridge",
    " Common",
    " Heath",
    " Valley",
    " Estate",
    " and District",
)
PLACE_KINDS = (
    "a market town",
    "a former mining town",
    "a coastal town",
    "a neighbourhood of the city",
    "a group of villages",
    "an estate on the edge of the city",
    "a mill town",
)

#: Words the library search finds in a full-scale database (most of them at any scale): each
#: topic's key and words that run through the cycles' texts.
SEARCH_TERMS: tuple[str, ...] = tuple(t.key for t in TOPICS) + (
    "residents",
    "trust",
    "volunteers",
    "library",
    "community centre",
    "lunch club",
    "warm spaces",
    "peer mentors",
    "referral",
    "commissioners",
)


class Words:
    """Sentences of plain English drawn from the banks with one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: tuple[str, ...]) -> str:
        return items[int(self.rng.random() * len(items))]

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}"

    def topic(self) -> Topic:
        return TOPICS[int(self.rng.random() * len(TOPICS))]

    # --- Places -------------------------------------------------------------------------------

    def place_name(self, taken: set[str]) -> str:
        for _ in range(50):
            name = self.pick(PLACE_STARTS) + self.pick(PLACE_ENDS) + self.pick(PLACE_QUALIFIERS)
            if name not in taken:
                taken.add(name)
                return name
        n = 2
        while f"{name} {n}" in taken:
            n += 1
        taken.add(f"{name} {n}")
        return f"{name} {n}"

    def place_summary(self, name: str, topics: list[Topic]) -> str:
        return (
            f"{name} is {self.pick(PLACE_KINDS)} learning together about "
            f"{topics[0].theme} and {topics[1].theme}."
        )

    def place_description(self, name: str, topics: list[Topic]) -> str:
        return (
            f"{name} is {self.pick(PLACE_KINDS)} of about {self.rng.randint(8, 90) * 1000:,} "
            f"people. The people who make its public services work meet here in the open: "
            f"residents, frontline practitioners, managers, commissioners, the voluntary sector "
            f"and our councillors.\n\n**What we are working on**\n\n"
            + "\n".join(f"- {t.theme.capitalize()}, with {self.pick(t.groups)}" for t in topics)
        )

    # --- Cycles -------------------------------------------------------------------------------

    def cycle_title(self, topic: Topic) -> str:
        forms = (
            f"{topic.theme.capitalize()}: {self.pick(topic.tries)}",
            f"Trying a new way with {topic.theme}",
            f"What helps {self.pick(topic.groups)} with {topic.theme}?",
            f"{self.pick(topic.tries).capitalize()} at {self.pick(VENUES)}",
        )
        return self.pick(forms)[:150]

    def cycle_question(self, topic: Topic) -> str:
        group = self.pick(topic.groups)
        return (
            f"What would make the biggest difference to {group} in {topic.theme}, and can "
            f"residents and services find it out together?"
        )

    def cycle_intent(self, topic: Topic) -> str:
        return (
            f"We think that if we {self.pick(topic.tries)} at {self.pick(VENUES)}, "
            f"{self.pick(topic.groups)} will get help sooner, because "
            f"{self.pick(topic.sayings)}."
        )

    def learned(self, topic: Topic) -> str:
        return (
            f"We learned that {self.pick(REFLECTIONS)}. With {self.pick(topic.groups)}, "
            f"{topic.key} was never only about services: {self.pick(topic.sayings)}."
        )

    def differently(self) -> str:
        return f"Next time we will {self.pick(CHANGES)}."

    def stop_reason(self) -> str:
        return self.pick(STOP_REASONS)

    def status_note(self, topic: Topic) -> str:
        return f"Moving on: {self.pick(REFLECTIONS)}. {self.pick(FOLLOW_UPS)}"

    # --- Entries ------------------------------------------------------------------------------

    def action(self, topic: Topic) -> str:
        return (
            f"We {self.pick(topic.tries)} at {self.pick(VENUES)} on {self.pick(WEEKDAYS)}. "
            f"{self.pick(COUNTS).capitalize()} people came, mostly {self.pick(topic.groups)}. "
            f"{self.pick(FOLLOW_UPS)}"
        )

    def story(self, topic: Topic) -> str:
        return (
            f"{self.pick(FIRST_NAMES)}, one of the {self.pick(topic.groups)}, told us that "
            f"{self.pick(topic.sayings)}. {self.pick(FOLLOW_UPS)}"
        )

    def reflection(self, topic: Topic) -> str:
        return (
            f"What struck us this week about {topic.key} was that {self.pick(REFLECTIONS)}. "
            f"{self.pick(FOLLOW_UPS)}"
        )

    def adaptation(self, topic: Topic) -> str:
        return (
            f"From next {self.pick(WEEKDAYS)} we will {self.pick(CHANGES)}, because "
            f"{self.pick(REFLECTIONS)}."
        )

    def reading_note(self, topic: Topic) -> str:
        return f"Counted at {self.pick(VENUES)}. {self.pick(FOLLOW_UPS)}"

    # --- Decisions ----------------------------------------------------------------------------

    def decision_title(self, topic: Topic) -> str:
        forms = (
            f"Should we keep {self.pick(topic.tries).removeprefix('ran ')}?",
            f"Funding for {topic.theme} next year",
            f"Moving the {topic.key} work to {self.pick(VENUES)}",
            f"How we share the {topic.key} budget",
            f"Changing how referrals work for {self.pick(topic.groups)}",
        )
        return self.pick(forms)[:150]

    def decision_question(self, topic: Topic) -> str:
        return (
            f"The cycle on {topic.theme} showed that {self.pick(REFLECTIONS)}. "
            f"Should we {self.pick(CHANGES)} for {self.pick(topic.groups)}, and what would "
            f"it take?"
        )

    def options(self, topic: Topic) -> list[dict[str, str]]:
        return [
            {
                "title": "Carry on as we are",
                "description": "Keep the current arrangement for another year.",
                "pros": "No disruption for people who use it now.",
                "cons": "What the cycle learned is not acted on.",
            },
            {
                "title": self.pick(CHANGES).capitalize()[:150],
                "description": f"Change the {topic.key} work in the light of the cycle.",
                "pros": self.pick(topic.sayings).capitalize() + ".",
                "cons": "It needs staff time we would have to find.",
            },
        ]

    def place_view(self, topic: Topic) -> str:
        return f"Residents told us that {self.pick(topic.sayings)}."

    def centre_view(self) -> str:
        return (
            "National policy allows this: the guidance leaves the detail to local areas, and "
            "we would like to learn from what happens here."
        )

    def mandate(self) -> str:
        return self.pick(
            (
                "The stewards agreed at the open meeting that the place decides this together.",
                "Delegated by the council's cabinet to the partnership board.",
                "The health and wellbeing board asked the place to decide.",
            )
        )

    def outcome(self, topic: Topic) -> str:
        return f"We will {self.pick(CHANGES)} in the {topic.key} work from next month."

    def reasoning(self, topic: Topic) -> str:
        return (
            f"The learning cycle showed that {self.pick(REFLECTIONS)}, and the input we had "
            f"agreed: {self.pick(topic.sayings)}. The cost is small next to what it saves."
        )

    def input_text(self, topic: Topic, stance: str) -> str:
        return (
            f"{self.pick(STANCE_OPENINGS[stance])} From where I stand, {self.pick(topic.sayings)}."
        )

    def response_text(self, disposition: str) -> str:
        return self.pick(RESPONSES[disposition])

    def rescind_reason(self) -> str:
        return self.pick(
            (
                "The funding it depended on was withdrawn.",
                "A later cycle showed it was doing more harm than good.",
                "It was overtaken by the council's new housing strategy.",
            )
        )

    def progress_text(self) -> str:
        return self.pick(
            (
                "The first sessions have started and residents are co-hosting.",
                "We are waiting for the venue to confirm the dates.",
                "Staff have been briefed and the new form is in use.",
            )
        )

    # --- Funds --------------------------------------------------------------------------------

    def fund_name(self, place_name: str) -> str:
        return self.pick(("Community fund", "Neighbourhood fund", "Small grants fund")) + (
            f" for {place_name}"
        )

    def fund_purpose(self, topics: list[Topic]) -> str:
        return (
            f"Money for residents' own ideas on {topics[0].theme} and {topics[1].theme}. "
            "Members propose ideas, shape them together and share the money out with points."
        )

    def idea_title(self, topic: Topic) -> str:
        return f"{self.pick(topic.tries).capitalize()}"[:150]

    def idea_description(self, topic: Topic) -> str:
        return (
            f"We would {self.pick(topic.tries)} for {self.pick(topic.groups)} at "
            f"{self.pick(VENUES)}, every {self.pick(WEEKDAYS)} for six months."
        )

    def idea_learning(self, topic: Topic) -> str:
        return f"Whether {topic.key} support works better when {self.pick(REFLECTIONS)}."

    def comment(self, topic: Topic) -> str:
        return self.pick(
            (
                f"I would help with this. {self.pick(topic.sayings).capitalize()}.",
                "Could it run in the evenings too?",
                f"Have you talked to the people at {self.pick(VENUES)}? They tried something "
                "similar.",
                "This is exactly what is missing round here.",
            )
        )
