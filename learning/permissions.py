"""One readable function per question about learning cycles (see DESIGN.md).

Reading follows the place: anyone who can read a place reads its cycles, and each entry is
shown by its own visibility (public, the place's members, or the cycle's participants) — never
by the reader's role. Members start cycles and ask to join them; participants log entries,
move the cycle on and accept new participants; stewards extend the place's prompt questions
and define place-wide measures.

Whether someone takes part in a cycle is looked up once per cycle object and remembered on
it, like the membership cache in ``places.permissions``.
"""

from __future__ import annotations

from typing import Any

from places.models import Place
from places.permissions import can_read_place, is_member, is_steward

from .models import CycleParticipant, EntryVisibility, LearningCycle

_CACHE_ATTR = "_participant_ids"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def remember_participants(cycle: LearningCycle, user_ids: set[int]) -> None:
    """Tell the cache who takes part (a page that loaded the participants already knows)."""
    cycle.__dict__[_CACHE_ATTR] = set(user_ids)


def forget_participants(cycle: LearningCycle) -> None:
    cycle.__dict__.pop(_CACHE_ATTR, None)


def participant_ids(cycle: LearningCycle) -> set[int]:
    if _CACHE_ATTR not in cycle.__dict__:
        cycle.__dict__[_CACHE_ATTR] = set(
            CycleParticipant.objects.filter(cycle=cycle).values_list("user_id", flat=True)
        )
    return cycle.__dict__[_CACHE_ATTR]


def is_participant(user: Any, cycle: LearningCycle) -> bool:
    """Takes part in the cycle and is still a member of its place."""
    return _signed_in(user) and user.pk in participant_ids(cycle) and is_member(user, cycle.place)


# --- Reading ------------------------------------------------------------------------------------


def can_read_cycle(user: Any, cycle: LearningCycle) -> bool:
    return can_read_place(user, cycle.place)


def can_see_entry(user: Any, entry: Any) -> bool:
    """Each entry by its own visibility (the reader must be able to read the place at all)."""
    cycle = entry.cycle
    if not can_read_place(user, cycle.place):
        return False
    if entry.visibility == EntryVisibility.PUBLIC:
        return True
    if entry.visibility == EntryVisibility.MEMBERS:
        return is_member(user, cycle.place)
    return is_participant(user, cycle)


# --- Cycles -------------------------------------------------------------------------------------


def can_create_cycle(user: Any, place: Place) -> bool:
    return is_member(user, place)


def can_edit_cycle(user: Any, cycle: LearningCycle) -> bool:
    """Participants reframe an open cycle (title, question, intent, rhythm, links…)."""
    return cycle.is_open and is_participant(user, cycle)


def can_move_cycle(user: Any, cycle: LearningCycle) -> bool:
    """Any participant may move an open cycle on, conclude it or stop it."""
    return cycle.is_open and is_participant(user, cycle)


def can_ask_to_join(user: Any, cycle: LearningCycle) -> bool:
    """Members who are not yet taking part ask to join an open cycle."""
    return cycle.is_open and is_member(user, cycle.place) and not is_participant(user, cycle)


def can_decide_join_requests(user: Any, cycle: LearningCycle) -> bool:
    return is_participant(user, cycle)


def can_link_cycle(user: Any, cycle: LearningCycle) -> bool:
    return can_edit_cycle(user, cycle)


# --- Entries ------------------------------------------------------------------------------------


def can_add_entry(user: Any, cycle: LearningCycle) -> bool:
    """Only participants log entries, and only while the cycle is open."""
    return cycle.is_open and is_participant(user, cycle)


def can_edit_entry(user: Any, entry: Any) -> bool:
    """An entry's author may change it while they are a member (later edits keep versions).
    Status changes are the cycle's record and are not edited."""
    return (
        _signed_in(user)
        and entry.author_id == user.pk
        and entry.kind != "status"
        and entry.reading_id is None
        and is_member(user, entry.cycle.place)
    )


# --- Measures -----------------------------------------------------------------------------------


def can_define_measure(user: Any, place: Place, cycle: LearningCycle | None = None) -> bool:
    """A cycle's participants define its measures; stewards define the place's own."""
    if cycle is not None:
        return can_edit_cycle(user, cycle)
    return is_steward(user, place)


def can_record_reading(user: Any, measure: Any) -> bool:
    """A cycle's measure takes readings from its participants while the cycle is open (each
    reading is also a data point in its timeline); a place-wide one from any member."""
    if measure.cycle_id is not None:
        return can_add_entry(user, measure.cycle)
    return is_member(user, measure.place)


# --- Prompts ------------------------------------------------------------------------------------


def can_manage_prompt_questions(user: Any, place: Place) -> bool:
    return is_steward(user, place)


def can_answer_prompt_in_app(user: Any, delivery: Any) -> bool:
    """In the app, a signed-in person answers their own prompt (the emailed link needs no login)."""
    return _signed_in(user) and delivery.user_id == user.pk
