"""Permission-table rules for the rhythm (merged into
``tests.harness.permissions_table.URL_RULES``): notifications, email preferences, one-click
unsubscribe, the mention autocomplete and a place's undelivered email.

Who may read and act:

* notifications (list, badge, open, mark read, mark all read) and email preferences: any
  signed-in person, each only their own; someone else's notification is a 404
  (``tests/places/test_notifications.py``). The badge answers signed-out people with 286, which
  tells htmx to stop polling.
* unsubscribe: anyone holding the signed link, signed in or not, GET and POST. Its POST is the
  one write that takes no CSRF token (``CSRF_EXEMPT_URL_NAMES``): RFC 8058's one-click POST
  comes from a mail client that has no session; the signature authorises it.
* the mention autocomplete: members of the place (a members-only place is a 404 to others).
* a place's undelivered email, and trying one again: its stewards (a member of a members-only
  place gets 403; outsiders 404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone

from places.models import (
    Digest,
    DigestPreference,
    Mention,
    Notification,
    NotificationPreference,
    OutboxKind,
    OutboxMessage,
)
from places.unsubscribe import token_for
from tests.harness.permissions import Cast, Rule


def _private(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _own_notification(cast: Cast) -> dict[str, Any]:
    """A notification of the acting person (signed out: someone's, so the login redirect shows)."""
    person = cast.actor or cast.fixture("user")
    notification = Notification.objects.create(
        recipient=person, kind="mention", text="Someone mentioned you", url="/"
    )
    return {"pk": notification.pk}


def _unsubscribe_token(cast: Cast) -> dict[str, Any]:
    """A digest unsubscribe link of the member, for the public place (the link is a bearer
    secret sent to them; whoever holds it sees which place's digest it stops)."""
    place = cast.fixture("place")
    return {"token": token_for(cast.fixture("member"), f"digest:{place.pk}")}


def _failed_message(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    row = OutboxMessage.objects.create(
        subject="Invitation",
        body="Hello",
        from_email="a@example.org",
        to=["someone@example.org"],
        kind=OutboxKind.PLACE,
        place=place,
        attempts=6,
        failed_at=timezone.now(),
        last_error="SMTPRecipientsRefused",
    )
    return {"slug": place.slug, "message_id": row.pk}


RULES: dict[str, Rule] = {
    "notifications": Rule(read="signed_in"),
    "notifications_badge": Rule(read="anyone", note="signed out: 286, htmx stops polling"),
    "notifications_read_all": Rule(read="nobody", write="signed_in"),
    "notification_open": Rule(read="signed_in", kwargs=_own_notification, private=True),
    "notification_read": Rule(
        read="nobody", write="signed_in", kwargs=_own_notification, private=True
    ),
    "preferences": Rule(read="signed_in", write="signed_in"),
    "unsubscribe": Rule(
        read="anyone",
        write="anyone",
        kwargs=_unsubscribe_token,
        note="the one POST without a CSRF token (RFC 8058 one-click): the signed link is the key",
    ),
    "places:mention_candidates": Rule(read="member", kwargs=_private, private=True),
    "places:failed_mail": Rule(read="steward", kwargs=_private),
    "places:failed_mail_retry": Rule(read="nobody", write="steward", kwargs=_failed_message),
}

CSRF_EXEMPT = {"unsubscribe"}


def _notification_row(cast: Cast) -> Model:
    return Notification.objects.create(
        recipient=cast.fixture("member"), kind="mention", text="Someone mentioned you"
    )


def _digest_row(cast: Cast) -> Model:
    now = timezone.now()
    place = cast.fixture("place")
    return Digest.objects.create(
        key=f"digest:{place.pk}:0:weekly:admin-test",
        user=cast.fixture("member"),
        place=place,
        frequency="weekly",
        period="2026-W07",
        period_start=now,
        period_end=now,
        claim="admin-test",
    )


#: Rows for the admin URLs of the rhythm's models (see ADMIN_ROW_MAKERS).
ADMIN_ROWS = {
    "places.notification": _notification_row,
    "places.digest": _digest_row,
    "places.digestpreference": lambda cast: DigestPreference.objects.create(
        user=cast.fixture("member"), place=cast.fixture("place"), frequency="daily"
    ),
    "places.notificationpreference": lambda cast: NotificationPreference.objects.get_or_create(
        user=cast.fixture("member")
    )[0],
    "places.mention": lambda cast: Mention.objects.create(
        place=cast.fixture("place"),
        user=cast.fixture("member"),
        source_key="admin-test",
    ),
}
