"""Permission-table rules for the place home, gatherings, calendars and care for the space
(merged into ``tests.harness.permissions_table.URL_RULES``).

Who may read and act:

* the place home (timeline, panels), gatherings, a gathering, its ``.ics``, the calendar page,
  the plain calendar feed and the house rules: everyone who can read the place (members only,
  for a members-only place: a 404 to everyone else, so nothing leaks);
* arranging a gathering, answering, flagging, and making or revoking a secret calendar
  address: members;
* changing, cancelling and recording notes of a gathering: its organiser or a steward (the
  gatherings here are organised by the resident, so the member is refused with a 403 — they can
  see the place — while outsiders still get 404);
* the flag queue, a flag, hiding, dismissing, showing again and editing the house rules:
  stewards;
* a secret calendar feed: whoever holds its token (a bearer secret, like an invitation link),
  signed in or not; checked on the public place so the members-only marker is not the point;
* the privacy notice: anyone.

Each rule that points at a gathering or a flag makes a new one per request, so a POST by one
role (a cancel, a dismissal) does not change what the next role is shown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from places.calendar import calendar_token_for, calendar_token_renew
from places.flags import content_hide
from places.models import RSVP, Flag, Gathering, Hiding, HidingAction
from places.registry import registry
from tests.harness.permissions import Cast, Rule
from tests.harness.permissions_table import titled
from tests.places.gathering_helpers import arrange


def _private(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.fixture("private_place").slug}


def _gathering(cast: Cast, *, days: int = 7) -> Gathering:
    place = cast.fixture("private_place")
    return arrange(place, cast.fixture("resident"), days=days, title=titled(place, "Members' tea"))


def _private_gathering(cast: Cast) -> dict[str, Any]:
    gathering = _gathering(cast)
    return {"slug": gathering.place.slug, "pk": gathering.pk}


def _past_private_gathering(cast: Cast) -> dict[str, Any]:
    gathering = _gathering(cast, days=-3)
    return {"slug": gathering.place.slug, "pk": gathering.pk}


def _flaggable(cast: Cast) -> dict[str, Any]:
    gathering = _gathering(cast)
    return {"slug": gathering.place.slug, "kind": "gathering", "object_id": gathering.pk}


def _hidden(cast: Cast) -> dict[str, Any]:
    gathering = _gathering(cast)
    content_hide(
        kind=registry.flaggable("gathering"),
        obj=gathering,
        by=cast.fixture("steward"),
        reason="it breaks rule 2",
    )
    return {"slug": gathering.place.slug, "kind": "gathering", "object_id": gathering.pk}


def _new_flag(cast: Cast) -> Flag:
    gathering = _gathering(cast)
    return Flag.objects.create(
        place=gathering.place,
        kind="gathering",
        object_id=gathering.pk,
        excerpt=gathering.title,
        flagged_by=cast.fixture("member"),
        reason="It breaks a rule",
        house_rule="Be kind and be curious.",
    )


def _flag(cast: Cast) -> dict[str, Any]:
    flag = _new_flag(cast)
    return {"slug": flag.place.slug, "pk": flag.pk}


def _public_token(cast: Cast) -> dict[str, Any]:
    place = cast.fixture("place")
    member = cast.fixture("member")
    token = calendar_token_for(place=place, user=member) or calendar_token_renew(
        place=place, user=member
    )
    return {"slug": place.slug, "token": token.token}


def _answer(cast: Cast) -> dict[str, Any]:
    return {"answer": "going"}


#: On the public place, what members read there anyone may read.
PUBLIC_READ = {"read": "anyone"}
MEMBERS_READ = Rule(read="member", kwargs=_private, private=True, public=PUBLIC_READ)
STEWARDS = Rule(read="steward", write="steward", kwargs=_private)

RULES: dict[str, Rule] = {
    "privacy": Rule(read="anyone"),
    "accessibility": Rule(read="anyone"),  # the accessibility statement
    "places:home": MEMBERS_READ,
    "places:gatherings": MEMBERS_READ,
    "places:gathering_new": Rule(read="member", write="member", kwargs=_private, private=True),
    "places:gathering": Rule(
        read="member", kwargs=_private_gathering, private=True, public=PUBLIC_READ
    ),
    "places:gathering_ics": Rule(
        read="member", kwargs=_private_gathering, private=True, public=PUBLIC_READ
    ),
    "places:gathering_edit": Rule(read="steward", write="steward", kwargs=_private_gathering),
    "places:gathering_cancel": Rule(read="steward", write="steward", kwargs=_private_gathering),
    "places:gathering_notes": Rule(read="steward", write="steward", kwargs=_past_private_gathering),
    "places:gathering_answer": Rule(
        read="nobody", write="member", kwargs=_private_gathering, post_data=_answer, private=True
    ),
    "places:calendar": MEMBERS_READ,
    "places:calendar_feed": MEMBERS_READ,
    "places:calendar_token_renew": Rule(
        read="nobody", write="member", kwargs=_private, private=True
    ),
    "places:calendar_token_revoke": Rule(
        read="nobody", write="member", kwargs=_private, private=True
    ),
    "places:calendar_feed_private": Rule(
        read="anyone",
        kwargs=_public_token,
        note="the address is a bearer secret for calendar apps, which have no session",
    ),
    "places:house_rules": MEMBERS_READ,
    "places:house_rules_edit": STEWARDS,
    "places:flag_new": Rule(read="member", write="member", kwargs=_flaggable, private=True),
    "places:flags": Rule(read="steward", kwargs=_private),
    "places:flag": Rule(read="steward", kwargs=_flag),
    "places:flag_hide": Rule(read="nobody", write="steward", kwargs=_flag),
    "places:flag_dismiss": Rule(read="nobody", write="steward", kwargs=_flag),
    "places:content_unhide": Rule(read="steward", write="steward", kwargs=_hidden),
}


def _gathering_row(cast: Cast) -> Model:
    return arrange(cast.fixture("place"), cast.fixture("member"))


def _hiding_row(cast: Cast) -> Model:
    gathering = _gathering_row(cast)
    return Hiding.objects.create(
        place=gathering.place,
        kind="gathering",
        object_id=gathering.pk,
        action=HidingAction.HIDDEN,
        reason="it breaks rule 2",
        by=cast.fixture("steward"),
    )


#: model label → a maker of one row, for the admin's change, delete and history URLs.
ADMIN_ROWS: dict[str, Any] = {
    "places.gathering": _gathering_row,
    "places.rsvp": lambda cast: RSVP.objects.filter(gathering=_gathering_row(cast)).first(),
    "places.calendarfeedtoken": lambda cast: (
        _public_token(cast)
        and calendar_token_for(place=cast.fixture("place"), user=cast.fixture("member"))
    ),
    "places.flag": _new_flag,
    "places.hiding": _hiding_row,
}
