from __future__ import annotations

from typing import Any

from celery import shared_task

from . import outbox


@shared_task(bind=True, max_retries=None)
def send_outbox_message(self: Any, message_id: int) -> bool:
    """Send one outbox message. A second run is harmless: a sent, failed, locked or not-yet-due
    row is skipped. A failed send is retried when the row says its next try is due (the
    backoff and the last try are the row's, see ``outbox.deliver``); the sweeper would also
    find it then."""
    try:
        return outbox.deliver(message_id)
    except Exception as exc:
        wait = outbox.seconds_until_due(message_id)
        if wait is None:  # sent meanwhile, or given up on and marked failed
            return False
        raise self.retry(exc=exc, countdown=wait) from exc


@shared_task
def send_outbox_messages(message_ids: list[int]) -> int:
    """Send a batch of outbox messages over one mail server connection (each committed on its
    own). Harmless to repeat, like ``send_outbox_message``; failures wait for the sweeper."""
    return outbox.deliver_many(message_ids)


@shared_task
def sweep_outbox() -> int:
    """Send every outbox message still due. Safe to overlap with itself and with the senders."""
    return outbox.sweep()


@shared_task
def run_digests() -> int:
    """Beat: find the members whose digest is due and fan out one task per batch of them.

    Harmless to run twice at once (two beats): each digest's key is claimed by exactly one
    batch, and a batch whose members are all claimed does nothing."""
    from .digests import digests_fan_out

    return digests_fan_out()


@shared_task
def build_digests(
    place_id: int, frequency: str, time_zone: str, period: str, user_ids: list[int]
) -> int:
    """Build, claim and queue one batch of digests (one transaction). A second run finds every
    key claimed and writes nothing; a run killed half way leaves nothing, and the next
    ``run_digests`` hands the same members out again."""
    from .digests import digest_batch_build

    return digest_batch_build(
        place_id=place_id,
        frequency=frequency,
        time_zone=time_zone,
        period=period,
        user_ids=user_ids,
    ).sent


@shared_task
def gathering_reminders() -> int:
    """Beat: tell people who are going to a gathering the day before. Once per person and
    gathering day (the notification's key), so overlapping runs tell nobody twice."""
    from .notifications import notify_gatherings_tomorrow

    return notify_gatherings_tomorrow()


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation(invitation_id: int) -> bool:
    """Write one invitation email to the outbox. A second run is harmless: the invitation is
    stamped ``sent_at`` in the same transaction as its email, and a stamped one is skipped."""
    from .services import invitation_send_email

    return invitation_send_email(invitation_id=invitation_id)


@shared_task
def sweep_invitations() -> int:
    """Send invitations whose task never ran (the broker was away when they were made)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import Invitation
    from .services import invitation_send_email

    age = min(120, int(getattr(settings, "INVITATION_SWEEP_SECONDS", 300)))
    stale = timezone.now() - timedelta(seconds=age)
    ids = Invitation.objects.unsent().filter(created_at__lte=stale).values_list("pk", flat=True)
    return sum(invitation_send_email(invitation_id=pk) for pk in list(ids[:200]))


# --- People's data (places.rights) --------------------------------------------------------------


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def build_data_export(export_id: int) -> bool:
    """Build a person's download and email its link. A second run (a retry, the sweeper) is
    harmless: the row is locked while it is built and a ready row is skipped, and its email's
    outbox key is the export's, so it is neither built nor emailed twice."""
    from .rights import export_build

    return export_build(export_id)


@shared_task
def sweep_data_exports() -> int:
    """Build downloads whose task never ran (the broker was away when they were asked for)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import DataExport, DataExportStatus
    from .rights import export_build

    stale = timezone.now() - timedelta(minutes=2)
    ids = DataExport.objects.filter(
        status=DataExportStatus.REQUESTED, requested_at__lte=stale
    ).values_list("pk", flat=True)
    return sum(export_build(pk) for pk in list(ids[:50]))


@shared_task
def purge_expired() -> dict[str, int]:
    """Nightly: delete what is kept only for a while — spent invitations, copies of sent email,
    delivery records, expired downloads (README "People's data"). A second run deletes nothing
    more."""
    from .rights import purge_expired as purge

    return purge()
