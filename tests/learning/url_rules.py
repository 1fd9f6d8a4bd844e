"""Permission-table rules for the learning app (merged into
``tests.harness.permissions_table``).

Pages of a cycle are checked on ``private_cycle`` in the members-only place, whose title and
entries carry markers: the members-only marker for members, the participant marker for the
cycle's participants. Participant-only actions are ``private=False``: a member who does not
take part can see the cycle, so a 403 is right for them, while outsiders still get 404. The
same views are checked on the public place in ``tests/learning/test_permissions_rules.py``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from learning.models import Entry, EntryKind, Measure, PromptDelivery, PromptQuestion
from learning.services import prompt_token
from tests.harness.permissions import Cast, RoleSpec, Rule

from .cast import PARTICIPANT_MARKER

ROLES = [
    # Pat: a member of both places, taking part in `cycle` and `private_cycle`.
    RoleSpec(
        "participant",
        fixture="participant",
        grants={"anyone", "signed_in", "member", "participant"},
    ),
]
MARKERS = {PARTICIPANT_MARKER: "participant"}
MARKER_FIXTURES = ["learning_markers"]


def _place(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _cycle(cast: Cast) -> dict[str, Any]:
    cycle = cast.fixture("private_cycle")
    return {"slug": cycle.place.slug, "pk": cycle.pk}


def _entry(cast: Cast) -> dict[str, Any]:
    """The participant's members-only entry in the private cycle."""
    cycle = cast.fixture("private_cycle")
    entry = Entry.objects.filter(cycle=cycle, visibility="members", kind=EntryKind.STORY).first()
    if entry is None:
        markers = cast.fixture("learning_markers")
        entry = markers.entries[("private", "members")]
    return {"slug": cycle.place.slug, "pk": cycle.pk, "entry_id": entry.pk}


def _measure(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    measure = Measure.objects.filter(place=place, cycle=None).first()
    if measure is None:
        measure = cast.fixture("learning_markers").measures["private"]
    return {"slug": place.slug, "pk": measure.pk}


def _delivery(cycle: Any, user: Any) -> PromptDelivery:
    return PromptDelivery.objects.create(
        cycle=cycle,
        user=user,
        period_key=f"T-{secrets.token_hex(4)}",
        question_text="What surprised you?",
        nonce=secrets.token_hex(16),
        email_key=f"test-prompt-{secrets.token_hex(8)}",
        expires_at=timezone.now() + timedelta(days=7),
    )


def _prompt_in_app(cast: Cast) -> dict[str, Any]:
    cycle = cast.fixture("private_cycle")
    delivery = _delivery(cycle, cast.fixture("participant"))
    return {"slug": cycle.place.slug, "pk": cycle.pk, "delivery_id": delivery.pk}


def _prompt_token(cast: Cast) -> dict[str, Any]:
    """A live prompt link for the participant in the public place's cycle (the link is a
    bearer secret for that one prompt)."""
    delivery = _delivery(cast.fixture("cycle"), cast.fixture("participant"))
    return {"token": prompt_token(delivery)}


def _question(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    question, _ = PromptQuestion.objects.get_or_create(
        place=place, text="Who did we forget to ask?"
    )
    return {"slug": place.slug, "question_id": question.pk}


def _new_cycle_data(cast: Cast) -> dict[str, Any]:
    return {
        "title": "A new cycle",
        "question": "What happens if we ask first?",
        "intent": "We think asking first will help, because people know us.",
        "relationship_level": "practitioner_person",
        "horizon": "h1",
        "scale": "team",
        "rhythm": "none",
    }


def _entry_data(cast: Cast) -> dict[str, Any]:
    return {"kind": "reflection", "body": "We noticed the kettle matters.", "visibility": "members"}


#: On the public place, what members read there anyone may read.
PUBLIC_READ = {"read": "anyone"}
MEMBER_READ = Rule(read="member", kwargs=_place, private=True, public=PUBLIC_READ)
PARTICIPANT = Rule(read="participant", write="participant", kwargs=_cycle)

RULES: dict[str, Rule] = {
    "learning:cycles": MEMBER_READ,
    "learning:cycle_create": Rule(
        read="member", write="member", kwargs=_place, private=True, post_data=_new_cycle_data
    ),
    "learning:cycle": Rule(read="member", kwargs=_cycle, private=True, public=PUBLIC_READ),
    "learning:cycle_edit": PARTICIPANT,
    "learning:cycle_move": PARTICIPANT,
    "learning:cycle_join": Rule(
        read="member",
        write="member",
        kwargs=_cycle,
        private=True,
        note="members ask to take part; participants are sent back to the cycle",
    ),
    "learning:join_requests": PARTICIPANT,
    "learning:cycle_link": PARTICIPANT,
    "learning:entry_new": Rule(
        read="participant", write="participant", kwargs=_cycle, post_data=_entry_data
    ),
    "learning:entry": Rule(read="member", kwargs=_entry, private=True, note="a members-only entry"),
    "learning:entry_edit": Rule(
        read="participant",
        write="participant",
        kwargs=_entry,
        note="its author (the participant) only",
    ),
    "learning:cycle_measure_new": PARTICIPANT,
    "learning:prompt_in_app": Rule(
        read="participant",
        write="participant",
        kwargs=_prompt_in_app,
        private=True,
        note="a person's own prompt; anyone else's is a 404",
    ),
    "learning:measures": MEMBER_READ,
    "learning:measure_new": Rule(read="steward", write="steward", kwargs=_place),
    "learning:measure": Rule(read="member", kwargs=_measure, private=True, public=PUBLIC_READ),
    "learning:reading_new": Rule(
        read="member",
        write="member",
        kwargs=_measure,
        private=True,
        note="a place-wide measure takes readings from any member",
    ),  # fmt: skip
    "learning:prompt_questions": Rule(read="steward", write="steward", kwargs=_place),
    "learning:prompt_question_toggle": Rule(read="nobody", write="steward", kwargs=_question),
    "learning:library": Rule(
        read="anyone", query=lambda cast: {"q": "visit"}, note="public places' closed cycles"
    ),
    "learning:prompt_answer": Rule(
        read="anyone",
        write="anyone",
        kwargs=_prompt_token,
        note="the emailed link answers that one prompt for whoever holds it; it signs nobody in",
    ),
}


def _markers(cast: Cast) -> Any:
    return cast.fixture("learning_markers")


#: A row of each learning model for the admin's change, delete and history pages.
ADMIN_ROWS = {
    "learning.learningcycle": lambda cast: cast.fixture("cycle"),
    "learning.cycleparticipant": lambda cast: cast.fixture("cycle").participations.first(),
    "learning.entry": lambda cast: _markers(cast).entries[("public", "public")],
    "learning.measure": lambda cast: _markers(cast).measures["public"],
    "learning.reading": lambda cast: _markers(cast).measures["public"].readings.first(),
    "learning.promptquestion": lambda cast: PromptQuestion.objects.get_or_create(
        place=None, text="What surprised you?"
    )[0],
    "learning.promptdelivery": lambda cast: _delivery(
        cast.fixture("cycle"), cast.fixture("participant")
    ),
    "learning.cyclejoinrequest": lambda cast: _join_request(cast),
    "learning.cyclelink": lambda cast: _link(cast),
    "learning.entryversion": lambda cast: _version(cast),
}


def _join_request(cast: Cast) -> Any:
    from learning.models import CycleJoinRequest

    return CycleJoinRequest.objects.create(cycle=cast.fixture("cycle"), user=cast.fixture("member"))


def _link(cast: Cast) -> Any:
    from learning.models import CycleLink

    return CycleLink.objects.create(
        from_cycle=cast.fixture("cycle"), to_cycle=_markers(cast).library_cycle, kind="peer"
    )


def _version(cast: Cast) -> Any:
    from learning.models import EntryVersion

    entry = _markers(cast).entries[("public", "public")]
    return EntryVersion.objects.create(
        entry=entry, number=1, body="Earlier words", visibility="public", written_at=timezone.now()
    )
