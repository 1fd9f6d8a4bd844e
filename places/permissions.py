"""One readable function per question about places and their people (see DESIGN.md).

Views and templates ask these; ``tests/places/test_permissions_rules.py`` checks them over
anonymous, outsider, member and steward. Reading is decided by the place's visibility and by
membership only; roles change what a person may *do*, never what they may see.

The person's membership in a place is looked up once per place object and remembered on it,
so a template asking several questions about one place costs one query, not one per question.
"""

from __future__ import annotations

from typing import Any

from .models import JoinPolicy, Membership, Place

_CACHE_ATTR = "_membership_by_user"


def _is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def remember_membership(place: Place, user: Any, membership: Membership | None) -> None:
    """Tell the per-object cache what we already know (``access`` calls this after its query)."""
    if _is_signed_in(user):
        cache: dict[int, Membership | None] = place.__dict__.setdefault(_CACHE_ATTR, {})
        cache[user.pk] = membership


def membership_of(user: Any, place: Place) -> Membership | None:
    """The user's membership in the place, or None (anonymous people have none)."""
    if not _is_signed_in(user):
        return None
    cache: dict[int, Membership | None] = place.__dict__.setdefault(_CACHE_ATTR, {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(place=place, user=user).first()
    return cache[user.pk]


def forget_membership(place: Place) -> None:
    """Drop the cache after a change to memberships (join, leave, role change)."""
    place.__dict__.pop(_CACHE_ATTR, None)


# --- Reading ------------------------------------------------------------------------------------


def is_member(user: Any, place: Place) -> bool:
    return membership_of(user, place) is not None


def is_steward(user: Any, place: Place) -> bool:
    membership = membership_of(user, place)
    return membership is not None and membership.is_steward


def can_read_place(user: Any, place: Place) -> bool:
    """Public places are open to everyone; a members-only place exists only for its members."""
    return place.is_public or is_member(user, place)


def can_manage_place(user: Any, place: Place) -> bool:
    """Edit the description, missions, house rules, visibility and join policy."""
    return is_steward(user, place)


def can_view_directory(user: Any, place: Place) -> bool:
    """The directory shows names, perspectives and interests (never email addresses)."""
    return can_read_place(user, place)


def can_view_power_map(user: Any, place: Place) -> bool:
    return can_read_place(user, place)


# --- Joining and leaving -------------------------------------------------------------------------


def can_join_directly(user: Any, place: Place) -> bool:
    """A signed-in non-member of a public place that lets anyone join."""
    return (
        _is_signed_in(user)
        and place.is_public
        and place.join_policy == JoinPolicy.OPEN
        and not is_member(user, place)
    )


def can_request_to_join(user: Any, place: Place) -> bool:
    """A signed-in non-member of a public place where a steward approves each request."""
    return (
        _is_signed_in(user)
        and place.is_public
        and place.join_policy == JoinPolicy.APPROVAL
        and not is_member(user, place)
    )


def can_leave(user: Any, place: Place) -> bool:
    """Any member may ask to leave; the service refuses the last steward with a reason."""
    return is_member(user, place)


# --- Stewarding people -----------------------------------------------------------------------


def can_invite(user: Any, place: Place) -> bool:
    return is_steward(user, place)


def can_decide_join_requests(user: Any, place: Place) -> bool:
    return is_steward(user, place)


def can_change_role(user: Any, membership: Membership) -> bool:
    """Stewards change anyone's role; the service keeps at least one steward."""
    return is_steward(user, membership.place)


def can_remove_member(user: Any, membership: Membership) -> bool:
    """Stewards remove other members; people remove themselves by leaving."""
    return is_steward(user, membership.place) and membership.user_id != getattr(user, "pk", None)


# --- A member's own declarations -------------------------------------------------------------


def can_declare(user: Any, place: Place) -> bool:
    """Members declare their own interests and the power they hold in the place."""
    return is_member(user, place)


def can_change_declaration(user: Any, declaration: Any) -> bool:
    """Only the person who declared an interest or power may withdraw or end it."""
    return (
        _is_signed_in(user)
        and declaration.user_id == user.pk
        and is_member(user, declaration.place)
    )


# --- Gatherings (places/gatherings.py) ------------------------------------------------------------
# Reading a gathering is reading its place (can_read_place). These take the gathering, whose
# ``place`` should be the instance the view already loaded, so the membership cache applies.


def can_arrange_gathering(user: Any, place: Place) -> bool:
    """Members and stewards arrange gatherings."""
    return is_member(user, place)


def can_answer_gathering(user: Any, gathering: Any) -> bool:
    """Members answer going / maybe / not going until it is over or cancelled."""
    return is_member(user, gathering.place) and gathering.is_open_for_answers


def _organises(user: Any, gathering: Any) -> bool:
    return (
        _is_signed_in(user)
        and gathering.organiser_id == user.pk
        and is_member(user, gathering.place)
    )


def can_change_gathering(user: Any, gathering: Any) -> bool:
    """Its organiser (while a member) or a steward reschedules, edits or cancels it, until it is
    over (then they record its notes instead)."""
    if gathering.is_cancelled or gathering.has_ended:
        return False
    return _organises(user, gathering) or is_steward(user, gathering.place)


def can_record_notes(user: Any, gathering: Any) -> bool:
    """After it ends, its organiser or a steward records the notes and who was there."""
    if gathering.is_cancelled or not gathering.has_ended:
        return False
    return _organises(user, gathering) or is_steward(user, gathering.place)


def can_have_calendar_address(user: Any, place: Place) -> bool:
    """Members get a secret calendar address (the only way to subscribe to a members-only place)."""
    return is_member(user, place)


# --- Care for the space (places/flags.py) ---------------------------------------------------------


def can_flag(user: Any, place: Place) -> bool:
    """Any member may flag a contribution in their place."""
    return is_member(user, place)


def can_moderate(user: Any, place: Place) -> bool:
    """Stewards see the flag queue and hide or show contributions (always with a reason)."""
    return is_steward(user, place)


def can_edit_house_rules(user: Any, place: Place) -> bool:
    return can_manage_place(user, place)
