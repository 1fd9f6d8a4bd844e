"""Care for the space: house rules, flags, the stewards' queue, hiding in the open, privacy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from places.flags import (
    OTHER_RULE,
    content_hide,
    content_unhide,
    house_rule_choices,
    house_rules_text,
)
from places.models import (
    DEFAULT_HOUSE_RULES,
    Activity,
    Flag,
    FlagStatus,
    Hiding,
    HidingAction,
    OutboxMessage,
    Visibility,
)
from places.registry import registry
from tests.places.gathering_helpers import arrange

pytestmark = pytest.mark.django_db


def u(name: str, place, **kwargs) -> str:
    return reverse(f"places:{name}", kwargs={"slug": place.slug, **kwargs})


def flag_url(gathering) -> str:
    return u("flag_new", gathering.place, kind="gathering", object_id=gathering.pk)


@pytest.fixture
def gathering(place, member):
    return arrange(place, member, title="Tea ZZRUDE at the library")


@pytest.fixture
def flag(client_for, gathering, resident):
    rules = house_rule_choices(gathering.place)
    client_for(resident).post(
        flag_url(gathering), {"house_rule": rules[1], "reason": "It mocks people on benefits."}
    )
    return Flag.objects.get()


# --- House rules -------------------------------------------------------------------------------


def test_the_default_house_rules_give_a_choice_per_rule(place):
    place.house_rules = ""
    assert house_rules_text(place) == DEFAULT_HOUSE_RULES
    choices = house_rule_choices(place)
    assert len(choices) == 6
    assert choices[0] == "Speak from where you stand."
    assert "**" not in "".join(choices)
    assert choices[-1] == OTHER_RULE


def test_a_place_without_rules_shows_the_platform_default(client_for, place):
    place.house_rules = ""
    place.save()
    body = client_for(None).get(u("house_rules", place)).content.decode()
    assert "Speak from where you stand." in body
    assert "platform’s starting rules" in body


def test_a_steward_changes_the_house_rules(client_for, place, steward, member):
    text = "1. Be kind.\n2. No adverts."
    assert (
        client_for(member).post(u("house_rules_edit", place), {"house_rules": text}).status_code
        == 403
    )
    response = client_for(steward).post(u("house_rules_edit", place), {"house_rules": text})

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.house_rules == text
    assert house_rule_choices(place) == ["Be kind.", "No adverts.", OTHER_RULE]
    assert Activity.objects.filter(kind="care", verb="house_rules_changed").exists()
    too_long = client_for(steward).post(u("house_rules_edit", place), {"house_rules": "x" * 20_001})
    assert too_long.status_code == 400


def test_the_house_rules_of_a_members_only_place_are_private(
    client_for, private_place, outsider, member
):
    assert client_for(None).get(u("house_rules", private_place)).status_code == 404
    assert client_for(outsider).get(u("house_rules", private_place)).status_code == 404
    assert client_for(member).get(u("house_rules", private_place)).status_code == 200


def test_the_privacy_notice_is_public_and_plain(client_for):
    response = client_for(None).get(reverse("privacy"))
    body = response.content.decode()
    assert response.status_code == 200
    for words in [
        "lawful basis",
        "Your rights",
        "Information Commissioner",
        "to be filled in by the operator",
    ]:
        assert words in body


# --- Flagging ----------------------------------------------------------------------------------


def test_a_member_flags_a_gathering_with_a_reason_and_a_rule(client_for, gathering, resident):
    client = client_for(resident)
    form = client.get(flag_url(gathering))
    rule = house_rule_choices(gathering.place)[1]

    response = client.post(flag_url(gathering), {"house_rule": rule, "reason": "Mocking people."})
    again = client.post(flag_url(gathering), {"house_rule": rule, "reason": "Still there."})

    assert form.status_code == 200 and "Be kind and be curious." in form.content.decode()
    assert response.status_code == 302 and again.status_code == 302
    flag = Flag.objects.get()  # the second flag from the same person changed nothing
    assert (flag.kind, flag.object_id, flag.flagged_by) == ("gathering", gathering.pk, resident)
    assert flag.house_rule == rule and flag.reason == "Mocking people."
    assert "ZZRUDE" in flag.excerpt
    assert flag.status == FlagStatus.OPEN


def test_a_flag_needs_a_reason_and_a_real_rule(client_for, gathering, resident):
    client = client_for(resident)
    no_reason = client.post(flag_url(gathering), {"house_rule": OTHER_RULE, "reason": ""})
    made_up_rule = client.post(flag_url(gathering), {"house_rule": "Rule 99", "reason": "x"})
    assert no_reason.status_code == 400 and "Say what the problem is." in no_reason.content.decode()
    assert made_up_rule.status_code == 400
    assert not Flag.objects.exists()


@pytest.mark.parametrize(
    ("kind", "object_id"),
    [("gathering", 999_999), ("spaceship", 1)],
    ids=["unknown id", "unknown kind"],
)
def test_flagging_something_that_is_not_there_is_a_404(
    client_for, place, gathering, resident, kind, object_id
):
    response = client_for(resident).get(u("flag_new", place, kind=kind, object_id=object_id))
    assert response.status_code == 404


def test_a_gathering_of_another_place_cannot_be_flagged_here(
    client_for, place, private_place, member
):
    elsewhere = arrange(private_place, member)
    response = client_for(member).get(
        u("flag_new", place, kind="gathering", object_id=elsewhere.pk)
    )
    assert response.status_code == 404


def test_only_members_flag(client_for, gathering, outsider, private_place, member):
    assert client_for(outsider).post(flag_url(gathering), {"reason": "x"}).status_code == 403
    assert client_for(None).post(flag_url(gathering), {"reason": "x"}).status_code == 302
    private = arrange(private_place, member)
    assert client_for(outsider).get(flag_url(private)).status_code == 404
    assert not Flag.objects.exists()


# --- The stewards' queue and hiding ------------------------------------------------------------


def test_only_stewards_see_the_queue(client_for, place, flag, steward, member, outsider):
    assert client_for(member).get(u("flags", place)).status_code == 403
    assert client_for(outsider).get(u("flags", place)).status_code == 403
    assert client_for(None).get(u("flags", place)).status_code == 302
    body = client_for(steward).get(u("flags", place)).content.decode()
    assert "It mocks people on benefits." not in body  # the reason is on the flag's own page
    assert "ZZRUDE" in body
    detail = client_for(steward).get(u("flag", place, pk=flag.pk)).content.decode()
    assert "It mocks people on benefits." in detail


def test_a_steward_hides_a_contribution_in_the_open(
    client_for, place, gathering, flag, steward, member, outbox
):
    response = client_for(steward).post(
        u("flag_hide", place, pk=flag.pk), {"reason": "it mocks people, which breaks rule 2"}
    )

    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.is_hidden and gathering.hidden_by == steward
    assert gathering.hidden_reason == "it mocks people, which breaks rule 2"
    flag.refresh_from_db()
    assert flag.status == FlagStatus.HIDDEN and flag.resolved_by == steward
    hiding = Hiding.objects.get()
    assert (hiding.action, hiding.kind, hiding.object_id, hiding.flag) == (
        HidingAction.HIDDEN, "gathering", gathering.pk, flag,
    )  # fmt: skip
    # Its author is told, with the reason.
    message = outbox.last(to=member.email)
    assert "hid your gathering" in message.subject
    assert "it mocks people, which breaks rule 2" in message.body
    assert Activity.objects.get(kind="care", verb="hid").visibility == Visibility.MEMBERS
    # Its place says so, to everyone, and no longer shows its words.
    page = client_for(None).get(gathering.get_absolute_url()).content.decode()
    assert "Hidden by a steward because" in page and "it mocks people, which breaks rule 2" in page
    assert "ZZRUDE" not in page
    listing = client_for(None).get(u("gatherings", place)).content.decode()
    assert "ZZRUDE" not in listing and "Hidden by a steward" in listing
    assert "ZZRUDE" not in client_for(None).get(u("home", place)).content.decode()


def test_hiding_needs_a_reason(client_for, place, gathering, flag, steward):
    response = client_for(steward).post(u("flag_hide", place, pk=flag.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "Give the reason everyone will see." in response.content.decode()
    gathering.refresh_from_db()
    assert not gathering.is_hidden
    assert not Hiding.objects.exists()


def test_members_cannot_hide(client_for, place, gathering, flag, member):
    response = client_for(member).post(u("flag_hide", place, pk=flag.pk), {"reason": "mine"})
    assert response.status_code == 403
    gathering.refresh_from_db()
    assert not gathering.is_hidden


def test_dismissing_a_flag_leaves_the_contribution(
    client_for, place, gathering, flag, steward, outbox
):
    response = client_for(steward).post(
        u("flag_dismiss", place, pk=flag.pk), {"note": "It is fine."}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.resolution_note == "It is fine."
    gathering.refresh_from_db()
    assert not gathering.is_hidden
    assert outbox.count() == 0


def test_hiding_is_reversible_and_the_history_stays(
    client_for, place, gathering, steward, member, outbox
):
    kind = registry.flaggable("gathering")
    content_hide(kind=kind, obj=gathering, by=steward, reason="off topic")
    client = client_for(steward)

    form = client.get(u("content_unhide", place, kind="gathering", object_id=gathering.pk))
    response = client.post(
        u("content_unhide", place, kind="gathering", object_id=gathering.pk),
        {"reason": "The organiser explained."},
    )

    assert form.status_code == 200 and response.status_code == 302
    gathering.refresh_from_db()
    assert not gathering.is_hidden and gathering.hidden_reason == ""
    assert list(Hiding.objects.order_by("created_at", "id").values_list("action", flat=True)) == [
        HidingAction.HIDDEN,
        HidingAction.UNHIDDEN,
    ]
    assert "shown again" in outbox.last(to=member.email).subject
    assert "ZZRUDE" in client_for(None).get(gathering.get_absolute_url()).content.decode()
    # Showing what is not hidden is refused, and changes nothing.
    with pytest.raises(ValueError):
        content_unhide(kind=kind, obj=gathering, by=steward)
    assert Hiding.objects.count() == 2
    assert OutboxMessage.objects.filter(to__contains=[member.email]).count() == 2


def test_members_cannot_unhide(client_for, place, gathering, steward, member):
    content_hide(kind=registry.flaggable("gathering"), obj=gathering, by=steward, reason="x")
    url = u("content_unhide", place, kind="gathering", object_id=gathering.pk)
    assert client_for(member).post(url).status_code == 403
    gathering.refresh_from_db()
    assert gathering.is_hidden


# --- Who may do what, on public and members-only places ----------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "steward"])
@pytest.mark.parametrize("public", [True, False], ids=["public", "members-only"])
def test_who_may_read_the_rules_flag_and_moderate(
    request, client_for, who, public, place, private_place, resident
):
    target = place if public else private_place
    gathering = arrange(target, resident, title="Tea ZZRUDE")
    person = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(person)
    flagged = Flag.objects.create(
        place=target, kind="gathering", object_id=gathering.pk, reason="x", house_rule="y"
    )

    statuses = {
        "rules": client.get(u("house_rules", target)).status_code,
        "edit rules": client.get(u("house_rules_edit", target)).status_code,
        "flag": client.get(flag_url(gathering)).status_code,
        "queue": client.get(u("flags", target)).status_code,
        "a flag": client.get(u("flag", target, pk=flagged.pk)).status_code,
        "hide": client.post(u("flag_hide", target, pk=flagged.pk), {"reason": "no"}).status_code,
    }

    hidden = {"rules": 404, "edit rules": 404, "flag": 404, "queue": 404, "a flag": 404}
    if who == "anonymous":
        expected = {**dict.fromkeys(statuses, 302), "rules": 200 if public else 404}
    elif who == "outsider":
        expected = (
            {"rules": 200, "edit rules": 403, "flag": 403, "queue": 403, "a flag": 403, "hide": 403}
            if public
            else {**hidden, "hide": 404}
        )
    elif who == "member":
        expected = {"rules": 200, "edit rules": 403, "flag": 200, "queue": 403, "a flag": 403}
        expected["hide"] = 403
    else:
        expected = {"rules": 200, "edit rules": 200, "flag": 200, "queue": 200, "a flag": 200}
        expected["hide"] = 302
    assert statuses == expected
    gathering.refresh_from_db()
    assert gathering.is_hidden == (who == "steward")
