"""A test-only URLconf: tiny views the harness's own tests exercise.

Use with ``@pytest.mark.urls("tests.harness.fixture_urls")``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_http_methods

from relational.models import User
from relational.ratelimit import rate_limited


def people_n_plus_one(request: HttpRequest) -> HttpResponse:
    """Loads each person's email addresses one person at a time: a query per row."""
    lines = [f"{u.display_name}: {u.emailaddress_set.count()}" for u in User.objects.all()]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def people_prefetched(request: HttpRequest) -> HttpResponse:
    """The same page with the addresses prefetched: a fixed number of queries."""
    people = User.objects.prefetch_related("emailaddress_set")
    lines = [f"{u.display_name}: {len(u.emailaddress_set.all())}" for u in people]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@rate_limited("3/m")
@require_http_methods(["GET", "POST"])
def limited_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse("saved" if request.method == "POST" else "form")


urlpatterns = [
    path("people/n-plus-one/", people_n_plus_one, name="people_n_plus_one"),
    path("people/prefetched/", people_prefetched, name="people_prefetched"),
    path("limited/", limited_form, name="limited_form"),
    # The real site too, so pages extending base.html can reverse its links.
    path("", include("relational.urls")),
]
