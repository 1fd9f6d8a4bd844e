"""The places app's models, one module per area; import them from here."""

from __future__ import annotations

from .activity import Activity, Visibility
from .outbox import OutboxMessage
from .place import (
    JoinPolicy,
    Membership,
    Mission,
    Perspective,
    Place,
    PlaceVisibility,
    Role,
)

__all__ = [
    "Activity",
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
