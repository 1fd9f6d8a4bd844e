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
from django.core.paginator import Page
from django.db.models import BigIntegerField, Q, QuerySet, Value

from relational.paging import count_and_rows, known_page

from .models import Activity, Perspective, Place, Visibility
from .parts import keep_part, peek_part, place_part
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


def _facets(place: Place) -> tuple[set[str], list[str]]:
    """The kinds of item in the place's timeline and the scopes of its scoped items, in one
    query: the same for everyone, so kept in the cache (places.parts) and on the place object
    for the rest of the request."""

    def build() -> tuple[set[str], list[str]]:
        kinds: set[str] = set()
        scopes: set[str] = set()
        for kind, visibility, scope in (
            Activity.objects.for_place(place)
            .order_by()
            .values_list("kind", "visibility", "scope")
            .distinct()
        ):
            kinds.add(kind)
            if visibility == Visibility.SCOPED:
                scopes.add(scope)
        return kinds, sorted(scopes)

    if "_timeline_facets" not in place.__dict__:
        place.__dict__["_timeline_facets"] = place_part(place, "timeline-facets", build)
    return place.__dict__["_timeline_facets"]  # type: ignore[no-any-return]


def visible_scopes(user: Any, place: Place, *, reg: Registry = registry) -> list[str]:
    """The scopes (``"cycle:42"``) of this place's scoped items that the user may see."""
    return [scope for scope in _facets(place)[1] if reg.can_see_scope(user, place, scope)]


def _allowed(member: bool, scopes: list[str]) -> Q:
    allowed = Q(visibility=Visibility.PUBLIC)
    if member:
        allowed |= Q(visibility=Visibility.MEMBERS)
    if scopes:
        allowed |= Q(visibility=Visibility.SCOPED, scope__in=scopes)
    return allowed


def visible_activity(user: Any, place: Place, *, reg: Registry = registry) -> QuerySet[Activity]:
    """Everything in the place's timeline that this reader may see (assumes they can read the
    place: callers go through ``get_place_for_user`` first)."""
    allowed = _allowed(is_member(user, place), visible_scopes(user, place, reg=reg))
    return Activity.objects.for_place(place).filter(allowed)


def kind_choices(place: Place, *, reg: Registry = registry) -> list[tuple[str, str]]:
    """The kinds the filter offers: registered kinds, and any kind already in the place."""
    keys = set(reg.activity_kinds) | _facets(place)[0]
    return sorted(((k, reg.activity_kind_label(k)) for k in keys), key=lambda kv: kv[1])


def timeline_audience(
    user: Any, place: Place, filters: TimelineFilters, *, reg: Registry = registry
) -> str:
    """Who sees the same timeline as this reader, with these filters: members or not, and the
    scoped items they may see. The key of the kept count and of the kept rendering."""
    member, scopes = is_member(user, place), visible_scopes(user, place, reg=reg)
    return f"{int(member)}:{','.join(sorted(scopes))}:{filters.kind}:{filters.perspective}"


def timeline_page(
    user: Any,
    place: Place,
    *,
    filters: TimelineFilters,
    page_number: Any = 1,
    reg: Registry = registry,
) -> Page:
    member, scopes = is_member(user, place), visible_scopes(user, place, reg=reg)
    rows = Activity.objects.for_place(place).filter(_allowed(member, scopes))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.perspective:
        rows = rows.filter(perspectives__contains=[filters.perspective])
    rows = rows.select_related("actor").order_by("-created_at", "-id")  # newest first
    # How many items there are is the same for everyone who sees the same kinds of item: kept
    # in the cache, and else counted by the query that reads the page's rows (a window count).
    part = f"timeline-count:{timeline_audience(user, place, filters, reg=reg)}"
    items: list[Any] | None = None
    if kept := peek_part(place, part):
        count = kept[0]
    else:
        count, items = count_and_rows(rows, page_number, PAGE_SIZE)
        keep_part(place, part, count)
    page = known_page(rows, page_number, PAGE_SIZE, count, items)
    _mark_hidden(page.object_list, reg=reg)
    return page


def _mark_hidden(rows: Any, *, reg: Registry) -> None:
    """Set ``row.target_hidden`` for items whose content a steward has hidden: one query for
    the page (a UNION ALL of each flaggable kind present on it), not one per row or per kind."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        row.target_hidden = False
        if row.target_type_id and row.target_id:
            by_type[row.target_type_id].add(row.target_id)
    if not by_type:
        return
    parts: list[QuerySet[Any]] = []
    for kind in reg.flaggables():
        type_id = ContentType.objects.get_for_model(kind.model).pk
        ids = by_type.get(type_id)
        if ids:
            parts.append(
                kind.model._default_manager.filter(pk__in=ids, **kind.hidden_filter)
                .order_by()
                .annotate(type_id=Value(type_id, output_field=BigIntegerField()))
                .values_list("type_id", "pk")
            )
    if not parts:
        return
    hidden: set[tuple[int, int]] = set(parts[0].union(*parts[1:], all=True).order_by())
    for row in rows:
        row.target_hidden = (row.target_type_id, row.target_id) in hidden
