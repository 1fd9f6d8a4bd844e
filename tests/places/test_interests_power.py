"""Declared interests and recorded power: declaring, withdrawing (kept, dated), where they
show, the power map, and the refusals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from places import services
from places.models import Activity, Interest, Membership, Power, PowerKind
from tests.factories import UserFactory
from tests.harness.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(name: str, place, **kwargs) -> str:
    return reverse(f"places:{name}", kwargs={"slug": place.slug, **kwargs})


def member_page(place, person) -> str:
    membership = Membership.objects.get(place=place, user=person)
    return url("member", place, membership_id=membership.pk)


# --- Interests -------------------------------------------------------------------------------


def test_a_member_declares_an_interest_and_it_shows_on_their_page(
    place, member, anonymous, client_for
):
    response = client_for(member).post(
        url("interest_declare", place),
        {
            "kind": "employment",
            "description": "Employed by Millbrook Council",
            "since": "2020-04-01",
        },
    )

    assert response.status_code == 302
    interest = Interest.objects.get(place=place, user=member)
    assert interest.kind == "employment"
    assert interest.since == date(2020, 4, 1)
    assert interest.withdrawn_at is None
    activity = Activity.objects.get(place=place, kind="interest", verb="declared")
    assert "Employed by Millbrook Council" in activity.summary
    page = anonymous.get(member_page(place, member)).content.decode()
    assert "Employed by Millbrook Council" in page
    assert "Since April 2020" in page
    assert member.email not in page


def test_withdrawing_keeps_the_interest_on_record_with_its_date(place, member, client_for):
    interest = services.interest_declare(
        place=place, user=member, kind="business", description="I run the café on Mill Lane"
    )

    response = client_for(member).post(url("interest_withdraw", place, interest_id=interest.pk))

    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.withdrawn_at is not None
    assert Interest.objects.filter(pk=interest.pk).exists()
    assert Activity.objects.filter(place=place, kind="interest", verb="withdrawn").count() == 1
    page = client_for(member).get(member_page(place, member)).content.decode()
    assert "Withdrawn interests (1)" in page
    assert "I run the café on Mill Lane" in page


def test_nobody_withdraws_someone_elses_interest(place, member, steward, resident, client_for):
    interest = services.interest_declare(
        place=place, user=member, kind="personal", description="My sister is a councillor"
    )

    by_steward = client_for(steward).post(url("interest_withdraw", place, interest_id=interest.pk))
    by_resident = client_for(resident).post(
        url("interest_withdraw", place, interest_id=interest.pk)
    )

    assert by_steward.status_code == by_resident.status_code == 404
    interest.refresh_from_db()
    assert interest.withdrawn_at is None
    with pytest.raises(services.ServiceError):
        services.interest_withdraw(interest=interest, user=steward)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"kind": "", "description": "x"}, "Choose what kind of interest it is."),
        ({"kind": "bribery", "description": "x"}, "Select a valid choice"),
        ({"kind": "personal", "description": ""}, "Describe the interest."),
        ({"kind": "personal", "description": "x" * 501}, "at most 500 characters"),
        ({"kind": "personal", "description": "x", "since": "31/02/2020"}, "Enter a real date"),
        ({"kind": "personal", "description": "x", "since": "2999-01-01"}, "today or in the past"),
    ],
)
def test_bad_interest_input_is_a_400_that_keeps_the_form(place, member, client_for, data, error):
    response = client_for(member).post(url("interest_declare", place), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    if data.get("since"):
        assert data["since"] in body
    assert not Interest.objects.exists()


def test_only_members_declare(place, private_place, outsider, client_for):
    data = {"kind": "personal", "description": "x"}

    assert client_for(outsider).post(url("interest_declare", place), data).status_code == 403
    assert (
        client_for(outsider).post(url("interest_declare", private_place), data).status_code == 404
    )
    assert not Interest.objects.exists()


# --- Power ------------------------------------------------------------------------------------


def test_a_commissioner_records_a_budget_and_it_appears_on_the_power_map(
    place, steward, anonymous, client_for
):
    response = client_for(steward).post(
        url("power_declare", place),
        {"kind": "budget", "description": "Prevention budget", "amount": "£1,200,000"},
    )

    assert response.status_code == 302
    power = Power.objects.get(place=place, user=steward)
    assert power.amount == Decimal("1200000")
    assert Activity.objects.get(place=place, kind="power").summary.startswith(
        "Stevie Steward recorded a budget controlled of £1,200,000"
    )
    page = anonymous.get(url("power_map", place)).content.decode()
    assert "Prevention budget" in page
    assert "£1,200,000" in page
    assert "Rhiannon Resident" in page  # residents' lived expertise beside the power


def test_a_budget_needs_its_size_and_other_powers_drop_an_amount(place, member, client_for):
    missing = client_for(member).post(
        url("power_declare", place), {"kind": "budget", "description": "Youth budget"}
    )
    negative = client_for(member).post(
        url("power_declare", place),
        {"kind": "budget", "description": "Youth budget", "amount": "-5"},
    )
    words = client_for(member).post(
        url("power_declare", place),
        {"kind": "budget", "description": "Youth budget", "amount": "lots"},
    )
    duty = client_for(member).post(
        url("power_declare", place),
        {"kind": "duty", "description": "Safeguarding lead", "amount": "100"},
    )

    assert missing.status_code == negative.status_code == words.status_code == 400
    assert "Give the size of the budget" in missing.content.decode()
    assert "cannot be negative" in negative.content.decode()
    assert "Enter the amount as a number" in words.content.decode()
    assert duty.status_code == 302
    assert Power.objects.get().amount is None
    with pytest.raises(services.ServiceError):
        services.power_declare(place=place, user=member, kind=PowerKind.BUDGET, description="x")


def test_power_no_longer_held_leaves_the_map_but_stays_on_the_members_page(
    place, member, anonymous, client_for
):
    power = services.power_declare(
        place=place, user=member, kind="board_seat", description="Seat on the safeguarding board"
    )

    client_for(member).post(url("power_withdraw", place, power_id=power.pk))

    power.refresh_from_db()
    assert power.withdrawn_at is not None
    assert (
        "Seat on the safeguarding board"
        not in anonymous.get(url("power_map", place)).content.decode()
    )
    assert "No longer held (1)" in anonymous.get(member_page(place, member)).content.decode()


def test_power_held_by_someone_who_left_is_not_on_the_map(place, member, anonymous):
    services.power_declare(place=place, user=member, kind="duty", description="Care Act duty")
    services.membership_leave(membership=Membership.objects.get(place=place, user=member))

    assert "Care Act duty" not in anonymous.get(url("power_map", place)).content.decode()
    assert Power.objects.filter(description="Care Act duty").exists()


def test_the_power_map_of_a_members_only_place_is_for_its_members(
    private_place, member, outsider, anonymous, client_for
):
    assert client_for(member).get(url("power_map", private_place)).status_code == 200
    assert client_for(outsider).get(url("power_map", private_place)).status_code == 404
    assert anonymous.get(url("power_map", private_place)).status_code == 404


def test_the_power_map_query_count_does_not_grow(place, anonymous):
    def add(n: int) -> None:
        for i in range(n):
            person = UserFactory()
            Membership.objects.create(place=place, user=person, perspectives=["commissioner"])
            services.power_declare(
                place=place,
                user=person,
                kind="budget",
                description=f"Budget {i}",
                amount=Decimal(i),
            )

    assert_constant_queries(anonymous, url("power_map", place), add)


def test_the_member_page_shows_the_history_of_the_register(place, member, anonymous):
    old = services.interest_declare(
        place=place, user=member, kind="funding", description="Old grant"
    )
    Interest.objects.filter(pk=old.pk).update(declared_at=timezone.now() - timedelta(days=400))
    services.interest_withdraw(interest=old, user=member)
    services.interest_declare(place=place, user=member, kind="funding", description="New grant")

    page = anonymous.get(member_page(place, member)).content.decode()

    assert page.index("New grant") < page.index("Withdrawn interests")
    assert page.index("Withdrawn interests") < page.index("Old grant")


def test_declared_interests_are_found_for_many_people_in_one_query(
    place, member, resident, django_assert_num_queries
):
    services.interest_declare(place=place, user=member, kind="funding", description="A grant")
    gone = services.interest_declare(place=place, user=member, kind="business", description="Old")
    services.interest_withdraw(interest=gone, user=member)

    with django_assert_num_queries(1):
        found = services.declared_interests(place, [member.pk, resident.pk])

    assert [i.description for i in found[member.pk]] == ["A grant"]
    assert found[resident.pk] == []
