"""Rendered pieces of pages kept under their place's or the site's version
(places/templatetags/parts.py): a kept piece costs no queries, shows every committed change on the
next request, and is never shown to a reader who may see something different.

These tests commit (``transactional_db``): a page version moves only when a change commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from governance.models import Status
from learning import services as learning
from places.models import Membership, Place
from relational.models import User
from tests.factories import UserFactory
from tests.governance.cast import make_decision

pytestmark = pytest.mark.usefixtures("transactional_db")

TOKEN = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def parts_on(settings: Settings) -> None:
    settings.PLACE_PARTS_SECONDS = 600


def _read(client: Client, url: str) -> tuple[int, str]:
    """(queries, the page without its form tokens, which differ on every response)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), TOKEN.sub("", response.content.decode())


def test_a_kept_directory_costs_fewer_queries_and_shows_a_new_name_or_member_at_once(
    settings: Settings,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    member: User,
    steward: User,
) -> None:
    reader = client_for(member)
    url = f"/places/{place.slug}/members/"
    built, page = _read(reader, url)
    kept, again = _read(reader, url)
    assert again == page and kept < built

    User.objects.filter(pk=steward.pk).update(display_name="Rosa Renamed")  # names: row 0
    assert "Rosa Renamed" in _read(reader, url)[1]
    newcomer = UserFactory(display_name="Nia Newcomer")
    Membership.objects.create(place=place, user=newcomer, perspectives=["resident"])
    assert "Nia Newcomer" in _read(reader, url)[1]

    settings.PLACE_PARTS_SECONDS = 0  # off: built every time, the same page
    off, built_again = _read(reader, url)
    assert off > kept and built_again == _read(reader, url)[1]


def test_the_kept_decision_log_of_a_steward_or_a_draft_s_owner_is_never_shown_to_others(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
    resident: User,
) -> None:
    make_decision(place, steward, title="Published plan")
    make_decision(place, member, title="Mo's unpublished idea", status=Status.DRAFT)
    url = f"/places/{place.slug}/decisions/"
    for _ in range(2):  # the first round builds each reader's log, the second reads it kept
        assert "Mo&#x27;s unpublished idea" in _read(client_for(steward), url)[1]  # all drafts
        assert "Mo&#x27;s unpublished idea" in _read(client_for(member), url)[1]  # their own
        others = _read(client_for(resident), url)[1]
        assert "Published plan" in others and "unpublished" not in others


def test_a_kept_cycle_timeline_shows_each_reader_only_the_entries_they_may_see(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    participant: User,
    member: User,
) -> None:
    for visibility in ("public", "members", "participants"):
        learning.entry_create(
            cycle=cycle, author=participant, kind="reflection", visibility=visibility,
            body=f"Seen by {visibility}",
        )  # fmt: skip
    url = cycle.get_absolute_url()
    readers = [(participant, 3), (member, 2), (None, 1)]
    for _ in range(2):  # built, then kept, for each kind of reader
        for person, shown in readers:
            body = _read(client_for(person), url)[1]
            seen = [v for v in ("public", "members", "participants") if f"Seen by {v}" in body]
            assert len(seen) == shown, (person, seen)


def test_a_kept_place_timeline_shows_a_new_item_on_the_next_request(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    participant: User,
    member: User,
) -> None:
    url = f"/places/{cycle.place.slug}/"
    reader = client_for(member)
    built, page = _read(reader, url)
    kept, again = _read(reader, url)
    assert kept < built
    learning.entry_create(
        cycle=cycle, author=participant, kind="reflection", visibility="public",
        body="The queue at the food bank halved",
    )  # fmt: skip
    assert _read(reader, url)[1] != again


def test_a_fragment_tag_without_its_name_says_how_it_is_written() -> None:
    with pytest.raises(TemplateSyntaxError, match=r'place_fragment place "name"'):
        Template("{% load parts %}{% place_fragment place %}x{% endplace_fragment %}")
    rendered = Template(
        '{% load parts %}{% site_fragment "greeting" who %}Hello {{ who }}{% endsite_fragment %}'
    ).render(Context({"who": "<b>Ana</b>"}))
    assert rendered == "Hello &lt;b&gt;Ana&lt;/b&gt;"


def test_kept_cycle_links_follow_each_reader_and_a_renamed_linked_cycle(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    private_cycle: Any,
    participant: User,
    outsider: User,
) -> None:
    """A link to a members-only place's cycle shows only to its members, though the links are
    kept for everyone; renaming the cycle on the other side shows at once (both places move)."""
    from learning.models import CycleLink, LearningCycle

    CycleLink.objects.create(from_cycle=cycle, to_cycle=private_cycle, kind="peer")
    url = cycle.get_absolute_url()
    for _ in range(2):
        assert private_cycle.title in _read(client_for(participant), url)[1]  # a member there
        assert private_cycle.title not in _read(client_for(outsider), url)[1]  # not a member
    LearningCycle.objects.filter(pk=private_cycle.pk).update(title="Warm rooms, renamed")
    assert "Warm rooms, renamed" in _read(client_for(participant), url)[1]


def test_a_link_within_a_members_only_place_shows_without_asking_for_memberships(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    private_cycle: Any,
    participant: User,
) -> None:
    """Whoever reads a cycle may read every cycle of its place, so a link to a sibling cycle
    in a members-only place needs no question about the reader's memberships."""
    from learning.models import CycleLink
    from tests.learning.cast import make_cycle

    sibling = make_cycle(private_cycle.place, participant, title="Warm rooms, the second winter")
    CycleLink.objects.create(from_cycle=private_cycle, to_cycle=sibling, kind="peer")
    reader = client_for(participant)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            page = reader.get(private_cycle.get_absolute_url()).content.decode()
        assert "Warm rooms, the second winter" in page
        asked = [q["sql"] for q in captured.captured_queries]
        assert not [sql for sql in asked if '"places_membership"."place_id" IN' in sql]


def test_a_kept_decisions_panel_on_a_cycle_shows_a_new_citation_on_the_next_request(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    steward: User,
    member: User,
) -> None:
    from governance.models import Evidence

    reader = client_for(member)
    url = cycle.get_absolute_url()
    assert "No decision has cited this cycle" in _read(reader, url)[1]
    assert "No decision has cited this cycle" in _read(reader, url)[1]  # kept
    decision = make_decision(cycle.place, steward, title="Keep the warm room open")
    Evidence.objects.create(decision=decision, cycle=cycle, added_by=steward)
    assert "Keep the warm room open" in _read(reader, url)[1]


def test_the_kept_next_gatherings_panel_drops_a_gathering_once_beat_sees_it_end(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
) -> None:
    import time
    from datetime import timedelta

    from django.utils import timezone

    from places.models import Gathering, GatheringKind
    from relational import pageversions

    starts = timezone.now() - timedelta(hours=2) + timedelta(seconds=1)
    ending = Gathering.objects.create(
        place=place, organiser=steward, kind=GatheringKind.TEA, title="Coffee at the hub",
        purpose="Meet.", starts_at=starts, ends_at=starts + timedelta(hours=2), location="Hub",
    )  # fmt: skip
    reader = client_for(member)
    url = f"/places/{place.slug}/"
    assert "Coffee at the hub" in _read(reader, url)[1]
    while timezone.now() <= ending.ends_at:
        time.sleep(0.05)
    assert "Coffee at the hub" in _read(reader, url)[1]  # kept: nothing was written
    assert pageversions.bump_for_clock() == 1
    assert "Coffee at the hub" not in _read(reader, url)[1]


def test_a_kept_decision_page_shows_a_new_input_at_once_and_only_its_author_may_change_it(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
    resident: User,
) -> None:
    from governance import services as governance

    decision = make_decision(place, steward, title="Open on Sundays")
    url = decision.get_absolute_url()
    assert "Yes please, Sundays" not in _read(client_for(resident), url)[1]
    assert "Yes please, Sundays" not in _read(client_for(resident), url)[1]  # kept
    given = governance.input_give(
        decision=decision, by=member, stance="support", text="Yes please, Sundays"
    )
    change = f"/inputs/{given.pk}/edit/"
    for _ in range(2):  # built for the first reader, kept for the second round
        mine = _read(client_for(member), url)[1]
        theirs = _read(client_for(resident), url)[1]
        assert "Yes please, Sundays" in mine and "Yes please, Sundays" in theirs
        assert change in mine and change not in theirs


def test_a_kept_fund_page_shows_a_new_idea_on_the_next_request(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
) -> None:
    from tests.governance.fund_cast import make_fund, make_idea

    fund = make_fund(place, steward)
    reader = client_for(member)
    url = fund.get_absolute_url()
    assert "Seed swap" not in _read(reader, url)[1]
    assert "Seed swap" not in _read(reader, url)[1]  # kept
    make_idea(fund.rounds.get(), member, title="Seed swap", amount="300")
    assert "Seed swap" in _read(reader, url)[1]


def test_kept_decision_sections_follow_each_reader_s_rights_and_show_a_dissent_at_once(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
    resident: User,
) -> None:
    """The question, deciders and dissent, and the inputs, are kept pieces: a steward's
    "Respond" links and a decider's "State your interests" never reach a reader without them,
    and a dissent recorded after the page was kept shows on the next request."""
    from governance.models import Dissent

    voice = UserFactory(display_name="Val Voice")
    Membership.objects.create(place=place, user=voice, perspectives=["resident"])
    decision = make_decision(
        place, steward, title="Close the library on Mondays", deciders=[member],
        inputs=[(voice, "concern")], answer=False,
    )  # fmt: skip
    url = decision.get_absolute_url()
    for _ in range(2):  # built for each reader, then kept
        stewards = _read(client_for(steward), url)[1]
        deciders = _read(client_for(member), url)[1]
        residents = _read(client_for(resident), url)[1]
        assert "/respond/" in stewards and "/respond/" not in residents
        assert "State your interests" in deciders and "State your interests" not in residents
    Dissent.objects.create(decision=decision, author=resident, text="Mondays are market day")
    assert "Mondays are market day" in _read(client_for(resident), url)[1]


def test_kept_home_panels_show_each_reader_their_own_links_and_a_new_decision_at_once(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
) -> None:
    """The place home's panels are kept together, under what each says about its reader: the
    links to draft a decision or start a cycle reach only those who may."""
    url = f"/places/{place.slug}/"
    for _ in range(2):
        stewards = _read(client_for(steward), url)[1]
        anyones = _read(client_for(None), url)[1]
        assert "Draft a decision" in stewards and "Draft a decision" not in anyones
        assert "Start one" in stewards and "Start one" not in anyones
        # A panel left out for a reader (no fund, and they may not open one) stays out.
        assert "panel-governancefunds" in stewards and "panel-governancefunds" not in anyones
        assert re.search(r">\s*None\s*<", anyones) is None
    make_decision(place, steward, title="Paint the bus shelter green")
    assert "Paint the bus shelter green" in _read(client_for(member), url)[1]


def test_a_kept_fund_page_offers_a_new_round_to_stewards_only(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
) -> None:
    from tests.governance.fund_cast import make_fund

    url = make_fund(place, steward).get_absolute_url()
    for _ in range(2):
        assert "Add a round" in _read(client_for(steward), url)[1]
        assert "Add a round" not in _read(client_for(member), url)[1]


def test_a_kept_fund_page_offers_linking_an_award_s_cycle_to_its_proposer_and_stewards_only(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
    resident: User,
) -> None:
    """Who may link an award's learning cycle is read from the fund's small kept facts, not
    from the awards: the proposer and a steward are offered it, another member never is (the
    kept rendering is not theirs), and a new award shows on the next request."""
    from decimal import Decimal

    from django.utils import timezone

    from governance.fund_models import Award, Idea, RoundResult, RoundState
    from tests.governance.fund_cast import close_round, fix_electorate, make_fund, make_round

    fund = make_fund(place, steward, pot=Decimal("5000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("5000.00"))
    fix_electorate(round_, [member])
    close_round(round_)
    decision = RoundResult.objects.get(round=round_).decision
    url = fund.get_absolute_url()

    def award(proposer: User, title: str) -> None:
        idea = Idea.objects.create(
            round=round_, proposer=proposer, title=title, description="x",
            amount=Decimal("250.00"), learning="y",
        )  # fmt: skip
        Award.objects.create(
            round=round_, idea=idea, amount=idea.amount, recipient_name="Friends of the park",
            awarded_on=timezone.localdate(), rank=1, points=1, decision=decision,
        )  # fmt: skip

    award(member, "Benches by the pond")
    for _ in range(2):  # built for each reader, then kept
        proposers = _read(client_for(member), url)[1]
        stewards = _read(client_for(steward), url)[1]
        others = _read(client_for(resident), url)[1]
        anyones = _read(client_for(None), url)[1]
        link = "Link a learning cycle"
        assert link in proposers and link in stewards
        assert link not in others and link not in anyones
        assert "Benches by the pond" in others and "£250" in anyones
    award(resident, "Litter pickers for the estate")
    now_theirs = _read(client_for(resident), url)[1]
    assert "Litter pickers for the estate" in now_theirs and "Link a learning cycle" in now_theirs
    assert "£500" in _read(client_for(None), url)[1]  # awarded so far, from the kept facts


def test_a_fund_s_kept_facts_hold_no_place_and_no_reader(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What is kept for everyone must not carry the place as one reader loaded it (with their
    membership): the fund and its rounds are kept as read."""
    import pickle

    from places import parts
    from places.parts import keep_part
    from tests.governance.fund_cast import make_fund

    kept: dict[str, Any] = {}

    def keeping(place: Any, name: str, value: Any) -> None:
        kept[name] = pickle.dumps(value)  # what the cache stores, as it stores it
        keep_part(place, name, value)

    monkeypatch.setattr(parts, "keep_part", keeping)  # what place_part keeps with
    fund = make_fund(place, steward)
    _read(client_for(steward), fund.get_absolute_url())
    stored = kept[f"fund-facts:{fund.pk}"]
    assert b"places.models" not in stored and b"Membership" not in stored
    kept_fund, rounds, awards = pickle.loads(stored)
    assert kept_fund.pk == fund.pk and [r.fund_id for r in rounds] == [fund.pk] and awards == []
    assert "_round_state_now" not in rounds[0].__dict__  # a state is worked out when read


def test_a_kept_api_list_is_the_same_answer_shows_a_change_at_once_and_keeps_drafts_private(
    parts_on: None,
    client_for: Callable[[User | None], Client],
    place: Place,
    steward: User,
    member: User,
    resident: User,
) -> None:
    make_decision(place, steward, title="Published plan")
    make_decision(place, member, title="Mo's unpublished idea", status=Status.DRAFT)
    url = f"/api/v1/places/{place.slug}/decisions"

    def titles(person: User | None) -> tuple[int, list[str], Any]:
        with CaptureQueriesContext(connection) as captured:
            response = client_for(person).get(url)
        assert response.status_code == 200
        return len(captured), [d["title"] for d in response.json()["items"]], response

    built, first, fresh = titles(resident)
    kept, again, answer = titles(resident)
    assert again == first == ["Published plan"] and kept < built
    assert answer.content == fresh.content
    assert answer["Content-Type"] == fresh["Content-Type"] == "application/json; charset=utf-8"
    for _ in range(2):
        assert "Mo's unpublished idea" in titles(member)[1]  # the owner's draft
        assert "Mo's unpublished idea" not in titles(resident)[1]
    make_decision(place, steward, title="Second plan")
    assert "Second plan" in titles(resident)[1]
    bad = client_for(resident).get(url + "?limit=1000")  # a bad value is not kept
    assert bad.status_code == 422
    assert client_for(resident).get(url + "?limit=1000").status_code == 422


class _CountingCache:
    """The cache, counting its one-key reads and its batched ones."""

    def __init__(self, cache: Any) -> None:
        self.cache, self.gets, self.batches = cache, 0, 0
        self.keys: list[str] = []

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.gets += 1
        return self.cache.get(*args, **kwargs)

    def get_many(self, keys: list[str], *args: Any, **kwargs: Any) -> Any:
        self.batches += 1
        self.keys += keys
        return self.cache.get_many(keys, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cache, name)


@pytest.mark.parametrize("reader", ["participant", "member", None])
def test_a_kept_cycle_or_decision_page_reads_its_kept_pieces_in_two_reads_of_the_cache(
    monkeypatch: pytest.MonkeyPatch,
    parts_on: None,
    client_for: Callable[[User | None], Client],
    cycle: Any,
    participant: User,
    member: User,
    steward: User,
    reader: str | None,
) -> None:
    from places import parts

    decision = make_decision(cycle.place, steward, title="Keep the hub open late")
    person = {"participant": participant, "member": member, None: None}[reader]
    client = client_for(person)
    for url in (cycle.get_absolute_url(), decision.get_absolute_url()):
        first = _read(client, url)[1]
        counting = _CountingCache(parts.cache)
        monkeypatch.setattr(parts, "cache", counting)
        assert _read(client, url)[1] == first
        # The parts the view needs first, then the pieces that depend on the reader: each
        # batched, none read alone.
        assert (counting.gets, counting.batches) == (0, 2), url
        # Nor are the inputs themselves read while their rendering is kept: only their facts.
        inputs_part = f".:decision-inputs:{decision.pk}"
        assert not [k for k in counting.keys if k.endswith(inputs_part)], counting.keys
        monkeypatch.setattr(parts, "cache", counting.cache)
