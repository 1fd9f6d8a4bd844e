"""People's data (UK GDPR): a copy of everything, account erasure, withdrawn consent, and how
long things are kept.

* **A copy** (:func:`export_request`, :func:`export_build`): a member asks on
  ``/settings/data/``; a :class:`~places.models.DataExport` row is written and its task
  published after commit (a lost publish is found by ``places.tasks.sweep_data_exports``). The
  task builds one JSON document — the account, then every app's part from
  ``registry.export_for`` — into the ``private`` file storage, and emails a signed link that
  works for ``DATA_EXPORT_DAYS`` days, only for the person signed in as that account. Once:
  the build locks the row and the email's outbox key is the export's.
* **Erasure** (:func:`account_erase`): every app's erase handler runs
  (``registry.erase_for``), then the account itself becomes "Former member" with an address
  that goes nowhere, no password, no sign-in. Governance contributions stay, by id.
* **Withdrawn consent** (:func:`consent_withdraw`): a steward records that a member withdrew
  consent for their contributions in a place to be shown; every app's redact handler replaces
  their words there, history included, and the record says who, when and why.
* **Retention** (:func:`purge_expired`, nightly): spent invitations, copies of sent email,
  delivery records and expired downloads go after the documented number of days.

``places`` registers its own handlers here (``places.people`` and ``places.account``), through
the same registry the other apps use.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    Activity,
    CalendarFeedToken,
    ConsentWithdrawal,
    DataExport,
    DataExportStatus,
    Flag,
    Interest,
    Invitation,
    JoinRequest,
    Membership,
    OutboxKind,
    OutboxMessage,
    Place,
    Power,
)
from .outbox import outbox_add
from .registry import NotRegistered, Registry, registry
from .scrub import scrub_person
from .services import ServiceError

log = logging.getLogger(__name__)

FORMER_MEMBER_NAME = "Former member"
#: allauth's linked accounts (Google…), when that app is installed.
SOCIAL_ACCOUNT = "socialaccount.SocialAccount"
#: ``.invalid`` is reserved (RFC 2606): an address there can never receive mail.
ERASED_EMAIL_DOMAIN = "erased.invalid"
EXPORT_SALT = "places.data-export"
EXPORT_FORMAT = "relational-data-export"
EXPORT_VERSION = 1
WITHDRAWN = "[Withdrawn: the person who wrote this withdrew their consent for it to be shown.]"


def private_storage() -> Storage:
    """The ``private`` file storage (``settings.STORAGES``): never served by URL."""
    return storages["private"]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- A copy of everything -----------------------------------------------------------------------


def export_request(user: Any) -> DataExport:
    """Ask for a download. The row is written, and its task published once the transaction
    commits; only one download is prepared at a time."""
    if DataExport.objects.filter(user=user, status=DataExportStatus.REQUESTED).exists():
        raise ServiceError(
            "Your download is already being prepared. We will email you when it is ready."
        )
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
            transaction.on_commit(lambda: publish_export(export.pk))
    except IntegrityError:  # a second request at the same moment (one_data_export_being_prepared)
        raise ServiceError(
            "Your download is already being prepared. We will email you when it is ready."
        ) from None
    return export


def publish_export(export_id: int) -> None:
    """Ask a worker to build a download. Never raises: ``sweep_data_exports`` is the safety net."""
    from .tasks import build_data_export

    try:
        build_data_export.apply_async(args=(export_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker being away must not break the request
        log.warning("could not queue data export %s; the sweeper will build it", export_id)


def account_data(user: Any) -> dict[str, Any]:
    """The account itself: what the person signed up with and how they sign in (no secrets)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "two_factor": [
            {
                "type": a.type,
                "created_at": _when(a.created_at),
                "last_used_at": _when(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "data_downloads": [
            {"requested_at": _when(e.requested_at), "status": e.status}
            for e in DataExport.objects.filter(user=user)
        ],
    }


def export_document(user: Any) -> dict[str, Any]:
    """Everything the platform holds about the person, as one JSON-serialisable document."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "about": (
            "Everything this site holds about you: your account, and what each part of the "
            "site keeps (places, learning, decisions, the community fund), keyed by that part."
        ),
        "data": registry.export_for(user),
    }


def export_file_name(export: DataExport) -> str:
    return f"data-exports/{export.user_id}/{export.pk}.json"


@transaction.atomic
def export_build(export_id: int) -> bool:
    """Build one download and email its link, once. Returns True if this call built it.

    The row is locked for the build, so a second worker waits and then finds it ready; a build
    that fails half way leaves the row requested (the retry writes the same file name again).
    """
    export = (
        DataExport.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status != DataExportStatus.REQUESTED:
        return False
    user = export.user
    content = json.dumps(export_document(user), indent=2, ensure_ascii=False, default=str)
    data = content.encode("utf-8")
    storage = private_storage()
    name = export_file_name(export)
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    now = timezone.now()
    export.status = DataExportStatus.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.DATA_EXPORT_DAYS)
    export.file_name = saved
    export.size = len(data)
    export.save(update_fields=["status", "ready_at", "expires_at", "file_name", "size"])
    body = render_to_string(
        "places/email/data_export_ready.txt",
        {"user": user, "export": export, "url": export_url(export)},
    )
    outbox_add(
        message=EmailMessage(
            "Your data from Relational is ready to download", body, to=[user.email]
        ),
        key=f"data-export:{export.pk}",
        kind=OutboxKind.OTHER,
        recipient=user,
    )
    return True


def export_token(export: DataExport) -> str:
    return signing.dumps({"export": export.pk, "user": export.user_id}, salt=EXPORT_SALT)


def export_url(export: DataExport) -> str:
    path = reverse("data_download", kwargs={"token": export_token(export)})
    return f"{settings.SITE_URL}{path}"


def export_for_download(token: str, user: Any) -> DataExport | None:
    """The download a link points at, if it is this person's, signed by us, not expired and
    its file still there; otherwise None (the page says the link no longer works)."""
    try:
        signed = signing.loads(
            token, salt=EXPORT_SALT, max_age=timedelta(days=settings.DATA_EXPORT_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(signed, dict) or signed.get("user") != getattr(user, "pk", None):
        return None
    export_id = signed.get("export")
    if not isinstance(export_id, int):
        return None
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None or not export.is_downloadable or not export.file_name:
        return None
    if not private_storage().exists(export.file_name):
        return None
    return export


def export_delete_file(export: DataExport) -> None:
    if export.file_name:
        try:
            private_storage().delete(export.file_name)
        except Exception:  # noqa: BLE001 - a missing file is already gone; retried nightly
            log.warning("could not delete data export file %s", export.file_name)


# --- Erasure ------------------------------------------------------------------------------------


def erasure_blockers(user: Any, *, lock: bool = False) -> list[Place]:
    """The places where the person is the only steward: they hand over before they can go."""
    steward_of = Membership.objects.stewards().filter(user=user).select_related("place")
    blockers = []
    for membership in steward_of:
        stewards = Membership.objects.stewards().filter(place=membership.place_id)
        if lock:
            stewards = stewards.select_for_update()
        if [s.pk for s in stewards] == [membership.pk]:
            blockers.append(membership.place)
    return sorted(blockers, key=lambda p: p.name)


def erasure_refusal(blockers: list[Place]) -> str:
    names = ", ".join(p.name for p in blockers)
    each = "each of them" if len(blockers) > 1 else "it"
    return (
        f"You are the only steward of {names}, so you cannot delete your account yet. "
        f"Make another member a steward of {each} first (from its members page), then come back."
    )


@transaction.atomic
def account_erase(user: Any) -> None:
    """Erase a person's account: every app's erase handler, then the account itself.

    Refused (ServiceError) while they are the only steward of a place. Runs in one transaction:
    if any part fails, nothing is erased.
    """
    blockers = erasure_blockers(user, lock=True)
    if blockers:
        raise ServiceError(erasure_refusal(blockers))
    from allauth.account.models import EmailAddress

    # The handlers need the name and email addresses to find them in text: they run first.
    registry.erase_for(user)
    EmailAddress.objects.filter(user=user).delete()
    user.display_name = FORMER_MEMBER_NAME
    user.email = f"former-member-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.time_zone = "Europe/London"
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _delete_sessions(user: Any) -> int:
    """Sign the person out everywhere: their sessions go (database and cache alike)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    deleted = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - a session that cannot be read belongs to nobody
            continue
        if str(data.get("_auth_user_id", "")) == str(user.pk):
            store(session_key=session.session_key).delete()
            deleted += 1
    return deleted


# --- Withdrawn consent --------------------------------------------------------------------------


@transaction.atomic
def consent_withdraw(*, membership: Membership, by: Any, reason: str) -> ConsentWithdrawal:
    """A steward records that a member withdrew consent for their contributions in the place
    to be shown: every app's redact handler replaces their words there (entries, inputs,
    ideas, comments; history too), and the record says who, when and why."""
    from .permissions import is_steward

    place = membership.place
    if not is_steward(by, place):
        raise ServiceError("Only the stewards of this place can record that.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say how and when they withdrew their consent.", field="reason")
    registry.redact_for(membership.user, place)
    return ConsentWithdrawal.objects.create(
        place=place, subject_user_id=membership.user_id, by=by, reason=reason
    )


# --- Retention ----------------------------------------------------------------------------------


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """The nightly purge: every app's registered ``purge``, places' own included. Idempotent:
    a second run finds nothing left to delete."""
    return registry.purge_for(now or timezone.now())


def retention_periods() -> dict[str, int]:
    """How many days each kind of thing is kept (for the privacy notice)."""
    return {
        "outbox_sent": settings.RETAIN_OUTBOX_SENT_DAYS,
        "outbox_failed": settings.RETAIN_OUTBOX_FAILED_DAYS,
        "invitations": settings.RETAIN_INVITATIONS_DAYS,
        "delivery": settings.RETAIN_DELIVERY_DAYS,
        "export_link": settings.DATA_EXPORT_DAYS,
        "exports": settings.RETAIN_DATA_EXPORTS_DAYS,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
    }


def _days(setting: str) -> timedelta:
    return timedelta(days=int(getattr(settings, setting)))


def _purge_places(now: datetime) -> dict[str, int]:
    invitations_before = now - _days("RETAIN_INVITATIONS_DAYS")
    spent = (
        Q(accepted_at__lt=invitations_before)
        | Q(revoked_at__lt=invitations_before)
        | Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lt=invitations_before)
    )
    invitations, _ = Invitation.objects.filter(spent).delete()
    sent, _ = OutboxMessage.objects.filter(
        sent_at__lt=now - _days("RETAIN_OUTBOX_SENT_DAYS")
    ).delete()
    failed, _ = OutboxMessage.objects.filter(
        sent_at__isnull=True, failed_at__lt=now - _days("RETAIN_OUTBOX_FAILED_DAYS")
    ).delete()
    expired = 0
    for export in DataExport.objects.filter(status=DataExportStatus.READY, expires_at__lte=now):
        export_delete_file(export)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExportStatus.EXPIRED, file_name=""
        )
        expired += 1
    exports, _ = DataExport.objects.filter(
        status=DataExportStatus.EXPIRED,
        requested_at__lt=now - _days("RETAIN_DATA_EXPORTS_DAYS"),
    ).delete()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {
        "invitations": invitations,
        "outbox_sent": sent,
        "outbox_failed": failed,
        "data_exports_expired": expired,
        "data_exports": exports,
    }


# --- places' own handlers -----------------------------------------------------------------------


def _people_export(user: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    emails = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    return {
        "memberships": [
            {
                "place": m.place.slug,
                "role": m.role,
                "perspectives": list(m.perspectives),
                "joined_at": _when(m.joined_at),
            }
            for m in Membership.objects.filter(user=user).select_related("place")
        ],
        "interests": [
            {
                "place": i.place.slug,
                "kind": i.kind,
                "description": i.description,
                "since": i.since.isoformat() if i.since else None,
                "declared_at": _when(i.declared_at),
                "withdrawn_at": _when(i.withdrawn_at),
            }
            for i in Interest.objects.filter(user=user).select_related("place")
        ],
        "power": [
            {
                "place": p.place.slug,
                "kind": p.kind,
                "description": p.description,
                "amount": str(p.amount) if p.amount is not None else None,
                "declared_at": _when(p.declared_at),
                "withdrawn_at": _when(p.withdrawn_at),
            }
            for p in Power.objects.filter(user=user).select_related("place")
        ],
        "join_requests": [
            {
                "place": r.place.slug,
                "message": r.message,
                "status": r.status,
                "reason": r.reason,
                "created_at": _when(r.created_at),
            }
            for r in JoinRequest.objects.filter(user=user).select_related("place")
        ],
        "invitations_received": [
            {"place": i.place.slug, "message": i.message, "created_at": _when(i.created_at)}
            for i in Invitation.objects.filter(email__in=emails).select_related("place")
        ],
        # Who was invited is someone else's address: only where and when.
        "invitations_sent": [
            {"place": i.place.slug, "created_at": _when(i.created_at), "state": i.state}
            for i in Invitation.objects.filter(invited_by=user).select_related("place")
        ],
        "places_started": [
            {"place": p.slug, "created_at": _when(p.created_at)}
            for p in Place.objects.filter(created_by=user)
        ],
        "flags_raised": [
            {
                "place": f.place.slug,
                "about": f.excerpt,
                "reason": f.reason,
                "house_rule": f.house_rule,
                "status": f.status,
                "created_at": _when(f.created_at),
            }
            for f in Flag.objects.filter(flagged_by=user).select_related("place")
        ],
        "timeline": [
            {"place": a.place.slug, "what": a.summary, "at": _when(a.created_at)}
            for a in Activity.objects.filter(actor=user).select_related("place")
        ],
        "calendar_addresses": [
            {
                "place": t.place.slug,
                "created_at": _when(t.created_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in CalendarFeedToken.objects.filter(user=user).select_related("place")
        ],
        "emails_to_you": [
            {"subject": m.subject, "created_at": _when(m.created_at), "sent_at": _when(m.sent_at)}
            for m in _outbox_to(user, emails)
        ],
        "consent_withdrawals": [
            {"place": c.place.slug, "reason": c.reason, "recorded_at": _when(c.created_at)}
            for c in ConsentWithdrawal.objects.filter(subject_user_id=user.pk).select_related(
                "place"
            )
        ],
    }


def _outbox_to(user: Any, emails: list[str]) -> Any:
    addressed = Q(recipient=user)
    for email in emails:
        addressed |= Q(to__icontains=email)
    return OutboxMessage.objects.filter(addressed).order_by("created_at", "id")


def _people_erase(user: Any) -> None:
    """Memberships end; declarations, requests, invitations to them, their calendar addresses
    and the email addressed to them go; what they did stays (ids only) and their name and
    email address leave every text column of places' tables."""
    from allauth.account.models import EmailAddress

    from .permissions import forget_membership

    emails = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    for membership in Membership.objects.filter(user=user).select_related("place"):
        membership.delete()
        forget_membership(membership.place)
    Interest.objects.filter(user=user).delete()
    Power.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    invited = Q()
    for email in emails:
        invited |= Q(email__iexact=email)
    Invitation.objects.filter(invited).delete()
    CalendarFeedToken.objects.filter(user=user).delete()
    _outbox_to(user, emails).delete()
    for export in DataExport.objects.filter(user=user):
        export_delete_file(export)
    DataExport.objects.filter(user=user).delete()
    scrub_person(user, apps.get_app_config("places").get_models())


def _people_redact(user: Any, place: Any) -> None:
    """A flag copies the words it is about: flags on the person's contributions (in the place)
    lose that copy too."""
    flags = Flag.objects.select_related("place").exclude(excerpt=WITHDRAWN)
    if place is not None:
        flags = flags.filter(place=place)
    for flag in flags:
        try:
            kind = registry.flaggable(flag.kind)
        except NotRegistered:
            continue
        content = kind.get(flag.place, flag.object_id)
        if content is not None and getattr(kind.author(content), "pk", None) == user.pk:
            Flag.objects.filter(pk=flag.pk).update(excerpt=WITHDRAWN)


def _account_export(user: Any) -> dict[str, Any]:
    return account_data(user)


def _account_erase(user: Any) -> None:
    """Two-factor devices, linked accounts and sessions go; the admin's log keeps its rows
    (who did what, by id) without the person's name or address. (The sign-in addresses go with
    the account itself, last, in :func:`account_erase`: every handler may still look them up.)"""
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import LogEntry

    scrub_person(user, [LogEntry])
    Authenticator.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        social_account: Any = apps.get_model(SOCIAL_ACCOUNT)
        social_account.objects.filter(user=user).delete()
    _delete_sessions(user)


#: places' models that refer to a person, accounted for by ``places.people``.
PEOPLE_MODELS = (
    "places.Activity", "places.Place", "places.Membership", "places.Flag", "places.Hiding",
    "places.OutboxMessage", "places.Invitation", "places.JoinRequest", "places.Interest",
    "places.Power", "places.DataExport", "places.ConsentWithdrawal",
)  # fmt: skip

#: Django's and allauth's models that refer to a person, accounted for by ``places.account``.
ACCOUNT_MODELS = ("account.EmailAddress", "mfa.Authenticator", "admin.LogEntry")


def register(reg: Registry) -> None:
    """places' own data handlers (called from ``PlacesConfig.ready``)."""
    reg.register_data_handler(
        "places.people",
        export=_people_export,
        erase=_people_erase,
        redact=_people_redact,
        purge=_purge_places,
        models=PEOPLE_MODELS,
    )
    reg.register_data_handler(
        "places.account", export=_account_export, erase=_account_erase, models=ACCOUNT_MODELS
    )
