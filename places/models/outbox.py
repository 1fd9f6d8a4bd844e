from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self) -> OutboxQuerySet:
        return self.filter(sent_at__isnull=True, due_at__lte=timezone.now())


class OutboxMessage(models.Model):
    """One email the platform owes someone.

    Written in the same transaction as the change that causes it, so a message exists exactly
    when its cause does; a worker sends it and stamps ``sent_at``. ``key`` is the delivery key:
    a second row for the same delivery (a retried digest, a second worker) is refused by the
    unique constraint instead of being sent twice.
    """

    key = models.CharField(max_length=200, unique=True, default=uuid.uuid4)
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
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
