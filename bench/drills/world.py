"""The drills' world, written once into the template database (run by ``stack.build_template``).

    DATABASE_URL=… python -m bench.drills.world      # prints the world as one line of JSON

* **Drillton**, a public place, with its steward (who invites people during the drills) and a
  few writers (who log stories in a cycle during the drills); all sign in with ``PASSWORD``.
* **Digest members**, who joined a month ago into a place with public activity on each of the
  last ten days, and whose digests are switched off. A drill makes a digest fall due by
  switching members to daily digests: their digest of a whole past day is then due at once, as
  when the clock reaches 08:00 (``places.digests``).
* **Quietshire**, a second public place that only the anonymous-cache check writes to (the load
  writes to Drillton all the time, which changes its pages' version with every story), so its
  cycle page is served from the anonymous page cache until that check changes it.
* **Prompt participants** of a fortnightly cycle that began testing just after midnight a week
  ago, with prompts paused. A drill makes a prompt fall due by resuming a participant's prompts:
  their prompt for the period is then due at once (``learning.periods``).

No one else is sent a digest or a prompt, so every message a drill counts is one it made due.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

PASSWORD = "drill-password-Quaich-7381"
DIGEST_MEMBERS = int(os.environ.get("DRILL_DIGEST_MEMBERS", "400"))
PROMPT_PARTICIPANTS = int(os.environ.get("DRILL_PROMPT_PARTICIPANTS", "150"))
WRITERS = 6


def build() -> dict[str, object]:
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from learning import services as learning
    from learning.models import CycleParticipant, LearningCycle
    from places import services as places
    from places.models import Activity, DigestPreference, Membership, Visibility
    from relational.models import User

    now = timezone.now()
    month_ago = now - timedelta(days=30)
    hashed = make_password(PASSWORD)

    def people(prefix: str, count: int, password: str) -> list[User]:
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{prefix}{i:04d}@drill.example",
                    display_name=f"{prefix.title()} {i:04d}",
                    password=password,
                    date_joined=month_ago,
                )
                for i in range(count)
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        return users

    with transaction.atomic():
        (steward,) = people("steward", 1, hashed)
        writers = people("writer", WRITERS, hashed)
        digest_members = people("digest", DIGEST_MEMBERS, "!")
        prompted = people("prompted", PROMPT_PARTICIPANTS, "!")
        place = places.place_create(
            creator=steward,
            name="Drillton",
            summary="The fault drills' place.",
            missions=["Keep the lights on"],
            visibility="public",
            join_policy="open",
            perspectives=["frontline"],
        )
        Membership.objects.filter(place=place).update(joined_at=month_ago)
        Membership.objects.bulk_create(
            [
                Membership(place=place, user=u, perspectives=["resident"], joined_at=month_ago)
                for u in [*writers, *digest_members, *prompted]
            ]
        )
        writing = learning.cycle_create(
            place=place,
            by=steward,
            title="Keeping going when things break",
            question="Does the platform keep our words when its parts fail?",
            intent="We think it will, because every write is committed before we are told.",
            relationship_level="practitioner_person",
            horizon="h2",
            rhythm="none",
            scale="team",
            participants=writers,
        )
        learning.cycle_move(cycle=writing, by=steward, to="testing")
        prompting = learning.cycle_create(
            place=place,
            by=steward,
            title="Reflecting through the outage",
            question="Do prompts that fall due while Redis is away still arrive, once?",
            intent="We think they will, because the next beat run finds them again.",
            relationship_level="practitioner_person",
            horizon="h2",
            rhythm="fortnightly",
            scale="team",
        )
        learning.cycle_move(cycle=prompting, by=steward, to="testing")
        midnight = timezone.localtime(now).replace(hour=0, minute=1, second=0, microsecond=0)
        LearningCycle.objects.filter(pk=prompting.pk).update(
            testing_started_at=midnight - timedelta(days=7)
        )
        quiet = places.place_create(
            creator=steward,
            name="Quietshire",
            summary="Where only the cache check writes.",
            missions=["Stay the same until told"],
            visibility="public",
            join_policy="open",
            perspectives=["frontline"],
        )
        Membership.objects.create(place=quiet, user=writers[-1], perspectives=["resident"])
        quiet_cycle = learning.cycle_create(
            place=quiet,
            by=steward,
            title="Serving the same page to everyone",
            question="Does every visitor see a change on their next visit, whichever server?",
            intent="We think they will, because the page's version lives in the database.",
            relationship_level="practitioner_person",
            horizon="h2",
            rhythm="none",
            scale="team",
            participants=[writers[-1]],
        )
        learning.cycle_move(cycle=quiet_cycle, by=steward, to="testing")
        CycleParticipant.objects.filter(cycle=prompting).update(prompts_paused=True)
        CycleParticipant.objects.bulk_create(
            [CycleParticipant(cycle=prompting, user=u, prompts_paused=True) for u in prompted]
        )
        # Nobody is sent a digest until a drill switches them to daily.
        DigestPreference.objects.bulk_create(
            [
                DigestPreference(user=u, place=place, frequency="never")
                for u in [steward, *writers, *digest_members, *prompted]
            ]
            + [
                DigestPreference(user=u, place=quiet, frequency="never")
                for u in [steward, writers[-1]]
            ]
        )
        noon = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)
        Activity.objects.bulk_create(
            [
                Activity(
                    place=place,
                    actor=steward,
                    kind="place",
                    verb="updated",
                    summary=f"{steward.display_name} updated the description ({days} days ago)",
                    url=place.get_absolute_url(),
                    visibility=Visibility.PUBLIC,
                    created_at=noon - timedelta(days=days),
                )
                for days in range(1, 11)
            ]
        )
    return {
        "password": PASSWORD,
        "place": {"id": place.pk, "slug": place.slug},
        "steward": steward.email,
        "writers": [u.email for u in writers],
        "writing_cycle": writing.pk,
        "quiet": {"slug": quiet.slug, "cycle": quiet_cycle.pk, "writer": writers[-1].email},
        "prompt_cycle": prompting.pk,
        "digest_members": [[u.pk, u.email] for u in digest_members],
        "prompt_participants": [[u.pk, u.email] for u in prompted],
    }


if __name__ == "__main__":
    print(json.dumps(build()))
