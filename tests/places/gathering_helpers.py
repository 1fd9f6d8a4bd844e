"""Small builders shared by the gatherings, calendar, timeline and flags tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from places.gatherings import gathering_arrange
from places.models import Gathering, GatheringKind, Place


def soon(days: int = 7, hour: int = 18) -> datetime:
    """A whole hour some days from now, in UK time."""
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def arrange(place: Place, organiser: Any, *, days: int = 7, **fields: Any) -> Gathering:
    starts = fields.pop("starts_at", soon(days))
    values: dict[str, Any] = {
        "kind": GatheringKind.TEA,
        "title": "Tea at the Old Library",
        "purpose": "Get to know each other and talk about what matters on the estate.",
        "starts_at": starts,
        "ends_at": fields.pop("ends_at", starts + timedelta(hours=2)),
        "location": "The Old Library, Church Street",
        "online_url": "",
        "agenda": "Introductions\nWhat is working\nWhat is not",
    }
    values.update(fields)
    return gathering_arrange(place=place, organiser=organiser, **values)


def form_data(**overrides: Any) -> dict[str, Any]:
    starts = soon(10)
    data = {
        "kind": "learning",
        "title": "What we learnt from the hub pilot",
        "purpose": "Look at the stories and the numbers together.",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1, minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Community hub, Mill Lane",
        "online_url": "",
        "agenda": "",
    }
    data.update(overrides)
    return data
