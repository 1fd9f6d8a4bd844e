"""A person's data rights over what they wrote in learning cycles (UK GDPR).

* export: their entries (with earlier versions), readings, prompts and answers, cycles they
  framed or took part in;
* erase (account erased): their entries stay in the shared record as written by "a former
  member", without their name or perspectives; their prompts and participation go;
* redact (consent withdrawn): their words are replaced with a note saying so, versions too.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import CycleParticipant, Entry, EntryVersion, PromptDelivery, Reading

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
    }


@transaction.atomic
def erase(user: Any) -> None:
    Entry.objects.filter(author=user).update(author=None, author_perspectives=[])
    Reading.objects.filter(recorded_by=user).update(recorded_by=None)
    PromptDelivery.objects.filter(user=user).delete()
    CycleParticipant.objects.filter(user=user).delete()


@transaction.atomic
def redact(user: Any) -> None:
    from .services import cycle_refresh_search

    cycle_ids = set(Entry.objects.filter(author=user).values_list("cycle_id", flat=True))
    Entry.objects.filter(author=user).update(body=WITHDRAWN, told_by="")
    EntryVersion.objects.filter(entry__author=user).update(body=WITHDRAWN)
    Reading.objects.filter(recorded_by=user).update(note="")
    for cycle_id in cycle_ids:
        cycle_refresh_search(cycle_id)
