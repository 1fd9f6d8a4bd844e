"""Learning's notifications and prompt-email headers, through the rhythm work in ``places``.

The kinds and the unsubscribe topic are registered from ``LearningConfig.ready()``
(:func:`register`). Nothing here raises into the transaction that calls it: a notification
that cannot be written is logged, and the change it reports still happens.
"""

from __future__ import annotations

import logging
from typing import Any

from places import notifications, unsubscribe

log = logging.getLogger(__name__)

KINDS = {
    "cycle_participant": ("You are named a participant in a learning cycle", True, False),
    "cycle_join_request": ("Someone asks to join a learning cycle you take part in", True, False),
    "cycle_join_declined": ("Your request to join a learning cycle is declined", False, False),
    # The prompt's own email is the news; the notification is its in-app twin.
    "prompt": ("A reflection prompt is waiting for you", False, True),
}


def send(
    *,
    user: Any,
    place: Any,
    kind: str,
    text: str,
    url: str,
    actor: Any = None,
    key: str | None = None,
) -> None:
    """Notify one person in the app (and by email if they chose it for this kind)."""
    try:
        notifications.notification_create(
            recipient=user, kind=kind, text=text, url=url, place=place, actor=actor, key=key
        )
    except Exception:  # noqa: BLE001 - a notification must never undo the change it reports
        log.exception("could not notify %s about %s", getattr(user, "pk", None), kind)


def prompt_topic(cycle_id: int) -> str:
    return f"prompts:{cycle_id}"


def unsubscribe_url(*, user: Any, cycle_id: int) -> str:
    return unsubscribe.url_for(user, prompt_topic(cycle_id))


def unsubscribe_headers(*, user: Any, cycle_id: int, url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for a prompt email."""
    return unsubscribe.headers_for(user, prompt_topic(cycle_id), url=url)


def _describe_prompts(user: Any, rest: str) -> str | None:
    from .models import LearningCycle

    cycle = LearningCycle.objects.filter(pk=int(rest)).first() if rest.isdigit() else None
    if cycle is None:
        return None
    return f"prompts to reflect on the learning cycle ‘{cycle.title}’"


def _stop_prompts(user: Any, rest: str) -> None:
    from .models import CycleParticipant

    if rest.isdigit():
        CycleParticipant.objects.filter(cycle_id=int(rest), user=user).update(prompts_paused=True)


def register() -> None:
    for key, (label, email_default, emailed_anyway) in KINDS.items():
        notifications.register_kind(
            key, label, email_default=email_default, emailed_anyway=emailed_anyway
        )
    unsubscribe.register_topic("prompts", describe=_describe_prompts, apply=_stop_prompts)
