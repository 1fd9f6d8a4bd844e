"""A person's data rights over what they wrote in learning cycles (UK GDPR).

* export: their entries (with earlier versions), readings, prompts and answers, cycles they
  framed or took part in;
* erase (account erased): their entries stay in the shared record as written by "a former
  member", without their name or perspectives; their prompts, participation and requests to
  take part go; their name and email address leave every text column of learning's tables
  (``places.scrub``), and the library's search vectors are rebuilt;
* redact (consent withdrawn, everywhere or in one place): their words are replaced with a note
  saying so, versions too, and who told a story leaves the timeline;
* purge (nightly): prompt deliveries never answered, once their period is long past.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .models import (
    CycleJoinRequest,
    CycleParticipant,
    Entry,
    EntryVersion,
    LearningCycle,
    Measure,
    PromptDelivery,
    Reading,
)

WITHDRAWN = "*The person who wrote this has withdrawn their consent for it to be shown.*"


def export(user: Any) -> dict[str, Any]:
    entries = (
        Entry.objects.filter(author=user).select_related("cycle__place").order_by("created_at")
    )
    return {
        "entries": [
            {
                "place": e.cycle.place.slug,
                "cycle": e.cycle.title,
                "kind": e.kind,
                "body": e.body,
                "visibility": e.visibility,
                "world": e.world,
                "swimlane": e.swimlane,
                "told_by": e.told_by,
                "created_at": e.created_at.isoformat(),
                "earlier_versions": [
                    {"body": v.body, "replaced_at": v.replaced_at.isoformat()}
                    for v in e.versions.all()
                ],
            }
            for e in entries
        ],
        "readings": [
            {
                "measure": r.measure.name,
                "value": str(r.value),
                "date": r.date.isoformat(),
                "note": r.note,
            }
            for r in Reading.objects.filter(recorded_by=user).select_related("measure")
        ],
        "cycles_taken_part_in": [
            {"place": p.cycle.place.slug, "cycle": p.cycle.title, "since": p.joined_at.isoformat()}
            for p in CycleParticipant.objects.filter(user=user).select_related("cycle__place")
        ],
        "prompts": [
            {
                "cycle": d.cycle.title,
                "question": d.question_text,
                "period": d.period_key,
                "sent_at": d.created_at.isoformat(),
                "answered_at": d.answered_at.isoformat() if d.answered_at else None,
            }
            for d in PromptDelivery.objects.filter(user=user).select_related("cycle")
        ],
        "cycles_started": [
            {"place": c.place.slug, "cycle": c.title, "created_at": c.created_at.isoformat()}
            for c in LearningCycle.objects.filter(created_by=user).select_related("place")
        ],
        "requests_to_take_part": [
            {
                "cycle": r.cycle.title,
                "message": r.message,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in CycleJoinRequest.objects.filter(user=user).select_related("cycle")
        ],
        "measures_started": [
            {"measure": m.name, "created_at": m.created_at.isoformat()}
            for m in Measure.objects.filter(created_by=user)
        ],
    }


#: The models that refer to a person, accounted for here (``places/checks.py``).
MODELS = (
    "learning.LearningCycle", "learning.CycleParticipant", "learning.CycleJoinRequest",
    "learning.CycleLink", "learning.Measure", "learning.Reading", "learning.PromptQuestion",
    "learning.PromptDelivery", "learning.Entry", "learning.EntryVersion",
)  # fmt: skip


@transaction.atomic
def erase(user: Any) -> None:
    from django.apps import apps

    from places.scrub import phrases_for, scrub_person

    from .services import cycle_refresh_search

    Entry.objects.filter(author=user).update(author=None, author_perspectives=[])
    Reading.objects.filter(recorded_by=user).update(recorded_by=None)
    PromptDelivery.objects.filter(user=user).delete()
    CycleParticipant.objects.filter(user=user).delete()
    CycleJoinRequest.objects.filter(user=user).delete()
    # The cycles whose stored search vector may hold the person's name: rebuilt afterwards.
    named = Q()
    for phrase in phrases_for(user):
        named |= Q(entries__body__icontains=phrase) | Q(title__icontains=phrase)
        for field in ("question", "intent", "learned", "differently", "stopped_reason"):
            named |= Q(**{f"{field}__icontains": phrase})
    cycle_ids = (
        set(LearningCycle.objects.filter(named).values_list("pk", flat=True)) if named else set()
    )
    scrub_person(user, apps.get_app_config("learning").get_models())
    for cycle_id in cycle_ids:
        cycle_refresh_search(cycle_id)


@transaction.atomic
def redact(user: Any, place: Any = None) -> None:
    from places.models import Activity

    from .services import cycle_refresh_search

    entries = Entry.objects.filter(author=user)
    readings = Reading.objects.filter(recorded_by=user)
    if place is not None:
        entries = entries.filter(cycle__place=place)
        readings = readings.filter(measure__place=place)
    entry_ids = list(entries.values_list("pk", flat=True))
    cycle_ids = set(entries.values_list("cycle_id", flat=True))
    Entry.objects.filter(pk__in=entry_ids).update(body=WITHDRAWN, told_by="", consent_note="")
    EntryVersion.objects.filter(entry_id__in=entry_ids).update(body=WITHDRAWN, consent_note="")
    readings.update(note="")
    # The timeline row of a story told on someone's behalf names who told it.
    for row in Activity.objects.filter(
        target_type__app_label="learning",
        target_type__model="entry",
        target_id__in=entry_ids,
        summary__contains=" (told by ",
    ):
        summary = re.sub(r" \(told by [^)]*\)", "", row.summary)
        Activity.objects.filter(pk=row.pk).update(summary=summary)
    for cycle_id in cycle_ids:
        cycle_refresh_search(cycle_id)


def purge(now: datetime) -> dict[str, int]:
    """Prompt deliveries never answered, ``RETAIN_DELIVERY_DAYS`` after they were sent (their
    period is long over, so no prompt is sent again). Answered ones stay: an entry names the
    question it answers."""
    before = now - timedelta(days=settings.RETAIN_DELIVERY_DAYS)
    deleted, _ = PromptDelivery.objects.filter(
        answered_at__isnull=True, created_at__lt=before
    ).delete()
    return {"prompt_deliveries": deleted}
