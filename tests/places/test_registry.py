"""The registry through which later apps add to a place without places importing them."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from places.gatherings import gathering_answer
from places.models import RSVP, Answer, Gathering
from places.registry import AlreadyRegistered, FlaggableKind, NotRegistered, Registry, registry
from tests.places.gathering_helpers import arrange


def test_places_registers_its_own_gatherings_through_the_registry():
    assert "places.gatherings" in registry.panels_by_key
    assert registry.flaggable("gathering").model is Gathering
    assert registry.flaggable_for_model(Gathering) is registry.flaggable("gathering")
    assert registry.activity_kind_label("gathering") == "Gatherings"
    assert "gathering" in registry.digest_sections_by_key["places.gatherings"].activity_kinds
    assert registry.data_handlers["places.gatherings"].export is not None


def test_registering_a_key_twice_is_refused():
    reg = Registry()
    reg.register_panel("cycles", title="Cycles", template="x.html", context=lambda r, p: {})
    with pytest.raises(AlreadyRegistered):
        reg.register_panel("cycles", title="Again", template="y.html", context=lambda r, p: {})
    reg.register_scope("cycle", lambda user, place, scope_id: True)
    with pytest.raises(AlreadyRegistered):
        reg.register_scope("cycle", lambda user, place, scope_id: False)
    with pytest.raises(NotRegistered):
        reg.flaggable("entry")


def test_panels_come_in_order_and_a_panel_with_no_context_is_left_out(rf: RequestFactory):
    reg = Registry()
    reg.register_panel(
        "b", title="Second", template="places/gathering_panel.html",
        context=lambda r, p: {"gatherings": []}, order=20,
    )  # fmt: skip
    reg.register_panel(
        "a", title="First", template="places/gathering_panel.html",
        context=lambda r, p: {"gatherings": []}, order=10,
    )  # fmt: skip
    reg.register_panel(
        "c", title="Nothing to show", template="places/gathering_panel.html",
        context=lambda r, p: None,
    )  # fmt: skip

    class FakePlace:
        slug = "somewhere"

    rendered = reg.render_panels(rf.get("/"), FakePlace())  # type: ignore[arg-type]

    assert [item["panel"].key for item in rendered] == ["a", "b"]
    assert "First" in rendered[0]["html"]
    assert [p.key for p in reg.panels()] == ["a", "b", "c"]


@pytest.mark.django_db
def test_a_registered_panel_appears_on_the_place_home(monkeypatch, client_for, place):
    # Only places' own panel and the new one, whatever other apps have registered.
    reg_panels = {"places.gatherings": registry.panels_by_key["places.gatherings"]}
    monkeypatch.setattr(registry, "panels_by_key", reg_panels)
    registry.register_panel(
        "learning.cycles",
        title="Learning cycles ZZPANEL",
        template="places/gathering_panel.html",
        context=lambda request, p: {"gatherings": []},
        order=5,
    )
    body = (
        client_for(None).get(reverse("places:home", kwargs={"slug": place.slug})).content.decode()
    )
    assert "Learning cycles ZZPANEL" in body
    assert body.index("Learning cycles ZZPANEL") < body.index("Next gatherings")


def test_scope_checks_decide_scoped_items_and_unknown_scopes_are_hidden():
    reg = Registry()
    reg.register_scope("cycle", lambda user, place, scope_id: scope_id == "42")
    assert reg.can_see_scope(None, None, "cycle:42")  # type: ignore[arg-type]
    assert not reg.can_see_scope(None, None, "cycle:43")  # type: ignore[arg-type]
    assert not reg.can_see_scope(None, None, "round:42")  # type: ignore[arg-type]
    assert not reg.can_see_scope(None, None, "cycle")  # type: ignore[arg-type]
    assert not reg.can_see_scope(None, None, "")  # type: ignore[arg-type]


def test_digest_sections_activity_kinds_and_demo_seeders():
    reg = Registry()
    reg.register_digest_section(
        "decisions", title="Decisions", activity_kinds=["decision"], order=30
    )
    reg.register_digest_section(
        "learning", title="Learning", activity_kinds=["entry", "cycle"], order=10
    )
    reg.register_activity_kind("entry", "Log entries")
    seen: list[str] = []
    reg.register_demo_seeder("b", lambda place, result: seen.append("b"))
    reg.register_demo_seeder("a", lambda place, result: seen.append("a"))

    reg.run_demo_seeders(None, None)  # type: ignore[arg-type]

    assert [s.key for s in reg.digest_sections()] == ["learning", "decisions"]
    assert reg.digest_sections()[0].activity_kinds == ("entry", "cycle")
    assert reg.activity_kind_label("entry") == "Log entries"
    assert reg.activity_kind_label("new_thing") == "New thing"
    assert seen == ["a", "b"]


def test_flaggable_defaults_fit_hideable_models():
    kind = FlaggableKind(
        key="gathering", label="gathering", model=Gathering,
        author=lambda g: g.organiser, excerpt=lambda g: g.title,
    )  # fmt: skip
    gathering = Gathering(title="x")
    assert not kind.is_hidden(gathering)
    assert kind.hidden_filter == {"hidden_at__isnull": False}


@pytest.mark.django_db
def test_data_handlers_export_and_erase_a_persons_gathering_data(place, member, resident):
    gathering = arrange(place, member, days=-2)
    gathering_answer_later = arrange(place, member)
    gathering_answer(gathering=gathering_answer_later, user=resident, answer=Answer.MAYBE)
    gathering.attendees.add(resident)

    exported = registry.export_for(resident)["places.gatherings"]
    assert exported["gathering_answers"][0]["answer"] == "maybe"
    assert exported["gatherings_attended"][0]["gathering"] == gathering.title
    assert registry.export_for(member)["places.gatherings"]["gatherings_organised"]

    registry.erase_for(member)
    registry.erase_for(resident)

    assert not RSVP.objects.filter(user__in=[member, resident]).exists()
    assert not gathering.attendees.exists()
    gathering.refresh_from_db()
    assert gathering.organiser is None  # the gathering stays, others answered it


def test_registering_data_handlers_without_every_part_is_allowed():
    reg = Registry()
    reg.register_data_handler("only.export", export=lambda user: {"x": 1})
    assert reg.export_for(None) == {"only.export": {"x": 1}}
    reg.erase_for(None)
    reg.redact_for(None)
