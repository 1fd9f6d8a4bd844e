"""The places part of the read-only JSON API: places and their gatherings.

Mounted under ``/api/v1/places`` by ``relational/api.py``. What a reader may see is decided
exactly as on the web pages, by the same functions: ``Place.objects.visible_to`` for the list,
``places.access.get_place_for_user`` for one place (a members-only place is a 404 to everyone
but its members, the same 404 as an unknown slug). People appear by display name only, and only
where the web pages name them; emails and contact details never appear.
"""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# runtime to build its request and response models.

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from relational.apitools import (
    ERRORS,
    MAX_ID,
    QUERY_ERRORS,
    Hidden,
    Pages,
    SlugPath,
    absolute,
    display_name,
    hidden_note,
)

from .access import get_place_for_user
from .gatherings import gatherings_with_counts
from .models import (
    Gathering,
    GatheringKind,
    GatheringStatus,
    JoinPolicy,
    Membership,
    Perspective,
    Place,
    PlaceVisibility,
)
from .models.gathering import GatheringQuerySet
from .services import whole_system

router = Router(tags=["Places"])

GatheringId = Annotated[int, Path(description="The gathering's id.", ge=1, le=MAX_ID)]


# --- Shapes ---------------------------------------------------------------------------------------


class PlaceSummaryOut(Schema):
    """A place in a list: enough to show it and follow the link to the rest."""

    slug: str = Field(description="The place's stable id, as in /places/<slug>/.")
    name: str = Field(description="The place's name.")
    summary: str = Field(description="One or two sentences on what the place is.")
    visibility: PlaceVisibility = Field(
        description="public: anyone can read it; members: only its members can (and only "
        "they ever see it here)."
    )
    join_policy: JoinPolicy = Field(
        description="open: anyone signed in joins; approval: a steward approves each request; "
        "invitation: by invitation only."
    )
    member_count: int = Field(description="How many members the place has.")
    created_at: datetime = Field(description="When the place was started.")
    url: str = Field(description="The place's web page.")

    @staticmethod
    def resolve_url(obj: Place) -> str:
        return absolute(obj.get_absolute_url())


class MissionOut(Schema):
    """A shared purpose of the place, in a citizen's words."""

    text: str = Field(description="The mission, as the place words it.")
    position: int = Field(description="Its order among the place's missions, from 0.")


class PerspectiveCountOut(Schema):
    """How many members speak from one part of the system (a member may speak from several)."""

    perspective: Perspective = Field(description="The perspective's code.")
    label: str = Field(description="The perspective in words.")
    count: int = Field(description="Members speaking from it; 0 means nobody: missing.")


class MembersOut(Schema):
    """Who is in the room, as counts (names are on the web directory, not here)."""

    total: int = Field(description="How many members the place has.")
    by_perspective: list[PerspectiveCountOut] = Field(
        description="Every perspective, in the platform's order, with its count."
    )
    missing_perspectives: list[Perspective] = Field(
        description="The perspectives nobody in the place speaks from."
    )


class PlaceOut(PlaceSummaryOut):
    """One place: its description, missions and the picture of the whole system."""

    description: str = Field(description="The longer description, as written (Markdown).")
    house_rules: str = Field(description="The place's house rules, as written (Markdown).")
    missions: list[MissionOut] = Field(description="The place's missions, in order.")
    members: MembersOut = Field(description="Members counted by perspective.")
    updated_at: datetime = Field(description="When the description last changed.")
    gatherings_url: str = Field(description="This API's list of the place's gatherings.")

    @staticmethod
    def resolve_missions(obj: Place) -> list[Any]:
        return list(obj.missions.all())

    @staticmethod
    def resolve_members(obj: Place) -> dict[str, Any]:
        return obj.members_picture  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_gatherings_url(obj: Place) -> str:
        return absolute(reverse("api:place_gatherings", kwargs={"slug": obj.slug}))


class GatheringOut(Schema):
    """A gathering of the place's members. When a steward has hidden it, ``hidden`` says when
    and why, and its words (title, purpose, agenda, where, notes) are null."""

    id: int = Field(description="The gathering's id.")
    kind: GatheringKind = Field(description="What kind of gathering it is.")
    title: str | None = Field(description="Its title; null while hidden.")
    purpose: str | None = Field(description="What it is for; null while hidden.")
    agenda: str | None = Field(description="The agenda, if any (may be empty); null while hidden.")
    starts_at: datetime = Field(description="When it starts.")
    ends_at: datetime = Field(description="When it ends.")
    location: str | None = Field(
        description="Where to meet in person (empty if online only); null while hidden."
    )
    online_url: str | None = Field(
        description="The link to join online (empty if in person only); null while hidden."
    )
    status: GatheringStatus = Field(description="scheduled, or cancelled.")
    cancelled_reason: str | None = Field(
        description="Why it was cancelled (may be empty); null while hidden."
    )
    organiser: str | None = Field(
        description="The display name of who arranged it; null for a former member."
    )
    going_count: int = Field(description="How many members said they are going.")
    maybe_count: int = Field(description="How many members said maybe.")
    attendee_count: int = Field(description="How many were recorded as there, afterwards.")
    notes: str | None = Field(
        description="Notes recorded afterwards (empty until then); null while hidden."
    )
    notes_recorded_at: datetime | None = Field(description="When the notes were recorded.")
    hidden: Hidden | None = Field(description="Set when a steward has hidden it.")
    url: str = Field(description="The gathering's web page.")
    ics_url: str = Field(description="The gathering as an iCalendar (.ics) event.")

    @staticmethod
    def _words(obj: Gathering, field: str) -> str | None:
        return None if obj.is_hidden else getattr(obj, field)

    @staticmethod
    def resolve_title(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "title")

    @staticmethod
    def resolve_purpose(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "purpose")

    @staticmethod
    def resolve_agenda(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "agenda")

    @staticmethod
    def resolve_location(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "location")

    @staticmethod
    def resolve_online_url(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "online_url")

    @staticmethod
    def resolve_cancelled_reason(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "cancelled_reason")

    @staticmethod
    def resolve_notes(obj: Gathering) -> str | None:
        return GatheringOut._words(obj, "notes")

    @staticmethod
    def resolve_organiser(obj: Gathering) -> str | None:
        return display_name(obj.organiser)

    @staticmethod
    def resolve_hidden(obj: Gathering) -> dict[str, Any] | None:
        return hidden_note(obj)

    @staticmethod
    def resolve_url(obj: Gathering) -> str:
        return absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_ics_url(obj: Gathering) -> str:
        return absolute(
            reverse("places:gathering_ics", kwargs={"slug": obj.place.slug, "pk": obj.pk})
        )


# --- Reads ----------------------------------------------------------------------------------------


def _member_count() -> Coalesce:
    per_place = (
        Membership.objects.filter(place=OuterRef("pk"))
        .order_by()
        .values("place")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_place, output_field=IntegerField()), 0)


def _gatherings(place: Place) -> GatheringQuerySet:
    """The place's gatherings with their answer counts and attendee count, in one query."""
    attendees = (
        Gathering.attendees.through.objects.filter(gathering_id=OuterRef("pk"))
        .order_by()
        .values("gathering_id")
        .annotate(n=Count("pk"))
        .values("n")  # type: ignore[misc]  # the stubs do not see the annotation on the through model
    )
    return gatherings_with_counts(place).annotate(
        attendee_count=Coalesce(Subquery(attendees, output_field=IntegerField()), 0)
    )


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[PlaceSummaryOut], **QUERY_ERRORS},
    url_name="places",
    summary="List places",
    description="Public places, and the members-only places the signed-in reader belongs to, "
    "by name.",
)
@paginate(Pages)
def list_places(request: HttpRequest) -> Any:
    return (
        Place.objects.visible_to(request.user)
        .annotate(member_count=_member_count())
        .order_by("name", "id")
    )


@router.get(
    "/{slug}",
    response={200: PlaceOut, **ERRORS},
    url_name="place",
    summary="One place",
    description="A place with its missions and how many members speak from each perspective. "
    "A members-only place answers 404 to anyone but its members.",
)
def get_place(request: HttpRequest, slug: SlugPath) -> Any:
    place, _ = get_place_for_user(request.user, slug)
    system = whole_system(place)
    place.member_count = system.total_members  # type: ignore[attr-defined]
    place.members_picture = {  # type: ignore[attr-defined]
        "total": system.total_members,
        "by_perspective": [
            {"perspective": row.perspective, "label": row.label, "count": row.count}
            for row in system.rows
        ],
        "missing_perspectives": [row.perspective for row in system.missing],
    }
    return place


@router.get(
    "/{slug}/gatherings",
    response={200: list[GatheringOut], **ERRORS},
    url_name="place_gatherings",
    summary="A place's gatherings",
    description="Upcoming gatherings (those not yet over, soonest first), or with "
    "?when=past the ones that are over, most recent first. Cancelled ones are included, "
    "with status cancelled.",
)
@paginate(Pages)
def list_gatherings(
    request: HttpRequest,
    slug: SlugPath,
    when: Annotated[
        Literal["upcoming", "past"], Query(description="upcoming (the default) or past.")
    ] = "upcoming",
) -> Any:
    place, _ = get_place_for_user(request.user, slug)
    rows = _gatherings(place)
    return rows.past() if when == "past" else rows.upcoming()


@router.get(
    "/{slug}/gatherings/{gathering_id}",
    response={200: GatheringOut, **ERRORS},
    url_name="place_gathering",
    summary="One gathering",
)
def get_gathering(request: HttpRequest, slug: SlugPath, gathering_id: GatheringId) -> Any:
    place, _ = get_place_for_user(request.user, slug)
    gathering = _gatherings(place).filter(pk=gathering_id).first()
    if gathering is None:
        raise Http404("No such gathering")
    return gathering
