"""What every part of the read-only JSON API shares: paging, error shapes, typed path values.

The API itself is assembled in ``relational/api.py`` from the routers each app defines in its
own ``api.py``; those modules import the pieces here (this module imports no app).

Conventions, so that every endpoint reads the same way:

* lists are paged with ``?limit=`` (1–100, default 20) and ``?offset=``, and answer
  ``{"items": [...], "count": <how many in all>}``;
* something that does not exist, or that the reader may not see, is a 404 with
  ``{"detail": "Not found"}`` — the same answer either way, so nothing private leaks;
* a bad path or query value is a 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
  naming the value and what was wrong with it;
* times are ISO 8601 in UTC, dates ``YYYY-MM-DD``; places are named by their slug, everything
  else by its numeric id.
"""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# runtime to build its request and response models.

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict

#: The largest page a client may ask for, and the page size when it does not say.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
#: Offsets beyond this are refused (PostgreSQL's OFFSET is a 64-bit number; nobody pages this far).
MAX_OFFSET = 2**31 - 1
#: Ids are PostgreSQL bigints: anything outside 1 … 2⁶³−1 cannot name a row, so it is refused as
#: a bad value (422) instead of reaching the database.
MAX_ID = 2**63 - 1

NOT_FOUND_DETAIL = "Not found"
#: What every answer of the API says it is (Ninja's own, for a kept answer to say the same).
JSON_CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


class PageQuery(Schema):
    """Which page of a list to return."""

    limit: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"How many items to return, 1 to {MAX_PAGE_SIZE}.",
    )
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description="How many items to skip from the start."
    )


def _describe_items(schema: dict[str, Any]) -> None:
    items = schema.get("properties", {}).get("items")
    if isinstance(items, dict):
        items.setdefault("description", "This page of items.")


class KeepingRenderer(JSONRenderer):
    """Ninja's JSON, handed also to ``request.keep_json`` when an operation set it (to keep a
    successful answer in a cache: ``governance.api.kept_list``)."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        body = super().render(request, data, response_status=response_status)
        keep = getattr(request, "keep_json", None)
        if keep is not None and response_status == 200:
            keep(body)
        return body


class Pages(LimitOffsetPagination):
    """Limit/offset paging with a hard ceiling of :data:`MAX_PAGE_SIZE` items a page."""

    Input = PageQuery  # type: ignore[assignment]

    class Output(Schema):
        # Ninja makes a "Paged<Item>" subclass per list, re-declaring ``items`` without its
        # description; put it back in the schema.
        model_config = ConfigDict(json_schema_extra=_describe_items)

        items: list[Any] = Field(description="This page of items.")
        count: int = Field(description="How many items there are in all, across every page.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


class NotFound(Schema):
    """The thing does not exist, or the reader may not see it (the two are not told apart)."""

    detail: str = Field(description='Always "Not found".', examples=[NOT_FOUND_DETAIL])


class Problem(Schema):
    """One thing wrong with the request."""

    loc: list[str | int] = Field(
        description='Where the bad value was, for example ["query", "limit"].'
    )
    msg: str = Field(description="What was wrong with it, in words.")
    type: str = Field(description="A short code for the kind of problem.")
    ctx: dict[str, Any] | None = Field(
        None, description='The limit that was broken, when there is one, e.g. {"le": 100}.'
    )


class InvalidRequest(Schema):
    """A path or query value the API cannot use (a number too large, an unknown choice…)."""

    detail: list[Problem] = Field(description="Each problem found.")


#: Error responses for operations that take a path value (a slug or an id).
ERRORS: dict[int, Any] = {404: NotFound, 422: InvalidRequest}
#: Error responses for operations with query values only.
QUERY_ERRORS: dict[int, Any] = {422: InvalidRequest}


#: A place's slug in a path: letters, digits, hyphens and underscores, as Django's slugs are.
SlugPath = Annotated[
    str,
    Path(
        description="The place's slug, as in its web address /places/<slug>/.",
        pattern=r"^[-a-zA-Z0-9_]+$",
        max_length=80,
    ),
]


def absolute(path: str) -> str:
    """A full web address for ``path``: the site's configured address (as in emails)."""
    return f"{settings.SITE_URL}{path}"


def hidden_note(obj: Any) -> dict[str, Any] | None:
    """For content a steward hid (``places.models.Hideable``): when and why, else ``None``."""
    if getattr(obj, "hidden_at", None) is None:
        return None
    return {"hidden_at": obj.hidden_at, "reason": obj.hidden_reason}


class Hidden(Schema):
    """Set when a steward has hidden this contribution; its words are then withheld (null)."""

    hidden_at: datetime = Field(description="When it was hidden (ISO 8601).")
    reason: str = Field(description="The steward's reason, shown in its place.")


def display_name(user: Any) -> str | None:
    """What others see of a person: their display name (never an email); ``None`` for a former
    member (an erased account, or a deleted one)."""
    if user is None:
        return None
    return user.display_name or None
