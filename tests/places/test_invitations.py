"""Invitations by email: the task writes the email, the link is signed, single-use and
expiring, accepting asks for perspectives, the inviter is told, and every bad link gets a
clear page (404 or 410), never an error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from places import services
from places.models import Activity, Invitation, InvitationState, Membership, Role
from places.tasks import send_invitation, sweep_invitations
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(place, steward, email="newcomer@example.org", **kwargs) -> Invitation:
    return services.invitation_create(place=place, inviter=steward, email=email, **kwargs)


def sent(invitation: Invitation) -> Invitation:
    """Run the email task as a worker would, and return the fresh row."""
    send_invitation(invitation.pk)
    invitation.refresh_from_db()
    return invitation


def link_path(outbox, email="newcomer@example.org") -> str:
    link = outbox.link(to=email, contains="/places/invitations/")
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


# --- Sending -------------------------------------------------------------------------------


def test_a_steward_invites_by_email_and_the_task_is_queued_after_commit(
    place, steward, client_for, django_capture_on_commit_callbacks, outbox, monkeypatch
):
    queued: list[int] = []
    monkeypatch.setattr(services, "publish_invitation", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(steward).post(
            reverse("places:invite", kwargs={"slug": place.slug}),
            {"email": "Newcomer@Example.org", "message": "Come for tea", "role": Role.MEMBER},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get(place=place)
    assert invitation.email == "newcomer@example.org"
    assert invitation.invited_by == steward
    assert invitation.state == InvitationState.PENDING
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    assert queued == [invitation.pk]
    assert outbox.count(to="newcomer@example.org") == 0  # the task writes it, not the request
    activity = Activity.objects.get(place=place, verb="invited")
    assert activity.visibility == "members"
    assert "newcomer@example.org" not in activity.summary


def test_the_task_writes_the_email_once_with_a_working_link(place, steward, outbox):
    invitation = invite(place, steward, message="Come for tea on Thursday")

    assert send_invitation(invitation.pk) is True
    assert send_invitation(invitation.pk) is False  # a retry finds it sent

    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    mails = outbox.messages(to="newcomer@example.org")
    assert len(mails) == 1
    assert mails[0].subject == "Stevie Steward invites you to join Millbrook"
    assert "Come for tea on Thursday" in mails[0].body
    assert services.invitation_token(invitation) in mails[0].body


def test_the_sweeper_sends_invitations_whose_task_never_ran(place, steward, outbox):
    invitation = invite(place, steward)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )

    assert sweep_invitations() == 1
    assert sweep_invitations() == 0
    assert outbox.count(to="newcomer@example.org") == 1


def test_inviting_a_member_or_inviting_twice_is_refused_with_a_reason(
    place, steward, member, client_for
):
    invite(place, steward)
    as_steward = client_for(steward)
    page = reverse("places:invite", kwargs={"slug": place.slug})

    twice = as_steward.post(page, {"email": "newcomer@example.org", "role": "member"})
    existing = as_steward.post(page, {"email": member.email.upper(), "role": "member"})
    bad = as_steward.post(page, {"email": "not an email", "role": "member"})

    assert twice.status_code == existing.status_code == bad.status_code == 400
    assert "already has an invitation waiting" in twice.content.decode()
    assert "already a member" in existing.content.decode()
    assert "not an email" in bad.content.decode()  # what was typed is kept
    assert Invitation.objects.filter(place=place).count() == 1


def test_only_stewards_invite(place, private_place, member, outsider, client_for):
    data = {"email": "x@example.org", "role": "member"}

    assert (
        client_for(member)
        .post(reverse("places:invite", kwargs={"slug": place.slug}), data)
        .status_code
        == 403
    )
    assert (
        client_for(outsider)
        .post(reverse("places:invite", kwargs={"slug": private_place.slug}), data)
        .status_code
        == 404
    )
    assert not Invitation.objects.exists()


# --- Accepting ---------------------------------------------------------------------------------


def test_the_invitee_accepts_with_perspectives_and_the_inviter_is_told(
    place, steward, outbox, client_for
):
    sent(invite(place, steward))
    newcomer = UserFactory(email="newcomer@example.org", display_name="Nia Newcomer")
    path = link_path(outbox)

    page = client_for(newcomer).get(path)
    response = client_for(newcomer).post(path, {"perspectives": ["elected_member"]})

    assert page.status_code == 200
    assert "You are invited to join Millbrook" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == place.get_absolute_url()
    joined = Membership.objects.get(place=place, user=newcomer)
    assert joined.perspectives == ["elected_member"]
    assert joined.role == Role.MEMBER
    invitation = Invitation.objects.get(place=place)
    assert invitation.accepted_by == newcomer
    assert invitation.state == InvitationState.ACCEPTED
    told = outbox.last(to=steward.email)
    assert told.subject == "Nia Newcomer accepted your invitation to Millbrook"
    assert Activity.objects.filter(place=place, verb="joined", actor=newcomer).count() == 1


def test_an_invitation_as_steward_makes_a_steward(place, steward, outbox, client_for):
    sent(invite(place, steward, role=Role.STEWARD))
    newcomer = UserFactory()

    client_for(newcomer).post(link_path(outbox), {"perspectives": ["manager"]})

    assert Membership.objects.get(place=place, user=newcomer).role == Role.STEWARD


def test_an_invitation_opens_a_members_only_place_to_its_holder(
    private_place, steward, outbox, anonymous, client_for
):
    sent(invite(private_place, steward))
    newcomer = UserFactory()
    path = link_path(outbox)

    signed_out = anonymous.get(path)
    accepted = client_for(newcomer).post(path, {"perspectives": ["resident"]})
    home = client_for(newcomer).get(private_place.get_absolute_url())

    assert signed_out.status_code == 200
    assert reverse("account_login") in signed_out.content.decode()
    assert accepted.status_code == 302
    assert home.status_code == 200


def test_accepting_needs_a_perspective_and_a_signed_in_person(
    place, steward, outbox, anonymous, client_for
):
    sent(invite(place, steward))
    path = link_path(outbox)
    newcomer = UserFactory()

    missing = client_for(newcomer).post(path, {"perspectives": []})
    signed_out = anonymous.post(path, {"perspectives": ["resident"]})

    assert missing.status_code == 400
    assert "Choose at least one perspective." in missing.content.decode()
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(reverse("account_login"))
    assert Invitation.objects.get().accepted_at is None


# --- Bad links --------------------------------------------------------------------------------


def test_a_used_link_says_so_with_410(place, steward, outbox, client_for):
    sent(invite(place, steward))
    path = link_path(outbox)
    first, second = UserFactory(), UserFactory()
    client_for(first).post(path, {"perspectives": ["resident"]})

    again = client_for(second).post(path, {"perspectives": ["resident"]})
    looked_at = client_for(first).get(path)

    assert again.status_code == 410
    assert "This invitation has been used" in again.content.decode()
    assert not Membership.objects.filter(place=place, user=second).exists()
    assert looked_at.status_code == 410
    assert "You are a member of Millbrook" in looked_at.content.decode()


def test_an_expired_link_says_so_with_410(private_place, steward, outbox, client_for):
    invitation = sent(invite(private_place, steward))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    newcomer = UserFactory()

    response = client_for(newcomer).post(link_path(outbox), {"perspectives": ["resident"]})

    assert response.status_code == 410
    body = response.content.decode()
    assert "This invitation has expired" in body
    assert private_place.name not in body  # an old link does not reveal a members-only place
    assert not Membership.objects.filter(place=private_place, user=newcomer).exists()


def test_a_withdrawn_link_says_so_with_410(place, steward, outbox, client_for):
    invitation = sent(invite(place, steward))
    client_for(steward).post(
        reverse(
            "places:invitation_manage", kwargs={"slug": place.slug, "invitation_id": invitation.pk}
        ),
        {"action": "revoke"},
    )

    response = client_for(UserFactory()).get(link_path(outbox))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert response.status_code == 410
    assert "withdrew this invitation" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"i": 1, "n": "x"}, salt="someone-else"),
        signing.dumps([1, 2], salt=services.INVITATION_SALT),
        signing.dumps({"i": "1; drop table", "n": None}, salt=services.INVITATION_SALT),
        "x" * 400,
    ],
)
def test_a_forged_or_garbled_link_gets_a_clear_404(token, anonymous):
    response = anonymous.get(reverse("places:invitation", kwargs={"token": token}))

    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_a_tampered_link_for_a_real_invitation_is_refused(place, steward, outbox, anonymous):
    invitation = sent(invite(place, steward))
    token = services.invitation_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = anonymous.get(reverse("places:invitation", kwargs={"token": tampered}))

    assert response.status_code == 404


def test_sending_again_gives_a_new_link_and_the_old_one_stops_working(
    place, steward, outbox, client_for
):
    invitation = sent(invite(place, steward))
    old_path = link_path(outbox)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    client_for(steward).post(
        reverse(
            "places:invitation_manage", kwargs={"slug": place.slug, "invitation_id": invitation.pk}
        ),
        {"action": "resend"},
    )
    invitation = sent(invitation)
    new_path = link_path(outbox)

    assert new_path != old_path
    assert invitation.state == InvitationState.PENDING
    assert client_for(UserFactory()).get(old_path).status_code == 404
    assert client_for(UserFactory()).get(new_path).status_code == 200
    assert outbox.count(to="newcomer@example.org") == 2


def test_managing_an_invitation_of_another_place_is_a_404(
    place, private_place, steward, client_for
):
    invitation = invite(private_place, steward)

    response = client_for(steward).post(
        reverse(
            "places:invitation_manage", kwargs={"slug": place.slug, "invitation_id": invitation.pk}
        ),
        {"action": "revoke"},
    )

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
