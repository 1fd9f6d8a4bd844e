"""Benchmark: weekly digests for 10,000 members of one place with a year of activity.

    make bench                      # or: .venv/bin/python bench/digests.py [--members 10000]

What it does, on a fresh database of its own (``relational_bench_digests``, dropped after):

1. makes a place with N members (verified addresses, all perspectives, a few time zones' worth
   of London) and a year of activity (about 100 items a day: members joining, gatherings,
   interests, members-only care notes), and a few gatherings coming up;
2. runs the digest fan-out exactly as beat would, then builds every batch as the
   ``build_digests`` task does (claim, build, write the outbox rows), timing each batch and
   counting its queries; the first batches are of 50 members and the rest of 200, to show the
   queries of a batch do not depend on its size;
3. sends every outbox row through the locmem mailer, as the ``send_outbox_messages`` task does
   (each message locked, sent and marked sent in its own transaction).

The time and query counts are written to ``bench/results/digests.json``; the run fails (exit 1)
if it takes 60 seconds or more, or if the batches' query counts differ.

Without ``DATABASE_URL`` the embedded PostgreSQL of ``make run`` is used (``var/pgdata``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results" / "digests.json"
LIMIT_SECONDS = 60.0
sys.path.insert(0, str(BASE_DIR))


def environment() -> object | None:
    """Fill in DATABASE_URL (embedded PostgreSQL if unset) and a REDIS_URL nothing will use."""
    server = None
    if not os.environ.get("DATABASE_URL"):
        from relational.embedded import PostgresServer

        server = PostgresServer(BASE_DIR / "var" / "pgdata").start()
        os.environ["DATABASE_URL"] = server.url
    # Nothing is published to a broker here: the benchmark sends the outbox itself.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relational.settings")
    return server


def seed(members: int, days: int) -> dict[str, int]:
    """The place, its members and a year of activity, written in bulk."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from places.models import (
        Activity,
        Gathering,
        GatheringKind,
        Membership,
        Perspective,
        Place,
        Visibility,
    )
    from relational.models import User

    rng = random.Random(42)
    now = timezone.now()
    perspectives = [p.value for p in Perspective]
    place = Place.objects.create(
        name="Benchton", slug="benchton", summary="A large place for the digest benchmark."
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{i:05d}@bench.example",
                display_name=f"Member {i:05d}",
                password="!",  # unusable: nobody signs in here
            )
            for i in range(members)
        ],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=2000,
    )
    joined = now - timedelta(days=days + 7)
    Membership.objects.bulk_create(
        [
            Membership(
                place=place,
                user=u,
                perspectives=[perspectives[i % len(perspectives)]],
                role="steward" if i < 5 else "member",
                joined_at=joined,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    kinds = [
        ("member", "joined", Visibility.PUBLIC, "{name} joined as {p}"),
        ("gathering", "arranged", Visibility.PUBLIC, "{name} arranged a gathering: Tea {n}"),
        ("gathering", "notes_recorded", Visibility.PUBLIC, "{name} recorded notes from Tea {n}"),
        ("interest", "declared", Visibility.PUBLIC, "{name} declared an interest: Council {n}"),
        ("place", "updated", Visibility.PUBLIC, "{name} updated the description"),
        ("care", "hid", Visibility.MEMBERS, "A steward hid a contribution because {n}"),
        ("member", "invited", Visibility.MEMBERS, "{name} invited someone new to join"),
    ]
    rows = []
    per_day = 100
    for day in range(days):
        for k in range(per_day):
            kind, verb, visibility, summary = kinds[rng.randrange(len(kinds))]
            actor = users[rng.randrange(members)]
            p = perspectives[rng.randrange(len(perspectives))]
            rows.append(
                Activity(
                    place=place,
                    actor=actor,
                    kind=kind,
                    verb=verb,
                    summary=summary.format(name=actor.display_name, p=p, n=day * per_day + k),
                    url=f"/places/benchton/#item-{day}-{k}",
                    visibility=visibility,
                    perspectives=[p],
                    created_at=now - timedelta(days=day, minutes=rng.randrange(1440)),
                )
            )
    Activity.objects.bulk_create(rows, batch_size=5000)
    Gathering.objects.bulk_create(
        [
            Gathering(
                place=place,
                organiser=users[0],
                kind=GatheringKind.TEA,
                title=f"Tea and a chat {n}",
                purpose="Meet each other.",
                starts_at=now + timedelta(days=n + 1),
                ends_at=now + timedelta(days=n + 1, hours=2),
                location="The hub",
            )
            for n in range(5)
        ]
    )
    return {"place_id": place.pk, "members": members, "activity": len(rows)}


@contextmanager
def counting() -> Iterator[list[int]]:
    """Count the SQL statements this process runs inside the block."""
    from django.db import connection

    box = [0]

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        box[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield box


def build_one(spec: object, now: object) -> dict[str, object]:
    """One ``build_digests`` task (runs in a worker process)."""
    from places.digests import digest_batch_build

    started = time.perf_counter()
    with counting() as queries:
        result = digest_batch_build(
            place_id=spec.place_id,  # type: ignore[attr-defined]
            frequency=spec.frequency,  # type: ignore[attr-defined]
            time_zone=spec.time_zone,  # type: ignore[attr-defined]
            period=spec.period,  # type: ignore[attr-defined]
            user_ids=list(spec.user_ids),  # type: ignore[attr-defined]
            now=now,  # type: ignore[arg-type]
        )
    return {
        "members": len(spec.user_ids),  # type: ignore[attr-defined]
        "queries": queries[0],
        "seconds": round(time.perf_counter() - started, 3),
        "emails": result.sent,
    }


def send_some(ids: list[int]) -> tuple[int, int]:
    """One ``send_outbox_messages`` task (runs in a worker process): (sent, statements)."""
    from django.core import mail

    from places import outbox

    with counting() as queries:
        sent = outbox.deliver_many(ids)
    assert len(mail.outbox) == sent
    mail.outbox.clear()
    return sent, queries[0]


def run(members: int, days: int, processes: int) -> dict[str, object]:
    import django
    from django.conf import settings
    from django.db import connections
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    django.setup()
    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = "relational_bench_digests"
    setup_test_environment()
    settings.DEBUG = False
    settings.MAILERS = {
        "default": {"BACKEND": "places.outbox.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    old = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=set())
    try:
        from django.utils import timezone

        from places import outbox
        from places.digests import due_batches
        from places.models import Digest, OutboxMessage

        outbox.publish_batch = lambda ids: None  # no broker: this run sends the rows itself

        started = time.perf_counter()
        seeded = seed(members, days)
        seed_seconds = time.perf_counter() - started

        # 1. The fan-out, as beat runs it (batches of 200).
        t0 = time.perf_counter()
        now = timezone.now()
        with counting() as fan_out_queries:
            batches = due_batches(now=now, size=200)
        fan_out_seconds = time.perf_counter() - t0
        # The first batch of 200 is built as four batches of 50, to compare query counts.
        first = batches[0]
        specs = [
            replace(first, user_ids=first.user_ids[i : i + 50]) for i in range(0, 200, 50)
        ] + batches[1:]

        # Worker processes, as `celery worker --concurrency 2` runs tasks; each opens its own
        # database connection.
        connections.close_all()
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
        with pool:
            # 2. Build every batch as the build_digests task does.
            t1 = time.perf_counter()
            per_batch = list(pool.map(build_one, specs, [now] * len(specs)))
            build_seconds = time.perf_counter() - t1

            # 3. Send every outbox row, as send_outbox_messages tasks do (500 per task).
            t2 = time.perf_counter()
            ids = list(OutboxMessage.objects.order_by("id").values_list("id", flat=True))
            connections.close_all()
            chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
            sent = list(pool.map(send_some, chunks))
            send_seconds = time.perf_counter() - t2
        delivered = sum(n for n, _ in sent)
        send_queries = sum(q for _, q in sent)
        total = fan_out_seconds + build_seconds + send_seconds

        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        by_size: dict[int, set[int]] = {}
        for row in per_batch:
            by_size.setdefault(row["members"], set()).add(row["queries"])
        constant = len({q for qs in by_size.values() for q in qs}) == 1
        sample = OutboxMessage.objects.order_by("id").first()
        return {
            "benchmark": "weekly digests for one place",
            "members": seeded["members"],
            "activity_rows": seeded["activity"],
            "activity_in_the_week": sample.body.count("\n- ") if sample else 0,
            "digests_recorded": Digest.objects.count(),
            "emails_built": OutboxMessage.objects.count(),
            "emails_sent": delivered,
            "emails_unsent": unsent,
            "seconds": {
                "fan_out": round(fan_out_seconds, 2),
                "build_and_claim": round(build_seconds, 2),
                "send": round(send_seconds, 2),
                "total": round(total, 2),
                "seeding_not_counted": round(seed_seconds, 2),
            },
            "limit_seconds": LIMIT_SECONDS,
            "processes": processes,
            "queries": {
                "fan_out": fan_out_queries[0],
                "per_batch_by_batch_size": {
                    str(size): sorted(qs) for size, qs in sorted(by_size.items())
                },
                "constant_per_batch": constant,
                "send_total": send_queries,
                "send_per_email": round(send_queries / max(delivered, 1), 2),
            },
            "batches": len(per_batch),
            "slowest_batch_seconds": max(r["seconds"] for r in per_batch),
            "email_size_bytes": {
                "text": len(sample.body.encode()) if sample else 0,
                "html": len(sample.html.encode()) if sample else 0,
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "passed": total < LIMIT_SECONDS and constant and unsent == 0,
        }
    finally:
        teardown_databases(old, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--processes", type=int, default=2, help="worker processes (2 cores)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    server = environment()
    try:
        results = run(args.members, args.days, args.processes)
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    seconds = results["seconds"]
    queries = results["queries"]
    print(
        f"{results['emails_sent']} digests for {results['members']} members "
        f"({results['activity_rows']} activity rows): fan-out {seconds['fan_out']}s, "
        f"build {seconds['build_and_claim']}s, send {seconds['send']}s, "
        f"total {seconds['total']}s (limit {LIMIT_SECONDS:.0f}s)"
    )
    print(
        f"queries per batch by size: {queries['per_batch_by_batch_size']}; "
        f"{queries['send_per_email']} per email sent"
    )
    print(f"written to {args.output}")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
