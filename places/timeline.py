"""The shared timeline: a place's activity, each item shown by its own visibility.

Who sees an item depends on the item (public, members, a scope such as a cycle's participants)
and on what the reader can *access* (membership, being in that scope) — never on their role.
Two people with the same access see the same timeline.

The page costs a fixed number of queries however many rows it shows: the scopes present in the
place are checked once each, and hidden targets are looked up once per flaggable kind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from .models import Activity, Perspective, Place, Visibility
from .permissions import is_member
from .registry import Registry, registry

PAGE_SIZE = 25


@dataclass(frozen=True)
class TimelineFilters:
    kind: str = ""
    perspective: str = ""

    @classmethod
    def from_query(cls, query: Any, *, kinds: list[tuple[str, str]]) -> TimelineFilters:
        """Read ``?kind=`` and ``?perspective=``; unknown values are ignored, never an error."""
        kind = str(query.get("kind", "") or "")
        perspective = str(query.get("perspective", "") or "")
        if kind not in {k for k, _ in kinds}:
            kind = ""
        if perspective not in Perspective.values:
            perspective = ""
        return cls(kind=kind, perspective=perspective)

    @property
    def active(self) -> bool:
        return bool(self.kind or self.perspective)


def visible_scopes(user: Any, place: Place, *, reg: Registry = registry) -> list[str]:
    """The scopes (``"cycle:42"``) of this place's scoped items that the user may see."""
    scopes = (
        Activity.objects.for_place(place)
        .filter(visibility=Visibility.SCOPED)
        .order_by()
        .values_list("scope", flat=True)
        .distinct()
    )
    return [scope for scope in scopes if reg.can_see_scope(user, place, scope)]


def visible_activity(user: Any, place: Place, *, reg: Registry = registry) -> QuerySet[Activity]:
    """Everything in the place's timeline that this reader may see (assumes they can read the
    place: callers go through ``get_place_for_user`` first)."""
    allowed = Q(visibility=Visibility.PUBLIC)
    if is_member(user, place):
        allowed |= Q(visibility=Visibility.MEMBERS)
    scopes = visible_scopes(user, place, reg=reg)
    if scopes:
        allowed |= Q(visibility=Visibility.SCOPED, scope__in=scopes)
    return Activity.objects.for_place(place).filter(allowed)


def kind_choices(place: Place, *, reg: Registry = registry) -> list[tuple[str, str]]:
    """The kinds the filter offers: registered kinds, and any kind already in the place."""
    present = set(
        Activity.objects.for_place(place).order_by().values_list("kind", flat=True).distinct()
    )
    keys = set(reg.activity_kinds) | present
    return sorted(((k, reg.activity_kind_label(k)) for k in keys), key=lambda kv: kv[1])


def timeline_page(
    user: Any,
    place: Place,
    *,
    filters: TimelineFilters,
    page_number: Any = 1,
    reg: Registry = registry,
) -> Page:
    rows = visible_activity(user, place, reg=reg)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.perspective:
        rows = rows.filter(perspectives__contains=[filters.perspective])
    rows = rows.select_related("actor").order_by("-created_at", "-id")  # newest first
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    _mark_hidden(page.object_list, reg=reg)
    return page


def _mark_hidden(rows: Any, *, reg: Registry) -> None:
    """Set ``row.target_hidden`` for items whose content a steward has hidden (one query per
    flaggable kind on the page, not per row)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        row.target_hidden = False
        if row.target_type_id and row.target_id:
            by_type[row.target_type_id].add(row.target_id)
    if not by_type:
        return
    hidden: set[tuple[int, int]] = set()
    for kind in reg.flaggables():
        type_id = ContentType.objects.get_for_model(kind.model).pk
        ids = by_type.get(type_id)
        if not ids:
            continue
        for pk in kind.model._default_manager.filter(pk__in=ids, **kind.hidden_filter).values_list(
            "pk", flat=True
        ):
            hidden.add((type_id, pk))
    for row in rows:
        row.target_hidden = (row.target_type_id, row.target_id) in hidden
