"""Operations on decisions: every write of the governance app goes through here.

Each service is ``@transaction.atomic``, locks the decision row it changes (so two people acting
at once are serialised, and an edit made from an older version is refused), runs inside
:func:`governance.history.acting` (so the database's history rows carry the acting person's
id), writes the activity row of what happened, and notifies the people it concerns — all in
the one transaction.

Refusals raise :class:`GovernanceError` with a message written for the person, the form field
it belongs to (if any) and the HTTP status the view should answer with (400 for bad input,
409 for a request that conflicts with the decision's state).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from places.activity import activity_record
from places.models import Interest, Membership, Perspective, Place
from places.notifications import notification_create
from places.permissions import forget_membership

from .history import acting
from .models import (
    IN_FORCE,
    PRE_DECISION,
    Decider,
    Decision,
    Disposition,
    Dissent,
    Evidence,
    FeedToken,
    Implementation,
    ImplementationStatus,
    Input,
    Method,
    Milestone,
    ProgressUpdate,
    Response,
    Stance,
    Status,
)
from .permissions import forget_deciders

#: How far ahead a date may be set (anything later is almost certainly a typing slip).
FURTHEST_AHEAD = timedelta(days=5 * 366)

#: The fields a steward or owner edits in the decision form.
EDITABLE_FIELDS = (
    "title",
    "question",
    "options",
    "method",
    "body_name",
    "mandate",
    "place_view",
    "input_closes_on",
    "review_by",
)


class GovernanceError(Exception):
    """A refusal with a message for the person, the field it belongs to, and an HTTP status."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class StaleEdit(GovernanceError):
    """Someone else changed the decision since the form was opened."""

    def __init__(self, current: Decision) -> None:
        super().__init__(
            "Someone else changed this decision while you were editing it, so your changes "
            "have not been saved. What you typed is still below: compare it with the current "
            "version, then save again.",
            status=409,
        )
        self.current = current


def _name(user: Any) -> str:
    return (getattr(user, "display_name", "") or "Someone") if user is not None else "Relational"


def _today() -> date:
    return timezone.localdate()


def _lock(decision: Decision) -> Decision:
    """The decision's row, locked for this transaction, with its place."""
    return (
        Decision.objects.select_for_update(of=("self",)).select_related("place").get(pk=decision.pk)
    )


def _check_version(locked: Decision, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(locked)


def _require(locked: Decision, allowed: Iterable[str], what: str) -> None:
    if locked.status not in allowed:
        status = locked.get_status_display().lower()
        if locked.status == Status.RESCINDED:
            raise GovernanceError(
                f"This decision was rescinded, so it can no longer be changed ({what}).",
                status=409,
            )
        raise GovernanceError(f"A decision that is {status} cannot be {what}.", status=409)


def _not_platform(locked: Decision) -> None:
    if locked.recorded_by_platform:
        raise GovernanceError(
            "The platform recorded this decision from a fund round; nobody can change it.",
            status=409,
        )


def _bump(locked: Decision, *fields: str) -> None:
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*fields, "version", "updated_at"])


def _activity(
    decision: Decision,
    by: Any,
    verb: str,
    summary: str,
    *,
    kind: str = "decision",
    target: Any = None,
    url: str = "",
) -> None:
    """Write the timeline row; drafts stay off the timeline."""
    if decision.status == Status.DRAFT:
        return
    activity_record(
        place=decision.place,
        actor=by,
        kind=kind,
        verb=verb,
        summary=summary,
        url=url or decision.get_absolute_url(),
        target=target if target is not None else decision,
    )


def _notify(
    recipient: Any,
    *,
    kind: str,
    text: str,
    decision: Decision,
    by: Any,
    url: str = "",
    key: str | None = None,
) -> None:
    notification_create(
        recipient=recipient,
        kind=kind,
        text=text,
        url=url or decision.get_absolute_url(),
        place=decision.place,
        actor=by,
        key=key,
    )


# --- Validation shared by the forms and the services ----------------------------------------------


def clean_options(options: Sequence[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Options as a list of {"title", "description", "pros", "cons"}, blank ones left out."""
    cleaned = []
    for option in options or []:
        row = {
            k: str(option.get(k, "") or "").strip()
            for k in ("title", "description", "pros", "cons")
        }
        if not any(row.values()):
            continue
        if not row["title"]:
            raise GovernanceError("Give each option a short name.", field="options")
        cleaned.append(row)
    return cleaned


def check_dates(
    *,
    input_closes_on: date | None = None,
    decided_on: date | None = None,
    review_by: date | None = None,
    opened_on: date | None = None,
    today: date | None = None,
) -> None:
    """Dates must come in order: input closes, then decided, then review."""
    today = today or _today()
    for name, value in (
        ("input_closes_on", input_closes_on),
        ("review_by", review_by),
    ):
        if value is not None and value > today + FURTHEST_AHEAD:
            raise GovernanceError("That date is too far ahead: check the year.", field=name)
    if decided_on is not None:
        if decided_on > today:
            raise GovernanceError(
                "A decision cannot be recorded as taken on a day still to come.",
                field="decided_on",
            )
        if opened_on is not None and decided_on < opened_on:
            raise GovernanceError(
                "The decision date cannot be before it was opened for input "
                f"({opened_on:%-d %B %Y}).",
                field="decided_on",
            )
    if review_by is not None:
        after = decided_on or input_closes_on
        if after is not None and review_by <= after:
            raise GovernanceError(
                "The review date must come after "
                + ("the decision date." if decided_on else "input closes."),
                field="review_by",
            )


def _check_deciders(place: Place, deciders: Iterable[Any]) -> list[Any]:
    people = list(deciders)
    ids = {p.pk for p in people}
    members = set(
        Membership.objects.filter(place=place, user_id__in=ids).values_list("user_id", flat=True)
    )
    if ids - members:
        raise GovernanceError("Deciders must be members of this place.", field="deciders")
    return people


def _set_deciders(decision: Decision, people: list[Any], by: Any) -> list[Any]:
    """Name and remove deciders to match ``people``; returns the newly named."""
    wanted = {p.pk: p for p in people}
    current = {d.user_id: d for d in decision.deciders.all()}
    for user_id, row in current.items():
        if user_id not in wanted:
            row.delete()
    added = []
    for user_id, person in wanted.items():
        if user_id not in current:
            Decider.objects.create(decision=decision, user=person, added_by=by)
            added.append(person)
    forget_deciders(decision)
    return added


def _tell_named(decision: Decision, people: Iterable[Any], by: Any) -> None:
    for person in people:
        _notify(
            person,
            kind="decision_named",
            text=f"You are named as a decider on “{decision.title}” in {decision.place.name}",
            decision=decision,
            by=by,
            key=f"decision-named:{decision.pk}:{person.pk}",
        )


# --- Drafting and editing -------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *,
    place: Place,
    by: Any,
    title: str,
    question: str,
    method: str,
    options: Sequence[dict[str, Any]] | None = None,
    body_name: str = "",
    mandate: str = "",
    place_view: str = "",
    deciders: Iterable[Any] = (),
    input_closes_on: date | None = None,
    review_by: date | None = None,
) -> Decision:
    """A steward drafts a decision and owns it. Drafts are seen by stewards, the owner and the
    deciders; nothing reaches the timeline until it is opened for input."""
    if method == Method.ALLOCATION:
        raise GovernanceError(
            "Participatory allocation is recorded by the platform when a fund round closes.",
            field="method",
        )
    check_dates(input_closes_on=input_closes_on, review_by=review_by)
    people = _check_deciders(place, deciders)
    with acting(by):
        decision = Decision.objects.create(
            place=place,
            title=title,
            question=question,
            options=clean_options(options),
            method=method,
            owner=by,
            body_name=body_name,
            mandate=mandate,
            place_view=place_view,
            input_closes_on=input_closes_on,
            review_by=review_by,
            created_by=by,
        )
        _set_deciders(decision, people, by)
    _tell_named(decision, people, by)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by: Any,
    expected_version: int | None,
    deciders: Iterable[Any] | None = None,
    **fields: Any,
) -> Decision:
    """Change what a decision says before it is taken. ``expected_version`` is the version the
    form was opened at: if someone changed the decision since, nothing is saved
    (:class:`StaleEdit`)."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, PRE_DECISION, "edited (a decision that has been taken changes by revision)")
    _check_version(locked, expected_version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if fields.get("method") == Method.ALLOCATION and locked.method != Method.ALLOCATION:
        raise GovernanceError(
            "Participatory allocation is recorded by the platform when a fund round closes.",
            field="method",
        )
    if "options" in fields:
        fields["options"] = clean_options(fields["options"])
    closes = fields.get("input_closes_on", locked.input_closes_on)
    if locked.status == Status.OPEN and "input_closes_on" in fields:
        if closes is None:
            raise GovernanceError(
                "An open decision needs a date when input closes.", field="input_closes_on"
            )
        if closes < _today() and closes != locked.input_closes_on:
            raise GovernanceError(
                "Input cannot close on a day that has already passed.", field="input_closes_on"
            )
    if locked.status == Status.DECIDING and "input_closes_on" in fields:
        fields["input_closes_on"] = locked.input_closes_on  # already closed: the date stands
    check_dates(
        input_closes_on=fields.get("input_closes_on", locked.input_closes_on),
        review_by=fields.get("review_by", locked.review_by),
    )
    people = _check_deciders(locked.place, deciders) if deciders is not None else None
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    with acting(by):
        for name in changed:
            setattr(locked, name, fields[name])
        added = _set_deciders(locked, people, by) if people is not None else []
        _bump(locked, *changed)
    if changed or added:
        _activity(locked, by, "changed", f"{_name(by)} changed the decision “{locked.title}”")
    _tell_named(locked, added, by)
    return locked


@transaction.atomic
def decision_hand_over(*, decision: Decision, by: Any, to: Any) -> Decision:
    """Hand ownership to another steward of the place or one of the decision's deciders."""
    locked = _lock(decision)
    _not_platform(locked)
    if locked.is_final:
        _require(locked, (), "handed over")
    membership = Membership.objects.filter(place=locked.place, user=to).first()
    is_decider = locked.deciders.filter(user=to).exists()
    if membership is None or not (membership.is_steward or is_decider):
        raise GovernanceError(
            "A decision can be handed only to a steward of this place or one of its deciders.",
            field="owner",
        )
    if to.pk == locked.owner_id:
        raise GovernanceError("They already own this decision.", field="owner")
    with acting(by):
        locked.owner = to
        _bump(locked, "owner")
    _activity(locked, by, "handed_over", f"{_name(by)} handed “{locked.title}” to {_name(to)}")
    _notify(
        to,
        kind="decision_owner",
        text=f"“{locked.title}” in {locked.place.name} is now yours to see through",
        decision=locked,
        by=by,
    )
    return locked


@transaction.atomic
def centre_view_write(
    *, decision: Decision, by: Any, text: str, expected_version: int | None = None
) -> Decision:
    """The view from the centre, written by a member who speaks from the centre/policy
    perspective."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, PRE_DECISION, "given a view from the centre once it has been taken")
    _check_version(locked, expected_version)
    membership = Membership.objects.filter(place=locked.place, user=by).first()
    if membership is None or Perspective.CENTRE not in membership.perspectives:
        raise GovernanceError(
            "Only a member who speaks from the centre or policy perspective can write this.",
            status=403,
        )
    with acting(by):
        locked.centre_view = text.strip()
        locked.centre_view_by = by if locked.centre_view else None
        _bump(locked, "centre_view", "centre_view_by")
    _activity(
        locked, by, "centre_view", f"{_name(by)} gave the view from the centre on “{locked.title}”"
    )
    return locked


# --- Evidence ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, decision: Decision, by: Any, cycle: Any = None, entry: Any = None, note: str = ""
) -> Evidence:
    """Link a learning cycle or entry of this place, or a public one of another place."""
    from learning.models import EntryVisibility

    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, PRE_DECISION, "given new evidence once it has been taken")
    if (cycle is None) == (entry is None):
        raise GovernanceError("Choose one learning cycle or one log entry.", field="cycle")
    source_place = (cycle or entry.cycle).place
    if source_place.pk != locked.place_id:
        if not source_place.is_public:
            raise GovernanceError("Evidence from another place must be public.", field="address")
        if entry is not None and entry.visibility != EntryVisibility.PUBLIC:
            raise GovernanceError(
                "That entry is not public, so it cannot be evidence here.", field="address"
            )
    if entry is not None and entry.is_hidden:
        raise GovernanceError("A steward has hidden that entry.", field="address")
    try:
        with transaction.atomic(), acting(by):
            evidence = Evidence.objects.create(
                decision=locked, cycle=cycle, entry=entry, note=note.strip(), added_by=by
            )
    except IntegrityError:
        raise GovernanceError(
            "That is already evidence for this decision.", field="address"
        ) from None
    with acting(by):
        _bump(locked)
    _activity(
        locked,
        by,
        "evidence",
        f"{_name(by)} added evidence to “{locked.title}”: "
        + (cycle.title if cycle is not None else entry.excerpt),
    )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: Any) -> None:
    """Evidence can be taken off a draft only: once published, it stays on the record."""
    locked = _lock(evidence.decision)
    if locked.status != Status.DRAFT:
        raise GovernanceError(
            "Evidence stays on the record once the decision is published.", status=409
        )
    with acting(by):
        evidence.delete()
        _bump(locked)


# --- Moving a decision on -------------------------------------------------------------------------


@transaction.atomic
def decision_open(
    *, decision: Decision, by: Any, input_closes_on: date, expected_version: int | None = None
) -> Decision:
    """Draft → open for input, until the end of ``input_closes_on``."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, (Status.DRAFT,), "opened for input")
    _check_version(locked, expected_version)
    if input_closes_on is None:
        raise GovernanceError("Say when input closes.", field="input_closes_on")
    if input_closes_on < _today():
        raise GovernanceError(
            "Input cannot close on a day that has already passed.", field="input_closes_on"
        )
    check_dates(input_closes_on=input_closes_on, review_by=locked.review_by)
    with acting(by):
        locked.status = Status.OPEN
        locked.input_closes_on = input_closes_on
        locked.opened_at = timezone.now()
        _bump(locked, "status", "input_closes_on", "opened_at")
    _activity(
        locked,
        by,
        "opened",
        f"{_name(by)} opened “{locked.title}” for input until {input_closes_on:%-d %B %Y}",
    )
    return locked


@transaction.atomic
def decision_close_input(*, decision: Decision, by: Any = None) -> Decision | None:
    """Open → input closed. Run by beat the day after input closes (``by`` is None), or by the
    owner early. Returns None when there was nothing to do (already moved on)."""
    locked = _lock(decision)
    if locked.status != Status.OPEN:
        return None
    with acting(by, via="schedule" if by is None else "person"):
        locked.status = Status.DECIDING
        if by is not None and (locked.input_closes_on is None or locked.input_closes_on > _today()):
            locked.input_closes_on = _today()
        _bump(locked, "status", "input_closes_on")
    count = locked.inputs.count()
    _activity(
        locked,
        by,
        "input_closed",
        f"Input closed on “{locked.title}” with {count} input{'s' if count != 1 else ''}",
    )
    return locked


@dataclass
class Blockers:
    unanswered: int
    waiting_deciders: list[Any]

    def __bool__(self) -> bool:
        return bool(self.unanswered or self.waiting_deciders)


def decision_blockers(decision: Decision) -> Blockers:
    """What stops a decision being marked decided: inputs without a response and deciders who
    have not stated their interests."""
    waiting = [
        d.user
        for d in decision.deciders.select_related("user").filter(
            stated_at__isnull=True, listed_only=False
        )
    ]
    return Blockers(unanswered=decision.inputs.unanswered().count(), waiting_deciders=waiting)


@transaction.atomic
def decision_decide(
    *,
    decision: Decision,
    by: Any,
    outcome: str,
    reasoning: str,
    method_result: str,
    decided_on: date,
    review_by: date | None = None,
    expected_version: int | None = None,
) -> Decision:
    """Open or input closed → decided. Refused while any input has no response or a decider
    has not stated their interests. A revision, once decided, moves the decision it revises
    to "revised"."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, (Status.OPEN, Status.DECIDING), "marked decided")
    _check_version(locked, expected_version)
    if not outcome.strip():
        raise GovernanceError("Say what was decided.", field="outcome")
    if not reasoning.strip():
        raise GovernanceError("Give the reasoning behind the decision.", field="reasoning")
    blockers = decision_blockers(locked)
    if blockers.unanswered:
        n = blockers.unanswered
        raise GovernanceError(
            f"{n} input{' has' if n == 1 else 's have'} no response yet. Every input gets a "
            "response before the decision is marked decided.",
            status=409,
        )
    if blockers.waiting_deciders:
        names = ", ".join(_name(p) for p in blockers.waiting_deciders)
        raise GovernanceError(
            f"Waiting for {names} to state their interests (or that they have none).",
            status=409,
        )
    check_dates(
        decided_on=decided_on,
        review_by=review_by,
        opened_on=timezone.localdate(locked.opened_at) if locked.opened_at else None,
    )
    now = timezone.now()
    with acting(by):
        locked.status = Status.DECIDED
        locked.outcome = outcome.strip()
        locked.reasoning = reasoning.strip()
        locked.method_result = method_result.strip()
        locked.decided_on = decided_on
        locked.review_by = review_by
        locked.decided_at = now
        if locked.input_closes_on is None or locked.input_closes_on > decided_on:
            locked.input_closes_on = decided_on
        _bump(
            locked,
            "status",
            "outcome",
            "reasoning",
            "method_result",
            "decided_on",
            "review_by",
            "decided_at",
            "input_closes_on",
        )
        Implementation.objects.get_or_create(decision=locked)
        previous = None
        if locked.supersedes is not None:
            previous = _lock(locked.supersedes)
            if previous.status in IN_FORCE:
                previous.status = Status.REVISED
                previous.closed_at = now
                _bump(previous, "status", "closed_at")
            else:
                previous = None
    _activity(locked, by, "decided", f"Decided: “{locked.title}”. {locked.outcome}")
    if previous is not None:
        _activity(
            previous,
            by,
            "revised",
            f"“{previous.title}” was revised by version {locked.revision}",
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def decision_review_start(*, decision: Decision, by: Any = None) -> Decision | None:
    """Decided → under review: by the owner, or by beat when the review date comes (then the
    owner is reminded). Returns None when it was no longer decided."""
    locked = _lock(decision)
    if locked.status != Status.DECIDED or (locked.recorded_by_platform and by is not None):
        return None
    with acting(by, via="schedule" if by is None else "person"):
        locked.status = Status.UNDER_REVIEW
        locked.review_started_at = timezone.now()
        _bump(locked, "status", "review_started_at")
    _activity(
        locked,
        by,
        "review",
        f"“{locked.title}” is due for review"
        if by is None
        else f"{_name(by)} started a review of “{locked.title}”",
    )
    if by is None and locked.owner is not None:
        _notify(
            locked.owner,
            kind="decision_review_due",
            text=f"“{locked.title}” in {locked.place.name} is due for review",
            decision=locked,
            by=None,
            key=f"decision-review:{locked.pk}:{locked.review_by}",
        )
    return locked


@transaction.atomic
def decision_review_conclude(
    *,
    decision: Decision,
    by: Any,
    note: str,
    review_by: date | None,
    expected_version: int | None = None,
) -> Decision:
    """Under review → decided again: it stands, with the reason and the next review date."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, (Status.UNDER_REVIEW,), "confirmed after review")
    _check_version(locked, expected_version)
    if not note.strip():
        raise GovernanceError("Say why the decision stands.", field="note")
    if review_by is not None and review_by <= _today():
        raise GovernanceError("The next review must be after today.", field="review_by")
    check_dates(review_by=review_by)
    with acting(by):
        locked.status = Status.DECIDED
        locked.review_by = review_by
        locked.reasoning = f"{locked.reasoning}\n\nReviewed on {_today():%-d %B %Y}: {note.strip()}"
        _bump(locked, "status", "review_by", "reasoning")
    _activity(locked, by, "reviewed", f"Reviewed: “{locked.title}” stands. {note.strip()}")
    return locked


@transaction.atomic
def decision_revise(*, decision: Decision, by: Any) -> Decision:
    """Start a new version of a decision in force: a draft copying its question, options,
    people and evidence. The old one stays in force, and readable, until the new one is
    decided."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, IN_FORCE, "revised")
    if locked.revisions.exclude(status=Status.RESCINDED).exists():
        raise GovernanceError("A revision of this decision is already under way.", status=409)
    with acting(by):
        revision = Decision.objects.create(
            place=locked.place,
            title=locked.title,
            question=locked.question,
            options=locked.options,
            method=locked.method,
            owner=by,
            body_name=locked.body_name,
            mandate=locked.mandate,
            place_view=locked.place_view,
            supersedes=locked,
            revision=locked.revision + 1,
            created_by=by,
        )
        people = [d.user for d in locked.deciders.select_related("user")]
        _set_deciders(revision, people, by)
        for link in locked.evidence.all():
            Evidence.objects.create(
                decision=revision,
                cycle_id=link.cycle_id,
                entry_id=link.entry_id,
                note=link.note,
                added_by=by,
            )
        _bump(locked)
    _activity(
        locked,
        by,
        "revision_started",
        f"{_name(by)} started a revision of “{locked.title}”",
    )
    _tell_named(revision, [p for p in people if p.pk != getattr(by, "pk", None)], by)
    return revision


@transaction.atomic
def decision_rescind(
    *, decision: Decision, by: Any, reason: str, expected_version: int | None = None
) -> Decision:
    """Withdraw a decision, with the reason; it stays readable."""
    locked = _lock(decision)
    _not_platform(locked)
    if locked.is_final:
        _require(locked, (), "rescinded again")
    _check_version(locked, expected_version)
    if not reason.strip():
        raise GovernanceError("Say why the decision is rescinded.", field="reason")
    was_draft = locked.status == Status.DRAFT
    with acting(by):
        locked.status = Status.RESCINDED
        locked.rescind_reason = reason.strip()
        locked.closed_at = timezone.now()
        _bump(locked, "status", "rescind_reason", "closed_at")
    if not was_draft:
        _activity(locked, by, "rescinded", f"Rescinded: “{locked.title}”. {locked.rescind_reason}")
    return locked


# --- Deciders ---------------------------------------------------------------------------------


@transaction.atomic
def decider_state(
    *, decision: Decision, by: Any, interest_ids: Iterable[int], no_interest: bool
) -> Decider:
    """A decider states which of their declared interests relate to the decision, or that
    none does."""
    locked = _lock(decision)
    _require(locked, PRE_DECISION, "given new statements of interest")
    row = Decider.objects.select_for_update().filter(decision=locked, user=by).first()
    if row is None:
        raise GovernanceError("Only the deciders state their interests here.", status=403)
    ids = sorted({int(i) for i in interest_ids})
    own = set(
        Interest.objects.current()
        .filter(place=locked.place, user=by, pk__in=ids)
        .values_list("pk", flat=True)
    )
    if set(ids) - own:
        raise GovernanceError(
            "Choose from your own declared interests in this place.", field="interests"
        )
    if no_interest and ids:
        raise GovernanceError(
            "Either choose the interests that relate, or say you have none — not both.",
            field="interests",
        )
    if not no_interest and not ids:
        raise GovernanceError(
            "Choose the interests that relate to this decision, or say you have none.",
            field="interests",
        )
    with acting(by):
        row.interest_ids = ids
        row.no_interest = no_interest
        row.stated_at = timezone.now()
        row.save(update_fields=["interest_ids", "no_interest", "stated_at"])
        _bump(locked)
    _activity(
        locked,
        by,
        "interests_stated",
        f"{_name(by)} stated "
        + (
            "no related interest"
            if no_interest
            else f"{len(ids)} related interest{'s' if len(ids) != 1 else ''}"
        )
        + f" on “{locked.title}”",
    )
    return row


@transaction.atomic
def dissent_record(*, decision: Decision, by: Any, text: str) -> Dissent:
    """A decider, or a member who objected, puts their disagreement on the record."""
    locked = _lock(decision)
    _not_platform(locked)
    _require(locked, (Status.OPEN, Status.DECIDING, Status.DECIDED), "given new dissent")
    if not text.strip():
        raise GovernanceError("Say what you disagree with.", field="text")
    as_decider = locked.deciders.filter(user=by).exists()
    objected = locked.inputs.filter(author=by, stance=Stance.OBJECTION).exists()
    if not (as_decider or objected):
        raise GovernanceError(
            "Dissent is recorded by deciders and by members who objected.", status=403
        )
    with acting(by):
        dissent, _ = Dissent.objects.update_or_create(
            decision=locked,
            author=by,
            defaults={"text": text.strip(), "as_decider": as_decider, "created_at": timezone.now()},
        )
    _activity(locked, by, "dissent", f"{_name(by)} recorded their dissent on “{locked.title}”")
    return dissent


# --- Input and response -----------------------------------------------------------------------


@transaction.atomic
def input_give(*, decision: Decision, by: Any, stance: str, text: str) -> Input:
    locked = _lock(decision)
    if locked.status != Status.OPEN:
        raise GovernanceError(
            "Input on this decision has closed."
            if locked.status != Status.DRAFT
            else "This decision is not open for input yet.",
            status=409,
        )
    membership = Membership.objects.filter(place=locked.place, user=by).first()
    if membership is None:
        raise GovernanceError("Only members of this place can give input.", status=403)
    if stance not in Stance.values:
        raise GovernanceError(
            "Choose whether you support it, have a concern, object or have a question.",
            field="stance",
        )
    if not text.strip():
        raise GovernanceError("Say what you want to say.", field="text")
    with acting(by):
        item = Input.objects.create(
            decision=locked,
            author=by,
            author_perspectives=list(membership.perspectives),
            stance=stance,
            text=text.strip(),
        )
    _activity(
        locked,
        by,
        "gave",
        f"{_name(by)} gave input ({Stance(stance).label.lower()}) on “{locked.title}”",
        kind="decision_input",
        target=item,
        url=item.get_absolute_url(),
    )
    if locked.owner is not None:
        _notify(
            locked.owner,
            kind="decision_input",
            text=f"{_name(by)} gave input on “{locked.title}”",
            decision=locked,
            by=by,
            url=item.get_absolute_url(),
        )
    return item


@transaction.atomic
def input_edit(*, item: Input, by: Any, stance: str, text: str) -> Input:
    locked = _lock(item.decision)
    row = Input.objects.select_for_update().get(pk=item.pk)
    if row.author_id != getattr(by, "pk", None):
        raise GovernanceError("Only its author can change an input.", status=403)
    if locked.status != Status.OPEN:
        raise GovernanceError("Input on this decision has closed.", status=409)
    if Response.objects.filter(input=row).exists():
        raise GovernanceError(
            "This input already has a response, so it stays as it was answered.", status=409
        )
    if not text.strip():
        raise GovernanceError("Say what you want to say.", field="text")
    with acting(by):
        row.stance = stance
        row.text = text.strip()
        row.edited_at = timezone.now()
        row.save(update_fields=["stance", "text", "edited_at"])
    return row


@transaction.atomic
def response_give(*, item: Input, by: Any, disposition: str, text: str) -> Response:
    """The owner or a decider answers an input (or changes their answer, before the decision
    is taken); the person who gave it is told."""
    locked = _lock(item.decision)
    if locked.status not in (Status.OPEN, Status.DECIDING):
        raise GovernanceError("Responses are given before the decision is taken.", status=409)
    is_owner = locked.owner_id == getattr(by, "pk", None)
    if not (is_owner or locked.deciders.filter(user=by).exists()):
        raise GovernanceError("Only the owner or a decider can respond.", status=403)
    if disposition not in Disposition.values:
        raise GovernanceError("Choose what happened to this input.", field="disposition")
    if not text.strip():
        message = (
            "Give the reason it was not adopted."
            if disposition == Disposition.NOT_ADOPTED
            else "Write the response."
        )
        raise GovernanceError(message, field="text")
    with acting(by):
        existing = Response.objects.select_for_update().filter(input_id=item.pk).first()
        new = existing is None
        if existing is None:
            response = Response.objects.create(
                input_id=item.pk, author=by, disposition=disposition, text=text.strip()
            )
        else:
            response = existing
            response.author = by
            response.disposition = disposition
            response.text = text.strip()
            response.edited_at = timezone.now()
            response.save(update_fields=["author", "disposition", "text", "edited_at"])
    label = Disposition(disposition).label.lower()
    _activity(
        locked,
        by,
        "responded",
        f"{_name(by)} responded to input on “{locked.title}”: {label}",
        kind="decision_input",
        target=item,
        url=item.get_absolute_url(),
    )
    if item.author_id:
        _notify(
            item.author,
            kind="decision_response",
            text=(
                f"Your input on “{locked.title}” has a response: {label}"
                if new
                else f"The response to your input on “{locked.title}” changed: {label}"
            ),
            decision=locked,
            by=by,
            url=item.get_absolute_url(),
            key=f"decision-response:{item.pk}" if new else None,
        )
    return response


def input_summary(inputs: Iterable[Input]) -> str:
    """ "14 inputs: 6 adopted, 3 adapted, 4 not adopted, 1 answered" (from loaded inputs)."""
    rows = list(inputs)
    counts = dict.fromkeys(Disposition.values, 0)
    waiting = 0
    for item in rows:
        try:
            response = item.response
        except ObjectDoesNotExist:
            response = None
        if response is None:
            waiting += 1
        else:
            counts[response.disposition] += 1
    total = len(rows)
    if not total:
        return "No input yet."
    parts = [f"{n} {Disposition(d).label.lower()}" for d, n in counts.items() if n]
    if waiting:
        parts.append(f"{waiting} waiting for a response")
    return f"{total} input{'s' if total != 1 else ''}: " + ", ".join(parts)


# --- Following it through ---------------------------------------------------------------------


def _implementation(decision: Decision) -> Implementation:
    implementation, _ = Implementation.objects.select_for_update().get_or_create(decision=decision)
    return implementation


@transaction.atomic
def implementation_set_responsible(
    *, decision: Decision, by: Any, responsible: Any
) -> Implementation:
    locked = _lock(decision)
    _require(locked, IN_FORCE, "followed through")
    if (
        responsible is not None
        and not Membership.objects.filter(place=locked.place, user=responsible).exists()
    ):
        raise GovernanceError(
            "The person responsible must be a member of this place.", field="responsible"
        )
    implementation = _implementation(locked)
    implementation.responsible = responsible
    implementation.updated_at = timezone.now()
    implementation.save(update_fields=["responsible", "updated_at"])
    _activity(
        locked,
        by,
        "responsible",
        f"{_name(responsible)} is responsible for carrying out “{locked.title}”"
        if responsible is not None
        else f"Nobody is named responsible for “{locked.title}” now",
        kind="implementation",
        url=implementation.get_absolute_url(),
    )
    return implementation


@transaction.atomic
def progress_post(
    *, decision: Decision, by: Any, status: str, progress: int, text: str
) -> ProgressUpdate:
    """A dated progress update: sets the record's status and percentage and writes to the
    timeline."""
    locked = _lock(decision)
    _require(locked, IN_FORCE, "followed through")
    if status not in ImplementationStatus.values:
        raise GovernanceError("Choose a status.", field="status")
    if not 0 <= progress <= 100:
        raise GovernanceError("Progress is a percentage from 0 to 100.", field="progress")
    if status == ImplementationStatus.DONE and progress != 100:
        raise GovernanceError("Something done is 100% done.", field="progress")
    if not text.strip():
        raise GovernanceError("Say what has happened.", field="text")
    implementation = _implementation(locked)
    implementation.status = status
    implementation.progress = progress
    implementation.updated_at = timezone.now()
    implementation.save(update_fields=["status", "progress", "updated_at"])
    update = ProgressUpdate.objects.create(
        implementation=implementation,
        author=by,
        text=text.strip(),
        status=status,
        progress=progress,
    )
    _activity(
        locked,
        by,
        "progress",
        f"Progress on “{locked.title}”: {ImplementationStatus(status).label.lower()}, "
        f"{progress}%. {update.text}",
        kind="implementation",
        url=implementation.get_absolute_url(),
    )
    return update


@transaction.atomic
def milestone_add(*, decision: Decision, by: Any, title: str, due_on: date) -> Milestone:
    locked = _lock(decision)
    _require(locked, IN_FORCE, "followed through")
    if not title.strip():
        raise GovernanceError("Name the milestone.", field="title")
    if locked.decided_on and due_on < locked.decided_on:
        raise GovernanceError(
            "A milestone cannot be due before the decision was taken.", field="due_on"
        )
    if due_on > _today() + FURTHEST_AHEAD:
        raise GovernanceError("That date is too far ahead: check the year.", field="due_on")
    implementation = _implementation(locked)
    return Milestone.objects.create(
        implementation=implementation, title=title.strip(), due_on=due_on
    )


@transaction.atomic
def milestone_done(*, milestone: Milestone, by: Any, done_on: date | None = None) -> Milestone:
    decision = milestone.implementation.decision
    locked = _lock(decision)
    _require(locked, IN_FORCE, "followed through")
    done_on = done_on or _today()
    if done_on > _today():
        raise GovernanceError("A milestone cannot be done on a day still to come.", field="done_on")
    row = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if row.done_on is not None:
        return row
    row.done_on = done_on
    row.save(update_fields=["done_on"])
    _activity(
        locked,
        by,
        "milestone",
        f"Milestone reached for “{locked.title}”: {row.title}",
        kind="implementation",
        url=row.implementation.get_absolute_url(),
    )
    return row


# --- Participatory allocation: decisions the platform records -------------------------------------


@transaction.atomic
def decision_record_allocation(
    *,
    place: Place,
    title: str,
    question: str,
    outcome: str,
    reasoning: str,
    method_result: str,
    deciders: Iterable[Any],
    decided_on: date | None = None,
    options: Sequence[dict[str, Any]] | None = None,
    body_name: str = "",
    mandate: str = "",
    cycles: Iterable[Any] = (),
    review_by: date | None = None,
) -> Decision:
    """Record the result of a fund round as a decided decision by participatory allocation.

    Used by the fund when a round closes: no owner (nobody can edit it), no input round, and
    its deciders are the members who allocated — listed, not asked to act (their interests were
    checked when they placed points). ``options`` would usually be the ideas with their points;
    ``outcome`` the awards; ``method_result`` a one-line result ("12 ideas, 20 members
    allocated 2,000 points; 5 funded"). ``cycles`` are learning cycles to link as evidence.
    The decision gets an implementation record like any other.
    """
    decided_on = decided_on or _today()
    if not outcome.strip() or not reasoning.strip():
        raise GovernanceError("A recorded allocation needs its outcome and reasoning.")
    people = _check_deciders(place, deciders)
    now = timezone.now()
    with acting(None, via="fund"):
        decision = Decision.objects.create(
            place=place,
            title=title,
            question=question,
            options=clean_options(options),
            method=Method.ALLOCATION,
            owner=None,
            recorded_by_platform=True,
            body_name=body_name,
            mandate=mandate,
            status=Status.DECIDED,
            outcome=outcome.strip(),
            reasoning=reasoning.strip(),
            method_result=method_result.strip(),
            decided_on=decided_on,
            review_by=review_by,
            opened_at=now,
            decided_at=now,
        )
        for person in people:
            Decider.objects.create(decision=decision, user=person, listed_only=True)
        for cycle in cycles:
            Evidence.objects.create(decision=decision, cycle=cycle)
        Implementation.objects.create(decision=decision)
    _activity(
        decision, None, "decided", f"Decided by participatory allocation: “{title}”. {outcome}"
    )
    return decision


# --- Date-driven moves (beat) -------------------------------------------------------------------


def decisions_due_to_move(today: date | None = None) -> tuple[list[int], list[int]]:
    """Ids of open decisions whose input closed before today, and of decided decisions whose
    review date has come."""
    today = today or _today()
    closing = list(
        Decision.objects.filter(status=Status.OPEN, input_closes_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reviewing = list(
        Decision.objects.filter(status=Status.DECIDED, review_by__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return closing, reviewing


def decisions_move_by_date(today: date | None = None) -> dict[str, int]:
    """Close input and start reviews that are due. Each move is its own transaction and checks
    the state again under a row lock, so a second run (or a second worker) does nothing."""
    closing, reviewing = decisions_due_to_move(today)
    moved = {"input_closed": 0, "review_due": 0}
    for pk in closing:
        decision = Decision.objects.filter(pk=pk).first()
        if decision is not None and decision_close_input(decision=decision, by=None):
            moved["input_closed"] += 1
    for pk in reviewing:
        decision = Decision.objects.filter(pk=pk).first()
        if decision is not None and decision_review_start(decision=decision, by=None):
            moved["review_due"] += 1
    return moved


# --- Secret feed addresses ----------------------------------------------------------------------


def feed_token_for(*, place: Place, user: Any) -> FeedToken | None:
    return FeedToken.objects.active().filter(place=place, user=user).first()


@transaction.atomic
def feed_token_renew(*, place: Place, user: Any) -> FeedToken:
    """Revoke any active address and make a new one (also how the first one is made)."""
    FeedToken.objects.active().filter(place=place, user=user).update(revoked_at=timezone.now())
    return FeedToken.objects.create(place=place, user=user)


@transaction.atomic
def feed_token_revoke(*, place: Place, user: Any) -> int:
    return (
        FeedToken.objects.active().filter(place=place, user=user).update(revoked_at=timezone.now())
    )


def feed_token_resolve(*, slug: str, token: str) -> Place | None:
    """The place a secret address belongs to, or None if unknown, revoked, for another place,
    or its member has left."""
    row = (
        FeedToken.objects.active()
        .select_related("place")
        .filter(token=token, place__slug=slug)
        .first()
    )
    if row is None:
        return None
    if not Membership.objects.filter(place=row.place, user_id=row.user_id).exists():
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        FeedToken.objects.filter(pk=row.pk).update(last_used_at=now)
    forget_membership(row.place)
    return row.place
