"""Celery tasks for learning: the reflection prompts (see ``learning.services``)."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

from . import services

log = logging.getLogger(__name__)


@shared_task
def send_due_prompts() -> int:
    """Beat, every quarter of an hour: queue a prompt for each participant whose period's
    08:00 has come and who has no prompt for it yet. Harmless to run twice or on two workers:
    each delivery is once-only by its unique key, and a prompt that failed to queue is found
    again on the next run."""
    due = services.prompts_due()
    for cycle_id, user_id, period_key in due:
        transaction.on_commit(partial(_publish, cycle_id, user_id, period_key))
    return len(due)


def _publish(cycle_id: int, user_id: int, period_key: str) -> None:
    try:
        deliver_prompt.apply_async(args=(cycle_id, user_id, period_key), retry=False)
    except Exception:  # noqa: BLE001 - the next beat run finds it again
        log.warning("could not queue prompt %s/%s/%s", cycle_id, user_id, period_key)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def deliver_prompt(cycle_id: int, user_id: int, period_key: str) -> bool:
    """Write one participant's prompt (delivery row, outbox email, notification), at most once:
    a second run finds the row, or fails on its unique key, and does nothing."""
    return (
        services.prompt_deliver(cycle_id=cycle_id, user_id=user_id, period_key=period_key)
        is not None
    )
