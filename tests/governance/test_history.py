"""The history the database keeps: every change after draft is recorded (QuerySet.update() and
raw SQL too) with the acting person's id; history rows cannot be changed or deleted; only
erasure and redaction rewrite them, live rows and history alike, and say so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from governance import services
from governance.models import (
    DeciderEvent,
    Decision,
    DecisionEvent,
    Input,
    InputEvent,
    Response,
    ResponseEvent,
    Rewrite,
    Status,
)
from governance.rewrite import REDACTED, decision_redact, person_erase, person_withdraw
from places.registry import registry

from .cast import make_decision


def _events(decision: Decision) -> list[Any]:
    return list(DecisionEvent.objects.filter(pgh_obj_id=decision.pk).order_by("pgh_id"))


def test_a_draft_is_not_recorded_until_it_is_opened(place: Any, steward: Any) -> None:
    decision = make_decision(place, steward, status=Status.DRAFT)
    services.decision_update(decision=decision, by=steward, expected_version=None, title="Renamed")
    assert _events(decision) == []
    services.decision_open(
        decision=decision, by=steward, input_closes_on=decision.created_at.date()
    )
    [opened] = _events(decision)
    assert opened.status == Status.OPEN and opened.title == "Renamed"
    assert opened.pgh_context == {"user": steward.pk}


def test_queryset_update_and_raw_sql_are_recorded_too(place: Any, steward: Any) -> None:
    decision = make_decision(place, steward)
    before = len(_events(decision))
    Decision.objects.filter(pk=decision.pk).update(title="Changed by update()")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_decision SET question = %s WHERE id = %s",
            ["Changed by raw SQL", decision.pk],
        )
    events = _events(decision)
    assert len(events) == before + 2
    assert events[-2].title == "Changed by update()"
    assert events[-1].question == "Changed by raw SQL"
    # Neither ran inside a service, so neither is attributed to anyone.
    assert events[-2].pgh_context is None and events[-1].pgh_context is None


def test_inputs_and_responses_are_versioned_with_the_acting_person(
    place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="concern", text="First words")
    services.input_edit(item=item, by=member, stance="objection", text="Second words")
    services.response_give(item=item, by=steward, disposition="answered", text="Answer")
    inputs = list(InputEvent.objects.filter(pgh_obj_id=item.pk).order_by("pgh_id"))
    assert [(e.stance, e.text) for e in inputs] == [
        ("concern", "First words"),
        ("objection", "Second words"),
    ]
    assert {e.pgh_context["user"] for e in inputs} == {member.pk}
    [response] = ResponseEvent.objects.filter(input_id=item.pk)
    assert response.pgh_context == {"user": steward.pk}


def test_history_rows_refer_to_people_by_id_only(place: Any, steward: Any, member: Any) -> None:
    decision = make_decision(place, steward, inputs=[(member, "support")])
    rows = [
        *DecisionEvent.objects.filter(pgh_obj_id=decision.pk).values(),
        *InputEvent.objects.filter(decision_id=decision.pk).values(),
        *ResponseEvent.objects.all().values(),
        *DeciderEvent.objects.filter(decision_id=decision.pk).values(),
    ]
    text = json.dumps(rows, default=str)
    for person in (steward, member):
        assert person.email not in text and person.display_name not in text
    assert f'"owner_id": {steward.pk}' in text


@pytest.mark.parametrize("model", [DecisionEvent, InputEvent, ResponseEvent, DeciderEvent])
def test_history_rows_cannot_be_updated_or_deleted(
    model: Any, place: Any, steward: Any, member: Any, decider: Any
) -> None:
    make_decision(place, steward, inputs=[(member, "support")], deciders=[decider])
    row = model.objects.order_by("pgh_id").first()
    assert row is not None
    table = model._meta.db_table
    attempts = [
        lambda: model.objects.filter(pk=row.pk).update(pgh_label="forged"),
        lambda: model.objects.filter(pk=row.pk).delete(),
    ]
    for sql in (
        f"UPDATE {table} SET pgh_label = 'forged' WHERE pgh_id = %s",
        f"DELETE FROM {table} WHERE pgh_id = %s",
    ):
        attempts.append(lambda sql=sql: connection.cursor().execute(sql, [row.pk]))
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            attempt()
    row.refresh_from_db()
    assert row.pgh_label != "forged"


def test_the_rewrite_log_cannot_be_changed_either(place: Any, steward: Any) -> None:
    log = Rewrite.objects.create(kind="redaction", reason="Consent withdrawn")
    with pytest.raises(DatabaseError), transaction.atomic():
        Rewrite.objects.filter(pk=log.pk).update(reason="Nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        Rewrite.objects.filter(pk=log.pk).delete()


def test_a_steward_redacts_words_from_live_rows_and_history_alike(
    place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(place, steward, question="Should Mrs Patel's flat be a warm space?")
    item = services.input_give(
        decision=decision,
        by=member,
        stance="concern",
        text="Mrs Patel told me she would rather not.",
    )
    services.response_give(item=item, by=steward, disposition="adopted", text="We asked Mrs Patel.")
    log = decision_redact(
        decision=decision, by=steward, phrase="mrs patel", reason="She asked us to."
    )
    decision.refresh_from_db()
    item.refresh_from_db()
    assert decision.question == f"Should {REDACTED}'s flat be a warm space?"
    assert item.text == f"{REDACTED} told me she would rather not."
    assert Response.objects.get(input=item).text == f"We asked {REDACTED}."
    for model in (DecisionEvent, InputEvent, ResponseEvent):
        dump = json.dumps(list(model.objects.values()), default=str)
        assert "Patel" not in dump
    log.refresh_from_db()
    assert (log.kind, log.by_user_id, log.decision_id) == ("redaction", steward.pk, decision.pk)
    assert log.live_rows == 3 and log.history_rows >= 3
    # The rewrite made no new version, and the protection is back on afterwards.
    assert not DecisionEvent.objects.filter(
        pgh_obj_id=decision.pk, question__contains=REDACTED, pgh_context__isnull=True
    ).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        InputEvent.objects.update(text="again")


def test_redacting_words_that_are_not_there_is_refused(place: Any, steward: Any) -> None:
    decision = make_decision(place, steward)
    with pytest.raises(services.GovernanceError) as refused:
        decision_redact(decision=decision, by=steward, phrase="Nobody", reason="Test")
    assert refused.value.field == "phrase"
    assert not Rewrite.objects.exists()


def test_erasing_an_account_rewrites_its_name_everywhere_and_keeps_the_record(
    place: Any, steward: Any, member: Any, decider: Any
) -> None:
    from places.models import Interest

    interest = Interest.objects.create(
        place=place, user=decider, kind="employment", description="Civil servant"
    )
    decision = make_decision(
        place,
        steward,
        deciders=[decider],
        question=f"Should {decider.display_name} chair the board?",
    )
    services.decider_state(
        decision=decision, by=decider, interest_ids=[interest.pk], no_interest=False
    )
    registry.erase_for(decider)
    decision.refresh_from_db()
    assert decision.question == "Should a former member chair the board?"
    assert decision.deciders.get().user == decider  # the ids stay
    assert decision.deciders.get().interest_ids == []
    for model in (DecisionEvent, DeciderEvent):
        dump = json.dumps(list(model.objects.values()), default=str)
        assert decider.display_name not in dump
    assert not DeciderEvent.objects.filter(user_id=decider.pk).exclude(interest_ids=[]).exists()
    log = Rewrite.objects.get(kind="erasure")
    assert log.subject_user_id == decider.pk


def test_withdrawing_consent_replaces_the_persons_words(
    place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="support", text="My words")
    person_withdraw(member)
    item.refresh_from_db()
    assert "withdrawn" in item.text
    assert not InputEvent.objects.filter(pgh_obj_id=item.pk, text="My words").exists()
    assert Input.objects.filter(author=member).count() == 1  # not deleted


def test_the_history_page_shows_who_changed_which_field_before_and_after(
    place: Any, steward: Any, anonymous: Any
) -> None:
    decision = make_decision(place, steward)
    long_before = "Should the centre open from 12 to 4 on Sundays this winter, with volunteers?"
    long_after = "Should the centre open from 1 to 5 on Sundays this winter, with volunteers?"
    services.decision_update(
        decision=decision, by=steward, expected_version=None, question=long_before
    )
    services.decision_update(
        decision=decision,
        by=steward,
        expected_version=None,
        question=long_after,
        title="Sunday afternoons",
    )
    response = anonymous.get(
        reverse("governance:history", kwargs={"slug": place.slug, "pk": decision.pk})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Opened for input" in body
    assert f"by {steward.display_name}" in body
    assert "Sunday afternoons" in body and "Title" in body
    assert (
        '<del class="rel-diff__del"><span class="govuk-visually-hidden">removed: </span>12</del>'
        in body
    )
    assert (
        '<ins class="rel-diff__ins"><span class="govuk-visually-hidden">added: </span>1</ins>'
        in body
    )
    assert steward.email not in body


def test_the_history_page_lists_redactions_with_who_and_why(
    place: Any, steward: Any, anonymous: Any
) -> None:
    decision = make_decision(place, steward, question="About Mr Jones")
    decision_redact(decision=decision, by=steward, phrase="Mr Jones", reason="He withdrew consent.")
    body = anonymous.get(
        reverse("governance:history", kwargs={"slug": place.slug, "pk": decision.pk})
    ).content.decode()
    assert "He withdrew consent." in body and steward.display_name in body
    assert "Mr Jones" not in body


def test_person_erase_is_logged_even_when_nothing_matched(place: Any, member: Any) -> None:
    log = person_erase(member)
    assert log.kind == "erasure" and log.live_rows == 0
