"""Find a cycle (or a thing in it) for a user, or refuse without leaking.

A cycle in a place someone may not read is a 404, as is a cycle id that belongs to another
place (a forged id): the URL's place and the cycle must match.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from places.access import get_place_for_user
from places.models import Membership, Place

from .models import Entry, LearningCycle, Measure
from .permissions import can_see_entry, is_participant


def get_cycle_for_user(
    user: Any, slug: str, pk: int, annotations: dict[str, Any] | None = None
) -> tuple[Place, Membership | None, LearningCycle]:
    """``annotations``: more to read with the cycle (``learning.reads.reader_flags``)."""
    place, membership = get_place_for_user(user, slug)
    cycles = LearningCycle.objects.filter(place=place, pk=pk)
    cycle = (cycles.annotate(**annotations) if annotations else cycles).first()
    if cycle is None:
        raise Http404("No such cycle")
    cycle.place = place  # the same object, so the membership cache is shared
    return place, membership, cycle


def get_cycle_for_participant(
    user: Any, slug: str, pk: int
) -> tuple[Place, Membership, LearningCycle]:
    """For participant actions: 404 if hidden from the user, 403 if visible but not theirs."""
    place, membership, cycle = get_cycle_for_user(user, slug, pk)
    if membership is None or not is_participant(user, cycle):
        raise PermissionDenied("Only the cycle’s participants can do that.")
    return place, membership, cycle


def get_cycle_for_member(user: Any, slug: str, pk: int) -> tuple[Place, Membership, LearningCycle]:
    place, membership, cycle = get_cycle_for_user(user, slug, pk)
    if membership is None:
        raise PermissionDenied("Only members of this place can do that.")
    return place, membership, cycle


def get_entry_for_user(user: Any, cycle: LearningCycle, entry_id: int) -> Entry:
    """An entry of this cycle the user may see; anything else (foreign, forged, or beyond the
    reader's view) is a 404, so a participants-only entry does not reveal that it exists."""
    entry = (
        Entry.objects.select_related("author", "reading__measure", "prompt")
        .filter(cycle=cycle, pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    entry.cycle = cycle
    if not can_see_entry(user, entry):
        raise Http404("No such entry")
    return entry


def get_measure_for_user(user: Any, slug: str, pk: int) -> tuple[Place, Membership | None, Measure]:
    place, membership = get_place_for_user(user, slug)
    measure = Measure.objects.select_related("cycle").filter(place=place, pk=pk).first()
    if measure is None:
        raise Http404("No such measure")
    measure.place = place
    if measure.cycle is not None:
        measure.cycle.place = place
    return place, membership, measure
