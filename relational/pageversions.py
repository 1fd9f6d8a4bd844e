"""Page versions: a counter per place, held in PostgreSQL, that the anonymous page cache keys on.

Every change to something a public page shows bumps its place's version **in the transaction
that made the change**, by a database trigger. So a page cached under a version is never older
than that version, whoever made the change: a view, a Celery task, beat's date-driven moves,
the admin, ``QuerySet.update()`` or raw SQL. Redis forgetting, keeping, or getting back old
entries changes nothing, because the version lives here, not there.

How it works
------------
* :data:`WATCHED` lists every table whose rows appear on a public page, with the path from a
  row to its place. The activity spine is one of them, so every change that writes an activity
  row counts; the others catch changes that write none (an RSVP, an edit within 15 minutes, a
  cycle reframed, an idea revised, a redaction, a withdrawn consent…).
* Each watched table gets a row trigger that runs **at commit** (``DEFERRABLE INITIALLY
  DEFERRED``): the version row is locked only for the last moment of the transaction, so it
  cannot deadlock with the row locks the services take. A transaction bumps each place once.
* A place's pages also show what links it to other places (a peer cycle elsewhere, evidence
  from another place's cycle), so a bump also bumps the places linked that way.
* Row 0 is shared by every place: it changes when someone's display name (or whether their
  account is active) changes, since names appear everywhere.
* The clock: a gathering starting or ending and a fund round's ideas opening or closing change
  what a page shows with no write at all. Beat's :func:`bump_for_clock` (every minute) bumps the
  places where such a moment has passed since their last bump.

The triggers are (re)installed after every ``migrate`` from this module (:func:`install`), so
the list here is always what the database runs. They are recognisable by their names:
``relational_pagecache`` on each table, functions ``relational_pagecache_*``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

#: model → the paths from one of its rows to the place(s) whose pages show it ("" = itself).
WATCHED: dict[str, tuple[str, ...]] = {
    # places
    "places.Place": ("",),
    "places.Activity": ("place",),
    "places.Mission": ("place",),
    "places.Membership": ("place",),
    "places.Interest": ("place",),
    "places.Power": ("place",),
    "places.Gathering": ("place",),
    "places.Gathering_attendees": ("gathering__place",),
    "places.RSVP": ("gathering__place",),
    "places.Hiding": ("place",),
    # learning
    "learning.LearningCycle": ("place",),
    "learning.LearningCycle_missions": ("learningcycle__place",),
    "learning.CycleParticipant": ("cycle__place",),
    "learning.CycleLink": ("from_cycle__place", "to_cycle__place"),
    "learning.Measure": ("place",),
    "learning.Reading": ("measure__place",),
    "learning.Entry": ("cycle__place",),
    "learning.Entry_sources": ("from_entry__cycle__place",),
    "learning.EntryVersion": ("entry__cycle__place",),
    # governance: decisions
    "governance.Decision": ("place",),
    "governance.Decider": ("decision__place",),
    "governance.Evidence": ("decision__place", "cycle__place", "entry__cycle__place"),
    "governance.Input": ("decision__place",),
    "governance.Response": ("input__decision__place",),
    "governance.Dissent": ("decision__place",),
    "governance.Implementation": ("decision__place",),
    "governance.Milestone": ("implementation__decision__place",),
    "governance.ProgressUpdate": ("implementation__decision__place",),
    "governance.Rewrite": ("decision__place",),
    # governance: the community fund
    "governance.Fund": ("place",),
    "governance.Round": ("fund__place",),
    "governance.Allocator": ("round__fund__place",),
    "governance.Idea": ("round__fund__place", "cycle__place"),
    "governance.Idea_missions": ("idea__round__fund__place",),
    "governance.IdeaVersion": ("idea__round__fund__place",),
    "governance.CoDesigner": ("idea__round__fund__place",),
    "governance.IdeaComment": ("idea__round__fund__place",),
    "governance.InterestTie": ("idea__round__fund__place",),
    "governance.Points": ("idea__round__fund__place",),
    "governance.RoundResult": ("round__fund__place",),
    "governance.Award": ("round__fund__place", "cycle__place"),
}

#: Models no public page shows (a test fails on any model in neither list).
UNWATCHED: dict[str, str] = {
    "places.Flag": "stewards' queue",
    "places.CalendarFeedToken": "a member's secret address",
    "places.OutboxMessage": "email",
    "places.Invitation": "stewards' list",
    "places.JoinRequest": "stewards' list",
    "places.Notification": "a member's own",
    "places.Mention": "notifications; the text shows through its entry and memberships",
    "places.DigestPreference": "a member's own",
    "places.NotificationPreference": "a member's own",
    "places.Digest": "email",
    "places.DataExport": "a member's own download",
    "places.ConsentWithdrawal": "stewards' record; the words it replaced are watched rows",
    "learning.CycleJoinRequest": "participants' list",
    "learning.PromptQuestion": "stewards' page",
    "learning.PromptDelivery": "a participant's own; an answer is an entry",
    "governance.FeedToken": "a member's secret address",
    "governance.DecisionEvent": "history, written with the watched row it copies",
    "governance.DeciderEvent": "history, written with the watched row it copies",
    "governance.EvidenceEvent": "history, written with the watched row it copies",
    "governance.InputEvent": "history, written with the watched row it copies",
    "governance.ResponseEvent": "history, written with the watched row it copies",
    "relational.User": "its own trigger: display name and active (row 0)",
    "relational.User_groups": "permissions",
    "relational.User_user_permissions": "permissions",
    "relational.PageVersion": "this",
}

#: The version row every place's key includes (display names appear on every place's pages).
EVERYWHERE = 0

#: Moments after which a place's pages read differently with nothing written: (model, path to
#: the place, the datetime fields).
CLOCK: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("places.Gathering", "place", ("starts_at", "ends_at")),
    (
        "governance.Round",
        "fund__place",
        ("ideas_open_at", "ideas_close_at", "allocation_opens_at", "allocation_closes_at"),
    ),
)

#: How far back beat looks for such moments (a beat that was down for a while catches up).
CLOCK_LOOKBACK = timedelta(days=1)

_PREFIX = "relational_pagecache"


def _table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


def _column(model: type[models.Model], name: str | None = None) -> tuple[str, Any]:
    """The quoted column of ``model``'s field ``name`` (its primary key when None), and the
    model that field points at."""
    field = model._meta.pk if name is None else model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model._meta.label}.{name} has no column of its own")
    return connection.ops.quote_name(column), field.related_model


def _place_expr(model: type[models.Model], path: str, row: str) -> str:
    """SQL giving the place id of ``row`` (``NEW``, ``OLD``, an alias) by following ``path``:
    ``"cycle__place"`` on an entry gives ``(SELECT place_id FROM learning_learningcycle WHERE
    id = NEW.cycle_id)``."""
    if not path:
        return f"{row}.{_column(model)[0]}"
    names = path.split("__")
    column, current = _column(model, names[0])
    expr = f"{row}.{column}"
    for name in names[1:]:
        column, following = _column(current, name)
        table = connection.ops.quote_name(current._meta.db_table)
        expr = f"(SELECT {column} FROM {table} WHERE {_column(current)[0]} = {expr})"
        current = following
    if current is not apps.get_model("places.Place"):
        raise ValueError(f"{model._meta.label}: {path!r} does not lead to a place")
    return expr


def _bump_function() -> str:
    """``relational_pagecache_bump(place)``: add one to the place's version (and its linked
    places'), once per transaction; a new row starts at a random number, so a new database never
    meets the keys of pages cached for another."""
    cycle, link = _table("learning.LearningCycle"), _table("learning.CycleLink")
    decision, evidence = _table("governance.Decision"), _table("governance.Evidence")
    entry = _table("learning.Entry")
    return f"""
CREATE OR REPLACE FUNCTION {_PREFIX}_bump(changed bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    done text := coalesce(current_setting('relational.pagecache_bumped', true), '');
    target bigint;
BEGIN
    IF changed IS NULL OR position(',' || changed || ',' in done) > 0 THEN
        RETURN;
    END IF;
    FOR target IN
        SELECT changed
        UNION  -- cycles linked across places
        SELECT b.place_id FROM {cycle} a JOIN {link} l ON l.from_cycle_id = a.id
            JOIN {cycle} b ON b.id = l.to_cycle_id WHERE a.place_id = changed
        UNION
        SELECT a.place_id FROM {cycle} b JOIN {link} l ON l.to_cycle_id = b.id
            JOIN {cycle} a ON a.id = l.from_cycle_id WHERE b.place_id = changed
        UNION  -- evidence: a decision here citing a cycle or entry there, and the reverse
        SELECT c.place_id FROM {evidence} e JOIN {decision} d ON d.id = e.decision_id
            LEFT JOIN {entry} n ON n.id = e.entry_id
            JOIN {cycle} c ON c.id = coalesce(e.cycle_id, n.cycle_id)
            WHERE d.place_id = changed
        UNION
        SELECT d.place_id FROM {evidence} e JOIN {decision} d ON d.id = e.decision_id
            LEFT JOIN {entry} n ON n.id = e.entry_id
            JOIN {cycle} c ON c.id = coalesce(e.cycle_id, n.cycle_id)
            WHERE c.place_id = changed
        ORDER BY 1
    LOOP
        IF position(',' || target || ',' in done) = 0 THEN
            INSERT INTO relational_pageversion AS v (place_id, version, changed_at)
            VALUES (target, 1 + floor(random() * 2147483647)::bigint, clock_timestamp())
            ON CONFLICT (place_id) DO UPDATE
                SET version = v.version + 1, changed_at = clock_timestamp();
            done := done || ',' || target || ',';
        END IF;
    END LOOP;
    PERFORM set_config('relational.pagecache_bumped', done, true);
END $$;
"""


def _trigger_name(table: str) -> str:
    return f"{_PREFIX}_on_{table}"[:63]


def _table_trigger(label: str, paths: tuple[str, ...]) -> list[str]:
    model = apps.get_model(label)
    table = model._meta.db_table
    function = _trigger_name(table)
    new = "\n".join(
        f"        PERFORM {_PREFIX}_bump({_place_expr(model, p, 'NEW')});" for p in paths
    )
    old = "\n".join(
        f"        PERFORM {_PREFIX}_bump({_place_expr(model, p, 'OLD')});" for p in paths
    )
    qtable = connection.ops.quote_name(table)
    return [
        f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
{new}
    END IF;
    IF TG_OP <> 'INSERT' THEN
{old}
    END IF;
    RETURN NULL;
END $$;
""",
        f"DROP TRIGGER IF EXISTS {_PREFIX} ON {qtable};",
        f"CREATE CONSTRAINT TRIGGER {_PREFIX} AFTER INSERT OR UPDATE OR DELETE ON {qtable} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}();",
    ]


def _user_trigger() -> list[str]:
    """A display name, or an account becoming inactive ("a former member"), shows everywhere."""
    table = connection.ops.quote_name(apps.get_model("relational.User")._meta.db_table)
    function = f"{_PREFIX}_on_user"
    return [
        f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM {_PREFIX}_bump({EVERYWHERE});
    RETURN NULL;
END $$;
""",
        f"DROP TRIGGER IF EXISTS {_PREFIX} ON {table};",
        f"CREATE CONSTRAINT TRIGGER {_PREFIX} AFTER UPDATE OF display_name, is_active ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name "
        "OR OLD.is_active IS DISTINCT FROM NEW.is_active) "
        f"EXECUTE FUNCTION {function}();",
    ]


def install_sql() -> list[str]:
    """Every statement that installs the triggers, in order."""
    statements = [_bump_function()]
    for label, paths in WATCHED.items():
        statements += _table_trigger(label, paths)
    return [*statements, *_user_trigger()]


def install(**kwargs: Any) -> None:
    """Install the triggers (a ``post_migrate`` receiver). Does nothing when they are already
    exactly these: the bump function's comment holds a hash of all the statements."""
    with connection.cursor() as cursor:
        tables = ["relational_pageversion"] + [
            apps.get_model(label)._meta.db_table for label in WATCHED
        ]
        cursor.execute(
            "SELECT count(to_regclass(t)) = %s FROM unnest(%s::text[]) t", [len(tables), tables]
        )
        if not cursor.fetchone()[0]:
            return  # a partial migrate: the next full one installs them
        statements = install_sql()
        digest = hashlib.sha256("\n".join(statements).encode()).hexdigest()
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p "
            "WHERE p.proname = %s AND pg_function_is_visible(p.oid)",
            [f"{_PREFIX}_bump"],
        )
        row = cursor.fetchone()
        if row is not None and row[0] == digest:
            return
        with transaction.atomic():
            # Triggers of tables no longer watched go first.
            watched = {apps.get_model(label)._meta.db_table for label in WATCHED}
            watched.add(apps.get_model("relational.User")._meta.db_table)
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [_PREFIX],
            )
            for (table,) in cursor.fetchall():
                if table not in watched:
                    cursor.execute(f"DROP TRIGGER {_PREFIX} ON {connection.ops.quote_name(table)}")
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(f"COMMENT ON FUNCTION {_PREFIX}_bump(bigint) IS %s", [digest])


# --- Reading versions (the page cache) ----------------------------------------------------------


def place_version(slug: str) -> tuple[bool, str] | None:
    """(is the place public, its pages' version) in one query; None for an unknown slug. Asked
    through a PL/pgSQL function (migration 0003), whose plan each connection keeps: the page
    cache asks this on every anonymous request it serves."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM relational_place_page_version(%s, %s)", [slug, EVERYWHERE])
        row = cursor.fetchone()
    if row is None:
        return None
    return bool(row[0]), f"{row[1]}.{row[2]}"


#: Within :func:`one_site_version`, the version once asked (else None: asked every time).
_site_version_once: ContextVar[list[str] | None] = ContextVar("site_version_once", default=None)


def site_version() -> str:
    """The version of pages that show several places: the sum of all versions, which grows
    with every bump (no row is ever deleted or lowered)."""
    once = _site_version_once.get()
    if once:
        return once[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(version), 0), count(*) FROM relational_pageversion")
        total, rows = cursor.fetchone()
    version = f"{total}.{rows}"
    if once is not None:
        once.append(version)
    return version


@contextmanager
def one_site_version() -> Iterator[None]:
    """Ask the site's version once for everything inside: for a view that only reads and shows
    several kept parts (the library's place filter and its results). Never around a write: a
    change made inside would not move the version its parts are kept under."""
    token = _site_version_once.set([])
    try:
        yield
    finally:
        _site_version_once.reset(token)


# --- The clock (beat) -----------------------------------------------------------------------------


def bump_for_clock(now: datetime | None = None) -> int:
    """Bump every place where a gathering started or ended, or a fund round's phase changed,
    since its version last changed (looking back :data:`CLOCK_LOOKBACK`). Returns how many."""
    now = now or timezone.now()
    parts: list[str] = []
    params: list[Any] = []
    for label, path, fields in CLOCK:
        model = apps.get_model(label)
        place_expr = _place_expr(model, path, "t")
        for name in fields:
            column = connection.ops.quote_name(model._meta.get_field(name).column)
            parts.append(
                f"SELECT {place_expr} AS place_id, t.{column} AS at "
                f"FROM {connection.ops.quote_name(model._meta.db_table)} t "
                f"WHERE t.{column} > %s AND t.{column} <= %s"
            )
            params += [now - CLOCK_LOOKBACK, now]
    sql = (
        "WITH passed AS (SELECT place_id, max(at) AS at FROM ("
        + " UNION ALL ".join(parts)
        + ") moments WHERE place_id IS NOT NULL GROUP BY place_id) "
        f"SELECT {_PREFIX}_bump(p.place_id) FROM passed p "
        "LEFT JOIN relational_pageversion v ON v.place_id = p.place_id "
        "WHERE v.changed_at IS NULL OR v.changed_at < p.at "
        "ORDER BY p.place_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())
