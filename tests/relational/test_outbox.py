"""Email goes through the outbox: written with its cause, sent once by a real worker."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from places import outbox
from places.models import OutboxMessage
from places.tasks import send_outbox_message, sweep_outbox
from relational.models import User
from tests.workers import wait_for


def send_example(to: str = "sam@example.org", subject: str = "Hello") -> None:
    message = EmailMultiAlternatives(subject, "Plain words", to=[to])
    message.attach_alternative("<p>Plain words</p>", "text/html")
    message.send()


@pytest.mark.django_db
def test_sending_email_writes_an_outbox_row_and_nothing_else() -> None:
    send_example()
    row = OutboxMessage.objects.get()
    assert row.to == ["sam@example.org"]
    assert row.subject == "Hello"
    assert row.html == "<p>Plain words</p>"
    assert row.sent_at is None
    assert mail.outbox == []  # nothing left the building yet


@pytest.mark.django_db
def test_an_email_rolled_back_with_its_cause_is_never_sent() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        send_example()
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_delivery_key_is_used_once() -> None:
    outbox.outbox_add(
        message=EmailMultiAlternatives("A", "b", to=["x@example.org"]), key="digest:1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.outbox_add(
            message=EmailMultiAlternatives("A", "b", to=["x@example.org"]), key="digest:1"
        )
    assert OutboxMessage.objects.filter(key="digest:1").count() == 1


@pytest.mark.django_db
def test_deliver_sends_once_and_records_it(settings) -> None:
    send_example()
    row = OutboxMessage.objects.get()
    assert outbox.deliver(row.pk) is True
    assert outbox.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][0] == "<p>Plain words</p>"
    assert mail.outbox[0].extra_headers["Message-ID"] == row.headers["Message-ID"]


@pytest.mark.django_db
def test_a_failed_send_stays_due_with_the_error(settings) -> None:
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 1},
        },
    }
    send_example()
    assert outbox.sweep() == 0
    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error


@pytest.mark.worker
def test_a_real_worker_sends_a_queued_email(celery_worker, private_redis) -> None:
    worker = celery_worker()
    send_example(subject="Through Redis")
    row = OutboxMessage.objects.get()

    def sent() -> bool:
        """the worker marks the row sent"""
        row.refresh_from_db()
        return row.sent_at is not None

    wait_for(sent)
    assert len(worker.mails()) == 1
    assert "Through Redis" in worker.mails()[0].read_text()
    assert "places.tasks.send_outbox_message" in worker.output()


@pytest.mark.worker
def test_a_stopped_redis_loses_no_email_and_sends_none_twice(celery_worker, private_redis) -> None:
    worker = celery_worker()
    User.objects.create_user(
        email="ada@example.org", password="pw-long-enough-1", display_name="Ada"
    )
    private_redis.stop()

    # A change that sends email, made while Redis is down: the page is normal.
    response = Client().post(reverse("account_reset_password"), {"email": "ada@example.org"})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(to=["ada@example.org"])
    assert row.sent_at is None

    private_redis.start()
    # The same message queued twice, and the sweeper, race for it: it goes out once.
    send_outbox_message.delay(row.pk)
    send_outbox_message.delay(row.pk)
    sweep_outbox.delay()

    def sent() -> bool:
        """the worker sends the waiting reset email"""
        row.refresh_from_db()
        return row.sent_at is not None

    wait_for(sent, timeout=60)
    wait_for(lambda: worker.output().count("succeeded") >= 3, timeout=30)
    assert len(worker.mails()) == 1
    assert row.attempts == 1


@pytest.mark.worker
@pytest.mark.parametrize("outage", [3, 9])
def test_a_worker_survives_redis_going_away_while_it_sends(
    celery_worker, private_redis, outage
) -> None:
    """Redis stops while a prefork worker is in the middle of sends. A task that finishes after
    the connection is gone cannot be acknowledged on it; the worker must not die of that (in a
    drill one did: kombu raised AttributeError acking on the closed channel). Every email goes
    out exactly once when Redis is back and the sweeper runs."""
    worker = celery_worker(
        "--pool",
        "prefork",
        "--concurrency",
        "2",
        env={
            "DJANGO_SETTINGS_MODULE": "tests.places.rhythm_worker_settings",
            "TEST_MAIL_DELAY": "2",
        },
    )
    subjects = [f"Sent across an outage {n}" for n in range(4)]
    for subject in subjects:
        send_example(to=f"{subject[-1]}@example.org", subject=subject)
    rows = OutboxMessage.objects.all()
    wait_for(lambda: worker.output().count(" received") >= 2)
    private_redis.stop()
    wait_for(lambda: "Connection to broker lost" in worker.output(), timeout=20)
    time.sleep(outage)
    private_redis.start()
    # Redis here keeps nothing on disk, so the queued tasks went with it; the rows did not.
    # Beat's next sweep (sent by hand here) finds what is still due.
    sweep_outbox.delay()

    def all_sent() -> bool:
        """every email is marked sent"""
        return rows.filter(sent_at__isnull=True).count() == 0

    wait_for(all_sent, timeout=90)
    time.sleep(3)  # time for any late acknowledgement to fail
    assert worker.process.poll() is None, worker.output()[-4000:]
    assert "Traceback" not in worker.output(), worker.output()[-4000:]
    assert sorted(rows.values_list("attempts", flat=True)) == [1, 1, 1, 1]
    sent = "".join(m.read_text() for m in worker.mails())
    assert all(sent.count(f"Subject: {subject}\n") == 1 for subject in subjects), sent
