"""Template helpers for the community fund: ``{% load fund_tags %}``."""

from __future__ import annotations

from django import template

register = template.Library()

_TAGS = {
    "upcoming": "govuk-tag--grey",
    "ideas": "govuk-tag--blue",
    "between": "govuk-tag--yellow",
    "allocating": "govuk-tag--purple",
    "counting": "govuk-tag--orange",
    "closed": "govuk-tag--green",
}


@register.filter
def round_tag(state: str) -> str:
    """The GOV.UK tag colour for a round's state (the tag's words say the state too)."""
    return _TAGS.get(str(state), "govuk-tag--grey")


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
