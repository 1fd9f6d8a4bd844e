"""The decision log's Atom feed (parsed with feedparser), its CSV (parsed with csv), and the
secret per-member feed address of a members-only place."""

from __future__ import annotations

import csv
import io
from typing import Any

import feedparser
from django.urls import reverse

from governance import services
from governance.exports import CSV_COLUMNS
from governance.models import Status

from .cast import DRAFT_MARKER, make_decision


def test_the_atom_feed_parses_and_lists_published_decisions_only(
    place: Any, steward: Any, member: Any, anonymous: Any, governance_markers: Any
) -> None:
    open_one = make_decision(place, steward, title="Sunday opening")
    decided = make_decision(
        place, steward, title="Lunch club", status=Status.DECIDED, inputs=[(member, "support")]
    )
    response = anonymous.get(reverse("governance:feed", kwargs={"slug": place.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == f"Decisions of {place.name}"
    titles = [e.title for e in feed.entries]
    assert "Sunday opening (open for input)" in titles and "Lunch club (decided)" in titles
    assert not any(DRAFT_MARKER in t for t in titles)
    entry = next(e for e in feed.entries if e.title.startswith("Lunch club"))
    assert entry.link.endswith(decided.get_absolute_url())
    assert "Open on Sundays with volunteers." in entry.summary
    assert {t.term for t in entry.tags} == {"Decided", "Consent"}
    assert open_one.get_absolute_url() in response.content.decode()
    assert member.email.encode() not in response.content


def test_the_csv_parses_with_a_stable_header_and_counts(
    place: Any, steward: Any, member: Any, decider: Any, anonymous: Any, governance_markers: Any
) -> None:
    decided = make_decision(
        place,
        steward,
        status=Status.DECIDED,
        deciders=[decider],
        title='=HYPERLINK("http://x")',
        inputs=[(member, "support")] * 2,
    )
    response = anonymous.get(reverse("governance:csv", kwargs={"slug": place.slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{place.slug}-decisions.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0].keys()) == [name for name, _ in CSV_COLUMNS]
    [row] = rows  # the public draft is not exported
    assert row["id"] == str(decided.pk)
    assert row["title"].startswith("'=")  # not run as a formula
    assert (row["status"], row["method"], row["owner"], row["deciders"]) == (
        "decided",
        "consent",
        steward.display_name,
        decider.display_name,
    )
    assert (row["inputs"], row["answered"], row["unanswered"]) == ("2", "2", "0")
    assert row["decided_on"] == decided.decided_on.isoformat()
    assert steward.email not in response.content.decode()


def test_a_members_only_place_feeds_only_through_a_members_secret_address(
    private_place: Any, steward: Any, member: Any, anonymous: Any, client_for: Any, outsider: Any
) -> None:
    make_decision(private_place, steward, title="Private matter")
    plain = reverse("governance:feed", kwargs={"slug": private_place.slug})
    assert anonymous.get(plain).status_code == 404
    assert client_for(outsider).get(plain).status_code == 404
    assert client_for(member).get(plain).status_code == 200  # signed in on the site

    client = client_for(member)
    assert (
        client.post(
            reverse("governance:feed_renew", kwargs={"slug": private_place.slug})
        ).status_code
        == 302
    )
    token = services.feed_token_for(place=private_place, user=member)
    secret = reverse(
        "governance:feed_private", kwargs={"slug": private_place.slug, "token": token.token}
    )
    page = client.get(reverse("governance:feed_page", kwargs={"slug": private_place.slug}))
    assert token.token in page.content.decode()
    response = anonymous.get(secret)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert feedparser.parse(response.content).entries[0].title == "Private matter (open for input)"
    # The address works for that place only, and stops when revoked.
    assert (
        anonymous.get(
            reverse("governance:feed_private", kwargs={"slug": "millbrook", "token": token.token})
        ).status_code
        == 404
    )
    client.post(reverse("governance:feed_revoke", kwargs={"slug": private_place.slug}))
    assert anonymous.get(secret).status_code == 404


def test_a_secret_address_stops_working_when_its_member_leaves(
    private_place: Any, steward: Any, member: Any, anonymous: Any
) -> None:
    from places.models import Membership

    token = services.feed_token_renew(place=private_place, user=member)
    secret = reverse(
        "governance:feed_private", kwargs={"slug": private_place.slug, "token": token.token}
    )
    assert anonymous.get(secret).status_code == 200
    Membership.objects.filter(place=private_place, user=member).delete()
    assert anonymous.get(secret).status_code == 404
