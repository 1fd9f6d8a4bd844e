"""Benchmark: the main pages under gunicorn, each against two reference pages of the same server.

    make bench-pages                     # or: .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --smoke   # any small dataset, a second a page (make test)

One run, on the database in ``DATABASE_URL`` (the embedded one of ``make run`` if unset):

1. counts the dataset's rows and refuses to go on below the full dataset (``manage.py
   seed_scale``), unless ``--smoke``;
2. builds each page's list of URLs (anonymous: at least 300 different places, cycles or
   decisions, and 1,000 different library searches; signed in: 100 members, each with a session
   of their own made in the database, reading what they may see of their own places);
3. collects the static files and starts gunicorn as in production (``DEBUG=false``, the HTTPS
   switches off by their documented override ``HTTPS_OFF=true``, 2 sync workers, persistent
   database connections) with ``BENCH_COUNT_QUERIES=true``, so every response says how many SQL
   statements it took;
4. drives every page with wrk on loopback (16 connections, a warm-up, then 30 seconds), rotating
   over its URL list (``bench/rotate.lua``), and the two references the same way, anonymous and
   signed in: ``/_bench/text`` (a short text) and ``/_bench/table`` (50 rows × 6 columns from one
   ORM query through a plain template), both in ``relational/bench_views.py``. The warm-up first
   asks for every anonymous URL twice and every signed-in one once, so the anonymous page cache
   and the rendered lists kept for signed-in readers hold what a site's steady state would; the
   share of anonymous answers served from the page cache is recorded as ``cache_hits``;
5. writes ``bench/results/pages.json`` (row counts, commit, cores, and per page: requests per
   second, p50/p95/p99, errors, queries per request, the ratio to each reference) and
   ``pages.md``, prints the table, and exits 1 if a target is missed.

Each page is compared with the references measured the same way (anonymous pages with anonymous
references; signed-in pages with references requested with members' session cookies): the
reference it is judged against (anonymous: the text; signed in: the table) is measured again
right after it (``--reference-seconds``, 15), so the ratio compares the two at the same moment
however the shared machine drifts; the start and end measurements give the other ratio. The
references never read the session or the user (Django loads them only when asked), so a
signed-in page's ratio also counts what signing in costs it. ``--baseline`` compares with an
earlier results file (the same pages at a tenth of the data, ``--tenth``): the query counts must
be the same and p95 within 1.2 ×. ``--judge RESULTS`` judges a results file again.

``--smoke`` runs on any dataset with at least one of each thing a page needs (``seed_demo`` is
enough), a second per page and no warm-up, and checks only what does not depend on the machine:
zero errors and at most 15 queries a page. It never judges timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
LUA = BASE_DIR / "bench" / "rotate.lua"
sys.path.insert(0, str(BASE_DIR))

MAX_QUERIES = 15
ANONYMOUS_MIN_RATIO_TO_TEXT = 0.5
SIGNED_IN_MIN_RATIO_TO_TABLE = 0.8
SIGNED_IN_MAX_P95_MS = 250.0
SCALING_MAX_P95_RATIO = 1.2
MIN_ANONYMOUS_URLS = 300
LIBRARY_SEARCHES = 1000
MEMBERS = 100
SIGN_OUT_FORM = 'action="/accounts/logout/"'

TENTH_RESULTS = RESULTS_DIR / "pages-tenth.json"


def dataset_minimum(scale: float) -> dict[str, int]:
    """The rows ``manage.py seed_scale --scale SCALE`` writes (1: the full dataset)."""
    from relational.scale import plan_for

    plan = plan_for(scale)
    return {
        "places": plan.places,
        "users": plan.members,
        "cycles": plan.cycles,
        "entries": plan.entries,
        "decisions": plan.decisions,
        "inputs": plan.inputs,
        "funds": plan.funds,
    }


# --- The dataset ----------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    from governance.fund_models import Fund, Idea
    from governance.models import Decision, Input
    from learning.models import Entry, LearningCycle
    from places.models import Activity, Membership, Place
    from relational.models import User

    return {
        "places": Place.objects.count(),
        "users": User.objects.count(),
        "members": Membership.objects.count(),
        "activity": Activity.objects.count(),
        "cycles": LearningCycle.objects.count(),
        "entries": Entry.objects.count(),
        "decisions": Decision.objects.count(),
        "inputs": Input.objects.count(),
        "funds": Fund.objects.count(),
        "ideas": Idea.objects.count(),
    }


def short_of(rows: dict[str, int], minimum: dict[str, int]) -> list[str]:
    return [
        f"{name}: {rows.get(name, 0):,} (it needs at least {least:,})"
        for name, least in minimum.items()
        if rows.get(name, 0) < least
    ]


def unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


# --- What each page is, and its URLs --------------------------------------------------------------


@dataclass
class Member:
    user_id: int
    name: str
    place_ids: list[int]
    cookie: str = ""


@dataclass
class Page:
    key: str
    label: str
    #: (path, place id or None) for everyone; a member reads the ones of their own places.
    anonymous: list[str] = field(default_factory=list)
    by_place: dict[int, list[str]] = field(default_factory=dict)
    #: Pages that are not about one place (the library) give every member the same list.
    everywhere: list[str] = field(default_factory=list)
    #: How many different public URLs the dataset has for this page (anonymous rotates over
    #: ``limit`` of them, drawn at random).
    available: int = 0


def _add(page: Page, place_id: int, path: str, public: bool) -> None:
    page.by_place.setdefault(place_id, []).append(path)
    if public:
        page.anonymous.append(path)


def build_pages(limit: int, rng: random.Random) -> list[Page]:
    """The eight pages of the issue, each with its URLs (the default first page of each list):
    every place, cycle, published decision and fund, by place; anonymous runs rotate over
    ``limit`` public ones drawn at random."""
    from django.urls import reverse

    from governance.fund_models import Fund
    from governance.models import Decision, Status
    from learning.models import LearningCycle
    from places.models import Place, PlaceVisibility

    public = PlaceVisibility.PUBLIC
    places = list(Place.objects.order_by("id").values_list("id", "slug", "visibility"))
    timeline = Page("timeline", "Place timeline")
    directory = Page("directory", "Member directory")
    log = Page("decision_log", "Decision log")
    api = Page("api_decisions", "API: a place's decisions")
    for pk, slug, visibility in places:
        _add(timeline, pk, reverse("places:home", kwargs={"slug": slug}), visibility == public)
        _add(
            directory, pk, reverse("places:directory", kwargs={"slug": slug}), visibility == public
        )
        _add(log, pk, reverse("governance:log", kwargs={"slug": slug}), visibility == public)
        _add(api, pk, f"/api/v1/places/{slug}/decisions", visibility == public)

    cycle = Page("cycle", "A cycle's latest entries")
    for pk, place_id, slug, visibility in LearningCycle.objects.order_by("-id").values_list(
        "id", "place_id", "place__slug", "place__visibility"
    ):
        path = reverse("learning:cycle", kwargs={"slug": slug, "pk": pk})
        _add(cycle, place_id, path, visibility == public)

    decision = Page("decision_inputs", "A decision's inputs")
    for pk, place_id, slug, visibility in (
        Decision.objects.exclude(status=Status.DRAFT)
        .order_by("-id")
        .values_list("id", "place_id", "place__slug", "place__visibility")
    ):
        path = reverse("governance:decision", kwargs={"slug": slug, "pk": pk})
        _add(decision, place_id, path, visibility == public)

    fund = Page("fund_ideas", "A fund's ideas")
    for pk, place_id, slug, visibility in Fund.objects.order_by("-id").values_list(
        "id", "place_id", "place__slug", "place__visibility"
    ):
        path = reverse("funds:fund", kwargs={"slug": slug, "fund_id": pk})
        _add(fund, place_id, path, visibility == public)

    library = Page("library", "Learning library search")
    library.anonymous = [f"{reverse('learning:library')}?q={q}" for q in library_searches(rng)]
    library.everywhere = library.anonymous
    pages = [timeline, directory, cycle, library, log, decision, fund, api]
    for page in pages:
        page.available = len(page.anonymous)
        if page is not library and len(page.anonymous) > limit:
            page.anonymous = rng.sample(page.anonymous, limit)
    return pages


def library_searches(rng: random.Random, wanted: int = LIBRARY_SEARCHES) -> list[str]:
    """Different searches people would type: words and word pairs from the library's cycles."""
    from urllib.parse import quote_plus

    from learning.models import LearningCycle

    words_of: list[list[str]] = []
    for title, question in LearningCycle.objects.in_library().values_list("title", "question")[
        :5000
    ]:
        words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", f"{title} {question}")]
        if words:
            words_of.append(words)
    if not words_of:
        raise SystemExit("The library is empty: no concluded or stopped cycle in a public place.")
    searches: dict[str, None] = {}
    vocabulary = sorted({w for words in words_of for w in words})
    for words in words_of:  # one word, then neighbouring pairs ("housing repairs")
        for i, word in enumerate(words):
            searches.setdefault(word)
            if i + 1 < len(words):
                searches.setdefault(f"{word} {words[i + 1]}")
    tries = 0
    while len(searches) < wanted and tries < wanted * 20:  # a small library: any two words
        searches.setdefault(f"{rng.choice(vocabulary)} {rng.choice(vocabulary)}")
        tries += 1
    chosen = list(searches)
    rng.shuffle(chosen)
    return [quote_plus(q) for q in chosen[:wanted]]


def pick_members(count: int, rng: random.Random) -> list[Member]:
    """Members (not stewards: the typical reader) spread over as many places as possible, round
    robin, each once, drawn at random within each place. In id order each place's first member
    is the steward who founded it: a sample of those would be stewards alone at full size and a
    mix at a tenth, and a steward's pages ask different questions (flags to look at, every
    draft), so the two runs' query counts would differ for that and not for the data."""
    from places.models import Membership, Role

    rows = list(
        Membership.objects.filter(user__is_active=True, role=Role.MEMBER)
        .order_by("place_id", "id")
        .values_list("place_id", "user_id", "user__display_name")[:200_000]
    )
    by_place: dict[int, list[tuple[int, str]]] = {}
    for place_id, user_id, name in rows:
        by_place.setdefault(place_id, []).append((user_id, name))
    chosen: dict[int, Member] = {}
    queues = [rng.sample(v, len(v)) for v in by_place.values()]
    while len(chosen) < count and any(queues):
        for queue in queues:
            while queue and queue[0][0] in chosen:
                queue.pop(0)
            if queue and len(chosen) < count:
                user_id, name = queue.pop(0)
                chosen[user_id] = Member(user_id, name, [])
    for place_id, user_id, _ in rows:
        if user_id in chosen:
            chosen[user_id].place_ids.append(place_id)
    return list(chosen.values())


def signed_in_requests(page: Page, members: list[Member], wanted: int) -> list[tuple[str, str]]:
    """(path, cookie) pairs: member k reads what the page has in their own places (or, for a
    page not about one place or a place without one, what everyone may read)."""
    pairs: list[tuple[str, str]] = []
    for k in range(max(wanted, len(members))):
        member = members[k % len(members)]
        own = [p for place_id in member.place_ids for p in page.by_place.get(place_id, [])]
        if own:  # the member's next URL of their own
            pairs.append((own[(k // len(members)) % len(own)], member.cookie))
        else:  # the next URL of the shared list
            shared = page.everywhere or page.anonymous
            pairs.append((shared[k % len(shared)], member.cookie))
    return pairs


@contextmanager
def member_sessions(members: list[Member]) -> Iterator[None]:
    """A signed-in session for each member, made as Django's login() makes one, deleted after."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from relational.models import User

    users = User.objects.in_bulk([m.user_id for m in members])
    stores = []
    for member in members:
        store = SessionStore()
        store[SESSION_KEY] = str(member.user_id)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = users[member.user_id].get_session_auth_hash()
        store.create()
        member.cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
        stores.append(store)
    try:
        yield
    finally:
        for store in stores:
            store.delete()


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, cookie: str = "") -> tuple[int, str]:
    """GET on loopback; raises TimeoutError after 30 seconds."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise error.reason from None
        raise


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[str]:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    command = [
        sys.executable, "-m", "gunicorn", "relational.wsgi",
        f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=sync",
        "--no-control-socket", "--log-level=warning", "--timeout=60",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped as it started (exit {server.returncode})")
            try:
                if get(f"{base}/_bench/text")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer within 60 seconds")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- One measured page ----------------------------------------------------------------------------


def wrk(base: str, url_file: Path, seconds: float, connections: int) -> dict[str, Any]:
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", str(LUA), base, "--", str(url_file),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(line[len("BENCH ") :])


def fill_cache(base: str, requests: list[tuple[str, str]], threads: int = 4) -> None:
    """Ask for each URL as the steady state of a site would have: each anonymous URL twice (the
    anonymous page cache keeps a page only on its second request within a minute,
    ``relational.pagecache.SEEN_SECONDS``), each signed-in (URL, member) once (the rendered
    lists kept for readers alike, ``places/templatetags/parts.py``); a timed run rotating over
    hundreds of URLs would otherwise measure mostly first visits."""
    anonymous = sorted({path for path, cookie in requests if not cookie})
    signed_in = sorted({(path, cookie) for path, cookie in requests if cookie})
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(2):
            list(pool.map(lambda path: get(base + path), anonymous))
        list(pool.map(lambda pair: get(base + pair[0], pair[1]), signed_in))


def measure(
    base: str,
    requests: list[tuple[str, str]],
    *,
    seconds: float,
    warmup: float,
    connections: int,
    workdir: Path,
) -> dict[str, Any]:
    url_file = workdir / "urls.txt"
    url_file.write_text("".join(f"{path}\t{cookie}\n" for path, cookie in requests))
    if warmup > 0:
        fill_cache(base, requests)
        wrk(base, url_file, warmup, connections)
    raw = wrk(base, url_file, seconds, connections)
    socket_errors = sum(raw["socket_errors"].values())
    seconds_run = raw["duration_us"] / 1e6
    counted = raw["queries_counted"] or 1
    answered = raw["requests"] > 0  # none at all: every request outlasted the run

    def ms(us: int) -> float | None:
        return round(us / 1000, 1) if answered else None

    return {
        "urls": len({path for path, _ in requests}),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": ms(raw["p50_us"]),
        "p95_ms": ms(raw["p95_us"]),
        "p99_ms": ms(raw["p99_us"]),
        "errors": raw["not_200"] + socket_errors + (0 if answered else connections),
        "error_detail": {
            "not_200": raw["not_200"],
            "statuses": raw["not_200_statuses"].strip(),
            "unanswered": 0 if answered else connections,
            **raw["socket_errors"],
        },
        "queries_mean": round(raw["queries_sum"] / counted, 2),
        "queries_max": raw["queries_max"],
        "queries_counted": raw["queries_counted"],
        "cache_hits": round(raw["cache_hits"] / (raw["answers"] or 1), 3),
        "example": requests[0][0],
    }


def preflight(base: str, requests: list[tuple[str, str]], signed_in: bool) -> list[str]:
    """The first few requests answer 200, and signed-in ones show the sign-out form."""
    problems = []
    for path, cookie in requests[:3]:
        try:
            status, body = get(base + path, cookie)
        except TimeoutError:
            continue  # too slow is for the measurement to show (as errors), not a wrong setup
        if status != 200:
            problems.append(f"GET {path} answered {status}")
        elif signed_in and path.startswith("/places/") and SIGN_OUT_FORM not in body:
            problems.append(f"GET {path} with a member's session did not show them signed in")
    return problems


# --- The run --------------------------------------------------------------------------------------


def environment() -> ExitStack:
    """DATABASE_URL and REDIS_URL (embedded servers for whichever is unset), and the production
    settings the server runs with, in this process's environment (the harness reads the same
    database and cache, and signs the sessions with the same key)."""
    stack = ExitStack()
    if not os.environ.get("DATABASE_URL"):
        from relational.embedded import PostgresServer

        pg = PostgresServer(BASE_DIR / "var" / "pgdata").start()
        stack.callback(pg.stop)
        os.environ["DATABASE_URL"] = pg.url
    if not os.environ.get("REDIS_URL"):
        from relational.embedded import RedisServer

        redis = RedisServer(BASE_DIR / "var" / "redis").start()
        stack.callback(redis.stop)
        os.environ["REDIS_URL"] = redis.url
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "relational.settings",
            "DEBUG": "false",
            "HTTPS_OFF": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    # The server's collected static files go under var/bench/, not var/staticfiles/ (which a
    # test run in the same checkout may be reading).
    os.environ.setdefault("RELATIONAL_VAR_DIR", str(BASE_DIR / "var" / "bench"))
    return stack


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


@dataclass
class Site:
    """A server on one dataset, with its pages' URLs and its members' sessions."""

    base: str
    rows: dict[str, int]
    pages: list[Page]
    members: list[Member]


def prepare(
    args: argparse.Namespace,
) -> tuple[dict[str, int], dict[str, int], list[Page], list[Member]]:
    """The dataset's row counts and minimum, and the pages and members to measure; refuses a
    dataset smaller than the run needs (unless ``--smoke``)."""
    if pending := unapplied_migrations():
        raise SystemExit(f"The database needs `manage.py migrate` first ({', '.join(pending)}).")
    rows = row_counts()
    minimum = dataset_minimum(args.scale)
    if not args.smoke and (short := short_of(rows, minimum)):
        raise SystemExit(
            f"This is not the {scale_name(args.scale)} dataset, so the figures would "
            "mean nothing:\n  "
            + "\n  ".join(short)
            + "\nLoad it with `manage.py seed_scale"
            + (f" --scale {args.scale:g}" if args.scale != 1 else "")
            + "`, or use --smoke for a quick check."
        )
    rng = random.Random(42)
    pages = [p for p in build_pages(args.urls, rng) if not args.pages or p.key in args.pages]
    for page in pages:
        if not page.anonymous:
            raise SystemExit(f"Nothing to show for {page.label}: the dataset has none in public.")
    members = pick_members(MEMBERS, rng)
    if not members:
        raise SystemExit("The dataset has no members to sign in as.")
    return rows, minimum, pages, members


def scale_name(scale: float) -> str:
    return {1.0: "full", 0.1: "tenth", 10.0: "ten times"}.get(scale, f"{scale:g} ×")


def serve(args: argparse.Namespace) -> None:
    """``--serve``: the server of the dataset measured beside the main one (``--beside``). It
    prints one line, ``SITE`` and the site as JSON, then serves until its input closes (the
    main run ends, or stops), then stops the server and deletes the sessions it made."""
    import django

    django.setup()
    from django.db import connection

    rows, _, pages, members = prepare(args)
    connection.close()
    env = dict(os.environ, BENCH_COUNT_QUERIES="true")
    with member_sessions(members), gunicorn(env, free_port(), args.workers) as base:
        site = Site(base, rows, pages, members)
        print("SITE " + json.dumps(asdict(site)), flush=True)
        sys.stdin.read()


def other_redis_db(url: str) -> str:
    """The same Redis server, the next database number: the two datasets have the same ids and
    slugs, so what one server keeps in its cache must not be what the other finds."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number + 1) % 16}"))


@contextmanager
def beside_site(args: argparse.Namespace) -> Iterator[Site]:
    """The ``--beside`` dataset's server, started by this script in a process of its own."""
    env = dict(
        os.environ,
        DATABASE_URL=args.beside,
        REDIS_URL=other_redis_db(os.environ["REDIS_URL"]),
    )
    command = [
        sys.executable, __file__, "--serve", f"--scale={args.beside_scale}",
        f"--urls={args.urls}", f"--workers={args.workers}",
    ]  # fmt: skip
    if args.pages:
        command += ["--pages", *args.pages]
    child = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        line = next((ln for ln in child.stdout if ln.startswith("SITE ")), None)
        if line is None:
            raise SystemExit(f"The --beside dataset's server did not start (exit {child.wait()}).")
        data = json.loads(line[len("SITE ") :])
        yield Site(
            data["base"],
            data["rows"],
            [
                Page(**dict(p, by_place={int(k): v for k, v in p["by_place"].items()}))
                for p in data["pages"]
            ],
            [Member(**m) for m in data["members"]],
        )
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    rows, minimum, pages, members = prepare(args)
    load_start = os.getloadavg()
    connection.close()  # the server's workers open their own

    env = dict(os.environ, BENCH_COUNT_QUERIES="true")
    results: list[dict[str, Any]] = []
    beside_results: list[dict[str, Any]] = []
    references: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with (
        member_sessions(members),
        tempfile.TemporaryDirectory() as tmp,
        beside_site(args) if args.beside else nullcontext() as beside,
        gunicorn(env, free_port(), args.workers) as base,
    ):
        main = Site(base, rows, pages, members)
        workdir = Path(tmp)
        timing = {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "connections": args.connections,
            "workdir": workdir,
        }
        for site in (main, beside) if beside else (main,):
            signed_out = [
                m for m in site.members if SIGN_OUT_FORM not in get(site.base + "/", m.cookie)[1]
            ]
            if signed_out:
                raise SystemExit(f"{len(signed_out)} member sessions do not sign anyone in")
        who_runs = [w for w in ("anonymous", "signed_in") if not args.who or w == args.who]

        def refs_for(who: str) -> list[tuple[str, list[tuple[str, str]]]]:
            cookies = [m.cookie for m in members] if who == "signed_in" else [""]
            return [
                (name, [(path, c) for c in cookies])
                for name, path in (("text", "/_bench/text"), ("table", "/_bench/table"))
            ]

        def measure_references() -> None:
            for who in who_runs:
                for name, requests in refs_for(who):
                    figures = measure(base, requests, **timing)
                    references.setdefault(who, {}).setdefault(name, []).append(figures)
                    say(f"reference {name:<6} {who:<10} {figures['rps']:>8} req/s")

        def measure_page(site: Site, key: str, who: str) -> dict[str, Any]:
            page = next(p for p in site.pages if p.key == key)
            if who == "anonymous":
                requests = [(p, "") for p in page.anonymous]
            else:
                requests = signed_in_requests(page, site.members, args.urls)
            if problems := preflight(site.base, requests, who == "signed_in"):
                raise SystemExit(f"{page.label} ({who}): " + "; ".join(problems))
            figures = measure(site.base, requests, **timing)
            figures.update(page=page.key, label=page.label, who=who, available=page.available)
            if who == "signed_in":
                figures["members"] = len({c for _, c in requests})
            say(
                f"{page.label:<28} {who:<10} {figures['rps']:>8} req/s  p95 "
                f"{figures['p95_ms']} ms  queries {figures['queries_max']}  "
                f"errors {figures['errors']}" + ("  (beside)" if site is beside else "")
            )
            return figures

        def measure_next_reference(who: str, figures: dict[str, Any]) -> None:
            """The reference a page is judged against (anonymous: the text; signed in: the
            table), measured right after it, so the ratio compares the two at the same moment
            of the machine, however it drifts during the run."""
            name = "text" if who == "anonymous" else "table"
            ref = measure(base, dict(refs_for(who))[name], **reference_timing)
            figures["next_reference"] = {
                "name": name,
                "rps": ref["rps"],
                "p95_ms": ref["p95_ms"],
                "errors": ref["errors"],
            }
            say(f"  reference {name:<6} {who:<10} {ref['rps']:>8} req/s, right after it")

        reference_timing = dict(timing, seconds=min(args.seconds, args.reference_seconds))
        measure_references()
        turn = 0
        for page in pages:
            for who in who_runs:
                # With --beside, side by side in turns (this dataset first, then the other
                # first), so a drift of the machine falls on both alike.
                order = [(main, results), (beside, beside_results)] if beside else [(main, results)]
                for site, into in order if turn % 2 == 0 else reversed(order):
                    into.append(measure_page(site, page.key, who))
                    if site is main:
                        measure_next_reference(who, into[-1])
                turn += 1
        if not args.smoke:  # again at the end, so a drift of the machine is averaged out
            measure_references()

    reference_rps = {
        who: {name: round(sum(r["rps"] for r in runs) / len(runs), 1) for name, runs in by.items()}
        for who, by in references.items()
    }
    for figures in results:
        refs = reference_rps[figures["who"]]
        figures["ratio_text"] = round(figures["rps"] / refs["text"], 3)
        figures["ratio_table"] = round(figures["rps"] / refs["table"], 3)
        # The ratio a page is judged by is to its reference measured right after it.
        if (after := figures.get("next_reference")) and after["rps"]:
            figures[f"ratio_{after['name']}"] = round(figures["rps"] / after["rps"], 3)
    return {
        "benchmark": "pages under gunicorn against two reference pages",
        "mode": "smoke" if args.smoke else scale_name(args.scale),
        "commit": commit(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_start],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "server": {
            "gunicorn_workers": args.workers,
            "worker_class": "sync",
            "DEBUG": False,
            "HTTPS_OFF": True,
            "DB_CONN_MAX_AGE": 600,
            "load": f"wrk, 2 threads, {args.connections} connections, loopback",
            "seconds_per_page": args.seconds,
            "warmup_seconds": args.warmup,
        },
        "dataset": {
            "database": os.environ["DATABASE_URL"].rsplit("/", 1)[-1],
            "rows": rows,
            "minimum": minimum,
        },
        "members_signed_in": len(members),
        "references": {
            who: {
                name: {"rps": reference_rps[who][name], "runs": runs} for name, runs in by.items()
            }
            for who, by in references.items()
        },
        "pages": results,
        **(
            {
                "beside": {
                    "database": args.beside.rsplit("/", 1)[-1],
                    "scale": args.beside_scale,
                    "rows": beside.rows,
                    "pages": beside_results,
                }
            }
            if beside
            else {}
        ),
    }


def judge(report: dict[str, Any], baseline: dict[str, Any] | None, smoke: bool) -> list[dict]:
    """Each target with whether it was met. The smoke run and the tenth-of-the-data run check
    errors and query counts only."""
    targets: list[dict[str, Any]] = []

    def target(what: str, met: bool, figure: object) -> None:
        targets.append({"target": what, "met": bool(met), "figure": figure})

    for p in report["pages"]:
        name = f"{p['label']} ({p['who'].replace('_', ' ')})"
        target(f"{name}: no errors", p["errors"] == 0, p["errors"])
        target(
            f"{name}: ≤ {MAX_QUERIES} queries", p["queries_max"] <= MAX_QUERIES, p["queries_max"]
        )
        if smoke:
            continue
        if p["who"] == "anonymous":
            target(
                f"{name}: ≥ {ANONYMOUS_MIN_RATIO_TO_TEXT} × the text reference",
                p["ratio_text"] >= ANONYMOUS_MIN_RATIO_TO_TEXT,
                p["ratio_text"],
            )
            if p["page"] != "library":  # every public place, when there are fewer than 300
                wanted = min(MIN_ANONYMOUS_URLS, p["available"])
                target(
                    f"{name}: ≥ {wanted} different URLs (of {p['available']} public)",
                    p["urls"] >= wanted,
                    p["urls"],
                )
        else:
            target(
                f"{name}: ≥ {SIGNED_IN_MIN_RATIO_TO_TABLE} × the 50-row reference",
                p["ratio_table"] >= SIGNED_IN_MIN_RATIO_TO_TABLE,
                p["ratio_table"],
            )
            target(
                f"{name}: p95 < {SIGNED_IN_MAX_P95_MS:.0f} ms",
                p["p95_ms"] is not None and p["p95_ms"] < SIGNED_IN_MAX_P95_MS,
                p["p95_ms"],
            )
            target(f"{name}: {MEMBERS} members", p.get("members", 0) >= MEMBERS, p.get("members"))
        if p["page"] == "library" and p["who"] == "anonymous":
            target(
                f"{name}: ≥ {LIBRARY_SEARCHES} different searches",
                p["urls"] >= LIBRARY_SEARCHES,
                p["urls"],
            )
    if baseline is not None:
        before = {(p["page"], p["who"]): p for p in baseline["pages"]}
        for p in report["pages"]:
            old = before.get((p["page"], p["who"]))
            if old is None:
                continue
            name = f"{p['label']} ({p['who'].replace('_', ' ')})"
            target(
                f"{name}: same queries as with less data",
                p["queries_max"] == old["queries_max"],
                f"{old['queries_max']} → {p['queries_max']}",
            )
            if not smoke and p["p95_ms"] is not None and old["p95_ms"] is not None:
                ratio = p["p95_ms"] / max(old["p95_ms"], 0.1)
                target(
                    f"{name}: p95 ≤ {SCALING_MAX_P95_RATIO} × with less data",
                    ratio <= SCALING_MAX_P95_RATIO,
                    f"{old['p95_ms']} → {p['p95_ms']} ms ({ratio:.2f} ×)",
                )
    return targets


def reference_drift(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, list[float]]:
    """Each reference's req/s in the baseline run and in this one. The references do the same
    work whatever the data, so how they moved is the machine's own drift between the two runs,
    which the p95 comparison takes in too (shown beside it, never subtracted from it)."""
    moved: dict[str, list[float]] = {}
    for who, by in report["references"].items():
        for name, ref in by.items():
            old = baseline.get("references", {}).get(who, {}).get(name)
            if old is not None:
                moved[f"{name} ({who.replace('_', ' ')})"] = [old["rps"], ref["rps"]]
    return moved


def markdown(report: dict[str, Any]) -> str:
    rows = report["dataset"]["rows"]
    lines = [
        f"# Pages under gunicorn ({report['mode']} run)",
        "",
        f"Commit `{report['commit']}`, {report['machine']['cpus']} cores, {report['when']}; "
        f"{report['server']['load']}, {report['server']['seconds_per_page']} s a page after a "
        f"{report['server']['warmup_seconds']} s warm-up; 2 sync gunicorn workers, DEBUG off.",
        "",
        "Dataset: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()) + ".",
        "",
        "The references' rows are measured at the start and the end of the run (req/s the "
        "average). Each page is judged against the reference measured right after it (anonymous: "
        "the text; signed in: the table; its req/s in the last column, and **bold** the ratio "
        "judged); the other ratio is to the run's average.",
        "",
        "| page | who | URLs | req/s | p50 ms | p95 ms | p99 ms | errors | queries (max) "
        "| cache hits | × text | × table | reference right after |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for who, by in report["references"].items():
        for name, ref in by.items():
            last = ref["runs"][-1]
            lines.append(
                f"| reference: {name} | {who.replace('_', ' ')} | {last['urls']} | {ref['rps']} "
                f"| {last['p50_ms']} | {last['p95_ms']} | {last['p99_ms']} | "
                f"{sum(r['errors'] for r in ref['runs'])} | {last['queries_max']} | | | | |"
            )
    for p in report["pages"]:
        after = p.get("next_reference")
        judged = after["name"] if after else ""
        after_cell = f"{judged} {after['rps']}" if after else ""
        text, table = (
            f"**{p[f'ratio_{n}']}**" if n == judged else str(p[f"ratio_{n}"])
            for n in ("text", "table")
        )
        lines.append(
            f"| {p['label']} | {p['who'].replace('_', ' ')} | {p['urls']} | {p['rps']} "
            f"| {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} | {p['errors']} "
            f"| {p['queries_mean']:g} ({p['queries_max']}) | {p.get('cache_hits', 0):.0%} "
            f"| {text} | {table} | {after_cell} |"
        )
    if beside := report.get("beside"):
        rows = beside["rows"]
        lines += [
            "",
            f"The same pages at {beside['scale']:g} × the data (database "
            f"`{beside['database']}`), served by a second server and measured in the same run, "
            "page by page in turns with the table above (one first, then the other), so that "
            "the machine's drift falls on both alike. Dataset: "
            + ", ".join(f"{k} {v:,}" for k, v in rows.items())
            + ".",
            "",
            "| page | who | URLs | req/s | p50 ms | p95 ms | p99 ms | errors | queries (max) "
            "| cache hits | p95 here / there |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        here = {(p["page"], p["who"]): p for p in report["pages"]}
        for p in beside["pages"]:
            other = here.get((p["page"], p["who"]))
            ratio = (
                f"{other['p95_ms'] / max(p['p95_ms'], 0.1):.2f}"
                if other and other["p95_ms"] is not None and p["p95_ms"] is not None
                else ""
            )
            lines.append(
                f"| {p['label']} | {p['who'].replace('_', ' ')} | {p['urls']} | {p['rps']} "
                f"| {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} | {p['errors']} "
                f"| {p['queries_mean']:g} ({p['queries_max']}) | {p.get('cache_hits', 0):.0%} "
                f"| {ratio} |"
            )
    missed = [t for t in report["targets"] if not t["met"]]
    lines += [
        "",
        f"Targets: {len(report['targets']) - len(missed)} of {len(report['targets'])} met.",
    ]
    lines += [f"- missed: {t['target']} (here {t['figure']})" for t in missed]
    if drift := report.get("baseline", {}).get("references_rps"):
        lines += [
            "",
            f"Compared with `{Path(report['baseline']['file']).name}`. The references, the same "
            "work at any size, moved between the two runs (the machine's own drift, which the "
            "p95 comparison takes in): "
            + "; ".join(
                f"{k} {a:,.0f} → {b:,.0f} req/s ({b / a:.2f} ×)" for k, (a, b) in drift.items()
            )
            + ".",
        ]
    return "\n".join(lines) + "\n"


def say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="any small dataset, seconds a page")
    parser.add_argument("--seconds", type=float, help="measured seconds a page (30; smoke 1)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds a page (5; smoke 0)")
    parser.add_argument(
        "--reference-seconds",
        type=float,
        default=15.0,
        help="measured seconds of the reference right after each page (15, at most --seconds)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--urls", type=int, default=400, help="URLs to rotate over, a page")
    parser.add_argument("--pages", nargs="*", help="only these pages (keys), e.g. timeline")
    parser.add_argument("--who", choices=["anonymous", "signed_in"], help="only these runs")
    parser.add_argument(
        "--tenth",
        action="store_true",
        help="measure a tenth of the data (seed_scale --scale 0.1), for the full run to compare",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help=f"results at a tenth of the data (default {TENTH_RESULTS.relative_to(BASE_DIR)})",
    )
    parser.add_argument(
        "--beside",
        metavar="DATABASE_URL",
        default=os.environ.get("BENCH_BESIDE_DATABASE_URL") or None,
        help="also serve this database (a tenth of the data: seed_scale --scale 0.1) and measure "
        "each page on it in turns with the main one, in the same run; the p95 and query "
        "comparisons then use these figures (default: $BENCH_BESIDE_DATABASE_URL)",
    )
    parser.add_argument(
        "--beside-scale", type=float, default=0.1, help="the --beside dataset's scale (0.1)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help="results file (default bench/results/)")
    parser.add_argument(
        "--judge",
        type=Path,
        metavar="RESULTS",
        help="measure nothing: judge an earlier results file again (with --baseline's figures)",
    )
    args = parser.parse_args(argv)
    if args.seconds is None:
        args.seconds = 1.0 if args.smoke else 30.0
    if args.warmup is None:
        args.warmup = 0.0 if args.smoke else 5.0
    if args.scale is None:
        args.scale = 0.1 if args.tenth else 1.0
    # A stop (Ctrl-C, SIGTERM) still stops the servers and deletes the sessions made, in the
    # --serve process too (a `pkill -f bench/pages.py` stops both).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by {signum}"))
    if args.serve:
        with environment():
            serve(args)
        return 0
    if args.judge is None and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make bench-pages does it)")
    name = (
        "pages-smoke.json" if args.smoke else ("pages-tenth.json" if args.tenth else "pages.json")
    )
    output = args.output or RESULTS_DIR / name
    baseline_file = args.baseline
    if baseline_file is None and not (args.smoke or args.tenth) and TENTH_RESULTS.is_file():
        baseline_file = TENTH_RESULTS
    if args.judge is not None:
        report = json.loads(args.judge.read_text())
        output = args.output or args.judge
        args.smoke, args.tenth = report["mode"] == "smoke", report["mode"] == "tenth"
    else:
        with environment():
            report = run(args)
    baseline = json.loads(baseline_file.read_text()) if baseline_file else None
    if "beside" in report:  # measured in the same run: that is the comparison
        baseline_file = None
        baseline = {"pages": report["beside"]["pages"]}
    elif baseline is not None:
        report["baseline"] = {
            "file": str(baseline_file),
            "rows": baseline["dataset"]["rows"],
            "references_rps": reference_drift(report, baseline),
        }
    report["targets"] = judge(report, baseline, args.smoke or args.tenth)
    report["passed"] = all(t["met"] for t in report["targets"])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = markdown(report)
    output.with_suffix(".md").write_text(table)
    print("\n" + table)
    print(f"written to {output} and {output.with_suffix('.md')}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
