"""Find a decision for a person, or refuse without leaking (see places.access).

A decision someone may not know exists — in a members-only place they are not in, a draft
they may not see, an id of another place — is a 404. One they can see but may not act on
is a 403, raised by the views with :func:`refuse`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from places.access import get_place_for_user
from places.models import Membership, Place

from .models import Decision, Input
from .permissions import can_view_decision


def get_decision_for_user(
    user: Any, slug: str, pk: int, *, with_people: bool = True
) -> tuple[Place, Membership | None, Decision]:
    """``with_people=False`` leaves the owner and the author of the centre's view to be read
    when shown: the decision page shows them only in its kept body (place_fragment), so joining
    them cost every request about a millisecond to build and run for a rare miss's sake."""
    place, membership = get_place_for_user(user, slug)
    # Not the decision it revises: few have one, and joining it costs every page more to build
    # than the one query it saves on a revision's.
    found = Decision.objects.defer("search_vector")  # the search's, never shown
    if with_people:
        found = found.select_related("owner", "centre_view_by")
    decision = found.filter(place=place, pk=pk).first()
    if decision is None:
        raise Http404("No such decision")
    decision.place = place  # the same instance, so the membership cache applies
    if not can_view_decision(user, decision):
        raise Http404("No such decision")
    return place, membership, decision


def get_input(decision: Decision, input_id: int) -> Input:
    """An input of this decision; another decision's (or a forged) id is a 404."""
    item = (
        Input.objects.select_related("author", "response")
        .filter(decision=decision, pk=input_id)
        .first()
    )
    if item is None:
        raise Http404("No such input")
    item.decision = decision
    return item


def refuse(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
