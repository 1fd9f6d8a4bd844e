"""The governance part of the read-only JSON API: a place's decisions and the input they got.

Mounted under ``/api/v1/places`` by ``relational/api.py``. Reading follows the decision log
and the decision pages and uses their functions: the log's query
(``governance.reads.log_queryset``, which applies ``Decision.objects.visible_to``: published
decisions, plus the drafts a steward, the owner or a named decider may see), and
``governance.access.get_decision_for_user`` for one decision (a draft someone may not see, a
members-only place's decision, another place's id: all 404). Evidence is filtered by
``governance.reads.evidence_views``, so a log entry appears only to readers who may see it.
"""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# runtime to build its request and response models.

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Annotated, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from places.access import get_place_for_user
from places.models import InterestKind, Place
from places.parts import keep_part, peek_part
from relational.apitools import (
    ERRORS,
    JSON_CONTENT_TYPE,
    MAX_ID,
    Hidden,
    Pages,
    SlugPath,
    absolute,
    display_name,
    hidden_note,
)

from .access import get_decision_for_user
from .models import (
    Decider,
    Decision,
    Disposition,
    ImplementationStatus,
    Input,
    Method,
    Stance,
    Status,
)
from .reads import (
    LogFilters,
    decider_views,
    dissents,
    evidence_views,
    input_count,
    log_queryset,
    log_reader,
)

router = Router(tags=["Governance"])

DecisionId = Annotated[int, Path(description="The decision's id.", ge=1, le=MAX_ID)]
#: Free text in a query: no NUL characters (PostgreSQL refuses them), at most 200 characters.
SEARCH_PATTERN = r"^[^\x00]*$"


# --- Shapes ---------------------------------------------------------------------------------------


class OptionOut(Schema):
    """An option the decision considered."""

    title: str = Field(description="The option.")
    description: str = Field(description="More about it (may be empty).")
    pros: str = Field(description="What is for it (may be empty).")
    cons: str = Field(description="What is against it (may be empty).")


class InputCountsOut(Schema):
    """What happened to the input a decision got ("you said, we did")."""

    total: int = Field(description="How many inputs were given.")
    adopted: int = Field(description="Inputs adopted.")
    adapted: int = Field(description="Inputs adopted in an adapted form.")
    not_adopted: int = Field(
        description="Inputs not adopted (each with the reason, in its response)."
    )
    answered: int = Field(description="Questions answered.")
    waiting: int = Field(description="Inputs still waiting for a response.")


class DecisionOut(Schema):
    """A decision of the place, with who decided, how, and why."""

    id: int = Field(description="The decision's id.")
    title: str = Field(description="The decision's title.")
    status: Status = Field(
        description="draft → open (for input) → deciding → decided → review → revised, or "
        "rescinded. Drafts appear only to the place's stewards, the owner and named deciders."
    )
    method: Method = Field(description="How it is decided.")
    question: str = Field(description="The question or problem, as written (Markdown).")
    options: list[OptionOut] = Field(description="The options considered, each with pros and cons.")
    owner: str | None = Field(
        description="The display name of the member who owns it; null when the platform "
        "recorded it (a fund round's result) or for a former member."
    )
    deciders: list[str] = Field(description="The display names of the members named to decide.")
    body_name: str = Field(description="A named body whose decision was recorded (may be empty).")
    mandate: str = Field(description="The authority that lets the deciders decide.")
    place_view: str = Field(description="The view from the place.")
    centre_view: str = Field(description="The view from the centre (empty: not given).")
    input_closes_on: date | None = Field(description="The last day for input.")
    decided_on: date | None = Field(description="The day it was decided.")
    review_by: date | None = Field(description="When it is due for review.")
    method_result: str = Field(description='The method\'s result, e.g. "carried 7–3".')
    outcome: str = Field(description="What was decided.")
    reasoning: str = Field(description="Why.")
    rescind_reason: str = Field(description="Why it was rescinded (empty unless rescinded).")
    supersedes_id: int | None = Field(description="The decision this one revises.")
    revision: int = Field(description="1 for an original decision, 2 for its first revision…")
    recorded_by_platform: bool = Field(
        description="Recorded by the platform itself (the result of a fund round)."
    )
    inputs: InputCountsOut = Field(description="The input it got and what happened to it.")
    created_at: datetime = Field(description="When it was drafted.")
    opened_at: datetime | None = Field(description="When it opened for input.")
    decided_at: datetime | None = Field(description="When it was marked decided.")
    closed_at: datetime | None = Field(description="When it was revised or rescinded.")
    updated_at: datetime = Field(description="When it last changed.")
    inputs_url: str = Field(description="This API's list of its inputs and their responses.")
    url: str = Field(description="The decision's web page.")

    @staticmethod
    def resolve_options(obj: Decision) -> list[dict[str, str]]:
        return obj.option_list()

    @staticmethod
    def resolve_owner(obj: Decision) -> str | None:
        return display_name(obj.owner)

    @staticmethod
    def resolve_deciders(obj: Decision) -> list[str]:
        return [name for decider in obj.deciders.all() if (name := display_name(decider.user))]

    @staticmethod
    def resolve_inputs(obj: Decision) -> dict[str, int]:
        return {
            "total": obj.inputs_total,  # type: ignore[attr-defined]
            **{d: getattr(obj, f"inputs_{d}") for d in Disposition.values},
            "waiting": obj.inputs_waiting,  # type: ignore[attr-defined]
        }

    @staticmethod
    def resolve_inputs_url(obj: Decision) -> str:
        return absolute(
            reverse(
                "api:place_decision_inputs",
                kwargs={"slug": obj.place.slug, "decision_id": obj.pk},
            )
        )

    @staticmethod
    def resolve_url(obj: Decision) -> str:
        return absolute(obj.get_absolute_url())


class StatedInterestOut(Schema):
    """A declared interest a decider said relates to this decision."""

    kind: InterestKind = Field(description="The kind of interest.")
    description: str = Field(description="The interest, as declared.")
    since: date | None = Field(description="When it began, if given.")


class DeciderOut(Schema):
    """A member named to decide, and what they stated about their interests."""

    name: str | None = Field(description="Their display name; null for a former member.")
    listed_only: bool = Field(
        description="Listed but not asked to act (the members who allocated a fund round)."
    )
    stated_at: datetime | None = Field(description="When they stated their interests.")
    no_interest: bool = Field(description="They stated that they have no related interest.")
    stated_interests: list[StatedInterestOut] = Field(
        description="The declared interests they said relate to this decision."
    )


class EvidenceOut(Schema):
    """A learning cycle or log entry that informed the decision (only those the reader may
    see are listed)."""

    kind: str = Field(description='"learning cycle" or "log entry".')
    title: str = Field(description="What it is.")
    place: str = Field(description="The other place's name, or empty when it is this place's.")
    note: str = Field(description="What it showed, in a sentence (may be empty).")
    hidden: bool = Field(description="A log entry that a steward has hidden.")
    url: str = Field(description="Its web page.")


class DissentOut(Schema):
    """Disagreement that stays on the record, in the person's words."""

    author: str | None = Field(description="Their display name; null for a former member.")
    as_decider: bool = Field(description="They were one of the deciders.")
    text: str = Field(description="What they said.")
    created_at: datetime = Field(description="When it was recorded.")

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return display_name(obj.author)


class ImplementationOut(Schema):
    """Whether what was decided is happening."""

    status: ImplementationStatus = Field(description="Where it stands.")
    progress: int = Field(description="Progress as a percentage, 0 to 100.")
    responsible: str | None = Field(description="The display name of who is responsible.")
    updated_at: datetime = Field(description="When it last changed.")

    @staticmethod
    def resolve_responsible(obj: Any) -> str | None:
        return display_name(obj.responsible)


class DecisionDetailOut(DecisionOut):
    """One decision with its deciders' statements, evidence, dissent and implementation."""

    decider_statements: list[DeciderOut] = Field(description="Each decider and their statement.")
    centre_view_by: str | None = Field(description="Who wrote the view from the centre.")
    evidence: list[EvidenceOut] = Field(description="What informed it.")
    dissents: list[DissentOut] = Field(description="Dissent on the record.")
    implementation: ImplementationOut | None = Field(
        description="The implementation record, once decided."
    )

    @staticmethod
    def resolve_decider_statements(obj: Decision) -> list[dict[str, Any]]:
        return obj.decider_statements  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_centre_view_by(obj: Decision) -> str | None:
        return display_name(obj.centre_view_by)

    @staticmethod
    def resolve_evidence(obj: Decision) -> list[dict[str, Any]]:
        return obj.evidence_list  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_dissents(obj: Decision) -> list[Any]:
        return obj.dissent_list  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_implementation(obj: Decision) -> Any:
        if obj.decided_at is None:
            return None
        try:
            return obj.implementation
        except ObjectDoesNotExist:
            return None


class ResponseOut(Schema):
    """The reply an input got."""

    disposition: Disposition = Field(description="adopted, adapted, not_adopted or answered.")
    text: str = Field(description="The reply (for not adopted: the reason).")
    author: str | None = Field(description="Who replied; null for a former member.")
    created_at: datetime = Field(description="When it was given.")
    edited_at: datetime | None = Field(description="When it was last edited.")


class InputOut(Schema):
    """What a member said about the decision while it was open, beside the reply it got. When a
    steward has hidden an input, ``hidden`` says when and why and its text is null."""

    id: int = Field(description="The input's id.")
    stance: Stance = Field(description="support, concern, objection or question.")
    text: str | None = Field(description="What they said; null while hidden.")
    author: str | None = Field(description="Their display name; null for a former member.")
    author_perspectives: list[str] = Field(
        description="The perspectives they spoke from when they gave it."
    )
    created_at: datetime = Field(description="When it was given.")
    edited_at: datetime | None = Field(description="When it was last edited.")
    response: ResponseOut | None = Field(description="The reply; null while it waits for one.")
    hidden: Hidden | None = Field(description="Set when a steward has hidden it.")

    @staticmethod
    def resolve_text(obj: Input) -> str | None:
        return None if obj.is_hidden else obj.text

    @staticmethod
    def resolve_author(obj: Input) -> str | None:
        return display_name(obj.author)

    @staticmethod
    def resolve_response(obj: Input) -> dict[str, Any] | None:
        try:
            response = obj.response
        except ObjectDoesNotExist:
            return None
        return {
            "disposition": response.disposition,
            "text": response.text,
            "author": display_name(response.author),
            "created_at": response.created_at,
            "edited_at": response.edited_at,
        }

    @staticmethod
    def resolve_hidden(obj: Input) -> dict[str, Any] | None:
        return hidden_note(obj)


# --- Reads ----------------------------------------------------------------------------------------


def _with_counts(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Input counts by disposition, and the deciders' names, at a fixed number of queries."""
    counts = {f"inputs_{d}": input_count(response__disposition=d) for d in Disposition.values}
    return (
        decisions.select_related("owner", "place")
        .prefetch_related(
            Prefetch(
                "deciders",
                queryset=Decider.objects.select_related("user").order_by("added_at", "id"),
            )
        )
        .annotate(
            **counts,
            inputs_total=input_count(),
            inputs_waiting=input_count(response__isnull=True),
        )
    )


def _log(user: Any, place: Place, filters: LogFilters) -> QuerySet[Decision]:
    return _with_counts(log_queryset(user, place, filters))


def kept_list(view: Callable[..., Any]) -> Callable[..., Any]:
    """Keep a place's list answer (its JSON) with the place's parts (``places.parts``): every
    reader who sees the same decisions (``log_reader``) and asks the same address (filters and
    page) then gets the kept answer until the place changes. The view finds the place, with its
    page version, in ``request.api_place``."""

    @wraps(view)
    def wrapper(request: HttpRequest, **kwargs: Any) -> Any:
        place, _ = get_place_for_user(request.user, kwargs["slug"])
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        name = f"api-{view.__name__}:{log_reader(request.user, place)}:{address}"
        kept = peek_part(place, name)
        if kept is not None:
            return HttpResponse(kept[0], content_type=JSON_CONTENT_TYPE)
        request.api_place = place  # type: ignore[attr-defined]
        request.keep_json = lambda body: keep_part(place, name, body)  # type: ignore[attr-defined]
        return view(request, **kwargs)

    return wrapper


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "/{slug}/decisions",
    response={200: list[DecisionOut], **ERRORS},
    url_name="place_decisions",
    summary="A place's decision log",
    description="The decisions of the place the reader may see, most recent first (by the day "
    "decided, else opened, else drafted), as in its decision log. Filter with ?status=, "
    "?method=, ?q= (full-text search) and ?date_from= / ?date_to= (YYYY-MM-DD).",
)
@kept_list
@paginate(Pages)
def list_decisions(
    request: HttpRequest,
    slug: SlugPath,
    status: Annotated[Status | None, Query(description="Only decisions in this status.")] = None,
    method: Annotated[
        Method | None, Query(description="Only decisions taken by this method.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=SEARCH_PATTERN, description="Words to search for."),
    ] = None,
    date_from: Annotated[
        date | None, Query(description="Only decisions on or after this day.")
    ] = None,
    date_to: Annotated[
        date | None, Query(description="Only decisions on or before this day.")
    ] = None,
) -> Any:
    place = request.api_place  # type: ignore[attr-defined]
    filters = LogFilters(
        q=(q or "").strip(),
        status=status or "",
        method=method or "",
        date_from=date_from,
        date_to=date_to,
    )
    return _log(request.user, place, filters)


@router.get(
    "/{slug}/decisions/{decision_id}",
    response={200: DecisionDetailOut, **ERRORS},
    url_name="place_decision",
    summary="One decision",
    description="A decision with its deciders' statements of interest, the evidence the reader "
    "may see, dissent and its implementation record. A draft the reader may not see is a 404.",
)
def get_decision(request: HttpRequest, slug: SlugPath, decision_id: DecisionId) -> Any:
    place, _, found = get_decision_for_user(request.user, slug, decision_id)
    decision = _with_counts(Decision.objects.filter(pk=found.pk)).select_related(
        "centre_view_by", "implementation__responsible"
    )[0]
    decision.place = place
    decision.decider_statements = [  # type: ignore[attr-defined]
        {
            "name": display_name(view.decider.user),
            "listed_only": view.decider.listed_only,
            "stated_at": view.decider.stated_at,
            "no_interest": view.decider.no_interest,
            "stated_interests": view.stated,
        }
        for view in decider_views(decision)
    ]
    decision.evidence_list = [  # type: ignore[attr-defined]
        {
            "kind": view.kind,
            "title": view.title,
            "place": view.where,
            "note": view.evidence.note,
            "hidden": view.hidden,
            "url": absolute(view.url),
        }
        for view in evidence_views(request.user, decision)
    ]
    decision.dissent_list = dissents(decision)  # type: ignore[attr-defined]
    return DecisionDetailOut.model_validate(decision)


@router.get(
    "/{slug}/decisions/{decision_id}/inputs",
    response={200: list[InputOut], **ERRORS},
    url_name="place_decision_inputs",
    summary="A decision's inputs",
    description="Every input the decision got, oldest first, each beside its response.",
)
@paginate(Pages)
def list_inputs(request: HttpRequest, slug: SlugPath, decision_id: DecisionId) -> Any:
    _place, _, decision = get_decision_for_user(request.user, slug, decision_id)
    return (
        Input.objects.filter(decision=decision)
        .select_related("author", "response__author")
        .order_by("created_at", "id")
    )
