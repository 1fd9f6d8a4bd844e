"""One readable function per question about decisions (see DESIGN.md), by state.

Reading follows the place: anyone who can read a place reads its published decisions, their
inputs and responses. A draft is seen only by the place's stewards, its owner and its named
deciders. What a person may *do* depends on the decision's status and on who they are:

* the **owner** (a steward or decider it was handed to) and the place's **stewards** shape the
  decision before it is taken: edit, open it for input, add evidence, mark it decided, start a
  review, revise or rescind it;
* the **deciders** state their interests and may respond to input, as the owner may;
* **members** give input while it is open, and those who objected may record their dissent;
* a member who speaks from the **centre/policy** perspective writes the view from the centre;
* decisions the platform records itself (participatory allocation) have no owner: nobody edits
  them.

``tests/governance/test_rules.py`` checks these over anonymous, outsider, member, steward and
decider, in every status, on public and members-only places.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from places.models import Perspective
from places.permissions import can_read_place, is_member, is_steward, membership_of

from .models import IN_FORCE, PRE_DECISION, Decision, Input, Stance, Status

_DECIDERS_ATTR = "_decider_ids"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def remember_deciders(decision: Decision, user_ids: set[int]) -> None:
    """Tell the cache who decides (a page that loaded the deciders already knows)."""
    decision.__dict__[_DECIDERS_ATTR] = set(user_ids)


def forget_deciders(decision: Decision) -> None:
    decision.__dict__.pop(_DECIDERS_ATTR, None)


def decider_ids(decision: Decision) -> set[int]:
    if _DECIDERS_ATTR not in decision.__dict__:
        decision.__dict__[_DECIDERS_ATTR] = set(decision.deciders.values_list("user_id", flat=True))
    return decision.__dict__[_DECIDERS_ATTR]


# --- Who someone is to a decision -----------------------------------------------------------------


def is_owner(user: Any, decision: Decision) -> bool:
    """Owns it, and is still a member of its place."""
    return _signed_in(user) and decision.owner_id == user.pk and is_member(user, decision.place)


def is_decider(user: Any, decision: Decision) -> bool:
    """Named to decide it, and still a member of its place."""
    return _signed_in(user) and user.pk in decider_ids(decision) and is_member(user, decision.place)


def may_shape(user: Any, decision: Decision) -> bool:
    """The owner or a steward: the people who shape and move a decision (in any state)."""
    return _shapes(user, decision)


def _shapes(user: Any, decision: Decision) -> bool:
    """The owner or a steward: the people who shape and move a decision."""
    if decision.recorded_by_platform:
        return False
    return is_owner(user, decision) or is_steward(user, decision.place)


def speaks_for_centre(user: Any, decision: Decision) -> bool:
    membership = membership_of(user, decision.place)
    return membership is not None and Perspective.CENTRE in membership.perspectives


# --- Reading --------------------------------------------------------------------------------------


def can_view_decision(user: Any, decision: Decision) -> bool:
    if not can_read_place(user, decision.place):
        return False
    if decision.status != Status.DRAFT:
        return True
    return (
        is_steward(user, decision.place) or is_owner(user, decision) or is_decider(user, decision)
    )


def can_view_history(user: Any, decision: Decision) -> bool:
    return can_view_decision(user, decision)


def can_view_implementation(user: Any, decision: Decision) -> bool:
    return can_view_decision(user, decision) and decision.decided_at is not None


def can_read_log(user: Any, place: Any) -> bool:
    return can_read_place(user, place)


def can_have_feed_address(user: Any, place: Any) -> bool:
    """Members get a secret feed address (the only way to follow a members-only place's log
    in a feed reader)."""
    return is_member(user, place)


# --- Shaping and moving a decision ----------------------------------------------------------------


def can_create_decision(user: Any, place: Any) -> bool:
    return is_steward(user, place)


def can_edit_decision(user: Any, decision: Decision) -> bool:
    """Before it is taken; afterwards it changes only by revision."""
    return decision.status in PRE_DECISION and _shapes(user, decision)


def can_hand_over(user: Any, decision: Decision) -> bool:
    return not decision.is_final and _shapes(user, decision)


def can_change_evidence(user: Any, decision: Decision) -> bool:
    return decision.status in PRE_DECISION and _shapes(user, decision)


def can_open_for_input(user: Any, decision: Decision) -> bool:
    return decision.status == Status.DRAFT and _shapes(user, decision)


def can_mark_decided(user: Any, decision: Decision) -> bool:
    """Whether the person may try; the service refuses while an input has no response or a
    decider has not stated their interests (with a message saying which)."""
    return decision.status in (Status.OPEN, Status.DECIDING) and _shapes(user, decision)


def can_start_review(user: Any, decision: Decision) -> bool:
    return decision.status == Status.DECIDED and _shapes(user, decision)


def can_conclude_review(user: Any, decision: Decision) -> bool:
    """Under review: it stands (with a new review date)."""
    return decision.status == Status.UNDER_REVIEW and _shapes(user, decision)


def can_revise(user: Any, decision: Decision) -> bool:
    return decision.status in IN_FORCE and _shapes(user, decision)


def can_rescind(user: Any, decision: Decision) -> bool:
    return not decision.is_final and _shapes(user, decision)


def can_write_centre_view(user: Any, decision: Decision) -> bool:
    """A member who speaks from the centre/policy perspective, before the decision is taken."""
    return (
        decision.status in PRE_DECISION
        and not decision.recorded_by_platform
        and can_view_decision(user, decision)
        and speaks_for_centre(user, decision)
    )


def can_redact(user: Any, decision: Decision) -> bool:
    """Stewards redact what a resident no longer consents to, once the record is public."""
    return decision.status != Status.DRAFT and is_steward(user, decision.place)


# --- Deciders ---------------------------------------------------------------------------------


def can_state_interests(user: Any, decision: Decision) -> bool:
    return decision.status in PRE_DECISION and is_decider(user, decision)


def can_record_dissent(user: Any, decision: Decision, *, objected: bool | None = None) -> bool:
    """A decider, or a member who gave an objection, from input until it is in force.

    ``objected`` may be passed when the page already knows; otherwise one query asks.
    """
    if decision.status not in (Status.OPEN, Status.DECIDING, Status.DECIDED):
        return False
    if decision.recorded_by_platform or not is_member(user, decision.place):
        return False
    if is_decider(user, decision):
        return True
    if objected is None:
        objected = decision.inputs.filter(author=user, stance=Stance.OBJECTION).exists()
    return objected


# --- Input and response -----------------------------------------------------------------------


def can_give_input(user: Any, decision: Decision) -> bool:
    return decision.status == Status.OPEN and is_member(user, decision.place)


def can_edit_input(user: Any, item: Input) -> bool:
    """Its author, while the decision is open and before it has a response."""
    return (
        _signed_in(user)
        and item.author_id == user.pk
        and may_edit_input(
            user,
            item.decision,
            author_id=item.author_id,
            hidden=item.is_hidden,
            answered=has_response(item),
        )
    )


def may_edit_input(
    user: Any, decision: Decision, *, author_id: int | None, hidden: bool, answered: bool
) -> bool:
    """:func:`can_edit_input` from an input's facts alone (a decision page's kept facts)."""
    return (
        _signed_in(user)
        and author_id == user.pk
        and decision.status == Status.OPEN
        and not hidden
        and not answered
        and is_member(user, decision.place)
    )


def has_response(item: Input) -> bool:
    try:
        item.response  # noqa: B018 - loads the reverse one-to-one (or its cached value)
    except ObjectDoesNotExist:
        return False
    return True


def can_respond(user: Any, decision: Decision) -> bool:
    """The owner or a decider, until the decision is taken."""
    if decision.status not in (Status.OPEN, Status.DECIDING) or decision.recorded_by_platform:
        return False
    return is_owner(user, decision) or is_decider(user, decision)


# --- Following it through ---------------------------------------------------------------------


def can_update_implementation(user: Any, decision: Decision, responsible_id: int | None) -> bool:
    """The owner, the person responsible, or a steward, while the decision is in force."""
    if decision.status not in IN_FORCE or not is_member(user, decision.place):
        return False
    return (
        is_owner(user, decision)
        or (responsible_id is not None and responsible_id == user.pk)
        or is_steward(user, decision.place)
    )
