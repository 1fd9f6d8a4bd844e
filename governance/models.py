"""Governance decisions taken in the open (see DOMAIN.md, "Open, co-produced governance").

A :class:`Decision` is a question a place decides, with its options, method, deciders, mandate,
evidence and two perspectives (the place's and the centre's). It moves
*draft → open for input → (input closed) → decided → under review → revised / rescinded*.
While it is open, members give :class:`Input`; every input gets a :class:`Response` before the
decision can be marked decided. Each :class:`Decider` states their related interests (or none).
A decided decision gets an :class:`Implementation` record with milestones and progress updates.

History is kept by the database (django-pghistory): every insert and update of a decision that
has left draft, and of inputs, responses, deciders and evidence, is copied by a trigger into an
append-only event table (django-pgtrigger protects it from UPDATE and DELETE), with the acting
user's id in the event's context. People are referred to by id only in those rows. Only
:mod:`governance.rewrite` may pass the protection (erasure and redaction).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from places.models import Hideable, Place

if TYPE_CHECKING:
    # Made by pghistory.track (below) and set on this module at import time.
    DecisionEvent: Any
    DeciderEvent: Any
    EvidenceEvent: Any
    InputEvent: Any
    ResponseEvent: Any

# --- Choices ------------------------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for input"
    DECIDING = "deciding", "Input closed, being decided"
    DECIDED = "decided", "Decided"
    UNDER_REVIEW = "review", "Under review"
    REVISED = "revised", "Revised"
    RESCINDED = "rescinded", "Rescinded"


#: Which status may follow which (a revision moves its predecessor to REVISED when it is decided).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.OPEN, Status.RESCINDED),
    Status.OPEN: (Status.DECIDING, Status.DECIDED, Status.RESCINDED),
    Status.DECIDING: (Status.DECIDED, Status.RESCINDED),
    Status.DECIDED: (Status.UNDER_REVIEW, Status.REVISED, Status.RESCINDED),
    Status.UNDER_REVIEW: (Status.DECIDED, Status.REVISED, Status.RESCINDED),
    Status.REVISED: (),
    Status.RESCINDED: (),
}

#: Before the decision is taken: its question, options and people can still change.
PRE_DECISION = (Status.DRAFT, Status.OPEN, Status.DECIDING)
#: Taken and in force (and so followed through by an implementation record).
IN_FORCE = (Status.DECIDED, Status.UNDER_REVIEW)
#: Nothing more happens to it.
FINAL = (Status.REVISED, Status.RESCINDED)


class Method(models.TextChoices):
    CONSENT = "consent", "Consent"
    CONSENSUS = "consensus", "Consensus"
    MAJORITY = "majority", "Majority vote"
    DELEGATED = "delegated", "Delegated authority"
    ADVICE = "advice", "Advice process"
    ALLOCATION = "allocation", "Participatory allocation"


class Stance(models.TextChoices):
    SUPPORT = "support", "Support"
    CONCERN = "concern", "Concern"
    OBJECTION = "objection", "Objection"
    QUESTION = "question", "Question"


class Disposition(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    ADAPTED = "adapted", "Adapted"
    NOT_ADOPTED = "not_adopted", "Not adopted"
    ANSWERED = "answered", "Answered"


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    STALLED = "stalled", "Stalled"
    ABANDONED = "abandoned", "Abandoned"


# Every event table is append-only and carries its context (the acting user's id) in the row.
_HISTORY: dict[str, Any] = {
    "context_field": pghistory.ContextJSONField(),
    "append_only": True,
}


# --- Decisions ----------------------------------------------------------------------------------


class DecisionQuerySet(models.QuerySet["Decision"]):
    def for_place(self, place: Place) -> DecisionQuerySet:
        return self.filter(place=place)

    def published(self) -> DecisionQuerySet:
        """Everything that has left draft: what the log, feed and CSV show."""
        return self.exclude(status=Status.DRAFT)

    def open(self) -> DecisionQuerySet:
        return self.filter(status=Status.OPEN)

    def in_force(self) -> DecisionQuerySet:
        return self.filter(status__in=IN_FORCE)

    def visible_to(self, user: Any, place: Place) -> DecisionQuerySet:
        """Published decisions, plus drafts the person may see: all of them for a steward, and
        the drafts they own or are named to decide for anyone else. (Callers have checked that
        the person can read the place.)"""
        from places.permissions import is_steward

        if is_steward(user, place):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.published()
        named = Exists(Decider.objects.filter(decision=OuterRef("pk"), user=user))
        return self.filter(~Q(status=Status.DRAFT) | Q(owner=user) | Q(named))


@pghistory.track(
    pghistory.InsertEvent("recorded", condition=~pghistory.Q(new__status="draft")),
    pghistory.UpdateEvent("changed", condition=~pghistory.Q(new__status="draft")),
    exclude=["search_vector"],
    model_name="DecisionEvent",
    **_HISTORY,
)
class Decision(models.Model):
    """A governance decision of a place, with everything needed to see how it was taken."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=150)
    question = models.TextField(
        "the question or problem", max_length=5000, help_text="Markdown; sanitised when shown."
    )
    # A list of {"title", "description", "pros", "cons"}: kept in the row, so the history of
    # the options is the history of the decision.
    options = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_decisions",
        help_text="Empty for decisions the platform records itself (participatory allocation).",
    )
    body_name = models.CharField(
        "decided by a named body",
        max_length=200,
        blank=True,
        help_text="A board or group whose decision a steward records on its behalf.",
    )
    mandate = models.TextField(
        max_length=2000, blank=True, help_text="The authority that lets the deciders decide."
    )
    place_view = models.TextField("the view from the place", max_length=5000, blank=True)
    centre_view = models.TextField("the view from the centre", max_length=5000, blank=True)
    centre_view_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    input_closes_on = models.DateField(
        null=True, blank=True, help_text="The last day members can give input."
    )
    decided_on = models.DateField(null=True, blank=True)
    review_by = models.DateField(null=True, blank=True)
    method_result = models.CharField(
        "result of the method",
        max_length=300,
        blank=True,
        help_text='For example "carried 7–3" or "consent, no objections".',
    )
    outcome = models.TextField(max_length=5000, blank=True)
    reasoning = models.TextField(max_length=10000, blank=True)
    rescind_reason = models.TextField(max_length=2000, blank=True)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text="The earlier decision this one revises.",
    )
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="1 for an original decision, 2 for its first revision…"
    )
    recorded_by_platform = models.BooleanField(
        default=False, help_text="Recorded by the platform itself (a fund round's result)."
    )
    # Optimistic concurrency: every change adds one; an edit made from an older number is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was revised or rescinded."
    )
    updated_at = models.DateTimeField(default=timezone.now)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("question", "outcome", weight="B", config="english")
        + SearchVector("reasoning", "method_result", "body_name", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="decision_search"),
            models.Index(fields=["place", "status"], name="decision_place_status"),
            models.Index(fields=["status", "input_closes_on"], name="decision_input_closing"),
            models.Index(fields=["status", "review_by"], name="decision_review_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rescinded") | ~Q(rescind_reason=""),
                name="rescinded_decision_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "deciding"])
                | (~Q(outcome="") & ~Q(reasoning="") & Q(decided_on__isnull=False))
                | Q(status="rescinded"),
                name="decided_decision_has_outcome_and_reasoning",
            ),
            models.CheckConstraint(
                condition=Q(review_by__isnull=True)
                | Q(decided_on__isnull=True)
                | Q(review_by__gt=models.F("decided_on")),
                name="review_comes_after_decision",
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=~Q(status="rescinded"),
                name="one_live_revision_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:decision", kwargs={"slug": self.place.slug, "pk": self.pk})

    # --- State ---

    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES[Status(self.status)]

    def may_move_to(self, status: str) -> bool:
        return status in self.next_statuses()

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_pre_decision(self) -> bool:
        return self.status in PRE_DECISION

    @property
    def is_in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def is_due_for_review(self) -> bool:
        return self.status == Status.UNDER_REVIEW or (
            self.status == Status.DECIDED
            and self.review_by is not None
            and self.review_by <= timezone.localdate()
        )

    @property
    def is_editable(self) -> bool:
        return self.is_pre_decision and not self.recorded_by_platform

    def option_list(self) -> list[dict[str, str]]:
        """The options as dicts with every key present (older rows may lack some)."""
        keys = ("title", "description", "pros", "cons")
        return [
            {k: str(o.get(k, "")) for k in keys}
            for o in (self.options or [])
            if isinstance(o, dict)
        ]


# --- Who decides --------------------------------------------------------------------------------


@pghistory.track(
    pghistory.InsertEvent("named"),
    pghistory.UpdateEvent("stated"),
    pghistory.DeleteEvent("removed"),
    model_name="DeciderEvent",
    **_HISTORY,
)
class Decider(models.Model):
    """A member named to decide, and what they stated about their interests.

    Deciders of a decision the platform records (participatory allocation) are listed but not
    asked to act: their interests were checked when they placed their points, so their
    statement stays empty and ``listed_only`` says why.
    """

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="deciders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decider_roles"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    listed_only = models.BooleanField(default=False)
    # The statement: the declared interests that relate to this decision, or none.
    stated_at = models.DateTimeField(null=True, blank=True)
    no_interest = models.BooleanField(default=False)
    # Ids of ``places.Interest`` rows (kept as ids so the history records them too).
    interest_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["decision", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "user"], name="one_decider_row_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} decides {self.decision}"

    @property
    def has_stated(self) -> bool:
        return self.stated_at is not None


# --- Evidence -----------------------------------------------------------------------------------


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def public_record(self) -> EvidenceQuerySet:
        """Links whose decision anyone who can see the evidence may also see: published
        decisions of the evidence's own place, and of public places.

        For a learning cycle's page, with no import of governance::

            {% for link in cycle.decision_evidence.public_record %}
              <a href="{{ link.decision.get_absolute_url }}">{{ link.decision.title }}</a>
            {% endfor %}
        """
        same_place = Q(cycle__isnull=False, decision__place=models.F("cycle__place")) | Q(
            entry__isnull=False, decision__place=models.F("entry__cycle__place")
        )
        return (
            self.exclude(decision__status=Status.DRAFT)
            .filter(same_place | Q(decision__place__visibility="public"))
            .select_related("decision__place")
            .order_by("-decision__created_at", "-id")
        )


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.DeleteEvent("removed"),
    model_name="EvidenceEvent",
    **_HISTORY,
)
class Evidence(models.Model):
    """A learning cycle or log entry that informed a decision (of its place, or public)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="evidence")
    cycle = models.ForeignKey(
        "learning.LearningCycle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_evidence",
    )
    entry = models.ForeignKey(
        "learning.Entry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decision_evidence",
    )
    note = models.CharField(max_length=300, blank=True, help_text="What it showed, in a sentence.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cycle__isnull=False) & Q(entry__isnull=True))
                | (Q(cycle__isnull=True) & Q(entry__isnull=False)),
                name="evidence_is_a_cycle_or_an_entry",
            ),
            models.UniqueConstraint(fields=["decision", "cycle"], name="cycle_is_evidence_once"),
            models.UniqueConstraint(fields=["decision", "entry"], name="entry_is_evidence_once"),
        ]

    def __str__(self) -> str:
        return f"Evidence for {self.decision}"


# --- Input and response -------------------------------------------------------------------------


class InputQuerySet(models.QuerySet["Input"]):
    def unanswered(self) -> InputQuerySet:
        return self.filter(response__isnull=True)


@pghistory.track(
    pghistory.InsertEvent("given"),
    pghistory.UpdateEvent("changed"),
    model_name="InputEvent",
    **_HISTORY,
)
class Input(Hideable):
    """What a member said about an open decision: a stance and their words."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="inputs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decision_inputs",
    )
    author_perspectives = ArrayField(
        models.CharField(max_length=30), default=list, blank=True,
        help_text="The perspectives the author spoke from when they gave it.",
    )  # fmt: skip
    stance = models.CharField(max_length=10, choices=Stance.choices)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = InputQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["decision", "created_at"], name="input_decision")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="input_has_words")]

    def __str__(self) -> str:
        return f"{self.get_stance_display()} on {self.decision}"

    def get_absolute_url(self) -> str:
        return f"{self.decision.get_absolute_url()}#input-{self.pk}"

    @property
    def place(self) -> Place:
        return self.decision.place

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 140 else text[:139].rstrip() + "…"


@pghistory.track(
    pghistory.InsertEvent("given"),
    pghistory.UpdateEvent("changed"),
    model_name="ResponseEvent",
    **_HISTORY,
)
class Response(models.Model):
    """The visible reply an input got ("you said, we did")."""

    input = models.OneToOneField(Input, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposition = models.CharField(max_length=12, choices=Disposition.choices)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="response_has_words")]

    def __str__(self) -> str:
        return f"{self.get_disposition_display()}: response to {self.input_id}"


class Dissent(models.Model):
    """A decider, or a member who objected, who disagrees to the end: kept in their words."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="dissents")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_decider = models.BooleanField(default=False)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "author"], name="one_dissent_per_person"),
            models.CheckConstraint(condition=~Q(text=""), name="dissent_has_words"),
        ]

    def __str__(self) -> str:
        return f"Dissent on {self.decision}"


# --- Following it through -----------------------------------------------------------------------


class Implementation(models.Model):
    """Whether what was decided actually happens."""

    decision = models.OneToOneField(
        Decision, on_delete=models.CASCADE, related_name="implementation"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="implementation_progress_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return f"Implementation of {self.decision}"

    def get_absolute_url(self) -> str:
        return reverse(
            "governance:implementation",
            kwargs={"slug": self.decision.place.slug, "pk": self.decision_id},
        )


class Milestone(models.Model):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class ProgressUpdate(models.Model):
    """A dated note of progress; each one also writes to the place's timeline."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=5000)
    status = models.CharField(max_length=12, choices=ImplementationStatus.choices)
    progress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Progress on {self.implementation.decision}"


# --- Secret feed addresses ----------------------------------------------------------------------


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedTokenQuerySet(models.QuerySet["FeedToken"]):
    def active(self) -> FeedTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class FeedToken(models.Model):
    """A member's secret address for the Atom feed of a members-only place's decisions.

    As ``places.CalendarFeedToken``: random, shown only to its member, revocable and renewable;
    the feed checks the membership on every request, so leaving the place stops it too.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="decision_feed_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decision_feed_tokens"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = FeedTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_decision_feed_token",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Decision feed address for {self.user} in {self.place} ({state})"


# --- The record of rewrites ---------------------------------------------------------------------


class RewriteKind(models.TextChoices):
    ERASURE = "erasure", "Account erased"
    REDACTION = "redaction", "Redacted by a steward"
    WITHDRAWAL = "withdrawal", "Consent withdrawn by the author"


class Rewrite(models.Model):
    """One pass of :mod:`governance.rewrite` through live rows and their history: who, when,
    why and how many rows. Append-only, like the history it rewrote. People by id only."""

    kind = models.CharField(max_length=12, choices=RewriteKind.choices)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="rewrites"
    )
    by_user_id = models.BigIntegerField(null=True, blank=True)
    subject_user_id = models.BigIntegerField(
        null=True, blank=True, help_text="For erasure: the person whose account was erased."
    )
    reason = models.TextField(max_length=2000)
    live_rows = models.PositiveIntegerField(default=0)
    history_rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d}"


from .fund_models import *  # noqa: E402,F403  (the community fund: governance/fund_models.py)
