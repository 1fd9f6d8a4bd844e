"""People's data: a member's downloads of their data, and stewards' records of withdrawn consent.

* :class:`DataExport` — one request to download everything the platform holds about a person:
  requested → ready (a JSON file in the private storage, an email with a link) → expired (the
  file deleted). Built by ``places.tasks.build_data_export`` (``places.rights``).
* :class:`ConsentWithdrawal` — a steward recorded that a member withdrew their consent for
  their contributions in a place to be shown; their words there were replaced. Who, when, why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .place import Place


class DataExportStatus(models.TextChoices):
    REQUESTED = "requested", "Being prepared"
    READY = "ready", "Ready to download"
    EXPIRED = "expired", "Expired"


class DataExport(models.Model):
    """A person's request for a copy of their data, and the file made for it.

    Written in the same transaction that publishes the task building it; a publish lost with
    Redis is picked up by ``places.tasks.sweep_data_exports``. The build locks this row, so a
    retried or repeated task finds it ready and neither builds nor emails again (the email's
    outbox key is ``data-export:<id>`` as well).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        max_length=10, choices=DataExportStatus.choices, default=DataExportStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(
        max_length=200, blank=True, help_text="Its name in the private file storage."
    )
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="data_export_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="requested"),
                name="one_data_export_being_prepared",
            ),
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} for user {self.user_id} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == DataExportStatus.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


class ConsentWithdrawal(models.Model):
    """A steward's record that a member withdrew consent for their contributions in a place to
    be shown; their entries, inputs, ideas and comments there were redacted, history included.

    Never changed. The member is named by id only (the record outlives an erased account).
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="consent_withdrawals")
    subject_user_id = models.BigIntegerField(help_text="The member whose words were withdrawn.")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Consent withdrawn in {self.place} on {self.created_at:%Y-%m-%d}"
