"""The learning part of the read-only JSON API: cycles, their entries, measures and readings.

Mounted under ``/api/v1/places`` by ``relational/api.py``. Reading follows the web pages and
uses the same functions: the place through ``places.access.get_place_for_user`` (members-only
places are a 404 to non-members), a cycle through ``learning.access.get_cycle_for_user``, and
each entry by its own visibility through ``Entry.objects.visible_to`` and
``learning.access.get_entry_for_user`` — a participants-only entry is a 404 to anyone else,
exactly like an entry that does not exist.
"""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# runtime to build its request and response models.

import datetime as dt
from typing import Annotated, Any

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from places.access import get_place_for_user
from relational.apitools import (
    ERRORS,
    MAX_ID,
    Hidden,
    Pages,
    SlugPath,
    absolute,
    display_name,
    hidden_note,
)

from .access import get_cycle_for_user, get_entry_for_user, get_measure_for_user
from .models import (
    Better,
    Consent,
    CycleStatus,
    Entry,
    EntryKind,
    EntryVisibility,
    Horizon,
    LearningCycle,
    Measure,
    MeasureKind,
    Reading,
    RelationshipLevel,
    Rhythm,
    Scale,
    Swimlane,
    World,
)
from .permissions import participant_ids
from .reads import timeline_entries

router = Router(tags=["Learning"])

CycleId = Annotated[int, Path(description="The learning cycle's id.", ge=1, le=MAX_ID)]
EntryId = Annotated[int, Path(description="The entry's id.", ge=1, le=MAX_ID)]
MeasureId = Annotated[int, Path(description="The measure's id.", ge=1, le=MAX_ID)]


# --- Shapes ---------------------------------------------------------------------------------------


class CycleOut(Schema):
    """A test-and-learn cycle: what it is trying to learn, where it is in the loop, and (once
    concluded) what was learned."""

    id: int = Field(description="The cycle's id.")
    title: str = Field(description="The cycle's title.")
    question: str = Field(description="What are we trying to learn?")
    intent: str = Field(description="We think that doing … will … because …")
    status: CycleStatus = Field(
        description="framing → testing → reflecting → adapting → concluded, or stopped."
    )
    relationship_level: RelationshipLevel = Field(description="The relationship it is about.")
    horizon: Horizon = Field(description="H1 today's system, H2 the transition, H3 the future.")
    scale: Scale = Field(description="The scale it works at.")
    rhythm: Rhythm = Field(description="How often its participants are prompted to reflect.")
    missions: list[str] = Field(description="The place's missions it serves, in their words.")
    participant_count: int = Field(description="How many members take part.")
    stopped_reason: str = Field(description="Why it stopped (empty unless stopped).")
    learned: str = Field(description="What was learned (empty until concluded).")
    differently: str = Field(description="What will be done differently (empty until concluded).")
    testing_started_at: dt.datetime | None = Field(description="When it first began testing.")
    closed_at: dt.datetime | None = Field(description="When it concluded or stopped.")
    created_at: dt.datetime = Field(description="When it was framed.")
    updated_at: dt.datetime = Field(description="When it last changed.")
    url: str = Field(description="The cycle's web page.")

    @staticmethod
    def resolve_missions(obj: LearningCycle) -> list[str]:
        return [mission.text for mission in obj.missions.all()]

    @staticmethod
    def resolve_url(obj: LearningCycle) -> str:
        return absolute(obj.get_absolute_url())


class ReadingRefOut(Schema):
    """The reading a data point records."""

    measure_id: int = Field(description="The measure's id.")
    measure: str = Field(description="The measure's name.")
    unit: str = Field(description="The measure's unit.")
    value: float = Field(description="The value read.")
    date: dt.date = Field(description="The day the reading is for.")


class EntryOut(Schema):
    """One item in a cycle's timeline. Only entries the reader may see are ever returned; when a
    steward has hidden one, ``hidden`` says when and why and its words are null."""

    id: int = Field(description="The entry's id.")
    cycle_id: int = Field(description="The cycle it belongs to.")
    kind: EntryKind = Field(
        description="action, story, data (a reading), reflection, adaptation, or status (a move "
        "of the cycle)."
    )
    body: str | None = Field(description="What was written (Markdown); null while hidden.")
    author: str | None = Field(description="The author's display name; null for a former member.")
    author_perspectives: list[str] = Field(
        description="The perspectives the author spoke from when they wrote it."
    )
    visibility: EntryVisibility = Field(
        description="Who may read it: the cycle's participants, the place's members, or public."
    )
    world: World | None = Field(
        description="Actions: the world of service it was done in (to, for, with or by people); "
        "null for other kinds or while hidden."
    )
    swimlane: Swimlane | None = Field(description="Actions: the swimlane; null otherwise.")
    consent: Consent | None = Field(
        description="Actions done to people: whether there was free, prior and informed consent; "
        "null otherwise."
    )
    consent_note: str | None = Field(description="About the consent; null while hidden.")
    about_person: bool = Field(description="Stories: whether it is about a person.")
    person_agreed: bool | None = Field(
        description="Stories about a person: whether they agreed to it being shared."
    )
    told_by: str | None = Field(
        description="Told on behalf of a resident who is not on the platform: who told it "
        "(with their consent); empty otherwise, null while hidden."
    )
    reading: ReadingRefOut | None = Field(description="Data points: the reading recorded.")
    prompt_question: str | None = Field(
        description="Reflections written in answer to a prompt: the prompt's question."
    )
    source_ids: list[int] | None = Field(
        description="Adaptations: the entries that led to it which the reader may see; null "
        "while hidden."
    )
    sources_not_shown: int = Field(
        description="Adaptations: how many of the entries that led to it the reader may not see."
    )
    status_from: CycleStatus | None = Field(description="Status changes: the status before.")
    status_to: CycleStatus | None = Field(description="Status changes: the status after.")
    created_at: dt.datetime = Field(description="When it was logged.")
    edited_at: dt.datetime | None = Field(description="When it was last edited.")
    version_count: int = Field(description="How many earlier versions are kept.")
    hidden: Hidden | None = Field(description="Set when a steward has hidden it.")
    url: str = Field(description="The entry's web page.")

    @staticmethod
    def _words(obj: Entry, field: str) -> Any:
        return None if obj.is_hidden else getattr(obj, field)

    @staticmethod
    def _choice(obj: Entry, field: str) -> str | None:
        return None if obj.is_hidden else (getattr(obj, field) or None)

    @staticmethod
    def resolve_body(obj: Entry) -> str | None:
        return EntryOut._words(obj, "body")

    @staticmethod
    def resolve_author(obj: Entry) -> str | None:
        return display_name(obj.author)

    @staticmethod
    def resolve_world(obj: Entry) -> str | None:
        return EntryOut._choice(obj, "world")

    @staticmethod
    def resolve_swimlane(obj: Entry) -> str | None:
        return EntryOut._choice(obj, "swimlane")

    @staticmethod
    def resolve_consent(obj: Entry) -> str | None:
        return EntryOut._choice(obj, "consent")

    @staticmethod
    def resolve_consent_note(obj: Entry) -> str | None:
        return EntryOut._words(obj, "consent_note")

    @staticmethod
    def resolve_told_by(obj: Entry) -> str | None:
        return EntryOut._words(obj, "told_by")

    @staticmethod
    def resolve_reading(obj: Entry) -> dict[str, Any] | None:
        reading = obj.reading
        if reading is None:
            return None
        return {
            "measure_id": reading.measure_id,
            "measure": reading.measure.name,
            "unit": reading.measure.unit,
            "value": reading.value,
            "date": reading.date,
        }

    @staticmethod
    def resolve_prompt_question(obj: Entry) -> str | None:
        return obj.prompt.question_text if obj.prompt is not None else None

    @staticmethod
    def resolve_source_ids(obj: Entry) -> list[int] | None:
        if obj.is_hidden:
            return None
        return [source.pk for source in obj.visible_sources]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_sources_not_shown(obj: Entry) -> int:
        return obj.source_count - len(obj.visible_sources)  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_status_from(obj: Entry) -> str | None:
        return obj.status_from or None

    @staticmethod
    def resolve_status_to(obj: Entry) -> str | None:
        return obj.status_to or None

    @staticmethod
    def resolve_hidden(obj: Entry) -> dict[str, Any] | None:
        return hidden_note(obj)

    @staticmethod
    def resolve_url(obj: Entry) -> str:
        return absolute(obj.get_absolute_url())


class MeasureOut(Schema):
    """Something a cycle (or the whole place) counts, to see whether things get better."""

    id: int = Field(description="The measure's id.")
    cycle_id: int | None = Field(description="The cycle it belongs to; null for the place's own.")
    name: str = Field(description="What is measured.")
    unit: str = Field(description="The unit, for example 'people', '£' or 'score out of 10'.")
    kind: MeasureKind = Field(description="outcome, cost, or relational (trust, wellbeing…).")
    better: Better = Field(description="Which direction is better: higher or lower.")
    description: str = Field(description="More about it (may be empty).")
    reading_count: int = Field(description="How many readings it has.")
    last_reading_on: dt.date | None = Field(description="The date of its latest reading.")
    created_at: dt.datetime = Field(description="When it was defined.")
    readings_url: str = Field(description="This API's list of its readings.")
    url: str = Field(description="The measure's web page.")

    @staticmethod
    def resolve_readings_url(obj: Measure) -> str:
        return absolute(
            reverse(
                "api:place_measure_readings", kwargs={"slug": obj.place.slug, "measure_id": obj.pk}
            )
        )

    @staticmethod
    def resolve_url(obj: Measure) -> str:
        return absolute(obj.get_absolute_url())


class ReadingOut(Schema):
    """One value of a measure on a date."""

    id: int = Field(description="The reading's id.")
    value: float = Field(description="The value.")
    date: dt.date = Field(description="The day it is for.")
    note: str = Field(description="A note on it (may be empty).")
    created_at: dt.datetime = Field(description="When it was recorded.")


# --- Reads ----------------------------------------------------------------------------------------


def _cycles(place: Any) -> QuerySet[LearningCycle]:
    return (
        LearningCycle.objects.for_place(place)
        .select_related("place")
        .prefetch_related("missions")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-updated_at", "-id")
    )


def _measures(place: Any) -> QuerySet[Measure]:
    latest = Reading.objects.filter(measure=OuterRef("pk")).order_by().values("measure")
    return (
        Measure.objects.filter(place=place)
        .select_related("place")
        .annotate(
            reading_count=Coalesce(
                Subquery(latest.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                0,
            ),
            last_reading_on=Subquery(latest.annotate(d=Max("date")).values("d")),
        )
        .order_by("cycle_id", "name", "id")
    )


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "/{slug}/cycles",
    response={200: list[CycleOut], **ERRORS},
    url_name="place_cycles",
    summary="A place's learning cycles",
    description="Every cycle of the place, most recently changed first; ?status= keeps one status.",
)
@paginate(Pages)
def list_cycles(
    request: HttpRequest,
    slug: SlugPath,
    status: Annotated[CycleStatus | None, Query(description="Only cycles in this status.")] = None,
) -> Any:
    place, _ = get_place_for_user(request.user, slug)
    cycles = _cycles(place)
    return cycles.filter(status=status) if status else cycles


@router.get(
    "/{slug}/cycles/{cycle_id}",
    response={200: CycleOut, **ERRORS},
    url_name="place_cycle",
    summary="One learning cycle",
)
def get_cycle(request: HttpRequest, slug: SlugPath, cycle_id: CycleId) -> Any:
    _place, _, cycle = get_cycle_for_user(request.user, slug, cycle_id)
    cycle.participant_count = len(participant_ids(cycle))  # type: ignore[attr-defined]
    return cycle


@router.get(
    "/{slug}/cycles/{cycle_id}/entries",
    response={200: list[EntryOut], **ERRORS},
    url_name="place_cycle_entries",
    summary="A cycle's entries",
    description="The cycle's timeline, newest first: only the entries the reader may see, each "
    "by its own visibility. ?kind= keeps one kind.",
)
@paginate(Pages)
def list_entries(
    request: HttpRequest,
    slug: SlugPath,
    cycle_id: CycleId,
    kind: Annotated[EntryKind | None, Query(description="Only entries of this kind.")] = None,
) -> Any:
    _place, _, cycle = get_cycle_for_user(request.user, slug, cycle_id)
    entries = timeline_entries(request.user, cycle).select_related("cycle__place")
    return entries.filter(kind=kind) if kind else entries


@router.get(
    "/{slug}/cycles/{cycle_id}/entries/{entry_id}",
    response={200: EntryOut, **ERRORS},
    url_name="place_cycle_entry",
    summary="One entry",
    description="An entry the reader may see; any other (of another cycle, or beyond the "
    "reader's view) is a 404.",
)
def get_entry(request: HttpRequest, slug: SlugPath, cycle_id: CycleId, entry_id: EntryId) -> Any:
    place, _, cycle = get_cycle_for_user(request.user, slug, cycle_id)
    entry = get_entry_for_user(request.user, cycle, entry_id)
    entry.visible_sources = list(  # type: ignore[attr-defined]
        entry.sources.visible_to(request.user, place).only("id")
    )
    entry.source_count = entry.sources.count()  # type: ignore[attr-defined]
    return entry


@router.get(
    "/{slug}/measures",
    response={200: list[MeasureOut], **ERRORS},
    url_name="place_measures",
    summary="A place's measures",
    description="The place's own measures and its cycles' measures; ?cycle= keeps one cycle's.",
)
@paginate(Pages)
def list_measures(
    request: HttpRequest,
    slug: SlugPath,
    cycle: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only the measures of this cycle (its id)."),
    ] = None,
) -> Any:
    place, _ = get_place_for_user(request.user, slug)
    measures = _measures(place)
    return measures.filter(cycle_id=cycle) if cycle else measures


@router.get(
    "/{slug}/measures/{measure_id}",
    response={200: MeasureOut, **ERRORS},
    url_name="place_measure",
    summary="One measure",
)
def get_measure(request: HttpRequest, slug: SlugPath, measure_id: MeasureId) -> Any:
    place, _, found = get_measure_for_user(request.user, slug, measure_id)
    measure = _measures(place).filter(pk=found.pk).first()
    if measure is None:  # pragma: no cover - found a moment ago
        raise Http404("No such measure")
    return measure


@router.get(
    "/{slug}/measures/{measure_id}/readings",
    response={200: list[ReadingOut], **ERRORS},
    url_name="place_measure_readings",
    summary="A measure's readings",
    description="The measure's readings in date order, oldest first: a time series.",
)
@paginate(Pages)
def list_readings(request: HttpRequest, slug: SlugPath, measure_id: MeasureId) -> Any:
    _place, _, measure = get_measure_for_user(request.user, slug, measure_id)
    return Reading.objects.filter(measure=measure).order_by("date", "id")
