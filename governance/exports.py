"""The decision log's machine-readable shapes: an Atom feed and a CSV download.

Both show published decisions only (never drafts) and people by display name only (never an
email address). The CSV's columns are a stable, documented shape: add columns at the end,
never rename or reorder them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.feedgenerator import Atom1Feed

from places.models import Place

from .models import Decider, Decision, Disposition

FEED_SIZE = 50

#: The CSV's columns, in order, with what each holds.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("id", "The decision's number on this site"),
    ("url", "Its page"),
    ("title", "Its title"),
    ("status", "draft is never exported; open, deciding, decided, review, revised, rescinded"),
    ("method", "consent, consensus, majority, delegated, advice or allocation"),
    ("owner", "The display name of the person who owns it (empty for platform records)"),
    ("deciders", "Display names of the named deciders, separated by semicolons"),
    ("body_name", "The named body that decided, if any"),
    ("mandate", "The authority under which it was decided"),
    ("input_closes_on", "ISO date"),
    ("decided_on", "ISO date"),
    ("review_by", "ISO date"),
    ("method_result", "The result of the method, such as “carried 7–3”"),
    ("outcome", "What was decided"),
    ("reasoning", "Why"),
    ("inputs", "How many inputs it received"),
    ("adopted", "Inputs adopted"),
    ("adapted", "Inputs adapted"),
    ("not_adopted", "Inputs not adopted"),
    ("answered", "Inputs answered"),
    ("unanswered", "Inputs still waiting for a response"),
    ("revision", "1 for an original decision, 2 for its first revision…"),
    ("supersedes", "The id of the decision this one revises, if any"),
    ("rescind_reason", "Why it was rescinded, if it was"),
]


def exported(place: Place) -> QuerySet[Decision]:
    counts = {
        d: Count("inputs", filter=Q(inputs__response__disposition=d), distinct=True)
        for d in Disposition.values
    }
    return (
        Decision.objects.for_place(place)
        .published()
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "deciders",
                queryset=Decider.objects.select_related("user").order_by("added_at", "id"),
            )
        )
        .annotate(
            input_total=Count("inputs", distinct=True),
            unanswered=Count("inputs", filter=Q(inputs__response__isnull=True), distinct=True),
            **{f"n_{d}": c for d, c in counts.items()},
        )
        .order_by("-created_at", "-id")
    )


def _safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _name(user: Any) -> str:
    return (user.display_name or "A member") if user is not None else ""


def csv_rows(place: Place) -> Iterable[list[str]]:
    yield [name for name, _ in CSV_COLUMNS]
    for d in exported(place):
        d.place = place
        counted: Any = d  # with the annotated counts
        yield [
            _safe(v)
            for v in (
                d.pk,
                f"{settings.SITE_URL}{d.get_absolute_url()}",
                d.title,
                d.status,
                d.method,
                _name(d.owner),
                "; ".join(_name(x.user) for x in d.deciders.all()),
                d.body_name,
                d.mandate,
                d.input_closes_on.isoformat() if d.input_closes_on else "",
                d.decided_on.isoformat() if d.decided_on else "",
                d.review_by.isoformat() if d.review_by else "",
                d.method_result,
                d.outcome,
                d.reasoning,
                counted.input_total,
                counted.n_adopted,
                counted.n_adapted,
                counted.n_not_adopted,
                counted.n_answered,
                counted.unanswered,
                d.revision,
                d.supersedes_id or "",
                d.rescind_reason,
            )
        ]


def decisions_csv(place: Place) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(place):
        writer.writerow(row)
    return buffer.getvalue()


def decisions_atom(place: Place, *, feed_url: str) -> str:
    """The place's decisions as an Atom 1.0 feed, most recently changed first."""
    log_url = f"{settings.SITE_URL}/places/{place.slug}/decisions/"
    feed = Atom1Feed(
        title=f"Decisions of {place.name}",
        link=log_url,
        description=f"Decisions taken in the open in {place.name}, with their reasons.",
        language="en-gb",
        feed_url=feed_url,
        feed_guid=log_url,
    )
    decisions = list(
        Decision.objects.for_place(place).published().order_by("-updated_at", "-id")[:FEED_SIZE]
    )
    for d in decisions:
        d.place = place
        url = f"{settings.SITE_URL}{d.get_absolute_url()}"
        parts = [f"Status: {d.get_status_display()}.", f"Method: {d.get_method_display()}."]
        parts.append(f"The question: {d.question}")
        if d.outcome:
            parts.append(f"What was decided: {d.outcome}")
        if d.method_result:
            parts.append(f"Result: {d.method_result}")
        if d.rescind_reason:
            parts.append(f"Rescinded because: {d.rescind_reason}")
        feed.add_item(
            title=f"{d.title} ({d.get_status_display().lower()})",
            link=url,
            description="\n\n".join(parts),
            unique_id=url,
            unique_id_is_permalink=True,
            pubdate=d.opened_at or d.decided_at or d.created_at,
            updateddate=d.updated_at,
            categories=[d.get_status_display(), d.get_method_display()],
        )
    return feed.writeString("utf-8")
