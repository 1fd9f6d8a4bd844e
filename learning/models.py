"""Learning cycles and what is logged in them (see DOMAIN.md, "Test and learn").

A :class:`LearningCycle` is one test-and-learn loop in a place. Its timeline is made of
:class:`Entry` rows (actions, stories, data points, reflections, adaptations, and the moves from
one status to the next). :class:`Measure` and :class:`Reading` carry the live numbers; a
:class:`PromptQuestion` is a good question to reflect on and a :class:`PromptDelivery` is one
participant's prompt for one period, at most once (its unique key).

Rules that belong to one object live here (which status may follow which, who may see an
entry); operations over several rows are in ``learning.services``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from places.models import Hideable, Place

# An author may change an entry freely for this long; after that each edit keeps a version.
FREE_EDIT_WINDOW = timedelta(minutes=15)


# --- Choices ------------------------------------------------------------------------------------


class RelationshipLevel(models.TextChoices):
    PRACTITIONER_PERSON = "practitioner_person", "Practitioner and person"
    MANAGER_PRACTITIONER = "manager_practitioner", "Manager and practitioner"
    LEADER_MANAGER = "leader_manager", "Leader and manager"
    COMMISSIONER_LEADER = "commissioner_leader", "Commissioner and service leader"
    POLICY_COMMISSIONER = "policy_commissioner", "Policy maker and commissioner"


class Horizon(models.TextChoices):
    H1 = "h1", "H1: today’s system"
    H2 = "h2", "H2: the transition"
    H3 = "h3", "H3: the future we are growing"


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    NONE = "none", "No prompts"


class Scale(models.TextChoices):
    PERSON = "person", "A person"
    TEAM = "team", "A team"
    ORGANISATION = "organisation", "An organisation"
    PLACE = "place", "The whole place"


class CycleStatus(models.TextChoices):
    FRAMING = "framing", "Framing"
    TESTING = "testing", "Testing"
    REFLECTING = "reflecting", "Reflecting"
    ADAPTING = "adapting", "Adapting"
    CONCLUDED = "concluded", "Concluded"
    STOPPED = "stopped", "Stopped"


#: Which statuses may follow which. Adapting may go round again to testing: that is the loop.
#: Any open status may stop (with a reason).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    CycleStatus.FRAMING: (CycleStatus.TESTING, CycleStatus.STOPPED),
    CycleStatus.TESTING: (CycleStatus.REFLECTING, CycleStatus.STOPPED),
    CycleStatus.REFLECTING: (CycleStatus.ADAPTING, CycleStatus.CONCLUDED, CycleStatus.STOPPED),
    CycleStatus.ADAPTING: (CycleStatus.TESTING, CycleStatus.CONCLUDED, CycleStatus.STOPPED),
    CycleStatus.CONCLUDED: (),
    CycleStatus.STOPPED: (),
}
CLOSED_STATUSES = frozenset({CycleStatus.CONCLUDED, CycleStatus.STOPPED})
#: Statuses in which participants are prompted to reflect.
PROMPTED_STATUSES = frozenset({CycleStatus.TESTING, CycleStatus.REFLECTING, CycleStatus.ADAPTING})


class EntryKind(models.TextChoices):
    ACTION = "action", "Action"
    STORY = "story", "Story"
    DATA = "data", "Data point"
    REFLECTION = "reflection", "Reflection"
    ADAPTATION = "adaptation", "Adaptation"
    STATUS = "status", "Status change"


#: What the kinds mean, for forms and the timeline legend.
ENTRY_KIND_HINTS: dict[str, str] = {
    EntryKind.ACTION: "What we tried",
    EntryKind.STORY: "What happened, in someone’s words",
    EntryKind.DATA: "A reading of a measure",
    EntryKind.REFLECTION: "What we make of it",
    EntryKind.ADAPTATION: "What we change as a result",
}
#: The kinds a person logs through the entry form (status entries are written by moves).
LOGGED_KINDS = (
    EntryKind.ACTION,
    EntryKind.STORY,
    EntryKind.DATA,
    EntryKind.REFLECTION,
    EntryKind.ADAPTATION,
)


class World(models.TextChoices):
    """The four worlds of service: how an action relates to the people it is for."""

    TO = "to", "Done to people"
    FOR = "for", "Done for people"
    WITH = "with", "Done with people"
    BY = "by", "Done by people themselves"


class Swimlane(models.TextChoices):
    OURSELVES = "ourselves", "Something people can do themselves"
    HELP = "help", "Something people need help with"
    DONE_FOR = "done_for", "Something people need done for them"


class Consent(models.TextChoices):
    GIVEN = "given", "Yes: free, prior and informed consent"
    NONE = "none", "No consent was given"


class EntryVisibility(models.TextChoices):
    """Who may read an entry, narrowest first."""

    PARTICIPANTS = "participants", "The cycle’s participants"
    MEMBERS = "members", "Members of the place"
    PUBLIC = "public", "Anyone who can read the place"


VISIBILITY_ORDER = [
    EntryVisibility.PARTICIPANTS,
    EntryVisibility.MEMBERS,
    EntryVisibility.PUBLIC,
]


def widest_visibility(place: Place) -> str:
    """The default for a new entry: public in a public place, members in a members-only one."""
    return EntryVisibility.PUBLIC if place.is_public else EntryVisibility.MEMBERS


def visibility_choices(place: Place) -> list[tuple[str, str]]:
    """The visibilities an author may pick in this place (no "public" in a members-only place)."""
    widest = VISIBILITY_ORDER.index(EntryVisibility(widest_visibility(place)))
    return [(v.value, v.label) for v in VISIBILITY_ORDER[: widest + 1]]


class MeasureKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    COST = "cost", "Cost"
    RELATIONAL = "relational", "Relational (such as trust or wellbeing)"


class Better(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class JoinStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a participant"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class LinkKind(models.TextChoices):
    FEEDS = "feeds", "feeds into"
    PEER = "peer", "is a peer of"


# --- Cycles -------------------------------------------------------------------------------------


class CycleQuerySet(models.QuerySet["LearningCycle"]):
    def for_place(self, place: Place) -> CycleQuerySet:
        return self.filter(place=place)

    def open(self) -> CycleQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)

    def closed(self) -> CycleQuerySet:
        return self.filter(status__in=CLOSED_STATUSES)

    def in_library(self) -> CycleQuerySet:
        """Concluded and stopped cycles of public places: the learning library."""
        return self.closed().filter(place__visibility="public")

    def prompted(self) -> CycleQuerySet:
        return self.filter(status__in=PROMPTED_STATUSES).exclude(rhythm=Rhythm.NONE)

    def visible_to(self, user: Any) -> CycleQuerySet:
        """Cycles of places the user can read (public ones, and members-only ones they are in)."""
        readable = Q(place__visibility="public")
        if getattr(user, "is_authenticated", False):
            readable |= Q(place__memberships__user=user)
        return self.filter(pk__in=LearningCycle.objects.filter(readable).values("pk"))


class LearningCycle(models.Model):
    """One test-and-learn loop: a question, an intent, and the timeline of what was tried."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="cycles")
    title = models.CharField(max_length=150)
    question = models.TextField(max_length=1000, help_text="What are we trying to learn?")
    intent = models.TextField(max_length=2000, help_text="We think that doing … will … because …")
    missions = models.ManyToManyField("places.Mission", blank=True, related_name="cycles")
    relationship_level = models.CharField(max_length=30, choices=RelationshipLevel.choices)
    horizon = models.CharField(max_length=2, choices=Horizon.choices)
    rhythm = models.CharField(max_length=12, choices=Rhythm.choices, default=Rhythm.FORTNIGHTLY)
    scale = models.CharField(max_length=12, choices=Scale.choices)
    status = models.CharField(
        max_length=12, choices=CycleStatus.choices, default=CycleStatus.FRAMING
    )
    stopped_reason = models.TextField(max_length=2000, blank=True)
    learned = models.TextField("what we learned", max_length=10000, blank=True)
    differently = models.TextField("what we will do differently", max_length=10000, blank=True)
    testing_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When it first began testing; fortnights count from here."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(  # type: ignore[var-annotated]
        settings.AUTH_USER_MODEL,
        through="CycleParticipant",
        through_fields=("cycle", "user"),
        related_name="learning_cycles",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Titles, questions, conclusions and the public entries' words, kept up to date by
    # ``learning.services.cycle_refresh_search`` for the library's full-text search.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="cycle_search"),
            models.Index(fields=["place", "status"], name="cycle_place_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="stopped") | ~Q(stopped_reason=""),
                name="stopped_cycle_has_a_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:cycle", kwargs={"slug": self.place.slug, "pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_open(self) -> bool:
        return not self.is_closed

    @property
    def is_prompted(self) -> bool:
        return self.status in PROMPTED_STATUSES and self.rhythm != Rhythm.NONE

    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES[CycleStatus(self.status)]

    def may_move_to(self, status: str) -> bool:
        return status in self.next_statuses()

    @property
    def status_step(self) -> int:
        """Where the cycle is in the loop, 1 to 5, for the progress list."""
        order = [s.value for s in CycleStatus]
        return min(order.index(self.status), 4) + 1


class CycleParticipant(models.Model):
    """A member taking part in a cycle: may log entries and move it on, and is prompted."""

    cycle = models.ForeignKey(
        LearningCycle, on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cycle_participations"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    prompts_paused = models.BooleanField(
        default=False, help_text="Set by the prompt email's one-click unsubscribe."
    )

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="one_participation_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cycle}"


class CycleJoinRequestQuerySet(models.QuerySet["CycleJoinRequest"]):
    def pending(self) -> CycleJoinRequestQuerySet:
        return self.filter(status=JoinStatus.PENDING)


class CycleJoinRequest(models.Model):
    """A member asking to take part in a cycle; any participant may accept or decline."""

    cycle = models.ForeignKey(LearningCycle, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cycle_join_requests"
    )
    message = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=JoinStatus.choices, default=JoinStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CycleJoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user"],
                condition=Q(status="pending"),
                name="one_pending_cycle_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.cycle}"


class CycleLink(models.Model):
    """One cycle feeding another (a team's cycle feeding a place's), or two peers.

    Shown on both cycles' pages, each side only to people who can read the other cycle's place.
    """

    from_cycle = models.ForeignKey(
        LearningCycle, on_delete=models.CASCADE, related_name="links_out"
    )
    to_cycle = models.ForeignKey(LearningCycle, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=8, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_cycle", "to_cycle"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=~Q(from_cycle=models.F("to_cycle")), name="cycle_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_cycle} {self.get_kind_display()} {self.to_cycle}"


# --- Measures -----------------------------------------------------------------------------------


class Measure(models.Model):
    """Something worth counting, for one cycle or (with no cycle) for the whole place."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="measures")
    cycle = models.ForeignKey(
        LearningCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="measures"
    )
    name = models.CharField(max_length=120)
    unit = models.CharField(
        max_length=40, help_text="For example ‘people’, ‘£’ or ‘score out of 10’."
    )
    kind = models.CharField(max_length=12, choices=MeasureKind.choices)
    better = models.CharField(max_length=8, choices=Better.choices)
    description = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "cycle", "name"],
                name="one_measure_name_per_cycle",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:measure", kwargs={"slug": self.place.slug, "pk": self.pk})


class Reading(models.Model):
    """One value of a measure on a date. Readings are as visible as the place itself."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["measure", "date"], name="reading_measure_date")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value} on {self.date}"


# --- Prompts ------------------------------------------------------------------------------------


class PromptQuestionQuerySet(models.QuerySet["PromptQuestion"]):
    def active(self) -> PromptQuestionQuerySet:
        return self.filter(active=True)

    def for_place(self, place: Place) -> PromptQuestionQuerySet:
        """The platform's questions and the place's own."""
        return self.filter(Q(place__isnull=True) | Q(place=place))


class PromptQuestion(models.Model):
    """A good question to reflect on. No place: one of the platform's; else a place's own."""

    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="prompt_questions"
    )
    text = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PromptQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class PromptDelivery(models.Model):
    """One participant's prompt for one cycle and one period: never more than one.

    The unique constraint on (cycle, user, period_key) is the once-only rule; the email goes
    to the outbox with ``email_key`` (also unique), written in the same transaction.
    """

    cycle = models.ForeignKey(
        LearningCycle, on_delete=models.CASCADE, related_name="prompt_deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prompt_deliveries"
    )
    period_key = models.CharField(max_length=20, help_text="2026-W07, 2026-03 or F-4.")
    question = models.ForeignKey(
        PromptQuestion, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    question_text = models.CharField(max_length=300)
    nonce = models.CharField(max_length=32)
    email_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "prompt deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "user", "period_key"], name="one_prompt_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Prompt for {self.user} in {self.cycle} ({self.period_key})"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_waiting(self) -> bool:
        return not self.is_answered and not self.is_expired


# --- Entries ------------------------------------------------------------------------------------


class EntryQuerySet(models.QuerySet["Entry"]):
    def visible_to(self, user: Any, place: Place) -> EntryQuerySet:
        """Entries this reader may see, each by its own visibility (callers have already
        checked that the reader can read the place)."""
        from places.permissions import is_member

        allowed = Q(visibility=EntryVisibility.PUBLIC)
        if is_member(user, place):
            allowed |= Q(visibility=EntryVisibility.MEMBERS)
            # A subquery, not a join: a join through participations would repeat each row once
            # per participant.
            takes_part = models.Exists(
                CycleParticipant.objects.filter(cycle=models.OuterRef("cycle"), user=user)
            )
            allowed |= Q(visibility=EntryVisibility.PARTICIPANTS) & Q(takes_part)
        return self.filter(allowed)

    def public(self) -> EntryQuerySet:
        return self.filter(visibility=EntryVisibility.PUBLIC)

    def shown(self) -> EntryQuerySet:
        return self.filter(hidden_at__isnull=True)


class Entry(Hideable):
    """One item in a cycle's timeline, with its author and the author's perspectives then."""

    cycle = models.ForeignKey(LearningCycle, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    body = models.TextField(max_length=10000, help_text="Markdown; sanitised when shown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_entries",
    )
    author_perspectives = ArrayField(
        models.CharField(max_length=30), default=list, blank=True,
        help_text="The perspectives the author spoke from when they wrote it.",
    )  # fmt: skip
    visibility = models.CharField(
        max_length=12, choices=EntryVisibility.choices, default=EntryVisibility.PUBLIC
    )
    # Actions: the world of service and the swimlane; consent when done *to* people.
    world = models.CharField(max_length=4, choices=World.choices, blank=True)
    swimlane = models.CharField(max_length=10, choices=Swimlane.choices, blank=True)
    consent = models.CharField(max_length=6, choices=Consent.choices, blank=True)
    consent_note = models.CharField(max_length=500, blank=True)
    # Stories about a person: did they agree to it being shared?
    about_person = models.BooleanField(default=False)
    person_agreed = models.BooleanField(null=True, blank=True)
    # Told on behalf of a resident who is not on the platform ("told by … to …").
    told_by = models.CharField(max_length=120, blank=True)
    told_by_consent = models.BooleanField(default=False)
    # Data points: the reading they record.
    reading = models.OneToOneField(
        Reading, null=True, blank=True, on_delete=models.SET_NULL, related_name="entry"
    )
    # Reflections written in answer to a prompt.
    prompt = models.OneToOneField(
        PromptDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="answer"
    )
    # Adaptations: the entries that led to them.
    sources = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="adaptations"
    )
    # Status changes: from and to.
    status_from = models.CharField(max_length=12, choices=CycleStatus.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=CycleStatus.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version_count = models.PositiveIntegerField(default=0)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["cycle", "-created_at", "-id"], name="entry_timeline"),
            models.Index(fields=["kind", "world"], name="entry_kind_world"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="action") | (~Q(world="") & ~Q(swimlane="")),
                name="action_has_world_and_swimlane",
            ),
            models.CheckConstraint(
                condition=~Q(world="to") | ~Q(consent=""), name="action_to_records_consent"
            ),
            models.CheckConstraint(
                condition=Q(told_by="") | Q(told_by_consent=True),
                name="told_by_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(about_person=False)
                | Q(person_agreed=True)
                | Q(visibility="participants"),
                name="story_without_agreement_stays_with_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse(
            "learning:entry",
            kwargs={"slug": self.cycle.place.slug, "pk": self.cycle_id, "entry_id": self.pk},
        )

    @property
    def place(self) -> Place:
        return self.cycle.place

    def in_free_edit_window(self, now: Any = None) -> bool:
        return (now or timezone.now()) - self.created_at < FREE_EDIT_WINDOW

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 140 else text[:139].rstrip() + "…"


class EntryVersion(models.Model):
    """What an entry said before an edit made after its free-edit window. Never changed."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=10000)
    visibility = models.CharField(max_length=12, choices=EntryVisibility.choices)
    world = models.CharField(max_length=4, choices=World.choices, blank=True)
    swimlane = models.CharField(max_length=10, choices=Swimlane.choices, blank=True)
    consent = models.CharField(max_length=6, choices=Consent.choices, blank=True)
    consent_note = models.CharField(max_length=500, blank=True)
    written_at = models.DateTimeField(help_text="When this wording was first saved.")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.entry}"
