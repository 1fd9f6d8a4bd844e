"""The places app's models, one module per area; import them from here."""

from __future__ import annotations

from .activity import Activity, Visibility
from .outbox import OutboxMessage
from .people import (
    Interest,
    InterestKind,
    Invitation,
    InvitationState,
    JoinRequest,
    JoinRequestStatus,
    Power,
    PowerKind,
)
from .place import (
    DEFAULT_HOUSE_RULES,
    RESERVED_SLUGS,
    JoinPolicy,
    Membership,
    Mission,
    Perspective,
    Place,
    PlaceVisibility,
    Role,
)

__all__ = [
    "DEFAULT_HOUSE_RULES",
    "RESERVED_SLUGS",
    "Activity",
    "Interest",
    "InterestKind",
    "Invitation",
    "InvitationState",
    "JoinRequest",
    "JoinRequestStatus",
    "Power",
    "PowerKind",
    "JoinPolicy",
    "Membership",
    "Mission",
    "OutboxMessage",
    "Perspective",
    "Place",
    "PlaceVisibility",
    "Role",
    "Visibility",
]
