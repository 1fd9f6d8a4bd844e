"""The place home: who the place is, what it is for, its registered panels and its timeline.

The timeline's filter and pages are htmx swaps of the ``timeline`` partial of the same
template; without JavaScript the same links and form reload the whole page.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from places.access import get_place_for_user
from places.models import Flag, Perspective
from places.parts import fetch_parts
from places.permissions import can_moderate
from places.registry import registry
from places.services import asks_for_two_factor, whole_system
from places.timeline import TimelineFilters, kind_choices, timeline_audience, timeline_page
from relational.http import HtmxHttpRequest

TIMELINE_TARGET = "timeline"


def timeline_context(request: HtmxHttpRequest, place: object) -> dict[str, object]:
    kinds = kind_choices(place)  # type: ignore[arg-type]
    filters = TimelineFilters.from_query(request.GET, kinds=kinds)
    page_number = request.GET.get("page") or 1
    query = request.GET.copy()
    query.pop("page", None)
    return {
        # Read only if the timeline is rendered: not when it is kept (place_fragment).
        "timeline": SimpleLazyObject(
            lambda: timeline_page(
                request.user,
                place,  # type: ignore[arg-type]
                filters=filters,
                page_number=page_number,
            )
        ),
        "page_number": str(page_number),
        "audience": timeline_audience(request.user, place, filters),  # type: ignore[arg-type]
        "filters": filters,
        "kind_choices": kinds,
        "perspective_choices": Perspective.choices,
        "filter_query": query.urlencode(),
    }


@require_GET
def home(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place, membership = get_place_for_user(request.user, slug)
    # The kept parts the page reads before its kept pieces, in one read of the cache: the
    # timeline's filter choices, and what the panels' readers are told by.
    fetch_parts(place, ["timeline-facets", *registry.reader_parts()])
    context = {"place": place, "membership": membership, **timeline_context(request, place)}
    # An htmx swap of the timeline (filter or page) gets just the list; a history restore gets
    # the whole page.
    if (
        request.htmx
        and request.htmx.target == TIMELINE_TARGET
        and not request.htmx.history_restore_request
    ):
        response = render(request, "places/home.html#timeline", context)
    else:
        context.update(
            # Read only if the pieces showing them are not kept (place_fragment).
            missions=SimpleLazyObject(lambda: list(place.missions.all())),
            whole_system=SimpleLazyObject(lambda: whole_system(place)),
            panels=registry.render_panels(request, place),
            asks_for_two_factor=asks_for_two_factor(request.user, place, membership),
            open_flags=(
                Flag.objects.open().for_place(place).count()
                if can_moderate(request.user, place)
                else 0
            ),
        )
        response = render(request, "places/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
