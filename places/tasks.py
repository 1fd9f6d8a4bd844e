from __future__ import annotations

from celery import shared_task

from . import outbox


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def send_outbox_message(message_id: int) -> bool:
    """Send one outbox message. A second run is harmless: a sent or locked row is skipped."""
    return outbox.deliver(message_id)


@shared_task
def sweep_outbox() -> int:
    """Send every outbox message still due. Safe to overlap with itself and with the senders."""
    return outbox.sweep()
