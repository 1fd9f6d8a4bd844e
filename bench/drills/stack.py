"""The processes a drill runs and breaks: all its own, on loopback ports, in one temp directory.

* :class:`PrivatePostgres` — PostgreSQL 16 from the ``pgserver`` wheel's binaries (so nothing
  but the project's own dependencies is needed), on a TCP port of its own, stopped and started
  again by the drill. As root, PostgreSQL runs as pgserver's ``pgserver`` system user.
* :class:`~relational.embedded.RedisServer` — a redis-server of its own on a fixed port, so it
  can be stopped and started again at the same address (empty, as a restarted cache-only Redis
  is: whatever was queued in it is gone).
* :class:`MailSink` — an SMTP server (aiosmtpd) that records every message it accepts, with its
  ``Message-ID``, so a message sent twice is counted.
* :class:`Stack` — app servers (gunicorn, two sync workers each), Celery workers (prefork, two
  processes each) and one Celery beat, run with production settings (``DEBUG=false``,
  ``HTTPS_OFF=true`` for plain HTTP on loopback) and short beat schedules.

Every process is started in a session of its own and stopped by its process group, so a worker
whose main process was killed leaves no pool child behind; nothing else on the machine is
touched.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relational.embedded import RedisServer, free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
DATABASE = "relational"


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what}: not within {timeout:.0f}s")


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    # pgserver keeps a lock under XDG_RUNTIME_DIR and warns when the variable is unset.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

    return str(POSTGRES_BIN_PATH / name)


def _pg_system_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as pgserver's own system user."""
    if os.geteuid() != 0:
        return None
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]
    from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists("pgserver")
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    return "pgserver"


def _give_to(path: Path, user: str | None) -> None:
    if user is None:
        return
    import pwd

    from pgserver.utils import ensure_prefix_permissions

    entry = pwd.getpwnam(user)
    ensure_prefix_permissions(path)
    for item in [path, *path.rglob("*")]:
        os.lchown(item, entry.pw_uid, entry.pw_gid)


class PrivatePostgres:
    """A PostgreSQL cluster in ``directory`` on ``127.0.0.1:port`` (no unix socket)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = port or free_port()
        self.user = _pg_system_user()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def dsn(self) -> str:
        """The same, as psycopg takes it."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            list(args),
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            cwd=self.directory,
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")

    def init(self) -> PrivatePostgres:
        self.directory.mkdir(parents=True, exist_ok=True)
        _give_to(self.directory, self.user)
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=utf8", "--locale=C.UTF-8",
        )  # fmt: skip
        return self

    def copy_from(self, template: PrivatePostgres) -> PrivatePostgres:
        """A cluster of its own with the template's (stopped) data."""
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.copytree(template.data, self.data, symlinks=True)
        for stale in ("postmaster.pid", "postmaster.opts"):
            (self.data / stale).unlink(missing_ok=True)
        _give_to(self.directory, self.user)
        return self

    def start(self) -> PrivatePostgres:
        # The log is appended to, so one file tells the whole drill (stop, start, connections).
        self.log.touch()
        _give_to(self.log, self.user)
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=200", "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: open sessions are ended, committed work is kept)."""
        if not (self.data / "postmaster.pid").exists():
            return
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-m", mode, "stop")

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement on the drill database (autocommit) and return its rows."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as c:
            cursor = c.execute(query, params or None)
            return list(cursor.fetchall()) if cursor.description else []


# --- Mail ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    at: float
    message_id: str
    to: tuple[str, ...]
    subject: str


class MailSink:
    """An SMTP server on loopback that accepts everything and remembers what it accepted.

    A message counts as received once its data has arrived, as at a real mail server, which
    may deliver a message whose sender vanished before the reply. :meth:`hold` holds back the
    ``250`` reply to messages for some recipients until :meth:`release`: a sender killed
    meanwhile has handed its message over without knowing it, so the message is sent again
    (SMTP's caveat).
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.in_flight: dict[int, tuple[str, ...]] = {}  # sender's port → recipients, before 250
        self.held: set[str] = set()
        self._lock = threading.Lock()
        self._controller: Any = None

    def start(self) -> MailSink:
        import asyncio

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                record = Received(
                    at=time.monotonic(),
                    message_id=str(message.get("Message-ID", "")).strip(),
                    to=tuple(str(a).lower() for a in envelope.rcpt_tos),
                    subject=str(message.get("Subject", "")),
                )
                port = int(session.peer[1])
                with sink._lock:
                    sink.received.append(record)
                    sink.in_flight[port] = record.to
                try:
                    while sink.held.intersection(record.to):
                        await asyncio.sleep(0.01)
                finally:
                    with sink._lock:
                        sink.in_flight.pop(port, None)
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def hold(self, recipients: set[str]) -> None:
        """Take messages to these recipients but do not answer 250 until :meth:`release`."""
        self.held = {r.lower() for r in recipients}

    def release(self) -> None:
        self.held = set()

    def sending(self) -> dict[int, tuple[str, ...]]:
        """The messages being taken right now: the sender's local port → recipients."""
        with self._lock:
            return dict(self.in_flight)


# --- The application's processes ----------------------------------------------------------------


def _socket_inodes(port: int) -> set[str]:
    """The inodes of the open TCP sockets on local ``port`` (from /proc/net/tcp and tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] != "0":
                    inodes.add(fields[9])  # inode 0: a closed socket in TIME_WAIT
    return inodes


@dataclass
class Schedule:
    """Beat's intervals for a drill, in seconds (production's are minutes; see settings.py)."""

    digests: int = 5
    outbox_sweep: int = 5
    prompts: int = 5
    invitations: int = 5

    def env(self) -> dict[str, str]:
        return {
            "DIGEST_RUN_SECONDS": str(self.digests),
            "OUTBOX_SWEEP_SECONDS": str(self.outbox_sweep),
            "PROMPT_RUN_SECONDS": str(self.prompts),
            "INVITATION_SWEEP_SECONDS": str(self.invitations),
        }


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def group_alive(self) -> bool:
        """Whether anything of this process's group (its children included) is still running."""
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def kill_main(self) -> None:
        """SIGKILL the main process only (its children, if any, are left to notice)."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=20)

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        """TERM the whole process group, then KILL whatever is left of it."""
        self.terminate()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (self.alive() or self.group_alive()):
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


@dataclass
class Stack:
    """One drill's world: PostgreSQL, Redis, a mail sink, app servers, workers and a beat."""

    root: Path
    template: PrivatePostgres
    static_root: Path
    apps: int = 1
    workers: int = 1
    schedule: Schedule = field(default_factory=Schedule)
    keep_data: bool = False  # keep PostgreSQL's data after the drill (logs are always kept)
    extra_env: dict[str, str] = field(default_factory=dict)
    postgres: PrivatePostgres | None = None
    redis: RedisServer | None = None
    mail: MailSink | None = None
    app_servers: list[Process] = field(default_factory=list)
    app_ports: list[int] = field(default_factory=list)
    worker_processes: list[Process] = field(default_factory=list)
    beat: Process | None = None
    _count: int = 0

    # --- environment

    def env(self) -> dict[str, str]:
        assert self.postgres and self.redis and self.mail
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "REDIS_", "EMAIL_", "PYTEST", "DJANGO_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="relational.settings",
            DATABASE_URL=self.postgres.url,
            REDIS_URL=self.redis.url,
            DEBUG="false",
            SECRET_KEY="drill-secret-key-" + "k" * 40,
            HTTPS_OFF="true",
            # As behind a reverse proxy: each simulated person says their own address in
            # X-Forwarded-For (bench/drills/load.py), so one person's sign-ins after an outage
            # never use up another's write budget, as all of loopback sharing one address would.
            TRUSTED_PROXY_COUNT="1",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=f"http://127.0.0.1:{self.app_ports[0] if self.app_ports else 8000}",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.mail.port),
            EMAIL_USE_TLS="false",
            RELATIONAL_VAR_DIR=str(self.static_root.parent),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            **self.schedule.env(),
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> Process:
        self._count += 1
        log = self.root / f"{self._count:02d}-{name}.log"
        popen = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env(),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return Process(name, popen, log)

    # --- starting

    def start(self) -> Stack:
        self.root.mkdir(parents=True, exist_ok=True)
        self.postgres = PrivatePostgres(self.root / "postgres").copy_from(self.template).start()
        self.redis = RedisServer(self.root / "redis").start()
        self.mail = MailSink().start()
        self.app_ports = [free_port() for _ in range(self.apps)]
        for port in self.app_ports:
            self.app_servers.append(self.start_app(port))
        for _ in range(self.workers):
            self.worker_processes.append(self.start_worker())
        self.beat = self._spawn(
            "beat",
            [
                PYTHON, "-m", "celery", "-A", "relational", "beat", "--loglevel", "INFO",
                "--schedule", str(self.root / "celerybeat-schedule"),
            ],
        )  # fmt: skip
        for port in self.app_ports:
            self.wait_for_app(port)
        for worker in self.worker_processes:
            self.wait_for_worker(worker)
        return self

    def start_app(self, port: int) -> Process:
        return self._spawn(
            f"app-{port}",
            [
                PYTHON, "-m", "gunicorn", "relational.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30",
                "--graceful-timeout", "5", "--no-control-socket",
            ],
        )  # fmt: skip

    def start_worker(self) -> Process:
        name = f"worker-{self._count + 1}"
        return self._spawn(
            name,
            [
                PYTHON, "-m", "celery", "-A", "relational", "worker", "--loglevel", "INFO",
                "--concurrency", "2", "--hostname", f"{name}@drill",
                "--without-mingle", "--without-gossip",
            ],
        )  # fmt: skip

    def wait_for_app(self, port: int, timeout: float = 60) -> None:
        import urllib.request

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_until(answers, timeout, f"app server on port {port}")

    def wait_for_worker(self, worker: Process, timeout: float = 60) -> None:
        def ready() -> bool:
            if not worker.alive():
                raise RuntimeError(f"{worker.name} exited:\n{worker.output()[-3000:]}")
            return " ready." in worker.output()

        wait_until(ready, timeout, worker.name)

    def restart_worker(self, dead: Process, *, wait: bool = True) -> Process:
        """Start a worker in place of a dead one (what a process supervisor does)."""
        dead.stop()
        index = self.worker_processes.index(dead)
        fresh = self.start_worker()
        self.worker_processes[index] = fresh
        if wait:
            self.wait_for_worker(fresh)
        return fresh

    def revive_exited_workers(self) -> list[str]:
        """Start again each worker that exited by itself, as the deployment's supervisor does
        (docker-compose.yml: ``restart: unless-stopped``). Their names and logs, for the
        report: a worker that exits is a finding even when it comes back."""
        revived = []
        for worker in list(self.worker_processes):
            if not worker.alive():
                revived.append(f"{worker.name} (log: {worker.log})")
                self.restart_worker(worker)
        return revived

    def worker_using_port(self, port: int) -> Process | None:
        """The worker one of whose processes has the TCP socket on local ``port`` (Linux)."""
        import psutil

        sockets = {f"socket:[{inode}]" for inode in _socket_inodes(port)}
        if not sockets:
            return None
        for worker in self.worker_processes:
            with contextlib.suppress(psutil.Error):
                main = psutil.Process(worker.pid)
                for pid in [main.pid, *(c.pid for c in main.children(recursive=True))]:
                    with contextlib.suppress(OSError):
                        fds = Path(f"/proc/{pid}/fd")
                        for fd in fds.iterdir():
                            with contextlib.suppress(OSError):
                                if os.readlink(fd) in sockets:
                                    return worker
        return None

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.app_ports]

    def stop(self) -> None:
        processes = self.processes()
        for process in processes:
            process.terminate()
        for process in processes:
            process.stop()
        if self.mail:
            self.mail.stop()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            with contextlib.suppress(subprocess.SubprocessError, RuntimeError):
                self.postgres.stop("immediate")
            if not self.keep_data:
                shutil.rmtree(self.postgres.data, ignore_errors=True)

    def processes(self) -> list[Process]:
        return [p for p in [*self.app_servers, *self.worker_processes, self.beat] if p]


@contextlib.contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack.start()
    finally:
        stack.stop()


# --- The template database: migrated once, copied for each drill --------------------------------


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_template(root: Path) -> tuple[PrivatePostgres, Path, dict[str, Any]]:
    """Migrate a fresh cluster, collect static files and set up the drills' world (once).

    Returns the stopped template cluster, the collected static directory, and the world (the
    ids and sign-in details :mod:`bench.drills.world` printed).
    """
    template = PrivatePostgres(root / "template").init().start()
    static_root = root / "var" / "staticfiles"
    try:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{template.port}/postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{DATABASE}"')
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "relational.settings",
            "DATABASE_URL": template.url,
            "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing is queued while setting up
            "DEBUG": "false",
            "SECRET_KEY": "drill-secret-key-" + "k" * 40,
            "HTTPS_OFF": "true",
            "RELATIONAL_VAR_DIR": str(static_root.parent),
        }
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        done = subprocess.run(
            [PYTHON, "-m", "bench.drills.world"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"world set-up failed:\n{done.stdout}\n{done.stderr}")
        world = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        template.stop()
    return template, static_root, world
