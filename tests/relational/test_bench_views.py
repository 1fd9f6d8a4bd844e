"""The page benchmark's reference pages and its query-counting middleware."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from places.models import Activity, Place, Visibility
from relational.bench_views import TABLE_ROWS, QueryCountMiddleware
from relational.models import User

pytestmark = pytest.mark.django_db


def _activity(place: Place, actor: User, n: int, visibility: str = Visibility.PUBLIC) -> Activity:
    return Activity(
        place=place,
        actor=actor,
        kind="member",
        verb=f"verb{n}",
        summary=f"Summary words {n}",
        visibility=visibility,
        perspectives=["resident"],
        created_at=timezone.now() - timedelta(minutes=n),
    )


def test_the_text_reference_is_short_text_and_never_cached(anonymous: Client) -> None:
    response = anonymous.get("/_bench/text")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert anonymous.post("/_bench/text").status_code == 405


def test_the_table_reference_shows_fifty_public_rows_from_one_query(
    anonymous: Client, place: Place, private_place: Place, member: User
) -> None:
    Activity.objects.bulk_create(
        [_activity(place, member, n) for n in range(TABLE_ROWS + 10)]
        + [_activity(place, member, n, Visibility.MEMBERS) for n in range(5)]
        + [_activity(private_place, member, n) for n in range(5)]
    )
    with CaptureQueriesContext(connection) as captured:
        response = anonymous.get("/_bench/table")
    assert response.status_code == 200
    assert len(captured) == 1
    html = response.content.decode()
    assert html.count("<tr><td>") == TABLE_ROWS
    # Newest first, six columns; members-only items and members-only places never appear, and
    # no item's words are shown.
    assert html.index("<td>verb0</td>") < html.index("<td>verb1</td>")
    assert "Millbrook" in html and "Hidden Hollow" not in html
    assert "Summary words" not in html
    assert html.count("<td>verb0</td>") == 1  # only the public item of the public place


def test_the_query_counting_middleware_counts_into_a_header(rf, place: Place) -> None:
    def view(request):  # type: ignore[no-untyped-def]
        from django.http import HttpResponse

        list(Place.objects.all())
        list(Place.objects.all())
        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(rf.get("/"))
    assert response["X-Queries"] == "2"
