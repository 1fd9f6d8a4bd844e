"""The database backend's health check (relational/db/): no round trip on a quiet connection, and
a connection the server dropped is still found and replaced before a request's first query."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgres

from relational.models import User

pytestmark = pytest.mark.django_db(transaction=True)  # health checks run outside transactions


def _drop_from_the_server_side() -> int:
    """End this process's connection as a server restart would; returns its backend's pid."""
    pid = connection.connection.info.backend_pid
    dsn = connection.connection.info.dsn
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket
    return pid


def _next_request_runs_a_query() -> int:
    """What Django does between two requests, then a query: returns the backend's pid."""
    connection.close_if_unusable_or_obsolete()  # request_started: the health check is due again
    assert User.objects.count() >= 0
    return connection.connection.info.backend_pid


def test_a_quiet_connection_is_judged_usable_without_asking_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection.ensure_connection()
    asked: list[bool] = []
    monkeypatch.setattr(DjangoPostgres, "is_usable", lambda self: asked.append(True) or False)
    assert connection.is_usable()
    assert asked == []


def test_a_connection_the_server_dropped_is_judged_unusable() -> None:
    connection.ensure_connection()
    _drop_from_the_server_side()
    assert not connection.is_usable()
    connection.close()  # as Django would at the request's end; the test's teardown needs one


def test_the_next_request_replaces_a_dropped_connection_and_keeps_a_healthy_one() -> None:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    connection.ensure_connection()
    first = connection.connection.info.backend_pid
    assert _next_request_runs_a_query() == first  # healthy: kept, not reopened

    dropped = _drop_from_the_server_side()
    assert _next_request_runs_a_query() != dropped  # no OperationalError: a new connection
