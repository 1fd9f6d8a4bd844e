from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self) -> OutboxQuerySet:
        """Unsent, not given up on, and its (next) attempt is due."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True, due_at__lte=timezone.now())

    def failed(self) -> OutboxQuerySet:
        return self.filter(sent_at__isnull=True, failed_at__isnull=False)

    def for_place(self, place: models.Model) -> OutboxQuerySet:
        return self.filter(place=place)


class OutboxKind(models.TextChoices):
    """What an email is, so failures can be shown to the right people."""

    OTHER = "", "Account or other"
    DIGEST = "digest", "Digest"
    NOTIFICATION = "notification", "Notification"
    PLACE = "place", "Place (invitations, requests, gatherings)"
    PROMPT = "prompt", "Prompt"


class OutboxMessage(models.Model):
    """One email the platform owes someone.

    Written in the same transaction as the change that causes it, so a message exists exactly
    when its cause does; a worker sends it and stamps ``sent_at``. ``key`` is the delivery key:
    a second row for the same delivery (a retried digest, a second worker) is refused by the
    unique constraint instead of being sent twice.

    A send that fails is tried again with growing waits (``due_at`` is the next try); after the
    last try ``failed_at`` is set and the message is shown as failed: to the place's stewards
    when it belongs to a place, to site administrators (the Django admin) always.
    """

    key = models.CharField(max_length=200, unique=True, default=uuid.uuid4)
    kind = models.CharField(max_length=20, blank=True, default="", choices=OutboxKind.choices)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        help_text="The place the email is about, if any (its stewards see it if it fails).",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person it is for, when known (so a failure can name them, not an address).",
    )
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html = models.TextField(blank=True)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="When the next try is due.")
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set after the last try failed; it is not tried again."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="outbox_unsent_due",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["place", "-failed_at"],
                name="outbox_failed",
                condition=models.Q(failed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "failed"
        return "waiting"
