"""Template helpers for places: ``{% load places_tags %}``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString

from places import permissions
from places.markdown import render_markdown
from places.models import Perspective

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """``{{ place.description|markdown }}``: Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def perspective_label(value: str) -> str:
    try:
        return Perspective(value).label
    except ValueError:
        return value


@register.filter
def pounds(amount: Decimal | int | None) -> str:
    """£1,200,000 (pence shown only when there are any)."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.simple_tag
def can(question: str, user: Any, obj: Any) -> bool:
    """``{% can "manage_place" user place as allowed %}``: ask ``places.permissions``."""
    check = getattr(permissions, f"can_{question}", None) or getattr(permissions, question)
    return bool(check(user, obj))
