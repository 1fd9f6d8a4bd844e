"""Reads the decision pages share: the log's query, a decision page's rows, visible evidence.

Each costs a fixed number of queries whatever the number of decisions or inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.functional import SimpleLazyObject

from places.models import Interest, Perspective, Place
from places.parts import fetch_parts, place_part
from relational.http import query_text

from .models import Decider, Decision, Dissent, Evidence, Implementation, Input, Method, Status
from .permissions import (
    can_edit_input,
    can_record_dissent,
    can_respond,
    is_steward,
    may_edit_input,
    remember_deciders,
)
from .services import input_summary

LOG_PAGE_SIZE = 25


# --- The decision log ---------------------------------------------------------------------------


@dataclass
class LogFilters:
    q: str = ""
    status: str = ""
    method: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Any) -> LogFilters:
        filters = cls(q=query_text(query, "q", 200))
        status = query.get("status") or ""
        if status in Status.values:
            filters.status = status
        method = query.get("method") or ""
        if method in Method.values:
            filters.method = method
        for name in ("date_from", "date_to"):
            raw = (query.get(name) or "").strip()
            if not raw:
                continue
            try:
                setattr(filters, name, date.fromisoformat(raw))
            except ValueError:
                filters.errors[name] = "Enter a real date, like 2026-03-31."
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            filters.errors["date_to"] = "The end date must be on or after the start date."
        return filters

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.method or self.date_from or self.date_to)


def input_count(**where: Any) -> Coalesce:
    """How many inputs of the row's decision match ``where``, as an annotation: a correlated
    subquery, so PostgreSQL counts for the listed page of decisions only (after the sort and the
    limit), not for every decision of the place joined to all its inputs."""
    inputs = (
        Input.objects.filter(decision=OuterRef("pk"), **where)
        .order_by()
        .values("decision")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(inputs), 0)


def log_queryset(user: Any, place: Place, filters: LogFilters) -> QuerySet[Decision]:
    decisions = (
        Decision.objects.for_place(place)
        .visible_to(user, place)
        .defer("search_vector")  # the search's, never shown
        .annotate(
            input_count=input_count(),
            log_date=Coalesce(
                F("decided_on"),
                TruncDate("opened_at"),
                TruncDate("created_at"),
                output_field=DateField(),
            ),
        )
    )
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.method:
        decisions = decisions.filter(method=filters.method)
    if filters.date_from and "date_from" not in filters.errors:
        decisions = decisions.filter(log_date__gte=filters.date_from)
    if filters.date_to and not filters.errors:
        decisions = decisions.filter(log_date__lte=filters.date_to)
    if filters.q:
        query = SearchQuery(filters.q, search_type="websearch", config="english")
        decisions = (
            decisions.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-log_date", "-id")
        )
    else:
        decisions = decisions.order_by("-log_date", "-id")
    return decisions


def log_reader(user: Any, place: Place) -> str:
    """Which decisions of the place this person's log shows, for the key of the log's kept
    rendering: every one (a steward), the published ones (anyone with no draft of their own to
    see), or the published ones and their own drafts (then theirs alone)."""
    if is_steward(user, place):
        return "all"
    if not getattr(user, "is_authenticated", False):
        return "published"
    named = Exists(Decider.objects.filter(decision=OuterRef("pk"), user=user))
    theirs = (
        Decision.objects.for_place(place)
        .filter(status=Status.DRAFT)
        .filter(Q(owner=user) | Q(named))
    )
    return f"drafts-of-{user.pk}" if theirs.exists() else "published"


def log_page(user: Any, place: Place, filters: LogFilters, page_number: Any) -> Page:
    paginator = Paginator(log_queryset(user, place, filters), LOG_PAGE_SIZE)
    page = paginator.get_page(page_number)
    for decision in page.object_list:
        decision.place = place
    return page


# --- One decision's page ------------------------------------------------------------------------


@dataclass
class DeciderView:
    decider: Decider
    interests: list[Interest]  # current declared interests in the place
    stated: list[Interest]  # the ones they said relate


@dataclass
class InputView:
    item: Input
    response: Any
    perspectives: list[str]
    may_edit: bool
    may_respond: bool


@dataclass(frozen=True)
class InputFact:
    """What a decision's page asks of each input for its reader: small to keep and to read."""

    pk: int
    author_id: int | None
    stance: str
    hidden: bool
    answered: bool


@dataclass
class EvidenceView:
    evidence: Evidence
    title: str
    url: str
    where: str  # the other place's name, or ""
    kind: str  # "learning cycle" or "log entry"
    hidden: bool = False


def _labels(perspectives: list[str]) -> list[str]:
    labels = []
    for p in perspectives:
        try:
            labels.append(str(Perspective(p).label))
        except ValueError:
            continue
    return labels


#: The parts of a decision's page kept for everyone (``_kept``) that its page reads each time
#: (the inputs themselves, and the dissents, only if their kept rendering is not kept too).
DECISION_PARTS = ("deciders", "input-facts", "evidence", "revisions", "implementation")


def _kept[T](decision: Decision, name: str, build: Callable[[], T]) -> T:
    """What a decision's page reads the same for everyone, kept while its place is unchanged
    (places.parts): each of its deciders, inputs, responses, dissents and follow-through moves
    the place's version, and a change of name moves row 0's."""
    return place_part(decision.place, f"decision-{name}:{decision.pk}", build)


def decider_views(decision: Decision) -> list[DeciderView]:
    views = _kept(decision, "deciders", lambda: _decider_views(decision))
    remember_deciders(decision, {v.decider.user_id for v in views})
    return views


def _decider_views(decision: Decision) -> list[DeciderView]:
    deciders = list(
        Decider.objects.filter(decision=decision).select_related("user").order_by("added_at", "id")
    )
    user_ids = [d.user_id for d in deciders]
    by_user: dict[int, list[Interest]] = defaultdict(list)
    by_id: dict[int, Interest] = {}
    if user_ids:
        for interest in Interest.objects.filter(place_id=decision.place_id, user_id__in=user_ids):
            by_id[interest.pk] = interest
            if interest.is_current:
                by_user[interest.user_id].append(interest)
    return [
        DeciderView(
            decider=d,
            interests=by_user.get(d.user_id, []),
            stated=[by_id[i] for i in d.interest_ids if i in by_id],
        )
        for d in deciders
    ]


def input_views(user: Any, decision: Decision) -> list[InputView]:
    items = _kept(
        decision,
        "inputs",
        lambda: list(
            Input.objects.filter(decision=decision)
            .select_related("author", "response", "response__author")
            .order_by("created_at", "id")
        ),
    )
    may_respond = can_respond(user, decision)
    views = []
    for item in items:
        item.decision = decision
        try:
            response = item.response
        except ObjectDoesNotExist:
            response = None
        views.append(
            InputView(
                item=item,
                response=response,
                perspectives=_labels(item.author_perspectives),
                may_edit=can_edit_input(user, item),
                may_respond=may_respond,
            )
        )
    return views


def input_facts(decision: Decision) -> list[InputFact]:
    return _kept(
        decision,
        "input-facts",
        lambda: [
            InputFact(pk, author_id, stance, hidden_at is not None, response_id is not None)
            for pk, author_id, stance, hidden_at, response_id in Input.objects.filter(
                decision=decision
            )
            .order_by("created_at", "id")
            .values_list("pk", "author_id", "stance", "hidden_at", "response__id")
        ],
    )


def dissents(decision: Decision) -> list[Dissent]:
    return _kept(
        decision,
        "dissents",
        lambda: list(Dissent.objects.filter(decision=decision).select_related("author")),
    )


_EVIDENCE_FIELDS = (
    "decision_id", "note", "added_by_id", "added_at",
    "cycle__title", "cycle__place__slug", "cycle__place__name", "cycle__place__visibility",
    "entry__kind", "entry__visibility", "entry__hidden_at",
    "entry__cycle__title", "entry__cycle__place__slug", "entry__cycle__place__name",
    "entry__cycle__place__visibility",
)  # fmt: skip


def evidence_views(user: Any, decision: Decision) -> list[EvidenceView]:
    """The evidence this person may see: cycles of the decision's place or of public places;
    entries by their own visibility (one query for the entries of this place)."""
    from learning.models import Entry, EntryVisibility

    links = _kept(
        decision,
        "evidence",
        lambda: list(
            Evidence.objects.filter(decision=decision)
            .select_related("cycle__place", "entry__cycle__place")
            # What the list shows and links to: a cycle's or an entry's whole text would make
            # the kept part ten times the size, and every page read unpickles it.
            .only(*_EVIDENCE_FIELDS)
        ),
    )
    here_entries = [
        e.entry.pk
        for e in links
        if e.entry is not None and e.entry.cycle.place_id == decision.place_id
    ]
    visible_here = (
        set(
            Entry.objects.visible_to(user, decision.place)
            .filter(pk__in=here_entries)
            .values_list("pk", flat=True)
        )
        if here_entries
        else set()
    )
    views = []
    for link in links:
        cycle, entry = link.cycle, link.entry
        if cycle is not None:
            if cycle.place_id != decision.place_id and not cycle.place.is_public:
                continue
            views.append(
                EvidenceView(
                    evidence=link,
                    title=cycle.title,
                    url=cycle.get_absolute_url(),
                    where="" if cycle.place_id == decision.place_id else cycle.place.name,
                    kind="learning cycle",
                )
            )
        elif entry is not None:
            place = entry.cycle.place
            if place.pk == decision.place_id:
                if entry.pk not in visible_here:
                    continue
            elif not (place.is_public and entry.visibility == EntryVisibility.PUBLIC):
                continue
            views.append(
                EvidenceView(
                    evidence=link,
                    title=f"{entry.get_kind_display()} in “{entry.cycle.title}”",
                    url=entry.get_absolute_url(),
                    where="" if place.pk == decision.place_id else place.name,
                    kind="log entry",
                    hidden=entry.is_hidden,
                )
            )
    return views


def related_versions(user: Any, decision: Decision) -> dict[str, Any]:
    """The decision this one revises, and its revisions the person may see."""
    every = _kept(
        decision,
        "revisions",
        lambda: list(
            Decision.objects.filter(supersedes=decision)
            .defer("search_vector")
            .order_by("revision", "id")
        ),
    )
    # Published revisions are everyone's; only a draft one needs asking who may see it.
    drafts = [r.pk for r in every if r.status == Status.DRAFT]
    seen = (
        set(
            Decision.objects.filter(pk__in=drafts)
            .visible_to(user, decision.place)
            .values_list("pk", flat=True)
        )
        if drafts
        else set()
    )
    revisions = [r for r in every if r.status != Status.DRAFT or r.pk in seen]
    for r in revisions:
        r.place = decision.place
    previous = decision.supersedes
    if previous is not None:
        previous.place = decision.place
    return {"previous": previous, "revisions": revisions}


def decision_page(user: Any, decision: Decision) -> dict[str, Any]:
    """Everything a decision's page shows, in a fixed number of queries."""
    fetch_parts(  # the kept parts below (_kept), in one read of the cache
        decision.place,
        [f"decision-{name}:{decision.pk}" for name in DECISION_PARTS],
    )
    deciders = decider_views(decision)
    facts = input_facts(decision)
    objected = any(
        f.author_id == getattr(user, "pk", None) and f.stance == "objection" for f in facts
    )
    # Read only if the page's kept piece showing them is not kept (place_fragment).
    inputs = SimpleLazyObject(lambda: input_views(user, decision))
    implementation = None
    if decision.decided_at is not None:
        implementation = _kept(
            decision,
            "implementation",
            lambda: (
                Implementation.objects.filter(decision=decision)
                .select_related("responsible")
                .first()
            ),
        )
    return {
        "deciders": deciders,
        "inputs": inputs,
        "summary": SimpleLazyObject(lambda: input_summary(v.item for v in inputs)),
        # What the kept piece showing the inputs varies on, from the facts.
        "may_respond_to_inputs": bool(facts) and can_respond(user, decision),
        "editable_inputs": tuple(
            f.pk
            for f in facts
            if may_edit_input(
                user, decision, author_id=f.author_id, hidden=f.hidden, answered=f.answered
            )
        ),
        # Read only if the page's kept piece showing them is not kept (place_fragment).
        "dissents": SimpleLazyObject(lambda: dissents(decision)),
        "evidence": evidence_views(user, decision),
        "implementation": implementation,
        "may_record_dissent": can_record_dissent(user, decision, objected=objected),
        **related_versions(user, decision),
    }
