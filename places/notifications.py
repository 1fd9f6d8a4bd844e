"""In-app notifications, and the email that some of them also send.

Call :func:`notification_create` inside the transaction that made the change (like
``activity_record``): the notification, and its email if the person wants it, exist together
with the change or not at all. The ``notify_*`` functions below are the one-line hooks the
places services call; later apps call :func:`notification_create` with kinds they register
with :func:`register_kind` ("someone responded to your input", "you are named a decider").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    RSVP,
    Answer,
    Gathering,
    GatheringStatus,
    Membership,
    Notification,
    NotificationPreference,
    OutboxKind,
    OutboxMessage,
    Place,
)

log = logging.getLogger(__name__)


# --- Kinds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification, and whether it also comes by email.

    ``email_default`` is the choice for people who have not said. ``emailed_anyway`` marks
    kinds whose news is already sent by email by the service that causes it (an accepted
    invitation, a moved gathering, a hidden contribution): the preferences page says so
    instead of offering a choice, and no second email is sent.
    """

    key: str
    label: str
    email_default: bool = True
    emailed_anyway: bool = False


KINDS: dict[str, NotificationKind] = {}


def register_kind(
    key: str, label: str, *, email_default: bool = True, emailed_anyway: bool = False
) -> NotificationKind:
    kind = NotificationKind(
        key=key, label=label, email_default=email_default, emailed_anyway=emailed_anyway
    )
    KINDS[key] = kind
    return kind


register_kind("mention", "Someone mentions you", email_default=True)
register_kind("gathering_tomorrow", "A gathering you are going to is tomorrow", email_default=True)
register_kind(
    "gathering_changed", "A gathering you are going to is moved or cancelled", emailed_anyway=True
)
register_kind("invitation_accepted", "Someone accepts your invitation", emailed_anyway=True)
register_kind("content_hidden", "A steward hides something you wrote", emailed_anyway=True)
register_kind(
    "mail_failed", "Email from a place you steward could not be delivered", email_default=False
)


def email_choices(user: Any) -> dict[str, bool]:
    """Which optional kinds come by email for this person (defaults filled in)."""
    saved = (
        NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
        or {}
    )
    return {
        key: bool(saved.get(key, kind.email_default))
        for key, kind in KINDS.items()
        if not kind.emailed_anyway
    }


def wants_email(user: Any, kind: str) -> bool:
    registered = KINDS.get(kind)
    if registered is None or registered.emailed_anyway:
        return False
    return email_choices(user).get(kind, registered.email_default)


# --- Writing ------------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def notification_create(
    *,
    recipient: Any,
    kind: str,
    text: str,
    url: str = "",
    place: Place | None = None,
    actor: Any = None,
    key: str | None = None,
) -> Notification | None:
    """Tell ``recipient`` something in the app (and by email, if they want this kind by email).

    Returns None when nobody is told: an inactive account, the person who did it themselves,
    or a ``key`` already used (the same reminder a second time).
    """
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and getattr(actor, "pk", None) == recipient.pk:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                text=text[:300],
                url=url[:500],
                place=place,
                actor=actor,
                key=key,
            )
    except IntegrityError:
        if key is None:
            raise
        return None
    if wants_email(recipient, kind):
        _email(notification)
    return notification


def _email(notification: Notification) -> OutboxMessage:
    from .outbox import outbox_add
    from .unsubscribe import headers_for, url_for

    recipient = notification.recipient
    topic = f"notify:{notification.kind}"
    unsubscribe = url_for(recipient, topic)
    context = {
        "notification": notification,
        "recipient": recipient,
        "url": _absolute(notification.url) if notification.url else "",
        "notifications_url": _absolute(reverse("notifications")),
        "preferences_url": _absolute(reverse("preferences")),
        "unsubscribe_url": unsubscribe,
        "kind": KINDS.get(notification.kind),
    }
    message = EmailMultiAlternatives(
        subject=notification.text[:150],
        body=render_to_string("email/notification.txt", context),
        to=[recipient.email],
        headers=headers_for(recipient, topic, url=unsubscribe),
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    return outbox_add(
        message=message,
        key=f"notification:{notification.pk}",
        kind=OutboxKind.NOTIFICATION,
        place=notification.place,
        recipient=recipient,
    )


def notification_email_set(*, user: Any, choices: dict[str, bool]) -> NotificationPreference:
    """Save which optional kinds come by email (unknown kinds are ignored)."""
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    for key, wanted in choices.items():
        if key in KINDS and not KINDS[key].emailed_anyway:
            preference.email[key] = bool(wanted)
    preference.updated_at = timezone.now()
    preference.save(update_fields=["email", "updated_at"])
    return preference


def describe_topic(user: Any, rest: str) -> str | None:
    """For unsubscribe links: what ``notify:<kind>`` stops."""
    kind = KINDS.get(rest)
    if kind is None or kind.emailed_anyway:
        return None
    return f"emails when this happens: {kind.label.lower()}"


def stop_topic(user: Any, rest: str) -> None:
    if rest in KINDS:
        with transaction.atomic():
            notification_email_set(user=user, choices={rest: False})


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all of them when ``ids`` is None)."""
    if hasattr(user, UNREAD_TOLD):  # a count read earlier in the request is now wrong
        delattr(user, UNREAD_TOLD)
    rows = Notification.objects.for_user(user).unread()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    if (told := getattr(user, UNREAD_TOLD, None)) is not None:
        return int(told)
    # The badge's question on every page not about one place: a plain cursor, as building
    # the ORM's query cost ten times what PostgreSQL takes to answer it.
    with connection.cursor() as cursor:
        cursor.execute(_unread_sql(), [user.pk])
        return int(cursor.fetchone()[0])


#: The attribute where a request's user keeps the unread count read along with the place
#: (places.access), for the rest of the request.
UNREAD_TOLD = "_unread_notifications"


@cache
def _unread_sql() -> str:
    """A person's unread count (the ``notification_unread`` index answers it alone)."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    return f"SELECT count(*) FROM {table} WHERE recipient_id = %s AND read_at IS NULL"


def unread_annotation(user: Any) -> RawSQL:
    """The person's unread count as an annotation, so that a page's first query brings the
    header's badge along instead of asking again (every signed-in page shows it)."""
    return RawSQL(_unread_sql(), (user.pk,), output_field=IntegerField())


# --- Hooks for the places services ------------------------------------------------------------


def notify_invitation_accepted(*, invitation: Any, membership: Membership) -> Notification | None:
    """The person who sent an invitation hears that it was accepted."""
    place = membership.place
    return notification_create(
        recipient=invitation.invited_by,
        kind="invitation_accepted",
        text=f"{membership.user} accepted your invitation to join {place.name}",
        url=reverse("places:member", kwargs={"slug": place.slug, "membership_id": membership.pk}),
        place=place,
        actor=membership.user,
    )


def _going(gathering: Gathering, *, besides: Any = None) -> list[Any]:
    answers = (
        RSVP.objects.filter(gathering=gathering, answer=Answer.GOING, user__is_active=True)
        .exclude(user_id=getattr(besides, "pk", 0))
        .select_related("user")
        .order_by("user_id")
    )
    return [answer.user for answer in answers]


def notify_gathering_changed(*, gathering: Gathering, by: Any) -> list[Notification]:
    """Everyone who said they are going hears that a gathering moved or was cancelled."""
    from .digests import zone

    made = []
    for person in _going(gathering, besides=by):
        if gathering.status == GatheringStatus.CANCELLED:
            text = f"{gathering.title} ({gathering.place.name}) has been cancelled"
        else:
            local = gathering.starts_at.astimezone(zone(person.time_zone))
            text = (
                f"{gathering.title} ({gathering.place.name}) has changed: it is now on "
                f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"
            )
        made.append(
            notification_create(
                recipient=person,
                kind="gathering_changed",
                text=text,
                url=gathering.get_absolute_url(),
                place=gathering.place,
                actor=by,
            )
        )
    return [n for n in made if n is not None]


def notify_content_hidden(*, kind: Any, obj: Any, by: Any, reason: str) -> Notification | None:
    """The author of something a steward hid is told, with the reason."""
    place = kind.place(obj)
    return notification_create(
        recipient=kind.author(obj),
        kind="content_hidden",
        text=f"A steward hid your {kind.label} in {place.name} because {reason}",
        url=kind.url(obj),
        place=place,
        actor=by,
    )


def notify_gatherings_tomorrow(*, now: datetime | None = None) -> int:
    """Tell each person going to a gathering that starts tomorrow (their own calendar day).

    Run hourly by beat. Once per person, gathering and day: the key makes a second run (or a
    second beat) tell nobody again, and a gathering moved to another day is a new reminder.
    """
    from .digests import zone

    now = now or timezone.now()
    soon = Gathering.objects.filter(
        status=GatheringStatus.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=49),
    ).select_related("place")
    told = 0
    for gathering in soon:
        for person in _going(gathering):
            tz = zone(person.time_zone)
            starts = gathering.starts_at.astimezone(tz)
            if starts.date() != (now.astimezone(tz) + timedelta(days=1)).date():
                continue
            made = notification_create(
                recipient=person,
                kind="gathering_tomorrow",
                text=f"{gathering.title} ({gathering.place.name}) is tomorrow at {starts:%H:%M}",
                url=gathering.get_absolute_url(),
                place=gathering.place,
                key=f"gathering-tomorrow:{gathering.pk}:{person.pk}:{starts.date().isoformat()}",
            )
            told += made is not None
    return told


def notify_mail_failed(*, message: OutboxMessage) -> list[Notification]:
    """A place's email could not be delivered after every try: its stewards are told."""
    place = message.place
    if place is None:
        return []
    who = message.recipient.display_name if message.recipient else "someone"
    url = reverse("places:failed_mail", kwargs={"slug": place.slug})
    stewards = Membership.objects.stewards().filter(place=place).select_related("user")
    made = [
        notification_create(
            recipient=steward.user,
            kind="mail_failed",
            text=f"An email to {who} from {place.name} could not be delivered",
            url=url,
            place=place,
            key=f"mail-failed:{message.pk}:{steward.user_id}:{message.attempts}",
        )
        for steward in stewards
    ]
    return [n for n in made if n is not None]
