"""The version history of a decision, as the database recorded it (django-pghistory).

Writing: every governance service runs inside :func:`acting`, which attaches the acting
person's id (and nothing else about them) to each event row its statements cause. Reading:
:func:`decision_history` gathers the events of a decision, its deciders, evidence, inputs and
responses, and turns consecutive snapshots of the decision into field-by-field differences.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import (
    DeciderEvent,
    Decision,
    DecisionEvent,
    Disposition,
    EvidenceEvent,
    InputEvent,
    Method,
    ResponseEvent,
    Stance,
    Status,
)

# --- Writing: who is acting -------------------------------------------------------------------


@contextlib.contextmanager
def acting(user: Any, **extra: Any) -> Iterator[None]:
    """Attach ``{"user": <id or None>, ...}`` to every history row written inside.

    pghistory sets its context for the rest of the transaction; when the outermost ``acting``
    ends, the context is cleared, so a later write in the same transaction (a raw UPDATE in a
    test, a different service) is not attributed to this person.
    """
    outermost = not hasattr(pghistory.runtime._tracker, "value")
    user_id = getattr(user, "pk", None) if user is not None else None
    try:
        with pghistory.context(user=user_id, **extra):
            yield
    finally:
        if outermost and connection.in_atomic_block and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('pghistory.context_id', '', true), "
                    "set_config('pghistory.context_metadata', '', true)"
                )


# --- Reading: the version history -------------------------------------------------------------

#: Decision fields shown in the history, in the order of the page, with their labels.
SHOWN_FIELDS: dict[str, str] = {
    "title": "Title",
    "question": "Question",
    "options": "Options",
    "method": "Method",
    "owner": "Owner",
    "body_name": "Named body",
    "mandate": "Mandate",
    "place_view": "View from the place",
    "centre_view": "View from the centre",
    "centre_view_by": "View from the centre written by",
    "status": "Status",
    "input_closes_on": "Input closes",
    "decided_on": "Decided on",
    "review_by": "Review by",
    "method_result": "Result of the method",
    "outcome": "Outcome",
    "reasoning": "Reasoning",
    "rescind_reason": "Why it was rescinded",
}
_PEOPLE_FIELDS = {"owner", "centre_view_by"}
_CHOICES = {"status": Status, "method": Method}


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str
    diff: SafeString | None = None  # word-level, for longer text


@dataclass
class HistoryItem:
    at: datetime
    order: tuple[Any, ...]
    who_id: int | None
    kind: str  # "decision", "decider", "evidence", "input", "response"
    label: str
    summary: str = ""
    changes: list[Change] = field(default_factory=list)
    anchor: str = ""
    who: str = ""
    subject_id: int | None = None  # the person an event is about (a decider)
    subject: str = ""


def _value(event: Any, name: str) -> Any:
    if name in _PEOPLE_FIELDS:
        return getattr(event, f"{name}_id")
    return getattr(event, name)


def _shown(name: str, value: Any, people: dict[int, str]) -> str:
    if value in (None, "", []):
        return ""
    if name in _PEOPLE_FIELDS:
        return people.get(value, "a former member")
    if name in _CHOICES:
        try:
            return str(_CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if name == "options":
        lines = []
        for i, option in enumerate(value or [], start=1):
            if not isinstance(option, dict):
                continue
            lines.append(f"{i}. {option.get('title', '')}")
            for key, word in (("description", ""), ("pros", "For: "), ("cons", "Against: ")):
                if option.get(key):
                    lines.append(f"   {word}{option[key]}")
        return "\n".join(lines)
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(value)


def word_diff(before: str, after: str) -> SafeString:
    """The after text with removed words in <del> and added words in <ins> (escaped)."""
    a, b = before.split(" "), after.split(" ")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(
                '<del class="rel-diff__del"><span class="govuk-visually-hidden">removed: </span>'
                f"{escape(' '.join(a[i1:i2]))}</del>"
            )
        if op in ("insert", "replace"):
            out.append(
                '<ins class="rel-diff__ins"><span class="govuk-visually-hidden">added: </span>'
                f"{escape(' '.join(b[j1:j2]))}</ins>"
            )
    return mark_safe(" ".join(out))  # noqa: S308 - every piece escaped above


def _who(event: Any) -> int | None:
    context = event.pgh_context
    if isinstance(context, str):
        try:
            context = json.loads(context)
        except ValueError:
            return None
    if isinstance(context, dict):
        user = context.get("user")
        return int(user) if isinstance(user, int) else None
    return None


def decision_events(decision: Decision) -> list[Any]:
    return list(DecisionEvent.objects.filter(pgh_obj_id=decision.pk).order_by("pgh_id"))


def decision_history(decision: Decision) -> list[HistoryItem]:
    """Everything recorded about a decision since it left draft, oldest first.

    A fixed number of queries: one per event table and one for the people named in them.
    """
    items: list[HistoryItem] = []
    people_ids: set[int] = set()
    events = decision_events(decision)
    since = events[0].pgh_created_at if events else None
    previous = None
    for event in events:
        who = _who(event)
        if previous is None:
            if event.recorded_by_platform:
                label = "Recorded by the platform"
            elif event.status == Status.OPEN:
                label = "Opened for input"
            else:
                label = f"Published as “{_shown('status', event.status, {})}”"
            item = HistoryItem(
                at=event.pgh_created_at,
                order=(event.pgh_created_at, 0, event.pgh_id),
                who_id=who,
                kind="decision",
                label=label,
            )
            items.append(item)
            previous = event
            continue
        changes = []
        for name, label in SHOWN_FIELDS.items():
            before, after = _value(previous, name), _value(event, name)
            if before != after:
                changes.append(Change(name, label, before, after))
                if name in _PEOPLE_FIELDS:
                    people_ids.update(v for v in (before, after) if v)
        previous = event
        if not changes:
            continue
        status_change = next((c for c in changes if c.field == "status"), None)
        label = (
            f"Moved to “{_shown('status', status_change.after, {})}”"
            if status_change
            else "Changed"
        )
        items.append(
            HistoryItem(
                at=event.pgh_created_at,
                order=(event.pgh_created_at, 0, event.pgh_id),
                who_id=who,
                kind="decision",
                label=label,
                changes=changes,
            )
        )
    if since is not None:
        items += _decider_items(decision, since, people_ids)
        items += _evidence_items(decision, since)
        items += _input_items(decision, since)
        items += _response_items(decision, since)
    people_ids.update(i.who_id for i in items if i.who_id)
    people_ids.update(i.subject_id for i in items if i.subject_id)
    people = _people(people_ids)
    for item in items:
        item.who = people.get(item.who_id, "") if item.who_id else ""
        item.subject = people.get(item.subject_id, "") if item.subject_id else ""
        for change in item.changes:
            before = _shown(change.field, change.before, people)
            after = _shown(change.field, change.after, people)
            change.before, change.after = before, after
            if (
                change.field not in _PEOPLE_FIELDS | set(_CHOICES)
                and before
                and after
                and (len(before) > 60 or len(after) > 60)
            ):
                change.diff = word_diff(before, after)
    items.sort(key=lambda i: i.order)
    return items


def _people(ids: set[int]) -> dict[int, str]:
    from relational.models import User

    if not ids:
        return {}
    return {
        pk: name or "a former member"
        for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "display_name")
    }


def _decider_items(decision: Decision, since: datetime, people_ids: set[int]) -> list[HistoryItem]:
    items = []
    for event in DeciderEvent.objects.filter(
        decision_id=decision.pk, pgh_created_at__gte=since
    ).order_by("pgh_id"):
        people_ids.add(event.user_id)
        if event.pgh_label == "named":
            label = "Decider named"
        elif event.pgh_label == "removed":
            label = "Decider removed"
        elif event.stated_at is not None:
            label = "Interests stated"
        else:
            continue
        n = len(event.interest_ids or [])
        items.append(
            HistoryItem(
                at=event.pgh_created_at,
                order=(event.pgh_created_at, 1, event.pgh_id),
                who_id=_who(event),
                kind="decider",
                label=label,
                subject_id=event.user_id,
                summary=(
                    ""
                    if label != "Interests stated"
                    else "none relates"
                    if event.no_interest
                    else f"{n} relate{'s' if n == 1 else ''}"
                ),
            )
        )
    return items


def _evidence_items(decision: Decision, since: datetime) -> list[HistoryItem]:
    return [
        HistoryItem(
            at=event.pgh_created_at,
            order=(event.pgh_created_at, 2, event.pgh_id),
            who_id=_who(event),
            kind="evidence",
            label="Evidence added" if event.pgh_label == "added" else "Evidence removed",
            summary="a learning cycle" if event.cycle_id else "a log entry",
        )
        for event in EvidenceEvent.objects.filter(
            decision_id=decision.pk, pgh_created_at__gte=since
        ).order_by("pgh_id")
    ]


def _input_items(decision: Decision, since: datetime) -> list[HistoryItem]:
    items = []
    previous: dict[int, Any] = {}
    for event in InputEvent.objects.filter(decision_id=decision.pk).order_by("pgh_id"):
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if event.pgh_created_at < since:
            continue
        changes = []
        if before is not None:
            if before.stance != event.stance:
                changes.append(
                    Change(
                        "stance", "Stance", Stance(before.stance).label, Stance(event.stance).label
                    )
                )
            if before.text != event.text:
                changes.append(Change("text", "Words", before.text, event.text))
            if before.hidden_at != event.hidden_at:
                changes.append(
                    Change(
                        "hidden",
                        "Hidden by a steward",
                        "yes" if before.hidden_at else "no",
                        "yes" if event.hidden_at else "no",
                    )
                )
            if not changes:
                continue
        items.append(
            HistoryItem(
                at=event.pgh_created_at,
                order=(event.pgh_created_at, 3, event.pgh_id),
                who_id=_who(event),
                kind="input",
                label=(
                    f"Input given: {Stance(event.stance).label.lower()}"
                    if before is None
                    else "Input changed"
                ),
                changes=changes,
                anchor=f"input-{event.pgh_obj_id}",
            )
        )
    return items


def _response_items(decision: Decision, since: datetime) -> list[HistoryItem]:
    items = []
    previous: dict[int, Any] = {}
    events = ResponseEvent.objects.filter(input__decision_id=decision.pk).order_by("pgh_id")
    for event in events:
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if event.pgh_created_at < since:
            continue
        changes = []
        if before is not None:
            if before.disposition != event.disposition:
                changes.append(
                    Change(
                        "disposition",
                        "Disposition",
                        Disposition(before.disposition).label,
                        Disposition(event.disposition).label,
                    )
                )
            if before.text != event.text:
                changes.append(Change("text", "Response", before.text, event.text))
            if not changes:
                continue
        items.append(
            HistoryItem(
                at=event.pgh_created_at,
                order=(event.pgh_created_at, 4, event.pgh_id),
                who_id=_who(event),
                kind="response",
                label=(
                    f"Response: {Disposition(event.disposition).label.lower()}"
                    if before is None
                    else "Response changed"
                ),
                changes=changes,
                anchor=f"input-{event.input_id}",
            )
        )
    return items
