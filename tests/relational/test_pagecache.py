"""The anonymous page cache (relational/pagecache.py) and the page versions it keys on
(relational/pageversions.py).

Most of these tests commit (``transaction=True``): a page version changes when the change
commits, and the cache stays out of the way inside a transaction that is still open (which is
where every ordinary ``db`` test runs its requests).
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from governance import services as decisions
from governance.models import Decision, Status
from learning import services as learning
from learning.models import EntryVisibility, LearningCycle
from places.flags import content_hide
from places.gatherings import gathering_answer
from places.models import (
    Gathering,
    GatheringKind,
    JoinPolicy,
    Membership,
    Place,
    PlaceVisibility,
    Role,
)
from places.notifications import notifications_mark_read
from places.registry import registry
from places.services import place_update
from relational import pageversions
from relational.embedded import RedisServer
from relational.models import PageVersion, User
from tests.governance.cast import make_decision
from tests.governance.fund_cast import make_fund, make_idea
from tests.learning.cast import log, make_cycle
from tests.workers import private_redis  # noqa: F401 - a fixture

committing = pytest.mark.django_db(transaction=True)


def fetch(client: Client, url: str, **headers: Any) -> tuple[str, str | None]:
    """GET ``url``: its text, and ``hit``/``miss`` from the cache (None: not for the cache)."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), response.get("X-Cache")


def warm(client: Client, url: str, **headers: Any) -> str:
    """Ask for a page twice: a page is kept once it is asked for again. Its text."""
    fetch(client, url, **headers)
    return fetch(client, url, **headers)[0]


@dataclass
class Scene:
    place: Place
    cycle: LearningCycle
    entry: Any
    decision: Decision
    gathering: Gathering
    people: dict[str, User]

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"slug": self.place.slug, **kwargs})


@pytest.fixture
def scene(place: Place, place_people: dict[str, User], participant: User) -> Scene:
    cycle = make_cycle(place, participant)
    entry = log(cycle, participant, EntryVisibility.PUBLIC, "We met Mrs Patel at the centre.")
    decision = make_decision(place, place_people["steward"])
    gathering = _gathering(place, place_people["steward"], "Tea at the Old Library", days=3)
    people = {**place_people, "participant": participant}
    return Scene(place, cycle, entry, decision, gathering, people)


def _gathering(place: Place, organiser: User, title: str, **when: float) -> Gathering:
    starts = timezone.now() + timedelta(**when)
    return Gathering.objects.create(
        place=place, organiser=organiser, kind=GatheringKind.TEA, title=title,
        purpose="Get to know each other.", starts_at=starts, ends_at=starts + timedelta(hours=2),
        location="The Old Library",
    )  # fmt: skip


# --- What anonymous public pages send -----------------------------------------------------------


@committing
def test_public_pages_set_no_cookie_carry_no_nonce_and_are_served_from_the_cache(
    scene: Scene, anonymous: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    fund = make_fund(scene.place, scene.people["steward"])
    idea = make_idea(fund.rounds.get(), scene.people["member"], title="Seed swap", amount="300")
    cycle = scene.cycle.pk
    urls = [
        "/",
        reverse("learning:library") + "?q=tea",
        scene.url("places:home"),
        scene.url("places:gatherings"),
        scene.url("places:gathering", pk=scene.gathering.pk),
        scene.url("learning:cycles"),
        scene.url("learning:cycle", pk=cycle),
        scene.url("learning:entry", pk=cycle, entry_id=scene.entry.pk),
        scene.url("learning:measures"),
        scene.url("governance:log") + "?status=open&method=consent",
        scene.url("governance:decision", pk=scene.decision.pk),
        scene.url("funds:fund", fund_id=fund.pk),
        scene.url("funds:idea", fund_id=fund.pk, idea_id=idea.pk),
        f"/api/v1/places/{scene.place.slug}/decisions",
    ]
    for url in urls:
        first = anonymous.get(url)
        assert first.status_code == 200, url
        assert not first.cookies, (url, first.cookies)
        assert "nonce" not in first.content.decode(), url
        policy = first["Content-Security-Policy"]
        assert "nonce" not in policy and "'unsafe-inline'" not in policy, url
        assert first["X-Cache"] == "miss", url
        assert anonymous.get(url)["X-Cache"] == "miss", url  # kept now: asked for again
        with django_assert_num_queries(1):  # the version: no session, no user, no view
            second = anonymous.get(url)
        assert (second["X-Cache"], second.content) == ("hit", first.content), url
        assert not second.cookies, url
        # What the other middleware added is kept with the page, so a hit sends it too.
        for header in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cross-Origin-Opener-Policy",
        ):
            assert second[header] == first[header], (url, header)

    # An htmx swap of the timeline and the whole page are kept apart.
    home = scene.url("places:home")
    full, _ = fetch(anonymous, home)
    part, state = fetch(anonymous, home, hx_request="true", hx_target="timeline")
    assert state == "miss" and "<html" in full and "<html" not in part
    fetch(anonymous, home, hx_request="true", hx_target="timeline")
    assert fetch(anonymous, home, hx_request="true", hx_target="timeline") == (part, "hit")


@committing
def test_a_browser_that_takes_gzip_gets_the_cached_page_compressed(
    scene: Scene, anonymous: Client
) -> None:
    url = scene.url("places:home")
    first = anonymous.get(url)
    anonymous.get(url)  # kept now
    plain = anonymous.get(url)
    zipped = anonymous.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert (plain["X-Cache"], zipped["X-Cache"]) == ("hit", "hit")
    assert "Content-Encoding" not in plain and plain.content == first.content
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content
    assert len(zipped.content) < len(first.content) / 3
    for response in (plain, zipped):
        assert int(response["Content-Length"]) == len(response.content)
        assert "Accept-Encoding" in response["Vary"]
    # A client that does not name gzip gets the page as it was rendered.
    other = anonymous.get(url, headers={"Accept-Encoding": "identity"})
    assert other.content == first.content and "Content-Encoding" not in other


# --- Who and what never gets a cached page -----------------------------------------------------


@committing
def test_signed_in_people_and_visitors_with_a_session_or_message_are_never_served_from_the_cache(
    scene: Scene, anonymous: Client, client_for: Callable[[User | None], Client]
) -> None:
    url = scene.url("places:home")
    warm(anonymous, url)
    assert fetch(anonymous, url)[1] == "hit"
    text, state = fetch(client_for(scene.people["member"]), url)
    assert state is None and "Mo Member" in text  # the header names who is signed in
    anonymous.cookies["messages"] = "a message waiting to be shown"
    assert fetch(anonymous, url)[1] is None
    del anonymous.cookies["messages"]
    anonymous.cookies["sessionid"] = "k" * 32
    assert fetch(anonymous, url)[1] is None
    del anonymous.cookies["sessionid"]
    anonymous.cookies["csrftoken"] = "x" * 32  # left by an earlier sign-in form: no matter
    assert fetch(anonymous, url)[1] == "hit"


@committing
def test_forms_members_only_places_and_open_transactions_are_never_cached(
    scene: Scene,
    private_place: Place,
    anonymous: Client,
    client_for: Callable[[User | None], Client],
    settings: Settings,
) -> None:
    # Sign-in and sign-up set the CSRF cookie and are never kept.
    for name in ("account_login", "account_signup"):
        for _ in range(2):
            response = anonymous.get(reverse(name))
            assert response.status_code == 200 and "csrftoken" in response.cookies
            assert "X-Cache" not in response
    # A members-only place: refused to visitors, never kept for its members.
    hidden = reverse("places:home", kwargs={"slug": private_place.slug})
    assert "X-Cache" not in anonymous.get(hidden)
    member = client_for(scene.people["member"])
    assert all(fetch(member, hidden)[1] is None for _ in range(2))
    # Inside an open transaction the version cannot be trusted yet.
    url = scene.url("places:home")
    with transaction.atomic():
        assert fetch(anonymous, url)[1] is None
    # PAGE_CACHE_SECONDS=0 turns the cache off.
    settings.PAGE_CACHE_SECONDS = 0
    assert fetch(anonymous, url)[1] is None
    settings.PAGE_CACHE_SECONDS = 600
    # A public place made members-only is not served from the cache any more.
    warm(anonymous, url)
    assert fetch(anonymous, url)[1] == "hit"
    place = scene.place
    place_update(
        place=place, actor=scene.people["steward"], name=place.name, summary=place.summary,
        description=place.description, missions=[], visibility=PlaceVisibility.MEMBERS,
        join_policy=JoinPolicy.INVITATION, house_rules=place.house_rules,
    )  # fmt: skip
    response = anonymous.get(url)
    assert response.status_code in (302, 404) and "X-Cache" not in response


# --- A change shows on the next request -------------------------------------------------------


def _entry_posted(s: Scene) -> tuple[str, str]:
    log(s.cycle, s.people["participant"], EntryVisibility.PUBLIC, "Nobody came on Tuesday.")
    return s.url("learning:cycle", pk=s.cycle.pk), "Nobody came on Tuesday."


def _entry_edited_within_fifteen_minutes(s: Scene) -> tuple[str, str]:
    # No activity row: within 15 minutes an edit simply replaces the words.
    learning.entry_edit(
        entry=s.entry, by=s.people["participant"], body="We met Mr Okafor.",
        visibility=EntryVisibility.PUBLIC,
    )  # fmt: skip
    return s.url("learning:entry", pk=s.cycle.pk, entry_id=s.entry.pk), "We met Mr Okafor."


def _someone_says_they_are_going(s: Scene) -> tuple[str, str]:
    # No activity row either.
    gathering_answer(gathering=s.gathering, user=s.people["resident"], answer="going")
    return s.url("places:gathering", pk=s.gathering.pk), "Rhiannon Resident"


def _display_name_changed(s: Scene) -> tuple[str, str]:
    participant = s.people["participant"]
    participant.display_name = "Patience Participant"
    participant.save(update_fields=["display_name"])
    return s.url("learning:cycle", pk=s.cycle.pk), "Patience Participant"


def _raw_sql(s: Scene) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE places_place SET summary = 'Changed behind the ORM.' WHERE id = %s",
            [s.place.pk],
        )
    return "/", "Changed behind the ORM."


def _linked_cycle_elsewhere_renamed(s: Scene) -> tuple[str, str]:
    # A peer cycle in another place, linked before the page was cached, is renamed there.
    elsewhere = LearningCycle.objects.get(place__slug="elsewhere")
    learning.cycle_update(cycle=elsewhere, by=s.people["participant"], title="Doorstep visits")
    return s.url("learning:cycle", pk=s.cycle.pk), "Doorstep visits"


def _hidden_after_a_flag(s: Scene) -> tuple[str, str]:
    content_hide(
        kind=registry.flaggable("entry"), obj=s.entry, by=s.people["steward"],
        reason="it names a family",
    )  # fmt: skip
    return s.url("learning:cycle", pk=s.cycle.pk), "Hidden by a steward because it names a family"


def _decision_moved_by_beat(s: Scene) -> tuple[str, str]:
    # Beat's date-driven move: input closes once its day has passed.
    assert s.decision.input_closes_on is not None
    decisions.decisions_move_by_date(today=s.decision.input_closes_on + timedelta(days=1))
    assert Decision.objects.get(pk=s.decision.pk).status == Status.DECIDING
    return s.url("governance:decision", pk=s.decision.pk), str(Status.DECIDING.label)


CHANGES: list[Callable[[Scene], tuple[str, str]]] = [
    _entry_posted,
    _entry_edited_within_fifteen_minutes,
    _someone_says_they_are_going,
    _display_name_changed,
    _raw_sql,
    _linked_cycle_elsewhere_renamed,
    _hidden_after_a_flag,
    _decision_moved_by_beat,
]


@committing
def test_every_kind_of_change_shows_on_the_next_request(scene: Scene, anonymous: Client) -> None:
    participant = scene.people["participant"]
    other = Place.objects.create(
        name="Elsewhere", slug="elsewhere", summary="Another place.",
        visibility=PlaceVisibility.PUBLIC, created_by=participant,
    )  # fmt: skip
    Membership.objects.create(
        place=other, user=participant, perspectives=["frontline"], role=Role.STEWARD
    )
    elsewhere = make_cycle(other, participant, title="Knocking on doors")
    learning.cycle_link_create(
        from_cycle=scene.cycle, to_cycle=elsewhere, kind="peer", by=participant
    )
    pages = [
        "/",
        scene.url("learning:cycle", pk=scene.cycle.pk),
        scene.url("learning:entry", pk=scene.cycle.pk, entry_id=scene.entry.pk),
        scene.url("places:gathering", pk=scene.gathering.pk),
        scene.url("governance:decision", pk=scene.decision.pk),
    ]
    for change in CHANGES:
        # Every page is in the cache before the change…
        before = {page: warm(anonymous, page) for page in pages}
        assert all(fetch(anonymous, page)[1] == "hit" for page in pages), change.__name__
        url, expected = change(scene)
        assert expected not in before[url], change.__name__
        # …and the next request shows it.
        text, state = fetch(anonymous, url)
        assert (state, expected in text) == ("miss", True), change.__name__
        fetch(anonymous, url)
        assert fetch(anonymous, url) == (text, "hit"), change.__name__


@committing
def test_the_clock_passing_a_gathering_s_end_shows_once_beat_bumps_the_place(
    scene: Scene, anonymous: Client
) -> None:
    ending = _gathering(scene.place, scene.people["steward"], "Coffee morning", hours=-2, seconds=1)
    url = scene.url("places:gatherings")
    assert ending.title in warm(anonymous, url)
    while timezone.now() <= ending.ends_at:
        time.sleep(0.05)
    text, state = fetch(anonymous, url)
    assert (state, ending.title in text) == ("hit", True)  # nothing was written
    assert pageversions.bump_for_clock() == 1
    text, state = fetch(anonymous, url)
    assert (state, ending.title in text) == ("miss", False)  # no longer upcoming
    assert pageversions.bump_for_clock() == 0  # once per moment


# --- The version lives in PostgreSQL, so Redis cannot bring back a stale page -------------------


@committing
def test_two_app_servers_and_a_redis_restart_never_serve_a_stale_page(
    scene: Scene,
    private_redis: RedisServer,  # noqa: F811
    settings: Settings,
    client_for: Callable[[User | None], Client],
) -> None:
    """Two servers (each its own middleware stack) share a real Redis. A page is cached, Redis
    saves a snapshot, a member adds an entry through a server, Redis restarts and loads the
    snapshot with the old page in it: neither server serves the old page."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    server_a, server_b = Client(), Client()
    url = scene.url("learning:cycle", pk=scene.cycle.pk)
    old_text = warm(server_a, url)
    assert fetch(server_b, url) == (old_text, "hit")  # B serves what A cached
    redis.Redis.from_url(private_redis.url).save()  # the snapshot a restart would load

    response = client_for(scene.people["participant"]).post(
        scene.url("learning:entry_new", pk=scene.cycle.pk),
        {"kind": "story", "body": "The bus was late again.", "visibility": "public"},
    )
    assert response.status_code in (200, 302)
    assert scene.cycle.entries.filter(body="The bus was late again.").exists()

    private_redis.stop()
    private_redis.start()
    cache.close()
    assert redis.Redis.from_url(private_redis.url).dbsize() > 0  # the old page is back
    for server in (server_b, server_a):
        text, state = fetch(server, url)
        assert "The bus was late again." in text, state
    assert fetch(server_b, url)[1] == "hit"


class CountingCache:
    """The cache, counting its reads."""

    def __init__(self, real: Any) -> None:
        self.real, self.reads = real, 0

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return self.real.get(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@committing
def test_a_page_a_process_read_from_redis_is_served_again_without_reading_redis(
    scene: Scene, anonymous: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """…and a change still shows on the next request: the key it is remembered under holds the
    version that request read from PostgreSQL."""
    from relational import pagecache

    url = scene.url("learning:cycle", pk=scene.cycle.pk)
    text = warm(anonymous, url)
    assert fetch(anonymous, url) == (text, "hit")  # read from the cache, and remembered
    counting = CountingCache(pagecache.django_cache)
    monkeypatch.setattr(pagecache, "django_cache", counting)
    assert fetch(anonymous, url) == (text, "hit") and counting.reads == 0

    learning.entry_create(
        cycle=scene.cycle, author=scene.people["participant"], kind="story",
        body="The library opens on Sundays now.", visibility=EntryVisibility.PUBLIC,
    )  # fmt: skip
    changed, state = fetch(anonymous, url)
    assert state == "miss" and "The library opens on Sundays now." in changed

    settings.PAGE_CACHE_LOCAL_BYTES = 0  # remembering turned off: every hit reads the cache
    pagecache.recent_pages.clear()
    warm(anonymous, url)
    reads = counting.reads
    assert fetch(anonymous, url) == (changed, "hit") and counting.reads == reads + 1
    assert fetch(anonymous, url)[1] == "hit" and counting.reads == reads + 2


def test_remembered_pages_leave_with_their_redis_copy_and_within_the_byte_budget(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relational import pagecache

    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_LOCAL_BYTES = 1000
    clock = [1_000_000.0]
    monkeypatch.setattr(pagecache, "_now", lambda: clock[0])

    def page(size: int, kept_ago: float) -> pagecache.Stored:
        return 200, [], b"x" * (size - 200), clock[0] - kept_ago  # 200: what each one costs

    pages = pagecache.RecentPages()
    pages.put("a", page(300, kept_ago=590))  # kept in Redis by another process 590 s ago
    pages.put("b", page(300, kept_ago=0))
    assert pages.get("a") is not None
    clock[0] += 11
    assert pages.get("a") is None  # its Redis copy has expired: so has this one
    assert pages.get("b") is not None
    pages.put("c", page(500, kept_ago=0))
    pages.put("d", page(400, kept_ago=0))  # 300 + 500 + 400 > 1000: the least recent goes
    assert (pages.get("b"), len(pages)) == (None, 2)
    assert pages.get("c") is not None and pages.get("d") is not None
    pages.put("e", page(1200, kept_ago=0))  # larger than the whole budget: never remembered
    pages.put("f", page(300, kept_ago=600))  # already expired in Redis
    pages.put("g", (200, [], b"x"))  # not a kept page (an older release's shape)
    assert [pages.get(k) for k in "efg"] == [None, None, None] and len(pages) == 2


@committing
def test_a_dead_redis_means_misses_not_errors(
    scene: Scene, anonymous: Client, settings: Settings
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    for _ in range(2):
        text, state = fetch(anonymous, scene.url("places:home"))
        assert state == "miss" and scene.place.name in text


# --- The triggers --------------------------------------------------------------------------------


@committing
def test_a_transaction_bumps_its_place_once_at_commit_and_private_changes_bump_nothing(
    scene: Scene,
) -> None:
    before = PageVersion.objects.get(place_id=scene.place.pk).version
    with transaction.atomic():
        for body in ("One.", "Two.", "Three."):
            log(scene.cycle, scene.people["participant"], EntryVisibility.PUBLIC, body)
        # Nothing yet: the bump runs at commit, holding the row only for that moment.
        assert PageVersion.objects.get(place_id=scene.place.pk).version == before
    assert PageVersion.objects.get(place_id=scene.place.pk).version == before + 1
    # A change no public page shows (reading one's notifications) bumps nothing.
    notifications_mark_read(user=scene.people["member"])
    assert PageVersion.objects.get(place_id=scene.place.pk).version == before + 1


def test_every_model_is_watched_or_said_not_to_be_shown() -> None:
    labels = {
        model._meta.label
        for app in ("places", "learning", "governance", "relational")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }
    watched, unwatched = set(pageversions.WATCHED), set(pageversions.UNWATCHED)
    assert labels - watched - unwatched == set(), "add these to WATCHED or UNWATCHED"
    assert watched <= labels and not watched & unwatched


@pytest.mark.django_db
def test_each_watched_table_has_its_trigger_and_installing_again_changes_nothing() -> None:
    pageversions.install()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'relational_pagecache'"
        )
        tables = {row[0] for row in cursor.fetchall()}
    expected = {apps.get_model(label)._meta.db_table for label in pageversions.WATCHED}
    assert tables == expected | {"relational_user"}


def test_postgresql_away_gets_the_503_page_without_asking_it_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError
    from django.test import RequestFactory

    from relational.pagecache import AnonymousPageCacheMiddleware

    def away() -> str:
        raise OperationalError("connection refused")

    def view(request: Any) -> Any:
        raise AssertionError("the view should not be reached")

    monkeypatch.setattr(pageversions, "site_version", away)
    response = AnonymousPageCacheMiddleware(view)(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    # Answered outside the other middleware, it still has the headers every page has.
    assert "default-src" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
