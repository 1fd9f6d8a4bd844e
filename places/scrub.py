"""Rewriting a person's name and email address out of stored text, for account erasure.

Other people's words mention people: "Thanks to @[Priya Shah](member:42)", a timeline row
"Priya Shah joined", an email to a steward saying who asked to join. When an account is erased
each app's erase handler calls :func:`scrub_person` with its own models, and every text column
of those models (``CharField``, ``TextField``, ``JSONField`` and the fields built on them, found
from the model, so a column added later is covered too) has the person's name and email address
replaced with "a former member".

Names are matched as whole words, any case ("Ann" is not found in "Annual"); an email address
anywhere. A name shorter than three letters is left alone (it would match too much). Rows are
found with one ``ILIKE`` query per model and rewritten with ``UPDATE`` (no ``save()``, so no
signals and no "edited" stamps: nobody edited them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import models

FORMER_MEMBER = "a former member"
MIN_NAME_LENGTH = 3

_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def text_fields(model: type[models.Model]) -> list[str]:
    """The names of the model's concrete text and JSON columns (primary keys left out)."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, _TEXT_FIELDS) and not field.primary_key and not field.is_relation
    ]


def phrases_for(user: Any, extra: Iterable[str] = ()) -> list[str]:
    """What identifies the person in text: their display name and email address(es), those
    they added to their account included."""
    emails: list[str] = []
    if getattr(user, "pk", None) is not None:
        from allauth.account.models import EmailAddress

        emails = list(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
    found = [
        getattr(user, "display_name", "") or "",
        getattr(user, "email", "") or "",
        *emails,
        *extra,
    ]
    unique: list[str] = []
    for phrase in (p.strip() for p in found):
        if len(phrase) >= MIN_NAME_LENGTH and phrase.lower() not in {u.lower() for u in unique}:
            unique.append(phrase)
    return unique


def _pattern(phrase: str) -> re.Pattern[str]:
    if "@" in phrase:
        return re.compile(re.escape(phrase), re.IGNORECASE)
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


def replace_in(value: Any, patterns: list[re.Pattern[str]], replacement: str) -> Any:
    """The value with every match replaced: strings, and strings inside lists and dicts."""
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [replace_in(v, patterns, replacement) for v in value]
    if isinstance(value, dict):
        return {
            replace_in(k, patterns, replacement): replace_in(v, patterns, replacement)
            for k, v in value.items()
        }
    return value


def scrub_rows(
    queryset: models.QuerySet[Any],
    phrases: list[str],
    *,
    replacement: str = FORMER_MEMBER,
    fields: Iterable[str] | None = None,
) -> int:
    """Rewrite ``phrases`` in the text columns of the rows of ``queryset``; rows changed."""
    model = queryset.model
    names = list(fields) if fields is not None else text_fields(model)
    if not phrases or not names:
        return 0
    condition = models.Q()
    for name in names:
        for phrase in phrases:
            condition |= models.Q(**{f"{name}__icontains": phrase})
    patterns = [_pattern(p) for p in phrases]
    changed = 0
    for row in queryset.filter(condition).only("pk", *names).iterator():
        updates = {}
        for name in names:
            before = getattr(row, name)
            after = replace_in(before, patterns, replacement)
            if after != before:
                updates[name] = after
        if updates:
            model._default_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def scrub_person(
    user: Any,
    targets: Iterable[type[models.Model] | models.QuerySet[Any]],
    *,
    extra: Iterable[str] = (),
) -> int:
    """Rewrite the person's name and email address in every text column of each model (or
    queryset) in ``targets``. Returns the number of rows changed."""
    phrases = phrases_for(user, extra)
    changed = 0
    for target in targets:
        queryset = target if isinstance(target, models.QuerySet) else target._default_manager.all()
        changed += scrub_rows(queryset, phrases)
    return changed
