"""Reflection periods and when a participant's prompt for one falls due.

* weekly: the ISO week (``2026-W07``);
* fortnightly: pairs of weeks counted from the day the cycle began testing (``F-0``, ``F-1``…);
* monthly: the calendar month (``2026-03``).

All in the participant's own time zone. A prompt for a period is due at the first 08:00 (local)
inside the period that is not before the cycle began testing; if that falls after the period
ends, the period is skipped (the cycle began testing on its last evening).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Rhythm

PROMPT_HOUR = time(8, 0)
DEFAULT_TIME_ZONE = "Europe/London"


def zone(name: str | None) -> ZoneInfo:
    """The person's time zone; an unknown name falls back to Europe/London."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


@dataclass(frozen=True)
class Period:
    key: str
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_for(rhythm: str, day: date, *, testing_began: date) -> Period | None:
    """The period of this rhythm that contains ``day`` (None for no rhythm, or a day before
    the cycle began testing for a fortnightly one)."""
    if rhythm == Rhythm.WEEKLY:
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(f"{year}-W{week:02d}", start, start + timedelta(days=6))
    if rhythm == Rhythm.MONTHLY:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(f"{day:%Y-%m}", start, following - timedelta(days=1))
    if rhythm == Rhythm.FORTNIGHTLY:
        elapsed = (day - testing_began).days
        if elapsed < 0:
            return None
        number = elapsed // 14
        start = testing_began + timedelta(days=number * 14)
        return Period(f"F-{number}", start, start + timedelta(days=13))
    return None


def due_at(period: Period, *, tz: ZoneInfo, testing_started_at: datetime) -> datetime | None:
    """When this period's prompt falls due, or None if the period has no 08:00 to use."""
    began = testing_started_at.astimezone(tz)
    first_day = max(period.start, began.date())
    candidate = datetime.combine(first_day, PROMPT_HOUR, tzinfo=tz)
    if candidate < began:
        candidate = datetime.combine(first_day + timedelta(days=1), PROMPT_HOUR, tzinfo=tz)
    if candidate.date() > period.end:
        return None
    return candidate


def current_due_period(
    rhythm: str, *, now: datetime, tz_name: str | None, testing_started_at: datetime | None
) -> Period | None:
    """The period whose prompt is due for a participant now, or None if nothing is due yet."""
    if testing_started_at is None or rhythm == Rhythm.NONE:
        return None
    tz = zone(tz_name)
    local_now = now.astimezone(tz)
    began = testing_started_at.astimezone(tz).date()
    period = period_for(rhythm, local_now.date(), testing_began=began)
    if period is None:
        return None
    moment = due_at(period, tz=tz, testing_started_at=testing_started_at)
    if moment is None or now < moment:
        return None
    return period


def answer_window(rhythm: str) -> timedelta:
    """How long a prompt's link stays usable: its period's length, at least a week."""
    return {
        Rhythm.WEEKLY: timedelta(days=7),
        Rhythm.FORTNIGHTLY: timedelta(days=14),
        Rhythm.MONTHLY: timedelta(days=31),
    }.get(Rhythm(rhythm), timedelta(days=7))
