"""A steward records that a member withdrew consent for their words in a place to be shown:
their entries, inputs and ideas there are replaced, history too, and it is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from governance import funds
from governance import services as decisions
from governance.fund_hooks import WITHDRAWN as IDEA_WITHDRAWN
from governance.fund_models import Idea, IdeaComment, IdeaVersion
from governance.models import Input, InputEvent, Rewrite, RewriteKind, Status
from governance.rewrite import WITHDRAWN as INPUT_WITHDRAWN
from learning import services as learning
from learning.data_rights import WITHDRAWN as ENTRY_WITHDRAWN
from learning.models import EntryVersion
from places.flags import flag_raise
from places.models import Activity, ConsentWithdrawal, Flag, Membership, Place
from places.registry import registry
from places.rights import WITHDRAWN as FLAG_WITHDRAWN
from relational.models import User
from tests.governance.cast import make_decision
from tests.governance.fund_cast import make_fund, make_idea
from tests.learning.cast import make_cycle

pytestmark = pytest.mark.django_db

REASON = "Asked me in person at the gathering on 3 March."


def _withdraw(steward: User, place: Place, person: User, **data: str) -> object:
    client = Client()
    client.force_login(steward)
    membership = Membership.objects.get(place=place, user=person)
    url = reverse(
        "places:consent_withdraw", kwargs={"slug": place.slug, "membership_id": membership.pk}
    )
    return client.post(url, {"reason": REASON, "confirm": "on", **data})


def test_entries_are_replaced_with_their_versions_and_the_story_teller(
    place: Place, private_place: Place, steward: User, member: User
) -> None:
    cycle = make_cycle(place, steward, participants=[member])
    entry = learning.entry_create(
        cycle=cycle,
        author=member,
        kind="story",
        body="Mrs Okafor told us the buses stop too early.",
        visibility="public",
        told_by="Mrs Okafor",
        told_by_consent=True,
    )
    EntryVersion.objects.create(
        entry=entry,
        number=1,
        body="Mrs Okafor told us the buses stop early.",
        visibility="public",
        written_at=entry.created_at,
    )
    elsewhere = make_cycle(private_place, steward, participants=[member])
    kept = learning.entry_create(
        cycle=elsewhere, author=member, kind="reflection", body="Kept words.", visibility="members"
    )
    assert Activity.objects.filter(summary__contains="told by Mrs Okafor").exists()

    response = _withdraw(steward, place, member)

    assert response.status_code == 302  # type: ignore[attr-defined]
    entry.refresh_from_db()
    assert entry.body == ENTRY_WITHDRAWN and entry.told_by == ""
    assert set(EntryVersion.objects.filter(entry=entry).values_list("body", flat=True)) == {
        ENTRY_WITHDRAWN
    }
    assert not Activity.objects.filter(summary__contains="Okafor").exists()
    kept.refresh_from_db()
    assert kept.body == "Kept words."  # another place's stewards decide about their place
    record = ConsentWithdrawal.objects.get()
    assert (record.place, record.subject_user_id, record.by, record.reason) == (
        place,
        member.pk,
        steward,
        REASON,
    )


def test_inputs_are_replaced_live_and_in_the_history_and_logged(
    place: Place, steward: User, member: User
) -> None:
    decision = make_decision(place, steward, status=Status.OPEN)
    given = decisions.input_give(
        decision=decision, by=member, stance="objection", text="My neighbour's son would suffer."
    )
    decisions.dissent_record(decision=decision, by=member, text="Too risky for my street.")
    assert InputEvent.objects.filter(pgh_obj_id=given.pk, text__contains="neighbour").exists()

    _withdraw(steward, place, member)

    given.refresh_from_db()
    assert given.text == INPUT_WITHDRAWN
    assert set(InputEvent.objects.filter(pgh_obj_id=given.pk).values_list("text", flat=True)) == {
        INPUT_WITHDRAWN
    }
    assert decision.dissents.get().text == INPUT_WITHDRAWN
    rewrite = Rewrite.objects.get(kind=RewriteKind.WITHDRAWAL)
    assert rewrite.subject_user_id == member.pk and rewrite.history_rows >= 1
    assert Input.objects.filter(author=member).count() == 1  # the input itself stays


def test_ideas_and_comments_are_replaced_but_the_money_record_stays(
    place: Place, steward: User, member: User
) -> None:
    fund = make_fund(place, steward)
    round_ = fund.rounds.get()
    idea = make_idea(round_, member, title="Benches for Mill Lane", amount="900.00")
    at = round_.ideas_open_at + timedelta(minutes=5)
    funds.idea_revise(
        idea=idea,
        by=member,
        data=funds.IdeaFields(
            title="Benches for Mill Lane",
            description="Two benches, for my mum and her friends.",
            amount="900.00",
            learning="Whether older people walk further.",
            missions=[],
        ),
        note="Said who they are for",
        now=at,
    )
    comment = funds.idea_comment(idea=idea, by=member, text="My mum says yes.", now=at)
    flag_raise(
        kind=registry.flaggable("fund_idea"),
        obj=idea,
        by=steward,
        reason="Names a family member",
        house_rule="Keep people's stories safe.",
    )

    _withdraw(steward, place, member)

    idea = Idea.objects.get(pk=idea.pk)
    assert (idea.title, str(idea.amount)) == ("Benches for Mill Lane", "900.00")
    assert idea.description == IDEA_WITHDRAWN and idea.learning == IDEA_WITHDRAWN
    for version in IdeaVersion.objects.filter(idea=idea):
        assert version.description == IDEA_WITHDRAWN and version.note == ""
    assert IdeaComment.objects.get(pk=comment.pk).text == IDEA_WITHDRAWN
    assert Flag.objects.get().excerpt == FLAG_WITHDRAWN


def test_only_stewards_may_record_it_and_the_form_asks_why(
    place: Place, steward: User, member: User, resident: User
) -> None:
    membership = Membership.objects.get(place=place, user=resident)
    url = reverse(
        "places:consent_withdraw", kwargs={"slug": place.slug, "membership_id": membership.pk}
    )
    as_member = Client()
    as_member.force_login(member)
    assert as_member.get(url).status_code == 403
    assert as_member.post(url, {"reason": REASON, "confirm": "on"}).status_code == 403

    as_steward = Client()
    as_steward.force_login(steward)
    page = as_steward.get(url)
    assert page.status_code == 200
    assert "Record that Rhiannon Resident withdrew their consent" in page.content.decode()
    refused = as_steward.post(url, {"reason": "", "confirm": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Say how and when they withdrew their consent." in body
    assert "Confirm that they asked for this." in body
    assert not ConsentWithdrawal.objects.exists()
    # The member's page offers it to stewards only.
    member_page = reverse(
        "places:member", kwargs={"slug": place.slug, "membership_id": membership.pk}
    )
    assert url in as_steward.get(member_page).content.decode()
    assert url not in as_member.get(member_page).content.decode()
