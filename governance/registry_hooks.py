"""How governance shows up in places, through ``places.registry`` (``places`` never imports us).

Registered from :meth:`governance.apps.GovernanceConfig.ready`:

* the "Recent decisions" panel on the place home;
* inputs as flaggable content;
* the activity kinds ``decision``, ``decision_input`` and ``implementation`` and their digest
  section (with decisions whose input closes soon as "coming up");
* the notification kinds people are told about;
* the demo seeder, and the person's data export, erasure and consent withdrawal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from places.models import Place
from places.registry import FlaggableKind, Registry, _default_hide, _default_unhide

from .models import Input

ACTIVITY_KINDS = {
    "decision": "Decisions",
    "decision_input": "Input on decisions",
    "implementation": "Following decisions through",
}

PANEL_SIZE = 5
UPCOMING_DAYS = 14


def recent_decisions_context(request: HttpRequest, place: Place) -> dict[str, Any]:
    """Two queries whatever the size of the place (the decisions, the open count), none while
    they are kept in the cache (the same for every reader: places.parts); may-create is the
    reader's own."""
    from places.parts import place_part

    from .permissions import can_create_decision

    decisions, open_count = place_part(place, "recent-decisions", lambda: _recent(place))
    for decision in decisions:
        decision.place = place  # no query per row for its address
    return {
        "decisions": decisions,
        "open_count": open_count,
        "may_create": can_create_decision(request.user, place),
    }


def recent_decisions_reader(request: HttpRequest, place: Place) -> bool:
    """All the panel shows that depends on the reader: the link to draft a decision."""
    from .permissions import can_create_decision

    return can_create_decision(request.user, place)


def _recent(place: Place) -> tuple[list[Any], int]:
    """The latest decisions and, in the same query, how many are open (an open decision is
    published and not rescinded, so with none listed there is none open)."""
    from django.db.models import Count, Subquery
    from django.db.models.functions import Coalesce

    from .models import Decision, Status

    open_count = (
        Decision.objects.for_place(place)
        .open()
        .order_by()
        .values("place")
        .annotate(n=Count("id"))
        .values("n")
    )
    decisions = list(
        Decision.objects.for_place(place)
        .published()
        .exclude(status=Status.RESCINDED)
        .annotate(open_total=Coalesce(Subquery(open_count), 0))
        .order_by("-updated_at", "-id")[:PANEL_SIZE]
    )
    return decisions, (decisions[0].open_total if decisions else 0)


class _Upcoming:
    def __init__(self, text: str, url: str, when: datetime) -> None:
        self.text, self.url, self.when = text, url, when


def closing_soon(place: Place, now: datetime) -> list[Any]:
    """Open decisions whose input closes in the next fortnight, for the digest."""
    from .models import Decision

    today = timezone.localdate(now)
    rows = (
        Decision.objects.for_place(place)
        .open()
        .filter(
            input_closes_on__gte=today, input_closes_on__lte=today + timedelta(days=UPCOMING_DAYS)
        )
        .order_by("input_closes_on", "id")[:5]
    )
    items = []
    for decision in rows:
        decision.place = place
        if decision.input_closes_on is None:
            continue
        closes = timezone.make_aware(
            datetime.combine(decision.input_closes_on, datetime.max.time().replace(microsecond=0))
        )
        items.append(
            _Upcoming(
                text=f"Input closes on “{decision.title}”",
                url=f"{settings.SITE_URL}{decision.get_absolute_url()}",
                when=closes,
            )
        )
    return items


def _hide(item: Input, *, reason: str, by: Any) -> None:
    """Hiding is a change to the input: its history row names the steward who did it."""
    from .history import acting

    with acting(by):
        _default_hide(item, reason=reason, by=by)


def _unhide(item: Input, *, by: Any) -> None:
    from .history import acting

    with acting(by):
        _default_unhide(item, by=by)


INPUT_FLAGGABLE = FlaggableKind(
    key="decision_input",
    label="input on a decision",
    model=Input,
    author=lambda item: item.author,
    excerpt=lambda item: item.excerpt,
    place=lambda item: item.decision.place,
    hide=_hide,
    unhide=_unhide,
    place_lookup="decision__place",
)


def seed_demo(place: Place, result: Any) -> None:
    from .demo import seed_governance

    seed_governance(place, result)


def register(registry: Registry) -> None:
    from learning.panels import CyclePanel, register_cycle_panel

    register_cycle_panel(
        CyclePanel("decisions", "governance/_cycle_decisions.html", same_for_everyone=True)
    )
    from places.notifications import register_kind

    from . import data_rights

    registry.register_panel(
        "governance",
        title="Recent decisions",
        template="governance/_panel.html",
        context=recent_decisions_context,
        order=30,
        reader=recent_decisions_reader,
    )
    registry.register_flaggable(INPUT_FLAGGABLE)
    for kind, label in ACTIVITY_KINDS.items():
        registry.register_activity_kind(kind, label)
    registry.register_digest_section(
        "governance",
        title="Decisions",
        activity_kinds=tuple(ACTIVITY_KINDS),
        order=40,
        upcoming=closing_soon,
    )
    registry.register_demo_seeder("governance", seed_demo)
    registry.register_data_handler(
        "governance",
        export=data_rights.export,
        erase=data_rights.erase,
        redact=data_rights.redact,
        models=data_rights.MODELS,
    )
    register_kind("decision_named", "You are named as a decider", email_default=True)
    register_kind("decision_response", "Your input on a decision gets a response")
    register_kind("decision_owner", "A decision is handed to you", email_default=True)
    register_kind("decision_review_due", "A decision you own is due for review")
    register_kind(
        "decision_input", "Someone gives input on a decision you own", email_default=False
    )
