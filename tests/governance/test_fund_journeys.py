"""The community fund through its pages and services: opening a fund, co-designing ideas,
spreading points, the published rule applied at close, and awards with what they taught us.

Each test checks what was saved, the side effects (activity, notifications, the decision) and
the refusals: bad input is a 4xx with a clear message, and what was typed is still there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import funds
from governance.fund_models import (
    Allocator,
    Award,
    CoDesigner,
    Fund,
    Idea,
    IdeaComment,
    IdeaVersion,
    InterestTie,
    Points,
    Round,
    RoundResult,
    RoundState,
)
from governance.models import Decision, Method
from places.digests import digest_batch_build
from places.models import Activity, Interest, Membership, Notification, OutboxMessage
from places.registry import registry
from tests.governance.fund_cast import (
    add_member,
    close_round,
    during_allocation,
    fix_electorate,
    give_points,
    make_fund,
    make_idea,
    make_round,
)

FMT = "%Y-%m-%dT%H:%M"


def _when(days: float) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime(FMT)


def fund_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Millbrook Neighbours Fund",
        "purpose": "Small sums for neighbourly things.",
        "pot": "£12,500.50",
        "funder_name": "Millbrook Community Trust",
        "funder_org_id": "GB-CHC-1234567",
        "round_pot": "",
        "ideas_open_at": _when(0.1),
        "ideas_close_at": _when(14),
        "allocation_opens_at": _when(14),
        "allocation_closes_at": _when(21),
        "points_per_member": "100",
    }
    data.update(changes)
    return data


def idea_form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Warm Wednesdays",
        "description": "Open the library's back room with tea.",
        "amount": "1,500",
        "who": "Volunteers from the reading group.",
        "organisation_name": "",
        "organisation_org_id": "",
        "learning": "Whether a warm room brings out people we never see.",
        "cycle": "",
    }
    data.update(changes)
    return data


def url(name: str, **kwargs: object) -> str:
    return reverse(f"funds:{name}", kwargs=kwargs)


# --- Opening a fund -------------------------------------------------------------------------------


def test_a_steward_opens_a_fund_with_an_exact_pot_and_its_first_round(
    client_for, place, steward
) -> None:
    response = client_for(steward).post(url("create", slug=place.slug), fund_form())
    assert response.status_code == 302
    fund = Fund.objects.get(place=place)
    assert fund.pot == Decimal("12500.50")
    assert fund.funder_org_id == "GB-CHC-1234567"
    round_ = fund.rounds.get()
    assert round_.pot == Decimal("12500.50")  # blank round pot: the whole fund
    assert round_.points_per_member == 100
    assert round_.state() == RoundState.UPCOMING
    assert Activity.objects.filter(place=place, kind="fund", verb="opened", actor=steward).exists()
    page = client_for(None).get(response["Location"])
    assert "Millbrook Neighbours Fund" in page.content.decode()
    assert "How the money is shared" in page.content.decode()  # the rule, before any points


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pot": "-5"}, "pot", "The pot must be more than £0."),
        ({"pot": "0"}, "pot", "The pot must be more than £0."),
        ({"pot": "99999999999"}, "pot", "The pot must be £10,000,000 or less."),
        ({"pot": "10.505"}, "pot", "at most two decimal places"),
        ({"pot": "lots"}, "pot", "as a number of pounds"),
        ({"round_pot": "20000"}, "round_pot", "cannot be more than the whole fund"),
        ({"funder_org_id": "charity 123"}, "funder_org_id", "Enter an org-id such as"),
        ({"ideas_close_at": _when(-1)}, "ideas_close_at", "Ideas must close after they open."),
        ({"allocation_opens_at": _when(7)}, "allocation_opens_at", "cannot open before ideas"),
        ({"allocation_closes_at": _when(13)}, "allocation_closes_at", "must close after it opens"),
        ({"points_per_member": "5000"}, "points_per_member", "at most 1000 points"),
        ({"ideas_open_at": "next tuesday"}, "ideas_open_at", "as a real date and time"),
    ],
)
def test_bad_fund_input_is_refused_with_a_clear_message_and_what_was_typed_kept(
    client_for, place, steward, changes, field, message
) -> None:
    data = fund_form(**changes)
    response = client_for(steward).post(url("create", slug=place.slug), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message.replace("£", "&pound;") in body or message in body
    assert "govuk-error-summary" in body
    assert f'id="id_{field}-error"' in body
    assert 'value="Millbrook Neighbours Fund"' in body  # nothing typed is lost
    assert not Fund.objects.exists()


def test_a_member_cannot_open_a_fund(client_for, place, member) -> None:
    response = client_for(member).post(url("create", slug=place.slug), fund_form())
    assert response.status_code == 403
    assert not Fund.objects.exists()


def test_a_steward_adds_a_round_within_what_is_left(client_for, place, steward) -> None:
    fund = make_fund(place, steward, pot=Decimal("1000.00"))
    client = client_for(steward)
    too_much = client.post(
        url("round_create", slug=place.slug, fund_id=fund.pk),
        {**fund_form(round_pot="1000.01")},
    )
    assert too_much.status_code == 400
    assert "cannot be more than what is left in the fund" in too_much.content.decode()
    ok = client.post(
        url("round_create", slug=place.slug, fund_id=fund.pk), fund_form(round_pot="400")
    )
    assert ok.status_code == 302
    assert list(fund.rounds.order_by("number").values_list("number", "pot")) == [
        (1, Decimal("1000.00")),
        (2, Decimal("400.00")),
    ]
    assert Activity.objects.filter(kind="fund", verb="round_added").count() == 1


# --- Ideas ----------------------------------------------------------------------------------------


@pytest.fixture
def open_round(place, steward) -> Round:
    fund = make_fund(place, steward, pot=Decimal("5000.00"))
    round_ = fund.rounds.get()
    round_.fund = fund
    return round_


def test_a_member_proposes_an_idea_and_is_tied_to_it(client_for, place, member, open_round):
    fund = open_round.fund
    mission = place.missions.first()
    response = client_for(member).post(
        url("idea_create", slug=place.slug, fund_id=fund.pk, round_id=open_round.pk),
        idea_form(missions=str(mission.pk)),
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.amount == Decimal("1500.00")
    assert idea.proposer == member
    assert list(idea.missions.all()) == [mission]
    assert idea.version == 1
    assert IdeaVersion.objects.filter(idea=idea, number=1).exists()
    assert InterestTie.objects.filter(idea=idea, user=member, kind="proposer").exists()
    assert Activity.objects.filter(kind="fund", verb="proposed", actor=member).exists()
    page = client_for(None).get(response["Location"]).content.decode()
    assert "Warm Wednesdays" in page
    assert "Mo Member: proposed it" in page  # the tie is shown to everyone


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-20"}, "The amount asked must be more than £0."),
        ({"amount": "1e9"}, "The amount asked must be £10,000,000 or less."),
        ({"amount": "6000"}, "cannot be more than the round’s whole pot"),
        ({"title": ""}, "Give the idea a short title."),
        ({"organisation_org_id": "GB-CHC-1234567"}, "Name the organisation this org-id"),
    ],
)
def test_bad_idea_input_is_refused_and_what_was_typed_kept(
    client_for, place, member, open_round, changes, message
) -> None:
    fund = open_round.fund
    response = client_for(member).post(
        url("idea_create", slug=place.slug, fund_id=fund.pk, round_id=open_round.pk),
        idea_form(**changes),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Volunteers from the reading group." in body
    assert not Idea.objects.exists()


def test_an_idea_after_ideas_close_is_refused_and_nothing_typed_is_lost(
    client_for, place, steward, member
) -> None:
    fund = make_fund(place, steward)
    between = make_round(fund, RoundState.BETWEEN)
    response = client_for(member).post(
        url("idea_create", slug=place.slug, fund_id=fund.pk, round_id=between.pk),
        idea_form(title="A late idea"),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Ideas have closed in Round 2, so you cannot propose an idea." in body
    assert 'value="A late idea"' in body
    assert "Volunteers from the reading group." in body
    assert not Idea.objects.filter(round=between).exists()


def test_the_proposer_revises_until_ideas_close_and_every_version_is_kept(
    client_for, place, steward, member, open_round
) -> None:
    idea = make_idea(open_round, member, amount="1500")
    client = client_for(member)
    edit = url("idea_edit", slug=place.slug, fund_id=open_round.fund.pk, idea_id=idea.pk)
    response = client.post(
        edit,
        idea_form(
            amount="1200", description="Open the back room with tea and toast.", version="1",
            note="Asked for less after the comments",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.version, idea.amount) == (2, Decimal("1200.00"))
    assert list(idea.versions.values_list("number", "amount")) == [
        (1, Decimal("1500.00")),
        (2, Decimal("1200.00")),
    ]
    history = client_for(None).get(
        url("idea_history", slug=place.slug, fund_id=open_round.fund.pk, idea_id=idea.pk)
    )
    body = history.content.decode()
    assert "Asked for less after the comments" in body
    assert "<del>£1,500.00</del>" in body and "<ins>£1,200.00</ins>" in body
    assert "<ins>and toast.</ins>" in body or "<ins>toast.</ins>" in body
    # An edit from an older version is refused, not silently applied.
    stale = client.post(edit, idea_form(title="Stale title", version="1"))
    assert stale.status_code == 409
    assert 'value="Stale title"' in stale.content.decode()
    idea.refresh_from_db()
    assert idea.title == "Warm Wednesdays"
    # Someone else cannot revise it.
    assert client_for(steward).post(edit, idea_form(version="2")).status_code == 403


def test_a_revision_after_ideas_close_is_refused_and_kept_on_the_page(
    client_for, place, steward, member
) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.IDEAS)
    idea = make_idea(round_, member)
    Round.objects.filter(pk=round_.pk).update(
        ideas_close_at=timezone.now() - timedelta(minutes=1),
        ideas_open_at=timezone.now() - timedelta(days=2),
    )
    response = client_for(member).post(
        url("idea_edit", slug=place.slug, fund_id=fund.pk, idea_id=idea.pk),
        idea_form(title="Too late to change", version="1"),
    )
    assert response.status_code == 409
    assert 'value="Too late to change"' in response.content.decode()
    idea.refresh_from_db()
    assert idea.version == 1 and idea.title == "Warm Wednesdays at the library"


def test_members_join_as_co_designers_and_are_tied_to_the_idea(
    client_for, place, member, resident, open_round
) -> None:
    idea = make_idea(open_round, member)
    join = url("idea_join", slug=place.slug, fund_id=open_round.fund.pk, idea_id=idea.pk)
    assert client_for(resident).post(join).status_code == 302
    assert CoDesigner.objects.filter(idea=idea, user=resident).exists()
    assert InterestTie.objects.filter(idea=idea, user=resident, kind="codesigner").exists()
    again = client_for(resident).post(join)
    assert again.status_code == 409
    assert "You already co-design this idea." in again.content.decode()
    assert client_for(member).post(join).status_code == 409  # the proposer already shapes it
    assert CoDesigner.objects.filter(idea=idea).count() == 1


def test_a_comment_is_saved_and_the_proposer_and_co_designers_are_told(
    client_for, place, member, resident, steward, open_round
) -> None:
    idea = make_idea(open_round, member)
    funds.idea_join(idea=idea, by=resident)
    comment_url = url("idea_comment", slug=place.slug, fund_id=open_round.fund.pk, idea_id=idea.pk)
    empty = client_for(steward).post(comment_url, {"text": "   "})
    assert empty.status_code == 400
    assert "Write your comment." in empty.content.decode()
    ok = client_for(steward).post(comment_url, {"text": "Could it run on Saturdays too?"})
    assert ok.status_code == 302
    comment = IdeaComment.objects.get()
    assert comment.author == steward
    told = set(Notification.objects.filter(kind="fund_comment").values_list("recipient", flat=True))
    assert told == {member.pk, resident.pk}
    assert Activity.objects.filter(kind="fund", verb="commented").count() == 1


def test_a_member_ties_a_declared_interest_which_everyone_sees_and_loses_their_points(
    client_for, place, steward, member, allocator
) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.ALLOCATING)
    idea = make_idea(round_, member, at=round_.ideas_open_at + timedelta(minutes=1))
    fix_electorate(round_, [allocator])
    funds.points_spread(round_=round_, by=allocator, points={idea.pk: 30})
    interest = Interest.objects.create(
        place=place, user=allocator, kind="employment", description="Works at the library"
    )
    someone_elses = Interest.objects.create(
        place=place, user=steward, kind="business", description="Runs the café"
    )
    tie = url("idea_tie", slug=place.slug, fund_id=fund.pk, idea_id=idea.pk)
    refused = client_for(allocator).post(tie, {"interest": someone_elses.pk})
    assert refused.status_code == 400
    assert "Choose one of your own current interests." in refused.content.decode()
    response = client_for(allocator).post(tie, {"interest": interest.pk})
    assert response.status_code == 302
    assert InterestTie.objects.filter(idea=idea, user=allocator, interest=interest).exists()
    assert not Points.objects.filter(idea=idea).exists()  # their points came off
    page = client_for(None).get(idea.get_absolute_url()).content.decode()
    assert "Ada Allocator: declared interest (employment: Works at the library)" in page


# --- Allocation -----------------------------------------------------------------------------------


@pytest.fixture
def allocating(place, steward, member, resident, allocator):
    fund = make_fund(place, steward, pot=Decimal("3000.00"))
    round_ = make_round(fund, RoundState.ALLOCATING, pot=Decimal("3000.00"), points=100)
    at = round_.ideas_open_at + timedelta(minutes=1)
    ideas = [
        make_idea(round_, member, title="Lunch club", amount="1200", at=at),
        make_idea(round_, resident, title="Bus buddies", amount="800", at=at),
        make_idea(round_, allocator, title="Seed swap", amount="300", at=at),
    ]
    fix_electorate(round_, [allocator, resident])
    return round_, ideas


def _points_url(round_: Round) -> str:
    return url("allocate", slug=round_.fund.place.slug, fund_id=round_.fund.pk, round_id=round_.pk)


def test_an_allocator_spreads_points_and_changes_them_until_close(
    client_for, allocating, allocator
) -> None:
    round_, (lunch, bus, seeds) = allocating
    client = client_for(allocator)
    page = client.get(_points_url(round_)).content.decode()
    assert f'name="points-{lunch.pk}"' in page
    assert f'name="points-{seeds.pk}"' not in page  # she proposed it
    assert "You cannot put points on this idea: you proposed it." in page
    response = client.post(
        _points_url(round_),
        {f"points-{lunch.pk}": "60", f"points-{bus.pk}": "40", "action": "save"},
    )
    assert response.status_code == 302
    assert funds.spread_of(round_=round_, user=allocator).points == {lunch.pk: 60, bus.pk: 40}
    client.post(
        _points_url(round_), {f"points-{lunch.pk}": "10", f"points-{bus.pk}": "", "action": "save"}
    )
    assert funds.spread_of(round_=round_, user=allocator).points == {lunch.pk: 10}
    # Taking part is on the timeline once; where the points went is not.
    rows = Activity.objects.filter(kind="fund", verb="allocated")
    assert rows.count() == 1
    assert "10" not in rows.get().summary


def test_points_over_the_allowance_are_refused_and_kept_on_the_page(
    client_for, allocating, allocator
) -> None:
    round_, (lunch, bus, _seeds) = allocating
    funds.points_spread(round_=round_, by=allocator, points={lunch.pk: 50})
    response = client_for(allocator).post(
        _points_url(round_),
        {f"points-{lunch.pk}": "70", f"points-{bus.pk}": "45", "action": "save"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "You have placed 115 points, 15 more than your 100." in body
    assert 'value="70"' in body and 'value="45"' in body
    assert funds.spread_of(round_=round_, user=allocator).points == {lunch.pk: 50}


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "Points cannot be less than 0."), ("lots", "Enter points as a whole number")],
)
def test_negative_or_non_numeric_points_are_refused(
    client_for, allocating, allocator, value, message
) -> None:
    round_, (lunch, _bus, _seeds) = allocating
    response = client_for(allocator).post(
        _points_url(round_), {f"points-{lunch.pk}": value, "action": "save"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'value="{value}"' in response.content.decode()
    assert not Points.objects.exists()


def test_points_on_an_idea_one_is_tied_to_are_refused_and_say_why(
    client_for, allocating, allocator
) -> None:
    round_, (lunch, _bus, seeds) = allocating
    response = client_for(allocator).post(
        _points_url(round_),
        {f"points-{seeds.pk}": "20", f"points-{lunch.pk}": "5", "action": "save"},
    )
    assert response.status_code == 400
    assert "you are tied to it (proposed it)" in response.content.decode()
    assert not Points.objects.exists()


def test_points_after_close_are_refused_and_kept(client_for, allocating, allocator) -> None:
    round_, (lunch, _bus, _seeds) = allocating
    Round.objects.filter(pk=round_.pk).update(allocation_closes_at=timezone.now())
    response = client_for(allocator).post(
        _points_url(round_), {f"points-{lunch.pk}": "25", "action": "save"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Allocation has closed" in body
    assert 'value="25"' in body
    assert not Points.objects.exists()


def test_someone_outside_the_fixed_electorate_cannot_place_points(
    client_for, allocating, steward, member
) -> None:
    round_, (lunch, _bus, _seeds) = allocating
    page = client_for(member).get(_points_url(round_))
    assert page.status_code == 200
    assert "fixed when allocation opened" in page.content.decode()
    assert f'name="points-{lunch.pk}"' not in page.content.decode()
    response = client_for(steward).post(
        _points_url(round_), {f"points-{lunch.pk}": "5", "action": "save"}
    )
    assert response.status_code == 403
    assert not Points.objects.exists()


def test_the_electorate_is_every_member_when_points_open_and_fixed_then(
    place, steward, member, resident
) -> None:
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.ALLOCATING)
    added = funds.round_fix_electorate(round_=round_)
    assert added == 3
    latecomer = add_member(place, "Lee Latecomer")
    assert funds.round_fix_electorate(round_=round_) == 0  # fixed: nothing changes
    assert set(Allocator.objects.filter(round=round_).values_list("user", flat=True)) == {
        steward.pk,
        member.pk,
        resident.pk,
    }
    with pytest.raises(funds.FundError) as refused:
        funds.points_spread(round_=round_, by=latecomer, points={})
    assert refused.value.status == 403
    assert Activity.objects.filter(kind="fund", verb="allocation_opened").count() == 1


def test_the_running_total_comes_back_as_a_fragment_for_htmx_and_saves_nothing(
    client_for, allocating, allocator
) -> None:
    round_, (lunch, bus, _seeds) = allocating
    client = client_for(allocator)
    response = client.get(
        _points_url(round_),
        {f"points-{lunch.pk}": "30", f"points-{bus.pk}": "85"},
        headers={"HX-Request": "true", "HX-Target": "running-total"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "You have placed 115 of your 100 points." in body
    assert "That is 15 more than you have." in body
    assert "HX-Request" in response["Vary"]
    # Without JavaScript: "Check my total" posts, shows the total, and saves nothing.
    check = client.post(
        _points_url(round_), {f"points-{lunch.pk}": "30", "action": "check"}
    ).content.decode()
    assert "You have placed 30 of your 100 points." in check
    assert "70 left to place. Not saved yet." in check
    assert not Points.objects.exists()


def test_while_points_are_open_nobody_sees_anyone_elses(
    client_for, anonymous, allocating, allocator, resident, steward
) -> None:
    round_, (lunch, bus, _seeds) = allocating
    funds.points_spread(round_=round_, by=allocator, points={lunch.pk: 77})
    fund_page = anonymous.get(round_.fund.get_absolute_url()).content.decode()
    assert "77" not in fund_page
    assert "Ideas in order of points" not in fund_page
    for person in (resident, steward):
        page = client_for(person).get(_points_url(round_)).content.decode()
        assert 'value="77"' not in page and ">77<" not in page
    idea_page = anonymous.get(lunch.get_absolute_url()).content.decode()
    assert "77" not in idea_page


# --- The result -----------------------------------------------------------------------------------


def test_the_published_rule_orders_by_points_breaks_ties_by_age_and_never_splits(
    place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("2000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("2000.00"))
    start = round_.ideas_open_at
    people = [add_member(place, f"Proposer {n}") for n in range(5)]
    first = make_idea(round_, people[0], title="First", amount="900", at=start + timedelta(hours=1))
    tied = make_idea(round_, people[1], title="Tied later", amount="900",
                     at=start + timedelta(hours=2))  # fmt: skip
    big = make_idea(round_, people[2], title="Too big", amount="1500",
                    at=start + timedelta(hours=3))  # fmt: skip
    small = make_idea(round_, people[3], title="Small", amount="150",
                      at=start + timedelta(hours=4))  # fmt: skip
    none = make_idea(round_, people[4], title="No points", amount="10",
                     at=start + timedelta(hours=5))  # fmt: skip
    fix_electorate(round_, [allocator, resident, member])
    give_points(round_, allocator, {first: 30, tied: 30, big: 40})
    give_points(round_, resident, {first: 10, tied: 10, big: 30, small: 5})
    # Totals: big 70, first 40, tied 40 (proposed later), small 5, none 0.
    result = close_round(round_)
    assert isinstance(result, RoundResult)
    order = [(r["title"], r["points"], r["funded"]) for r in result.ranking]
    assert order == [
        ("Too big", 70, True),  # 1500 fits in 2000
        ("First", 40, False),  # 500 left: 900 does not fit, no part-award
        ("Tied later", 40, False),
        ("Small", 5, True),  # 150 fits in what is left
        ("No points", 0, False),
    ]
    awards = {a.idea.title: a.amount for a in Award.objects.filter(round=round_)}
    assert awards == {"Too big": Decimal("1500.00"), "Small": Decimal("150.00")}
    assert result.awarded_total == Decimal("1650.00")
    assert result.allocators == 2 and result.electorate == 3
    # Ties go to the idea proposed first.
    assert [r["title"] for r in result.ranking].index("First") < [
        r["title"] for r in result.ranking
    ].index("Tied later")
    _ = none


def test_the_result_is_a_decision_by_participatory_allocation_decided_by_who_allocated(
    client_for, anonymous, place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("2000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("2000.00"))
    lunch = make_idea(round_, member, title="Lunch club", amount="1200")
    fix_electorate(round_, [allocator, resident, steward])
    give_points(round_, allocator, {lunch: 10})
    close_round(round_)
    decision = Decision.objects.get(place=place)
    assert decision.method == Method.ALLOCATION
    assert decision.owner is None and decision.recorded_by_platform
    assert decision.status == "decided"
    assert list(decision.deciders.values_list("user", flat=True)) == [allocator.pk]
    assert "Lunch club" in decision.outcome and "10 points" in decision.reasoning
    assert "1 of 3 members allocated 10 points" in decision.method_result
    award = Award.objects.get()
    assert award.decision == decision and award.amount == Decimal("1200.00")
    assert award.recipient_name == "Individual recipient" and award.to_individuals
    assert Notification.objects.filter(kind="fund_result", recipient=member).exists()
    page = anonymous.get(fund.get_absolute_url()).content.decode()
    assert "Ideas in order of points" in page
    assert decision.get_absolute_url() in page
    assert "Download the awards as 360Giving data" in page
    assert "£1,200 of the £2,000 pot is awarded (60%); £800 remains (40%)." in page
    idea_page = anonymous.get(lunch.get_absolute_url()).content.decode()
    assert "Funded: £1,200" in idea_page and "10 (rank 1)" in idea_page


def test_the_fund_page_shows_what_each_awards_learning_cycle_has_learned_so_far(
    anonymous, client_for, place, steward, member, allocator, participant
) -> None:
    from learning import services as learning
    from tests.learning.cast import make_cycle

    cycle = make_cycle(place, participant, title="Warm rooms, warmer neighbours")
    learning.entry_create(
        cycle=cycle, author=participant, kind="reflection", visibility="public",
        body="People stayed longer when someone they knew was there.",
    )  # fmt: skip
    learning.entry_create(
        cycle=cycle, author=participant, kind="reflection", visibility="members",
        body="Members only: the caretaker's rota matters.",
    )  # fmt: skip
    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.COUNTING)
    idea = make_idea(round_, member, title="Warm Wednesdays", amount="500", cycle=cycle)
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {idea: 5})
    close_round(round_)
    award = Award.objects.get()
    assert award.cycle == cycle  # the idea's cycle follows the award
    page = anonymous.get(fund.get_absolute_url()).content.decode()
    assert "Warm rooms, warmer neighbours" in page
    assert "People stayed longer when someone they knew was there." in page
    assert "caretaker" not in page  # a members-only reflection, not for anonymous readers
    assert "caretaker" in client_for(member).get(fund.get_absolute_url()).content.decode()


def test_a_steward_links_the_cycle_that_follows_an_award(
    client_for, place, steward, member, allocator, participant
) -> None:
    from tests.learning.cast import make_cycle

    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.COUNTING)
    idea = make_idea(round_, member, amount="100")
    fix_electorate(round_, [allocator])
    give_points(round_, allocator, {idea: 5})
    close_round(round_)
    award = Award.objects.get()
    cycle = make_cycle(place, participant, title="Following the lunch club")
    link = url("award_cycle", slug=place.slug, fund_id=fund.pk, award_id=award.pk)
    assert client_for(allocator).post(link, {"cycle": cycle.pk}).status_code == 403
    assert client_for(steward).post(link, {"cycle": "999999"}).status_code == 400
    assert client_for(steward).post(link, {"cycle": cycle.pk}).status_code == 302
    award.refresh_from_db()
    assert award.cycle == cycle
    assert list(cycle.fund_awards.all()) == [award]  # the reverse side, for learning's pages


# --- The spine: activity and digests --------------------------------------------------------------


def test_every_fund_step_writes_activity_that_reaches_the_digest(
    place, steward, member, resident, allocator
) -> None:
    fund = make_fund(place, steward, pot=Decimal("1000.00"))
    round_ = make_round(fund, RoundState.COUNTING, pot=Decimal("1000.00"))
    idea = make_idea(round_, member, amount="400")
    funds.idea_join(idea=idea, by=resident, now=round_.ideas_open_at)
    funds.idea_comment(idea=idea, by=steward, text="Yes please", now=round_.ideas_open_at)
    fix_electorate(round_, [allocator])
    funds.points_spread(
        round_=round_, by=allocator, points={idea.pk: 3}, now=during_allocation(round_)
    )
    close_round(round_)
    verbs = set(Activity.objects.filter(kind="fund").values_list("verb", flat=True))
    assert {"opened", "proposed", "joined_idea", "commented", "allocated", "awarded"} <= verbs
    section = registry.digest_sections_by_key["governance.funds"]
    assert "fund" in section.activity_kinds

    Membership.objects.filter(place=place).update(
        joined_at=datetime(2025, 1, 1, tzinfo=timezone.UTC)
    )
    Activity.objects.filter(kind="fund").update(
        created_at=datetime(2026, 2, 10, 12, tzinfo=timezone.UTC)
    )
    digest_batch_build(
        place_id=place.pk, frequency="weekly", time_zone="Europe/London", period="2026-W07",
        user_ids=[member.pk], now=datetime(2026, 2, 16, 9, tzinfo=timezone.UTC),
    )  # fmt: skip
    message = OutboxMessage.objects.filter(
        to__contains=[member.email], subject__contains="digest"
    ).last()
    assert message is not None
    assert "THE COMMUNITY FUND" in message.body
    assert "proposed “Warm Wednesdays" in message.body


# --- Care for the space and data rights -----------------------------------------------------------


def test_an_idea_can_be_flagged_and_hidden_and_then_takes_no_points_and_no_award(
    client_for, anonymous, place, steward, member, resident, allocator
) -> None:
    from places import flags

    fund = make_fund(place, steward)
    round_ = make_round(fund, RoundState.ALLOCATING)
    at = round_.ideas_open_at
    rude = make_idea(round_, member, title="Something rude", amount="100", at=at)
    kind = registry.flaggable("fund_idea")
    assert kind.get(place, rude.pk) == rude
    response = client_for(resident).get(
        reverse("places:flag_new", kwargs={"slug": place.slug, "kind": "fund_idea",
                                           "object_id": rude.pk})
    )  # fmt: skip
    assert response.status_code == 200
    flag, _ = flags.flag_raise(
        kind=kind, obj=rude, by=resident, reason="Rude", house_rule="Be kind"
    )
    flags.content_hide(
        kind=kind, obj=rude, by=steward, reason="It broke the house rules", flag=flag
    )
    rude.refresh_from_db()
    assert rude.is_hidden
    page = anonymous.get(rude.get_absolute_url()).content.decode()
    assert "Hidden idea" in page and "It broke the house rules" in page
    assert "Open the library" not in page
    fix_electorate(round_, [allocator])
    with pytest.raises(funds.FundError) as refused:
        funds.points_spread(round_=round_, by=allocator, points={rude.pk: 5})
    assert "hidden" in refused.value.message
    Round.objects.filter(pk=round_.pk).update(allocation_closes_at=timezone.now())
    result = funds.round_close(round_id=round_.pk)
    assert result is not None and result.ranking == []
    assert not Award.objects.exists()


def test_a_persons_fund_data_is_in_their_export_and_their_comments_go_when_consent_does(
    place, steward, member, open_round
) -> None:
    idea = make_idea(open_round, member, title="Warm Wednesdays")
    funds.idea_comment(idea=idea, by=steward, text="A comment about Mrs Patel")
    exported = registry.export_for(member)["governance.funds"]
    assert exported["ideas_proposed"][0]["title"] == "Warm Wednesdays"
    assert exported["ideas_proposed"][0]["amount"] == "1500.00"
    registry.redact_for(steward)
    assert "Mrs Patel" not in IdeaComment.objects.get().text
