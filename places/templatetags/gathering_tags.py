"""Template helpers for gatherings: ``{% load gathering_tags %}``."""

from __future__ import annotations

from datetime import datetime

from django import template

from places.gatherings import uk_time

register = template.Library()


@register.filter(name="uk_time")
def uk_time_filter(value: datetime | None) -> str:
    """``{{ gathering.starts_at|uk_time }}`` → "6pm", "6:30pm", "midday" (GOV.UK style)."""
    return uk_time(value) if value else ""
