"""The beat task that makes the date-driven moves, and its schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from governance.models import Decision, Status
from governance.tasks import move_decisions_by_date
from places.models import Activity, Notification

from .cast import make_decision


def test_beat_runs_the_date_driven_moves_every_quarter_hour() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["governance-dates"]
    assert entry["task"] == "governance.tasks.move_decisions_by_date"
    assert entry["schedule"] == timedelta(minutes=15)
    assert move_decisions_by_date.name == "governance.tasks.move_decisions_by_date"


def test_the_task_closes_input_and_starts_reviews_and_a_second_run_does_nothing(
    place: Any, steward: Any, outbox: Any
) -> None:
    today = timezone.localdate()
    closing = make_decision(place, steward, title="Closing")
    Decision.objects.filter(pk=closing.pk).update(input_closes_on=today - timedelta(days=1))
    still_open = make_decision(place, steward, title="Still open")  # closes next week
    due = make_decision(place, steward, status=Status.DECIDED, title="Due")
    Decision.objects.filter(pk=due.pk).update(decided_on=today - timedelta(days=200),
                                              review_by=today)  # fmt: skip
    assert move_decisions_by_date.run() == {"input_closed": 1, "review_due": 1}
    assert move_decisions_by_date.run() == {"input_closed": 0, "review_due": 0}
    statuses = dict(Decision.objects.values_list("title", "status"))
    assert statuses == {"Closing": "deciding", "Still open": "open", "Due": "review"}
    assert still_open.inputs.count() == 0
    assert Activity.objects.filter(verb="review", actor=None).count() == 1
    reminder = Notification.objects.get(kind="decision_review_due")
    assert reminder.recipient == steward and "due for review" in reminder.text
    assert outbox.last(to=steward.email, subject="due for review")
