"""The decision pages over HTTP: the journey a person takes, and every kind of bad input
answered with a clear message and a 4xx — never a 500, and never losing what was typed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Decision, Input, Response, Status

from .cast import DRAFT_MARKER, kwargs_for, make_decision

TODAY = timezone.localdate


def url(name: str, decision: Decision, **extra: Any) -> str:
    return reverse(f"governance:{name}", kwargs=kwargs_for(decision, **extra))


def _form(decision: Decision, **fields: Any) -> dict[str, Any]:
    data = {
        "version": decision.version,
        "title": decision.title,
        "question": decision.question,
        "method": decision.method,
        "deciders": [],
        "body_name": "The trustees",
        "mandate": "",
        "place_view": "",
        "input_closes_on": decision.input_closes_on.isoformat() if decision.input_closes_on else "",
        "review_by": "",
        "options-TOTAL_FORMS": "1",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "10",
        "options-0-title": "Open",
        "options-0-description": "",
        "options-0-pros": "Warm",
        "options-0-cons": "Cost",
    }
    data.update(fields)
    return data


def test_a_steward_drafts_a_decision_through_the_form(
    place: Any, steward: Any, decider: Any, client_for: Any
) -> None:
    client = client_for(steward)
    page = client.get(reverse("governance:create", kwargs={"slug": place.slug}))
    assert page.status_code == 200
    data = _form(
        Decision(title="Sunday opening", question="Open on Sundays?", method="consent", version=1),
        deciders=[decider.pk],
        version="",
    )
    response = client.post(reverse("governance:create", kwargs={"slug": place.slug}), data)
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == decision.get_absolute_url()
    assert decision.owner == steward and decision.status == Status.DRAFT
    assert decision.option_list()[0]["pros"] == "Warm"


def test_members_cannot_draft_decisions(place: Any, member: Any, client_for: Any) -> None:
    response = client_for(member).get(reverse("governance:create", kwargs={"slug": place.slug}))
    assert response.status_code == 403


def test_a_forged_decider_id_is_a_field_error(
    place: Any, steward: Any, outsider: Any, client_for: Any
) -> None:
    data = _form(
        Decision(title="T", question="Q", method="consent", version=1),
        deciders=[outsider.pk, 999999],
    )
    response = client_for(steward).post(
        reverse("governance:create", kwargs={"slug": place.slug}), data
    )
    assert response.status_code == 400
    assert "Deciders must be members of this place." in response.content.decode()
    assert not Decision.objects.exists()


def test_dates_out_of_order_are_refused_and_what_was_typed_stays(
    place: Any, steward: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DRAFT)
    closes = TODAY() + timedelta(days=20)
    data = _form(
        decision,
        question="My careful new wording",
        input_closes_on=closes.isoformat(),
        review_by=(closes - timedelta(days=1)).isoformat(),
    )
    response = client_for(steward).post(url("edit", decision), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The review date must come after input closes." in body
    assert "My careful new wording" in body
    decision.refresh_from_db()
    assert decision.question != "My careful new wording"


def test_a_concurrent_edit_is_refused_and_nothing_typed_is_lost(
    place: Any, steward: Any, decider: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, deciders=[decider])
    seen = _form(decision, deciders=[decider.pk])
    # Someone else saves first.
    first = client_for(steward).post(url("edit", decision), {**seen, "title": "Their title"})
    assert first.status_code == 302
    # Our form still carries the old version number.
    response = client_for(steward).post(
        url("edit", decision), {**seen, "title": "My title", "question": "My long question"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this decision while you were editing it" in body
    assert 'value="My title"' in body and "My long question" in body
    assert "Their title" in body  # the current version is shown to compare
    decision.refresh_from_db()
    assert decision.title == "Their title"
    # Saving again from that page (which now carries the current version) works.
    again = client_for(steward).post(
        url("edit", decision), {**seen, "version": decision.version, "title": "My title"}
    )
    assert again.status_code == 302
    decision.refresh_from_db()
    assert decision.title == "My title"


def test_an_edit_to_a_rescinded_decision_is_a_409_with_the_reason(
    place: Any, steward: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, status=Status.RESCINDED)
    client = client_for(steward)
    for method in ("get", "post"):
        response = getattr(client, method)(url("edit", decision), _form(decision))
        assert response.status_code == 409
        assert (
            "This decision was rescinded, so it can no longer be edited."
            in response.content.decode()
        )
    decision.refresh_from_db()
    assert decision.body_name == ""


def test_marking_decided_with_unanswered_input_is_a_409_saying_why(
    place: Any, steward: Any, member: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, inputs=[(member, "objection")], answer=False)
    client = client_for(steward)
    page = client.get(url("decide", decision))
    assert "1 input has no response" in page.content.decode()
    data = {
        "version": decision.version,
        "outcome": "Open on Sundays",
        "reasoning": "People asked",
        "method_result": "Consent",
        "decided_on": TODAY().isoformat(),
    }
    response = client.post(url("decide", decision), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "1 input has no response yet" in body and "Open on Sundays" in body
    decision.refresh_from_db()
    assert decision.status == Status.OPEN


def test_a_response_to_another_decisions_input_is_a_404(
    place: Any, steward: Any, member: Any, client_for: Any
) -> None:
    mine = make_decision(place, steward)
    other = make_decision(place, steward, title="Another")
    item = services.input_give(decision=other, by=member, stance="question", text="When?")
    response = client_for(steward).post(
        url("respond", mine, input_id=item.pk), {"disposition": "answered", "text": "Soon"}
    )
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_a_forged_id_is_a_404(
    place: Any, private_place: Any, steward: Any, member: Any, client_for: Any
) -> None:
    decision = make_decision(private_place, steward)
    client = client_for(member)
    # The right id under another place's address.
    assert (
        client.get(
            reverse("governance:decision", kwargs={"slug": place.slug, "pk": decision.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("governance:decision", kwargs={"slug": place.slug, "pk": 999999})
        ).status_code
        == 404
    )
    assert client.get(url("respond", decision, input_id=999999)).status_code == 404


def test_a_member_gives_input_and_the_owner_responds(
    place: Any, steward: Any, member: Any, client_for: Any, outbox: Any
) -> None:
    decision = make_decision(place, steward)
    client = client_for(member)
    bad = client.post(url("input_new", decision), {"stance": "", "text": "I care about this"})
    assert bad.status_code == 400
    assert "I care about this" in bad.content.decode()
    response = client.post(
        url("input_new", decision), {"stance": "concern", "text": "Who locks up?"}
    )
    item = Input.objects.get()
    assert response.status_code == 302 and item.author == member and item.text == "Who locks up?"
    no_reason = client_for(steward).post(
        url("respond", decision, input_id=item.pk), {"disposition": "not_adopted", "text": ""}
    )
    assert no_reason.status_code == 400
    assert "Give the reason it was not adopted." in no_reason.content.decode()
    ok = client_for(steward).post(
        url("respond", decision, input_id=item.pk),
        {"disposition": "adapted", "text": "A key-holder rota"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith(f"#input-{item.pk}")
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "A key-holder rota" in page and "1 input: 1 adapted" in page
    assert outbox.last(to=member.email, subject="has a response")


def test_input_is_refused_when_the_decision_is_not_open(
    place: Any, steward: Any, member: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DECIDING)
    response = client_for(member).post(
        url("input_new", decision), {"stance": "support", "text": "Yes"}
    )
    assert response.status_code == 409
    assert not Input.objects.exists()


def test_outsiders_cannot_give_input_on_a_public_decision(
    place: Any, steward: Any, outsider: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward)
    response = client_for(outsider).post(
        url("input_new", decision), {"stance": "support", "text": "Yes"}
    )
    assert response.status_code == 403
    assert not Input.objects.exists()


def test_anonymous_people_read_a_public_decision_but_not_a_draft(
    place: Any, steward: Any, member: Any, anonymous: Any, governance_markers: Any
) -> None:
    decision = make_decision(place, steward, inputs=[(member, "support")])
    page = anonymous.get(decision.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200 and "Support: think again." in body
    assert member.display_name in body and member.email not in body
    draft = governance_markers.public_draft
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    log = anonymous.get(reverse("governance:log", kwargs={"slug": place.slug})).content.decode()
    assert DRAFT_MARKER not in log and decision.title in log


def test_the_log_filters_and_searches_and_answers_htmx_with_the_results_only(
    place: Any, steward: Any, anonymous: Any
) -> None:
    make_decision(
        place, steward, title="Warm spaces over winter", question="Which halls stay warm?"
    )
    make_decision(place, steward, title="Lunch club", status=Status.DECIDED)
    log = reverse("governance:log", kwargs={"slug": place.slug})
    found = anonymous.get(log, {"q": "warm"}).content.decode()
    assert "Warm spaces over winter" in found and "Lunch club" not in found
    nul = anonymous.get(log, {"q": "wa\x00rm"})  # dropped (PostgreSQL refuses it), not a 500
    assert nul.status_code == 200 and "Warm spaces over winter" in nul.content.decode()
    decided = anonymous.get(log, {"status": "decided"}).content.decode()
    assert "Lunch club" in decided and "Warm spaces over winter" not in decided
    partial = anonymous.get(
        log, {"q": "lunch"}, headers={"HX-Request": "true", "HX-Target": "decision-results"}
    )
    body = partial.content.decode()
    assert "<html" not in body and "Lunch club" in body
    assert partial["Vary"].count("HX-Request") == 1
    bad = anonymous.get(log, {"date_from": "2026-02-31"})
    assert bad.status_code == 400 and "Enter a real date" in bad.content.decode()
    page = anonymous.get(log).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="Decisions of {place.name}" href="{log}feed.atom">' in page
    )


def test_the_implementation_record_takes_progress_from_the_owner_only(
    place: Any, steward: Any, member: Any, client_for: Any
) -> None:
    decision = make_decision(place, steward, status=Status.DECIDED)
    page = url("implementation", decision)
    assert (
        client_for(member)
        .post(page, {"status": "in_progress", "progress": "10", "text": "x"})
        .status_code
        == 403
    )
    bad = client_for(steward).post(page, {"status": "done", "progress": "50", "text": "All done"})
    assert bad.status_code == 400 and "Something done is 100% done." in bad.content.decode()
    ok = client_for(steward).post(
        page, {"status": "in_progress", "progress": "50", "text": "Half way"}
    )
    assert ok.status_code == 302
    decision.implementation.refresh_from_db()
    assert decision.implementation.progress == 50
    assert "Half way" in client_for(member).get(page).content.decode()


def test_the_decided_page_shows_the_deciders_interests(
    place: Any, steward: Any, decider: Any, anonymous: Any
) -> None:
    from places.models import Interest

    Interest.objects.create(
        place=place, user=decider, kind="employment", description="Works for DLUHC"
    )
    decision = make_decision(place, steward, status=Status.DECIDED, deciders=[decider])
    body = anonymous.get(decision.get_absolute_url()).content.decode()
    assert "Dee Decider" in body and "Employment: Works for DLUHC" in body
    assert "Stated that none of their interests relates to this decision." in body
