"""The only code allowed past the history's protection: erasure and redaction.

The history tables are append-only at the database level (django-pgtrigger's ``Protect``), and
so is the :class:`~governance.models.Rewrite` log. Two services may pass that protection, with
``pgtrigger.ignore`` inside them and nowhere else, and each rewrites the live rows *and* their
history alike, then logs who, when and why:

* :func:`person_erase` — a person's account is erased: their name and email address, wherever
  they were written into governance text, become "a former member" (history rows already refer
  to people by id only, and ids stay: the record stays whole);
* :func:`decision_redact` — a steward redacts words from a decision's record (a resident
  withdrew consent for something said about them): shown as "[redacted]".

:func:`person_withdraw` (a person withdraws consent for their own contributions) is the same
redaction, applied to everything that person wrote.

Erasure runs through ``places.registry``'s data handlers and must run before the account's
name and email are replaced (it needs them to know what to rewrite).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pgtrigger
from django.db import models, transaction

from places.scrub import scrub_person

from .models import (
    Decider,
    DeciderEvent,
    Decision,
    DecisionEvent,
    Dissent,
    Evidence,
    FeedToken,
    Input,
    InputEvent,
    Milestone,
    ProgressUpdate,
    Response,
    ResponseEvent,
    Rewrite,
    RewriteKind,
)

REDACTED = "[redacted]"
FORMER_MEMBER = "a former member"
WITHDRAWN = "The person who wrote this has withdrawn their consent for it to be shown."

#: Every trigger the rewrite passes: the append-only protection of the history tables and of
#: the log, and the tracking triggers of the live tables (a rewrite is not a new version; it
#: is logged in ``Rewrite`` instead).
_IGNORED = (
    "governance.DecisionEvent:append_only",
    "governance.DeciderEvent:append_only",
    "governance.InputEvent:append_only",
    "governance.ResponseEvent:append_only",
    "governance.Decision:changed_update",
    "governance.Input:changed_update",
    "governance.Response:changed_update",
    "governance.Decider:stated_update",
)

#: Also passed on erasure: the rest of the history, and this log itself (a reason may name the
#: person).
_IGNORED_ON_ERASURE = (
    "governance.EvidenceEvent:append_only",
    "governance.Rewrite:append_only",
)


def _governance_models() -> list[type[models.Model]]:
    """Governance's own tables (not the fund's): what the generic erasure scrub covers."""
    from django.apps import apps

    from . import fund_models

    fund = {m for m in vars(fund_models).values() if isinstance(m, type)}
    return [m for m in apps.get_app_config("governance").get_models() if m not in fund]


DECISION_TEXT = (
    "title", "question", "body_name", "mandate", "place_view", "centre_view",
    "method_result", "outcome", "reasoning", "rescind_reason",
)  # fmt: skip


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(re.escape(phrase), re.IGNORECASE)


def _replace_in(value: Any, patterns: list[re.Pattern[str]], replacement: str) -> Any:
    """The value with every match replaced: strings, and strings inside lists and dicts."""
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace_in(v, patterns, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in(v, patterns, replacement) for k, v in value.items()}
    return value


@dataclass
class _Counts:
    live: int = 0
    history: int = 0


def _rewrite_rows(
    queryset: models.QuerySet[Any],
    fields: Iterable[str],
    patterns: list[re.Pattern[str]],
    replacement: str,
) -> int:
    """Rewrite matching text in ``fields`` of the rows of ``queryset``; returns rows changed."""
    fields = list(fields)
    changed = 0
    for row in queryset.only("pk", *fields):
        updates = {}
        for name in fields:
            before = getattr(row, name)
            after = _replace_in(before, patterns, replacement)
            if after != before:
                updates[name] = after
        if updates:
            queryset.model._default_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def _matching(queryset: models.QuerySet[Any], fields: Iterable[str], phrases: list[str]) -> Any:
    """Only the rows where some field contains some phrase (JSON fields are searched as text)."""
    condition = models.Q()
    for name in fields:
        for phrase in phrases:
            condition |= models.Q(**{f"{name}__icontains": phrase})
    return queryset.filter(condition)


def _rewrite_everywhere(
    *,
    phrases: list[str],
    replacement: str,
    scope: Callable[[type[models.Model]], models.QuerySet[Any]],
) -> _Counts:
    """Rewrite ``phrases`` in the live governance rows and history rows that ``scope`` selects."""
    patterns = [_pattern(p) for p in phrases if p]
    counts = _Counts()
    if not patterns:
        return counts
    live = [
        (Decision, ("options", *DECISION_TEXT)),
        (Input, ("text",)),
        (Response, ("text",)),
        (Dissent, ("text",)),
        (Evidence, ("note",)),
        (ProgressUpdate, ("text",)),
        (Milestone, ("title",)),
    ]
    history = [
        (DecisionEvent, ("options", *DECISION_TEXT)),
        (InputEvent, ("text",)),
        (ResponseEvent, ("text",)),
    ]
    with pgtrigger.ignore(*_IGNORED):
        for model, fields in live:
            rows = _matching(scope(model), fields, phrases)
            counts.live += _rewrite_rows(rows, fields, patterns, replacement)
        for model, fields in history:
            rows = _matching(scope(model), fields, phrases)
            counts.history += _rewrite_rows(rows, fields, patterns, replacement)
    return counts


def _log(**fields: Any) -> Rewrite:
    return Rewrite.objects.create(**fields)


# --- Erasure ------------------------------------------------------------------------------------


@transaction.atomic
def person_erase(user: Any, *, by: Any = None, reason: str = "Account erased") -> Rewrite:
    """Rewrite the person's name and email address wherever governance text mentions them,
    in live rows and history alike, and drop the interests their decider statements named
    (interest descriptions are personal data; the statement keeps saying it was made)."""
    phrases = [
        p
        for p in (getattr(user, "display_name", ""), getattr(user, "email", ""))
        if len(p or "") >= 3
    ]
    counts = _rewrite_everywhere(
        phrases=phrases, replacement=FORMER_MEMBER, scope=lambda model: model._default_manager.all()
    )
    with pgtrigger.ignore(*_IGNORED, *_IGNORED_ON_ERASURE):
        counts.live += (
            Decider.objects.filter(user=user).exclude(interest_ids=[]).update(interest_ids=[])
        )
        counts.history += (
            DeciderEvent.objects.filter(user_id=user.pk)
            .exclude(interest_ids=[])
            .update(interest_ids=[])
        )
        # Every other text column of governance's own tables (a steward's reason for hiding an
        # input, an evidence note's history, the reasons in this log…), found from the models
        # so a column added later is covered too. The fund's tables are the fund's handler's.
        for model in _governance_models():
            changed = scrub_person(user, [model])
            if (model._meta.model_name or "").endswith("event"):
                counts.history += changed
            else:
                counts.live += changed
    FeedToken.objects.filter(user=user).delete()
    return _log(
        kind=RewriteKind.ERASURE,
        by_user_id=getattr(by, "pk", None),
        subject_user_id=user.pk,
        reason=reason,
        live_rows=counts.live,
        history_rows=counts.history,
    )


# --- Redaction ----------------------------------------------------------------------------------


def _decision_scope(decision: Decision) -> Callable[[type[models.Model]], models.QuerySet[Any]]:
    lookups: dict[type[models.Model], dict[str, Any]] = {
        Decision: {"pk": decision.pk},
        DecisionEvent: {"pgh_obj_id": decision.pk},
        Input: {"decision": decision},
        InputEvent: {"decision_id": decision.pk},
        Response: {"input__decision": decision},
        ResponseEvent: {"input_id__in": Input.objects.filter(decision=decision).values("pk")},
        Dissent: {"decision": decision},
        Evidence: {"decision": decision},
        ProgressUpdate: {"implementation__decision": decision},
        Milestone: {"implementation__decision": decision},
    }
    return lambda model: model._default_manager.filter(**lookups[model])


@transaction.atomic
def decision_redact(*, decision: Decision, by: Any, phrase: str, reason: str) -> Rewrite:
    """A steward removes ``phrase`` (any case) from everything recorded about a decision —
    its text, inputs, responses, dissent, evidence notes and follow-through, live and history
    alike — shown as "[redacted]". Logged with who, when and why."""
    from .services import GovernanceError

    phrase = phrase.strip()
    if len(phrase) < 2:
        raise GovernanceError("Give the words to redact.", field="phrase")
    if not reason.strip():
        raise GovernanceError("Say why the words are redacted.", field="reason")
    counts = _rewrite_everywhere(
        phrases=[phrase], replacement=REDACTED, scope=_decision_scope(decision)
    )
    if not counts.live and not counts.history:
        raise GovernanceError(
            "Those words do not appear anywhere in this decision's record.", field="phrase"
        )
    return _log(
        kind=RewriteKind.REDACTION,
        decision=decision,
        by_user_id=getattr(by, "pk", None),
        reason=reason.strip(),
        live_rows=counts.live,
        history_rows=counts.history,
    )


@transaction.atomic
def person_withdraw(user: Any, place: Any = None, *, by: Any = None) -> Rewrite | None:
    """A person withdrew consent for their contributions to be shown (in ``place``, or
    everywhere when it is None): the words of their inputs and dissent are replaced with a note
    saying so, live and history alike. ``by``: the steward who recorded it, if not the person."""
    where = {"decision__place": place} if place is not None else {}
    inputs = list(Input.objects.filter(author=user, **where).values_list("pk", flat=True))
    dissents = Dissent.objects.filter(author=user, **where)
    if not inputs and not dissents.exists():
        return None
    with pgtrigger.ignore(*_IGNORED):
        live = Input.objects.filter(pk__in=inputs).update(text=WITHDRAWN)
        live += dissents.update(text=WITHDRAWN)
        history = InputEvent.objects.filter(pgh_obj_id__in=inputs).update(text=WITHDRAWN)
    return _log(
        kind=RewriteKind.WITHDRAWAL,
        by_user_id=getattr(by, "pk", None),
        subject_user_id=user.pk,
        reason="The author withdrew their consent for their words to be shown.",
        live_rows=live,
        history_rows=history,
    )
