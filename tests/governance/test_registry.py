"""How governance reaches places without places importing it: the place-home panel, flaggable
inputs, the digest section, data rights, the demo seeder; and the learning cycle's reverse view
of the decisions it informed."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from governance import services
from governance.models import Input, Status
from places.registry import registry

from .cast import DRAFT_MARKER, make_decision


def test_governance_registers_its_panel_flaggable_inputs_digest_section_and_handlers() -> None:
    assert "governance" in registry.panels_by_key
    assert registry.flaggable("decision_input").model is Input
    section = registry.digest_sections_by_key["governance"]
    assert set(section.activity_kinds) == {"decision", "decision_input", "implementation"}
    assert registry.activity_kind_label("decision") == "Decisions"
    handler = registry.data_handlers["governance"]
    assert handler.export and handler.erase and handler.redact
    assert "governance" in registry.demo_seeders


def test_the_place_home_shows_recent_decisions_but_never_drafts(
    place: Any, steward: Any, anonymous: Any, governance_markers: Any
) -> None:
    make_decision(place, steward, title="Sunday opening")
    body = anonymous.get(place.get_absolute_url()).content.decode()
    assert "Recent decisions" in body and "Sunday opening" in body
    assert DRAFT_MARKER not in body
    assert f"/places/{place.slug}/decisions/" in body


def test_a_flagged_input_is_found_in_its_place_only(
    place: Any, private_place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="concern", text="Rude words")
    kind = registry.flaggable("decision_input")
    assert kind.get(place, item.pk) == item
    assert kind.get(private_place, item.pk) is None
    assert kind.author(item) == member and kind.excerpt(item) == "Rude words"
    kind.hide(item, reason="It names a neighbour", by=steward)
    item.refresh_from_db()
    assert item.is_hidden
    # The hiding is a version of the input, attributed to the steward.
    from governance.models import InputEvent

    latest = InputEvent.objects.filter(pgh_obj_id=item.pk).order_by("-pgh_id").first()
    assert latest.hidden_at is not None and latest.pgh_context == {"user": steward.pk}
    body = decision.get_absolute_url()
    assert body.endswith(f"/decisions/{decision.pk}/")


def test_a_hidden_input_shows_why_in_its_place(
    place: Any, steward: Any, member: Any, anonymous: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="concern", text="Rude words")
    registry.flaggable("decision_input").hide(item, reason="it names a neighbour", by=steward)
    body = anonymous.get(decision.get_absolute_url()).content.decode()
    assert "Hidden by a steward because it names a neighbour" in body and "Rude words" not in body


def test_the_cycle_lists_the_decisions_it_informed_through_the_reverse_relation(
    place: Any, private_place: Any, steward: Any, cycle: Any, anonymous: Any
) -> None:
    draft = make_decision(place, steward, status=Status.DRAFT, title=f"Draft {DRAFT_MARKER}")
    services.evidence_add(decision=draft, by=steward, cycle=cycle)
    published = make_decision(place, steward, status=Status.DRAFT, title="Tea before assessments")
    services.evidence_add(decision=published, by=steward, cycle=cycle)
    services.decision_open(
        decision=published, by=steward, input_closes_on=published.created_at.date()
    )
    elsewhere = make_decision(
        private_place, steward, status=Status.DRAFT, title="Hidden Hollow copies it"
    )
    services.evidence_add(decision=elsewhere, by=steward, cycle=cycle)
    services.decision_open(
        decision=elsewhere, by=steward, input_closes_on=elsewhere.created_at.date()
    )
    links = list(cycle.decision_evidence.public_record())
    assert [link.decision.title for link in links] == ["Tea before assessments"]
    html = render_to_string("governance/_cycle_decisions.html", {"cycle": cycle},
                            request=RequestFactory().get("/"))  # fmt: skip
    assert "Tea before assessments" in html and DRAFT_MARKER not in html
    assert "Hidden Hollow" not in html
    # The cycle's own page shows it, through the panel governance registers with learning.
    page = anonymous.get(reverse("learning:cycle", args=[place.slug, cycle.pk])).content.decode()
    assert "Decisions it informed" in page and "Tea before assessments" in page
    assert DRAFT_MARKER not in page and "Hidden Hollow" not in page


def test_a_persons_export_holds_their_inputs_and_responses(
    place: Any, steward: Any, member: Any
) -> None:
    decision = make_decision(place, steward)
    item = services.input_give(decision=decision, by=member, stance="support", text="Yes please")
    services.response_give(item=item, by=steward, disposition="adopted", text="Done")
    export = registry.export_for(member)["governance"]
    assert export["inputs"][0]["text"] == "Yes please"
    assert export["inputs"][0]["response"] == {"disposition": "adopted", "text": "Done"}
    assert registry.export_for(steward)["governance"]["responses_given"][0]["text"] == "Done"


def test_decisions_reach_the_digest_in_their_own_section(
    place: Any, steward: Any, member: Any, resident: Any
) -> None:
    from datetime import UTC, datetime

    from places.digests import digest_batch_build
    from places.models import Activity, Membership, OutboxMessage

    decision = make_decision(place, steward, title="Sunday opening")
    services.input_give(decision=decision, by=resident, stance="support", text="Yes")
    Membership.objects.filter(place=place).update(joined_at=datetime(2025, 1, 1, tzinfo=UTC))
    Activity.objects.filter(kind__in=["decision", "decision_input"]).update(
        created_at=datetime(2026, 2, 10, 12, tzinfo=UTC)
    )
    digest_batch_build(
        place_id=place.pk,
        frequency="weekly",
        time_zone="Europe/London",
        period="2026-W07",
        user_ids=[member.pk],
        now=datetime(2026, 2, 16, 9, tzinfo=UTC),
    )
    message = OutboxMessage.objects.filter(to__contains=[member.email]).last()
    assert message is not None
    assert "DECISIONS" in message.body
    assert "opened “Sunday opening” for input" in message.body
