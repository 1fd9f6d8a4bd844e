"""The places app's models, one module per area; import them from here."""

from __future__ import annotations

from .activity import Activity, Visibility
from .care import Flag, FlagStatus, Hideable, Hiding, HidingAction
from .gathering import (
    RSVP,
    Answer,
    CalendarFeedToken,
    Gathering,
    GatheringKind,
    GatheringStatus,
)
from .outbox import OutboxKind, OutboxMessage
from .people import (
    INVITATION_LIFETIME,
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
from .rhythm import (
    DEFAULT_FREQUENCY,
    Digest,
    DigestPreference,
    Frequency,
    Mention,
    Notification,
    NotificationPreference,
)
from .rights import ConsentWithdrawal, DataExport, DataExportStatus

__all__ = [
    "DEFAULT_FREQUENCY",
    "Digest",
    "DigestPreference",
    "Frequency",
    "Mention",
    "Notification",
    "NotificationPreference",
    "DEFAULT_HOUSE_RULES",
    "RESERVED_SLUGS",
    "Activity",
    "ConsentWithdrawal",
    "DataExport",
    "DataExportStatus",
    "Answer",
    "CalendarFeedToken",
    "Flag",
    "FlagStatus",
    "Gathering",
    "GatheringKind",
    "GatheringStatus",
    "Hideable",
    "Hiding",
    "HidingAction",
    "RSVP",
    "Interest",
    "InterestKind",
    "Invitation",
    "INVITATION_LIFETIME",
    "InvitationState",
    "JoinRequest",
    "JoinRequestStatus",
    "Power",
    "PowerKind",
    "JoinPolicy",
    "Membership",
    "Mission",
    "OutboxKind",
    "OutboxMessage",
    "Perspective",
    "Place",
    "PlaceVisibility",
    "Role",
    "Visibility",
]
