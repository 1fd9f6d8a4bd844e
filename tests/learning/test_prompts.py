"""Reflection prompts: periods, 08:00 in each person's time zone, once per period, and the
emailed answer link (signed, expiring, single use, and it signs nobody in)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import (
    CycleParticipant,
    Entry,
    EntryKind,
    LearningCycle,
    PromptDelivery,
    PromptQuestion,
)
from learning.periods import current_due_period, period_for
from learning.tasks import send_due_prompts
from places.models import Notification, OutboxMessage
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


# --- Periods (no database) ----------------------------------------------------------------------


def test_weekly_periods_are_iso_weeks() -> None:
    began = date(2026, 1, 7)
    assert period_for("weekly", date(2026, 1, 5), testing_began=began).key == "2026-W02"
    assert period_for("weekly", date(2026, 1, 11), testing_began=began).key == "2026-W02"
    assert period_for("weekly", date(2026, 1, 12), testing_began=began).key == "2026-W03"
    # ISO years: 1 January 2027 is in week 53 of 2026.
    assert period_for("weekly", date(2027, 1, 1), testing_began=began).key == "2026-W53"


def test_fortnightly_periods_count_pairs_of_weeks_from_the_day_testing_began() -> None:
    began = date(2026, 3, 4)  # a Wednesday
    keys = [
        period_for("fortnightly", began + timedelta(days=d), testing_began=began).key
        for d in (0, 13, 14, 27, 28)
    ]
    assert keys == ["F-0", "F-0", "F-1", "F-1", "F-2"]
    assert period_for("fortnightly", date(2026, 3, 3), testing_began=began) is None


def test_monthly_periods_are_calendar_months() -> None:
    began = date(2026, 1, 31)
    period = period_for("monthly", date(2026, 2, 14), testing_began=began)
    assert (period.key, period.start, period.end) == (
        "2026-02",
        date(2026, 2, 1),
        date(2026, 2, 28),
    )


def test_a_prompt_falls_due_at_eight_in_the_morning_local_time() -> None:
    began = at(LONDON, 2026, 3, 2, 10, 0)  # a Monday, after 08:00
    # The same day: its 08:00 had passed before testing began, so the first prompt is Tuesday's.
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 2, 23, 0),
            tz_name="Europe/London",
            testing_started_at=began,
        )
        is None
    )
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 3, 7, 59),
            tz_name="Europe/London",
            testing_started_at=began,
        )
        is None
    )
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 3, 8, 0),
            tz_name="Europe/London",
            testing_started_at=began,
        ).key
        == "2026-W10"
    )
    # The next week: due from Monday 08:00.
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 9, 7, 30),
            tz_name="Europe/London",
            testing_started_at=began,
        )
        is None
    )
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 9, 8, 5),
            tz_name="Europe/London",
            testing_started_at=began,
        ).key
        == "2026-W11"
    )


def test_someone_in_another_time_zone_gets_theirs_at_their_own_eight() -> None:
    began = at(UTC, 2026, 3, 1, 12, 0)
    tokyo_eight = at(ZoneInfo("Asia/Tokyo"), 2026, 3, 2, 8, 0)  # Sunday 23:00 UTC
    assert (
        current_due_period(
            "weekly", now=tokyo_eight, tz_name="Asia/Tokyo", testing_started_at=began
        ).key
        == "2026-W10"
    )
    # In London it is still Sunday night, and that week's last 08:00 came before testing began.
    assert (
        current_due_period(
            "weekly", now=tokyo_eight, tz_name="Europe/London", testing_started_at=began
        )
        is None
    )
    # An unknown time zone falls back to London rather than failing.
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 2, 8, 1),
            tz_name="Mars/Olympus",
            testing_started_at=began,
        ).key
        == "2026-W10"
    )


def test_a_period_whose_last_eight_oclock_is_gone_is_skipped() -> None:
    began = at(LONDON, 2026, 3, 8, 9, 0)  # Sunday 09:00: no 08:00 left in that ISO week
    assert (
        current_due_period(
            "weekly",
            now=at(LONDON, 2026, 3, 8, 20, 0),
            tz_name="Europe/London",
            testing_started_at=began,
        )
        is None
    )


# --- Delivery -----------------------------------------------------------------------------------


def _testing_since(cycle: LearningCycle, when: datetime) -> None:
    LearningCycle.objects.filter(pk=cycle.pk).update(testing_started_at=when)
    cycle.refresh_from_db()


def _due_now(cycle: LearningCycle) -> None:
    """Make the cycle's prompt due now whatever the time of day: fortnightly, testing since
    just after midnight a week ago (so the first 08:00 of this fortnight is behind us)."""
    midnight = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)
    LearningCycle.objects.filter(pk=cycle.pk).update(
        rhythm="fortnightly", testing_started_at=midnight - timedelta(days=7)
    )
    cycle.refresh_from_db()


@pytest.mark.django_db
def test_each_participant_gets_one_prompt_per_period_however_often_it_runs(
    cycle, participant, member
) -> None:
    CycleParticipant.objects.create(cycle=cycle, user=member)
    _testing_since(cycle, at(LONDON, 2026, 3, 2, 7, 0))
    now = at(LONDON, 2026, 3, 4, 9, 0)
    due = services.prompts_due(now=now)
    assert sorted(due) == sorted(
        [(cycle.pk, participant.pk, "2026-W10"), (cycle.pk, member.pk, "2026-W10")]
    )
    for _ in range(3):
        for cycle_id, user_id, key in due:
            services.prompt_deliver(cycle_id=cycle_id, user_id=user_id, period_key=key, now=now)
    assert PromptDelivery.objects.count() == 2
    assert OutboxMessage.objects.filter(key__startswith="prompt:").count() == 2
    assert services.prompts_due(now=now) == []
    # The next week brings the next prompt.
    assert len(services.prompts_due(now=now + timedelta(days=5))) == 2


@pytest.mark.django_db
def test_a_prompt_email_names_the_question_links_to_the_answer_and_can_be_stopped(
    cycle, participant, outbox
) -> None:
    _testing_since(cycle, at(LONDON, 2026, 3, 2, 7, 0))
    now = at(LONDON, 2026, 3, 2, 8, 1)
    delivery = services.prompt_deliver(
        cycle_id=cycle.pk, user_id=participant.pk, period_key="2026-W10", now=now
    )
    assert delivery is not None
    message = outbox.last(to=participant.email)
    assert message.kind == "prompt"
    assert delivery.question_text in message.body and delivery.question_text in message.html
    assert outbox.links(message, "/learning/prompts/")
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(recipient=participant, kind="prompt").exists()
    # One-click unsubscribe stops this cycle's prompts for this person.
    unsubscribe = message.headers["List-Unsubscribe"].strip("<>")
    from django.test import Client

    assert Client().post(unsubscribe.replace("http://127.0.0.1:8000", "")).status_code in (200, 204)
    assert CycleParticipant.objects.get(cycle=cycle, user=participant).prompts_paused
    assert services.prompts_due(now=now + timedelta(days=7)) == []


@pytest.mark.django_db
def test_no_prompts_while_framing_after_closing_or_with_no_rhythm(place, participant) -> None:
    from tests.learning.cast import make_cycle

    framing = make_cycle(place, participant, title="Framing", status="framing")
    silent = make_cycle(place, participant, title="Silent", rhythm="none")
    concluded = make_cycle(place, participant, title="Done", status="concluded")
    assert (
        framing.testing_started_at is None
        and silent.testing_started_at
        and concluded.testing_started_at
    )
    later = timezone.now() + timedelta(days=8)
    assert services.prompts_due(now=later) == []
    assert (
        services.prompt_deliver(
            cycle_id=concluded.pk, user_id=participant.pk, period_key="x", now=later
        )
        is None
    )


@pytest.mark.django_db
def test_a_stale_period_key_sends_nothing(cycle, participant) -> None:
    _testing_since(cycle, at(LONDON, 2026, 3, 2, 7, 0))
    assert (
        services.prompt_deliver(
            cycle_id=cycle.pk,
            user_id=participant.pk,
            period_key="2026-W09",
            now=at(LONDON, 2026, 3, 3, 9, 0),
        )
        is None
    )
    assert not PromptDelivery.objects.exists()


@pytest.mark.django_db
def test_someone_who_left_the_place_is_not_prompted(cycle, participant) -> None:
    _testing_since(cycle, at(LONDON, 2026, 3, 2, 7, 0))
    cycle.place.memberships.filter(user=participant).delete()
    assert services.prompts_due(now=at(LONDON, 2026, 3, 3, 9, 0)) == []


@pytest.mark.django_db
def test_the_beat_task_finds_due_prompts(
    cycle, participant, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    _due_now(cycle)
    queued = []
    monkeypatch.setattr("learning.tasks._publish", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_prompts() == 1
    assert queued and queued[0][:2] == (cycle.pk, participant.pk)


@pytest.mark.django_db
def test_stewards_add_questions_and_prompts_ask_them(client_for, cycle, steward, member) -> None:
    url = reverse("learning:prompt_questions", kwargs={"slug": cycle.place.slug})
    assert client_for(member).post(url, {"text": "Who did we leave out?"}).status_code == 403
    assert client_for(steward).post(url, {"text": ""}).status_code == 400
    assert client_for(steward).post(url, {"text": "Who did we leave out?"}).status_code == 302
    own = PromptQuestion.objects.get(place=cycle.place)
    PromptQuestion.objects.exclude(pk=own.pk).update(active=False)
    assert services.prompt_question_for(cycle, "2026-W10") == own
    toggle = reverse(
        "learning:prompt_question_toggle", kwargs={"slug": cycle.place.slug, "question_id": own.pk}
    )
    assert client_for(steward).post(toggle).status_code == 302
    own.refresh_from_db()
    assert own.active is False


# --- Answering ----------------------------------------------------------------------------------


@pytest.fixture
def delivery(cycle, participant) -> PromptDelivery:
    _due_now(cycle)
    due = services.prompts_due()
    assert len(due) == 1
    found = services.prompt_deliver(cycle_id=due[0][0], user_id=due[0][1], period_key=due[0][2])
    assert found is not None
    return found


def answer_path(delivery: PromptDelivery) -> str:
    return reverse("learning:prompt_answer", kwargs={"token": services.prompt_token(delivery)})


@pytest.mark.django_db
def test_the_emailed_link_answers_the_prompt_as_a_reflection_without_signing_in(
    anonymous, delivery, participant, outbox
) -> None:
    link = outbox.link(to=participant.email, contains="/learning/prompts/")
    path = link.replace("http://127.0.0.1:8000", "")
    page = anonymous.get(path)
    assert page.status_code == 200
    assert delivery.question_text in page.content.decode()
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]

    response = anonymous.post(
        path, {"body": "The kettle mattered more than the leaflet.", "visibility": "members"}
    )
    assert response.status_code == 200
    assert "Your reflection is in the timeline" in response.content.decode()
    entry = Entry.objects.get(prompt=delivery)
    assert (entry.kind, entry.author, entry.visibility) == (
        EntryKind.REFLECTION,
        participant,
        "members",
    )
    assert delivery.question_text in entry.body
    delivery.refresh_from_db()
    assert delivery.answered_at is not None
    # Nobody was signed in, and the link opens nothing else.
    assert SESSION_KEY not in anonymous.session
    assert (
        anonymous.get(
            reverse(
                "learning:entry_new",
                kwargs={"slug": delivery.cycle.place.slug, "pk": delivery.cycle_id},
            )
        ).status_code
        == 302
    )

    # A second use is refused, clearly.
    again = anonymous.post(path, {"body": "Again", "visibility": "members"})
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert Entry.objects.filter(prompt__isnull=False).count() == 1


@pytest.mark.django_db
def test_an_expired_link_is_refused(anonymous, delivery) -> None:
    PromptDelivery.objects.filter(pk=delivery.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = anonymous.post(answer_path(delivery), {"body": "Late", "visibility": "members"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Entry.objects.filter(body__contains="Late").exists()


@pytest.mark.django_db
def test_a_forged_or_altered_link_is_a_404(anonymous, delivery) -> None:
    token = services.prompt_token(delivery)
    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", ";", 1)):
        response = anonymous.get(reverse("learning:prompt_answer", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    # A link made for a row whose nonce changed no longer works.
    PromptDelivery.objects.filter(pk=delivery.pk).update(nonce="0" * 32)
    assert anonymous.get(answer_path(delivery)).status_code == 404


@pytest.mark.django_db
def test_a_prompt_for_a_concluded_cycle_cannot_be_answered(
    anonymous, delivery, participant
) -> None:
    services.cycle_move(cycle=delivery.cycle, by=participant, to="reflecting")
    services.cycle_move(
        cycle=delivery.cycle, by=participant, to="concluded", learned="a", differently="b"
    )
    response = anonymous.post(answer_path(delivery), {"body": "Too late", "visibility": "members"})
    assert response.status_code == 409
    assert "concluded" in response.content.decode()


@pytest.mark.django_db
def test_an_empty_answer_is_refused_and_the_link_still_works(anonymous, delivery) -> None:
    response = anonymous.post(answer_path(delivery), {"body": "   ", "visibility": "members"})
    assert response.status_code == 400
    assert "Write your answer" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.answered_at is None


@pytest.mark.django_db
def test_a_waiting_prompt_shows_on_the_cycle_page_and_is_answered_in_the_app(
    client_for, delivery, participant, member
) -> None:
    cycle = delivery.cycle
    page = client_for(participant).get(cycle.get_absolute_url()).content.decode()
    assert "A prompt is waiting" in page and delivery.question_text in page
    assert (
        "A prompt is waiting"
        not in client_for(member).get(cycle.get_absolute_url()).content.decode()
    )
    url = reverse(
        "learning:prompt_in_app",
        kwargs={"slug": cycle.place.slug, "pk": cycle.pk, "delivery_id": delivery.pk},
    )
    assert client_for(member).get(url).status_code == 404
    assert (
        client_for(participant)
        .post(url, {"body": "Noted.", "visibility": "participants"})
        .status_code
        == 200
    )
    assert Entry.objects.get(prompt=delivery).visibility == "participants"
    assert (
        "A prompt is waiting"
        not in client_for(participant).get(cycle.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_each_participant_of_several_gets_their_own_link(cycle, participant) -> None:
    others = UserFactory.create_batch(2)
    for person in others:
        cycle.place.memberships.create(user=person, perspectives=["resident"])
        CycleParticipant.objects.create(cycle=cycle, user=person)
    _due_now(cycle)
    for c, u, k in services.prompts_due():
        services.prompt_deliver(cycle_id=c, user_id=u, period_key=k)
    deliveries = list(PromptDelivery.objects.all())
    assert len(deliveries) == 3
    assert len({services.prompt_token(d) for d in deliveries}) == 3
    assert len({d.question_text for d in deliveries}) == 1  # the same question for the cycle
