"""``manage.py seed_scale``: national-scale data for benchmarks (README, "Scale data").

It lives in the project package, not in ``places``, because it writes every app's tables and
``places`` never imports the apps built on it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relational import scale

RESULTS = Path(settings.BASE_DIR) / "bench" / "results" / "seed_scale.json"


class Progress:
    """One line per phase: a bar redrawn in place on a terminal, a line per phase elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.phase = ""
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase and self.tty:
                self.stream.write("\n")
            self.phase = phase
        elif not self.tty or (now - self.drawn < 0.25 and done < total):
            return  # elsewhere than a terminal, only the first line of each phase
        self.drawn = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        elapsed = int(now - self.started)
        self.stream.write(
            f"\r{phase:<30} [{bar:<30}] {done:>10,}/{total:<10,} {elapsed // 60}:{elapsed % 60:02}"
        )
        if not self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Load national-scale data (300 places, 100,000 members, 1,000,000 entries… at --scale 1) "
        "into an empty database, for benchmarks. Every account's password is "
        f"'{scale.SCALE_PASSWORD}'. Refuses with DEBUG off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every count (0.1 = a tenth)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--wipe",
            action="store_true",
            help="Empty every table of the project (accounts included) before loading.",
        )
        parser.add_argument(
            "--results",
            default=str(RESULTS),
            help="Where to write row counts and timings as JSON ('' for nowhere).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale only runs with DEBUG on: every account it makes shares one password."
            )
        if not options["scale"] > 0:
            raise CommandError("--scale must be more than 0.")
        progress = Progress(sys.stderr)
        load_before = os.getloadavg()[0]
        try:
            result = scale.seed_scale(
                options["scale"], seed=options["seed"], wipe_first=options["wipe"], tick=progress
            )
        except scale.NotEmpty as refused:
            raise CommandError(str(refused)) from None
        finally:
            progress.close()
        rows = scale.counts()
        width = max(len(t) for t in rows)
        for table, n in rows.items():
            self.stdout.write(f"  {table:<{width}}  {n:>12,}")
        self.stdout.write(
            f"Loaded scale {result.scale:g} (seed {result.seed}) in {result.seconds:,.1f} s: "
            f"{sum(rows.values()):,} rows."
        )
        self.stdout.write(
            f"Sign in as {scale.member_email(1)} … {scale.member_email(result.plan.members)} "
            f"with the password '{scale.SCALE_PASSWORD}'."
        )
        if options["results"]:
            path = Path(options["results"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(
                    {
                        "scale": result.scale,
                        "seed": result.seed,
                        "seconds": result.seconds,
                        "seconds_by_phase": result.phases,
                        "plan": result.plan.__dict__,
                        "rows": rows,
                        "rows_total": sum(rows.values()),
                        "database": _database_size(),
                        "machine": {
                            "cpus": os.cpu_count(),
                            # Other work on the machine slows the load: the 1-minute load
                            # average when it started and when it ended.
                            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                        },
                    },
                    indent=2,
                )
                + "\n"
            )
            self.stdout.write(f"Results written to {path}.")


def _database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return str(cursor.fetchone()[0])
