"""Email digests: periods in each member's time zone, what goes in, once only, batched."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from places import digests, outbox
from places.digests import (
    digest_batch_build,
    digest_key,
    due_batches,
    last_due_period,
    period_named,
)
from places.models import (
    Activity,
    Digest,
    DigestPreference,
    Frequency,
    Gathering,
    Membership,
    OutboxKind,
    OutboxMessage,
    Place,
    Visibility,
)
from places.registry import Registry, registry
from tests.factories import UserFactory
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def at(text: str, tz: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def happened(place: Place, when: datetime, summary: str, **fields: object) -> Activity:
    fields.setdefault("kind", "place")
    fields.setdefault("verb", "updated")
    return Activity.objects.create(
        place=place, summary=summary, url=place.get_absolute_url(), created_at=when, **fields
    )


def build(
    place: Place,
    users: list,
    *,
    frequency: str = "weekly",
    period: str = "2026-W07",
    tz: str = "Europe/London",
    reg: Registry = registry,
    now: datetime | None = None,
):
    return digest_batch_build(
        place_id=place.pk,
        frequency=frequency,
        time_zone=tz,
        period=period,
        user_ids=[u.pk for u in users],
        reg=reg,
        now=now,
    )


@pytest.fixture(autouse=True)
def _long_standing_members(place: Place) -> None:
    """The cast joined long before the periods these tests use."""
    Membership.objects.filter(place=place).update(joined_at=at("2025-01-01T09:00"))


# --- Periods -------------------------------------------------------------------------------------


def test_a_weekly_digest_is_due_at_eight_on_monday_for_the_week_before() -> None:
    # Monday 16 February 2026, 07:59 in London: last week's digest is not due yet.
    before = last_due_period("weekly", LONDON, at("2026-02-16T07:59"))
    after = last_due_period("weekly", LONDON, at("2026-02-16T08:00"))
    assert before.name == "2026-W06"
    assert after.name == "2026-W07"
    assert after.start == at("2026-02-09T00:00")
    assert after.end == at("2026-02-16T00:00")
    assert after.label == "9 to 15 February 2026"


def test_a_daily_digest_covers_yesterday_after_eight_local_time() -> None:
    assert last_due_period("daily", LONDON, at("2026-02-16T07:30")).name == "2026-02-14"
    assert last_due_period("daily", LONDON, at("2026-02-16T08:30")).name == "2026-02-15"
    assert last_due_period("daily", LONDON, at("2026-02-16T08:30")).label == (
        "Sunday 15 February 2026"
    )


def test_periods_are_in_the_members_own_time_zone() -> None:
    # 20:00 on Sunday in London is 09:00 on Monday in Auckland: their week has turned.
    now = at("2026-02-15T20:00")
    assert last_due_period("weekly", LONDON, now).name == "2026-W06"
    auckland = last_due_period("weekly", AUCKLAND, now)
    assert auckland.name == "2026-W07"
    assert auckland.start == at("2026-02-09T00:00", AUCKLAND)


def test_a_week_across_the_clocks_changing_still_runs_midnight_to_midnight() -> None:
    week = period_named("weekly", "2026-W13", LONDON)  # British Summer Time starts 29 March
    assert week.start == at("2026-03-23T00:00")
    assert week.end == at("2026-03-30T00:00")
    utc = ZoneInfo("UTC")
    assert week.end.astimezone(utc) - week.start.astimezone(utc) == timedelta(days=7, hours=-1)


# --- What goes in ---------------------------------------------------------------------------------


def test_the_first_digest_covers_the_last_whole_period_only(place, member) -> None:
    happened(place, at("2026-02-01T12:00"), "Two weeks ago")
    happened(place, at("2026-02-10T12:00"), "Last week")
    happened(place, at("2026-02-16T09:00"), "This week")

    result = build(place, [member])

    assert result.sent == 1
    row = OutboxMessage.objects.get(recipient=member)
    assert "Last week" in row.body
    assert "Two weeks ago" not in row.body and "This week" not in row.body
    assert Digest.objects.get(user=member).items == 1


def test_due_batches_offer_the_last_whole_period_and_not_the_ones_before(place, member) -> None:
    batches = due_batches(now=at("2026-02-17T10:00"))
    periods = {(b.period, b.frequency) for b in batches if member.pk in b.user_ids}
    assert periods == {("2026-W07", "weekly")}


def test_someone_who_joined_after_the_send_time_waits_for_the_next_digest(place) -> None:
    newcomer = UserFactory(display_name="Nia Newcomer")
    Membership.objects.create(
        place=place, user=newcomer, perspectives=["resident"], joined_at=at("2026-02-17T09:00")
    )
    batches = due_batches(now=at("2026-02-17T10:00"))
    assert not any(newcomer.pk in b.user_ids for b in batches)
    later = due_batches(now=at("2026-02-23T08:05"))
    assert any(newcomer.pk in b.user_ids and b.period == "2026-W08" for b in later)


def test_members_who_chose_never_get_no_digest_and_daily_members_get_yesterday(
    place, member, resident, steward
) -> None:
    DigestPreference.objects.create(user=member, place=place, frequency=Frequency.NEVER)
    DigestPreference.objects.create(user=resident, place=place, frequency=Frequency.DAILY)
    batches = due_batches(now=at("2026-02-17T10:00"))
    wanted = {(uid, b.frequency, b.period) for b in batches for uid in b.user_ids}
    assert (steward.pk, "weekly", "2026-W07") in wanted
    assert (resident.pk, "daily", "2026-02-16") in wanted
    assert not any(uid == member.pk for uid, _, _ in wanted)


def test_it_shows_only_what_the_member_may_see(place, member, resident) -> None:
    reg = Registry()
    for section in registry.digest_sections():
        reg.digest_sections_by_key[section.key] = section
    reg.register_scope(
        "circle",
        lambda user, place, scope_id: user.pk == resident.pk,
        audience=lambda place, scope_id, ids: {i for i in ids if i == resident.pk},
    )
    happened(place, at("2026-02-10T10:00"), "Open to everyone")
    happened(place, at("2026-02-10T11:00"), "For members", visibility=Visibility.MEMBERS)
    happened(
        place,
        at("2026-02-10T12:00"),
        "Only the circle",
        visibility=Visibility.SCOPED,
        scope="circle:1",
    )
    happened(
        place,
        at("2026-02-10T13:00"),
        "Unknown scope",
        visibility=Visibility.SCOPED,
        scope="nothing:1",
    )

    build(place, [member, resident], reg=reg)

    seen_by_member = OutboxMessage.objects.get(recipient=member).body
    seen_by_resident = OutboxMessage.objects.get(recipient=resident).body
    assert "Open to everyone" in seen_by_member and "For members" in seen_by_member
    assert "Only the circle" not in seen_by_member
    assert "Only the circle" in seen_by_resident
    assert "Unknown scope" not in seen_by_resident + seen_by_member
    assert Digest.objects.get(user=member).items == 2
    assert Digest.objects.get(user=resident).items == 3


def test_it_groups_items_by_section_newest_first_and_people_by_perspective(
    place, member, steward
) -> None:
    happened(
        place,
        at("2026-02-09T10:00"),
        "Ann joined",
        kind="member",
        verb="joined",
        perspectives=["resident"],
    )
    happened(
        place,
        at("2026-02-11T10:00"),
        "Bo joined",
        kind="member",
        verb="joined",
        perspectives=["resident"],
    )
    happened(
        place,
        at("2026-02-10T10:00"),
        "Cy joined",
        kind="member",
        verb="joined",
        perspectives=["commissioner"],
    )
    happened(
        place, at("2026-02-12T10:00"), "A gathering was arranged", kind="gathering", verb="arranged"
    )
    happened(
        place,
        at("2026-02-13T10:00"),
        "Someone declared an interest",
        kind="interest",
        verb="declared",
    )

    build(place, [member])

    body = OutboxMessage.objects.get(recipient=member).body
    people = body.index("PEOPLE")
    gatherings = body.index("GATHERINGS")
    other = body.index("ALSO IN THIS PLACE")
    assert people < gatherings < other
    residents = body.index("Joined as resident or citizen (2)")
    assert body.index("Bo joined") < body.index("Ann joined")  # newest first
    assert residents < body.index("Bo joined")
    assert "Joined as commissioner (1)" in body
    assert body.index("Someone declared an interest") > other


def test_it_lists_gatherings_coming_up_without_counting_them_as_news(place, member, steward):
    happened(place, at("2026-02-10T10:00"), "Something happened")
    coming = arrange(place, steward, days=3, title="Tea at the hub")
    Activity.objects.filter(kind="gathering").delete()  # arranged "now", not in the period

    build(place, [member], now=timezone.now())

    row = OutboxMessage.objects.get(recipient=member)
    assert "GATHERINGS COMING UP" in row.body
    assert "Tea at the hub" in row.body
    assert f"/gatherings/{coming.pk}/" in row.html
    assert Digest.objects.get(user=member).items == 1


def test_contributions_a_steward_hid_are_left_out(place, member, steward) -> None:
    gathering = arrange(place, steward, days=3, title="Litter pick")
    Activity.objects.filter(kind="gathering").update(created_at=at("2026-02-10T10:00"))
    happened(place, at("2026-02-10T11:00"), "Something else")
    Gathering.objects.filter(pk=gathering.pk).update(hidden_at=timezone.now(), hidden_reason="x")

    build(place, [member])

    body = OutboxMessage.objects.get(recipient=member).body
    assert "Something else" in body
    assert "arranged a gathering" not in body


def test_the_email_has_html_and_text_one_click_unsubscribe_and_a_fixed_message_id(
    place, member
) -> None:
    happened(place, at("2026-02-10T10:00"), "Something <b>bold</b> & new")
    member.display_name = "Mo <Member>"
    member.save()

    build(place, [member])

    row = OutboxMessage.objects.get(recipient=member)
    key = digest_key(
        place_id=place.pk, user_id=member.pk, period=period_named("weekly", "2026-W07", LONDON)
    )
    assert row.key == key
    assert row.kind == OutboxKind.DIGEST and row.place == place
    assert row.subject == "Millbrook: your weekly digest for 9 to 15 February 2026"
    assert row.headers["Message-ID"] == outbox.message_id_for(key)
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = row.headers["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in unsubscribe
    assert unsubscribe in row.body and unsubscribe in row.html
    assert "Hello Mo <Member>," in row.body
    assert "Hello Mo &lt;Member&gt;," in row.html
    assert "Something &lt;b&gt;bold&lt;/b&gt; &amp; new" in row.html
    assert "\x00" not in row.body + row.html

    outbox.deliver(row.pk)
    sent = mail.outbox[-1]
    parsed = email.message_from_bytes(sent.message().as_bytes())
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == outbox.message_id_for(key)
    assert [p.get_content_type() for p in parsed.walk()][1:] == ["text/plain", "text/html"]


def test_nothing_is_sent_when_nothing_happened_and_it_is_not_built_again(place, member) -> None:
    happened(place, at("2026-02-20T10:00"), "The week after")

    result = build(place, [member])

    assert result.sent == 0 and result.empty == 1
    assert not OutboxMessage.objects.exists()
    assert Digest.objects.get(user=member).items == 0
    batches = due_batches(now=at("2026-02-17T10:00"))
    assert not any(member.pk in b.user_ids for b in batches)


def test_a_digest_is_claimed_once_however_often_its_batch_runs(place, member, steward) -> None:
    happened(place, at("2026-02-10T10:00"), "News")
    first = build(place, [member, steward])
    again = build(place, [member, steward])
    overlapping = build(place, [steward, member])

    assert first.sent == 2
    assert again.claimed == 0 and again.sent == 0 and again.skipped == 2
    assert overlapping.sent == 0
    assert OutboxMessage.objects.filter(kind=OutboxKind.DIGEST).count() == 2
    assert Digest.objects.count() == 2


def test_a_batch_leaves_out_people_who_left_or_changed_their_minds(place, member, steward) -> None:
    happened(place, at("2026-02-10T10:00"), "News")
    DigestPreference.objects.create(user=member, place=place, frequency=Frequency.NEVER)
    Membership.objects.filter(place=place, user=steward).delete()
    result = build(place, [member, steward])
    assert result.claimed == 0
    assert not OutboxMessage.objects.exists()


def test_the_queries_of_a_batch_do_not_grow_with_its_size(place) -> None:
    people = []
    for n in range(12):
        person = UserFactory(display_name=f"Person {n:02d}")
        Membership.objects.create(
            place=place, user=person, perspectives=["resident"], joined_at=at("2025-06-01T09:00")
        )
        people.append(person)
    for day in range(9, 16):
        happened(
            place,
            at(f"2026-02-{day:02d}T10:00"),
            f"News of the {day}th",
            visibility=Visibility.MEMBERS if day % 2 else Visibility.PUBLIC,
        )
    arrange(place, people[0], days=2)

    def count(users: list, period: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = build(place, users, period=period)
        assert result.sent == len(users)
        return len(captured)

    small = count(people[:3], "2026-W07")
    large = count(people[3:], "2026-W07")
    assert small == large, f"{small} queries for 3 members, {large} for 9"
    assert small <= 14


def test_the_fan_out_queues_batches_of_the_configured_size(place, settings) -> None:
    settings.DIGEST_BATCH_SIZE = 2
    batches = due_batches(now=at("2026-02-17T10:00"))
    mine = [b for b in batches if b.place_id == place.pk]
    assert [len(b.user_ids) for b in mine] == [2, 1]
    assert all(b.period == "2026-W07" and b.time_zone == "Europe/London" for b in mine)


def test_members_in_other_time_zones_are_batched_with_their_own_period(place, member) -> None:
    member.time_zone = "Pacific/Auckland"
    member.save()
    batches = due_batches(now=at("2026-02-15T20:00"))
    (mine,) = [b for b in batches if member.pk in b.user_ids]
    assert (mine.time_zone, mine.period) == ("Pacific/Auckland", "2026-W07")
    others = [b for b in batches if b.place_id == place.pk and member.pk not in b.user_ids]
    assert {b.period for b in others} == {"2026-W06"}


def test_an_unknown_time_zone_falls_back_to_london() -> None:
    assert digests.zone("Mars/Olympus_Mons") == LONDON
