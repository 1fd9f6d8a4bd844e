"""One helper per top-level object: find it for a user, or refuse without leaking.

As in healthchecks' ``_get_check_for_user``: a place someone may not know exists is a 404;
a place they can see but may not act on is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Place
from .notifications import UNREAD_TOLD, unread_annotation
from .parts import page_version_of, place_id_column, with_page_version
from .permissions import remember_membership

MEMBERSHIP_PLACE = place_id_column(Membership, "place")


def get_place_for_user(user: Any, slug: str) -> tuple[Place, Membership | None]:
    """The place and the user's membership in it (None if not a member).

    Raises Http404 for an unknown slug and for a members-only place the user does not belong
    to, so that its existence does not leak.
    """
    # The place comes with its page version, the key of the parts of its pages kept in the
    # cache (places.parts); a member's comes with their membership too, in the same query.
    # A signed-in reader's unread count (the header's badge) comes in the same query too.
    membership = None
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in:
        membership = (
            Membership.objects.select_related("place")
            .filter(place__slug=slug, user=user)
            .annotate(
                place_page_version=page_version_of(MEMBERSHIP_PLACE),
                unread=unread_annotation(user),
            )
            .order_by()
            .first()
        )
    if membership is not None:
        place = membership.place
        place.page_version = membership.place_page_version  # type: ignore[attr-defined]
        setattr(user, UNREAD_TOLD, membership.unread)  # type: ignore[attr-defined]
    else:
        places = with_page_version(Place.objects.filter(slug=slug))
        if signed_in:
            places = places.annotate(unread=unread_annotation(user))
        found = places.first()
        if found is None:
            raise Http404("No such place")
        place = found
        if signed_in:
            setattr(user, UNREAD_TOLD, place.unread)  # type: ignore[attr-defined]
    remember_membership(place, user, membership)
    if not place.is_public and membership is None:
        raise Http404("No such place")
    return place, membership


def get_place_for_member(user: Any, slug: str) -> tuple[Place, Membership]:
    """For member-only actions: 404 if the place is hidden from the user, 403 if visible."""
    place, membership = get_place_for_user(user, slug)
    if membership is None:
        raise PermissionDenied("Only members of this place can do that.")
    return place, membership


def get_place_for_steward(user: Any, slug: str) -> tuple[Place, Membership]:
    """For steward actions: 404 if the place is hidden from the user, 403 for anyone else."""
    place, membership = get_place_for_member(user, slug)
    if not membership.is_steward:
        raise PermissionDenied("Only the stewards of this place can do that.")
    return place, membership


def get_membership_in_place(place: Place, membership_id: int) -> Membership:
    """A membership of this place by id; a forged or foreign id is a 404."""
    membership = (
        Membership.objects.select_related("user").filter(place=place, pk=membership_id).first()
    )
    if membership is None:
        raise Http404("No such member")
    membership.place = place  # share the place object, and with it the permission cache
    return membership
