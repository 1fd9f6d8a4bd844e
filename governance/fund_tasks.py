"""Celery tasks for the community fund (imported by ``governance.tasks`` for autodiscovery)."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

from . import funds

__all__ = ["advance_fund_rounds", "close_fund_round"]

log = logging.getLogger(__name__)


@shared_task
def advance_fund_rounds() -> dict[str, int]:
    """Beat, every minute: fix the electorate of rounds whose allocation has opened, and queue
    the close of rounds whose allocation has closed.

    Harmless to run twice, or on two workers at once: fixing an electorate locks the round and
    does nothing if it is already fixed, and closing is once-only (:func:`close_fund_round`). A
    close that could not be queued is found again on the next run."""
    fix, close = funds.rounds_due()
    fixed = 0
    for round_id in fix:
        round_ = funds.Round.objects.filter(pk=round_id).first()
        if round_ is not None and funds.round_fix_electorate(round_=round_):
            fixed += 1
    for round_id in close:
        transaction.on_commit(partial(_publish_close, round_id))
    return {"electorates_fixed": fixed, "closes_queued": len(close)}


def _publish_close(round_id: int) -> None:
    try:
        close_fund_round.apply_async(args=(round_id,), retry=False)
    except Exception:  # noqa: BLE001 - the next beat run finds the round again
        log.warning("could not queue the close of fund round %s", round_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def close_fund_round(round_id: int) -> bool:
    """Compute and publish a round's result (awards and the decision), exactly once.

    A second run, at the same moment or later, waits on the round's row lock, finds the result
    and does nothing (returns False); the result's primary key is the round, so even a run that
    missed the lock could not write a second one."""
    return funds.round_close(round_id=round_id) is not None
