"""Deleting an account: a richly active member erases theirs, and then no table of the
database holds their name or email address anywhere — live rows, governance's history, the
outbox, allauth's and the admin's tables — while their governance contributions stay, by id.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import funds
from governance import services as decisions
from governance.fund_models import CoDesigner, Idea, IdeaComment
from governance.models import Decider, DecisionEvent, FeedToken, Input, InputEvent, Status
from learning import services as learning
from learning.models import Entry, PromptDelivery
from places import digests, gatherings, notifications, rights
from places import services as places
from places.flags import flag_raise
from places.mentions import token_for
from places.models import (
    CalendarFeedToken,
    Digest,
    Gathering,
    Membership,
    Place,
    Role,
)
from places.registry import registry
from relational.models import User
from tests.factories import PASSWORD, UserFactory
from tests.governance.cast import make_decision
from tests.governance.fund_cast import make_fund, make_idea
from tests.learning.cast import log, make_cycle

pytestmark = pytest.mark.django_db

NAME = "Quillon Vantablack"
EMAIL = "quillon.vantablack.q7@example.org"
SECOND_EMAIL = "qv-second-address-q7@example.org"
#: Searched for in every text column: the name, the addresses, and any trace of the surname
#: (a full-text search vector keeps words as lower-case lexemes).
TRACES = (NAME, EMAIL, SECOND_EMAIL, "vantablack", "qv-second-address")


def _active_member(place: Place, private_place: Place, steward: User, member: User) -> User:
    """Someone who has done a bit of everything, and whom others have written about."""
    now = timezone.now()
    person = UserFactory(display_name=NAME, email=EMAIL)
    EmailAddress.objects.create(user=person, email=SECOND_EMAIL, verified=True)
    TOTP.activate(person, generate_totp_secret())
    RecoveryCodes.activate(person)

    # Places: invited by email to one place, asked to join another; declared interests.
    invitation = places.invitation_create(
        place=private_place, inviter=steward, email=EMAIL, message=f"Welcome, {NAME}!"
    )
    places.invitation_send_email(invitation_id=invitation.pk)
    places.invitation_accept(invitation=invitation, user=person, perspectives=["resident"])
    request = places.join_request_create(
        place=place, user=person, perspectives=["resident"], message="I live on Mill Lane."
    )
    places.join_request_decide(join_request=request, steward=steward, approve=True)
    membership = Membership.objects.get(place=place, user=person)
    interest = places.interest_declare(
        place=place, user=person, kind="employment", description="Receptionist at the surgery"
    )
    places.power_declare(
        place=place, user=person, kind="duty", description="Safeguarding lead for the surgery"
    )
    digests.digest_preference_set(user=person, place=place, frequency="daily")
    notifications.notification_email_set(user=person, choices={"mention": True})
    CalendarFeedToken.objects.create(place=private_place, user=person)
    FeedToken.objects.create(place=private_place, user=person)
    Digest.objects.create(
        key=f"digest:{place.pk}:{person.pk}:daily:2026-01-05",
        user=person,
        place=place,
        frequency="daily",
        period="2026-01-05",
        period_start=now,
        period_end=now,
        claim="test",
    )

    # Gatherings: one they arranged, one they went to, written up by a steward naming them.
    theirs = gatherings.gathering_arrange(
        place=place,
        organiser=person,
        kind="tea",
        title="Tea on Mill Lane",
        purpose="Neighbours meeting neighbours.",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        location="Mill Lane community room",
        agenda=f"Hosted by {NAME}.",
    )
    gatherings.gathering_answer(gathering=theirs, user=steward, answer="going")
    past = Gathering.objects.create(
        place=place,
        organiser=steward,
        kind="learning",
        title="Winter learning session",
        purpose="What we learned.",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2, hours=-2),
        location="The library",
    )
    gatherings.gathering_record_notes(
        gathering=past,
        by=steward,
        notes=f"Thanks to {token_for(membership)} for the tea. Ask {EMAIL} for the rota.",
        attendees=[person, steward],
    )
    flag_raise(
        kind=registry.flaggable("gathering"),
        obj=past,
        by=person,
        reason=f"{NAME} thinks the notes share too much.",
        house_rule="Keep people's stories safe.",
    )

    # Learning: a participant with entries, a reading and a prompt; others write about them.
    cycle = make_cycle(place, steward, participants=[person])
    log(cycle, person, "public", f"I ({NAME}) tried tea first and people opened up.")
    log(cycle, steward, "public", f"{NAME} made the tea, and it worked.")
    measure = learning.measure_define(
        place=place, by=person, name="Cups of tea", unit="cups", kind="outcome", better="higher"
    )
    learning.reading_record(
        measure=measure, by=person, value=Decimal(12), on=timezone.localdate(), note="A lot"
    )
    PromptDelivery.objects.create(
        cycle=cycle,
        user=person,
        period_key="2026-W02",
        question_text="What surprised you?",
        nonce="n" * 32,
        email_key=f"prompt:{cycle.pk}:{person.pk}:2026-W02",
        expires_at=now + timedelta(days=6),
    )
    other_cycle = make_cycle(place, steward, title="Door knocking")
    learning.cycle_join_request_create(cycle=other_cycle, user=person, message="Count me in.")

    # Governance: a decider who states an interest, gives input and dissents; named in others'
    # words, in the live rows and the history.
    decision = make_decision(
        place,
        steward,
        title=f"A bench outside {NAME}'s surgery",
        deciders=[person],
        status=Status.OPEN,
    )
    decisions.decider_state(
        decision=decision, by=person, interest_ids=[interest.pk], no_interest=False
    )
    given = decisions.input_give(
        decision=decision, by=person, stance="concern", text="Who will mend it when it breaks?"
    )
    decisions.response_give(
        item=given, by=steward, disposition="answered", text=f"Thank you, {NAME}: the council."
    )
    decisions.dissent_record(decision=decision, by=person, text="I still think it is too big.")
    decisions.evidence_add(decision=decision, by=steward, cycle=cycle, note=f"{NAME}'s cycle")

    # The community fund: an idea, a comment and co-design.
    fund = make_fund(place, steward)
    round_ = fund.rounds.get()
    idea = make_idea(round_, person, title="Benches for Mill Lane")
    others = make_idea(round_, member, title="Warm Wednesdays")
    at = round_.ideas_open_at + timedelta(minutes=5)
    funds.idea_comment(idea=others, by=person, text="Lovely idea.", now=at)
    funds.idea_comment(idea=idea, by=member, text=f"Well done {NAME}!", now=at)
    funds.idea_join(idea=others, by=person, now=at)

    # The account: a staff member's edit in the admin, a download of their data.
    LogEntry.objects.create(
        user=steward,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=f"Changed the time zone of {EMAIL}",
    )
    export = rights.export_request(person)
    rights.export_build(export.pk)
    return person


def _text_columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                  'ARRAY', 'tsvector')
            ORDER BY c.table_name, c.column_name
            """
        )
        return list(cursor.fetchall())


def _traces(columns: list[tuple[str, str, str]]) -> list[str]:
    """Every (table, column) holding any of TRACES, with what it holds."""
    found = []
    with connection.cursor() as cursor:
        for table, column, _type in columns:
            for trace in TRACES:
                cursor.execute(
                    f'SELECT "{column}"::text FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{trace}%"],
                )
                for (value,) in cursor.fetchall():
                    found.append(f"{table}.{column} holds {trace!r}: {value[:160]!r}")
    return found


def test_an_erased_member_leaves_no_name_or_email_in_any_table(
    place: Place, private_place: Place, steward: User, member: User
) -> None:
    person = _active_member(place, private_place, steward, member)
    columns = _text_columns()
    tables = {table for table, _, _ in columns}
    # The scan reaches every kind of table: live rows, history, the outbox, allauth, the admin.
    assert {
        "places_activity", "places_outboxmessage", "governance_decisionevent",
        "governance_inputevent", "account_emailaddress", "mfa_authenticator",
        "django_admin_log", "django_session", "learning_entry",
    } <= tables  # fmt: skip
    before = _traces(columns)
    assert len(before) > 30, before  # the cast really put them everywhere
    client = Client()
    client.force_login(person)
    assert Session.objects.count() >= 1
    ideas_before = Idea.objects.filter(proposer=person).count()

    response = client.post(reverse("account_delete"), {"password": PASSWORD})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("home")
    left = _traces(columns)
    assert not left, "personal data left after erasure:\n" + "\n".join(left)

    person.refresh_from_db()
    assert person.display_name == "Former member"
    assert person.email.endswith("@erased.invalid")
    assert not person.is_active and not person.has_usable_password()
    assert not Membership.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not CalendarFeedToken.objects.filter(user=person).exists()
    assert not Session.objects.exists()  # signed out everywhere (the only session was theirs)
    # The governance record stays whole, by id.
    assert Input.objects.filter(author=person).count() == 1
    assert InputEvent.objects.filter(author_id=person.pk).exists()
    assert Decider.objects.filter(user=person).get().interest_ids == []
    assert DecisionEvent.objects.filter(title__contains="a former member").exists()
    assert Idea.objects.filter(proposer=person).count() == ideas_before == 1
    assert IdeaComment.objects.filter(author=person).exists()
    assert CoDesigner.objects.filter(user=person).exists()
    assert Entry.objects.filter(body__contains="a former member").count() == 2
    # No file of theirs is left in the private storage.
    folder = f"data-exports/{person.pk}"
    storage = rights.private_storage()
    assert not storage.exists(folder) or storage.listdir(folder) == ([], [])
    # They cannot sign in again.
    assert not Client().login(email=EMAIL, password=PASSWORD)


def test_the_only_steward_of_a_place_must_hand_over_first(
    place: Place, steward: User, member: User
) -> None:
    client = Client()
    client.force_login(steward)

    page = client.get(reverse("account_delete"))
    assert page.status_code == 200
    assert "You are the only steward of Millbrook" in page.content.decode()

    response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 409
    assert "Make another member a steward of it first" in response.content.decode()
    steward.refresh_from_db()
    assert steward.is_active and steward.display_name == "Stevie Steward"

    # Once another member is a steward, they may go.
    Membership.objects.filter(place=place, user=member).update(role=Role.STEWARD)
    assert client.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 302
    steward.refresh_from_db()
    assert not steward.is_active


def test_deleting_needs_the_password_or_for_an_account_without_one_the_phrase(
    user: User,
) -> None:
    client = Client()
    client.force_login(user)
    wrong = client.post(reverse("account_delete"), {"password": "not it"})
    assert wrong.status_code == 400
    assert "That is not your password" in wrong.content.decode()
    user.refresh_from_db()
    assert user.is_active

    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get(reverse("account_delete")).content.decode()
    assert "delete my account" in page
    assert client.post(reverse("account_delete"), {"phrase": "delete it"}).status_code == 400
    done = client.post(reverse("account_delete"), {"phrase": "  Delete my   ACCOUNT "})
    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.display_name == "Former member"


def test_erasure_is_all_or_nothing(
    place: Place, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fails leaves the account and everything else as it was."""

    def broken(user: Any) -> None:
        raise RuntimeError("the disk is full")

    handler = registry.data_handlers["places.rhythm"]
    monkeypatch.setitem(
        registry.data_handlers,
        "places.rhythm",
        type(handler)(**{**handler.__dict__, "erase": broken}),
    )
    with pytest.raises(RuntimeError):
        rights.account_erase(member)
    member.refresh_from_db()
    assert member.is_active and member.display_name == "Mo Member"
    assert Membership.objects.filter(user=member).count() == 1
    assert EmailAddress.objects.filter(user=member).exists()
