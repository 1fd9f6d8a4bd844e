"""Demo gatherings for the demo place: one past (with notes and who came), one coming up, and
one that was rescheduled. Registered as a demo seeder by ``places.gatherings.register``.

Idempotent: a gathering with the same title in the place is left as it is. Everything goes
through the services, so the timeline, answers and sequence numbers are what real use makes;
the timeline rows are then dated to when each thing would have happened.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from relational.models import User

from .gatherings import (
    gathering_answer,
    gathering_arrange,
    gathering_record_notes,
    gathering_update,
)
from .models import RSVP, Activity, Answer, Gathering, GatheringKind, Membership, Place

DEMO_DOMAIN = "demo.relational.local"


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A time ``days`` from today (negative: in the past), in UK time."""
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _people(place: Place) -> dict[str, User]:
    """Members of the place by the part of their demo email before the @."""
    members = Membership.objects.filter(place=place, user__email__endswith=f"@{DEMO_DOMAIN}")
    return {m.user.email.split("@")[0]: m.user for m in members.select_related("user")}


def _date_activity(gathering: Gathering, verb: str, when: datetime) -> None:
    Activity.objects.filter(
        target_id=gathering.pk, kind="gathering", verb=verb, place=gathering.place
    ).update(created_at=when)


def _answer(gathering: Gathering, people: dict[str, User], answers: dict[str, str]) -> None:
    for name, answer in answers.items():
        if name in people:
            gathering_answer(gathering=gathering, user=people[name], answer=answer)


def seed_gatherings(place: Place, result: Any) -> None:
    people = _people(place)
    if "steward" not in people:
        return  # not the demo place
    existing = set(Gathering.objects.filter(place=place).values_list("title", flat=True))
    steward = people["steward"]
    organiser_frontline = people.get("frontline", steward)
    organiser_manager = people.get("rachel.dunn", steward)

    # 1. Six weeks ago: a tea and a chat, with notes and who came.
    title = "Tea and a chat: what would make the winter easier?"
    if title not in existing:
        starts = _at(-42, 14)
        past = gathering_arrange(
            place=place,
            organiser=steward,
            kind=GatheringKind.TEA,
            title=title,
            purpose="An unhurried afternoon for residents and the people who work with them to "
            "talk about last winter: heating, getting about, and feeling alone.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            location="Kirkby Vale Community Centre, Station Road (the back room, step-free)",
            agenda="Tea and introductions\nWhat was hard last winter\nWhat helped\n"
            "One thing we could try this year",
        )
        _date_activity(past, "arranged", starts - timedelta(days=12))
        # The gathering is over, so answers are written directly, as they were at the time.
        for name, answer in {
            "resident": Answer.GOING,
            "frontline": Answer.GOING,
            "shirley.barraclough": Answer.GOING,
            "aisha.begum": Answer.GOING,
            "commissioner": Answer.MAYBE,
            "gemma.shaw": Answer.GOING,
            "pete.gallagher": Answer.GOING,
            "bernard.lowe": Answer.NOT_GOING,
        }.items():
            if name in people:
                RSVP.objects.update_or_create(
                    gathering=past, user=people[name], defaults={"answer": answer}
                )
        came = [
            people[n]
            for n in (
                "steward",
                "resident",
                "frontline",
                "shirley.barraclough",
                "aisha.begum",
                "gemma.shaw",
                "pete.gallagher",
                "susan.thornton",
            )
            if n in people
        ]
        gathering_record_notes(
            gathering=past,
            by=steward,
            notes="Eleven of us, counting two grandchildren.\n\n"
            "What was hard: the price of heating the whole house for one person; the 4pm bus "
            "being the last one back from town; not knowing who to ring when the boiler went.\n\n"
            "What helped: the warm space at the library (but it closes at 5); neighbours "
            "checking in; Priya's team calling back the same day.\n\n"
            "We agreed to try keeping the community centre open until 8pm on Tuesdays and "
            "Thursdays through January, with a hot meal, and to write down who comes and what "
            "difference it makes. Pete will ask the food bank about the meals; Joanne will "
            "talk to the council about the heating bill.",
            attendees=came,
        )
        noted = starts + timedelta(days=1, hours=3)
        Gathering.objects.filter(pk=past.pk).update(notes_recorded_at=noted, updated_at=noted)
        _date_activity(past, "notes_recorded", noted)
        result.created += 1

    # 2. In ten days: a learning session, with answers so far.
    title = "Learning session: what the warm evenings taught us"
    if title not in existing:
        starts = _at(10, 18, 30)
        upcoming = gathering_arrange(
            place=place,
            organiser=organiser_frontline,
            kind=GatheringKind.LEARNING,
            title=title,
            purpose="Look together at the stories and the numbers from the warm evenings at the "
            "community centre, and decide what to change before next winter.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            location="Kirkby Vale Community Centre, Station Road",
            online_url="https://meet.example.org/kirkby-vale-learning",
            agenda="Three stories from people who came\nWho came, and who did not\n"
            "What it cost\nWhat we change",
        )
        _date_activity(upcoming, "arranged", timezone.now() - timedelta(days=3))
        _answer(
            upcoming,
            people,
            {
                "steward": Answer.GOING,
                "resident": Answer.GOING,
                "commissioner": Answer.GOING,
                "centre": Answer.MAYBE,
                "catherine.bell": Answer.MAYBE,
                "kelly.marsden": Answer.GOING,
                "james.whitaker": Answer.NOT_GOING,
            },
        )
        result.created += 1

    # 3. A front-line visit, moved by a week after it was arranged.
    title = "Front-line visit: a morning with the early help team"
    if title not in existing:
        first = _at(14, 9, 30)
        visit = gathering_arrange(
            place=place,
            organiser=organiser_manager,
            kind=GatheringKind.VISIT,
            title=title,
            purpose="Commissioners and senior leaders spend a morning alongside the early help "
            "team: the real work, the forms, the phone calls, the waiting.",
            starts_at=first,
            ends_at=first + timedelta(hours=3),
            location="Early Help Hub, 12 Mill Lane (ask for Rachel at reception)",
            agenda="Half past nine: coffee and the morning huddle\n"
            "Ten: shadow a practitioner in pairs\nHalf past twelve: what did we notice?",
        )
        _date_activity(visit, "arranged", timezone.now() - timedelta(days=6))
        moved = _at(21, 9, 30)
        visit = gathering_update(
            gathering=visit,
            by=organiser_manager,
            starts_at=moved,
            ends_at=moved + timedelta(hours=3),
            message="The team has an inspection that week, so we have moved it on by a week.",
        )
        _date_activity(visit, "rescheduled", timezone.now() - timedelta(days=2))
        _answer(
            visit,
            people,
            {
                "commissioner": Answer.GOING,
                "andrew.pickering": Answer.GOING,
                "nadia.rahman": Answer.MAYBE,
                "gary.metcalfe": Answer.GOING,
            },
        )
        result.created += 1
