"""Template filters for decision pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_TAG_CLASSES = {
    "draft": "govuk-tag--grey",
    "open": "govuk-tag--blue",
    "deciding": "govuk-tag--purple",
    "decided": "govuk-tag--green",
    "review": "govuk-tag--yellow",
    "revised": "govuk-tag--grey",
    "rescinded": "govuk-tag--red",
}

DISPOSITION_TAG_CLASSES = {
    "adopted": "govuk-tag--green",
    "adapted": "govuk-tag--turquoise",
    "not_adopted": "govuk-tag--orange",
    "answered": "govuk-tag--blue",
}

STANCE_TAG_CLASSES = {
    "support": "govuk-tag--green",
    "concern": "govuk-tag--yellow",
    "objection": "govuk-tag--red",
    "question": "govuk-tag--blue",
}

IMPLEMENTATION_TAG_CLASSES = {
    "not_started": "govuk-tag--grey",
    "in_progress": "govuk-tag--blue",
    "done": "govuk-tag--green",
    "stalled": "govuk-tag--orange",
    "abandoned": "govuk-tag--red",
}


@register.filter
def status_tag(status: str) -> str:
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")


@register.filter
def disposition_tag(disposition: str) -> str:
    return DISPOSITION_TAG_CLASSES.get(disposition, "govuk-tag--grey")


@register.filter
def stance_tag(stance: str) -> str:
    return STANCE_TAG_CLASSES.get(stance, "govuk-tag--grey")


@register.filter
def implementation_tag(status: str) -> str:
    return IMPLEMENTATION_TAG_CLASSES.get(status, "govuk-tag--grey")


@register.filter
def person(user: Any) -> str:
    """A person's display name (never their email address)."""
    if user is None:
        return "a former member"
    return getattr(user, "display_name", "") or "a member"
