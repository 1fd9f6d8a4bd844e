"""How learning plugs into places through the registry (places never imports learning), and a
person's data rights over what they wrote."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from learning import data_rights, services
from learning.models import CycleParticipant, Entry, PromptDelivery
from places.models import Membership, Place
from places.registry import registry

BASE = Path(__file__).resolve().parents[2]


def test_places_never_imports_learning() -> None:
    offenders = []
    for path in (BASE / "places").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "learning" or name.startswith("learning.") for name in names):
                offenders.append(str(path.relative_to(BASE)))
    assert offenders == []


def test_learning_registers_its_panel_kinds_section_scope_seeder_and_data_handler() -> None:
    assert registry.panels_by_key["learning"].template == "learning/_glance_panel.html"
    assert registry.flaggable("entry").label == "log entry"
    assert {"cycle", "entry", "measure"} <= set(registry.activity_kinds)
    assert set(registry.digest_sections_by_key["learning"].activity_kinds) == {
        "cycle",
        "entry",
        "measure",
    }
    assert "cycle" in registry.scope_checks
    assert "learning" in registry.demo_seeders
    assert "learning" in registry.data_handlers


@pytest.mark.django_db
def test_the_cycle_scope_is_its_participants_who_are_members(
    cycle, private_cycle, participant, member, outsider
) -> None:
    place = cycle.place
    scope = f"cycle:{cycle.pk}"
    assert registry.can_see_scope(participant, place, scope)
    assert not registry.can_see_scope(member, place, scope)
    assert not registry.can_see_scope(outsider, place, scope)
    # A cycle of another place named in this place's scope is not seen through it.
    assert not registry.can_see_scope(participant, place, f"cycle:{private_cycle.pk}")
    assert not registry.can_see_scope(participant, place, "cycle:nonsense")
    assert registry.scope_audience(place, scope, [participant, member, outsider]) == {
        participant.pk
    }
    # Taking part counts only while a member: once they leave the place, the scope is closed.
    Membership.objects.filter(user=participant, place=place).delete()
    assert not registry.can_see_scope(participant, Place.objects.get(pk=place.pk), scope)


@pytest.mark.django_db
def test_a_person_can_export_their_learning(cycle, participant, learning_markers) -> None:
    exported = registry.export_for(participant)["learning"]
    bodies = [e["body"] for e in exported["entries"]]
    assert "We met Mrs Patel at the community centre." in bodies
    assert exported["cycles_taken_part_in"]
    assert exported["readings"]


@pytest.mark.django_db
def test_erasing_an_account_keeps_the_record_without_the_person(
    cycle, participant, learning_markers
) -> None:
    entry = learning_markers.entries[("public", "public")]
    PromptDelivery.objects.create(
        cycle=cycle, user=participant, period_key="x", question_text="?", nonce="n",
        email_key="k", expires_at=cycle.created_at,
    )  # fmt: skip
    data_rights.erase(participant)
    entry.refresh_from_db()
    assert entry.author is None and entry.author_perspectives == []
    assert entry.body == "We met Mrs Patel at the community centre."
    assert not PromptDelivery.objects.filter(user=participant).exists()
    assert not CycleParticipant.objects.filter(user=participant).exists()


@pytest.mark.django_db
def test_withdrawing_consent_replaces_the_words_and_the_library_forgets_them(
    client_for, participant, learning_markers
) -> None:
    data_rights.redact(participant)
    assert set(Entry.objects.filter(author=participant).values_list("body", flat=True)) == {
        data_rights.WITHDRAWN
    }
    library = client_for(None).get("/learning/", {"q": "Mrs Patel"}).content.decode()
    assert "No cycles found" in library


@pytest.mark.django_db
def test_hiding_an_entry_through_the_registry_takes_it_out_of_search(
    steward, learning_markers
) -> None:
    from places.flags import content_hide

    entry = learning_markers.entries[("library", "public")]
    content_hide(kind=registry.flaggable("entry"), obj=entry, by=steward, reason="names a child")
    cycle = entry.cycle
    cycle.refresh_from_db()
    services.cycle_refresh_search(cycle.pk)
    from learning.reads import LibraryFilters, library_cycles

    assert not library_cycles(LibraryFilters(q="Patel")).exists()
