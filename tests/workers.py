"""Real Celery workers and private Redis servers for tests of background behaviour.

Tests of delivery, retries and idempotency run a real ``celery worker`` process against a Redis
of their own (never the machine's, which other work shares), reading and writing the same test
database as the test itself; so those tests use ``transactional_db``. Never eager mode.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from relational.celery import app as celery_app
from relational.embedded import RedisServer

BASE_DIR = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.1) -> None:
    """Poll until ``predicate()`` is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout:.0f}s: {getattr(predicate, '__doc__', '')}")


def use_broker(url: str) -> None:
    """Point this process's Celery app at another broker, dropping pooled connections."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def database_url_for_workers() -> str:
    """A DATABASE_URL for the database this test run is using (pytest-django's test_ copy)."""
    s = connection.settings_dict
    host = s["HOST"] or ""
    if host.startswith("/"):
        from urllib.parse import quote

        host = quote(host, safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    mail_dir: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def mails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.log"))

    def kill(self) -> None:
        """SIGKILL the worker and everything it started (an embedded beat, pool processes), as
        when its machine dies: no clean-up, no acknowledgements. Reaps the main process."""
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)

    def stop(self) -> None:
        """TERM the worker's process group, then KILL whatever of it is left."""
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=20)

    def _signal_group(self, signum: int) -> None:
        # The worker leads a session of its own (start_new_session), so its group is its pid;
        # signalling the group reaches children the main process can no longer stop.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def start_worker(
    broker_url: str, directory: Path, *extra: str, env: dict[str, str] | None = None
) -> Worker:
    """Start ``celery worker`` (with ``-B`` for beat when asked) and wait until it is ready.

    ``env`` adds to the worker's environment (beat intervals such as ``DIGEST_RUN_SECONDS``,
    or ``DJANGO_SETTINGS_MODULE`` for a test settings module). Two workers running beat need a
    schedule file each: pass ``"-B", "--schedule", str(path)``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"worker-{time.monotonic_ns()}.log"
    process_env = dict(os.environ)
    process_env.update(
        DATABASE_URL=database_url_for_workers(),
        REDIS_URL=broker_url,
        DEBUG="true",
        RELATIONAL_VAR_DIR=str(directory),
        DB_CONN_MAX_AGE="0",
    )
    process_env.update(env or {})
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "relational", "worker",
            "--loglevel", "INFO", "--pool", "solo", "--without-gossip", "--without-mingle",
            "--hostname", f"test-{time.monotonic_ns()}@%h", *extra,
        ],
        cwd=BASE_DIR,
        env=process_env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    worker = Worker(process, log, directory / "mail")

    def ready() -> bool:
        """the worker says it is ready"""
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{worker.output()}")
        return " ready." in worker.output()

    wait_for(ready, timeout=60)
    return worker


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which the test may stop and start again."""
    server = RedisServer(tmp_path / "redis").start()
    previous = celery_app.conf.broker_url
    use_broker(server.url)
    yield server
    server.stop()
    use_broker(previous)


@pytest.fixture
def celery_worker(
    private_redis: RedisServer, tmp_path: Path, transactional_db: None
) -> Iterator[Callable[..., Worker]]:
    """Start real workers on the private Redis; all are stopped when the test ends."""
    started: list[Worker] = []

    def start(*extra: str, env: dict[str, str] | None = None) -> Worker:
        worker = start_worker(private_redis.url, tmp_path / "worker", *extra, env=env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
