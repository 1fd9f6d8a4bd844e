"""Mentions: naming a member in something written in a place, so they are told.

Display names are not unique, so a mention is stored as a token with the member's id, written
by the autocomplete (``static/js/mentions.js``) when someone picks a member::

    Thanks to @[Priya Shah](member:42) for the notes.

``42`` is the membership's id in this place. When the writing is saved, :func:`resolve` keeps
tokens that name a member of *this* place (with the name as it is now) and turns any other token
(a forged or foreign id, someone who has left) back into plain text. Typing ``@Priya`` without
picking anyone is plain text and mentions nobody. When shown, :func:`render_html` links each
mention to the member's page; :func:`render_plain` gives ``@Priya Shah`` for emails and
notifications.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from .models import Membership, Mention, Notification, Place

TOKEN = re.compile(r"@\[(?P<name>[^\[\]\n]{1,80})\]\(member:(?P<id>\d{1,12})\)")
CANDIDATE_LIMIT = 8


def token_for(membership: Membership) -> str:
    name = str(membership.user.display_name or "member").replace("[", "(").replace("]", ")")
    return f"@[{name}](member:{membership.pk})"


def _ids(text: str) -> set[int]:
    return {int(match.group("id")) for match in TOKEN.finditer(text or "")}


def _members(place: Place, ids: Iterable[int]) -> dict[int, Membership]:
    ids = list(ids)
    if not ids:
        return {}
    return {
        m.pk: m
        for m in Membership.objects.filter(
            place=place, pk__in=ids, user__is_active=True
        ).select_related("user")
    }


def candidates(place: Place, query: str, *, limit: int = CANDIDATE_LIMIT) -> list[dict[str, Any]]:
    """Members of the place whose name starts with (or has a word starting with) ``query``."""
    query = query.strip()[:80]
    members = Membership.objects.filter(place=place, user__is_active=True).select_related("user")
    if query:
        members = members.filter(
            Q(user__display_name__istartswith=query) | Q(user__display_name__icontains=f" {query}")
        )
    rows = members.order_by("user__display_name", "id")[:limit]
    return [
        {
            "id": m.pk,
            "name": m.user.display_name,
            "perspectives": ", ".join(m.perspective_labels()),
            "token": token_for(m),
        }
        for m in rows
    ]


@dataclass(frozen=True)
class Resolved:
    text: str
    members: list[Membership]


def resolve(place: Place, text: str) -> Resolved:
    """Keep the tokens that name members of this place; make every other token plain text."""
    found = _members(place, _ids(text))
    mentioned: dict[int, Membership] = {}

    def replace(match: re.Match[str]) -> str:
        membership = found.get(int(match.group("id")))
        if membership is None:
            return f"@{match.group('name')}"
        mentioned.setdefault(membership.pk, membership)
        return token_for(membership)

    return Resolved(text=TOKEN.sub(replace, text or ""), members=list(mentioned.values()))


def render_plain(text: str) -> str:
    """``@Priya Shah`` for each token: for emails, notifications and excerpts."""
    return TOKEN.sub(lambda m: f"@{m.group('name')}", text or "")


def render_html(place: Place, text: str) -> SafeString:
    """The text as paragraphs, each mention a link to the member's page in the place.

    Everything the person typed is escaped; only the links made here are markup.
    """
    found = _members(place, _ids(text))
    parts: list[str] = []
    last = 0
    for match in TOKEN.finditer(text or ""):
        parts.append(escape(text[last : match.start()]))
        membership = found.get(int(match.group("id")))
        if membership is None:
            parts.append(escape(f"@{match.group('name')}"))
        else:
            url = reverse(
                "places:member", kwargs={"slug": place.slug, "membership_id": membership.pk}
            )
            parts.append(
                f'<a class="govuk-link rel-mention" href="{escape(url)}">'
                f"@{escape(membership.user.display_name)}</a>"
            )
        last = match.end()
    parts.append(escape((text or "")[last:]))
    # linebreaks() would escape again with autoescape=True; the parts are escaped already.
    return mark_safe(linebreaks("".join(parts), autoescape=False))  # noqa: S308


def mentions_record(
    *,
    place: Place,
    by: Any,
    text: str,
    source_key: str,
    url: str,
    what: str,
    source: Any = None,
) -> list[Notification]:
    """Tell each member newly mentioned in ``text`` (call it in the transaction that saves it).

    ``source_key`` names the piece of writing (``"places.gathering:12:notes"``): a person is
    told once per piece of writing, however often it is edited. ``what`` finishes the sentence
    "Ana mentioned you in …" ("the notes of Tea at the library").
    """
    from .notifications import notification_create

    made = []
    for membership in resolve(place, text).members:
        if by is not None and membership.user_id == getattr(by, "pk", None):
            continue
        try:
            with transaction.atomic():
                Mention.objects.create(
                    place=place,
                    membership=membership,
                    user=membership.user,
                    by=by,
                    source_type=ContentType.objects.get_for_model(source) if source else None,
                    source_id=getattr(source, "pk", None),
                    source_key=source_key,
                )
        except IntegrityError:
            continue  # told already, when this writing was first saved
        notification = notification_create(
            recipient=membership.user,
            kind="mention",
            text=f"{by or 'Someone'} mentioned you in {what}",
            url=url,
            place=place,
            actor=by,
        )
        if notification is not None:
            made.append(notification)
    return made
