"""Care for the space: flags raised by members, and the record of what stewards hid and why.

Content that can be flagged keeps its own "hidden" state (the :class:`Hideable` fields), so
the page that shows it can say "Hidden by a steward because …" without another query. Every
hide and unhide also writes a :class:`Hiding` row, which is never updated or deleted: the
history of care in a place stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .place import Place


class Hideable(models.Model):
    """Fields for content a steward can hide. Reversible: unhiding clears them."""

    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class FlagStatus(models.TextChoices):
    OPEN = "open", "Waiting for a steward"
    HIDDEN = "hidden", "Contribution hidden"
    DISMISSED = "dismissed", "Looked at, left as it is"


class FlagQuerySet(models.QuerySet["Flag"]):
    def open(self) -> FlagQuerySet:
        return self.filter(status=FlagStatus.OPEN)

    def for_place(self, place: Place) -> FlagQuerySet:
        return self.filter(place=place)

    def for_content(self, kind: str, object_id: int) -> FlagQuerySet:
        return self.filter(kind=kind, object_id=object_id)


class Flag(models.Model):
    """A member's concern that a contribution breaks a house rule.

    ``kind`` is the key the content registered under in ``places.registry`` (for example
    ``"gathering"``); ``excerpt`` is copied when the flag is raised, so the steward sees what
    was flagged even if it is edited later.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    excerpt = models.CharField(max_length=300, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    house_rule = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_note = models.CharField(max_length=500, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["place", "status", "-created_at"], name="flag_queue"),
            models.Index(fields=["kind", "object_id"], name="flag_content"),
        ]

    def __str__(self) -> str:
        return f"Flag on {self.kind} {self.object_id} in {self.place}"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN


class HidingAction(models.TextChoices):
    HIDDEN = "hidden", "Hidden"
    UNHIDDEN = "unhidden", "Shown again"


class Hiding(models.Model):
    """One hide or unhide of a contribution: an append-only history row."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="hidings")
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=10, choices=HidingAction.choices)
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    flag = models.ForeignKey(
        Flag, null=True, blank=True, on_delete=models.SET_NULL, related_name="hidings"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id"], name="hiding_content")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.kind} {self.object_id}"
