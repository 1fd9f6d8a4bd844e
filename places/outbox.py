"""The outbox: Django's email API writes rows; workers send them.

``OutboxBackend`` is the project's default mailer, so every message any code sends (allauth's
verification mail included) becomes an :class:`OutboxMessage` in the caller's transaction. After
commit a task is published to send it; if Redis is down the publish fails quietly and the
beat sweeper picks the row up later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

MESSAGE_ID_DOMAIN = "relational.local"

log = logging.getLogger(__name__)


def outbox_add(*, message: EmailMessage, key: str | None = None) -> OutboxMessage:
    """Write one message to the outbox and publish its delivery once the transaction commits."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = str(content)
    fields: dict[str, Any] = {
        "subject": message.subject,
        "body": message.body,
        "html": html,
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
    }
    if key:
        fields["key"] = key
    # A fixed Message-ID: if SMTP ever forces a resend, the copy is recognisably the same message.
    fields["headers"].setdefault("Message-ID", make_msgid(domain=MESSAGE_ID_DOMAIN))
    row = OutboxMessage.objects.create(**fields)
    transaction.on_commit(lambda: publish_delivery(row.pk))
    return row


def publish_delivery(message_id: int) -> None:
    """Ask a worker to send a message. Never raises: the sweeper is the safety net."""
    from .tasks import send_outbox_message

    try:
        send_outbox_message.apply_async(args=(message_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker being away must not break the request
        log.warning("could not queue outbox message %s; the sweeper will send it", message_id)


def deliver(message_id: int) -> bool:
    """Send one outbox message if it is still unsent. Returns True if this call sent it.

    The row is locked for the whole send (``skip_locked``), so a second worker or a sweeper
    running at the same moment skips it rather than sending it again. A message is sent twice
    only if the process dies after the mail server accepted it and before the commit below:
    SMTP has no way to ask "did you already get this?".
    """
    failure: Exception | None = None
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        row.attempts += 1
        email = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body,
            from_email=row.from_email,
            to=row.to,
            cc=row.cc,
            bcc=row.bcc,
            reply_to=row.reply_to,
            headers=row.headers,
        )
        if row.html:
            email.attach_alternative(row.html, "text/html")
        try:
            email.send(using="delivery")
        except Exception as exc:  # noqa: BLE001 - recorded on the row, then re-raised below
            failure = exc
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["sent_at", "attempts", "last_error"])
    if failure is not None:
        raise failure
    return True


def sweep(*, limit: int = 500) -> int:
    """Send what is still due (a publish that never reached Redis, a worker that died)."""
    sent = 0
    for message_id in (
        OutboxMessage.objects.due().order_by("due_at").values_list("pk", flat=True)[:limit]
    ):
        try:
            sent += deliver(message_id)
        except Exception:  # noqa: BLE001 - one bad message must not stop the rest
            log.exception("outbox message %s failed; it stays due", message_id)
    return sent


class OutboxBackend(BaseEmailBackend):
    """An email backend that only writes to the outbox (see module docstring)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            outbox_add(message=message)
        return len(email_messages)
