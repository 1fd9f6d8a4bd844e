"""The read-only JSON API at /api/v1/, with its OpenAPI 3 schema at /api/v1/openapi.json.

This module only assembles: each app defines its router in its own ``api.py`` (what it shows,
to whom, in which shape); the shared paging and error shapes are in ``relational/apitools.py``.
Every operation is a GET; any other method on an API address answers 405.

Who sees what is exactly what the web pages show the same person: a signed-in browser session
is honoured (so members see their members-only places), and everyone else sees public places
only. There is no API key and nothing to write, so no CSRF token is involved.
"""

# No `from __future__ import annotations` here: django-ninja reads these annotations at
# runtime to build its request and response models.

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI

from governance.api import router as governance_router
from learning.api import router as learning_router
from places.api import router as places_router
from relational.apitools import NOT_FOUND_DETAIL, KeepingRenderer

DESCRIPTION = """\
Read-only access to what Relational's places share: their missions and who is in the room,
their gatherings, their learning (cycles, entries, measures and readings) and their decisions.

**Who sees what.** Exactly what the web pages show the same reader. Without a session you see
public places and what is public in them. With a signed-in browser session you also see the
members-only places you belong to, and the entries shared with their members or with a cycle's
participants when you are one. A members-only place, and anything in it, answers 404 to everyone
else, the same 404 as something that does not exist.

**People** appear by display name only, and email addresses and contact details never appear.

**Lists** are paged with `limit` (1 to 100, default 20) and `offset`, and answer
`{"items": [...], "count": n}`, where `count` is the number of items across all pages.

**Errors.** 404 `{"detail": "Not found"}` for something that does not exist or that you may not
see; 422 `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` for a value the API cannot
use; 405 for any method but GET.

**Formats.** Times are ISO 8601 in UTC, dates are `YYYY-MM-DD`. Places are named by their slug,
everything else by its numeric id. Text written by people is given as written (Markdown where
the web page renders Markdown); when a steward has hidden a contribution, its words are null and
`hidden` says when and why.
"""

api = NinjaAPI(
    title="Relational API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Ninja's docs page needs Swagger UI's scripts, which the CSP (no CDN) does not allow.
    docs_url=None,
    # The schema view is a plain Django view: like the operations, it answers GET only.
    docs_decorator=require_GET,
    renderer=KeepingRenderer(),
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """The same answer for "does not exist" and "you may not see it", in DEBUG too."""
    return api.create_response(request, {"detail": NOT_FOUND_DETAIL}, status=404)


# Everything hangs off a place: /places/{slug}/gatherings, /cycles, /measures, /decisions.
api.add_router("/places", places_router)
api.add_router("/places", learning_router)
api.add_router("/places", governance_router)
