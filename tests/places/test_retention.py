"""The nightly purge: what is kept only for a while goes after its documented number of days,
and nothing else; a second run deletes nothing more."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from learning.models import PromptDelivery
from places import rights
from places.models import (
    DataExport,
    DataExportStatus,
    Digest,
    Invitation,
    OutboxMessage,
    Place,
)
from places.tasks import purge_expired
from relational.celery import app as celery_app
from relational.models import User
from tests.learning.cast import make_cycle
from tests.places.rights_url_rules import ready_export

pytestmark = pytest.mark.django_db


def _invitation(place: Place, steward: User, **fields: object) -> Invitation:
    return Invitation.objects.create(
        place=place, email="someone@example.org", invited_by=steward,
        nonce=secrets.token_hex(16), **fields,
    )  # fmt: skip


def _email(**fields: object) -> OutboxMessage:
    return OutboxMessage.objects.create(
        subject="Hello", body="Hi", from_email="a@example.org", to=["b@example.org"], **fields
    )


def test_the_purge_deletes_only_what_is_past_its_time(
    place: Place, steward: User, member: User
) -> None:
    now = timezone.now()
    old = now - timedelta(days=settings.RETAIN_INVITATIONS_DAYS + 1)
    recent = now - timedelta(days=settings.RETAIN_INVITATIONS_DAYS - 1)
    gone = [
        _invitation(place, steward, accepted_at=old),
        _invitation(place, steward, revoked_at=old),
        _invitation(place, steward, expires_at=old),
    ]
    kept = [
        _invitation(place, steward, accepted_at=recent),
        _invitation(place, steward, expires_at=recent),
        _invitation(place, steward),  # still waiting for a reply
    ]
    sent_old = _email(sent_at=now - timedelta(days=settings.RETAIN_OUTBOX_SENT_DAYS + 1))
    sent_recent = _email(sent_at=now - timedelta(days=settings.RETAIN_OUTBOX_SENT_DAYS - 1))
    failed_old = _email(failed_at=now - timedelta(days=settings.RETAIN_OUTBOX_FAILED_DAYS + 1))
    failed_recent = _email(failed_at=now - timedelta(days=settings.RETAIN_OUTBOX_SENT_DAYS + 1))
    waiting = _email(created_at=now - timedelta(days=400))  # never sent, never given up on
    delivery_days = timedelta(days=settings.RETAIN_DELIVERY_DAYS + 1)
    digest = Digest.objects.create(
        key="digest:old", user=member, place=place, frequency="weekly", period="2025-W01",
        period_start=now, period_end=now, claim="t", created_at=now - delivery_days,
    )  # fmt: skip
    cycle = make_cycle(place, steward, participants=[member])

    def delivery(period: str, **fields: object) -> PromptDelivery:
        return PromptDelivery.objects.create(
            cycle=cycle, user=member, period_key=period, question_text="?", nonce="n",
            email_key=f"prompt:{period}", expires_at=now, **fields,
        )  # fmt: skip

    unanswered = delivery("2025-W01", created_at=now - delivery_days)
    answered = delivery("2025-W02", created_at=now - delivery_days, answered_at=now)
    this_week = delivery("2026-W01")
    expired = ready_export(member)
    DataExport.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(minutes=1))
    long_expired = DataExport.objects.create(
        user=member,
        status=DataExportStatus.EXPIRED,
        requested_at=now - timedelta(days=settings.RETAIN_DATA_EXPORTS_DAYS + 1),
    )
    live = ready_export(member)

    counts = rights.purge_expired()

    assert counts == {
        "learning.prompt_deliveries": 1,
        "places.people.invitations": 3,
        "places.people.outbox_sent": 1,
        "places.people.outbox_failed": 1,
        "places.people.data_exports_expired": 1,
        "places.people.data_exports": 1,
        "places.rhythm.digests": 1,
    }
    assert not Invitation.objects.filter(pk__in=[i.pk for i in gone]).exists()
    assert Invitation.objects.filter(pk__in=[i.pk for i in kept]).count() == 3
    mine = [sent_old.pk, sent_recent.pk, failed_old.pk, failed_recent.pk, waiting.pk]
    remaining = set(OutboxMessage.objects.filter(pk__in=mine).values_list("pk", flat=True))
    assert remaining == {sent_recent.pk, failed_recent.pk, waiting.pk}
    assert not Digest.objects.filter(pk=digest.pk).exists()
    assert set(PromptDelivery.objects.values_list("pk", flat=True)) == {answered.pk, this_week.pk}
    assert not PromptDelivery.objects.filter(pk=unanswered.pk).exists()
    expired.refresh_from_db()
    assert expired.status == DataExportStatus.EXPIRED and expired.file_name == ""
    assert not rights.private_storage().exists(f"data-exports/{member.pk}/{expired.pk}.json")
    assert not DataExport.objects.filter(pk=long_expired.pk).exists()
    live.refresh_from_db()
    assert live.status == DataExportStatus.READY
    assert rights.private_storage().exists(live.file_name)

    # Again: nothing more to delete.
    assert set(rights.purge_expired().values()) == {0}


def test_the_purge_runs_every_night_from_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired"]
    assert entry["task"] == "places.tasks.purge_expired"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    assert "places.tasks.purge_expired" in celery_app.tasks
    assert purge_expired.name == "places.tasks.purge_expired"


def test_the_privacy_notice_says_what_is_kept_why_and_for_how_long(client, settings) -> None:
    settings.RETAIN_OUTBOX_SENT_DAYS = 17
    settings.RETAIN_INVITATIONS_DAYS = 45
    body = client.get(reverse("privacy")).content.decode()
    assert "What we keep, why, and for how long" in body
    assert "17 days after sending" in body
    assert "45 days after it was accepted, withdrawn or expired" in body
    assert f"{settings.DATA_EXPORT_DAYS} days" in body
    assert "Delete your account" in body and "withdraw your consent" in body
