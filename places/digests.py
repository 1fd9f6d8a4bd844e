"""Email digests: what happened in a place, once per member per day or ISO week.

The rhythm
----------
Each member chooses per place: daily, weekly (the default) or never. A period is a calendar day
or an ISO week (Monday to Sunday) **in the member's time zone**; its digest is due at 08:00 local
on the day after it ends. A member's first digest covers the last whole period before it is
sent; someone who joins mid-week first hears about the week they joined.

Once only
---------
Beat runs :func:`digests_fan_out` (every ``DIGEST_RUN_SECONDS``): it finds each due member whose
digest for the due period has no :class:`~places.models.Digest` row yet and hands them out in
batches of ``DIGEST_BATCH_SIZE`` to ``build_digests`` tasks. A batch, in one transaction,
**claims** its members' digest keys (``INSERT … ON CONFLICT DO NOTHING``, so a key is claimed by
one batch however many beats or workers race), builds only the claimed digests, and writes their
emails to the outbox with the same key and a Message-ID fixed by the key. A batch killed half
way rolls back whole: its keys are free again, and the next run hands them out again. Sending is
the outbox's business (locked per message, retried with backoff, marked failed after the last
try).

Batched
-------
The queries of a batch do not depend on its size: the members (one query), the claim (two), the
period's activity (one), hidden contributions (one per flaggable kind), scoped items (one per
distinct scope, with the registry's ``audience``), upcoming gatherings (one), the outbox rows
(one insert). Members who may see the same items get the same rendered digest: the templates are
rendered once per distinct set, and only the greeting and the unsubscribe link differ.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from .models import (
    DEFAULT_FREQUENCY,
    Activity,
    Digest,
    DigestPreference,
    Frequency,
    Gathering,
    GatheringStatus,
    Membership,
    OutboxKind,
    OutboxMessage,
    Perspective,
    Place,
    Visibility,
)
from .registry import DigestSection, Registry, registry

log = logging.getLogger(__name__)

DIGEST_HOUR = time(8, 0)
DEFAULT_TIME_ZONE = "Europe/London"
ITEMS_PER_GROUP = 5
UPCOMING_DAYS = 14
UPCOMING_LIMIT = 5
# Per-member parts of a rendered digest, replaced after rendering once per audience.
NAME_SLOT = "\x00RECIPIENT\x00"
UNSUBSCRIBE_SLOT = "\x00UNSUBSCRIBE\x00"


def zone(name: str | None) -> ZoneInfo:
    """The person's time zone; an unknown name falls back to Europe/London."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def batch_size() -> int:
    return int(getattr(settings, "DIGEST_BATCH_SIZE", 200))


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A day or an ISO week in one time zone, and when its digest is due."""

    frequency: str
    name: str  # "2026-02-14" or "2026-W07": the key names the period in the member's calendar
    first_day: date
    days: int
    tz: ZoneInfo

    @cached_property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=self.tz)

    @cached_property
    def end(self) -> datetime:
        return datetime.combine(self.first_day + timedelta(days=self.days), time(0), tzinfo=self.tz)

    @cached_property
    def send_at(self) -> datetime:
        return datetime.combine(
            self.first_day + timedelta(days=self.days), DIGEST_HOUR, tzinfo=self.tz
        )

    @property
    def label(self) -> str:
        """'Saturday 14 February 2026' or '9 to 15 February 2026'."""
        first = self.first_day
        if self.days == 1:
            return f"{first:%A} {first.day} {first:%B %Y}"
        last = first + timedelta(days=self.days - 1)
        if first.month == last.month:
            return f"{first.day} to {last.day} {last:%B %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%B} to {last.day} {last:%B %Y}"
        return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def period_containing(frequency: str, day: date, tz: ZoneInfo) -> Period:
    if frequency == Frequency.DAILY:
        return Period(frequency, day.isoformat(), day, 1, tz)
    if frequency == Frequency.WEEKLY:
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return Period(frequency, f"{year}-W{week:02d}", monday, 7, tz)
    raise ValueError(f"no digest period for {frequency!r}")


def period_named(frequency: str, name: str, tz: ZoneInfo) -> Period:
    """The period a key names (``2026-W07`` or ``2026-02-14``). Raises ValueError if malformed."""
    if frequency == Frequency.WEEKLY:
        year, _, week = name.partition("-W")
        return period_containing(frequency, date.fromisocalendar(int(year), int(week), 1), tz)
    return period_containing(frequency, date.fromisoformat(name), tz)


def last_due_period(frequency: str, tz: ZoneInfo, now: datetime) -> Period:
    """The latest whole period whose digest is due by ``now`` (08:00 local the day after)."""
    today = now.astimezone(tz).date()
    step = 1 if frequency == Frequency.DAILY else 7
    period = period_containing(frequency, today - timedelta(days=step), tz)
    if period.send_at > now:
        period = period_containing(frequency, today - timedelta(days=2 * step), tz)
    return period


def digest_key(*, place_id: int, user_id: int, period: Period) -> str:
    return f"digest:{place_id}:{user_id}:{period.frequency}:{period.name}"


# --- Who is due -------------------------------------------------------------------------------


def _frequency_subquery() -> Any:
    chosen = DigestPreference.objects.filter(
        user_id=OuterRef("user_id"), place_id=OuterRef("place_id")
    ).values("frequency")[:1]
    return Coalesce(Subquery(chosen), Value(str(DEFAULT_FREQUENCY)))


def _receiving_members() -> Any:
    """Memberships of active people with a confirmed address, with their digest frequency."""
    return (
        Membership.objects.filter(user__is_active=True)
        .annotate(
            digest_frequency=_frequency_subquery(),
            confirmed=Exists(
                EmailAddress.objects.filter(user_id=OuterRef("user_id"), verified=True)
            ),
        )
        .filter(confirmed=True)
        .exclude(digest_frequency=Frequency.NEVER)
    )


@dataclass(frozen=True)
class BatchSpec:
    place_id: int
    frequency: str
    time_zone: str
    period: str
    user_ids: tuple[int, ...]


def due_batches(*, now: datetime | None = None, size: int | None = None) -> list[BatchSpec]:
    """Every member whose digest is due and not yet claimed, in batches of one place, frequency,
    time zone and period (sorted, so two runs at once cut the same batches)."""
    now = now or timezone.now()
    size = size or batch_size()
    periods: dict[tuple[str, str], Period] = {}
    due: dict[str, tuple[tuple[int, str, str, str], int]] = {}
    rows = _receiving_members().values_list(
        "place_id", "user_id", "user__time_zone", "digest_frequency", "joined_at"
    )
    for place_id, user_id, tz_name, frequency, joined_at in rows.iterator(chunk_size=5000):
        tz_name = tz_name or DEFAULT_TIME_ZONE
        period = periods.get((frequency, tz_name))
        if period is None:
            period = periods[(frequency, tz_name)] = last_due_period(frequency, zone(tz_name), now)
        if joined_at > period.send_at:
            continue  # joined since: their first digest is the next one
        key = digest_key(place_id=place_id, user_id=user_id, period=period)
        due[key] = ((place_id, frequency, tz_name, period.name), user_id)
    keys = list(due)
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        for taken in Digest.objects.filter(key__in=chunk).values_list("key", flat=True):
            due.pop(taken, None)
    groups: dict[tuple[int, str, str, str], list[int]] = defaultdict(list)
    for group, user_id in due.values():
        groups[group].append(user_id)
    batches = []
    for (place_id, frequency, tz_name, period_name), user_ids in sorted(groups.items()):
        user_ids.sort()
        for start in range(0, len(user_ids), size):
            batches.append(
                BatchSpec(
                    place_id, frequency, tz_name, period_name, tuple(user_ids[start : start + size])
                )
            )
    return batches


def digests_fan_out(*, now: datetime | None = None) -> int:
    """Beat's digest run: queue one ``build_digests`` task per due batch. Returns how many."""
    from .tasks import build_digests

    batches = due_batches(now=now)
    for batch in batches:
        build_digests.apply_async(
            args=(
                batch.place_id,
                batch.frequency,
                batch.time_zone,
                batch.period,
                list(batch.user_ids),
            )
        )
    if batches:
        log.info("queued %d digest batches", len(batches))
    return len(batches)


# --- Building -----------------------------------------------------------------------------------


@dataclass
class Item:
    text: str
    url: str
    when: datetime


@dataclass
class Group:
    label: str
    items: list[Item]
    total: int
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Section:
    key: str
    title: str
    groups: list[Group] = field(default_factory=list)
    upcoming: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(g.total for g in self.groups)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    messages: list[OutboxMessage] = field(default_factory=list)


OTHER_SECTION = DigestSection(key="other", title="Also in this place", activity_kinds=(), order=999)


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def _sections_for(
    place: Place,
    activities: Sequence[Activity],
    *,
    tz: ZoneInfo,
    upcoming: dict[str, list[Any]],
    reg: Registry,
) -> list[Section]:
    """Group what a member may see into the registered sections, newest first in each group."""
    registered = reg.digest_sections()
    by_kind: dict[str, DigestSection] = {}
    for registered_section in registered:
        for kind in registered_section.activity_kinds:
            by_kind.setdefault(kind, registered_section)
    buckets: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        buckets[by_kind.get(activity.kind, OTHER_SECTION).key].append(activity)
    timeline = _absolute(place.get_absolute_url())
    sections: list[Section] = []
    for spec in [*registered, OTHER_SECTION]:
        rows = buckets.get(spec.key, [])
        section = Section(key=spec.key, title=spec.title, upcoming=upcoming.get(spec.key, []))
        grouped: dict[str, list[Activity]] = defaultdict(list)
        for activity in rows:  # already newest first
            grouped[spec.group(activity) if spec.group else ""].append(activity)
        for label, members in grouped.items():
            kinds = {a.kind for a in members}
            more_url = f"{timeline}?kind={next(iter(kinds))}" if len(kinds) == 1 else timeline
            section.groups.append(
                Group(
                    label=label,
                    items=[
                        Item(
                            text=a.summary,
                            url=_absolute(a.url or place.get_absolute_url()),
                            when=a.created_at,
                        )
                        for a in members[:ITEMS_PER_GROUP]
                    ],
                    total=len(members),
                    more_url=more_url,
                )
            )
        if section.groups or section.upcoming:
            sections.append(section)
    return sections


def _hidden_removed(activities: list[Activity], reg: Registry) -> list[Activity]:
    """Leave out items whose contribution a steward has hidden (one query per flaggable kind)."""
    from .timeline import _mark_hidden

    _mark_hidden(activities, reg=reg)
    return [a for a in activities if not getattr(a, "target_hidden", False)]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    items: int


def _render(place: Place, period: Period, sections: list[Section], items: int) -> Rendered:
    word = "daily" if period.frequency == Frequency.DAILY else "weekly"
    subject = f"{place.name}: your {word} digest for {period.label}"
    context = {
        "place": place,
        "place_url": _absolute(place.get_absolute_url()),
        "preferences_url": _absolute(reverse("preferences")),
        "period": period,
        "word": word,
        "sections": sections,
        "items": items,
        "name_slot": NAME_SLOT,
        "unsubscribe_slot": UNSUBSCRIBE_SLOT,
        "site_url": settings.SITE_URL,
    }
    # Times in the member's own time zone (the batch is of one zone).
    with timezone.override(period.tz):
        return Rendered(
            subject=subject,
            text=render_to_string("email/digest.txt", context),
            html=render_to_string("email/digest.html", context),
            items=items,
        )


def _upcoming(place: Place, now: datetime, reg: Registry) -> dict[str, list[Any]]:
    return {
        section.key: section.upcoming(place, now)
        for section in reg.digest_sections()
        if section.upcoming is not None
    }


@transaction.atomic
def digest_batch_build(
    *,
    place_id: int,
    frequency: str,
    time_zone: str,
    period: str,
    user_ids: Iterable[int],
    now: datetime | None = None,
    reg: Registry = registry,
) -> BatchResult:
    """Claim, build and queue the digests of one batch of members (see the module docstring)."""
    from .outbox import outbox_add_many
    from .unsubscribe import headers_for, url_for

    result = BatchResult()
    now = now or timezone.now()
    tz = zone(time_zone)
    the_period = period_named(frequency, period, tz)
    place = Place.objects.filter(pk=place_id).first()
    if place is None:
        return result
    # Who is still a member, still wants this frequency and has a confirmed address.
    members = list(
        _receiving_members()
        .filter(place=place, user_id__in=list(user_ids), digest_frequency=frequency)
        .select_related("user")
    )
    if not members:
        return result
    keys = {
        m.user_id: digest_key(place_id=place.pk, user_id=m.user_id, period=the_period)
        for m in members
    }
    claim = uuid.uuid4().hex
    Digest.objects.bulk_create(
        [
            Digest(
                key=keys[m.user_id],
                user_id=m.user_id,
                place=place,
                frequency=frequency,
                period=the_period.name,
                period_start=the_period.start,
                period_end=the_period.end,
                items=0,
                claim=claim,
            )
            for m in members
        ],
        ignore_conflicts=True,
    )
    mine = set(
        Digest.objects.filter(key__in=list(keys.values()), claim=claim).values_list(
            "user_id", flat=True
        )
    )
    result.claimed = len(mine)
    result.skipped = len(members) - len(mine)
    members = [m for m in members if m.user_id in mine]
    if not members:
        return result

    activities = list(
        Activity.objects.filter(
            place=place, created_at__gte=the_period.start, created_at__lt=the_period.end
        )
        .exclude(visibility=Visibility.SCOPED, scope="")
        .only(
            "id", "kind", "verb", "summary", "url", "visibility", "scope", "perspectives",
            "created_at", "target_type_id", "target_id", "place_id",
        )
        .order_by("-created_at", "-id")
    )  # fmt: skip
    activities = _hidden_removed(activities, reg)
    users = [m.user for m in members]
    scopes = sorted({a.scope for a in activities if a.visibility == Visibility.SCOPED})
    audience = {scope: reg.scope_audience(place, scope, users) for scope in scopes}
    upcoming = _upcoming(place, now, reg)

    # Members who may see the same scopes get the same digest: render once per such set.
    rendered: dict[frozenset[str], Rendered] = {}
    outbox_rows: list[OutboxMessage] = []
    counts: dict[int, list[int]] = defaultdict(list)
    for member in members:
        seen = frozenset(s for s in scopes if member.user_id in audience[s])
        digest = rendered.get(seen)
        if digest is None:
            visible = [
                a for a in activities if a.visibility != Visibility.SCOPED or a.scope in seen
            ]
            sections = _sections_for(place, visible, tz=tz, upcoming=upcoming, reg=reg)
            digest = rendered[seen] = _render(place, the_period, sections, len(visible))
        counts[digest.items].append(member.user_id)
        if not digest.items:
            result.empty += 1
            continue
        user = member.user
        topic = f"digest:{place.pk}"
        unsubscribe = url_for(user, topic)
        name = user.display_name or user.email
        outbox_rows.append(
            OutboxMessage(
                key=keys[member.user_id],
                kind=OutboxKind.DIGEST,
                place=place,
                recipient=user,
                subject=digest.subject,
                body=digest.text.replace(NAME_SLOT, name).replace(UNSUBSCRIBE_SLOT, unsubscribe),
                html=digest.html.replace(NAME_SLOT, escape(name)).replace(
                    UNSUBSCRIBE_SLOT, unsubscribe
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
                # RFC 3834: no out-of-office replies to a digest.
                headers={
                    **headers_for(user, topic, url=unsubscribe),
                    "Auto-Submitted": "auto-generated",
                },
            )
        )
    for items, ids in counts.items():
        if items:
            Digest.objects.filter(claim=claim, user_id__in=ids).update(items=items)
    result.messages = outbox_add_many(outbox_rows)
    result.sent = len(result.messages)
    return result


# --- Preferences ------------------------------------------------------------------------------


def digest_frequencies(user: Any, places: Sequence[Place]) -> dict[int, str]:
    """The person's digest frequency for each place (the default where they have not chosen)."""
    chosen = dict(
        DigestPreference.objects.filter(user=user, place__in=list(places)).values_list(
            "place_id", "frequency"
        )
    )
    return {place.pk: chosen.get(place.pk, str(DEFAULT_FREQUENCY)) for place in places}


def digest_preference_set(*, user: Any, place: Place, frequency: str) -> DigestPreference:
    Frequency(frequency)  # ValueError for anything else
    preference, _ = DigestPreference.objects.update_or_create(
        user=user, place=place, defaults={"frequency": frequency, "updated_at": timezone.now()}
    )
    return preference


# --- Registration -------------------------------------------------------------------------------


def _member_group(activity: Activity) -> str:
    if activity.verb == "joined" and activity.perspectives:
        try:
            label = Perspective(activity.perspectives[0]).label
        except ValueError:
            label = activity.perspectives[0]
        return f"Joined as {label.lower()}"
    if activity.verb == "joined":
        return "Joined"
    return "Other changes"


@dataclass(frozen=True)
class Upcoming:
    text: str
    url: str
    when: datetime


def _gatherings_coming_up(place: Place, now: datetime) -> list[Upcoming]:
    gatherings = Gathering.objects.filter(
        place=place,
        status=GatheringStatus.SCHEDULED,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
    )
    if hasattr(Gathering, "hidden_at"):
        gatherings = gatherings.filter(hidden_at__isnull=True)
    return [
        Upcoming(
            text=g.title,
            url=_absolute(reverse("places:gathering", kwargs={"slug": place.slug, "pk": g.pk})),
            when=g.starts_at,
        )
        for g in gatherings.order_by("starts_at", "id")[:UPCOMING_LIMIT]
    ]


def _place_named(rest: str) -> Place | None:
    return Place.objects.filter(pk=int(rest)).first() if rest.isdigit() else None


def _describe_digest(user: Any, rest: str) -> str | None:
    place = _place_named(rest)
    if place is None:
        return None
    return f"the email digest of {place.name}"


def _stop_digest(user: Any, rest: str) -> None:
    place = _place_named(rest)
    if place is not None:
        digest_preference_set(user=user, place=place, frequency=Frequency.NEVER)


# --- Demo ---------------------------------------------------------------------------------------

#: Demo members' digest choices (email name → frequency); everyone else keeps the weekly default.
DEMO_FREQUENCIES = {
    "steward": Frequency.DAILY,
    "frontline": Frequency.DAILY,
    "commissioner": Frequency.WEEKLY,
    "resident": Frequency.WEEKLY,
    "centre": Frequency.NEVER,
}


def _seed_demo(place: Place, result: Any) -> None:
    """Digest choices for the demo's people, and something in the demo place's last whole day
    and week, so that under ``make run`` the first digests reach ``var/mail/`` within a minute
    or two (beat looks every 30 seconds with DEBUG on). Idempotent: it adds a gathering only to
    a period that has nothing in it yet, so a demo run on a later day keeps the rhythm going."""
    from .demo import DEMO_DOMAIN
    from .gatherings import gathering_arrange
    from .models import GatheringKind, Membership

    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(
            place=place, user__email__endswith=f"@{DEMO_DOMAIN}"
        ).select_related("user")
    }
    for name, frequency in DEMO_FREQUENCIES.items():
        membership = members.get(name)
        if membership is not None:
            DigestPreference.objects.get_or_create(
                user=membership.user, place=place, defaults={"frequency": frequency}
            )
    organiser = members.get("steward")
    if organiser is None:
        return
    now = timezone.now()
    tz = zone(organiser.user.time_zone)
    demo_gatherings = {
        Frequency.WEEKLY: ("Coffee morning at the community centre", 6),
        Frequency.DAILY: ("Walk and talk along the river", 9),
    }
    for frequency, (title, days_ahead) in demo_gatherings.items():
        period = last_due_period(frequency, tz, now)
        if Activity.objects.filter(
            place=place, created_at__gte=period.start, created_at__lt=period.end
        ).exists():
            continue
        when = period.start + timedelta(hours=11)
        starts = (
            (now + timedelta(days=days_ahead))
            .astimezone(tz)
            .replace(hour=10, minute=30, second=0, microsecond=0)
        )
        gathering = gathering_arrange(
            place=place,
            organiser=organiser.user,
            kind=GatheringKind.TEA,
            title=title,
            purpose="A cup of tea and a catch-up: what has changed on the estates this month?",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            location="Kirkby Vale Community Centre, Station Road",
        )
        Gathering.objects.filter(pk=gathering.pk).update(created_at=when, updated_at=when)
        Activity.objects.filter(kind="gathering", target_id=gathering.pk).update(created_at=when)


def _export(user: Any) -> dict[str, Any]:
    """The person's notifications, mentions and email choices (UK GDPR access)."""
    from .models import Mention, Notification, NotificationPreference

    return {
        "notifications": [
            {
                "text": n.text,
                "url": n.url,
                "kind": n.kind,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "id")
        ],
        "mentioned_in": [
            {"place": m.place.slug, "where": m.source_key, "at": m.created_at.isoformat()}
            for m in Mention.objects.filter(user=user).select_related("place")
        ],
        "digest_frequencies": {
            p.place.slug: p.frequency
            for p in DigestPreference.objects.filter(user=user).select_related("place")
        },
        "notification_emails": (
            NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
            or {}
        ),
        "time_zone": getattr(user, "time_zone", DEFAULT_TIME_ZONE),
    }


def _erase(user: Any) -> None:
    """Notifications, mentions and email choices are the person's own: they go. Digest records
    stay without personal content (they only say a digest was sent)."""
    from .models import Mention, Notification, NotificationPreference

    Notification.objects.filter(recipient=user).delete()
    Mention.objects.filter(user=user).delete()
    DigestPreference.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()


def _purge(now: datetime) -> dict[str, int]:
    """Digest records (the once-only keys of sent digests), ``RETAIN_DELIVERY_DAYS`` after they
    were made: by then their period is long past, so no digest is built for it again."""
    before = now - timedelta(days=settings.RETAIN_DELIVERY_DAYS)
    deleted, _ = Digest.objects.filter(created_at__lt=before).delete()
    return {"digests": deleted}


def register(reg: Registry) -> None:
    """The rhythm's own registrations (called from ``PlacesConfig.ready``)."""
    from . import notifications, unsubscribe

    if "places.members" not in reg.digest_sections_by_key:
        reg.register_digest_section(
            "places.members",
            title="People",
            activity_kinds=["member"],
            order=10,
            group=_member_group,
        )
    if "places.coming_up" not in reg.digest_sections_by_key:
        reg.register_digest_section(
            "places.coming_up",
            title="Gatherings coming up",
            activity_kinds=[],
            order=25,
            upcoming=_gatherings_coming_up,
        )
    if "places.rhythm" not in reg.demo_seeders:
        reg.register_demo_seeder("places.rhythm", _seed_demo)
    if "places.rhythm" not in reg.data_handlers:
        reg.register_data_handler(
            "places.rhythm",
            export=_export,
            erase=_erase,
            purge=_purge,
            models=(
                "places.Notification", "places.Mention", "places.DigestPreference",
                "places.NotificationPreference", "places.Digest",
            ),
        )  # fmt: skip
    unsubscribe.register_topic("digest", describe=_describe_digest, apply=_stop_digest)
    unsubscribe.register_topic(
        "notify", describe=notifications.describe_topic, apply=notifications.stop_topic
    )


__all__ = [
    "BatchResult",
    "Period",
    "digest_batch_build",
    "digests_fan_out",
    "due_batches",
    "last_due_period",
    "period_named",
]
