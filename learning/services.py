"""Writes that touch several rows of the learning app (see DESIGN.md "Writes").

Each write is one transaction that also records its activity row (``places.activity``) and any
email (an outbox row), so a change and the news of it exist together or not at all. Refusals are
raised as :class:`LearningError` with words fit to show the person (and, where it helps, the
form field they belong to).
"""

from __future__ import annotations

import logging
import secrets
import zlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from places.activity import activity_record
from places.models import Activity, Membership, Mission, OutboxKind, Place, Visibility
from places.outbox import outbox_add
from places.permissions import is_member
from relational.models import User

from . import notify
from .models import (
    LOGGED_KINDS,
    Better,
    Consent,
    CycleJoinRequest,
    CycleLink,
    CycleParticipant,
    CycleStatus,
    Entry,
    EntryKind,
    EntryVersion,
    EntryVisibility,
    JoinStatus,
    LearningCycle,
    LinkKind,
    Measure,
    MeasureKind,
    PromptDelivery,
    PromptQuestion,
    Reading,
    Swimlane,
    World,
    visibility_choices,
    widest_visibility,
)
from .periods import answer_window, current_due_period
from .permissions import forget_participants, is_participant

log = logging.getLogger(__name__)

PROMPT_SALT = "learning.prompt"
SEARCH_CONFIG = "english"


class LearningError(Exception):
    """A refusal with a reason the person can read."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class CycleClosed(LearningError):
    def __init__(self, cycle: LearningCycle) -> None:
        super().__init__(
            f"This cycle is {cycle.get_status_display().lower()}, so it takes no new entries "
            "or readings.",
            status=409,
        )


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _name(user: Any) -> str:
    return str(user) if user is not None else "A former member"


def _perspectives(place: Place, user: Any) -> list[str]:
    return list(
        Membership.objects.filter(place=place, user=user)
        .values_list("perspectives", flat=True)
        .first()
        or []
    )


def activity_visibility(entry_visibility: str, cycle: LearningCycle) -> tuple[str, str]:
    """An entry's visibility as the activity spine says it: (visibility, scope)."""
    if entry_visibility == EntryVisibility.PUBLIC:
        return Visibility.PUBLIC, ""
    if entry_visibility == EntryVisibility.MEMBERS:
        return Visibility.MEMBERS, ""
    return Visibility.SCOPED, f"cycle:{cycle.pk}"


def _text(value: Any, limit: int) -> str:
    return (value or "").strip()[:limit]


# --- Cycles -------------------------------------------------------------------------------------


def _check_missions(place: Place, missions: Iterable[Mission | int]) -> list[Mission]:
    ids = {m.pk if isinstance(m, Mission) else int(m) for m in missions}
    found = list(Mission.objects.filter(place=place, pk__in=ids))
    if len(found) != len(ids):
        raise LearningError("Choose missions of this place.", field="missions")
    return found


def _check_members(place: Place, people: Iterable[User]) -> list[User]:
    people = list({p.pk: p for p in people}.values())
    members = set(
        Membership.objects.filter(place=place, user__in=people).values_list("user_id", flat=True)
    )
    if any(p.pk not in members for p in people):
        raise LearningError("Participants must be members of this place.", field="participants")
    return people


def _add_participant(cycle: LearningCycle, user: User, *, by: User | None) -> bool:
    """Add a participant; False if they already take part."""
    _, created = CycleParticipant.objects.get_or_create(
        cycle=cycle, user=user, defaults={"added_by": by}
    )
    forget_participants(cycle)
    return created


@transaction.atomic
def cycle_create(
    *,
    place: Place,
    by: User,
    title: str,
    question: str,
    intent: str,
    relationship_level: str,
    horizon: str,
    rhythm: str,
    scale: str,
    missions: Iterable[Mission | int] = (),
    participants: Iterable[User] = (),
) -> LearningCycle:
    """A member frames a cycle. They take part in it; the others they name are told."""
    if not is_member(by, place):
        raise LearningError("Only members of the place can start a cycle.", status=403)
    found_missions = _check_missions(place, missions)
    named = [p for p in _check_members(place, participants) if p.pk != by.pk]
    cycle = LearningCycle.objects.create(
        place=place,
        title=_text(title, 150),
        question=_text(question, 1000),
        intent=_text(intent, 2000),
        relationship_level=relationship_level,
        horizon=horizon,
        rhythm=rhythm,
        scale=scale,
        created_by=by,
    )
    cycle.missions.set(found_missions)
    _add_participant(cycle, by, by=by)
    for person in named:
        _add_participant(cycle, person, by=by)
    activity_record(
        place=place,
        actor=by,
        kind="cycle",
        verb="framed",
        summary=f"{_name(by)} started a learning cycle: {cycle.title}",
        url=cycle.get_absolute_url(),
        target=cycle,
    )
    for person in named:
        _tell_named_participant(cycle, person, by=by)
    cycle_refresh_search(cycle.pk)
    return cycle


def _tell_named_participant(cycle: LearningCycle, person: User, *, by: User) -> None:
    notify.send(
        user=person,
        place=cycle.place,
        kind="cycle_participant",
        text=f"{_name(by)} named you a participant in the learning cycle ‘{cycle.title}’",
        url=cycle.get_absolute_url(),
        actor=by,
    )


CYCLE_FIELDS = (
    "title",
    "question",
    "intent",
    "relationship_level",
    "horizon",
    "rhythm",
    "scale",
)


@transaction.atomic
def cycle_update(
    *,
    cycle: LearningCycle,
    by: User,
    missions: Iterable[Mission | int] | None = None,
    participants: Iterable[User] | None = None,
    **changes: Any,
) -> LearningCycle:
    """Participants reframe an open cycle; newly named participants are told."""
    cycle = LearningCycle.objects.select_for_update().select_related("place").get(pk=cycle.pk)
    if cycle.is_closed:
        raise LearningError("A concluded or stopped cycle can no longer be changed.", status=409)
    unknown = set(changes) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cycle fields: {sorted(unknown)}")
    limits = {"title": 150, "question": 1000, "intent": 2000}
    for name, value in changes.items():
        setattr(cycle, name, _text(value, limits[name]) if name in limits else value)
    cycle.updated_at = timezone.now()
    cycle.save()
    if missions is not None:
        cycle.missions.set(_check_missions(cycle.place, missions))
    if participants is not None:
        for person in _check_members(cycle.place, participants):
            if _add_participant(cycle, person, by=by) and person.pk != by.pk:
                _tell_named_participant(cycle, person, by=by)
    cycle_refresh_search(cycle.pk)
    return cycle


STATUS_VERBS = {
    CycleStatus.TESTING: "began testing",
    CycleStatus.REFLECTING: "moved on to reflecting",
    CycleStatus.ADAPTING: "moved on to adapting",
    CycleStatus.CONCLUDED: "concluded",
    CycleStatus.STOPPED: "stopped",
}


@transaction.atomic
def cycle_move(
    *,
    cycle: LearningCycle,
    by: User,
    to: str,
    note: str = "",
    reason: str = "",
    learned: str = "",
    differently: str = "",
) -> Entry:
    """Move a cycle to its next status. Each move is a status entry in its timeline.

    Concluding asks what was learned and what will be done differently; stopping asks why.
    """
    cycle = LearningCycle.objects.select_for_update().select_related("place").get(pk=cycle.pk)
    if not is_participant(by, cycle):
        raise LearningError("Only the cycle’s participants can move it on.", status=403)
    if cycle.is_closed:
        raise LearningError(
            f"This cycle is already {cycle.get_status_display().lower()}.", status=409
        )
    if not cycle.may_move_to(to):
        allowed = ", ".join(CycleStatus(s).label.lower() for s in cycle.next_statuses())
        raise LearningError(
            f"From {cycle.get_status_display().lower()} the cycle can move to: {allowed}.",
            field="to",
        )
    now = timezone.now()
    before = cycle.status
    if to == CycleStatus.STOPPED:
        if not reason.strip():
            raise LearningError("Say why the cycle is stopping.", field="reason")
        cycle.stopped_reason = _text(reason, 2000)
    if to == CycleStatus.CONCLUDED:
        errors = []
        if not learned.strip():
            errors.append(LearningError("Say what you learned.", field="learned"))
        if not differently.strip():
            errors.append(LearningError("Say what you will do differently.", field="differently"))
        if errors:
            raise errors[0]
        cycle.learned = _text(learned, 10000)
        cycle.differently = _text(differently, 10000)
    if to == CycleStatus.TESTING and cycle.testing_started_at is None:
        cycle.testing_started_at = now
    if to in (CycleStatus.CONCLUDED, CycleStatus.STOPPED):
        cycle.closed_at = now
    cycle.status = to
    cycle.updated_at = now
    cycle.save()
    body = _text(note, 10000)
    if to == CycleStatus.STOPPED and not body:
        body = cycle.stopped_reason
    if to == CycleStatus.CONCLUDED and not body:
        body = (
            f"**What we learned.** {cycle.learned}\n\n"
            f"**What we will do differently.** {cycle.differently}"
        )
    entry = Entry.objects.create(
        cycle=cycle,
        kind=EntryKind.STATUS,
        body=body,
        author=by,
        author_perspectives=_perspectives(cycle.place, by),
        visibility=widest_visibility(cycle.place),
        status_from=before,
        status_to=to,
        created_at=now,
    )
    activity_record(
        place=cycle.place,
        actor=by,
        kind="cycle",
        verb=to,
        summary=(
            f"{_name(by)}: ‘{cycle.title}’ concluded. What we learned: {cycle.learned}"
            if to == CycleStatus.CONCLUDED
            else f"{_name(by)}: ‘{cycle.title}’ {STATUS_VERBS[CycleStatus(to)]}"
        ),
        url=cycle.get_absolute_url(),
        target=cycle,
    )
    cycle_refresh_search(cycle.pk)
    return entry


@transaction.atomic
def cycle_join_request_create(
    *, cycle: LearningCycle, user: User, message: str = ""
) -> CycleJoinRequest:
    """A member asks to take part; the participants are told and any of them may accept."""
    if cycle.is_closed:
        raise LearningError("This cycle has finished, so it is not taking new people.", status=409)
    if not is_member(user, cycle.place):
        raise LearningError("Only members of the place can join its cycles.", status=403)
    if is_participant(user, cycle):
        raise LearningError("You already take part in this cycle.", status=409)
    existing = CycleJoinRequest.objects.pending().filter(cycle=cycle, user=user).first()
    if existing is not None:
        return existing
    join_request = CycleJoinRequest.objects.create(
        cycle=cycle, user=user, message=_text(message, 2000)
    )
    for participation in CycleParticipant.objects.filter(cycle=cycle).select_related("user"):
        notify.send(
            user=participation.user,
            place=cycle.place,
            kind="cycle_join_request",
            text=f"{_name(user)} asks to join the learning cycle ‘{cycle.title}’",
            url=reverse(
                "learning:join_requests", kwargs={"slug": cycle.place.slug, "pk": cycle.pk}
            ),
            actor=user,
        )
    return join_request


@transaction.atomic
def cycle_join_request_decide(
    *, join_request: CycleJoinRequest, by: User, accept: bool
) -> CycleJoinRequest:
    join_request = (
        CycleJoinRequest.objects.select_for_update()
        .select_related("cycle__place", "user")
        .get(pk=join_request.pk)
    )
    cycle = join_request.cycle
    if not is_participant(by, cycle):
        raise LearningError("Only the cycle’s participants can answer requests.", status=403)
    if join_request.status != JoinStatus.PENDING:
        raise LearningError("Someone has already answered this request.", status=409)
    join_request.status = JoinStatus.ACCEPTED if accept else JoinStatus.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = by
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if accept:
        if not is_member(join_request.user, cycle.place):
            raise LearningError("They are no longer a member of the place.", status=409)
        _add_participant(cycle, join_request.user, by=by)
        activity_record(
            place=cycle.place,
            actor=join_request.user,
            kind="cycle",
            verb="joined",
            summary=f"{_name(join_request.user)} joined the learning cycle ‘{cycle.title}’",
            url=cycle.get_absolute_url(),
            target=cycle,
        )
    notify.send(
        user=join_request.user,
        place=cycle.place,
        kind="cycle_participant" if accept else "cycle_join_declined",
        text=(
            f"You now take part in the learning cycle ‘{cycle.title}’"
            if accept
            else f"Your request to join ‘{cycle.title}’ was not accepted this time"
        ),
        url=cycle.get_absolute_url(),
        actor=by,
    )
    return join_request


@transaction.atomic
def cycle_link_create(
    *, from_cycle: LearningCycle, to_cycle: LearningCycle, kind: str, by: User
) -> CycleLink:
    if from_cycle.pk == to_cycle.pk:
        raise LearningError("A cycle cannot be linked to itself.", field="to_cycle")
    LinkKind(kind)
    exists = CycleLink.objects.filter(
        models.Q(from_cycle=from_cycle, to_cycle=to_cycle)
        | models.Q(from_cycle=to_cycle, to_cycle=from_cycle)
    ).exists()
    if exists:
        raise LearningError("These two cycles are already linked.", field="to_cycle")
    link = CycleLink.objects.create(
        from_cycle=from_cycle, to_cycle=to_cycle, kind=kind, created_by=by
    )
    return link


# --- Entries ------------------------------------------------------------------------------------


def _clean_entry_fields(
    *,
    cycle: LearningCycle,
    kind: str,
    body: str,
    visibility: str | None,
    world: str = "",
    swimlane: str = "",
    consent: str = "",
    consent_note: str = "",
    about_person: bool = False,
    person_agreed: bool | None = None,
    told_by: str = "",
    told_by_consent: bool = False,
    body_required: bool = True,
) -> dict[str, Any]:
    """Check an entry's fields against the rules of its kind; the dict is ready to save."""
    if kind not in LOGGED_KINDS:
        raise LearningError("Choose what sort of entry this is.", field="kind")
    body = (body or "").strip()
    if body_required and not body:
        raise LearningError("Write something in the entry.", field="body")
    if len(body) > 10000:
        raise LearningError("Keep the entry to 10,000 characters or fewer.", field="body")
    allowed = [value for value, _ in visibility_choices(cycle.place)]
    visibility = visibility or widest_visibility(cycle.place)
    if visibility not in allowed:
        raise LearningError("Choose who can see this entry.", field="visibility")
    fields: dict[str, Any] = {
        "kind": kind,
        "body": body,
        "visibility": visibility,
        "world": "",
        "swimlane": "",
        "consent": "",
        "consent_note": "",
        "about_person": False,
        "person_agreed": None,
        "told_by": "",
        "told_by_consent": False,
    }
    if kind == EntryKind.ACTION:
        if world not in World.values:
            raise LearningError(
                "Choose whether this was done to, for, with or by people.", field="world"
            )
        if swimlane not in Swimlane.values:
            raise LearningError("Choose the swimlane this action sits in.", field="swimlane")
        fields.update(world=world, swimlane=swimlane)
        if world == World.TO:
            if consent not in Consent.values:
                raise LearningError(
                    "Something done to people rests on their free, prior and informed consent. "
                    "Say whether there was consent.",
                    field="consent",
                )
            fields.update(consent=consent, consent_note=_text(consent_note, 500))
    if kind == EntryKind.STORY and about_person:
        if person_agreed is None:
            raise LearningError(
                "Say whether the person agreed to their story being shared.",
                field="person_agreed",
            )
        fields.update(about_person=True, person_agreed=bool(person_agreed))
        if not person_agreed:
            # Without their agreement a story about a person stays with the participants.
            fields["visibility"] = EntryVisibility.PARTICIPANTS
    told_by = _text(told_by, 120)
    if told_by:
        if not told_by_consent:
            raise LearningError(
                "Confirm that the person who told you agreed to it being written here.",
                field="told_by_consent",
            )
        fields.update(told_by=told_by, told_by_consent=True)
    return fields


def _entry_activity(entry: Entry, *, actor: User | None, verb: str = "logged") -> None:
    cycle = entry.cycle
    visibility, scope = activity_visibility(entry.visibility, cycle)
    kind_label = entry.get_kind_display().lower()
    told = f" (told by {entry.told_by})" if entry.told_by else ""
    activity_record(
        place=cycle.place,
        actor=actor,
        kind="entry",
        verb=verb,
        summary=(
            f"{_name(actor)} logged {_article(kind_label)} {kind_label}{told} in ‘{cycle.title}’"
        ),
        url=entry.get_absolute_url(),
        target=entry,
        visibility=visibility,
        scope=scope,
        perspectives=entry.author_perspectives,
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@transaction.atomic
def entry_create(
    *,
    cycle: LearningCycle,
    author: User,
    kind: str,
    body: str,
    visibility: str | None = None,
    world: str = "",
    swimlane: str = "",
    consent: str = "",
    consent_note: str = "",
    about_person: bool = False,
    person_agreed: bool | None = None,
    told_by: str = "",
    told_by_consent: bool = False,
    sources: Iterable[Entry | int] = (),
    prompt: PromptDelivery | None = None,
    reading: Reading | None = None,
    record_activity: bool = True,
) -> Entry:
    """A participant logs an entry in an open cycle."""
    cycle = LearningCycle.objects.select_related("place").get(pk=cycle.pk)
    if cycle.is_closed:
        raise CycleClosed(cycle)
    if not is_participant(author, cycle):
        raise LearningError("Only the cycle’s participants can add entries.", status=403)
    fields = _clean_entry_fields(
        cycle=cycle,
        kind=kind,
        body=body,
        visibility=visibility,
        world=world,
        swimlane=swimlane,
        consent=consent,
        consent_note=consent_note,
        about_person=about_person,
        person_agreed=person_agreed,
        told_by=told_by,
        told_by_consent=told_by_consent,
        body_required=kind != EntryKind.DATA,
    )
    source_ids = {s.pk if isinstance(s, Entry) else int(s) for s in sources}
    found_sources: list[Entry] = []
    if source_ids:
        found_sources = list(
            Entry.objects.filter(cycle=cycle, pk__in=source_ids).visible_to(author, cycle.place)
        )
        if len(found_sources) != len(source_ids):
            raise LearningError("Choose entries from this cycle.", field="sources")
    entry = Entry.objects.create(
        cycle=cycle,
        author=author,
        author_perspectives=_perspectives(cycle.place, author),
        prompt=prompt,
        reading=reading,
        **fields,
    )
    if found_sources and kind == EntryKind.ADAPTATION:
        entry.sources.set(found_sources)
    if record_activity:
        _entry_activity(entry, actor=author)
    cycle_refresh_search(cycle.pk)
    return entry


EDITABLE_ENTRY_FIELDS = ("body", "visibility", "world", "swimlane", "consent", "consent_note")


@transaction.atomic
def entry_edit(
    *,
    entry: Entry,
    by: User,
    body: str,
    visibility: str,
    world: str = "",
    swimlane: str = "",
    consent: str = "",
    consent_note: str = "",
    now: datetime | None = None,
) -> Entry:
    """The author changes an entry. Within 15 minutes of writing it the change simply replaces
    it; after that the earlier wording is kept as a version anyone who can see it may read."""
    now = now or timezone.now()
    entry = Entry.objects.select_for_update().select_related("cycle__place").get(pk=entry.pk)
    if entry.author_id != by.pk or entry.kind == EntryKind.STATUS:
        raise LearningError("Only its author can change an entry.", status=403)
    fields = _clean_entry_fields(
        cycle=entry.cycle,
        kind=entry.kind,
        body=body,
        visibility=visibility,
        world=world,
        swimlane=swimlane,
        consent=consent,
        consent_note=consent_note,
        about_person=entry.about_person,
        person_agreed=entry.person_agreed,
        told_by=entry.told_by,
        told_by_consent=entry.told_by_consent,
        body_required=entry.kind != EntryKind.DATA,
    )
    changed = {
        name: fields[name] for name in EDITABLE_ENTRY_FIELDS if fields[name] != getattr(entry, name)
    }
    if not changed:
        return entry
    if not entry.in_free_edit_window(now):
        EntryVersion.objects.create(
            entry=entry,
            number=entry.version_count + 1,
            body=entry.body,
            visibility=entry.visibility,
            world=entry.world,
            swimlane=entry.swimlane,
            consent=entry.consent,
            consent_note=entry.consent_note,
            written_at=entry.edited_at or entry.created_at,
            replaced_at=now,
            replaced_by=by,
        )
        entry.version_count += 1
    for name, value in changed.items():
        setattr(entry, name, value)
    entry.edited_at = now
    entry.save()
    if "visibility" in changed:
        visibility_value, scope = activity_visibility(entry.visibility, entry.cycle)
        Activity.objects.filter(
            target_type__app_label="learning",
            target_type__model="entry",
            target_id=entry.pk,
        ).update(visibility=visibility_value, scope=scope)
    cycle_refresh_search(entry.cycle_id)
    return entry


# --- Measures and readings ----------------------------------------------------------------------


@transaction.atomic
def measure_define(
    *,
    place: Place,
    by: User,
    name: str,
    unit: str,
    kind: str,
    better: str,
    description: str = "",
    cycle: LearningCycle | None = None,
) -> Measure:
    name = _text(name, 120)
    if not name:
        raise LearningError("Give the measure a name.", field="name")
    MeasureKind(kind)
    Better(better)
    if cycle is not None and cycle.place_id != place.pk:
        raise LearningError("That cycle is in another place.", status=404)
    if cycle is not None and cycle.is_closed:
        raise CycleClosed(cycle)
    if Measure.objects.filter(place=place, cycle=cycle, name__iexact=name).exists():
        raise LearningError("There is already a measure with that name here.", field="name")
    measure = Measure.objects.create(
        place=place,
        cycle=cycle,
        name=name,
        unit=_text(unit, 40),
        kind=kind,
        better=better,
        description=_text(description, 2000),
        created_by=by,
    )
    where = f"‘{cycle.title}’" if cycle else place.name
    activity_record(
        place=place,
        actor=by,
        kind="measure",
        verb="defined",
        summary=f"{_name(by)} began measuring {measure.name} in {where}",
        url=measure.get_absolute_url(),
        target=measure,
    )
    return measure


def format_value(value: Decimal) -> str:
    """12, 12.5 or 1,200 — never 12.0000."""
    normalised = value.normalize()
    if normalised == normalised.to_integral_value():
        return f"{normalised:,.0f}"
    return f"{normalised:,f}"


@transaction.atomic
def reading_record(
    *,
    measure: Measure,
    by: User,
    value: Decimal,
    on: date,
    note: str = "",
    visibility: str | None = None,
    today: date | None = None,
) -> Reading:
    """Record a reading. For a cycle's measure it is also a data point in the cycle's timeline
    (the note is the entry's words, shown by the entry's visibility; the number is as visible
    as the measure)."""
    measure = Measure.objects.select_related("place", "cycle").get(pk=measure.pk)
    today = today or timezone.localdate()
    # A day's grace: someone east of London may already be living tomorrow.
    if on > today + timedelta(days=1):
        raise LearningError("The date of a reading cannot be in the future.", field="date")
    if on.year < 1990:
        raise LearningError("Enter a date from 1990 onwards.", field="date")
    if measure.cycle is not None:
        if measure.cycle.is_closed:
            raise CycleClosed(measure.cycle)
        if not is_participant(by, measure.cycle):
            raise LearningError("Only the cycle’s participants record its readings.", status=403)
    elif not is_member(by, measure.place):
        raise LearningError("Only members of the place record readings.", status=403)
    # A cycle's reading keeps its words on the data entry only, where the entry's visibility
    # guards them; the number itself is as visible as the measure.
    in_cycle = measure.cycle is not None
    reading = Reading.objects.create(
        measure=measure,
        value=value,
        date=on,
        note="" if in_cycle else _text(note, 500),
        recorded_by=by,
    )
    if measure.cycle is not None:
        entry_create(
            cycle=measure.cycle,
            author=by,
            kind=EntryKind.DATA,
            body=_text(note, 10000),
            visibility=visibility,
            reading=reading,
            record_activity=False,
        )
    activity_record(
        place=measure.place,
        actor=by,
        kind="measure",
        verb="recorded",
        summary=(
            f"{_name(by)} recorded {measure.name}: {format_value(reading.value)} "
            f"{measure.unit} on {on:%-d %B %Y}"
        ),
        url=measure.get_absolute_url(),
        target=reading,
    )
    return reading


# --- Full-text search (the learning library) ----------------------------------------------------


def cycle_refresh_search(cycle_id: int) -> None:
    """Rebuild a cycle's stored search vector from its words and its public, shown entries.

    Entries seen only by members or participants never reach it, so the library cannot find a
    cycle by words its readers may not see.
    """
    cycle = (
        LearningCycle.objects.filter(pk=cycle_id)
        .values("title", "question", "intent", "learned", "differently", "stopped_reason")
        .first()
    )
    if cycle is None:
        return
    missions = " ".join(Mission.objects.filter(cycles__pk=cycle_id).values_list("text", flat=True))
    entries = " ".join(
        Entry.objects.filter(cycle_id=cycle_id)
        .public()
        .shown()
        .order_by("created_at")
        .values_list("body", flat=True)
    )

    def part(text: str, weight: str) -> SearchVector:
        return SearchVector(
            Value(text, output_field=models.TextField()), weight=weight, config=SEARCH_CONFIG
        )

    vector = (
        part(cycle["title"], "A")
        + part(" ".join([cycle["learned"], cycle["differently"]]), "A")
        + part(" ".join([cycle["question"], cycle["intent"], missions]), "B")
        + part(cycle["stopped_reason"], "B")
        + part(entries[:500_000], "C")
    )
    LearningCycle.objects.filter(pk=cycle_id).update(search_vector=vector)


# --- Prompts ------------------------------------------------------------------------------------


def prompt_token(delivery: PromptDelivery) -> str:
    """The secret part of a prompt's answer link: its id and nonce, signed with SECRET_KEY.

    The row decides whether the link still works (``expires_at``, ``answered_at``); the
    signature only proves the link was made here for that row.
    """
    return signing.dumps({"d": delivery.pk, "n": delivery.nonce}, salt=PROMPT_SALT)


def prompt_url(delivery: PromptDelivery) -> str:
    return absolute(reverse("learning:prompt_answer", kwargs={"token": prompt_token(delivery)}))


class PromptLinkInvalid(Exception):
    """The link is forged, altered or names no prompt."""


def prompt_from_token(token: str) -> PromptDelivery:
    try:
        data = signing.loads(token, salt=PROMPT_SALT, max_age=60 * 60 * 24 * 120)
    except signing.BadSignature:
        raise PromptLinkInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        raise PromptLinkInvalid
    delivery = (
        PromptDelivery.objects.select_related("cycle__place", "user")
        .filter(pk=data["d"], nonce=str(data.get("n")))
        .first()
    )
    if delivery is None:
        raise PromptLinkInvalid
    return delivery


def prompt_question_for(cycle: LearningCycle, period_key: str) -> PromptQuestion | None:
    """The question for a cycle's period: the same for all its participants that period,
    turning through the platform's and the place's questions."""
    questions = list(PromptQuestion.objects.active().for_place(cycle.place).order_by("id"))
    if not questions:
        return None
    return questions[zlib.crc32(f"{cycle.pk}:{period_key}".encode()) % len(questions)]


def prompt_email_key(cycle_id: int, user_id: int, period_key: str) -> str:
    return f"prompt:{cycle_id}:{user_id}:{period_key}"


def prompts_due(
    *, now: datetime | None = None, batch_size: int = 500
) -> list[tuple[int, int, str]]:
    """(cycle id, user id, period key) for every participant whose prompt is due and not sent.

    Costs a fixed number of queries per batch of participants.
    """
    now = now or timezone.now()
    member = Membership.objects.filter(place=OuterRef("cycle__place"), user=OuterRef("user"))
    participations = (
        CycleParticipant.objects.filter(
            cycle__in=LearningCycle.objects.prompted().filter(testing_started_at__isnull=False),
            user__is_active=True,
            prompts_paused=False,
        )
        .filter(Exists(member))
        .select_related("cycle", "user")
        .order_by("pk")
    )
    due: list[tuple[int, int, str]] = []
    batch: list[tuple[int, int, str]] = []

    def flush() -> None:
        if not batch:
            return
        sent = set(
            PromptDelivery.objects.filter(
                cycle_id__in={c for c, _, _ in batch},
                user_id__in={u for _, u, _ in batch},
                period_key__in={k for _, _, k in batch},
            ).values_list("cycle_id", "user_id", "period_key")
        )
        due.extend(item for item in batch if item not in sent)
        batch.clear()

    for participation in participations.iterator(chunk_size=batch_size):
        cycle = participation.cycle
        period = current_due_period(
            cycle.rhythm,
            now=now,
            tz_name=participation.user.time_zone,
            testing_started_at=cycle.testing_started_at,
        )
        if period is not None:
            batch.append((cycle.pk, participation.user_id, period.key))
        if len(batch) >= batch_size:
            flush()
    flush()
    return due


def prompt_deliver(
    *, cycle_id: int, user_id: int, period_key: str, now: datetime | None = None
) -> PromptDelivery | None:
    """Send one participant their prompt for one period, at most once.

    The delivery row (unique per cycle, person and period) and the outbox row (unique key) are
    written in one transaction: a second worker, a retry or a second beat either finds the row
    or fails on the unique index and does nothing. Returns the delivery if this call made it.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _prompt_deliver(cycle_id, user_id, period_key, now)
    except IntegrityError:
        return None


def _prompt_deliver(
    cycle_id: int, user_id: int, period_key: str, now: datetime
) -> PromptDelivery | None:
    cycle = LearningCycle.objects.select_related("place").filter(pk=cycle_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if cycle is None or user is None or not cycle.is_prompted:
        return None
    if not is_participant(user, cycle):
        return None
    if CycleParticipant.objects.filter(cycle=cycle, user=user, prompts_paused=True).exists():
        return None
    period = current_due_period(
        cycle.rhythm, now=now, tz_name=user.time_zone, testing_started_at=cycle.testing_started_at
    )
    if period is None or period.key != period_key:
        return None  # a stale task for a period that is over, or not yet due
    if PromptDelivery.objects.filter(cycle=cycle, user=user, period_key=period_key).exists():
        return None
    question = prompt_question_for(cycle, period_key)
    text = question.text if question else "What have you noticed since we last stopped to think?"
    delivery = PromptDelivery.objects.create(
        cycle=cycle,
        user=user,
        period_key=period_key,
        question=question,
        question_text=text,
        nonce=secrets.token_hex(16),
        email_key=prompt_email_key(cycle.pk, user.pk, period_key),
        created_at=now,
        expires_at=now + answer_window(cycle.rhythm),
    )
    context = {
        "delivery": delivery,
        "cycle": cycle,
        "place": cycle.place,
        "person": user,
        "answer_url": prompt_url(delivery),
        "cycle_url": absolute(cycle.get_absolute_url()),
    }
    unsubscribe_url = notify.unsubscribe_url(user=user, cycle_id=cycle.pk)
    context["unsubscribe_url"] = unsubscribe_url
    message = EmailMultiAlternatives(
        subject=f"A question for ‘{cycle.title}’: {text}"[:200],
        body=render_to_string("learning/email/prompt.txt", context),
        to=[user.email],
        headers=notify.unsubscribe_headers(user=user, cycle_id=cycle.pk, url=unsubscribe_url),
    )
    message.attach_alternative(render_to_string("learning/email/prompt.html", context), "text/html")
    outbox_add(
        message=message,
        key=delivery.email_key,
        kind=OutboxKind.PROMPT,
        place=cycle.place,
        recipient=user,
    )
    notify.send(
        user=user,
        place=cycle.place,
        kind="prompt",
        text=f"A reflection prompt is waiting for you in ‘{cycle.title}’",
        url=reverse(
            "learning:prompt_in_app",
            kwargs={"slug": cycle.place.slug, "pk": cycle.pk, "delivery_id": delivery.pk},
        ),
        key=f"prompt:{delivery.pk}",
    )
    return delivery


class PromptUnusable(LearningError):
    """The prompt was answered already, has expired, or its cycle no longer takes entries."""


def prompt_check_usable(delivery: PromptDelivery) -> None:
    if delivery.answered_at is not None:
        raise PromptUnusable(
            "This prompt has already been answered. Each prompt link works once.", status=410
        )
    if delivery.is_expired:
        raise PromptUnusable(
            "This prompt has expired. A new one will come with the cycle’s next reflection.",
            status=410,
        )
    if delivery.cycle.is_closed:
        raise PromptUnusable(
            f"The cycle is {delivery.cycle.get_status_display().lower()}, so it takes no new "
            "reflections.",
            status=409,
        )


@transaction.atomic
def prompt_answer(*, delivery: PromptDelivery, body: str, visibility: str | None = None) -> Entry:
    """Answer a prompt: it becomes a reflection entry linked to the prompt. Works once."""
    delivery = (
        PromptDelivery.objects.select_for_update()
        .select_related("cycle__place", "user")
        .get(pk=delivery.pk)
    )
    prompt_check_usable(delivery)
    question = delivery.question_text
    text = (body or "").strip()
    if not text:
        raise LearningError("Write your answer before sending it.", field="body")
    entry = entry_create(
        cycle=delivery.cycle,
        author=delivery.user,
        kind=EntryKind.REFLECTION,
        body=f"> {question}\n\n{text}",
        visibility=visibility,
        prompt=delivery,
    )
    delivery.answered_at = timezone.now()
    delivery.save(update_fields=["answered_at"])
    return entry


def waiting_prompts(user: Any, cycle: LearningCycle) -> list[PromptDelivery]:
    """The person's prompts in this cycle still waiting for an answer (none asked for when the
    cycle was read with ``learning.reads.reader_flags`` and there are none)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if cycle.__dict__.get("reader_prompt_waiting") is False:
        return []
    return list(
        PromptDelivery.objects.filter(
            cycle=cycle, user=user, answered_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )


def sequence_ids(values: Sequence[Any]) -> list[int]:
    """Ids from form input; anything that is not a whole number is dropped."""
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out
