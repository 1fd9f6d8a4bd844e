"""Gatherings: members convening in person or online, their answers, and calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .care import Hideable
from .place import Place


class GatheringKind(models.TextChoices):
    TEA = "tea", "Tea and a chat"
    LEARNING = "learning", "Learning session"
    VISIT = "visit", "Front-line visit"
    GOVERNANCE = "governance", "Governance meeting"
    OTHER = "other", "Other"


class GatheringStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Going ahead"
    CANCELLED = "cancelled", "Cancelled"


class GatheringQuerySet(models.QuerySet["Gathering"]):
    def for_place(self, place: Place) -> GatheringQuerySet:
        return self.filter(place=place)

    def upcoming(self) -> GatheringQuerySet:
        """Not yet over (those happening now included), soonest first."""
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at", "id")

    def past(self) -> GatheringQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")

    def going_ahead(self) -> GatheringQuerySet:
        return self.filter(status=GatheringStatus.SCHEDULED)


class Gathering(Hideable):
    """A convening of members: a tea and a chat, a learning session, a front-line visit…

    ``sequence`` is the iCalendar SEQUENCE: it goes up by one each time the time, the place or
    the status changes, so calendar apps replace the copy they hold instead of keeping both.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="gatherings")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=GatheringKind.choices)
    title = models.CharField(max_length=120)
    purpose = models.TextField(max_length=1000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(
        max_length=300, blank=True, help_text="Where to go, for a gathering in person."
    )
    online_url = models.URLField(
        max_length=500, blank=True, help_text="The link to join, for a gathering online."
    )
    agenda = models.TextField(max_length=5000, blank=True)
    status = models.CharField(
        max_length=10, choices=GatheringStatus.choices, default=GatheringStatus.SCHEDULED
    )
    cancelled_reason = models.CharField(max_length=500, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    notes = models.TextField(max_length=10000, blank=True)
    notes_recorded_at = models.DateTimeField(null=True, blank=True)
    notes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="gatherings_attended"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = GatheringQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["place", "ends_at"], name="gathering_place_ends")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="gathering_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(location="") | ~Q(online_url=""), name="gathering_has_a_where"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("places:gathering", kwargs={"slug": self.place.slug, "pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must be after the start."
        if not self.location.strip() and not self.online_url.strip():
            errors["location"] = "Give a place to meet, an online link, or both."
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == GatheringStatus.CANCELLED

    @property
    def has_ended(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def has_notes(self) -> bool:
        return self.notes_recorded_at is not None

    @property
    def is_open_for_answers(self) -> bool:
        return not self.is_cancelled and not self.has_ended


class Answer(models.TextChoices):
    GOING = "going", "Going"
    MAYBE = "maybe", "Maybe"
    NOT_GOING = "not_going", "Not going"


class RSVP(models.Model):
    """A member's answer to a gathering. One per member; changing it updates the row."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gathering_answers"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "RSVP"
        verbose_name_plural = "RSVPs"
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gathering", "user"], name="one_answer_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_answer_display()} to {self.gathering}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedTokenQuerySet(models.QuerySet["CalendarFeedToken"]):
    def active(self) -> CalendarFeedTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeedToken(models.Model):
    """A member's secret calendar address for a members-only place.

    The token is random (256 bits) and unique; it is shown to its member so they can paste it
    into a calendar app. Revoking stamps ``revoked_at`` and the address answers 404 from then on;
    renewing revokes the old one and makes a new one. Leaving the place makes it useless too,
    because the feed checks the membership each time.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="calendar_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Calendar address for {self.user} in {self.place} ({state})"
