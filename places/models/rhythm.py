"""The rhythm of keeping in touch: notifications, mentions, digest preferences and digests.

* :class:`Notification` — one thing a person is told in the app (the header badge counts the
  unread ones). Some also come by email, as the person chooses.
* :class:`Mention` — a member named in something written in a place, by a stable reference to
  their membership (display names are not unique).
* :class:`DigestPreference` — how often a member wants the email digest of one place.
* :class:`NotificationPreference` — which notifications also come by email.
* :class:`Digest` — the once-only record of one member's digest of one place for one period.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: object) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person is told in the app: a short sentence and a link to the thing itself.

    ``text`` and ``url`` are written when it happens, so the list renders from this table alone.
    ``key`` (optional, unique) makes a notification once-only: a reminder task that runs twice
    finds the key taken and tells nobody again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Mention(models.Model):
    """A member named in a piece of writing (a gathering's notes, later a log entry).

    The writing holds a token with the membership's id (``@[Priya Shah](member:42)``, see
    ``places.mentions``); this row records that the person was told, once per piece of writing.
    """

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "places.Membership", null=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_key = models.CharField(
        max_length=120, help_text="What was written and where, e.g. 'places.gathering:12:notes'."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_key", "user"], name="one_mention_per_writing")
        ]

    def __str__(self) -> str:
        return f"{self.user} mentioned in {self.source_key}"


class Frequency(models.TextChoices):
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    NEVER = "never", "Never"


DEFAULT_FREQUENCY = Frequency.WEEKLY


class DigestPreference(models.Model):
    """How often a member wants the digest of one place. No row means the default, weekly."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preferences"
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="digest_preferences"
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=DEFAULT_FREQUENCY
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="one_digest_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()} from {self.place}"


class NotificationPreference(models.Model):
    """Which kinds of notification also come by email: ``{kind: true/false}``.

    A kind missing from ``email`` uses its registered default (``places.notifications``), so a
    kind added later gets its default for everyone who saved their choices before.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Notification email choices of {self.user}"


class Digest(models.Model):
    """One member's digest of one place for one period: the once-only record.

    ``key`` is unique (``digest:<place>:<user>:<frequency>:<period>``, the period named in the
    member's calendar, e.g. ``2026-W07``) and is also the key of the outbox row that carries
    the email, so the email exists at most once. The row is written in the same transaction as
    that outbox row; a digest that had nothing in it is recorded with ``items=0`` and no email,
    so it is not built again.
    """

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="digests")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period = models.CharField(max_length=20, help_text="2026-W07 or 2026-02-14")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    items = models.PositiveIntegerField(default=0)
    claim = models.CharField(max_length=40, help_text="Which build wrote this row.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place", "period"], name="digest_place_period")]

    def __str__(self) -> str:
        return self.key

    @property
    def was_sent(self) -> bool:
        return self.items > 0
