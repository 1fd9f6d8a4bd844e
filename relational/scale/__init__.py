"""National-scale data for benchmarks: ``manage.py seed_scale`` (see README, "Scale data").

``seed_scale(scale)`` writes :data:`FULL` times ``scale`` rows (300 places, 100,000 members,
3,000 learning cycles, 1,000,000 entries, … at scale 1) into an empty database in one
transaction, then ANALYZEs it. What a benchmark needs to know:

* every account is ``member_email(n)`` for n = 1 … ``plan_for(scale).members``, password
  :data:`SCALE_PASSWORD`, email address verified;
* :func:`targets` lists public places, cycles, decisions and library cycles to rotate over;
* :data:`SEARCH_TERMS` are words the library and decision log searches find.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from .build import (
    FULL,
    MODELS,
    SCALE_DOMAIN,
    SCALE_PASSWORD,
    Plan,
    ScaleBuilder,
    member_email,
    plan_for,
)
from .words import SEARCH_TERMS

__all__ = [
    "FULL",
    "SCALE_DOMAIN",
    "SCALE_PASSWORD",
    "SEARCH_TERMS",
    "Plan",
    "ScaleResult",
    "counts",
    "member_email",
    "plan_for",
    "seed_scale",
    "targets",
]

#: The apps whose tables --wipe empties (users and their sign-in records included).
WIPED_APPS = ("relational", "places", "learning", "governance", "account", "mfa", "sessions")


class NotEmpty(Exception):
    """The database already holds people or places."""


@dataclass
class ScaleResult:
    scale: float
    seed: int
    plan: Plan
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)  # per table, as written
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase


def holds_data() -> bool:
    from places.models import Place
    from relational.models import User

    return User.objects.exists() or Place.objects.exists()


def wipe() -> None:
    """Empty every table of the project's apps (and its accounts), keeping the platform's own
    prompt questions, which a migration wrote."""
    import importlib

    tables = sorted(
        {
            model._meta.db_table
            for label in WIPED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    questions = importlib.import_module("learning.migrations.0002_platform_prompt_questions")
    questions.add(apps, None)


def seed_scale(
    scale: float = 1.0,
    *,
    seed: int = 1,
    wipe_first: bool = False,
    tick: Callable[[str, int, int], None] | None = None,
) -> ScaleResult:
    """Write the scale data and ANALYZE; refuses (NotEmpty) a database that holds people or
    places unless ``wipe_first``."""
    plan = plan_for(scale)
    started = time.monotonic()
    phases: dict[str, float] = {}
    current, since = "", started

    def timed_tick(phase: str, done: int, total: int) -> None:
        nonlocal current, since
        if phase != current:
            now = time.monotonic()
            if current:
                phases[current] = round(now - since, 1)
            current, since = phase, now
        if tick is not None:
            tick(phase, done, total)

    with transaction.atomic():
        if holds_data():
            if not wipe_first:
                raise NotEmpty(
                    "This database already holds people or places. seed_scale loads into an "
                    "empty database: migrate a new one, or pass --wipe to empty this one first."
                )
            timed_tick("wiping", 0, 1)
            wipe()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        rows = ScaleBuilder(plan, seed=seed, tick=timed_tick).build()
        timed_tick("analyze", 0, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in MODELS)}")
    timed_tick("done", 1, 1)
    return ScaleResult(
        scale=scale,
        seed=seed,
        plan=plan,
        seconds=round(time.monotonic() - started, 1),
        rows=rows,
        phases=phases,
    )


def counts() -> dict[str, int]:
    """Rows now in each table the scale data fills (exact counts)."""
    out = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            out[model._meta.db_table] = cursor.fetchone()[0]
    return out


def targets(limit: int = 100) -> dict[str, Any]:
    """Pages a benchmark can rotate over, all readable by anyone: public places, cycles of
    public places (open and concluded), published decisions of public places, and cycles in
    the library. Deterministic (ordered by id)."""
    from governance.models import Decision
    from learning.models import LearningCycle
    from places.models import Place

    places = list(Place.objects.public().order_by("id")[:limit])
    cycles = list(
        LearningCycle.objects.filter(place__visibility="public")
        .select_related("place")
        .order_by("id")[:limit]
    )
    library = list(
        LearningCycle.objects.in_library().select_related("place").order_by("id")[:limit]
    )
    decisions = list(
        Decision.objects.published()
        .filter(place__visibility="public")
        .select_related("place")
        .order_by("id")[:limit]
    )
    return {
        "places": [p.get_absolute_url() for p in places],
        "cycles": [c.get_absolute_url() for c in cycles],
        "library_cycles": [c.get_absolute_url() for c in library],
        "decisions": [d.get_absolute_url() for d in decisions],
        "decision_logs": [f"{p.get_absolute_url()}decisions/" for p in places],
        "search_terms": list(SEARCH_TERMS),
    }
