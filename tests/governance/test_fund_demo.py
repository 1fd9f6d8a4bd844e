"""The demo fund in Kirkby Vale: a completed round (12 ideas, points from 20 members, awards
published as a decision, awards followed by learning cycles) and a round open for ideas."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.fund_demo import FUND_NAME
from governance.fund_hooks import seed_demo
from governance.fund_models import Allocator, Award, Fund, Idea, Points, RoundState
from governance.models import Method
from places.demo import DemoResult, seed_demo_place
from places.models import Activity


@pytest.mark.django_db
def test_the_demo_fund_has_a_completed_round_and_a_round_open_for_ideas(client) -> None:
    result = DemoResult()
    place = seed_demo_place(result)
    seed_demo(place, result)
    fund = Fund.objects.get(place=place, name=FUND_NAME)
    done, open_ = fund.rounds.order_by("number")
    assert done.state() == RoundState.CLOSED
    assert open_.state() == RoundState.IDEAS
    assert Idea.objects.filter(round=done).count() == 12
    allocated = Allocator.objects.filter(round=done, points__isnull=False).distinct().count()
    assert allocated == 20
    assert Points.objects.filter(idea__round=done).exists()
    awards = Award.objects.filter(round=done)
    assert awards.exists()
    assert sum(a.amount for a in awards) <= done.pot
    decision = done.result.decision
    assert decision.method == Method.ALLOCATION
    assert decision.deciders.count() == 20
    assert awards.filter(cycle__isnull=False).exists()  # followed by the demo's cycles
    assert Idea.objects.filter(round=open_).count() == 3
    # The timeline reads as it happened, not as the seeding did.
    awarded = Activity.objects.get(place=place, kind="fund", verb="awarded")
    assert awarded.created_at < open_.ideas_open_at
    page = client.get(reverse("funds:fund", kwargs={"slug": place.slug, "fund_id": fund.pk}))
    assert page.status_code == 200
    assert "What the funded work is learning" in page.content.decode()

    counts = (Idea.objects.count(), Award.objects.count(), Points.objects.count())
    seed_demo(place, result)  # a second run adds nothing
    assert (Idea.objects.count(), Award.objects.count(), Points.objects.count()) == counts
