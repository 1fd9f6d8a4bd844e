"""iCalendar for gatherings: one event per ``.ics``, a feed per place, secret feed addresses.

Each gathering keeps one UID for life (``gathering-<id>@<site host>``) and a SEQUENCE that goes
up whenever its time, place or status changes, so a calendar app updates or cancels the copy it
already holds (RFC 5545 §3.8.7.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarFeedToken, Gathering, GatheringStatus, Membership, Place

PRODID = "-//Relational//Gatherings//EN"
# How far back the feed reaches, so a subscriber still sees last week's gathering.
FEED_LOOKBACK = timedelta(days=30)
HIDDEN_SUMMARY = "Hidden by a steward"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "relational"


def gathering_uid(gathering: Gathering) -> str:
    return f"gathering-{gathering.pk}@{_host()}"


def gathering_event(gathering: Gathering) -> Event:
    event = Event()
    event.add("uid", gathering_uid(gathering))
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("last-modified", gathering.updated_at.astimezone(UTC))
    event.add("created", gathering.created_at.astimezone(UTC))
    event.add("sequence", gathering.sequence)
    event.add("dtstart", gathering.starts_at.astimezone(UTC))
    event.add("dtend", gathering.ends_at.astimezone(UTC))
    url = f"{settings.SITE_URL}{gathering.get_absolute_url()}"
    event.add("url", url)
    cancelled = gathering.status == GatheringStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if gathering.is_hidden:
        # The words were hidden by a steward; the time stays so nobody is left waiting.
        event.add("summary", HIDDEN_SUMMARY)
        event.add("description", f"{HIDDEN_SUMMARY}. See {url}")
        return event
    event.add("summary", f"{gathering.title} ({gathering.place.name})")
    description = [gathering.purpose]
    if gathering.agenda:
        description += ["", "Agenda:", gathering.agenda]
    if gathering.online_url:
        description += ["", f"Join online: {gathering.online_url}"]
    if cancelled and gathering.cancelled_reason:
        description += ["", f"Cancelled: {gathering.cancelled_reason}"]
    description += ["", url]
    event.add("description", "\n".join(description))
    event.add("location", gathering.location or gathering.online_url)
    return event


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def gathering_ics(gathering: Gathering) -> bytes:
    cal = _calendar(gathering.place.name)
    cal.add_component(gathering_event(gathering))
    return cal.to_ical()


def feed_gatherings(place: Place) -> Iterable[Gathering]:
    """Upcoming gatherings (cancelled ones too, so subscribers see the cancellation), and
    those of the last month."""
    return (
        Gathering.objects.for_place(place)
        .filter(ends_at__gte=timezone.now() - FEED_LOOKBACK)
        .select_related("place")
        .order_by("starts_at", "id")
    )


def place_feed_ics(place: Place) -> bytes:
    cal = _calendar(f"{place.name}: gatherings")
    cal.add("x-wr-caldesc", f"Gatherings of {place.name} on Relational")
    # How often calendar apps should check again (RFC 7986, and Outlook's older name for it).
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for gathering in feed_gatherings(place):
        cal.add_component(gathering_event(gathering))
    return cal.to_ical()


# --- Secret feed addresses for members-only places -----------------------------------------------


def calendar_token_for(*, place: Place, user: Any) -> CalendarFeedToken | None:
    """The member's active secret address for the place, if they have one."""
    return CalendarFeedToken.objects.active().filter(place=place, user=user).first()


@transaction.atomic
def calendar_token_renew(*, place: Place, user: Any) -> CalendarFeedToken:
    """Revoke any active address and make a new one (also how the first one is made)."""
    CalendarFeedToken.objects.active().filter(place=place, user=user).update(
        revoked_at=timezone.now()
    )
    return CalendarFeedToken.objects.create(place=place, user=user)


@transaction.atomic
def calendar_token_revoke(*, place: Place, user: Any) -> int:
    """Revoke the member's active address; it answers 404 from now on. Returns how many."""
    return (
        CalendarFeedToken.objects.active()
        .filter(place=place, user=user)
        .update(revoked_at=timezone.now())
    )


def calendar_token_resolve(*, slug: str, token: str) -> Place | None:
    """The place a secret address belongs to, or None if it is unknown, revoked, for another
    place, or its member has left."""
    row = (
        CalendarFeedToken.objects.active()
        .select_related("place")
        .filter(token=token, place__slug=slug)
        .first()
    )
    if row is None:
        return None
    if not Membership.objects.filter(place=row.place, user_id=row.user_id).exists():
        return None
    # Stamped at most once an hour, so a calendar app polling every few minutes does not write
    # on every request.
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        CalendarFeedToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.place
