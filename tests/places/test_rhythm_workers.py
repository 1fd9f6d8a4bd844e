"""Digests once, and never lost, with real Celery workers and beat on a Redis of the test's own.

* Two workers, each running its own beat, send exactly one digest per member.
* A worker killed with SIGKILL in the middle of a run, then started again, leaves every due
  digest sent (or visibly failed), and no member gets two different digests for one period.

Beat intervals are a couple of seconds here (``DIGEST_RUN_SECONDS``, ``OUTBOX_SWEEP_SECONDS``),
and batches are small, so each test takes well under a minute.
"""

from __future__ import annotations

import email
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from places.digests import last_due_period
from places.models import Activity, Digest, Membership, OutboxKind, OutboxMessage, Place
from tests.factories import UserFactory
from tests.workers import wait_for

SEPARATOR = "\n" + "-" * 79 + "\n"
LONDON = ZoneInfo("Europe/London")
FAST_BEAT = {
    "DIGEST_RUN_SECONDS": "2",
    "OUTBOX_SWEEP_SECONDS": "2",
    "REMINDER_RUN_SECONDS": "3600",
    "DIGEST_BATCH_SIZE": "2",
}


def members_with_news(place: Place, extra: int) -> list:
    """``extra`` more members, everyone joined long ago, and news in the last whole week."""
    for n in range(extra):
        person = UserFactory(display_name=f"Member {n:02d}")
        Membership.objects.create(place=place, user=person, perspectives=["resident"])
    Membership.objects.filter(place=place).update(joined_at=timezone.now() - timedelta(days=60))
    week = last_due_period("weekly", LONDON, timezone.now())
    Activity.objects.create(
        place=place,
        kind="gathering",
        verb="arranged",
        summary="A gathering was arranged",
        created_at=week.start + timedelta(hours=12),
    )
    return [m.user for m in Membership.objects.filter(place=place).select_related("user")]


def digests_in(mail_dir: Path) -> list[email.message.Message]:
    """Every digest the workers wrote to files (the file mailer's separator between messages)."""
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split(SEPARATOR):
            if chunk.strip():
                message = email.message_from_string(chunk.lstrip("\n"))
                if "weekly digest" in (message["Subject"] or ""):
                    found.append(message)
    return found


def body_of(message: email.message.Message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return parts[0].get_payload(decode=True).decode()


def beat(tmp_path: Path, name: str) -> tuple[str, ...]:
    return ("-B", "--schedule", str(tmp_path / f"beat-{name}"))


@pytest.mark.worker
def test_two_workers_and_a_second_beat_send_one_digest_per_member(
    celery_worker, place, tmp_path
) -> None:
    people = members_with_news(place, extra=7)
    first = celery_worker(*beat(tmp_path, "a"), env=FAST_BEAT)
    second = celery_worker(*beat(tmp_path, "b"), env=FAST_BEAT)

    def all_sent() -> bool:
        """every member's digest is sent"""
        rows = OutboxMessage.objects.filter(kind=OutboxKind.DIGEST)
        return rows.filter(sent_at__isnull=False).count() == len(people)

    wait_for(all_sent, timeout=90)

    def both_beats_ran_again() -> bool:
        """both beats have run the digest run at least three times"""
        return all(w.output().count("Sending due task run-digests") >= 3 for w in (first, second))

    wait_for(both_beats_ran_again, timeout=30)

    assert Digest.objects.count() == len(people)
    assert OutboxMessage.objects.filter(kind=OutboxKind.DIGEST).count() == len(people)
    received = digests_in(first.mail_dir)
    assert sorted(m["To"] for m in received) == sorted(p.email for p in people)
    assert len({m["Message-ID"] for m in received}) == len(people)
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in received)
    worked = [w for w in (first, second) if "places.tasks.build_digests" in w.output()]
    assert worked, "no worker built a digest batch"


@pytest.mark.worker
@pytest.mark.parametrize("moment", ["building", "sending"])
def test_a_worker_killed_mid_batch_and_restarted_leaves_every_digest_sent_once(
    celery_worker, place, tmp_path, moment
) -> None:
    people = members_with_news(place, extra=9)
    slow = {
        **FAST_BEAT,
        "DJANGO_SETTINGS_MODULE": "tests.places.rhythm_worker_settings",
        "TEST_MAIL_DELAY": "0.4",
        "TEST_BUILD_DELAY": "0.8" if moment == "building" else "0",
    }
    worker = celery_worker(*beat(tmp_path, "a"), env=slow)
    digests = OutboxMessage.objects.filter(kind=OutboxKind.DIGEST)

    def half_way() -> bool:
        """the worker is half way through building, or through sending"""
        if moment == "building":
            return Digest.objects.count() >= 2
        return digests.filter(sent_at__isnull=False).count() >= 2

    wait_for(half_way, timeout=60, interval=0.05)
    worker.kill()
    if moment == "building":
        assert Digest.objects.count() < len(people), "every batch was built before the kill"
    else:
        assert digests.filter(sent_at__isnull=True).exists(), "all sent before the kill"

    restarted = celery_worker(*beat(tmp_path, "a"), env=slow)
    started = timezone.now()

    def every_due_digest_settled() -> bool:
        """every member has a digest, sent or marked failed"""
        settled = digests.exclude(sent_at__isnull=True, failed_at__isnull=True).count()
        return Digest.objects.count() == len(people) and settled == len(people)

    wait_for(every_due_digest_settled, timeout=240)
    assert timezone.now() - started < timedelta(minutes=5)

    by_person: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for message in digests_in(restarted.mail_dir):
        by_person[message["To"]].add((message["Message-ID"], body_of(message)))
    assert sorted(by_person) == sorted(p.email for p in people)
    # A copy of the very message being sent when the worker died may arrive twice, identical
    # (SMTP's limit, see the README); never two different digests for one period.
    assert all(len(versions) == 1 for versions in by_person.values()), {
        who: len(v) for who, v in by_person.items() if len(v) > 1
    }


@pytest.mark.worker
def test_a_refusing_mail_server_is_retried_with_growing_waits_then_failed_and_shown(
    celery_worker, place, steward
) -> None:
    from django.core.mail import send_mail

    from places.models import Notification
    from places.outbox import mail_context

    celery_worker(
        env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "1",  # nothing listens: every try is refused
            "EMAIL_USE_TLS": "false",
            "OUTBOX_RETRY_SECONDS": "1",
            "OUTBOX_MAX_ATTEMPTS": "3",
        }
    )
    with mail_context(kind=OutboxKind.PLACE, place=place):
        send_mail("Your invitation to Millbrook", "Hello", None, ["new@example.org"])
    row = OutboxMessage.objects.get(subject="Your invitation to Millbrook")
    tries: list = []

    def failed() -> bool:
        """the message is tried three times, then marked failed"""
        row.refresh_from_db()
        if row.attempts and (not tries or tries[-1][0] != row.attempts):
            tries.append((row.attempts, timezone.now()))
        return row.failed_at is not None

    wait_for(failed, timeout=60, interval=0.05)
    assert row.attempts == 3 and row.sent_at is None
    assert "ConnectionRefusedError" in row.last_error
    gaps = [(b[1] - a[1]).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
    assert len(gaps) == 2 and gaps[1] > gaps[0] * 1.4, gaps  # about 1s, then about 2s
    told = Notification.objects.get(recipient=steward, kind="mail_failed")
    assert told.place == place
