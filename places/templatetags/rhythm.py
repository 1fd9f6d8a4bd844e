"""Template helpers for the rhythm: ``{% load rhythm %}``.

* ``{% notification_badge %}`` — the header's link to the notifications page with the unread
  count, refreshed by htmx (every ``NOTIFICATION_POLL_SECONDS``, and whenever a page says
  notifications changed).
* ``{{ text|mentions:place }}`` — writing with mentions, as paragraphs with links to members.
* ``{{ text|mentions_plain }}`` — the same as plain text (``@Priya Shah``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString

from places import mentions
from places.notifications import unread_count

register = template.Library()


def badge_context(user: Any) -> dict[str, Any]:
    unread = unread_count(user)
    return {
        "unread": unread,
        "unread_display": "99+" if unread > 99 else str(unread),
        "poll_seconds": int(getattr(settings, "NOTIFICATION_POLL_SECONDS", 30)),
    }


@register.inclusion_tag("places/notifications_badge.html", takes_context=True)
def notification_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return badge_context(user)


@register.filter(name="mentions")
def mentions_filter(text: str | None, place: Any) -> SafeString:
    return mentions.render_html(place, text or "")


@register.filter(name="mentions_plain")
def mentions_plain_filter(text: str | None) -> str:
    return mentions.render_plain(text or "")
