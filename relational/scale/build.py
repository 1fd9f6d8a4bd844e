"""The scale data itself: places, people, learning, decisions and funds, with the activity,
history and search words the app's own services would have written for them.

Rows are planned here in Python (one seeded :class:`random.Random`, so a seed always gives the
same data) and written by :class:`relational.scale.loader.Loader` with COPY, in one
transaction. Where a service would write more than the row itself, so does this module:

* every ``places.Activity`` row the service writes, with the same kind, verb, summary, link,
  target, visibility and scope (entries seen by a cycle's participants only are
  ``scoped``/``cycle:<id>``, as ``learning.services.activity_visibility`` says);
* the decision history (pghistory's event rows), dated when each step happened and carrying the
  acting person's id as ``governance.history.acting`` would. The history triggers are disabled
  for the load (in its transaction), since they would date every event at the moment of
  loading; the fund's pot guard stays on and checks every award;
* the learning library's stored search vectors, rebuilt in one statement that mirrors
  ``learning.services.cycle_refresh_search`` (the decision log's vector is a generated column
  and fills itself);
* one bump of each place's page version (``relational.pageversions``), in place of the page
  cache's per-row triggers, which are disabled for the load.

Not written: notifications, emails, digests, gatherings, flags and hidden content.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pgtrigger
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from governance import funds as fund_rules
from governance.models import (
    Allocator,
    Award,
    CoDesigner,
    Decider,
    DeciderEvent,
    Decision,
    DecisionEvent,
    Evidence,
    EvidenceEvent,
    Fund,
    Idea,
    IdeaComment,
    IdeaVersion,
    Implementation,
    Input,
    InputEvent,
    InterestTie,
    Milestone,
    Points,
    ProgressUpdate,
    Response,
    ResponseEvent,
    Round,
    RoundResult,
)
from governance.services import clean_options
from learning.models import (
    CycleLink,
    CycleParticipant,
    Entry,
    LearningCycle,
    Measure,
    Reading,
)
from learning.services import SEARCH_CONFIG, STATUS_VERBS, format_value
from places.models import (
    DEFAULT_HOUSE_RULES,
    RESERVED_SLUGS,
    Activity,
    Interest,
    Membership,
    Mission,
    Perspective,
    Place,
    Power,
)
from places.templatetags.places_tags import pounds
from relational.models import User

from .loader import Loader, bulk_load
from .words import (
    FUNDERS,
    INTEREST_TEXTS,
    METHOD_RESULTS,
    MISSIONS,
    ORGANISATIONS,
    POWER_TEXTS,
    TOPICS,
    Topic,
    Words,
)

#: Every seeded account signs in with this password (one hash, computed once).
SCALE_PASSWORD = "relational-scale-data"
SCALE_DOMAIN = "scale.example"


def member_email(n: int) -> str:
    """The sign-in address of the n-th seeded account (1, 2, …)."""
    return f"member{n:06d}@{SCALE_DOMAIN}"


# --- How much ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The numbers to write. ``plan_for(1)`` is national scale."""

    places: int
    members: int
    cycles: int
    entries: int
    readings: int
    decisions: int
    inputs: int
    funds: int


FULL = Plan(
    places=300,
    members=100_000,
    cycles=3_000,
    entries=1_000_000,
    readings=200_000,
    decisions=20_000,
    inputs=300_000,
    funds=600,
)
#: The least of each, so a tiny scale still has every status of cycle and decision.
FLOOR = Plan(
    places=3, members=40, cycles=12, entries=200, readings=24, decisions=16, inputs=20, funds=2
)


def plan_for(scale: float) -> Plan:
    if not scale > 0:
        raise ValueError("The scale must be more than 0.")
    return Plan(
        **{
            name: max(getattr(FLOOR, name), round(getattr(FULL, name) * scale))
            for name in Plan.__dataclass_fields__
        }
    )


# --- Shapes kept while building ---------------------------------------------------------------

DAY = timedelta(days=1)
PERSPECTIVE_WEIGHTS: dict[str, int] = {
    Perspective.RESIDENT.value: 45,
    Perspective.FRONTLINE.value: 15,
    Perspective.MANAGER.value: 8,
    Perspective.SENIOR_LEADER.value: 4,
    Perspective.COMMISSIONER.value: 4,
    Perspective.CENTRE.value: 3,
    Perspective.VCS.value: 12,
    Perspective.ELECTED_MEMBER.value: 3,
    Perspective.RESEARCHER.value: 6,
}
CYCLE_STATUSES = (  # (status, share)
    ("framing", 0.10),
    ("testing", 0.18),
    ("reflecting", 0.10),
    ("adapting", 0.07),
    ("concluded", 0.40),
    ("stopped", 0.15),
)
DECISION_STATUSES = (  # for original decisions; "revised" ones are added as revisions need
    ("draft", 0.06),
    ("open", 0.10),
    ("deciding", 0.05),
    ("decided", 0.55),
    ("review", 0.12),
    ("rescinded", 0.05),
)
REVISED_SHARE = 0.07
PLACE_MEASURES = (
    ("People who feel they belong here", "per cent", "relational", "higher"),
    ("Emergency admissions", "admissions", "outcome", "lower"),
    ("Referrals to adult social care", "referrals", "cost", "lower"),
)
CYCLE_MEASURES = (
    ("Participant wellbeing score", "score out of 10", "relational", "higher"),
    ("Staff hours spent", "hours", "cost", "lower"),
)


@dataclass
class Member:
    user_id: int
    name: str
    membership_id: int
    perspectives: list[str]
    steward: bool
    joined_at: datetime


@dataclass
class PlaceInfo:
    id: int
    slug: str
    name: str
    public: bool
    created_at: datetime
    topics: list[Topic]
    missions: list[tuple[int, str]] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    stewards: list[Member] = field(default_factory=list)
    interests: dict[int, list[int]] = field(default_factory=dict)  # user id -> interest ids
    perspectives: dict[int, list[str]] = field(default_factory=dict)  # user id -> perspectives
    cycles: list[tuple[int, str, datetime]] = field(default_factory=list)  # id, title, created

    @property
    def active_from(self) -> datetime:
        return self.created_at + 200 * DAY


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, whole numbers adding up exactly."""
    if not weights:
        return []
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _url(name: str, **kwargs: Any) -> str:
    """A URL pattern as a format string: ``_url("learning:cycle", slug=…, pk=…)``."""
    sentinels = {k: ("zqslugzq" if k == "slug" else 900_000_001 + i) for i, k in enumerate(kwargs)}
    path = reverse(name, kwargs=sentinels)
    for key, sentinel in sentinels.items():
        path = path.replace(str(sentinel), "{" + key + "}")
    return path


def _labels(perspectives: Sequence[str]) -> str:
    labels = [Perspective(p).label.lower() for p in perspectives]
    if len(labels) <= 1:
        return "".join(labels) or "a member"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


# The models written, parents before children (the order COPY writes them in).
MODELS: tuple[type[models.Model], ...] = (
    User,
    EmailAddress,
    Place,
    Mission,
    Membership,
    Interest,
    Power,
    LearningCycle,
    LearningCycle.missions.through,
    CycleParticipant,
    CycleLink,
    Measure,
    Reading,
    Entry,
    Entry.sources.through,
    Fund,
    Round,
    Idea,
    Idea.missions.through,
    IdeaVersion,
    CoDesigner,
    InterestTie,
    IdeaComment,
    Allocator,
    Points,
    Decision,
    Decider,
    Evidence,
    Input,
    Response,
    Implementation,
    Milestone,
    ProgressUpdate,
    RoundResult,
    Award,
    DecisionEvent,
    DeciderEvent,
    EvidenceEvent,
    InputEvent,
    ResponseEvent,
    Activity,
)
#: The models whose history triggers stand aside while their rows (and events) are loaded.
HISTORY_MODELS = (Decision, Decider, Evidence, Input, Response)

Tick = Callable[[str, int, int], None]


class ScaleBuilder:
    def __init__(self, plan: Plan, *, seed: int = 1, tick: Tick | None = None) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.tick: Tick = tick or (lambda phase, done, total: None)
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate(self.now)
        self.loader = Loader(MODELS)
        self.places: list[PlaceInfo] = []
        self.names: dict[int, str] = {}  # user id -> display name
        ct = ContentType.objects.get_for_model
        self.ct: dict[type[models.Model], int] = {
            m: ct(m).pk
            for m in (
                Place, Membership, Interest, Power, LearningCycle, Entry, Measure, Reading,
                Decision, Input, Fund, Idea, IdeaComment,
            )
        }  # fmt: skip
        self.url = {
            "place": _url("places:home", slug=1),
            "member": _url("places:member", slug=1, membership_id=1),
            "power_map": _url("places:power_map", slug=1),
            "cycle": _url("learning:cycle", slug=1, pk=1),
            "entry": _url("learning:entry", slug=1, pk=1, entry_id=1),
            "measure": _url("learning:measure", slug=1, pk=1),
            "decision": _url("governance:decision", slug=1, pk=1),
            "implementation": _url("governance:implementation", slug=1, pk=1),
            "fund": _url("funds:fund", slug=1, fund_id=1),
            "idea": _url("funds:idea", slug=1, fund_id=1, idea_id=1),
        }

    # --- Helpers ------------------------------------------------------------------------------

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment between two others, to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=int(self.rng.random() * span))

    def pick_member(self, place: PlaceInfo) -> Member:
        return place.members[int(self.rng.random() * len(place.members))]

    def perspectives_of(self, place: PlaceInfo, user_id: int | None) -> list[str]:
        return place.perspectives.get(user_id, []) if user_id is not None else []

    def activity(
        self,
        place: PlaceInfo,
        actor: int | None,
        kind: str,
        verb: str,
        summary: str,
        *,
        url: str,
        target: tuple[type[models.Model], int] | None,
        when: datetime,
        visibility: str = "public",
        scope: str = "",
        perspectives: list[str] | None = None,
    ) -> None:
        self.loader.add(
            Activity,
            place_id=place.id,
            actor_id=actor,
            kind=kind,
            verb=verb,
            summary=summary[:300],
            url=url,
            target_type_id=self.ct[target[0]] if target else None,
            target_id=target[1] if target else None,
            visibility=visibility,
            scope=scope,
            perspectives=perspectives
            if perspectives is not None
            else self.perspectives_of(place, actor),
            created_at=when,
        )

    # --- The whole load -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        """Write everything (the caller holds the transaction); returns rows per table."""
        quiet = [
            (model._meta.db_table, trigger.get_pgid(model))
            for model, trigger in pgtrigger.registered()
            if model in HISTORY_MODELS
        ] + page_cache_triggers()
        with bulk_load(MODELS, quiet=quiet):
            self.build_people()
            self.build_learning()
            allocation_decisions = self.build_funds()
            self.build_decisions(max(0, self.plan.decisions - allocation_decisions))
            counts = self.loader.finish()
            self.tick("search words", 0, 1)
            refresh_cycle_search()
            self.tick("indexes and keys", 0, 1)
        bump_page_versions([p.id for p in self.places])
        return counts

    # --- People and places --------------------------------------------------------------------

    def build_people(self) -> None:
        plan, rng, words = self.plan, self.rng, self.words
        order = list(range(plan.places))
        weights = [1 / (i + 8) ** 0.9 for i in order]
        taken: set[str] = set()
        slugs: set[str] = set()
        members_only = set(rng.sample(order[1:], max(1, round(plan.places * 0.15))))
        for i in order:
            name = words.place_name(taken)
            slug = slugify(name)[:70].strip("-") or "place"
            if slug in RESERVED_SLUGS or slug in slugs:
                slug = f"{slug}-{i + 1}"
            slugs.add(slug)
            topics = rng.sample(TOPICS, 4)
            created = self.now - timedelta(days=rng.uniform(3.2 * 365, 4 * 365))
            self.places.append(
                PlaceInfo(
                    id=self.loader.new_id(Place),
                    slug=slug,
                    name=name,
                    public=i not in members_only,
                    created_at=created.replace(microsecond=0),
                    topics=topics,
                )
            )
        # Who belongs where: each person in one place (the first few spread so that every
        # place has people), a fifth of them in a second place too.
        homes: list[list[int]] = [[] for _ in order]
        first = min(plan.members, 3 * plan.places)
        for n in range(plan.members):
            if n < first:
                homes[n % plan.places].append(n)
                continue
            home = rng.choices(order, weights)[0]
            homes[home].append(n)
            if rng.random() < 0.2:
                other = rng.choices(order, weights)[0]
                if other != home:
                    homes[other].append(n)
        names = [words.person() for _ in range(plan.members)]
        user_ids = [self.loader.new_id(User) for _ in range(plan.members)]
        joined: dict[int, datetime] = {}
        arrivals: list[list[tuple[int, datetime]]] = []
        for place, people in zip(self.places, homes, strict=True):
            arrivals.append([])
            for rank, n in enumerate(people):
                when = place.created_at if rank == 0 else place.created_at + timedelta(
                    seconds=int(rng.random() * 180 * 86400)
                )  # fmt: skip
                joined[n] = min(joined.get(n, when), when)
                arrivals[-1].append((user_ids[n], when))
        password = make_password(SCALE_PASSWORD)
        for n in range(plan.members):
            user_id = user_ids[n]
            self.names[user_id] = names[n]
            email = member_email(n + 1)
            self.loader.add(
                User,
                id=user_id,
                password=password,
                email=email,
                display_name=names[n],
                date_joined=joined.get(n, self.now) - timedelta(minutes=5),
            )
            self.loader.add(EmailAddress, user_id=user_id, email=email, verified=True, primary=True)
            if n % 5000 == 0:
                self.tick("people", n, plan.members)
        self.tick("people", plan.members, plan.members)
        done = 0
        total = sum(len(h) for h in homes)
        for place, arrived in zip(self.places, arrivals, strict=True):
            self.write_place(place, arrived)
            done += len(arrived)
            self.tick("places and members", done, total)

    def write_place(self, place: PlaceInfo, people: list[tuple[int, datetime]]) -> None:
        """A place, its missions and members (the first starts it), interests and power."""
        rng, words = self.rng, self.words
        creator = people[0][0]
        self.loader.add(
            Place,
            id=place.id,
            name=place.name,
            slug=place.slug,
            summary=words.place_summary(place.name, place.topics)[:280],
            description=words.place_description(place.name, place.topics),
            visibility="public" if place.public else "members",
            join_policy=(
                rng.choice(["open", "approval", "approval", "invitation"])
                if place.public
                else rng.choice(["approval", "invitation"])
            ),
            house_rules=DEFAULT_HOUSE_RULES,
            created_by_id=creator,
            created_at=place.created_at,
            updated_at=place.created_at,
        )
        for position, text in enumerate(rng.sample(MISSIONS, rng.choice([2, 2, 3]))):
            mission_id = self.loader.add(Mission, place_id=place.id, text=text, position=position)
            place.missions.append((mission_id, text))
        stewards = min(len(people), 2 + len(people) // 500, 6)
        kinds, weights = list(PERSPECTIVE_WEIGHTS), list(PERSPECTIVE_WEIGHTS.values())
        for rank, (user_id, when) in enumerate(people):
            how_many = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.85 else 3)
            perspectives = list(dict.fromkeys(rng.choices(kinds, weights, k=how_many)))
            membership_id = self.loader.add(
                Membership,
                place_id=place.id,
                user_id=user_id,
                perspectives=perspectives,
                role="steward" if rank < stewards else "member",
                joined_at=when,
            )
            member = Member(
                user_id, self.names[user_id], membership_id, perspectives, rank < stewards, when
            )
            place.members.append(member)
            place.perspectives[user_id] = perspectives
            if member.steward:
                place.stewards.append(member)
            url = self.url["member"].format(slug=place.slug, membership_id=membership_id)
            name = member.name
            if rank == 0:
                self.activity(
                    place, user_id, "place", "created", f"{name} started {place.name}",
                    url=self.url["place"].format(slug=place.slug), target=(Place, place.id),
                    when=when, perspectives=perspectives,
                )  # fmt: skip
            how = "joined as" if rank else "started the place, as"
            self.activity(
                place, user_id, "member", "joined", f"{name} {how} {_labels(perspectives)}",
                url=url, target=(Membership, membership_id), when=when, perspectives=perspectives,
            )  # fmt: skip
            if rng.random() < 0.08:
                kind, text = rng.choice(INTEREST_TEXTS)
                declared = when + timedelta(days=rng.uniform(0, 30))
                interest_id = self.loader.add(
                    Interest, place_id=place.id, user_id=user_id, kind=kind, description=text,
                    declared_at=declared,
                )  # fmt: skip
                place.interests.setdefault(user_id, []).append(interest_id)
                label = dict(Interest._meta.get_field("kind").flatchoices)[kind]
                self.activity(
                    place, user_id, "interest", "declared",
                    f"{name} declared an interest ({str(label).lower()}): {text}",
                    url=url, target=(Interest, interest_id), when=declared,
                    perspectives=perspectives,
                )  # fmt: skip
        powerful = [
            m for m in place.members
            if {"commissioner", "senior_leader", "elected_member", "centre"} & set(m.perspectives)
        ] or place.members  # fmt: skip
        for kind, text in rng.sample(POWER_TEXTS, min(len(POWER_TEXTS), rng.randint(2, 4))):
            holder = rng.choice(powerful)
            amount = Decimal(rng.randint(2, 400) * 10_000) if kind == "budget" else None
            declared = holder.joined_at + timedelta(days=rng.uniform(1, 60))
            power_id = self.loader.add(
                Power, place_id=place.id, user_id=holder.user_id, kind=kind, description=text,
                amount=amount, declared_at=declared,
            )  # fmt: skip
            what = str(dict(Power._meta.get_field("kind").flatchoices)[kind]).lower()
            if amount is not None:
                what = f"{what} of £{amount:,.0f}"
            self.activity(
                place, holder.user_id, "power", "declared",
                f"{holder.name} recorded a {what}: {text}",
                url=self.url["power_map"].format(slug=place.slug), target=(Power, power_id),
                when=declared, perspectives=holder.perspectives,
            )  # fmt: skip

    # --- Learning -----------------------------------------------------------------------------

    def build_learning(self) -> None:
        plan, rng = self.plan, self.rng
        per_place = split(plan.cycles, [len(p.members) ** 0.7 for p in self.places])
        shares = split(plan.cycles, [share for _, share in CYCLE_STATUSES])
        statuses = [
            status for (status, _), n in zip(CYCLE_STATUSES, shares, strict=True) for _ in range(n)
        ]
        rng.shuffle(statuses)
        # Plan each cycle: its place, status, dates and moves, then share the entries out.
        cycles: list[CyclePlan] = []
        for place, count in zip(self.places, per_place, strict=True):
            for _ in range(count):
                cycles.append(self.plan_cycle(place, statuses[len(cycles)]))
        moves = sum(len(c.moves) for c in cycles)
        place_readings = round(plan.readings * 0.15)
        with_measures = [c for c in cycles if c.measures]
        cycle_readings = plan.readings - place_readings if with_measures else 0
        place_readings = plan.readings - cycle_readings
        logged = max(0, plan.entries - moves - cycle_readings)
        weights = [min(rng.paretovariate(1.6), 15.0) * c.span_days**0.5 for c in cycles]
        for c, n in zip(cycles, split(logged, weights), strict=True):
            c.logged = n
        sizes = [c.span_days * len(c.measures) for c in with_measures]
        for c, n in zip(with_measures, split(cycle_readings, sizes), strict=True):
            c.readings = n
        written = 0
        for c in cycles:
            self.write_cycle(c)
            written += c.logged + c.readings + len(c.moves)
            self.tick("learning cycles and entries", written, plan.entries)
        place_share = split(place_readings, [1.0] * len(self.places))
        for place, n in zip(self.places, place_share, strict=True):
            self.write_place_measures(place, n)

    def plan_cycle(self, place: PlaceInfo, status: str) -> CyclePlan:
        rng = self.rng
        created = self.between(place.active_from, self.now - 30 * DAY)
        if status in ("concluded", "stopped"):
            end = created + timedelta(days=rng.uniform(60, 500))
            if end > self.now - DAY:
                end = created + (self.now - DAY - created) * rng.uniform(0.5, 0.95)
        else:
            end = self.now - timedelta(hours=rng.uniform(1, 72))
        path = {
            "framing": [],
            "testing": ["testing"],
            "reflecting": ["testing", "reflecting"],
            "adapting": ["testing", "reflecting", "adapting"],
            "concluded": rng.choice(
                [
                    ["testing", "reflecting", "concluded"],
                    ["testing", "reflecting", "adapting", "concluded"],
                    ["testing", "reflecting", "adapting", "testing", "reflecting", "concluded"],
                ]
            ),
            "stopped": ["testing", "reflecting", "adapting"][: rng.randint(0, 3)] + ["stopped"],
        }[status]
        span = end - created
        times = sorted(created + span * rng.uniform(0.05, 0.95) for _ in path)
        if status in ("concluded", "stopped") and times:
            times[-1] = end
        topic = rng.choice(place.topics) if rng.random() < 0.85 else self.words.topic()
        members = place.members
        k = min(len(members), 3 + int(rng.random() * 10))
        participants = rng.sample(members, k)
        measures: list[tuple[str, str, str, str]] = []
        if rng.random() < 0.8:
            options = list(topic.measures) + list(CYCLE_MEASURES)
            measures = rng.sample(options, rng.randint(1, 3))
        return CyclePlan(
            place=place, status=status, created=created.replace(microsecond=0), end=end,
            moves=list(zip(path, times, strict=True)), topic=topic, participants=participants,
            measures=measures,
        )  # fmt: skip

    def write_cycle(self, c: CyclePlan) -> None:
        rng, words, place, topic = self.rng, self.words, c.place, c.topic
        cycle_id = self.loader.new_id(LearningCycle)
        cycle_url = self.url["cycle"].format(slug=place.slug, pk=cycle_id)
        creator = c.participants[0]
        title = words.cycle_title(topic)
        testing_started = next((t for s, t in c.moves if s == "testing"), None)
        closed = c.status in ("concluded", "stopped")
        learned = words.learned(topic) if c.status == "concluded" else ""
        differently = words.differently() if c.status == "concluded" else ""
        stopped_reason = words.stop_reason() if c.status == "stopped" else ""
        self.loader.add(
            LearningCycle,
            id=cycle_id,
            place_id=place.id,
            title=title,
            question=words.cycle_question(topic),
            intent=words.cycle_intent(topic),
            relationship_level=rng.choice(
                [
                    "practitioner_person",
                    "manager_practitioner",
                    "leader_manager",
                    "commissioner_leader",
                    "policy_commissioner",
                ]
            ),  # fmt: skip
            horizon=rng.choice(["h1", "h2", "h2", "h3"]),
            rhythm=rng.choice(["weekly", "fortnightly", "fortnightly", "monthly", "none"]),
            scale=rng.choice(["person", "team", "organisation", "place"]),
            status=c.status,
            stopped_reason=stopped_reason,
            learned=learned,
            differently=differently,
            testing_started_at=testing_started,
            closed_at=c.end if closed else None,
            created_by_id=creator.user_id,
            created_at=c.created,
            updated_at=c.moves[-1][1] if c.moves else c.created,
        )
        place.cycles.append((cycle_id, title, c.created))
        if place.missions and rng.random() < 0.8:
            mission_id = rng.choice(place.missions)[0]
            self.loader.add(
                LearningCycle.missions.through, learningcycle_id=cycle_id, mission_id=mission_id
            )
        for person in c.participants:
            self.loader.add(
                CycleParticipant, cycle_id=cycle_id, user_id=person.user_id,
                added_by_id=creator.user_id, joined_at=c.created,
            )  # fmt: skip
        if len(place.cycles) > 1 and rng.random() < 0.04:
            other = rng.choice(place.cycles[:-1])[0]
            self.loader.add(
                CycleLink, from_cycle_id=cycle_id, to_cycle_id=other,
                kind=rng.choice(["feeds", "peer"]), created_by_id=creator.user_id,
                created_at=c.created + DAY,
            )  # fmt: skip
        self.activity(
            place, creator.user_id, "cycle", "framed",
            f"{creator.name} started a learning cycle: {title}",
            url=cycle_url, target=(LearningCycle, cycle_id), when=c.created,
            perspectives=creator.perspectives,
        )  # fmt: skip
        widest = "public" if place.public else "members"
        before = "framing"
        for status, when in c.moves:
            mover = rng.choice(c.participants)
            if status == "stopped":
                body = stopped_reason
            elif status == "concluded":
                body = (
                    f"**What we learned.** {learned}\n\n"
                    f"**What we will do differently.** {differently}"
                )
            else:
                body = words.status_note(topic) if rng.random() < 0.5 else ""
            self.loader.add(
                Entry, cycle_id=cycle_id, kind="status", body=body, author_id=mover.user_id,
                author_perspectives=mover.perspectives, visibility=widest, status_from=before,
                status_to=status, created_at=when,
            )  # fmt: skip
            summary = (
                f"{mover.name}: ‘{title}’ concluded. What we learned: {learned}"
                if status == "concluded"
                else f"{mover.name}: ‘{title}’ {STATUS_VERBS[status]}"  # type: ignore[index]
            )
            self.activity(
                place, mover.user_id, "cycle", status, summary, url=cycle_url,
                target=(LearningCycle, cycle_id), when=when, perspectives=mover.perspectives,
            )  # fmt: skip
            before = status
        # Measures and their readings: each reading is a data entry in the timeline.
        last = c.end - timedelta(hours=1) if closed else c.end
        measure_ids = []
        for name, unit, kind, better in c.measures:
            definer = rng.choice(c.participants)
            measure_id = self.loader.add(
                Measure, place_id=place.id, cycle_id=cycle_id, name=name, unit=unit, kind=kind,
                better=better, created_by_id=definer.user_id, created_at=c.created + DAY,
            )  # fmt: skip
            measure_ids.append((measure_id, name, unit))
            self.activity(
                place, definer.user_id, "measure", "defined",
                f"{definer.name} began measuring {name} in ‘{title}’",
                url=self.url["measure"].format(slug=place.slug, pk=measure_id),
                target=(Measure, measure_id), when=c.created + DAY,
                perspectives=definer.perspectives,
            )  # fmt: skip
        for (measure_id, name, unit), n in zip(
            measure_ids, split(c.readings, [1.0] * len(measure_ids)), strict=True
        ):
            self.write_readings(
                place, measure_id, name, unit, n, start=c.created + DAY, end=last,
                people=c.participants, cycle=(cycle_id, topic),
            )  # fmt: skip
        # The logged entries.
        entry_url = self.url["entry"]
        earlier: list[int] = []
        first = c.created + timedelta(hours=2)
        for _ in range(c.logged):
            author = c.participants[int(rng.random() * len(c.participants))]
            when = self.between(first, last)
            roll = rng.random()
            values: dict[str, Any] = {}
            if roll < 0.30:
                kind, body = "action", words.action(topic)
                world = rng.choices(["to", "for", "with", "by"], [15, 25, 35, 25])[0]
                values.update(world=world, swimlane=rng.choice(["ourselves", "help", "done_for"]))
                if world == "to":
                    given = rng.random() < 0.8
                    values.update(
                        consent="given" if given else "none",
                        consent_note="" if given else "It was an emergency visit.",
                    )
            elif roll < 0.50:
                kind, body = "story", words.story(topic)
                if rng.random() < 0.3:
                    values.update(about_person=True, person_agreed=rng.random() < 0.85)
                if rng.random() < 0.1:
                    values.update(told_by=words.person(), told_by_consent=True)
            elif roll < 0.85:
                kind, body = "reflection", words.reflection(topic)
            else:
                kind, body = "adaptation", words.adaptation(topic)
            visibility = self.entry_visibility(place)
            if values.get("about_person") and not values.get("person_agreed"):
                visibility = "participants"
            entry_id = self.loader.add(
                Entry, cycle_id=cycle_id, kind=kind, body=body, author_id=author.user_id,
                author_perspectives=author.perspectives, visibility=visibility, created_at=when,
                **values,
            )  # fmt: skip
            if kind == "adaptation" and earlier and rng.random() < 0.5:
                for source in set(rng.sample(earlier, min(len(earlier), 2))):
                    self.loader.add(
                        Entry.sources.through, from_entry_id=entry_id, to_entry_id=source
                    )
            if len(earlier) < 50:
                earlier.append(entry_id)
            label = "data point" if kind == "data" else kind
            told = f" (told by {values['told_by']})" if values.get("told_by") else ""
            scope = ""
            if visibility == "participants":
                activity_visibility, scope = "scoped", f"cycle:{cycle_id}"
            else:
                activity_visibility = visibility
            self.activity(
                place, author.user_id, "entry", "logged",
                f"{author.name} logged {'an' if label[0] in 'aeiou' else 'a'} {label}{told} "
                f"in ‘{title}’",
                url=entry_url.format(slug=place.slug, pk=cycle_id, entry_id=entry_id),
                target=(Entry, entry_id), when=when, visibility=activity_visibility,
                scope=scope, perspectives=author.perspectives,
            )  # fmt: skip

    def entry_visibility(self, place: PlaceInfo) -> str:
        roll = self.rng.random()
        if place.public:
            return "public" if roll < 0.65 else ("members" if roll < 0.87 else "participants")
        return "members" if roll < 0.8 else "participants"

    def write_readings(
        self,
        place: PlaceInfo,
        measure_id: int,
        name: str,
        unit: str,
        count: int,
        *,
        start: datetime,
        end: datetime,
        people: list[Member],
        cycle: tuple[int, Topic] | None,
    ) -> None:
        rng = self.rng
        measure_url = self.url["measure"].format(slug=place.slug, pk=measure_id)
        value = rng.uniform(5, 80)
        step = (end - start) / max(count, 1)
        for i in range(count):
            when = start + step * (i + rng.uniform(0.1, 0.9))
            value = max(0.0, value + rng.uniform(-4, 4.5))
            amount = Decimal(round(value)) if rng.random() < 0.7 else Decimal(f"{value:.1f}")
            on = timezone.localdate(when)
            by = people[int(rng.random() * len(people))]
            note = self.words.reading_note(cycle[1]) if cycle and rng.random() < 0.5 else ""
            reading_id = self.loader.add(
                Reading, measure_id=measure_id, value=amount, date=on,
                note="" if cycle else ("Counted by the team." if rng.random() < 0.3 else ""),
                recorded_by_id=by.user_id, created_at=when,
            )  # fmt: skip
            if cycle is not None:
                self.loader.add(
                    Entry, cycle_id=cycle[0], kind="data", body=note, author_id=by.user_id,
                    author_perspectives=by.perspectives, visibility=self.entry_visibility(place),
                    reading_id=reading_id, created_at=when,
                )  # fmt: skip
            self.activity(
                place, by.user_id, "measure", "recorded",
                f"{by.name} recorded {name}: {format_value(amount)} {unit} on {on:%-d %B %Y}",
                url=measure_url, target=(Reading, reading_id), when=when,
                perspectives=by.perspectives,
            )  # fmt: skip

    def write_place_measures(self, place: PlaceInfo, readings: int) -> None:
        rng = self.rng
        measures = PLACE_MEASURES[: 1 + rng.randint(1, 2)]
        for (name, unit, kind, better), n in zip(
            measures, split(readings, [1.0] * len(measures)), strict=True
        ):
            definer = rng.choice(place.stewards)
            created = place.active_from
            measure_id = self.loader.add(
                Measure, place_id=place.id, cycle_id=None, name=name, unit=unit, kind=kind,
                better=better, created_by_id=definer.user_id, created_at=created,
            )  # fmt: skip
            self.activity(
                place, definer.user_id, "measure", "defined",
                f"{definer.name} began measuring {name} in {place.name}",
                url=self.url["measure"].format(slug=place.slug, pk=measure_id),
                target=(Measure, measure_id), when=created, perspectives=definer.perspectives,
            )  # fmt: skip
            self.write_readings(
                place, measure_id, name, unit, n, start=created, end=self.now - DAY,
                people=place.members, cycle=None,
            )  # fmt: skip

    # --- Funds --------------------------------------------------------------------------------

    def build_funds(self) -> int:
        """Write the funds; returns how many decisions their closed rounds recorded."""
        per_place = split(self.plan.funds, [1.0] * len(self.places))
        recorded = done = 0
        for place, count in zip(self.places, per_place, strict=True):
            for n in range(count):
                recorded += self.write_fund(place, latest=n == count - 1)
                done += 1
                self.tick("funds", done, self.plan.funds)
        return recorded

    def write_fund(self, place: PlaceInfo, *, latest: bool) -> int:
        rng, words = self.rng, self.words
        # The state of the fund's last round decides its dates: most are closed, the latest
        # fund of a place is often still running.
        states = ["closed", "allocating", "ideas", "between", "upcoming"]
        state = rng.choices(states, [50, 18, 18, 6, 8])[0] if latest else "closed"
        rounds = 2 if rng.random() < 0.5 else 1
        dates = self.round_dates(state, rounds)
        fund_created = dates[0][0] - timedelta(days=rng.uniform(1, 10))
        if fund_created < place.active_from:
            fund_created = place.active_from
        steward = rng.choice(place.stewards)
        pot = Decimal(rng.randint(10, 500) * 1000)
        funder, funder_id = rng.choice(FUNDERS)
        fund_name = words.fund_name(place.name)[:150]
        fund_id = self.loader.add(
            Fund, place_id=place.id, name=fund_name,
            purpose=words.fund_purpose(place.topics), pot=pot, funder_name=funder,
            funder_org_id=funder_id, created_by_id=steward.user_id, created_at=fund_created,
            updated_at=fund_created,
        )  # fmt: skip
        fund_url = self.url["fund"].format(slug=place.slug, fund_id=fund_id)
        awarded = Decimal(0)
        recorded = 0
        for number, (ideas_open, ideas_close, alloc_open, alloc_close) in enumerate(dates, 1):
            left = pot - awarded
            if left <= 0:
                break
            round_pot = left if number == len(dates) else (left / 2).quantize(Decimal("1"))
            round_pot = min(round_pot, left)
            created = fund_created if number == 1 else ideas_open - timedelta(days=7)
            closed = alloc_close + timedelta(minutes=1) if alloc_close <= self.now else None
            fixed = alloc_open + timedelta(minutes=1) if alloc_open <= self.now else None
            round_id = self.loader.add(
                Round, fund_id=fund_id, number=number, pot=round_pot, ideas_open_at=ideas_open,
                ideas_close_at=ideas_close, allocation_opens_at=alloc_open,
                allocation_closes_at=alloc_close, points_per_member=100,
                electorate_fixed_at=fixed, closed_at=closed, created_by_id=steward.user_id,
                created_at=created,
            )  # fmt: skip
            round_url = f"{fund_url}#round-{number}"
            if number == 1:
                self.activity(
                    place, steward.user_id, "fund", "opened",
                    f"{steward.name} opened the fund “{fund_name}” with {pounds(pot)}; ideas "
                    f"open {timezone.localtime(ideas_open):%-d %B}",
                    url=fund_url, target=(Fund, fund_id), when=created,
                )  # fmt: skip
            else:
                self.activity(
                    place, steward.user_id, "fund", "round_added",
                    f"{steward.name} added Round {number} to “{fund_name}”: ideas open "
                    f"{timezone.localtime(ideas_open):%-d %B}, {pounds(round_pot)} to allocate",
                    url=round_url, target=(Fund, fund_id), when=created,
                )  # fmt: skip
            ideas = self.write_ideas(
                place, fund_id, fund_name, round_id, round_pot, ideas_open,
                min(ideas_close, self.now),
            )  # fmt: skip
            if fixed is None:
                continue
            took_part, totals = self.write_allocation(
                place, fund_id, fund_name, fund_url, round_id, number, ideas, fixed,
                min(alloc_close, self.now),
            )  # fmt: skip
            if closed is None:
                continue
            awarded += self.write_result(
                place, fund_id, fund_name, round_id, number, round_url, ideas, totals,
                took_part, available=min(round_pot, pot - awarded), closed=closed,
            )  # fmt: skip
            recorded += 1
        return recorded

    def round_dates(self, state: str, rounds: int) -> list[tuple[datetime, ...]]:
        """Dates of each round (ideas open, ideas close, points open, points close), oldest
        first, so that the last round is in ``state`` now."""
        rng, now = self.rng, self.now
        if state == "closed":
            alloc_close = now - timedelta(days=rng.uniform(3, 600))
        elif state == "allocating":
            alloc_close = now + timedelta(days=rng.uniform(2, 14))
        else:
            alloc_close = now + timedelta(days=rng.uniform(30, 60))
        alloc_open = {
            "closed": alloc_close - timedelta(days=rng.uniform(10, 21)),
            "allocating": now - timedelta(days=rng.uniform(1, 7)),
        }.get(state, alloc_close - timedelta(days=14))
        ideas_close = {
            "between": now - timedelta(days=rng.uniform(1, 3)),
            "ideas": now + timedelta(days=rng.uniform(3, 14)),
            "upcoming": now + timedelta(days=rng.uniform(10, 20)),
        }.get(state, alloc_open - timedelta(days=rng.uniform(1, 7)))
        if ideas_close > alloc_open:
            alloc_open = ideas_close + timedelta(days=3)
        ideas_open = {
            "ideas": now - timedelta(days=rng.uniform(3, 20)),
            "upcoming": now + timedelta(days=rng.uniform(2, 6)),
        }.get(state, ideas_close - timedelta(days=rng.uniform(20, 35)))
        last = tuple(
            d.replace(microsecond=0) for d in (ideas_open, ideas_close, alloc_open, alloc_close)
        )
        dates = [last]
        for _ in range(rounds - 1):
            gap = timedelta(days=rng.uniform(40, 120))
            earlier = tuple(d - (last[3] - last[0]) - gap for d in last)
            dates.insert(0, earlier)
        return dates

    def write_ideas(
        self,
        place: PlaceInfo,
        fund_id: int,
        fund_name: str,
        round_id: int,
        round_pot: Decimal,
        start: datetime,
        end: datetime,
    ) -> list[IdeaPlan]:
        rng, words = self.rng, self.words
        if end <= start:
            return []
        ideas: list[IdeaPlan] = []
        for _ in range(rng.randint(3, 10)):
            topic = rng.choice(place.topics)
            proposer = self.pick_member(place)
            when = self.between(start, end)
            amount = Decimal(max(50, int(round_pot * Decimal(rng.uniform(0.05, 0.4)) / 50) * 50))
            amount = min(amount, round_pot)
            org = rng.choice(ORGANISATIONS) if rng.random() < 0.6 else ""
            org_id = ""
            if org and rng.random() < 0.3:
                org_id = f"GB-CHC-{rng.randint(1_000_000, 1_199_999)}"
            cycle = rng.choice(place.cycles) if place.cycles and rng.random() < 0.25 else None
            version = 2 if rng.random() < 0.2 else 1
            fields: dict[str, Any] = {
                "title": words.idea_title(topic), "description": words.idea_description(topic),
                "amount": amount, "who": f"Volunteers from {org or 'the street'} and residents",
                "organisation_name": org, "organisation_org_id": org_id,
                "learning": words.idea_learning(topic),
            }  # fmt: skip
            revised = self.between(when, end) if version == 2 else when
            idea_id = self.loader.add(
                Idea, round_id=round_id, proposer_id=proposer.user_id,
                cycle_id=cycle[0] if cycle else None, version=version, created_at=when,
                updated_at=revised, **fields,
            )  # fmt: skip
            idea_url = self.url["idea"].format(slug=place.slug, fund_id=fund_id, idea_id=idea_id)
            mission = rng.choice(place.missions) if place.missions and rng.random() < 0.5 else None
            if mission:
                self.loader.add(Idea.missions.through, idea_id=idea_id, mission_id=mission[0])
            for number in range(1, version + 1):
                self.loader.add(
                    IdeaVersion, idea_id=idea_id, number=number,
                    missions=[mission[1]] if mission else [],
                    cycle_title=cycle[1] if cycle else "",
                    note="First proposed" if number == 1 else "Revised",
                    edited_by_id=proposer.user_id, created_at=when if number == 1 else revised,
                    **fields,
                )  # fmt: skip
            tied = {proposer.user_id}
            self.loader.add(
                InterestTie, idea_id=idea_id, user_id=proposer.user_id, kind="proposer",
                created_at=when,
            )  # fmt: skip
            self.activity(
                place, proposer.user_id, "fund", "proposed",
                f"{proposer.name} proposed “{fields['title']}” ({pounds(amount)}) for {fund_name}",
                url=idea_url, target=(Idea, idea_id), when=when,
            )  # fmt: skip
            if version == 2:
                self.activity(
                    place, proposer.user_id, "fund", "revised",
                    f"{proposer.name} revised “{fields['title']}” (version 2)",
                    url=idea_url, target=(Idea, idea_id), when=revised,
                )  # fmt: skip
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                person = self.pick_member(place)
                if person.user_id in tied:
                    continue
                tied.add(person.user_id)
                joined = self.between(when, end)
                self.loader.add(
                    CoDesigner, idea_id=idea_id, user_id=person.user_id, joined_at=joined
                )
                self.loader.add(
                    InterestTie, idea_id=idea_id, user_id=person.user_id, kind="codesigner",
                    created_at=joined,
                )  # fmt: skip
                self.activity(
                    place, person.user_id, "fund", "joined_idea",
                    f"{person.name} joined “{fields['title']}” as a co-designer",
                    url=idea_url, target=(Idea, idea_id), when=joined,
                )  # fmt: skip
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                person = self.pick_member(place)
                said = self.between(when, end)
                comment_id = self.loader.add(
                    IdeaComment, idea_id=idea_id, author_id=person.user_id,
                    text=words.comment(topic), created_at=said,
                )  # fmt: skip
                self.activity(
                    place, person.user_id, "fund", "commented",
                    f"{person.name} commented on the idea “{fields['title']}”",
                    url=f"{idea_url}#comment-{comment_id}", target=(IdeaComment, comment_id),
                    when=said,
                )  # fmt: skip
            ideas.append(
                IdeaPlan(idea_id, fields["title"], amount, when, cycle[0] if cycle else None,
                         proposer.user_id, org, org_id, tied)
            )  # fmt: skip
        return ideas

    def write_allocation(
        self,
        place: PlaceInfo,
        fund_id: int,
        fund_name: str,
        fund_url: str,
        round_id: int,
        number: int,
        ideas: list[IdeaPlan],
        fixed: datetime,
        end: datetime,
    ) -> tuple[list[Member], dict[int, int]]:
        """The electorate (every member when points opened) and the quarter who placed points."""
        rng = self.rng
        self.activity(
            place, None, "fund", "allocation_opened",
            f"Points are open in {fund_name}, Round {number}: {len(place.members)} members can "
            f"spread 100 points each over {len(ideas)} ideas",
            url=f"{fund_url}#round-{number}", target=(Fund, fund_id),
            when=fixed,
        )  # fmt: skip
        took_part: list[Member] = []
        totals: dict[int, int] = {}
        for member in place.members:
            placed = None
            points: list[tuple[int, int]] = []
            if ideas and rng.random() < 0.25:
                free = [i for i in ideas if member.user_id not in i.tied]
                if free:
                    chosen = rng.sample(free, min(len(free), rng.randint(1, 3)))
                    shares = split(rng.choice([60, 80, 100]), [rng.random() + 0.2 for _ in chosen])
                    points = [(i.id, n) for i, n in zip(chosen, shares, strict=True) if n > 0]
                    placed = self.between(fixed, end)
            allocator_id = self.loader.add(
                Allocator, round_id=round_id, user_id=member.user_id, fixed_at=fixed,
                first_placed_at=placed, updated_at=placed,
            )  # fmt: skip
            if not points or placed is None:
                continue
            took_part.append(member)
            for idea_id, n in points:
                self.loader.add(
                    Points, allocator_id=allocator_id, idea_id=idea_id, points=n, updated_at=placed
                )
                totals[idea_id] = totals.get(idea_id, 0) + n
            self.activity(
                place, member.user_id, "fund", "allocated",
                f"{member.name} spread their points in {fund_name}, Round {number}",
                url=f"{fund_url}#round-{number}", target=(Fund, fund_id),
                when=placed, perspectives=member.perspectives,
            )  # fmt: skip
        return took_part, totals

    def write_result(
        self,
        place: PlaceInfo,
        fund_id: int,
        fund_name: str,
        round_id: int,
        number: int,
        round_url: str,
        ideas: list[IdeaPlan],
        totals: dict[int, int],
        took_part: list[Member],
        *,
        available: Decimal,
        closed: datetime,
    ) -> Decimal:
        """The round's result as ``governance.funds.round_close`` writes it; returns the sum
        awarded."""
        ranking = fund_rules.rank_ideas(
            [Idea(pk=i.id, title=i.title, amount=i.amount, created_at=i.created) for i in ideas],
            totals,
            available,
        )
        by_id = {i.id: i for i in ideas}
        funded = [r for r in ranking if r.funded]
        awarded = sum((r.idea.amount for r in funded), Decimal("0"))
        points_total = sum(totals.values())
        electorate = len(place.members)
        title = f"{fund_name}, Round {number}: how the money is shared"[:150]
        if funded:
            outcome = (
                f"{len(funded)} of {len(ideas)} ideas funded, {pounds(awarded)} in all: "
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
            + "\n".join(f"- {line}" for line in fund_rules.ALLOCATION_RULE)
            + "\n\nThe ranking, with the points each idea received:\n\n"
            + "\n".join(
                f"{r.rank}. {r.idea.title}: {r.points} points, asked {pounds(r.idea.amount)}. "
                f"{r.why}"
                for r in ranking
            )
        )
        decided_on = timezone.localdate(closed)
        state: dict[str, Any] = {
            "id": self.loader.new_id(Decision), "place_id": place.id, "title": title,
            "question": f"How should the {pounds(available)} available in Round {number} of "
            f"“{fund_name}” be shared among the ideas members proposed?",
            "options": clean_options(
                [
                    {"title": r.idea.title[:150],
                     "description": f"Rank {r.rank}, {r.points} points, asked "
                     f"{pounds(r.idea.amount)}. {r.why}"}
                    for r in ranking
                ]
            ),
            "method": "allocation", "owner_id": None, "body_name": "",
            "mandate": "The fund's rule was published on its page before allocation opened, and "
            "every member of the place when allocation opened could allocate.",
            "place_view": "", "centre_view": "", "centre_view_by_id": None, "status": "decided",
            "input_closes_on": None, "decided_on": decided_on, "review_by": None,
            "method_result": (
                f"{len(ideas)} ideas; {len(took_part)} of {electorate} members allocated "
                f"{points_total:,} points; {len(funded)} funded "
                f"({pounds(awarded)} of {pounds(available)})"
            )[:300],
            "outcome": outcome[:5000], "reasoning": reasoning[:10000], "rescind_reason": "",
            "supersedes_id": None, "revision": 1, "recorded_by_platform": True, "version": 1,
            "created_by_id": None, "created_at": closed, "opened_at": closed,
            "decided_at": closed, "review_started_at": None, "closed_at": None,
            "updated_at": closed,
        }  # fmt: skip
        decision_id = state["id"]
        context = {"user": None, "via": "fund"}
        self.loader.add(Decision, **state)
        self.decision_event(state, "recorded", closed, context)
        for member in sorted(took_part, key=lambda m: m.user_id):
            row = self.decider(decision_id, member.user_id, None, closed, context, listed_only=True)
            self.loader.add(Decider, **row)
        self.loader.add(
            Implementation, decision_id=decision_id, created_at=closed, updated_at=closed
        )
        for r in funded:
            idea = by_id[r.idea.pk]
            self.loader.add(
                Award, round_id=round_id, idea_id=idea.id, amount=idea.amount,
                recipient_name=idea.organisation or "Individual recipient",
                recipient_org_id=idea.org_id, to_individuals=not idea.organisation,
                awarded_on=decided_on, rank=r.rank, points=r.points, decision_id=decision_id,
                cycle_id=idea.cycle_id, created_at=closed,
            )  # fmt: skip
        self.loader.add(
            RoundResult, round_id=round_id, computed_at=closed,
            ranking=[
                {"idea": r.idea.pk, "title": r.idea.title, "amount": str(r.idea.amount),
                 "points": r.points, "rank": r.rank, "funded": r.funded, "why": r.why}
                for r in ranking
            ],
            allocators=len(took_part), electorate=electorate, points_total=points_total,
            awarded_total=awarded, decision_id=decision_id,
        )  # fmt: skip
        self.activity(
            place, None, "decision", "decided",
            f"Decided by participatory allocation: “{title}”. {outcome}",
            url=self.url["decision"].format(slug=place.slug, pk=decision_id),
            target=(Decision, decision_id), when=closed,
        )  # fmt: skip
        self.activity(
            place, None, "fund", "awarded",
            f"{fund_name}, Round {number} closed: {len(funded)} "
            f"idea{'' if len(funded) == 1 else 's'} funded, {pounds(awarded)} awarded",
            url=round_url, target=(Fund, fund_id), when=closed,
        )  # fmt: skip
        return awarded

    # --- Decisions ----------------------------------------------------------------------------

    def decision_event(
        self, state: dict[str, Any], label: str, when: datetime, context: dict[str, Any]
    ) -> None:
        self.loader.add(
            DecisionEvent, **state, pgh_obj_id=state["id"], pgh_created_at=when, pgh_label=label,
            pgh_context=context,
        )  # fmt: skip

    def step(self, state: dict[str, Any], when: datetime, by: int | None, **changes: Any) -> None:
        """One change to a published decision: the row moves on and pghistory's trigger would
        have written a snapshot of it."""
        state.update(changes)
        state["version"] += 1
        state["updated_at"] = when
        context: dict[str, Any] = {"user": by}
        if by is None:
            context["via"] = "schedule"
        self.decision_event(state, "changed", when, context)

    def decider(
        self,
        decision_id: int,
        user_id: int,
        added_by: int | None,
        when: datetime,
        context: dict[str, Any],
        *,
        listed_only: bool = False,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.loader.new_id(Decider), "decision_id": decision_id, "user_id": user_id,
            "added_by_id": added_by, "added_at": when, "listed_only": listed_only,
            "stated_at": None, "no_interest": False, "interest_ids": [],
        }  # fmt: skip
        self.loader.add(
            DeciderEvent, **row, pgh_obj_id=row["id"], pgh_created_at=when, pgh_label="named",
            pgh_context=context,
        )  # fmt: skip
        return row

    def build_decisions(self, total: int) -> None:
        rng = self.rng
        revised = round(total * REVISED_SHARE) if total >= 10 else 0
        originals = total - revised
        counts = split(originals - revised, [share for _, share in DECISION_STATUSES])
        statuses = [
            s for (s, _), n in zip(DECISION_STATUSES, counts, strict=True) for _ in range(n)
        ]
        statuses += ["revised"] * revised
        rng.shuffle(statuses)
        per_place = split(originals, [len(p.members) ** 0.7 for p in self.places])
        plans: list[tuple[PlaceInfo, str]] = []
        for place, n in zip(self.places, per_place, strict=True):
            plans += [(place, statuses[len(plans) + i]) for i in range(n)]
        # Inputs go to every published decision, and to each revision.
        slots = [(i, False) for i, (_, s) in enumerate(plans) if s != "draft"]
        slots += [(i, True) for i, (_, s) in enumerate(plans) if s == "revised"]
        weights = [
            min(rng.paretovariate(1.8), 12.0) * (0.6 if plans[i][1] == "open" else 1.0)
            for i, _ in slots
        ]
        inputs: dict[tuple[int, bool], int] = dict(
            zip(slots, split(self.plan.inputs, weights), strict=True)
        )
        for i, (place, status) in enumerate(plans):
            self.write_decision(place, status, inputs.get((i, False), 0), inputs.get((i, True), 0))
            if i % 200 == 0:
                self.tick("decisions", i, len(plans))
        self.tick("decisions", len(plans), len(plans))

    def decision_times(self, status: str, place: PlaceInfo) -> tuple[datetime, datetime | None]:
        """When it was drafted and when it opened for input."""
        rng, now = self.rng, self.now
        if status == "draft":
            created = now - timedelta(days=rng.uniform(1, 60))
            return max(created, place.active_from), None
        if status == "open":
            opened = now - timedelta(days=rng.uniform(1, 13))
        elif status == "deciding":
            opened = now - timedelta(days=rng.uniform(22, 36))
        else:
            latest = {"decided": 60, "review": 220, "rescinded": 160, "revised": 420}[status]
            opened = self.between(place.active_from, now - timedelta(days=latest))
        opened = opened.replace(microsecond=0)
        return opened - timedelta(days=rng.uniform(1, 10)), opened

    def write_decision(
        self,
        place: PlaceInfo,
        status: str,
        inputs: int,
        revision_inputs: int,
        *,
        original: dict[str, Any] | None = None,
        start: datetime | None = None,
    ) -> dict[str, Any]:
        """One decision from its draft to ``status``, with its people, evidence, inputs,
        responses, history and timeline rows. A revision is written by its original's call."""
        rng, words, now = self.rng, self.words, self.now
        topic = rng.choice(place.topics)
        owner = rng.choice(place.stewards)
        if original is None:
            created, opened = self.decision_times(status, place)
        else:
            assert start is not None
            created = start
            opened = start + timedelta(days=rng.uniform(1, 5))
        decision_id = self.loader.new_id(Decision)
        url = self.url["decision"].format(slug=place.slug, pk=decision_id)
        method = rng.choice(["consent", "consensus", "majority", "delegated", "advice"])
        centre = [m for m in place.members if "centre" in m.perspectives]
        centre_by = rng.choice(centre) if centre and rng.random() < 0.3 else None
        state: dict[str, Any] = {
            "id": decision_id, "place_id": place.id,
            "title": original["title"] if original else words.decision_title(topic),
            "question": original["question"] if original else words.decision_question(topic),
            "options": original["options"] if original else words.options(topic),
            "method": original["method"] if original else method, "owner_id": owner.user_id,
            "body_name": "The partnership board" if method == "delegated" else "",
            "mandate": words.mandate(), "place_view": words.place_view(topic),
            "centre_view": words.centre_view() if centre_by else "",
            "centre_view_by_id": centre_by.user_id if centre_by else None, "status": "draft",
            "input_closes_on": None, "decided_on": None, "review_by": None,
            "method_result": "", "outcome": "", "reasoning": "", "rescind_reason": "",
            "supersedes_id": original["id"] if original else None,
            "revision": original["revision"] + 1 if original else 1,
            "recorded_by_platform": False, "version": 1, "created_by_id": owner.user_id,
            "created_at": created, "opened_at": None, "decided_at": None,
            "review_started_at": None, "closed_at": None, "updated_at": created,
        }  # fmt: skip
        by_owner = {"user": owner.user_id}
        # While it is a draft: the deciders are named and evidence linked (their history rows
        # are written; the decision's own history starts when it is published).
        k = min(len(place.members), rng.randint(1, 4))
        deciders = [
            self.decider(decision_id, m.user_id, owner.user_id, created + timedelta(hours=1),
                         by_owner)
            for m in rng.sample(place.members, k)
        ]  # fmt: skip
        state["version"] += 1
        earlier_cycles = [c for c in place.cycles if c[2] < created]
        linked = rng.sample(earlier_cycles, min(len(earlier_cycles), rng.choice([0, 1, 1, 2])))
        for cycle_id, _title, _ in linked:
            row = {
                "id": self.loader.new_id(Evidence), "decision_id": decision_id,
                "cycle_id": cycle_id, "entry_id": None,
                "note": "What this cycle found shaped the options.",
                "added_by_id": owner.user_id, "added_at": created + timedelta(hours=2),
            }  # fmt: skip
            self.loader.add(Evidence, **row)
            self.loader.add(
                EvidenceEvent, **row, pgh_obj_id=row["id"], pgh_created_at=row["added_at"],
                pgh_label="added", pgh_context=by_owner,
            )  # fmt: skip
            state["version"] += 1
        if opened is None:  # a draft
            self.loader.add(Decision, **state)
            return state
        # Open for input.
        today = self.today
        if status == "open":
            closes_on = today + timedelta(days=rng.randint(1, 14))
        elif status == "deciding":
            closes_on = today - timedelta(days=rng.randint(1, 8))
        else:
            closes_on = timezone.localdate(opened) + timedelta(days=rng.randint(14, 28))
        title = state["title"]
        self.step(state, opened, owner.user_id, status="open", opened_at=opened,
                  input_closes_on=closes_on)  # fmt: skip
        self.activity(
            place, owner.user_id, "decision", "opened",
            f"{owner.name} opened “{title}” for input until {closes_on:%-d %B %Y}",
            url=url, target=(Decision, decision_id), when=opened,
        )  # fmt: skip
        closing = _at(closes_on + DAY, 0, 15)
        rescind_early = status == "rescinded" and rng.random() < 0.3
        via_deciding = status == "deciding" or (status not in ("open",) and rng.random() < 0.7)
        if status == "open":
            input_end = now
        elif rescind_early:
            input_end = opened + (closing - opened) * rng.uniform(0.3, 0.9)
        elif via_deciding:
            input_end = closing
        else:  # decided early, before input was due to close
            input_end = opened + (closing - opened) * rng.uniform(0.5, 0.95)
        decided_at: datetime | None = None
        if status not in ("open", "deciding") and not rescind_early:
            decided_at = (
                closing + timedelta(days=rng.uniform(1, 20)) if via_deciding else input_end
            ).replace(microsecond=0)
        # Deciders state their interests while it is open.
        must_state = status not in ("open",) and not rescind_early
        statements: list[tuple[datetime, dict[str, Any]]] = []
        for row in deciders:
            if must_state or rng.random() < 0.5:
                statements.append((self.between(opened, input_end), row))
        moments: list[tuple[datetime, str, Any]] = [(t, "state", r) for t, r in statements]
        # Inputs and their responses.
        answer_share = 1.0 if decided_at else (0.3 if status in ("open", "rescinded") else 0.7)
        responders = [owner.user_id] + [r["user_id"] for r in deciders]
        for _ in range(inputs):
            author = self.pick_member(place)
            given = self.between(opened, input_end)
            moments.append((given, "input", (author, given)))
        moments.sort(key=lambda m: m[0])
        answer_by = decided_at or (input_end if rescind_early else now)
        for when, what, payload in moments:
            if what == "state":
                row = payload
                own = place.interests.get(row["user_id"], [])
                ids = own if own and rng.random() < 0.5 else []
                event_row = dict(row, stated_at=when, no_interest=not ids, interest_ids=ids)
                self.loader.add(
                    DeciderEvent, **event_row, pgh_obj_id=row["id"], pgh_created_at=when,
                    pgh_label="stated", pgh_context={"user": row["user_id"]},
                )  # fmt: skip
                row.update(stated_at=when, no_interest=not ids, interest_ids=ids)
                self.step(state, when, row["user_id"])
                stated = (
                    "no related interest" if not ids
                    else f"{len(ids)} related interest{'s' if len(ids) != 1 else ''}"
                )  # fmt: skip
                self.activity(
                    place, row["user_id"], "decision", "interests_stated",
                    f"{self.names[row['user_id']]} stated {stated} on “{title}”",
                    url=url, target=(Decision, decision_id), when=when,
                )  # fmt: skip
                continue
            author, given = payload
            self.write_input(
                place, state, url, author, given,
                answer=(self.between(given, answer_by), rng.choice(responders))
                if rng.random() < answer_share else None,
            )  # fmt: skip
        for row in deciders:
            self.loader.add(Decider, **row)
        if rescind_early:
            when = input_end.replace(microsecond=0)
            reason = words.rescind_reason()
            self.step(state, when, owner.user_id, status="rescinded", rescind_reason=reason,
                      closed_at=when)  # fmt: skip
            self.activity(
                place, owner.user_id, "decision", "rescinded", f"Rescinded: “{title}”. {reason}",
                url=url, target=(Decision, decision_id), when=when,
            )  # fmt: skip
            self.loader.add(Decision, **state)
            return state
        if via_deciding:
            self.step(state, closing, None, status="deciding")
            n = inputs
            self.activity(
                place, None, "decision", "input_closed",
                f"Input closed on “{title}” with {n} input{'s' if n != 1 else ''}",
                url=url, target=(Decision, decision_id), when=closing,
            )  # fmt: skip
        if decided_at is None:
            self.loader.add(Decision, **state)
            return state
        decided_on = timezone.localdate(decided_at)
        outcome = words.outcome(topic)
        review_by: date | None = None
        if status == "review":
            days = (today - decided_on).days
            wait = rng.randint(max(1, days // 2), max(1, days - 1))
            review_by = decided_on + timedelta(days=wait)
        elif rng.random() < 0.7:
            review_by = max(
                decided_on + timedelta(days=rng.randint(180, 400)),
                today + timedelta(days=rng.randint(1, 200)),
            )
        yes = rng.randint(5, 14)
        result = METHOD_RESULTS[state["method"]].format(yes=yes, no=rng.randint(0, yes - 1))
        self.step(
            state, decided_at, owner.user_id, status="decided", outcome=outcome,
            reasoning=words.reasoning(topic),
            method_result=result,
            decided_on=decided_on, review_by=review_by, decided_at=decided_at,
            input_closes_on=min(closes_on, decided_on),
        )  # fmt: skip
        self.activity(
            place, owner.user_id, "decision", "decided", f"Decided: “{title}”. {outcome}",
            url=url, target=(Decision, decision_id), when=decided_at,
        )  # fmt: skip
        if original is not None:
            self.step(original, decided_at, owner.user_id, status="revised", closed_at=decided_at)
            self.activity(
                place, owner.user_id, "decision", "revised",
                f"“{original['title']}” was revised by version {state['revision']}",
                url=url, target=(Decision, original["id"]), when=decided_at,
            )  # fmt: skip
        self.write_implementation(place, state, url, owner, decided_at)
        if status == "review":
            assert review_by is not None
            started = _at(review_by, 0, 15)
            self.step(state, started, None, status="review", review_started_at=started)
            self.activity(
                place, None, "decision", "review", f"“{title}” is due for review",
                url=url, target=(Decision, decision_id), when=started,
            )  # fmt: skip
        elif status == "rescinded":
            when = min(decided_at + timedelta(days=rng.uniform(5, 100)), now - DAY)
            reason = words.rescind_reason()
            self.step(state, when, owner.user_id, status="rescinded", rescind_reason=reason,
                      closed_at=when)  # fmt: skip
            self.activity(
                place, owner.user_id, "decision", "rescinded", f"Rescinded: “{title}”. {reason}",
                url=url, target=(Decision, decision_id), when=when,
            )  # fmt: skip
        elif status == "revised":
            begun = decided_at + timedelta(days=rng.uniform(20, 150))
            self.step(state, begun, owner.user_id)
            self.activity(
                place, owner.user_id, "decision", "revision_started",
                f"{owner.name} started a revision of “{title}”",
                url=url, target=(Decision, decision_id), when=begun,
            )  # fmt: skip
            # The revision's own row and history come first; its decision moves this one to
            # "revised", which is written into ``state`` before this row is added.
            self.write_decision(place, "decided", revision_inputs, 0, original=state, start=begun)
        self.loader.add(Decision, **state)
        return state

    def write_input(
        self,
        place: PlaceInfo,
        decision: dict[str, Any],
        url: str,
        author: Member,
        given: datetime,
        *,
        answer: tuple[datetime, int] | None,
    ) -> None:
        rng, words = self.rng, self.words
        topic = rng.choice(place.topics)
        stance = rng.choices(["support", "concern", "objection", "question"], [40, 30, 10, 20])[0]
        row = {
            "id": self.loader.new_id(Input), "hidden_at": None, "hidden_reason": "",
            "hidden_by_id": None, "decision_id": decision["id"], "author_id": author.user_id,
            "author_perspectives": author.perspectives, "stance": stance,
            "text": words.input_text(topic, stance), "created_at": given, "edited_at": None,
        }  # fmt: skip
        self.loader.add(Input, **row)
        self.loader.add(
            InputEvent, **row, pgh_obj_id=row["id"], pgh_created_at=given, pgh_label="given",
            pgh_context={"user": author.user_id},
        )  # fmt: skip
        input_url = f"{url}#input-{row['id']}"
        title = decision["title"]
        self.activity(
            place, author.user_id, "decision_input", "gave",
            f"{author.name} gave input ({stance}) on “{title}”",
            url=input_url, target=(Input, row["id"]), when=given,
            perspectives=author.perspectives,
        )  # fmt: skip
        if answer is None:
            return
        when, responder = answer
        disposition = (
            "answered"
            if stance == "question" and rng.random() < 0.7
            else rng.choices(["adopted", "adapted", "not_adopted"], [35, 30, 35])[0]
        )
        response = {
            "id": self.loader.new_id(Response), "input_id": row["id"], "author_id": responder,
            "disposition": disposition, "text": words.response_text(disposition),
            "created_at": when, "edited_at": None,
        }  # fmt: skip
        self.loader.add(Response, **response)
        self.loader.add(
            ResponseEvent, **response, pgh_obj_id=response["id"], pgh_created_at=when,
            pgh_label="given", pgh_context={"user": responder},
        )  # fmt: skip
        shown = {"not_adopted": "not adopted"}.get(disposition, disposition)
        self.activity(
            place, responder, "decision_input", "responded",
            f"{self.names[responder]} responded to input on “{title}”: {shown}",
            url=input_url, target=(Input, row["id"]), when=when,
        )  # fmt: skip

    def write_implementation(
        self, place: PlaceInfo, state: dict[str, Any], url: str, owner: Member, decided: datetime
    ) -> None:
        rng = self.rng
        age = (self.now - decided).days
        status, progress = (
            ("not_started", 0) if age < 20
            else rng.choice([("in_progress", 40), ("in_progress", 70), ("done", 100),
                             ("stalled", 30), ("done", 100)])
        )  # fmt: skip
        implementation_id = self.loader.add(
            Implementation, decision_id=state["id"], responsible_id=owner.user_id, status=status,
            progress=progress, created_at=decided, updated_at=decided,
        )  # fmt: skip
        implementation_url = self.url["implementation"].format(slug=place.slug, pk=state["id"])
        for n in range(rng.randint(0, 2)):
            due = timezone.localdate(decided) + timedelta(days=30 * (n + 1))
            self.loader.add(
                Milestone, implementation_id=implementation_id,
                title=("Venue and dates agreed", "First sessions running")[n], due_on=due,
                done_on=due if due < self.today and status == "done" else None,
                created_at=decided,
            )  # fmt: skip
        if status == "not_started":
            return
        for _ in range(rng.randint(1, 2)):
            when = self.between(decided, self.now - DAY)
            text = self.words.progress_text()
            self.loader.add(
                ProgressUpdate, implementation_id=implementation_id, author_id=owner.user_id,
                text=text, status=status, progress=progress, created_at=when,
            )  # fmt: skip
            label = str(dict(Implementation._meta.get_field("status").flatchoices)[status]).lower()
            self.activity(
                place, owner.user_id, "implementation", "progress",
                f"Progress on “{state['title']}”: {label}, {progress}%. {text}",
                url=implementation_url, target=(Decision, state["id"]), when=when,
            )  # fmt: skip


# --- Plans kept between steps -------------------------------------------------------------------


@dataclass
class CyclePlan:
    place: PlaceInfo
    status: str
    created: datetime
    end: datetime
    moves: list[tuple[str, datetime]]
    topic: Topic
    participants: list[Member]
    measures: list[tuple[str, str, str, str]]
    logged: int = 0
    readings: int = 0

    @property
    def span_days(self) -> float:
        return max(1.0, (self.end - self.created).total_seconds() / 86400)


@dataclass
class IdeaPlan:
    id: int
    title: str
    amount: Decimal
    created: datetime
    cycle_id: int | None
    proposer: int
    organisation: str
    org_id: str
    tied: set[int]


def _at(day: date, hour: int, minute: int) -> datetime:
    """A local time on a day, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- The anonymous page cache's versions -------------------------------------------------------

PAGE_CACHE = "relational_pagecache"


def page_cache_triggers() -> list[tuple[str, str]]:
    """The page cache's triggers on the loaded tables (``relational.pageversions``): each would
    queue one event per row, run at commit. They are disabled for the load, and every place's
    version is bumped once instead (:func:`bump_page_versions`)."""
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE tgname = %s AND tgrelid = ANY(%s::regclass[]) ORDER BY 1",
            [PAGE_CACHE, tables],
        )
        return [(table, name) for table, name in cursor.fetchall()]


def bump_page_versions(place_ids: list[int]) -> None:
    """What the page cache's triggers would have done for a transaction touching every place
    (and row 0, display names): a new version row starts at a random number, so no page cached
    from an earlier database can match; an existing one moves on by one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('relational_pageversion')")
        if cursor.fetchone()[0] is None:
            return
        cursor.execute(
            "INSERT INTO relational_pageversion AS v (place_id, version, changed_at) "
            "SELECT id, 1 + floor(random() * 2147483647)::bigint, clock_timestamp() "
            "FROM unnest(%s::bigint[]) AS id "
            "ON CONFLICT (place_id) DO UPDATE "
            "SET version = v.version + 1, changed_at = clock_timestamp()",
            [[0, *place_ids]],
        )


# --- The library's search words -------------------------------------------------------------------

REFRESH_CYCLE_SEARCH = """
WITH missions AS (
    SELECT cm.learningcycle_id AS cycle_id,
           string_agg(m.text, ' ' ORDER BY m.position, m.id) AS texts
    FROM learning_learningcycle_missions cm JOIN places_mission m ON m.id = cm.mission_id
    GROUP BY cm.learningcycle_id
), bodies AS (
    SELECT cycle_id, string_agg(body, ' ' ORDER BY created_at, id) AS texts
    FROM learning_entry WHERE visibility = 'public' AND hidden_at IS NULL
    GROUP BY cycle_id
)
UPDATE learning_learningcycle c SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, c.title), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, c.learned || ' ' || c.differently), 'A')
    || setweight(to_tsvector(%(config)s::regconfig,
                             c.question || ' ' || c.intent || ' ' || COALESCE(m.texts, '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, c.stopped_reason), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, left(COALESCE(b.texts, ''), 500000)), 'C')
FROM learning_learningcycle c2
LEFT JOIN missions m ON m.cycle_id = c2.id
LEFT JOIN bodies b ON b.cycle_id = c2.id
WHERE c2.id = c.id AND c.search_vector IS NULL
"""


def refresh_cycle_search() -> None:
    """Fill the stored search vector of every cycle that has none, with the words
    ``learning.services.cycle_refresh_search`` would put there (in one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_CYCLE_SEARCH, {"config": SEARCH_CONFIG})
