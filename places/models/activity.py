from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class Visibility(models.TextChoices):
    """Who can see one item. Decided by the item itself, never by the reader's role."""

    PUBLIC = "public", "Anyone who can read the place"
    MEMBERS = "members", "Members of the place"
    SCOPED = "scoped", "A named group (for example a cycle's participants)"


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_place(self, place: models.Model) -> ActivityQuerySet:
        return self.filter(place=place)

    def newest_first(self) -> ActivityQuerySet:
        return self.order_by("-created_at", "-id")


class Activity(models.Model):
    """One meaningful change in a place: the spine the timeline, notifications and digests read.

    ``summary`` and ``url`` are written when the change happens, so a timeline of any length
    renders from this one table without loading what each row points at.
    """

    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(
        max_length=40, help_text="What sort of thing changed: member, gathering…"
    )
    verb = models.CharField(max_length=40, help_text="What happened to it: joined, arranged…")
    summary = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    scope = models.CharField(
        max_length=100, blank=True, help_text="For scoped items: the group, e.g. 'cycle:42'."
    )
    perspectives = ArrayField(
        models.CharField(max_length=30), default=list, blank=True,
        help_text="The perspectives the actor spoke from when it happened.",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "activity"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place", "-created_at", "-id"], name="activity_timeline")]

    def __str__(self) -> str:
        return self.summary
