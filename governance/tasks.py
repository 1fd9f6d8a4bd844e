"""Celery tasks for governance: the moves that dates make (see ``governance.services``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=900, max_retries=3)
def move_decisions_by_date() -> dict[str, int]:
    """Beat, every quarter of an hour: close input on decisions whose last day for input has
    passed, and move decided decisions whose review date has come to "under review",
    reminding their owners.

    Harmless to run twice, or on two workers at once: each move locks the decision's row and
    checks its status again, so the second finds nothing to do; the owner's reminder has a
    once-only key (decision and review date)."""
    return services.decisions_move_by_date()


from .fund_tasks import *  # noqa: E402,F403  (the community fund: governance/fund_tasks.py)
