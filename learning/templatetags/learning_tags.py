"""Template helpers for learning: ``{% load learning_tags %}``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString

from learning import permissions
from learning.models import CycleStatus, EntryVisibility
from learning.services import format_value
from places.markdown import render_markdown
from places.models import Perspective

register = template.Library()

KIND_TAG_CLASSES = {
    "action": "govuk-tag--blue",
    "story": "govuk-tag--purple",
    "data": "govuk-tag--turquoise",
    "reflection": "govuk-tag--yellow",
    "adaptation": "govuk-tag--green",
    "status": "govuk-tag--grey",
}
STATUS_TAG_CLASSES = {
    "framing": "govuk-tag--grey",
    "testing": "govuk-tag--blue",
    "reflecting": "govuk-tag--yellow",
    "adapting": "govuk-tag--purple",
    "concluded": "govuk-tag--green",
    "stopped": "govuk-tag--red",
}
SEEN_BY: dict[str, str] = {
    EntryVisibility.PUBLIC: "Seen by anyone who can read the place",
    EntryVisibility.MEMBERS: "Seen by members of the place",
    EntryVisibility.PARTICIPANTS: "Seen by the cycle’s participants only",
}


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def kind_tag(kind: str) -> str:
    return KIND_TAG_CLASSES.get(kind, "govuk-tag--grey")


@register.filter
def status_tag(status: str) -> str:
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")


@register.filter
def status_label(status: str) -> str:
    try:
        return CycleStatus(status).label
    except ValueError:
        return status


@register.filter
def seen_by(visibility: str) -> str:
    return SEEN_BY.get(visibility, "")


@register.filter
def perspectives(values: list[str] | None) -> str:
    labels = []
    for value in values or []:
        try:
            labels.append(Perspective(value).label.lower())
        except ValueError:
            continue
    return ", ".join(labels)


@register.filter
def number(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return format_value(Decimal(value))


@register.simple_tag
def learning_can(question: str, user: Any, obj: Any) -> bool:
    """``{% learning_can "edit_entry" user entry as allowed %}``."""
    check = getattr(permissions, f"can_{question}", None) or getattr(permissions, question)
    return bool(check(user, obj))
