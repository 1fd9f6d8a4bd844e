"""Gatherings: arrange, answer, reschedule, cancel, record notes (see DESIGN.md "Writes").

Each write runs in one transaction with its activity row and any emails (the default mailer
writes outbox rows), so a change and the news of it exist together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import mentions, notifications
from .activity import activity_record
from .models import (
    RSVP,
    Answer,
    Gathering,
    GatheringStatus,
    Membership,
    OutboxKind,
    Place,
    Visibility,
)
from .outbox import mail_context
from .registry import FlaggableKind, Registry, same_for_every_reader


class GatheringClosed(Exception):
    """The gathering no longer takes this action (cancelled, or already over)."""


# Fields that say when and where: changing one of them bumps the iCalendar SEQUENCE and tells
# everyone who answered.
WHEN_AND_WHERE = ("starts_at", "ends_at", "location", "online_url")
DETAILS = ("kind", "title", "purpose", "agenda")


def _name(user: Any) -> str:
    return str(user) if user is not None else "Someone"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _validate(gathering: Gathering) -> None:
    gathering.full_clean(exclude=["place", "organiser", "attendees"], validate_unique=False)


@transaction.atomic
def gathering_arrange(
    *,
    place: Place,
    organiser: Any,
    kind: str,
    title: str,
    purpose: str,
    starts_at: Any,
    ends_at: Any,
    location: str = "",
    online_url: str = "",
    agenda: str = "",
) -> Gathering:
    """A member arranges a gathering. Raises ValidationError for bad times or no place to meet."""
    gathering = Gathering(
        place=place,
        organiser=organiser,
        kind=kind,
        title=title.strip(),
        purpose=purpose.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        online_url=online_url.strip(),
        agenda=agenda.strip(),
    )
    _validate(gathering)
    gathering.save()
    # The organiser is going to their own gathering (and hears if a steward moves it).
    RSVP.objects.create(gathering=gathering, user=organiser, answer=Answer.GOING)
    activity_record(
        place=place,
        actor=organiser,
        kind="gathering",
        verb="arranged",
        summary=f"{_name(organiser)} arranged a gathering: {gathering.title}, {_when(gathering)}",
        url=gathering.get_absolute_url(),
        target=gathering,
        visibility=Visibility.PUBLIC,
    )
    return gathering


def uk_time(value: Any) -> str:
    """A time of day as GOV.UK writes it, in UK time: "6pm", "6:30pm", "midday", "midnight"."""
    local = timezone.localtime(value)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def _when(gathering: Gathering) -> str:
    start = timezone.localtime(gathering.starts_at)
    return f"{start:%A} {start.day} {start:%B %Y} at {uk_time(start)}"


@transaction.atomic
def gathering_answer(*, gathering: Gathering, user: Any, answer: str) -> RSVP:
    """Record or change a member's answer. One row per member; a second answer replaces it."""
    if not gathering.is_open_for_answers:
        raise GatheringClosed("This gathering is no longer taking answers.")
    Answer(answer)  # raises ValueError for anything that is not an answer
    rsvp, _ = RSVP.objects.update_or_create(
        gathering=gathering,
        user=user,
        defaults={"answer": answer, "answered_at": timezone.now()},
    )
    return rsvp


def _answerers(gathering: Gathering, *, besides: Any) -> list[Any]:
    """Everyone who answered (going, maybe or not going), except the person making the change."""
    answers = RSVP.objects.filter(gathering=gathering, user__is_active=True)
    if besides is not None:
        answers = answers.exclude(user_id=besides.pk)
    answers = answers.select_related("user").order_by("user_id")
    return [rsvp.user for rsvp in answers]


def _tell_answerers(
    gathering: Gathering, *, by: Any, template: str, subject: str, extra: dict[str, Any]
) -> int:
    """One email per person (nobody sees anyone else's address). Returns how many were written."""
    recipients = _answerers(gathering, besides=by)
    context = {
        "gathering": gathering,
        "place": gathering.place,
        "by": by,
        "gathering_url": _absolute(gathering.get_absolute_url()),
        "ics_url": _absolute(
            reverse(
                "places:gathering_ics", kwargs={"slug": gathering.place.slug, "pk": gathering.pk}
            )
        ),
        **extra,
    }
    for recipient in recipients:
        body = render_to_string(template, {**context, "recipient": recipient})
        with mail_context(kind=OutboxKind.PLACE, place=gathering.place, recipient=recipient):
            EmailMessage(subject=subject, body=body, to=[recipient.email]).send()
    return len(recipients)


@transaction.atomic
def gathering_update(
    *,
    gathering: Gathering,
    by: Any,
    message: str = "",
    **changes: Any,
) -> Gathering:
    """Change a gathering's details. A new time or place is a reschedule: the SEQUENCE goes up,
    everyone who answered is emailed, and the timeline says so when the time moved.
    """
    locked = Gathering.objects.select_for_update().select_related("place").get(pk=gathering.pk)
    if locked.is_cancelled:
        raise GatheringClosed("A cancelled gathering cannot be changed.")
    unknown = set(changes) - set(WHEN_AND_WHERE) - set(DETAILS)
    if unknown:
        raise TypeError(f"Unknown gathering fields: {sorted(unknown)}")
    before = {name: getattr(locked, name) for name in WHEN_AND_WHERE}
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _validate(locked)
    moved = any(getattr(locked, name) != before[name] for name in WHEN_AND_WHERE)
    time_moved = (locked.starts_at, locked.ends_at) != (before["starts_at"], before["ends_at"])
    if moved:
        locked.sequence += 1
    locked.updated_at = timezone.now()
    locked.save()
    if moved:
        _tell_answerers(
            locked,
            by=by,
            template="places/gathering_email_changed.txt",
            subject=f"Changed: {locked.title} ({locked.place.name})",
            extra={
                "message": message.strip(),
                "time_moved": time_moved,
                "before_starts_at": before["starts_at"],
                "before_ends_at": before["ends_at"],
            },
        )
        notifications.notify_gathering_changed(gathering=locked, by=by)
    if time_moved:
        activity_record(
            place=locked.place,
            actor=by,
            kind="gathering",
            verb="rescheduled",
            summary=f"{_name(by)} moved {locked.title} to {_when(locked)}",
            url=locked.get_absolute_url(),
            target=locked,
        )
    return locked


@transaction.atomic
def gathering_cancel(*, gathering: Gathering, by: Any, reason: str = "") -> Gathering:
    """Cancel a gathering; its calendar entry says CANCELLED with a higher SEQUENCE."""
    locked = Gathering.objects.select_for_update().select_related("place").get(pk=gathering.pk)
    if locked.is_cancelled:
        return locked  # a second cancel (a double click) changes nothing and emails nobody
    locked.status = GatheringStatus.CANCELLED
    locked.cancelled_reason = reason.strip()[:500]
    locked.sequence += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_reason", "sequence", "updated_at"])
    _tell_answerers(
        locked,
        by=by,
        template="places/gathering_email_cancelled.txt",
        subject=f"Cancelled: {locked.title} ({locked.place.name})",
        extra={"reason": locked.cancelled_reason},
    )
    notifications.notify_gathering_changed(gathering=locked, by=by)
    activity_record(
        place=locked.place,
        actor=by,
        kind="gathering",
        verb="cancelled",
        summary=f"{_name(by)} cancelled {locked.title} ({_when(locked)})",
        url=locked.get_absolute_url(),
        target=locked,
    )
    return locked


@transaction.atomic
def gathering_record_notes(
    *, gathering: Gathering, by: Any, notes: str, attendees: Iterable[Any]
) -> Gathering:
    """After a gathering: what happened, and who was there (members of the place only)."""
    locked = Gathering.objects.select_for_update().select_related("place").get(pk=gathering.pk)
    if locked.is_cancelled:
        raise GatheringClosed("A cancelled gathering has no notes.")
    if not locked.has_ended:
        raise GatheringClosed("Notes can be recorded once the gathering is over.")
    attendee_ids = {getattr(a, "pk", a) for a in attendees}
    member_ids = set(
        Membership.objects.filter(place=locked.place, user_id__in=attendee_ids).values_list(
            "user_id", flat=True
        )
    )
    if attendee_ids - member_ids:
        raise ValidationError({"attendees": "Only members of this place can be marked as there."})
    first_time = not locked.has_notes
    locked.notes = mentions.resolve(locked.place, notes.strip()).text  # forged mentions: plain
    locked.notes_recorded_at = timezone.now()
    locked.notes_recorded_by = by
    locked.updated_at = timezone.now()
    _validate(locked)
    locked.save(update_fields=["notes", "notes_recorded_at", "notes_recorded_by", "updated_at"])
    locked.attendees.set(member_ids)
    if first_time:
        activity_record(
            place=locked.place,
            actor=by,
            kind="gathering",
            verb="notes_recorded",
            summary=f"{_name(by)} recorded notes from {locked.title} ({len(member_ids)} there)",
            url=locked.get_absolute_url(),
            target=locked,
        )
    mentions.mentions_record(
        place=locked.place,
        by=by,
        text=locked.notes,
        source_key=f"places.gathering:{locked.pk}:notes",
        url=locked.get_absolute_url(),
        what=f"the notes of {locked.title}",
        source=locked,
    )
    return locked


# --- Reads ---------------------------------------------------------------------------------------


def gatherings_with_counts(place: Place):  # type: ignore[no-untyped-def]
    """The place's gatherings with how many are going and maybe, in one query."""
    return (
        Gathering.objects.for_place(place)
        .select_related("organiser", "place")
        .annotate(
            going_count=Count("answers", filter=Q(answers__answer=Answer.GOING)),
            maybe_count=Count("answers", filter=Q(answers__answer=Answer.MAYBE)),
        )
    )


def answer_of(gathering: Gathering, user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        RSVP.objects.filter(gathering=gathering, user=user).values_list("answer", flat=True).first()
    )


# --- Registration ------------------------------------------------------------------------------


def _next_gatherings_panel(request: HttpRequest, place: Place) -> dict[str, Any]:
    # The same for everyone: kept while the place is unchanged (places.parts). A gathering
    # starting or ending moves the version too (beat's page_cache_clock), so "upcoming" holds.
    from places.parts import place_part

    upcoming = place_part(
        place, "next-gatherings", lambda: list(gatherings_with_counts(place).upcoming()[:3])
    )
    return {"gatherings": upcoming}


def _export(user: Any) -> dict[str, Any]:
    return {
        "gatherings_organised": [
            {
                "place": g.place.slug,
                "title": g.title,
                "starts_at": g.starts_at.isoformat(),
                "purpose": g.purpose,
                "agenda": g.agenda,
            }
            for g in Gathering.objects.filter(organiser=user).select_related("place")
        ],
        "gathering_answers": [
            {
                "place": a.gathering.place.slug,
                "gathering": a.gathering.title,
                "answer": a.answer,
                "answered_at": a.answered_at.isoformat(),
            }
            for a in RSVP.objects.filter(user=user).select_related("gathering__place")
        ],
        "gatherings_attended": [
            {"place": g.place.slug, "gathering": g.title, "starts_at": g.starts_at.isoformat()}
            for g in user.gatherings_attended.select_related("place")
        ],
    }


def _erase(user: Any) -> None:
    """Answers and attendance are the person's own: they go. Gatherings they organised stay
    (others answered them) with no organiser."""
    RSVP.objects.filter(user=user).delete()
    user.gatherings_attended.clear()
    Gathering.objects.filter(organiser=user).update(organiser=None)


def register(registry: Registry) -> None:
    """``places``' own contributions to the registry (called from ``PlacesConfig.ready``)."""
    registry.register_panel(
        "places.gatherings",
        title="Next gatherings",
        template="places/gathering_panel.html",
        context=_next_gatherings_panel,
        order=10,
        reader=same_for_every_reader,
    )
    registry.register_flaggable(
        FlaggableKind(
            key="gathering",
            label="gathering",
            model=Gathering,
            author=lambda g: g.organiser,
            excerpt=lambda g: f"{g.title}: {g.purpose}"[:300],
        )
    )
    registry.register_activity_kind("gathering", "Gatherings")
    registry.register_activity_kind("care", "Care for the space")
    registry.register_digest_section(
        "places.gatherings", title="Gatherings", activity_kinds=["gathering"], order=20
    )
    registry.register_data_handler(
        "places.gatherings",
        export=_export,
        erase=_erase,
        models=("places.Gathering", "places.RSVP", "places.CalendarFeedToken"),
    )
    registry.register_demo_seeder("places.gatherings", _seed_demo)


def _seed_demo(place: Place, result: Any) -> None:
    from .demo_gatherings import seed_gatherings

    seed_gatherings(place, result)
