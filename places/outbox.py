"""The outbox: Django's email API writes rows; workers send them.

``OutboxBackend`` is the project's default mailer, so every message any code sends (allauth's
verification mail included) becomes an :class:`OutboxMessage` in the caller's transaction. After
commit a task is published to send it; if Redis is down the publish fails quietly and the
beat sweeper picks the row up later.

Once, and never lost:

* A row is **locked for the whole send** (``SELECT … FOR UPDATE SKIP LOCKED``), so a second
  worker or the sweeper skips a message being sent. A worker that dies mid-send loses its
  database connection and with it the lock; the sweeper then sends the message. A worker that
  hangs holding the lock is cut off by PostgreSQL after ``OUTBOX_LOCK_TIMEOUT`` seconds
  (``idle_in_transaction_session_timeout``), so its claim is picked up again after that timeout.
* A send that fails (the mail server refuses, or does not answer) is tried again with growing
  waits (``OUTBOX_RETRY_SECONDS`` doubling, at most an hour); after ``OUTBOX_MAX_ATTEMPTS``
  tries the row is marked failed — never silently dropped — and a place's stewards are told.
* SMTP allows no stronger promise: a process killed after the mail server accepted a message
  and before the row was marked sent leaves it unsent, and it is sent again, with the same
  fixed ``Message-ID`` so mail clients can tell it is the same message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

MESSAGE_ID_DOMAIN = "relational.local"

log = logging.getLogger(__name__)


# --- What an email is about -------------------------------------------------------------------


@dataclass(frozen=True)
class MailContext:
    kind: str = ""
    place: Any = None
    recipient: Any = None


_NO_CONTEXT = MailContext()
_context: ContextVar[MailContext] = ContextVar("outbox_mail_context", default=_NO_CONTEXT)


@contextmanager
def mail_context(*, kind: str = "", place: Any = None, recipient: Any = None) -> Iterator[None]:
    """Label the emails sent inside the block (by any code, through Django's email API).

    ``with mail_context(kind="place", place=place): send_mail(...)`` makes the outbox row
    belong to the place, so its stewards see it if it can never be delivered.
    """
    token = _context.set(MailContext(kind=kind, place=place, recipient=recipient))
    try:
        yield
    finally:
        _context.reset(token)


def message_id_for(key: str) -> str:
    """A Message-ID fixed by the delivery key: every copy of one delivery carries the same one."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


# --- Writing ------------------------------------------------------------------------------------


def _fields(message: EmailMessage) -> dict[str, Any]:
    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = str(content)
    return {
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


def outbox_add(
    *,
    message: EmailMessage,
    key: str | None = None,
    kind: str | None = None,
    place: Any = None,
    recipient: Any = None,
) -> OutboxMessage:
    """Write one message to the outbox and publish its delivery once the transaction commits.

    ``key`` is the delivery key (unique: a second row for the same delivery raises
    IntegrityError). ``kind``, ``place`` and ``recipient`` default to the surrounding
    :func:`mail_context`.
    """
    context = _context.get()
    fields = _fields(message)
    fields["kind"] = kind if kind is not None else context.kind
    fields["place"] = place if place is not None else context.place
    fields["recipient"] = recipient if recipient is not None else context.recipient
    if key:
        fields["key"] = key
    # A fixed Message-ID: if SMTP ever forces a resend, the copy is recognisably the same message.
    fields["headers"].setdefault(
        "Message-ID", message_id_for(key) if key else make_msgid(domain=MESSAGE_ID_DOMAIN)
    )
    row = OutboxMessage.objects.create(**fields)
    transaction.on_commit(lambda: publish_delivery(row.pk))
    return row


def outbox_add_many(rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Write many prepared rows in one INSERT and publish one task to send them after commit.

    Each row needs its ``key``; its Message-ID is fixed by the key. The caller has claimed the
    keys (a conflicting key raises IntegrityError, rolling back the caller's transaction).
    """
    if not rows:
        return []
    for row in rows:
        row.headers = dict(row.headers or {})
        row.headers.setdefault("Message-ID", message_id_for(row.key))
        row.from_email = row.from_email or settings.DEFAULT_FROM_EMAIL
    created = OutboxMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: publish_batch(ids))
    return created


def publish_delivery(message_id: int) -> None:
    """Ask a worker to send a message. Never raises: the sweeper is the safety net."""
    from .tasks import send_outbox_message

    try:
        send_outbox_message.apply_async(args=(message_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker being away must not break the request
        log.warning("could not queue outbox message %s; the sweeper will send it", message_id)


def publish_batch(message_ids: Sequence[int]) -> None:
    """Ask a worker to send many messages (one task). Never raises, like publish_delivery."""
    from .tasks import send_outbox_messages

    try:
        send_outbox_messages.apply_async(args=(list(message_ids),), retry=False)
    except Exception:  # noqa: BLE001 - the broker being away must not break the request
        log.warning(
            "could not queue %d outbox messages; the sweeper will send them", len(message_ids)
        )


# --- Sending ------------------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 6))


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: doubling, at most an hour."""
    base = float(getattr(settings, "OUTBOX_RETRY_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _lock_timeout_sql() -> str:
    seconds = int(getattr(settings, "OUTBOX_LOCK_TIMEOUT", 300))
    return f"SET LOCAL idle_in_transaction_session_timeout = '{seconds}s'"


def _email_for(row: OutboxMessage) -> EmailMultiAlternatives:
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
    return email


def deliver(message_id: int, *, connection: Any = None, lock_timeout_set: bool = False) -> bool:
    """Send one outbox message if it is still owed and due. Returns True if this call sent it.

    The row is locked for the whole send (``skip_locked``), so a second worker or a sweeper
    running at the same moment skips it rather than sending it again. A message is sent twice
    only if the process dies after the mail server accepted it and before the commit below:
    SMTP has no way to ask "did you already get this?".

    A failed send is recorded (``attempts``, ``last_error``, the next try in ``due_at``, or
    ``failed_at`` after the last try) and the error re-raised.
    """
    failure: Exception | None = None
    gave_up = False
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                pk=message_id,
                sent_at__isnull=True,
                failed_at__isnull=True,
                due_at__lte=timezone.now(),
            )
            .first()
        )
        if row is None:
            return False
        if db_connection.vendor == "postgresql" and not lock_timeout_set:
            with db_connection.cursor() as cursor:
                cursor.execute(_lock_timeout_sql())
        row.attempts += 1
        try:
            if connection is not None:
                connection.send_messages([_email_for(row)])
            else:
                _email_for(row).send(using="delivery")
        except Exception as exc:  # noqa: BLE001 - recorded on the row, then re-raised below
            failure = exc
            now = timezone.now()
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= max_attempts():
                row.failed_at = now
                gave_up = True
            else:
                row.due_at = now + retry_delay(row.attempts)
        else:
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["sent_at", "failed_at", "due_at", "attempts", "last_error"])
        if gave_up:
            _on_failed(row)
    if failure is not None:
        raise failure
    return True


def _on_failed(row: OutboxMessage) -> None:
    """The last try failed: tell the place's stewards (in this transaction), and log it."""
    log.error("outbox message %s failed for good after %s tries", row.pk, row.attempts)
    if row.place_id is not None:
        from .notifications import notify_mail_failed

        notify_mail_failed(message=row)


def deliver_many(message_ids: Sequence[int]) -> int:
    """Send several messages over one connection to the mail server; each committed on its own.

    Each message is still locked and marked sent in its own transaction, so a crash repeats at
    most the one message being sent. A failure is recorded on its row (see :func:`deliver`) and
    the rest go on. Returns how many were sent.
    """
    sent = 0
    connection: Any = mailers["delivery"]
    try:
        connection.open()
    except Exception:  # noqa: BLE001 - each deliver() then records the failure on its row
        connection = None
    # The lock timeout for every transaction of this run, set once (see deliver()).
    session_timeout = db_connection.vendor == "postgresql" and not db_connection.in_atomic_block
    if session_timeout:
        with db_connection.cursor() as cursor:
            cursor.execute(_lock_timeout_sql().replace("SET LOCAL", "SET"))
    try:
        for message_id in message_ids:
            try:
                sent += deliver(message_id, connection=connection, lock_timeout_set=session_timeout)
            except Exception:  # noqa: BLE001 - one bad message must not stop the rest
                log.warning("outbox message %s was not sent; it will be tried again", message_id)
    finally:
        if session_timeout:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET idle_in_transaction_session_timeout")
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken SMTP session may raise
                log.info("closing the delivery connection failed", exc_info=True)
    return sent


def seconds_until_due(message_id: int) -> float | None:
    """How long until the message's next try, or None if it is sent, failed or gone."""
    due_at = (
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True, failed_at__isnull=True)
        .values_list("due_at", flat=True)
        .first()
    )
    if due_at is None:
        return None
    return max((due_at - timezone.now()).total_seconds(), 0.0)


def sweep(*, limit: int = 500) -> int:
    """Send what is still due (a publish that never reached Redis, a worker that died, a retry)."""
    ids = list(OutboxMessage.objects.due().order_by("due_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    return deliver_many(ids)


def retry_failed(message: OutboxMessage) -> OutboxMessage:
    """Give a failed message a fresh set of tries (a steward or site administrator asked)."""
    updated = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        failed_at=None, attempts=0, due_at=timezone.now()
    )
    message.refresh_from_db()
    if updated:
        transaction.on_commit(lambda: publish_delivery(message.pk))
    return message


class OutboxBackend(BaseEmailBackend):
    """An email backend that only writes to the outbox (see module docstring)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            outbox_add(message=message)
        return len(email_messages)
