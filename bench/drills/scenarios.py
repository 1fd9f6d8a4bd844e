"""The four fault drills, each on a stack of its own, in a full and a short version.

A drill starts its stack (:mod:`bench.drills.stack`), puts it under load
(:mod:`bench.drills.load`), makes mail fall due, breaks one part, and then checks and measures:

* **requests**: every answer by status; an *error* is anything but a 200 or a redirect (no
  answer at all counts as status 0), and an *unfriendly* answer is an error page with a stack
  trace or a 503 that is not the friendly page;
* **writes**: every story a writer was told was saved must be in the database;
* **recovery**: after the broken part returns, how long until the first good answer and until
  the last bad one; for mail, how long until the last message that fell due has arrived;
* **messages** (digests, prompts and invitations that fell due): *due*; *sent* (reached the
  mail server); *sent twice* (the same message, by its ``Message-ID``, reached the mail server
  again: SMTP's one caveat, a sender that dies after the server took the message and before the
  row is marked sent); *doubled* (a second, different message for the same delivery, which
  must never happen); *missing* (due and never sent).

The short versions (``SHORT``, run by ``make test``) break the same things for a few seconds
and check the same results, without the timing limit; the full versions (``FULL``, ``make
drills``) run the issue's durations and measure.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import re
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from .load import Load, Outcome, Person
from .stack import BASE_DIR, PrivatePostgres, Schedule, Stack, build_template, running

OUTBOX_KIND = {"digest": "digest", "prompt": "prompt", "invitation": "place"}


@dataclass(frozen=True)
class Durations:
    version: str
    redis_outage: float
    pg_outage: float
    warmup: float  # load before the first fault
    after: float  # load kept on after a part returns, before mail is counted
    mail_timeout: float  # how long all due mail may take after the part returns
    quiet: float  # a wait after the last message, for a late second copy to show itself
    recovery_limit: float | None  # the PostgreSQL drill's limit, measured in the full version
    digests: int  # made due per fault
    prompts: int
    invitations: int
    kill_digests: int
    readers: int
    writers: int
    schedule: Schedule = field(default_factory=Schedule)


SHORT = Durations(
    "short", redis_outage=5, pg_outage=4, warmup=2, after=2, mail_timeout=90, quiet=3,
    recovery_limit=None, digests=12, prompts=6, invitations=2, kill_digests=60,
    readers=3, writers=2, schedule=Schedule(digests=2, outbox_sweep=2, prompts=2, invitations=2),
)  # fmt: skip
FULL = Durations(
    "full", redis_outage=60, pg_outage=20, warmup=10, after=15, mail_timeout=300, quiet=20,
    recovery_limit=5.0, digests=60, prompts=30, invitations=8, kill_digests=200,
    readers=6, writers=4,
    schedule=Schedule(digests=10, outbox_sweep=10, prompts=10, invitations=10),
)  # fmt: skip

DIGEST_BATCH_SIZE = 20


def ok(outcome: Outcome) -> bool:
    """A page or a form answered as when nothing is wrong (200, or a redirect after a form)."""
    return 200 <= outcome.status < 400


# --- Findings -----------------------------------------------------------------------------------


@dataclass
class Check:
    what: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    name: str
    title: str
    topology: dict[str, int]
    version: str
    seconds: float = 0.0
    requests: dict[str, Any] = field(default_factory=dict)
    writes: dict[str, int] = field(default_factory=dict)
    phases: list[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [f"{c.what}: {c.detail}" for c in self.checks if not c.ok]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


# --- Mail ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    kind: str  # digest, prompt, invitation
    email: str
    at: float


def mail_figures(stack: Stack, due: list[Due]) -> dict[str, Any]:
    """Due, sent, sent twice, doubled and missing, per kind, from the outbox and the mail sink."""
    assert stack.postgres and stack.mail
    ids: dict[tuple[str, str], list[str]] = {}
    rows = stack.postgres.sql(
        "SELECT kind, \"to\", headers->>'Message-ID' FROM places_outboxmessage"
        " WHERE kind = ANY(%s)",
        list(set(OUTBOX_KIND.values())),
    )
    for kind, to, message_id in rows:
        for address in to:
            ids.setdefault((kind, str(address).lower()), []).append(message_id)
    received = Counter(m.message_id for m in stack.mail.messages())
    first_at: dict[str, float] = {}
    for m in stack.mail.messages():
        first_at.setdefault(m.message_id, m.at)
    figures: dict[str, Any] = {}
    last_arrival = 0.0
    for kind in OUTBOX_KIND:
        items = [d for d in due if d.kind == kind]
        row = {"due": len(items), "sent": 0, "sent_twice": 0, "doubled": 0, "missing": 0}
        for item in items:
            message_ids = ids.get((OUTBOX_KIND[kind], item.email.lower()), [])
            row["doubled"] += len(message_ids) > 1
            arrived = [mid for mid in message_ids if received[mid]]
            if arrived:
                row["sent"] += 1
                row["sent_twice"] += any(received[mid] > 1 for mid in arrived)
                last_arrival = max(last_arrival, *(first_at[mid] for mid in arrived))
            else:
                row["missing"] += 1
        figures[kind + "s"] = row
    figures["total"] = {
        key: sum(figures[k + "s"][key] for k in OUTBOX_KIND)
        for key in ("due", "sent", "sent_twice", "doubled", "missing")
    }
    figures["last_arrival"] = last_arrival
    return figures


# --- A drill in progress ------------------------------------------------------------------------


@dataclass
class Drill:
    stack: Stack
    load: Load
    world: dict[str, Any]
    durations: Durations
    report: Report
    due: list[Due] = field(default_factory=list)
    _digests: deque[list[Any]] = field(default_factory=deque)
    _prompted: deque[list[Any]] = field(default_factory=deque)
    _invited: int = 0

    def __post_init__(self) -> None:
        self._digests.extend(self.world["digest_members"])
        self._prompted.extend(self.world["prompt_participants"])

    def check(self, what: str, passed: bool, detail: str = "") -> None:
        self.report.checks.append(Check(what, bool(passed), detail))

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        assert self.stack.postgres
        return self.stack.postgres.sql(query, *params)

    # --- making mail fall due

    def digests_due(self, count: int) -> list[Due]:
        """Switch ``count`` members to daily digests: a digest of a whole past day is due."""
        people = [self._digests.popleft() for _ in range(min(count, len(self._digests)))]
        self.sql(
            "UPDATE places_digestpreference SET frequency = 'daily'"
            " WHERE place_id = %s AND user_id = ANY(%s)",
            self.world["place"]["id"],
            [pk for pk, _ in people],
        )
        items = [Due("digest", email, time.monotonic()) for _, email in people]
        self.due.extend(items)
        return items

    def prompts_due(self, count: int) -> list[Due]:
        """Resume ``count`` participants' prompts: their prompt for this fortnight is due."""
        people = [self._prompted.popleft() for _ in range(min(count, len(self._prompted)))]
        self.sql(
            "UPDATE learning_cycleparticipant SET prompts_paused = false"
            " WHERE cycle_id = %s AND user_id = ANY(%s)",
            self.world["prompt_cycle"],
            [pk for pk, _ in people],
        )
        items = [Due("prompt", email, time.monotonic()) for _, email in people]
        self.due.extend(items)
        return items

    def invite(self, server: int = 0) -> bool:
        """The steward invites someone new through the web; due only if told it is on its way."""
        self._invited += 1
        address = f"invitee{self._invited:04d}-{self.report.name}@drill.example"
        told = self.load.invite(address, server=server)
        if told:
            self.due.append(Due("invitation", address, time.monotonic()))
        return told

    # --- waiting for mail

    def mail(self, due: list[Due], since: float) -> dict[str, Any]:
        """Wait until every due message has reached the mail server (or the time is up), then a
        quiet while for any second copy; the figures, with how long the mail took."""
        assert self.stack.postgres
        deadline = time.monotonic() + self.durations.mail_timeout
        figures = mail_figures(self.stack, due)
        while figures["total"]["missing"] and time.monotonic() < deadline:
            time.sleep(0.5)
            with contextlib.suppress(Exception):  # the database may be starting up again
                figures = mail_figures(self.stack, due)
        time.sleep(self.durations.quiet)
        figures = mail_figures(self.stack, due)
        last = figures.pop("last_arrival")
        figures["caught_up_s"] = round(max(last - since, 0.0), 2) if last else None
        return figures


def request_figures(outcomes: list[Outcome]) -> dict[str, Any]:
    figures = Load.summary(outcomes)
    figures["friendly_503"] = sum(1 for o in outcomes if o.status == 503 and o.friendly)
    return figures


def recovery(outcomes: list[Outcome], back: float) -> dict[str, Any]:
    """After a part returns: seconds to the first good answer, and to the last bad one."""
    after = [o for o in outcomes if o.at >= back]
    good = [o.at - back for o in after if ok(o)]
    bad = [o.at - back for o in after if not ok(o)]
    return {
        "first_ok_s": round(min(good), 2) if good else None,
        "last_error_s": round(max(bad), 2) if bad else 0.0,
        "errors_after_return": len(bad),
        "answers_after_return": len(after),
    }


def sleep_until(moment: float) -> None:
    time.sleep(max(moment - time.monotonic(), 0.0))


def mail_checks(drill: Drill, phase: str, mail: dict[str, Any], *, twice_allowed: int) -> None:
    total = mail["total"]
    drill.check(
        f"{phase}: every message that fell due is sent",
        total["missing"] == 0 and total["due"] > 0,
        f"{total['missing']} of {total['due']} missing: {json.dumps(mail)}",
    )
    drill.check(
        f"{phase}: no delivery becomes two different messages",
        total["doubled"] == 0,
        f"{total['doubled']} doubled",
    )
    drill.check(
        f"{phase}: sent twice at most {twice_allowed} (same Message-ID)",
        total["sent_twice"] <= twice_allowed,
        f"{total['sent_twice']} sent twice",
    )


# --- The faults ---------------------------------------------------------------------------------


Phase = Callable[["Drill"], dict[str, Any]]


def timed(phase: Phase) -> Phase:
    """Add how long the phase took to its figures."""

    @functools.wraps(phase)
    def run(drill: Drill) -> dict[str, Any]:
        started = time.monotonic()
        figures = phase(drill)
        figures["seconds"] = round(time.monotonic() - started, 1)
        return figures

    return run


@timed
def redis_outage(drill: Drill) -> dict[str, Any]:
    """Redis stopped under load while digests, prompts and invitations fall due."""
    d, stack = drill.durations, drill.stack
    assert stack.redis
    seconds = d.redis_outage
    begin = len(drill.due)
    # Some fall due just before: beat may have queued their work when Redis goes.
    drill.digests_due(d.digests // 2)
    drill.prompts_due(d.prompts // 2)
    time.sleep(min(2.0, d.schedule.digests))
    stopped = time.monotonic()
    stack.redis.stop()
    steps = max(d.invitations, 2)
    for step in range(steps):
        sleep_until(stopped + seconds * (step + 0.5) / steps)
        if step < d.invitations:
            drill.invite(server=step)
        if step == steps // 2:
            drill.digests_due(d.digests - d.digests // 2)
            drill.prompts_due(d.prompts - d.prompts // 2)
    sleep_until(stopped + seconds)
    stack.redis.start()
    back = time.monotonic()
    time.sleep(d.after)
    due = drill.due[begin:]
    mail = drill.mail(due, back)
    outcomes = drill.load.between(stopped, time.monotonic())
    during = request_figures([o for o in outcomes if o.at < back])
    phase = {
        "phase": "redis-outage",
        "fault": f"Redis stopped for {seconds:g} s",
        "requests_during": during,
        "requests_after": request_figures([o for o in outcomes if o.at >= back]),
        "recovery": {"mail_caught_up_s": mail["caught_up_s"]},
        "messages": mail,
    }
    drill.check(
        "redis: every page and form answered normally while Redis was away (200 or redirect)",
        all(ok(o) for o in outcomes),
        json.dumps(Load.summary(outcomes)["statuses"]),
    )
    drill.check(
        "redis: the steward's invitations were accepted during the outage",
        sum(1 for x in due if x.kind == "invitation") == d.invitations,
        f"{sum(1 for x in due if x.kind == 'invitation')} of {d.invitations}",
    )
    mail_checks(drill, "redis", mail, twice_allowed=0)
    return phase


@timed
def postgres_outage(drill: Drill) -> dict[str, Any]:
    """PostgreSQL stopped under load, with mail just fallen due."""
    d, stack = drill.durations, drill.stack
    assert stack.postgres
    seconds = d.pg_outage
    begin = len(drill.due)
    for n in range(d.invitations):
        drill.invite(server=n)
    # Half fall due a moment before (their work may be under way when it stops), half just as.
    drill.digests_due(d.digests // 2)
    drill.prompts_due(d.prompts // 2)
    time.sleep(0.3)
    drill.digests_due(d.digests - d.digests // 2)
    drill.prompts_due(d.prompts - d.prompts // 2)
    stopped = time.monotonic()
    stack.postgres.stop("fast")
    refused = 0
    for step in range(2):
        sleep_until(stopped + seconds * (step + 1) / 3)
        before = len(drill.due)
        drill.invite(server=step)  # must not be told it is on its way
        refused += len(drill.due) == before
    sleep_until(stopped + seconds)
    stack.postgres.start()
    back = time.monotonic()
    time.sleep(d.after)
    due = drill.due[begin:]
    mail = drill.mail(due, back)
    outcomes = drill.load.between(stopped, time.monotonic())
    rec = recovery(outcomes, back)
    last_error = max((o.at for o in outcomes if o.at >= back and not ok(o)), default=back)
    phase = {
        "phase": "postgres-outage",
        "fault": f"PostgreSQL stopped for {seconds:g} s",
        "requests_during": request_figures([o for o in outcomes if o.at < back]),
        "requests_after": request_figures([o for o in outcomes if o.at >= back]),
        "recovery": {**rec, "mail_caught_up_s": mail["caught_up_s"]},
        "messages": mail,
    }
    unfriendly = [o for o in outcomes if not ok(o) and not (o.status == 503 and o.friendly)]
    drill.check(
        "postgres: every other answer is the friendly 503 page (no 500, no trace, no hang-up)",
        not unfriendly,
        f"{len(unfriendly)} unfriendly: {Counter(o.status for o in unfriendly)}",
    )
    drill.check(
        "postgres: requests failed while it was away (the fault was real)",
        phase["requests_during"]["friendly_503"] > 0,
        json.dumps(phase["requests_during"]),
    )
    drill.check(
        "postgres: an invitation sent while it was away is not reported as sent",
        refused == 2,
        f"{2 - refused} reported as sent",
    )
    tail = [o for o in outcomes if o.at > last_error]
    drill.check(
        "postgres: the app recovers by itself (good answers after the last error)",
        rec["first_ok_s"] is not None and len(tail) >= 5 and all(ok(o) for o in tail),
        json.dumps(rec),
    )
    if d.recovery_limit is not None:
        drill.check(
            f"postgres: recovered within {d.recovery_limit:g} s of its return",
            (rec["last_error_s"] or 0) <= d.recovery_limit,
            f"last error {rec['last_error_s']} s after return",
        )
    # A message being handed to the mail server as the database went away is taken but never
    # marked sent: at most one per sending process, sent again with the same Message-ID.
    mail_checks(drill, "postgres", mail, twice_allowed=2 * len(stack.worker_processes))
    return phase


def _builders_waiting(conn: Any) -> list[int]:
    """Client ports of backends holding a batch's digest claims (not yet committed) and waiting
    to write the batch's emails to the outbox."""
    rows = conn.execute(
        """
        SELECT a.client_port FROM pg_stat_activity a
        WHERE a.pid IN (
            SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'places_digest' AND l.mode = 'RowExclusiveLock' AND l.granted)
          AND a.pid IN (
            SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'places_outboxmessage' AND NOT l.granted)
        """
    ).fetchall()
    return [int(port) for (port,) in rows if port]


def _kill_when(
    drill: Drill, what: str, find: Callable[[], list[int]], started: float, timeout: float
) -> dict[str, Any]:
    """Wait until ``find`` names the local port of a worker process doing ``what``; SIGKILL that
    worker's main process at once. The figures of the kill (``killed`` False if none came)."""
    stack = drill.stack
    deadline = time.monotonic() + timeout
    victim = None
    while victim is None and time.monotonic() < deadline:
        for port in find():
            victim = stack.worker_using_port(port)
            if victim is not None:
                break
        else:
            time.sleep(0.002)
    if victim is None:
        return {"while": what, "killed": False}
    victim.kill_main()
    return {
        "while": what,
        "killed": True,
        "worker": victim.name,
        "at_s": round(time.monotonic() - started, 2),
        "_victim": victim,
    }


@timed
def worker_kill(drill: Drill) -> dict[str, Any]:
    """SIGKILL a worker's main process mid-digest, twice, each time at a moment the drill holds
    the worker at, so the kill lands where it must whatever the machine's speed:

    1. **building a batch**: the drill holds a SHARE lock on the outbox table, so a batch that
       has claimed its digests (uncommitted) waits to write its emails; its worker is killed
       there, and the lock let go. The batch rolls back whole; the next digest run hands the
       same members out again.
    2. **handing a digest to the mail server**: the mail server takes the digests that fell due
       and holds its "250 OK"; the worker sending one is killed there, and the server answers
       the rest. The message it had taken is sent again by the sweeper, with the same
       Message-ID: SMTP's one caveat, counted as *sent twice*.

    A supervisor starts each killed worker again a second later."""
    import psycopg

    d, stack = drill.durations, drill.stack
    assert stack.postgres and stack.mail
    # The kills need every worker up: one that exited by itself in an earlier phase (kombu can,
    # when Redis goes away while it holds unacknowledged messages) is started again first, as
    # the supervisor would have done by now, and named in the figures.
    revived = stack.revive_exited_workers()
    begin = len(drill.due)
    kills: list[dict[str, Any]] = []
    started = time.monotonic()
    alone = len(stack.worker_processes) == 1
    wait = d.schedule.digests + 60
    dsn = stack.postgres.dsn

    def restart(kill: dict[str, Any]) -> None:
        victim = kill.pop("_victim", None)
        if victim is not None:
            time.sleep(1.0)  # the supervisor notices
            stack.restart_worker(victim, wait=alone)

    with psycopg.connect(dsn, autocommit=True) as watch, psycopg.connect(dsn) as hold:
        hold.execute("LOCK TABLE places_outboxmessage IN SHARE MODE")
        drill.digests_due(d.kill_digests // 2)
        kills.append(
            _kill_when(drill, "building a batch", lambda: _builders_waiting(watch), started, wait)
        )
        hold.rollback()
    restart(kills[-1])
    ours = {x.email.lower() for x in drill.digests_due(d.kill_digests - d.kill_digests // 2)}
    stack.mail.hold(ours)

    def sending_ours() -> list[int]:
        assert stack.mail
        return [port for port, to in stack.mail.sending().items() if ours.intersection(to)]

    try:
        kills.append(
            _kill_when(drill, "handing a digest to the mail server", sending_ours, started, wait)
        )
    finally:
        stack.mail.release()
    restart(kills[-1])
    for kill in kills:
        drill.check(
            f"kill: a worker was killed while {kill['while']}",
            kill["killed"],
            "no worker was doing that within the time allowed",
        )
    mail = drill.mail(drill.due[begin:], started)
    problems = []
    for worker in stack.worker_processes:
        try:
            stack.wait_for_worker(worker)
        except (RuntimeError, TimeoutError) as error:
            problems.append(f"{error!s:.200} (log: {worker.log})")
    drill.check("kill: every worker is up again and ready", not problems, str(problems))
    phase = {
        "phase": "worker-kill",
        "workers_that_had_exited_by_themselves": revived,
        "fault": "a worker's main process killed with SIGKILL mid-digest, twice",
        "kills": kills,
        "recovery": {"mail_caught_up_s": mail["caught_up_s"]},
        "messages": mail,
    }
    # A worker killed while sending may have handed over the message(s) it was sending (one per
    # pool process): those are sent again, with the same Message-ID.
    mail_checks(drill, "kill", mail, twice_allowed=2 * len(kills))
    return phase


def cache_check(drill: Drill, when: str) -> dict[str, Any]:
    """A change made through one app server is on the next anonymous page from the other.

    In Quietshire, where nothing else writes: the cycle page is first asked for until the
    reading server serves it from its anonymous page cache (``X-Cache: hit``; the cache keeps a
    page once it has been asked for twice), then a story is logged through the other server,
    and the very next anonymous request must show it. Drillton's busy cycle page is checked the
    same way (its version moves with every story the load writes)."""
    servers = drill.stack.urls()
    world = drill.world
    quiet = world["quiet"]
    pages = [
        (quiet["slug"], quiet["cycle"]),
        (world["place"]["slug"], world["writing_cycle"]),
    ]
    writer = Person(quiet["writer"], world["password"])
    anonymous = requests.Session()

    def get(url: str) -> requests.Response:
        anonymous.cookies.clear()
        return anonymous.get(url, timeout=15)

    checked, stale = 0, []
    cached: Counter[str] = Counter()  # page → times it was served from the cache before a change
    cache_present = False
    directions = [(0, 1), (1, 0)] if len(servers) > 1 else [(0, 0)]
    for n, ((a, b), (slug, cycle)) in enumerate(itertools.product(directions, pages)):
        page = f"/places/{slug}/cycles/{cycle}/"
        for _ in range(3):  # until the reading side serves it from its cache
            seen = get(f"{servers[b]}{page}").headers.get("X-Cache")
            cache_present = cache_present or seen is not None
            if seen == "hit":
                cached[slug] += 1
                break
        marker = f"{drill.report.name}-cache-{when.replace(' ', '-')}-{n}"
        if not writer.signed_in:
            writer.sign_in(servers[a])
        path = f"/places/{slug}/cycles/{cycle}/entries/new/"
        answer = writer.session.post(
            f"{servers[a]}{path}",
            data={
                "kind": "story",
                "body": f"Still here: {marker}",
                "visibility": "public",
                "csrfmiddlewaretoken": writer.csrf(),
            },
            headers={"Referer": f"{servers[a]}{path}"},
            allow_redirects=False,
            timeout=15,
        )
        if answer.status_code != 302:
            stale.append(f"the change through {servers[a]} failed ({answer.status_code})")
            continue
        shown = get(f"{servers[b]}{page}")
        checked += 1
        if marker not in shown.text:
            stale.append(
                f"{servers[b]}{page} (X-Cache: {shown.headers.get('X-Cache')}) after a "
                f"change through {servers[a]}"
            )
    drill.check(
        f"cache ({when}): no stale anonymous page from either server", not stale, str(stale)
    )
    if cache_present:  # the anonymous page cache is there (X-Cache): the check must exercise it
        drill.check(
            f"cache ({when}): the quiet page came from the cache before each change",
            cached[quiet["slug"]] == len(directions),
            f"{cached[quiet['slug']]} of {len(directions)}",
        )
    return {
        "phase": f"cache-check ({when})",
        "pages_checked": checked,
        "cache_present": cache_present,
        "served_from_cache_before_the_change": dict(cached),
        "stale": len(stale),
    }


# --- The drills ---------------------------------------------------------------------------------


@dataclass
class Template:
    """The migrated, seeded database every drill starts from, and the collected static files."""

    root: Path
    postgres: PrivatePostgres
    static_root: Path
    world: dict[str, Any]
    keep_data: bool = False


@contextlib.contextmanager
def template_in(root: Path | None = None, *, keep_data: bool = False) -> Iterator[Template]:
    """The template in ``root`` (a new temporary directory, removed afterwards, if None). In a
    given ``root`` the drills' logs are kept; the databases too with ``keep_data``."""
    keep = root is not None
    root = root or Path(tempfile.mkdtemp(prefix="relational-drills-"))
    try:
        postgres, static_root, world = build_template(root)
        yield Template(root, postgres, static_root, world, keep_data)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
        elif not keep_data:
            shutil.rmtree(root / "template", ignore_errors=True)
            shutil.rmtree(root / "var", ignore_errors=True)


DrillSteps = Callable[[Drill], list[dict[str, Any]]]


def run_drill(
    template: Template,
    name: str,
    title: str,
    steps: DrillSteps,
    durations: Durations,
    *,
    apps: int = 1,
    workers: int = 1,
) -> Report:
    report = Report(
        name=name,
        title=title,
        topology={"app_servers": apps, "gunicorn_workers_each": 2, "celery_workers": workers,
                  "celery_concurrency_each": 2, "beats": 1},
        version=durations.version,
    )  # fmt: skip
    stack = Stack(
        root=template.root / name,
        template=template.postgres,
        static_root=template.static_root,
        apps=apps,
        workers=workers,
        schedule=durations.schedule,
        extra_env={"DIGEST_BATCH_SIZE": str(DIGEST_BATCH_SIZE)},
        keep_data=template.keep_data,
    )
    started = time.monotonic()
    with running(stack):
        load = Load(
            stack.urls(),
            template.world,
            readers=durations.readers,
            writers=durations.writers,
            label=name,
        ).start()
        drill = Drill(stack, load, template.world, durations, report)
        try:
            time.sleep(durations.warmup)
            report.phases = steps(drill)
            time.sleep(1.0)
        finally:
            load.stop()
        report.requests = request_figures(load.outcomes)
        acknowledged = {w.marker for w in load.writes}
        saved = {
            match
            for (body,) in drill.sql(
                "SELECT body FROM learning_entry WHERE cycle_id = %s",
                template.world["writing_cycle"],
            )
            for match in re.findall(r"Still here: (\S+)", body)
        }
        missing = acknowledged - saved
        report.writes = {"acknowledged": len(acknowledged), "missing": len(missing)}
        drill.check(
            "every write a person was told had succeeded is in the database",
            not missing and bool(acknowledged),
            f"{len(missing)} of {len(acknowledged)} missing: {sorted(missing)[:5]}",
        )
        dead = [f"{p.name} (log: {p.log})" for p in stack.processes() if not p.alive()]
        drill.check("every process is still running at the end", not dead, str(dead))
    report.seconds = round(time.monotonic() - started, 1)
    return report


def drill_redis(template: Template, durations: Durations) -> Report:
    return run_drill(
        template,
        "redis-outage",
        f"Redis stopped for {durations.redis_outage:g} s under load",
        lambda d: [redis_outage(d)],
        durations,
    )


def drill_postgres(template: Template, durations: Durations) -> Report:
    return run_drill(
        template,
        "postgres-outage",
        f"PostgreSQL stopped for {durations.pg_outage:g} s under load",
        lambda d: [postgres_outage(d)],
        durations,
    )


def drill_worker_kill(template: Template, durations: Durations) -> Report:
    return run_drill(
        template,
        "worker-kill",
        "A worker's main process killed with SIGKILL mid-digest",
        lambda d: [worker_kill(d)],
        durations,
    )


def drill_two_servers(template: Template, durations: Durations) -> Report:
    def steps(d: Drill) -> list[dict[str, Any]]:
        return [
            cache_check(d, "start"),
            redis_outage(d),
            cache_check(d, "after Redis returned"),
            postgres_outage(d),
            cache_check(d, "after PostgreSQL returned"),
            worker_kill(d),
            cache_check(d, "after the worker kill"),
        ]

    return run_drill(
        template,
        "two-servers",
        "Two app servers and two workers on one PostgreSQL and one Redis: all three faults",
        steps,
        durations,
        apps=2,
        workers=2,
    )


DRILLS: dict[str, Callable[[Template, Durations], Report]] = {
    "redis-outage": drill_redis,
    "postgres-outage": drill_postgres,
    "worker-kill": drill_worker_kill,
    "two-servers": drill_two_servers,
}

RESULTS = BASE_DIR / "bench" / "results" / "drills.json"
