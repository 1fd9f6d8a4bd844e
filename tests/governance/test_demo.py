"""The demo decisions in Kirkby Vale: every status, 60+ inputs with responses, a revised
decision with its history, one rescinded, evidence from the demo cycles — and idempotent."""

from __future__ import annotations

import pytest

from governance.demo import demo_counts, seed_governance
from governance.history import decision_history
from governance.models import Decision, Evidence, Status
from places.demo import DemoResult, seed_demo_place


@pytest.mark.django_db
def test_the_demo_has_decisions_in_every_status_with_their_inputs_and_history() -> None:
    result = DemoResult()
    place = seed_demo_place(result)
    seed_governance(place, result)
    counts = demo_counts(place)
    assert counts["decisions"] >= 10
    assert counts["statuses"] == {s.value for s in Status}
    assert counts["inputs"] >= 60 and counts["responses"] >= 60
    assert counts["revised"] == 1 and counts["rescinded"] == 1
    revised = Decision.objects.get(place=place, status=Status.REVISED)
    newer = revised.revisions.get()
    assert newer.status == Status.DECIDED and newer.revision == 2
    labels = [item.label for item in decision_history(revised)]
    assert "Opened for input" in labels and "Moved to “Revised”" in labels
    assert Evidence.objects.filter(decision__place=place, cycle__isnull=False).exists()
    # Every published decision that was taken has no input left unanswered.
    for decision in Decision.objects.filter(place=place, decided_at__isnull=False):
        assert not decision.inputs.filter(response__isnull=True).exists(), decision.title

    seed_governance(place, result)  # a second run adds nothing
    assert demo_counts(place) == counts
