"""The community fund: money a learning community allocates together, in the open.

A :class:`Fund` of a place holds a pot of money (pounds and pence, ``Decimal`` with two places,
never floats) given by a funding organisation. It runs :class:`Round` s; in each, members
propose :class:`Idea` s (revised with their history kept as :class:`IdeaVersion` rows, joined by
:class:`CoDesigner` s, discussed in :class:`IdeaComment` s); when allocation opens, the place's
members at that moment become the round's fixed electorate (:class:`Allocator` rows), and each
spreads their :class:`Points` over ideas they are not tied to (:class:`InterestTie`). At close,
the published rule turns the points into :class:`Award` s, once (:class:`RoundResult` is one row
per round), recorded as a decision by participatory allocation.

Money is guarded in the database, not only in forms: a trigger on :class:`Award` locks the
round's row and the fund's row and refuses any insert or update that would take the round's
awards past the round's pot, or the fund's awards past the fund's pot (see
:data:`AWARD_WITHIN_POT`). Because every writer takes those row locks first, two awards made at
the same moment are serialised and the second sees the first. Lowering a pot below what is
already awarded is refused the same way.

Imported into :mod:`governance.models` (one line at its end), so Django finds these models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from places.models import Hideable, Place

__all__ = [
    "MAX_POINTS_PER_MEMBER",
    "MAX_POT",
    "Allocator",
    "Award",
    "CoDesigner",
    "Fund",
    "Idea",
    "IdeaComment",
    "IdeaVersion",
    "InterestTie",
    "Points",
    "Round",
    "RoundResult",
    "RoundState",
    "TieKind",
]

#: The most a fund may hold, and so the most anything in it may be: anything larger is a slip.
MAX_POT = Decimal("10000000.00")
#: The most points one member may be given to spread in a round.
MAX_POINTS_PER_MEMBER = 1000


class RoundState(models.TextChoices):
    """Where a round is, worked out from its dates and whether its result exists."""

    UPCOMING = "upcoming", "Ideas open soon"
    IDEAS = "ideas", "Open for ideas"
    BETWEEN = "between", "Ideas closed; allocation opens soon"
    ALLOCATING = "allocating", "Open for points"
    COUNTING = "counting", "Allocation closed; counting"
    CLOSED = "closed", "Closed: result published"


class TieKind(models.TextChoices):
    PROPOSER = "proposer", "Proposed it"
    CODESIGNER = "codesigner", "Co-designs it"
    INTEREST = "interest", "Declared interest"


# --- Fund ---------------------------------------------------------------------------------------


class FundQuerySet(models.QuerySet["Fund"]):
    def for_place(self, place: Place) -> FundQuerySet:
        return self.filter(place=place)


class Fund(models.Model):
    """Money the community of a place allocates together."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="funds")
    name = models.CharField(max_length=150)
    purpose = models.TextField(max_length=5000, help_text="Markdown; sanitised when shown.")
    pot = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_POT)],
        help_text="The whole fund in pounds and pence.",
    )
    currency = models.CharField(max_length=3, default="GBP", editable=False)
    funder_name = models.CharField("funding organisation", max_length=200)
    funder_org_id = models.CharField(
        "funding organisation's org-id",
        max_length=100,
        blank=True,
        help_text="Such as GB-CHC-1234567; empty when it has none (the platform's own "
        "identifier is used, see governance.threesixty).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pot__gt=0) & Q(pot__lte=MAX_POT), name="fund_pot_is_sensible"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="fund_pot_covers_awards",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(new__pot__lt=pgtrigger.F("old__pot")),
                func="""
                    IF NEW.pot < (
                        SELECT COALESCE(SUM(a.amount), 0) FROM governance_award a
                        JOIN governance_round r ON r.id = a.round_id WHERE r.fund_id = NEW.id
                    ) THEN
                        RAISE EXCEPTION 'fund % pot would be less than its awards', NEW.id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funds:fund", kwargs={"slug": self.place.slug, "fund_id": self.pk})


# --- Round --------------------------------------------------------------------------------------


class RoundQuerySet(models.QuerySet["Round"]):
    def due_to_fix_electorate(self, now: Any = None) -> RoundQuerySet:
        now = now or timezone.now()
        return self.filter(
            allocation_opens_at__lte=now,
            allocation_closes_at__gt=now,
            electorate_fixed_at__isnull=True,
        )

    def due_to_close(self, now: Any = None) -> RoundQuerySet:
        return self.filter(allocation_closes_at__lte=now or timezone.now(), closed_at__isnull=True)


class Round(models.Model):
    """One cycle of ideas and allocation within a fund."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(default=1)
    pot = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_POT)],
        help_text="The most this round may award.",
    )
    ideas_open_at = models.DateTimeField()
    ideas_close_at = models.DateTimeField()
    allocation_opens_at = models.DateTimeField()
    allocation_closes_at = models.DateTimeField()
    points_per_member = models.PositiveIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS_PER_MEMBER)]
    )
    electorate_fixed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the members who may allocate were fixed."
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the result was computed and published."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["fund", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="round_number_once_per_fund"),
            models.CheckConstraint(
                condition=Q(ideas_open_at__lt=models.F("ideas_close_at"))
                & Q(ideas_close_at__lte=models.F("allocation_opens_at"))
                & Q(allocation_opens_at__lt=models.F("allocation_closes_at")),
                name="round_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(pot__gt=0) & Q(pot__lte=MAX_POT), name="round_pot_is_sensible"
            ),
            models.CheckConstraint(
                condition=Q(points_per_member__gte=1)
                & Q(points_per_member__lte=MAX_POINTS_PER_MEMBER),
                name="round_points_are_sensible",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="round_pot_covers_awards",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(new__pot__lt=pgtrigger.F("old__pot")),
                func="""
                    IF NEW.pot < (
                        SELECT COALESCE(SUM(amount), 0) FROM governance_award
                        WHERE round_id = NEW.id
                    ) THEN
                        RAISE EXCEPTION 'round % pot would be less than its awards', NEW.id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} – {self.title}"

    def get_absolute_url(self) -> str:
        return f"{self.fund.get_absolute_url()}#round-{self.number}"

    @property
    def title(self) -> str:
        return f"Round {self.number}"

    def state(self, now: Any = None) -> RoundState:
        if self.closed_at is not None:
            return RoundState.CLOSED
        now = now or timezone.now()
        if now < self.ideas_open_at:
            return RoundState.UPCOMING
        if now < self.ideas_close_at:
            return RoundState.IDEAS
        if now < self.allocation_opens_at:
            return RoundState.BETWEEN
        if now < self.allocation_closes_at:
            return RoundState.ALLOCATING
        return RoundState.COUNTING

    @property
    def current_state(self) -> RoundState:
        """The state now, worked out once per object (templates ask several times)."""
        if "_round_state_now" not in self.__dict__:
            self.__dict__["_round_state_now"] = self.state()
        return self.__dict__["_round_state_now"]

    @property
    def is_open_for_ideas(self) -> bool:
        return self.current_state == RoundState.IDEAS

    @property
    def is_allocating(self) -> bool:
        return self.current_state == RoundState.ALLOCATING

    @property
    def is_closed(self) -> bool:
        return self.current_state == RoundState.CLOSED

    @property
    def points_are_secret(self) -> bool:
        """Until the result is published nobody sees anyone's points but their own."""
        return self.closed_at is None


class Allocator(models.Model):
    """A member who may spread points in a round: the electorate, fixed when allocation opens."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="allocators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_allocations"
    )
    fixed_at = models.DateTimeField(default=timezone.now)
    first_placed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_allocator_row_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} allocates in {self.round}"


# --- Ideas --------------------------------------------------------------------------------------


class IdeaQuerySet(models.QuerySet["Idea"]):
    def shown(self) -> IdeaQuerySet:
        return self.filter(hidden_at__isnull=True)

    def in_proposal_order(self) -> IdeaQuerySet:
        return self.order_by("created_at", "id")


class Idea(Hideable):
    """A co-designed proposal for the fund: what it would do, for whom, and what we would learn."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ideas")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_ideas",
    )
    title = models.CharField(max_length=150)
    description = models.TextField(
        "what it would do", max_length=5000, help_text="Markdown; sanitised when shown."
    )
    missions = models.ManyToManyField("places.Mission", blank=True, related_name="fund_ideas")
    amount = models.DecimalField(
        "amount asked",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_POT)],
    )
    who = models.TextField(
        "who would do it", max_length=2000, blank=True,
        help_text="The people and groups doing the work, in a sentence or two.",
    )  # fmt: skip
    organisation_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The organisation that would receive the money; empty when the people doing "
        "it receive it themselves.",
    )
    organisation_org_id = models.CharField(max_length=100, blank=True)
    learning = models.TextField(
        "the learning it would produce", max_length=3000, help_text="What we would find out."
    )
    cycle = models.ForeignKey(
        "learning.LearningCycle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_ideas",
        help_text="A learning cycle that will test it.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["round", "created_at", "id"], name="idea_round_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_POT), name="idea_amount_is_sensible"
            ),
            models.CheckConstraint(
                condition=Q(organisation_org_id="") | ~Q(organisation_name=""),
                name="idea_org_id_belongs_to_a_named_organisation",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="idea_has_a_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        fund = self.round.fund
        return reverse(
            "funds:idea",
            kwargs={"slug": fund.place.slug, "fund_id": fund.pk, "idea_id": self.pk},
        )

    @property
    def place(self) -> Place:
        return self.round.fund.place

    @property
    def to_organisation(self) -> bool:
        return bool(self.organisation_name)

    @property
    def excerpt(self) -> str:
        text = " ".join(f"{self.title}: {self.description}".split())
        return text if len(text) <= 280 else text[:279].rstrip() + "…"


class IdeaVersion(models.Model):
    """One version of an idea as it was saved (version 1 is the idea as first proposed)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=150)
    description = models.TextField(max_length=5000)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    who = models.TextField(max_length=2000, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    organisation_org_id = models.CharField(max_length=100, blank=True)
    learning = models.TextField(max_length=3000)
    missions = models.JSONField(default=list, blank=True, help_text="The missions' words then.")
    cycle_title = models.CharField(max_length=150, blank=True)
    note = models.CharField(
        "what changed", max_length=300, blank=True, help_text="The proposer's note on the change."
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "number"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "number"], name="idea_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.idea} (version {self.number})"


class CoDesigner(models.Model):
    """A member who joined an idea to shape it (and so cannot put points on it)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="codesigners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_codesigns"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="codesigner_once_per_idea")
        ]

    def __str__(self) -> str:
        return f"{self.user} co-designs {self.idea}"


class IdeaComment(Hideable):
    """What a member said about an idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_comments",
    )
    text = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="idea_comment_has_words")]

    def __str__(self) -> str:
        return f"Comment on {self.idea}"

    def get_absolute_url(self) -> str:
        return f"{self.idea.get_absolute_url()}#comment-{self.pk}"

    @property
    def place(self) -> Place:
        return self.idea.round.fund.place

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 280 else text[:279].rstrip() + "…"


class InterestTie(models.Model):
    """Why a member cannot put points on an idea: they proposed it, co-design it, or tied one
    of their declared interests to it. Shown to everyone on the idea's page."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="ties")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_ties"
    )
    kind = models.CharField(max_length=10, choices=TieKind.choices)
    interest = models.ForeignKey(
        "places.Interest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fund_ties",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["idea", "created_at", "id"]
        indexes = [models.Index(fields=["user", "idea"], name="tie_user_idea")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="interest") & Q(interest__isnull=False))
                | (~Q(kind="interest") & Q(interest__isnull=True)),
                name="tie_names_an_interest_only_for_interests",
            ),
            models.UniqueConstraint(
                fields=["idea", "user", "kind"],
                condition=~Q(kind="interest"),
                name="tie_role_once_per_idea",
            ),
            models.UniqueConstraint(
                fields=["idea", "interest"],
                condition=Q(kind="interest"),
                name="tie_interest_once_per_idea",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} is tied to {self.idea} ({self.get_kind_display()})"


class Points(models.Model):
    """The points one allocator put on one idea (rows with no points are deleted)."""

    allocator = models.ForeignKey(Allocator, on_delete=models.CASCADE, related_name="points")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="points")
    points = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "points"
        ordering = ["allocator", "idea"]
        constraints = [
            models.UniqueConstraint(fields=["allocator", "idea"], name="points_once_per_idea"),
            models.CheckConstraint(condition=Q(points__gte=1), name="points_are_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.points} points on {self.idea_id}"


# --- Result and awards --------------------------------------------------------------------------


class RoundResult(models.Model):
    """The result of a round, computed once: one row per round (its primary key is the round)."""

    round = models.OneToOneField(
        Round, on_delete=models.CASCADE, primary_key=True, related_name="result"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    # [{"idea": id, "title", "amount", "points", "rank", "funded": bool, "why": str}, ...]
    ranking = models.JSONField(default=list)
    allocators = models.PositiveIntegerField(help_text="How many members placed points.")
    electorate = models.PositiveIntegerField(help_text="How many members could.")
    points_total = models.PositiveIntegerField()
    awarded_total = models.DecimalField(max_digits=12, decimal_places=2)
    decision = models.OneToOneField(
        "governance.Decision",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="fund_result",
    )

    def __str__(self) -> str:
        return f"Result of {self.round}"


#: The database's guard on money: see the module docstring.
AWARD_WITHIN_POT = pgtrigger.Trigger(
    name="award_within_pot",
    operation=pgtrigger.Insert | pgtrigger.Update,
    when=pgtrigger.Before,
    declare=[
        ("round_pot", "numeric"),
        ("fund_pot", "numeric"),
        ("the_fund", "bigint"),
        ("round_awarded", "numeric"),
        ("fund_awarded", "numeric"),
    ],
    func="""
        -- Lock the round, then the fund: concurrent awards queue here, and each sees the
        -- awards committed before it (a fresh snapshot per statement in READ COMMITTED).
        SELECT pot, fund_id INTO round_pot, the_fund
            FROM governance_round WHERE id = NEW.round_id FOR UPDATE;
        SELECT pot INTO fund_pot FROM governance_fund WHERE id = the_fund FOR UPDATE;
        SELECT COALESCE(SUM(amount), 0) INTO round_awarded FROM governance_award
            WHERE round_id = NEW.round_id AND id IS DISTINCT FROM NEW.id;
        SELECT COALESCE(SUM(a.amount), 0) INTO fund_awarded
            FROM governance_award a JOIN governance_round r ON r.id = a.round_id
            WHERE r.fund_id = the_fund AND a.id IS DISTINCT FROM NEW.id;
        IF round_awarded + NEW.amount > round_pot THEN
            RAISE EXCEPTION 'awards of round % would exceed its pot (% + % > %)',
                NEW.round_id, round_awarded, NEW.amount, round_pot
                USING ERRCODE = 'check_violation';
        END IF;
        IF fund_awarded + NEW.amount > fund_pot THEN
            RAISE EXCEPTION 'awards of fund % would exceed its pot (% + % > %)',
                the_fund, fund_awarded, NEW.amount, fund_pot
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    """,
)


class AwardQuerySet(models.QuerySet["Award"]):
    def for_fund(self, fund: Fund) -> AwardQuerySet:
        return self.filter(round__fund=fund)


class Award(models.Model):
    """The money a round gives an idea, and the decision that gave it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="awards")
    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="award")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    recipient_name = models.CharField(max_length=200)
    recipient_org_id = models.CharField(
        max_length=100, blank=True, help_text="Empty when people receive it as individuals."
    )
    to_individuals = models.BooleanField(default=False)
    awarded_on = models.DateField()
    rank = models.PositiveSmallIntegerField()
    points = models.PositiveIntegerField()
    decision = models.ForeignKey(
        "governance.Decision", on_delete=models.RESTRICT, related_name="fund_awards"
    )
    cycle = models.ForeignKey(
        "learning.LearningCycle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_awards",
        help_text="The learning cycle that follows what was funded.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["round", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_POT), name="award_amount_is_sensible"
            ),
        ]
        triggers = [AWARD_WITHIN_POT]

    def __str__(self) -> str:
        return f"£{self.amount} to {self.recipient_name} for {self.idea}"
