"""The demo: seven cycles in the demo place across every status, 150+ entries, measures with a
year of readings, prompts sent and answered, and closed cycles in the library."""

from __future__ import annotations

import pytest

from learning.demo import demo_counts, seed_learning
from learning.models import CycleLink, Entry, LearningCycle, Measure
from places.demo import DEMO_PLACE_SLUG, DemoResult, seed_demo_place
from places.models import Place

pytestmark = pytest.mark.django_db


def seed_demo() -> None:
    """The demo place, then learning's seeder (as ``seed_demo`` runs it, without the other
    apps' seeders)."""
    result = DemoResult()
    seed_learning(seed_demo_place(result), result)


def test_the_demo_place_gets_its_learning_and_a_second_run_adds_nothing(client_for) -> None:
    seed_demo()
    place = Place.objects.get(slug=DEMO_PLACE_SLUG)
    counts = demo_counts(place)
    assert counts["cycles"] >= 6
    assert counts["statuses"] == {
        "framing",
        "testing",
        "reflecting",
        "adapting",
        "concluded",
        "stopped",
    }
    assert LearningCycle.objects.filter(place=place, status="concluded").count() >= 2
    assert counts["library"] >= 2
    assert counts["entries"] >= 150
    assert counts["readings_span_days"] >= 330
    assert counts["prompts"] > counts["answered"] > 0
    assert CycleLink.objects.filter(from_cycle__place=place).count() == 3
    kinds = set(Entry.objects.filter(cycle__place=place).values_list("kind", flat=True))
    assert kinds == {"action", "story", "data", "reflection", "adaptation", "status"}
    worlds = set(
        Entry.objects.filter(cycle__place=place, kind="action").values_list("world", flat=True)
    )
    assert worlds == {"to", "for", "with", "by"}
    assert Entry.objects.filter(cycle__place=place, visibility="participants").exists()
    assert Entry.objects.filter(cycle__place=place).exclude(told_by="").exists()
    # Nothing dated in the future, and the timeline reads in order.
    from django.utils import timezone

    assert not Entry.objects.filter(cycle__place=place, created_at__gt=timezone.now()).exists()

    before = (Entry.objects.count(), Measure.objects.count(), LearningCycle.objects.count())
    seed_demo()
    assert (Entry.objects.count(), Measure.objects.count(), LearningCycle.objects.count()) == before

    # The pages render with the demo's data.
    anonymous = client_for(None)
    for cycle in LearningCycle.objects.filter(place=place):
        assert anonymous.get(cycle.get_absolute_url()).status_code == 200
    library = anonymous.get("/learning/", {"q": "warm"}).content.decode()
    assert "Warm homes on the Moorside estate" in library
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from places.registry import registry

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    panel = registry.panels_by_key["learning"]
    html = render_to_string(
        panel.template, {**panel.context(request, place), "place": place, "panel": panel}
    )
    assert "Learning at a glance" in html and "actions logged" in html
