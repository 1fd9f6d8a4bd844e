"""A person's data rights over governance (UK GDPR), through ``places.registry``.

* export: the decisions they own or decide, their statements of interest, inputs, the
  responses they gave and got, their dissent and progress updates;
* erase (account erased): :func:`governance.rewrite.person_erase` — their name and email
  wherever governance text mentions them, live and history alike; ids stay, so the record
  stays whole and shows "a former member";
* redact (consent withdrawn, everywhere or in one place):
  :func:`governance.rewrite.person_withdraw` — the words of their inputs and dissent, live and
  history alike.
"""

from __future__ import annotations

from typing import Any

from .models import (
    Decider,
    Decision,
    Dissent,
    FeedToken,
    Implementation,
    Input,
    ProgressUpdate,
    Response,
)


def export(user: Any) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "decisions_owned": [
            {
                "place": d.place.slug,
                "title": d.title,
                "status": d.status,
                "created_at": when(d.created_at),
            }
            for d in Decision.objects.filter(owner=user).select_related("place")
        ],
        "decider_of": [
            {
                "place": d.decision.place.slug,
                "decision": d.decision.title,
                "stated_at": when(d.stated_at),
                "no_interest": d.no_interest,
                "interest_ids": list(d.interest_ids),
            }
            for d in Decider.objects.filter(user=user).select_related("decision__place")
        ],
        "inputs": [
            {
                "place": i.decision.place.slug,
                "decision": i.decision.title,
                "stance": i.stance,
                "text": i.text,
                "created_at": when(i.created_at),
                "response": (
                    {"disposition": i.response.disposition, "text": i.response.text}
                    if hasattr(i, "response")
                    else None
                ),
            }
            for i in Input.objects.filter(author=user).select_related("decision__place", "response")
        ],
        "responses_given": [
            {"decision": r.input.decision.title, "disposition": r.disposition, "text": r.text}
            for r in Response.objects.filter(author=user).select_related("input__decision")
        ],
        "dissent": [
            {"decision": d.decision.title, "text": d.text, "created_at": when(d.created_at)}
            for d in Dissent.objects.filter(author=user).select_related("decision")
        ],
        "progress_updates": [
            {
                "decision": p.implementation.decision.title,
                "text": p.text,
                "created_at": when(p.created_at),
            }
            for p in ProgressUpdate.objects.filter(author=user).select_related(
                "implementation__decision"
            )
        ],
        "implementations_responsible_for": [
            {"decision": i.decision.title, "status": i.status}
            for i in Implementation.objects.filter(responsible=user).select_related("decision")
        ],
        "decision_feed_addresses": [
            {
                "place": t.place.slug,
                "created_at": when(t.created_at),
                "revoked_at": when(t.revoked_at),
            }
            for t in FeedToken.objects.filter(user=user).select_related("place")
        ],
    }


def erase(user: Any) -> None:
    from .rewrite import person_erase

    person_erase(user)


def redact(user: Any, place: Any = None) -> None:
    from .rewrite import person_withdraw

    person_withdraw(user, place)


#: The models whose data about a person this handler accounts for (``places/checks.py``):
#: exported where they hold the person's words or choices; on erasure their name and email
#: leave every text column, live and history (``rewrite.person_erase``), and ids stay.
MODELS = (
    "governance.Decision", "governance.DecisionEvent", "governance.Decider",
    "governance.DeciderEvent", "governance.Evidence", "governance.EvidenceEvent",
    "governance.Input", "governance.InputEvent", "governance.Response",
    "governance.ResponseEvent", "governance.Dissent", "governance.Implementation",
    "governance.ProgressUpdate", "governance.FeedToken", "governance.Rewrite",
)  # fmt: skip
