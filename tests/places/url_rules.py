"""Permission-table rules for the people side of ``places`` (merged into
``tests.harness.permissions_table.URL_RULES``).

Pages that show members-only content are checked on ``private_place`` (its name carries the
private marker, so any leak to a non-member fails). Steward-only pages are ``private=False``:
a member of a members-only place can see the place, so for them a 403 is right, while
outsiders still get 404. ``tests/places/test_permissions_rules.py`` checks the same views on
the public place too.
"""

from __future__ import annotations

import secrets
from typing import Any

from places.models import Interest, Invitation, JoinRequest, Membership, Power
from places.services import invitation_token
from tests.harness.permissions import Cast, Rule


def _private(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _private_member(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    membership = Membership.objects.get(place=place, user=cast.fixture("member"))
    return {"slug": place.slug, "membership_id": membership.pk}


def _private_resident(cast: Cast) -> dict[str, Any]:
    """The resident: the steward's POST to "remove" acts on them, not on another role."""
    place = cast.fixture("private_place")
    membership = Membership.objects.get(place=place, user=cast.fixture("resident"))
    return {"slug": place.slug, "membership_id": membership.pk}


def _join_request(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    request, _ = JoinRequest.objects.get_or_create(
        place=place,
        user=cast.fixture("outsider"),
        status="pending",
        defaults={"perspectives": ["resident"]},
    )
    return {"slug": place.slug, "request_id": request.pk}


def _invitation(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    invitation = Invitation.objects.create(
        place=place,
        email="someone@example.org",
        invited_by=cast.fixture("steward"),
        nonce=secrets.token_hex(16),
    )
    return {"slug": place.slug, "invitation_id": invitation.pk}


def _invitation_token(cast: Cast) -> dict[str, Any]:
    """A live invitation to the public place (the link is a bearer secret: its holder may see
    the place it invites them to, so the members-only marker is not the point here)."""
    invitation = Invitation.objects.create(
        place=cast.fixture("place"),
        email="someone@example.org",
        invited_by=cast.fixture("steward"),
        nonce=secrets.token_hex(16),
    )
    return {"token": invitation_token(invitation)}


def _owner(cast: Cast) -> Any:
    """The acting person if they belong to the private place, else its member."""
    place = cast.fixture("private_place")
    if cast.actor is not None and Membership.objects.filter(place=place, user=cast.actor).exists():
        return cast.actor
    return cast.fixture("member")


def _interest(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    interest = Interest.objects.create(
        place=place, user=_owner(cast), kind="employment", description="Works for the council"
    )
    return {"slug": place.slug, "interest_id": interest.pk}


def _power(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("private_place")
    power = Power.objects.create(
        place=place, user=_owner(cast), kind="duty", description="A statutory duty"
    )
    return {"slug": place.slug, "power_id": power.pk}


MEMBER = Rule(read="member", write="member", kwargs=_private, private=True)
#: On the public place, what members read there anyone may read.
PUBLIC_READ = {"read": "anyone"}
STEWARD = Rule(read="steward", write="steward", kwargs=_private)

RULES: dict[str, Rule] = {
    "places:create": Rule(read="signed_in", write="signed_in"),
    "places:edit": STEWARD,
    "places:power_map": Rule(read="member", kwargs=_private, private=True, public=PUBLIC_READ),
    "places:directory": Rule(read="member", kwargs=_private, private=True, public=PUBLIC_READ),
    "places:member": Rule(read="member", kwargs=_private_member, private=True, public=PUBLIC_READ),
    "places:member_role": Rule(read="steward", write="steward", kwargs=_private_member),
    "places:member_remove": Rule(read="steward", write="steward", kwargs=_private_resident),
    "places:join": Rule(
        read="member",
        write="member",
        kwargs=_private,
        private=True,
        public={"read": "signed_in", "write": "signed_in"},
        note="a members-only place is joined by invitation, a public one by asking (the cast's "
        "public place asks its stewards); its members are sent home",
    ),
    "places:leave": MEMBER,
    "places:my_perspectives": MEMBER,
    "places:requests": Rule(read="steward", kwargs=_private),
    "places:request_decide": Rule(read="steward", write="steward", kwargs=_join_request),
    "places:invite": STEWARD,
    "places:invitation_manage": Rule(read="nobody", write="steward", kwargs=_invitation),
    "places:invitation": Rule(
        read="anyone",
        write="signed_in",
        kwargs=_invitation_token,
        note="the link is a bearer secret; members are sent to the place",
    ),
    "places:interest_declare": MEMBER,
    "places:interest_withdraw": Rule(read="member", write="member", kwargs=_interest, private=True),
    "places:power_declare": MEMBER,
    "places:power_withdraw": Rule(read="member", write="member", kwargs=_power, private=True),
}


#: A row of each people model for the admin's change, delete and history pages.
ADMIN_ROWS: dict[str, Any] = {
    "places.joinrequest": lambda cast: JoinRequest.objects.get(
        pk=_join_request(cast)["request_id"]
    ),
    "places.invitation": lambda cast: Invitation.objects.get(pk=_invitation(cast)["invitation_id"]),
    "places.interest": lambda cast: Interest.objects.get(pk=_interest(cast)["interest_id"]),
    "places.power": lambda cast: Power.objects.get(pk=_power(cast)["power_id"]),
}
