"""How learning shows up in places, through ``places.registry`` (``places`` never imports us).

Registered from :meth:`learning.apps.LearningConfig.ready`:

* the "learning at a glance" panel on the place home (cycles by status, the four worlds);
* log entries as flaggable content (hiding one also takes it out of the library's search);
* the activity kinds ``cycle``, ``entry`` and ``measure`` and their digest section;
* the ``cycle`` scope: timeline items seen only by a cycle's participants;
* the demo seeder, and the person's data export, erasure and consent redaction.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from places.models import Place
from places.registry import FlaggableKind, Registry, _default_hide, _default_unhide

from .models import CycleParticipant, Entry
from .reads import WORLDS_PART

ACTIVITY_KINDS = {
    "cycle": "Learning cycles",
    "entry": "Log entries",
    "measure": "Measures",
}


def glance_context(request: HttpRequest, place: Place) -> dict[str, Any]:
    from .permissions import can_create_cycle
    from .reads import place_glance

    return {
        "glance": place_glance(request.user, place),
        "may_create_cycle": can_create_cycle(request.user, place),
    }


def glance_reader(request: HttpRequest, place: Place) -> tuple[bool, list[tuple[str, int]]]:
    """All the panel shows that depends on the reader: the link to start a cycle, and the
    actions counted by world among those they may see."""
    from .permissions import can_create_cycle
    from .reads import visible_worlds

    worlds = visible_worlds(request.user, place)
    return can_create_cycle(request.user, place), sorted(worlds.items())


def can_see_cycle_scope(user: Any, place: Place, scope_id: str) -> bool:
    """``cycle:<id>`` items are for that cycle's participants who are members of the place.

    The timeline asks once per cycle with scoped items; the cycles the reader takes part in
    are looked up once per place object, so the place home costs the same however many
    cycles it has.
    """
    from .reads import cycles_taken_part_in

    if not getattr(user, "is_authenticated", False):
        return False
    try:
        cycle_id = int(scope_id)
    except ValueError:
        return False
    return cycle_id in cycles_taken_part_in(user, place)


def cycle_scope_audience(place: Place, scope_id: str, user_ids: list[int]) -> set[int]:
    """The same answer as :func:`can_see_cycle_scope` for many people in one query (digests)."""
    try:
        cycle_id = int(scope_id)
    except ValueError:
        return set()
    return set(
        CycleParticipant.objects.filter(
            cycle_id=cycle_id,
            cycle__place=place,
            user_id__in=user_ids,
            user__memberships__place=place,
        ).values_list("user_id", flat=True)
    )


def digest_group(activity: Any) -> str:
    """Within the learning section of a digest: cycles, then entries, then measures."""
    return ACTIVITY_KINDS.get(activity.kind, "")


def _hide(entry: Entry, *, reason: str, by: Any) -> None:
    from .services import cycle_refresh_search

    _default_hide(entry, reason=reason, by=by)
    cycle_refresh_search(entry.cycle_id)


def _unhide(entry: Entry, *, by: Any) -> None:
    from .services import cycle_refresh_search

    _default_unhide(entry, by=by)
    cycle_refresh_search(entry.cycle_id)


def _excerpt(entry: Entry) -> str:
    """What a flag shows of an entry. A participants-only entry's words are not copied: the
    flag form and the stewards' queue are seen by members who may not take part."""
    if entry.visibility == "participants":
        return f"A {entry.get_kind_display().lower()} seen only by the cycle’s participants"
    return entry.excerpt


ENTRY_FLAGGABLE = FlaggableKind(
    key="entry",
    label="log entry",
    model=Entry,
    author=lambda entry: entry.author,
    excerpt=_excerpt,
    place=lambda entry: entry.cycle.place,
    hide=_hide,
    unhide=_unhide,
    place_lookup="cycle__place",
)


def seed_demo(place: Place, result: Any) -> None:
    from .demo import seed_learning

    seed_learning(place, result)


def register(registry: Registry) -> None:
    from . import data_rights, notify

    notify.register()
    registry.register_panel(
        "learning",
        title="Learning at a glance",
        template="learning/_glance_panel.html",
        context=glance_context,
        order=20,
        reader=glance_reader,
        reader_parts=(WORLDS_PART,),
    )
    registry.register_flaggable(ENTRY_FLAGGABLE)
    for kind, label in ACTIVITY_KINDS.items():
        registry.register_activity_kind(kind, label)
    registry.register_digest_section(
        "learning",
        title="Learning cycles and what they found",
        activity_kinds=tuple(ACTIVITY_KINDS),
        order=30,
        group=digest_group,
    )
    registry.register_scope("cycle", can_see_cycle_scope, audience=cycle_scope_audience)
    registry.register_demo_seeder("learning", seed_demo)
    registry.register_data_handler(
        "learning",
        export=data_rights.export,
        erase=data_rights.erase,
        redact=data_rights.redact,
        purge=data_rights.purge,
        models=data_rights.MODELS,
    )
