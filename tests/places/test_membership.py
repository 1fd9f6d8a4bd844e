"""Joining, asking to join, leaving, roles and removal; the whole-system picture; the member
directory. Each checks saved state, activity rows, emails and refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from places import services
from places.models import (
    Activity,
    Interest,
    JoinPolicy,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Perspective,
    Place,
    Role,
)
from tests.factories import UserFactory
from tests.harness.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(name: str, place: Place, **kwargs: object) -> str:
    return reverse(f"places:{name}", kwargs={"slug": place.slug, **kwargs})


def membership(place: Place, person: object) -> Membership:
    return Membership.objects.get(place=place, user=person)


# --- Joining an open place ---------------------------------------------------------------------


def test_anyone_signed_in_joins_an_open_place_with_their_perspectives(place, outsider, client_for):
    place.join_policy = JoinPolicy.OPEN
    place.save()

    response = client_for(outsider).post(url("join", place), {"perspectives": ["vcs", "resident"]})

    assert response.status_code == 302
    joined = membership(place, outsider)
    assert joined.role == Role.MEMBER
    assert joined.perspectives == ["resident", "vcs"]  # in the platform's order
    activity = Activity.objects.get(place=place, kind="member", verb="joined", actor=outsider)
    assert activity.perspectives == ["resident", "vcs"]
    assert "Olu Outsider joined as resident or citizen and voluntary" in activity.summary


def test_joining_needs_a_perspective_and_keeps_the_form(place, outsider, client_for):
    place.join_policy = JoinPolicy.OPEN
    place.save()

    response = client_for(outsider).post(url("join", place), {"perspectives": []})

    assert response.status_code == 400
    assert "Choose at least one perspective." in response.content.decode()
    assert not Membership.objects.filter(place=place, user=outsider).exists()


def test_a_members_only_place_cannot_be_joined_or_even_found_by_outsiders(
    private_place, outsider, client_for
):
    response = client_for(outsider).post(url("join", private_place), {"perspectives": ["resident"]})

    assert response.status_code == 404
    assert not Membership.objects.filter(place=private_place, user=outsider).exists()


def test_an_invitation_only_place_refuses_a_direct_join(place, outsider, client_for):
    place.join_policy = JoinPolicy.INVITATION
    place.save()

    page = client_for(outsider).get(url("join", place))
    response = client_for(outsider).post(url("join", place), {"perspectives": ["resident"]})

    assert "People join this place by invitation" in page.content.decode()
    assert response.status_code == 403
    assert not Membership.objects.filter(place=place, user=outsider).exists()


def test_the_service_refuses_a_second_membership(place, member):
    place.join_policy = JoinPolicy.OPEN
    place.save()

    with pytest.raises(services.ServiceError, match="already a member"):
        services.membership_join(place=place, user=member, perspectives=["resident"])


# --- Asking to join --------------------------------------------------------------------------


def test_asking_to_join_emails_every_steward(place, steward, outsider, outbox, client_for):
    second = UserFactory(display_name="Sol Second")
    Membership.objects.create(place=place, user=second, perspectives=["manager"], role=Role.STEWARD)

    response = client_for(outsider).post(
        url("join", place), {"perspectives": ["resident"], "message": "I live on Mill Lane."}
    )

    assert response.status_code == 302
    request = JoinRequest.objects.get(place=place, user=outsider)
    assert request.status == JoinRequestStatus.PENDING
    assert request.message == "I live on Mill Lane."
    assert not Membership.objects.filter(place=place, user=outsider).exists()
    for person in (steward, second):
        mail = outbox.last(to=person.email)
        assert mail.subject == "Olu Outsider asks to join Millbrook"
        assert "I live on Mill Lane." in mail.body
        assert outsider.email not in mail.body
        assert url("requests", place) in mail.body
    # Asking twice is refused, politely.
    again = client_for(outsider).post(url("join", place), {"perspectives": ["resident"]})
    assert again.status_code == 403
    assert JoinRequest.objects.filter(place=place, user=outsider).count() == 1


def test_a_steward_approves_a_request_and_the_person_is_told(
    place, steward, outsider, outbox, client_for
):
    request = services.join_request_create(place=place, user=outsider, perspectives=["resident"])

    response = client_for(steward).post(
        url("request_decide", place, request_id=request.pk), {"decision": "approve"}
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.APPROVED
    assert request.decided_by == steward
    assert membership(place, outsider).perspectives == ["resident"]
    assert Activity.objects.filter(place=place, verb="joined", actor=outsider).count() == 1
    assert outbox.last(to=outsider.email).subject == "Welcome to Millbrook"


def test_a_steward_declines_with_a_note_that_reaches_the_person(
    place, steward, outsider, outbox, client_for
):
    request = services.join_request_create(place=place, user=outsider, perspectives=["resident"])

    client_for(steward).post(
        url("request_decide", place, request_id=request.pk),
        {"decision": "decline", "reason": "We are full until spring."},
    )

    request.refresh_from_db()
    assert request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(place=place, user=outsider).exists()
    mail = outbox.last(to=outsider.email)
    assert "not accepted" in mail.subject
    assert "We are full until spring." in mail.body


def test_a_request_cannot_be_answered_twice_or_from_another_place(
    place, private_place, steward, member, outsider, client_for
):
    request = services.join_request_create(place=place, user=outsider, perspectives=["resident"])
    services.join_request_decide(join_request=request, steward=steward, approve=False)

    again = client_for(steward).post(
        url("request_decide", place, request_id=request.pk), {"decision": "approve"}
    )
    foreign = client_for(steward).post(
        url("request_decide", private_place, request_id=request.pk), {"decision": "approve"}
    )
    as_member = client_for(member).post(
        url("request_decide", place, request_id=request.pk), {"decision": "approve"}
    )

    assert again.status_code == 400
    assert "already been answered" in again.content.decode()
    assert foreign.status_code == 404
    assert as_member.status_code == 403
    assert not Membership.objects.filter(place=place, user=outsider).exists()


def test_stewards_see_pending_requests(place, steward, outsider, client_for):
    services.join_request_create(
        place=place, user=outsider, perspectives=["resident"], message="Hello from Mill Lane"
    )

    body = client_for(steward).get(url("requests", place)).content.decode()

    assert "Olu Outsider" in body and "Hello from Mill Lane" in body
    assert outsider.email not in body


# --- Leaving, roles, removal -------------------------------------------------------------------


def test_a_member_leaves_and_their_interests_stay_on_record(place, member, client_for):
    interest = services.interest_declare(
        place=place, user=member, kind="employment", description="Works for the council"
    )

    response = client_for(member).post(url("leave", place))

    assert response.status_code == 302
    assert not Membership.objects.filter(place=place, user=member).exists()
    assert Interest.objects.filter(pk=interest.pk).exists()
    assert Activity.objects.filter(place=place, verb="left", actor=member).count() == 1


def test_the_last_steward_cannot_leave_or_step_down(place, steward, member, client_for):
    as_steward = client_for(steward)
    own = membership(place, steward)

    leaving = as_steward.post(url("leave", place))
    stepping_down = as_steward.post(
        url("member_role", place, membership_id=own.pk), {"role": Role.MEMBER}
    )

    assert leaving.status_code == 409
    assert "only steward of Millbrook" in leaving.content.decode()
    assert stepping_down.status_code == 400
    assert "only steward" in stepping_down.content.decode()
    own.refresh_from_db()
    assert own.role == Role.STEWARD
    with pytest.raises(services.ServiceError):
        services.membership_leave(membership=own)


def test_a_steward_makes_a_member_a_steward_and_then_may_step_down(
    place, steward, member, client_for
):
    as_steward = client_for(steward)
    theirs = membership(place, member)

    promoted = as_steward.post(
        url("member_role", place, membership_id=theirs.pk), {"role": Role.STEWARD}
    )
    own = membership(place, steward)
    stepped_down = as_steward.post(
        url("member_role", place, membership_id=own.pk), {"role": Role.MEMBER}
    )

    assert promoted.status_code == stepped_down.status_code == 302
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert theirs.role == Role.STEWARD
    assert own.role == Role.MEMBER
    summaries = list(
        Activity.objects.filter(place=place, verb="role_changed").values_list("summary", flat=True)
    )
    assert "Mo Member is now a steward" in summaries
    assert "Stevie Steward is no longer a steward" in summaries


def test_roles_are_for_stewards_to_change_and_ids_must_belong_to_the_place(
    place, private_place, steward, member, resident, client_for
):
    theirs = membership(place, resident)
    in_private = membership(private_place, resident)

    by_member = client_for(member).post(
        url("member_role", place, membership_id=theirs.pk), {"role": Role.STEWARD}
    )
    forged = client_for(steward).post(
        url("member_role", place, membership_id=in_private.pk), {"role": Role.STEWARD}
    )
    unknown = client_for(steward).post(
        url("member_role", place, membership_id=999999), {"role": Role.STEWARD}
    )
    wrong_role = client_for(steward).post(
        url("member_role", place, membership_id=theirs.pk), {"role": "overlord"}
    )

    assert by_member.status_code == 403
    assert forged.status_code == 404
    assert unknown.status_code == 404
    assert wrong_role.status_code == 400
    theirs.refresh_from_db()
    in_private.refresh_from_db()
    assert theirs.role == in_private.role == Role.MEMBER


def test_a_steward_removes_a_member_who_is_told_why(place, steward, member, outbox, client_for):
    theirs = membership(place, member)

    response = client_for(steward).post(
        url("member_remove", place, membership_id=theirs.pk),
        {"reason": "Repeatedly broke the house rules."},
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=theirs.pk).exists()
    mail = outbox.last(to=member.email)
    assert "no longer a member of Millbrook" in mail.subject
    assert "Repeatedly broke the house rules." in mail.body
    removed = Activity.objects.get(place=place, verb="removed")
    assert removed.visibility == "members"


def test_a_member_changes_their_own_perspectives(place, member, client_for):
    response = client_for(member).post(
        url("my_perspectives", place), {"perspectives": ["manager", "frontline"]}
    )

    assert response.status_code == 302
    assert membership(place, member).perspectives == ["frontline", "manager"]
    assert Activity.objects.filter(place=place, verb="perspectives_changed").count() == 1


# --- Whole system ----------------------------------------------------------------------------


def test_the_whole_system_counts_each_perspective_and_names_the_missing_ones(place, member):
    Membership.objects.filter(place=place, user=member).update(
        perspectives=["frontline", "resident"]
    )

    picture = services.whole_system(place)

    counts = {row.perspective: row.count for row in picture.rows}
    assert picture.total_members == 3
    assert counts["resident"] == 2
    assert counts["frontline"] == 1
    assert counts["commissioner"] == 1
    assert [row.perspective for row in picture.rows] == list(Perspective.values)
    assert {row.perspective for row in picture.missing} == {
        "manager", "senior_leader", "centre", "vcs", "elected_member", "researcher",
    }  # fmt: skip
    largest = next(row for row in picture.rows if row.perspective == "resident")
    assert largest.bar == picture.BAR_MAX
    assert largest.percent == 67


def test_stewards_are_prompted_to_invite_the_missing_perspectives(
    place, steward, member, client_for
):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    def render_for(person: object) -> str:
        request = RequestFactory().get("/")
        request.user = person
        return render_to_string(
            "places/_whole_system.html",
            {"whole_system": services.whole_system(place), "place": place, "user": person},
            request=request,
        )

    for_steward = render_for(steward)
    for_member = render_for(member)

    invite = url("invite", place)
    assert invite in for_steward and invite not in for_member
    assert "Nobody yet" in for_member  # missing is said in words, not only by colour
    assert "<table" in for_member and "Missing" in for_member
    assert "style=" not in for_member


# --- Directory ---------------------------------------------------------------------------------


def test_the_directory_shows_perspectives_and_interests_but_never_emails(
    place, member, resident, anonymous
):
    services.interest_declare(
        place=place, user=member, kind="funding", description="Grant from the ICB"
    )
    withdrawn = services.interest_declare(
        place=place, user=member, kind="business", description="Old café"
    )
    services.interest_withdraw(interest=withdrawn, user=member)

    body = anonymous.get(url("directory", place)).content.decode()

    assert "Mo Member" in body and "Frontline practitioner" in body
    assert "Grant from the ICB" in body
    assert "Old café" not in body
    for person in Membership.objects.filter(place=place).select_related("user"):
        assert person.user.email not in body


def test_the_directory_filters_by_perspective_without_javascript(place, anonymous):
    body = anonymous.get(url("directory", place), {"perspective": "resident"}).content.decode()
    unknown = anonymous.get(url("directory", place), {"perspective": "wizard", "page": "x"})

    assert "Rhiannon Resident" in body
    assert "Mo Member" not in body
    assert unknown.status_code == 200
    assert "Mo Member" in unknown.content.decode()


def test_the_directory_answers_htmx_with_just_the_results(place, anonymous):
    response = anonymous.get(
        url("directory", place), {"perspective": "frontline"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="directory-results">')
    assert "Mo Member" in body and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_the_directory_pages_by_25(place, anonymous):
    for n in range(30):
        Membership.objects.create(
            place=place,
            user=UserFactory(display_name=f"Person {n:02d}"),
            perspectives=["resident"],
        )

    first = anonymous.get(url("directory", place)).content.decode()
    second = anonymous.get(url("directory", place), {"page": 2}).content.decode()

    assert "33 members" in first
    assert first.count('<tr class="govuk-table__row">') == 26  # header row + 25
    assert second.count('<tr class="govuk-table__row">') == 9


def test_the_directory_of_a_private_place_is_hidden_from_outsiders(
    private_place, outsider, anonymous, client_for
):
    assert client_for(outsider).get(url("directory", private_place)).status_code == 404
    assert anonymous.get(url("directory", private_place)).status_code == 404


def test_the_directory_query_count_does_not_grow_with_members(place, member, client_for):
    def add_members(n: int) -> None:
        for _ in range(n):
            person = UserFactory()
            Membership.objects.create(place=place, user=person, perspectives=["resident"])
            services.interest_declare(
                place=place, user=person, kind="employment", description="Works locally"
            )

    assert_constant_queries(client_for(member), url("directory", place), add_members)
