"""The two reference pages the page benchmark (``bench/pages.py``) compares every page with.

Both are served by the product itself, through its whole middleware stack, so a page's ratio to
them is what the page adds on top of the stack's own cost:

* ``/_bench/text``: a short text, no template, no query of its own;
* ``/_bench/table``: the 50 newest public activity rows of public places, six columns, from one
  ORM query, through a plain template that extends nothing and includes nothing per row.

They are always on: they read only what any visitor may see (public items of public places,
and no item's words, only who did what and when), and change nothing. ``never_cache`` keeps
them out of any page cache, so they always measure the stack and the view.

``QueryCountMiddleware`` is on only with ``BENCH_COUNT_QUERIES=true`` (the benchmark's server
sets it): it is then outermost and puts each response's number of SQL statements, session and
user loads included, in an ``X-Queries`` header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from places.models import Activity, PlaceVisibility, Visibility

TABLE_ROWS = 50


@never_cache
@require_GET
def text(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Relational: the text reference.\n", content_type="text/plain")


@never_cache
@require_GET
def table(request: HttpRequest) -> HttpResponse:
    rows = (
        Activity.objects.filter(
            visibility=Visibility.PUBLIC, place__visibility=PlaceVisibility.PUBLIC
        )
        .select_related("place", "actor")
        .only(
            "created_at",
            "kind",
            "verb",
            "perspectives",
            "place__name",
            "place__visibility",
            "actor__display_name",
        )
        .order_by("-created_at", "-id")[:TABLE_ROWS]
    )
    return render(request, "bench/table.html", {"rows": rows})


class QueryCountMiddleware:
    """Count the SQL statements of each request into an ``X-Queries`` response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = [0]

        def counted(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):  # type: ignore[no-untyped-def]
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Queries"] = str(count[0])
        return response
