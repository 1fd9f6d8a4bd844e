"""One-click unsubscribe for every digest, prompt and notification email (RFC 8058).

Each email that people can stop carries a signed link naming the person and a **topic**
(``"digest:12"``: the digest of place 12; ``"notify:mention"``: mention emails). The link is
also given in the ``List-Unsubscribe`` header with ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``, so a mail client can unsubscribe with one POST and no page.

The POST endpoint is the one write in the project that takes no CSRF token and no login: the
signed token is what authorises it, and all it can do is stop email to the person it names.

Apps add topics with :func:`register_topic` (``learning`` registers ``"prompts"``)::

    register_topic("prompts", describe=..., apply=...)

``describe(user, rest)`` says what the person will stop getting ("prompts to reflect on the
cycle ‘Warm homes’") or returns None if the topic names nothing that exists; ``apply(user,
rest)`` stops it (and must be harmless to repeat).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "places.unsubscribe"


@dataclass(frozen=True)
class Topic:
    prefix: str
    describe: Callable[[Any, str], str | None]
    apply: Callable[[Any, str], None]


_topics: dict[str, Topic] = {}


def register_topic(
    prefix: str,
    *,
    describe: Callable[[Any, str], str | None],
    apply: Callable[[Any, str], None],
) -> Topic:
    """Register what ``"<prefix>:<rest>"`` unsubscribes from. Registering twice replaces it."""
    topic = Topic(prefix=prefix, describe=describe, apply=apply)
    _topics[prefix] = topic
    return topic


def token_for(user: Any, topic: str) -> str:
    """The signed part of an unsubscribe link. It does not expire: old emails keep working."""
    user_id = user if isinstance(user, int) else user.pk
    return signing.dumps({"u": user_id, "t": topic}, salt=SALT, compress=False)


def url_for(user: Any, topic: str) -> str:
    """The absolute unsubscribe link for an email."""
    path = reverse("unsubscribe", kwargs={"token": token_for(user, topic)})
    return f"{settings.SITE_URL}{path}"


def headers_for(user: Any, topic: str, *, url: str | None = None) -> dict[str, str]:
    """The RFC 8058 headers: put them in the email's ``headers``."""
    return {
        "List-Unsubscribe": f"<{url or url_for(user, topic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class Request:
    """A valid unsubscribe link, read: who, what topic, and what it stops."""

    user: Any
    topic: str
    description: str

    def apply(self) -> None:
        prefix, _, rest = self.topic.partition(":")
        _topics[prefix].apply(self.user, rest)


class BadLink(Exception):
    """The link is altered, forged or names something that no longer exists."""


def read(token: str) -> Request:
    """What a link unsubscribes from. Raises :class:`BadLink` for anything not right."""
    from relational.models import User

    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadLink from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise BadLink
    user_id = data.get("u")
    if not isinstance(user_id, int):
        raise BadLink
    user = User.objects.filter(pk=user_id, is_active=True).first()
    topic = data["t"]
    prefix, _, rest = topic.partition(":")
    handler = _topics.get(prefix)
    if user is None or handler is None:
        raise BadLink
    description = handler.describe(user, rest)
    if description is None:
        raise BadLink
    return Request(user=user, topic=topic, description=description)
