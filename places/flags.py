"""Care for the space: house rules, flags, and hiding a contribution in the open.

A hidden contribution is never removed: its place shows "Hidden by a steward because …", its
author is told by email, every hide and unhide leaves a :class:`~places.models.Hiding` row,
and a steward can show it again.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import notifications
from .activity import activity_record
from .models import (
    DEFAULT_HOUSE_RULES,
    Flag,
    FlagStatus,
    Hiding,
    HidingAction,
    OutboxKind,
    Place,
    Visibility,
)
from .outbox import mail_context
from .registry import FlaggableKind

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,2}[.)])\s+(?P<text>\S.*)$")
_MARKUP = re.compile(r"[*_`]+")
_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*")
OTHER_RULE = "Something else (say what in your reason)"


def house_rules_text(place: Place) -> str:
    """The place's rules, or the platform's default when its stewards have cleared them."""
    return place.house_rules.strip() or DEFAULT_HOUSE_RULES


def house_rule_choices(place: Place) -> list[str]:
    """The rules a flag can point at: each list item of the house rules, as plain words.

    A rule that runs over several lines is joined; a rule that starts in bold ("**Be kind.**
    Disagree with ideas…") is offered by its bold words. A catch-all choice comes last.
    """
    rules: list[str] = []
    for line in house_rules_text(place).splitlines():
        match = _LIST_ITEM.match(line)
        if match:
            rules.append(match.group("text").strip())
        elif rules and line.startswith((" ", "\t")) and line.strip():
            rules[-1] = f"{rules[-1]} {line.strip()}"
        elif not line.strip():
            continue
    # A rule with a bold lead ("**Be kind.** Disagree with ideas…") is offered by its lead.
    leads = [m.group(1) if (m := _BOLD_LEAD.match(rule)) else rule for rule in rules]
    cleaned = [_MARKUP.sub("", rule).strip()[:290] for rule in leads]
    return [*[rule for rule in cleaned if rule], OTHER_RULE]


@transaction.atomic
def house_rules_update(*, place: Place, by: Any, text: str) -> Place:
    place.house_rules = text.strip()
    place.updated_at = timezone.now()
    place.save(update_fields=["house_rules", "updated_at"])
    activity_record(
        place=place,
        actor=by,
        kind="care",
        verb="house_rules_changed",
        summary=f"{by} changed the house rules",
        url=reverse("places:house_rules", kwargs={"slug": place.slug}),
    )
    return place


@transaction.atomic
def flag_raise(
    *, kind: FlaggableKind, obj: Any, by: Any, reason: str, house_rule: str
) -> tuple[Flag, bool]:
    """A member flags a contribution. Returns (flag, created): a second flag from the same
    person on the same contribution while the first is open changes nothing."""
    place = kind.place(obj)
    existing = Flag.objects.open().filter(kind=kind.key, object_id=obj.pk, flagged_by=by).first()
    if existing is not None:
        return existing, False
    flag = Flag.objects.create(
        place=place,
        kind=kind.key,
        object_id=obj.pk,
        excerpt=kind.excerpt(obj)[:300],
        flagged_by=by,
        reason=reason.strip(),
        house_rule=house_rule.strip()[:300],
    )
    return flag, True


def _tell_author(
    *, kind: FlaggableKind, obj: Any, template: str, subject: str, extra: dict[str, Any]
) -> bool:
    author = kind.author(obj)
    if author is None or not getattr(author, "is_active", False) or not author.email:
        return False
    place = kind.place(obj)
    body = render_to_string(
        template,
        {
            "author": author,
            "place": place,
            "kind": kind,
            "excerpt": kind.excerpt(obj),
            "url": f"{settings.SITE_URL}{kind.url(obj)}",
            "house_rules_url": settings.SITE_URL
            + reverse("places:house_rules", kwargs={"slug": place.slug}),
            **extra,
        },
    )
    with mail_context(kind=OutboxKind.PLACE, place=place, recipient=author):
        EmailMessage(subject=subject, body=body, to=[author.email]).send()
    return True


@transaction.atomic
def content_hide(
    *, kind: FlaggableKind, obj: Any, by: Any, reason: str, flag: Flag | None = None
) -> Hiding:
    """Hide a contribution with a reason shown in its place; tell its author; close its flags."""
    place = kind.place(obj)
    reason = reason.strip()[:500]
    if not reason:
        raise ValueError("A reason is needed to hide a contribution.")
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if kind.is_hidden(obj):
        raise ValueError("This contribution is already hidden.")
    kind.hide(obj, reason=reason, by=by)
    hiding = Hiding.objects.create(
        place=place,
        kind=kind.key,
        object_id=obj.pk,
        action=HidingAction.HIDDEN,
        reason=reason,
        by=by,
        flag=flag,
    )
    now = timezone.now()
    Flag.objects.open().filter(kind=kind.key, object_id=obj.pk).update(
        status=FlagStatus.HIDDEN, resolved_at=now, resolved_by=by, resolution_note=reason
    )
    _tell_author(
        kind=kind,
        obj=obj,
        template="places/flag_email_hidden.txt",
        subject=f"A steward hid your {kind.label} in {place.name}",
        extra={"reason": reason, "steward": by},
    )
    notifications.notify_content_hidden(kind=kind, obj=obj, by=by, reason=reason)
    activity_record(
        place=place,
        actor=by,
        kind="care",
        verb="hid",
        summary=f"{by} hid a {kind.label} because {reason}",
        url=kind.url(obj),
        target=obj,
        visibility=Visibility.MEMBERS,
    )
    return hiding


@transaction.atomic
def content_unhide(*, kind: FlaggableKind, obj: Any, by: Any, reason: str = "") -> Hiding:
    """Show a hidden contribution again; the hiding stays in the history."""
    place = kind.place(obj)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if not kind.is_hidden(obj):
        raise ValueError("This contribution is not hidden.")
    kind.unhide(obj, by=by)
    hiding = Hiding.objects.create(
        place=place,
        kind=kind.key,
        object_id=obj.pk,
        action=HidingAction.UNHIDDEN,
        reason=reason.strip()[:500],
        by=by,
    )
    _tell_author(
        kind=kind,
        obj=obj,
        template="places/flag_email_shown.txt",
        subject=f"Your {kind.label} in {place.name} is shown again",
        extra={"reason": hiding.reason, "steward": by},
    )
    activity_record(
        place=place,
        actor=by,
        kind="care",
        verb="unhid",
        summary=f"{by} showed a hidden {kind.label} again",
        url=kind.url(obj),
        target=obj,
        visibility=Visibility.MEMBERS,
    )
    return hiding


@transaction.atomic
def flag_dismiss(*, flag: Flag, by: Any, note: str = "") -> Flag:
    """A steward looked and left the contribution as it is."""
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if not locked.is_open:
        return locked
    locked.status = FlagStatus.DISMISSED
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.resolution_note = note.strip()[:500]
    locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])
    return locked
