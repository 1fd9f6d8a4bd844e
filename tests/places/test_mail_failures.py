"""Email that cannot be delivered: retried with growing waits, then marked failed and shown —
to a place's stewards for the place's mail, to site administrators for account mail."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from places import outbox
from places.models import Notification, OutboxKind, OutboxMessage
from tests.workers import database_url_for_workers

pytestmark = pytest.mark.django_db

REFUSING = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 1},
}


@pytest.fixture
def refusing_server(settings):
    settings.MAILERS = {**settings.MAILERS, "delivery": REFUSING}
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60


def place_mail(place, to="someone@example.org") -> OutboxMessage:
    with outbox.mail_context(kind=OutboxKind.PLACE, place=place):
        send_mail("Your invitation", "Hello", None, [to])
    return OutboxMessage.objects.filter(subject="Your invitation").latest("id")


def try_until_given_up(row: OutboxMessage) -> list[timedelta]:
    """Deliver whenever due (moving the clock by rewriting due_at); the waits between tries."""
    waits = []
    while True:
        row.refresh_from_db()
        if row.failed_at is not None:
            return waits
        OutboxMessage.objects.filter(pk=row.pk).update(due_at=timezone.now())
        before = timezone.now()
        with pytest.raises(ConnectionRefusedError):
            outbox.deliver(row.pk)
        row.refresh_from_db()
        if row.failed_at is None:
            waits.append(row.due_at - before)


def test_a_refused_send_waits_longer_each_time_then_is_marked_failed(
    refusing_server, place, steward
) -> None:
    row = place_mail(place)
    assert row.place == place and row.kind == OutboxKind.PLACE

    waits = try_until_given_up(row)

    assert [round(w.total_seconds() / 60) for w in waits] == [1, 2]
    row.refresh_from_db()
    assert row.attempts == 3 and row.sent_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert row not in OutboxMessage.objects.due()
    assert outbox.deliver(row.pk) is False  # failed rows are not tried again by themselves
    told = Notification.objects.get(recipient=steward, kind="mail_failed")
    assert told.text == "An email to someone from Millbrook could not be delivered"
    assert told.url == reverse("places:failed_mail", kwargs={"slug": place.slug})


def test_a_message_that_is_not_due_yet_is_not_sent(place) -> None:
    row = place_mail(place)
    OutboxMessage.objects.filter(pk=row.pk).update(due_at=timezone.now() + timedelta(minutes=5))
    assert outbox.deliver(row.pk) is False
    assert outbox.sweep() == 0
    assert 0 < outbox.seconds_until_due(row.pk) <= 300
    assert mail.outbox == []


def test_stewards_see_their_places_failed_mail_without_members_addresses(
    refusing_server, place, steward, member, client_for
) -> None:
    row = place_mail(place, to=member.email)
    try_until_given_up(row)
    other = place_mail(place, to="invited@example.org")
    OutboxMessage.objects.filter(pk=other.pk).update(failed_at=timezone.now(), attempts=3)

    page = client_for(steward).get(reverse("places:failed_mail", kwargs={"slug": place.slug}))

    body = page.content.decode()
    assert page.status_code == 200
    assert "Mo Member" in body and member.email not in body
    assert "someone outside the place" in body  # an address no steward typed
    assert (
        client_for(member)
        .get(reverse("places:failed_mail", kwargs={"slug": place.slug}))
        .status_code
        == 403
    )


def test_a_steward_can_try_again(refusing_server, place, steward, client_for, settings) -> None:
    row = place_mail(place)
    try_until_given_up(row)
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    url = reverse("places:failed_mail_retry", kwargs={"slug": place.slug, "message_id": row.pk})

    response = client_for(steward).post(url)

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.failed_at is None and row.attempts == 0 and row.due_at <= timezone.now()
    assert outbox.sweep() == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert client_for(steward).post(url).status_code == 404  # no longer failed


def test_failed_account_mail_is_shown_to_site_administrators(
    refusing_server, staff_user, client_for
) -> None:
    send_mail("Your sign-in code", "123456", None, ["ada@example.org"])
    row = OutboxMessage.objects.get()
    assert row.place is None and row.kind == ""
    try_until_given_up(row)

    admin = client_for(staff_user)
    listing = admin.get(
        reverse("admin:places_outboxmessage_changelist"), {"state": "failed", "place__isempty": "1"}
    )
    assert listing.status_code == 200
    assert "Your sign-in code" in listing.content.decode()
    assert not Notification.objects.exists()  # no place, so no steward to tell

    response = admin.post(
        reverse("admin:places_outboxmessage_changelist"),
        {"action": "try_again", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.failed_at is None and row.attempts == 0


def test_a_batch_goes_on_past_a_message_that_fails(settings, place) -> None:
    good = outbox.outbox_add(message=EmailMultiAlternatives("Good", "b", to=["a@example.org"]))
    bad = outbox.outbox_add(message=EmailMultiAlternatives("Bad", "b", to=["b@example.org"]))
    OutboxMessage.objects.filter(pk=bad.pk).update(from_email="bad\nheader@example.org")
    assert outbox.deliver_many([bad.pk, good.pk]) == 1
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.sent_at is not None
    assert bad.sent_at is None and bad.attempts == 1 and bad.due_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_claim_held_by_a_hung_sender_is_released_after_the_lock_timeout(settings) -> None:
    """A sender that hangs mid-send (its transaction open, the row locked) is cut off by
    PostgreSQL after OUTBOX_LOCK_TIMEOUT, and the message can be claimed again."""
    settings.OUTBOX_LOCK_TIMEOUT = 1
    row = outbox.outbox_add(message=EmailMultiAlternatives("Hung", "b", to=["a@example.org"]))
    url = database_url_for_workers()
    hung_error: list[BaseException] = []

    def hung_sender() -> None:
        with psycopg.connect(url) as conn:
            try:
                with conn.transaction():
                    conn.execute(
                        "SELECT id FROM places_outboxmessage WHERE id = %s FOR UPDATE", [row.pk]
                    )
                    conn.execute(outbox._lock_timeout_sql())
                    time.sleep(4)  # "waiting for the mail server", holding the lock
                    conn.execute("SELECT 1")
            except psycopg.Error as error:
                hung_error.append(error)

    thread = threading.Thread(target=hung_sender)
    thread.start()
    time.sleep(0.5)
    assert outbox.deliver(row.pk) is False  # locked: skipped, not sent twice
    deadline = time.monotonic() + 10
    sent = False
    while time.monotonic() < deadline and not sent:
        time.sleep(0.5)
        sent = outbox.deliver(row.pk)
    thread.join()
    assert sent, "the lock was never released"
    assert hung_error, "the hung transaction should have been terminated"
    assert connection.vendor == "postgresql"


def test_the_places_own_emails_belong_to_the_place(place, steward) -> None:
    from places import services
    from places.tasks import send_invitation

    invitation = services.invitation_create(place=place, inviter=steward, email="new@example.org")
    send_invitation(invitation.pk)
    row = OutboxMessage.objects.get(to=["new@example.org"])
    assert (row.kind, row.place) == (OutboxKind.PLACE, place)
