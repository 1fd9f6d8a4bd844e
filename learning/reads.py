"""Reads the learning pages reuse. Each costs a fixed number of queries however many rows it
shows (the cycle page and the library are checked with 5 and with 50 entries)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from places.models import Membership, Place
from places.parts import place_part, site_part
from places.permissions import is_member
from relational.http import query_text
from relational.paging import asked_number, count_and_rows, known_page, one_query_page

from .charts import MeasureChart, WorldsChart, measure_chart, worlds_chart
from .models import (
    CLOSED_STATUSES,
    CycleJoinRequest,
    CycleLink,
    CycleParticipant,
    CycleStatus,
    Entry,
    EntryKind,
    EntryVisibility,
    Horizon,
    JoinStatus,
    LearningCycle,
    Measure,
    PromptDelivery,
    Reading,
    RelationshipLevel,
    World,
)
from .permissions import participant_ids, remember_participants
from .services import SEARCH_CONFIG

TIMELINE_PAGE_SIZE = 25
LIBRARY_PAGE_SIZE = 25
READINGS_IN_TABLE = 12


def load_participants(cycle: LearningCycle) -> list[CycleParticipant]:
    """The cycle's participants (with their users), remembered for the permission checks; the
    same for every reader, so kept while the place is unchanged (places.parts: joining or
    leaving a cycle moves its place's version, a change of name moves row 0's)."""
    rows = place_part(
        cycle.place,
        f"cycle-participants:{cycle.pk}",
        lambda: list(
            CycleParticipant.objects.filter(cycle=cycle)
            .select_related("user")
            .order_by("joined_at", "id")
        ),
    )
    remember_participants(cycle, {row.user_id for row in rows})
    return rows


def timeline_entries(user: Any, cycle: LearningCycle) -> QuerySet[Entry]:
    visible_sources = Entry.objects.visible_to(user, cycle.place).only(
        "id", "kind", "body", "created_at", "cycle_id", "hidden_at"
    )
    # Every source, seen or not (a subquery: no GROUP BY over the cycle's entries).
    sources = (
        Entry.sources.through.objects.filter(from_entry_id=OuterRef("pk"))
        .order_by()
        .values("from_entry_id")
        .annotate(n=Count("*"))
        .values("n")  # type: ignore[misc]  # django-stubs cannot see an annotation on a through
    )
    return (
        Entry.objects.filter(cycle=cycle)
        .visible_to(user, cycle.place)
        .select_related("author", "reading__measure", "prompt")
        .prefetch_related(Prefetch("sources", queryset=visible_sources, to_attr="visible_sources"))
        .annotate(source_count=Coalesce(Subquery(sources), 0))
        .order_by("-created_at", "-id")
    )


def timeline_page(user: Any, cycle: LearningCycle, page_number: Any) -> Page:
    """A page of the cycle's entries, counted and read in one query."""
    page = one_query_page(timeline_entries(user, cycle), page_number, TIMELINE_PAGE_SIZE)
    for entry in page.object_list:
        entry.cycle = cycle
        # Sources the reader may not see are counted, never shown.
        entry.hidden_source_count = entry.source_count - len(entry.visible_sources)  # type: ignore[attr-defined]
    return page


@dataclass
class LinkedCycle:
    cycle: LearningCycle
    words: str  # "feeds into", "is fed by", "is a peer of"


def cycle_links(user: Any, cycle: LearningCycle) -> list[LinkedCycle]:
    """Links on both sides, each shown only if the reader can read the other cycle's place.
    The links are the same for everyone, so kept while the place is unchanged (places.parts:
    a link, or a change to a linked cycle, bumps both places); the reader's memberships are
    asked for only when a link leads to a members-only place."""

    def build() -> list[LinkedCycle]:
        found = []
        for link in CycleLink.objects.filter(
            Q(from_cycle=cycle) | Q(to_cycle=cycle)
        ).select_related("from_cycle__place", "to_cycle__place"):
            outgoing = link.from_cycle_id == cycle.pk
            other = link.to_cycle if outgoing else link.from_cycle
            words = (
                "Peer cycle" if link.kind == "peer" else ("Feeds into" if outgoing else "Fed by")
            )
            found.append(LinkedCycle(cycle=other, words=words))
        return found

    links = place_part(cycle.place, f"cycle-links:{cycle.pk}", build)
    # Whoever reads this cycle may read every cycle of its place, so only links to other
    # members-only places need the question.
    readable = {cycle.place_id}
    private = {
        link.cycle.place_id
        for link in links
        if not link.cycle.place.is_public and link.cycle.place_id != cycle.place_id
    }
    if private and getattr(user, "is_authenticated", False):
        readable.update(
            Membership.objects.filter(user=user, place_id__in=private).values_list(
                "place_id", flat=True
            )
        )
    return [link for link in links if link.cycle.place.is_public or link.cycle.place_id in readable]


@dataclass
class MeasureView:
    measure: Measure
    readings: list[Reading]
    chart: MeasureChart

    @property
    def recent_readings(self) -> list[Reading]:
        return list(reversed(self.readings[-READINGS_IN_TABLE:]))


def measure_views(measures: QuerySet[Measure]) -> list[MeasureView]:
    rows = list(
        measures.select_related("cycle", "place").prefetch_related(
            Prefetch("readings", queryset=Reading.objects.order_by("date", "id"))
        )
    )
    views = []
    for measure in rows:
        readings = list(measure.readings.all())
        views.append(
            MeasureView(
                measure=measure,
                readings=readings,
                chart=measure_chart(
                    readings, name=measure.name, unit=measure.unit, better=measure.better
                ),
            )
        )
    return views


def pending_join_requests(cycle: LearningCycle) -> list[CycleJoinRequest]:
    return list(CycleJoinRequest.objects.pending().filter(cycle=cycle).select_related("user"))


# --- The place's learning at a glance -------------------------------------------------------------


@dataclass
class Glance:
    by_status: list[dict[str, Any]]
    open_cycles: list[Any]
    worlds: WorldsChart
    total_cycles: int
    library_cycles: int = 0


def cycles_taken_part_in(user: Any, place: Place) -> set[int]:
    """The place's cycles this reader takes part in as a member of the place: looked up once per
    place object (the timeline's scoped items and the glance both ask)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    known: dict[int, set[int]] = place.__dict__.setdefault("_learning_cycles_by_user", {})
    if user.pk not in known:
        if not is_member(user, place):  # the membership the page's place query brought along
            known[user.pk] = set()
        else:
            # A plain cursor: every signed-in place home asks this, and building the ORM's
            # query cost more than PostgreSQL takes to plan and answer it.
            with connection.cursor() as cursor:
                cursor.execute(_taken_part_sql(), [user.pk, place.pk])
                known[user.pk] = {row[0] for row in cursor.fetchall()}
    return known[user.pk]


@cache
def _taken_part_sql() -> str:
    """The cycles of a place that a person takes part in."""
    q = connection.ops.quote_name
    participant = q(CycleParticipant._meta.db_table)
    cycle = q(LearningCycle._meta.db_table)
    return (
        f"SELECT p.cycle_id FROM {participant} p JOIN {cycle} c ON c.id = p.cycle_id"
        " WHERE p.user_id = %s AND c.place_id = %s"
    )


def reader_flags(user: Any) -> dict[str, RawSQL]:
    """Annotations for the cycle a signed-in reader opens: whether they have a prompt waiting in
    it (``reader_prompt_waiting``) and a request to join it pending
    (``reader_request_pending``), read with the cycle itself, so the page asks for either list
    only when there is one (most readers have neither). Plain SQL, as building the ORM's
    ``Exists`` cost more than the questions it saves."""
    if not getattr(user, "is_authenticated", False):
        return {}
    prompt_sql, request_sql = _reader_flag_sql()
    return {
        "reader_prompt_waiting": RawSQL(
            prompt_sql, (user.pk, timezone.now()), output_field=BooleanField()
        ),
        "reader_request_pending": RawSQL(
            request_sql, (user.pk, JoinStatus.PENDING), output_field=BooleanField()
        ),
    }


@cache
def _reader_flag_sql() -> tuple[str, str]:
    q = connection.ops.quote_name
    cycle = f"{q(LearningCycle._meta.db_table)}.{q('id')}"
    deliveries = q(PromptDelivery._meta.db_table)
    requests = q(CycleJoinRequest._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {deliveries} d WHERE d.cycle_id = {cycle} AND d.user_id = %s"
        " AND d.answered_at IS NULL AND d.expires_at > %s)",
        f"EXISTS (SELECT 1 FROM {requests} r WHERE r.cycle_id = {cycle} AND r.user_id = %s"
        " AND r.status = %s)",
    )


#: The kept part holding a place's action counts by cycle, visibility and world.
WORLDS_PART = "learning-worlds"


def visible_worlds(user: Any, place: Place) -> dict[str, int]:
    """The place's shown actions counted by world, only those this reader may see: the same
    rule as ``Entry.objects.visible_to``, applied to counts by cycle and visibility that are the
    same for everyone (kept in the cache while the place is unchanged, places.parts)."""
    counts = place_part(
        place,
        WORLDS_PART,
        lambda: list(
            Entry.objects.filter(cycle__place=place, kind=EntryKind.ACTION)
            .shown()
            .order_by()
            .values_list("cycle_id", "visibility", "world")
            .annotate(n=Count("id"))
        ),
    )
    member = is_member(user, place)
    if member and any(v == EntryVisibility.PARTICIPANTS for _, v, _, _ in counts):
        mine = cycles_taken_part_in(user, place)
    else:
        mine = set()
    worlds: Counter[str] = Counter()
    for cycle_id, visibility, world, n in counts:
        if (
            visibility == EntryVisibility.PUBLIC
            or (member and visibility == EntryVisibility.MEMBERS)
            or (member and visibility == EntryVisibility.PARTICIPANTS and cycle_id in mine)
        ):
            worlds[world] += n
    return dict(worlds)


def _glance_cycles(place: Place) -> tuple[Counter[str], list[LearningCycle]]:
    """The place's cycles counted by status, and the five open ones most recently changed (the
    same for every reader: kept in the cache, places.parts)."""
    entries = (
        Entry.objects.filter(cycle=OuterRef("pk"))
        .order_by()
        .values("cycle")
        .annotate(n=Count("id"))
    )
    cycles: list[LearningCycle] = list(
        LearningCycle.objects.for_place(place)
        .annotate(entry_count=Coalesce(Subquery(entries.values("n")), 0))
        .order_by("-updated_at", "-id")
    )
    counts = Counter(cycle.status for cycle in cycles)
    open_cycles = [cycle for cycle in cycles if cycle.status not in CLOSED_STATUSES][:5]
    return counts, open_cycles


def place_glance(user: Any, place: Place) -> Glance:
    """Cycles by status, a few open ones, and the four worlds across the place (counting
    only the actions this reader may see)."""
    counts, open_cycles = place_part(place, "learning-glance", lambda: _glance_cycles(place))
    by_status = [
        {"status": status.value, "label": status.label, "count": counts.get(status.value, 0)}
        for status in CycleStatus
    ]
    for cycle in open_cycles:
        cycle.place = place  # no query per cycle for its address
    return Glance(
        by_status=by_status,
        open_cycles=open_cycles,
        worlds=worlds_chart(visible_worlds(user, place)),
        total_cycles=sum(counts.values()),
        library_cycles=sum(counts.get(s, 0) for s in CLOSED_STATUSES) if place.is_public else 0,
    )


# --- The learning library ---------------------------------------------------------------------


@dataclass
class LibraryFilters:
    q: str = ""
    mission: str = ""
    level: str = ""
    horizon: str = ""
    world: str = ""
    place: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: Any) -> LibraryFilters:
        """Read the filters; unknown choices are ignored (and said), never an error."""
        problems = []

        def choice(name: str, allowed: list[str], label: str) -> str:
            value = query_text(query, name, 100)
            if value and value not in allowed:
                problems.append(
                    f"We ignored the {label} filter: “{value[:40]}” is not one we know."
                )
                return ""
            return value

        return cls(
            q=query_text(query, "q", 200),
            mission=query_text(query, "mission", 100),
            level=choice("level", RelationshipLevel.values, "relationship level"),
            horizon=choice("horizon", Horizon.values, "horizon"),
            world=choice("world", World.values, "world of service"),
            place=query_text(query, "place", 80),
            problems=problems,
        )

    @property
    def active(self) -> bool:
        return any([self.q, self.mission, self.level, self.horizon, self.world, self.place])

    @property
    def key(self) -> str:
        """A short name for this search, for the cache."""
        words = "\n".join([self.q, self.mission, self.level, self.horizon, self.world, self.place])
        return hashlib.sha256(words.encode()).hexdigest()[:32]


def library_cycles(filters: LibraryFilters) -> QuerySet[LearningCycle]:
    """Concluded and stopped cycles of public places, searched and filtered."""
    cycles = LearningCycle.objects.in_library()
    if filters.q:
        query = SearchQuery(filters.q, search_type="websearch", config=SEARCH_CONFIG)
        cycles = cycles.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        order = ["-rank", "-closed_at", "-id"]
    else:
        order = ["-closed_at", "-id"]
    for word in filters.mission.split()[:5]:
        cycles = cycles.filter(
            Exists(
                LearningCycle.missions.through.objects.filter(
                    learningcycle_id=OuterRef("pk"), mission__text__icontains=word
                )
            )
        )
    if filters.level:
        cycles = cycles.filter(relationship_level=filters.level)
    if filters.horizon:
        cycles = cycles.filter(horizon=filters.horizon)
    if filters.world:
        cycles = cycles.filter(
            Exists(
                Entry.objects.public()
                .shown()
                .filter(cycle=OuterRef("pk"), kind=EntryKind.ACTION, world=filters.world)
            )
        )
    if filters.place:
        cycles = cycles.filter(place__slug=filters.place)
    # A subquery, not a join and GROUP BY: PostgreSQL counts the entries of the page's cycles
    # only (after the sort and the limit), and the paginator's count needs no entries at all.
    public_entries = (
        Entry.objects.public()
        .shown()
        .filter(cycle=OuterRef("pk"))
        .order_by()
        .values("cycle")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        cycles.select_related("place")
        .prefetch_related("missions")
        .annotate(public_entry_count=Coalesce(Subquery(public_entries), 0))
        .order_by(*order)
    )


def library_page(filters: LibraryFilters, page_number: Any) -> Page:
    """A page of the library's search. What it finds is the same for every reader (public
    places only), so the page's count and cycles are kept until some place's pages change."""
    rows = library_cycles(filters)
    number = asked_number(page_number)
    count, items = site_part(
        f"library:{filters.key}:{number}",
        lambda: count_and_rows(rows, number, LIBRARY_PAGE_SIZE),
    )
    return known_page(rows, page_number, LIBRARY_PAGE_SIZE, count, items)


def library_places() -> list[tuple[str, str]]:
    """(slug, name) of the places with something in the library, for the place filter (the same
    for everyone, so kept until some place's pages change)."""
    return site_part(
        "library-places",
        lambda: list(
            Place.objects.public()
            .filter(Exists(LearningCycle.objects.in_library().filter(place=OuterRef("pk"))))
            .order_by("name")
            .values_list("slug", "name")
        ),
    )


def library_place_options(selected: str) -> SafeString:
    """The place filter's options, the chosen one selected. Built here rather than in a template
    loop: three hundred places cost the template several milliseconds a page; and kept with the
    places they list (escaping them costs another millisecond)."""

    def build() -> str:
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (slug, " selected" if slug == selected else "", name)
                for slug, name in library_places()
            ),
        )

    key = hashlib.sha256(selected.encode()).hexdigest()[:32]
    return mark_safe(site_part(f"library-place-options:{key}", build))  # noqa: S308 - escaped


def reader_takes_part(user: Any, cycle: LearningCycle) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.pk in participant_ids(cycle)
        and is_member(user, cycle.place)
    )
