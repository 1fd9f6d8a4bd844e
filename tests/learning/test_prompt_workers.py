"""Once-only prompts with real workers: two Celery workers over a Redis of the test's own,
the beat task fired again and again and every delivery queued twice, and each participant
still gets one prompt (one delivery row, one email) for the period."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import CycleParticipant, LearningCycle, PromptDelivery
from learning.services import prompts_due
from learning.tasks import deliver_prompt, send_due_prompts
from places.models import Membership, OutboxMessage
from tests.factories import UserFactory
from tests.learning.cast import make_cycle
from tests.workers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARTICIPANTS = 6


def test_two_workers_send_one_prompt_per_participant_per_period(
    celery_worker, private_redis, place, participant
) -> None:
    cycle = make_cycle(place, participant, title="Tea before the assessment")
    for _ in range(PARTICIPANTS - 1):
        person = UserFactory()
        Membership.objects.create(place=place, user=person, perspectives=["frontline"])
        CycleParticipant.objects.create(cycle=cycle, user=person)
    # Due now whatever the time of day: fortnightly, testing since just after midnight a week ago.
    midnight = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)
    LearningCycle.objects.filter(pk=cycle.pk).update(
        rhythm="fortnightly", testing_started_at=midnight - timedelta(days=7)
    )
    due = prompts_due()
    assert len(due) == PARTICIPANTS

    first, second = celery_worker(), celery_worker()
    # Beat fires four times (as a second beat or a slow run would), and every delivery is also
    # queued twice by hand, as a retry would.
    for _ in range(4):
        send_due_prompts.delay()
    for cycle_id, user_id, key in due:
        deliver_prompt.delay(cycle_id, user_id, key)
        deliver_prompt.delay(cycle_id, user_id, key)

    def all_sent() -> bool:
        """every participant's prompt email is sent"""
        rows = OutboxMessage.objects.filter(key__startswith="prompt:")
        return rows.count() >= PARTICIPANTS and not rows.filter(sent_at__isnull=True).exists()

    wait_for(all_sent, timeout=120)

    def settled() -> bool:
        """both workers have finished every task sent to them"""
        done = first.output().count("succeeded") + second.output().count("succeeded")
        # 4 beat runs + 12 deliveries by hand + up to 24 queued by the beat runs + 6 sends.
        return done >= 4 + 2 * PARTICIPANTS + PARTICIPANTS

    wait_for(settled, timeout=120)

    deliveries = PromptDelivery.objects.filter(cycle=cycle)
    assert deliveries.count() == PARTICIPANTS
    assert sorted(deliveries.values_list("user_id", flat=True)) == sorted(u for _, u, _ in due)
    assert len(set(deliveries.values_list("period_key", flat=True))) == 1
    assert OutboxMessage.objects.filter(key__startswith="prompt:").count() == PARTICIPANTS
    sent = [m for m in first.mails() if "A question for" in m.read_text(errors="replace")]
    # Both workers write to the same mail folder. Django's file backend names a file by the
    # second and the backend's id(), which two forked workers can share, and then appends: count
    # the messages, not the files.
    messages = sum(
        len(re.findall(r"^Message-ID: ", m.read_text(errors="replace"), re.MULTILINE)) for m in sent
    )
    assert messages == PARTICIPANTS
    recipients = {
        line
        for m in sent
        for line in m.read_text(errors="replace").splitlines()
        if line.startswith("To: ")
    }
    assert len(recipients) == PARTICIPANTS
    # Both workers did some of the work.
    assert "learning.tasks.deliver_prompt" in first.output() + second.output()
    assert prompts_due() == []
