"""Writes that touch several rows of the places app, and the reads reused by its pages.

Every write is one transaction that also records its activity row and any email (which
becomes an outbox row through the email backend), so the record and its side effects exist
together or not at all. Refusals are raised as :class:`ServiceError` with a message fit to
show the person.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from relational.models import User

from . import notifications
from .activity import activity_record
from .models import (
    DEFAULT_HOUSE_RULES,
    INVITATION_LIFETIME,
    RESERVED_SLUGS,
    Interest,
    Invitation,
    JoinPolicy,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Mission,
    OutboxKind,
    Perspective,
    Place,
    Power,
    PowerKind,
    Role,
    Visibility,
)
from .outbox import mail_context
from .permissions import forget_membership

log = logging.getLogger(__name__)

INVITATION_SALT = "places.invitation"


class ServiceError(Exception):
    """A refusal with a reason the person can read (e.g. 'the last steward cannot leave')."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def _email(*, subject: str, template: str, to: Sequence[str], context: dict[str, Any]) -> None:
    """Send one plain-text email through Django's email API (so: into the outbox)."""
    body = render_to_string(f"places/email/{template}.txt", context)
    # The place's email: if it can never be delivered, its stewards are shown it.
    with mail_context(kind=OutboxKind.PLACE, place=context.get("place")):
        send_mail(subject, body, None, list(to))


def _clean_perspectives(perspectives: Iterable[str]) -> list[str]:
    valid = {p.value for p in Perspective}
    cleaned = [p for p in dict.fromkeys(perspectives) if p in valid]
    if not cleaned:
        raise ServiceError("Choose at least one perspective.", field="perspectives")
    # Keep the platform's order so the same choice always reads the same way.
    order = [p.value for p in Perspective]
    return sorted(cleaned, key=order.index)


# --- Places ------------------------------------------------------------------------------------


def place_slug_for(name: str) -> str:
    """A unique slug from the name. Made once, when the place is created; never changed."""
    base = slugify(name)[:70].strip("-") or "place"
    if base in RESERVED_SLUGS:
        base = f"{base}-place"
    slug, n = base, 2
    while Place.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _set_missions(place: Place, texts: Sequence[str]) -> None:
    """Make the place's missions exactly ``texts``, in order.

    A mission whose text is unchanged keeps its row (and whatever later links to it); only
    missions that were removed are deleted.
    """
    existing: dict[str, Mission] = {}
    for found in place.missions.all():
        existing.setdefault(found.text, found)
    keep: list[int] = []
    for position, text in enumerate(texts):
        mission: Mission | None = existing.pop(text) if text in existing else None
        if mission is None:
            mission = Mission.objects.create(place=place, text=text, position=position)
        elif mission.position != position:
            mission.position = position
            mission.save(update_fields=["position"])
        keep.append(mission.pk)
    place.missions.exclude(pk__in=keep).delete()


@transaction.atomic
def place_create(
    *,
    creator: User,
    name: str,
    summary: str,
    description: str = "",
    missions: Sequence[str] = (),
    visibility: str,
    join_policy: str,
    house_rules: str | None = None,
    perspectives: Sequence[str],
    stewards_use_two_factor: bool = False,
) -> Place:
    """Start a place; its creator becomes its first steward."""
    perspectives = _clean_perspectives(perspectives)
    place = Place.objects.create(
        name=name,
        slug=place_slug_for(name),
        summary=summary,
        description=description,
        visibility=visibility,
        join_policy=join_policy,
        created_by=creator,
        house_rules=house_rules if house_rules and house_rules.strip() else DEFAULT_HOUSE_RULES,
        stewards_use_two_factor=stewards_use_two_factor,
    )
    _set_missions(place, missions)
    membership = Membership.objects.create(
        place=place, user=creator, perspectives=perspectives, role=Role.STEWARD
    )
    activity_record(
        place=place,
        actor=creator,
        kind="place",
        verb="created",
        summary=f"{creator} started {place.name}",
        url=place.get_absolute_url(),
        target=place,
        perspectives=perspectives,
    )
    _record_join(membership, how="started the place")
    return place


@transaction.atomic
def place_update(
    *,
    place: Place,
    actor: User,
    name: str,
    summary: str,
    description: str,
    missions: Sequence[str],
    visibility: str,
    join_policy: str,
    house_rules: str,
    stewards_use_two_factor: bool = False,
) -> Place:
    """Change how a place describes itself. The slug stays as it is, so links keep working."""
    place.name = name
    place.summary = summary
    place.description = description
    place.visibility = visibility
    place.join_policy = join_policy
    place.house_rules = house_rules
    place.stewards_use_two_factor = stewards_use_two_factor
    place.updated_at = timezone.now()
    place.save()
    _set_missions(place, missions)
    activity_record(
        place=place,
        actor=actor,
        kind="place",
        verb="updated",
        summary=f"{actor} updated the description of {place.name}",
        url=place.get_absolute_url(),
        target=place,
    )
    return place


# --- Joining -----------------------------------------------------------------------------------


def _record_join(membership: Membership, *, how: str = "joined") -> None:
    activity_record(
        place=membership.place,
        actor=membership.user,
        kind="member",
        verb="joined",
        summary=f"{membership.user} joined as {_labels(membership.perspectives)}"
        if how == "joined"
        else f"{membership.user} {how}, as {_labels(membership.perspectives)}",
        url=reverse(
            "places:member",
            kwargs={"slug": membership.place.slug, "membership_id": membership.pk},
        ),
        target=membership,
        perspectives=list(membership.perspectives),
    )


def _labels(perspectives: Iterable[str]) -> str:
    labels = [Perspective(p).label.lower() for p in perspectives]
    if len(labels) <= 1:
        return "".join(labels) or "a member"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _new_membership(
    *, place: Place, user: User, perspectives: Sequence[str], role: str = Role.MEMBER
) -> Membership:
    if Membership.objects.filter(place=place, user=user).exists():
        raise ServiceError(f"You are already a member of {place.name}.")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                place=place, user=user, perspectives=list(perspectives), role=role
            )
    except IntegrityError:  # a double submit racing itself
        raise ServiceError(f"You are already a member of {place.name}.") from None
    forget_membership(place)
    return membership


@transaction.atomic
def membership_join(*, place: Place, user: User, perspectives: Sequence[str]) -> Membership:
    """Join a public place that lets anyone join."""
    perspectives = _clean_perspectives(perspectives)
    if not place.is_public or place.join_policy != JoinPolicy.OPEN:
        raise ServiceError("This place does not let people join directly.")
    membership = _new_membership(place=place, user=user, perspectives=perspectives)
    _record_join(membership)
    return membership


@transaction.atomic
def join_request_create(
    *, place: Place, user: User, perspectives: Sequence[str], message: str = ""
) -> JoinRequest:
    """Ask the stewards of a public place to let you in; they are each emailed."""
    perspectives = _clean_perspectives(perspectives)
    if not place.is_public or place.join_policy != JoinPolicy.APPROVAL:
        raise ServiceError("This place does not take requests to join.")
    if Membership.objects.filter(place=place, user=user).exists():
        raise ServiceError(f"You are already a member of {place.name}.")
    if JoinRequest.objects.pending().filter(place=place, user=user).exists():
        raise ServiceError("You have already asked to join. A steward will reply soon.")
    join_request = JoinRequest.objects.create(
        place=place, user=user, perspectives=perspectives, message=message
    )
    stewards = (
        Membership.objects.stewards().filter(place=place).select_related("user").order_by("id")
    )
    url = absolute(reverse("places:requests", kwargs={"slug": place.slug}))
    for steward in stewards:
        _email(
            subject=f"{user} asks to join {place.name}",
            template="join_request",
            to=[steward.user.email],
            context={"place": place, "request": join_request, "person": user, "url": url},
        )
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, steward: User, approve: bool, reason: str = ""
) -> JoinRequest:
    """Approve (the person becomes a member) or decline a request; the person is emailed."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    place = join_request.place
    if join_request.status != JoinRequestStatus.PENDING:
        raise ServiceError("This request has already been answered.")
    join_request.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = steward
    join_request.reason = reason
    join_request.save()
    person = join_request.user
    if approve:
        if not Membership.objects.filter(place=place, user=person).exists():
            membership = _new_membership(
                place=place, user=person, perspectives=join_request.perspectives
            )
            _record_join(membership)
        url = absolute(place.get_absolute_url())
    else:
        url = absolute(reverse("home"))
    _email(
        subject=(
            f"Welcome to {place.name}"
            if approve
            else f"Your request to join {place.name} was not accepted"
        ),
        template="join_request_decided",
        to=[person.email],
        context={"place": place, "request": join_request, "approve": approve, "url": url},
    )
    return join_request


# --- Invitations -------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret part of an invitation link: the row's id and nonce, signed with SECRET_KEY.

    Why signed rather than a random token stored hashed: tasks take ids and load fresh rows
    (DESIGN.md), so the email task must be able to rebuild the link from the row. The row
    alone cannot make a link (that needs the secret key), a forged or altered token fails the
    signature, a resend replaces the nonce so older links die, and single use and expiry are
    decided by the row (``accepted_at``, ``expires_at``), not by the token.
    """
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return absolute(reverse("places:invitation", kwargs={"token": invitation_token(invitation)}))


class InvitationNotFound(Exception):
    """The token is forged, altered, or names no invitation (or an older, replaced link)."""


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token names. Its ``state`` says whether it can still be used."""
    max_age = INVITATION_LIFETIME * 4  # a backstop only: the row's expiry is the real limit
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:  # altered, forged, or older than any invitation can be
        raise InvitationNotFound from None
    if not isinstance(data, dict):
        raise InvitationNotFound
    invitation_id, nonce = data.get("i"), data.get("n")
    if not isinstance(invitation_id, int) or not isinstance(nonce, str):
        raise InvitationNotFound
    invitation = (
        Invitation.objects.select_related("place", "invited_by")
        .filter(pk=invitation_id, nonce=nonce)
        .first()
    )
    if invitation is None:
        raise InvitationNotFound
    return invitation


def publish_invitation(invitation_id: int) -> None:
    """Queue the invitation email. Never raises: the sweeper sends anything left unsent."""
    from .tasks import send_invitation

    try:
        send_invitation.apply_async(args=(invitation_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker being away must not break the request
        log.warning("could not queue invitation %s; the sweeper will send it", invitation_id)


@transaction.atomic
def invitation_create(
    *, place: Place, inviter: User, email: str, message: str = "", role: str = Role.MEMBER
) -> Invitation:
    """Invite someone by email. The email itself is sent by a task after commit."""
    email = email.strip().lower()
    if Membership.objects.filter(place=place, user__email__iexact=email).exists():
        raise ServiceError("That person is already a member of this place.", field="email")
    if Invitation.objects.pending().filter(place=place, email__iexact=email).exists():
        raise ServiceError(
            "That address already has an invitation waiting. You can send it again from the "
            "list of invitations below.",
            field="email",
        )
    invitation = Invitation.objects.create(
        place=place,
        email=email,
        message=message,
        role=role,
        invited_by=inviter,
        nonce=secrets.token_hex(16),
    )
    activity_record(
        place=place,
        actor=inviter,
        kind="member",
        verb="invited",
        summary=f"{inviter} invited someone new to join",
        target=invitation,
        visibility=Visibility.MEMBERS,
    )
    transaction.on_commit(lambda: publish_invitation(invitation.pk))
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, steward: User) -> Invitation:
    """Send a fresh link (valid for another 14 days); the old link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError("That invitation has already been accepted.")
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.revoked_at = None
    invitation.sent_at = None
    invitation.save(update_fields=["nonce", "expires_at", "revoked_at", "sent_at"])
    transaction.on_commit(lambda: publish_invitation(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, steward: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError("That invitation has already been accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_send_email(*, invitation_id: int) -> bool:
    """Write the invitation email to the outbox, once. Returns True if this call wrote it.

    The row is locked and stamped ``sent_at`` in the same transaction as the outbox row, so a
    second run (a retry, a sweeper) finds it stamped and does nothing.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("place", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at is not None or not invitation.is_usable:
        return False
    _email(
        subject=f"{invitation.invited_by or 'A steward'} invites you to join "
        f"{invitation.place.name}",
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "place": invitation.place,
            "url": invitation_url(invitation),
        },
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, perspectives: Sequence[str]
) -> Membership:
    """Accept an invitation: the person becomes a member and the inviter is emailed.

    The link works for whoever holds it and is signed in (people often have an account under
    another address); the inviter is told who accepted.
    """
    perspectives = _clean_perspectives(perspectives)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("place", "invited_by")
        .get(pk=invitation.pk)
    )
    if not invitation.is_usable:
        raise ServiceError("This invitation can no longer be used.")
    place = invitation.place
    membership = _new_membership(
        place=place, user=user, perspectives=perspectives, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _record_join(membership)
    notifications.notify_invitation_accepted(invitation=invitation, membership=membership)
    inviter = invitation.invited_by
    if inviter is not None and inviter.is_active:
        _email(
            subject=f"{user} accepted your invitation to {place.name}",
            template="invitation_accepted",
            to=[inviter.email],
            context={
                "invitation": invitation,
                "place": place,
                "person": user,
                "membership": membership,
                "url": absolute(
                    reverse(
                        "places:member",
                        kwargs={"slug": place.slug, "membership_id": membership.pk},
                    )
                ),
            },
        )
    return membership


# --- Members -------------------------------------------------------------------------------


def _lock_stewards(place: Place) -> list[Membership]:
    """Lock the place's steward rows so two stewards cannot both step down at once."""
    return list(Membership.objects.stewards().filter(place=place).select_for_update())


def _refuse_last_steward(membership: Membership, what: str) -> None:
    stewards = _lock_stewards(membership.place)
    if membership.is_steward and [s.pk for s in stewards] == [membership.pk]:
        raise ServiceError(
            f"You are the only steward of {membership.place.name}, so you cannot {what}. "
            "Make another member a steward first."
        )


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """Leave a place. The interests the member declared stay in the register."""
    _refuse_last_steward(membership, "leave")
    place, user = membership.place, membership.user
    activity_record(
        place=place,
        actor=user,
        kind="member",
        verb="left",
        summary=f"{user} left {place.name}",
        perspectives=list(membership.perspectives),
    )
    membership.delete()
    forget_membership(place)


@transaction.atomic
def membership_remove(*, membership: Membership, steward: User, reason: str = "") -> None:
    """A steward removes another member; the person is told by email, with the reason."""
    if membership.user_id == steward.pk:
        raise ServiceError("To remove yourself, leave the place instead.")
    place, person = membership.place, membership.user
    activity_record(
        place=place,
        actor=steward,
        kind="member",
        verb="removed",
        summary=f"{steward} removed {person} from the place",
        visibility=Visibility.MEMBERS,
    )
    membership.delete()
    forget_membership(place)
    _email(
        subject=f"You are no longer a member of {place.name}",
        template="member_removed",
        to=[person.email],
        context={"place": place, "steward": steward, "reason": reason},
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, steward: User, role: str) -> Membership:
    """Make a member a steward, or a steward a member (never the last steward)."""
    if role not in Role.values:
        raise ServiceError("Choose member or steward.", field="role")
    if role == membership.role:
        return membership
    if role == Role.MEMBER:
        what = "stop being a steward" if membership.user_id == steward.pk else "do that"
        _refuse_last_steward(membership, what)
    membership.role = role
    membership.save(update_fields=["role"])
    forget_membership(membership.place)
    activity_record(
        place=membership.place,
        actor=steward,
        kind="member",
        verb="role_changed",
        summary=(
            f"{membership.user} is now a steward"
            if role == Role.STEWARD
            else f"{membership.user} is no longer a steward"
        ),
        url=reverse(
            "places:member",
            kwargs={"slug": membership.place.slug, "membership_id": membership.pk},
        ),
        target=membership,
    )
    return membership


@transaction.atomic
def membership_set_perspectives(
    *, membership: Membership, perspectives: Sequence[str]
) -> Membership:
    perspectives = _clean_perspectives(perspectives)
    if perspectives == list(membership.perspectives):
        return membership
    membership.perspectives = perspectives
    membership.save(update_fields=["perspectives"])
    activity_record(
        place=membership.place,
        actor=membership.user,
        kind="member",
        verb="perspectives_changed",
        summary=f"{membership.user} now speaks as {_labels(perspectives)}",
        url=reverse(
            "places:member",
            kwargs={"slug": membership.place.slug, "membership_id": membership.pk},
        ),
        target=membership,
        perspectives=perspectives,
    )
    return membership


# --- Interests and power -------------------------------------------------------------------


def _member_page(place: Place, user: User) -> str:
    membership_id = (
        Membership.objects.filter(place=place, user=user).values_list("pk", flat=True).first()
    )
    if membership_id is None:
        return ""
    return reverse("places:member", kwargs={"slug": place.slug, "membership_id": membership_id})


@transaction.atomic
def interest_declare(
    *, place: Place, user: User, kind: str, description: str, since: date | None = None
) -> Interest:
    if not Membership.objects.filter(place=place, user=user).exists():
        raise ServiceError("Only members can declare interests in a place.")
    interest = Interest.objects.create(
        place=place, user=user, kind=kind, description=description, since=since
    )
    activity_record(
        place=place,
        actor=user,
        kind="interest",
        verb="declared",
        summary=f"{user} declared an interest ({interest.get_kind_display().lower()}): "
        f"{description}",
        url=_member_page(place, user),
        target=interest,
    )
    return interest


@transaction.atomic
def interest_withdraw(*, interest: Interest, user: User) -> Interest:
    """Mark an interest withdrawn. It stays in the register, dated."""
    interest = Interest.objects.select_for_update().get(pk=interest.pk)
    if interest.user_id != user.pk:
        raise ServiceError("You can only withdraw your own interests.")
    if interest.withdrawn_at is not None:
        return interest
    interest.withdrawn_at = timezone.now()
    interest.save(update_fields=["withdrawn_at"])
    activity_record(
        place=interest.place,
        actor=user,
        kind="interest",
        verb="withdrawn",
        summary=f"{user} withdrew an interest: {interest.description}",
        url=_member_page(interest.place, user),
        target=interest,
    )
    return interest


@transaction.atomic
def power_declare(
    *,
    place: Place,
    user: User,
    kind: str,
    description: str,
    amount: Decimal | None = None,
) -> Power:
    if not Membership.objects.filter(place=place, user=user).exists():
        raise ServiceError("Only members can record the power they hold in a place.")
    if kind == PowerKind.BUDGET and amount is None:
        raise ServiceError("Give the size of the budget, in pounds.", field="amount")
    if kind != PowerKind.BUDGET:
        amount = None
    power = Power.objects.create(
        place=place, user=user, kind=kind, description=description, amount=amount
    )
    what = power.get_kind_display().lower()
    if power.amount is not None:
        what = f"{what} of £{power.amount:,.0f}"
    activity_record(
        place=place,
        actor=user,
        kind="power",
        verb="declared",
        summary=f"{user} recorded a {what}: {description}",
        url=reverse("places:power_map", kwargs={"slug": place.slug}),
        target=power,
    )
    return power


@transaction.atomic
def power_withdraw(*, power: Power, user: User) -> Power:
    """Mark a power as no longer held. It stays on record, dated."""
    power = Power.objects.select_for_update().get(pk=power.pk)
    if power.user_id != user.pk:
        raise ServiceError("You can only change what you recorded yourself.")
    if power.withdrawn_at is not None:
        return power
    power.withdrawn_at = timezone.now()
    power.save(update_fields=["withdrawn_at"])
    activity_record(
        place=power.place,
        actor=user,
        kind="power",
        verb="withdrawn",
        summary=f"{user} no longer holds: {power.description}",
        url=reverse("places:power_map", kwargs={"slug": power.place.slug}),
        target=power,
    )
    return power


# --- Reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerspectiveCount:
    perspective: str
    label: str
    count: int
    percent: int  # of all members, rounded
    bar: int  # bar length in chart units, relative to the largest group

    @property
    def missing(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class WholeSystem:
    """Who is in the room: members per perspective, the missing ones included."""

    total_members: int
    rows: list[PerspectiveCount]

    # SVG geometry: labels on the left, bars from BAR_X, the count after each bar.
    BAR_X = 250
    BAR_MAX = 260
    ROW_HEIGHT = 30
    CHART_WIDTH = BAR_X + BAR_MAX + 90

    @property
    def missing(self) -> list[PerspectiveCount]:
        return [row for row in self.rows if row.missing]

    @property
    def present(self) -> list[PerspectiveCount]:
        return [row for row in self.rows if not row.missing]

    @property
    def chart_height(self) -> int:
        return self.ROW_HEIGHT * len(self.rows)

    def chart_rows(self) -> list[dict[str, Any]]:
        """Geometry for the SVG chart, so the template does no arithmetic."""
        return [
            {
                "row": row,
                "bar_x": self.BAR_X,
                "bar_y": i * self.ROW_HEIGHT + 6,
                "bar_width": row.bar if row.count else self.BAR_MAX // 4,
                "text_y": i * self.ROW_HEIGHT + 20,
                "count_x": self.BAR_X + (row.bar if row.count else self.BAR_MAX // 4) + 8,
            }
            for i, row in enumerate(self.rows)
        ]


def whole_system(place: Place) -> WholeSystem:
    """Count members per perspective, and all members, in one query (a member may speak from
    several perspectives, or none yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NULL, count(*) FROM places_membership WHERE place_id = %s "
            "UNION ALL "
            "SELECT p, count(*) FROM ("
            "  SELECT unnest(perspectives) AS p FROM places_membership WHERE place_id = %s"
            ") AS t GROUP BY p",
            [place.pk, place.pk],
        )
        counts = dict(cursor.fetchall())
    total = int(counts.pop(None))
    largest = max(counts.values(), default=0)
    rows = []
    for perspective in Perspective:
        n = int(counts.get(perspective.value, 0))
        rows.append(
            PerspectiveCount(
                perspective=perspective.value,
                label=perspective.label,
                count=n,
                percent=round(100 * n / total) if total else 0,
                bar=max(2, round(WholeSystem.BAR_MAX * n / largest)) if n else 0,
            )
        )
    return WholeSystem(total_members=total, rows=rows)


def directory_members(place: Place, *, perspective: str = "") -> QuerySet[Membership]:
    """The place's members for the directory, with their current interests prefetched."""
    members = Membership.objects.filter(place=place).select_related("user")
    if perspective:
        members = members.with_perspective(perspective)
    return members.prefetch_related(
        Prefetch(
            "user__interests",
            queryset=Interest.objects.current().filter(place=place).order_by("declared_at", "id"),
            to_attr="place_interests",
        ),
    ).order_by("user__display_name", "id")


def declared_interests(place: Place, user_ids: Iterable[int]) -> dict[int, list[Interest]]:
    """Current interests in the place for each of these people, in one query.

    For pages that show people deciding or allocating money (the governance issue): show
    ``declared_interests(place, ids)[person.pk]`` next to each name.
    """
    found: dict[int, list[Interest]] = {uid: [] for uid in user_ids}
    for interest in (
        Interest.objects.current()
        .filter(place=place, user_id__in=list(found))
        .order_by("declared_at", "id")
    ):
        found[interest.user_id].append(interest)
    return found


@dataclass(frozen=True)
class PowerMap:
    budgets: list[Power]
    duties: list[Power]
    decision_rights: list[Power]
    board_seats: list[Power]
    residents: list[Membership]

    @property
    def total_budget(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.budgets), Decimal(0))

    @property
    def is_empty(self) -> bool:
        return not (self.budgets or self.duties or self.decision_rights or self.board_seats)


def power_map(place: Place) -> PowerMap:
    """Who holds which budgets, duties, decision rights and seats, beside the residents.

    Each power gets ``membership_id`` (to link the holder's member page).

    Only power held by current members is shown; what they no longer hold stays on record on
    their member page.
    """
    members = {m.user_id: m for m in Membership.objects.filter(place=place).select_related("user")}
    powers = list(
        Power.objects.current()
        .filter(place=place, user_id__in=list(members))
        .select_related("user")
        .order_by("kind", "-amount", "id")
    )
    by_kind: dict[str, list[Power]] = {k.value: [] for k in PowerKind}
    for power in powers:
        power.membership_id = members[power.user_id].pk  # type: ignore[attr-defined]
        by_kind[power.kind].append(power)
    residents = sorted(
        (m for m in members.values() if Perspective.RESIDENT in m.perspectives),
        key=lambda m: (m.user.display_name, m.pk),
    )
    return PowerMap(
        budgets=by_kind[PowerKind.BUDGET],
        duties=by_kind[PowerKind.DUTY],
        decision_rights=by_kind[PowerKind.DECISION_RIGHT],
        board_seats=by_kind[PowerKind.BOARD_SEAT],
        residents=residents,
    )


def asks_for_two_factor(user: Any, place: Place, membership: Membership | None) -> bool:
    """True when this place asks its stewards for two-factor authentication and this steward
    has not turned it on yet."""
    return bool(
        place.stewards_use_two_factor
        and membership is not None
        and membership.is_steward
        and not is_mfa_enabled(user)
    )
