"""People in a place beyond their membership: invitations, join requests, interests, power."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .place import Perspective, Place, Role

INVITATION_LIFETIME = timedelta(days=14)


def _invitation_expiry() -> object:
    return timezone.now() + INVITATION_LIFETIME


class InvitationState(models.TextChoices):
    PENDING = "pending", "Waiting for a reply"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Withdrawn by a steward"
    EXPIRED = "expired", "Expired"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def unsent(self) -> InvitationQuerySet:
        return self.pending().filter(sent_at__isnull=True)


class Invitation(models.Model):
    """A steward's invitation, by email, to join a place.

    The link carries a token signed with the site's secret (``places.services``); the row holds
    what makes it valid: its expiry, whether it was used, and a nonce that a resend replaces so
    older links stop working. Nothing in the table alone lets anyone accept an invitation.
    """

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    message = models.TextField(blank=True, max_length=2000)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place", "email"], name="invitation_place_email")]

    def __str__(self) -> str:
        return f"Invitation to {self.place} for {self.email}"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def is_usable(self) -> bool:
        return self.state == InvitationState.PENDING


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a steward"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class JoinRequestQuerySet(models.QuerySet["JoinRequest"]):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status=JoinRequestStatus.PENDING)


class JoinRequest(models.Model):
    """Someone asking to join a place whose stewards approve each new member."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    perspectives = ArrayField(models.CharField(max_length=30, choices=Perspective.choices))
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=2000, help_text="Told to the person.")

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request",
            ),
            models.CheckConstraint(
                condition=Q(perspectives__len__gt=0), name="join_request_has_a_perspective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.place}"

    def perspective_labels(self) -> list[str]:
        return [Perspective(p).label for p in self.perspectives]


class InterestKind(models.TextChoices):
    EMPLOYMENT = "employment", "Employment"
    FUNDING = "funding", "Funding received"
    BUSINESS = "business", "Business"
    PERSONAL = "personal", "Personal"
    OTHER = "other", "Other"


class DeclarationQuerySet(models.QuerySet):
    def current(self) -> DeclarationQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> DeclarationQuerySet:
        return self.filter(withdrawn_at__isnull=False)


class Interest(models.Model):
    """A member's declared interest in a place. Withdrawn, never deleted: the register keeps
    its history."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests"
    )
    kind = models.CharField(max_length=12, choices=InterestKind.choices)
    description = models.CharField(max_length=500)
    since = models.DateField(null=True, blank=True, help_text="When the interest began.")
    declared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["place", "user"], name="interest_place_user")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class PowerKind(models.TextChoices):
    BUDGET = "budget", "Budget controlled"
    DUTY = "duty", "Statutory duty"
    DECISION_RIGHT = "decision_right", "Decision right"
    BOARD_SEAT = "board_seat", "Seat on a board"


class Power(models.Model):
    """Power a member holds in a place: a budget, a statutory duty, a decision right or a
    board seat. Ended, never deleted, like interests."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="powers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="powers"
    )
    kind = models.CharField(max_length=20, choices=PowerKind.choices)
    description = models.CharField(max_length=500)
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="For a budget: its size in pounds a year.",
    )
    declared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "powers"
        ordering = ["kind", "-amount", "id"]
        indexes = [models.Index(fields=["place", "kind"], name="power_place_kind")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="budget") | Q(amount__isnull=False),
                name="budget_has_an_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None
