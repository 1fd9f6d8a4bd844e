"""Starting and describing a place: saved state, slugs, missions, the first steward, the
home page listing, Markdown sanitising and the form's refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from places import services
from places.markdown import render_markdown
from places.models import (
    DEFAULT_HOUSE_RULES,
    Activity,
    JoinPolicy,
    Membership,
    Place,
    PlaceVisibility,
    Role,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Ashby Fields",
        "summary": "The estates north of the ring road.",
        "description": "We meet at the **community hub**.",
        "missions": "To feel safe walking home\n\nFor our children to have somewhere to go\n",
        "perspectives": ["resident", "vcs"],
        "visibility": PlaceVisibility.PUBLIC,
        "join_policy": JoinPolicy.OPEN,
        "house_rules": "",
    }
    data.update(overrides)
    return data


# --- Creating ----------------------------------------------------------------------------------


def test_a_signed_in_person_starts_a_place_and_becomes_its_first_steward(user, client_for):
    response = client_for(user).post(reverse("places:create"), form_data())

    place = Place.objects.get(name="Ashby Fields")
    assert response.status_code == 302
    assert response["Location"] == place.get_absolute_url() == "/places/ashby-fields/"
    assert place.slug == "ashby-fields"
    assert place.created_by == user
    assert place.join_policy == JoinPolicy.OPEN
    assert place.house_rules == DEFAULT_HOUSE_RULES
    assert [m.text for m in place.missions.all()] == [
        "To feel safe walking home",
        "For our children to have somewhere to go",
    ]
    membership = Membership.objects.get(place=place)
    assert membership.user == user
    assert membership.role == Role.STEWARD
    assert membership.perspectives == ["resident", "vcs"]
    verbs = list(Activity.objects.filter(place=place).values_list("kind", "verb"))
    assert ("place", "created") in verbs
    assert ("member", "joined") in verbs


def test_anonymous_people_are_sent_to_sign_in_before_starting_a_place(anonymous):
    response = anonymous.post(reverse("places:create"), form_data())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Place.objects.exists()


def test_slugs_are_unique_and_avoid_the_apps_own_urls(user):
    common = {
        "creator": user,
        "summary": "s",
        "visibility": "public",
        "join_policy": "open",
        "perspectives": ["resident"],
    }
    first = services.place_create(name="Low Moor", **common)
    second = services.place_create(name="Low  Moor!", **common)
    reserved = services.place_create(name="New", **common)

    assert first.slug == "low-moor"
    assert second.slug == "low-moor-2"
    assert reserved.slug == "new-place"
    assert reserved.get_absolute_url() == "/places/new-place/"


def test_a_failed_submit_keeps_what_was_typed_and_shows_the_errors(user, client_for):
    response = client_for(user).post(
        reverse("places:create"),
        form_data(name="", perspectives=[], description="My *own* words"),
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter the name of the place." in body
    assert "Choose at least one perspective." in body
    assert 'href="#id_perspectives_0"' in body
    assert "My *own* words" in body
    assert "The estates north of the ring road." in body
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"name": "x" * 121}, "at most 120 characters"),
        ({"summary": "x" * 281}, "at most 280 characters"),
        ({"missions": "x" * 201}, "200 characters or fewer"),
        ({"missions": "\n".join(f"Mission {n}" for n in range(11))}, "at most 10 missions"),
        ({"visibility": "everyone"}, "Select a valid choice"),
        ({"perspectives": ["wizard"]}, "Select a valid choice"),
        ({"name": "!!!"}, "must contain letters or numbers"),
    ],
)
def test_bad_input_is_a_400_with_a_reason_never_a_500(user, client_for, overrides, error):
    response = client_for(user).post(reverse("places:create"), form_data(**overrides))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Place.objects.exists()


# --- Editing -----------------------------------------------------------------------------------


def test_a_steward_edits_the_place_and_its_slug_stays_the_same(place, steward, client_for):
    kept = place.missions.get()
    response = client_for(steward).post(
        reverse("places:edit", kwargs={"slug": place.slug}),
        form_data(
            name="Millbrook and Hale",
            missions="For everyone to have a warm home\n" + kept.text,
            visibility=PlaceVisibility.MEMBERS,
            join_policy=JoinPolicy.INVITATION,
            house_rules="Be kind.",
        ),
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Millbrook and Hale"
    assert place.slug == "millbrook"
    assert place.visibility == PlaceVisibility.MEMBERS
    assert place.house_rules == "Be kind."
    missions = list(place.missions.all())
    assert [m.text for m in missions] == ["For everyone to have a warm home", kept.text]
    assert missions[1].pk == kept.pk  # an unchanged mission keeps its row
    assert Activity.objects.filter(place=place, kind="place", verb="updated").count() == 1


def test_the_edit_form_starts_from_what_is_saved(place, steward, client_for):
    response = client_for(steward).get(reverse("places:edit", kwargs={"slug": place.slug}))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Millbrook"' in body
    assert "To have a safe and nurturing place to live" in body


def test_members_may_not_edit_a_place_and_outsiders_cannot_find_a_private_one(
    place, private_place, member, outsider, client_for
):
    as_member = client_for(member)
    as_outsider = client_for(outsider)

    assert (
        as_member.post(reverse("places:edit", kwargs={"slug": place.slug}), form_data()).status_code
        == 403
    )
    assert as_outsider.get(reverse("places:edit", kwargs={"slug": place.slug})).status_code == 403
    assert (
        as_outsider.get(reverse("places:edit", kwargs={"slug": private_place.slug})).status_code
        == 404
    )
    assert (
        as_member.get(reverse("places:edit", kwargs={"slug": "no-such-place"})).status_code == 404
    )
    place.refresh_from_db()
    assert place.name == "Millbrook"


# --- The home page -----------------------------------------------------------------------------


def test_the_home_page_lists_public_places_and_a_members_own_private_ones(
    place, private_place, member, outsider, anonymous, client_for
):
    other_private = Place.objects.create(
        name="Elsewhere Private", slug="elsewhere", summary="s", visibility=PlaceVisibility.MEMBERS
    )
    Membership.objects.create(
        place=other_private, user=UserFactory(), perspectives=["resident"], role=Role.STEWARD
    )

    for_anonymous = anonymous.get(reverse("home")).content.decode()
    for_outsider = client_for(outsider).get(reverse("home")).content.decode()
    for_member = client_for(member).get(reverse("home")).content.decode()

    assert "Millbrook" in for_anonymous and "Millbrook" in for_outsider
    assert private_place.name not in for_anonymous
    assert private_place.name not in for_outsider
    assert private_place.name in for_member
    assert "Elsewhere Private" not in for_member


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Title\n\nHello **there** [link](https://example.org) "
        '[bad](javascript:alert(1))\n\n<script>alert(1)</script><img src=x onerror="alert(1)">'
        '<p style="color:red">styled</p>'
    )

    assert '<h2 class="govuk-heading-m">Title</h2>' in html
    assert "<strong>there</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "javascript:" not in html
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "style=" not in html


def test_a_places_description_is_shown_sanitised(place, anonymous, steward, client_for):
    services.place_update(
        place=place,
        actor=steward,
        name=place.name,
        summary=place.summary,
        description="We **meet** on Tuesdays <script>alert('x')</script>",
        missions=[],
        visibility=place.visibility,
        join_policy=place.join_policy,
        house_rules=place.house_rules,
    )

    body = anonymous.get(place.get_absolute_url()).content.decode()
    assert "<strong>meet</strong>" in body
    assert "alert('x')" not in body


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_place_is_believable_and_seeding_twice_changes_nothing():
    from places.demo import DEMO_PLACE_SLUG, seed_demo
    from places.models import Interest, Power

    first = seed_demo()
    counts = (
        Membership.objects.count(), Activity.objects.count(), Interest.objects.count(),
        Power.objects.count(),
    )  # fmt: skip
    again = seed_demo()

    assert again.created == 0
    assert counts == (
        Membership.objects.count(), Activity.objects.count(), Interest.objects.count(),
        Power.objects.count(),
    )  # fmt: skip
    place = Place.objects.get(slug=DEMO_PLACE_SLUG)
    assert place.is_public
    assert place.missions.count() == 2
    assert Membership.objects.filter(place=place).count() == 25
    picture = services.whole_system(place)
    assert [row.perspective for row in picture.missing] == ["researcher"]
    budget = Power.objects.get(place=place, kind="budget", amount=1_200_000)
    assert budget.user.email == "commissioner@demo.relational.local"
    assert Power.objects.filter(place=place, kind="duty").exists()
    assert Power.objects.filter(place=place, kind="board_seat").exists()
    assert Interest.objects.filter(place=place, withdrawn_at__isnull=False).exists()
    joins = Activity.objects.filter(place=place, verb="joined").order_by("created_at")
    assert joins.count() == 25
    assert (joins.last().created_at - joins.first().created_at).days > 90
    accounts = dict(first.accounts)
    for who in ("steward", "resident", "frontline", "commissioner", "centre"):
        assert f"{who}@demo.relational.local" in accounts
